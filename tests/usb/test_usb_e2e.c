/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_usb_e2e.c - fwseal's own host library against the simulated device,
 * over USB DFU, over HID and (the reference) over serial: the same tests,
 * parametrised by the device string (one table of cases, one body per kind
 * of case, no code per transport):
 *   - list; flash v1 -> v2 and the device runs v2;
 *   - refusals by the device of what a hostile host (no host checks) sends:
 *     tampered block (and the tampered block never reaches flash), bad
 *     signature, untrusted key, revoked key, wrong model, wrong hardware
 *     revision, downgrade, oversize, trailing bytes;
 *   - request sequences DFU 1.1 forbids: DNLOAD without GETSTATUS, DNLOAD
 *     after ABORT, zero-length DNLOAD in dfuIDLE, early end, replayed and
 *     skipped chunks, RESUME at a wrong offset or for another prefix;
 *     after each refusal the device still reports v2 with its counter, runs
 *     v2 after a restart, and still runs it after a power cycle;
 *   - cable pulls (usb, hid): the device vanishes during the N-th DNLOAD and
 *     comes back; the same command resumes (at every DNLOAD over usb, early /
 *     middle / last over hid) or, told not to resume, starts over;
 *   - every request sent in the direction it does not take is stalled;
 *   - a device in DFU runtime mode, detached into DFU mode; the fwseal CLI.
 *
 * The test runs itself as the host under the emulation:
 *   fwseal-sim ... --usb [USB opts] -- test-usb-e2e --client DEVICE TRUST ACTION ...
 * (usb_client*.c), because programs see emulated USB devices only under
 * libumockdev-preload; for serial the simulator serves a pty instead.
 * Each refusal and pull case starts from a copy of one device prepared once
 * (flash.bin is the whole device), so cases are independent and fast.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "e2e_pkgs.h"
#include "usb_client.h"
#include "usb_client_int.h" /* the client's exit codes */
#include "usb_fixture.h"
#include "usbemu_run.h"

static struct usb_fix fix;
static struct e2e_pkgs pk;
static char self[4096];

#define MAX_ARGS 8

/* Run the client action with args (NULL-terminated) on f's device over dev. */
static int client_on(const struct usb_fix *f, const char *dev, const char *const *usb_opts,
                     char **out, const char *const *args)
{
	bool serial = strcmp(dev, "serial") == 0;
	const char *argv[MAX_ARGS + 5] = { self, "--client", serial ? USB_FIX_DEVICE : dev,
	                                   f->trust };
	size_t n = 4;

	for (; *args && n < MAX_ARGS + 4; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	return serial ? usb_fix_run_serial(f, argv, out) : usb_fix_run(f, usb_opts, argv, out);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static int client(const char *dev, const char *const *usb_opts, char **out, const char *action,
                  const char *a1, const char *a2)
{
	return client_on(&fix, dev, usb_opts, out, ARGS(action, a1, a2));
}

/* Fail unless out has want (named in the message). cmocka leaves a failing test by longjmp, so the
 * client's output is freed here first (ASan's leak check stays quiet). */
static void fail_freeing(char *out, const char *what)
{
	char msg[8192];

	snprintf(msg, sizeof msg, "%s; the client said:\n%s", what, out ? out : "(none)");
	g_free(out);
	fail_msg("%s", msg);
}

static void assert_has(char *out, const char *want)
{
	/* FWSEAL_E2E_VERBOSE=1: show what the client said (debugging) */
	if (getenv("FWSEAL_E2E_VERBOSE"))
		fprintf(stderr, "client said: %s", out ? out : "(none)\n");
	if (!out || !strstr(out, want))
		fail_freeing(out, want);
}

/* ---- devices: prepared once, copied per case ---- */

struct golden {
	const char *name;
	char state[USB_FIX_PATH_MAX];
	bool ready;
};

static struct golden golden_v1 = { "golden-v1", "", false };
static struct golden golden_v2 = { "golden-v2", "", false };

/* A device for one case: a copy of g (a factory-fresh one if g is NULL) in
 * a new state folder `name`. */
static void device_from(struct usb_fix *f, const struct golden *g, const char *name)
{
	*f = fix;
	snprintf(f->state, sizeof f->state, "%s/%s", fix.dir, name);
	if (!g)
		return;
	gchar *flash = NULL, *src = g_strdup_printf("%s/flash.bin", g->state);
	gchar *dst = g_strdup_printf("%s/flash.bin", f->state);
	gsize len = 0;
	g_mkdir_with_parents(f->state, 0700);
	assert_true(g_file_get_contents(src, &flash, &len, NULL));
	assert_true(g_file_set_contents(dst, flash, (gssize)len, NULL));
	g_free(flash);
	g_free(src);
	g_free(dst);
}

/* g: the device `from` with pkg flashed over usb, made the first time. */
static struct golden *golden(struct golden *g, const struct golden *from, const char *pkg,
                             const char *version)
{
	struct usb_fix f;

	if (!g->ready) {
		device_from(&f, from, g->name);
		assert_int_equal(client_on(&f, "usb", NULL, NULL, ARGS("flash", pkg, version)), 0);
		g_strlcpy(g->state, f.state, sizeof g->state);
		g->ready = true;
	}
	return g;
}

static struct golden *v1_device(void)
{
	return golden(&golden_v1, NULL, fix.v1, "1.0.0");
}

static struct golden *v2_device(void)
{
	return golden(&golden_v2, v1_device(), fix.v2, "2.0.0");
}

/* ---- the case table ---- */

enum kind { K_REFUSE, K_PROTO, K_PULL };

struct e2e_case {
	enum kind kind;
	const char *dev;      /* usb, hid, serial */
	const char *what;     /* refusal: package name; proto: sequence; pull: mode */
	const char *pkg;      /* refusal / proto: package path */
	const char *detail;   /* the device's reason (fws_err_name) */
	unsigned at;          /* pull: the DNLOAD the cable goes at */
	char name[96];
};

static struct e2e_case cases[160];
static size_t ncases;

static struct e2e_case *add(enum kind k, const char *dev, const char *what, const char *pkg,
                            const char *detail, unsigned at)
{
	/* built before cmocka runs: a plain check, not an assert_* */
	if (ncases >= sizeof cases / sizeof cases[0])
		abort();
	struct e2e_case *c = &cases[ncases++];
	*c = (struct e2e_case){ k, dev, what, pkg, detail, at, "" };
	return c;
}

/* After a refusal, a new simulator run on the same flash is a power cycle:
 * the device still runs v2 (read as any DFU host does, dfu-util UPLOAD). */
static void assert_runs_after_power_cycle(const struct usb_fix *f, const char *want)
{
	char v[64] = "?";
	assert_true(usb_fix_running_version(f, v, sizeof v));
	assert_string_equal(v, want);
}

/* The tampered block never reached flash; the block before it did (so the
 * device was writing this download when it refused). */
static void assert_tampered_not_in_flash(const struct usb_fix *f)
{
	gchar *flash = NULL, *path = g_strdup_printf("%s/flash.bin", f->state);
	gsize len = 0;

	assert_true(g_file_get_contents(path, &flash, &len, NULL));
	assert_non_null(memmem(flash, len, pk.good_block, sizeof pk.good_block));
	assert_null(memmem(flash, len, pk.tampered_block, sizeof pk.tampered_block));
	g_free(flash);
	g_free(path);
}

static void test_hostile(void **state)
{
	const struct e2e_case *c = *state;
	struct usb_fix f;
	char *out = NULL;

	char dir[128];
	snprintf(dir, sizeof dir, "case%zu", (size_t)(c - cases));
	device_from(&f, v2_device(), dir);
	int rc = c->kind == K_REFUSE
	       ? client_on(&f, c->dev, NULL, &out, ARGS("refuse", c->pkg, "2.0.0"))
	       : client_on(&f, c->dev, NULL, &out, ARGS("proto", c->what, c->pkg, "2.0.0"));
	char code[64];
	snprintf(code, sizeof code, "client exit %d (3: refused and kept v2)", rc);
	if (rc != CLIENT_REFUSED)
		fail_freeing(out, code);
	char want[80];
	snprintf(want, sizeof want, ": %s\n", c->detail);
	assert_has(out, want);
	assert_has(out, "keeps 2.0.0 after a restart");
	g_free(out);
	if (c->pkg == pk.tampered)
		assert_tampered_not_in_flash(&f);
	assert_runs_after_power_cycle(&f, "2.0.0");
}

static void test_pull(void **state)
{
	const struct e2e_case *c = *state;
	struct usb_fix f;
	char *out = NULL, at[16];
	bool hid = strcmp(c->dev, "hid") == 0;

	snprintf(at, sizeof at, "%u", c->at);
	/* the simulator pulls at its N-th DFU DNLOAD; over hid the client sends
	 * that one DNLOAD itself when its own at-th DNLOAD goes out */
	const char *opts[] = { "--pull-after", hid ? "1" : at, "--replug-ms", "100", NULL };
	char dir[128];
	snprintf(dir, sizeof dir, "case%zu", (size_t)(c - cases));
	device_from(&f, v1_device(), dir);
	int rc = client_on(&f, c->dev, opts, &out, ARGS("pull", fix.v2, "2.0.0", at, c->what));
	char code[64];
	snprintf(code, sizeof code, "client exit %d", rc);
	if (rc != 0)
		fail_freeing(out, code);
	assert_has(out, "after the pull the device runs 1.0.0\n");
	/* at the first DNLOAD nothing reached the device: nothing to resume */
	bool resumes = strcmp(c->what, "resume") == 0 && c->at > 1;
	assert_has(out, resumes ? "resumed at " : "started over\n");
	g_free(out);
}

/* ---- the tests that are not table cases ---- */

static void test_list(void **state)
{
	const char *dev = *state;
	char *out = NULL;
	char want[128];

	usb_fix_fresh_device(&fix);
	assert_int_equal(client(dev, NULL, &out, "list", NULL, NULL), 0);
	snprintf(want, sizeof want, "%s:%s:%s %s %s", dev, USB_FIX_VIDPID, USB_FIX_SERIAL,
	         USB_FIX_MODEL, USB_FIX_SERIAL);
	assert_has(out, want);
	g_free(out);
}

/* The host opens its uevent listener once and keeps it across lists, opens
 * and closes (usb_client_listener.c says why: closing it while the
 * emulation announces a replug killed the emulation). */
static void test_listener_kept(void **state)
{
	char *out = NULL;

	(void)state;
	usb_fix_fresh_device(&fix);
	int rc = client("usb", NULL, &out, "listener", NULL, NULL);
	if (rc != 0)
		fail_freeing(out, "the listener check failed");
	assert_has(out, "listener kept\n");
	g_free(out);
}

/* Every request sent the wrong way (bmRequestType direction) is stalled,
 * and the device goes on as before (usb_client_wrongdir.c). */
static void test_wrong_direction(void **state)
{
	struct usb_fix f;
	char *out = NULL;

	(void)state;
	device_from(&f, v2_device(), "wrongdir");
	int rc = client_on(&f, "usb", NULL, &out, ARGS("wrongdir"));
	if (rc != 0)
		fail_freeing(out, "a request sent the wrong way was not stalled");
	assert_has(out, "every request sent the wrong way was stalled\n");
	g_free(out);
	assert_runs_after_power_cycle(&f, "2.0.0");
}

static void test_flash(void **state)
{
	const char *dev = *state;

	usb_fix_fresh_device(&fix);
	assert_int_equal(client(dev, NULL, NULL, "flash", fix.v1, "1.0.0"), 0);
	assert_int_equal(client(dev, NULL, NULL, "flash", fix.v2, "2.0.0"), 0);
	assert_runs_after_power_cycle(&fix, "2.0.0");
}

/* The fwseal CLI itself over USB and HID ($FWSEAL_CLI): flash, info, and a
 * downgrade refused before anything is sent (exit 4, FWS_EXIT_POLICY). */
static void test_cli(void **state)
{
	(void)state;
	const char *cli = getenv("FWSEAL_CLI");
	char *out = NULL;

	assert_non_null(cli);
	usb_fix_fresh_device(&fix);
	const char *f1[] = { cli, "flash", fix.v1, "--device", "usb", "--yes", "--trust", fix.trust,
	                     NULL };
	assert_int_equal(usb_fix_run(&fix, NULL, f1, NULL), 0);
	const char *f2[] = { cli, "flash", fix.v2, "--device", "hid", "--yes", "--trust", fix.trust,
	                     NULL };
	assert_int_equal(usb_fix_run(&fix, NULL, f2, NULL), 0);
	assert_int_equal(usb_fix_run(&fix, NULL, f1, NULL), 4);
	const char *info[] = { cli, "info", "usb:" USB_FIX_VIDPID ":" USB_FIX_SERIAL, NULL };
	assert_int_equal(usb_fix_run(&fix, NULL, info, &out), 0);
	assert_non_null(strstr(out, "2.0.0"));
	g_free(out);
}

static void test_runtime_mode_detach(void **state)
{
	(void)state;
	const char *runtime[] = { "--runtime", NULL };

	usb_fix_fresh_device(&fix);
	assert_int_equal(client("usb", runtime, NULL, "flash", fix.v1, "1.0.0"), 0);
}

/* ---- the table ---- */

static char usb_dev[] = "usb", hid_dev[] = "hid", serial_dev[] = "serial";
static char *const transports[] = { usb_dev, hid_dev, serial_dev };

/* DNLOADs of a flash of pkg over a 4096-byte transfer size: the chunks and
 * the zero-length end (DFU 1.1 7.1.2). */
static unsigned dnloads_of(const char *pkg)
{
	GStatBuf st;
	if (g_stat(pkg, &st) != 0)
		return 0;
	return (unsigned)((st.st_size - 16 + 4095) / 4096) + 1u;
}

static void make_cases(void)
{
	const struct { const char *name, *pkg, *detail; } refusals[] = {
		{ "tampered", pk.tampered, "block-digest" },
		{ "bad-signature", pk.bad_sig, "bad-signature" },
		{ "wrong-key", pk.wrong_key, "untrusted-key" },
		{ "revoked-key", pk.revoked, "revoked-key" },
		{ "wrong-model", fix.wrong_model, "wrong-model" },
		{ "wrong-hw-revision", pk.hw_rev, "wrong-hw-revision" },
		{ "downgrade", fix.v1, "downgrade" },
		{ "oversize", pk.oversize, "too-big" },
		{ "trailing", pk.trailing, "trailing-data" },
	};
	const struct { const char *name, *detail; } protos[] = {
		{ "no-getstatus", "sequence" },
		{ "after-abort", "not-a-package" },
		{ "zero-length-idle", "sequence" },
		{ "early-end", "truncated" },
		{ "replayed", "block-digest" },
		{ "skipped", "block-digest" },
		{ "resume-offset", "sequence" },
		{ "resume-digest", "sequence" },
	};
	for (size_t t = 0; t < G_N_ELEMENTS(transports); t++) {
		const char *dev = transports[t];
		for (size_t i = 0; i < G_N_ELEMENTS(refusals); i++) {
			struct e2e_case *c = add(K_REFUSE, dev, refusals[i].name, refusals[i].pkg,
			                         refusals[i].detail, 0);
			snprintf(c->name, sizeof c->name, "%s: refuse %s", dev, c->what);
		}
		for (size_t i = 0; i < G_N_ELEMENTS(protos); i++) {
			struct e2e_case *c = add(K_PROTO, dev, protos[i].name, pk.v3, protos[i].detail, 0);
			snprintf(c->name, sizeof c->name, "%s: refuse sequence %s", dev, c->what);
		}
	}
	/* cable pulls: at every DNLOAD over usb; first, second, middle, last
	 * chunk and the end over hid; and starting over after a pull */
	unsigned n = dnloads_of(fix.v2);
	if (n < 4)
		abort(); /* the fixture's v2 is ~31 KiB: 8 chunks and the end */
	for (unsigned at = 1; at <= n; at++)
		add(K_PULL, usb_dev, "resume", NULL, NULL, at);
	const unsigned hid_at[] = { 1, 2, n / 2, n - 1, n };
	for (size_t i = 0; i < G_N_ELEMENTS(hid_at); i++)
		add(K_PULL, hid_dev, "resume", NULL, NULL, hid_at[i]);
	add(K_PULL, usb_dev, "fresh", NULL, NULL, n / 2);
	add(K_PULL, hid_dev, "fresh", NULL, NULL, n / 2);
	for (size_t i = 0; i < ncases; i++)
		if (cases[i].kind == K_PULL)
			snprintf(cases[i].name, sizeof cases[i].name, "%s: cable pull at DNLOAD %u/%u, %s",
			         cases[i].dev, cases[i].at, n, cases[i].what);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--client") == 0)
		return usb_client_main(argc - 2, argv + 2);
	if (!fws_usbemu_available()) {
		fprintf(stderr, "SKIP: umockdev is not installed\n");
		return 77;
	}
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	if (!usb_fix_setup(&fix))
		return 1;
	/* every device here trusts the fixture's key and has a second key revoked */
	e2e_pkgs_make(&pk, fix.dir);
	g_strlcpy(fix.trust, pk.trust, sizeof fix.trust);
	make_cases();

	static struct CMUnitTest tests[G_N_ELEMENTS(cases) + 16];
	size_t k = 0;
	char names[G_N_ELEMENTS(transports) * 2][48];
	for (size_t t = 0; t < G_N_ELEMENTS(transports); t++) {
		snprintf(names[2 * t], sizeof names[0], "%s: list", transports[t]);
		snprintf(names[2 * t + 1], sizeof names[0], "%s: flash v1 -> v2", transports[t]);
		/* a pty is not enumerated unless named in FWSEAL_SERIAL_PORTS */
		if (transports[t] != serial_dev)
			tests[k++] = (struct CMUnitTest){ names[2 * t], test_list, NULL, NULL,
			                                  transports[t] };
		tests[k++] = (struct CMUnitTest){ names[2 * t + 1], test_flash, NULL, NULL,
		                                  transports[t] };
	}
	for (size_t i = 0; i < ncases; i++)
		tests[k++] = (struct CMUnitTest){ .name = cases[i].name,
		                                  .test_func = cases[i].kind == K_PULL ? test_pull
		                                                                       : test_hostile,
		                                  .initial_state = &cases[i] };
	tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_listener_kept);
	tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_wrong_direction);
	tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_runtime_mode_detach);
	tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_cli);
	int rc = _cmocka_run_group_tests("usb-e2e", tests, k, NULL, NULL);
	usb_fix_teardown(&fix);
	return rc;
}
