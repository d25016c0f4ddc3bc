/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_usb_e2e.c - fwseal's own host library against the simulated device,
 * over USB DFU, over HID and (the reference) over serial: the same tests,
 * parametrised by the device string: list; flash v1 -> v2 and the device runs v2; a tampered
 * package, a downgrade and a package for another model sent by a hostile
 * host (no host checks) are refused by the device, which keeps v2; and a
 * cable pull in the middle of a USB download, after which the same command
 * resumes and completes; and a device in DFU runtime mode, which the host
 * detaches into DFU mode before flashing.
 *
 * The test runs itself as the host under the emulation:
 *   fwseal-sim ... --usb -- test-usb-e2e --client DEVICE TRUST ACTION ...
 * (usb_client.c), because programs see emulated USB devices only under
 * libumockdev-preload.
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

#include "usb_client.h"
#include "usb_fixture.h"
#include "usbemu_run.h"

static struct usb_fix fix;
static char self[4096];
/* the transports under test; serial runs the same tests on a pty */
static char usb_dev[] = "usb", hid_dev[] = "hid", serial_dev[] = "serial";

static int client(const char *device, const char *const *usb_opts, char **out,
                  const char *action, const char *a1, const char *a2)
{
	bool serial = strcmp(device, serial_dev) == 0;
	const char *argv[] = { self, "--client", serial ? USB_FIX_DEVICE : device, fix.trust,
	                       action, a1, a2, NULL };
	return serial ? usb_fix_run_serial(&fix, argv, out) : usb_fix_run(&fix, usb_opts, argv, out);
}

static void test_list(void **state)
{
	const char *dev = *state;
	char *out = NULL;
	char want[128];

	usb_fix_fresh_device(&fix);
	assert_int_equal(client(dev, NULL, &out, "list", NULL, NULL), 0);
	snprintf(want, sizeof want, "%s:%s:%s %s %s", dev, USB_FIX_VIDPID, USB_FIX_SERIAL,
	         USB_FIX_MODEL, USB_FIX_SERIAL);
	if (!strstr(out, want))
		fail_msg("'%s' not in the list:\n%s", want, out);
	g_free(out);
}

static void assert_refused(const char *dev, const char *pkg, const char *detail)
{
	char *out = NULL;
	assert_int_equal(client(dev, NULL, &out, "raw", pkg, NULL), 3);
	if (!strstr(out, detail))
		fail_msg("expected refusal '%s', got: %s", detail, out);
	g_free(out);
}

static void test_flash_and_refusals(void **state)
{
	const char *dev = *state;

	usb_fix_fresh_device(&fix);
	assert_int_equal(client(dev, NULL, NULL, "flash", fix.v1, "1.0.0"), 0);
	assert_int_equal(client(dev, NULL, NULL, "flash", fix.v2, "2.0.0"), 0);

	assert_refused(dev, fix.tampered, "block-digest");
	assert_refused(dev, fix.v1, "downgrade");
	assert_refused(dev, fix.wrong_model, "model");

	char v[64] = "?";
	assert_true(usb_fix_running_version(&fix, v, sizeof v));
	assert_string_equal(v, "2.0.0");
}

static void test_cable_pull_and_resume(void **state)
{
	(void)state;
	/* the cable goes at the 5th DNLOAD and is back 300 ms later */
	const char *pull[] = { "--pull-after", "5", "--replug-ms", "300", NULL };
	char *out = NULL;

	usb_fix_fresh_device(&fix);
	assert_int_equal(client("usb", NULL, NULL, "flash", fix.v1, "1.0.0"), 0);
	assert_int_equal(client("usb", pull, &out, "pull", fix.v2, "2.0.0"), 0);
	assert_non_null(strstr(out, "resumed at"));
	g_free(out);
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
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_list, usb_dev),
		cmocka_unit_test_prestate(test_list, hid_dev),
		cmocka_unit_test_prestate(test_flash_and_refusals, usb_dev),
		cmocka_unit_test_prestate(test_flash_and_refusals, hid_dev),
		cmocka_unit_test_prestate(test_flash_and_refusals, serial_dev),
		cmocka_unit_test(test_cable_pull_and_resume),
		cmocka_unit_test(test_runtime_mode_detach),
		cmocka_unit_test(test_cli),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	usb_fix_teardown(&fix);
	return rc;
}
