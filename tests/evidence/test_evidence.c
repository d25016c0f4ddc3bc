/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_evidence.c - the evidence pack without a device: golden output for
 * the example product description, the rules that stop generation (a
 * missing justification names its provision), cross-checks between product
 * description and package, and the stale-pack notice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_fixture.h"
#include "ev_util.h"
#include "evidence.h"

struct inputs {
	struct ev_fixture fx;
	struct ev_product prod;
	struct ev_trustfacts trust;
	struct ev_pkgfacts pkg;
};

static void load_inputs(struct inputs *in, const char *product_text)
{
	char err[512];
	ev_fixture_setup(&in->fx, 7);
	if (product_text) {
		assert_true(ev_product_parse(&in->prod, product_text, "product-test.ini", err,
		                             sizeof(err)));
	} else {
		char *path = ev_fixture_src("examples/product-example.ini");
		if (!ev_product_load(&in->prod, path, err, sizeof(err)))
			fail_msg("%s", err);
		free(path);
	}
	if (!ev_trust_load(&in->trust, in->fx.trust, err, sizeof(err)))
		fail_msg("%s", err);
	if (!ev_pkg_load(&in->pkg, in->fx.pkg, &in->trust.trust, err, sizeof(err)))
		fail_msg("%s", err);
}

static void free_inputs(struct inputs *in)
{
	ev_pkg_free(&in->pkg);
	ev_trust_free(&in->trust);
	ev_product_free(&in->prod);
	ev_fixture_teardown(&in->fx);
}

/* The example product file + a release package -> the golden pack. */
static void golden_offline(void **state)
{
	(void)state;
	struct inputs in;
	load_inputs(&in, NULL);
	if (!(ev_mech_built() & (1u << EV_MECH_USB_DFU))) {
		free_inputs(&in);
		skip(); /* the example names usb-dfu; this build has no USB transport */
	}
	struct ev_pack pk;
	char err[512];
	if (!ev_pack_build(&pk, &in.prod, &in.pkg, &in.trust, NULL, EV_FIX_NOW, err, sizeof(err)))
		fail_msg("%s", err);
	char out[400];
	snprintf(out, sizeof(out), "%s/pack", in.fx.dir);
	char *stale = NULL;
	if (!ev_pack_write(&pk, out, &stale, err, sizeof(err)))
		fail_msg("%s", err);
	assert_null(stale);
	char path[512];
	snprintf(path, sizeof(path), "%s/evidence.json", out);
	char *json = ev_fixture_read(path);
	ev_fixture_golden("offline.json", json, pk.tool_version);
	snprintf(path, sizeof(path), "%s/evidence.md", out);
	char *md = ev_fixture_read(path);
	ev_fixture_golden("offline.md", md, pk.tool_version);

	/* What the contract promises, independent of the golden text. */
	assert_non_null(strstr(json, "\"provision\": \"5.3-1\""));
	assert_non_null(strstr(json, "\"provision\": \"5.3-16\""));
	assert_non_null(strstr(json, "\"verdict\": \"PASS\""));
	assert_null(strstr(json, "\"verdict\": \"FAIL\""));
	assert_non_null(strstr(md, "does not claim conformance"));
	/* 5.3-10 is N/A because delivery is not over a network interface. */
	const char *p10 = strstr(json, "\"provision\": \"5.3-10\"");
	assert_non_null(p10);
	const char *st = strstr(p10, "\"status\": ");
	assert_non_null(st);
	assert_memory_equal(st, "\"status\": \"N/A\"", strlen("\"status\": \"N/A\""));
	assert_non_null(strstr(p10, "not network interfaces"));
	/* the log file of the package-only test exists */
	snprintf(path, sizeof(path), "%s/logs/FT-09-notices-in-package.log", out);
	free(ev_fixture_read(path));
	free(json);
	free(md);
	ev_pack_free(&pk);
	free_inputs(&in);
}

/* A minimal product description; extra is appended. */
static char *product_with(const char *extra)
{
	static const char base[] =
	    "[product]\nmanufacturer = M\nmodel = " EV_FIX_MODEL "\nhardware_revision = 2\n"
	    "interfaces = serial\n"
	    "[user-info]\nsupport_period_published_at = web\nmodel_designation_published_at = label\n"
	    "update_instructions = plug in\n"
	    "[component app]\ndescription = app\nmechanism = fwseal\n"
	    "[process]\nrelease_owner = r\nsecurity_owner = s\nvulnerability_intake = v\n"
	    "triage = t\nprocedure = p\ntarget_days_critical = 7\ntarget_days_high = 30\n"
	    "target_days_other = 90\n";
	size_t n = strlen(base) + strlen(extra) + 1;
	char *s = malloc(n);
	assert_non_null(s);
	snprintf(s, n, "%s%s", base, extra);
	return s;
}

static const char ics_ok[] =
    "[ics 5.3-4]\nstatus = N\njustification = no network\n"
    "[ics 5.3-5]\nstatus = Y\ndetail = checks on connect\n"
    "[ics 5.3-6]\nstatus = N/A\njustification = neither automatic updates nor notifications\n";

/* Build must fail and the message must name the provision. */
static void expect_refused(const char *extra, const char *needle)
{
	char *text = product_with(extra);
	struct inputs in;
	load_inputs(&in, text);
	struct ev_pack pk;
	char err[512] = "";
	bool ok = ev_pack_build(&pk, &in.prod, &in.pkg, &in.trust, NULL, EV_FIX_NOW, err,
	                        sizeof(err));
	if (ok) {
		ev_pack_free(&pk);
		fail_msg("generation went on; expected an error naming '%s'", needle);
	}
	if (!strstr(err, needle))
		fail_msg("error '%s' does not name '%s'", err, needle);
	free_inputs(&in);
	free(text);
}

static void minimal_product_builds(void **state)
{
	(void)state;
	char *text = product_with(ics_ok);
	struct inputs in;
	load_inputs(&in, text);
	struct ev_pack pk;
	char err[512];
	if (!ev_pack_build(&pk, &in.prod, &in.pkg, &in.trust, NULL, EV_FIX_NOW, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(pk.ics[0].status, EV_STATUS_Y);   /* all components updateable */
	assert_int_equal(pk.ics[13].status, EV_STATUS_NA); /* C(3) not met */
	assert_non_null(pk.ics[13].justification);
	assert_int_equal(pk.ics[5].status, EV_STATUS_NA);
	assert_string_equal(pk.ics[5].justification, "neither automatic updates nor notifications");
	ev_pack_free(&pk);
	free_inputs(&in);
	free(text);
}

static void missing_justification_names_provision(void **state)
{
	(void)state;
	expect_refused("[ics 5.3-4]\nstatus = N\n"
	               "[ics 5.3-5]\nstatus = Y\ndetail = d\n"
	               "[ics 5.3-6]\nstatus = N/A\njustification = j\n",
	               "5.3-4");
	expect_refused("[ics 5.3-4]\nstatus = N\njustification = j\n"
	               "[ics 5.3-5]\nstatus = Y\ndetail = d\n"
	               "[ics 5.3-6]\nstatus = N/A\n",
	               "5.3-6");
}

static void missing_status_names_provision(void **state)
{
	(void)state;
	expect_refused("[ics 5.3-4]\nstatus = N\njustification = j\n"
	               "[ics 5.3-6]\nstatus = N/A\njustification = j\n",
	               "5.3-5");
	expect_refused("[ics 5.3-4]\nstatus = N\njustification = j\n"
	               "[ics 5.3-5]\nstatus = Y\n"
	               "[ics 5.3-6]\nstatus = N/A\njustification = j\n",
	               "5.3-5");
}

static void derived_status_cannot_be_overridden(void **state)
{
	(void)state;
	char extra[1024];
	snprintf(extra, sizeof(extra), "%s[ics 5.3-10]\nstatus = Y\n", ics_ok);
	expect_refused(extra, "5.3-10");
}

static void non_updateable_component(void **state)
{
	(void)state;
	/* no justification for a component without update mechanism: 5.3-1 */
	char extra[1024];
	snprintf(extra, sizeof(extra), "%s[component rom]\ndescription = boot ROM\n"
	         "mechanism = none\n", ics_ok);
	char *text = product_with(extra);
	struct ev_product p;
	char err[512];
	assert_false(ev_product_parse(&p, text, "product-test.ini", err, sizeof(err)));
	assert_non_null(strstr(err, "5.3-1"));
	free(text);
	/* with a justification but no replacement support: 5.3-14 needs one */
	snprintf(extra, sizeof(extra), "%s[component rom]\ndescription = boot ROM\n"
	         "mechanism = none\njustification = mask ROM\nisolation = no network\n", ics_ok);
	expect_refused(extra, "5.3-14");
}

static void product_must_match_package(void **state)
{
	(void)state;
	char *text = product_with(ics_ok);
	char *p = strstr(text, EV_FIX_MODEL);
	p[0] = 'X'; /* another model */
	struct inputs in;
	load_inputs(&in, text);
	struct ev_pack pk;
	char err[512];
	assert_false(ev_pack_build(&pk, &in.prod, &in.pkg, &in.trust, NULL, EV_FIX_NOW, err,
	                           sizeof(err)));
	assert_non_null(strstr(err, "model"));
	free_inputs(&in);
	free(text);
}

static void product_syntax_errors(void **state)
{
	(void)state;
	static const struct { const char *text, *needle; } cases[] = {
		{"[product]\nmodel\n", ":2:"},
		{"key = v\n", ":1:"},
		{"[nonsense]\n", "unknown section"},
		{"[product]\nmanufacturer = M\nmodel = X\nhardware_revision = 2\ninterfaces = wifi\n",
		 "wifi"},
		{"[product]\nmanufacturer = M\nmodel = X\nhardware_revision = 2\ninterfaces = serial\n"
		 "modle = Y\n", "modle"},
		{"[ics 5.3-17]\n", "5.3-17"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ev_product p;
		char err[512] = "";
		assert_false(ev_product_parse(&p, cases[i].text, "x.ini", err, sizeof(err)));
		if (!strstr(err, cases[i].needle))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].needle);
	}
}

/* Regenerating for another package digest says the old pack is stale. */
static void stale_pack_is_reported(void **state)
{
	(void)state;
	char *text = product_with(ics_ok);
	struct inputs in;
	load_inputs(&in, text);
	char err[512], out[400];
	snprintf(out, sizeof(out), "%s/pack", in.fx.dir);
	struct ev_pack pk;
	assert_true(ev_pack_build(&pk, &in.prod, &in.pkg, &in.trust, NULL, EV_FIX_NOW, err,
	                          sizeof(err)));
	char *stale = NULL;
	assert_true(ev_pack_write(&pk, out, &stale, err, sizeof(err)));
	assert_null(stale);
	ev_pack_free(&pk);
	/* same package again: not stale */
	assert_true(ev_pack_build(&pk, &in.prod, &in.pkg, &in.trust, NULL, EV_FIX_NOW, err,
	                          sizeof(err)));
	assert_true(ev_pack_write(&pk, out, &stale, err, sizeof(err)));
	assert_null(stale);
	ev_pack_free(&pk);

	/* the previous release: another digest */
	struct ev_pkgfacts prev;
	assert_true(ev_pkg_load(&prev, in.fx.pkg_prev, &in.trust.trust, err, sizeof(err)));
	assert_true(ev_pack_build(&pk, &in.prod, &prev, &in.trust, NULL, EV_FIX_NOW, err,
	                          sizeof(err)));
	assert_true(ev_pack_write(&pk, out, &stale, err, sizeof(err)));
	assert_non_null(stale);
	assert_non_null(strstr(stale, "stale"));
	char *old = ev_hex(in.pkg.sha256, 32);
	assert_non_null(strstr(stale, old));
	char path[512];
	snprintf(path, sizeof(path), "%s/evidence.json", out);
	char *json = ev_fixture_read(path);
	assert_non_null(strstr(json, old));           /* replaces_stale_pack names it */
	char *now = ev_hex(prev.sha256, 32);
	char *d = ev_pack_read_digest(out, NULL);
	assert_string_equal(d, now);
	free(d);
	free(now);
	free(json);
	free(old);
	free(stale);
	ev_pack_free(&pk);
	ev_pkg_free(&prev);

	/* a folder that is not a pack is never replaced */
	char other[400];
	snprintf(other, sizeof(other), "%s", in.fx.dir);
	assert_true(ev_pack_build(&pk, &in.prod, &in.pkg, &in.trust, NULL, EV_FIX_NOW, err,
	                          sizeof(err)));
	assert_false(ev_pack_write(&pk, other, &stale, err, sizeof(err)));
	assert_non_null(strstr(err, "not an evidence pack"));
	ev_pack_free(&pk);
	free_inputs(&in);
	free(text);
}

/* A package the trust store does not accept gives no pack. */
static void untrusted_package_refused(void **state)
{
	(void)state;
	struct ev_fixture fx;
	ev_fixture_setup(&fx, 7);
	test_key other;
	test_key_generate(&other, 99);
	test_pkg_opts o = {0};
	o.model = EV_FIX_MODEL;
	o.keys[0] = &other;
	char path[400];
	snprintf(path, sizeof(path), "%s/other.fwseal", fx.dir);
	ev_fixture_write_pkg(path, &o, 1);
	struct ev_trustfacts t;
	struct ev_pkgfacts p;
	char err[512];
	assert_true(ev_trust_load(&t, fx.trust, err, sizeof(err)));
	assert_false(ev_pkg_load(&p, path, &t.trust, err, sizeof(err)));
	assert_non_null(strstr(err, "does not verify"));
	ev_trust_free(&t);
	test_key_free(&other);
	ev_fixture_teardown(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_offline),
		cmocka_unit_test(minimal_product_builds),
		cmocka_unit_test(missing_justification_names_provision),
		cmocka_unit_test(missing_status_names_provision),
		cmocka_unit_test(derived_status_cannot_be_overridden),
		cmocka_unit_test(non_updateable_component),
		cmocka_unit_test(product_must_match_package),
		cmocka_unit_test(product_syntax_errors),
		cmocka_unit_test(stale_pack_is_reported),
		cmocka_unit_test(untrusted_package_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
