/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usbemu.c - usbdevfs answered in user space through umockdev (usbemu.h).
 *
 * What libusb 1.0.26 (Linux backend) does, and what we answer:
 * - enumeration reads sysfs (idVendor, ..., the binary "descriptors"); the
 *   node file also holds the descriptors because libusb_wrap_sys_device()
 *   (fwupd 2.x) reads them from the fd.
 * - every transfer, control ones included, is SUBMITURB + REAPURBNDELAY once
 *   sysfs is available; USBDEVFS_CONTROL is answered too for other users.
 * - poll() on the node is not intercepted (a plain file is always ready),
 *   so libusb's event loop reaps in a loop. umockdev's preload forwards one
 *   ioctl per file descriptor at a time, so a parked (delayed) empty reap
 *   also delays the next submit on that descriptor. Hence: while a client is
 *   busy (it submitted within REAP_BUSY_US) an empty reap is answered at
 *   once; an idle client's empty reap is parked for up to REAP_PARK_MS,
 *   which keeps an idle hidapi reader from spinning a core.
 * Control and interrupt OUT URBs complete at once; interrupt IN URBs wait
 * for a report. A URB's status and data reach the client when it is reaped
 * (umockdev writes the resolved memory back then).
 */
#include "usbemu.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>

#include <gio/gio.h>

#include "fwseal/le.h"
#include "usbemu_bus.h"

#define REAP_PARK_MS   1u
#define REAP_BUSY_US   (50 * 1000)
#define HID_QUEUE_MAX  256u   /* reports the device buffers before dropping */
#define USB_SPEED_FULL 2      /* enum usb_device_speed (linux/usb/ch9.h) */

struct urb {
	UMockdevIoctlData *urb;   /* struct usbdevfs_urb in client memory */
	UMockdevIoctlData *buf;   /* its transfer buffer */
};

struct client {
	fws_usbemu *e;
	GQueue done;              /* struct urb *: complete, not reaped yet */
	GQueue pending_in;        /* struct urb *: HID IN waiting for a report */
	UMockdevIoctlClient *parked;  /* an empty reap waiting for a completion */
	GSource *park_timer;
	gint64 last_submit_us;    /* monotonic time of its last SUBMITURB */
};

struct fws_usbemu {
	GRecMutex lock;
	/* The owner's reference and one per client: a client (umockdev's
	 * UMockdevIoctlClient) is finalized on umockdev's worker thread when
	 * the program's descriptor is gone, which may be after
	 * fws_usbemu_free(); its client_free() still takes the lock. */
	gint refs;
	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	GMainContext *worker;     /* umockdev's worker context (for park timers) */
	struct fws_usb_model model;
	gchar *strings[4 + FWS_USB_DFU_ALT_MAX];  /* owned copies of the model's strings */
	uint8_t desc[FWS_USB_DESC_MAX];
	size_t desc_len, config_off;
	unsigned busnum, devnum;
	gchar *sysname, *devnode, *syspath;
	const struct fws_usbemu_ops *ops;
	void *ctx;
	GList *clients;           /* struct client * */
	GQueue hid_in;            /* GBytes *: reports not yet taken by the host */
	gboolean plugged;         /* answers requests */
	gboolean announced;       /* in sysfs ("add" sent, no "remove" yet) */
	unsigned reenum_ms;
	GThread *reenum;
	gint reenum_busy;         /* its thread has not finished its work yet */
	gboolean reenum_offbus, reenum_rewrite;  /* what it does (set before it starts) */
	gboolean new_model;       /* descriptors changed: re-add sysfs on re-enumeration */
	struct fws_usbemu_stats stats;
};

static void urb_free(struct urb *u)
{
	g_clear_object(&u->urb);
	g_clear_object(&u->buf);
	g_free(u);
}

static void unpark(struct client *c)
{
	if (c->park_timer) {
		g_source_destroy(c->park_timer);
		g_source_unref(c->park_timer);
		c->park_timer = NULL;
	}
	g_clear_object(&c->parked);
}

/* Hand the oldest completed URB to a parked reaper (lock held). */
static void kick(struct client *c)
{
	if (!c->parked || g_queue_is_empty(&c->done))
		return;
	struct urb *u = g_queue_pop_head(&c->done);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(c->parked);
	g_autoptr(UMockdevIoctlData) ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), NULL);

	if (ptr) {
		umockdev_ioctl_data_set_ptr(ptr, 0, u->urb);
		umockdev_ioctl_client_complete(c->parked, 0, 0);
	} else {
		umockdev_ioctl_client_complete(c->parked, -1, EFAULT);
	}
	urb_free(u);
	unpark(c);
}

/* ioctl memory (the client's, copied by umockdev) is read and written with
 * memcpy: the byte buffer carries no alignment guarantee for the struct. */
#define GET(dst, d) memcpy(&(dst), (d)->data, sizeof(dst))
#define PUT(d, src) memcpy((d)->data, &(src), sizeof(src))

static void complete_urb(struct client *c, struct urb *u, int status, int actual)
{
	memcpy(u->urb->data + offsetof(struct usbdevfs_urb, status), &status, sizeof status);
	memcpy(u->urb->data + offsetof(struct usbdevfs_urb, actual_length), &actual, sizeof actual);
	g_queue_push_tail(&c->done, u);
	kick(c);
}

/* Deliver queued HID reports to waiting IN URBs, oldest client first. */
static void pump_hid(fws_usbemu *e)
{
	while (!g_queue_is_empty(&e->hid_in)) {
		struct client *target = NULL;

		for (GList *l = e->clients; l && !target; l = l->next) {
			struct client *c = l->data;
			if (!g_queue_is_empty(&c->pending_in))
				target = c;
		}
		if (!target)
			return;
		GBytes *rep = g_queue_pop_head(&e->hid_in);
		struct urb *u = g_queue_pop_head(&target->pending_in);
		gsize n = MIN(g_bytes_get_size(rep), (gsize)u->buf->data_len);

		memcpy(u->buf->data, g_bytes_get_data(rep, NULL), n);
		e->stats.hid_in++;
		complete_urb(target, u, 0, (int)n);
		g_bytes_unref(rep);
	}
}

/* The last reference frees what is left after fws_usbemu_free(). */
static void emu_unref(fws_usbemu *e)
{
	if (!g_atomic_int_dec_and_test(&e->refs))
		return;
	g_list_free(e->clients);
	g_rec_mutex_clear(&e->lock);
	g_free(e);
}

static void client_free(struct client *c)
{
	fws_usbemu *e = c->e;

	g_rec_mutex_lock(&e->lock);
	e->clients = g_list_remove(e->clients, c);
	g_queue_clear_full(&c->done, (GDestroyNotify)urb_free);
	g_queue_clear_full(&c->pending_in, (GDestroyNotify)urb_free);
	unpark(c);
	g_free(c);
	g_rec_mutex_unlock(&e->lock);
	emu_unref(e);
}

static struct client *client_of(fws_usbemu *e, UMockdevIoctlClient *ic)
{
	struct client *c = g_object_get_data(G_OBJECT(ic), "fws-usbemu");

	if (!c) {
		c = g_new0(struct client, 1);
		c->e = e;
		g_queue_init(&c->done);
		g_queue_init(&c->pending_in);
		g_object_set_data_full(G_OBJECT(ic), "fws-usbemu", c, (GDestroyNotify)client_free);
		e->clients = g_list_append(e->clients, c);
		g_atomic_int_inc(&e->refs);
	}
	return c;
}

static void on_client_vanished(UMockdevIoctlBase *base, UMockdevIoctlClient *ic, gpointer p)
{
	fws_usbemu *e = p;

	(void)base;
	g_rec_mutex_lock(&e->lock);
	g_object_set_data(G_OBJECT(ic), "fws-usbemu", NULL); /* frees the client */
	g_rec_mutex_unlock(&e->lock);
}

/* The device stops answering (lock held): transfers in flight die as on a
 * real disconnect (usbfs: -ESHUTDOWN), later ioctls fail with ENODEV. */
static void vanish(fws_usbemu *e)
{
	e->plugged = FALSE;
	g_queue_clear_full(&e->hid_in, (GDestroyNotify)g_bytes_unref);
	for (GList *l = e->clients; l; l = l->next) {
		struct client *c = l->data;
		struct urb *u;
		while ((u = g_queue_pop_head(&c->pending_in)))
			complete_urb(c, u, -ESHUTDOWN, 0);
	}
}

/* ---------------------------------------------------------------------- */
/* Control requests                                                       */

static int copy_in(uint8_t *data, size_t cap, const uint8_t *src, size_t n)
{
	n = MIN(n, cap);
	memcpy(data, src, n);
	return (int)n;
}

/* GET_DESCRIPTOR (USB 2.0 9.4.3; HID 1.11 7.1.1 for HID and report). */
static int get_descriptor(fws_usbemu *e, const struct fws_usbemu_setup *s, uint8_t *data)
{
	uint8_t type = (uint8_t)(s->value >> 8), idx = (uint8_t)s->value;
	uint8_t sbuf[2 + 2 * FWS_USB_STRING_MAX];
	size_t n;

	switch (type) {
	case 0x01:
		return copy_in(data, s->length, e->desc, e->config_off);
	case 0x02:
		if (idx != 0)
			return -1;
		return copy_in(data, s->length, e->desc + e->config_off, e->desc_len - e->config_off);
	case 0x03:
		n = fws_usb_desc_string(&e->model, idx, sbuf, sizeof sbuf);
		return n ? copy_in(data, s->length, sbuf, n) : -1;
	case 0x0F: { /* BOS (USB 3.2 9.6.2): read by hosts because bcdUSB is 2.1 */
		uint8_t bos[FWS_USB_BOS_MAX];
		if (idx != 0)
			return -1;
		n = fws_usb_desc_bos(&e->model, bos, sizeof bos);
		return n ? copy_in(data, s->length, bos, n) : -1;
	}
	case 0x22:
		if (!e->model.hid || s->index != FWS_USB_HID_INTF)
			return -1;
		return copy_in(data, s->length, fws_usb_hid_report_desc, fws_usb_hid_report_desc_len);
	default:
		return -1;
	}
}

/* The vendor request the MS OS 2.0 platform capability announces: device to
 * host, vendor, device recipient, bRequest bMS_VendorCode, wValue 0, wIndex
 * MS_OS_20_DESCRIPTOR_INDEX (MS OS 2.0 spec 3.4). Anything else STALLs,
 * MS_OS_20_SET_ALT_ENUMERATION (wIndex 8) too: bAltEnumCode is 0. */
static int vendor_device_request(fws_usbemu *e, const struct fws_usbemu_setup *s, uint8_t *data)
{
	uint8_t set[FWS_USB_MSOS20_MAX];
	if (!(s->request_type & 0x80) || s->request != FWS_USB_MSOS20_VENDOR_CODE ||
	    s->index != FWS_USB_MSOS20_INDEX || s->value != 0)
		return -1;
	size_t n = fws_usb_desc_msos20(&e->model, set, sizeof set);
	return n ? copy_in(data, s->length, set, n) : -1;
}

static int standard_request(fws_usbemu *e, const struct fws_usbemu_setup *s, uint8_t *data)
{
	switch (s->request) {
	case 0x00: /* GET_STATUS: self powered 0, remote wakeup 0 */
		memset(data, 0, MIN(2u, s->length));
		return MIN(2, s->length);
	case 0x01: /* CLEAR_FEATURE */
	case 0x03: /* SET_FEATURE */
	case 0x09: /* SET_CONFIGURATION */
		return 0;
	case 0x06:
		return get_descriptor(e, s, data);
	case 0x08: /* GET_CONFIGURATION */
		if (s->length < 1)
			return -1;
		data[0] = 1;
		return 1;
	case 0x0A: /* GET_INTERFACE: alt settings live in the owner; report 0 */
		if (s->length < 1)
			return -1;
		data[0] = 0;
		return 1;
	case 0x0B: /* SET_INTERFACE */
		if (s->index == FWS_USB_DFU_INTF && e->ops->set_alt)
			return e->ops->set_alt(e->ctx, (uint8_t)s->value);
		return s->value == 0 ? 0 : -1;
	default:
		return -1;
	}
}

/* HID class requests (HID 1.11 7.2). The device only has an output report
 * through SET_REPORT; input goes through the interrupt endpoint. */
static int hid_request(fws_usbemu *e, const struct fws_usbemu_setup *s, uint8_t *data)
{
	switch (s->request) {
	case 0x09: /* SET_REPORT */
		if ((s->value >> 8) != 2) /* output */
			return -1;
		e->stats.hid_out++;
		e->ops->hid_output(e->ctx, data, s->length);
		return 0;
	case 0x0A: /* SET_IDLE */
	case 0x0B: /* SET_PROTOCOL */
		return 0;
	default:
		return -1;
	}
}

/* Returns the IN length, 0 for OUT, -1 to STALL. */
static int control(fws_usbemu *e, const struct fws_usbemu_setup *s, uint8_t *data)
{
	unsigned kind = (s->request_type >> 5) & 3u; /* 0 standard, 1 class, 2 vendor */
	unsigned recipient = s->request_type & 0x1Fu;

	e->stats.control++;
	if (kind == 0)
		return standard_request(e, s, data);
	if (kind == 2 && recipient == 0)
		return vendor_device_request(e, s, data);
	if (kind > 2 || recipient != 1) /* interface requests only */
		return -1;
	if ((s->index & 0xFF) == FWS_USB_DFU_INTF)
		return e->ops->dfu_control(e->ctx, s, data);
	if (e->model.hid && (s->index & 0xFF) == FWS_USB_HID_INTF && kind == 1)
		return hid_request(e, s, data);
	return -1;
}

static void parse_setup(const uint8_t *p, struct fws_usbemu_setup *s)
{
	s->request_type = p[0];
	s->request = p[1];
	s->value = fws_get_le16(p + 2);
	s->index = fws_get_le16(p + 4);
	s->length = fws_get_le16(p + 6);
}

/* ---------------------------------------------------------------------- */
/* Re-enumeration                                                         */

static gboolean add_record(fws_usbemu *e, const gchar *rec, GError **error);
static gchar *device_record(fws_usbemu *e);

/* Runs once per re-enumeration; the starter sets reenum_* before creating
 * it. It clears reenum_busy once it no longer needs the lock, so
 * start_reenum() may join it with the lock held (never a thread that waits
 * for that lock: a second reset used to deadlock the emulation here). */
static gpointer reenum_thread(gpointer p)
{
	fws_usbemu *e = p;

	if (!e->reenum_offbus) {
		/* USBDEVFS_RESET: the kernel has reset the device when the ioctl
		 * returns; the uevents follow */
		/* with new descriptors a new sysfs entry, like a new device */
		fws_usbemu_bus_remove(e->tb, e->syspath, e->reenum_rewrite);
	}
	g_usleep((gulong)e->reenum_ms * 1000);
	if (!e->reenum_offbus && !e->reenum_rewrite) {
		fws_usbemu_bus_uevent(e->tb, e->syspath, "add");
		g_atomic_int_set(&e->reenum_busy, FALSE);
		return NULL;
	}
	/* back on the bus: it answers again, then its sysfs entry is added */
	g_rec_mutex_lock(&e->lock);
	g_autofree gchar *rec = device_record(e);
	e->plugged = TRUE;
	e->announced = TRUE;
	g_rec_mutex_unlock(&e->lock);
	g_autoptr(GError) err = NULL;
	if (!add_record(e, rec, &err))
		g_printerr("usbemu: cannot re-enumerate: %s\n", err->message);
	g_atomic_int_set(&e->reenum_busy, FALSE);
	return NULL;
}

/* Lock held. offbus: the device restarts by itself (its RESET request, a
 * reboot): it leaves the bus at once, as a real one drops its pull-up. It
 * stops answering, "remove" is sent and its sysfs entry goes before the
 * request that restarted it completes, so a host looking for it after that
 * request never finds or opens the old, dying enumeration (whose late
 * "remove" would land on a freshly opened handle: libusb 1.0.26 then
 * corrupts the handle's lock in libusb_set_interface_alt_setting and aborts
 * in libusb_close), only the new one. */
static void start_reenum(fws_usbemu *e, gboolean offbus)
{
	if (g_atomic_int_get(&e->reenum_busy))
		return; /* a USB reset during the last one's delay: it comes back once */
	if (e->reenum) {
		g_thread_join(e->reenum);
		e->reenum = NULL;
	}
	e->reenum_offbus = offbus;
	e->reenum_rewrite = e->new_model;
	e->new_model = FALSE;
	if (offbus) {
		vanish(e);
		e->announced = FALSE;
		fws_usbemu_bus_remove(e->tb, e->syspath, TRUE);
	}
	g_atomic_int_set(&e->reenum_busy, TRUE);
	e->reenum = g_thread_new("usbemu-reenum", reenum_thread, e);
}

/* ---------------------------------------------------------------------- */
/* usbdevfs                                                               */

static void submit_urb(fws_usbemu *e, struct client *c, UMockdevIoctlClient *ic,
                       UMockdevIoctlData *data)
{
	struct usbdevfs_urb urb_copy, *urb = &urb_copy;
	g_autoptr(GError) err = NULL;
	struct urb *u = g_new0(struct urb, 1);

	GET(urb_copy, data);
	u->urb = g_object_ref(data);
	if (urb->buffer_length < 0 || urb->buffer_length > 65536 + 8)
		goto inval;
	if (urb->buffer_length > 0) {
		u->buf = umockdev_ioctl_data_resolve(data, offsetof(struct usbdevfs_urb, buffer),
		                                     (gsize)urb->buffer_length, &err);
		if (!u->buf) {
			urb_free(u);
			umockdev_ioctl_client_complete(ic, -1, EFAULT);
			return;
		}
	}
	if (urb->type == USBDEVFS_URB_TYPE_CONTROL && urb->endpoint == 0 && urb->buffer_length >= 8) {
		struct fws_usbemu_setup s;
		uint8_t *payload = u->buf->data + 8;

		parse_setup(u->buf->data, &s);
		if (s.length > urb->buffer_length - 8)
			goto inval;
		int r = control(e, &s, payload);
		int actual = r < 0 ? 0 : (s.request_type & 0x80) ? MIN(r, (int)s.length) : s.length;
		if (r == FWS_USBEMU_GONE)
			vanish(e);
		complete_urb(c, u, r == FWS_USBEMU_GONE ? -ESHUTDOWN : r < 0 ? -EPIPE : 0, actual);
	} else if (urb->type == USBDEVFS_URB_TYPE_INTERRUPT && e->model.hid &&
	           urb->endpoint == FWS_USB_HID_EP_IN && urb->buffer_length > 0) {
		g_queue_push_tail(&c->pending_in, u);
		pump_hid(e);
	} else if (urb->type == USBDEVFS_URB_TYPE_INTERRUPT && e->model.hid &&
	           urb->endpoint == FWS_USB_HID_EP_OUT && urb->buffer_length > 0) {
		int n = MIN(urb->buffer_length, (int)FWS_USB_HID_REPORT);
		e->stats.hid_out++;
		e->ops->hid_output(e->ctx, u->buf->data, (size_t)n);
		complete_urb(c, u, 0, n);
	} else {
		goto inval;
	}
	umockdev_ioctl_client_complete(ic, 0, 0);
	return;
inval:
	urb_free(u);
	umockdev_ioctl_client_complete(ic, -1, EINVAL);
}

static void discard_urb(struct client *c, UMockdevIoctlClient *ic, UMockdevIoctlData *arg)
{
	/* the argument is the URB's address in the client itself */
	gpointer ptr;
	gulong addr;

	GET(ptr, arg);
	addr = (gulong)ptr;

	for (GList *l = c->pending_in.head; l; l = l->next) {
		struct urb *u = l->data;
		if (u->urb->client_addr == addr) {
			g_queue_delete_link(&c->pending_in, l);
			complete_urb(c, u, -ENOENT, 0);
			umockdev_ioctl_client_complete(ic, 0, 0);
			return;
		}
	}
	umockdev_ioctl_client_complete(ic, -1, EINVAL); /* already completed */
}

static gboolean park_expired(gpointer p)
{
	struct client *c = p;
	fws_usbemu *e = c->e;

	g_rec_mutex_lock(&e->lock);
	if (c->parked)
		umockdev_ioctl_client_complete(c->parked, -1, e->plugged ? EAGAIN : ENODEV);
	unpark(c);
	g_rec_mutex_unlock(&e->lock);
	return G_SOURCE_REMOVE;
}

static void reap_urb(fws_usbemu *e, struct client *c, UMockdevIoctlClient *ic,
                     UMockdevIoctlData *data)
{
	struct urb *u = g_queue_pop_head(&c->done);

	if (u) {
		umockdev_ioctl_data_set_ptr(data, 0, u->urb);
		urb_free(u);
		umockdev_ioctl_client_complete(ic, 0, 0);
		return;
	}
	gboolean busy = g_get_monotonic_time() - c->last_submit_us < REAP_BUSY_US;
	if (!e->plugged || c->parked || !e->worker || busy) {
		umockdev_ioctl_client_complete(ic, -1, e->plugged ? EAGAIN : ENODEV);
		return;
	}
	c->parked = g_object_ref(ic);
	c->park_timer = g_timeout_source_new(REAP_PARK_MS);
	g_source_set_callback(c->park_timer, park_expired, c, NULL);
	g_source_attach(c->park_timer, e->worker);
}

static gboolean on_handle_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *ic, gpointer p)
{
	fws_usbemu *e = p;
	gulong req = umockdev_ioctl_client_get_request(ic);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(ic);
	gsize size = _IOC_SIZE(req);
	g_autoptr(UMockdevIoctlData) data = NULL;

	(void)base;
	g_rec_mutex_lock(&e->lock);
	e->stats.ioctls++;
	if (!e->worker)
		e->worker = g_main_context_ref_thread_default();
	struct client *c = client_of(e, ic);

	if (size > 0 && req != USBDEVFS_DISCARDURB) {
		data = umockdev_ioctl_data_resolve(arg, 0, size, NULL);
		if (!data) {
			umockdev_ioctl_client_complete(ic, -1, EFAULT);
			goto out;
		}
	}
	if (!e->plugged && req != USBDEVFS_REAPURB && req != USBDEVFS_REAPURBNDELAY) {
		umockdev_ioctl_client_complete(ic, -1, ENODEV);
		goto out;
	}

	switch (req) {
	case USBDEVFS_GET_CAPABILITIES:
	{
		guint32 caps = USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION |
		               USBDEVFS_CAP_NO_PACKET_SIZE_LIM | USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
		PUT(data, caps);
		umockdev_ioctl_client_complete(ic, 0, 0);
		break;
	}
	case USBDEVFS_CONNECTINFO: {
		struct usbdevfs_connectinfo ci = { .devnum = e->devnum, .slow = 0 };
		PUT(data, ci);
		umockdev_ioctl_client_complete(ic, 0, 0);
		break;
	}
	case USBDEVFS_GET_SPEED:
		umockdev_ioctl_client_complete(ic, USB_SPEED_FULL, 0);
		break;
	case USBDEVFS_GETDRIVER: /* no kernel driver bound */
	case USBDEVFS_IOCTL:     /* DISCONNECT/CONNECT a driver: none bound */
		umockdev_ioctl_client_complete(ic, -1, ENODATA);
		break;
	case USBDEVFS_CLAIMINTERFACE:
	case USBDEVFS_RELEASEINTERFACE: {
		guint32 intf;
		GET(intf, data);
		gboolean ok = intf == FWS_USB_DFU_INTF || (e->model.hid && intf == FWS_USB_HID_INTF);
		umockdev_ioctl_client_complete(ic, ok ? 0 : -1, ok ? 0 : EINVAL);
		break;
	}
	case USBDEVFS_SETINTERFACE: {
		struct usbdevfs_setinterface si_copy, *si = &si_copy;
		int r = -1;
		GET(si_copy, data);
		if (si->interface == FWS_USB_DFU_INTF && si->altsetting < e->model.dfu_alt_count)
			r = e->ops->set_alt ? e->ops->set_alt(e->ctx, (uint8_t)si->altsetting) : 0;
		else if (e->model.hid && si->interface == FWS_USB_HID_INTF && si->altsetting == 0)
			r = 0;
		umockdev_ioctl_client_complete(ic, r, r < 0 ? EINVAL : 0);
		break;
	}
	case USBDEVFS_SETCONFIGURATION:
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESETEP:
		umockdev_ioctl_client_complete(ic, 0, 0);
		break;
	case USBDEVFS_RESET:
		e->stats.resets++;
		g_queue_clear_full(&e->hid_in, (GDestroyNotify)g_bytes_unref);
		if (e->ops->reset)
			e->ops->reset(e->ctx);
		umockdev_ioctl_client_complete(ic, 0, 0);
		start_reenum(e, FALSE);
		break;
	case USBDEVFS_CONTROL: {
		struct usbdevfs_ctrltransfer ct_copy, *ct = &ct_copy;
		GET(ct_copy, data);
		struct fws_usbemu_setup s = { ct->bRequestType, ct->bRequest, ct->wValue, ct->wIndex,
		                              ct->wLength };
		g_autoptr(UMockdevIoctlData) buf = NULL;
		uint8_t none[1];
		if (ct->wLength) {
			buf = umockdev_ioctl_data_resolve(data, offsetof(struct usbdevfs_ctrltransfer, data),
			                                  ct->wLength, NULL);
			if (!buf) {
				umockdev_ioctl_client_complete(ic, -1, EFAULT);
				break;
			}
		}
		int r = control(e, &s, buf ? buf->data : none);
		if (r == FWS_USBEMU_GONE)
			vanish(e);
		umockdev_ioctl_client_complete(ic, r < 0 ? -1 : r,
		                               r == FWS_USBEMU_GONE ? ENODEV : r < 0 ? EPIPE : 0);
		break;
	}
	case USBDEVFS_SUBMITURB:
		c->last_submit_us = g_get_monotonic_time();
		submit_urb(e, c, ic, data);
		break;
	case USBDEVFS_DISCARDURB:
		discard_urb(c, ic, arg);
		break;
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY:
		reap_urb(e, c, ic, data);
		break;
	default:
		umockdev_ioctl_client_complete(ic, -1, ENOTTY);
		break;
	}
out:
	g_rec_mutex_unlock(&e->lock);
	return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Life cycle                                                             */

/* The sysfs entry in umockdev's text format; add_from_string() writes sysfs
 * completely (binary "descriptors" included) and only then sends "add", so a
 * hotplug listener never reads a half-made device. */
static gchar *device_record(fws_usbemu *e)
{
	GString *hex = g_string_new(NULL);
	const struct fws_usb_model *m = &e->model;

	for (size_t i = 0; i < e->desc_len; i++)
		g_string_append_printf(hex, "%02X", e->desc[i]);
	gchar *rec = g_strdup_printf(
		"P: /devices/%s\n"
		"N: bus/usb/%03u/%03u=%s\n"
		"E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DEVNAME=%s\n"
		"E: BUSNUM=%03u\nE: DEVNUM=%03u\nE: PRODUCT=%x/%x/%x\nE: TYPE=0/0/0\n"
		"E: MAJOR=189\nE: MINOR=%u\n"
		"A: busnum=%u\nA: devnum=%u\nA: speed=12\nA: bConfigurationValue=1\n"
		"A: bNumInterfaces=%u\nA: configuration=%s\n"
		"A: idVendor=%04x\nA: idProduct=%04x\nA: bcdDevice=%04x\n"
		"A: manufacturer=%s\nA: product=%s\nA: serial=%s\n"
		"A: devpath=%s\nA: dev=189:%u\n"
		"H: descriptors=%s\n",
		e->sysname, e->busnum, e->devnum, hex->str, e->devnode, e->busnum, e->devnum,
		m->vid, m->pid, m->bcd_device, (e->busnum - 1) * 128 + e->devnum - 1,
		e->busnum, e->devnum, m->hid ? 2u : 1u, FWS_USB_CONFIG_STRING,
		m->vid, m->pid, m->bcd_device, m->manufacturer, m->product, m->serial,
		strchr(e->sysname, '-') ? strchr(e->sysname, '-') + 1 : e->sysname,
		(e->busnum - 1) * 128 + e->devnum - 1, hex->str);
	g_string_free(hex, TRUE);
	return rec;
}

static gboolean add_record(fws_usbemu *e, const gchar *rec, GError **error)
{
	return fws_usbemu_bus_add(e->tb, rec, e->syspath, error);
}

static gboolean announce(fws_usbemu *e, GError **error)
{
	g_rec_mutex_lock(&e->lock);
	g_autofree gchar *rec = device_record(e);
	g_rec_mutex_unlock(&e->lock);
	return add_record(e, rec, error);
}

static const char *keep(fws_usbemu *e, unsigned slot, const char *s)
{
	g_free(e->strings[slot]);
	e->strings[slot] = g_strndup(s ? s : "", FWS_USB_STRING_MAX);
	return e->strings[slot];
}

/* Copy the model (its strings too) and build its descriptors (lock held or
 * not yet shared). */
static gboolean take_model(fws_usbemu *e, const struct fws_usb_model *model, GError **error)
{
	struct fws_usb_model m = *model;
	uint8_t desc[FWS_USB_DESC_MAX];
	size_t off = 0, len = fws_usb_desc_build(&m, desc, sizeof desc, &off);

	if (!len) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "the USB device model is invalid (strings, alt settings or transfer size)");
		return FALSE;
	}
	m.manufacturer = keep(e, 0, model->manufacturer);
	m.product = keep(e, 1, model->product);
	m.serial = keep(e, 2, model->serial);
	m.hid_name = keep(e, 3, model->hid_name ? model->hid_name : "fwseal frames");
	for (unsigned i = 0; i < model->dfu_alt_count; i++)
		m.dfu_alt_names[i] = keep(e, 4 + i, model->dfu_alt_names[i]);
	e->model = m;
	memcpy(e->desc, desc, len);
	e->desc_len = len;
	e->config_off = off;
	return TRUE;
}

gboolean fws_usbemu_set_model(fws_usbemu *e, const struct fws_usb_model *model, GError **error)
{
	g_rec_mutex_lock(&e->lock);
	gboolean ok = take_model(e, model, error);
	if (ok)
		e->new_model = TRUE;
	g_rec_mutex_unlock(&e->lock);
	return ok;
}

fws_usbemu *fws_usbemu_new(UMockdevTestbed *tb, const struct fws_usb_model *model,
                           const struct fws_usbemu_location *loc,
                           const struct fws_usbemu_ops *ops, void *ctx, GError **error)
{
	g_return_val_if_fail(tb && model && ops && ops->dfu_control, NULL);
	g_return_val_if_fail(!model->hid || ops->hid_output, NULL);

	fws_usbemu *e = g_new0(fws_usbemu, 1);
	g_rec_mutex_init(&e->lock);
	e->refs = 1;
	g_queue_init(&e->hid_in);
	e->tb = g_object_ref(tb);
	e->ops = ops;
	e->ctx = ctx;
	e->reenum_ms = 50;
	e->busnum = loc && loc->busnum ? loc->busnum : 1;
	e->devnum = loc && loc->devnum ? loc->devnum : 2;
	e->sysname = g_strdup(loc && loc->sysname ? loc->sysname : "1-1");
	e->devnode = g_strdup_printf("/dev/bus/usb/%03u/%03u", e->busnum, e->devnum);
	e->syspath = g_strdup_printf("/sys/devices/%s", e->sysname);

	if (!take_model(e, model, error))
		goto fail;
	/* the ioctl socket first, so the device answers as soon as it is announced */
	e->handler = umockdev_ioctl_base_new();
	g_signal_connect(e->handler, "handle-ioctl", G_CALLBACK(on_handle_ioctl), e);
	g_signal_connect(e->handler, "client-vanished", G_CALLBACK(on_client_vanished), e);
	if (!umockdev_testbed_attach_ioctl(tb, e->devnode, e->handler, error))
		goto fail;
	e->plugged = TRUE;
	e->announced = TRUE;
	if (!announce(e, error))
		goto fail;
	return e;
fail:
	fws_usbemu_free(e);
	return NULL;
}

void fws_usbemu_hid_input(fws_usbemu *e, const uint8_t *report, size_t len)
{
	g_rec_mutex_lock(&e->lock);
	if (e->plugged && g_queue_get_length(&e->hid_in) < HID_QUEUE_MAX) {
		g_queue_push_tail(&e->hid_in, g_bytes_new(report, MIN(len, FWS_USB_HID_REPORT)));
		pump_hid(e);
	}
	g_rec_mutex_unlock(&e->lock);
}

void fws_usbemu_lock(fws_usbemu *e)
{
	g_rec_mutex_lock(&e->lock);
}

void fws_usbemu_unlock(fws_usbemu *e)
{
	g_rec_mutex_unlock(&e->lock);
}

void fws_usbemu_unplug(fws_usbemu *e)
{
	g_rec_mutex_lock(&e->lock);
	vanish(e);
	gboolean was = e->announced;
	e->announced = FALSE;
	g_rec_mutex_unlock(&e->lock);
	if (!was)
		return;
	if (e->reenum) {
		g_thread_join(e->reenum);
		e->reenum = NULL;
	}
	fws_usbemu_bus_remove(e->tb, e->syspath, TRUE);
}

gboolean fws_usbemu_plug(fws_usbemu *e, GError **error)
{
	g_rec_mutex_lock(&e->lock);
	gboolean was = e->announced;
	e->plugged = TRUE;
	e->announced = TRUE;
	g_rec_mutex_unlock(&e->lock);
	return was ? TRUE : announce(e, error);
}

gboolean fws_usbemu_plugged(fws_usbemu *e)
{
	g_rec_mutex_lock(&e->lock);
	gboolean p = e->announced;
	g_rec_mutex_unlock(&e->lock);
	return p;
}

void fws_usbemu_reenumerate(fws_usbemu *e)
{
	g_rec_mutex_lock(&e->lock);
	g_queue_clear_full(&e->hid_in, (GDestroyNotify)g_bytes_unref);
	if (e->plugged)
		start_reenum(e, TRUE);
	g_rec_mutex_unlock(&e->lock);
}

void fws_usbemu_set_reenum_delay_ms(fws_usbemu *e, unsigned ms)
{
	e->reenum_ms = ms;
}

const char *fws_usbemu_devnode(const fws_usbemu *e)
{
	return e->devnode;
}

const char *fws_usbemu_syspath(const fws_usbemu *e)
{
	return e->syspath;
}

void fws_usbemu_get_stats(fws_usbemu *e, struct fws_usbemu_stats *out)
{
	g_rec_mutex_lock(&e->lock);
	*out = e->stats;
	g_rec_mutex_unlock(&e->lock);
}

void fws_usbemu_free(fws_usbemu *e)
{
	if (!e)
		return;
	if (e->reenum)
		g_thread_join(e->reenum);
	if (e->handler) {
		/* umockdev calls us no more (its handler object may live on in
		 * its clients) */
		g_signal_handlers_disconnect_by_data(e->handler, e);
		umockdev_testbed_detach_ioctl(e->tb, e->devnode, NULL);
		g_object_unref(e->handler);
	}
	/* under the lock: a callback still running ends first. Clients not
	 * finalized yet keep e (refs) until umockdev's worker lets them go. */
	g_rec_mutex_lock(&e->lock);
	e->plugged = FALSE;
	for (GList *l = e->clients, *next; l; l = next) {
		next = l->next; /* dropping a parked reap may finalize (and unlist) it */
		unpark(l->data); /* its timer must not outlive the worker context */
	}
	g_queue_clear_full(&e->hid_in, (GDestroyNotify)g_bytes_unref);
	if (e->worker)
		g_main_context_unref(e->worker);
	e->worker = NULL;
	g_clear_object(&e->tb);
	for (unsigned i = 0; i < G_N_ELEMENTS(e->strings); i++)
		g_clear_pointer(&e->strings[i], g_free);
	g_clear_pointer(&e->sysname, g_free);
	g_clear_pointer(&e->devnode, g_free);
	g_clear_pointer(&e->syspath, g_free);
	g_rec_mutex_unlock(&e->lock);
	emu_unref(e);
}
