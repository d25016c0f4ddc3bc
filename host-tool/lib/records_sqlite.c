/* SPDX-License-Identifier: Apache-2.0 */
/*
 * records_sqlite.c - the SQLite backend of the production records
 * (records_backend.h): one station's file, and the local spool of a
 * PostgreSQL handle.
 *
 * - Ours only: PRAGMA application_id FWH_REC_APP_ID and user_version
 *   FWH_REC_SCHEMA. A file with other tables, another application id or a
 *   newer schema is refused before anything is written to it; a schema-1
 *   file of ours (no application id yet) is migrated in one transaction.
 * - Writers: WAL (readers never block the writer; a crash of any process
 *   leaves the file consistent), synchronous=FULL (a committed row survives
 *   a power cut), every write one BEGIN IMMEDIATE transaction with a busy
 *   timeout. A file SQLite can only open read-only is refused at open: a
 *   station that cannot record does not flash.
 * - Readers open read-only (query_only) and never write; on read-only media
 *   the file is read as immutable.
 * - Every query the tool makes has an index (docs/factory.md lists them;
 *   tests/factory/test_records.c checks the plans).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal-host/log.h"
#include "records_backend.h"

struct fwh_rsq {
	sqlite3 *db;
	bool read_only;
	bool have_tables;  /* a reader of an empty new file has none */
	int schema;        /* of the file: 1 or FWH_REC_SCHEMA */
	int busy_ms;
	char path[FWH_PATH_MAX * 2];
	sqlite3_stmt *ins, *upd, *ups, *logput;
};

/* The layout of schema 2 (docs/factory.md, "Columns"). The CHECK constraint
 * repeats the result names so that no other program can put a value into
 * "result" that scripts do not know. */
#define TABLE_SQL(name)                                                                    \
	"CREATE TABLE " name " ("                                                               \
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"                                                \
	" attempt_id TEXT NOT NULL UNIQUE,"                                                     \
	" started_ms INTEGER NOT NULL,"                                                         \
	" ended_ms INTEGER,"                                                                    \
	" station TEXT NOT NULL,"                                                               \
	" operator TEXT NOT NULL DEFAULT '',"                                                   \
	" work_order TEXT NOT NULL DEFAULT '',"                                                 \
	" tool_version TEXT NOT NULL DEFAULT '',"                                               \
	" device TEXT NOT NULL,"                                                                \
	" serial TEXT NOT NULL DEFAULT '',"                                                     \
	" model TEXT NOT NULL DEFAULT '',"                                                      \
	" hw_rev INTEGER,"                                                                      \
	" from_version TEXT NOT NULL DEFAULT '',"                                               \
	" to_version TEXT NOT NULL,"                                                            \
	" reported_version TEXT NOT NULL DEFAULT '',"                                           \
	" package_sha256 TEXT NOT NULL,"                                                        \
	" image_sha256 TEXT NOT NULL DEFAULT '',"                                               \
	" result TEXT NOT NULL CHECK (result IN ('in-progress','ok','refused','failed',"        \
	"  'interrupted','skipped','unconfirmed')),"                                            \
	" error_code TEXT NOT NULL DEFAULT '',"                                                 \
	" error TEXT NOT NULL DEFAULT '',"                                                      \
	" duration_ms INTEGER,"                                                                 \
	" owner_machine TEXT NOT NULL DEFAULT '',"                                              \
	" owner_boot TEXT NOT NULL,"                                                            \
	" owner_pid INTEGER NOT NULL,"                                                          \
	" owner_start INTEGER NOT NULL);"

/* An index for every query (fwh_rsq_sql(); test_records checks the plans):
 *   started  --since/--until, the plain listing and --limit (newest N)
 *   unit     --serial, and the last attempt of a unit with a package
 *   station  --station
 *   result   --result, and the in-progress rows every writer's open looks
 *            at (a few, whatever the size of the table)
 *   attempt_id (UNIQUE) one attempt, its log, sync */
static const char index_sql[] =
	"CREATE INDEX attempts_started ON attempts(started_ms);"
	"CREATE INDEX attempts_unit ON attempts(serial, package_sha256, started_ms);"
	"CREATE INDEX attempts_station ON attempts(station, started_ms);"
	"CREATE INDEX attempts_result ON attempts(result, started_ms);"
	"CREATE TABLE attempt_logs (attempt_id TEXT PRIMARY KEY, log TEXT NOT NULL)"
	" WITHOUT ROWID;"
	/* spool only: rows that reached the server */
	"CREATE TABLE synced (attempt_id TEXT PRIMARY KEY, synced_ms INTEGER NOT NULL)"
	" WITHOUT ROWID;";

#define STR_(x) #x
#define STR(x)  STR_(x)
static const char marks_sql[] = "PRAGMA application_id = " STR(FWH_REC_APP_ID) ";"
                                "PRAGMA user_version = " STR(FWH_REC_SCHEMA) ";";

/* A random UUID in SQL, for the rows of a schema-1 file. */
#define SQL_UUID                                                                            \
	"lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||"             \
	" substr(lower(hex(randomblob(2))), 2) || '-' ||"                                       \
	" substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) ||" \
	" '-' || lower(hex(randomblob(6)))"

/* The columns of FWH_REC_COLUMNS as a schema-1 file holds them. */
#define V1_COLUMNS                                                                          \
	"id, '', started_ms,"                                                                   \
	" CASE WHEN duration_ms IS NOT NULL AND result <> 'in-progress'"                       \
	" THEN started_ms + duration_ms END, station, '', '', '', device, serial, model,"     \
	" hw_rev, from_version, to_version, '', package_sha256, '', result, error_code, error," \
	" duration_ms, '', owner_boot, owner_pid, owner_start"

static const char migrate_v1_sql[] =
	TABLE_SQL("attempts_v2")
	"INSERT INTO attempts_v2 (" FWH_REC_COLUMNS ") SELECT id, " SQL_UUID ", started_ms,"
	" CASE WHEN duration_ms IS NOT NULL AND result <> 'in-progress'"
	" THEN started_ms + duration_ms END, station, '', '', '', device, serial, model, hw_rev,"
	" from_version, to_version, '', package_sha256, '', result, error_code, error,"
	" duration_ms, '', owner_boot, owner_pid, owner_start FROM attempts;"
	"DROP TABLE attempts;"
	"ALTER TABLE attempts_v2 RENAME TO attempts;";

/* ---------------------------------------------------------------------- */
/* Sentences                                                               */

/* What is wrong with the file, from SQLite's answer; SQLite's own words go
 * to the diagnostic log (-vv). */
static int fail_sql(fwh_rsq *q, int rc, const char *what, char *msg)
{
	const char *cond;
	switch (rc & 0xff) {
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH: cond = "it or its folder is read-only for this user"; break;
	case SQLITE_NOTADB: cond = "the file is not a production records database"; break;
	case SQLITE_CORRUPT: cond = "the file is damaged (keep it for inspection)"; break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: cond = "another program keeps it locked for longer than fwseal waits"; break;
	case SQLITE_FULL: cond = "the disk is full"; break;
	case SQLITE_CANTOPEN: cond = "it cannot be opened"; break;
	case SQLITE_NOMEM: cond = "there is not enough memory"; break;
	default: cond = "a read or write failed"; break;
	}
	fwh_log(FWH_LOG_DEBUG, "records", "%s: %s: %s", q->path, what,
	        q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
	return fwh_rec_unusable(msg, q->path, "%s (while trying to %s)", cond, what);
}

static int exec(fwh_rsq *q, const char *sql, const char *what, char *msg)
{
	int rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : fail_sql(q, rc, what, msg);
}

static void rollback(fwh_rsq *q)
{
	if (!sqlite3_get_autocommit(q->db))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---------------------------------------------------------------------- */
/* Opening                                                                 */

/* mkdir -p of the folder that holds path. */
static int make_parent_dirs(const char *path)
{
	char tmp[4096];
	size_t n = strlen(path);
	if (n >= sizeof tmp)
		return ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	char *slash = strrchr(tmp, '/');
	if (!slash || slash == tmp)
		return 0;
	*slash = '\0';
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
		return errno;
	return 0;
}

static int pragma_int(fwh_rsq *q, const char *sql, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

enum identity { ID_NEW, ID_OURS, ID_OURS_V1, ID_NEWER, ID_FOREIGN };

static int identify_in(fwh_rsq *q, enum identity *id, char *others, size_t cap, int *version,
                       char *msg);

/* Whose file is this? Reads the header and the list of tables only, in one
 * read transaction: read one by one, another process that creates the
 * database at that moment (tables and marks in one transaction) could be
 * seen half, tables without marks, and taken for another application's
 * (test_records test_processes_share). */
static int identify(fwh_rsq *q, enum identity *id, char *others, size_t cap, int *version,
                    char *msg)
{
	/* (a caller inside its own transaction already reads one snapshot) */
	bool own = sqlite3_get_autocommit(q->db) != 0;
	if (own) {
		int rc = sqlite3_exec(q->db, "BEGIN", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return fail_sql(q, rc, "read the records file", msg);
	}
	int e = identify_in(q, id, others, cap, version, msg);
	if (own)
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL); /* it only read */
	return e;
}

static int identify_in(fwh_rsq *q, enum identity *id, char *others, size_t cap, int *version,
                       char *msg)
{
	int app = 0, rc;
	*version = 0;
	others[0] = '\0';
	if ((rc = pragma_int(q, "PRAGMA application_id", &app)) != SQLITE_OK ||
	    (rc = pragma_int(q, "PRAGMA user_version", version)) != SQLITE_OK)
		return fail_sql(q, rc, "read the records file", msg);
	sqlite3_stmt *st = NULL;
	rc = sqlite3_prepare_v2(q->db,
	                        "SELECT name FROM sqlite_master WHERE type = 'table'"
	                        " AND name NOT LIKE 'sqlite_%' ORDER BY name",
	                        -1, &st, NULL);
	int tables = 0;
	bool attempts = false;
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			break;
		const char *name = (const char *)sqlite3_column_text(st, 0);
		tables++;
		if (!strcmp(name, "attempts"))
			attempts = true;
		size_t l = strlen(others);
		if (l + 40 < cap)
			snprintf(others + l, cap - l, "%s%s", l ? ", " : "", name);
	}
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return fail_sql(q, rc, "read the records file", msg);
	if (app == FWH_REC_APP_ID)
		*id = *version > FWH_REC_SCHEMA ? ID_NEWER : ID_OURS;
	else if (app != 0)
		*id = ID_FOREIGN;
	else if (tables == 0 && *version == 0)
		*id = ID_NEW;
	else if (*version == 1 && attempts && tables == 1)
		*id = ID_OURS_V1; /* fwseal before application_id */
	else
		*id = ID_FOREIGN;
	return 0;
}

static int refuse_identity(fwh_rsq *q, enum identity id, const char *tables, int version,
                           char *msg)
{
	if (id == ID_NEWER)
		return fwh_rec_unusable(msg, q->path,
		                        "it was written by a newer fwseal (schema %d, this one knows "
		                        "up to %d): update fwseal",
		                        version, FWH_REC_SCHEMA);
	if (id == ID_NEW)
		return fwh_rec_unusable(msg, q->path,
		                        "the file is not a production records database (it is empty)");
	return fwh_rec_unusable(msg, q->path,
	                        "the file is not a production records database (it holds %s); "
	                        "fwseal writes only to its own",
	                        tables[0] ? tables : "data of another application");
}

#define WAL_RETRY_MS 10

/* PRAGMA journal_mode=WAL. Switching needs the database to itself, and
 * SQLite answers SQLITE_BUSY at once, without the busy handler, while
 * another connection holds it (several fwseal processes creating one new
 * database together). So BUSY is retried here, as long as the busy timeout. */
static int switch_to_wal(fwh_rsq *q, bool *wal)
{
	for (int waited = 0;; waited += WAL_RETRY_MS) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(q->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const char *mode = (const char *)sqlite3_column_text(st, 0);
			*wal = mode && !strcmp(mode, "wal");
		}
		sqlite3_finalize(st);
		if ((rc & 0xff) != SQLITE_BUSY || waited >= q->busy_ms)
			return rc;
		sqlite3_sleep(WAL_RETRY_MS);
	}
}

/* Create the tables, or migrate schema 1: one IMMEDIATE transaction, after
 * looking again (another process may have done it meanwhile). */
static int bring_up(fwh_rsq *q, char *msg)
{
	int e = exec(q, "BEGIN IMMEDIATE", "start a transaction", msg);
	if (e)
		return e;
	enum identity id;
	char tables[256];
	int version;
	e = identify(q, &id, tables, sizeof tables, &version, msg);
	if (!e && (id == ID_NEWER || id == ID_FOREIGN))
		e = refuse_identity(q, id, tables, version, msg);
	if (!e && id == ID_NEW)
		e = exec(q, TABLE_SQL("attempts"), "create the records tables", msg);
	if (!e && id == ID_OURS_V1)
		e = exec(q, migrate_v1_sql, "migrate the records to schema 2", msg);
	if (!e && (id == ID_NEW || id == ID_OURS_V1))
		e = exec(q, index_sql, "create the records indexes", msg);
	if (!e && (id == ID_NEW || id == ID_OURS_V1))
		e = exec(q, marks_sql, "mark the records file", msg);
	if (!e)
		e = exec(q, "COMMIT", "commit", msg);
	if (e)
		rollback(q);
	return e;
}

/* In-progress rows of this machine whose process is gone become interrupted.
 * Reads through the partial index; takes the write lock only when there is
 * something to change. */
static int reap(void *be, const fwh_rec_owner *me, fwh_rec_alive_fn alive, void *user,
                char *msg)
{
	fwh_rsq *q = be;
	sqlite3_stmt *sel = NULL, *upd = NULL;
	char (*dead)[FWH_REC_ID_LEN + 1] = NULL;
	size_t n_dead = 0, cap = 0;
	int e = 0, rc;
	char sql[512];
	fwh_rsq_sql(FWH_RSQ_SQL_REAP, NULL, q->schema, sql, sizeof sql);
	rc = sqlite3_prepare_v2(q->db, sql, -1, &sel, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_text(sel, 1, me->machine, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		if ((rc = sqlite3_step(sel)) != SQLITE_ROW)
			break;
		fwh_rec_owner o;
		fwh_rec_copy(o.machine, sizeof o.machine, (const char *)sqlite3_column_text(sel, 1));
		fwh_rec_copy(o.boot, sizeof o.boot, (const char *)sqlite3_column_text(sel, 2));
		o.pid = sqlite3_column_int64(sel, 3);
		o.start = sqlite3_column_int64(sel, 4);
		if (alive(user, &o))
			continue;
		if (n_dead == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			void *nd = realloc(dead, ncap * sizeof *dead);
			if (!nd) {
				e = fwh_rec_fail(msg, "Out of memory reading the records.");
				goto out;
			}
			dead = nd;
			cap = ncap;
		}
		fwh_rec_copy(dead[n_dead++], FWH_REC_ID_LEN + 1,
		             (const char *)sqlite3_column_text(sel, 0));
	}
	if (rc != SQLITE_DONE) {
		e = fail_sql(q, rc, "look for interrupted attempts", msg);
		goto out;
	}
	if (!n_dead)
		goto out;
	if ((e = exec(q, "BEGIN IMMEDIATE", "start a transaction", msg)) != 0)
		goto out;
	rc = sqlite3_prepare_v2(q->db,
	                        "UPDATE attempts SET result = 'interrupted', error_code = 'interrupted',"
	                        " error = 'The fwseal process stopped before this attempt ended"
	                        " (crash, kill or power loss, or its records could not be"
	                        " written); flash the unit again to resume.'"
	                        " WHERE attempt_id = ?1 AND result = 'in-progress'",
	                        -1, &upd, NULL);
	for (size_t i = 0; rc == SQLITE_OK && i < n_dead; i++) {
		sqlite3_bind_text(upd, 1, dead[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(upd);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
		sqlite3_reset(upd);
	}
	if (rc != SQLITE_OK)
		e = fail_sql(q, rc, "mark an interrupted attempt", msg);
	else
		e = exec(q, "COMMIT", "commit", msg);
	if (e)
		rollback(q);
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	free(dead);
	return e;
}

/* path as a file: URI with immutable=1 (read-only media: no -shm can be
 * made, and nobody can change the file). */
static void immutable_uri(const char *path, char *out, size_t cap)
{
	size_t o = 0;
	o += (size_t)snprintf(out, cap, "file:");
	for (const char *p = path; *p && o + 4 < cap; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			o += (size_t)snprintf(out + o, cap - o, "%%%02X", (unsigned char)*p);
		else
			out[o++] = *p;
	}
	out[o] = '\0';
	snprintf(out + o, cap - o, "?immutable=1");
}

/* Whether a reader may only read the file as immutable: its folder cannot
 * be written (read-only media), and no write-ahead log waits beside it. */
static bool read_only_media(const char *path)
{
	char dir[4096];
	fwh_rec_copy(dir, sizeof dir, path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	if (access(dir, W_OK) == 0)
		return false;
	char wal[4096 + 8];
	snprintf(wal, sizeof wal, "%s-wal", path);
	struct stat st;
	return stat(wal, &st) != 0 || st.st_size == 0;
}

static int open_reader(fwh_rsq *q, char *msg)
{
	struct stat st;
	if (stat(q->path, &st) != 0)
		return fwh_rec_unusable(msg, q->path, "there is no such file (%s)", strerror(errno));
	int rc = sqlite3_open_v2(q->path, &q->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX,
	                         NULL);
	enum identity id = ID_NEW;
	char tables[256];
	int version = 0, e = 0;
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(q->db, q->busy_ms);
		sqlite3_exec(q->db, "PRAGMA query_only=1", NULL, NULL, NULL);
		e = identify(q, &id, tables, sizeof tables, &version, msg);
	}
	if ((rc != SQLITE_OK || e) && read_only_media(q->path)) {
		/* a WAL file on read-only media: no -shm can be made beside it */
		sqlite3_close(q->db);
		q->db = NULL;
		char uri[8192];
		immutable_uri(q->path, uri, sizeof uri);
		rc = sqlite3_open_v2(uri, &q->db,
		                     SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX,
		                     NULL);
		if (rc == SQLITE_OK) {
			sqlite3_exec(q->db, "PRAGMA query_only=1", NULL, NULL, NULL);
			e = identify(q, &id, tables, sizeof tables, &version, msg);
		}
	}
	if (rc != SQLITE_OK)
		return fail_sql(q, rc, "open the records", msg);
	if (e)
		return e;
	/* every file fwseal made holds its tables: an empty one is not ours */
	if (id == ID_NEWER || id == ID_FOREIGN || id == ID_NEW)
		return refuse_identity(q, id, tables, version, msg);
	q->have_tables = true;
	q->schema = id == ID_OURS_V1 ? 1 : FWH_REC_SCHEMA;
	return 0;
}

static int open_writer(fwh_rsq *q, bool create, char *msg)
{
	if (create) {
		int dir_err = make_parent_dirs(q->path);
		if (dir_err)
			return fwh_rec_unusable(msg, q->path, "its folder cannot be created (%s)",
			                        strerror(dir_err));
	}
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	int rc = sqlite3_open_v2(q->path, &q->db, flags, NULL);
	if (rc != SQLITE_OK)
		return fail_sql(q, rc, "open the records", msg);
	/* SQLite opens a file it may not write read-only, without a word:
	 * a station that cannot record must not flash */
	if (sqlite3_db_readonly(q->db, "main") == 1)
		return fwh_rec_unusable(msg, q->path,
		                        "it is read-only for this user (write permission, an immutable "
		                        "flag or read-only media), and fwseal flashes nothing it cannot "
		                        "record");
	sqlite3_busy_timeout(q->db, q->busy_ms);
	sqlite3_exec(q->db, "PRAGMA cell_size_check=ON", NULL, NULL, NULL);

	enum identity id;
	char tables[256];
	int version, e;
	/* whose it is, before anything is written to it */
	if ((e = identify(q, &id, tables, sizeof tables, &version, msg)) != 0)
		return e;
	if (id == ID_NEWER || id == ID_FOREIGN)
		return refuse_identity(q, id, tables, version, msg);

	/* journal_mode answers with a row; WAL lets readers and one writer of
	 * several processes work at once and survives a crash of any of them */
	bool wal = false;
	rc = switch_to_wal(q, &wal);
	if (rc != SQLITE_ROW)
		return fail_sql(q, rc, "switch to write-ahead logging", msg);
	if (!wal)
		return fwh_rec_unusable(msg, q->path,
		                        "it is on a file system where processes cannot share it (a "
		                        "network file system?): put it on a local disk");
	/* FULL: a power cut of the station PC keeps every committed row */
	if ((e = exec(q, "PRAGMA synchronous=FULL", "set synchronous writes", msg)) != 0)
		return e;
	if (id != ID_OURS && (e = bring_up(q, msg)) != 0)
		return e;
	q->have_tables = true;
	q->schema = FWH_REC_SCHEMA;
	return 0;
}

static void rsq_close(void *be)
{
	fwh_rsq *q = be;
	if (!q)
		return;
	sqlite3_finalize(q->ins);
	sqlite3_finalize(q->upd);
	sqlite3_finalize(q->ups);
	sqlite3_finalize(q->logput);
	sqlite3_close(q->db);
	free(q);
}

int fwh_rsq_open(const char *path, const fwh_rec_open_ctx *ctx, bool create, fwh_rsq **out,
                 char *msg)
{
	*out = NULL;
	fwh_rsq *q = calloc(1, sizeof *q);
	if (!q)
		return fwh_rec_fail(msg, "Out of memory opening the records.");
	fwh_rec_copy(q->path, sizeof q->path, path);
	q->busy_ms = ctx->busy_ms;
	q->read_only = ctx->opts->read_only;
	int e = q->read_only ? open_reader(q, msg) : open_writer(q, create, msg);
	if (!e && !q->read_only)
		e = reap(q, ctx->me, ctx->alive, ctx->alive_user, msg);
	if (e) {
		rsq_close(q);
		return e;
	}
	*out = q;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */

/* The columns after id, as ?1..?24. */
#define PUT_COLUMNS                                                                         \
	"attempt_id, started_ms, ended_ms, station, operator, work_order, tool_version,"     \
	" device, serial, model, hw_rev, from_version, to_version, reported_version,"        \
	" package_sha256, image_sha256, result, error_code, error, duration_ms,"             \
	" owner_machine, owner_boot, owner_pid, owner_start"
#define PUT_VALUES                                                                          \
	"?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19," \
	" ?20, ?21, ?22, ?23, ?24"
#define PUT_SET                                                                             \
	"started_ms = ?2, ended_ms = ?3, station = ?4, operator = ?5, work_order = ?6,"      \
	" tool_version = ?7, device = ?8, serial = ?9, model = ?10, hw_rev = ?11,"           \
	" from_version = ?12, to_version = ?13, reported_version = ?14, package_sha256 = ?15," \
	" image_sha256 = ?16, result = ?17, error_code = ?18, error = ?19, duration_ms = ?20," \
	" owner_machine = ?21, owner_boot = ?22, owner_pid = ?23, owner_start = ?24"

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static void bind_opt_int(sqlite3_stmt *st, int i, int64_t v)
{
	if (v >= 0)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static void bind_row(sqlite3_stmt *st, const fwh_record *r, const fwh_rec_owner *o)
{
	bind_text(st, 1, r->attempt_id);
	sqlite3_bind_int64(st, 2, r->started_ms);
	bind_opt_int(st, 3, r->ended_ms);
	bind_text(st, 4, r->station);
	bind_text(st, 5, r->operator_name);
	bind_text(st, 6, r->work_order);
	bind_text(st, 7, r->tool_version);
	bind_text(st, 8, r->device);
	bind_text(st, 9, r->serial);
	bind_text(st, 10, r->model);
	bind_opt_int(st, 11, r->hw_rev);
	bind_text(st, 12, r->from_version);
	bind_text(st, 13, r->to_version);
	bind_text(st, 14, r->reported_version);
	bind_text(st, 15, r->package_sha256);
	bind_text(st, 16, r->image_sha256);
	bind_text(st, 17, fwh_rec_result_name(r->result));
	bind_text(st, 18, r->error_code);
	bind_text(st, 19, r->error);
	bind_opt_int(st, 20, r->duration_ms);
	bind_text(st, 21, o->machine);
	bind_text(st, 22, o->boot);
	sqlite3_bind_int64(st, 23, o->pid);
	sqlite3_bind_int64(st, 24, o->start);
}

static int prepare_once(fwh_rsq *q, sqlite3_stmt **st, const char *sql)
{
	if (*st)
		return SQLITE_OK;
	return sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
}

static int put_log(fwh_rsq *q, const char *attempt_id, const char *log)
{
	int rc = prepare_once(q, &q->logput,
	                      "INSERT INTO attempt_logs (attempt_id, log) VALUES (?1, ?2)"
	                      " ON CONFLICT (attempt_id) DO UPDATE SET log = excluded.log");
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_reset(q->logput);
	bind_text(q->logput, 1, attempt_id);
	bind_text(q->logput, 2, log);
	rc = sqlite3_step(q->logput);
	sqlite3_reset(q->logput);
	sqlite3_clear_bindings(q->logput);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int rsq_put(void *be, fwh_record *r, const fwh_rec_owner *o, const char *log,
                   enum fwh_rec_put how, char *msg)
{
	fwh_rsq *q = be;
	static const char *const what[] = {
		[FWH_PUT_INSERT] = "record the start of an attempt",
		[FWH_PUT_UPDATE] = "record the end of an attempt",
		[FWH_PUT_UPSERT] = "record an attempt",
	};
	if (q->read_only)
		return fwh_rec_fail(msg, "The records %s were opened for reading only.", q->path);
	sqlite3_stmt **st = how == FWH_PUT_INSERT ? &q->ins : how == FWH_PUT_UPDATE ? &q->upd : &q->ups;
	const char *sql =
		how == FWH_PUT_INSERT ? "INSERT INTO attempts (" PUT_COLUMNS ") VALUES (" PUT_VALUES ")"
		: how == FWH_PUT_UPDATE ? "UPDATE attempts SET " PUT_SET " WHERE attempt_id = ?1"
		                        : "INSERT INTO attempts (" PUT_COLUMNS ") VALUES (" PUT_VALUES
		                          ") ON CONFLICT (attempt_id) DO UPDATE SET " PUT_SET;
	int rc = prepare_once(q, st, sql);
	if (rc != SQLITE_OK)
		return fail_sql(q, rc, what[how], msg);
	/* the busy timeout applies to taking the write lock: a concurrent
	 * writer makes us wait, not fail; past it, we fail */
	rc = sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return fail_sql(q, rc, what[how], msg);
	sqlite3_reset(*st);
	bind_row(*st, r, o);
	rc = sqlite3_step(*st);
	int changed = sqlite3_changes(q->db);
	sqlite3_reset(*st);
	sqlite3_clear_bindings(*st);
	int e = 0;
	if (rc != SQLITE_DONE) {
		e = fail_sql(q, rc, what[how], msg);
	} else if (changed != 1) {
		e = fwh_rec_unusable(msg, q->path, "it holds no attempt %s (while trying to %s)",
		                     r->attempt_id, what[how]);
	} else {
		if (how == FWH_PUT_INSERT)
			r->id = sqlite3_last_insert_rowid(q->db);
		if (log && (rc = put_log(q, r->attempt_id, log)) != SQLITE_OK)
			e = fail_sql(q, rc, what[how], msg);
	}
	if (!e && (rc = sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
		e = fail_sql(q, rc, what[how], msg);
	if (e)
		rollback(q);
	return e;
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                 */

static void col_text(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
	fwh_rec_copy(dst, cap, (const char *)sqlite3_column_text(st, i));
}

static int64_t col_opt(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

/* One row of FWH_REC_COLUMNS (+ has_log) into r and its owner. */
static void read_row(sqlite3_stmt *st, fwh_record *r, fwh_rec_owner *o)
{
	memset(r, 0, sizeof *r);
	memset(o, 0, sizeof *o);
	r->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, r->attempt_id, sizeof r->attempt_id);
	r->started_ms = sqlite3_column_int64(st, 2);
	r->ended_ms = col_opt(st, 3);
	col_text(st, 4, r->station, sizeof r->station);
	col_text(st, 5, r->operator_name, sizeof r->operator_name);
	col_text(st, 6, r->work_order, sizeof r->work_order);
	col_text(st, 7, r->tool_version, sizeof r->tool_version);
	col_text(st, 8, r->device, sizeof r->device);
	col_text(st, 9, r->serial, sizeof r->serial);
	col_text(st, 10, r->model, sizeof r->model);
	r->hw_rev = (int32_t)col_opt(st, 11);
	col_text(st, 12, r->from_version, sizeof r->from_version);
	col_text(st, 13, r->to_version, sizeof r->to_version);
	col_text(st, 14, r->reported_version, sizeof r->reported_version);
	col_text(st, 15, r->package_sha256, sizeof r->package_sha256);
	col_text(st, 16, r->image_sha256, sizeof r->image_sha256);
	const char *res = (const char *)sqlite3_column_text(st, 17);
	if (!res || !fwh_rec_result_parse(res, &r->result))
		r->result = FWH_REC_FAILED; /* the CHECK constraint makes this unreachable */
	col_text(st, 18, r->error_code, sizeof r->error_code);
	col_text(st, 19, r->error, sizeof r->error);
	r->duration_ms = col_opt(st, 20);
	col_text(st, 21, o->machine, sizeof o->machine);
	col_text(st, 22, o->boot, sizeof o->boot);
	o->pid = sqlite3_column_int64(st, 23);
	o->start = sqlite3_column_int64(st, 24);
	r->has_log = sqlite3_column_int(st, 25) != 0;
}

/* SELECT of every column (+ has_log), for a file of that schema; the table
 * is named `a` in the query. */
static const char *select_columns(int schema)
{
	return schema == 1 ? V1_COLUMNS ", 0"
	                   : FWH_REC_COLUMNS ", EXISTS (SELECT 1 FROM attempt_logs l"
	                                     " WHERE l.attempt_id = a.attempt_id)";
}

void fwh_rsq_sql(enum fwh_rsq_sql which, const fwh_rec_filter *f, int schema, char *sql,
                 size_t cap)
{
	const char *cols = select_columns(schema);
	switch (which) {
	case FWH_RSQ_SQL_LAST:
		snprintf(sql, cap,
		         "SELECT %s FROM attempts a WHERE serial = ?1 AND package_sha256 = ?2"
		         " AND result <> 'skipped' ORDER BY started_ms DESC, id DESC LIMIT 1",
		         cols);
		return;
	case FWH_RSQ_SQL_BY_ID:
		snprintf(sql, cap, "SELECT %s FROM attempts a WHERE id = ?1", cols);
		return;
	case FWH_RSQ_SQL_BY_ATTEMPT:
		snprintf(sql, cap, "SELECT %s FROM attempts a WHERE attempt_id = ?1", cols);
		return;
	case FWH_RSQ_SQL_REAP:
		snprintf(sql, cap, "SELECT attempt_id, owner_machine, owner_boot, owner_pid,"
		                   " owner_start FROM attempts WHERE result = 'in-progress'"
		                   " AND owner_machine IN (?1, '')");
		return;
	case FWH_RSQ_SQL_QUERY:
		break;
	}
	char where[512] = "";
	size_t w = 0;
#define COND(...) (w += (size_t)snprintf(where + w, sizeof where - w, __VA_ARGS__))
	COND(" WHERE 1");
	if (f->serial)
		COND(" AND serial = ?1");
	if (f->station)
		COND(" AND station = ?2");
	if (f->result == -2)
		COND(" AND result IN ('in-progress', 'interrupted')");
	else if (f->result >= 0)
		COND(" AND result = ?3");
	if (f->since_ms != INT64_MIN)
		COND(" AND started_ms >= ?4");
	if (f->until_ms != INT64_MAX)
		COND(" AND started_ms < ?5");
#undef COND
	if (f->limit)
		snprintf(sql, cap,
		         "SELECT * FROM (SELECT %s FROM attempts a%s ORDER BY started_ms DESC, id DESC"
		         " LIMIT ?6) ORDER BY 3, 1",
		         cols, where);
	else
		snprintf(sql, cap, "SELECT %s FROM attempts a%s ORDER BY started_ms, id", cols, where);
}

static int rsq_query(void *be, const fwh_rec_filter *f, fwh_rec_row_fn fn, void *user, char *msg)
{
	fwh_rsq *q = be;
	if (!q->have_tables)
		return 0;
	char sql[2048];
	fwh_rsq_sql(FWH_RSQ_SQL_QUERY, f, q->schema, sql, sizeof sql);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail_sql(q, rc, "read the records", msg);
	if (f->serial)
		bind_text(st, 1, f->serial);
	if (f->station)
		bind_text(st, 2, f->station);
	if (f->result >= 0)
		bind_text(st, 3, fwh_rec_result_name((enum fwh_rec_result)f->result));
	sqlite3_bind_int64(st, 4, f->since_ms);
	sqlite3_bind_int64(st, 5, f->until_ms);
	sqlite3_bind_int64(st, 6, f->limit > INT64_MAX ? INT64_MAX : (int64_t)f->limit);
	/* one statement: one read snapshot, even while others write */
	fwh_record r;
	fwh_rec_owner o;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(st, &r, &o);
		if (fn(user, &r, &o))
			break;
	}
	int e = 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		e = fail_sql(q, rc, "read the records", msg);
	sqlite3_finalize(st);
	return e;
}

static int rsq_last(void *be, const char *serial, const char *digest, fwh_record *out,
                    bool *found, char *msg)
{
	fwh_rsq *q = be;
	*found = false;
	if (!q->have_tables)
		return 0;
	char sql[2048];
	fwh_rsq_sql(FWH_RSQ_SQL_LAST, NULL, q->schema, sql, sizeof sql);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		bind_text(st, 1, serial);
		bind_text(st, 2, digest);
		rc = sqlite3_step(st);
	}
	int e = 0;
	if (rc == SQLITE_ROW) {
		fwh_rec_owner o;
		read_row(st, out, &o);
		*found = true;
	} else if (rc != SQLITE_DONE) {
		e = fail_sql(q, rc, "look up the unit's last attempt", msg);
	}
	sqlite3_finalize(st);
	return e;
}

static int rsq_log(void *be, int64_t id_num, const char *attempt_id, fwh_record *row,
                   char **text, bool *found, char *msg)
{
	fwh_rsq *q = be;
	*found = false;
	*text = NULL;
	if (!q->have_tables)
		return 0;
	char sql[2048];
	fwh_rsq_sql(id_num >= 0 ? FWH_RSQ_SQL_BY_ID : FWH_RSQ_SQL_BY_ATTEMPT, NULL, q->schema, sql,
	            sizeof sql);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		if (id_num >= 0)
			sqlite3_bind_int64(st, 1, id_num);
		else
			bind_text(st, 1, attempt_id);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW) {
		fwh_rec_owner o;
		read_row(st, row, &o);
		*found = true;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail_sql(q, rc, "read the attempt", msg);
	if (!*found)
		return 0;
	const char *log = "";
	st = NULL;
	rc = SQLITE_DONE;
	if (q->schema != 1) {
		rc = sqlite3_prepare_v2(q->db, "SELECT log FROM attempt_logs WHERE attempt_id = ?1", -1,
		                        &st, NULL);
		if (rc == SQLITE_OK) {
			bind_text(st, 1, row->attempt_id);
			rc = sqlite3_step(st);
		}
		if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
			log = (const char *)sqlite3_column_text(st, 0);
	}
	int e = 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		e = fail_sql(q, rc, "read the session log", msg);
	else if (!(*text = strdup(log)))
		e = fwh_rec_fail(msg, "Out of memory reading the session log.");
	sqlite3_finalize(st);
	return e;
}

/* ---------------------------------------------------------------------- */
/* The spool of a PostgreSQL handle                                         */

int fwh_rsq_pending(fwh_rsq *q, fwh_rsq_pending_fn fn, void *user, size_t *left, char *msg)
{
	*left = 0;
	char sql[2048];
	snprintf(sql, sizeof sql,
	         "SELECT %s, (SELECT log FROM attempt_logs l WHERE l.attempt_id = a.attempt_id)"
	         " FROM attempts a WHERE NOT EXISTS (SELECT 1 FROM synced s"
	         " WHERE s.attempt_id = a.attempt_id) ORDER BY id",
	         select_columns(q->schema));
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);
	int e = 0;
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			break;
		fwh_record r;
		fwh_rec_owner o;
		read_row(st, &r, &o);
		if (r.result == FWH_REC_IN_PROGRESS) {
			(*left)++; /* its process still runs (reap() ran at open) */
			continue;
		}
		if ((e = fn(user, &r, &o, (const char *)sqlite3_column_text(st, 26))) != 0)
			break;
	}
	if (!e && rc != SQLITE_DONE)
		e = fail_sql(q, rc, "read the spool", msg);
	sqlite3_finalize(st);
	return e;
}

int fwh_rsq_mark_sent(fwh_rsq *q, const char *attempt_id, char *msg)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(q->db,
	                            "INSERT OR IGNORE INTO synced (attempt_id, synced_ms)"
	                            " VALUES (?1, ?2)",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		bind_text(st, 1, attempt_id);
		sqlite3_bind_int64(st, 2, fwh_records_now_ms());
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail_sql(q, rc, "note a row as sent", msg);
}

/* ---------------------------------------------------------------------- */

static const char *rsq_spooling(void *be)
{
	(void)be;
	return "";
}

const fwh_rec_ops fwh_rsq_ops = {
	.put = rsq_put,
	.query = rsq_query,
	.last = rsq_last,
	.log = rsq_log,
	.reap = reap,
	.sync = NULL,
	.spooling = rsq_spooling,
	.close = rsq_close,
};

int fwh_rec_sqlite_open(const char *path, const fwh_rec_open_ctx *ctx, fwh_rec_backend *out,
                        char *msg)
{
	fwh_rsq *q = NULL;
	int e = fwh_rsq_open(path, ctx, true, &q, msg);
	if (e)
		return e;
	out->ops = &fwh_rsq_ops;
	out->be = q;
	return 0;
}
