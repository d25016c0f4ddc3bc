/* SPDX-License-Identifier: Apache-2.0 */
/*
 * records.c - production records in SQLite (see fwseal-host/records.h and
 * docs/factory.md). One connection per handle, serialised by a mutex; every
 * write is one IMMEDIATE transaction so concurrent fwseal processes queue on
 * the busy timeout instead of failing, and a crash leaves whole rows only.
 */
#include "fwseal-host/log.h"
#include "fwseal-host/records.h"
#include "i18n.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OWNER_BOOT_MAX 64u

struct fwh_records {
	sqlite3 *db;
	pthread_mutex_t lock;
	fwh_error last; /* the last failure, in both languages (fwseal-host/error.h) */
	/* who we are, to tell our own in-progress rows from those of the dead */
	char boot_id[OWNER_BOOT_MAX];
	int64_t pid;
	int64_t pstart;
};

static const char *const result_names[FWH_REC_RESULT_COUNT] = {
	[FWH_REC_IN_PROGRESS] = "in-progress",
	[FWH_REC_OK] = "ok",
	[FWH_REC_REFUSED] = "refused",
	[FWH_REC_FAILED] = "failed",
	[FWH_REC_INTERRUPTED] = "interrupted",
	[FWH_REC_UNCONFIRMED] = "unconfirmed",
};

/* The CHECK constraint repeats the names so that no other program can put
 * a value into "result" that scripts do not know. */
static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS attempts ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" started_ms INTEGER NOT NULL,"
	" station TEXT NOT NULL,"
	" device TEXT NOT NULL,"
	" serial TEXT NOT NULL DEFAULT '',"
	" model TEXT NOT NULL DEFAULT '',"
	" hw_rev INTEGER,"
	" from_version TEXT NOT NULL DEFAULT '',"
	" to_version TEXT NOT NULL,"
	" package_sha256 TEXT NOT NULL,"
	" result TEXT NOT NULL CHECK (result IN"
	"  ('in-progress','ok','refused','failed','interrupted','unconfirmed')),"
	" error_code TEXT NOT NULL DEFAULT '',"
	" error TEXT NOT NULL DEFAULT '',"
	" duration_ms INTEGER,"
	" owner_boot TEXT NOT NULL,"
	" owner_pid INTEGER NOT NULL,"
	" owner_start INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS attempts_started ON attempts(started_ms);"
	"CREATE INDEX IF NOT EXISTS attempts_unit ON attempts(serial, package_sha256, result);";

#define ROW_COLUMNS                                                                       \
	"id, started_ms, station, device, serial, model, hw_rev, from_version, to_version," \
	" package_sha256, result, error_code, error, duration_ms"

const char *fwh_rec_result_name(enum fwh_rec_result r)
{
	if ((unsigned)r < FWH_REC_RESULT_COUNT)
		return result_names[r];
	return "unknown";
}

bool fwh_rec_result_parse(const char *s, enum fwh_rec_result *out)
{
	for (unsigned i = 0; i < FWH_REC_RESULT_COUNT; i++) {
		if (!strcmp(s, result_names[i])) {
			*out = (enum fwh_rec_result)i;
			return true;
		}
	}
	return false;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	if (!src)
		src = "";
	size_t n = strnlen(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* SQLite's words stay in the debug log (-vv); the user reads what is wrong
 * with the file and what to do (issue 15: no "write-ahead logging"). */
static fws_err fail_sql(fwh_records *db, const char *what)
{
	const char *path = db->db ? sqlite3_db_filename(db->db, "main") : NULL;
	const char *why; /* in English; translated in the sentence for people */
	switch (db->db ? sqlite3_errcode(db->db) & 0xff : SQLITE_NOMEM) {
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH: why = N_("it or its folder is read-only for this user"); break;
	case SQLITE_NOTADB: why = N_("the file is not a production records database"); break;
	case SQLITE_CORRUPT: why = N_("the file is damaged"); break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: why = N_("another program keeps it locked"); break;
	case SQLITE_FULL: why = N_("the disk is full"); break;
	case SQLITE_CANTOPEN: why = N_("it cannot be opened"); break;
	case SQLITE_NOMEM: why = N_("there is not enough memory"); break;
	default: why = N_("a read or write failed"); break;
	}
	fwh_log(FWH_LOG_DEBUG, "records", "%s: %s failed: %s", path ? path : "?", what,
	        db->db ? sqlite3_errmsg(db->db) : "no handle");
	/* the reason is worded in both languages, as is the sentence around it */
#define CANNOT_USE N_("Cannot use the production records %s: %s. Fix that, or choose " \
                      "another file with --records.")
	/* Translators: stands for the file name when SQLite has none */
	const char *where = path && *path ? path : N_("database");
	char en[FWH_ERROR_MSG_MAX], tr[FWH_ERROR_MSG_MAX];
	snprintf(en, sizeof en, CANNOT_USE, where, why);
	snprintf(tr, sizeof tr, fwh_tr(CANNOT_USE), path && *path ? path : fwh_tr(where),
	         fwh_tr(why));
#undef CANNOT_USE
	return fwh_error_put(&db->last, FWS_E_IO, en, tr);
}

/* Hand the sentence of the failure to the caller (under db->lock). */
static fws_err report(fwh_records *db, fws_err e, fwh_error *err)
{
	if (e && err) {
		*err = db->last;
		err->code = e;
	}
	return e;
}

/* ---------------------------------------------------------------------- */
/* Owner identity: boot id + pid + process start time (clock ticks since   */
/* boot, /proc/PID/stat field 22), so a reused pid is not taken for alive. */

static void read_boot_id(char out[OWNER_BOOT_MAX])
{
	out[0] = '\0';
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (!f)
		return;
	if (fgets(out, OWNER_BOOT_MAX, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/* Start time of pid, -1 when it does not exist, -2 when unknowable. */
static int64_t proc_start_time(int64_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%" PRId64 "/stat", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -1 : -2;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* comm may contain spaces and ')': fields restart after the last ')' */
	const char *p = strrchr(buf, ')');
	if (!p)
		return -2;
	p++;
	/* after ')' come field 3 (state) ... field 22 (starttime) */
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -2;
	}
	return strtoll(p + 1, NULL, 10);
}

static bool owner_alive(const fwh_records *db, const char *boot, int64_t pid, int64_t start)
{
	if (db->boot_id[0] && strcmp(boot, db->boot_id) != 0)
		return false; /* the station rebooted since: that process is gone */
	if (pid == db->pid && start == db->pstart)
		return true;
	int64_t now_start = proc_start_time(pid);
	if (now_start == -2)
		return true; /* cannot tell: never declare a live writer dead */
	return now_start == start;
}

/* ---------------------------------------------------------------------- */

static fws_err exec(fwh_records *db, const char *sql, const char *what)
{
	if (sqlite3_exec(db->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail_sql(db, what);
	return FWS_OK;
}

static void rollback(fwh_records *db)
{
	sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
}

static fws_err reap_interrupted(fwh_records *db)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	int64_t *dead = NULL;
	size_t n_dead = 0, cap = 0;
	fws_err e = exec(db, "BEGIN IMMEDIATE", "start a transaction");
	if (e)
		return e;
	if (sqlite3_prepare_v2(db->db,
	                       "SELECT id, owner_boot, owner_pid, owner_start FROM attempts"
	                       " WHERE result = 'in-progress'",
	                       -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->db,
	                       "UPDATE attempts SET result = 'interrupted', error_code = 'interrupted',"
	                       " error = ?2 WHERE id = ?1 AND result = 'in-progress'",
	                       -1, &upd, NULL) != SQLITE_OK) {
		e = fail_sql(db, "look for interrupted attempts");
		goto out;
	}
	/* Collect first, update after: rows are not changed under a running SELECT. */
	int rc;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *boot = (const char *)sqlite3_column_text(sel, 1);
		if (owner_alive(db, boot ? boot : "", sqlite3_column_int64(sel, 2),
		                sqlite3_column_int64(sel, 3)))
			continue;
		if (n_dead == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			int64_t *nd = realloc(dead, ncap * sizeof *nd);
			if (!nd) {
				e = fwh_error_set(&db->last, FWS_E_IO, "Out of memory reading the records database.");
				goto out;
			}
			dead = nd;
			cap = ncap;
		}
		dead[n_dead++] = sqlite3_column_int64(sel, 0);
	}
	if (rc != SQLITE_DONE) {
		e = fail_sql(db, "look for interrupted attempts");
		goto out;
	}
	for (size_t i = 0; i < n_dead; i++) {
		sqlite3_bind_int64(upd, 1, dead[i]);
		sqlite3_bind_text(upd, 2,
		                  "The fwseal process stopped before this attempt ended (crash, kill "
		                  "or power loss); flash the unit again to resume.",
		                  -1, SQLITE_STATIC);
		if (sqlite3_step(upd) != SQLITE_DONE) {
			e = fail_sql(db, "mark an interrupted attempt");
			goto out;
		}
		sqlite3_reset(upd);
	}
	e = exec(db, "COMMIT", "commit");
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	free(dead);
	if (e)
		rollback(db);
	return e;
}

#define WAL_RETRY_MS 10

/* PRAGMA journal_mode=WAL: SQLITE_ROW with *wal, or the error. Switching
 * needs the database to itself, and SQLite answers SQLITE_BUSY at once,
 * without the busy handler, while another connection holds it (several
 * fwseal processes creating one new database together: test_records
 * test_processes_share under load). So BUSY is retried here, for as long
 * as the busy timeout lets any other wait last. */
static int switch_to_wal(fwh_records *db, bool *wal)
{
	for (int waited = 0;; waited += WAL_RETRY_MS) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(db->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const char *mode = (const char *)sqlite3_column_text(st, 0);
			*wal = mode && !strcmp(mode, "wal");
		}
		sqlite3_finalize(st);
		if ((rc & 0xff) != SQLITE_BUSY || waited >= FWH_REC_BUSY_MS)
			return rc;
		sqlite3_sleep(WAL_RETRY_MS);
	}
}

static fws_err setup_schema(fwh_records *db)
{
	sqlite3_stmt *st = NULL;
	bool wal = false;
	/* journal_mode answers with a row; WAL lets readers and one writer of
	 * several processes work at once and survives a crash of any of them. */
	if (switch_to_wal(db, &wal) != SQLITE_ROW)
		return fail_sql(db, "switch to write-ahead logging");
	if (!wal)
		return fwh_error_set(&db->last, FWS_E_IO,
		                     "The records database cannot use write-ahead logging (is it "
		                     "on a network file system?). Put it on a local disk with "
		                     "--records.");
	/* FULL: a power cut of the station PC keeps every committed row. */
	fws_err e = exec(db, "PRAGMA synchronous=FULL", "set synchronous writes");
	if (e)
		return e;

	e = exec(db, "BEGIN IMMEDIATE", "start a transaction");
	if (e)
		return e;
	int version = -1;
	if (sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version < 0) {
		e = fail_sql(db, "read its schema version");
	} else if (version > FWH_REC_SCHEMA) {
		e = fwh_error_set(&db->last, FWS_E_IO,
		                  "The records database was written by a newer fwseal (schema %d, "
		                  "this one knows %d). Update fwseal or choose another file with "
		                  "--records.",
		                  version, FWH_REC_SCHEMA);
	} else {
		e = exec(db, schema_sql, "create its tables");
		if (!e && version < FWH_REC_SCHEMA)
			e = exec(db, "PRAGMA user_version=1", "set its schema version");
		if (!e)
			e = exec(db, "COMMIT", "commit");
	}
	if (e)
		rollback(db);
	return e;
}

/* mkdir -p of the folder that holds path (for the default location). */
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

fws_err fwh_records_default_path(char *out, size_t cap)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;
	/* XDG Base Directory: a relative XDG_DATA_HOME is invalid and ignored */
	if (xdg && xdg[0] == '/')
		n = snprintf(out, cap, "%s/fwseal/records.sqlite", xdg);
	else if (home && home[0])
		n = snprintf(out, cap, "%s/.local/share/fwseal/records.sqlite", home);
	else
		return FWS_E_IO;
	return (n < 0 || (size_t)n >= cap) ? FWS_E_NOMEM : FWS_OK;
}

fws_err fwh_records_open(const char *path, fwh_records **out, fwh_error *err)
{
	*out = NULL;
	char def[4096];
	if (!path) {
		if (fwh_records_default_path(def, sizeof def) != FWS_OK) {
			return fwh_error_set(err, FWS_E_IO,
			                     "There is no default place for production records (neither "
			                     "XDG_DATA_HOME nor HOME is set). Give one with --records PATH.");
		}
		path = def;
	}
	int dir_err = make_parent_dirs(path);
	if (dir_err)
		return fwh_error_set(err, FWS_E_IO,
		                     "Cannot create the folder for the records database %s (%s). "
		                     "Choose another place with --records.",
		                     path, strerror(dir_err));
	fwh_records *db = calloc(1, sizeof *db);
	if (!db)
		return fwh_error_set(err, FWS_E_IO, "Out of memory opening the records database.");
	pthread_mutex_init(&db->lock, NULL);
	read_boot_id(db->boot_id);
	db->pid = (int64_t)getpid();
	db->pstart = proc_start_time(db->pid);

	fws_err e = FWS_OK;
	if (sqlite3_open_v2(path, &db->db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
	                    NULL) != SQLITE_OK) {
		e = fwh_error_set(&db->last, FWS_E_IO,
		                  "Cannot open the records database %s (%s). Check the path and "
		                  "its permissions, or choose another one with --records.",
		                  path, db->db ? sqlite3_errmsg(db->db) : "out of memory");
	}
	if (!e)
		sqlite3_busy_timeout(db->db, FWH_REC_BUSY_MS);
	if (!e)
		e = setup_schema(db);
	if (!e)
		e = reap_interrupted(db);
	if (e) {
		report(db, e, err);
		fwh_records_close(db);
		return e;
	}
	*out = db;
	return FWS_OK;
}

void fwh_records_close(fwh_records *db)
{
	if (!db)
		return;
	sqlite3_close(db->db);
	pthread_mutex_destroy(&db->lock);
	free(db);
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* The unit's identity columns (device, serial, model, hw_rev, from_version,
 * to_version) in this order from parameter first on: begin, update and
 * finish all write them. */
static void bind_unit(sqlite3_stmt *st, int first, const fwh_record *r)
{
	bind_text(st, first, r->device);
	bind_text(st, first + 1, r->serial);
	bind_text(st, first + 2, r->model);
	if (r->hw_rev >= 0)
		sqlite3_bind_int(st, first + 3, r->hw_rev);
	bind_text(st, first + 4, r->from_version);
	bind_text(st, first + 5, r->to_version);
}

/* Runs one statement as its own IMMEDIATE transaction (the busy timeout
 * applies to taking the write lock, so a concurrent writer makes us wait,
 * not fail). */
static fws_err run_write(fwh_records *db, sqlite3_stmt *st, const char *what)
{
	fws_err e = exec(db, "BEGIN IMMEDIATE", "start a transaction");
	if (e)
		return e;
	if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db->db) != 1) {
		e = fail_sql(db, what);
		rollback(db);
		return e;
	}
	return exec(db, "COMMIT", "commit");
}

fws_err fwh_records_begin(fwh_records *db, fwh_record *r, fwh_error *err)
{
	if (!r->started_ms)
		r->started_ms = fwh_records_now_ms();
	r->result = FWH_REC_IN_PROGRESS;
	r->duration_ms = -1;
	pthread_mutex_lock(&db->lock);
	sqlite3_stmt *st = NULL;
	fws_err e;
	if (sqlite3_prepare_v2(db->db,
	                       "INSERT INTO attempts (started_ms, station, device, serial, model,"
	                       " hw_rev, from_version, to_version, package_sha256, result,"
	                       " owner_boot, owner_pid, owner_start)"
	                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'in-progress',"
	                       " ?10, ?11, ?12)",
	                       -1, &st, NULL) != SQLITE_OK) {
		e = fail_sql(db, "record the start of an attempt");
		goto out;
	}
	sqlite3_bind_int64(st, 1, r->started_ms);
	bind_text(st, 2, r->station);
	bind_unit(st, 3, r);
	bind_text(st, 9, r->package_sha256);
	bind_text(st, 10, db->boot_id);
	sqlite3_bind_int64(st, 11, db->pid);
	sqlite3_bind_int64(st, 12, db->pstart);
	e = run_write(db, st, "record the start of an attempt");
	if (!e)
		r->id = sqlite3_last_insert_rowid(db->db);
out:
	sqlite3_finalize(st);
	report(db, e, err);
	pthread_mutex_unlock(&db->lock);
	return e;
}

fws_err fwh_records_update(fwh_records *db, const fwh_record *r, fwh_error *err)
{
	pthread_mutex_lock(&db->lock);
	sqlite3_stmt *st = NULL;
	fws_err e;
	if (sqlite3_prepare_v2(db->db,
	                       "UPDATE attempts SET device = ?2, serial = ?3, model = ?4,"
	                       " hw_rev = ?5, from_version = ?6, to_version = ?7 WHERE id = ?1",
	                       -1, &st, NULL) != SQLITE_OK) {
		e = fail_sql(db, "record the unit of an attempt");
		goto out;
	}
	sqlite3_bind_int64(st, 1, r->id);
	bind_unit(st, 2, r);
	e = run_write(db, st, "record the unit of an attempt");
out:
	sqlite3_finalize(st);
	report(db, e, err);
	pthread_mutex_unlock(&db->lock);
	return e;
}

fws_err fwh_records_finish(fwh_records *db, fwh_record *r, fwh_error *err)
{
	if (r->duration_ms < 0) {
		int64_t d = fwh_records_now_ms() - r->started_ms;
		r->duration_ms = d < 0 ? 0 : d;
	}
	pthread_mutex_lock(&db->lock);
	sqlite3_stmt *st = NULL;
	fws_err e;
	/* identity fields again: one row is complete even if update() was skipped */
	if (sqlite3_prepare_v2(db->db,
	                       "UPDATE attempts SET device = ?2, serial = ?3, model = ?4,"
	                       " hw_rev = ?5, from_version = ?6, to_version = ?7, result = ?8,"
	                       " error_code = ?9, error = ?10, duration_ms = ?11 WHERE id = ?1",
	                       -1, &st, NULL) != SQLITE_OK) {
		e = fail_sql(db, "record the end of an attempt");
		goto out;
	}
	sqlite3_bind_int64(st, 1, r->id);
	bind_unit(st, 2, r);
	bind_text(st, 8, fwh_rec_result_name(r->result));
	bind_text(st, 9, r->error_code);
	bind_text(st, 10, r->error);
	sqlite3_bind_int64(st, 11, r->duration_ms);
	e = run_write(db, st, "record the end of an attempt");
out:
	sqlite3_finalize(st);
	report(db, e, err);
	pthread_mutex_unlock(&db->lock);
	return e;
}

void fwh_record_set_device(fwh_record *r, const fws_devinfo *info)
{
	copy_str(r->serial, sizeof r->serial, info->serial);
	copy_str(r->model, sizeof r->model, info->model);
	r->hw_rev = info->hw_rev;
	copy_str(r->from_version, sizeof r->from_version, info->fw_version);
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                 */

static void col_text(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
	copy_str(dst, cap, (const char *)sqlite3_column_text(st, i));
}

static void row_to_record(sqlite3_stmt *st, fwh_record *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	r->started_ms = sqlite3_column_int64(st, 1);
	col_text(st, 2, r->station, sizeof r->station);
	col_text(st, 3, r->device, sizeof r->device);
	col_text(st, 4, r->serial, sizeof r->serial);
	col_text(st, 5, r->model, sizeof r->model);
	r->hw_rev = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 6);
	col_text(st, 7, r->from_version, sizeof r->from_version);
	col_text(st, 8, r->to_version, sizeof r->to_version);
	col_text(st, 9, r->package_sha256, sizeof r->package_sha256);
	const char *res = (const char *)sqlite3_column_text(st, 10);
	if (!res || !fwh_rec_result_parse(res, &r->result))
		r->result = FWH_REC_FAILED; /* the CHECK constraint makes this unreachable */
	col_text(st, 11, r->error_code, sizeof r->error_code);
	col_text(st, 12, r->error, sizeof r->error);
	r->duration_ms =
		sqlite3_column_type(st, 13) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 13);
}

fws_err fwh_records_foreach(fwh_records *db, int64_t since_ms, fwh_records_cb cb, void *user, fwh_error *err)
{
	pthread_mutex_lock(&db->lock);
	sqlite3_stmt *st = NULL;
	fws_err e = FWS_OK;
	/* One read transaction: a consistent snapshot even while others write. */
	if (sqlite3_prepare_v2(db->db,
	                       "SELECT " ROW_COLUMNS " FROM attempts WHERE started_ms >= ?1"
	                       " ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK) {
		e = fail_sql(db, "read the records");
		goto out;
	}
	sqlite3_bind_int64(st, 1, since_ms);
	int rc;
	fwh_record r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_record(st, &r);
		if (cb(&r, user))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		e = fail_sql(db, "read the records");
out:
	sqlite3_finalize(st);
	report(db, e, err);
	pthread_mutex_unlock(&db->lock);
	return e;
}

fws_err fwh_records_already_ok(fwh_records *db, const char *serial, const char *package_sha256,
                               bool *yes, fwh_error *err)
{
	*yes = false;
	pthread_mutex_lock(&db->lock);
	sqlite3_stmt *st = NULL;
	fws_err e = FWS_OK;
	if (sqlite3_prepare_v2(db->db,
	                       "SELECT 1 FROM attempts WHERE serial = ?1 AND package_sha256 = ?2"
	                       " AND result = 'ok' LIMIT 1",
	                       -1, &st, NULL) != SQLITE_OK) {
		e = fail_sql(db, "look up earlier attempts");
		goto out;
	}
	bind_text(st, 1, serial);
	bind_text(st, 2, package_sha256);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*yes = true;
	else if (rc != SQLITE_DONE)
		e = fail_sql(db, "look up earlier attempts");
out:
	sqlite3_finalize(st);
	report(db, e, err);
	pthread_mutex_unlock(&db->lock);
	return e;
}
