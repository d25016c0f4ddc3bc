/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwg-installer.h - one update of one device: libfwseal-host's flashing
 * session (fwh_flash) run in a worker thread, its progress marshalled to the
 * main loop as "progress" signals, cancelled through a GCancellable (which
 * sets the session's atomic cancel flag; the session stops at the next
 * request boundary and the device keeps its old firmware and its resume
 * point).
 */
#ifndef FWG_INSTALLER_H
#define FWG_INSTALLER_H

#include <gio/gio.h>

#include "fwg-device.h"
#include "fwg-log.h"
#include "fwg-package.h"

G_BEGIN_DECLS

typedef enum {
	FWG_STEP_PREPARE,   /* checking the device, getting it ready */
	FWG_STEP_SEND,      /* sending the package (cancel is safe) */
	FWG_STEP_CHECK,     /* the device checks and installs the image */
	FWG_STEP_RESTART,   /* the device restarts into the new firmware */
	FWG_STEP_DONE,
} FwgStep;

#define FWG_TYPE_INSTALLER (fwg_installer_get_type())
G_DECLARE_FINAL_TYPE(FwgInstaller, fwg_installer, FWG, INSTALLER, GObject)

FwgInstaller *fwg_installer_new(FwgDevice *device, FwgPackage *package, FwgLog *log);

void fwg_installer_run_async(FwgInstaller *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
/* FALSE with error (FWG_ERROR, fws_err code) when the update did not end
 * with the device running the new version. */
gboolean fwg_installer_run_finish(FwgInstaller *self, GAsyncResult *result, GError **error);

FwgDevice *fwg_installer_get_device(FwgInstaller *self);
FwgPackage *fwg_installer_get_package(FwgInstaller *self);

/* Live state (main thread; updated before each "progress" signal). */
FwgStep fwg_installer_get_step(FwgInstaller *self);
double fwg_installer_get_fraction(FwgInstaller *self);   /* 0..1 */
double fwg_installer_get_eta(FwgInstaller *self);        /* seconds, < 0 unknown */
/* Whether cancelling now is safe and useful (before the device starts
 * installing what it received). */
gboolean fwg_installer_get_can_cancel(FwgInstaller *self);
/* Whether the cable must stay in (the device is receiving or installing). */
gboolean fwg_installer_get_keep_plugged(FwgInstaller *self);

/* After the run: whether it can be continued where it stopped, and the
 * record the device reported after the update (valid on success). */
gboolean fwg_installer_get_resumable(FwgInstaller *self);
/* The last failure was the package file changing after the app checked it
 * (found by the host before it sent the changed part). */
gboolean fwg_installer_get_changed_on_host(FwgInstaller *self);
/* The device's record when the installer was made (its version before). */
const fws_devinfo *fwg_installer_get_before(FwgInstaller *self);
/* After success: whether the new firmware confirmed itself (it keeps
 * running after the next restart); FALSE: it runs on trial, and the device
 * goes back to the previous version at its next restart unless it confirms. */
gboolean fwg_installer_get_confirmed(FwgInstaller *self);
gboolean fwg_installer_get_resumed(FwgInstaller *self);
const fws_devinfo *fwg_installer_get_after(FwgInstaller *self);

G_END_DECLS

#endif /* FWG_INSTALLER_H */
