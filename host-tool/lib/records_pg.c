/* SPDX-License-Identifier: Apache-2.0 */
/*
 * records_pg.c - the PostgreSQL backend of the production records
 * (records_backend.h): one database for every station of a line, through
 * libpq.
 *
 * - The schema is the SQLite one (docs/factory.md) plus a table fwseal_meta
 *   that marks the database as ours and holds its schema version. The first
 *   writer creates the tables, under an advisory lock so that stations
 *   starting together do not race; a database with an `attempts` table that
 *   is not ours, or a newer schema, is refused.
 * - Every write is one transaction, committed (synchronous_commit as the
 *   server has it: on by default) before the call returns.
 * - The server cannot be reached (at open, or a connection that breaks and
 *   cannot be re-established): rows go to a local spool, an SQLite records
 *   file (records_sqlite.c) with the same columns, and stay there for the
 *   rest of the handle's life. A row that was begun on the server and ends
 *   in the spool is written whole into the spool. The server refusing us
 *   (authentication, permissions, a full disk) is not "unreachable": that
 *   fails, and the caller does not flash.
 * - Sync (fwh_records_sync, and every writer's open): each complete spooled
 *   row is upserted by its attempt id (unique on the server), then noted as
 *   sent in the spool. A crash between the two sends the row again, which
 *   changes nothing: every row reaches the server exactly once.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fwseal/crypto.h"
#include "records_backend.h"

#ifdef FWSEAL_HAVE_LIBPQ
#include <libpq-fe.h>

#define PG_CONNECT_TIMEOUT "5" /* seconds, unless the URI says otherwise */

typedef struct pg {
	PGconn *conn;          /* NULL: spooling */
	char uri[4096];
	char where[FWH_PATH_MAX * 2];
	bool read_only;
	bool have_tables;
	fwh_rsq *spool;        /* opened when first needed */
	char spool_path[4096];
	bool spooling;
	fwh_rec_open_ctx ctx;  /* me, alive, busy_ms (valid while the handle is) */
	fwh_records_opts opts; /* a copy: the caller's may not live as long */
} pg;

static const char create_sql[] =
	"CREATE TABLE fwseal_meta (key text PRIMARY KEY, value text NOT NULL);"
	"INSERT INTO fwseal_meta VALUES ('application', 'fwseal production records'),"
	" ('schema', '2');"
	"CREATE TABLE attempts ("
	" id bigserial PRIMARY KEY,"
	" attempt_id text NOT NULL UNIQUE,"
	" started_ms bigint NOT NULL,"
	" ended_ms bigint,"
	" station text NOT NULL,"
	" operator text NOT NULL DEFAULT '',"
	" work_order text NOT NULL DEFAULT '',"
	" tool_version text NOT NULL DEFAULT '',"
	" device text NOT NULL,"
	" serial text NOT NULL DEFAULT '',"
	" model text NOT NULL DEFAULT '',"
	" hw_rev integer,"
	" from_version text NOT NULL DEFAULT '',"
	" to_version text NOT NULL,"
	" reported_version text NOT NULL DEFAULT '',"
	" package_sha256 text NOT NULL,"
	" image_sha256 text NOT NULL DEFAULT '',"
	" result text NOT NULL CHECK (result IN ('in-progress','ok','refused','failed',"
	"  'interrupted','skipped','unconfirmed')),"
	" error_code text NOT NULL DEFAULT '',"
	" error text NOT NULL DEFAULT '',"
	" duration_ms bigint,"
	" owner_machine text NOT NULL DEFAULT '',"
	" owner_boot text NOT NULL,"
	" owner_pid bigint NOT NULL,"
	" owner_start bigint NOT NULL);"
	"CREATE INDEX attempts_started ON attempts (started_ms, id);"
	"CREATE INDEX attempts_unit ON attempts (serial, package_sha256, started_ms);"
	"CREATE INDEX attempts_station ON attempts (station, started_ms);"
	"CREATE INDEX attempts_result ON attempts (result, started_ms);"
	"CREATE TABLE attempt_logs (attempt_id text PRIMARY KEY"
	" REFERENCES attempts (attempt_id) ON DELETE CASCADE, log text NOT NULL);";

#define PUT_COLUMNS                                                                         \
	"attempt_id, started_ms, ended_ms, station, operator, work_order, tool_version,"     \
	" device, serial, model, hw_rev, from_version, to_version, reported_version,"        \
	" package_sha256, image_sha256, result, error_code, error, duration_ms,"             \
	" owner_machine, owner_boot, owner_pid, owner_start"
#define PUT_VALUES                                                                          \
	"$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19," \
	" $20, $21, $22, $23, $24"
#define PUT_SET                                                                             \
	"started_ms = $2, ended_ms = $3, station = $4, operator = $5, work_order = $6,"      \
	" tool_version = $7, device = $8, serial = $9, model = $10, hw_rev = $11,"           \
	" from_version = $12, to_version = $13, reported_version = $14, package_sha256 = $15," \
	" image_sha256 = $16, result = $17, error_code = $18, error = $19, duration_ms = $20," \
	" owner_machine = $21, owner_boot = $22, owner_pid = $23, owner_start = $24"
#define SELECT_COLUMNS                                                                      \
	FWH_REC_COLUMNS ", EXISTS (SELECT 1 FROM attempt_logs l WHERE l.attempt_id = a.attempt_id)"

/* ---------------------------------------------------------------------- */
/* Sentences                                                               */

static void pg_errmsg(const PGconn *c, const PGresult *res, char *out, size_t cap)
{
	const char *m = res ? PQresultErrorMessage(res) : "";
	if (!m || !m[0])
		m = c ? PQerrorMessage(c) : "no connection";
	fwh_rec_copy(out, cap, m);
	/* one line: libpq's messages end in (and may hold) newlines and tabs;
	 * runs of them become one space */
	char *w = out;
	for (const char *r = out; *r; r++) {
		bool space = (unsigned char)*r < 0x20 || *r == ' ';
		if (space && (w == out || w[-1] == ' '))
			continue;
		*w++ = space ? ' ' : *r;
	}
	while (w > out && w[-1] == ' ')
		w--;
	*w = '\0';
}

static int fail_pg(pg *p, const PGresult *res, const char *what, char *msg)
{
	char detail[512];
	pg_errmsg(p->conn, res, detail, sizeof detail);
	return fwh_rec_unusable(msg, p->where,
	                        "the server refused it (%s) while trying to %s; check the server "
	                        "and this station's grants (docs/factory.md)",
	                        detail, what);
}

static void notice(pg *p, const char *fmt, ...) FWH_PRINTF(2, 3);
static void notice(pg *p, const char *fmt, ...)
{
	if (!p->opts.notice)
		return;
	char buf[FWH_REC_MSG_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	p->opts.notice(p->opts.notice_user, buf);
}

/* ---------------------------------------------------------------------- */
/* Connecting                                                              */

static PGconn *connect_to(const char *uri)
{
	/* the URI's own values win over these (expand_dbname, later keywords) */
	const char *const keys[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
	const char *const vals[] = {PG_CONNECT_TIMEOUT, "fwseal", uri, NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (c && PQstatus(c) == CONNECTION_OK) {
		PQclear(PQexec(c, "SET client_encoding = 'UTF8'"));
		PQclear(PQexec(c, "SET client_min_messages = warning"));
		return c;
	}
	return c; /* bad: the caller reads the message, then PQfinish()es it */
}

/* Whether the server could not be reached at all (as opposed to refusing us). */
static bool unreachable(const char *uri)
{
	const char *const keys[] = {"connect_timeout", "dbname", NULL};
	const char *const vals[] = {PG_CONNECT_TIMEOUT, uri, NULL};
	return PQpingParams(keys, vals, 1) == PQPING_NO_RESPONSE;
}

static int exec_ok(pg *p, const char *sql, const char *what, char *msg)
{
	PGresult *res = PQexec(p->conn, sql);
	ExecStatusType s = PQresultStatus(res);
	int e = 0;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		e = fail_pg(p, res, what, msg);
	PQclear(res);
	return e;
}

/* Whose database is this? *ours: the meta table says fwseal, *none: no
 * tables of ours or anyone's named attempts. */
static int identify(pg *p, bool *none, char *msg)
{
	*none = false;
	PGresult *res = PQexec(p->conn,
	                       "SELECT to_regclass('fwseal_meta') IS NOT NULL,"
	                       " to_regclass('attempts') IS NOT NULL");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		int e = fail_pg(p, res, "read the records database", msg);
		PQclear(res);
		return e;
	}
	bool meta = PQgetvalue(res, 0, 0)[0] == 't', attempts = PQgetvalue(res, 0, 1)[0] == 't';
	PQclear(res);
	if (!meta && !attempts) {
		*none = true;
		return 0;
	}
	if (!meta)
		return fwh_rec_unusable(msg, p->where,
		                        "the database is not a production records database (it has a "
		                        "table 'attempts' of another application); fwseal writes only "
		                        "to its own");
	res = PQexec(p->conn, "SELECT (SELECT value FROM fwseal_meta WHERE key = 'application'),"
	                      " (SELECT value FROM fwseal_meta WHERE key = 'schema')");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		int e = fail_pg(p, res, "read the records database", msg);
		PQclear(res);
		return e;
	}
	char app[128], schema[32];
	fwh_rec_copy(app, sizeof app, PQgetvalue(res, 0, 0));
	fwh_rec_copy(schema, sizeof schema, PQgetvalue(res, 0, 1));
	PQclear(res);
	if (strcmp(app, "fwseal production records") != 0)
		return fwh_rec_unusable(msg, p->where,
		                        "the database is not a production records database (its "
		                        "fwseal_meta names '%s')",
		                        app);
	if (atoi(schema) > FWH_REC_SCHEMA)
		return fwh_rec_unusable(msg, p->where,
		                        "it was set up by a newer fwseal (schema %s, this one knows up "
		                        "to %d): update fwseal on this station",
		                        schema, FWH_REC_SCHEMA);
	return 0;
}

/* Create the tables once; stations starting together queue on a session
 * lock taken before the transaction, so that the transaction's look at the
 * catalog comes after the other station's commit. */
static int bring_up(pg *p, char *msg)
{
	int e = exec_ok(p, "SELECT pg_advisory_lock(7306317601475244914)",
	                "lock the records database", msg);
	if (e)
		return e;
	e = exec_ok(p, "BEGIN", "start a transaction", msg);
	bool none = false;
	if (!e)
		e = identify(p, &none, msg);
	if (!e && none)
		e = exec_ok(p, create_sql, "create the records tables", msg);
	if (!e)
		e = exec_ok(p, "COMMIT", "commit", msg);
	if (e)
		PQclear(PQexec(p->conn, "ROLLBACK"));
	PQclear(PQexec(p->conn, "SELECT pg_advisory_unlock(7306317601475244914)"));
	return e;
}

/* ---------------------------------------------------------------------- */
/* Rows as parameters and back                                             */

struct row_params {
	char num[6][24];
	const char *v[24];
};

static const char *opt_num(char *buf, int64_t v)
{
	if (v < 0)
		return NULL;
	snprintf(buf, 24, "%" PRId64, v);
	return buf;
}

static void row_params(struct row_params *rp, const fwh_record *r, const fwh_rec_owner *o)
{
	rp->v[0] = r->attempt_id;
	snprintf(rp->num[0], 24, "%" PRId64, r->started_ms);
	rp->v[1] = rp->num[0];
	rp->v[2] = opt_num(rp->num[1], r->ended_ms);
	rp->v[3] = r->station;
	rp->v[4] = r->operator_name;
	rp->v[5] = r->work_order;
	rp->v[6] = r->tool_version;
	rp->v[7] = r->device;
	rp->v[8] = r->serial;
	rp->v[9] = r->model;
	rp->v[10] = opt_num(rp->num[2], r->hw_rev);
	rp->v[11] = r->from_version;
	rp->v[12] = r->to_version;
	rp->v[13] = r->reported_version;
	rp->v[14] = r->package_sha256;
	rp->v[15] = r->image_sha256;
	rp->v[16] = fwh_rec_result_name(r->result);
	rp->v[17] = r->error_code;
	rp->v[18] = r->error;
	rp->v[19] = opt_num(rp->num[3], r->duration_ms);
	rp->v[20] = o->machine;
	rp->v[21] = o->boot;
	snprintf(rp->num[4], 24, "%" PRId64, o->pid);
	rp->v[22] = rp->num[4];
	snprintf(rp->num[5], 24, "%" PRId64, o->start);
	rp->v[23] = rp->num[5];
}

static int64_t get_opt(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return -1;
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static void get_text(const PGresult *res, int row, int col, char *dst, size_t cap)
{
	fwh_rec_copy(dst, cap, PQgetvalue(res, row, col));
}

static void read_row(const PGresult *res, int i, fwh_record *r, fwh_rec_owner *o)
{
	memset(r, 0, sizeof *r);
	memset(o, 0, sizeof *o);
	r->id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	get_text(res, i, 1, r->attempt_id, sizeof r->attempt_id);
	r->started_ms = strtoll(PQgetvalue(res, i, 2), NULL, 10);
	r->ended_ms = get_opt(res, i, 3);
	get_text(res, i, 4, r->station, sizeof r->station);
	get_text(res, i, 5, r->operator_name, sizeof r->operator_name);
	get_text(res, i, 6, r->work_order, sizeof r->work_order);
	get_text(res, i, 7, r->tool_version, sizeof r->tool_version);
	get_text(res, i, 8, r->device, sizeof r->device);
	get_text(res, i, 9, r->serial, sizeof r->serial);
	get_text(res, i, 10, r->model, sizeof r->model);
	r->hw_rev = (int32_t)get_opt(res, i, 11);
	get_text(res, i, 12, r->from_version, sizeof r->from_version);
	get_text(res, i, 13, r->to_version, sizeof r->to_version);
	get_text(res, i, 14, r->reported_version, sizeof r->reported_version);
	get_text(res, i, 15, r->package_sha256, sizeof r->package_sha256);
	get_text(res, i, 16, r->image_sha256, sizeof r->image_sha256);
	if (!fwh_rec_result_parse(PQgetvalue(res, i, 17), &r->result))
		r->result = FWH_REC_FAILED; /* the CHECK constraint makes this unreachable */
	get_text(res, i, 18, r->error_code, sizeof r->error_code);
	get_text(res, i, 19, r->error, sizeof r->error);
	r->duration_ms = get_opt(res, i, 20);
	get_text(res, i, 21, o->machine, sizeof o->machine);
	get_text(res, i, 22, o->boot, sizeof o->boot);
	o->pid = strtoll(PQgetvalue(res, i, 23), NULL, 10);
	o->start = strtoll(PQgetvalue(res, i, 24), NULL, 10);
	r->has_log = PQgetvalue(res, i, 25)[0] == 't';
}

/* ---------------------------------------------------------------------- */
/* The spool                                                               */

/* $XDG_DATA_HOME/fwseal/spool-<16 hex of SHA-256(the URI without password)>.sqlite */
static int default_spool(pg *p, char *msg)
{
	char base[4096];
	if (fwh_records_default_path(base, sizeof base) != FWS_OK)
		return fwh_rec_fail(msg, "There is no place for the local spool of %s (neither "
		                         "XDG_DATA_HOME nor HOME is set). Give one with --spool PATH.",
		                    p->where);
	char *slash = strrchr(base, '/');
	*slash = '\0';
	uint8_t d[FWS_SHA256_LEN];
	if (fws_sha256((const uint8_t *)p->where, strlen(p->where), d) != FWS_OK)
		return fwh_rec_fail(msg, "Cannot name the local spool of %s: SHA-256 failed.", p->where);
	int n = snprintf(p->spool_path, sizeof p->spool_path,
	                 "%s/spool-%02x%02x%02x%02x%02x%02x%02x%02x.sqlite", base, d[0], d[1], d[2],
	                 d[3], d[4], d[5], d[6], d[7]);
	if (n < 0 || (size_t)n >= sizeof p->spool_path)
		return fwh_rec_fail(msg, "The path of the local spool is too long; give one with "
		                         "--spool PATH.");
	return 0;
}

static int open_spool(pg *p, bool create, char *msg)
{
	if (p->spool)
		return 0;
	if (!create) {
		struct stat st;
		if (stat(p->spool_path, &st) != 0)
			return 0; /* nothing was ever spooled */
	}
	fwh_records_opts so = {.read_only = false};
	fwh_rec_open_ctx ctx = p->ctx;
	ctx.opts = &so;
	char smsg[FWH_REC_MSG_MAX];
	int e = fwh_rsq_open(p->spool_path, &ctx, true, &p->spool, smsg);
	if (e)
		return fwh_rec_fail(msg, "The records server %s cannot be reached, and the local "
		                         "spool cannot be used either: %s",
		                    p->where, smsg);
	return 0;
}

/* The server went away: from now on this handle writes to the spool. */
static int go_spooling(pg *p, const char *why, char *msg)
{
	int e = open_spool(p, true, msg);
	if (e)
		return e;
	if (p->conn) {
		PQfinish(p->conn);
		p->conn = NULL;
	}
	p->spooling = true;
	notice(p,
	       "The records server %s cannot be reached (%s). This station records to its local "
	       "spool %s; the rows go to the server when it is back: at the next run, or with "
	       "'fwseal records sync --records URI'.",
	       p->where, why, p->spool_path);
	return 0;
}

/* After a failed statement: was it the connection? Then try once to
 * connect again. true: the caller may retry (connected again) or must
 * spool (p->conn NULL). */
static bool connection_lost(pg *p)
{
	if (!p->conn || PQstatus(p->conn) == CONNECTION_OK)
		return false;
	PQreset(p->conn);
	if (PQstatus(p->conn) == CONNECTION_OK) {
		PQclear(PQexec(p->conn, "SET client_encoding = 'UTF8'"));
		return true;
	}
	PQfinish(p->conn);
	p->conn = NULL;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */

static int put_server(pg *p, fwh_record *r, const fwh_rec_owner *o, const char *log,
                      enum fwh_rec_put how, char *msg)
{
	static const char *const what[] = {
		[FWH_PUT_INSERT] = "record the start of an attempt",
		[FWH_PUT_UPDATE] = "record the end of an attempt",
		[FWH_PUT_UPSERT] = "record an attempt",
	};
	const char *sql =
		how == FWH_PUT_INSERT   ? "INSERT INTO attempts (" PUT_COLUMNS ") VALUES (" PUT_VALUES
		                          ") RETURNING id"
		: how == FWH_PUT_UPDATE ? "UPDATE attempts SET " PUT_SET " WHERE attempt_id = $1"
		                          " RETURNING id"
		                        : "INSERT INTO attempts (" PUT_COLUMNS ") VALUES (" PUT_VALUES
		                          ") ON CONFLICT (attempt_id) DO UPDATE SET " PUT_SET
		                          " RETURNING id";
	struct row_params rp;
	row_params(&rp, r, o);
	int e = exec_ok(p, "BEGIN", what[how], msg);
	if (e)
		return e;
	PGresult *res = PQexecParams(p->conn, sql, 24, NULL, rp.v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		e = fail_pg(p, res, what[how], msg);
	else if (PQntuples(res) != 1)
		e = fwh_rec_unusable(msg, p->where, "it holds no attempt %s (while trying to %s)",
		                     r->attempt_id, what[how]);
	else if (how == FWH_PUT_INSERT || r->id <= 0)
		r->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (!e && log) {
		const char *lv[2] = {r->attempt_id, log};
		res = PQexecParams(p->conn,
		                   "INSERT INTO attempt_logs (attempt_id, log) VALUES ($1, $2)"
		                   " ON CONFLICT (attempt_id) DO UPDATE SET log = excluded.log",
		                   2, NULL, lv, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			e = fail_pg(p, res, what[how], msg);
		PQclear(res);
	}
	if (!e)
		e = exec_ok(p, "COMMIT", what[how], msg);
	if (e && p->conn && PQstatus(p->conn) == CONNECTION_OK)
		PQclear(PQexec(p->conn, "ROLLBACK"));
	return e;
}

static int pg_put(void *be, fwh_record *r, const fwh_rec_owner *o, const char *log,
                  enum fwh_rec_put how, char *msg)
{
	pg *p = be;
	if (p->read_only)
		return fwh_rec_fail(msg, "The records %s were opened for reading only.", p->where);
	if (!p->spooling) {
		int e = put_server(p, r, o, log, how, msg);
		if (!e || !connection_lost(p))
			return e; /* written, or the server refused it: fail closed */
		/* the connection broke: whether the server committed is unknown, so
		 * the row is written again whole, by its attempt id */
		if (p->conn) {
			if (!(e = put_server(p, r, o, log, FWH_PUT_UPSERT, msg)))
				return 0;
			if (!connection_lost(p) || p->conn)
				return e;
		}
		if ((e = go_spooling(p, "the connection was lost", msg)) != 0)
			return e;
	}
	/* in the spool the whole row is written, also for an update: the row
	 * may have begun on the server */
	return fwh_rsq_ops.put(p->spool, r, o, log, how == FWH_PUT_INSERT ? how : FWH_PUT_UPSERT,
	                       msg);
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                 */

static int need_server(pg *p, const char *what, char *msg)
{
	if (p->conn)
		return 0;
	return fwh_rec_unusable(msg, p->where,
	                        "the server cannot be reached (this station records to its spool "
	                        "%s) while trying to %s",
	                        p->spool_path, what);
}

static int pg_query(void *be, const fwh_rec_filter *f, fwh_rec_row_fn fn, void *user, char *msg)
{
	pg *p = be;
	int e = need_server(p, "read the records", msg);
	if (e || !p->have_tables)
		return e;
	char where[512] = " WHERE true", sql[2048], nums[4][24];
	const char *v[6];
	int n = 0;
	size_t w = strlen(where);
#define COND(...) (w += (size_t)snprintf(where + w, sizeof where - w, __VA_ARGS__))
	if (f->serial) {
		v[n++] = f->serial;
		COND(" AND serial = $%d", n);
	}
	if (f->station) {
		v[n++] = f->station;
		COND(" AND station = $%d", n);
	}
	if (f->result == -2) {
		COND(" AND result IN ('in-progress', 'interrupted')");
	} else if (f->result >= 0) {
		v[n++] = fwh_rec_result_name((enum fwh_rec_result)f->result);
		COND(" AND result = $%d", n);
	}
	if (f->since_ms != INT64_MIN) {
		snprintf(nums[0], sizeof nums[0], "%" PRId64, f->since_ms);
		v[n++] = nums[0];
		COND(" AND started_ms >= $%d", n);
	}
	if (f->until_ms != INT64_MAX) {
		snprintf(nums[1], sizeof nums[1], "%" PRId64, f->until_ms);
		v[n++] = nums[1];
		COND(" AND started_ms < $%d", n);
	}
#undef COND
	if (f->limit) {
		snprintf(nums[2], sizeof nums[2], "%" PRIu64, f->limit > INT64_MAX ? INT64_MAX : f->limit);
		v[n++] = nums[2];
		snprintf(sql, sizeof sql,
		         "SELECT * FROM (SELECT " SELECT_COLUMNS " FROM attempts a%s"
		         " ORDER BY started_ms DESC, id DESC LIMIT $%d) t ORDER BY 3, 1",
		         where, n);
	} else {
		snprintf(sql, sizeof sql,
		         "SELECT " SELECT_COLUMNS " FROM attempts a%s ORDER BY started_ms, id", where);
	}
	/* row by row: a million rows are never held in memory at once */
	if (!PQsendQueryParams(p->conn, sql, n, NULL, v, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(p->conn))
		return fail_pg(p, NULL, "read the records", msg);
	bool stop = false;
	PGresult *res;
	while ((res = PQgetResult(p->conn)) != NULL) {
		ExecStatusType s = PQresultStatus(res);
		if (s == PGRES_SINGLE_TUPLE && !stop && !e) {
			fwh_record r;
			fwh_rec_owner o;
			read_row(res, 0, &r, &o);
			if (fn(user, &r, &o))
				stop = true; /* the rest is read and dropped */
		} else if (s != PGRES_TUPLES_OK && s != PGRES_SINGLE_TUPLE && !e) {
			e = fail_pg(p, res, "read the records", msg);
		}
		PQclear(res);
	}
	return e;
}

static int pg_last(void *be, const char *serial, const char *digest, fwh_record *out,
                   bool *found, char *msg)
{
	pg *p = be;
	*found = false;
	int e = need_server(p, "look up the unit's last attempt", msg);
	if (e || !p->have_tables)
		return e;
	const char *v[2] = {serial, digest};
	PGresult *res = PQexecParams(p->conn,
	                             "SELECT " SELECT_COLUMNS " FROM attempts a WHERE serial = $1"
	                             " AND package_sha256 = $2 AND result <> 'skipped'"
	                             " ORDER BY started_ms DESC, id DESC LIMIT 1",
	                             2, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		e = fail_pg(p, res, "look up the unit's last attempt", msg);
	} else if (PQntuples(res) == 1) {
		fwh_rec_owner o;
		read_row(res, 0, out, &o);
		*found = true;
	}
	PQclear(res);
	return e;
}

static int pg_log(void *be, int64_t id_num, const char *attempt_id, fwh_record *row,
                  char **text, bool *found, char *msg)
{
	pg *p = be;
	*found = false;
	*text = NULL;
	int e = need_server(p, "read the attempt", msg);
	if (e || !p->have_tables)
		return e;
	char num[24];
	snprintf(num, sizeof num, "%" PRId64, id_num);
	const char *v[1] = {id_num >= 0 ? num : attempt_id};
	PGresult *res = PQexecParams(p->conn,
	                             id_num >= 0
	                                     ? "SELECT " SELECT_COLUMNS ", (SELECT log FROM"
	                                       " attempt_logs l WHERE l.attempt_id = a.attempt_id)"
	                                       " FROM attempts a WHERE id = $1"
	                                     : "SELECT " SELECT_COLUMNS ", (SELECT log FROM"
	                                       " attempt_logs l WHERE l.attempt_id = a.attempt_id)"
	                                       " FROM attempts a WHERE attempt_id = $1",
	                             1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		e = fail_pg(p, res, "read the attempt", msg);
	} else if (PQntuples(res) == 1) {
		fwh_rec_owner o;
		read_row(res, 0, row, &o);
		*found = true;
		if (!(*text = strdup(PQgetvalue(res, 0, 26))))
			e = fwh_rec_fail(msg, "Out of memory reading the session log.");
	}
	PQclear(res);
	return e;
}

/* ---------------------------------------------------------------------- */
/* Reaping and sync                                                        */

static int pg_reap(void *be, const fwh_rec_owner *me, fwh_rec_alive_fn alive, void *user,
                   char *msg)
{
	pg *p = be;
	if (!p->conn || p->read_only)
		return 0;
	const char *v[1] = {me->machine};
	PGresult *res = PQexecParams(p->conn,
	                             "SELECT attempt_id, owner_boot, owner_pid, owner_start FROM"
	                             " attempts WHERE result = 'in-progress' AND owner_machine = $1",
	                             1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		int e = fail_pg(p, res, "look for interrupted attempts", msg);
		PQclear(res);
		return e;
	}
	int e = 0;
	for (int i = 0; i < PQntuples(res) && !e; i++) {
		fwh_rec_owner o;
		memset(&o, 0, sizeof o);
		fwh_rec_copy(o.machine, sizeof o.machine, me->machine);
		get_text(res, i, 1, o.boot, sizeof o.boot);
		o.pid = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		o.start = strtoll(PQgetvalue(res, i, 3), NULL, 10);
		if (alive(user, &o))
			continue;
		const char *u[1] = {PQgetvalue(res, i, 0)};
		PGresult *r2 = PQexecParams(
			p->conn,
			"UPDATE attempts SET result = 'interrupted', error_code = 'interrupted',"
			" error = 'The fwseal process stopped before this attempt ended (crash, kill or"
			" power loss, or its records could not be written); flash the unit again to"
			" resume.' WHERE attempt_id = $1 AND result = 'in-progress'",
			1, NULL, u, NULL, NULL, 0);
		if (PQresultStatus(r2) != PGRES_COMMAND_OK)
			e = fail_pg(p, r2, "mark an interrupted attempt", msg);
		PQclear(r2);
	}
	PQclear(res);
	return e;
}

struct sync_ctx {
	pg *p;
	size_t sent;
	char *msg;
};

static int sync_one(void *user, fwh_record *r, const fwh_rec_owner *o, const char *log)
{
	struct sync_ctx *s = user;
	int e = put_server(s->p, r, o, log, FWH_PUT_UPSERT, s->msg);
	if (!e)
		e = fwh_rsq_mark_sent(s->p->spool, r->attempt_id, s->msg);
	if (!e)
		s->sent++;
	return e;
}

static int pg_sync(void *be, size_t *sent, size_t *left, char *msg)
{
	pg *p = be;
	*sent = 0;
	*left = 0;
	if (!p->conn)
		return fwh_rec_fail(msg, "Cannot send the spooled rows: the records server %s cannot "
		                         "be reached. They stay in %s; try again later.",
		                    p->where, p->spool_path);
	int e = open_spool(p, false, msg);
	if (e || !p->spool)
		return e;
	struct sync_ctx s = {.p = p, .msg = msg};
	e = fwh_rsq_pending(p->spool, sync_one, &s, left, msg);
	*sent = s.sent;
	return e;
}

static const char *pg_spooling(void *be)
{
	pg *p = be;
	return p->spooling ? p->spool_path : "";
}

static void pg_close(void *be)
{
	pg *p = be;
	if (!p)
		return;
	if (p->conn)
		PQfinish(p->conn);
	if (p->spool)
		fwh_rsq_ops.close(p->spool);
	free(p);
}

static const fwh_rec_ops pg_ops = {
	.put = pg_put,
	.query = pg_query,
	.last = pg_last,
	.log = pg_log,
	.reap = pg_reap,
	.sync = pg_sync,
	.spooling = pg_spooling,
	.close = pg_close,
};

int fwh_rec_pg_open(const char *uri, const fwh_rec_open_ctx *ctx, fwh_rec_backend *out,
                    char *msg)
{
	pg *p = calloc(1, sizeof *p);
	if (!p)
		return fwh_rec_fail(msg, "Out of memory opening the records.");
	if (strlen(uri) >= sizeof p->uri) {
		free(p);
		return fwh_rec_fail(msg, "The --records URI is too long.");
	}
	fwh_rec_copy(p->uri, sizeof p->uri, uri);
	fwh_records_redact(uri, p->where, sizeof p->where);
	p->opts = *ctx->opts;
	p->opts.spool = NULL;
	p->ctx = *ctx;
	p->ctx.opts = &p->opts;
	p->read_only = ctx->opts->read_only;
	int e = 0;
	if (ctx->opts->spool)
		fwh_rec_copy(p->spool_path, sizeof p->spool_path, ctx->opts->spool);
	else if (!p->read_only)
		e = default_spool(p, msg);

	PGconn *c = e ? NULL : connect_to(uri);
	if (!e && (!c || PQstatus(c) != CONNECTION_OK)) {
		char why[512];
		pg_errmsg(c, NULL, why, sizeof why);
		PQfinish(c);
		c = NULL;
		if (p->read_only || !unreachable(uri))
			e = fwh_rec_unusable(msg, p->where,
			                     "the server refused the connection or cannot be found (%s); "
			                     "check the URI, the server and this station's role "
			                     "(docs/factory.md)",
			                     why);
		else
			e = go_spooling(p, why, msg);
	}
	p->conn = c;
	if (!e && p->conn && p->read_only)
		e = exec_ok(p, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
		            "open the records for reading", msg);
	if (!e && p->conn) {
		bool none = false;
		e = identify(p, &none, msg);
		p->have_tables = !none;
		if (!e && !p->read_only && none) {
			e = bring_up(p, msg);
			p->have_tables = true;
		}
	}
	/* the rows this station spooled while the server was away, first:
	 * then its own dead in-progress rows (a spooled end wins over them) */
	if (!e && p->conn && !p->read_only && !ctx->opts->no_sync) {
		size_t sent, left;
		e = pg_sync(p, &sent, &left, msg);
		if (!e && sent)
			notice(p, "Sent %zu spooled attempt(s) from %s to the records server %s.", sent,
			       p->spool_path, p->where);
	}
	if (!e && p->conn && !p->read_only)
		e = pg_reap(p, ctx->me, ctx->alive, ctx->alive_user, msg);
	if (e) {
		pg_close(p);
		return e;
	}
	out->ops = &pg_ops;
	out->be = p;
	return 0;
}

#else /* !FWSEAL_HAVE_LIBPQ */

int fwh_rec_pg_open(const char *uri, const fwh_rec_open_ctx *ctx, fwh_rec_backend *out,
                    char *msg)
{
	(void)uri;
	(void)ctx;
	(void)out;
	return fwh_rec_fail(msg, "This fwseal was built without PostgreSQL support (libpq); "
	                         "give a records file with --records PATH.");
}

#endif
