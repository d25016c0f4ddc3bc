/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-device-monitor.c - see fwg-device-monitor.h. */
#include "fwg-config.h"

#include <string.h>

#include "fwg-device-monitor.h"
#include "fwg-host.h"
#include "fwg-hotplug.h"

/* Without arrival events the monitor must poll; with them (fwg-hotplug.c)
 * a scan runs at once when something is plugged in, and the rounds only
 * catch what left, so they can be rarer: every scan writes a request to
 * each candidate port. */
#define SCAN_INTERVAL_MS         1000u
#define SCAN_INTERVAL_HOTPLUG_MS 3000u
#define PRESENCE_INTERVAL_MS     500u
#define MISSES_TO_REMOVE 2u
/* A serial device whose port is still there but did not answer a probe is
 * more likely busy or starved of CPU than gone (a pulled adapter deletes
 * its node, which check_presence() sees at once): give it longer. */
#define MISSES_TO_REMOVE_PORT_PRESENT 4u

struct _FwgDeviceMonitor {
	GObject parent_instance;
	FwgLog *log;
	GListStore *devices;
	GHashTable *misses;     /* id -> missed scans (GUINT_TO_POINTER) */
	GCancellable *cancellable;
	guint timer;
	gboolean scanning;      /* a scan is in flight */
	guint holds;
	GSourceFunc ready;      /* waiting hold */
	gpointer ready_data;
	gboolean started;
	char *last_error;       /* logged once, not every second */
	FwgHotplug *hotplug;    /* NULL: polling only */
	guint presence_timer;
};

G_DEFINE_FINAL_TYPE(FwgDeviceMonitor, fwg_device_monitor, G_TYPE_OBJECT)

enum { SIGNAL_ADDED, SIGNAL_REMOVED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void schedule(FwgDeviceMonitor *self, guint ms);
static void remove_device(FwgDeviceMonitor *self, guint index);

static void fwg_device_monitor_dispose(GObject *object)
{
	FwgDeviceMonitor *self = FWG_DEVICE_MONITOR(object);
	g_cancellable_cancel(self->cancellable);
	g_clear_handle_id(&self->timer, g_source_remove);
	g_clear_handle_id(&self->presence_timer, g_source_remove);
	if (self->hotplug)
		g_signal_handlers_disconnect_by_data(self->hotplug, self);
	g_clear_object(&self->hotplug);
	G_OBJECT_CLASS(fwg_device_monitor_parent_class)->dispose(object);
}

static void fwg_device_monitor_finalize(GObject *object)
{
	FwgDeviceMonitor *self = FWG_DEVICE_MONITOR(object);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->devices);
	g_clear_object(&self->log);
	g_hash_table_unref(self->misses);
	g_free(self->last_error);
	G_OBJECT_CLASS(fwg_device_monitor_parent_class)->finalize(object);
}

static void fwg_device_monitor_class_init(FwgDeviceMonitorClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	oc->dispose = fwg_device_monitor_dispose;
	oc->finalize = fwg_device_monitor_finalize;
	signals[SIGNAL_ADDED] = g_signal_new("device-added", G_TYPE_FROM_CLASS(klass),
	                                     G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
	                                     G_TYPE_NONE, 1, FWG_TYPE_DEVICE);
	signals[SIGNAL_REMOVED] = g_signal_new("device-removed", G_TYPE_FROM_CLASS(klass),
	                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
	                                       G_TYPE_NONE, 1, FWG_TYPE_DEVICE);
}

static void fwg_device_monitor_init(FwgDeviceMonitor *self)
{
	self->devices = g_list_store_new(FWG_TYPE_DEVICE);
	self->misses = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->cancellable = g_cancellable_new();
}

FwgDeviceMonitor *fwg_device_monitor_new(FwgLog *log)
{
	FwgDeviceMonitor *self = g_object_new(FWG_TYPE_DEVICE_MONITOR, NULL);
	self->log = g_object_ref(log);
	return self;
}

GListModel *fwg_device_monitor_get_devices(FwgDeviceMonitor *self)
{
	return G_LIST_MODEL(self->devices);
}

FwgDevice *fwg_device_monitor_find(FwgDeviceMonitor *self, const char *id)
{
	guint n = g_list_model_get_n_items(G_LIST_MODEL(self->devices));
	for (guint i = 0; i < n; i++) {
		g_autoptr(FwgDevice) d = g_list_model_get_item(G_LIST_MODEL(self->devices), i);
		if (strcmp(fwg_device_get_id(d), id) == 0)
			return d; /* the store keeps its reference */
	}
	return NULL;
}

static void scan_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	(void)source;
	(void)data;
	(void)cancellable;
	GError *error = NULL;
	GPtrArray *found = fwg_host_enumerate(&error);
	if (!found)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, found, (GDestroyNotify)g_ptr_array_unref);
}

/* One device can answer on several interfaces (its DFU interface and its
 * HID interface on the same cable, fwseal-host lists both): show it once,
 * reached the way that carries the most (USB DFU, then HID, then serial). */
static int kind_rank(const char *id)
{
	if (g_str_has_prefix(id, "usb"))
		return 0;
	if (g_str_has_prefix(id, "hid"))
		return 1;
	return 2;
}

static void drop_duplicates(GPtrArray *found)
{
	for (guint i = 0; i < found->len; i++) {
		FwgFoundDevice *a = g_ptr_array_index(found, i);
		if (a->problem)
			continue; /* no record: nothing to compare */
		for (guint k = found->len; k-- > i + 1;) {
			FwgFoundDevice *b = g_ptr_array_index(found, k);
			if (b->problem || strcmp(a->info.model, b->info.model) != 0 ||
			    strcmp(a->info.serial, b->info.serial) != 0)
				continue;
			if (kind_rank(b->id) < kind_rank(a->id)) {
				/* keep b in a's place */
				g_ptr_array_index(found, i) = b;
				g_ptr_array_index(found, k) = a;
				a = b;
			}
			g_ptr_array_remove_index(found, k);
		}
	}
}

/* The path of a serial device's port (without @BAUD), or NULL. */
static char *serial_path(const char *id)
{
	if (!g_str_has_prefix(id, "serial:"))
		return NULL;
	char *path = g_strdup(id + strlen("serial:"));
	char *at = strchr(path, '@');
	if (at)
		*at = '\0';
	return path;
}

static gboolean serial_port_present(const char *id)
{
	g_autofree char *path = serial_path(id);
	return path && g_file_test(path, G_FILE_TEST_EXISTS);
}

static void merge(FwgDeviceMonitor *self, GPtrArray *found)
{
	drop_duplicates(found);
	/* Present: add or refresh. */
	for (guint i = 0; i < found->len; i++) {
		FwgFoundDevice *f = g_ptr_array_index(found, i);
		g_hash_table_remove(self->misses, f->id);
		FwgDevice *d = fwg_device_monitor_find(self, f->id);
		if (d && !fwg_device_get_problem(d) == !f->problem) {
			if (!fwg_device_get_busy(d) && !f->problem)
				fwg_device_set_info(d, &f->info);
			continue;
		}
		if (d) {
			/* Opened now but not before (a udev rule, a group), or the
			 * other way round: a new entry. */
			guint pos = 0;
			if (g_list_store_find(self->devices, d, &pos))
				remove_device(self, pos);
		}
		g_autoptr(FwgDevice) nd = f->problem ? fwg_device_new_unusable(f->id, f->problem)
		                                     : fwg_device_new(f->id, &f->info);
		g_list_store_append(self->devices, nd);
		if (f->problem)
			fwg_log_add(self->log, "device seen but not opened: %s: %s %s", f->id,
			            f->problem->message, f->problem->fix);
		else
			fwg_log_add(self->log, "device connected: %s (%s, serial %s, version %s)", f->id,
			            f->info.model, f->info.serial,
			            f->info.fw_version[0] ? f->info.fw_version : "-");
		g_signal_emit(self, signals[SIGNAL_ADDED], 0, nd);
	}
	/* Missing: count, then drop. A busy device is never dropped here: its
	 * update session reports the loss itself. */
	for (guint i = g_list_model_get_n_items(G_LIST_MODEL(self->devices)); i-- > 0;) {
		g_autoptr(FwgDevice) d = g_list_model_get_item(G_LIST_MODEL(self->devices), i);
		const char *id = fwg_device_get_id(d);
		gboolean seen = FALSE;
		for (guint k = 0; k < found->len && !seen; k++)
			seen = strcmp(((FwgFoundDevice *)g_ptr_array_index(found, k))->id, id) == 0;
		if (seen || fwg_device_get_busy(d))
			continue;
		guint m = GPOINTER_TO_UINT(g_hash_table_lookup(self->misses, id)) + 1;
		if (m < (serial_port_present(id) ? MISSES_TO_REMOVE_PORT_PRESENT : MISSES_TO_REMOVE)) {
			g_hash_table_insert(self->misses, g_strdup(id), GUINT_TO_POINTER(m));
			continue;
		}
		remove_device(self, i);
	}
}

static void scan_done(GObject *source, GAsyncResult *res, gpointer data)
{
	(void)source;
	FwgDeviceMonitor *self = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) found = g_task_propagate_pointer(G_TASK(res), &error);
	self->scanning = FALSE;
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
	    g_cancellable_is_cancelled(self->cancellable)) {
		g_object_unref(self);
		return;
	}
	if (found) {
		g_clear_pointer(&self->last_error, g_free);
		if (self->holds == 0)
			merge(self, found);
	} else if (g_strcmp0(self->last_error, error->message) != 0) {
		fwg_log_add(self->log, "device scan failed: %s", error->message);
		g_free(self->last_error);
		self->last_error = g_strdup(error->message);
	}
	if (self->holds > 0 && self->ready) {
		GSourceFunc ready = self->ready;
		self->ready = NULL;
		ready(self->ready_data);
	}
	if (self->holds == 0)
		schedule(self, self->hotplug ? SCAN_INTERVAL_HOTPLUG_MS : SCAN_INTERVAL_MS);
	g_object_unref(self);
}

static gboolean scan_now(gpointer data)
{
	FwgDeviceMonitor *self = data;
	self->timer = 0;
	if (self->holds > 0 || self->scanning)
		return G_SOURCE_REMOVE;
	self->scanning = TRUE;
	g_autoptr(GTask) task = g_task_new(NULL, self->cancellable, scan_done, g_object_ref(self));
	g_task_set_source_tag(task, scan_now);
	g_task_run_in_thread(task, scan_thread);
	return G_SOURCE_REMOVE;
}

static void schedule(FwgDeviceMonitor *self, guint ms)
{
	if (self->timer || self->scanning || self->holds > 0 || !self->started)
		return;
	self->timer = g_timeout_add(ms, scan_now, self);
}

static void remove_device(FwgDeviceMonitor *self, guint index)
{
	g_autoptr(FwgDevice) d = g_list_model_get_item(G_LIST_MODEL(self->devices), index);
	g_hash_table_remove(self->misses, fwg_device_get_id(d));
	fwg_log_add(self->log, "device disconnected: %s", fwg_device_get_id(d));
	g_list_store_remove(self->devices, index);
	g_signal_emit(self, signals[SIGNAL_REMOVED], 0, d);
}

/* A serial port that is gone (adapter pulled: its node is deleted) takes
 * its device with it at once, without waiting for a scan and without
 * writing to any port. */
static gboolean check_presence(gpointer data)
{
	FwgDeviceMonitor *self = data;
	for (guint i = g_list_model_get_n_items(G_LIST_MODEL(self->devices)); i-- > 0;) {
		g_autoptr(FwgDevice) d = g_list_model_get_item(G_LIST_MODEL(self->devices), i);
		const char *id = fwg_device_get_id(d);
		if (fwg_device_get_busy(d) || !g_str_has_prefix(id, "serial:"))
			continue;
		if (!serial_port_present(id))
			remove_device(self, i);
	}
	return G_SOURCE_CONTINUE;
}

static void on_arrived(FwgHotplug *h, const char *device, gpointer data)
{
	(void)h;
	FwgDeviceMonitor *self = data;
	fwg_log_add(self->log, "plugged in: %s", device);
	fwg_device_monitor_rescan(self);
}

void fwg_device_monitor_start(FwgDeviceMonitor *self)
{
	if (self->started)
		return;
	self->started = TRUE;
	g_autoptr(GError) error = NULL;
	self->hotplug = fwg_hotplug_new(&error);
	if (self->hotplug) {
		fwg_log_add(self->log, "watching for devices being plugged in (serial%s)",
		            fwg_hotplug_watches_usb(self->hotplug) ? " and USB" : "");
		g_signal_connect(self->hotplug, "arrived", G_CALLBACK(on_arrived), self);
	} else {
		fwg_log_add(self->log, "cannot watch for devices being plugged in (%s); looking "
		            "every second instead", error->message);
	}
	self->presence_timer = g_timeout_add(PRESENCE_INTERVAL_MS, check_presence, self);
	schedule(self, 0);
}

static gboolean wake(gpointer data)
{
	(void)data;
	return G_SOURCE_CONTINUE; /* only wakes the loop below */
}

void fwg_device_monitor_stop(FwgDeviceMonitor *self)
{
	g_cancellable_cancel(self->cancellable);
	g_clear_handle_id(&self->timer, g_source_remove);
	g_clear_handle_id(&self->presence_timer, g_source_remove);
	if (self->hotplug)
		g_signal_handlers_disconnect_by_data(self->hotplug, self);
	g_clear_object(&self->hotplug); /* joins its thread, closes the watch */
	/* A scan in flight holds USB and serial handles in its thread; let it
	 * end (it is bounded in time) before the process can exit under it. */
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	guint tick = g_timeout_add(20, wake, NULL);
	while (self->scanning && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(tick);
}

void fwg_device_monitor_rescan(FwgDeviceMonitor *self)
{
	if (self->holds > 0 || self->scanning)
		return;
	g_clear_handle_id(&self->timer, g_source_remove);
	schedule(self, 0);
}

static gboolean ready_idle(gpointer data)
{
	FwgDeviceMonitor *self = data;
	if (self->ready && !self->scanning) {
		GSourceFunc ready = self->ready;
		self->ready = NULL;
		ready(self->ready_data);
	}
	return G_SOURCE_REMOVE;
}

void fwg_device_monitor_hold(FwgDeviceMonitor *self, GSourceFunc ready, gpointer data)
{
	self->holds++;
	g_clear_handle_id(&self->timer, g_source_remove);
	self->ready = ready;
	self->ready_data = data;
	if (!self->scanning)
		g_idle_add_full(G_PRIORITY_DEFAULT, ready_idle, g_object_ref(self), g_object_unref);
}

void fwg_device_monitor_release(FwgDeviceMonitor *self)
{
	g_return_if_fail(self->holds > 0);
	if (--self->holds == 0)
		schedule(self, 0);
}
