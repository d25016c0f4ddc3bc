/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwg-application.h - the app: settings, the session log, the device
 * monitor, the package catalog and the trust store live here, for as long
 * as the app runs; it decides when to check for updates, when to tell the
 * user and when to install by itself (EN 303 645 5.3-4, 5.3-5, 5.3-6).
 */
#ifndef FWG_APPLICATION_H
#define FWG_APPLICATION_H

#include <adwaita.h>

#include "fwg-catalog.h"
#include "fwg-device.h"
#include "fwg-device-monitor.h"
#include "fwg-log.h"
#include "fwseal/trust.h"

G_BEGIN_DECLS

#define FWG_TYPE_APPLICATION (fwg_application_get_type())
G_DECLARE_FINAL_TYPE(FwgApplication, fwg_application, FWG, APPLICATION, AdwApplication)

FwgApplication *fwg_application_new(void);

GSettings *fwg_application_get_settings(FwgApplication *self);
FwgLog *fwg_application_get_log(FwgApplication *self);
FwgDeviceMonitor *fwg_application_get_monitor(FwgApplication *self);
FwgCatalog *fwg_application_get_catalog(FwgApplication *self);
/* NULL when no trust store could be loaded (then every package is refused). */
const fws_trust *fwg_application_get_trust(FwgApplication *self);

/* Whether automatic notifications and installs are postponed right now. */
gboolean fwg_application_is_postponed(FwgApplication *self);
/* Postpone automatic updates by FWG_POSTPONE_SECONDS from now. */
void fwg_application_postpone(FwgApplication *self);

/* Whether package may install on device by itself after the countdown:
 * a security update, "auto-install-security" on, the first-run choice made,
 * not postponed, and not installed on this device before in this run (a
 * failed or cancelled update is resumed by the user, never by itself). A
 * feature-only update never installs without a click. */
gboolean fwg_application_auto_install_allowed(FwgApplication *self, FwgDevice *device,
                                              FwgPackage *package);
/* Seconds the update page counts down ("auto-install-delay"). */
guint fwg_application_get_auto_delay(FwgApplication *self);
/* An install of package on device starts (by itself or by a click). */
void fwg_application_note_install(FwgApplication *self, FwgDevice *device, FwgPackage *package);

G_END_DECLS

#endif /* FWG_APPLICATION_H */
