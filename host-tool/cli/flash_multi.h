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
	const char *records;         /* NULL: the default database; a path or a
	                                postgresql:// URI */
	bool no_records;             /* --no-records */
	const char *spool;           /* --spool: PostgreSQL's local spool file */
	const char *station;         /* NULL: the host name */
	uint32_t restart_timeout_ms; /* --confirm-timeout; 0: the library's 30 s */
	const char *operator_name;   /* --operator */
	const char *work_order;      /* --work-order */
	bool reinstall;              /* --reinstall: also units that run the package */
	bool only_failed;            /* --only-failed: units whose last attempt failed */
	bool json;                   /* set by the command: notices stay on stderr */
};

/* getopt long options cmd_flash.c adds for the factory line, and their
 * handling: returns true when c was one of them (-1 never). On a usage error
 * *rc is set to FWS_EXIT_USAGE. */
#define FLASH_MULTI_OPT_ALL        0x1001
#define FLASH_MULTI_OPT_RECORDS    0x1002
#define FLASH_MULTI_OPT_STATION    0x1003
#define FLASH_MULTI_OPT_NO_RECORDS 0x1004
#define FLASH_MULTI_OPT_OPERATOR   0x1005
#define FLASH_MULTI_OPT_WORK_ORDER 0x1006
#define FLASH_MULTI_OPT_REINSTALL  0x1007
#define FLASH_MULTI_OPT_ONLY_FAILED 0x1008
#define FLASH_MULTI_OPT_SPOOL      0x1009
#define FLASH_MULTI_LONGOPTS                                                     \
	{"all", no_argument, NULL, FLASH_MULTI_OPT_ALL},                            \
	{"records", required_argument, NULL, FLASH_MULTI_OPT_RECORDS},              \
	{"station", required_argument, NULL, FLASH_MULTI_OPT_STATION},              \
	{"no-records", no_argument, NULL, FLASH_MULTI_OPT_NO_RECORDS},              \
	{"operator", required_argument, NULL, FLASH_MULTI_OPT_OPERATOR},            \
	{"work-order", required_argument, NULL, FLASH_MULTI_OPT_WORK_ORDER},        \
	{"reinstall", no_argument, NULL, FLASH_MULTI_OPT_REINSTALL},                \
	{"only-failed", no_argument, NULL, FLASH_MULTI_OPT_ONLY_FAILED},            \
	{"spool", required_argument, NULL, FLASH_MULTI_OPT_SPOOL}
bool flash_multi_option(const struct cli_ctx *ctx, int c, const char *arg,
                        struct flash_multi_args *a, int *rc);

/* After parsing: options that exclude each other. -1 or FWS_EXIT_USAGE. */
int flash_multi_check(const struct cli_ctx *ctx, const struct flash_multi_args *a);

/* Open the records of a run (a->records, the default, or none with
 * --no-records): -1 with *db set (NULL: none), or FWS_EXIT_IO after saying
 * why. A station that is to record and cannot does not flash. */
int flash_multi_open_records(const struct flash_multi_args *a, fwh_records **db);

/* The fwseal version written into each row. */
const char *flash_multi_tool_version(void);

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
	fwh_records *db;   /* NULL: not recorded (--no-records) */
	fwh_record r;
	bool active;       /* begun, not yet ended */
	fwh_rec_log log;   /* the session log, stored with the row */
	fwh_error err;     /* the records' sentence when a write failed */
};

/* Open the records and fill the row of this unit (after its device-info
 * record was read). -1 to go on, or FWS_EXIT_IO (printed). */
int flash_rec_open(struct flash_rec *fr, const struct flash_multi_args *a,
                   const fwh_package *pkg, const char *device, const fws_devinfo *info);

/* Begin the row, committed, before anything is sent: -1, or
 * FWS_EXIT_RECORDS (printed; nothing was sent). */
int flash_rec_begin(struct flash_rec *fr);

/* End the row: e is the session's result (FWS_OK or its error; FWS_OK and
 * not confirmed: "unconfirmed", installed but still on trial). false: the
 * end could not be recorded (fr->err says why; the caller reports the unit
 * as failed-to-record and exits FWS_EXIT_RECORDS). */
bool flash_rec_end(struct flash_rec *fr, fws_err e, const fwh_error *err, bool interrupted,
                   const char *reported_version, bool confirmed);

/* A complete row at once (refused by pre-flight, skipped): result and, for
 * anything but ok, a stable code and a sentence. false as flash_rec_end(). */
bool flash_rec_whole(struct flash_rec *fr, enum fwh_rec_result result, const char *code,
                     const char *sentence);

/* --only-failed for one unit: -1 to flash it, 0 when it is skipped (*why
 * set, recorded), FWS_EXIT_RECORDS when the records could not tell. */
int flash_rec_only_failed(struct flash_rec *fr, const char **code, const char **why);

void flash_rec_close(struct flash_rec *fr);

/* The station name: a->station or the host name. */
void flash_multi_station(const struct flash_multi_args *a, char *out, size_t cap);

#endif /* FWSEAL_CLI_FLASH_MULTI_H */
