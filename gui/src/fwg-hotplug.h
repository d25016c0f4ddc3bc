/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwg-hotplug.h - "something was plugged in", from libfwseal-host's watch
 * (fwseal-host/watch.h: inotify on the serial port folders, libusb hotplug
 * for USB DFU) run in a worker thread; each arrival is emitted as
 * "arrived" (device string) in the main loop. The device monitor then scans
 * at once instead of at its next round, and can scan less often.
 */
#ifndef FWG_HOTPLUG_H
#define FWG_HOTPLUG_H

#include <glib-object.h>

G_BEGIN_DECLS

#define FWG_TYPE_HOTPLUG (fwg_hotplug_get_type())
G_DECLARE_FINAL_TYPE(FwgHotplug, fwg_hotplug, FWG, HOTPLUG, GObject)

/* Start watching the usual serial ports, the ones named in
 * $FWSEAL_SERIAL_PORTS and (when built with it) USB. NULL, with error, when
 * the system offers no way to watch (the monitor then polls). */
FwgHotplug *fwg_hotplug_new(GError **error);

/* Whether USB arrivals are watched too (libusb hotplug available). */
gboolean fwg_hotplug_watches_usb(FwgHotplug *self);

G_END_DECLS

#endif /* FWG_HOTPLUG_H */
