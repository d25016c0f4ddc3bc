/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_gui_model.c - the app's models without a display: what it says about
 * a package against a device (FwgPackage: verification through
 * libfwseal-host, the pre-flight policy worded for people), which package
 * the catalog picks for a device, and the words for dates and durations
 * (fwg-format). Packages come from the shared test builder (test keys made
 * here, nothing committed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "fwg-catalog.h"
#include "fwg-format.h"
#include "fwg-package.h"
#include "testpkg.h"

static char *dir;
static test_key key, stranger;
static fws_trust trust;

static char *write_pkg(const char *name, const char *version, uint32_t counter,
                       const char *model, const test_key *k, gboolean flip)
{
	g_autofree uint8_t *img = test_image(6000, counter);
	test_pkg p;
	test_pkg_opts o = {.model = model, .version = version, .security_counter = counter,
	                   .with_suffix = 1, .keys = {k}};
	test_pkg_build(&p, img, 6000, &o);
	if (flip)
		p.data[p.prefix_len + 100] ^= 1; /* inside block 0 */
	char *path = g_build_filename(dir, name, NULL);
	assert_true(g_file_set_contents(path, (const char *)p.data, (gssize)p.len, NULL));
	test_pkg_free(&p);
	return path;
}

static FwgPackage *load(const char *path)
{
	g_autoptr(GFile) f = g_file_new_for_path(path);
	return fwg_package_load(f, &trust);
}

static fws_devinfo device(const char *version, uint32_t counter)
{
	fws_devinfo d;
	memset(&d, 0, sizeof(d));
	d.vendor_id = 0x1209;
	d.class_id = 0xf5ea;
	g_strlcpy(d.model, "FW-TEST-1", sizeof(d.model));
	d.hw_rev = 1;
	g_strlcpy(d.serial, "SN-1", sizeof(d.serial));
	g_strlcpy(d.fw_version, version, sizeof(d.fw_version));
	d.security_counter = counter;
	d.key_count = 1;
	memcpy(d.keys[0].id, key.id, FWS_KEY_ID_LEN);
	return d;
}

static void expect_refusal(FwgPackage *p, const fws_devinfo *d, fws_err code, const char *words)
{
	g_autoptr(GError) e = NULL;
	assert_false(fwg_package_check_fits(p, d, &e));
	assert_non_null(e);
	assert_int_equal(e->code, code);
	if (!strstr(e->message, words))
		fail_msg("expected \"%s\" in \"%s\"", words, e->message);
}

static void test_fits_and_refusals(void **state)
{
	(void)state;
	g_autofree char *path = write_pkg("v2.fwseal", "2.0.0", 5, "FW-TEST-1", &key, FALSE);
	g_autoptr(FwgPackage) p = load(path);
	assert_null(fwg_package_get_problem(p));
	assert_non_null(fwg_package_get_host_package(p));
	assert_string_equal(fwg_package_get_manifest(p)->version, "2.0.0");
	assert_int_equal(strlen(fwg_package_get_sha256(p)), 64);

	fws_devinfo d = device("1.0.0", 3);
	assert_true(fwg_package_check_fits(p, &d, NULL));

	fws_devinfo other = d;
	g_strlcpy(other.model, "OTHER-2", sizeof(other.model));
	expect_refusal(p, &other, FWS_E_MODEL,
	               "is for a FW-TEST-1, but the connected device is a OTHER-2");
	fws_devinfo rev = d;
	rev.hw_rev = 7;
	expect_refusal(p, &rev, FWS_E_HW_REV, "hardware revision 7");
	fws_devinfo newer = device("3.0.0", 9);
	expect_refusal(p, &newer, FWS_E_DOWNGRADE, "older version (2.0.0) than the device runs (3.0.0)");
	fws_devinfo same = device("2.0.0", 5);
	expect_refusal(p, &same, FWS_E_STATE, "already runs version 2.0.0");
	fws_devinfo distrust = d;
	memset(distrust.keys[0].id, 0xAA, FWS_KEY_ID_LEN);
	expect_refusal(p, &distrust, FWS_E_UNTRUSTED_KEY, "does not trust the key");
	fws_devinfo small = d;
	small.slot_size = 1000;
	expect_refusal(p, &small, FWS_E_TOO_BIG, "too large");

	g_autofree char *text = fwg_package_describe(p);
	assert_non_null(strstr(text, "check              ok"));
	assert_non_null(strstr(text, "model              FW-TEST-1"));
}

static void test_bad_packages(void **state)
{
	(void)state;
	fws_devinfo d = device("1.0.0", 3);
	g_autofree char *tampered = write_pkg("t.fwseal", "2.0.0", 5, "FW-TEST-1", &key, TRUE);
	g_autoptr(FwgPackage) t = load(tampered);
	assert_non_null(fwg_package_get_problem(t));
	assert_int_equal(fwg_package_get_problem(t)->code, FWS_E_BLOCK_DIGEST);
	assert_non_null(strstr(fwg_package_get_problem(t)->message, "changed or damaged"));
	assert_null(fwg_package_get_host_package(t));
	expect_refusal(t, &d, FWS_E_BLOCK_DIGEST, "changed or damaged");
	/* The claimed (unauthenticated) manifest is still shown to technicians. */
	assert_true(fwg_package_has_manifest(t));

	g_autofree char *foreign = write_pkg("f.fwseal", "2.0.0", 5, "FW-TEST-1", &stranger, FALSE);
	g_autoptr(FwgPackage) f = load(foreign);
	assert_non_null(fwg_package_get_problem(f));
	assert_non_null(strstr(fwg_package_get_problem(f)->message, "not signed by the device maker"));
	g_autofree char *text = fwg_package_describe(f);
	assert_non_null(strstr(text, "NOT authenticated"));

	g_autofree char *junk = g_build_filename(dir, "junk.fwseal", NULL);
	assert_true(g_file_set_contents(junk, "hello, not a package", -1, NULL));
	g_autoptr(FwgPackage) j = load(junk);
	assert_non_null(fwg_package_get_problem(j));

	/* Without a trust store nothing can be verified: refused, with why. */
	g_autoptr(GFile) gf = g_file_new_for_path(foreign);
	g_autoptr(FwgPackage) n = fwg_package_load(gf, NULL);
	assert_int_equal(fwg_package_get_problem(n)->code, FWS_E_TRUST_STORE);
}

static void on_refreshed(FwgCatalog *c, gpointer loop)
{
	(void)c;
	g_main_loop_quit(loop);
}

static gboolean give_up(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static void test_catalog_picks_best(void **state)
{
	(void)state;
	g_autofree char *folder = g_build_filename(dir, "catalog", NULL);
	g_mkdir_with_parents(folder, 0755);
	g_free(write_pkg("catalog/a-1.1.fwseal", "1.1.0", 4, "FW-TEST-1", &key, FALSE));
	g_free(write_pkg("catalog/b-1.2.fwseal", "1.2.0", 6, "FW-TEST-1", &key, FALSE));
	g_free(write_pkg("catalog/c-bad.fwseal", "9.0.0", 99, "FW-TEST-1", &key, TRUE));
	g_free(write_pkg("catalog/d-other.fwseal", "9.0.0", 99, "OTHER-2", &key, FALSE));
	g_free(write_pkg("catalog/e-old.fwseal", "0.9.0", 1, "FW-TEST-1", &key, FALSE));

	g_autoptr(FwgLog) log = fwg_log_new();
	g_autoptr(FwgCatalog) cat = fwg_catalog_new(log);
	fwg_catalog_set_trust(cat, &trust);
	g_autoptr(GFile) f = g_file_new_for_path(folder);
	fwg_catalog_set_folder(cat, f);
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	g_signal_connect(cat, "refreshed", G_CALLBACK(on_refreshed), loop);
	guint t = g_timeout_add_seconds(20, give_up, loop);
	fwg_catalog_refresh(cat);
	g_main_loop_run(loop);
	g_source_remove(t);
	assert_false(fwg_catalog_is_busy(cat));

	/* Highest counter that verifies and fits: 1.2.0 (not the tampered
	 * 9.0.0, not the other model's, not the downgrade). */
	fws_devinfo d = device("1.0.0", 3);
	FwgPackage *best = fwg_catalog_best_for(cat, &d);
	assert_non_null(best);
	assert_string_equal(fwg_package_get_manifest(best)->version, "1.2.0");
	fws_devinfo up = device("1.2.0", 6);
	assert_null(fwg_catalog_best_for(cat, &up));
	assert_non_null(strstr(fwg_log_get_text(log), "refused"));
}

static void test_words(void **state)
{
	(void)state;
	g_autofree char *a = fwg_format_duration(30);
	assert_string_equal(a, "about 30 seconds");
	g_autofree char *b = fwg_format_duration(150);
	assert_string_equal(b, "about 3 minutes");
	g_autofree char *c = fwg_format_duration(2);
	assert_string_equal(c, "a few seconds");
	g_autofree char *d = fwg_format_time_left(12.2);
	assert_string_equal(d, "About 10 seconds left");
	g_autofree char *e = fwg_format_time_left(-1);
	assert_non_null(strstr(e, "Working out"));
	g_autofree char *f = fwg_format_time_left(200);
	assert_string_equal(f, "About 3 minutes left");
	/* 2031-03-31 12:00 UTC */
	g_autofree char *g = fwg_format_support_end(1932724800, 1800000000);
	assert_string_equal(g, "Receives security updates until 31 March 2031.");
	g_autofree char *h = fwg_format_support_end(1700000000, 1800000000);
	assert_non_null(strstr(h, "ended on"));
	g_autofree char *i = fwg_format_support_end(0, 1800000000);
	assert_non_null(strstr(i, "does not say"));
	g_autofree char *home = g_build_filename(g_get_home_dir(), "pkgs", NULL);
	g_autofree char *j = fwg_format_path(home);
	assert_string_equal(j, "~/pkgs");
	g_autofree char *k = fwg_format_path("/media/stick");
	assert_string_equal(k, "/media/stick");
}

static int setup(void **state)
{
	(void)state;
	dir = g_dir_make_tmp("fwseal-gui-model-XXXXXX", NULL);
	test_key_generate(&key, 1);
	test_key_generate(&stranger, 2);
	test_trust_one(&trust, &key, 0);
	return dir ? 0 : -1;
}

static void rm_rf(const char *path)
{
	g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *child = g_build_filename(path, name, NULL);
		if (g_file_test(child, G_FILE_TEST_IS_DIR))
			rm_rf(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(dir);
	g_free(dir);
	test_key_free(&key);
	test_key_free(&stranger);
	return 0;
}

int main(void)
{
	g_setenv("LC_ALL", "C.UTF-8", TRUE);
	g_setenv("TZ", "UTC", TRUE);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits_and_refusals),
		cmocka_unit_test(test_bad_packages),
		cmocka_unit_test(test_catalog_picks_best),
		cmocka_unit_test(test_words),
	};
	return cmocka_run_group_tests_name("gui-model", tests, setup, teardown);
}
