/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_factory_usb.c - the factory line over emulated USB (umockdev,
 * fwseal-sim --usb), through the fwseal command:
 *   - one USB unit answers on its DFU and its HID interface, and is still
 *     one device: `fwseal info` / `fwseal flash` without --device take it,
 *     `fwseal flash --all` flashes it once (one record, over DFU), and
 *     `fwseal list` shows one unit with both interfaces;
 *   - issue 8 over USB: eight units at once, four on emulated USB (one
 *     testbed, fwseal-sim --and) and four on serial, one unplugged midway
 *     and one of another model: the other six succeed, the records are
 *     exact, and the unplugged unit resumes;
 *   - `fwseal watch` watches USB without --usb, and not with --no-usb.
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

#include "factory_fixture.h"

#define ARG(s) ((char *)(uintptr_t)(s))

static int run_capture(char *const argv[], char *out, size_t cap)
{
	return fx_run_capture(argv, out, cap, 30000);
}

/* fwseal-sim for one USB unit (DFU + HID) running fwseal CMD ARGS. */
static int run_one_usb(const fx *f, const char *serial, char *const cmd[], char *out, size_t cap)
{
	char st[160];
	snprintf(st, sizeof st, "%s/state-%s", f->dir, serial);
	char *argv[48];
	size_t a = 0;
	char *pre[] = {ARG(f->sim_path), ARG("--state"), st, ARG("--trust"), ARG(f->trust),
	               ARG("--model"), ARG(FX_MODEL), ARG("--serial-number"), ARG(serial),
	               ARG("--usb"), ARG("--"), ARG(f->fwseal_path)};
	for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
		argv[a++] = pre[i];
	for (size_t i = 0; cmd[i] && a < 47; i++)
		argv[a++] = cmd[i];
	argv[a] = NULL;
	return run_capture(argv, out, cap);
}

/* Issue 3: --device may be left out when exactly one device is connected;
 * a USB unit with a DFU and a HID interface is one device. */
static void default_device_one_usb_unit(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	char out[65536];

	char *list[] = {ARG("list"), ARG("--json"), NULL};
	assert_int_equal(run_one_usb(&f, "ONE-1", list, out, sizeof out), 0);
	/* one device, both interface strings, DFU first (as its device string) */
	assert_int_equal(fx_count_in(out, "\"device\": \""), 1);
	assert_int_equal(fx_count_in(out, "\"usb:1209:0001:ONE-1\""), 2);
	assert_int_equal(fx_count_in(out, "\"hid:1209:0001:ONE-1\""), 1);
	assert_true(strstr(out, "\"usb:1209:0001:ONE-1\"") < strstr(out, "\"hid:1209:0001:ONE-1\""));

	char *info[] = {ARG("info"), ARG("--json"), NULL};
	assert_int_equal(run_one_usb(&f, "ONE-1", info, out, sizeof out), 0);
	assert_non_null(strstr(out, "\"serial\": \"ONE-1\""));
	assert_non_null(strstr(out, "\"device\": \"usb:1209:0001:ONE-1\""));

	char *flash[] = {ARG("flash"), f.pkg, ARG("--trust"), f.trust, ARG("--records"), f.records,
	                 ARG("--yes"), ARG("--json"), NULL};
	assert_int_equal(run_one_usb(&f, "ONE-1", flash, out, sizeof out), 0);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"), 1);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result = 'ok'"
	                                       " AND serial = 'ONE-1' AND to_version = '" FX_VERSION
	                                       "' AND device LIKE 'usb:%'"),
	                 1);
	fx_teardown(&f);
}

/* --all with one USB unit: flashed once, over DFU, one record. */
static void all_one_usb_unit(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	char out[65536];
	char *flash[] = {ARG("flash"), f.pkg, ARG("--trust"), f.trust, ARG("--records"), f.records,
	                 ARG("--yes"), ARG("--json"), ARG("--all"), NULL};
	assert_int_equal(run_one_usb(&f, "ALL-1", flash, out, sizeof out), 0);
	assert_int_equal(fx_count_in(out, "\"event\":\"start\""), 1);
	assert_int_equal(fx_count_in(out, "\"event\":\"done\""), 1);
	assert_int_equal(fx_count_in(out, "\"event\":\"error\""), 0);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"), 1);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result = 'ok'"
	                                       " AND serial = 'ALL-1' AND device = 'usb:1209:0001:ALL-1'"),
	                 1);
	fx_teardown(&f);
}

/* Rows of the records with serial sn that match cond (SQL). */
static int64_t rows_where(const fx *f, const char *sn, const char *cond)
{
	char sql[1024];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM attempts WHERE serial = '%s' AND %s", sn,
	         cond);
	return fx_sql_int(f->records, sql);
}

/* One complete row of an attempt on unit sn through device, with result,
 * error code and model, and nothing else recorded for sn before it. */
static void check_row(const fx *f, const char *sn, const char *device, const char *model,
                      const char *result, const char *error_code)
{
	char cond[768];
	snprintf(cond, sizeof cond,
	         "station = 'usb-line' AND device = '%s' AND model = '%s' AND hw_rev = 1"
	         " AND from_version = '' AND to_version = '" FX_VERSION "'"
	         " AND package_sha256 = '%s' AND result = '%s' AND error_code = '%s'"
	         " AND duration_ms BETWEEN 0 AND 60000 AND (result = 'ok' OR length(error) > 20)",
	         device, model, f->digest_hex, result, error_code);
	assert_int_equal(rows_where(f, sn, cond), 1);
}

#define USB_UNITS 4
#define SER_UNITS 4
#define USB_WRONG 2   /* U2: another model */
#define USB_VICTIM 3  /* U3: its cable is pulled at the 3rd DNLOAD */

/* Issue 8: eight simulated devices at once over serial and emulated USB,
 * one unplugged midway, one of the wrong model: the other six succeed and
 * the records are exact; the unplugged one resumes afterwards. */
static fx_sim ser[SER_UNITS]; /* killed by stop_sims even when a check fails */

static int stop_sims(void **state)
{
	(void)state;
	for (int i = 0; i < SER_UNITS; i++)
		if (ser[i].pid > 0)
			fx_sim_kill(&ser[i], SIGTERM);
	memset(ser, 0, sizeof ser);
	return 0;
}

static void eight_at_once_usb_and_serial(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 24u * 1024u + 5u);
	for (int i = 0; i < SER_UNITS; i++) {
		char name[8], sn[8];
		snprintf(name, sizeof name, "s%d", i);
		snprintf(sn, sizeof sn, "S%d", i);
		fx_sim_start(&f, &ser[i], name, FX_MODEL, sn, 0);
	}

	/* fwseal-sim U0 --and U1 --and U2 --and U3 --usb ... -- fwseal flash ... */
	char st[USB_UNITS][160], sn[USB_UNITS][8], dev[USB_UNITS][40];
	char *argv[96];
	size_t a = 0;
	argv[a++] = ARG(f.sim_path);
	for (int i = 0; i < USB_UNITS; i++) {
		snprintf(st[i], sizeof st[i], "%s/state-u%d", f.dir, i);
		snprintf(sn[i], sizeof sn[i], "U%d", i);
		snprintf(dev[i], sizeof dev[i], "usb:1209:0001:U%d", i);
		if (i > 0)
			argv[a++] = ARG("--and");
		char *unit[] = {ARG("--state"), st[i], ARG("--trust"), f.trust, ARG("--model"),
		                ARG(i == USB_WRONG ? "OTHER-MODEL" : FX_MODEL), ARG("--serial-number"),
		                sn[i]};
		for (size_t k = 0; k < sizeof unit / sizeof unit[0]; k++)
			argv[a++] = unit[k];
	}
	char *usb[] = {ARG("--usb"), ARG("--no-hid"), ARG("--pull-after"), ARG("3"),
	               ARG("--pull-unit"), ARG("4"), ARG("--replug-ms"), ARG("-1"), ARG("--"),
	               ARG(f.fwseal_path), ARG("flash"), f.pkg, ARG("--trust"), f.trust,
	               ARG("--records"), f.records, ARG("--station"), ARG("usb-line"),
	               ARG("--yes"), ARG("--json")};
	for (size_t k = 0; k < sizeof usb / sizeof usb[0]; k++)
		argv[a++] = usb[k];
	for (int i = 0; i < USB_UNITS; i++) {
		argv[a++] = ARG("--device");
		argv[a++] = dev[i];
	}
	for (int i = 0; i < SER_UNITS; i++) {
		argv[a++] = ARG("--device");
		argv[a++] = ser[i].device;
	}
	argv[a] = NULL;
	assert_true(a < sizeof argv / sizeof argv[0]);

	static char out[1 << 17];
	int rc = run_capture(argv, out, sizeof out);
	if (rc != 8 || fx_count_in(out, "\"event\":\"done\"") != 6)
		fprintf(stderr, "fwseal flash exited %d; its output:\n%s\n", rc, out); /* rare: keep the evidence */
	assert_int_equal(rc, 8); /* some succeeded */
	assert_int_equal(fx_count_in(out, "\"event\":\"start\""), USB_UNITS + SER_UNITS);
	assert_int_equal(fx_count_in(out, "\"event\":\"done\""), 6);
	assert_int_equal(fx_count_in(out, "\"event\":\"error\""), 2);

	/* the records: exactly one complete row per attempt */
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"), 8);
	for (int i = 0; i < USB_UNITS; i++) {
		if (i == USB_WRONG || i == USB_VICTIM)
			continue;
		check_row(&f, sn[i], dev[i], FX_MODEL, "ok", "");
	}
	for (int i = 0; i < SER_UNITS; i++) {
		char s[8];
		snprintf(s, sizeof s, "S%d", i);
		check_row(&f, s, ser[i].device, FX_MODEL, "ok", "");
	}
	check_row(&f, "U2", dev[USB_WRONG], "OTHER-MODEL", "refused", "wrong-model");
	check_row(&f, "U3", dev[USB_VICTIM], FX_MODEL, "interrupted", "disconnected");

	/* plugged in again (same flash), the victim resumes and succeeds */
	char *again[] = {ARG(f.sim_path), ARG("--state"), st[USB_VICTIM], ARG("--trust"), f.trust,
	                 ARG("--model"), ARG(FX_MODEL), ARG("--serial-number"), sn[USB_VICTIM],
	                 ARG("--usb"), ARG("--"),
	                 ARG(f.fwseal_path), ARG("flash"), f.pkg, ARG("--trust"), f.trust,
	                 ARG("--records"), f.records, ARG("--station"), ARG("usb-line"),
	                 ARG("--yes"), ARG("--json"), ARG("--device"), dev[USB_VICTIM], NULL};
	assert_int_equal(run_capture(again, out, sizeof out), 0);
	assert_non_null(strstr(out, "\"resume\":true"));
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"), 9);
	assert_int_equal(rows_where(&f, "U3", "result = 'ok' AND id = (SELECT max(id) FROM attempts)"),
	                 1);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"
	                                       " WHERE result = 'in-progress'"),
	                 0);
	stop_sims(NULL);
	fx_teardown(&f);
}

/* `fwseal watch` watches USB by default (no --usb): the emulated unit is
 * flashed once; with --no-usb it is left alone. Serial: an empty folder. */
static void watch_usb_by_default(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	char ports[160], out[65536];
	snprintf(ports, sizeof ports, "%s/ports/sim-*", f.dir);
	char *watch[] = {ARG("/usr/bin/timeout"), ARG("--preserve-status"), ARG("-s"), ARG("TERM"),
	                 ARG("3"), ARG(f.fwseal_path), ARG("watch"), f.pkg, ARG("--trust"), f.trust,
	                 ARG("--records"), f.records, ARG("--ports"), ports, ARG("--json"), NULL,
	                 NULL};
	char st[160];
	snprintf(st, sizeof st, "%s/ports", f.dir);
	assert_int_equal(mkdir(st, 0700), 0);
	snprintf(st, sizeof st, "%s/state-W", f.dir);
	char *pre[] = {ARG(f.sim_path), ARG("--state"), st, ARG("--trust"), f.trust, ARG("--model"),
	               ARG(FX_MODEL), ARG("--serial-number"), ARG("WATCH-DEF"), ARG("--usb"),
	               ARG("--")};
	char *argv[40];
	size_t a = 0;
	for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
		argv[a++] = pre[i];
	size_t cmd_at = a;
	for (size_t i = 0; watch[i]; i++)
		argv[a++] = watch[i];
	argv[a] = NULL;

	/* --no-usb: serial only, the USB unit is not touched */
	argv[4 + cmd_at] = ARG("1");
	argv[a] = ARG("--no-usb");
	argv[a + 1] = NULL;
	assert_int_equal(run_capture(argv, out, sizeof out), 0);
	assert_non_null(strstr(out, "\"usb\":false"));
	assert_int_equal(fx_count_in(out, "\"event\":\"start\""), 0);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"), 0);

	/* default: USB too; flashed once (it re-enumerates after its restart
	 * and is then skipped), over DFU */
	argv[4 + cmd_at] = ARG("3");
	argv[a] = NULL;
	assert_int_equal(run_capture(argv, out, sizeof out), 0);
	assert_non_null(strstr(out, "\"usb\":true"));
	assert_int_equal(fx_count_in(out, "\"event\":\"done\""), 1);
	/* the skip after the re-enumeration is an attempt too, with its reason */
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"),
	                 1 + fx_count_in(out, "\"event\":\"skipped\""));
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result = 'ok'"
	                                       " AND serial = 'WATCH-DEF'"
	                                       " AND device = 'usb:1209:0001:WATCH-DEF'"),
	                 1);
	fx_teardown(&f);
}

/* A device whose USB serial-number string holds control characters (an
 * OSC sequence that retitles a terminal): `fwseal watch` names it with
 * printable ASCII only, in what it prints and what it records. */
static void watch_hostile_usb_strings(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 3000);
	char out[65536], st[160], ports[160];
	snprintf(st, sizeof st, "%s/state-H", f.dir);
	snprintf(ports, sizeof ports, "%s/no-ports", f.dir);
	assert_int_equal(mkdir(ports, 0700), 0);
	snprintf(ports, sizeof ports, "%s/no-ports/sim-*", f.dir);
	char *argv[] = {ARG(f.sim_path), ARG("--state"), st, ARG("--trust"), f.trust,
	                ARG("--model"), ARG(FX_MODEL), ARG("--serial-number"), ARG("W\x1b]0;x\x07Y"),
	                ARG("--usb"), ARG("--"), ARG("/usr/bin/timeout"), ARG("--preserve-status"),
	                ARG("-s"), ARG("TERM"), ARG("3"), ARG(f.fwseal_path), ARG("watch"), f.pkg,
	                ARG("--trust"), f.trust, ARG("--records"), f.records, ARG("--ports"), ports,
	                NULL};
	(void)run_capture(argv, out, sizeof out);
	/* every line that names the device: no control character in it */
	int named = 0;
	for (char *line = out; *line;) {
		char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		if (memmem(line, n, "usb:1209:0001:", 14)) {
			named++;
			for (size_t i = 0; i < n; i++)
				if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
					fail_msg("watch printed a control character: %.*s", (int)n, line);
			assert_non_null(memmem(line, n, "usb:1209:0001:W?]0;x?Y", 22));
		}
		line += n + (end ? 1 : 0);
	}
	assert_true(named > 0);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE device GLOB "
	                                       "'*' || char(27) || '*'"), 0);
	fx_teardown(&f);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_device_one_usb_unit),
		cmocka_unit_test(all_one_usb_unit),
		cmocka_unit_test_teardown(eight_at_once_usb_and_serial, stop_sims),
		cmocka_unit_test(watch_usb_by_default),
		cmocka_unit_test(watch_hostile_usb_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
