/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hid.c - the HID transport (fwseal-host/transport.h) with hidapi (libusb
 * backend, Debian libhidapi-dev): the serial protocol's frames
 * (fwseal/frame.h, docs/serial-protocol.md) carried in 64-byte reports
 * (docs/usb.md):
 *   byte 0: number of stream bytes that follow (1..63), bytes 1..63: stream
 * The report has no report id (hidapi: a leading 0 on write).
 *
 * Only HID interfaces of a USB device that also has a DFU interface are
 * considered (fwseal devices carry both), and a candidate counts only if it
 * answers INFO. Like the serial link, a request that gets no answer is sent
 * again (the device answers a repeat from its cache, not twice).
 *
 * hidapi keeps global state (hid_init, one libusb context): it starts on
 * first use and, like usb_dev.c's context, lives until the process ends.
 * Ending it after each link (hid_exit) made and ended a libusb context per
 * open and reopen poll while the device was coming back; with the
 * process's context keeping libusb's uevent listener up (usb_dev.h), LSan
 * then saw libusb 1.0.26 lose a device object in the hid cable-pull test.
 * Open and close HID links from one thread at a time (hidapi's rule).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include <hidapi/hidapi.h>

#include "fwseal/dfu.h"
#include "fwseal/frame.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/transport.h"
#include "usb_dev.h"

#define HID_REPORT        64u
#define HID_PAYLOAD       (HID_REPORT - 1u)
#define HID_CHUNK         4096u  /* DNLOAD data per frame */
#define HID_TIMEOUT_MS    1000u  /* answer timeout per attempt */
#define HID_PROBE_MS      300u
#define HID_RETRIES       3u
#define HID_COMEBACK_MS   5000u
#define HID_SILENCE_MS    10000u /* default settings: silence waited out per request */
#define HID_VENDOR_PAGE   0xFF00u

static pthread_once_t hid_once = PTHREAD_ONCE_INIT;
static bool hid_ok;   /* set once under hid_once */

static void hid_begin(void)
{
	/* the process's context first: the uevent listener is up before
	 * hidapi's context is made (usb_dev.h) */
	hid_ok = fws_usb_context() && hid_init() == 0;
}

static fws_err hid_start(fwh_error *err)
{
	pthread_once(&hid_once, hid_begin);
	if (!hid_ok)
		return fwh_error_set(err, FWS_E_IO, "Cannot use HID devices (hidapi failed to start).");
	return FWS_OK;
}

typedef struct hid_link {
	fwh_link base;
	hid_device *h;
	char usb_path[FWS_USB_PATH_MAX + 1];
	bool gone;
	uint16_t seq;
	fws_frame_decoder dec;
	uint8_t tx[FWS_FRAME_WIRE_MAX];
} hid_link;

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static void ascii(const wchar_t *w, char *out, size_t cap)
{
	size_t k = 0;
	for (; w && *w && k + 1 < cap; w++)
		out[k++] = (*w >= 0x20 && *w <= 0x7E) ? (char)*w : '?';
	out[k] = '\0';
}

/* A fwseal HID candidate: an interface of a USB device that also has a DFU
 * interface. The libusb backend's path is "BUS-PORT[.PORT]:CONFIG.INTERFACE"
 * (its usage page is not filled in unless hidapi was built "invasive"). */
static bool candidate(const struct hid_device_info *d, struct fws_usb_ident *id)
{
	const char *colon = d->path ? strchr(d->path, ':') : NULL;
	size_t n = colon ? (size_t)(colon - d->path) : 0;

	if (n == 0 || n > FWS_USB_PATH_MAX || strspn(d->path, "0123456789-.") != n)
		return false;
	if (d->usage_page != 0 && d->usage_page != HID_VENDOR_PAGE)
		return false;
	memset(id, 0, sizeof *id);
	memcpy(id->path, d->path, n);
	id->vid = d->vendor_id;
	id->pid = d->product_id;
	ascii(d->serial_number, id->serial, sizeof id->serial);
	ascii(d->product_string, id->product, sizeof id->product);
	return fws_usb_dev_has_dfu(id->path);
}

/* Open the one HID candidate sel names; FWS_E_NO_DEVICE / FWS_E_STATE. */
static fws_err open_match(const struct fws_usb_sel *sel, hid_link *l, fwh_error *err)
{
	struct hid_device_info *all = hid_enumerate(0, 0);
	char path[64] = "";
	int found = 0;

	for (struct hid_device_info *d = all; d; d = d->next) {
		struct fws_usb_ident id;
		if (!candidate(d, &id) || !fws_usb_sel_match(sel, &id))
			continue;
		if (found++ == 0) {
			fws_usb_copy(path, sizeof path, d->path);
			fws_usb_copy(l->usb_path, sizeof l->usb_path, id.path);
			l->base.id.has_vid_pid = true;
			l->base.id.vid = id.vid;
			l->base.id.pid = id.pid;
			fws_usb_copy(l->base.id.serial, sizeof l->base.id.serial, id.serial);
		}
	}
	hid_free_enumeration(all);
	if (found == 0)
		return fwh_error_set(err, FWS_E_NO_DEVICE, "No fwseal HID device found; check the "
		                     "cable, or list devices with 'fwseal list'.");
	if (found > 1)
		return fwh_error_set(err, FWS_E_STATE, "%d HID devices match; name one with "
		                     "hid:VID:PID:SERIAL.", found);
	l->h = hid_open_path(path);
	if (!l->h)
		return fwh_error_set(err, FWS_E_IO, "Cannot open the HID device at %s; if it is a "
		                     "permission problem, install fwseal's udev rule (70-fwseal.rules, "
		                     "put in place by 'meson install') and plug the device in again.",
		                     l->usb_path);
	return FWS_OK;
}

static fws_err hid_open_link(const fwh_dev_id *id, const fwh_link_opts *opts, fwh_link **out,
                             fwh_error *err)
{
	struct fws_usb_sel sel = { .by_ids = id->has_vid_pid, .vid = id->vid, .pid = id->pid };
	hid_link *l;

	*out = NULL;
	if (strlen(id->path) > FWS_USB_PATH_MAX)
		return fwh_error_set(err, FWS_E_NO_DEVICE, "No HID device is plugged in at %.32s...; "
		                     "list devices with 'fwseal list'.", id->path);
	if (!(l = calloc(1, sizeof *l)))
		return fwh_error_set(err, FWS_E_NOMEM, "Out of memory.");
	fws_err e = hid_start(err);
	if (e != FWS_OK) {
		free(l);
		return e;
	}
	fws_usb_copy(sel.serial, sizeof sel.serial, id->serial);
	fws_usb_copy(sel.path, sizeof sel.path, id->path);
	l->base.ops = &fwh_hid_ops;
	l->base.id = *id;
	l->base.opts = *opts;
	e = open_match(&sel, l, err);
	if (e != FWS_OK) {
		free(l);
		return e;
	}
	fws_frame_decoder_init(&l->dec);
	l->seq = (uint16_t)(now_ms() * 2654435761u >> 7); /* a restarted host must not repeat seqs */
	*out = &l->base;
	return FWS_OK;
}

static void hid_close_link(fwh_link *base)
{
	hid_link *l = (hid_link *)base;
	if (!l)
		return;
	if (l->h)
		hid_close(l->h);
	free(l);
}

static void hid_describe(const fwh_link *base, char *buf, size_t cap)
{
	fwh_dev_id id = base->id;
	id.path[0] = '\0';
	fwh_dev_id_format(&id, buf, cap);
}

static size_t hid_max_transfer(const fwh_link *base)
{
	(void)base;
	return HID_CHUNK;
}

static fws_err comeback(hid_link *l, fwh_error *err)
{
	struct fws_usb_sel sel = { .by_ids = true, .vid = l->base.id.vid, .pid = l->base.id.pid };
	uint64_t end = now_ms() + HID_COMEBACK_MS;

	fws_usb_copy(sel.serial, sizeof sel.serial, l->base.id.serial);
	if (l->h)
		hid_close(l->h);
	l->h = NULL;
	do {
		if (open_match(&sel, l, NULL) == FWS_OK) {
			l->gone = false;
			fws_frame_decoder_init(&l->dec);
			return FWS_OK;
		}
		struct timespec nap = { 0, 20 * 1000 * 1000 };
		nanosleep(&nap, NULL);
	} while (now_ms() < end);
	return fwh_error_set(err, FWS_E_DISCONNECTED, "The HID device went away and did not "
	                     "come back; reconnect it and run the same command again.");
}

static fws_err send_frame(hid_link *l, size_t n)
{
	uint8_t rep[1 + HID_REPORT];

	for (size_t off = 0; off < n; off += HID_PAYLOAD) {
		size_t k = n - off < HID_PAYLOAD ? n - off : HID_PAYLOAD;
		memset(rep, 0, sizeof rep);
		rep[1] = (uint8_t)k; /* rep[0]: no report id */
		memcpy(rep + 2, l->tx + off, k);
		if (hid_write(l->h, rep, sizeof rep) < 0)
			return FWS_E_DISCONNECTED;
	}
	return FWS_OK;
}

/* Wait for the answer to (seq, type) until deadline: 1 got it, 0 timeout,
 * negative fws_err. */
static int await(hid_link *l, const fws_frame *f, fwh_request *req, uint64_t deadline,
                 fwh_error *err)
{
	uint8_t rep[HID_REPORT];

	for (uint64_t now = now_ms(); now < deadline; now = now_ms()) {
		int r = hid_read_timeout(l->h, rep, sizeof rep, (int)(deadline - now));
		if (r < 0)
			return FWS_E_DISCONNECTED;
		if (r == 0)
			continue;
		if (rep[0] == 0 || rep[0] > HID_PAYLOAD || rep[0] > r - 1)
			continue; /* not a stream report */
		size_t n = rep[0], off = 0;
		while (off < n) {
			enum fws_frame_event ev;
			fws_frame a;
			off += fws_frame_decoder_feed(&l->dec, rep + 1 + off, n - off, &ev, &a, NULL);
			if (ev != FWS_FRAME_READY || a.seq != f->seq ||
			    a.type != (uint8_t)(f->type | FWS_FRAME_RESPONSE))
				continue;
			if (a.status == FWS_FRAME_STALL) {
				req->stalled = true;
				return 1;
			}
			if (a.status != FWS_FRAME_ACK || a.payload_len > req->answer_cap)
				return fwh_error_set(err, FWS_E_PROTOCOL, "The HID device sent a malformed "
				                     "answer to %s; it may be faulty.",
				                     fws_request_name(f->type));
			if (a.payload_len)
				memcpy(req->answer, a.payload, a.payload_len);
			req->answer_len = a.payload_len;
			return 1;
		}
	}
	return 0;
}

static fws_err hid_request(fwh_link *base, fwh_request *req, fwh_error *err)
{
	hid_link *l = (hid_link *)base;
	fws_err e;
	size_t n;

	req->answer_len = 0;
	req->stalled = false;
	if (req->len > FWS_FRAME_PAYLOAD_MAX || req->answer_cap > FWS_FRAME_PAYLOAD_MAX ||
	    (req->answer_cap && !req->answer))
		return fwh_error_set(err, FWS_E_INVAL, "Request too large for a frame; this is a bug, "
		                     "please report it.");
	if (l->gone && (e = comeback(l, err)) != FWS_OK)
		return e;
	fws_frame f = { .seq = ++l->seq, .type = req->request, .value = req->value,
	                .length = (uint16_t)req->answer_cap, .payload = req->data,
	                .payload_len = req->len };
	if ((e = fws_frame_encode(&f, l->tx, sizeof l->tx, &n)) != FWS_OK)
		return fwh_error_set(err, e, "Cannot encode the %s request; this is a bug.",
		                     fws_request_name(req->request));
	uint32_t timeout = l->base.opts.timeout_ms ? l->base.opts.timeout_ms : HID_TIMEOUT_MS;
	unsigned retries = l->base.opts.retries ? l->base.opts.retries : HID_RETRIES;
	/* As on serial (serial.c): with default settings a device that is only
	 * slow for a while (busy, or starved of CPU) gets HID_SILENCE_MS per
	 * request before the link gives up, and a report it does not take in
	 * time (hidapi gives a write 1 s) is silence, not a pulled cable, as
	 * long as the device is still on the bus. */
	bool patient = l->base.opts.timeout_ms == 0;
	uint64_t start = now_ms();

	for (unsigned attempt = 0; attempt <= retries; attempt++) {
		int r;
		if (send_frame(l, n) == FWS_OK)
			r = await(l, &f, req, now_ms() + timeout, err);
		else
			r = fws_usb_dev_has_dfu(l->usb_path) ? 0 : FWS_E_DISCONNECTED;
		if (r == 0 && attempt == retries && patient && now_ms() < start + HID_SILENCE_MS)
			r = await(l, &f, req, start + HID_SILENCE_MS, err); /* no more copies */
		if (r == 1) {
			if (req->request == FWS_REQ_RESET)
				l->gone = true; /* it re-enumerates now */
			return FWS_OK;
		}
		if (r == FWS_E_DISCONNECTED) {
			l->gone = true;
			if (req->request == FWS_REQ_RESET)
				return FWS_OK; /* reset before the answer got out */
			return fwh_error_set(err, FWS_E_DISCONNECTED, "The HID device went away during "
			                     "%s; reconnect it and run the same command again to resume.",
			                     fws_request_name(req->request));
		}
		if (r < 0)
			return (fws_err)r;
	}
	return fwh_error_set(err, FWS_E_TIMEOUT, "The HID device did not answer %s for %u s "
	                     "(%u tries); unplug it, plug it in again and retry.",
	                     fws_request_name(req->request),
	                     (unsigned)((now_ms() - start + 500u) / 1000u), retries + 1);
}

static fws_err hid_enumerate_links(fwh_found_cb found, fwh_unusable_cb unusable, void *user,
                                   fwh_error *err)
{
	/* A HID interface is reached through its USB device's node: when that
	 * cannot be opened, the DFU interface's report (usb_dfu.c) says why. */
	(void)unusable;
	(void)err;
	if (hid_start(NULL) != FWS_OK)
		return FWS_OK; /* no HID support here: nothing to list */
	struct hid_device_info *all = hid_enumerate(0, 0);

	for (struct hid_device_info *d = all; d; d = d->next) {
		struct fws_usb_ident id;
		if (!candidate(d, &id))
			continue;
		fwh_dev_id dev = { .kind = FWH_KIND_HID, .has_vid_pid = true, .vid = id.vid,
		                   .pid = id.pid };
		fws_usb_copy(dev.path, sizeof dev.path, id.path);
		fwh_link_opts opts = { .timeout_ms = HID_PROBE_MS, .retries = 1 };
		fwh_link *l = NULL;
		fws_devinfo info;
		char devstr[FWH_DEVSTR_MAX];
		if (hid_open_link(&dev, &opts, &l, NULL) != FWS_OK)
			continue;
		if (fwh_dfu_info(l, &info, NULL) == FWS_OK) {
			hid_describe(l, devstr, sizeof devstr);
			found(user, devstr, &info);
		}
		hid_close_link(l);
	}
	hid_free_enumeration(all);
	return FWS_OK;
}

const fwh_transport_ops fwh_hid_ops = {
	.name = "hid",
	.kind = FWH_KIND_HID,
	.enumerate = hid_enumerate_links,
	.open = hid_open_link,
	.close = hid_close_link,
	.describe = hid_describe,
	.max_transfer = hid_max_transfer,
	.request = hid_request,
};
