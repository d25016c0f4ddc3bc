/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/records.h - production records: one row per flashing attempt,
 * in a local SQLite file (one station) or in a PostgreSQL database shared by
 * the stations of a line (docs/factory.md, "Production records").
 *
 * Where: fwh_records_open() takes a file path or a libpq connection URI
 * (postgresql://... or postgres://...). Both are backends behind one ops
 * table (records_backend.h); callers never branch on which one. When the
 * server cannot be reached, a PostgreSQL handle records into a durable
 * local spool (an SQLite file of the same schema) and says so through the
 * notice callback; fwh_records_sync() (and the next writer's open) sends the
 * spooled rows to the server, exactly once: every row carries a globally
 * unique attempt id.
 *
 * Life of a row:
 *   fwh_records_begin()   inserts the row as "in-progress", committed,
 *                         before the first byte goes to the device, with the
 *                         identity of the process that owns it;
 *   fwh_records_update()  rewrites what became known (unit identity);
 *   fwh_records_finish()  sets the result, the end time, the version the
 *                         unit reported after its restart, and stores the
 *                         unit's session log.
 *   fwh_records_add()     a complete row at once (a skipped unit, a unit that
 *                         could not be reached).
 * Every call is one transaction; a crash leaves whole rows only. A row still
 * "in-progress" whose owning process (same machine) is gone is turned into
 * "interrupted" the next time a writer opens the records, and is shown as
 * interrupted by readers (which never write).
 *
 * Fail closed: a caller that gets an error from begin() must not send
 * anything to the unit; an error from finish() means the unit's record is
 * not complete, and the caller must report the unit as failed-to-record.
 *
 * Only our database: SQLite files carry PRAGMA application_id
 * FWH_REC_APP_ID and user_version FWH_REC_SCHEMA; a PostgreSQL database a
 * table fwseal_meta. A foreign or newer database is refused with a
 * sentence; an older one of ours is migrated in one transaction (by a
 * writer; a reader reads the older layout as it is).
 *
 * Concurrency: many processes (and, for PostgreSQL, many stations) may
 * write at once; one handle may be used from several threads (calls are
 * serialised by a mutex inside).
 *
 * Errors are fws_err (FWS_E_IO for anything the database or the file system
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

#define FWH_REC_STATION_MAX    64u
#define FWH_REC_OPERATOR_MAX   64u
#define FWH_REC_WORK_ORDER_MAX 64u
#define FWH_REC_TOOL_MAX       32u
#define FWH_REC_DEVICE_MAX     FWH_DEVSTR_MAX
#define FWH_REC_ERRCODE_MAX    32u
#define FWH_REC_ERROR_MAX      FWH_ERROR_MSG_MAX
#define FWH_REC_DIGEST_HEX     (2u * FWS_SHA256_LEN)
#define FWH_REC_ID_LEN         36u   /* attempt id: a UUID (version 7), 8-4-4-4-12 hex */
#define FWH_REC_TIME_MAX       32u   /* "2026-11-21T21:40:00.123Z" + NUL */
#define FWH_REC_BUSY_MS        10000 /* wait this long for another process' write
                                        (FWSEAL_RECORDS_BUSY_MS overrides) */
#define FWH_REC_LOG_MAX        (64u * 1024u) /* session log of one attempt */
#define FWH_REC_SCHEMA         2     /* user_version / fwseal_meta schema of this layout */
#define FWH_REC_APP_ID         0x66777372 /* PRAGMA application_id: "fwsr" */

/* Stored as text in the "result" column; never rename (scripts read them). */
enum fwh_rec_result {
	FWH_REC_IN_PROGRESS = 0, /* begun, not ended (yet) */
	FWH_REC_OK,              /* device runs the new firmware */
	FWH_REC_REFUSED,         /* pre-flight or the device refused the package by
	                            policy (model, hw revision, downgrade, size,
	                            duplicate serial); the device kept its firmware */
	FWH_REC_FAILED,          /* device, link or I/O error; see error_code */
	FWH_REC_INTERRUPTED,     /* the tool stopped mid-attempt (crash, kill, power
	                            loss) or the unit was unplugged: run again to resume */
	FWH_REC_SKIPPED,         /* nothing sent on purpose; error_code says why
	                            (already-installed, not-failed, other-model, ...) */
	FWH_REC_UNCONFIRMED,     /* installed, but the new firmware did not confirm
	                            itself (issue 15) */
	FWH_REC_RESULT_COUNT
};

typedef struct fwh_record {
	int64_t id;                 /* row number in its store; set by begin()/add() */
	char attempt_id[FWH_REC_ID_LEN + 1]; /* globally unique; set by begin()/add() if "" */
	int64_t started_ms;         /* ms since 1970 UTC; 0 in begin(): now */
	int64_t ended_ms;           /* -1 until ended (and after a crash) */
	char station[FWH_REC_STATION_MAX + 1];
	char operator_name[FWH_REC_OPERATOR_MAX + 1]; /* --operator, "" unknown */
	char work_order[FWH_REC_WORK_ORDER_MAX + 1];  /* --work-order, "" none */
	char tool_version[FWH_REC_TOOL_MAX + 1];      /* fwseal version that wrote it */
	char device[FWH_REC_DEVICE_MAX + 1];   /* device string, e.g. serial:/dev/pts/3 */
	char serial[FWS_SERIAL_MAX + 1];       /* "" until known */
	char model[FWS_MODEL_MAX + 1];         /* "" until known */
	int32_t hw_rev;                         /* -1 until known */
	char from_version[FWS_VERSION_MAX + 1]; /* "" unknown or none (stub only) */
	char to_version[FWS_VERSION_MAX + 1];   /* the package's version */
	char reported_version[FWS_VERSION_MAX + 1]; /* what the unit reported after its
	                                               restart; "" unknown */
	char package_sha256[FWH_REC_DIGEST_HEX + 1]; /* lowercase hex of the file */
	char image_sha256[FWH_REC_DIGEST_HEX + 1];   /* of the package's image; "" unknown */
	enum fwh_rec_result result;
	char error_code[FWH_REC_ERRCODE_MAX + 1];   /* stable name, "" when ok */
	char error[FWH_REC_ERROR_MAX + 1];          /* one sentence, "" when ok */
	int64_t duration_ms;                        /* -1 unknown (in progress, interrupted) */
	bool has_log;                               /* reading: a session log is stored */
} fwh_record;

typedef struct fwh_records fwh_records;

/* Stable text of a result ("in-progress", "ok", "refused", "failed",
 * "interrupted", "skipped", "unconfirmed"); fwh_rec_result_parse() is its
 * inverse (false if unknown). */
const char *fwh_rec_result_name(enum fwh_rec_result r);
bool fwh_rec_result_parse(const char *s, enum fwh_rec_result *out);

/* The documented default: $XDG_DATA_HOME/fwseal/records.sqlite, else
 * $HOME/.local/share/fwseal/records.sqlite. FWS_E_NOMEM if cap is too small,
 * FWS_E_IO if neither variable is set. */
fws_err fwh_records_default_path(char *out, size_t cap);

/* Whether s is a PostgreSQL connection URI (postgresql:// or postgres://). */
bool fwh_records_is_uri(const char *s);

/* s fit to print: a URI without its password, a path as it is. */
void fwh_records_redact(const char *s, char *out, size_t cap);

typedef void (*fwh_records_notice_fn)(void *user, const char *sentence);

typedef struct fwh_records_opts {
	bool read_only;     /* never write: no file, table or row is created or
	                       changed (fwseal records); works on read-only media */
	const char *spool;  /* PostgreSQL: the local spool file; NULL: the default
	                       ($XDG_DATA_HOME/fwseal/spool-<hash of the URI>.sqlite) */
	fwh_records_notice_fn notice; /* warnings that do not stop anything (the
	                                 server went away: spooling); may be NULL */
	void *notice_user;
	bool no_sync;       /* PostgreSQL writer: do not send spooled rows at open */
} fwh_records_opts;

/* Open a records file or database. A writer creates the file (and its
 * folders), the tables, or migrates an older schema; refuses a read-only
 * file, a foreign or a newer database; marks in-progress rows of dead
 * processes of this machine as interrupted; for PostgreSQL sends the rows of
 * the spool. A reader only reads. where NULL: the default path. On failure
 * *out is NULL and err says why. */
fws_err fwh_records_open_ex(const char *where, const fwh_records_opts *o, fwh_records **out,
                            fwh_error *err);
/* fwh_records_open_ex() as a writer with default options. */
fws_err fwh_records_open(const char *where, fwh_records **out, fwh_error *err);
void fwh_records_close(fwh_records *db);

/* Where the records go, fit to print ("/path/records.sqlite",
 * "postgresql://line@db/records"), and the spool file of a PostgreSQL handle
 * ("" for a file). */
const char *fwh_records_where(const fwh_records *db);
const char *fwh_records_spool_path(const fwh_records *db);
/* Whether rows are going to the spool right now (the server is away). */
bool fwh_records_spooling(const fwh_records *db);

/* Start a row (result forced to in-progress, ended and duration -1); sets
 * r->id, r->attempt_id (if "") and, when 0, r->started_ms. Committed when it
 * returns FWS_OK. */
fws_err fwh_records_begin(fwh_records *db, fwh_record *r, fwh_error *err);

/* Rewrite the unit's fields of row r->attempt_id (device, serial, model,
 * hw_rev, from_version, to_version). */
fws_err fwh_records_update(fwh_records *db, const fwh_record *r, fwh_error *err);

/* End row r->attempt_id with r->result, error_code, error, reported_version
 * and the session log (NULL: none). duration_ms is taken from r, or measured
 * from started_ms when -1; ended_ms is set to now when -1. */
fws_err fwh_records_finish(fwh_records *db, fwh_record *r, const char *log, fwh_error *err);

/* Insert a complete row (r->result final) with its log, in one step. */
fws_err fwh_records_add(fwh_records *db, fwh_record *r, const char *log, fwh_error *err);

/* Copy the unit's identity from a device-info record into r. */
void fwh_record_set_device(fwh_record *r, const fws_devinfo *info);

/* ---------------------------------------------------------------------- */
/* Reading                                                                 */

typedef struct fwh_rec_filter {
	const char *serial;   /* NULL: any */
	const char *station;  /* NULL: any */
	int result;           /* -1: any, else enum fwh_rec_result */
	int64_t since_ms;     /* started at or after (INT64_MIN: no bound) */
	int64_t until_ms;     /* started before (INT64_MAX: no bound) */
	uint64_t limit;       /* 0: all; else only the newest `limit` rows */
} fwh_rec_filter;

void fwh_rec_filter_init(fwh_rec_filter *f);

/* Rows matching f, oldest first (by start time, then id); cb returning
 * non-zero stops early (the walk then returns FWS_OK). An in-progress row of
 * a dead process of this machine is handed out as interrupted. */
typedef int (*fwh_records_cb)(const fwh_record *r, void *user);
fws_err fwh_records_query(fwh_records *db, const fwh_rec_filter *f, fwh_records_cb cb,
                          void *user, fwh_error *err);
/* fwh_records_query() with only a lower time bound (INT64_MIN: all). */
fws_err fwh_records_foreach(fwh_records *db, int64_t since_ms, fwh_records_cb cb, void *user,
                            fwh_error *err);

/* The unit's latest attempt with this package that was not skipped
 * (--only-failed): *found false when there is none. */
fws_err fwh_records_last(fwh_records *db, const char *serial, const char *package_sha256,
                         fwh_record *out, bool *found, fwh_error *err);

/* The session log of one attempt: id is its row number or its attempt id.
 * *found says whether the attempt exists; then *text is malloc'ed (free
 * it), NUL-terminated, "" when the attempt has no log, and row (may be
 * NULL) gets the attempt. */
fws_err fwh_records_log(fwh_records *db, const char *id, fwh_record *row, char **text,
                        bool *found, fwh_error *err);

/* PostgreSQL: send the spooled rows that are complete to the server, each
 * exactly once; *sent counts them, *left the spooled rows still to go
 * (in-progress ones). A file: nothing to do (0, 0). */
fws_err fwh_records_sync(fwh_records *db, size_t *sent, size_t *left, fwh_error *err);

/* Per station and model, over the rows matching f (limit ignored):
 * attempts (not skipped, not in progress), units (distinct serials),
 * units whose first attempt here was ok, retries (attempts after a unit's
 * first), and the median and 95th percentile (nearest rank) of the
 * duration of ok attempts (-1 when there is none). */
typedef struct fwh_rec_stats {
	char station[FWH_REC_STATION_MAX + 1];
	char model[FWS_MODEL_MAX + 1];
	uint64_t attempts, units, first_pass_ok, retries, ok;
	int64_t median_ms, p95_ms;
} fwh_rec_stats;
fws_err fwh_records_stats(fwh_records *db, const fwh_rec_filter *f, fwh_rec_stats **out,
                          size_t *n, fwh_error *err);

/* ---------------------------------------------------------------------- */
/* A session log: timestamped lines kept for one attempt (FWH_REC_LOG_MAX;
 * beyond that one line says how much was left out).                       */

typedef struct fwh_rec_log {
	char *text;
	size_t len, cap;
	size_t dropped;
} fwh_rec_log;

void fwh_rec_log_init(fwh_rec_log *l);
void fwh_rec_log_add(fwh_rec_log *l, const char *fmt, ...) FWH_PRINTF(2, 3);
/* The text ("" when empty); valid until the next add or free. */
const char *fwh_rec_log_text(fwh_rec_log *l);
void fwh_rec_log_free(fwh_rec_log *l);

/* Time helpers. now: ms since 1970 UTC. format: ISO 8601 UTC with
 * milliseconds ("2026-11-21T21:40:00.123Z"). parse accepts "YYYY-MM-DD",
 * "YYYY-MM-DDTHH:MM[:SS[.fff]]" (a space instead of T is fine) with an
 * optional "Z" or "+HH:MM"/"-HH:MM"; no zone means UTC. */
int64_t fwh_records_now_ms(void);
void fwh_records_format_time(int64_t ms, char out[FWH_REC_TIME_MAX]);
bool fwh_records_parse_time(const char *s, int64_t *ms);

#endif /* FWSEAL_HOST_RECORDS_H */
