/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwg-device.h - one connected device as the app shows it: its device string
 * (how libfwseal-host reaches it), the device-info record it last reported,
 * the best update package found for it, and whether an update is running.
 */
#ifndef FWG_DEVICE_H
#define FWG_DEVICE_H

#include <glib-object.h>

#include "fwg-host.h"
#include "fwg-package.h"
#include "fwseal/devinfo.h"

G_BEGIN_DECLS

#define FWG_TYPE_DEVICE (fwg_device_get_type())
G_DECLARE_FINAL_TYPE(FwgDevice, fwg_device, FWG, DEVICE, GObject)

FwgDevice *fwg_device_new(const char *device_string, const fws_devinfo *info);
/* A device the app can see but not open (copied); it has no record. */
FwgDevice *fwg_device_new_unusable(const char *device_string, const FwgDeviceProblem *problem);
/* Why it cannot be used, or NULL for a device that answered. */
const FwgDeviceProblem *fwg_device_get_problem(FwgDevice *self);
/* For a device with a problem: what is wrong and what fixes it, in the
 * user's language (the command itself is the problem's "command"). */
char *fwg_device_dup_problem_text(FwgDevice *self);
char *fwg_device_dup_problem_fix(FwgDevice *self);

const char *fwg_device_get_id(FwgDevice *self);
const fws_devinfo *fwg_device_get_info(FwgDevice *self);
/* Replace the record (after an update the device reports its new version);
 * notifies "info". */
void fwg_device_set_info(FwgDevice *self, const fws_devinfo *info);

/* "Serial port ttyUSB0", "USB", "USB (HID)". */
char *fwg_device_dup_connection_label(FwgDevice *self);

/* The name to show: the model, or for a device that cannot be opened,
 * where it is ("Device on serial port ttyUSB0", "USB device"). */
char *fwg_device_dup_title(FwgDevice *self);

/* The update the catalog picked for this device, or NULL; notifies "update". */
FwgPackage *fwg_device_get_update(FwgDevice *self);
void fwg_device_set_update(FwgDevice *self, FwgPackage *package);

/* An update session owns the link; discovery must not probe it. */
gboolean fwg_device_get_busy(FwgDevice *self);
void fwg_device_set_busy(FwgDevice *self, gboolean busy);

/* Technician text of the device-info record. */
char *fwg_device_describe(FwgDevice *self);

G_END_DECLS

#endif /* FWG_DEVICE_H */
