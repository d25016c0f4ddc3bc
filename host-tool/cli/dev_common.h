/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dev_common.h - what the device commands (list, info, flash) share: showing
 * a device-info record to people and as JSON, choosing the device when
 * --device is left out, one-line JSON events, and the exit code of a device
 * error.
 */
#ifndef FWSEAL_DEV_COMMON_H
#define FWSEAL_DEV_COMMON_H

#include <stdbool.h>
#include <stdio.h>

#include "cli_msg.h"
#include "cli_util.h"
#include "fwseal/devinfo.h"
#include "fwseal-host/error.h"
#include "fwseal-host/transport.h"

void dev_print_text(FILE *f, const char *device, const fws_devinfo *d);
/* The record's fields into the current JSON object. */
void dev_print_json(struct cli_json *j, const char *device, const fws_devinfo *d);

/* The device to use: `given` if set, else the only device found. Prints
 * the problem (one message; rep, if not NULL, gets it too) and returns an
 * exit code, or -1 with out filled. */
int dev_pick(const char *given, char *out, size_t cap, struct cli_report *rep);

/* Exit code for a failure of a device command (cli_exit_for_fws; 7 when the
 * update was interrupted). */
int dev_exit_for(const fwh_error *err, bool interrupted);

/* Print "fwseal: <message>" for a library error. */
void dev_error(const fwh_error *err);

/* One JSON object on one line: ev_begin(f, "progress"); ev_*; ev_end(). */
typedef struct dev_event {
	FILE *f;
} dev_event;
void ev_begin(dev_event *e, FILE *f, const char *event);
void ev_str(dev_event *e, const char *name, const char *v);
void ev_u64(dev_event *e, const char *name, uint64_t v);
void ev_i64(dev_event *e, const char *name, int64_t v);
void ev_num(dev_event *e, const char *name, double v);
void ev_bool(dev_event *e, const char *name, bool v);
void ev_null(dev_event *e, const char *name);
/* A version string; null when empty (no firmware runs). */
void ev_version(dev_event *e, const char *name, const char *v);
/* A date (seconds since 1970 UTC) as ISO 8601 "YYYY-MM-DD"; null for 0
 * (the device or package did not say). */
void ev_iso_date(dev_event *e, const char *name, int64_t t);
void ev_end(dev_event *e);

#endif /* FWSEAL_DEV_COMMON_H */
