/* SPDX-License-Identifier: Apache-2.0 */
/* usb_dev.c - finding and opening fwseal devices with libusb (usb_dev.h). */
#include "usb_dev.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fwseal/dfu.h"

#define DETACH_WAIT_MS 5000u
#define LIST_POLL_MS   20u
#define USB_LANG_EN_US 0x0409u

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned ms)
{
	struct timespec t = { (time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L };
	while (nanosleep(&t, &t) != 0)
		;
}

/* ---------------------------------------------------------------------- */
/* The process's libusb context (usb_dev.h says why there is one)         */

static pthread_once_t usb_once = PTHREAD_ONCE_INIT;
static libusb_context *usb_ctx;   /* set once under usb_once, never freed */

static void usb_start(void)
{
	if (libusb_init(&usb_ctx) != 0)
		usb_ctx = NULL;
}

libusb_context *fws_usb_context(void)
{
	pthread_once(&usb_once, usb_start);
	return usb_ctx;
}

/* ---------------------------------------------------------------------- */
/* Selectors (parsed from device strings by devstring.c)                  */

bool fws_usb_sel_match(const struct fws_usb_sel *sel, const struct fws_usb_ident *id)
{
	if (sel->by_ids && (sel->vid != id->vid || sel->pid != id->pid))
		return false;
	if (sel->serial[0] && strcmp(sel->serial, id->serial) != 0)
		return false;
	if (sel->path[0] && strcmp(sel->path, id->path) != 0)
		return false;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Discovery                                                              */

static void dev_path(libusb_device *dev, char *out, size_t cap)
{
	uint8_t ports[8];
	int n = libusb_get_port_numbers(dev, ports, (int)sizeof ports);
	int k = snprintf(out, cap, "%u", libusb_get_bus_number(dev));

	for (int i = 0; i < n && k > 0 && (size_t)k < cap; i++)
		k += snprintf(out + k, cap - (size_t)k, "%c%u", i == 0 ? '-' : '.', ports[i]);
}

/* DFU interface protocol of the active configuration as libusb parsed it
 * (no need to open the device), 0 if none. */
static uint8_t dfu_protocol(libusb_device *dev)
{
	struct libusb_config_descriptor *cfg = NULL;
	uint8_t proto = 0;

	if (libusb_get_active_config_descriptor(dev, &cfg) != 0 &&
	    libusb_get_config_descriptor(dev, 0, &cfg) != 0)
		return 0;
	for (int i = 0; i < cfg->bNumInterfaces && !proto; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];
		for (int a = 0; a < itf->num_altsetting && !proto; a++) {
			const struct libusb_interface_descriptor *d = &itf->altsetting[a];
			if (d->bInterfaceClass == FWS_DFU_CLASS && d->bInterfaceSubClass == FWS_DFU_SUBCLASS)
				proto = d->bInterfaceProtocol;
		}
	}
	libusb_free_config_descriptor(cfg);
	return proto;
}

void fws_usb_read_string(libusb_device_handle *h, uint8_t idx, char *out, size_t cap)
{
	uint8_t raw[255];

	out[0] = '\0';
	if (idx == 0)
		return;
	int n = libusb_get_string_descriptor(h, idx, USB_LANG_EN_US, raw, sizeof raw);
	if (n > 0)
		fws_usb_string_parse(raw, (size_t)n, out, cap);
}

/* ids, path and (if h) strings of dev */
static void identify(libusb_device *dev, libusb_device_handle *h, struct fws_usb_ident *id)
{
	struct libusb_device_descriptor dd;

	memset(id, 0, sizeof *id);
	dev_path(dev, id->path, sizeof id->path);
	id->dfu_mode = dfu_protocol(dev) == FWS_DFU_PROTO_DFU_MODE;
	if (libusb_get_device_descriptor(dev, &dd) != 0)
		return;
	id->vid = dd.idVendor;
	id->pid = dd.idProduct;
	if (h) {
		fws_usb_read_string(h, dd.iManufacturer, id->manufacturer, sizeof id->manufacturer);
		fws_usb_read_string(h, dd.iProduct, id->product, sizeof id->product);
		fws_usb_read_string(h, dd.iSerialNumber, id->serial, sizeof id->serial);
	}
}

int fws_usb_dev_list(const struct fws_usb_sel *sel, struct fws_usb_ident *out, int max)
{
	libusb_context *usb = fws_usb_context();
	libusb_device **list = NULL;
	int count = 0;

	if (!usb)
		return FWS_E_IO;
	ssize_t n = libusb_get_device_list(usb, &list);
	for (ssize_t i = 0; i < n && count < max; i++) {
		libusb_device_handle *h = NULL;
		struct fws_usb_ident id;

		if (!dfu_protocol(list[i]))
			continue;
		int r = libusb_open(list[i], &h);
		if (r != 0)
			h = NULL; /* listed without strings; open_error says why */
		identify(list[i], h, &id);
		id.bus = libusb_get_bus_number(list[i]);
		id.address = libusb_get_device_address(list[i]);
		id.open_error = r;
		if (h)
			libusb_close(h);
		if (fws_usb_sel_match(sel, &id))
			out[count++] = id;
	}
	if (list)
		libusb_free_device_list(list, 1);
	return n < 0 ? FWS_E_IO : count;
}

/* ---------------------------------------------------------------------- */
/* Requests                                                               */

static fws_err from_libusb(int r)
{
	switch (r) {
	case LIBUSB_ERROR_PIPE: return FWS_E_SEQUENCE;
	case LIBUSB_ERROR_NO_DEVICE: return FWS_E_DISCONNECTED;
	case LIBUSB_ERROR_TIMEOUT: return FWS_E_TIMEOUT;
	default: return FWS_E_IO;
	}
}

int fws_usb_dev_control(struct fws_usb_dev *d, bool in, uint8_t request, uint16_t value,
                        uint8_t *data, uint16_t len)
{
	/* class request to an interface: 0x21 host-to-device, 0xA1 device-to-host */
	int r = libusb_control_transfer(d->h, in ? 0xA1 : 0x21, request, value, d->iface.number,
	                                data, len, FWS_USB_CTRL_TIMEOUT_MS);
	return r < 0 ? (int)from_libusb(r) : r;
}

fws_err fws_usb_dev_set_alt(struct fws_usb_dev *d, uint8_t alt)
{
	for (uint8_t i = 0; i < d->iface.alt_count; i++) {
		if (d->iface.alt[i] != alt)
			continue;
		/* SET_INTERFACE (USB 2.0 9.4.10) as a plain control request, not
		 * libusb_set_interface_alt_setting(): libusb 1.0.26 (Debian 12)
		 * unlocks a lock it never took there when the device has just
		 * gone, and the next libusb_close() aborts the program (libusb
		 * issue #1199, fixed in 1.0.27; seen in the watch and runtime-mode
		 * USB tests). The DFU interface has no endpoint besides EP0, so
		 * the kernel's own record of the setting does not matter. */
		int r = libusb_control_transfer(d->h, LIBUSB_REQUEST_TYPE_STANDARD |
		                                LIBUSB_RECIPIENT_INTERFACE, LIBUSB_REQUEST_SET_INTERFACE,
		                                alt, d->iface.number, NULL, 0, FWS_USB_CTRL_TIMEOUT_MS);
		if (r < 0)
			return from_libusb(r);
		d->alt = alt;
		return FWS_OK;
	}
	return FWS_E_COMPONENT; /* the device lacks this alternate setting */
}

/* ---------------------------------------------------------------------- */
/* Open                                                                   */

/* Find exactly one match; FWS_E_NO_DEVICE none, FWS_E_STATE several. */
static fws_err find_one(libusb_context *usb, const struct fws_usb_sel *sel, libusb_device **out,
                        fwh_error *err)
{
	libusb_device **list = NULL;
	ssize_t n = libusb_get_device_list(usb, &list);
	int found = 0;

	*out = NULL;
	for (ssize_t i = 0; i < n; i++) {
		struct fws_usb_ident id;
		libusb_device_handle *h = NULL;

		if (!dfu_protocol(list[i]))
			continue;
		/* serial numbers need the strings, so open when selecting by serial */
		if (sel->serial[0] && libusb_open(list[i], &h) != 0)
			h = NULL;
		identify(list[i], h, &id);
		if (h)
			libusb_close(h);
		if (!fws_usb_sel_match(sel, &id))
			continue;
		if (found++ == 0)
			*out = libusb_ref_device(list[i]);
	}
	if (list)
		libusb_free_device_list(list, 1);
	if (found == 1)
		return FWS_OK;
	if (*out)
		libusb_unref_device(*out);
	*out = NULL;
	if (found == 0)
		return fwh_error_set(err, FWS_E_NO_DEVICE, "No fwseal USB device found; check the "
		                     "cable, or list devices with 'fwseal list'.");
	return fwh_error_set(err, FWS_E_STATE, "%d USB devices match; name one with "
	                     "usb:VID:PID:SERIAL or usb:@BUS-PORT.", found);
}

/* *denied: the failure was a missing permission (waiting will not help). */
static fws_err open_dev(libusb_device *dev, struct fws_usb_dev *d, fwh_error *err, bool *denied)
{
	uint8_t cfg[1024];
	int r = libusb_open(dev, &d->h);

	*denied = r == LIBUSB_ERROR_ACCESS;
	if (r == LIBUSB_ERROR_ACCESS) {
		char path[FWS_USB_PATH_MAX + 1];
		dev_path(dev, path, sizeof path);
		return fwh_error_set(err, FWS_E_IO, "No permission to open the USB device at %s; "
		                     "install fwseal's udev rule (70-fwseal.rules, put in place by "
		                     "'meson install') and plug the device in again.", path);
	}
	if (r != 0) {
		fwh_error_set(err, from_libusb(r), "Cannot open the USB device (%s); plug it in "
		              "again.", libusb_error_name(r));
		return from_libusb(r);
	}
	identify(dev, d->h, &d->id);
	r = libusb_get_descriptor(d->h, LIBUSB_DT_CONFIG, 0, cfg, sizeof cfg);
	struct fws_dfu_iface iface;
	fws_err e = r < 0 ? from_libusb(r) : fws_usb_find_dfu(cfg, (size_t)r, &iface);
	if (e != FWS_OK) {
		e = e == FWS_E_COMPONENT ? FWS_E_PROTOCOL : e;
		return fwh_error_set(err, e, "The USB device at %s answers with invalid "
		                     "descriptors; it is faulty.", d->id.path);
	}
	libusb_set_auto_detach_kernel_driver(d->h, 1);
	r = libusb_claim_interface(d->h, iface.number);
	if (r != 0) {
		fwh_error_set(err, from_libusb(r), "The USB device at %s is in use by another "
		              "program (%s); close it and retry.", d->id.path, libusb_error_name(r));
		return from_libusb(r);
	}
	d->iface = iface;
	d->alt = iface.alt[0];
	return FWS_OK;
}

/* DFU 1.1 5.1: DFU_DETACH to the runtime interface, then a USB reset unless
 * the device detaches by itself (bitWillDetach). */
static void detach_runtime(struct fws_usb_dev *d)
{
	const struct fws_dfu_func *f = &d->iface.func;

	fws_usb_dev_control(d, false, FWS_DFU_DETACH, f->detach_timeout_ms, NULL, 0);
	if (!(f->attributes & FWS_DFU_ATTR_WILL_DETACH))
		libusb_reset_device(d->h);
}

static void close_handle(struct fws_usb_dev *d)
{
	if (d->h) {
		libusb_release_interface(d->h, d->iface.number);
		libusb_close(d->h);
		d->h = NULL;
	}
}

fws_err fws_usb_dev_open(const struct fws_usb_sel *sel, struct fws_usb_dev *out, fwh_error *err)
{
	libusb_context *usb = fws_usb_context();
	libusb_device *dev = NULL;

	memset(out, 0, sizeof *out);
	if (!usb)
		return fwh_error_set(err, FWS_E_IO, "Cannot use USB (libusb failed to start).");
	fws_err e = find_one(usb, sel, &dev, err);
	if (e == FWS_OK) {
		bool denied;
		e = open_dev(dev, out, err, &denied);
		libusb_unref_device(dev);
	}
	if (e == FWS_OK && out->iface.protocol == FWS_DFU_PROTO_RUNTIME) {
		detach_runtime(out);
		e = fws_usb_dev_reopen(out, DETACH_WAIT_MS, err);
	}
	if (e == FWS_OK)
		e = fws_usb_dev_set_alt(out, out->iface.alt[0]);
	if (e != FWS_OK)
		fws_usb_dev_close(out);
	return e;
}

fws_err fws_usb_dev_reopen(struct fws_usb_dev *d, unsigned timeout_ms, fwh_error *err)
{
	struct fws_usb_sel sel = { .by_ids = true, .vid = d->id.vid, .pid = d->id.pid };
	uint64_t end = now_ms() + timeout_ms;
	fws_err e;

	if (d->id.serial[0])
		memcpy(sel.serial, d->id.serial, sizeof sel.serial);
	else
		memcpy(sel.path, d->id.path, sizeof sel.path);
	close_handle(d);
	do {
		libusb_device *dev = NULL;
		e = find_one(fws_usb_context(), &sel, &dev, NULL);
		if (e == FWS_OK) {
			bool denied;
			e = open_dev(dev, d, err, &denied);
			libusb_unref_device(dev);
			if (e == FWS_OK && d->iface.protocol == FWS_DFU_PROTO_DFU_MODE)
				return fws_usb_dev_set_alt(d, d->iface.alt[0]);
			close_handle(d);
			if (denied)
				return e;
		}
		sleep_ms(LIST_POLL_MS);
	} while (now_ms() < end);
	return fwh_error_set(err, FWS_E_DISCONNECTED, "The USB device did not come back within "
	                     "%u s; plug it in again and retry.", timeout_ms / 1000u);
}

void fws_usb_dev_close(struct fws_usb_dev *d)
{
	close_handle(d);
}

bool fws_usb_dev_has_dfu(const char *path)
{
	libusb_context *usb = fws_usb_context();
	libusb_device **list = NULL;
	bool ok = false;

	if (!usb)
		return false;
	ssize_t n = libusb_get_device_list(usb, &list);
	for (ssize_t i = 0; i < n && !ok; i++) {
		char p[FWS_USB_PATH_MAX + 1];
		dev_path(list[i], p, sizeof p);
		ok = strcmp(p, path) == 0 && dfu_protocol(list[i]) != 0;
	}
	if (list)
		libusb_free_device_list(list, 1);
	return ok;
}

static int LIBUSB_CALL on_arrival(libusb_context *ctx, libusb_device *dev,
                                  libusb_hotplug_event event, void *user)
{
	(void)ctx;
	(void)dev;
	(void)event;
	*(int *)user = 1;
	return 0; /* stay registered; the waiter deregisters */
}

void fws_usb_await_arrival(unsigned ms)
{
	libusb_context *usb = fws_usb_context();
	libusb_hotplug_callback_handle h;
	int arrived = 0;
	uint64_t end = now_ms() + ms;

	/* any device: one that re-enumerates may come back with other ids
	 * (runtime and DFU mode), and the caller's open() decides */
	if (usb == NULL || !libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) ||
	    libusb_hotplug_register_callback(usb, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, 0,
	                                     LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
	                                     LIBUSB_HOTPLUG_MATCH_ANY, on_arrival, &arrived,
	                                     &h) != LIBUSB_SUCCESS) {
		sleep_ms(ms);
		return;
	}
	for (uint64_t now = now_ms(); !arrived && now < end; now = now_ms()) {
		uint64_t left = end - now;
		struct timeval tv = { (time_t)(left / 1000u), (suseconds_t)(left % 1000u) * 1000 };

		if (libusb_handle_events_timeout_completed(usb, &tv, &arrived) != 0)
			break;
	}
	libusb_hotplug_deregister_callback(usb, h);
}
