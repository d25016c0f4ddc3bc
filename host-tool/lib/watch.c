/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch.c - devices as they appear (fwseal-host/watch.h): inotify for serial
 * port nodes, libusb hotplug for USB DFU devices. Single-threaded: the
 * caller's fwh_watch_next() drives both (libusb hotplug callbacks run from
 * libusb_handle_events on that same thread).
 */
#include "fwseal-host/watch.h"

#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#ifdef FWSEAL_HAVE_USB
#include <libusb.h>

#include "usb_dev.h"
#endif

#define SETTLE_DEFAULT_MS 200u
#define USB_SLICE_MS      50u   /* how often hotplug events are collected */
#define DFU_CLASS         0xFEu /* DFU 1.1 4.2.1 / 4.2.3: application specific */
#define DFU_SUBCLASS      0x01u

enum entry_state { ENTRY_PENDING, ENTRY_REPORTED };

typedef struct entry {
	char device[FWH_DEVSTR_MAX];  /* serial: the path; usb: filled at report */
	char path[FWH_PATH_MAX];      /* serial node; "" for usb */
	enum entry_state state;
	uint64_t since_ms;
#ifdef FWSEAL_HAVE_USB
	libusb_device *usb;           /* referenced while listed */
#endif
} entry;

struct fwh_watch {
	fwh_watch_opts o;
	int ino;                      /* inotify fd, -1 without serial */
	struct {
		int wd;
		char dir[FWH_PATH_MAX];
	} dirs[FWH_WATCH_PORTS_MAX];
	size_t n_dirs;
	entry *e;
	size_t n, cap;
#ifdef FWSEAL_HAVE_USB
	libusb_context *usb;
	libusb_hotplug_callback_handle hp;
	bool have_hp;
#endif
};

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static entry *entry_add(fwh_watch *w)
{
	if (w->n == w->cap) {
		size_t ncap = w->cap ? 2 * w->cap : 16;
		entry *ne = realloc(w->e, ncap * sizeof *ne);
		if (!ne)
			return NULL;
		w->e = ne;
		w->cap = ncap;
	}
	entry *e = &w->e[w->n++];
	memset(e, 0, sizeof *e);
	e->state = ENTRY_PENDING;
	e->since_ms = mono_ms();
	return e;
}

static void entry_remove(fwh_watch *w, size_t i)
{
#ifdef FWSEAL_HAVE_USB
	if (w->e[i].usb)
		libusb_unref_device(w->e[i].usb);
#endif
	memmove(&w->e[i], &w->e[i + 1], (w->n - i - 1) * sizeof w->e[0]);
	w->n--;
}

/* ---------------------------------------------------------------------- */
/* Serial ports                                                            */

static bool port_matches(const fwh_watch *w, const char *path)
{
	for (size_t i = 0; i < w->o.n_ports; i++)
		if (fnmatch(w->o.ports[i], path, FNM_PATHNAME) == 0)
			return true;
	return false;
}

static void port_seen(fwh_watch *w, const char *path, bool settled)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->e[i].path, path))
			return; /* pending or reported already */
	entry *e = entry_add(w);
	if (!e)
		return; /* out of memory: the port is missed, nothing worse */
	snprintf(e->path, sizeof e->path, "%s", path);
	if (w->o.baud)
		snprintf(e->device, sizeof e->device, "serial:%s@%u", path, (unsigned)w->o.baud);
	else
		snprintf(e->device, sizeof e->device, "serial:%s", path);
	if (settled) /* present at start: no need to wait for udev */
		e->since_ms -= w->o.settle_ms;
}

static void port_gone(fwh_watch *w, const char *path)
{
	for (size_t i = 0; i < w->n; i++) {
		if (!strcmp(w->e[i].path, path)) {
			entry_remove(w, i);
			return;
		}
	}
}

static void read_inotify(fwh_watch *w)
{
	/* aligned as inotify(7) asks */
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(w->ino, buf, sizeof buf);
		if (n <= 0)
			return;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			p += sizeof *ev + ev->len;
			if (!ev->len)
				continue;
			const char *dir = NULL;
			for (size_t d = 0; d < w->n_dirs; d++)
				if (w->dirs[d].wd == ev->wd)
					dir = w->dirs[d].dir;
			if (!dir)
				continue;
			char path[FWH_PATH_MAX];
			int len = snprintf(path, sizeof path, "%s/%s", dir, ev->name);
			if (len < 0 || (size_t)len >= sizeof path || !port_matches(w, path))
				continue;
			if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
				port_gone(w, path);
			else
				port_seen(w, path, false);
		}
	}
}

static fws_err serial_open(fwh_watch *w, fwh_error *err)
{
	w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->ino < 0)
		return fwh_error_set(err, FWS_E_IO, "Cannot watch for serial ports (inotify: %s).",
		                     strerror(errno));
	for (size_t i = 0; i < w->o.n_ports; i++) {
		const char *pat = w->o.ports[i];
		const char *slash = strrchr(pat, '/');
		if (pat[0] != '/' || !slash || slash == pat ||
		    strcspn(pat, "*?[") < (size_t)(slash - pat))
			return fwh_error_set(err, FWS_E_INVAL,
			                     "The port pattern '%s' must be an absolute path whose "
			                     "wildcards are in the last part only, e.g. /dev/ttyUSB*.",
			                     pat);
		char dir[FWH_PATH_MAX];
		size_t dl = (size_t)(slash - pat);
		if (dl >= sizeof dir)
			return fwh_error_set(err, FWS_E_INVAL, "The port pattern '%s' is too long.", pat);
		memcpy(dir, pat, dl);
		dir[dl] = '\0';
		bool known = false;
		for (size_t d = 0; d < w->n_dirs; d++)
			known = known || !strcmp(w->dirs[d].dir, dir);
		if (known)
			continue;
		int wd = inotify_add_watch(w->ino, dir,
		                           IN_CREATE | IN_ATTRIB | IN_MOVED_TO | IN_DELETE |
		                                   IN_MOVED_FROM | IN_ONLYDIR);
		if (wd < 0)
			return fwh_error_set(err, FWS_E_IO,
			                     "Cannot watch the folder %s for serial ports (%s). Check "
			                     "the --ports pattern.",
			                     dir, strerror(errno));
		w->dirs[w->n_dirs].wd = wd;
		memcpy(w->dirs[w->n_dirs].dir, dir, dl + 1);
		w->n_dirs++;
	}
	/* what is there already, after the watches exist so nothing slips by */
	for (size_t i = 0; i < w->o.n_ports; i++) {
		glob_t g;
		if (glob(w->o.ports[i], 0, NULL, &g) != 0)
			continue;
		for (size_t k = 0; k < g.gl_pathc; k++)
			port_seen(w, g.gl_pathv[k], true);
		globfree(&g);
	}
	return FWS_OK;
}

/* ---------------------------------------------------------------------- */
/* USB DFU                                                                 */

#ifdef FWSEAL_HAVE_USB
static bool has_dfu_interface(libusb_device *dev)
{
	struct libusb_config_descriptor *cfg = NULL;
	if (libusb_get_active_config_descriptor(dev, &cfg) != 0 &&
	    libusb_get_config_descriptor(dev, 0, &cfg) != 0)
		return false;
	bool dfu = false;
	for (int i = 0; i < cfg->bNumInterfaces && !dfu; i++)
		for (int a = 0; a < cfg->interface[i].num_altsetting && !dfu; a++) {
			const struct libusb_interface_descriptor *d = &cfg->interface[i].altsetting[a];
			dfu = d->bInterfaceClass == DFU_CLASS && d->bInterfaceSubClass == DFU_SUBCLASS;
		}
	libusb_free_config_descriptor(cfg);
	return dfu;
}

static int LIBUSB_CALL on_hotplug(libusb_context *ctx, libusb_device *dev,
                                  libusb_hotplug_event event, void *user)
{
	(void)ctx;
	fwh_watch *w = user;
	if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT) {
		for (size_t i = 0; i < w->n; i++)
			if (w->e[i].usb == dev) {
				entry_remove(w, i);
				break;
			}
		return 0;
	}
	for (size_t i = 0; i < w->n; i++)
		if (w->e[i].usb == dev)
			return 0;
	/* descriptors only here; opening the device waits for the report */
	if (!has_dfu_interface(dev))
		return 0;
	entry *e = entry_add(w);
	if (e)
		e->usb = libusb_ref_device(dev);
	return 0;
}

/* usb:VID:PID:SERIAL of a listed device (the serial string needs an open). */
static void usb_name(entry *e)
{
	struct libusb_device_descriptor dd;
	if (libusb_get_device_descriptor(e->usb, &dd) != 0) {
		snprintf(e->device, sizeof e->device, "usb");
		return;
	}
	/* printable ASCII only: libusb's _ascii reader keeps control
	 * characters, and this string reaches terminals and records */
	char sn[FWS_SERIAL_MAX + 1] = "";
	libusb_device_handle *h = NULL;
	if (dd.iSerialNumber && libusb_open(e->usb, &h) == 0) {
		fws_usb_read_string(h, dd.iSerialNumber, sn, sizeof sn);
		libusb_close(h);
	}
	if (sn[0])
		snprintf(e->device, sizeof e->device, "usb:%04x:%04x:%s", dd.idVendor, dd.idProduct, sn);
	else
		snprintf(e->device, sizeof e->device, "usb:%04x:%04x", dd.idVendor, dd.idProduct);
}

static fws_err usb_open(fwh_watch *w, fwh_error *err)
{
	if (libusb_init(&w->usb) != 0)
		return fwh_error_set(err, FWS_E_IO, "Cannot use USB (libusb could not start).");
	if (!libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG))
		return fwh_error_set(err, FWS_E_INVAL,
		                     "This system's libusb cannot report USB devices as they are "
		                     "plugged in; watch serial ports only.");
	/* ENUMERATE: devices present now arrive first */
	if (libusb_hotplug_register_callback(
		    w->usb, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
		    LIBUSB_HOTPLUG_ENUMERATE, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
		    LIBUSB_HOTPLUG_MATCH_ANY, on_hotplug, w, &w->hp) != LIBUSB_SUCCESS)
		return fwh_error_set(err, FWS_E_IO, "Cannot watch for USB devices (libusb hotplug).");
	w->have_hp = true;
	return FWS_OK;
}

static void usb_pump(fwh_watch *w)
{
	struct timeval zero = {0, 0};
	libusb_handle_events_timeout_completed(w->usb, &zero, NULL);
}
#endif

/* ---------------------------------------------------------------------- */

fws_err fwh_watch_open(const fwh_watch_opts *o, fwh_watch **out, fwh_error *err)
{
	static const char *const defaults[] = {FWH_WATCH_DEFAULT_PORTS};
	*out = NULL;
	fwh_watch *w = calloc(1, sizeof *w);
	if (!w)
		return fwh_error_set(err, FWS_E_IO, "Out of memory.");
	w->o = *o;
	w->ino = -1;
	if (!w->o.settle_ms)
		w->o.settle_ms = SETTLE_DEFAULT_MS;
	if (!w->o.n_ports && !w->o.no_serial) {
		for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
			w->o.ports[i] = defaults[i];
		w->o.n_ports = sizeof defaults / sizeof defaults[0];
	}
	fws_err e = FWS_OK;
	if (!w->o.no_serial)
		e = serial_open(w, err);
	if (!e && w->o.usb_if_available && !w->o.usb) {
#ifdef FWSEAL_HAVE_USB
		/* USB by default: a system where libusb cannot watch (no
		 * hotplug, no usbfs) still watches its serial ports */
		fwh_error quiet;
		if (usb_open(w, &quiet) != FWS_OK) {
			if (w->usb) {
				if (w->have_hp)
					libusb_hotplug_deregister_callback(w->usb, w->hp);
				libusb_exit(w->usb);
			}
			w->usb = NULL;
			w->have_hp = false;
		}
#endif
	}
	if (!e && w->o.usb) {
#ifdef FWSEAL_HAVE_USB
		e = usb_open(w, err);
#else
		e = fwh_error_set(err, FWS_E_INVAL,
		                  "This fwseal was built without USB support; watch serial ports only.");
#endif
	}
	if (e) {
		fwh_watch_close(w);
		return e;
	}
	*out = w;
	return FWS_OK;
}

/* The first pending entry that may be reported now, or -1. */
static long ready_entry(fwh_watch *w, uint64_t now)
{
	for (size_t i = 0; i < w->n; i++) {
		entry *e = &w->e[i];
		if (e->state != ENTRY_PENDING || now - e->since_ms < w->o.settle_ms)
			continue;
		/* a serial node becomes usable when udev has set its mode; after
		 * the longest wait it is reported anyway and open says why not */
		if (e->path[0] && access(e->path, R_OK | W_OK) != 0 &&
		    now - e->since_ms < FWH_WATCH_SETTLE_MAX_MS)
			continue;
		return (long)i;
	}
	return -1;
}

static bool has_pending(const fwh_watch *w)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->e[i].state == ENTRY_PENDING)
			return true;
	return false;
}

fws_err fwh_watch_next(fwh_watch *w, char *device, size_t cap, unsigned timeout_ms,
                       fwh_error *err)
{
	const uint64_t end = mono_ms() + timeout_ms;
	for (;;) {
		uint64_t now = mono_ms();
		long i = ready_entry(w, now);
		if (i >= 0) {
			entry *e = &w->e[i];
#ifdef FWSEAL_HAVE_USB
			if (e->usb)
				usb_name(e);
#endif
			e->state = ENTRY_REPORTED;
			snprintf(device, cap, "%s", e->device);
			return FWS_OK;
		}
		if (now >= end)
			return fwh_error_set(err, FWS_E_TIMEOUT, "No new device appeared.");
		uint64_t wait = end - now;
		if (has_pending(w) && wait > USB_SLICE_MS)
			wait = USB_SLICE_MS;
#ifdef FWSEAL_HAVE_USB
		if (w->usb && wait > USB_SLICE_MS)
			wait = USB_SLICE_MS;
#endif
		struct pollfd p = {w->ino, POLLIN, 0};
		int r = poll(&p, w->ino >= 0 ? 1 : 0, (int)wait);
		if (r < 0 && errno == EINTR)
			return fwh_error_set(err, FWS_E_TIMEOUT, "Interrupted.");
		if (r > 0)
			read_inotify(w);
#ifdef FWSEAL_HAVE_USB
		if (w->usb)
			usb_pump(w);
#endif
	}
}

bool fwh_watch_has_usb(const fwh_watch *w)
{
#ifdef FWSEAL_HAVE_USB
	return w->usb != NULL;
#else
	(void)w;
	return false;
#endif
}

void fwh_watch_close(fwh_watch *w)
{
	if (!w)
		return;
	while (w->n)
		entry_remove(w, w->n - 1);
	free(w->e);
	if (w->ino >= 0)
		close(w->ino);
#ifdef FWSEAL_HAVE_USB
	if (w->usb) {
		if (w->have_hp)
			libusb_hotplug_deregister_callback(w->usb, w->hp);
		libusb_exit(w->usb);
	}
#endif
	free(w);
}
