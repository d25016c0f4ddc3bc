/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_evidence_dut.c - the functional tests of the evidence pack against
 * fwseal-sim over a pty: golden pack for a correct simulated device, and
 * the planted defects (--defect accept-downgrade, --defect skip-block-check)
 * must turn exactly the matching verdicts to FAIL. A pack that cannot fail
 * proves nothing.
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
		const char *argv[16] = {bin, "--state", state, "--trust", fx->trust, "--model",
		                        EV_FIX_MODEL, "--hw-rev", "2", "--serial-number", "SIM-EV-0001"};
		int n = 11;
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
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	assert_true(strncmp(line, "serial:", 7) == 0);
	snprintf(s->device, sizeof(s->device), "%s", line);
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
	struct ev_pack pk;
	struct sim sim;
};

/* Generate a pack against a simulator; lab = give the previous release and
 * the lab test key. */
static void run_pack(struct run *r, const char *defect, bool lab)
{
	char err[1024];
	ev_fixture_setup(&r->fx, 7);
	char *path = ev_fixture_src("examples/product-example.ini");
	if (!ev_product_load(&r->prod, path, err, sizeof(err)))
		fail_msg("%s", err);
	free(path);
	/* the simulator serves serial only; the example also names usb-dfu */
	r->prod.interfaces &= ev_mech_built();
	assert_true(ev_trust_load(&r->trust, r->fx.trust, err, sizeof(err)));
	assert_true(ev_pkg_load(&r->pkg, r->fx.pkg, &r->trust.trust, err, sizeof(err)));
	sim_start(&r->sim, &r->fx, defect);
	if (!ev_pack_build(&r->pk, &r->prod, &r->pkg, &r->trust, r->sim.device, EV_FIX_NOW, err,
	                   sizeof(err)))
		fail_msg("%s", err);
	struct ev_ft_opts o = {
		.device = r->sim.device,
		.package_path = r->fx.pkg,
		.previous_path = lab ? r->fx.pkg_prev : NULL,
		.test_key_path = lab ? r->fx.test_key : NULL,
		.clock = fixed_clock,
	};
	if (!ev_functional_run(&r->pk, &o, err, sizeof(err)))
		fail_msg("%s", err);
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

static enum ev_verdict verdict_of(const struct ev_pack *pk, const char *id)
{
	for (size_t i = 0; i < pk->ntests; i++)
		if (!strcmp(pk->tests[i].id, id))
			return pk->tests[i].verdict;
	fail_msg("no test %s", id);
	return EV_INCONCLUSIVE;
}

static const char *const all_tests[] = {
	"FT-01-model-readable", "FT-02-authentic-update", "FT-03-support-period-readable",
	"FT-04-tampered-block", "FT-05-bad-signature", "FT-06-wrong-key", "FT-07-downgrade",
	"FT-08-wrong-model", "FT-09-notices-in-package", "FT-10-interrupted-update", NULL,
};

/* Every test PASS except those listed with another verdict. */
static void expect_verdicts(const struct ev_pack *pk, const char *fail1, enum ev_verdict v1,
                            const char *fail2, enum ev_verdict v2)
{
	for (const char *const *id = all_tests; *id; id++) {
		enum ev_verdict want = EV_PASS;
		if (fail1 && !strcmp(*id, fail1))
			want = v1;
		if (fail2 && !strcmp(*id, fail2))
			want = v2;
		enum ev_verdict got = verdict_of(pk, *id);
		if (got != want) {
			for (size_t i = 0; i < pk->ntests; i++)
				if (!strcmp(pk->tests[i].id, *id))
					print_error("%s log:\n%s\n", *id, pk->tests[i].log);
			fail_msg("%s: %s, expected %s", *id, ev_verdict_name(got), ev_verdict_name(want));
		}
	}
}

static const char *dut_field(const struct ev_pack *pk, const char *name)
{
	for (size_t i = 0; i < pk->dut.nf; i++)
		if (!strcmp(pk->dut.f[i].name, name))
			return pk->dut.f[i].value;
	return NULL;
}

/* A correct device: every test passes; golden pack; device restored. */
static void golden_sim(void **state)
{
	struct run *r = *state;
	run_pack(r, NULL, true);
	expect_verdicts(&r->pk, NULL, EV_PASS, NULL, EV_PASS);
	const char *after = dut_field(&r->pk, "device_after_tests");
	assert_non_null(after);
	assert_non_null(strstr(after, "runs the release"));
	for (size_t i = 0; i < r->pk.ntests; i++) {
		const struct ev_test *t = &r->pk.tests[i];
		assert_non_null(t->log);
		if (strcmp(t->id, "FT-09-notices-in-package") != 0)
			assert_string_equal(t->device_serial, "SIM-EV-0001");
	}
	char *json = ev_render_json(&r->pk);
	char *md = ev_render_md(&r->pk);
	char *nj = ev_fixture_replace(json, r->sim.device, "serial:SIM-PTY");
	char *nm = ev_fixture_replace(md, r->sim.device, "serial:SIM-PTY");
	ev_fixture_golden("sim.json", nj, r->pk.tool_version);
	ev_fixture_golden("sim.md", nm, r->pk.tool_version);
	free(json);
	free(md);
	free(nj);
	free(nm);
}

/* Without an older release or a lab key the tests that need one say so. */
static void without_lab_inputs(void **state)
{
	struct run *r = *state;
	run_pack(r, NULL, false);
	expect_verdicts(&r->pk, "FT-07-downgrade", EV_INCONCLUSIVE, "FT-08-wrong-model",
	                EV_INCONCLUSIVE);
}

static void defect_accept_downgrade(void **state)
{
	struct run *r = *state;
	run_pack(r, "accept-downgrade", true);
	expect_verdicts(&r->pk, "FT-07-downgrade", EV_FAIL, NULL, EV_PASS);
	/* the device was put back on the release afterwards */
	const char *after = dut_field(&r->pk, "device_after_tests");
	assert_non_null(after);
	assert_true(strstr(after, "restored") || strstr(after, "runs the release"));
}

static void defect_skip_block_check(void **state)
{
	struct run *r = *state;
	run_pack(r, "skip-block-check", true);
	expect_verdicts(&r->pk, "FT-04-tampered-block", EV_FAIL, NULL, EV_PASS);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(golden_sim, setup, teardown),
		cmocka_unit_test_setup_teardown(without_lab_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(defect_accept_downgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(defect_skip_block_check, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
