/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_factory_cli.c - the factory line through the fwseal command itself,
 * against fwseal-sim processes:
 *   - kill -9 of `fwseal flash` mid-run with eight units in flight: the
 *     database passes PRAGMA integrity_check, holds eight complete rows, and
 *     they read as "interrupted"; the same command then resumes all eight;
 *   - exit codes of a run: all ok 0, some 8, none with one class that class,
 *     none with several classes 1;
 *   - `--all` takes the connected units of the package's model only;
 *   - --operator and --work-order, and every traceability column, through
 *     several devices and one: the image digest in the row is the one the
 *     device reports afterwards;
 *   - a unit whose new firmware did not confirm itself is not "already
 *     done": the next run leaves it alone with on-trial and exit 11;
 *   - `fwseal watch` flashes a newly plugged unit once, skips it (recorded,
 *     with the reason) when it is plugged in again running the package,
 *     flashes it again after a rework erased it, and flashes two units with
 *     one default serial number, saying so;
 *   - `fwseal records` as JSON and CSV, its filters (--serial, --result,
 *     --since, --until, --limit: the newest N), --stats per station and
 *     model, and a bad filter value as a usage error;
 *   - one run over emulated USB (umockdev, fwseal-sim --usb) and serial at once;
 *   - `fwseal watch --usb-only` with libusb hotplug under the emulation.
 *
 * Environment: FWSEAL_SIM, FWSEAL_CLI (set by meson).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "factory_fixture.h"

#define IMAGE (24u * 1024u + 5u)

#define ARG(s) ((char *)(uintptr_t)(s))

/* fwseal flash PKG --trust T --records R --station cli-test --yes --json
 * EXTRA... --device ...; extra ends with NULL (or is NULL) */
static void spawn_flash_v(const fx *f, fx_proc *p, fx_sim *sims, size_t n,
                          const char *const extra[])
{
	char *argv[64];
	size_t a = 0;
	argv[a++] = ARG(f->fwseal_path);
	argv[a++] = ARG("flash");
	argv[a++] = ARG(f->pkg);
	argv[a++] = ARG("--trust");
	argv[a++] = ARG(f->trust);
	argv[a++] = ARG("--records");
	argv[a++] = ARG(f->records);
	argv[a++] = ARG("--station");
	argv[a++] = ARG("cli-test");
	argv[a++] = ARG("--yes");
	argv[a++] = ARG("--json");
	for (size_t i = 0; extra && extra[i]; i++)
		argv[a++] = ARG(extra[i]);
	for (size_t i = 0; i < n; i++) {
		argv[a++] = ARG("--device");
		argv[a++] = sims[i].device;
	}
	argv[a] = NULL;
	assert_true(a < 64);
	fx_spawn(p, argv);
}

/* The same with at most one extra argument. */
static void spawn_flash(const fx *f, fx_proc *p, fx_sim *sims, size_t n, const char *extra)
{
	const char *const ex[] = {extra, NULL};
	spawn_flash_v(f, p, sims, n, ex);
}

/* Run fwseal flash with extra arguments (NULL-terminated); its exit code. */
static int flash_v_exit(const fx *f, fx_sim *sims, size_t n, const char *const extra[])
{
	fx_proc p;
	spawn_flash_v(f, &p, sims, n, extra);
	char line[8192];
	while (fx_read_line(&p, line, sizeof line, 30000))
		;
	return fx_wait(&p, 30000);
}

static int run_capture(char *const argv[], char *out, size_t cap)
{
	return fx_run_capture(argv, out, cap, 20000);
}

static void crash_mid_run(void **state)
{
	(void)state;
	enum { N = 8 };
	fx f;
	fx_setup(&f, IMAGE);
	fx_sim sims[N];
	for (int i = 0; i < N; i++) {
		char name[8], sn[16];
		snprintf(name, sizeof name, "c%d", i);
		snprintf(sn, sizeof sn, "CR-%d", i);
		fx_sim_start(&f, &sims[i], name, FX_MODEL, sn, 115200u);
	}
	fx_proc p;
	spawn_flash(&f, &p, sims, N, NULL);
	/* kill -9 once every unit has sent a part of the package */
	bool seen[N] = {false};
	int n_seen = 0;
	char line[4096];
	while (n_seen < N && fx_read_line(&p, line, sizeof line, 20000)) {
		if (!strstr(line, "\"event\":\"progress\"") || !strstr(line, "\"phase\":\"download\""))
			continue;
		const char *ix = strstr(line, "\"index\":");
		assert_non_null(ix);
		int i = atoi(ix + 8);
		const char *done = strstr(line, "\"done\":");
		if (i >= 0 && i < N && done && atoll(done + 7) > 0 && !seen[i]) {
			seen[i] = true;
			n_seen++;
		}
	}
	assert_int_equal(n_seen, N);
	kill(p.pid, SIGKILL);
	assert_int_equal(fx_wait(&p, 10000), 128 + SIGKILL);

	/* consistent, and every row complete: begun with its unit known */
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM pragma_integrity_check"
	                                       " WHERE integrity_check = 'ok'"),
	                 1);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"), N);
	assert_int_equal(fx_sql_int(f.records,
	                            "SELECT count(*) FROM attempts WHERE result = 'in-progress'"
	                            " AND serial LIKE 'CR-%' AND model = '" FX_MODEL "'"
	                            " AND hw_rev = 1 AND to_version = '" FX_VERSION "'"
	                            " AND station = 'cli-test' AND length(package_sha256) = 64"
	                            " AND duration_ms IS NULL"),
	                 N);

	/* `fwseal records` shows them as interrupted at once, and writes
	 * nothing (reading never writes) */
	char out[65536];
	char *rec_argv[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), f.records,
	                    ARG("--json"), NULL};
	assert_int_equal(run_capture(rec_argv, out, sizeof out), 0);
	assert_int_equal(fx_count_in(out, "\"result\": \"interrupted\""), N);
	assert_int_equal(fx_sql_int(f.records,
	                            "SELECT count(*) FROM attempts WHERE result = 'in-progress'"),
	                 N);

	/* the same command again: every unit resumes and succeeds */
	spawn_flash(&f, &p, sims, N, NULL);
	int resumed = 0;
	while (fx_read_line(&p, line, sizeof line, 30000))
		if (strstr(line, "\"event\":\"done\""))
			resumed++;
	assert_int_equal(fx_wait(&p, 30000), 0);
	assert_int_equal(resumed, N);
	/* the next writer marked the old rows interrupted (end time unknown) */
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result = 'ok'"),
	                 N);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result ="
	                                       " 'interrupted' AND ended_ms IS NULL"),
	                 N);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"), 2 * N);
	for (int i = 0; i < N; i++)
		fx_sim_kill(&sims[i], SIGTERM);
	fx_teardown(&f);
}

static int flash_exit(const fx *f, fx_sim *sims, size_t n)
{
	fx_proc p;
	spawn_flash(f, &p, sims, n, NULL);
	char line[4096];
	while (fx_read_line(&p, line, sizeof line, 20000))
		;
	return fx_wait(&p, 20000);
}

static void exit_codes(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	fx_sim good[2], wrong[2], gone;
	fx_sim_start(&f, &good[0], "g0", FX_MODEL, "G-0", 0);
	fx_sim_start(&f, &good[1], "g1", FX_MODEL, "G-1", 0);
	fx_sim_start(&f, &wrong[0], "w0", "OTHER", "W-0", 0);
	fx_sim_start(&f, &wrong[1], "w1", "OTHER", "W-1", 0);
	memset(&gone, 0, sizeof gone);
	snprintf(gone.device, sizeof gone.device, "serial:%s/no-such-port", f.dir);

	assert_int_equal(flash_exit(&f, good, 2), 0);                 /* all */
	fx_sim mix[2] = {good[0], wrong[0]};
	assert_int_equal(flash_exit(&f, mix, 2), 8);                  /* some */
	assert_int_equal(flash_exit(&f, wrong, 2), 4);                /* none, all refused */
	fx_sim diff[2] = {wrong[0], gone};
	assert_int_equal(flash_exit(&f, diff, 2), 1);                 /* none, two classes */
	/* one device: recorded too (cmd_flash.c's own path) */
	assert_int_equal(flash_exit(&f, good, 1), 0);
	assert_int_equal(flash_exit(&f, wrong, 1), 4);
	/* 2 + 2 + 2 + 2 + 1 + 1 attempts, each recorded; G-0 runs the package
	 * after the first run, so it is skipped since (recorded with the reason,
	 * exit 0 for that unit) */
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"), 10);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result = 'refused'"
	                                       " AND error_code = 'wrong-model'"),
	                 5);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result = 'ok'"
	                                       " AND serial = 'G-0' AND station = 'cli-test'"),
	                 1);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result ="
	                                       " 'skipped' AND error_code = 'already-installed'"
	                                       " AND serial = 'G-0' AND ended_ms IS NOT NULL"),
	                 2);

	/* records as CSV: a header and one line per attempt; --since in the future: none */
	char out[65536];
	char *csv[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), f.records,
	               ARG("--csv"), NULL};
	assert_int_equal(run_capture(csv, out, sizeof out), 0);
	assert_int_equal(fx_count_in(out, "\n"), 1 + 10);
	assert_non_null(strstr(out, "id,time,station,device,serial,model,hw_rev,from_version,"
	                            "to_version,package_sha256,result,error_code,error,"
	                            "duration_ms"));
	assert_int_equal(fx_count_in(out, f.digest_hex), 10);
	char *later[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), f.records,
	                 ARG("--json"), ARG("--since"), ARG("2999-01-01"), NULL};
	assert_int_equal(run_capture(later, out, sizeof out), 0);
	assert_string_equal(out, "[]\n");

	/* the filters through the command itself, against what the
	 * file holds: --serial, --result, --until, --limit (the newest N), and
	 * --stats per station and model */
	char *by_serial[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), f.records,
	                     ARG("--json"), ARG("--serial"), ARG("G-0"), NULL};
	assert_int_equal(run_capture(by_serial, out, sizeof out), 0);
	assert_int_equal(fx_count_in(out, "\"serial\": \"G-0\""),
	                 (int)fx_sql_int(f.records, "SELECT count(*) FROM attempts"
	                                            " WHERE serial = 'G-0'"));
	assert_int_equal(fx_count_in(out, "\"serial\": "), fx_count_in(out, "\"serial\": \"G-0\""));
	char *by_result[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), f.records,
	                     ARG("--json"), ARG("--result"), ARG("refused"), ARG("--serial"),
	                     ARG("W-0"), NULL};
	assert_int_equal(run_capture(by_result, out, sizeof out), 0);
	assert_int_equal(fx_count_in(out, "\"result\": \"refused\""), 4);
	assert_int_equal(fx_count_in(out, "\"result\": "), 4);
	assert_int_equal(fx_count_in(out, "\"serial\": \"W-0\""), 4);
	char *before[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), f.records,
	                  ARG("--json"), ARG("--until"), ARG("2000-01-01"), NULL};
	assert_int_equal(run_capture(before, out, sizeof out), 0);
	assert_string_equal(out, "[]\n");
	char *window[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), f.records,
	                  ARG("--json"), ARG("--since"), ARG("2000-01-01"), ARG("--until"),
	                  ARG("2999-01-01T00:00:00Z"), NULL};
	assert_int_equal(run_capture(window, out, sizeof out), 0);
	assert_int_equal(fx_count_in(out, "\"attempt_id\": "), 10);
	char *newest[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), f.records,
	                  ARG("--json"), ARG("--limit"), ARG("2"), NULL};
	assert_int_equal(run_capture(newest, out, sizeof out), 0);
	assert_int_equal(fx_count_in(out, "\"attempt_id\": "), 2);
	char id_line[64];
	snprintf(id_line, sizeof id_line, "\"id\": %lld,",
	         (long long)fx_sql_int(f.records, "SELECT max(id) FROM attempts"));
	assert_non_null(strstr(out, id_line));
	snprintf(id_line, sizeof id_line, "\"id\": %lld,",
	         (long long)fx_sql_int(f.records, "SELECT max(id) - 1 FROM attempts"));
	assert_non_null(strstr(out, id_line));
	/* cli-test/FX-LINE-1: G-0 and G-1 ok at the first go (skips are not
	 * attempts); cli-test/OTHER: W-0 refused four times, W-1 once */
	char *stats[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), f.records,
	                 ARG("--stats"), ARG("--json"), NULL};
	assert_int_equal(run_capture(stats, out, sizeof out), 0);
	const char *line1 = strstr(out, "\"model\": \"" FX_MODEL "\"");
	const char *other = strstr(out, "\"model\": \"OTHER\"");
	assert_non_null(line1);
	assert_non_null(other);
	char grp[512];
	snprintf(grp, sizeof grp, "%.*s", (int)strcspn(line1, "}"), line1);
	assert_non_null(strstr(grp, "\"attempts\": 2,"));
	assert_non_null(strstr(grp, "\"units\": 2,"));
	assert_non_null(strstr(grp, "\"first_pass_yield\": 1.0000,"));
	assert_non_null(strstr(grp, "\"retries\": 0,"));
	snprintf(grp, sizeof grp, "%.*s", (int)strcspn(other, "}"), other);
	assert_non_null(strstr(grp, "\"attempts\": 5,"));
	assert_non_null(strstr(grp, "\"units\": 2,"));
	assert_non_null(strstr(grp, "\"first_pass_yield\": 0.0000,"));
	assert_non_null(strstr(grp, "\"retries\": 3,"));
	assert_non_null(strstr(grp, "\"median_ms\": null"));
	/* a filter value that is not one is a usage error (2), not an empty list */
	char *bad_result[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), f.records,
	                      ARG("--json"), ARG("--result"), ARG("done"), NULL};
	assert_int_equal(run_capture(bad_result, out, sizeof out), 2);
	char *bad_limit[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), f.records,
	                     ARG("--json"), ARG("--limit"), ARG("0"), NULL};
	assert_int_equal(run_capture(bad_limit, out, sizeof out), 2);
	char *bad_until[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), f.records,
	                     ARG("--json"), ARG("--until"), ARG("yesterday"), NULL};
	assert_int_equal(run_capture(bad_until, out, sizeof out), 2);

	for (int i = 0; i < 2; i++) {
		fx_sim_kill(&good[i], SIGTERM);
		fx_sim_kill(&wrong[i], SIGTERM);
	}
	fx_teardown(&f);
}

/* --all: every device found (here: the ports in FWSEAL_SERIAL_PORTS) of the
 * package's model; a device of another model is left alone, not refused. */
static void flash_all(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	fx_sim s[3];
	fx_sim_start(&f, &s[0], "a0", FX_MODEL, "ALL-0", 0);
	fx_sim_start(&f, &s[1], "a1", "OTHER", "ALL-OTHER", 0);
	fx_sim_start(&f, &s[2], "a2", FX_MODEL, "ALL-2", 0);
	char ports[1024];
	snprintf(ports, sizeof ports, "%s:%s:%s", s[0].tty, s[1].tty, s[2].tty);
	setenv("FWSEAL_SERIAL_PORTS", ports, 1);
	fx_proc p;
	spawn_flash(&f, &p, s, 0, "--all");
	char line[4096];
	int done = 0;
	bool summary = false;
	while (fx_read_line(&p, line, sizeof line, 20000)) {
		done += strstr(line, "\"event\":\"done\"") != NULL;
		if (strstr(line, "\"event\":\"summary\"")) {
			summary = true;
			assert_non_null(strstr(line, "\"units\":2"));
			assert_null(strstr(line, "ALL-OTHER"));
		}
	}
	unsetenv("FWSEAL_SERIAL_PORTS");
	assert_int_equal(fx_wait(&p, 20000), 0);
	assert_true(summary);
	assert_int_equal(done, 2);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result = 'ok'"
	                                       " AND serial IN ('ALL-0', 'ALL-2')"),
	                 2);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"), 2);
	for (int i = 0; i < 3; i++)
		fx_sim_kill(&s[i], SIGTERM);
	fx_teardown(&f);
}

/* fwseal flash --operator O --work-order W, on several devices (multi.c)
 * and on one (cmd_flash.c's own path): each row carries who, for which
 * order, with which fwseal, the package and image digests, the version the
 * unit reported after its restart, start and end, and a session log. The
 * image digest in the row is the one the device reports afterwards. */
static void traceability(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	fx_sim s[3];
	fx_sim_start(&f, &s[0], "t0", FX_MODEL, "TR-0", 0);
	fx_sim_start(&f, &s[1], "t1", FX_MODEL, "TR-1", 0);
	fx_sim_start(&f, &s[2], "t2", FX_MODEL, "TR-2", 0);
	const char *const who[] = {"--operator", "Ada L.", "--work-order", "WO-9/lot 3", NULL};
	assert_int_equal(flash_v_exit(&f, s, 2, who), 0);     /* several devices (multi.c) */
	assert_int_equal(flash_v_exit(&f, &s[2], 1, who), 0); /* one (cmd_flash.c) */
	/* what the tool and the device say of themselves */
	char out[16384], version[64] = "", image[2 * FWS_SHA256_LEN + 1] = "";
	char *ver[] = {ARG(f.fwseal_path), ARG("--version"), NULL};
	assert_int_equal(run_capture(ver, out, sizeof out), 0);
	assert_int_equal(sscanf(out, "fwseal %63s", version), 1);
	char *info[] = {ARG(f.fwseal_path), ARG("info"), s[0].device, ARG("--json"), NULL};
	assert_int_equal(run_capture(info, out, sizeof out), 0);
	const char *h = strstr(out, "\"image_sha256\": \"");
	assert_non_null(h);
	h += strlen("\"image_sha256\": \"");
	assert_int_equal(strspn(h, "0123456789abcdef"), 2 * FWS_SHA256_LEN);
	memcpy(image, h, 2 * FWS_SHA256_LEN);

	char sql[1024];
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM attempts WHERE result = 'ok' AND station = 'cli-test'"
	         " AND operator = 'Ada L.' AND work_order = 'WO-9/lot 3' AND tool_version = '%s'"
	         " AND package_sha256 = '%s' AND image_sha256 = '%s' AND to_version = '%s'"
	         " AND reported_version = '%s' AND from_version = '' AND ended_ms >= started_ms"
	         " AND duration_ms IS NOT NULL AND length(attempt_id) = 36",
	         version, f.digest_hex, image, FX_VERSION, FX_VERSION);
	assert_int_equal(fx_sql_int(f.records, sql), 3);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"), 3);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(DISTINCT attempt_id) FROM attempts"),
	                 3);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempt_logs l JOIN attempts"
	                                       " a USING (attempt_id) WHERE length(l.log) > 0"),
	                 3);
	/* and the same through fwseal records --json (from_version null: the
	 * units ran no firmware before) */
	static char rows[65536];
	char *rd[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), f.records,
	              ARG("--json"), NULL};
	assert_int_equal(run_capture(rd, rows, sizeof rows), 0);
	assert_int_equal(fx_count_in(rows, "\"operator\": \"Ada L.\""), 3);
	assert_int_equal(fx_count_in(rows, "\"work_order\": \"WO-9/lot 3\""), 3);
	assert_int_equal(fx_count_in(rows, "\"from_version\": null"), 3);
	assert_int_equal(fx_count_in(rows, "\"reported_version\": \"" FX_VERSION "\""), 3);
	assert_int_equal(fx_count_in(rows, image), 3);
	assert_int_equal(fx_count_in(rows, "\"log\": true"), 3);
	for (int i = 0; i < 3; i++)
		fx_sim_kill(&s[i], SIGTERM);
	fx_teardown(&f);
}

/* Run fwseal flash with extra arguments over sims; the whole stdout. */
static int flash_v_out(const fx *f, fx_sim *sims, size_t n, const char *const extra[],
                       char *out, size_t cap)
{
	fx_proc p;
	spawn_flash_v(f, &p, sims, n, extra);
	size_t len = 0;
	char line[8192];
	out[0] = '\0';
	while (fx_read_line(&p, line, sizeof line, 30000)) {
		if (strstr(line, "\"event\":\"progress\""))
			continue;
		int k = snprintf(out + len, cap - len, "%s\n", line);
		if (k > 0 && (size_t)k < cap - len)
			len += (size_t)k;
	}
	return fx_wait(&p, 30000);
}

static int flash_out(const fx *f, fx_sim *sims, size_t n, const char *extra, char *out,
                     size_t cap)
{
	const char *const ex[] = {extra, NULL};
	return flash_v_out(f, sims, n, ex, out, cap);
}

/* A unit whose new firmware did not confirm itself (exit 11, record
 * "unconfirmed") runs the package on trial and goes back at its next
 * restart: it is not "already done" (it was skipped with exit 0 before).
 * The stub takes no download while on trial, so the next run leaves it
 * alone and says so: code on-trial, exit 11, recorded as refused - on
 * several devices (a confirmed unit beside it is skipped), on one, and
 * with --reinstall. */
static void unconfirmed_is_not_done(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	fx_sim s[2];
	fx_sim_start(&f, &s[0], "uok", FX_MODEL, "UC-OK", 0);
	fx_sim_start_opt(&f, &s[1], "ulazy", FX_MODEL, "UC-LAZY", 0, "--no-confirm");
	const char *const quick[] = {"--confirm-timeout", "2", NULL};
	assert_int_equal(flash_v_exit(&f, s, 2, quick), 8); /* ok + unconfirmed */
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE serial ="
	                                       " 'UC-LAZY' AND result = 'unconfirmed'"),
	                 1);
	char info[16384];
	char *inf[] = {ARG(f.fwseal_path), ARG("info"), s[1].device, ARG("--json"), NULL};
	assert_int_equal(run_capture(inf, info, sizeof info), 0);
	assert_non_null(strstr(info, "\"state\": \"testing\""));
	/* again, both: the confirmed one is skipped, the one on trial left alone */
	static char out[262144];
	assert_int_equal(flash_v_out(&f, s, 2, quick, out, sizeof out), 8);
	assert_int_equal(fx_count_in(out, "\"event\":\"skipped\""), 1);
	assert_int_equal(fx_count_in(out, "\"event\":\"done\""), 0);
	assert_int_equal(fx_count_in(out, "\"event\":\"progress\""), 0);
	const char *err = strstr(out, "\"event\":\"error\"");
	assert_non_null(err);
	assert_non_null(strstr(err, "\"serial\":\"UC-LAZY\""));
	assert_non_null(strstr(err, "\"code\":\"on-trial\""));
	assert_non_null(strstr(err, "\"exit\":11"));
	/* one device, and one with --reinstall: its own path decides the same */
	assert_int_equal(flash_v_out(&f, &s[1], 1, quick, out, sizeof out), 11);
	assert_non_null(strstr(out, "\"code\":\"on-trial\""));
	assert_null(strstr(out, "\"event\":\"plan\""));
	const char *const again[] = {"--reinstall", NULL};
	assert_int_equal(flash_v_exit(&f, &s[1], 1, again), 11);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE serial ="
	                                       " 'UC-LAZY' AND result = 'refused'"
	                                       " AND error_code = 'on-trial'"
	                                       " AND error LIKE '%on trial%'"),
	                 3);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE serial ="
	                                       " 'UC-LAZY' AND result IN ('skipped', 'ok')"),
	                 0);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE serial ="
	                                       " 'UC-OK' AND result = 'skipped'"
	                                       " AND error_code = 'already-installed'"),
	                 1);
	/* still on trial: nothing was sent to it */
	assert_int_equal(run_capture(inf, info, sizeof info), 0);
	assert_non_null(strstr(info, "\"state\": \"testing\""));
	for (int i = 0; i < 2; i++)
		fx_sim_kill(&s[i], SIGTERM);
	fx_teardown(&f);
}

/* The device decides "already done", not the history; --reinstall and
 * --only-failed (single device and several). */
static void reinstall_and_only_failed(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, IMAGE);
	static char out[262144];
	fx_sim a, c, d, e;
	fx_sim_start(&f, &a, "ra", FX_MODEL, "RE-A", 0);
	/* one device: flashed, then skipped (it runs the package), exit 0 */
	assert_int_equal(flash_out(&f, &a, 1, NULL, out, sizeof out), 0);
	assert_non_null(strstr(out, "\"event\":\"done\""));
	assert_int_equal(flash_out(&f, &a, 1, NULL, out, sizeof out), 0);
	assert_non_null(strstr(out, "\"event\":\"skipped\""));
	assert_non_null(strstr(out, "\"reason_code\":\"already-installed\""));
	assert_null(strstr(out, "\"event\":\"plan\""));
	/* --reinstall: flashed again */
	assert_int_equal(flash_out(&f, &a, 1, "--reinstall", out, sizeof out), 0);
	assert_non_null(strstr(out, "\"event\":\"done\""));
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE serial = 'RE-A'"
	                                       " AND result = 'ok'"),
	                 2);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE serial = 'RE-A'"
	                                       " AND result = 'skipped'"),
	                 1);

	/* C: an attempt that did not succeed (stopped by SIGTERM mid-download) */
	fx_sim_start(&f, &c, "rc", FX_MODEL, "RE-C", 115200u);
	fx_proc p;
	spawn_flash(&f, &p, &c, 1, NULL);
	char line[8192];
	bool downloading = false;
	while (!downloading && fx_read_line(&p, line, sizeof line, 20000))
		downloading = strstr(line, "\"phase\":\"download\"") && !strstr(line, "\"done\":0,");
	assert_true(downloading);
	kill(p.pid, SIGTERM);
	while (fx_read_line(&p, line, sizeof line, 20000))
		;
	assert_int_equal(fx_wait(&p, 20000), 7);
	/* E: an attempt that succeeded; then reworked (a fresh flash, same serial) */
	fx_sim_start(&f, &e, "re", FX_MODEL, "RE-E", 0);
	assert_int_equal(flash_out(&f, &e, 1, NULL, out, sizeof out), 0);
	fx_sim_kill(&e, SIGTERM);
	fx_sim_start(&f, &e, "re-reworked", FX_MODEL, "RE-E", 0);
	/* D: never attempted */
	fx_sim_start(&f, &d, "rd", FX_MODEL, "RE-D", 0);

	/* --only-failed over A, C, D, E: only C is flashed */
	fx_sim four[4] = {a, c, d, e};
	assert_int_equal(flash_out(&f, four, 4, "--only-failed", out, sizeof out), 0);
	assert_int_equal(fx_count_in(out, "\"event\":\"done\""), 1);
	assert_non_null(strstr(out, "\"event\":\"done\",\"device\":\""));
	assert_int_equal(fx_count_in(out, "\"event\":\"skipped\""), 3);
	assert_non_null(strstr(out, "\"serial\":\"RE-A\",\"result\":\"skipped\""));
	assert_non_null(strstr(out, "\"reason_code\":\"already-installed\""));
	assert_non_null(strstr(out, "\"reason_code\":\"no-earlier-attempt\""));
	assert_non_null(strstr(out, "\"reason_code\":\"not-failed\""));
	char v[64];
	fx_device_version(&f, c.device, v, sizeof v);
	assert_string_equal(v, FX_VERSION);
	assert_true(fx_device_untouched(&f, d.device));
	assert_true(fx_device_untouched(&f, e.device));
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE serial = 'RE-C'"
	                                       " AND result = 'ok'"),
	                 1);
	/* the single-device path: --only-failed on D skips it */
	assert_int_equal(flash_out(&f, &d, 1, "--only-failed", out, sizeof out), 0);
	assert_non_null(strstr(out, "\"reason_code\":\"no-earlier-attempt\""));
	assert_true(fx_device_untouched(&f, d.device));

	/* and every attempt has its session log */
	char *rd[] = {ARG(f.fwseal_path), ARG("records"), ARG("--records"), f.records,
	              ARG("--log"), ARG("1"), NULL};
	assert_int_equal(run_capture(rd, out, sizeof out), 0);
	assert_non_null(strstr(out, "device: model " FX_MODEL));
	assert_non_null(strstr(out, "result ok"));
	fx_sim_kill(&a, SIGTERM);
	fx_sim_kill(&c, SIGTERM);
	fx_sim_kill(&d, SIGTERM);
	fx_sim_kill(&e, SIGTERM);
	fx_teardown(&f);
}

/* Two units with one serial number in one run: one is flashed, the other
 * refused (duplicate-serial), both said and recorded. */
static void duplicate_serials(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	fx_sim s[2];
	fx_sim_start(&f, &s[0], "d0", FX_MODEL, "SIM-0001", 0);
	fx_sim_start(&f, &s[1], "d1", FX_MODEL, "SIM-0001", 0);
	static char out[65536];
	assert_int_equal(flash_out(&f, s, 2, NULL, out, sizeof out), 8);
	assert_int_equal(fx_count_in(out, "\"event\":\"done\""), 1);
	assert_non_null(strstr(out, "\"code\":\"duplicate-serial\""));
	assert_non_null(strstr(out, "looks like a factory default"));
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result ="
	                                       " 'refused' AND error_code = 'duplicate-serial'"),
	                 1);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result = 'ok'"),
	                 1);
	fx_sim_kill(&s[0], SIGTERM);
	fx_sim_kill(&s[1], SIGTERM);
	fx_teardown(&f);
}

static void plug(const fx_sim *s, const char *link)
{
	unlink(link);
	assert_int_equal(symlink(s->tty, link), 0);
}

static void watch_once(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	char ports[160], pattern[180], link_a[200], link_b[200];
	snprintf(ports, sizeof ports, "%s/ports", f.dir);
	assert_int_equal(mkdir(ports, 0700), 0);
	snprintf(pattern, sizeof pattern, "%s/sim-*", ports);
	snprintf(link_a, sizeof link_a, "%s/sim-a", ports);
	snprintf(link_b, sizeof link_b, "%s/sim-b", ports);

	char *argv[] = {ARG(f.fwseal_path), ARG("watch"), f.pkg, ARG("--trust"), f.trust,
	                ARG("--records"), f.records, ARG("--ports"), pattern,
	                ARG("--settle-ms"), ARG("50"), ARG("--json"), NULL};
	fx_proc w;
	fx_spawn(&w, argv);
	char line[4096];
	assert_true(fx_expect_line(&w, "\"event\":\"watching\"", line, sizeof line, 15000));

	/* plugged in: flashed once */
	fx_sim sim;
	fx_sim_start(&f, &sim, "w", FX_MODEL, "WATCH-1", 0);
	plug(&sim, link_a);
	assert_true(fx_expect_line(&w, "\"serial\":\"WATCH-1\"", line, sizeof line, 15000));
	assert_true(fx_expect_line(&w, "\"event\":\"done\"", line, sizeof line, 15000));
	assert_non_null(strstr(line, "\"version\":\"" FX_VERSION "\""));

	/* unplugged and plugged in again (a new port for the same unit): skipped */
	fx_sim_kill(&sim, SIGTERM);
	unlink(link_a);
	fx_sim_start(&f, &sim, "w", FX_MODEL, "WATCH-1", 0);
	plug(&sim, link_b);
	bool skipped = false;
	while (!skipped && fx_read_line(&w, line, sizeof line, 15000)) {
		assert_null(strstr(line, "\"event\":\"done\"")); /* never flashed twice */
		skipped = strstr(line, "\"event\":\"skipped\"") != NULL;
	}
	assert_true(skipped);
	assert_non_null(strstr(line, "\"reason_code\":\"already-installed\""));

	/* reworked: the same serial number, its flash erased: the device says
	 * it runs nothing, so it is flashed again (history does not decide) */
	fx_sim_kill(&sim, SIGTERM);
	unlink(link_b);
	fx_sim_start(&f, &sim, "w-reworked", FX_MODEL, "WATCH-1", 0); /* a fresh flash */
	plug(&sim, link_a);
	assert_true(fx_expect_line(&w, "\"event\":\"done\"", line, sizeof line, 15000));
	assert_non_null(strstr(line, "\"serial\":\"WATCH-1\""));

	/* two units with the simulator's default serial number, one after the
	 * other: both flashed, both reported */
	fx_sim d1, d2;
	char link_c[200], link_d[200];
	snprintf(link_c, sizeof link_c, "%s/sim-c", ports);
	snprintf(link_d, sizeof link_d, "%s/sim-d", ports);
	fx_sim_start(&f, &d1, "d1", FX_MODEL, "SIM-0001", 0);
	plug(&d1, link_c);
	assert_true(fx_expect_line(&w, "\"event\":\"done\"", line, sizeof line, 15000));
	assert_non_null(strstr(line, "\"serial_note\":\"serial number 'SIM-0001' looks like a"));
	fx_sim_start(&f, &d2, "d2", FX_MODEL, "SIM-0001", 0);
	plug(&d2, link_d);
	assert_true(fx_expect_line(&w, "\"event\":\"done\"", line, sizeof line, 15000));
	assert_non_null(strstr(line, "\"serial_note\":\"serial number SIM-0001 was already seen"));

	kill(w.pid, SIGTERM);
	assert_true(fx_expect_line(&w, "\"event\":\"summary\"", line, sizeof line, 15000));
	assert_non_null(strstr(line, "\"ok\":4"));
	assert_non_null(strstr(line, "\"skipped\":1"));
	assert_int_equal(fx_wait(&w, 10000), 0);
	/* the skip is recorded with its reason, like every attempt */
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"), 5);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result = 'ok'"
	                                       " AND serial = 'WATCH-1'"),
	                 2);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result ="
	                                       " 'skipped' AND error_code = 'already-installed'"
	                                       " AND serial = 'WATCH-1'"),
	                 1);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result = 'ok'"
	                                       " AND serial = 'SIM-0001'"),
	                 2);
	fx_sim_kill(&sim, SIGTERM);
	fx_sim_kill(&d1, SIGTERM);
	fx_sim_kill(&d2, SIGTERM);
	fx_teardown(&f);
}

/* USB and serial in one run: the same engine over both transports. The
 * emulated USB device only exists for the command fwseal-sim --usb runs. */
static void usb_and_serial(void **state)
{
	(void)state;
	if (getenv("FWSEAL_FACTORY_NO_USB"))
		skip();
	fx f;
	fx_setup(&f, 3000);
	fx_sim ser;
	fx_sim_start(&f, &ser, "ser", FX_MODEL, "MIX-SER", 0);
	char usb_state[160];
	snprintf(usb_state, sizeof usb_state, "%s/state-usb", f.dir);
	char *argv[] = {ARG(f.sim_path), ARG("--state"), usb_state, ARG("--trust"), f.trust,
	                ARG("--model"), ARG(FX_MODEL), ARG("--serial-number"), ARG("MIX-USB"),
	                ARG("--usb"), ARG("--"),
	                ARG(f.fwseal_path), ARG("flash"), f.pkg, ARG("--trust"), f.trust,
	                ARG("--records"), f.records, ARG("--yes"), ARG("--json"),
	                ARG("--device"), ARG("usb"), ARG("--device"), ser.device, NULL};
	char out[65536];
	assert_int_equal(run_capture(argv, out, sizeof out), 0);
	assert_int_equal(fx_count_in(out, "\"event\":\"done\""), 2);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result = 'ok'"
	                                       " AND ((device = 'usb' AND serial = 'MIX-USB') OR"
	                                       " (device LIKE 'serial:%' AND serial = 'MIX-SER'))"),
	                 2);
	fx_sim_kill(&ser, SIGTERM);
	fx_teardown(&f);
}

/* watch over USB: libusb hotplug under the emulation. The device present at
 * the start is flashed; it re-enumerates after its restart, arrives again
 * and is skipped, not flashed twice. */
static void watch_usb(void **state)
{
	(void)state;
	if (getenv("FWSEAL_FACTORY_NO_USB"))
		skip();
	fx f;
	fx_setup(&f, 3000);
	char usb_state[160];
	snprintf(usb_state, sizeof usb_state, "%s/state-usb", f.dir);
	char *argv[] = {ARG(f.sim_path), ARG("--state"), usb_state, ARG("--trust"), f.trust,
	                ARG("--model"), ARG(FX_MODEL), ARG("--serial-number"), ARG("WATCH-USB"),
	                ARG("--usb"), ARG("--"),
	                ARG("/usr/bin/timeout"), ARG("--preserve-status"), ARG("-s"), ARG("TERM"),
	                ARG("3"),
	                ARG(f.fwseal_path), ARG("watch"), f.pkg, ARG("--trust"), f.trust,
	                ARG("--records"), f.records, ARG("--usb-only"), ARG("--json"), NULL};
	char out[65536];
	assert_int_equal(run_capture(argv, out, sizeof out), 0);
	assert_int_equal(fx_count_in(out, "\"event\":\"done\""), 1);
	assert_int_equal(fx_count_in(out, "\"event\":\"skipped\""), 1);
	assert_non_null(strstr(out, "\"device\":\"usb:"));
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"), 2);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result ="
	                                       " 'skipped' AND error_code = 'already-installed'"),
	                 1);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result = 'ok'"
	                                       " AND serial = 'WATCH-USB' AND device LIKE 'usb:%'"),
	                 1);
	fx_teardown(&f);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crash_mid_run),
		cmocka_unit_test(exit_codes),
		cmocka_unit_test(flash_all),
		cmocka_unit_test(traceability),
		cmocka_unit_test(unconfirmed_is_not_done),
		cmocka_unit_test(watch_once),
		cmocka_unit_test(reinstall_and_only_failed),
		cmocka_unit_test(duplicate_serials),
		cmocka_unit_test(usb_and_serial),
		cmocka_unit_test(watch_usb),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
