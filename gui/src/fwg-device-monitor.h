/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwg-device-monitor.h - finds devices by itself and follows plug / unplug:
 * every second it asks libfwseal-host for every device that answers (serial
 * ports, USB DFU, HID) in a worker thread, and keeps a list model of
 * FwgDevice in step. A device is dropped after it is missing from two scans
 * in a row, so one slow answer does not make it flicker.
 *
 * While an update runs, the monitor is held: probing a port the update
 * session is using would disturb it.
 */
#ifndef FWG_DEVICE_MONITOR_H
#define FWG_DEVICE_MONITOR_H

#include <gio/gio.h>

#include "fwg-device.h"
#include "fwg-log.h"

G_BEGIN_DECLS

#define FWG_TYPE_DEVICE_MONITOR (fwg_device_monitor_get_type())
G_DECLARE_FINAL_TYPE(FwgDeviceMonitor, fwg_device_monitor, FWG, DEVICE_MONITOR, GObject)

FwgDeviceMonitor *fwg_device_monitor_new(FwgLog *log);

/* A GListModel of FwgDevice (owned by the monitor). */
GListModel *fwg_device_monitor_get_devices(FwgDeviceMonitor *self);

FwgDevice *fwg_device_monitor_find(FwgDeviceMonitor *self, const char *id);

/* Start scanning (first scan at once). */
void fwg_device_monitor_start(FwgDeviceMonitor *self);

/* Hold scanning; ready runs (once, in the main loop) when no scan is in
 * flight any more. Every hold is matched by a release. */
void fwg_device_monitor_hold(FwgDeviceMonitor *self, GSourceFunc ready, gpointer data);
void fwg_device_monitor_release(FwgDeviceMonitor *self);

/* Stop for good (the app is quitting): no more scans, the hotplug watch
 * closed, a scan in flight waited for. */
void fwg_device_monitor_stop(FwgDeviceMonitor *self);

/* Scan again soon (after an update, to read the new version). */
void fwg_device_monitor_rescan(FwgDeviceMonitor *self);

G_END_DECLS

#endif /* FWG_DEVICE_MONITOR_H */
