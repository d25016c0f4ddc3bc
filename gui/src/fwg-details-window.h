/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-details-window.h - technician details (device, package, session log). */
#ifndef FWG_DETAILS_WINDOW_H
#define FWG_DETAILS_WINDOW_H

#include <adwaita.h>

#include "fwg-device.h"
#include "fwg-log.h"
#include "fwg-package.h"

G_BEGIN_DECLS

#define FWG_TYPE_DETAILS_WINDOW (fwg_details_window_get_type())
G_DECLARE_FINAL_TYPE(FwgDetailsWindow, fwg_details_window, FWG, DETAILS_WINDOW, AdwWindow)

GtkWidget *fwg_details_window_new(GtkWindow *parent, FwgLog *log);

/* What to show (either may be NULL). */
void fwg_details_window_set_subject(FwgDetailsWindow *self, FwgDevice *device,
                                    FwgPackage *package);

/* Everything the Copy button puts on the clipboard. */
char *fwg_details_window_dup_text(FwgDetailsWindow *self);

G_END_DECLS

#endif /* FWG_DETAILS_WINDOW_H */
