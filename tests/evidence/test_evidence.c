/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_evidence.c - the evidence pack without a device: golden output for
 * the example product description; the rules that stop generation (a
 * missing justification names its provision, no edition, an app status set
 * by hand); ICS statuses derived from facts (the update app's shipped
 * defaults, updatable devices and C(3), the support period); the checks
 * CK-08 and CK-13 and their findings on the ICS rows; a row flagged by a
 * failed test; the stale-pack notice; and a signed pack that verifies and
 * stops verifying when anything in it changes.
 *
 * Several tests reproduce statements the pack used to make that were not
 * true (issue 13): each says which.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/version.h>

#include "ev_fixture.h"
#include "ev_util.h"
#include "evidence.h"
#include "fwseal/keys.h"

#define V211 "en303645-v2.1.1"

struct inputs {
	struct ev_fixture fx;
	struct ev_product prod;
	struct ev_trustfacts trust;
	struct ev_pkgfacts pkg;
	struct ev_release rel;
	struct ev_inputs in;
	char *examples;
};

static void load_inputs(struct inputs *in, const char *product_text)
{
	char err[512];
	memset(in, 0, sizeof(*in));
	ev_fixture_setup(&in->fx, 7);
	in->examples = ev_fixture_src("examples");
	if (product_text) {
		if (!ev_product_parse(&in->prod, product_text, "product-test.ini", err, sizeof(err)))
			fail_msg("%s", err);
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
	ev_fixture_release(&in->rel);
	in->in.edition = ev_edition_find(V211);
	in->in.edition_source = "--edition";
	in->in.release = &in->rel;
	in->in.product_dir = in->examples;
}

static void free_inputs(struct inputs *in)
{
	ev_pkg_free(&in->pkg);
	ev_trust_free(&in->trust);
	ev_product_free(&in->prod);
	ev_fixture_teardown(&in->fx);
	free(in->examples);
}

static void build(struct ev_pack *pk, struct inputs *in, int64_t now)
{
	char err[512];
	if (!ev_pack_build(pk, &in->prod, &in->pkg, &in->trust, &in->in, now, err, sizeof(err)))
		fail_msg("%s", err);
}

#define test_of ev_fixture_test

static bool row_flag(const struct ev_pack *pk, unsigned n, enum ev_level level)
{
	for (size_t k = 0; k < pk->ics[n - 1].nfnd; k++)
		if (pk->ics[n - 1].fnd[k].level == level)
			return true;
	return false;
}

/* The JSON object of provision 5.3-n, up to the next one. */
static char *ics_row(const char *json, unsigned n)
{
	char key[48];
	snprintf(key, sizeof(key), "\"provision\": \"5.3-%u\"", n);
	const char *p = strstr(json, key);
	assert_non_null(p);
	const char *e = strstr(p + 1, "\"provision\": ");
	return ev_xstrndup(p, e ? (size_t)(e - p) : strlen(p));
}

static void status_is(const char *json, unsigned n, const char *status)
{
	char *row = ics_row(json, n);
	char want[48];
	snprintf(want, sizeof(want), "\"status\": \"%s\"", status);
	if (!strstr(row, want))
		fail_msg("5.3-%u is not %s:\n%.600s", n, status, row);
	free(row);
}

/* Every file a pack cites from the source tree exists there (the pack once
 * cited an architecture.md that is not in the repository). */
static void cited_files_exist(const char *text)
{
	static const char *const prefixes[] = {"docs/", "fwseal/", NULL};
	for (const char *const *pre = prefixes; *pre; pre++) {
		for (const char *p = strstr(text, *pre); p; p = strstr(p + 1, *pre)) {
			size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_-./");
			while (n && p[n - 1] == '.')
				n--;
			char *rel = ev_xstrndup(p, n);
			char *path = ev_fixture_src(rel);
			char *alt = ev_xasprintf("protocol/include/%s", rel);
			char *path2 = ev_fixture_src(alt);
			struct stat st;
			if (stat(path, &st) != 0 && stat(path2, &st) != 0)
				fail_msg("the pack cites %s, which is not in the source tree", rel);
			free(rel);
			free(path);
			free(alt);
			free(path2);
		}
	}
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
	build(&pk, &in, EV_FIX_NOW);
	char out[400];
	snprintf(out, sizeof(out), "%s/pack", in.fx.dir);
	char *stale = NULL;
	if (!ev_pack_write(&pk, out, NULL, &stale, err, sizeof(err)))
		fail_msg("%s", err);
	assert_null(stale);
	char path[512];
	snprintf(path, sizeof(path), "%s/evidence.json", out);
	char *json = ev_fixture_read(path);
	/* the app's settings file belongs to the desktop app: its hash may change */
	char *src = ev_xstrdup(pk.defaults_file_sha256);
	char *json_n = ev_fixture_replace(json, src, "SHA256-OF-THE-DEFAULTS-FILE");
	ev_fixture_golden("offline.json", json_n, pk.tool_version);
	snprintf(path, sizeof(path), "%s/evidence.md", out);
	char *md = ev_fixture_read(path);
	char *md_n = ev_fixture_replace(md, src, "SHA256-OF-THE-DEFAULTS-FILE");
	ev_fixture_golden("offline.md", md_n, pk.tool_version);

	/* What the contract promises, independent of the golden text. */
	assert_non_null(strstr(json, "\"provision\": \"5.3-1\""));
	assert_non_null(strstr(json, "\"provision\": \"5.3-16\""));
	assert_null(strstr(json, "\"verdict\": \"FAIL\""));
	assert_non_null(strstr(md, "does not claim conformance"));
	/* the edition on the first page (it was named nowhere) */
	char *head = ev_xstrndup(md, 1500);
	assert_non_null(strstr(head, "ETSI EN 303 645 V2.1.1"));
	assert_non_null(strstr(head, "ETSI TS 103 701 V1.1.1"));
	assert_non_null(strstr(head, "no functional test ran against a device"));
	free(head);
	/* statements that were false */
	assert_null(strstr(md, "architecture.md"));
	assert_null(strstr(md, "on host and device"));
	/* the host's library as the loaded library reports itself, not the
	 * version fwseal was compiled against */
	char loaded[32] = "";
	mbedtls_version_get_string_full(loaded);
	char *hl = ev_xasprintf("| Host crypto library | %s (as the library this fwseal loaded "
	                        "reports itself) |", loaded);
	assert_non_null(strstr(md, hl));
	free(hl);
	assert_null(strstr(md, "power cut at any point leaves a bootable image"));
	assert_non_null(strstr(md, "no power cut was made over this interface in this run"));
	cited_files_exist(md);
	/* the Supplier's statements come from a product description the pack hashes */
	char *ppath = ev_fixture_src("examples/product-example.ini");
	char *ptext = ev_fixture_read(ppath);
	uint8_t pd[FWS_SHA256_LEN];
	assert_int_equal(fws_sha256((const uint8_t *)ptext, strlen(ptext), pd), FWS_OK);
	free(ptext);
	free(ppath);
	char *ph = ev_hex(pd, FWS_SHA256_LEN);
	char *pline = ev_xasprintf("| Product description | product-example.ini, SHA-256 %s |", ph);
	assert_non_null(strstr(md, pline));
	free(pline);
	free(ph);
	/* a sentence quoted from the product description ends once */
	assert_null(strstr(md, ".. "));
	assert_null(strstr(md, ".;"));
	/* 5.3-4..5.3-6 follow the app's shipped defaults, with their source */
	status_is(json, 4, "Y");
	status_is(json, 5, "N");
	status_is(json, 6, "Y");
	char *r4 = ics_row(json, 4);
	assert_non_null(strstr(r4, "io.github.fwseal.Fwseal.gschema.xml, SHA-256 "));
	free(r4);
	/* C(3): an updatable product, so 5.3-14 and 5.3-15 do not apply */
	status_is(json, 14, "N/A");
	status_is(json, 15, "N/A");
	/* 5.3-10 is N/A because delivery is not over a network interface. */
	status_is(json, 10, "N/A");
	/* 5.3-11: what a user is shown was not demonstrated without a device */
	char *r11 = ics_row(json, 11);
	assert_non_null(strstr(r11, "not demonstrated in this run"));
	free(r11);
	/* the checks that need no device */
	assert_int_equal(test_of(&pk, "CK-13-support-period")->verdict, EV_PASS);
	assert_int_equal(test_of(&pk, "CK-08-timeliness")->verdict, EV_PASS);
	assert_int_equal(test_of(&pk, "FT-09-notices-in-package")->verdict, EV_PASS);
	/* every declared interface without a device: INCONCLUSIVE, not silence */
	unsigned n[3];
	ev_pack_count(&pk, n);
	assert_int_equal(n[EV_FAIL], 0);
	assert_int_equal(n[EV_INCONCLUSIVE], 2);
	/* the CRA table says what it is not */
	assert_non_null(strstr(md, "This is not a conformity assessment"));
	/* every file is listed with its SHA-256 */
	snprintf(path, sizeof(path), "%s/evidence.sha256", out);
	char *sums = ev_fixture_read(path);
	assert_non_null(strstr(sums, "  evidence.md\n"));
	assert_non_null(strstr(sums, "  logs/CK-13-support-period.log\n"));
	assert_non_null(strstr(sums, "  logs/usb-dfu/FT-00-interface-tested.log\n"));
	free(sums);
	free(json);
	free(json_n);
	free(md);
	free(md_n);
	free(src);
	ev_pack_free(&pk);
	free_inputs(&in);
}

/* The default of key in a GSettings schema text: "true", "60", or NULL. */
static char *schema_default(const char *xml, const char *key)
{
	char *pat = ev_xasprintf("<key name=\"%s\"", key);
	const char *k = strstr(xml, pat);
	free(pat);
	if (!k)
		return NULL;
	const char *d = strstr(k, "<default>"), *e = d ? strstr(d, "</default>") : NULL;
	const char *next = strstr(k + 1, "<key ");
	if (!d || !e || (next && d > next))
		return NULL;
	return ev_xstrndup(d + 9, (size_t)(e - d - 9));
}

static void schema_is(const char *xml, const char *key, bool want)
{
	char *v = schema_default(xml, key);
	if (!v || strcmp(v, want ? "true" : "false") != 0)
		fail_msg("the app's schema says %s = %s; the example product description says %s",
		         key, v ? v : "(no such key)", want ? "true" : "false");
	free(v);
}

/* The example's [update-app] is what the desktop app really ships: the
 * facts 5.3-4..5.3-6 are derived from must not drift from the schema they
 * cite (gui/data/io.github.fwseal.Fwseal.gschema.xml), whichever of the two
 * changes. */
static void example_app_defaults_match_the_app(void **state)
{
	(void)state;
	struct inputs in;
	load_inputs(&in, NULL);
	const struct ev_update_app *a = &in.prod.app;
	assert_true(a->present);
	char *path = ev_fixture_src("gui/data/io.github.fwseal.Fwseal.gschema.xml");
	char *xml = ev_fixture_read(path);
	char *sec = schema_default(xml, "auto-install-security");
	if (sec) {
		/* automatic installation of security updates only, after a countdown */
		assert_int_equal(a->auto_install, EV_AUTO_SECURITY);
		schema_is(xml, "auto-install-security", a->auto_default_on);
		char *delay = schema_default(xml, "auto-install-delay");
		assert_non_null(delay);
		assert_int_equal(a->countdown_s, (uint32_t)strtoul(delay, NULL, 10));
		free(delay);
	} else {
		assert_int_equal(a->auto_install, EV_AUTO_ALL);
		schema_is(xml, "auto-install", a->auto_default_on);
		assert_int_equal(a->countdown_s, 0);
	}
	free(sec);
	schema_is(xml, "notify", a->notify && a->notify_default_on);
	schema_is(xml, "check-on-connect", a->check_on_connect);
	schema_is(xml, "check-on-folder-change", a->check_on_catalog_change);
	assert_int_equal(a->check, EV_CHECK_LOCAL); /* it watches a folder */
	char *pp = schema_default(xml, "postpone-until");
	assert_true(a->can_postpone == (pp != NULL));
	free(pp);
	free(xml);
	free(path);
	free_inputs(&in);
}

/* A minimal product description; extra is appended. */
static char *product_with(const char *extra)
{
	static const char base[] =
	    "[product]\nmanufacturer = M\nmodel = " EV_FIX_MODEL "\nhardware_revision = 2\n"
	    "interfaces = serial\n"
	    "[user-info]\nsupport_period_published_at = web\nmodel_designation_published_at = label\n"
	    "update_instructions = plug in\nsupport_period_end_published = 2028-12-31\n"
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

/* A pack from the minimal product + extra, at time now. The caller frees it
 * with done(). */
static char *start(struct inputs *in, struct ev_pack *pk, const char *extra, int64_t now)
{
	char *text = product_with(extra);
	load_inputs(in, text);
	build(pk, in, now);
	return text;
}

static void done(struct inputs *in, struct ev_pack *pk, char *text)
{
	ev_pack_free(pk);
	free_inputs(in);
	free(text);
}

static const char ics_ok[] =
    "[ics 5.3-4]\nstatus = N\njustification = no network\n"
    "[ics 5.3-5]\nstatus = Y\ndetail = checks on connect\n"
    "[ics 5.3-6]\nstatus = N/A\njustification = neither automatic updates nor notifications\n";

static const char app_base[] =
    "[update-app]\nname = App\nnotify = yes\nnotify_default = on\nuser_can_disable = yes\n"
    "user_can_postpone = yes\nupdate_check = local-catalog\ncheck_on_connect = yes\n"
    "check_on_catalog_change = yes\ndefaults_source = the app's settings\n";

/* Build must fail and the message must name the provision. */
static void expect_refused(const char *extra, const char *needle)
{
	char *text = product_with(extra);
	struct inputs in;
	load_inputs(&in, text);
	struct ev_pack pk;
	char err[512] = "";
	bool ok = ev_pack_build(&pk, &in.prod, &in.pkg, &in.trust, &in.in, EV_FIX_NOW, err,
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
	struct inputs in;
	struct ev_pack pk;
	char *text = start(&in, &pk, ics_ok, EV_FIX_NOW);
	assert_int_equal(pk.ics[0].status, EV_STATUS_Y);   /* all components updateable */
	assert_int_equal(pk.ics[13].status, EV_STATUS_NA); /* C(3) not met */
	assert_non_null(pk.ics[13].justification);
	assert_int_equal(pk.ics[5].status, EV_STATUS_NA);
	assert_string_equal(pk.ics[5].justification, "neither automatic updates nor notifications");
	assert_non_null(strstr(pk.ics[5].source, "no [update-app]"));
	done(&in, &pk, text);
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
	/* with [update-app], 5.3-4 follows the app, not a hand-set status */
	snprintf(extra, sizeof(extra), "%sautomatic_install = none\n[ics 5.3-4]\nstatus = Y\n"
	         "detail = d\n", app_base);
	expect_refused(extra, "5.3-4");
}

/* 5.3-4 once said N although the desktop app installs automatically, and
 * 5.3-5 said Y although the pack's own IXIT said nothing checks for updates
 * by itself: both now follow the app's shipped defaults. */
static void app_defaults_decide_5_3_4_to_6(void **state)
{
	(void)state;
	char extra[2048];
	snprintf(extra, sizeof(extra), "%sautomatic_install = security\n"
	         "automatic_install_default = on\ninstall_countdown_s = 60\n"
	         "[ics 5.3-5]\njustification = no network interface\n", app_base);
	struct inputs in;
	struct ev_pack pk;
	char *text = start(&in, &pk, extra, EV_FIX_NOW);
	assert_int_equal(pk.ics[3].status, EV_STATUS_Y);
	assert_non_null(strstr(pk.ics[3].detail, "installs security updates by itself after a 60 s "
	                                         "countdown"));
	assert_non_null(strstr(pk.ics[3].detail, "the app's settings"));
	assert_int_equal(pk.ics[4].status, EV_STATUS_N); /* a local folder is no update check */
	assert_string_equal(pk.ics[4].justification, "no network interface");
	assert_int_equal(pk.ics[5].status, EV_STATUS_Y);
	done(&in, &pk, text);

	/* a local catalog: 5.3-5 is N and needs the Supplier's justification */
	snprintf(extra, sizeof(extra), "%sautomatic_install = security\n"
	         "automatic_install_default = on\n", app_base);
	expect_refused(extra, "5.3-5");
	/* no automatic install: 5.3-4 is N and needs a justification */
	snprintf(extra, sizeof(extra), "%sautomatic_install = none\n[ics 5.3-5]\n"
	         "justification = j\n", app_base);
	expect_refused(extra, "5.3-4");
	/* off by default and no notifications: 5.3-6 is N */
	snprintf(extra, sizeof(extra), "[update-app]\nname = App\nautomatic_install = all\n"
	         "automatic_install_default = off\nnotify = no\nuser_can_disable = yes\n"
	         "user_can_postpone = yes\nupdate_check = online\ncheck_on_connect = yes\n"
	         "check_on_catalog_change = no\ncheck_interval_hours = 24\ndefaults_source = s\n");
	expect_refused(extra, "5.3-6");
	/* an app that checks online after connection and daily: 5.3-5 Y; with
	 * neither automatic install nor notification, 5.3-6 is N/A (C(9)) */
	snprintf(extra, sizeof(extra), "[update-app]\nname = App\nautomatic_install = none\n"
	         "notify = no\nuser_can_disable = yes\nuser_can_postpone = no\n"
	         "update_check = online\ncheck_on_connect = yes\ncheck_on_catalog_change = no\n"
	         "check_interval_hours = 24\ndefaults_source = s\n"
	         "[ics 5.3-4]\njustification = j\n");
	text = start(&in, &pk, extra, EV_FIX_NOW);
	assert_int_equal(pk.ics[4].status, EV_STATUS_Y);
	assert_int_equal(pk.ics[5].status, EV_STATUS_NA);
	assert_non_null(strstr(pk.ics[5].justification, "C(9)"));
	done(&in, &pk, text);
}

static void no_edition_no_pack(void **state)
{
	(void)state;
	char *text = product_with(ics_ok);
	struct inputs in;
	load_inputs(&in, text);
	in.in.edition = NULL;
	struct ev_pack pk;
	char err[512];
	assert_false(ev_pack_build(&pk, &in.prod, &in.pkg, &in.trust, &in.in, EV_FIX_NOW, err,
	                           sizeof(err)));
	assert_non_null(strstr(err, "no edition"));
	assert_non_null(strstr(err, "en303645-v3.1.3"));
	/* V3.1.3 is named on the first page with its TS, and says what of its
	 * table was not checked against the standard */
	in.in.edition = ev_edition_find("V3.1.3");
	assert_non_null(in.in.edition);
	build(&pk, &in, EV_FIX_NOW);
	ev_pack_finish(&pk);
	char *md = ev_render_md(&pk);
	char *head = ev_xstrndup(md, 2500);
	assert_non_null(strstr(head, "ETSI EN 303 645 V3.1.3"));
	assert_non_null(strstr(head, "ETSI TS 103 701 V2.1.1"));
	assert_non_null(strstr(head, "were NOT checked against the V3.1.3 text"));
	free(head);
	free(md);
	ev_pack_free(&pk);
	free_inputs(&in);
	free(text);
	assert_null(ev_edition_find("V9.9.9"));
}

/* 5.3-13 stayed Y when the support period had ended, and the published
 * statement was never compared with the signed end date. */
static void support_period_is_checked(void **state)
{
	(void)state;
	char *text = product_with(ics_ok);
	struct inputs in;
	load_inputs(&in, text);
	struct ev_pack pk;
	/* 2029: the signed end (2028-12-31) has passed */
	build(&pk, &in, 1861833600 + 86400 * 30);
	const struct ev_test *t = test_of(&pk, "CK-13-support-period");
	assert_int_equal(t->verdict, EV_FAIL);
	assert_non_null(strstr(t->reason, "ended on 2028-12-31"));
	ev_pack_finish(&pk);
	assert_true(row_flag(&pk, 13, EV_LEVEL_FAIL));
	char *md = ev_render_md(&pk);
	assert_non_null(strstr(md, "### 5.3-13: Y (flagged: FAIL in this run)"));
	assert_non_null(strstr(md, "ICS rows flagged by a FAIL: 5.3-13"));
	free(md);
	ev_pack_free(&pk);
	/* ten months before the end: PASS, with a warning on the row */
	build(&pk, &in, 1861833600 - 86400 * 300);
	assert_int_equal(test_of(&pk, "CK-13-support-period")->verdict, EV_PASS);
	assert_true(row_flag(&pk, 13, EV_LEVEL_WARN));
	ev_pack_free(&pk);
	free_inputs(&in);
	free(text);
	/* what users are told differs from what is signed: FAIL */
	text = product_with(ics_ok);
	char *t2 = ev_fixture_replace(text, "support_period_end_published = 2028-12-31",
	                              "support_period_end_published = 2029-06-30");
	load_inputs(&in, t2);
	build(&pk, &in, EV_FIX_NOW);
	t = test_of(&pk, "CK-13-support-period");
	assert_int_equal(t->verdict, EV_FAIL);
	assert_non_null(strstr(t->reason, "told that support ends on 2029-06-30"));
	ev_pack_free(&pk);
	free_inputs(&in);
	free(t2);
	/* the statement users read names another date than the one published and
	 * signed: FAIL */
	t2 = ev_fixture_replace(text, "support_period_end_published = 2028-12-31",
	                        "support_period_end_published = 2028-12-31\n"
	                        "support_period_statement = Security updates until 2027-12-31.");
	load_inputs(&in, t2);
	build(&pk, &in, EV_FIX_NOW);
	t = test_of(&pk, "CK-13-support-period");
	assert_int_equal(t->verdict, EV_FAIL);
	assert_non_null(strstr(t->reason, "statement tells users that support ends on 2027-12-31"));
	ev_pack_free(&pk);
	free_inputs(&in);
	free(t2);
	/* ... and the same date in both: PASS */
	t2 = ev_fixture_replace(text, "support_period_end_published = 2028-12-31",
	                        "support_period_end_published = 2028-12-31\n"
	                        "support_period_statement = Security updates until 2028-12-31.");
	load_inputs(&in, t2);
	build(&pk, &in, EV_FIX_NOW);
	assert_int_equal(test_of(&pk, "CK-13-support-period")->verdict, EV_PASS);
	ev_pack_free(&pk);
	free_inputs(&in);
	free(t2);
	/* a statement without a date cannot be compared: INCONCLUSIVE */
	t2 = ev_fixture_replace(text, "support_period_end_published = 2028-12-31",
	                        "support_period_statement = five years after the last sale");
	load_inputs(&in, t2);
	build(&pk, &in, EV_FIX_NOW);
	t = test_of(&pk, "CK-13-support-period");
	assert_int_equal(t->verdict, EV_INCONCLUSIVE);
	assert_non_null(strstr(t->reason, "its statement gives none"));
	ev_pack_free(&pk);
	free_inputs(&in);
	free(t2);
	free(text);
}

/* 5.3-8: this release's days from confirmation to publication. */
static void timeliness_is_checked(void **state)
{
	(void)state;
	struct inputs in;
	struct ev_pack pk;
	char *text = start(&in, &pk, ics_ok, EV_FIX_NOW);
	const struct ev_test *t = test_of(&pk, "CK-08-timeliness");
	assert_int_equal(t->verdict, EV_PASS); /* 2024-12-20 -> 2025-01-15: 26 days, high: 30 */
	assert_non_null(strstr(t->reason, "26 days"));
	ev_pack_free(&pk);
	in.rel.vuln_confirmed = 1734652800 - 86400 * 10; /* 36 days */
	build(&pk, &in, EV_FIX_NOW);
	assert_int_equal(test_of(&pk, "CK-08-timeliness")->verdict, EV_FAIL);
	ev_pack_free(&pk);
	in.in.release = NULL; /* not provided: said so */
	build(&pk, &in, EV_FIX_NOW);
	t = test_of(&pk, "CK-08-timeliness");
	assert_int_equal(t->verdict, EV_INCONCLUSIVE);
	assert_non_null(strstr(t->reason, "not provided"));
	done(&in, &pk, text);
}

/* An ICS row stayed Y, unmarked, when its own test FAILed. */
static void failed_test_flags_its_rows(void **state)
{
	(void)state;
	struct inputs in;
	struct ev_pack pk;
	char *text = start(&in, &pk, ics_ok, EV_FIX_NOW);
	struct ev_test *t = ev_pack_add_test(&pk, "FT-07-downgrade");
	t->verdict = EV_FAIL;
	t->transport = ev_xstrdup("serial");
	t->device = ev_xstrdup("serial:/dev/null");
	t->reason = ev_xstrdup("The device accepted an older release and installed it.");
	t->log = ev_xstrdup("");
	ev_pack_finish(&pk);
	assert_true(row_flag(&pk, 2, EV_LEVEL_FAIL));
	assert_false(row_flag(&pk, 9, EV_LEVEL_FAIL));
	char *json = ev_render_json(&pk);
	assert_non_null(strstr(json, "\"ics_flagged\": [\n      \"5.3-2\""));
	char *r2 = ics_row(json, 2);
	assert_non_null(strstr(r2, "\"level\": \"FAIL\""));
	assert_non_null(strstr(r2, "FT-07-downgrade over serial FAILED"));
	free(r2);
	free(json);
	done(&in, &pk, text);
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
	/* with a justification: 5.3-1 is N, and 5.3-14/15 do not apply to a
	 * device whose software is updateable (they once said Y) */
	snprintf(extra, sizeof(extra), "%s[component rom]\ndescription = boot ROM\n"
	         "mechanism = none\njustification = mask ROM\n", ics_ok);
	struct inputs in;
	struct ev_pack pk;
	text = start(&in, &pk, extra, EV_FIX_NOW);
	assert_int_equal(pk.ics[0].status, EV_STATUS_N);
	assert_int_equal(pk.ics[13].status, EV_STATUS_NA);
	assert_int_equal(pk.ics[14].status, EV_STATUS_NA);
	assert_non_null(strstr(pk.ics[13].justification, "C(3) is not met"));
	done(&in, &pk, text);
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
	assert_false(ev_pack_build(&pk, &in.prod, &in.pkg, &in.trust, &in.in, EV_FIX_NOW, err,
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
		{"[product]\nmanufacturer = M\nmodel = X\nhardware_revision = 2\ninterfaces = serial\n"
		 "edition = 2020\n", "edition '2020'"},
		{"[update-app]\nname = A\ndefaults_source = s\nautomatic_install = sometimes\n",
		 "automatic_install 'sometimes'"},
		{"[update-app]\nname = A\ndefaults_source = s\nautomatic_install = all\n"
		 "automatic_install_default = maybe\n", "automatic_install_default"},
		{"[user-info]\nsupport_period_published_at = w\nmodel_designation_published_at = l\n"
		 "update_instructions = u\nsupport_period_end_published = 2028-02-30\n", "not a date"},
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
	build(&pk, &in, EV_FIX_NOW);
	char *stale = NULL;
	assert_true(ev_pack_write(&pk, out, NULL, &stale, err, sizeof(err)));
	assert_null(stale);
	ev_pack_free(&pk);
	/* same package again: not stale */
	build(&pk, &in, EV_FIX_NOW);
	assert_true(ev_pack_write(&pk, out, NULL, &stale, err, sizeof(err)));
	assert_null(stale);
	ev_pack_free(&pk);

	/* the previous release: another digest */
	struct ev_pkgfacts prev;
	assert_true(ev_pkg_load(&prev, in.fx.pkg_prev, &in.trust.trust, err, sizeof(err)));
	in.in.release = NULL;
	assert_true(ev_pack_build(&pk, &in.prod, &prev, &in.trust, &in.in, EV_FIX_NOW, err,
	                          sizeof(err)));
	assert_true(ev_pack_write(&pk, out, NULL, &stale, err, sizeof(err)));
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
	build(&pk, &in, EV_FIX_NOW);
	assert_false(ev_pack_write(&pk, other, NULL, &stale, err, sizeof(err)));
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

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The pack had no integrity protection: now every file is in
 * evidence.sha256, signed by the evidence key, and `verify` finds any
 * change, addition or removal. */
static void signed_pack_verifies(void **state)
{
	(void)state;
	char *text = product_with(ics_ok);
	struct inputs in;
	load_inputs(&in, text);
	char err[512], out[400], path[512];
	snprintf(out, sizeof(out), "%s/pack", in.fx.dir);
	fws_signer *signer = NULL;
	fws_signer_opts so = {0};
	fws_key_msg msg;
	if (fws_signer_open(in.fx.evidence_key, &so, &signer, &msg) != FWS_KEY_OK)
		fail_msg("%s", msg.text);
	struct ev_pack pk;
	build(&pk, &in, EV_FIX_NOW);
	assert_true(ev_pack_write(&pk, out, signer, NULL, err, sizeof(err)));
	ev_pack_free(&pk);
	fws_signer_close(signer);
	char *rep = NULL;
	assert_int_equal(ev_pack_verify(out, in.fx.evidence.pub, &rep), EV_VERIFY_OK);
	assert_non_null(strstr(rep, "ok   logs/CK-13-support-period.log"));
	free(rep);
	/* another key: refused */
	assert_int_equal(ev_pack_verify(out, in.fx.lab.pub, &rep), EV_VERIFY_BAD);
	assert_non_null(strstr(rep, "not with the key given"));
	free(rep);
	/* one changed byte in a log */
	snprintf(path, sizeof(path), "%s/logs/CK-13-support-period.log", out);
	char *log = ev_fixture_read(path);
	char *changed = ev_fixture_replace(log, "2028", "2029");
	write_text(path, changed);
	assert_int_equal(ev_pack_verify(out, in.fx.evidence.pub, &rep), EV_VERIFY_BAD);
	assert_non_null(strstr(rep, "BAD  logs/CK-13-support-period.log: SHA-256 differs"));
	free(rep);
	write_text(path, log);
	assert_int_equal(ev_pack_verify(out, in.fx.evidence.pub, &rep), EV_VERIFY_OK);
	free(rep);
	/* a file added to the folder */
	snprintf(path, sizeof(path), "%s/logs/extra.log", out);
	write_text(path, "hello\n");
	assert_int_equal(ev_pack_verify(out, in.fx.evidence.pub, &rep), EV_VERIFY_BAD);
	assert_non_null(strstr(rep, "logs/extra.log: in the pack folder but not in the signed list"));
	free(rep);
	unlink(path);
	/* the list edited to match a changed file */
	snprintf(path, sizeof(path), "%s/evidence.sha256", out);
	char *sums = ev_fixture_read(path);
	char *sums2 = ev_fixture_replace(sums, "evidence.md", "evidence.mdx");
	write_text(path, sums2);
	assert_int_equal(ev_pack_verify(out, in.fx.evidence.pub, &rep), EV_VERIFY_BAD);
	assert_non_null(strstr(rep, "not the list that was signed"));
	free(rep);
	write_text(path, sums);
	/* the signature removed */
	snprintf(path, sizeof(path), "%s/evidence.sig", out);
	unlink(path);
	assert_int_equal(ev_pack_verify(out, in.fx.evidence.pub, &rep), EV_VERIFY_UNSIGNED);
	free(rep);
	free(sums);
	free(sums2);
	free(log);
	free(changed);
	free_inputs(&in);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_offline),
		cmocka_unit_test(example_app_defaults_match_the_app),
		cmocka_unit_test(minimal_product_builds),
		cmocka_unit_test(missing_justification_names_provision),
		cmocka_unit_test(missing_status_names_provision),
		cmocka_unit_test(derived_status_cannot_be_overridden),
		cmocka_unit_test(app_defaults_decide_5_3_4_to_6),
		cmocka_unit_test(no_edition_no_pack),
		cmocka_unit_test(support_period_is_checked),
		cmocka_unit_test(timeliness_is_checked),
		cmocka_unit_test(failed_test_flags_its_rows),
		cmocka_unit_test(non_updateable_component),
		cmocka_unit_test(product_must_match_package),
		cmocka_unit_test(product_syntax_errors),
		cmocka_unit_test(stale_pack_is_reported),
		cmocka_unit_test(untrusted_package_refused),
		cmocka_unit_test(signed_pack_verifies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
