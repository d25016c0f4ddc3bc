/* SPDX-License-Identifier: Apache-2.0 */
/* usb_desc.c - descriptors of the emulated device (see usb_desc.h). */
#include "usb_desc.h"

#include <string.h>

#include "fwseal/dfu.h"
#include "fwseal/le.h"

enum {
	DT_DEVICE = 0x01, DT_CONFIG = 0x02, DT_STRING = 0x03, DT_INTERFACE = 0x04,
	DT_ENDPOINT = 0x05, DT_BOS = 0x0F, DT_DEVICE_CAPABILITY = 0x10, DT_HID = 0x21,
	DT_REPORT = 0x22,
};

/* MS OS 2.0 descriptor types (wDescriptorType, spec table 9) */
enum {
	MS_OS_20_SET_HEADER_DESCRIPTOR = 0x00,
	MS_OS_20_SUBSET_HEADER_CONFIGURATION = 0x01,
	MS_OS_20_SUBSET_HEADER_FUNCTION = 0x02,
	MS_OS_20_FEATURE_COMPATIBLE_ID = 0x03,
	MS_OS_20_FEATURE_REG_PROPERTY = 0x04,
};
#define CAP_PLATFORM   0x05u /* bDevCapabilityType PLATFORM (USB 3.2 table 9-14) */
#define REG_MULTI_SZ   7u    /* wPropertyDataType (spec table 15) */

/* {D8DD60DF-4589-4CC7-9CD2-659D9E648A9F} as the bytes of a GUID in memory:
 * the first three fields little-endian (spec 3.3, table 4) */
static const uint8_t msos20_platform_uuid[16] = {
	0xDF, 0x60, 0xDD, 0xD8, 0x89, 0x45, 0xC7, 0x4C,
	0x9C, 0xD2, 0x65, 0x9D, 0x9E, 0x64, 0x8A, 0x9F,
};

const uint8_t fws_usb_hid_report_desc[] = {
	0x06, 0x00, 0xFF,       /* Usage Page (vendor 0xFF00) */
	0x09, 0x01,             /* Usage (1) */
	0xA1, 0x01,             /* Collection (Application) */
	0x15, 0x00,             /*   Logical Minimum (0) */
	0x26, 0xFF, 0x00,       /*   Logical Maximum (255) */
	0x75, 0x08,             /*   Report Size (8) */
	0x95, FWS_USB_HID_REPORT, /* Report Count (64) */
	0x09, 0x01, 0x81, 0x02, /*   Usage, Input (data, var, abs) */
	0x95, FWS_USB_HID_REPORT,
	0x09, 0x01, 0x91, 0x02, /*   Usage, Output (data, var, abs) */
	0xC0,                   /* End Collection */
};
const size_t fws_usb_hid_report_desc_len = sizeof fws_usb_hid_report_desc;

/* Bounded writer: once it overflows, everything after is dropped and ok=false. */
struct wr {
	uint8_t *p;
	size_t len, cap;
	int ok;
};

static void put(struct wr *w, const uint8_t *b, size_t n)
{
	if (!w->ok || n > w->cap - w->len) {
		w->ok = 0;
		return;
	}
	memcpy(w->p + w->len, b, n);
	w->len += n;
}

static int model_valid(const struct fws_usb_model *m)
{
	return m && m->manufacturer && m->product && m->serial && m->dfu_alt_count >= 1 &&
	       m->dfu_alt_count <= FWS_USB_DFU_ALT_MAX && m->dfu_transfer_size >= 8;
}

size_t fws_usb_desc_build(const struct fws_usb_model *m, uint8_t *out, size_t cap,
                          size_t *config_off)
{
	struct wr w = { out, 0, cap, 1 };
	uint8_t d[18];

	if (!model_valid(m) || !out)
		return 0;

	/* USB 2.0 9.6.1: class 0 = "per interface" */
	d[0] = 18; d[1] = DT_DEVICE;
	fws_put_le16(d + 2, FWS_USB_BCD_USB);
	d[4] = 0; d[5] = 0; d[6] = 0; d[7] = FWS_USB_EP0_SIZE;
	fws_put_le16(d + 8, m->vid);
	fws_put_le16(d + 10, m->pid);
	fws_put_le16(d + 12, m->bcd_device);
	d[14] = FWS_USB_STR_MANUFACTURER; d[15] = FWS_USB_STR_PRODUCT;
	d[16] = FWS_USB_STR_SERIAL; d[17] = 1;
	put(&w, d, 18);

	size_t cfg = w.len;
	uint8_t c[9] = { 9, DT_CONFIG, 0, 0, (uint8_t)(m->hid ? 2 : 1), 1, FWS_USB_STR_CONFIG,
	                 0x80, 50 };
	put(&w, c, 9);

	for (uint8_t alt = 0; alt < m->dfu_alt_count; alt++) {
		uint8_t i[9] = { 9, DT_INTERFACE, FWS_USB_DFU_INTF, alt, 0, FWS_DFU_CLASS,
		                 FWS_DFU_SUBCLASS,
		                 m->dfu_runtime ? FWS_DFU_PROTO_RUNTIME : FWS_DFU_PROTO_DFU_MODE,
		                 (uint8_t)(FWS_USB_STR_DFU_ALT0 + alt) };
		uint8_t f[9] = { 9, FWS_DFU_FUNC_DESC_TYPE, m->dfu_attributes, 0, 0, 0, 0, 0, 0 };

		fws_put_le16(f + 3, m->dfu_detach_timeout_ms);
		fws_put_le16(f + 5, m->dfu_transfer_size);
		fws_put_le16(f + 7, FWS_DFU_BCD_VERSION);
		put(&w, i, 9);
		put(&w, f, 9);
	}
	if (m->hid) {
		uint8_t i[9] = { 9, DT_INTERFACE, FWS_USB_HID_INTF, 0, 2, 0x03, 0, 0, FWS_USB_STR_HID };
		uint8_t h[9] = { 9, DT_HID, 0x11, 0x01, 0, 1, DT_REPORT, 0, 0 };
		uint8_t ein[7] = { 7, DT_ENDPOINT, FWS_USB_HID_EP_IN, 0x03, FWS_USB_HID_REPORT, 0, 1 };
		uint8_t eout[7] = { 7, DT_ENDPOINT, FWS_USB_HID_EP_OUT, 0x03, FWS_USB_HID_REPORT, 0, 1 };

		fws_put_le16(h + 7, (uint16_t)fws_usb_hid_report_desc_len);
		put(&w, i, 9);
		put(&w, h, 9);
		put(&w, ein, 7);
		put(&w, eout, 7);
	}
	if (!w.ok || w.len - cfg > 0xFFFF)
		return 0;
	fws_put_le16(out + cfg + 2, (uint16_t)(w.len - cfg));
	if (config_off)
		*config_off = cfg;
	return w.len;
}

/* Put an ASCII string as UTF-16LE with its terminating NUL (and a second one
 * for REG_MULTI_SZ when multi). */
static void put_utf16(struct wr *w, const char *s, int multi)
{
	for (; *s; s++) {
		uint8_t c[2] = { (uint8_t)*s, 0 };
		put(w, c, 2);
	}
	static const uint8_t nul[4] = { 0 };
	put(w, nul, multi ? 4 : 2);
}

static size_t utf16_size(const char *s, int multi)
{
	return 2 * (strlen(s) + (multi ? 2 : 1));
}

size_t fws_usb_desc_msos20(const struct fws_usb_model *m, uint8_t *out, size_t cap)
{
	static const char name[] = "DeviceInterfaceGUIDs";
	const size_t compat_len = 20;
	const size_t prop_len = 10 + utf16_size(name, 0) + utf16_size(FWS_USB_DFU_INTERFACE_GUID, 1);
	const size_t feature_len = compat_len + prop_len;
	/* a composite device (DFU + HID) says which function the features are for */
	const size_t function_len = m && m->hid ? 8 + feature_len : 0;
	const size_t config_len = m && m->hid ? 8 + function_len : 0;
	const size_t total = 10 + (m && m->hid ? config_len : feature_len);
	struct wr w = { out, 0, cap, 1 };
	uint8_t b[10];

	if (!model_valid(m) || !out || total > 0xFFFF)
		return 0;
	/* set header (spec table 10) */
	fws_put_le16(b, 10);
	fws_put_le16(b + 2, MS_OS_20_SET_HEADER_DESCRIPTOR);
	fws_put_le32(b + 4, FWS_USB_MSOS20_WIN_8_1);
	fws_put_le16(b + 8, (uint16_t)total);
	put(&w, b, 10);
	if (m->hid) {
		/* configuration subset (table 11): bConfigurationValue is the
		 * configuration's index, 0 for the first, as Windows reads it */
		fws_put_le16(b, 8);
		fws_put_le16(b + 2, MS_OS_20_SUBSET_HEADER_CONFIGURATION);
		b[4] = 0;
		b[5] = 0;
		fws_put_le16(b + 6, (uint16_t)config_len);
		put(&w, b, 8);
		/* function subset (table 12) for the DFU interface */
		fws_put_le16(b, 8);
		fws_put_le16(b + 2, MS_OS_20_SUBSET_HEADER_FUNCTION);
		b[4] = FWS_USB_DFU_INTF;
		b[5] = 0;
		fws_put_le16(b + 6, (uint16_t)function_len);
		put(&w, b, 8);
	}
	/* compatible id (table 13): "WINUSB", no sub-compatible id */
	uint8_t c[20] = { 0 };
	fws_put_le16(c, (uint16_t)compat_len);
	fws_put_le16(c + 2, MS_OS_20_FEATURE_COMPATIBLE_ID);
	memcpy(c + 4, "WINUSB", 6);
	put(&w, c, sizeof c);
	/* registry property (table 14): DeviceInterfaceGUIDs, REG_MULTI_SZ */
	fws_put_le16(b, (uint16_t)prop_len);
	fws_put_le16(b + 2, MS_OS_20_FEATURE_REG_PROPERTY);
	fws_put_le16(b + 4, REG_MULTI_SZ);
	fws_put_le16(b + 6, (uint16_t)utf16_size(name, 0));
	put(&w, b, 8);
	put_utf16(&w, name, 0);
	fws_put_le16(b, (uint16_t)utf16_size(FWS_USB_DFU_INTERFACE_GUID, 1));
	put(&w, b, 2);
	put_utf16(&w, FWS_USB_DFU_INTERFACE_GUID, 1);
	return w.ok && w.len == total ? w.len : 0;
}

size_t fws_usb_desc_bos(const struct fws_usb_model *m, uint8_t *out, size_t cap)
{
	uint8_t set[FWS_USB_MSOS20_MAX];
	size_t set_len = fws_usb_desc_msos20(m, set, sizeof set);
	struct wr w = { out, 0, cap, 1 };

	if (!set_len || !out)
		return 0;
	/* BOS header (USB 3.2 table 9-12) */
	uint8_t h[5] = { 5, DT_BOS, 5 + 28, 0, 1 };
	put(&w, h, sizeof h);
	/* platform capability (USB 3.2 table 9-16) with the MS OS 2.0 descriptor
	 * set information (spec table 4): windows version, the set's length, the
	 * vendor code that fetches it, no alternate enumeration */
	uint8_t p[28] = { 28, DT_DEVICE_CAPABILITY, CAP_PLATFORM, 0 };
	memcpy(p + 4, msos20_platform_uuid, 16);
	fws_put_le32(p + 20, FWS_USB_MSOS20_WIN_8_1);
	fws_put_le16(p + 24, (uint16_t)set_len);
	p[26] = FWS_USB_MSOS20_VENDOR_CODE;
	p[27] = 0;
	put(&w, p, sizeof p);
	return w.ok ? w.len : 0;
}

static const char *string_of(const struct fws_usb_model *m, uint8_t idx)
{
	switch (idx) {
	case FWS_USB_STR_MANUFACTURER: return m->manufacturer;
	case FWS_USB_STR_PRODUCT: return m->product;
	case FWS_USB_STR_SERIAL: return m->serial;
	case FWS_USB_STR_CONFIG: return FWS_USB_CONFIG_STRING;
	case FWS_USB_STR_HID: return m->hid ? (m->hid_name ? m->hid_name : "fwseal frames") : NULL;
	default: break;
	}
	if (idx >= FWS_USB_STR_DFU_ALT0 && idx - FWS_USB_STR_DFU_ALT0 < m->dfu_alt_count)
		return m->dfu_alt_names[idx - FWS_USB_STR_DFU_ALT0];
	return NULL;
}

size_t fws_usb_desc_string(const struct fws_usb_model *m, uint8_t idx, uint8_t *out,
                           size_t cap)
{
	if (!model_valid(m) || !out || cap < 4)
		return 0;
	if (idx == FWS_USB_STR_LANGID) {
		out[0] = 4; out[1] = DT_STRING;
		fws_put_le16(out + 2, 0x0409); /* English (US) */
		return 4;
	}
	const char *s = string_of(m, idx);
	if (!s)
		return 0;
	size_t n = strlen(s);
	if (n > FWS_USB_STRING_MAX)
		n = FWS_USB_STRING_MAX;
	if (2 + 2 * n > cap)
		n = (cap - 2) / 2;
	out[0] = (uint8_t)(2 + 2 * n);
	out[1] = DT_STRING;
	for (size_t k = 0; k < n; k++)
		fws_put_le16(out + 2 + 2 * k, (uint8_t)s[k]);
	return 2 + 2 * n;
}
