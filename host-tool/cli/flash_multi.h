/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flash_multi.h - the factory side of `fwseal flash` (cmd_flash.c calls in):
 *   - several devices at once (`--device D1 --device D2 ...`, `--all`),
 *     one thread per device (fwseal-host/multi.h);
 *   - the production record of every attempt, also of a single device
 *     (`--records PATH`, `--station NAME`; docs/factory.md).
 */
#ifndef FWSEAL_CLI_FLASH_MULTI_H
#define FWSEAL_CLI_FLASH_MULTI_H

#include <stdbool.h>
#include <stddef.h>

#include "cli_util.h"
#include "fwseal-host/package.h"
#include "fwseal-host/records.h"

#define FLASH_MULTI_DEVICES_MAX 64u

struct flash_multi_args {
	const char *pkg;
	const char *trust;           /* NULL: the default trust store */
	const char *devices[FLASH_MULTI_DEVICES_MAX];
	size_t n_devices;
	bool all;                    /* every connected device of the package's model */
	bool yes;
	bool rtscts;
	bool no_resume;
	const char *records;         /* NULL: the default database */
	bool no_records;             /* --no-records */
	const char *station;         /* NULL: the host name */
	uint32_t restart_timeout_ms; /* --confirm-timeout; 0: the library's 30 s */
};

/* getopt long options cmd_flash.c adds for the factory line, and their
 * handling: returns true when c was one of them (-1 never). On a usage error
 * *rc is set to FWS_EXIT_USAGE. */
#define FLASH_MULTI_OPT_ALL        0x1001
#define FLASH_MULTI_OPT_RECORDS    0x1002
#define FLASH_MULTI_OPT_STATION    0x1003
#define FLASH_MULTI_OPT_NO_RECORDS 0x1004
#define FLASH_MULTI_LONGOPTS                                                     \
	{"all", no_argument, NULL, FLASH_MULTI_OPT_ALL},                            \
	{"records", required_argument, NULL, FLASH_MULTI_OPT_RECORDS},              \
	{"station", required_argument, NULL, FLASH_MULTI_OPT_STATION},              \
	{"no-records", no_argument, NULL, FLASH_MULTI_OPT_NO_RECORDS}
bool flash_multi_option(const struct cli_ctx *ctx, int c, const char *arg,
                        struct flash_multi_args *a, int *rc);

/* Record one more --device; false (usage error printed, *rc set) if too many. */
bool flash_multi_add_device(const struct cli_ctx *ctx, struct flash_multi_args *a,
                            const char *device, int *rc);

/* Load the trust store (trust_path, or the default one) and open and verify
 * the package: -1 when both are good, else the exit code after printing the
 * problem. cmd ("flash", "watch") names the command in the message. */
int flash_multi_load_package(const char *cmd, const char *trust_path, const char *pkg_path,
                             fwh_package *pkg);

/* Whether the multi-device path applies (several devices or --all). */
bool flash_multi_wanted(const struct flash_multi_args *a);

/* Run it: verify the package once, find / take the devices, confirm once
 * unless --yes, flash all at once, print the summary. Returns the exit code
 * (0 all ok, 8 some, the shared failure class when none). */
int flash_multi_run(const struct cli_ctx *ctx, const struct flash_multi_args *a);

/* ---------------------------------------------------------------------- */
/* The record of a single-device flash (cmd_flash.c's own path).            */

struct flash_rec {
	fwh_records *db;
	fwh_record r;
	bool active;
};

/* Open the records database and begin the row, after the device-info record
 * was read and before anything is sent. Returns -1 to go on, or an exit code
 * (FWS_EXIT_IO, printed) when --records was named and cannot be written: a
 * line that asked for records does not flash unrecorded. A default database
 * that cannot be opened only warns. */
int flash_rec_begin(struct flash_rec *fr, const struct flash_multi_args *a,
                    const fwh_package *pkg, const char *device, const fws_devinfo *info);

/* End the row: e is the session's result (FWS_OK or its error). */
void flash_rec_end(struct flash_rec *fr, fws_err e, const fwh_error *err, bool interrupted,
                   const char *to_version, bool confirmed);

/* The station name: a->station or the host name. */
void flash_multi_station(const struct flash_multi_args *a, char *out, size_t cap);

#endif /* FWSEAL_CLI_FLASH_MULTI_H */
