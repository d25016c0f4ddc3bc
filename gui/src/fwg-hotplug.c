/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-hotplug.c - see fwg-hotplug.h. */
#include "fwg-config.h"

#include <stdatomic.h>
#include <string.h>

#include "fwg-hotplug.h"
#include "fwg-package.h"
#include "fwseal-host/watch.h"

#define WAIT_SLICE_MS 250u /* how soon the thread notices it should stop */

/* Shared by the object and its thread; the thread never touches the
 * GObject, only this, so either may go first. */
typedef struct {
	atomic_int stop;
	fwh_watch *watch;
	GStrv ports;            /* the watch keeps pointers to these patterns */
	GMainContext *context;
	GWeakRef owner;
} Shared;

struct _FwgHotplug {
	GObject parent_instance;
	Shared *shared;
	GThread *thread;
	gboolean usb;
};

G_DEFINE_FINAL_TYPE(FwgHotplug, fwg_hotplug, G_TYPE_OBJECT)

enum { SIGNAL_ARRIVED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void shared_free(gpointer p)
{
	Shared *s = p;
	fwh_watch_close(s->watch);
	g_strfreev(s->ports);
	g_main_context_unref(s->context);
	g_weak_ref_clear(&s->owner);
}

typedef struct {
	Shared *shared;
	char *device;
} Arrival;

static void arrival_free(gpointer p)
{
	Arrival *a = p;
	g_atomic_rc_box_release_full(a->shared, shared_free);
	g_free(a->device);
	g_free(a);
}

static gboolean emit_arrival(gpointer p)
{
	Arrival *a = p;
	g_autoptr(FwgHotplug) self = g_weak_ref_get(&a->shared->owner);
	if (self && !atomic_load(&a->shared->stop))
		g_signal_emit(self, signals[SIGNAL_ARRIVED], 0, a->device);
	return G_SOURCE_REMOVE;
}

static gpointer watch_thread(gpointer data)
{
	Shared *s = data;
	char device[FWH_DEVSTR_MAX];
	while (!atomic_load(&s->stop)) {
		fwh_error err = {0};
		if (fwh_watch_next(s->watch, device, sizeof(device), WAIT_SLICE_MS, &err) != FWS_OK)
			continue; /* nothing new (or interrupted): look at the stop flag */
		Arrival *a = g_new0(Arrival, 1);
		a->shared = g_atomic_rc_box_acquire(s);
		a->device = g_strdup(device);
		g_main_context_invoke_full(s->context, G_PRIORITY_DEFAULT, emit_arrival, a,
		                           arrival_free);
	}
	g_atomic_rc_box_release_full(s, shared_free);
	return NULL;
}

static void fwg_hotplug_dispose(GObject *object)
{
	FwgHotplug *self = FWG_HOTPLUG(object);
	if (self->thread) {
		atomic_store(&self->shared->stop, 1);
		g_thread_join(self->thread); /* at most one wait slice */
		self->thread = NULL;
	}
	G_OBJECT_CLASS(fwg_hotplug_parent_class)->dispose(object);
}

static void fwg_hotplug_finalize(GObject *object)
{
	FwgHotplug *self = FWG_HOTPLUG(object);
	if (self->shared)
		g_atomic_rc_box_release_full(self->shared, shared_free);
	G_OBJECT_CLASS(fwg_hotplug_parent_class)->finalize(object);
}

static void fwg_hotplug_class_init(FwgHotplugClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	oc->dispose = fwg_hotplug_dispose;
	oc->finalize = fwg_hotplug_finalize;
	signals[SIGNAL_ARRIVED] = g_signal_new("arrived", G_TYPE_FROM_CLASS(klass),
	                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
	                                       G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void fwg_hotplug_init(FwgHotplug *self)
{
	(void)self;
}

gboolean fwg_hotplug_watches_usb(FwgHotplug *self)
{
	return self->usb;
}

/* The serial ports libfwseal-host probes (fwseal-host/transport.h): the
 * usual USB serial adapters and whatever $FWSEAL_SERIAL_PORTS names. */
static void add_ports(fwh_watch_opts *o, GStrv *keep)
{
	/* Not /dev/serial/by-id: udev creates that folder only with the first
	 * adapter, and a folder that is missing cannot be watched. */
	static const char *const usual[] = {FWH_WATCH_DEFAULT_PORTS};
	for (guint i = 0; i < G_N_ELEMENTS(usual); i++)
		o->ports[o->n_ports++] = usual[i];
	const char *env = g_getenv(FWH_SERIAL_PORTS_ENV);
	*keep = g_strsplit(env ? env : "", ":", -1);
	for (guint i = 0; (*keep)[i] && o->n_ports < FWH_WATCH_PORTS_MAX; i++)
		if ((*keep)[i][0] == '/')
			o->ports[o->n_ports++] = (*keep)[i];
}

FwgHotplug *fwg_hotplug_new(GError **error)
{
	g_auto(GStrv) keep = NULL;
	fwh_watch_opts o;
	memset(&o, 0, sizeof(o));
	add_ports(&o, &keep);
	o.usb = true;
	fwh_watch *w = NULL;
	fwh_error err = {0};
	gboolean usb = TRUE;
	if (fwh_watch_open(&o, &w, &err) != FWS_OK) {
		/* No USB hotplug here (built without USB, or libusb cannot):
		 * serial ports only; USB is still found by the scans. */
		usb = FALSE;
		o.usb = false;
		fwh_error_clear(&err);
		if (fwh_watch_open(&o, &w, &err) != FWS_OK) {
			g_set_error_literal(error, FWG_ERROR, err.code, err.msg);
			return NULL;
		}
	}
	FwgHotplug *self = g_object_new(FWG_TYPE_HOTPLUG, NULL);
	self->usb = usb;
	self->shared = g_atomic_rc_box_new0(Shared);
	self->shared->watch = w;
	self->shared->ports = g_steal_pointer(&keep);
	self->shared->context = g_main_context_ref_thread_default();
	g_weak_ref_init(&self->shared->owner, self);
	self->thread = g_thread_new("fwg-hotplug", watch_thread,
	                            g_atomic_rc_box_acquire(self->shared));
	return self;
}
