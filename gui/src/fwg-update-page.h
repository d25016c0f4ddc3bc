/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwg-update-page.h - the part of the main page below the device list: no
 * update yet / checking a package / why a package is refused / what an
 * update will do, with the one Install button (action win.install).
 */
#ifndef FWG_UPDATE_PAGE_H
#define FWG_UPDATE_PAGE_H

#include <gtk/gtk.h>

#include "fwg-device.h"
#include "fwg-package.h"

G_BEGIN_DECLS

#define FWG_TYPE_UPDATE_PAGE (fwg_update_page_get_type())
G_DECLARE_FINAL_TYPE(FwgUpdatePage, fwg_update_page, FWG, UPDATE_PAGE, GtkBox)

/* folder: the watched package folder for the hint text (may be NULL). */
void fwg_update_page_show_none(FwgUpdatePage *self, GFile *folder);
void fwg_update_page_show_checking(FwgUpdatePage *self);
/* why: the sentence; package may be NULL (file not readable at all). */
void fwg_update_page_show_refused(FwgUpdatePage *self, FwgPackage *package, const GError *why);
void fwg_update_page_show_ready(FwgUpdatePage *self, FwgDevice *device, FwgPackage *package);
/* A device that is there but cannot be opened (fwg_device_get_problem):
 * the reason, the fix and the command with a Copy button. */
void fwg_update_page_show_unusable(FwgUpdatePage *self, FwgDevice *device);

/* On the "ready" page: seconds until an automatic security update starts,
 * with Install Now and Postpone (win.postpone) instead of the Install
 * button; -1 hides the countdown. */
void fwg_update_page_set_countdown(FwgUpdatePage *self, int seconds);
int fwg_update_page_get_countdown(FwgUpdatePage *self);

/* "none", "checking", "refused", "ready", "unusable". */
const char *fwg_update_page_get_state(FwgUpdatePage *self);

G_END_DECLS

#endif /* FWG_UPDATE_PAGE_H */
