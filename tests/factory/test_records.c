/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_records.c - production records (host-tool/lib/records*.c) against a
 * real SQLite file: exact round trip of every column and the session log,
 * filters and --limit, the last attempt of a unit, interrupted attempts of
 * dead processes (seen by readers without a write), several processes and
 * threads writing at once, only our database (foreign, newer, junk refused;
 * schema 1 read as it is and migrated in one step), reading that never
 * writes, an index behind every query the tool makes (EXPLAIN QUERY PLAN),
 * --stats figures, the session log buffer, URIs without passwords, ISO 8601.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fwseal-host/records.h"
#include "records_backend.h"
#include "testproc.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	assert_true(test_tmpdir(fx->dir, sizeof fx->dir, "records"));
	/* a folder that does not exist yet: open() creates it */
	snprintf(fx->path, sizeof fx->path, "%s/sub/records.sqlite", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	if (test_rmtree(fx->dir) != 0)
		return -1;
	free(fx);
	return 0;
}

static fwh_records *open_ok(const char *path)
{
	fwh_records *db = NULL;
	fwh_error err;
	fws_err e = fwh_records_open(path, &db, &err);
	if (e)
		fprintf(stderr, "open: %s\n", err.msg);
	assert_int_equal(e, FWS_OK);
	assert_non_null(db);
	return db;
}

static fwh_records *open_reader(const char *path)
{
	fwh_records *db = NULL;
	fwh_error err;
	fwh_records_opts o = {.read_only = true};
	fws_err e = fwh_records_open_ex(path, &o, &db, &err);
	if (e)
		fprintf(stderr, "open (reader): %s\n", err.msg);
	assert_int_equal(e, FWS_OK);
	return db;
}

static void fill(fwh_record *r, const char *device)
{
	memset(r, 0, sizeof *r);
	snprintf(r->station, sizeof r->station, "line-1");
	snprintf(r->device, sizeof r->device, "%s", device);
	r->hw_rev = -1;
	r->ended_ms = -1;
	r->duration_ms = -1;
	snprintf(r->to_version, sizeof r->to_version, "2.0.0");
	memset(r->package_sha256, 'a', FWH_REC_DIGEST_HEX);
}

struct collect {
	fwh_record rows[512];
	size_t n;
};

static int collect_cb(const fwh_record *r, void *user)
{
	struct collect *c = user;
	if (c->n < 512)
		c->rows[c->n++] = *r;
	return 0;
}

static void read_all(fwh_records *db, int64_t since, struct collect *c)
{
	c->n = 0;
	assert_int_equal(fwh_records_foreach(db, since, collect_cb, c, NULL), FWS_OK);
}

static void query(fwh_records *db, const fwh_rec_filter *f, struct collect *c)
{
	c->n = 0;
	assert_int_equal(fwh_records_query(db, f, collect_cb, c, NULL), FWS_OK);
}

/* SQL on a second, raw connection: what another program would see. */
static int64_t raw_int(const char *path, const char *sql)
{
	sqlite3 *s;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(s));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(s);
	return v;
}

static void raw_text(const char *path, const char *sql, char *out, size_t cap)
{
	sqlite3 *s;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(s);
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *s;
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	char *m = NULL;
	if (sqlite3_exec(s, sql, NULL, NULL, &m) != SQLITE_OK)
		fail_msg("%s: %s", sql, m);
	sqlite3_close(s);
}

static bool is_uuid(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
			return false;
	}
	return s[14] == '7' || s[14] == '4'; /* new ids 7; migrated schema-1 rows 4 */
}

/* ---------------------------------------------------------------------- */

static void test_round_trip(void **state)
{
	struct fixture *fx = *state;
	fwh_records *db = open_ok(fx->path);

	char mode[16];
	raw_text(fx->path, "PRAGMA journal_mode", mode, sizeof mode);
	assert_string_equal(mode, "wal");
	assert_int_equal(raw_int(fx->path, "PRAGMA user_version"), FWH_REC_SCHEMA);
	assert_int_equal(raw_int(fx->path, "PRAGMA application_id"), FWH_REC_APP_ID);

	fwh_record r;
	fill(&r, "serial:/dev/pts/7");
	r.started_ms = 1700000000123;
	snprintf(r.operator_name, sizeof r.operator_name, "Ada L.");
	snprintf(r.work_order, sizeof r.work_order, "WO-2026-0042/lot 7");
	snprintf(r.tool_version, sizeof r.tool_version, "0.1.0");
	memset(r.image_sha256, 'b', FWH_REC_DIGEST_HEX);
	assert_int_equal(fwh_records_begin(db, &r, NULL), FWS_OK);
	assert_true(r.id > 0);
	assert_true(is_uuid(r.attempt_id));

	struct collect *c = calloc(1, sizeof *c);
	read_all(db, INT64_MIN, c);
	assert_int_equal(c->n, 1);
	assert_int_equal(c->rows[0].result, FWH_REC_IN_PROGRESS);
	assert_int_equal(c->rows[0].hw_rev, -1);
	assert_int_equal(c->rows[0].duration_ms, -1);
	assert_int_equal(c->rows[0].ended_ms, -1);
	assert_string_equal(c->rows[0].serial, "");
	assert_false(c->rows[0].has_log);

	fws_devinfo info;
	memset(&info, 0, sizeof info);
	snprintf(info.serial, sizeof info.serial, "SN-0042");
	snprintf(info.model, sizeof info.model, "acme-thermo");
	info.hw_rev = 3;
	snprintf(info.fw_version, sizeof info.fw_version, "1.0.0");
	fwh_record_set_device(&r, &info);
	assert_int_equal(fwh_records_update(db, &r, NULL), FWS_OK);

	r.result = FWH_REC_OK;
	r.duration_ms = 4321;
	snprintf(r.reported_version, sizeof r.reported_version, "2.0.0");
	const char *log = "12:00:00.000Z start\n12:00:04.321Z result ok\n";
	assert_int_equal(fwh_records_finish(db, &r, log, NULL), FWS_OK);
	assert_true(r.ended_ms >= r.started_ms);

	read_all(db, INT64_MIN, c);
	assert_int_equal(c->n, 1);
	const fwh_record *g = &c->rows[0];
	assert_int_equal(g->id, r.id);
	assert_string_equal(g->attempt_id, r.attempt_id);
	assert_int_equal(g->started_ms, 1700000000123);
	assert_int_equal(g->ended_ms, r.ended_ms);
	assert_string_equal(g->station, "line-1");
	assert_string_equal(g->operator_name, "Ada L.");
	assert_string_equal(g->work_order, "WO-2026-0042/lot 7");
	assert_string_equal(g->tool_version, "0.1.0");
	assert_string_equal(g->device, "serial:/dev/pts/7");
	assert_string_equal(g->serial, "SN-0042");
	assert_string_equal(g->model, "acme-thermo");
	assert_int_equal(g->hw_rev, 3);
	assert_string_equal(g->from_version, "1.0.0");
	assert_string_equal(g->to_version, "2.0.0");
	assert_string_equal(g->reported_version, "2.0.0");
	assert_string_equal(g->package_sha256, r.package_sha256);
	assert_string_equal(g->image_sha256, r.image_sha256);
	assert_int_equal(g->result, FWH_REC_OK);
	assert_string_equal(g->error_code, "");
	assert_int_equal(g->duration_ms, 4321);
	assert_true(g->has_log);

	/* the session log, by row number and by attempt id */
	char *text = NULL, num[24];
	bool found = false;
	fwh_record row;
	snprintf(num, sizeof num, "%" PRId64, r.id);
	assert_int_equal(fwh_records_log(db, num, &row, &text, &found, NULL), FWS_OK);
	assert_true(found);
	assert_string_equal(text, log);
	assert_string_equal(row.serial, "SN-0042");
	free(text);
	assert_int_equal(fwh_records_log(db, r.attempt_id, NULL, &text, &found, NULL), FWS_OK);
	assert_true(found);
	assert_string_equal(text, log);
	free(text);
	assert_int_equal(fwh_records_log(db, "999", NULL, &text, &found, NULL), FWS_OK);
	assert_false(found);

	/* a failed attempt keeps its error and measures its own duration */
	fwh_record f;
	fill(&f, "serial:/dev/pts/8");
	assert_int_equal(fwh_records_begin(db, &f, NULL), FWS_OK);
	f.result = FWH_REC_REFUSED;
	snprintf(f.error_code, sizeof f.error_code, "model");
	snprintf(f.error, sizeof f.error, "the package is for another model.");
	assert_int_equal(fwh_records_finish(db, &f, NULL, NULL), FWS_OK);
	assert_true(f.duration_ms >= 0 && f.duration_ms < 10000);
	read_all(db, INT64_MIN, c);
	assert_int_equal(c->n, 2);
	assert_int_equal(c->rows[1].result, FWH_REC_REFUSED);
	assert_string_equal(c->rows[1].error_code, "model");
	assert_string_equal(c->rows[1].error, "the package is for another model.");
	assert_false(c->rows[1].has_log);

	/* a skipped unit: one complete row at once; results 15b uses are known */
	fwh_record s;
	fill(&s, "serial:/dev/pts/9");
	s.result = FWH_REC_SKIPPED;
	snprintf(s.error_code, sizeof s.error_code, "already-installed");
	assert_int_equal(fwh_records_add(db, &s, "skipped\n", NULL), FWS_OK);
	fwh_record u;
	fill(&u, "serial:/dev/pts/10");
	u.result = FWH_REC_UNCONFIRMED;
	assert_int_equal(fwh_records_add(db, &u, NULL, NULL), FWS_OK);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM attempts WHERE result IN"
	                                   " ('skipped', 'unconfirmed') AND ended_ms IS NOT NULL"),
	                 2);

	/* ending a row that does not exist is an error, with a sentence */
	fwh_error err;
	snprintf(f.attempt_id, sizeof f.attempt_id, "00000000-0000-4000-8000-000000000000");
	assert_int_equal(fwh_records_finish(db, &f, NULL, &err), FWS_E_IO);
	assert_true(strlen(err.msg) > 10);
	/* one attempt id once */
	assert_int_equal(fwh_records_add(db, &s, NULL, &err), FWS_E_IO);

	free(c);
	fwh_records_close(db);
}

static void add_row(fwh_records *db, const char *station, const char *serial, char pkg,
                    int64_t t, enum fwh_rec_result res, int64_t dur, const char *model)
{
	fwh_record r;
	fill(&r, "serial:/dev/null");
	snprintf(r.station, sizeof r.station, "%s", station);
	snprintf(r.serial, sizeof r.serial, "%s", serial);
	snprintf(r.model, sizeof r.model, "%s", model);
	r.package_sha256[0] = pkg;
	r.started_ms = t;
	r.result = res;
	r.duration_ms = dur;
	r.ended_ms = t + (dur > 0 ? dur : 0);
	assert_int_equal(fwh_records_add(db, &r, NULL, NULL), FWS_OK);
}

static void test_filters_and_last(void **state)
{
	struct fixture *fx = *state;
	fwh_records *db = open_ok(fx->path);
	const int64_t t0 = 1800000000000;
	add_row(db, "s1", "A", 'a', t0 + 0, FWH_REC_FAILED, 100, "M");
	add_row(db, "s1", "B", 'a', t0 + 1000, FWH_REC_OK, 100, "M");
	add_row(db, "s2", "A", 'a', t0 + 2000, FWH_REC_OK, 100, "M");
	add_row(db, "s2", "C", 'b', t0 + 3000, FWH_REC_OK, 100, "M");
	add_row(db, "s2", "A", 'a', t0 + 4000, FWH_REC_SKIPPED, 0, "M");

	struct collect *c = calloc(1, sizeof *c);
	read_all(db, t0 + 1000, c);
	assert_int_equal(c->n, 4);
	assert_string_equal(c->rows[0].serial, "B");
	read_all(db, t0 + 4001, c);
	assert_int_equal(c->n, 0);

	fwh_rec_filter f;
	fwh_rec_filter_init(&f);
	f.serial = "A";
	query(db, &f, c);
	assert_int_equal(c->n, 3);
	assert_true(c->rows[0].started_ms < c->rows[1].started_ms);
	f.station = "s2";
	query(db, &f, c);
	assert_int_equal(c->n, 2);
	fwh_rec_filter_init(&f);
	f.result = FWH_REC_OK;
	query(db, &f, c);
	assert_int_equal(c->n, 3);
	fwh_rec_filter_init(&f);
	f.since_ms = t0 + 1000;
	f.until_ms = t0 + 3000;
	query(db, &f, c);
	assert_int_equal(c->n, 2);
	assert_string_equal(c->rows[0].serial, "B");
	assert_string_equal(c->rows[1].serial, "A");
	/* the newest two, still oldest first */
	fwh_rec_filter_init(&f);
	f.limit = 2;
	query(db, &f, c);
	assert_int_equal(c->n, 2);
	assert_int_equal(c->rows[0].started_ms, t0 + 3000);
	assert_int_equal(c->rows[1].started_ms, t0 + 4000);

	/* the last attempt of a unit with a package: skips do not count */
	char digest[FWH_REC_DIGEST_HEX + 1];
	memset(digest, 'a', FWH_REC_DIGEST_HEX);
	digest[FWH_REC_DIGEST_HEX] = '\0';
	fwh_record last;
	bool found;
	assert_int_equal(fwh_records_last(db, "A", digest, &last, &found, NULL), FWS_OK);
	assert_true(found);
	assert_int_equal(last.result, FWH_REC_OK);
	assert_int_equal(last.started_ms, t0 + 2000);
	assert_int_equal(fwh_records_last(db, "C", digest, &last, &found, NULL), FWS_OK);
	assert_false(found); /* C took another package */
	assert_int_equal(fwh_records_last(db, "D", digest, &last, &found, NULL), FWS_OK);
	assert_false(found);
	free(c);
	fwh_records_close(db);
}

/* A process that begins an attempt and dies: readers see it interrupted at
 * once without writing; the next writer's open marks it so. The rows of a
 * live process are left alone. */
static void test_interrupted(void **state)
{
	struct fixture *fx = *state;
	fwh_records *db = open_ok(fx->path);
	fwh_record mine;
	fill(&mine, "serial:/dev/pts/1");
	assert_int_equal(fwh_records_begin(db, &mine, NULL), FWS_OK);

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fwh_records *cdb = NULL;
		fwh_record r;
		fill(&r, "serial:/dev/pts/2");
		snprintf(r.serial, sizeof r.serial, "DEAD-1");
		if (fwh_records_open(fx->path, &cdb, NULL) || fwh_records_begin(cdb, &r, NULL))
			_exit(1);
		raise(SIGKILL); /* killed mid-attempt: no finish, no close */
		_exit(2);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	struct collect *c = calloc(1, sizeof *c);
	fwh_records *rd = open_reader(fx->path);
	read_all(rd, INT64_MIN, c);
	assert_int_equal(c->n, 2);
	assert_int_equal(c->rows[0].result, FWH_REC_IN_PROGRESS); /* we are alive */
	assert_int_equal(c->rows[1].result, FWH_REC_INTERRUPTED);
	fwh_rec_filter f;
	fwh_rec_filter_init(&f);
	f.result = FWH_REC_INTERRUPTED;
	query(rd, &f, c);
	assert_int_equal(c->n, 1);
	assert_string_equal(c->rows[0].serial, "DEAD-1");
	f.result = FWH_REC_IN_PROGRESS;
	query(rd, &f, c);
	assert_int_equal(c->n, 1);
	assert_string_equal(c->rows[0].device, "serial:/dev/pts/1");
	fwh_records_close(rd);
	/* the reader wrote nothing */
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM attempts"
	                                   " WHERE result = 'in-progress'"),
	                 2);

	fwh_records *db2 = open_ok(fx->path);
	read_all(db2, INT64_MIN, c);
	assert_int_equal(c->n, 2);
	assert_int_equal(c->rows[1].result, FWH_REC_INTERRUPTED);
	assert_string_equal(c->rows[1].serial, "DEAD-1");
	assert_string_equal(c->rows[1].error_code, "interrupted");
	assert_int_equal(c->rows[1].duration_ms, -1);
	assert_int_equal(c->rows[1].ended_ms, -1); /* NULL after a crash */
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM attempts"
	                                   " WHERE result = 'interrupted'"),
	                 1);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM pragma_integrity_check"
	                                   " WHERE integrity_check = 'ok'"),
	                 1);
	free(c);
	fwh_records_close(db2);
	fwh_records_close(db);
}

/* Several processes on one database at once: nobody fails on a lock. */
static void test_processes_share(void **state)
{
	struct fixture *fx = *state;
	/* no database yet: the processes also race to create it */
	enum { PROCS = 4, ROWS = 25 };
	pid_t pids[PROCS];
	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			fwh_records *db = NULL;
			fwh_error oerr;
			fwh_error_clear(&oerr);
			if (fwh_records_open(fx->path, &db, &oerr)) {
				/* the sentence says which step lost the race */
				fprintf(stderr, "process %d: %s\n", p, oerr.msg);
				_exit(1);
			}
			for (int i = 0; i < ROWS; i++) {
				fwh_record r;
				fill(&r, "serial:/dev/null");
				snprintf(r.serial, sizeof r.serial, "P%d-%d", p, i);
				if (fwh_records_begin(db, &r, NULL))
					_exit(2);
				r.result = FWH_REC_OK;
				if (fwh_records_finish(db, &r, "log\n", NULL))
					_exit(3);
			}
			fwh_records_close(db);
			_exit(0);
		}
	}
	for (int p = 0; p < PROCS; p++) {
		int st;
		assert_int_equal(waitpid(pids[p], &st, 0), pids[p]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM attempts WHERE result = 'ok'"),
	                 PROCS * ROWS);
	assert_int_equal(raw_int(fx->path, "SELECT count(DISTINCT serial) FROM attempts"),
	                 PROCS * ROWS);
	assert_int_equal(raw_int(fx->path, "SELECT count(DISTINCT attempt_id) FROM attempts"),
	                 PROCS * ROWS);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM attempt_logs"), PROCS * ROWS);
}

struct thread_arg {
	fwh_records *db;
	int t;
	int failures;
};

static void *writer_thread(void *p)
{
	struct thread_arg *a = p;
	for (int i = 0; i < 20; i++) {
		fwh_record r;
		fill(&r, "serial:/dev/null");
		snprintf(r.serial, sizeof r.serial, "T%d-%d", a->t, i);
		if (fwh_records_begin(a->db, &r, NULL))
			a->failures++;
		r.result = FWH_REC_FAILED;
		snprintf(r.error_code, sizeof r.error_code, "timeout");
		if (fwh_records_finish(a->db, &r, NULL, NULL))
			a->failures++;
	}
	return NULL;
}

/* One handle from several threads (the multi-device flashing case). */
static void test_threads_share(void **state)
{
	struct fixture *fx = *state;
	fwh_records *db = open_ok(fx->path);
	pthread_t th[8];
	struct thread_arg args[8];
	for (int t = 0; t < 8; t++) {
		args[t] = (struct thread_arg){.db = db, .t = t};
		assert_int_equal(pthread_create(&th[t], NULL, writer_thread, &args[t]), 0);
	}
	for (int t = 0; t < 8; t++) {
		pthread_join(th[t], NULL);
		assert_int_equal(args[t].failures, 0);
	}
	fwh_records_close(db);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM attempts WHERE result = 'failed'"
	                                   " AND error_code = 'timeout'"),
	                 160);
}

/* ---------------------------------------------------------------------- */
/* Only our database                                                       */

static void expect_refused(const char *path, bool read_only, const char *words)
{
	fwh_records *db = NULL;
	fwh_error err;
	fwh_records_opts o = {.read_only = read_only};
	assert_int_equal(fwh_records_open_ex(path, &o, &db, &err), FWS_E_IO);
	assert_null(db);
	if (!strstr(err.msg, words))
		fail_msg("'%s' not in: %s", words, err.msg);
}

static void test_foreign_and_newer(void **state)
{
	struct fixture *fx = *state;
	fwh_records_close(open_ok(fx->path));
	raw_exec(fx->path, "PRAGMA user_version=3");
	expect_refused(fx->path, false, "newer fwseal");
	expect_refused(fx->path, true, "newer fwseal");

	/* another application's database: refused, and nothing is added */
	char other[160];
	snprintf(other, sizeof other, "%s/crm.sqlite", fx->dir);
	raw_exec(other, "CREATE TABLE customers (name TEXT); INSERT INTO customers VALUES ('x')");
	expect_refused(other, false, "not a production records database");
	expect_refused(other, true, "customers");
	assert_int_equal(raw_int(other, "SELECT count(*) FROM sqlite_master"), 1);
	char mode[16];
	raw_text(other, "PRAGMA journal_mode", mode, sizeof mode);
	assert_string_equal(mode, "delete"); /* not even switched to WAL */
	/* another application that marks its files */
	char marked[160];
	snprintf(marked, sizeof marked, "%s/marked.sqlite", fx->dir);
	raw_exec(marked, "PRAGMA application_id = 1234");
	expect_refused(marked, false, "not a production records database");

	/* a file that is not a database: refused with a sentence, not a crash */
	char junk[160];
	snprintf(junk, sizeof junk, "%s/junk.sqlite", fx->dir);
	FILE *f = fopen(junk, "w");
	assert_non_null(f);
	for (int i = 0; i < 200; i++)
		fputs("this is not an SQLite database. ", f);
	fclose(f);
	expect_refused(junk, false, "--records");
	expect_refused(junk, true, "--records");
}

/* The layout of fwseal before this one: schema 1, no application id. Two
 * versions of it are in the field: the first did not know the result
 * 'unconfirmed' (exit 11, issue 15), the last one does. */
#define V1_SCHEMA(results)                                                                   \
	"CREATE TABLE attempts ("                                                                \
	" id INTEGER PRIMARY KEY AUTOINCREMENT, started_ms INTEGER NOT NULL,"                    \
	" station TEXT NOT NULL, device TEXT NOT NULL, serial TEXT NOT NULL DEFAULT '',"         \
	" model TEXT NOT NULL DEFAULT '', hw_rev INTEGER, from_version TEXT NOT NULL DEFAULT ''," \
	" to_version TEXT NOT NULL, package_sha256 TEXT NOT NULL, result TEXT NOT NULL CHECK"    \
	" (result IN (" results ")),"                                                              \
	" error_code TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '',"                  \
	" duration_ms INTEGER, owner_boot TEXT NOT NULL, owner_pid INTEGER NOT NULL,"            \
	" owner_start INTEGER NOT NULL);"                                                        \
	"CREATE INDEX attempts_started ON attempts(started_ms);"                                 \
	"CREATE INDEX attempts_unit ON attempts(serial, package_sha256, result);"                \
	"PRAGMA user_version=1; PRAGMA journal_mode=WAL;"                                        \
	"INSERT INTO attempts (started_ms, station, device, serial, model, hw_rev, to_version,"  \
	" package_sha256, result, duration_ms, owner_boot, owner_pid, owner_start) VALUES"       \
	" (1700000000000, 'old', 'serial:/dev/x', 'V1-A', 'M', 1, '1.0', 'aa', 'ok', 1500, 'b', 1, 1)," \
	" (1700000001000, 'old', 'serial:/dev/y', 'V1-B', 'M', 1, '1.0', 'aa', 'failed', 700, 'b', 1, 1)," \
	" (1700000002000, 'old', 'serial:/dev/z', 'V1-C', 'M', 1, '1.0', 'aa', 'in-progress', NULL," \
	"  'another-boot', 1, 1);"

static const char v1_schema[] =
	V1_SCHEMA("'in-progress','ok','refused','failed','interrupted'");
static const char v1_schema_unconfirmed[] =
	V1_SCHEMA("'in-progress','ok','refused','failed','interrupted','unconfirmed'")
	"INSERT INTO attempts (started_ms, station, device, serial, model, hw_rev, to_version,"
	" package_sha256, result, error_code, duration_ms, owner_boot, owner_pid, owner_start)"
	" VALUES (1700000003000, 'old', 'serial:/dev/w', 'V1-D', 'M', 1, '1.0', 'aa',"
	" 'unconfirmed', 'unconfirmed', 9000, 'b', 1, 1);";

static void test_migrate_v1(void **state)
{
	struct fixture *fx = *state;
	char path[160];
	snprintf(path, sizeof path, "%s/v1.sqlite", fx->dir);
	raw_exec(path, v1_schema);

	/* a reader reads the old layout as it is, and changes nothing */
	struct collect *c = calloc(1, sizeof *c);
	fwh_records *rd = open_reader(path);
	read_all(rd, INT64_MIN, c);
	assert_int_equal(c->n, 3);
	assert_string_equal(c->rows[0].serial, "V1-A");
	assert_int_equal(c->rows[0].ended_ms, 1700000001500);
	assert_string_equal(c->rows[0].operator_name, "");
	assert_int_equal(c->rows[2].result, FWH_REC_INTERRUPTED); /* its boot is gone */
	fwh_rec_filter f;
	fwh_rec_filter_init(&f);
	f.serial = "V1-B";
	query(rd, &f, c);
	assert_int_equal(c->n, 1);
	fwh_records_close(rd);
	assert_int_equal(raw_int(path, "PRAGMA user_version"), 1);

	/* a writer migrates it, in one transaction, keeping every row */
	fwh_records *db = open_ok(path);
	assert_int_equal(raw_int(path, "PRAGMA user_version"), FWH_REC_SCHEMA);
	assert_int_equal(raw_int(path, "PRAGMA application_id"), FWH_REC_APP_ID);
	read_all(db, INT64_MIN, c);
	assert_int_equal(c->n, 3);
	assert_int_equal(c->rows[0].id, 1);
	assert_string_equal(c->rows[1].serial, "V1-B");
	assert_int_equal(c->rows[1].duration_ms, 700);
	assert_int_equal(c->rows[1].ended_ms, 1700000001700);
	assert_int_equal(c->rows[2].result, FWH_REC_INTERRUPTED);
	for (size_t i = 0; i < c->n; i++)
		assert_true(is_uuid(c->rows[i].attempt_id));
	assert_int_equal(raw_int(path, "SELECT count(DISTINCT attempt_id) FROM attempts"), 3);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM pragma_integrity_check"
	                               " WHERE integrity_check = 'ok'"),
	                 1);
	/* and goes on numbering after the old rows; the migrated table takes
	 * the results the old one did not know (its CHECK refused them) */
	fwh_record r;
	fill(&r, "serial:/dev/new");
	assert_int_equal(fwh_records_begin(db, &r, NULL), FWS_OK);
	assert_int_equal(r.id, 4);
	r.result = FWH_REC_UNCONFIRMED;
	snprintf(r.error_code, sizeof r.error_code, "unconfirmed");
	r.duration_ms = 5;
	r.ended_ms = r.started_ms + 5;
	fwh_error err;
	if (fwh_records_finish(db, &r, "log", &err) != FWS_OK)
		fail_msg("an unconfirmed result in a migrated file: %s", err.msg);
	fill(&r, "serial:/dev/skip");
	r.result = FWH_REC_SKIPPED;
	snprintf(r.error_code, sizeof r.error_code, "already-installed");
	assert_int_equal(fwh_records_add(db, &r, NULL, NULL), FWS_OK);
	read_all(db, INT64_MIN, c);
	assert_int_equal(c->n, 5);
	assert_int_equal(c->rows[3].result, FWH_REC_UNCONFIRMED);
	assert_int_equal(c->rows[4].result, FWH_REC_SKIPPED);
	fwh_records_close(db);
	free(c);
}

/* The last schema-1 layout (with 'unconfirmed') and such a row: migrated
 * whole, the row keeps its result. */
static void test_migrate_v1_unconfirmed(void **state)
{
	struct fixture *fx = *state;
	char path[160];
	snprintf(path, sizeof path, "%s/v1u.sqlite", fx->dir);
	raw_exec(path, v1_schema_unconfirmed);
	struct collect *c = calloc(1, sizeof *c);
	fwh_records *db = open_ok(path);
	assert_int_equal(raw_int(path, "PRAGMA user_version"), FWH_REC_SCHEMA);
	read_all(db, INT64_MIN, c);
	assert_int_equal(c->n, 4);
	assert_int_equal(c->rows[3].result, FWH_REC_UNCONFIRMED);
	assert_string_equal(c->rows[3].error_code, "unconfirmed");
	assert_int_equal(c->rows[3].ended_ms, 1700000012000);
	fwh_record r;
	fill(&r, "serial:/dev/new");
	r.result = FWH_REC_UNCONFIRMED;
	assert_int_equal(fwh_records_add(db, &r, NULL, NULL), FWS_OK);
	assert_int_equal(r.id, 5);
	fwh_records_close(db);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM attempts WHERE result = 'unconfirmed'"),
	                 2);
	free(c);
}

/* Reading never writes: the file's bytes stay as they were. */
static void file_bytes(const char *path, uint8_t **out, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	*out = malloc((size_t)len + 1);
	assert_int_equal(fread(*out, 1, (size_t)len, f), (size_t)len);
	*n = (size_t)len;
	fclose(f);
}

static void test_reader_never_writes(void **state)
{
	struct fixture *fx = *state;
	fwh_records *db = open_ok(fx->path);
	for (int i = 0; i < 20; i++)
		add_row(db, "s", "R", 'a', 1800000000000 + i, FWH_REC_OK, 10, "M");
	fwh_records_close(db);
	uint8_t *before, *after;
	size_t nb, na;
	file_bytes(fx->path, &before, &nb);
	fwh_records *rd = open_reader(fx->path);
	struct collect *c = calloc(1, sizeof *c);
	read_all(rd, INT64_MIN, c);
	assert_int_equal(c->n, 20);
	fwh_rec_stats *s = NULL;
	size_t n = 0;
	fwh_rec_filter f;
	fwh_rec_filter_init(&f);
	assert_int_equal(fwh_records_stats(rd, &f, &s, &n, NULL), FWS_OK);
	free(s);
	fwh_record r;
	fill(&r, "serial:/dev/null");
	fwh_error err;
	assert_int_equal(fwh_records_begin(rd, &r, &err), FWS_E_IO); /* a reader cannot */
	fwh_records_close(rd);
	file_bytes(fx->path, &after, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	free(before);
	free(after);
	free(c);

	/* a reader of a file that does not exist creates none */
	char missing[160];
	snprintf(missing, sizeof missing, "%s/none/records.sqlite", fx->dir);
	expect_refused(missing, true, "there is no such file");
	assert_int_not_equal(access(missing, F_OK), 0);
}

/* Every query the tool makes is served by an index, whatever the size. */
static void test_query_plans(void **state)
{
	struct fixture *fx = *state;
	fwh_records *db = open_ok(fx->path);
	fwh_records_close(db);
	sqlite3 *s;
	assert_int_equal(sqlite3_open(fx->path, &s), SQLITE_OK);
	/* a few thousand rows (fwseal never runs ANALYZE: no statistics) */
	assert_int_equal(sqlite3_exec(s,
	                              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
	                              " WHERE i < 3000) INSERT INTO attempts (attempt_id, started_ms,"
	                              " station, device, serial, to_version, package_sha256, result,"
	                              " owner_boot, owner_pid, owner_start) SELECT 'id-' || i,"
	                              " 1800000000000 + i, 's' || (i % 4), 'd', 'SN' || i, '2',"
	                              " 'aa', CASE WHEN i % 10 THEN 'ok' ELSE 'failed' END, 'b', 1, 1"
	                              " FROM n;",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	struct {
		enum fwh_rsq_sql which;
		fwh_rec_filter f;
		const char *index;
	} cases[16];
	size_t n = 0;
	fwh_rec_filter base;
	fwh_rec_filter_init(&base);
#define CASE(w, idx, ...)                                    \
	do {                                                      \
		cases[n].which = (w);                                 \
		cases[n].f = base;                                    \
		{ fwh_rec_filter *f = &cases[n].f; __VA_ARGS__; (void)f; } \
		cases[n++].index = (idx);                             \
	} while (0)
	CASE(FWH_RSQ_SQL_QUERY, "attempts_started", );
	CASE(FWH_RSQ_SQL_QUERY, "attempts_unit", f->serial = "SN7");
	CASE(FWH_RSQ_SQL_QUERY, "attempts_station", f->station = "s1");
	CASE(FWH_RSQ_SQL_QUERY, "attempts_result", f->result = FWH_REC_FAILED);
	CASE(FWH_RSQ_SQL_QUERY, "attempts_result", f->result = -2);
	CASE(FWH_RSQ_SQL_QUERY, "attempts_started", f->since_ms = 1800000002900);
	CASE(FWH_RSQ_SQL_QUERY, "attempts_started", f->since_ms = 1800000001000;
	     f->until_ms = 1800000001100);
	CASE(FWH_RSQ_SQL_QUERY, "attempts_started", f->limit = 50);
	CASE(FWH_RSQ_SQL_QUERY, "attempts_unit", f->serial = "SN7"; f->limit = 5);
	CASE(FWH_RSQ_SQL_LAST, "attempts_unit", );
	CASE(FWH_RSQ_SQL_BY_ID, "INTEGER PRIMARY KEY", );
	CASE(FWH_RSQ_SQL_BY_ATTEMPT, "sqlite_autoindex_attempts_1", );
	CASE(FWH_RSQ_SQL_REAP, "attempts_result", );
#undef CASE
	for (size_t i = 0; i < n; i++) {
		char sql[4096], eqp[4200], plan[4096] = "";
		fwh_rsq_sql(cases[i].which, &cases[i].f, FWH_REC_SCHEMA, sql, sizeof sql);
		snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql);
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(s, eqp, -1, &st, NULL) != SQLITE_OK)
			fail_msg("%s: %s", sql, sqlite3_errmsg(s));
		bool full_scan = false;
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(st, 3);
			size_t l = strlen(plan);
			snprintf(plan + l, sizeof plan - l, "%s; ", d);
			/* "SCAN a" without an index walks the whole table */
			if (!strncmp(d, "SCAN ", 5) && !strstr(d, "USING") && strncmp(d, "SCAN (", 6) != 0 &&
			    strcmp(d, "SCAN CONSTANT ROW") != 0)
				full_scan = true;
		}
		sqlite3_finalize(st);
		if (full_scan || !strstr(plan, cases[i].index))
			fail_msg("query %zu does not use %s: %s\n  %s", i, cases[i].index, plan, sql);
	}
	sqlite3_close(s);
}

static void test_stats(void **state)
{
	struct fixture *fx = *state;
	fwh_records *db = open_ok(fx->path);
	const int64_t t = 1800000000000;
	/* s1/M: U1 fails then succeeds, U2 ok, U3 refused; a skip, a unit
	 * without a serial (unreachable) */
	add_row(db, "s1", "U1", 'a', t + 0, FWH_REC_FAILED, 900, "M");
	add_row(db, "s1", "U2", 'a', t + 1, FWH_REC_OK, 2000, "M");
	add_row(db, "s1", "U3", 'a', t + 2, FWH_REC_REFUSED, 10, "M");
	add_row(db, "s1", "U1", 'a', t + 3, FWH_REC_OK, 3000, "M");
	add_row(db, "s1", "U2", 'a', t + 4, FWH_REC_SKIPPED, 5, "M");
	add_row(db, "s1", "", 'a', t + 5, FWH_REC_FAILED, 5, "");
	/* s2/M: twenty ok units, 100..2000 ms */
	for (int i = 1; i <= 20; i++) {
		char sn[16];
		snprintf(sn, sizeof sn, "V%d", i);
		add_row(db, "s2", sn, 'a', t + 100 + i, FWH_REC_OK, 100 * i, "M");
	}
	fwh_rec_filter f;
	fwh_rec_filter_init(&f);
	fwh_rec_stats *s = NULL;
	size_t n = 0;
	assert_int_equal(fwh_records_stats(db, &f, &s, &n, NULL), FWS_OK);
	assert_int_equal(n, 3);
	assert_string_equal(s[0].station, "s1");
	assert_string_equal(s[0].model, "M");
	assert_int_equal(s[0].attempts, 4);
	assert_int_equal(s[0].units, 3);
	assert_int_equal(s[0].first_pass_ok, 1);
	assert_int_equal(s[0].retries, 1);
	assert_int_equal(s[0].ok, 2);
	assert_int_equal(s[0].median_ms, 2000);
	assert_int_equal(s[0].p95_ms, 3000);
	assert_string_equal(s[1].model, ""); /* the unreachable one */
	assert_int_equal(s[1].attempts, 1);
	assert_int_equal(s[1].units, 0);
	assert_int_equal(s[1].median_ms, -1);
	assert_string_equal(s[2].station, "s2");
	assert_int_equal(s[2].attempts, 20);
	assert_int_equal(s[2].units, 20);
	assert_int_equal(s[2].first_pass_ok, 20);
	assert_int_equal(s[2].median_ms, 1000); /* nearest rank: 10th of 20 */
	assert_int_equal(s[2].p95_ms, 1900);    /* 19th of 20 */
	free(s);
	/* filtered */
	f.station = "s2";
	f.since_ms = t + 111;
	assert_int_equal(fwh_records_stats(db, &f, &s, &n, NULL), FWS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].attempts, 10);
	free(s);
	fwh_records_close(db);
}

static void test_log_buffer(void **state)
{
	(void)state;
	fwh_rec_log l;
	fwh_rec_log_init(&l);
	assert_string_equal(fwh_rec_log_text(&l), "");
	fwh_rec_log_add(&l, "device says %s", "evil\033[2Jtext\nnext");
	const char *t = fwh_rec_log_text(&l);
	assert_non_null(strstr(t, "device says evil?[2Jtext?next\n"));
	assert_int_equal(strchr(t, '\n') - t + 1, (long)strlen(t)); /* one line */
	char big[400];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	for (int i = 0; i < 400; i++)
		fwh_rec_log_add(&l, "%s", big);
	t = fwh_rec_log_text(&l);
	assert_true(strlen(t) <= FWH_REC_LOG_MAX + 256);
	assert_non_null(strstr(t, "more lines were left out of this log"));
	fwh_rec_log_free(&l);
}

static void test_uri(void **state)
{
	(void)state;
	char out[256];
	assert_true(fwh_records_is_uri("postgresql://line@db/records"));
	assert_true(fwh_records_is_uri("postgres://db"));
	assert_false(fwh_records_is_uri("/var/lib/records.sqlite"));
	assert_false(fwh_records_is_uri("postgresql:/x"));
	fwh_records_redact("postgresql://line:s3cret@db.local:5432/records", out, sizeof out);
	assert_string_equal(out, "postgresql://line:***@db.local:5432/records");
	fwh_records_redact("postgresql://line@db/records?password=s3cret&sslmode=require", out,
	                   sizeof out);
	assert_string_equal(out, "postgresql://line@db/records?password=***&sslmode=require");
	fwh_records_redact("postgres://db/r", out, sizeof out);
	assert_string_equal(out, "postgres://db/r");
	fwh_records_redact("/a:b@c", out, sizeof out);
	assert_string_equal(out, "/a:b@c");
}

static void test_default_path(void **state)
{
	(void)state;
	char p[256];
	setenv("XDG_DATA_HOME", "/srv/xdg", 1);
	assert_int_equal(fwh_records_default_path(p, sizeof p), FWS_OK);
	assert_string_equal(p, "/srv/xdg/fwseal/records.sqlite");
	setenv("XDG_DATA_HOME", "relative/is/ignored", 1);
	setenv("HOME", "/home/op", 1);
	assert_int_equal(fwh_records_default_path(p, sizeof p), FWS_OK);
	assert_string_equal(p, "/home/op/.local/share/fwseal/records.sqlite");
	unsetenv("XDG_DATA_HOME");
	assert_int_equal(fwh_records_default_path(p, 10), FWS_E_NOMEM);
	unsetenv("HOME");
	assert_int_equal(fwh_records_default_path(p, sizeof p), FWS_E_IO);
}

static void test_time(void **state)
{
	(void)state;
	int64_t ms;
	char out[FWH_REC_TIME_MAX];
	assert_true(fwh_records_parse_time("2026-11-21", &ms));
	fwh_records_format_time(ms, out);
	assert_string_equal(out, "2026-11-21T00:00:00.000Z");
	assert_true(fwh_records_parse_time("2026-11-21T21:40:05.123Z", &ms));
	fwh_records_format_time(ms, out);
	assert_string_equal(out, "2026-11-21T21:40:05.123Z");
	assert_true(fwh_records_parse_time("2026-11-21 23:40+02:00", &ms));
	fwh_records_format_time(ms, out);
	assert_string_equal(out, "2026-11-21T21:40:00.000Z");
	assert_true(fwh_records_parse_time("2024-02-29T00:00:00-0130", &ms));
	fwh_records_format_time(ms, out);
	assert_string_equal(out, "2024-02-29T01:30:00.000Z");
	const char *bad[] = {"", "2026", "2026-13-01", "2025-02-29", "2026-11-21T24:00",
	                     "2026-11-21T10", "2026-11-21T10:00:00.", "2026-11-21x",
	                     "2026-11-21T10:00Z junk", "yesterday"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(fwh_records_parse_time(bad[i], &ms));

	enum fwh_rec_result r;
	for (int i = 0; i < FWH_REC_RESULT_COUNT; i++) {
		assert_true(fwh_rec_result_parse(fwh_rec_result_name((enum fwh_rec_result)i), &r));
		assert_int_equal(r, i);
	}
	assert_true(fwh_rec_result_parse("unconfirmed", &r));
	assert_int_equal(r, FWH_REC_UNCONFIRMED);
	assert_false(fwh_rec_result_parse("success", &r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters_and_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_processes_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_and_newer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1_unconfirmed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_never_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_plans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test(test_log_buffer),
		cmocka_unit_test(test_uri),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
