/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_evidence_dut.c - the functional tests of the evidence pack against
 * fwseal-sim over a pty: the golden pack for a sound simulated device, where
 * every test PASSes, including two real power cuts through the simulator's
 * control socket and the N-1 -> N upgrade by the real `fwseal flash`; and
 * each planted defect (--defect ...) must turn exactly the matching test and
 * ICS row to FAIL. A pack that cannot fail proves nothing.
 *
 * USB DFU and HID runs are in test_evidence_cli.sh (one shared run under the
 * emulated USB bus).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ev_fixture.h"
#include "ev_util.h"
#include "evidence.h"

struct sim {
	pid_t pid;
	char device[256];
	char control[256];
};

static void sim_start(struct sim *s, const struct ev_fixture *fx, const char *defect)
{
	const char *bin = getenv("FWSEAL_SIM");
	assert_non_null(bin);
	char state[400];
	snprintf(state, sizeof(state), "%s/device", fx->dir);
	int out[2];
	assert_int_equal(pipe(out), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		/* never outlive a test that failed half-way */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		if (!getenv("FWSEAL_SIM_VERBOSE")) {
			FILE *null = freopen("/dev/null", "w", stderr);
			(void)null;
		}
		const char *argv[20] = {bin, "--state", state, "--trust", fx->trust, "--model",
		                        EV_FIX_MODEL, "--hw-rev", "2", "--component", "app",
		                        "--serial-number", "SIM-EV-0001"};
		int n = 13;
		if (defect) {
			argv[n++] = "--defect";
			argv[n++] = defect;
		}
		argv[n] = NULL;
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(out[1]);
	FILE *f = fdopen(out[0], "r");
	assert_non_null(f);
	char line[256] = "";
	if (!fgets(line, sizeof(line), f))
		fail_msg("fwseal-sim printed no device line");
	line[strcspn(line, "\n")] = '\0';
	assert_true(strncmp(line, "serial:", 7) == 0);
	snprintf(s->device, sizeof(s->device), "%s", line);
	if (!fgets(line, sizeof(line), f))
		fail_msg("fwseal-sim printed no control line");
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	assert_true(strncmp(line, "control:", 8) == 0);
	snprintf(s->control, sizeof(s->control), "%s", line + 8);
}

static void sim_stop(struct sim *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	int st;
	waitpid(s->pid, &st, 0);
	s->pid = 0;
}

static int64_t fixed_clock(void)
{
	return EV_FIX_NOW;
}

struct run {
	struct ev_fixture fx;
	struct ev_product prod;
	struct ev_trustfacts trust;
	struct ev_pkgfacts pkg;
	struct ev_release rel;
	struct ev_pack pk;
	struct sim sim;
	char *examples;
};

/* Generate a pack against a simulator; lab = give the previous release, the
 * lab test key and the revoked key; release_trust_only: the pack is told the
 * devices carry the release key only (the simulator has all three). */
static void run_pack_trust(struct run *r, const char *defect, bool lab, bool release_trust_only);

static void run_pack(struct run *r, const char *defect, bool lab)
{
	run_pack_trust(r, defect, lab, false);
}

static void run_pack_trust(struct run *r, const char *defect, bool lab, bool release_trust_only)
{
	char err[1024];
	ev_fixture_setup(&r->fx, 7);
	r->examples = ev_fixture_src("examples");
	char *path = ev_fixture_src("examples/product-example.ini");
	if (!ev_product_load(&r->prod, path, err, sizeof(err)))
		fail_msg("%s", err);
	free(path);
	/* this simulator serves serial only; USB is test_evidence_cli.sh's */
	r->prod.interfaces = 1u << EV_MECH_SERIAL;
	const char *trust = release_trust_only ? r->fx.trust_release : r->fx.trust;
	assert_true(ev_trust_load(&r->trust, trust, err, sizeof(err)));
	assert_true(ev_pkg_load(&r->pkg, r->fx.pkg, &r->trust.trust, err, sizeof(err)));
	ev_fixture_release(&r->rel);
	sim_start(&r->sim, &r->fx, defect);
	struct ev_inputs in = {
		.edition = ev_edition_find("en303645-v2.1.1"), .edition_source = "--edition",
		.release = &r->rel, .product_dir = r->examples,
		.test_key_id = lab ? "lab" : NULL, .revoked_key_id = lab ? "revoked" : NULL,
	};
	if (!ev_pack_build(&r->pk, &r->prod, &r->pkg, &r->trust, &in, EV_FIX_NOW, err, sizeof(err)))
		fail_msg("%s", err);
	struct ev_ft_opts o = {
		.device = r->sim.device,
		.package_path = r->fx.pkg,
		.trust_path = trust,
		.previous_path = lab ? r->fx.pkg_prev : NULL,
		.test_key_path = lab ? r->fx.test_key : NULL,
		.revoked_key_path = lab ? r->fx.revoked_key : NULL,
		.cli_path = getenv("FWSEAL_BIN"),
		.power = {.sim_controls = r->sim.control},
		.clock = fixed_clock,
	};
	assert_non_null(o.cli_path);
	if (!ev_functional_run(&r->pk, &o, err, sizeof(err)))
		fail_msg("%s", err);
	ev_pack_finish(&r->pk);
}

static void run_free(struct run *r)
{
	if (!r->fx.dir[0])
		return;
	sim_stop(&r->sim);
	ev_pack_free(&r->pk);
	ev_pkg_free(&r->pkg);
	ev_trust_free(&r->trust);
	ev_product_free(&r->prod);
	ev_fixture_teardown(&r->fx);
	free(r->examples);
	memset(r, 0, sizeof(*r));
}

static int setup(void **state)
{
	*state = calloc(1, sizeof(struct run));
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	run_free(*state);
	free(*state);
	return 0;
}

#define test_of ev_fixture_test

/* Every test PASS except those listed (id, verdict), NULL-terminated. */
static void expect_verdicts(const struct ev_pack *pk, const char *const *other,
                            const enum ev_verdict *v)
{
	for (size_t i = 0; i < pk->ntests; i++) {
		const struct ev_test *t = &pk->tests[i];
		enum ev_verdict want = EV_PASS;
		for (size_t k = 0; other && other[k]; k++)
			if (!strcmp(other[k], t->id))
				want = v[k];
		if (t->verdict != want) {
			print_error("%s log:\n%s\n", t->id, t->log);
			fail_msg("%s: %s (%s), expected %s", t->id, ev_verdict_name(t->verdict), t->reason,
			         ev_verdict_name(want));
		}
	}
}

static bool flagged(const struct ev_pack *pk, unsigned n)
{
	for (size_t k = 0; k < pk->ics[n - 1].nfnd; k++)
		if (pk->ics[n - 1].fnd[k].level == EV_LEVEL_FAIL)
			return true;
	return false;
}

/* The ICS rows flagged FAIL are exactly those listed (0-terminated). */
static void expect_flagged(const struct ev_pack *pk, const unsigned *rows)
{
	for (unsigned n = 1; n <= EV_PROVISIONS; n++) {
		bool want = false;
		for (const unsigned *r = rows; *r; r++)
			want |= *r == n;
		if (flagged(pk, n) != want)
			fail_msg("ICS 5.3-%u is %sflagged", n, want ? "not " : "");
	}
}

/* A sound device: every test passes; golden pack; device restored. */
static void golden_sim(void **state)
{
	struct run *r = *state;
	run_pack(r, NULL, true);
	expect_verdicts(&r->pk, NULL, NULL);
	static const unsigned none[] = {0};
	expect_flagged(&r->pk, none);
	assert_int_equal(r->pk.ndevices, 1);
	const struct ev_device *d = &r->pk.devices[0];
	assert_non_null(strstr(d->after, "runs the release"));
	assert_true(d->simulator);
	assert_non_null(strstr(d->power_cut, "control socket"));
	for (size_t i = 0; i < r->pk.ntests; i++) {
		const struct ev_test *t = &r->pk.tests[i];
		assert_non_null(t->log);
		if (t->def->kind == EV_KIND_DEVICE) {
			assert_string_equal(t->device_serial, "SIM-EV-0001");
			assert_string_equal(t->transport, "serial");
			assert_string_equal(t->device, r->sim.device);
		}
	}
	/* FT-02 was the N-1 -> N upgrade by the fwseal command (it once
	 * re-installed the release the device already ran) */
	const struct ev_test *up = test_of(&r->pk, "FT-02-authentic-update");
	assert_non_null(strstr(up->reason, "from firmware 1.4.1"));
	assert_non_null(strstr(up->log, "$ fwseal flash release.fwseal"));
	/* ... sending the whole release: FT-10 and FT-11 leave an interrupted
	 * download, which the command once resumed, sending only its end */
	assert_non_null(strstr(up->log, "the upgrade starts over (--no-resume)"));
	assert_null(strstr(up->log, "resumed"));
	/* a sound device needs no re-install to reach a test's known state */
	for (size_t i = 0; i < r->pk.ntests; i++)
		assert_null(strstr(r->pk.tests[i].log, "to reach the known state"));
	/* FT-11 made real power cuts */
	const struct ev_test *pc = test_of(&r->pk, "FT-11-power-cut");
	assert_non_null(strstr(pc->log, "the simulator counts 2 power cut(s), 1 before this one"));
	/* the pack names the simulation on its first page */
	char *md = ev_render_md(&r->pk);
	char *head = ev_xstrndup(md, 2000);
	assert_non_null(strstr(head, "**Devices: SIMULATED.**"));
	/* the desktop app's page is not demonstrated (rows 5.3-11/12 say so):
	 * the first page must not say nothing was left undemonstrated */
	assert_non_null(strstr(head, "something not demonstrated: 5.3-11, 5.3-12."));
	free(head);
	free(md);
	/* The golden pack: the logs hold timings and the command's progress
	 * output, so they are asserted above and left out here. */
	char *logs[256];
	static char placeholder[] = "(log checked by the test, not by the golden file)\n";
	assert_true(r->pk.ntests <= 256);
	for (size_t i = 0; i < r->pk.ntests; i++) {
		logs[i] = r->pk.tests[i].log;
		r->pk.tests[i].log = placeholder;
	}
	md = ev_render_md(&r->pk);
	char *json = ev_render_json(&r->pk);
	for (size_t i = 0; i < r->pk.ntests; i++)
		r->pk.tests[i].log = logs[i];
	char *nj = ev_fixture_replace(json, r->sim.device, "serial:SIM-PTY");
	char *nm = ev_fixture_replace(md, r->sim.device, "serial:SIM-PTY");
	char *nj2 = ev_fixture_replace(nj, r->sim.control, "SIM-CONTROL");
	char *nm2 = ev_fixture_replace(nm, r->sim.control, "SIM-CONTROL");
	char *nj3 = ev_fixture_replace(nj2, r->pk.defaults_file_sha256, "SHA256-OF-THE-DEFAULTS-FILE");
	char *nm3 = ev_fixture_replace(nm2, r->pk.defaults_file_sha256, "SHA256-OF-THE-DEFAULTS-FILE");
	char *nj4 = ev_fixture_replace(nj3, r->fx.dir, "FIXTURE");
	char *nm4 = ev_fixture_replace(nm3, r->fx.dir, "FIXTURE");
	ev_fixture_golden("sim.json", nj4, r->pk.tool_version);
	ev_fixture_golden("sim.md", nm4, r->pk.tool_version);
	free(json);
	free(md);
	free(nj);
	free(nm);
	free(nj2);
	free(nm2);
	free(nj3);
	free(nm3);
	free(nj4);
	free(nm4);
}

/* Without an older release or lab keys the tests that need them say so. */
static void without_lab_inputs(void **state)
{
	struct run *r = *state;
	run_pack(r, NULL, false);
	static const char *const ids[] = {"FT-02-authentic-update", "FT-07-downgrade",
	                                  "FT-08-wrong-model", "FT-12-revoked-key",
	                                  "FT-13-wrong-hw-revision", "FT-14-wrong-component", NULL};
	static const enum ev_verdict v[] = {EV_INCONCLUSIVE, EV_INCONCLUSIVE, EV_INCONCLUSIVE,
	                                    EV_INCONCLUSIVE, EV_INCONCLUSIVE, EV_INCONCLUSIVE};
	expect_verdicts(&r->pk, ids, v);
	assert_non_null(strstr(test_of(&r->pk, "FT-02-authentic-update")->reason,
	                       "not the N-1 -> N upgrade"));
}

/* The trust store the pack describes is not the one in the device: FT-16
 * FAILs and flags 5.3-7 and 5.3-9 (the pack once took the host's file for
 * the device's trust store). */
static void trust_store_mismatch(void **state)
{
	struct run *r = *state;
	run_pack_trust(r, NULL, false, true);
	static const char *const ids[] = {"FT-16-trust-store", "FT-02-authentic-update",
	                                  "FT-07-downgrade", "FT-08-wrong-model", "FT-12-revoked-key",
	                                  "FT-13-wrong-hw-revision", "FT-14-wrong-component", NULL};
	static const enum ev_verdict v[] = {EV_FAIL, EV_INCONCLUSIVE, EV_INCONCLUSIVE,
	                                    EV_INCONCLUSIVE, EV_INCONCLUSIVE, EV_INCONCLUSIVE,
	                                    EV_INCONCLUSIVE};
	expect_verdicts(&r->pk, ids, v);
	static const unsigned rows[] = {7, 9, 0};
	expect_flagged(&r->pk, rows);
	const struct ev_test *t = test_of(&r->pk, "FT-16-trust-store");
	assert_non_null(strstr(t->reason, "which the file does not list"));
}

struct defect_case {
	const char *defect;
	const char *const tests[5];
	unsigned rows[4];
};

static void defect(void **state, const struct defect_case *c)
{
	struct run *r = *state;
	run_pack(r, c->defect, true);
	enum ev_verdict v[5] = {EV_FAIL, EV_FAIL, EV_FAIL, EV_FAIL, EV_FAIL};
	expect_verdicts(&r->pk, c->tests, v);
	expect_flagged(&r->pk, c->rows);
	/* the device was put back on the release afterwards */
	const char *after = r->pk.devices[0].after;
	assert_true(strstr(after, "restored") || strstr(after, "runs the release"));
}

/* The device took the older release FT-07 sent: the next test brings it back
 * to the known state "runs the release" before it starts, and says so. */
static void defect_accept_downgrade(void **state)
{
	static const struct defect_case c = {"accept-downgrade", {"FT-07-downgrade", NULL}, {2, 0}};
	defect(state, &c);
	struct run *r = *state;
	const char *log = test_of(&r->pk, "FT-08-wrong-model")->log;
	assert_non_null(strstr(log, "the device runs firmware 1.4.1 from slot"));
	assert_non_null(strstr(log, "to reach the known state"));
	/* the state it starts from, logged after the install, then named */
	const char *again = strstr(strstr(log, "to reach the known state"), "before: model=");
	assert_non_null(again);
	assert_non_null(strstr(again, "known state: the device runs the release"));
}

static void defect_skip_block_check(void **state)
{
	static const struct defect_case c = {"skip-block-check", {"FT-04-tampered-block", NULL},
	                                     {9, 0}};
	defect(state, &c);
}

static void defect_skip_hw_rev_check(void **state)
{
	static const struct defect_case c = {"skip-hw-rev-check", {"FT-13-wrong-hw-revision", NULL},
	                                     {2, 0}};
	defect(state, &c);
}

static void defect_skip_component_check(void **state)
{
	static const struct defect_case c = {"skip-component-check",
	                                     {"FT-14-wrong-component", NULL}, {2, 0}};
	defect(state, &c);
}

/* Overwriting the running image: any interruption leaves nothing to boot,
 * and a refusal half way through too: a tampered block (FT-04) and a package
 * cut short (FT-15, which starts again from "runs the release"). The
 * refusals at the package prefix write nothing and PASS. */
static void defect_write_in_place(void **state)
{
	static const struct defect_case c = {"write-in-place",
	                                     {"FT-04-tampered-block", "FT-10-cable-pull",
	                                      "FT-11-power-cut", "FT-15-truncated-package", NULL},
	                                     {2, 9, 0}};
	defect(state, &c);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(golden_sim, setup, teardown),
		cmocka_unit_test_setup_teardown(without_lab_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(trust_store_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(defect_accept_downgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(defect_skip_block_check, setup, teardown),
		cmocka_unit_test_setup_teardown(defect_skip_hw_rev_check, setup, teardown),
		cmocka_unit_test_setup_teardown(defect_skip_component_check, setup, teardown),
		cmocka_unit_test_setup_teardown(defect_write_in_place, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
