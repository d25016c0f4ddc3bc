/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_watch.c - the serial side of fwseal-host/watch.h on a scratch folder
 * (plain files stand in for device nodes: the watch only looks at names,
 * inotify events and access rights): what is there at the start comes
 * first, a new node is reported once after the settle time, names outside
 * the patterns never are, a node that goes and comes back is reported
 * again, one that cannot be opened yet is reported once it can be, and
 * bad patterns are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fwseal-host/watch.h"
#include "testproc.h"

struct fixture {
	char dir[64];
	char pattern[96];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_true(test_tmpdir(f->dir, sizeof f->dir, "watch"));
	snprintf(f->pattern, sizeof f->pattern, "%s/ttyFX*", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int rc = test_rmtree(f->dir);
	free(f);
	return rc;
}

static void touch(const struct fixture *f, const char *name, mode_t mode)
{
	char p[128];
	snprintf(p, sizeof p, "%s/%s", f->dir, name);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(chmod(p, mode), 0);
}

static void expect_device(fwh_watch *w, const struct fixture *f, const char *name,
                          unsigned timeout_ms)
{
	char dev[FWH_DEVSTR_MAX], want[FWH_DEVSTR_MAX];
	fwh_error err;
	assert_int_equal(fwh_watch_next(w, dev, sizeof dev, timeout_ms, &err), FWS_OK);
	snprintf(want, sizeof want, "serial:%s/%s@921600", f->dir, name);
	assert_string_equal(dev, want);
}

static void expect_nothing(fwh_watch *w, unsigned timeout_ms)
{
	char dev[FWH_DEVSTR_MAX];
	fwh_error err;
	fws_err e = fwh_watch_next(w, dev, sizeof dev, timeout_ms, &err);
	if (e == FWS_OK)
		fail_msg("unexpected device %s", dev);
	assert_int_equal(e, FWS_E_TIMEOUT);
}

static fwh_watch *open_watch(const struct fixture *f)
{
	fwh_watch_opts o = {.ports = {f->pattern}, .n_ports = 1, .baud = 921600, .settle_ms = 50};
	fwh_watch *w = NULL;
	fwh_error err;
	assert_int_equal(fwh_watch_open(&o, &w, &err), FWS_OK);
	return w;
}

static void appear_once(void **state)
{
	struct fixture *f = *state;
	touch(f, "ttyFX0", 0600);          /* there before the watch */
	fwh_watch *w = open_watch(f);
	expect_device(w, f, "ttyFX0", 1000);
	expect_nothing(w, 100);

	touch(f, "ttyFX1", 0600);
	touch(f, "other0", 0600);          /* outside the pattern: never */
	expect_device(w, f, "ttyFX1", 2000);
	expect_nothing(w, 200);

	/* attributes change on a reported node: still nothing new */
	char p[128];
	snprintf(p, sizeof p, "%s/ttyFX1", f->dir);
	assert_int_equal(chmod(p, 0660), 0);
	expect_nothing(w, 150);

	/* unplugged and plugged again: reported again */
	assert_int_equal(unlink(p), 0);
	expect_nothing(w, 100);
	touch(f, "ttyFX1", 0600);
	expect_device(w, f, "ttyFX1", 2000);
	fwh_watch_close(w);
}

/* udev creates the node first and sets its mode a moment later: a node is
 * reported when it becomes usable, not before. A link to a node that does
 * not exist yet is unusable for root too, so this runs as any user. */
static void waits_until_usable(void **state)
{
	struct fixture *f = *state;
	fwh_watch *w = open_watch(f);
	char link[128], target[128];
	snprintf(link, sizeof link, "%s/ttyFX2", f->dir);
	snprintf(target, sizeof target, "%s/node-not-yet", f->dir);
	assert_int_equal(symlink(target, link), 0);
	expect_nothing(w, 300);
	touch(f, "node-not-yet", 0600);
	expect_device(w, f, "ttyFX2", 1000);
	fwh_watch_close(w);
}

static void bad_patterns(void **state)
{
	struct fixture *f = *state;
	char in_dir[128], missing[128];
	snprintf(in_dir, sizeof in_dir, "%s*/ttyUSB0", f->dir);
	snprintf(missing, sizeof missing, "%s/no-such-folder/tty*", f->dir);
	const char *bad[] = {"ttyUSB*", in_dir, "/tty*"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fwh_watch_opts o = {.ports = {bad[i]}, .n_ports = 1};
		fwh_watch *w = NULL;
		fwh_error err;
		assert_int_equal(fwh_watch_open(&o, &w, &err), FWS_E_INVAL);
		assert_null(w);
		assert_non_null(strstr(err.msg, "pattern"));
	}
	fwh_watch_opts o = {.ports = {missing}, .n_ports = 1};
	fwh_watch *w = NULL;
	fwh_error err;
	assert_int_equal(fwh_watch_open(&o, &w, &err), FWS_E_IO);
	assert_non_null(strstr(err.msg, "no-such-folder"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(appear_once, setup, teardown),
		cmocka_unit_test_setup_teardown(waits_until_usable, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_patterns, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
