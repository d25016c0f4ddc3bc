/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-device-row.h - a row in the device list, following one FwgDevice. */
#ifndef FWG_DEVICE_ROW_H
#define FWG_DEVICE_ROW_H

#include <gtk/gtk.h>

#include "fwg-device.h"

G_BEGIN_DECLS

#define FWG_TYPE_DEVICE_ROW (fwg_device_row_get_type())
G_DECLARE_FINAL_TYPE(FwgDeviceRow, fwg_device_row, FWG, DEVICE_ROW, GtkListBoxRow)

GtkWidget *fwg_device_row_new(FwgDevice *device);
FwgDevice *fwg_device_row_get_device(FwgDeviceRow *self);

G_END_DECLS

#endif /* FWG_DEVICE_ROW_H */
