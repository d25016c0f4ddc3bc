/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_records_faults.c - production records that fail closed (issue 12),
 * through the fwseal command against simulated devices. Each fault is made
 * so that it really bites here, where the tests run as root:
 *   - a read-only records file (mode 0444) written by an unprivileged user
 *     (fwseal runs as "nobody": root would write a 0444 file anyway);
 *   - an immutable file (chattr +i, FS_IOC_SETFLAGS; root cannot write it);
 *   - two pages of the database (index roots) overwritten behind an intact
 *     header;
 *   - the disk filling up in the middle of an eight-unit run (a small tmpfs
 *     filled once every unit has begun), and while one device downloads;
 *   - another program holding the write lock past the busy timeout while
 *     `fwseal flash` (two devices) or `fwseal watch` runs;
 *   - another application's SQLite file given as --records;
 *   - `fwseal records` on read-only media (a read-only bind mount), and
 *     reading that changes nothing.
 * In every case a unit is either untouched or its failure to be recorded is
 * reported (stderr, --json, exit code 10); exit 0 only when all of it held.
 * Faults that need a privilege this machine does not give (mount, chattr)
 * skip with the reason on stderr.
 *
 * Environment: FWSEAL_SIM, FWSEAL_CLI (set by meson).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "factory_fixture.h"

#define ARG(s) ((char *)(uintptr_t)(s))
#define IMAGE  (24u * 1024u + 5u)

static int run(char *const argv[], char *out, size_t cap, const fx_spawn_opts *o)
{
	return fx_run_capture_ex(argv, out, cap, 30000, o);
}

/* argv of `fwseal flash PKG --trust T --records R --yes --json --device ...` */
static size_t flash_argv(const fx *f, char **argv, const char *records, fx_sim *sims, size_t n)
{
	size_t a = 0;
	argv[a++] = ARG(f->fwseal_path);
	argv[a++] = ARG("flash");
	argv[a++] = ARG(f->pkg);
	argv[a++] = ARG("--trust");
	argv[a++] = ARG(f->trust);
	argv[a++] = ARG("--records");
	argv[a++] = ARG(records);
	argv[a++] = ARG("--station");
	argv[a++] = ARG("faults");
	argv[a++] = ARG("--yes");
	argv[a++] = ARG("--json");
	for (size_t i = 0; i < n; i++) {
		argv[a++] = ARG("--device");
		argv[a++] = sims[i].device;
	}
	argv[a] = NULL;
	return a;
}

/* A records database with one real attempt in it, made by fwseal itself. */
static void make_records(const fx *f, const char *records, const char *serial)
{
	fx_sim s;
	fx_sim_start(f, &s, serial, FX_MODEL, serial, 0);
	char *argv[32];
	flash_argv(f, argv, records, &s, 1);
	char out[65536];
	assert_int_equal(run(argv, out, sizeof out, NULL), 0);
	fx_sim_kill(&s, SIGTERM);
}

static void start_sims(const fx *f, fx_sim *sims, size_t n, const char *tag)
{
	for (size_t i = 0; i < n; i++) {
		char name[32], sn[32];
		snprintf(name, sizeof name, "%s%zu", tag, i);
		snprintf(sn, sizeof sn, "%s-%zu", tag, i);
		fx_sim_start(f, &sims[i], name, FX_MODEL, sn, 0);
	}
}

static void kill_sims(fx_sim *sims, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fx_sim_kill(&sims[i], SIGTERM);
}

static void assert_untouched(const fx *f, fx_sim *sims, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!fx_device_untouched(f, sims[i].device))
			fail_msg("%s was flashed although its attempt could not be recorded",
			         sims[i].device);
}

/* ---------------------------------------------------------------------- */

/* Mode 0444, written by a user who is not root: the file opens (SQLite
 * falls back to read-only), every insert fails. */
static void readonly_file(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	uid_t uid;
	gid_t gid;
	fx_nobody(&uid, &gid);
	char dir[160], records[200], errf[200];
	snprintf(dir, sizeof dir, "%s/rec", f.dir);
	snprintf(records, sizeof records, "%s/records.sqlite", dir);
	snprintf(errf, sizeof errf, "%s/stderr", f.dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	make_records(&f, records, "RO-FIRST");
	/* the folder belongs to the operator's account, the file is read-only */
	assert_int_equal(chmod(f.dir, 0755), 0);
	assert_int_equal(chown(dir, uid, gid), 0);
	assert_int_equal(chown(records, uid, gid), 0);
	assert_int_equal(chmod(records, 0444), 0);

	fx_sim sims[2];
	start_sims(&f, sims, 2, "RO");
	for (int i = 0; i < 2; i++)
		assert_int_equal(chmod(sims[i].tty, 0666), 0);
	fx_spawn_opts o = {.uid = uid, .gid = gid, .err_path = errf};
	char *argv[32], out[65536], err[8192];
	flash_argv(&f, argv, records, sims, 2);
	int rc = run(argv, out, sizeof out, &o);
	fx_read_file(errf, err, sizeof err);
	if (rc == 0)
		fail_msg("flash exited 0 with a read-only records file:\n%s%s", out, err);
	assert_untouched(&f, sims, 2);
	assert_non_null(strstr(err, "read-only"));

	/* one device: the same */
	flash_argv(&f, argv, records, sims, 1);
	assert_int_not_equal(run(argv, out, sizeof out, &o), 0);
	assert_untouched(&f, sims, 1);
	kill_sims(sims, 2);
	fx_teardown(&f);
}

/* chattr +i: not even root may write it. */
static int set_immutable(const char *path, bool on)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int flags = 0, e = 0;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) {
		e = errno;
	} else {
		flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
		if (ioctl(fd, FS_IOC_SETFLAGS, &flags) != 0)
			e = errno;
	}
	close(fd);
	return e;
}

static void immutable_file(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	char records[200], errf[200];
	snprintf(records, sizeof records, "%s/records.sqlite", f.dir);
	snprintf(errf, sizeof errf, "%s/stderr", f.dir);
	make_records(&f, records, "IM-FIRST");
	int e = set_immutable(records, true);
	if (e) {
		fprintf(stderr, "immutable_file: skipped: chattr +i is not possible here (%s)\n",
		        strerror(e));
		fx_teardown(&f);
		skip();
	}
	fx_sim sims[2];
	start_sims(&f, sims, 2, "IM");
	fx_spawn_opts o = {.err_path = errf};
	char *argv[32], out[65536], err[8192];
	flash_argv(&f, argv, records, sims, 2);
	int rc = run(argv, out, sizeof out, &o);
	fx_read_file(errf, err, sizeof err);
	assert_int_equal(set_immutable(records, false), 0);
	if (rc == 0)
		fail_msg("flash exited 0 with an immutable records file:\n%s%s", out, err);
	assert_untouched(&f, sims, 2);
	assert_non_null(strstr(err, "read-only"));
	kill_sims(sims, 2);
	fx_teardown(&f);
}

/* Two pages overwritten behind an intact header: the roots of two indexes
 * (every insert goes through them; a reader of the table alone would not
 * notice). */
static void corrupted_pages(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	char records[200], errf[200];
	snprintf(records, sizeof records, "%s/records.sqlite", f.dir);
	snprintf(errf, sizeof errf, "%s/stderr", f.dir);
	make_records(&f, records, "CO-FIRST");

	/* some history: the one row copied 511 times (whatever the columns) */
	sqlite3 *s;
	assert_int_equal(sqlite3_open(records, &s), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(s, "SELECT name FROM pragma_table_info('attempts')", -1,
	                                    &st, NULL),
	                 SQLITE_OK);
	char cols[1024] = "", vals[2048] = "";
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		if (!strcmp(c, "id"))
			continue;
		size_t cl = strlen(cols), vl = strlen(vals);
		snprintf(cols + cl, sizeof cols - cl, "%s%s", cl ? "," : "", c);
		snprintf(vals + vl, sizeof vals - vl, "%s%s", vl ? "," : "",
		         !strcmp(c, "attempt_id") ? "lower(hex(randomblob(16)))" : c);
	}
	sqlite3_finalize(st);
	char sql[4096];
	snprintf(sql, sizeof sql, "INSERT INTO attempts (%s) SELECT %s FROM attempts", cols, vals);
	for (int i = 0; i < 9; i++)
		assert_int_equal(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
	                 SQLITE_OK);
	int pages[2] = {0, 0}, n = 0;
	assert_int_equal(sqlite3_prepare_v2(s, "SELECT rootpage FROM sqlite_master WHERE type ="
	                                       " 'index' AND tbl_name = 'attempts'"
	                                       " ORDER BY rootpage LIMIT 2",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	while (n < 2 && sqlite3_step(st) == SQLITE_ROW)
		pages[n++] = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	int page_size = 0;
	assert_int_equal(sqlite3_prepare_v2(s, "PRAGMA page_size", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	page_size = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(s);
	assert_int_equal(n, 2);

	int fd = open(records, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	uint8_t junk[65536];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)(i * 131u + 7u);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pwrite(fd, junk, (size_t)page_size,
		                        (off_t)(pages[i] - 1) * page_size),
		                 page_size);
	close(fd);

	fx_sim sims[2];
	start_sims(&f, sims, 2, "CO");
	fx_spawn_opts o = {.err_path = errf};
	char *argv[32], out[65536], err[8192];
	flash_argv(&f, argv, records, sims, 2);
	int rc = run(argv, out, sizeof out, &o);
	fx_read_file(errf, err, sizeof err);
	if (rc != 5 && rc != 10)
		fail_msg("flash exited %d with a damaged records file:\n%s%s", rc, out, err);
	assert_untouched(&f, sims, 2);
	assert_non_null(strstr(err, "damaged"));
	kill_sims(sims, 2);
	fx_teardown(&f);
}

/* ---------------------------------------------------------------------- */
/* The disk fills up during an eight-unit run                              */

static bool fill_up(const char *dir)
{
	char path[256];
	snprintf(path, sizeof path, "%s/filler", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	static uint8_t buf[16384];
	for (;;) {
		ssize_t w = write(fd, buf, sizeof buf);
		if (w <= 0)
			break;
	}
	/* the last bytes that fit */
	while (write(fd, buf, 1) == 1)
		;
	bool full = errno == ENOSPC;
	close(fd);
	return full;
}

static int unit_index(const char *line)
{
	const char *ix = strstr(line, "\"index\":");
	return ix ? atoi(ix + 8) : -1;
}

static void disk_full_mid_run(void **state)
{
	(void)state;
	enum { N = 8 };
	fx f;
	fx_setup(&f, IMAGE);
	char mnt[160], records[200], errf[200];
	snprintf(mnt, sizeof mnt, "%s/small-disk", f.dir);
	snprintf(records, sizeof records, "%s/records.sqlite", mnt);
	snprintf(errf, sizeof errf, "%s/stderr", f.dir);
	assert_int_equal(mkdir(mnt, 0700), 0);
	if (mount("fwseal-test", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=2m,mode=0700") != 0) {
		fprintf(stderr, "disk_full_mid_run: skipped: cannot mount a small tmpfs here (%s)\n",
		        strerror(errno));
		fx_teardown(&f);
		skip();
	}
	make_records(&f, records, "DF-FIRST");

	/* unit 0 is quick; the others are paced like a UART, so that they are
	 * in the middle of their download when the disk fills */
	fx_sim sims[N];
	for (int i = 0; i < N; i++) {
		char name[16], sn[16];
		snprintf(name, sizeof name, "df%d", i);
		snprintf(sn, sizeof sn, "DF-%d", i);
		fx_sim_start(&f, &sims[i], name, FX_MODEL, sn, i == 0 ? 0u : 115200u);
	}
	char *argv[48];
	flash_argv(&f, argv, records, sims, N);
	fx_spawn_opts o = {.err_path = errf};
	fx_proc p;
	fx_spawn_ex(&p, argv, &o);
	bool downloading[N] = {false}, first_done = false, filled = false;
	int n_down = 0, failed_to_record = 0, ok = 0;
	char line[8192], summary[16384] = "";
	while (fx_read_line(&p, line, sizeof line, 30000)) {
		int i = unit_index(line);
		if (strstr(line, "\"event\":\"progress\"") && strstr(line, "\"phase\":\"download\"") &&
		    i > 0 && i < N && !downloading[i]) {
			downloading[i] = true;
			n_down++;
		}
		if (i == 0 && strstr(line, "\"event\":\"done\""))
			first_done = true;
		if (!filled && first_done && n_down == N - 1) {
			assert_true(fill_up(mnt));
			filled = true;
		}
		if (strstr(line, "\"event\":\"summary\"")) {
			snprintf(summary, sizeof summary, "%s", line);
			continue;
		}
		if (strstr(line, "\"event\":\"done\"") || strstr(line, "\"event\":\"error\"")) {
			failed_to_record += strstr(line, "\"result\":\"failed-to-record\"") != NULL;
			ok += strstr(line, "\"result\":\"ok\"") != NULL;
		}
	}
	int rc = fx_wait(&p, 30000);
	char err[16384];
	fx_read_file(errf, err, sizeof err);
	assert_true(filled);
	if (rc != 10)
		fail_msg("flash exited %d although the disk was full:\n%s\n%s", rc, summary, err);
	/* the quick unit is recorded ok; the others run the new firmware, but
	 * their records could not be completed: reported, one by one */
	if (ok != 1 || failed_to_record != N - 1)
		fail_msg("%d ok, %d failed-to-record:\n%s\n%s", ok, failed_to_record, summary, err);
	assert_non_null(strstr(summary, "\"failed_to_record\":7"));
	assert_true(fx_count_in(err, "is failed-to-record") >= N - 1);

	char path[256];
	snprintf(path, sizeof path, "%s/filler", mnt);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(fx_sql_int(records, "SELECT count(*) FROM attempts WHERE result = 'ok'"
	                                     " AND serial = 'DF-0'"),
	                 1);
	assert_int_equal(fx_sql_int(records, "SELECT count(*) FROM attempts WHERE result = 'ok'"
	                                     " AND serial LIKE 'DF-_'"),
	                 1);
	assert_int_equal(umount2(mnt, MNT_DETACH), 0);
	kill_sims(sims, N);
	fx_teardown(&f);
}

/* One device (cmd_flash.c's own path): the disk fills while it downloads;
 * the unit runs the new firmware, but its record cannot be completed: exit
 * 10, said on stderr and in --json, never exit 0. */
static void disk_full_one_device(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, IMAGE);
	char mnt[160], records[200], errf[200];
	snprintf(mnt, sizeof mnt, "%s/small-disk", f.dir);
	snprintf(records, sizeof records, "%s/records.sqlite", mnt);
	snprintf(errf, sizeof errf, "%s/stderr", f.dir);
	assert_int_equal(mkdir(mnt, 0700), 0);
	if (mount("fwseal-test", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=2m,mode=0700") != 0) {
		fprintf(stderr, "disk_full_one_device: skipped: cannot mount a small tmpfs here (%s)\n",
		        strerror(errno));
		fx_teardown(&f);
		skip();
	}
	make_records(&f, records, "D1-FIRST");
	fx_sim sim;
	fx_sim_start(&f, &sim, "d1", FX_MODEL, "D1-UNIT", 115200u);
	char *argv[32];
	flash_argv(&f, argv, records, &sim, 1);
	fx_spawn_opts o = {.err_path = errf};
	fx_proc p;
	fx_spawn_ex(&p, argv, &o);
	bool filled = false;
	int done_ftr = 0, error_ftr = 0;
	char line[8192];
	while (fx_read_line(&p, line, sizeof line, 30000)) {
		if (!filled && strstr(line, "\"event\":\"progress\"") &&
		    strstr(line, "\"phase\":\"download\"") && !strstr(line, "\"done\":0,")) {
			assert_true(fill_up(mnt));
			filled = true;
		}
		done_ftr += strstr(line, "\"event\":\"done\"") &&
		            strstr(line, "\"result\":\"failed-to-record\"");
		error_ftr += strstr(line, "\"event\":\"error\"") &&
		             strstr(line, "\"code\":\"failed-to-record\"") &&
		             strstr(line, "\"device_exit\":0");
	}
	int rc = fx_wait(&p, 30000);
	char err[16384];
	fx_read_file(errf, err, sizeof err);
	assert_true(filled);
	if (rc != 10)
		fail_msg("flash of one device exited %d although the disk was full:\n%s", rc, err);
	assert_int_equal(done_ftr, 1);
	assert_int_equal(error_ftr, 1);
	assert_non_null(strstr(err, "is failed-to-record: it was flashed, but the end of its"));
	assert_non_null(strstr(err, "the disk is full"));
	char v[64];
	fx_device_version(&f, sim.device, v, sizeof v);
	assert_string_equal(v, FX_VERSION);

	char path[256];
	snprintf(path, sizeof path, "%s/filler", mnt);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(fx_sql_int(records, "SELECT count(*) FROM attempts WHERE result = 'ok'"
	                                     " AND serial = 'D1-UNIT'"),
	                 0);
	assert_int_equal(umount2(mnt, MNT_DETACH), 0);
	fx_sim_kill(&sim, SIGTERM);
	fx_teardown(&f);
}

/* ---------------------------------------------------------------------- */
/* Another program holds the write lock longer than the busy timeout       */

/* A child that takes the write lock and holds it until *release is closed. */
static pid_t hold_lock(const char *records, int *release)
{
	int ready[2], hold[2];
	/* close-on-exec: the simulators started later must not keep the
	 * locker's pipe open */
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		sqlite3 *s;
		if (sqlite3_open(records, &s) != SQLITE_OK ||
		    sqlite3_exec(s, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			_exit(1);
		if (write(ready[1], "L", 1) != 1)
			_exit(2);
		char c;
		while (read(hold[0], &c, 1) > 0)
			;
		sqlite3_exec(s, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(s);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	*release = hold[1];
	return pid;
}

/* `fwseal flash` with two devices while another program holds the write
 * lock past the busy timeout: neither unit is touched, each is reported. */
static void flash_lock_held(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	char records[200], errf[200];
	snprintf(records, sizeof records, "%s/records.sqlite", f.dir);
	snprintf(errf, sizeof errf, "%s/stderr", f.dir);
	make_records(&f, records, "FL-FIRST");
	fx_sim sims[2];
	start_sims(&f, sims, 2, "FL");
	int release = -1;
	pid_t locker = hold_lock(records, &release);
	static const char *const env[] = {"FWSEAL_RECORDS_BUSY_MS=1000", NULL};
	fx_spawn_opts o = {.err_path = errf, .env = env};
	char *argv[32], out[65536], err[8192];
	flash_argv(&f, argv, records, sims, 2);
	int rc = run(argv, out, sizeof out, &o);
	close(release);
	int st;
	assert_int_equal(waitpid(locker, &st, 0), locker);
	fx_read_file(errf, err, sizeof err);
	if (rc != 10 && rc != 5)
		fail_msg("flash exited %d while the records were locked:\n%s%s", rc, out, err);
	assert_untouched(&f, sims, 2);
	assert_non_null(strstr(err, "locked"));
	assert_int_equal(fx_sql_int(records, "SELECT count(*) FROM attempts WHERE serial LIKE 'FL-_'"),
	                 0);
	kill_sims(sims, 2);
	fx_teardown(&f);
}

static void watch_lock_held(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	char records[200], ports[160], pattern[200], link_a[200], link_b[200], errf[200];
	snprintf(records, sizeof records, "%s/records.sqlite", f.dir);
	snprintf(ports, sizeof ports, "%s/ports", f.dir);
	snprintf(pattern, sizeof pattern, "%s/sim-*", ports);
	snprintf(link_a, sizeof link_a, "%s/sim-a", ports);
	snprintf(link_b, sizeof link_b, "%s/sim-b", ports);
	snprintf(errf, sizeof errf, "%s/stderr", f.dir);
	assert_int_equal(mkdir(ports, 0700), 0);
	make_records(&f, records, "LK-FIRST");

	char *argv[] = {ARG(f.fwseal_path), ARG("watch"), f.pkg, ARG("--trust"), f.trust,
	                ARG("--records"), records, ARG("--ports"), pattern,
	                ARG("--settle-ms"), ARG("50"), ARG("--json"), NULL};
	static const char *const env[] = {"FWSEAL_RECORDS_BUSY_MS=1500", NULL};
	fx_spawn_opts o = {.err_path = errf, .env = env};
	fx_proc w;
	fx_spawn_ex(&w, argv, &o);
	char line[8192];
	assert_true(fx_expect_line(&w, "\"event\":\"watching\"", line, sizeof line, 15000));

	int release = -1;
	pid_t locker = hold_lock(records, &release);
	fx_sim a;
	fx_sim_start(&f, &a, "lka", FX_MODEL, "LK-A", 0);
	assert_int_equal(symlink(a.tty, link_a), 0);
	/* the unit's attempt cannot be begun: it is not flashed, and says so */
	assert_true(fx_expect_line(&w, "\"serial\":\"LK-A\",\"result\"", line, sizeof line, 30000));
	assert_non_null(strstr(line, "\"result\":\"failed-to-record\""));
	close(release);
	int st;
	assert_int_equal(waitpid(locker, &st, 0), locker);
	assert_true(fx_device_untouched(&f, a.device));

	/* the lock is gone: the next unit is flashed and recorded */
	fx_sim b;
	fx_sim_start(&f, &b, "lkb", FX_MODEL, "LK-B", 0);
	assert_int_equal(symlink(b.tty, link_b), 0);
	assert_true(fx_expect_line(&w, "\"event\":\"done\"", line, sizeof line, 30000));
	assert_non_null(strstr(line, "\"serial\":\"LK-B\""));

	kill(w.pid, SIGTERM);
	assert_true(fx_expect_line(&w, "\"event\":\"summary\"", line, sizeof line, 15000));
	assert_non_null(strstr(line, "\"failed_to_record\":1"));
	assert_int_equal(fx_wait(&w, 15000), 10);
	char err[8192];
	fx_read_file(errf, err, sizeof err);
	assert_non_null(strstr(err, "LK-A"));
	assert_int_equal(fx_sql_int(records, "SELECT count(*) FROM attempts WHERE serial = 'LK-B'"
	                                     " AND result = 'ok'"),
	                 1);
	assert_int_equal(fx_sql_int(records, "SELECT count(*) FROM attempts WHERE serial = 'LK-A'"),
	                 0);
	fx_sim_kill(&a, SIGTERM);
	fx_sim_kill(&b, SIGTERM);
	fx_teardown(&f);
}

/* ---------------------------------------------------------------------- */
/* Only our database; reading never writes                                  */

static void foreign_database(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	char records[200], errf[200];
	snprintf(records, sizeof records, "%s/crm.sqlite", f.dir);
	snprintf(errf, sizeof errf, "%s/stderr", f.dir);
	sqlite3 *s;
	assert_int_equal(sqlite3_open(records, &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, "CREATE TABLE customers (name TEXT);"
	                                 "INSERT INTO customers VALUES ('Ada')",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(s);

	fx_sim sim;
	start_sims(&f, &sim, 1, "FO");
	fx_spawn_opts o = {.err_path = errf};
	char *argv[32], out[65536], err[8192];
	flash_argv(&f, argv, records, &sim, 1);
	assert_int_equal(run(argv, out, sizeof out, &o), 5);
	fx_read_file(errf, err, sizeof err);
	assert_non_null(strstr(err, "not a production records database"));
	assert_true(fx_device_untouched(&f, sim.device));
	assert_int_equal(fx_sql_int(records, "SELECT count(*) FROM sqlite_master"
	                                     " WHERE name <> 'customers'"),
	                 0);
	char *rd[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), records, ARG("--json"),
	              NULL};
	assert_int_equal(run(rd, out, sizeof out, &o), 5);
	fx_read_file(errf, err, sizeof err);
	assert_non_null(strstr(err, "not a production records database"));
	fx_sim_kill(&sim, SIGTERM);
	fx_teardown(&f);
}

static void read_only_media(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	char dir[160], records[200], errf[200];
	snprintf(dir, sizeof dir, "%s/archive", f.dir);
	snprintf(records, sizeof records, "%s/records.sqlite", dir);
	snprintf(errf, sizeof errf, "%s/stderr", f.dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	make_records(&f, records, "ARCHIVED-1");
	/* (the type is ignored for bind mounts; "none" rather than NULL keeps
	 * valgrind from taking it for a bad pointer) */
	if (mount(dir, dir, "none", MS_BIND, NULL) != 0 ||
	    mount("none", dir, "none", MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0) {
		fprintf(stderr, "read_only_media: skipped: no read-only bind mount here (%s)\n",
		        strerror(errno));
		umount2(dir, MNT_DETACH);
		fx_teardown(&f);
		skip();
	}
	char out[65536], err[8192];
	char *rd[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), records, ARG("--json"),
	              NULL};
	fx_spawn_opts o = {.err_path = errf};
	int rc = run(rd, out, sizeof out, &o);
	fx_read_file(errf, err, sizeof err);
	assert_int_equal(umount2(dir, MNT_DETACH), 0);
	if (rc != 0)
		fail_msg("records on read-only media exited %d: %s", rc, err);
	assert_int_equal(fx_count_in(out, "\"serial\": \"ARCHIVED-1\""), 1);
	assert_int_equal(fx_count_in(out, "\"result\": \"ok\""), 1);
	fx_teardown(&f);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(readonly_file),
		cmocka_unit_test(immutable_file),
		cmocka_unit_test(corrupted_pages),
		cmocka_unit_test(disk_full_mid_run),
		cmocka_unit_test(disk_full_one_device),
		cmocka_unit_test(flash_lock_held),
		cmocka_unit_test(watch_lock_held),
		cmocka_unit_test(foreign_database),
		cmocka_unit_test(read_only_media),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
