/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_host_links.c - the host's USB DFU and HID transports
 * (host-tool/lib/usb_dfu.c, hid.c: requests, answer lengths, STALLs,
 * vanishing devices, HID report reassembly into frames and answer matching)
 * against a hostile device. The layers below are replaced at link time
 * (-Wl,--wrap): hidapi's calls, and usb_dev.c's open / control transfer /
 * alt setting / reopen, so every report and every transfer result comes
 * from the input; the transports' own code runs unchanged.
 *
 * Input: byte 0 bit 0 picks usb (0) or hid (1); for usb, bytes 1..2 are
 * wTransferSize. Then one record per thing the device does:
 *   mode u8 | status u8 | seq_delta i8 | len u16 LE | bytes[len]
 * HID reads, mode % 4: 0 the answer frame to the last request (seq +
 *   seq_delta, status, bytes as payload) in reports of (status % 63) + 1
 *   stream bytes, 1 bytes as one raw input report, 2 no report (timeout),
 *   3 the device is gone;
 * USB transfers, mode % 5: 0 done, bytes as the answer (at most wLength:
 *   libusb never returns more), 1 STALL, 2 gone, 3 timeout, 4 I/O error.
 * When the input runs out the device is gone. The host runs
 * fuzz_host_session() with a 20 ms answer timeout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <hidapi.h>
#include <libusb.h>

#include "fwseal/frame.h"
#include "fwseal/le.h"
#include "fuzz_host_client.h"
#include "usb_dev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in;
static size_t left;
static uint16_t xfer;

/* one record of the script, or false when the input is used up */
static bool next(uint8_t *mode, uint8_t *status, int8_t *delta, const uint8_t **bytes,
                 size_t *n)
{
	if (left < 5)
		return false;
	*mode = in[0];
	*status = in[1];
	*delta = (int8_t)in[2];
	*n = fws_get_le16(in + 3);
	in += 5;
	left -= 5;
	if (*n > left)
		*n = left;
	*bytes = in;
	in += *n;
	left -= *n;
	return true;
}

/* ---- hidapi ---- */

static struct hid_device_info fake_info;
static wchar_t fake_serial[] = L"FUZZ-0001";
static char fake_path[] = "1-1:1.1";
static char fake_handle;
static fws_frame_decoder req_dec;
static uint16_t last_seq;
static uint8_t last_type;
static uint8_t pending[FWS_FRAME_WIRE_MAX]; /* answer bytes not yet reported */
static size_t pending_len, pending_off, pending_chunk;

int __wrap_hid_init(void);
struct hid_device_info *__wrap_hid_enumerate(unsigned short vid, unsigned short pid);
void __wrap_hid_free_enumeration(struct hid_device_info *devs);
hid_device *__wrap_hid_open_path(const char *path);
void __wrap_hid_close(hid_device *dev);
int __wrap_hid_write(hid_device *dev, const unsigned char *data, size_t length);
int __wrap_hid_read_timeout(hid_device *dev, unsigned char *data, size_t length, int ms);
bool __wrap_fws_usb_dev_has_dfu(const char *path);
libusb_context *__wrap_fws_usb_context(void);

int __wrap_hid_init(void)
{
	return 0;
}

struct hid_device_info *__wrap_hid_enumerate(unsigned short vid, unsigned short pid)
{
	(void)vid, (void)pid;
	memset(&fake_info, 0, sizeof fake_info);
	fake_info.path = fake_path;
	fake_info.vendor_id = 0x1209;
	fake_info.product_id = 0x0001;
	fake_info.serial_number = fake_serial;
	fake_info.product_string = fake_serial;
	fake_info.usage_page = 0xFF00;
	return &fake_info;
}

void __wrap_hid_free_enumeration(struct hid_device_info *devs)
{
	(void)devs;
}

hid_device *__wrap_hid_open_path(const char *path)
{
	(void)path;
	return (hid_device *)(void *)&fake_handle;
}

void __wrap_hid_close(hid_device *dev)
{
	(void)dev;
}

int __wrap_hid_write(hid_device *dev, const unsigned char *data, size_t length)
{
	(void)dev;
	if (length < 2 || data[1] == 0 || data[1] > length - 2)
		abort(); /* the host builds its reports: byte 1 counts the stream bytes */
	for (size_t off = 0; off < data[1];) {
		enum fws_frame_event ev;
		fws_frame f;
		off += fws_frame_decoder_feed(&req_dec, data + 2 + off, data[1] - off, &ev, &f, NULL);
		if (ev == FWS_FRAME_BAD)
			abort(); /* the host sent a damaged frame */
		if (ev == FWS_FRAME_READY) {
			last_seq = f.seq;
			last_type = f.type;
		}
	}
	return (int)length;
}

int __wrap_hid_read_timeout(hid_device *dev, unsigned char *data, size_t length, int ms)
{
	uint8_t mode, status;
	int8_t delta;
	const uint8_t *bytes;
	size_t n;
	(void)dev, (void)ms;
	if (pending_off < pending_len) { /* the rest of an answer frame */
		size_t k = pending_len - pending_off < pending_chunk ? pending_len - pending_off
		                                                        : pending_chunk;
		memset(data, 0, length);
		data[0] = (uint8_t)k;
		memcpy(data + 1, pending + pending_off, k);
		pending_off += k;
		return (int)length;
	}
	if (!next(&mode, &status, &delta, &bytes, &n))
		return -1;
	switch (mode % 4u) {
	case 0: {
		fws_frame a = { .seq = (uint16_t)(last_seq + delta),
		                .type = (uint8_t)(last_type | FWS_FRAME_RESPONSE), .status = status,
		                .payload = bytes,
		                .payload_len = n > FWS_FRAME_PAYLOAD_MAX ? FWS_FRAME_PAYLOAD_MAX : n };
		if (fws_frame_encode(&a, pending, sizeof pending, &pending_len) != FWS_OK)
			abort();
		pending_off = 0;
		pending_chunk = status % 63u + 1u;
		return __wrap_hid_read_timeout(dev, data, length, ms);
	}
	case 1:
		memset(data, 0, length);
		memcpy(data, bytes, n < length ? n : length);
		return (int)length;
	case 2:
		return 0;
	default:
		return -1;
	}
}

bool __wrap_fws_usb_dev_has_dfu(const char *path)
{
	(void)path;
	return true;
}

libusb_context *__wrap_fws_usb_context(void)
{
	return (libusb_context *)(void *)&fake_handle; /* only tested for NULL */
}

/* ---- usb_dev.c ---- */

fws_err __wrap_fws_usb_dev_open(const struct fws_usb_sel *sel, struct fws_usb_dev *out,
                                fwh_error *err);
fws_err __wrap_fws_usb_dev_reopen(struct fws_usb_dev *d, unsigned timeout_ms, fwh_error *err);
void __wrap_fws_usb_dev_close(struct fws_usb_dev *d);
int __wrap_fws_usb_dev_control(struct fws_usb_dev *d, bool is_in, uint8_t request,
                               uint16_t value, uint8_t *data, uint16_t len);
fws_err __wrap_fws_usb_dev_set_alt(struct fws_usb_dev *d, uint8_t alt);

/* --wrap replaces a function by one the linker cannot check: each wrapper
 * must have the very type of what it replaces (usb_dev.h). */
#define SAME_TYPE(f) \
	_Static_assert(__builtin_types_compatible_p(__typeof__(&__wrap_##f), __typeof__(&f)), \
	               "__wrap_" #f " does not match " #f " in usb_dev.h")
SAME_TYPE(fws_usb_dev_open);
SAME_TYPE(fws_usb_dev_reopen);
SAME_TYPE(fws_usb_dev_close);
SAME_TYPE(fws_usb_dev_control);
SAME_TYPE(fws_usb_dev_set_alt);
SAME_TYPE(fws_usb_dev_has_dfu);
SAME_TYPE(fws_usb_context);

fws_err __wrap_fws_usb_dev_open(const struct fws_usb_sel *sel, struct fws_usb_dev *out,
                                fwh_error *err)
{
	(void)sel, (void)err;
	memset(out, 0, sizeof *out);
	out->id.vid = 0x1209;
	out->id.pid = 0x0001;
	snprintf(out->id.serial, sizeof out->id.serial, "FUZZ-0001");
	out->iface.func.transfer_size = xfer;
	return FWS_OK;
}

fws_err __wrap_fws_usb_dev_reopen(struct fws_usb_dev *d, unsigned timeout_ms, fwh_error *err)
{
	(void)d, (void)timeout_ms;
	if (left > 0)
		return FWS_OK;
	return fwh_error_set(err, FWS_E_NO_DEVICE, "gone");
}

void __wrap_fws_usb_dev_close(struct fws_usb_dev *d)
{
	(void)d;
}

int __wrap_fws_usb_dev_control(struct fws_usb_dev *d, bool is_in, uint8_t request,
                               uint16_t value, uint8_t *data, uint16_t len)
{
	uint8_t mode, status;
	int8_t delta;
	const uint8_t *bytes;
	size_t n;
	(void)d, (void)request, (void)value, (void)status, (void)delta;
	if (len && data == NULL)
		abort(); /* a transfer with a length has a buffer */
	if (!next(&mode, &status, &delta, &bytes, &n))
		return FWS_E_DISCONNECTED;
	switch (mode % 5u) {
	case 0:
		if (!is_in)
			return len;
		if (n > len)
			n = len;
		memcpy(data, bytes, n);
		return (int)n;
	case 1:
		return FWS_E_SEQUENCE;
	case 2:
		return FWS_E_DISCONNECTED;
	case 3:
		return FWS_E_TIMEOUT;
	default:
		return FWS_E_IO;
	}
}

fws_err __wrap_fws_usb_dev_set_alt(struct fws_usb_dev *d, uint8_t alt)
{
	d->alt = alt;
	return FWS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	bool hid = data[0] & 1u;
	xfer = fws_get_le16(data + 1);
	in = data + 3;
	left = size - 3;
	pending_len = pending_off = 0;
	fws_frame_decoder_init(&req_dec);
	fwh_link_opts o = { .timeout_ms = 20, .retries = 1 };
	fwh_link *l = NULL;
	fwh_error err;
	if (fwh_open(hid ? "hid" : "usb", &o, &l, &err) != FWS_OK)
		return 0; /* (a zero transfer size is refused at open, say) */
	fuzz_host_session(l);
	fwh_close(l);
	return 0;
}
