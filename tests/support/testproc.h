/* SPDX-License-Identifier: Apache-2.0 */
/*
 * testproc.h - what tests that run programs share: a temporary folder made
 * and removed, a child process with its stdout on a pipe read line by line
 * under a deadline, and the one line fwseal-sim prints when its pty is ready
 * ("serial:/dev/pts/N"). No cmocka here: each returns a result the test
 * asserts on, so a failure points at the test's own line.
 */
#ifndef FWSEAL_TEST_TESTPROC_H
#define FWSEAL_TEST_TESTPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Make /tmp/fwseal-TAG-XXXXXX into dir (cap bytes); false if it fails. */
bool test_tmpdir(char *dir, size_t cap, const char *tag);

/* Remove dir and everything below it; 0 on success, -1 if it fails. */
int test_rmtree(const char *dir);

/* A child process with its stdout on a pipe (out), read through buf. */
typedef struct test_proc {
	pid_t pid;
	int out;
	char buf[65536];
	size_t len;
} test_proc;

/* Start argv[0] (a path) with argv; false if pipe or fork fail. */
bool test_spawn(test_proc *p, char *const argv[]);

/* Next whole stdout line (without newline) within timeout_ms; false at EOF,
 * timeout or a line longer than buf. */
bool test_read_line(test_proc *p, char *line, size_t cap, int timeout_ms);

/* fwseal-sim's ready line: the next line, true only if it is a serial
 * device string "serial:/dev/pts/N" (line holds whatever was read). */
bool test_read_sim_device(test_proc *p, char *line, size_t cap, int timeout_ms);

#endif /* FWSEAL_TEST_TESTPROC_H */
