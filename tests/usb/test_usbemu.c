/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_usbemu.c - the USB emulation (device-stub/ports/posix/usb/usbemu.h)
 * seen by real, unmodified USB programs: dfu-util lists, downloads to and
 * uploads from a device whose DFU requests a small in-test function answers;
 * the device vanishes on unplug and comes back on plug; a USB reset makes it
 * re-enumerate. The real stub behind the same emulation is tested in
 * test_usb_e2e.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/usbdevice_fs.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "fwseal/dfu.h"
#include "usb_desc.h"
#include "usbemu.h"
#include "usbemu_run.h"

/* A minimal DFU device: enough state machine for dfu-util's download and
 * upload (DFU 1.1 6.1.2, 6.2), nothing verified. */
struct toy {
	GByteArray *got;
	uint8_t state, alt;
	size_t up_off;
	unsigned resets;
};

static struct toy toy;
static UMockdevTestbed *tb;
static fws_usbemu *emu;
static const char info_record[] = "TOY-INFO-RECORD";

static int toy_control(void *ctx, const struct fws_usbemu_setup *s, uint8_t *data)
{
	struct toy *t = ctx;

	switch (s->request) {
	case FWS_DFU_GETSTATUS:
		if (s->length < 6)
			return -1;
		if (t->state == FWS_DFU_DNLOAD_SYNC)
			t->state = FWS_DFU_DNLOAD_IDLE;
		else if (t->state == FWS_DFU_MANIFEST_SYNC)
			t->state = FWS_DFU_IDLE;
		memset(data, 0, 6);
		data[4] = t->state;
		return 6;
	case FWS_DFU_GETSTATE:
		data[0] = t->state;
		return 1;
	case FWS_DFU_CLRSTATUS:
	case FWS_DFU_ABORT:
		t->state = FWS_DFU_IDLE;
		t->up_off = 0;
		return 0;
	case FWS_DFU_DNLOAD:
		if (t->alt != 0)
			return -1;
		if (t->state == FWS_DFU_IDLE)
			g_byte_array_set_size(t->got, 0);
		g_byte_array_append(t->got, data, s->length);
		t->state = s->length ? FWS_DFU_DNLOAD_SYNC : FWS_DFU_MANIFEST_SYNC;
		return 0;
	case FWS_DFU_UPLOAD: {
		if (t->alt != 1)
			return -1;
		size_t n = MIN((size_t)s->length, sizeof info_record - 1 - t->up_off);
		memcpy(data, info_record + t->up_off, n);
		t->up_off += n;
		t->state = n < s->length ? FWS_DFU_IDLE : FWS_DFU_UPLOAD_IDLE;
		if (t->state == FWS_DFU_IDLE)
			t->up_off = 0;
		return (int)n;
	}
	default:
		return -1;
	}
}

static int toy_set_alt(void *ctx, uint8_t alt)
{
	((struct toy *)ctx)->alt = alt;
	return 0;
}

static void toy_hid_output(void *ctx, const uint8_t *report, size_t len)
{
	(void)ctx;
	(void)report;
	(void)len;
}

static void toy_reset(void *ctx)
{
	struct toy *t = ctx;
	t->resets++;
	t->state = FWS_DFU_IDLE;
}

static const struct fws_usbemu_ops toy_ops = {
	.dfu_control = toy_control,
	.set_alt = toy_set_alt,
	.hid_output = toy_hid_output,
	.reset = toy_reset,
};

static struct fws_usb_model toy_model(void)
{
	struct fws_usb_model m = {
		.vid = 0x1209, .pid = 0x0001, .bcd_device = 0x0100,
		.manufacturer = "fwseal test", .product = "TOY-1", .serial = "TOY0001",
		.dfu_attributes = FWS_DFU_ATTR_CAN_DNLOAD | FWS_DFU_ATTR_CAN_UPLOAD |
		                  FWS_DFU_ATTR_MANIFEST_TOLERANT,
		.dfu_detach_timeout_ms = 1000, .dfu_transfer_size = 1024,
		.dfu_alt_names = { "fwseal package", "fwseal info" }, .dfu_alt_count = 2,
		.hid = true,
	};
	return m;
}

static int setup(void **state)
{
	(void)state;
	struct fws_usb_model m = toy_model();
	GError *err = NULL;

	memset(&toy, 0, sizeof toy);
	toy.got = g_byte_array_new();
	toy.state = FWS_DFU_IDLE;
	emu = fws_usbemu_new(tb, &m, NULL, &toy_ops, &toy, &err);
	if (!emu)
		fail_msg("fws_usbemu_new: %s", err->message);
	fws_usbemu_set_reenum_delay_ms(emu, 10);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (fws_usbemu_plugged(emu))
		fws_usbemu_unplug(emu);
	fws_usbemu_free(emu);
	g_byte_array_unref(toy.got);
	return 0;
}

/* Runs a command under the emulation; returns its exit code and stdout. */
static int run(gchar **out, const char *first, ...)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	va_list ap;
	GError *err = NULL;

	g_ptr_array_add(argv, g_strdup(first));
	va_start(ap, first);
	for (const char *a; (a = va_arg(ap, const char *));)
		g_ptr_array_add(argv, g_strdup(a));
	va_end(ap);
	g_ptr_array_add(argv, NULL);
	int rc = fws_usbemu_run_command((char **)argv->pdata, out, &err);
	if (rc < 0)
		fail_msg("cannot run %s: %s", first, err->message);
	g_ptr_array_free(argv, TRUE);
	return rc;
}

static void test_descriptors(void **state)
{
	(void)state;
	struct fws_usb_model m = toy_model();
	uint8_t d[FWS_USB_DESC_MAX], s[2 + 2 * FWS_USB_STRING_MAX];
	size_t cfg = 0, n = fws_usb_desc_build(&m, d, sizeof d, &cfg);

	assert_int_equal(cfg, 18);
	/* config 9 + 2 x (interface 9 + functional 9) + HID 9 + 9 + 7 + 7 */
	assert_int_equal(n, 18 + 9 + 36 + 32);
	assert_int_equal(d[cfg + 2] | d[cfg + 3] << 8, n - cfg);
	/* interface 0 alt 1: DFU mode, string 7 */
	const uint8_t *alt1 = d + cfg + 9 + 18;
	assert_int_equal(alt1[3], 1);
	assert_int_equal(alt1[5], FWS_DFU_CLASS);
	assert_int_equal(alt1[6], FWS_DFU_SUBCLASS);
	assert_int_equal(alt1[7], FWS_DFU_PROTO_DFU_MODE);
	/* its functional descriptor: wTransferSize 1024, bcdDFUVersion 1.1 */
	assert_int_equal(alt1[9 + 1], FWS_DFU_FUNC_DESC_TYPE);
	assert_int_equal(alt1[9 + 5] | alt1[9 + 6] << 8, 1024);
	assert_int_equal(alt1[9 + 7] | alt1[9 + 8] << 8, 0x0110);
	/* a buffer one byte short is refused, not overrun */
	assert_int_equal(fws_usb_desc_build(&m, d, n - 1, NULL), 0);
	/* strings: the product is the model designation */
	assert_int_equal(fws_usb_desc_string(&m, FWS_USB_STR_PRODUCT, s, sizeof s), 2 + 2 * 5);
	assert_int_equal(s[2], 'T');
	assert_int_equal(fws_usb_desc_string(&m, 99, s, sizeof s), 0);
	m.dfu_alt_count = 0;
	assert_int_equal(fws_usb_desc_build(&m, d, sizeof d, NULL), 0);
}

static void test_dfu_util_lists_device(void **state)
{
	(void)state;
	g_autofree gchar *out = NULL;

	assert_int_equal(run(&out, "dfu-util", "-l", NULL), 0);
	assert_non_null(strstr(out, "Found DFU: [1209:0001]"));
	assert_non_null(strstr(out, "alt=0, name=\"fwseal package\", serial=\"TOY0001\""));
	assert_non_null(strstr(out, "alt=1, name=\"fwseal info\", serial=\"TOY0001\""));
}

static void test_dfu_util_download_upload(void **state)
{
	(void)state;
	g_autofree gchar *dir = g_dir_make_tmp("usbemu-XXXXXX", NULL);
	g_autofree gchar *file = g_build_filename(dir, "fw.dfu", NULL);
	g_autofree gchar *up = g_build_filename(dir, "info.bin", NULL);
	g_autofree gchar *out = NULL;
	uint8_t img[5000];

	for (size_t i = 0; i < sizeof img; i++)
		img[i] = (uint8_t)(i * 7 + 3);
	assert_true(g_file_set_contents(file, (const gchar *)img, sizeof img, NULL));
	assert_int_equal(run(&out, "dfu-suffix", "-v", "1209", "-p", "0001", "-a", file, NULL), 0);
	g_clear_pointer(&out, g_free);

	assert_int_equal(run(&out, "dfu-util", "-d", "1209:0001", "-a", "0", "-D", file, NULL), 0);
	assert_int_equal(toy.got->len, sizeof img); /* the suffix stayed on the host */
	assert_memory_equal(toy.got->data, img, sizeof img);
	g_clear_pointer(&out, g_free);

	assert_int_equal(run(&out, "dfu-util", "-a", "1", "-U", up, NULL), 0);
	g_autofree gchar *got = NULL;
	gsize got_len = 0;
	assert_true(g_file_get_contents(up, &got, &got_len, NULL));
	assert_int_equal(got_len, strlen(info_record));
	assert_memory_equal(got, info_record, got_len);

	g_unlink(file);
	g_unlink(up);
	g_rmdir(dir);
}

static void test_unplug_and_plug(void **state)
{
	(void)state;
	g_autofree gchar *a = NULL, *b = NULL;
	GError *err = NULL;

	fws_usbemu_unplug(emu);
	run(&a, "dfu-util", "-l", NULL);
	assert_null(strstr(a, "Found DFU"));
	assert_true(fws_usbemu_plug(emu, &err));
	assert_int_equal(run(&b, "dfu-util", "-l", NULL), 0);
	assert_non_null(strstr(b, "Found DFU: [1209:0001]"));
}

/* A program's connection that umockdev finalizes only after the device is
 * freed (the simulator frees its devices as soon as its command exits, while
 * umockdev's worker may still be closing that command's connections): the
 * late finalization must not touch the freed device. This crashed fwseal-sim
 * now and then after a test had passed (exit 139); under ASan it is a
 * heap-use-after-free every time. */
static void test_free_before_connection_ends(void **state)
{
	(void)state;
	struct usbdevfs_connectinfo ci;
	g_autofree gchar *out = NULL;

	int fd = g_open(fws_usbemu_devnode(emu), O_RDWR, 0);
	assert_true(fd >= 0);
	assert_int_equal(ioctl(fd, USBDEVFS_CONNECTINFO, &ci), 0); /* a client exists now */
	fws_usbemu_unplug(emu);
	fws_usbemu_free(emu);
	emu = NULL;
	close(fd);
	g_usleep(300 * 1000); /* umockdev's worker finalizes the connection */
	/* the testbed still serves a new device */
	assert_int_equal(setup(NULL), 0);
	assert_int_equal(run(&out, "dfu-util", "-l", NULL), 0);
	assert_non_null(strstr(out, "Found DFU: [1209:0001]"));
}

static void test_reset_reaches_device(void **state)
{
	(void)state;
	g_autofree gchar *out = NULL;
	struct fws_usbemu_stats st;

	g_autofree gchar *dir = g_dir_make_tmp("usbemu-XXXXXX", NULL);
	g_autofree gchar *up = g_build_filename(dir, "info.bin", NULL);

	/* -R: USB reset when done, which ends DFU mode (DFU 1.1 6.3) */
	assert_int_equal(run(&out, "dfu-util", "-a", "1", "-U", up, "-R", NULL), 0);
	g_unlink(up);
	g_rmdir(dir);
	fws_usbemu_get_stats(emu, &st);
	assert_int_equal(st.resets, toy.resets);
	assert_true(toy.resets >= 1);
	g_clear_pointer(&out, g_free);
	/* and the device is back afterwards */
	g_usleep(50 * 1000);
	assert_int_equal(run(&out, "dfu-util", "-l", NULL), 0);
	assert_non_null(strstr(out, "Found DFU: [1209:0001]"));
}

int main(int argc, char **argv)
{
	(void)argc;
	GError *err = NULL;

	if (!fws_usbemu_available()) {
		g_printerr("SKIP: umockdev is not installed\n");
		return 77;
	}
	if (!fws_usbemu_reexec_under_preload(argv, &err)) {
		g_printerr("%s\n", err->message);
		return 1;
	}
	tb = umockdev_testbed_new();

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test_setup_teardown(test_dfu_util_lists_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dfu_util_download_upload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unplug_and_plug, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_reaches_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_before_connection_ends, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	g_object_unref(tb);
	return rc;
}
