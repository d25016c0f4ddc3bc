/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_usb_msos20.c - the emulated device's Microsoft OS 2.0 descriptors as a
 * libusb program reads them (issue 15, item 7): msos20_read fetches the BOS
 * and the descriptor set over the emulated USB device exactly as Windows
 * does (MS OS 2.0 Descriptors Specification 3.4), and this test parses what
 * came back strictly by the specification: every bLength / wLength, every
 * descriptor type, every total length, the platform capability UUID, the
 * WINUSB compatible id and the DeviceInterfaceGUIDs registry property, for
 * the composite device (DFU + HID: configuration and function subsets, the
 * HID interface left to Windows' HID driver) and the DFU-only one (no
 * subsets). Plus: libusb's own BOS parse agrees, bcdUSB is 2.1, a shorter
 * wLength gets the start of the set, an unsupported index STALLs, and the
 * builders refuse a buffer one byte short.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "fwseal/dfu.h"
#include "usb_desc.h"
#include "usbemu.h"
#include "usbemu_run.h"

static UMockdevTestbed *tb;
static const char *reader; /* msos20_read */

static int no_dfu(void *ctx, const struct fws_usbemu_setup *s, uint8_t *data)
{
	(void)ctx;
	(void)s;
	(void)data;
	return -1;
}

static void no_hid(void *ctx, const uint8_t *report, size_t len)
{
	(void)ctx;
	(void)report;
	(void)len;
}

static const struct fws_usbemu_ops ops = { .dfu_control = no_dfu, .hid_output = no_hid };

static struct fws_usb_model model(bool hid)
{
	struct fws_usb_model m = {
		.vid = 0x1209, .pid = 0x0001, .bcd_device = 0x0100,
		.manufacturer = "fwseal test", .product = "MSOS-1", .serial = "MSOS0001",
		.dfu_attributes = FWS_DFU_ATTR_CAN_DNLOAD | FWS_DFU_ATTR_MANIFEST_TOLERANT,
		.dfu_detach_timeout_ms = 1000, .dfu_transfer_size = 1024,
		.dfu_alt_names = { "fwseal package" }, .dfu_alt_count = 1,
		.hid = hid,
	};
	return m;
}

static unsigned le16(const uint8_t *p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }
static uint32_t le32(const uint8_t *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }

/* "tag HEX" line of the reader's output, decoded */
static size_t line_hex(const char *out, const char *tag, uint8_t *buf, size_t cap)
{
	char key[32];
	snprintf(key, sizeof key, "\n%s ", tag);
	g_autofree gchar *text = g_strconcat("\n", out, NULL);
	const char *p = strstr(text, key);
	if (!p)
		fail_msg("the reader printed no '%s' line:\n%s", tag, out);
	p += strlen(key);
	while (*p == ' ')
		p++;
	size_t n = 0;
	while (isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1]) && n < cap) {
		unsigned v;
		sscanf(p, "%2x", &v);
		buf[n++] = (uint8_t)v;
		p += 2;
	}
	return n;
}

/* The UTF-16LE of ASCII s with its NUL (and a second NUL when multi). */
static void expect_utf16(const uint8_t *p, size_t len, const char *s, bool multi)
{
	size_t want = 2 * (strlen(s) + (multi ? 2 : 1));
	assert_int_equal(len, want);
	for (size_t i = 0; i < strlen(s); i++) {
		assert_int_equal(p[2 * i], (uint8_t)s[i]);
		assert_int_equal(p[2 * i + 1], 0);
	}
	for (size_t i = 2 * strlen(s); i < len; i++)
		assert_int_equal(p[i], 0);
}

/* Features of the DFU function (spec 9.22-9.23): the WINUSB compatible id
 * and the DeviceInterfaceGUIDs property; returns the bytes they take. */
static size_t check_features(const uint8_t *p, size_t len)
{
	/* MS_OS_20_FEATURE_COMPATBLE_ID: wLength 20, type 3, "WINUSB\0\0", 8 x 0 */
	assert_true(len >= 20);
	assert_int_equal(le16(p), 20);
	assert_int_equal(le16(p + 2), 0x03);
	assert_memory_equal(p + 4, "WINUSB\0\0", 8);
	for (int i = 12; i < 20; i++)
		assert_int_equal(p[i], 0);
	const uint8_t *r = p + 20;
	/* MS_OS_20_FEATURE_REG_PROPERTY: wLength, type 4, wPropertyDataType 7
	 * (REG_MULTI_SZ), wPropertyNameLength, name, wPropertyDataLength, data */
	assert_true(len >= 20 + 10);
	unsigned wlen = le16(r);
	assert_int_equal(le16(r + 2), 0x04);
	assert_int_equal(le16(r + 4), 7);
	unsigned name_len = le16(r + 6);
	assert_true(8 + name_len + 2 <= wlen);
	expect_utf16(r + 8, name_len, "DeviceInterfaceGUIDs", false);
	unsigned data_len = le16(r + 8 + name_len);
	assert_int_equal(wlen, 10 + name_len + data_len);
	/* one GUID in braces, upper-case hex, then the double NUL of REG_MULTI_SZ */
	char guid[64] = "";
	assert_true(data_len / 2 < sizeof guid);
	for (unsigned i = 0; i + 1 < data_len && r[10 + name_len + i]; i += 2)
		guid[i / 2] = (char)r[10 + name_len + i];
	assert_true(g_regex_match_simple(
		"^\\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\\}$", guid, 0, 0));
	assert_string_equal(guid, FWS_USB_DFU_INTERFACE_GUID);
	expect_utf16(r + 10 + name_len, data_len, guid, true);
	assert_true(20 + wlen <= len);
	return 20 + wlen;
}

/* The descriptor set (spec 9.22): header, then either the features (a
 * device of one function) or one configuration subset holding one function
 * subset per function that needs features. */
static void check_set(const uint8_t *set, size_t len, bool composite)
{
	/* MS_OS_20_SET_HEADER_DESCRIPTOR: wLength 10, type 0, dwWindowsVersion,
	 * wTotalLength = everything */
	assert_true(len >= 10);
	assert_int_equal(le16(set), 10);
	assert_int_equal(le16(set + 2), 0x00);
	assert_true(le32(set + 4) >= 0x06030000u);
	assert_int_equal(le16(set + 8), len);
	const uint8_t *p = set + 10;
	size_t left = len - 10;
	if (!composite) {
		assert_int_equal(check_features(p, left), left);
		return;
	}
	/* MS_OS_20_SUBSET_HEADER_CONFIGURATION: wLength 8, type 1, the first
	 * configuration (index 0), reserved 0, wTotalLength = the subset */
	assert_true(left >= 8);
	assert_int_equal(le16(p), 8);
	assert_int_equal(le16(p + 2), 0x01);
	assert_int_equal(p[4], 0);
	assert_int_equal(p[5], 0);
	assert_int_equal(le16(p + 6), left);
	p += 8;
	left -= 8;
	/* MS_OS_20_SUBSET_HEADER_FUNCTION: wLength 8, type 2, bFirstInterface,
	 * reserved 0, wSubsetLength = header + its features. Only the DFU
	 * interface: the HID interface keeps Windows' HID driver. */
	unsigned functions = 0;
	while (left > 0) {
		assert_true(left >= 8);
		assert_int_equal(le16(p), 8);
		assert_int_equal(le16(p + 2), 0x02);
		assert_int_equal(p[4], FWS_USB_DFU_INTF);
		assert_int_equal(p[5], 0);
		size_t sub = le16(p + 6);
		assert_true(sub > 8 && sub <= left);
		assert_int_equal(check_features(p + 8, sub - 8), sub - 8);
		p += sub;
		left -= sub;
		functions++;
	}
	assert_int_equal(functions, 1);
}

/* The BOS (USB 3.2 9.6.2) with one platform capability, the MS OS 2.0
 * descriptor set information (spec 9.21); returns the set's length and the
 * vendor code. */
static void check_bos(const uint8_t *bos, size_t len, size_t *set_len, uint8_t *code)
{
	static const uint8_t uuid[16] = { 0xDF, 0x60, 0xDD, 0xD8, 0x89, 0x45, 0xC7, 0x4C,
	                                  0x9C, 0xD2, 0x65, 0x9D, 0x9E, 0x64, 0x8A, 0x9F };
	assert_true(len >= 5);
	assert_int_equal(bos[0], 5);
	assert_int_equal(bos[1], 0x0F);
	assert_int_equal(le16(bos + 2), len);
	assert_int_equal(bos[4], 1);
	const uint8_t *c = bos + 5;
	assert_int_equal(c[0], 28);
	assert_int_equal(5 + c[0], len);
	assert_int_equal(c[1], 0x10); /* DEVICE CAPABILITY */
	assert_int_equal(c[2], 0x05); /* PLATFORM */
	assert_int_equal(c[3], 0);
	assert_memory_equal(c + 4, uuid, 16);
	assert_int_equal(le32(c + 20), 0x06030000u);
	*set_len = le16(c + 24);
	*code = c[26];
	assert_int_equal(c[27], 0); /* no alternate enumeration */
}

static void read_device(bool hid)
{
	struct fws_usb_model m = model(hid);
	GError *err = NULL;
	fws_usbemu *emu = fws_usbemu_new(tb, &m, NULL, &ops, NULL, &err);
	if (!emu)
		fail_msg("fws_usbemu_new: %s", err->message);

	g_autofree gchar *r = g_strdup(reader), *v = g_strdup("1209"), *p = g_strdup("0001");
	char *argv[] = { r, v, p, NULL };
	g_autofree gchar *out = NULL;
	int rc = fws_usbemu_run_command(argv, &out, &err);
	if (rc != 0)
		fail_msg("msos20_read exited %d:\n%s", rc, out ? out : "");

	assert_non_null(strstr(out, "bcdusb 0210\n"));
	uint8_t bos[128], set[512], shortset[64];
	size_t bos_len = line_hex(out, "bos", bos, sizeof bos), set_len = 0;
	uint8_t code = 0;
	check_bos(bos, bos_len, &set_len, &code);
	assert_int_equal(code, FWS_USB_MSOS20_VENDOR_CODE);
	/* libusb parses the same: one capability, PLATFORM, 28 bytes */
	assert_non_null(strstr(out, "libusb-caps 1\n"));
	assert_non_null(strstr(out, "libusb-cap 5 28 "));

	size_t got = line_hex(out, "set", set, sizeof set);
	assert_int_equal(got, set_len);
	check_set(set, got, hid);
	/* exactly the builder's bytes */
	uint8_t want[FWS_USB_MSOS20_MAX];
	assert_int_equal(fws_usb_desc_msos20(&m, want, sizeof want), got);
	assert_memory_equal(want, set, got);
	/* wLength 10 gets the set header, with the whole set's length in it */
	assert_int_equal(line_hex(out, "short", shortset, sizeof shortset), 10);
	assert_memory_equal(shortset, set, 10);
	assert_non_null(strstr(out, "alt-enum STALL\n"));

	fws_usbemu_unplug(emu);
	fws_usbemu_free(emu);
}

static void test_composite_device(void **state)
{
	(void)state;
	read_device(true);
}

static void test_dfu_only_device(void **state)
{
	(void)state;
	read_device(false);
}

static void test_builders(void **state)
{
	(void)state;
	struct fws_usb_model m = model(true);
	uint8_t set[FWS_USB_MSOS20_MAX], bos[FWS_USB_BOS_MAX], d[FWS_USB_DESC_MAX];
	size_t n = fws_usb_desc_msos20(&m, set, sizeof set);
	/* header 10 + configuration 8 + function 8 + compatible id 20 +
	 * property 10 + name 42 + GUID 80 */
	assert_int_equal(n, 10 + 8 + 8 + 20 + 10 + 42 + 80);
	check_set(set, n, true);
	assert_int_equal(fws_usb_desc_msos20(&m, set, n - 1), 0);
	size_t b = fws_usb_desc_bos(&m, bos, sizeof bos);
	assert_int_equal(b, 33);
	assert_int_equal(fws_usb_desc_bos(&m, bos, b - 1), 0);
	m.hid = false;
	assert_int_equal(fws_usb_desc_msos20(&m, set, sizeof set), 10 + 20 + 10 + 42 + 80);
	/* the device descriptor says USB 2.1, so hosts ask for the BOS */
	assert_true(fws_usb_desc_build(&m, d, sizeof d, NULL) > 18);
	assert_int_equal(le16(d + 2), 0x0210);
	m.dfu_alt_count = 0;
	assert_int_equal(fws_usb_desc_msos20(&m, set, sizeof set), 0);
}

int main(int argc, char **argv)
{
	GError *err = NULL;

	if (argc < 2) {
		g_printerr("usage: test-usb-msos20 MSOS20_READ\n");
		return 2;
	}
	reader = argv[1];
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
		cmocka_unit_test(test_builders),
		cmocka_unit_test(test_composite_device),
		cmocka_unit_test(test_dfu_only_device),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	g_object_unref(tb);
	return rc;
}
