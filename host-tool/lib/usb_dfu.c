/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_dfu.c - the USB DFU 1.1 transport (fwseal-host/transport.h) with libusb.
 *
 * Each request is one control transfer to the DFU interface (DFU 1.1 3):
 * class requests, bRequest = the request code; fwseal's INFO / RESUME /
 * RESET use codes above the DFU range, which plain DFU hosts never send.
 * DNLOAD goes to alt setting 0 (the package), UPLOAD to the read-only
 * alt setting 1 (the device-info record). A STALL is a refusal
 * (req->stalled), not a transport error: the session asks GETSTATUS why.
 *
 * After a reset (FWS_REQ_RESET) or a cable pull the device re-enumerates:
 * the request that saw it vanish returns FWS_E_DISCONNECTED, and the next
 * request first waits (bounded) for it to come back and reopens it. Nothing
 * is retried behind the session's back: after a power loss the device
 * expects a RESUME, not the next block.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/dfu.h"
#include "fwseal/frame.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/transport.h"
#include "access.h"
#include "usb_dev.h"

#define USB_CTRL_MAX      4096u  /* usbfs: one control transfer is at most a page */
#define USB_ALT_PACKAGE   0u     /* docs/usb.md: DNLOAD takes the package */
#define USB_ALT_INFO      1u     /* read-only: UPLOAD returns the device-info record */
#define USB_COMEBACK_MS   5000u  /* re-enumeration after reset / replug */
#define USB_LIST_MAX      32

typedef struct usb_link {
	fwh_link base;
	struct fws_usb_dev dev;
	bool gone;            /* the device vanished; reopen before the next request */
} usb_link;

static void sel_from_id(const fwh_dev_id *id, struct fws_usb_sel *sel)
{
	memset(sel, 0, sizeof *sel);
	sel->by_ids = id->has_vid_pid;
	sel->vid = id->vid;
	sel->pid = id->pid;
	fws_usb_copy(sel->serial, sizeof sel->serial, id->serial);
	fws_usb_copy(sel->path, sizeof sel->path, id->path);
}

static fws_err usb_open(const fwh_dev_id *id, const fwh_link_opts *opts, fwh_link **out,
                        fwh_error *err)
{
	struct fws_usb_sel sel;
	usb_link *l;

	*out = NULL;
	if (strlen(id->path) > FWS_USB_PATH_MAX)
		return fwh_error_set(err, FWS_E_NO_DEVICE, "No USB device is plugged in at %.32s...; "
		                     "list devices with 'fwseal list'.", id->path);
	if (!(l = calloc(1, sizeof *l)))
		return fwh_error_set(err, FWS_E_NOMEM, "Out of memory.");
	sel_from_id(id, &sel);
	fws_err e = fws_usb_dev_open(&sel, &l->dev, err);
	if (e != FWS_OK) {
		free(l);
		return e;
	}
	l->base.id = *id;
	l->base.opts = *opts;
	l->base.id.has_vid_pid = true;
	l->base.id.vid = l->dev.id.vid;
	l->base.id.pid = l->dev.id.pid;
	fws_usb_copy(l->base.id.serial, sizeof l->base.id.serial, l->dev.id.serial);
	l->base.ops = &fwh_usb_ops;
	*out = &l->base;
	return FWS_OK;
}

static void usb_close(fwh_link *base)
{
	usb_link *l = (usb_link *)base;

	if (!l)
		return;
	fws_usb_dev_close(&l->dev);
	free(l);
}

static void usb_describe(const fwh_link *base, char *buf, size_t cap)
{
	fwh_dev_id id = base->id;
	id.path[0] = '\0';
	fwh_dev_id_format(&id, buf, cap);
}

static size_t usb_max_transfer(const fwh_link *base)
{
	const usb_link *l = (const usb_link *)base;
	size_t t = l->dev.iface.func.transfer_size; /* wTransferSize, DFU 1.1 4.1.3 */
	return t < USB_CTRL_MAX ? t : USB_CTRL_MAX;
}

static bool is_out(uint8_t request)
{
	switch (request) {
	case FWS_DFU_DETACH:
	case FWS_DFU_DNLOAD:
	case FWS_DFU_CLRSTATUS:
	case FWS_DFU_ABORT:
	case FWS_REQ_RESUME:
	case FWS_REQ_RESET:
		return true;
	default:
		return false;
	}
}

/* The alt setting a request needs: UPLOAD reads the info alt. */
static fws_err need_alt(usb_link *l, uint8_t request)
{
	uint8_t alt = request == FWS_DFU_UPLOAD ? USB_ALT_INFO : USB_ALT_PACKAGE;

	if ((request != FWS_DFU_UPLOAD && request != FWS_DFU_DNLOAD) || l->dev.alt == alt)
		return FWS_OK;
	return fws_usb_dev_set_alt(&l->dev, alt);
}

static fws_err comeback(usb_link *l, fwh_error *err)
{
	fws_err e = fws_usb_dev_reopen(&l->dev, USB_COMEBACK_MS, NULL);
	if (e != FWS_OK)
		return fwh_error_set(err, FWS_E_DISCONNECTED,
		                     "The USB device went away and did not come back; reconnect it "
		                     "and run the same command again.");
	l->gone = false;
	return FWS_OK;
}

static fws_err usb_request(fwh_link *base, fwh_request *req, fwh_error *err)
{
	usb_link *l = (usb_link *)base;
	bool out = is_out(req->request);
	size_t len = out ? req->len : req->answer_cap;
	fws_err e;

	req->answer_len = 0;
	req->stalled = false;
	if (len > USB_CTRL_MAX || (!out && len && !req->answer))
		return fwh_error_set(err, FWS_E_INVAL, "Request too large for one USB control "
		                     "transfer; this is a bug, please report it.");
	if (l->gone && (e = comeback(l, err)) != FWS_OK)
		return e;
	if ((e = need_alt(l, req->request)) != FWS_OK && e != FWS_E_SEQUENCE)
		goto fail;
	if (e == FWS_E_SEQUENCE) {
		req->stalled = true;
		return FWS_OK;
	}
	/* libusb takes one mutable buffer for both directions; OUT data is only read */
	int r = fws_usb_dev_control(&l->dev, !out, req->request, req->value,
	                            out ? (uint8_t *)(uintptr_t)req->data : req->answer,
	                            (uint16_t)len);
	if (r == FWS_E_SEQUENCE) {
		req->stalled = true;
		return FWS_OK;
	}
	if (r >= 0) {
		if (!out)
			req->answer_len = (size_t)r;
		if (req->request == FWS_REQ_RESET)
			l->gone = true; /* it re-enumerates now */
		return FWS_OK;
	}
	e = (fws_err)r;
fail:
	if (req->request == FWS_REQ_RESET && e == FWS_E_DISCONNECTED) {
		l->gone = true; /* reset before the status stage: as good as done */
		return FWS_OK;
	}
	if (e == FWS_E_DISCONNECTED) {
		l->gone = true;
		return fwh_error_set(err, e, "The USB device went away during %s; reconnect it and "
		                     "run the same command again to resume.",
		                     fws_request_name(req->request));
	}
	if (e == FWS_E_TIMEOUT)
		return fwh_error_set(err, e, "The USB device did not answer %s in time; unplug it, "
		                     "plug it in again and retry.", fws_request_name(req->request));
	return fwh_error_set(err, e, "USB transfer for %s failed; check the cable and retry.",
	                     fws_request_name(req->request));
}

/* A DFU-mode device libusb can see but not open: why, and the fix. */
static void report_unusable(const struct fws_usb_ident *d, fwh_unusable_cb unusable, void *user)
{
	char node[40], what[96], devstr[FWH_DEVSTR_MAX];
	int e = d->open_error == LIBUSB_ERROR_ACCESS ? EACCES
	        : d->open_error == LIBUSB_ERROR_BUSY ? EBUSY
	                                             : EIO;
	fwh_access_advice a;
	fwh_unusable u;
	snprintf(node, sizeof node, "/dev/bus/usb/%03u/%03u", d->bus, d->address);
	snprintf(what, sizeof what, "the USB device %04x:%04x at %s", d->vid, d->pid, d->path);
	fwh_access_advise(node, what, e, &a);
	snprintf(devstr, sizeof devstr, "usb:@%s", d->path);
	fwh_access_unusable(&a, devstr, &u);
	unusable(user, &u);
}

static fws_err usb_enumerate(fwh_found_cb found, fwh_unusable_cb unusable, void *user,
                             fwh_error *err)
{
	struct fws_usb_ident ids[USB_LIST_MAX];
	struct fws_usb_sel any;

	(void)err;
	memset(&any, 0, sizeof any);
	int n = fws_usb_dev_list(&any, ids, USB_LIST_MAX);
	for (int i = 0; i < n; i++) {
		fwh_dev_id id = { .kind = FWH_KIND_USB, .has_vid_pid = true, .vid = ids[i].vid,
		                  .pid = ids[i].pid };
		fwh_link *l = NULL;
		fws_devinfo info;
		char devstr[FWH_DEVSTR_MAX];

		/* by bus path: two devices may share ids and (if faulty) serials */
		fws_usb_copy(id.path, sizeof id.path, ids[i].path);
		if (!ids[i].dfu_mode)
			continue;
		if (ids[i].open_error != 0) {
			if (unusable && ids[i].open_error != LIBUSB_ERROR_NO_DEVICE)
				report_unusable(&ids[i], unusable, user);
			continue;
		}
		if (usb_open(&id, &(fwh_link_opts){ 0 }, &l, NULL) != FWS_OK)
			continue;
		if (fwh_dfu_info(l, &info, NULL) == FWS_OK) {
			usb_describe(l, devstr, sizeof devstr);
			found(user, devstr, &info);
		}
		usb_close(l);
	}
	return FWS_OK;
}

static void usb_await(const fwh_dev_id *id, uint32_t ms)
{
	(void)id;
	fws_usb_await_arrival(ms);
}

const fwh_transport_ops fwh_usb_ops = {
	.name = "usb",
	.kind = FWH_KIND_USB,
	.enumerate = usb_enumerate,
	.open = usb_open,
	.close = usb_close,
	.describe = usb_describe,
	.max_transfer = usb_max_transfer,
	.request = usb_request,
	.await = usb_await,
};
