/* SPDX-License-Identifier: Apache-2.0 */
/*
 * records_scale.c - the driver of bench/records-scale (production records
 * at a million rows, issue 12).
 *
 *   records-scale-driver fill PATH N     make a records file of N attempts:
 *                                        the schema by fwh_records_open(),
 *                                        the rows by one bulk transaction
 *                                        (4 stations, ~1.2 attempts a unit,
 *                                        ~3 % failed, one every 20 s)
 *   records-scale-driver cycle PATH K    K times what one `fwseal flash`
 *                                        does with its records, timed as a
 *                                        whole: open as a writer (schema
 *                                        check, interrupted rows), begin
 *                                        (committed), update, finish with a
 *                                        2 KiB session log (committed),
 *                                        close. Prints the median and every
 *                                        cycle in ms; stderr: the mean of
 *                                        each phase.
 *
 * The rows it adds in `cycle` are real attempts (station "bench"); run it
 * on scratch files only.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fwseal-host/records.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what, const char *why)
{
	fprintf(stderr, "records-scale-driver: %s: %s\n", what, why);
	return 1;
}

static int fill(const char *path, long n)
{
	fwh_records *db = NULL;
	fwh_error err;
	if (fwh_records_open(path, &db, &err) != FWS_OK)
		return die(path, err.msg);
	fwh_records_close(db);
	sqlite3 *s;
	if (sqlite3_open(path, &s) != SQLITE_OK)
		return die(path, "cannot open");
	sqlite3_exec(s, "PRAGMA synchronous=OFF", NULL, NULL, NULL);
	sqlite3_exec(s, "BEGIN", NULL, NULL, NULL);
	sqlite3_stmt *ins, *log;
	if (sqlite3_prepare_v2(s,
	                       "INSERT INTO attempts (attempt_id, started_ms, ended_ms, station,"
	                       " operator, work_order, tool_version, device, serial, model, hw_rev,"
	                       " from_version, to_version, reported_version, package_sha256,"
	                       " image_sha256, result, error_code, error, duration_ms, owner_machine,"
	                       " owner_boot, owner_pid, owner_start) VALUES (?1, ?2, ?3, ?4, 'op',"
	                       " ?5, '0.1.0', ?6, ?7, 'ACME-THERMO-2', 1, '1.0.0', '2.0.0', ?8,"
	                       " ?9, ?10, ?11, ?12, ?13, ?14, 'bench-machine', 'bench-boot', 1, 1)",
	                       -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s, "INSERT INTO attempt_logs (attempt_id, log) VALUES (?1, ?2)", -1,
	                       &log, NULL) != SQLITE_OK)
		return die("prepare", sqlite3_errmsg(s));
	const int64_t t0 = 1767225600000; /* 2026-01-01 */
	char logtext[512];
	memset(logtext, 'x', sizeof logtext - 1);
	logtext[sizeof logtext - 1] = '\0';
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	long unit = 0;
	for (long i = 0; i < n; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		/* about one unit in five needs a second attempt */
		bool retry = i > 0 && (rng % 5) == 0;
		if (!retry)
			unit++;
		bool failed = (rng >> 8) % 100 < 3;
		char id[64], dev[48], sn[32], wo[32], pkg[65], img[65];
		/* time-ordered, as fwh_rec_new_id() makes them (UUID version 7) */
		int64_t tid = t0 + (int64_t)i * 20000;
		snprintf(id, sizeof id, "%08llx-%04llx-7000-8000-%012lx",
		         (unsigned long long)(tid >> 16), (unsigned long long)(tid & 0xffff),
		         (unsigned long)(rng & 0xffffffffffffull));
		snprintf(dev, sizeof dev, "serial:/dev/ttyUSB%ld", i % 8);
		snprintf(sn, sizeof sn, "SN%08ld", unit);
		snprintf(wo, sizeof wo, "WO-%ld", i / 5000);
		memset(pkg, 'a' + (int)((i / 100000) % 6), 64);
		pkg[64] = '\0';
		memset(img, 'b', 64);
		img[64] = '\0';
		int64_t t = t0 + (int64_t)i * 20000;
		int64_t dur = 15000 + (int64_t)((rng >> 16) % 5000);
		char station[16];
		snprintf(station, sizeof station, "station-%ld", i % 4);
		sqlite3_bind_text(ins, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(ins, 2, t);
		sqlite3_bind_int64(ins, 3, t + dur);
		sqlite3_bind_text(ins, 4, station, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 5, wo, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 6, dev, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 7, sn, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 8, failed ? "" : "2.0.0", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 9, pkg, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 10, img, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 11, failed ? "failed" : "ok", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 12, failed ? "timeout" : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 13, failed ? "The device stopped answering." : "", -1,
		                  SQLITE_STATIC);
		sqlite3_bind_int64(ins, 14, dur);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return die("insert", sqlite3_errmsg(s));
		sqlite3_reset(ins);
		sqlite3_bind_text(log, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(log, 2, logtext, -1, SQLITE_STATIC);
		if (sqlite3_step(log) != SQLITE_DONE)
			return die("insert log", sqlite3_errmsg(s));
		sqlite3_reset(log);
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(log);
	if (sqlite3_exec(s, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return die("commit", sqlite3_errmsg(s));
	sqlite3_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	sqlite3_close(s);
	printf("%ld rows in %s\n", n, path);
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int cycle(const char *path, int k)
{
	double *ms = calloc((size_t)k, sizeof *ms);
	char log[2048];
	memset(log, 'l', sizeof log - 2);
	log[sizeof log - 2] = '\n';
	log[sizeof log - 1] = '\0';
	/* the phases too, summed over the cycles: open, begin, update, finish, close */
	double phase[5] = {0, 0, 0, 0, 0};
	for (int i = 0; i < k; i++) {
		double t = now_s(), p0 = t;
		fwh_records *db = NULL;
		fwh_error err;
		if (fwh_records_open(path, &db, &err) != FWS_OK)
			return die(path, err.msg);
		phase[0] += now_s() - p0;
		fwh_record r;
		memset(&r, 0, sizeof r);
		snprintf(r.station, sizeof r.station, "bench");
		snprintf(r.device, sizeof r.device, "serial:/dev/ttyUSB0");
		snprintf(r.serial, sizeof r.serial, "BENCH-%d", i);
		snprintf(r.model, sizeof r.model, "ACME-THERMO-2");
		r.hw_rev = 1;
		r.ended_ms = -1;
		r.duration_ms = -1;
		snprintf(r.to_version, sizeof r.to_version, "2.0.0");
		memset(r.package_sha256, 'f', FWH_REC_DIGEST_HEX);
		p0 = now_s();
		if (fwh_records_begin(db, &r, &err) != FWS_OK)
			return die("begin", err.msg);
		phase[1] += now_s() - p0;
		p0 = now_s();
		if (fwh_records_update(db, &r, &err) != FWS_OK)
			return die("update", err.msg);
		phase[2] += now_s() - p0;
		r.result = FWH_REC_OK;
		p0 = now_s();
		if (fwh_records_finish(db, &r, log, &err) != FWS_OK)
			return die("finish", err.msg);
		phase[3] += now_s() - p0;
		p0 = now_s();
		fwh_records_close(db);
		phase[4] += now_s() - p0;
		ms[i] = (now_s() - t) * 1000.0;
	}
	fprintf(stderr, "mean ms: open %.2f begin %.2f update %.2f finish %.2f close %.2f\n",
	        phase[0] * 1000 / k, phase[1] * 1000 / k, phase[2] * 1000 / k, phase[3] * 1000 / k,
	        phase[4] * 1000 / k);
	double *sorted = calloc((size_t)k, sizeof *sorted);
	memcpy(sorted, ms, (size_t)k * sizeof *ms);
	qsort(sorted, (size_t)k, sizeof *sorted, cmp_d);
	double med = k % 2 ? sorted[k / 2] : (sorted[k / 2 - 1] + sorted[k / 2]) / 2.0;
	printf("%.3f", med);
	for (int i = 0; i < k; i++)
		printf(" %.2f", ms[i]);
	printf("\n");
	free(ms);
	free(sorted);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "fill"))
		return fill(argv[2], atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "cycle"))
		return cycle(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: records-scale-driver fill PATH N | cycle PATH K\n");
	return 2;
}
