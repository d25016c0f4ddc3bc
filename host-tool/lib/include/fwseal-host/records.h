/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/records.h - production records: one row per flashing attempt
 * in an SQLite database shared by every fwseal process of a station.
 *
 * Life of a row (docs/factory.md, "Production records"):
 *   fwh_records_begin()   inserts the row as "in-progress" before the first
 *                         byte goes to the device, with the identity of the
 *                         process that owns it;
 *   fwh_records_update()  fills in what becomes known (the device-info
 *                         record: serial, model, hardware revision, from-version);
 *   fwh_records_finish()  sets the result, the error and the duration.
 * Every call is one transaction (WAL, synchronous=FULL), so a crash, kill -9
 * or power cut of the station leaves whole rows only. A row still
 * "in-progress" whose owning process is gone is turned into "interrupted"
 * the next time any fwseal opens the database: the factory sees that an
 * attempt began and never ended, and on which unit.
 *
 * Concurrency: several processes may open one database (WAL plus a busy
 * timeout); one fwh_records handle may be used from several threads (calls
 * are serialised by a mutex inside).
 *
 * Errors are fws_err (FWS_E_IO for anything SQLite or the file system
 * refuses) with the sentence in *err (fwseal-host/error.h; err may be NULL).
 */
#ifndef FWSEAL_HOST_RECORDS_H
#define FWSEAL_HOST_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/crypto.h"
#include "fwseal/devinfo.h"
#include "fwseal/err.h"
#include "fwseal/pkg.h"
#include "fwseal-host/error.h"
#include "fwseal-host/transport.h"

#define FWH_REC_STATION_MAX 64u
#define FWH_REC_DEVICE_MAX  FWH_DEVSTR_MAX
#define FWH_REC_ERRCODE_MAX 32u
#define FWH_REC_ERROR_MAX   FWH_ERROR_MSG_MAX
#define FWH_REC_DIGEST_HEX  (2u * FWS_SHA256_LEN)
#define FWH_REC_TIME_MAX    32u  /* "2026-11-21T21:40:00.123Z" + NUL */
#define FWH_REC_BUSY_MS     10000 /* wait this long for another process' write */
#define FWH_REC_SCHEMA      1     /* PRAGMA user_version of this layout */

/* Stored as text in the "result" column; never rename (scripts read them). */
enum fwh_rec_result {
	FWH_REC_IN_PROGRESS = 0, /* begun, not ended (yet) */
	FWH_REC_OK,              /* device runs the new firmware */
	FWH_REC_REFUSED,         /* pre-flight or the device refused the package by
	                            policy (model, hw revision, downgrade, size);
	                            the device kept its firmware */
	FWH_REC_FAILED,          /* device, link or I/O error; see error_code */
	FWH_REC_INTERRUPTED,     /* the tool stopped mid-attempt (crash, kill, power
	                            loss) or the unit was unplugged: run again to resume */
	FWH_REC_UNCONFIRMED,     /* installed and running, but the new firmware did not
	                            confirm itself in time: it reverts at the next
	                            restart unless it confirms (CLI exit 11) */
	FWH_REC_RESULT_COUNT
};

typedef struct fwh_record {
	int64_t id;                 /* set by fwh_records_begin() */
	int64_t started_ms;         /* ms since 1970 UTC; 0 in begin(): now */
	char station[FWH_REC_STATION_MAX + 1];
	char device[FWH_REC_DEVICE_MAX + 1];   /* device string, e.g. serial:/dev/pts/3 */
	char serial[FWS_SERIAL_MAX + 1];       /* "" until known */
	char model[FWS_MODEL_MAX + 1];         /* "" until known */
	int32_t hw_rev;                         /* -1 until known */
	char from_version[FWS_VERSION_MAX + 1]; /* "" unknown or none (stub only) */
	char to_version[FWS_VERSION_MAX + 1];
	char package_sha256[FWH_REC_DIGEST_HEX + 1]; /* lowercase hex of the file */
	enum fwh_rec_result result;
	char error_code[FWH_REC_ERRCODE_MAX + 1];   /* stable name, "" when ok */
	char error[FWH_REC_ERROR_MAX + 1];          /* one sentence, "" when ok */
	int64_t duration_ms;                        /* -1 unknown (in progress, interrupted) */
} fwh_record;

typedef struct fwh_records fwh_records;

/* Stable text of a result ("in-progress", "ok", "refused", "failed",
 * "interrupted", "unconfirmed"); fwh_rec_result_parse() is its inverse
 * (false if unknown). */
const char *fwh_rec_result_name(enum fwh_rec_result r);
bool fwh_rec_result_parse(const char *s, enum fwh_rec_result *out);

/* The documented default: $XDG_DATA_HOME/fwseal/records.sqlite, else
 * $HOME/.local/share/fwseal/records.sqlite. FWS_E_NOMEM if cap is too small,
 * FWS_E_IO if neither variable is set. */
fws_err fwh_records_default_path(char *out, size_t cap);

/* Open (creating the file and the folders that lead to it) and bring
 * the schema up. Marks rows left in-progress by dead processes as
 * interrupted. On failure *out is NULL and err says why. NULL path: the
 * default path. */
fws_err fwh_records_open(const char *path, fwh_records **out, fwh_error *err);
void fwh_records_close(fwh_records *db);

/* Start a row (result forced to in-progress, duration -1); sets r->id and,
 * when 0, r->started_ms. */
fws_err fwh_records_begin(fwh_records *db, fwh_record *r, fwh_error *err);

/* Rewrite the identity fields (serial, model, hw_rev, from_version,
 * to_version, device) of row r->id. */
fws_err fwh_records_update(fwh_records *db, const fwh_record *r, fwh_error *err);

/* End row r->id with r->result, error_code, error; duration is taken from
 * r->duration_ms, or measured from started_ms when -1. */
fws_err fwh_records_finish(fwh_records *db, fwh_record *r, fwh_error *err);

/* Copy the unit's identity from a device-info record into r. */
void fwh_record_set_device(fwh_record *r, const fws_devinfo *info);

/* Reading. Rows in id order with started_ms >= since_ms (INT64_MIN: all);
 * cb returning non-zero stops early (the walk then returns FWS_OK). */
typedef int (*fwh_records_cb)(const fwh_record *r, void *user);
fws_err fwh_records_foreach(fwh_records *db, int64_t since_ms, fwh_records_cb cb, void *user,
                            fwh_error *err);

/* Whether the unit with this serial already took the package with this
 * digest successfully (result ok), for `fwseal watch` not to flash twice. */
fws_err fwh_records_already_ok(fwh_records *db, const char *serial, const char *package_sha256,
                               bool *yes, fwh_error *err);

/* Time helpers. now: ms since 1970 UTC. format: ISO 8601 UTC with
 * milliseconds ("2026-11-21T21:40:00.123Z"). parse accepts "YYYY-MM-DD",
 * "YYYY-MM-DDTHH:MM[:SS[.fff]]" (a space instead of T is fine) with an
 * optional "Z" or "+HH:MM"/"-HH:MM"; no zone means UTC. */
int64_t fwh_records_now_ms(void);
void fwh_records_format_time(int64_t ms, char out[FWH_REC_TIME_MAX]);
bool fwh_records_parse_time(const char *s, int64_t *ms);

#endif /* FWSEAL_HOST_RECORDS_H */
