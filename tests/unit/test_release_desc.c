/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host-tool/cli/release_desc.c: the release description parser. The shipped
 * example (examples/release-example.ini, also used by docs and scripts/demo)
 * parses to exactly the documented fields; every error names its line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "release_desc.h"

#ifndef EXAMPLE_RELEASE
#error "EXAMPLE_RELEASE must name examples/release-example.ini"
#endif

static const char minimal[] =
	"vendor_id = 0x1209\n"
	"class_id = 1\n"
	"model = M-1\n"
	"version = 1.0\n"
	"security_counter = 3\n"
	"release_date = 2025-01-01\n"
	"support_end = 2026-01-01\n";

static rel_desc rd;
static rel_error err;

static bool parse(const char *text)
{
	rel_init(&rd);
	memset(&err, 0, sizeof(err));
	return rel_parse_text(&rd, text, "t.ini", &err) && rel_finish(&rd, "t.ini", &err);
}

/* Parse minimal + extra (extra appended at line 8 onward). */
static bool parse_with(const char *extra)
{
	static char text[8192];
	snprintf(text, sizeof(text), "%s%s", minimal, extra);
	return parse(text);
}

static void expect_error(const char *text, const char *where, const char *what)
{
	assert_false(parse(text));
	if (!strstr(err.text, where) || !strstr(err.text, what))
		fail_msg("error '%s' lacks '%s' / '%s'", err.text, where, what);
}

static void test_example_file(void **state)
{
	(void)state;
	rel_init(&rd);
	assert_true(rel_parse_file(&rd, EXAMPLE_RELEASE, &err));
	assert_true(rel_finish(&rd, EXAMPLE_RELEASE, &err));
	const fws_manifest_in *m = &rd.m;
	assert_int_equal(m->vendor_id, 0x1209);
	assert_int_equal(m->class_id, 0x0001);
	assert_string_equal(m->model, "ACME-THERMO-2");
	assert_int_equal(m->hw_rev_min, 1);
	assert_int_equal(m->hw_rev_max, 3);
	assert_string_equal(m->component, "app");
	assert_string_equal(m->version, "1.4.2");
	assert_int_equal(m->security_counter, 7);
	assert_int_equal(m->block_size, 4096);
	assert_int_equal(m->release_date, 1736899200);  /* 2025-01-15T00:00:00Z */
	assert_int_equal(m->support_end, 1861833600);   /* 2028-12-31T00:00:00Z */
	assert_true(m->security_update);
	assert_int_equal(m->severity, FWS_SEVERITY_HIGH);
	assert_string_equal(m->risks, "A crafted Bluetooth pairing request could crash the device.");
	assert_int_equal(m->cve_count, 2);
	assert_string_equal(m->cves[0], "CVE-2024-12345");
	assert_string_equal(m->cves[1], "CVE-2024-23456");
	assert_true(m->reboot);
	assert_int_equal(m->downtime_s, 30);
	assert_string_equal(m->notes, "Fixes the Bluetooth pairing crash.\n"
	                              "Improves temperature accuracy below 0 degrees C.\n"
	                              "The display turns off after 5 minutes without use.");
}

static void test_defaults(void **state)
{
	(void)state;
	assert_true(parse(minimal));
	assert_int_equal(rd.m.hw_rev_min, 0);
	assert_int_equal(rd.m.hw_rev_max, 0xFFFF);
	assert_string_equal(rd.m.component, "app");
	assert_int_equal(rd.m.block_size, REL_BLOCK_SIZE_DEFAULT);
	assert_false(rd.m.security_update);
	assert_int_equal(rd.m.severity, FWS_SEVERITY_NONE);
	assert_true(rd.m.reboot);
	assert_null(rd.m.risks);
	assert_null(rd.m.notes);
	assert_int_equal(rd.m.cve_count, 0);
}

static void test_set_overrides(void **state)
{
	(void)state;
	rel_init(&rd);
	assert_true(rel_parse_text(&rd, minimal, "t.ini", &err));
	assert_true(rel_set(&rd, "model=OTHER-9", &err));
	assert_true(rel_set(&rd, "version=2.0.0-rc1", &err));
	assert_true(rel_set(&rd, "security_counter=0x10", &err));
	assert_true(rel_set(&rd, "release_notes=one line", &err));
	assert_true(rel_finish(&rd, "t.ini", &err));
	assert_string_equal(rd.m.model, "OTHER-9");
	assert_string_equal(rd.m.version, "2.0.0-rc1");
	assert_int_equal(rd.m.security_counter, 16);
	assert_string_equal(rd.m.notes, "one line");
	assert_false(rel_set(&rd, "colour=red", &err));
	assert_non_null(strstr(err.text, "--set: unknown field 'colour'"));
	assert_false(rel_set(&rd, "version", &err));
	assert_non_null(strstr(err.text, "FIELD=VALUE"));
	assert_false(rel_set(&rd, "security_counter=-1", &err));
	/* --set can supply a required field the file lacks */
	rel_init(&rd);
	assert_true(rel_parse_text(&rd, "vendor_id=1\nclass_id=1\nmodel=x\nsecurity_counter=1\n"
	                                "release_date=2025-01-01\nsupport_end=2025-01-01\n",
	                           "t.ini", &err));
	assert_false(rel_finish(&rd, "t.ini", &err));
	assert_non_null(strstr(err.text, "'version' is missing"));
	assert_true(rel_set(&rd, "version=3", &err));
	assert_true(rel_finish(&rd, "t.ini", &err));
}

/* Fields for the evidence pack that are not manifest fields (5.3-8 record,
 * the SBOM file), and their order rule. */
static void test_evidence_fields(void **state)
{
	(void)state;
	assert_true(parse_with("vulnerability_confirmed = 2024-12-01\nfix_available = 2024-12-20\n"
	                       "sbom = sbom/app.cdx.json\n"));
	assert_string_equal(rd.sbom, "sbom/app.cdx.json");
	assert_false(rd.sbom_from_option);
	int64_t t;
	assert_true(rel_parse_date("2024-12-01", &t));
	assert_int_equal(rd.vuln_confirmed, t);
	assert_true(rel_parse_date("2024-12-20", &t));
	assert_int_equal(rd.fix_available, t);
	/* not given: 0, so the evidence pack says "not provided" */
	assert_true(parse(minimal));
	assert_int_equal(rd.vuln_confirmed, 0);
	assert_int_equal(rd.sbom[0], '\0');
	/* a fix cannot be available before the vulnerability is confirmed, nor
	 * released before it is available */
	assert_false(parse_with("vulnerability_confirmed = 2024-12-20\nfix_available = 2024-12-01\n"));
	assert_non_null(strstr(err.text, "fix_available is before vulnerability_confirmed"));
	assert_false(parse_with("fix_available = 2025-02-01\n"));
	assert_non_null(strstr(err.text, "release_date is before fix_available"));
	assert_false(parse_with("vulnerability_confirmed = 2024-13-01\n"));
	assert_non_null(strstr(err.text, ":8:"));
	/* --set sbom= is relative to the current folder */
	assert_true(parse(minimal));
	assert_true(rel_set(&rd, "sbom=x.spdx.json", &err));
	assert_true(rd.sbom_from_option);
}

static void test_dates(void **state)
{
	(void)state;
	int64_t t;
	assert_true(rel_parse_date("1970-01-01", &t));
	assert_int_equal(t, 0);
	assert_true(rel_parse_date("2024-02-29", &t));
	assert_int_equal(t, 1709164800);
	assert_false(rel_parse_date("2023-02-29", &t));
	assert_true(rel_parse_date("2000-02-29", &t));
	assert_false(rel_parse_date("1900-02-29", &t));
	assert_false(rel_parse_date("2025-13-01", &t));
	assert_false(rel_parse_date("2025-04-31", &t));
	assert_false(rel_parse_date("2025-1-01", &t));
	assert_false(rel_parse_date("25-01-01", &t));
	assert_false(rel_parse_date("2025-01-01T", &t));
}

static void test_errors_name_the_line(void **state)
{
	(void)state;
	expect_error("vendor_id = 1\n# comment\nrelease_date = 2025-02-30\n", "t.ini:3:",
	             "YYYY-MM-DD");
	expect_error("vendor_id = 1\n\ncolour = blue\n", "t.ini:3:", "unknown field 'colour'");
}

static void test_errors_more(void **state)
{
	(void)state;
	assert_true(parse(minimal));
	/* missing required field: named, with the file but no line (it is on none) */
	assert_false(parse("vendor_id = 1\nclass_id = 2\nmodel = m\nversion = 1\n"
	                   "release_date = 2025-01-01\nsupport_end = 2026-01-01\n"));
	assert_non_null(strstr(err.text, "t.ini: required field 'security_counter' is missing."));
	assert_null(strstr(err.text, "end of file"));
	/* duplicates, syntax, values */
	assert_false(parse_with("model = again\n"));
	assert_non_null(strstr(err.text, "t.ini:8:"));
	assert_non_null(strstr(err.text, "set twice (first on line 3)"));
	assert_false(parse_with("just words\n"));
	assert_non_null(strstr(err.text, "t.ini:8: expected 'field = value'"));
	assert_false(parse_with("reboot = maybe\n"));
	assert_non_null(strstr(err.text, "t.ini:8:"));
	assert_false(parse_with("severity = apocalyptic\n"));
	assert_non_null(strstr(err.text, "t.ini:8:"));
	assert_false(parse_with("block_size = 3000\n"));
	assert_non_null(strstr(err.text, "power of two"));
	assert_false(parse_with("block_size = 131072\n"));
	assert_false(parse_with("hw_rev_max = 70000\n"));
	assert_false(parse_with("security_update = yes\nseverity = high\ncves = CVE-2024-1\n"));
	assert_non_null(strstr(err.text, "t.ini:10:"));
	assert_false(parse_with("  indented continuation\n"));
	assert_false(parse_with("downtime_s = 5\n  more\n"));
	assert_non_null(strstr(err.text, "t.ini:9:"));
	/* over-long fields are refused here, with the line */
	assert_false(parse("model = 123456789012345678901234567890123\n"));
	assert_non_null(strstr(err.text, "t.ini:1:"));
	assert_non_null(strstr(err.text, "limit is 32"));
	char many[1024] = "security_update = yes\nseverity = low\ncves = ";
	for (int i = 0; i < 17; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%sCVE-2024-%05d", i ? "," : "", i);
	strcat(many, "\n");
	assert_false(parse_with(many));
	assert_non_null(strstr(err.text, "more than 16"));
	/* cross-field rules */
	assert_false(parse_with("hw_rev_min = 5\nhw_rev_max = 2\n"));
	assert_false(parse_with("severity = high\n"));
	assert_non_null(strstr(err.text, "security_update is no"));
	assert_false(parse("vendor_id=1\nclass_id=1\nmodel=m\nversion=1\nsecurity_counter=1\n"
	                   "release_date=2025-01-02\nsupport_end=2025-01-01\n"));
	assert_non_null(strstr(err.text, "support_end is before release_date"));
}

/* issue 15: strict version syntax; a security update names its risks */
static void test_version_and_risks(void **state)
{
	(void)state;
	static const char *const good[] = { "1", "1.0", "1.4.2", "2.0.0-rc1", "1.2.3.4",
	                                    "0.9.0", "10.20.30", "1.0.0-alpha.1", "1.0.0+build.7",
	                                    "1.0.0-rc.1+exp.sha.5114f85", NULL };
	static const char *const bad[] = { "1.x.banana", "x", "", "1..2", ".1", "1.", "01.2",
	                                   "1.02", "1.2.3.4.5", "1.0-", "1.0+", "1.0-rc..1",
	                                   "1.0-01", "v1.0", "1.0 beta", "1,0", "1.0-rc_1",
	                                   "1234567890.1", NULL };
	for (const char *const *v = good; *v; v++) {
		if (!rel_version_valid(*v))
			fail_msg("'%s' should be a valid version", *v);
	}
	for (const char *const *v = bad; *v; v++) {
		if (rel_version_valid(*v))
			fail_msg("'%s' should not be a valid version", *v);
	}
	assert_false(parse("vendor_id = 1\nversion = 1.x.banana\n"));
	assert_non_null(strstr(err.text, "t.ini:2: version '1.x.banana' is not a version number."));
	assert_true(parse(minimal));
	assert_false(rel_set(&rd, "version=1.x.banana", &err));
	assert_non_null(strstr(err.text, "--set: version '1.x.banana' is not a version number."));
	/* a security update with no risks is refused, at the security_update line */
	assert_false(parse_with("security_update = yes\nseverity = high\n"));
	assert_non_null(strstr(err.text, "t.ini:8: security_update is yes but risks is empty."));
	assert_true(parse_with("security_update = yes\nseverity = high\nrisks = A crash.\n"));
	/* cross-field rules point at a line of the file */
	assert_false(parse_with("hw_rev_min = 5\nhw_rev_max = 2\n"));
	assert_non_null(strstr(err.text, "t.ini:9: hw_rev_min (5) is above hw_rev_max (2)."));
}

static void test_multiline_and_quotes(void **state)
{
	(void)state;
	assert_true(parse_with("release_notes = first\n\tsecond\n   third\n"
	                       "risks = \"  # not a comment \"\n"
	                       "; a comment\n"));
	assert_string_equal(rd.m.notes, "first\nsecond\nthird");
	assert_string_equal(rd.m.risks, "  # not a comment ");
	/* a byte order mark and CRLF line ends (Windows editors) are fine */
	assert_true(parse("\xef\xbb\xbfvendor_id = 1\r\nclass_id = 1\r\nmodel = m\r\nversion = 1\r\n"
	                  "security_counter = 1\r\nrelease_date = 2025-01-01\r\nsupport_end = 2026-01-01\r\n"
	                  "release_notes = a\r\n  b\r\n"));
	assert_string_equal(rd.m.notes, "a\nb");
	/* text rules of docs/package-format.md */
	assert_true(parse_with("release_notes = Works below 0 \xc2\xb0" "C.\n"));
	assert_false(parse_with("release_notes = bad \xc3\x28 utf-8\n"));
	assert_non_null(strstr(err.text, "t.ini:8: release_notes is not valid UTF-8"));
	assert_false(parse_with("risks = escape \x1b[31m\n"));
	assert_non_null(strstr(err.text, "control character"));
	/* C1 controls are control characters too: U+009B is CSI */
	assert_false(parse_with("risks = escape \xc2\x9b" "31m\n"));
	assert_non_null(strstr(err.text, "risks contains a control character (U+009B)"));
	assert_false(parse_with("release_notes = del \x7f\n"));
	assert_non_null(strstr(err.text, "control character (U+007F)"));
	assert_false(parse_with("release_notes = raw \x9b" "31m\n"));
	assert_non_null(strstr(err.text, "release_notes is not valid UTF-8"));
	assert_false(parse("model = Caf\xc3\xa9\n"));
	assert_non_null(strstr(err.text, "printable ASCII"));
	assert_false(parse("version = \" 1.0\"\n"));
	assert_non_null(strstr(err.text, "t.ini:1: version ' 1.0' is not a version number"));
	assert_false(parse("component = \" app\"\n"));
	assert_non_null(strstr(err.text, "t.ini:1: component starts or ends with a space"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_set_overrides),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_evidence_fields),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_errors_more),
		cmocka_unit_test(test_multiline_and_quotes),
		cmocka_unit_test(test_version_and_risks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
