/* SPDX-License-Identifier: Apache-2.0 */
/*
 * records_backend.h - the one ops table behind fwseal-host/records.h, as
 * libusb has its backends: records.c (the handle, owner identity, locking,
 * log, stats) calls a backend only through these functions, and never asks
 * which one it is.
 *
 *   records_sqlite.c  a local SQLite file (also the PostgreSQL spool)
 *   records_pg.c      PostgreSQL through libpq, with the SQLite spool
 *
 * Every function is called with the handle's mutex held, from one thread at
 * a time. A failure returns FWS_E_IO (or FWS_E_INVAL for a bad argument) and
 * writes one sentence into msg (FWH_REC_ERROR_MAX + 1 bytes).
 */
#ifndef FWSEAL_HOST_RECORDS_BACKEND_H
#define FWSEAL_HOST_RECORDS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal-host/records.h"

#define FWH_REC_OWNER_MAX 64u
#define FWH_REC_MSG_MAX   (FWH_REC_ERROR_MAX + 1u)

/* Which process owns an in-progress row. */
typedef struct fwh_rec_owner {
	char machine[FWH_REC_OWNER_MAX]; /* /etc/machine-id, "" unknown */
	char boot[FWH_REC_OWNER_MAX];    /* kernel boot id */
	int64_t pid;
	int64_t start;                    /* process start time (clock ticks since boot) */
} fwh_rec_owner;

/* How a row is written. */
enum fwh_rec_put {
	FWH_PUT_INSERT, /* a new row: an error if the attempt id exists */
	FWH_PUT_UPDATE, /* the row of that attempt id: an error if it does not exist */
	FWH_PUT_UPSERT, /* insert or replace every field (spool, sync) */
};

/* One row of a query with its owner (to tell the dead from the living). */
typedef int (*fwh_rec_row_fn)(void *user, fwh_record *r, const fwh_rec_owner *owner);

/* Liveness of an owner, from records.c (reads /proc). */
typedef bool (*fwh_rec_alive_fn)(void *user, const fwh_rec_owner *owner);

typedef struct fwh_rec_ops {
	/* Write row r (all of its fields) as `how`; with log non-NULL the
	 * attempt's session log too, in the same transaction. INSERT sets r->id. */
	int (*put)(void *be, fwh_record *r, const fwh_rec_owner *owner, const char *log,
	           enum fwh_rec_put how, char *msg);
	/* Rows matching f, oldest first (f->result -2: in-progress or interrupted). */
	int (*query)(void *be, const fwh_rec_filter *f, fwh_rec_row_fn fn, void *user, char *msg);
	/* Latest not-skipped attempt of serial with package digest. */
	int (*last)(void *be, const char *serial, const char *digest, fwh_record *out,
	            bool *found, char *msg);
	/* Attempt by row number (id_num >= 0) or attempt id, and its log. */
	int (*log)(void *be, int64_t id_num, const char *attempt_id, fwh_record *row,
	           char **text, bool *found, char *msg);
	/* In-progress rows of machine `me->machine` whose owner is dead become
	 * interrupted (writers, at open). */
	int (*reap)(void *be, const fwh_rec_owner *me, fwh_rec_alive_fn alive, void *user,
	            char *msg);
	/* Send spooled rows (PostgreSQL); NULL when there is nothing to sync. */
	int (*sync)(void *be, size_t *sent, size_t *left, char *msg);
	/* Where rows go now: the spool file while spooling, else "". */
	const char *(*spooling)(void *be);
	void (*close)(void *be);
} fwh_rec_ops;

typedef struct fwh_rec_backend {
	const fwh_rec_ops *ops;
	void *be;
} fwh_rec_backend;

/* What a backend's open needs from the handle. */
typedef struct fwh_rec_open_ctx {
	const fwh_records_opts *opts;
	const fwh_rec_owner *me;
	fwh_rec_alive_fn alive;  /* for reaping at open */
	void *alive_user;
	int busy_ms;
} fwh_rec_open_ctx;

/* Open a backend; on failure msg says why. */
int fwh_rec_sqlite_open(const char *path, const fwh_rec_open_ctx *ctx, fwh_rec_backend *out,
                        char *msg);
int fwh_rec_pg_open(const char *uri, const fwh_rec_open_ctx *ctx, fwh_rec_backend *out,
                    char *msg);

/* Result names (records.c). */
bool fwh_rec_result_known(const char *s);

/* msg helper: vsnprintf into msg, returns FWS_E_IO. */
int fwh_rec_fail(char *msg, const char *fmt, ...) FWH_PRINTF(2, 3);

/* The one wording of records that cannot be used (docs/messages.md,
 * `records-unusable`): "Cannot use the production records WHERE: <what is
 * wrong>. Fix that, or choose another file with --records." The database's
 * own words go to the diagnostic log (-vv), not to the user. */
int fwh_rec_unusable(char *msg, const char *where, const char *fmt, ...) FWH_PRINTF(3, 4);

/* A new attempt id (UUID version 7 text: time-ordered, 74 random bits) into
 * out[FWH_REC_ID_LEN + 1]; false if no randomness could be had. */
bool fwh_rec_new_id(char out[FWH_REC_ID_LEN + 1]);

/* Copy at most cap-1 bytes of src (NULL: "") and terminate. */
void fwh_rec_copy(char *dst, size_t cap, const char *src);

/* SQL columns shared by both backends, in this order (the schema of
 * docs/factory.md). */
#define FWH_REC_COLUMNS                                                                    \
	"id, attempt_id, started_ms, ended_ms, station, operator, work_order, tool_version," \
	" device, serial, model, hw_rev, from_version, to_version, reported_version,"        \
	" package_sha256, image_sha256, result, error_code, error, duration_ms,"             \
	" owner_machine, owner_boot, owner_pid, owner_start"
#define FWH_REC_NCOLUMNS 25

/* The SQLite spool of a PostgreSQL backend uses the SQLite backend's own
 * functions directly (records_sqlite.c). */
typedef struct fwh_rsq fwh_rsq;
int fwh_rsq_open(const char *path, const fwh_rec_open_ctx *ctx, bool create, fwh_rsq **out,
                 char *msg);
extern const fwh_rec_ops fwh_rsq_ops;
/* Spooled rows not yet sent (not in progress), oldest first, each with its
 * log (NULL if none). */
typedef int (*fwh_rsq_pending_fn)(void *user, fwh_record *r, const fwh_rec_owner *owner,
                                  const char *log);
int fwh_rsq_pending(fwh_rsq *q, fwh_rsq_pending_fn fn, void *user, size_t *left, char *msg);
/* Mark a spooled row as sent. */
int fwh_rsq_mark_sent(fwh_rsq *q, const char *attempt_id, char *msg);

/* The SQL of each query the SQLite backend makes (for a file of schema
 * `schema`), so that tests can check with EXPLAIN QUERY PLAN that every one
 * of them is served by an index. f only for FWH_RSQ_SQL_QUERY. */
enum fwh_rsq_sql {
	FWH_RSQ_SQL_QUERY,      /* fwh_records_query() with filter f */
	FWH_RSQ_SQL_LAST,       /* fwh_records_last() */
	FWH_RSQ_SQL_BY_ID,      /* fwh_records_log() by row number */
	FWH_RSQ_SQL_BY_ATTEMPT, /* ... by attempt id */
	FWH_RSQ_SQL_REAP,       /* in-progress rows of a machine (every writer's open) */
};
void fwh_rsq_sql(enum fwh_rsq_sql which, const fwh_rec_filter *f, int schema, char *sql,
                 size_t cap);

#endif /* FWSEAL_HOST_RECORDS_BACKEND_H */
