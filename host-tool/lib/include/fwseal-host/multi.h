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
 *   open the device -> read its device-info record -> decide (already runs
 *   the package, --only-failed, duplicate serial, the caller's filter: a
 *   skip is recorded with its reason) -> begin the record (committed; if it
 *   cannot be, nothing is sent) -> pre-flight against the package (nothing
 *   is sent if it fails) -> fwh_flash() -> finish the record (if it cannot
 *   be, the unit is failed-to-record)
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

/* What became of a unit's production record. */
enum fwh_unit_rec {
	FWH_UNIT_REC_OFF = 0,    /* the run records nothing (no records handle) */
	FWH_UNIT_REC_OK,         /* its row is complete */
	FWH_UNIT_REC_NOT_BEGUN,  /* its row could not be written (or the records could
	                            not be read to decide about it): nothing was sent */
	FWH_UNIT_REC_NOT_ENDED,  /* its row was begun but could not be completed: the
	                            unit was attempted; the row lacks the outcome */
};

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
	bool skipped;                /* nothing sent on purpose (result SKIPPED) ... */
	const char *skip_code;       /* ... a stable name (already-installed, not-failed,
	                                no-earlier-attempt, other-model); also the code of
	                                a refusal by the run itself (duplicate-serial,
	                                on-trial) ... */
	const char *skip_why;        /* ... and a sentence */
	const char *serial_note;     /* the serial number looks like a default, or another
	                                unit of this run had it: said, never a reason to skip */
	fwh_error err;               /* result not OK / SKIPPED: what went wrong */
	char to_version[FWS_VERSION_MAX + 1]; /* what runs after (ok) */
	int64_t duration_ms;
	int64_t record_id;           /* 0: not recorded */
	char attempt_id[FWH_REC_ID_LEN + 1]; /* "" when not recorded */
	enum fwh_unit_rec record;    /* what became of its row */
	fwh_error record_err;        /* record is NOT_BEGUN / NOT_ENDED: why */
	fwh_rec_log log;             /* the session log while it runs (stored with the row) */
	char serial_note_buf[FWH_DEVSTR_MAX + 160];
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
 * whether to go on (watch: --model); on false it sets u->skip_code and
 * u->skip_why (the skip is recorded). Called without the mutex, from the
 * unit's thread. */
typedef bool (*fwh_unit_filter_fn)(void *user, fwh_unit *u);

/* A serial number seen in this run (duplicates are reported). */
typedef struct fwh_multi_serial {
	char serial[FWS_SERIAL_MAX + 1];
	char device[FWH_DEVSTR_MAX];
	bool in_flight;
} fwh_multi_serial;

typedef struct fwh_multi {
	/* set by the caller before fwh_multi_init() */
	const fwh_package *pkg;      /* verified, shared read-only */
	fwh_records *records;        /* NULL: nothing recorded */
	const char *station;         /* recorded with each row */
	const char *operator_name;   /* --operator; NULL: "" */
	const char *work_order;      /* --work-order; NULL: "" */
	const char *tool_version;    /* recorded with each row; NULL: "" */
	bool reinstall;              /* flash a unit that already runs the package */
	bool only_failed;            /* flash only units whose last attempt with this
	                                package did not succeed (needs records) */
	fwh_link_opts link;          /* how to talk to each device */
	fwh_unit_event_fn event;     /* may be NULL */
	fwh_unit_filter_fn filter;   /* may be NULL */
	void *user;
	const atomic_int *cancel;    /* non-zero: every unit stops at its next request */
	uint32_t restart_timeout_ms; /* passed to fwh_flash */

	/* private */
	pthread_mutex_t lock;
	char digest_hex[FWH_REC_DIGEST_HEX + 1];
	char image_hex[FWH_REC_DIGEST_HEX + 1];
	char to_version[FWS_VERSION_MAX + 1];
	fwh_multi_serial *serials;   /* under lock */
	size_t n_serials, cap_serials;
} fwh_multi;

void fwh_multi_init(fwh_multi *m);
void fwh_multi_destroy(fwh_multi *m);

/* Run one unit to its end on the calling thread. Returns its result. The
 * unit's session log lives only while it runs (it is stored with the row);
 * fwh_unit_clear() frees whatever a unit still holds (nothing, today). */
enum fwh_rec_result fwh_unit_run(fwh_multi *m, fwh_unit *u);
void fwh_unit_clear(fwh_unit *u);

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

/* Whether the device already runs this package: it reports the package's
 * version and the SHA-256 of its running image equals the package's image
 * digest, and it is not on trial (its active slot still "testing": an
 * unconfirmed install goes back at the next restart). Unknown (no digest
 * reported) is not "yes". */
bool fwh_device_runs_package(const fws_devinfo *d, const fwh_package *pkg);

/* Whether the device runs this package on trial: installed by an earlier
 * attempt whose new firmware never confirmed itself (exit 11). It is not
 * done: it goes back to its previous firmware at its next restart, and the
 * stub takes no new download while on trial. flash and watch leave it
 * untouched and say so (code "on-trial", exit 11; --reinstall does not
 * change that, the device refuses). */
bool fwh_device_on_trial_with(const fws_devinfo *d, const fwh_package *pkg);

/* Whether a serial number looks like a factory default rather than the
 * unit's own ("", one character repeated, "0", "default", "unknown",
 * "none", "serial", "123456789", the simulator's "SIM-0001", ...). */
bool fwh_serial_is_default(const char *serial);

#endif /* FWSEAL_HOST_MULTI_H */
