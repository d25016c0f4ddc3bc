/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proc.h - run a program for the functional tests and capture what it
 * printed: the fwseal command a user types (FT-02, FT-17) and the lab's
 * power-cut hook (FT-11). Bounded in time; the child is killed (its whole
 * process group) when the limit passes.
 */
#ifndef FWSEAL_EV_PROC_H
#define FWSEAL_EV_PROC_H

#include <stdbool.h>
#include <stdint.h>

struct ev_proc_result {
	int status;       /* exit code; 128 + signal; -1 could not run or timed out */
	bool timed_out;
	char *out;        /* stdout, NUL-terminated (malloc'd, never NULL) */
	char *err;        /* stderr */
};

/* Run argv[0] (searched in PATH) with argv; env: extra "NAME=VALUE"
 * entries, NULL-terminated, or NULL. Output beyond 1 MiB per stream is
 * dropped. */
void ev_proc_run(const char *const argv[], const char *const env[], uint32_t timeout_ms,
                 struct ev_proc_result *r);
void ev_proc_free(struct ev_proc_result *r);

#endif
