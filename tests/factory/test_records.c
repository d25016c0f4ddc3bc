/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_records.c - production records (host-tool/lib/records.c) against a
 * real SQLite file: exact round trip, filters, the "already flashed" lookup,
 * interrupted attempts of dead processes, several processes and several
 * threads writing at once, a newer schema refused, ISO 8601 times.
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

static void fill(fwh_record *r, const char *device)
{
	memset(r, 0, sizeof *r);
	snprintf(r->station, sizeof r->station, "line-1");
	snprintf(r->device, sizeof r->device, "%s", device);
	r->hw_rev = -1;
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

/* SQL on a second, raw connection: what another program would see. */
static int64_t raw_int(const char *path, const char *sql)
{
	sqlite3 *s;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
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

/* ---------------------------------------------------------------------- */

static void test_round_trip(void **state)
{
	struct fixture *fx = *state;
	fwh_records *db = open_ok(fx->path);

	char mode[16];
	raw_text(fx->path, "PRAGMA journal_mode", mode, sizeof mode);
	assert_string_equal(mode, "wal");
	assert_int_equal(raw_int(fx->path, "PRAGMA user_version"), FWH_REC_SCHEMA);

	fwh_record r;
	fill(&r, "serial:/dev/pts/7");
	r.started_ms = 1700000000123;
	assert_int_equal(fwh_records_begin(db, &r, NULL), FWS_OK);
	assert_true(r.id > 0);

	struct collect *c = calloc(1, sizeof *c);
	read_all(db, INT64_MIN, c);
	assert_int_equal(c->n, 1);
	assert_int_equal(c->rows[0].result, FWH_REC_IN_PROGRESS);
	assert_int_equal(c->rows[0].hw_rev, -1);
	assert_int_equal(c->rows[0].duration_ms, -1);
	assert_string_equal(c->rows[0].serial, "");

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
	assert_int_equal(fwh_records_finish(db, &r, NULL), FWS_OK);

	read_all(db, INT64_MIN, c);
	assert_int_equal(c->n, 1);
	const fwh_record *g = &c->rows[0];
	assert_int_equal(g->id, r.id);
	assert_int_equal(g->started_ms, 1700000000123);
	assert_string_equal(g->station, "line-1");
	assert_string_equal(g->device, "serial:/dev/pts/7");
	assert_string_equal(g->serial, "SN-0042");
	assert_string_equal(g->model, "acme-thermo");
	assert_int_equal(g->hw_rev, 3);
	assert_string_equal(g->from_version, "1.0.0");
	assert_string_equal(g->to_version, "2.0.0");
	assert_string_equal(g->package_sha256, r.package_sha256);
	assert_int_equal(g->result, FWH_REC_OK);
	assert_string_equal(g->error_code, "");
	assert_int_equal(g->duration_ms, 4321);

	/* a failed attempt keeps its error and measures its own duration */
	fwh_record f;
	fill(&f, "serial:/dev/pts/8");
	assert_int_equal(fwh_records_begin(db, &f, NULL), FWS_OK);
	f.result = FWH_REC_REFUSED;
	snprintf(f.error_code, sizeof f.error_code, "model");
	snprintf(f.error, sizeof f.error, "the package is for another model.");
	assert_int_equal(fwh_records_finish(db, &f, NULL), FWS_OK);
	assert_true(f.duration_ms >= 0 && f.duration_ms < 10000);
	read_all(db, INT64_MIN, c);
	assert_int_equal(c->n, 2);
	assert_int_equal(c->rows[1].result, FWH_REC_REFUSED);
	assert_string_equal(c->rows[1].error_code, "model");
	assert_string_equal(c->rows[1].error, "the package is for another model.");

	/* finishing a row that does not exist is an error, with a sentence */
	fwh_error err;
	f.id = 9999;
	assert_int_equal(fwh_records_finish(db, &f, &err), FWS_E_IO);
	assert_true(strlen(err.msg) > 10);

	free(c);
	fwh_records_close(db);
}

static void test_since_and_already_ok(void **state)
{
	struct fixture *fx = *state;
	fwh_records *db = open_ok(fx->path);
	const int64_t t0 = 1800000000000;
	const char *serials[] = {"A", "B", "A", "C"};
	const enum fwh_rec_result res[] = {FWH_REC_FAILED, FWH_REC_OK, FWH_REC_OK, FWH_REC_OK};
	for (int i = 0; i < 4; i++) {
		fwh_record r;
		fill(&r, "serial:/dev/null");
		r.started_ms = t0 + i * 1000;
		snprintf(r.serial, sizeof r.serial, "%s", serials[i]);
		if (i == 3)
			r.package_sha256[0] = 'b'; /* another package */
		assert_int_equal(fwh_records_begin(db, &r, NULL), FWS_OK);
		r.result = res[i];
		assert_int_equal(fwh_records_finish(db, &r, NULL), FWS_OK);
	}
	struct collect *c = calloc(1, sizeof *c);
	read_all(db, t0 + 1000, c);
	assert_int_equal(c->n, 3);
	assert_string_equal(c->rows[0].serial, "B");
	read_all(db, t0 + 3001, c);
	assert_int_equal(c->n, 0);

	char digest[FWH_REC_DIGEST_HEX + 1];
	memset(digest, 'a', FWH_REC_DIGEST_HEX);
	digest[FWH_REC_DIGEST_HEX] = '\0';
	bool yes;
	assert_int_equal(fwh_records_already_ok(db, "A", digest, &yes, NULL), FWS_OK);
	assert_true(yes);
	assert_int_equal(fwh_records_already_ok(db, "C", digest, &yes, NULL), FWS_OK);
	assert_false(yes); /* C took another package */
	assert_int_equal(fwh_records_already_ok(db, "D", digest, &yes, NULL), FWS_OK);
	assert_false(yes);
	free(c);
	fwh_records_close(db);
}

/* A process that begins an attempt and dies: its row becomes interrupted at
 * the next open; the rows of a live process are left alone. */
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

	fwh_records *db2 = open_ok(fx->path);
	struct collect *c = calloc(1, sizeof *c);
	read_all(db2, INT64_MIN, c);
	assert_int_equal(c->n, 2);
	assert_int_equal(c->rows[0].result, FWH_REC_IN_PROGRESS); /* we are alive */
	assert_int_equal(c->rows[1].result, FWH_REC_INTERRUPTED);
	assert_string_equal(c->rows[1].serial, "DEAD-1");
	assert_string_equal(c->rows[1].error_code, "interrupted");
	assert_int_equal(c->rows[1].duration_ms, -1);
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
			if (fwh_records_open(fx->path, &db, NULL))
				_exit(1);
			for (int i = 0; i < ROWS; i++) {
				fwh_record r;
				fill(&r, "serial:/dev/null");
				snprintf(r.serial, sizeof r.serial, "P%d-%d", p, i);
				if (fwh_records_begin(db, &r, NULL))
					_exit(2);
				r.result = FWH_REC_OK;
				if (fwh_records_finish(db, &r, NULL))
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
		if (fwh_records_finish(a->db, &r, NULL))
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

static void test_newer_schema_refused(void **state)
{
	struct fixture *fx = *state;
	fwh_records_close(open_ok(fx->path));
	sqlite3 *s;
	assert_int_equal(sqlite3_open(fx->path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, "PRAGMA user_version=2", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(s);
	fwh_records *db = NULL;
	fwh_error err;
	assert_int_equal(fwh_records_open(fx->path, &db, &err), FWS_E_IO);
	assert_null(db);
	assert_non_null(strstr(err.msg, "newer fwseal"));

	/* a file that is not a database: refused with a sentence, not a crash */
	char junk[160];
	snprintf(junk, sizeof junk, "%s/junk.sqlite", fx->dir);
	FILE *f = fopen(junk, "w");
	assert_non_null(f);
	for (int i = 0; i < 200; i++)
		fputs("this is not an SQLite database. ", f);
	fclose(f);
	assert_int_equal(fwh_records_open(junk, &db, &err), FWS_E_IO);
	assert_null(db);
	assert_non_null(strstr(err.msg, "--records"));
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
	assert_false(fwh_rec_result_parse("success", &r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_since_and_already_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_processes_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
