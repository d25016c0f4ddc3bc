/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/multi.h - the factory line: one package, several devices at
 * once, one thread per device, every attempt recorded (records.h).
 *
 * The package is verified once by the caller (fwh_package_open) and shared
 * read-only by every unit (each session reads it through its own
 * fwh_pkg_stream with positional reads, so threads do not disturb each
 * other, and each re-verifies what it sends). Each unit runs on its own:
 *
 *   open the device -> read its device-info record -> pre-flight against the
 *   package (nothing is sent if it fails) -> begin the record -> fwh_flash()
 *   -> finish the record
 *
 * A unit that fails, is refused or is unplugged ends alone; the others go
 * on. Events of all units go to one callback, serialised by a mutex, so a
 * printer never sees two events at once (lines never interleave).
 */
#ifndef FWSEAL_HOST_MULTI_H
#define FWSEAL_HOST_MULTI_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/devinfo.h"
#include "fwseal-host/error.h"
#include "fwseal-host/package.h"
#include "fwseal-host/records.h"
#include "fwseal-host/session.h"
#include "fwseal-host/transport.h"

/* One device of a run. The caller sets `device`; the rest is written by the
 * unit's thread and is stable once the unit's FWH_UNIT_DONE event came. */
typedef struct fwh_unit {
	char device[FWH_DEVSTR_MAX];
	size_t index;                /* position in the run (or watch sequence) */

	bool have_info;
	fws_devinfo info;            /* as read before flashing */
	fwh_progress progress;       /* last progress of the session */
	bool sent_any;               /* a byte of the package reached the device */

	enum fwh_rec_result result;  /* FWH_REC_IN_PROGRESS until done */
	bool skipped;                /* the filter said no (result stays OK) ... */
	const char *skip_why;        /* ... and why, e.g. "already flashed with this package" */
	fwh_error err;               /* result != OK: what went wrong */
	char to_version[FWS_VERSION_MAX + 1]; /* what runs after (ok) */
	int64_t duration_ms;
	int64_t record_id;           /* 0: not recorded */
	bool record_failed;          /* the database refused a write (see record_err) */
	fwh_error record_err;
} fwh_unit;

enum fwh_unit_event {
	FWH_UNIT_START,    /* the unit's thread started; device string known */
	FWH_UNIT_INFO,     /* device-info record read: unit->info valid */
	FWH_UNIT_PROGRESS, /* unit->progress changed (throttled by the session) */
	FWH_UNIT_DONE,     /* unit->result final */
};

/* Called with the run's mutex held: never call back into the run from it,
 * and keep it short (print, no waiting). */
typedef void (*fwh_unit_event_fn)(void *user, enum fwh_unit_event ev, const fwh_unit *u);

/* Decides, after the device-info record was read and before anything else,
 * whether to go on (watch: not twice); on false it may set u->skip_why.
 * Called without the mutex, from the unit's thread. */
typedef bool (*fwh_unit_filter_fn)(void *user, fwh_unit *u);

typedef struct fwh_multi {
	/* set by the caller before fwh_multi_init() */
	const fwh_package *pkg;      /* verified, shared read-only */
	fwh_records *records;        /* NULL: nothing recorded */
	const char *station;         /* recorded with each row */
	fwh_link_opts link;          /* how to talk to each device */
	fwh_unit_event_fn event;     /* may be NULL */
	fwh_unit_filter_fn filter;   /* may be NULL */
	void *user;
	const atomic_int *cancel;    /* non-zero: every unit stops at its next request */
	uint32_t restart_timeout_ms; /* passed to fwh_flash */

	/* private */
	pthread_mutex_t lock;
	char digest_hex[FWH_REC_DIGEST_HEX + 1];
	char to_version[FWS_VERSION_MAX + 1];
} fwh_multi;

void fwh_multi_init(fwh_multi *m);
void fwh_multi_destroy(fwh_multi *m);

/* Run one unit to its end on the calling thread. Returns its result. */
enum fwh_rec_result fwh_unit_run(fwh_multi *m, fwh_unit *u);

/* Run n units at once, one thread each, and wait for all of them (HID
 * units share one thread and go in turn: hidapi has global state). Fails
 * only when a thread cannot be started (FWS_E_IO; those units are marked
 * failed and their siblings still run). */
fws_err fwh_multi_run(fwh_multi *m, fwh_unit *units, size_t n, fwh_error *err);

/* Devices that answer like fwseal devices, on every transport, whose model
 * designation is the package's (`fwseal flash --all`). *out is malloc'ed
 * (free it), *n its length; *others counts devices of other models. */
fws_err fwh_multi_discover(const fwh_package *pkg, fwh_unit **out, size_t *n, size_t *others,
                           fwh_error *err);

/* Whether an error is the device or the package refusing by policy (the
 * unit was left as it was), as opposed to a failure. */
bool fwh_err_is_refusal(fws_err e);

#endif /* FWSEAL_HOST_MULTI_H */
