/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwg-window.h - the main window. It shows the connected devices and, for
 * the selected one, what the update found or chosen would do; it runs one
 * update at a time (FwgInstaller) and shows how it ended.
 *
 * Window actions: win.open (choose a package), win.install (install, or
 * resume / retry after a failure), win.postpone (stop the countdown of an
 * automatic security update and postpone automatic updates a day),
 * win.cancel, win.done, win.details.
 *
 * Consent: an install only ever starts from the update page that shows
 * what it changes: by a click on Install, or for a security update with
 * automatic installation allowed, when the countdown shown on that page
 * runs out while the page is on screen.
 */
#ifndef FWG_WINDOW_H
#define FWG_WINDOW_H

#include <adwaita.h>

#include "fwg-application.h"
#include "fwg-device.h"
#include "fwg-package.h"

G_BEGIN_DECLS

#define FWG_TYPE_WINDOW (fwg_window_get_type())
G_DECLARE_FINAL_TYPE(FwgWindow, fwg_window, FWG, WINDOW, AdwApplicationWindow)

FwgWindow *fwg_window_new(FwgApplication *app);

/* Take a package the user picked (file chooser, drag and drop, command
 * line): read and check it asynchronously, then show it for the device it
 * fits, or say why it is refused. */
void fwg_window_open_file(FwgWindow *self, GFile *file);

/* A security update the app found may install by itself
 * (fwg_application_auto_install_allowed): show the device's update page, on
 * which a countdown with "Install Now" and "Postpone" runs, unless the window
 * is busy with something else (then the countdown starts when the page is
 * shown again). Nothing is installed from here directly. */
void fwg_window_offer_update(FwgWindow *self, FwgDevice *device, FwgPackage *package);

/* Bring what is shown up to date (e.g. after a setting changed). */
void fwg_window_refresh(FwgWindow *self);

void fwg_window_toast(FwgWindow *self, const char *text);

/* Whether the main page shows this device's update right now. */
gboolean fwg_window_shows_device(FwgWindow *self, FwgDevice *device);

/* The page shown: "empty", "devices", "progress", "result". */
const char *fwg_window_get_page(FwgWindow *self);

G_END_DECLS

#endif /* FWG_WINDOW_H */
