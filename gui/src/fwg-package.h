/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwg-package.h - an update package as the app knows it: read and checked in
 * a worker thread (signature against the host's trust store, every block
 * against the hash chain, the DFU suffix), then its manifest in plain
 * fields for the pages. A package that fails the check is still an object:
 * it carries the reason (a sentence) and whatever manifest could be read, so
 * the app can say why it refuses it and a technician can look inside.
 */
#ifndef FWG_PACKAGE_H
#define FWG_PACKAGE_H

#include <gio/gio.h>

#include "fwseal/devinfo.h"
#include "fwseal/pkg.h"
#include "fwseal/trust.h"
#include "fwseal-host/package.h"

G_BEGIN_DECLS

/* GError domain of the app: codes are fws_err values. */
#define FWG_ERROR (fwg_error_quark())
GQuark fwg_error_quark(void);

#define FWG_TYPE_PACKAGE (fwg_package_get_type())
G_DECLARE_FINAL_TYPE(FwgPackage, fwg_package, FWG, PACKAGE, GObject)

/* Read and check file in a thread. trust may be NULL (no host trust store:
 * every package is refused as unverifiable); it is copied. The result is a
 * package even when the check failed (see fwg_package_get_problem); the
 * finish function fails only when cancelled. */
void fwg_package_load_async(GFile *file, const fws_trust *trust, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data);
FwgPackage *fwg_package_load_finish(GAsyncResult *result, GError **error);

/* Blocking variant (worker threads, tests). */
FwgPackage *fwg_package_load(GFile *file, const fws_trust *trust);

GFile *fwg_package_get_file(FwgPackage *self);
/* Why the package cannot be used at all (not authentic, damaged), or NULL. */
const GError *fwg_package_get_problem(FwgPackage *self);
/* Whether a manifest could be read (also for some refused packages). */
gboolean fwg_package_has_manifest(FwgPackage *self);
const fws_manifest *fwg_package_get_manifest(FwgPackage *self);
const char *fwg_package_get_risks(FwgPackage *self);       /* "" when none */
const char *fwg_package_get_notes(FwgPackage *self);       /* "" when none */
/* NULL-terminated CVE ids (possibly empty). */
const char *const *fwg_package_get_cves(FwgPackage *self);
/* Lower-case hex SHA-256 of the whole file ("" if not read). */
const char *fwg_package_get_sha256(FwgPackage *self);
guint64 fwg_package_get_file_size(FwgPackage *self);
const guint8 *fwg_package_get_signer(FwgPackage *self);   /* NULL if not authentic */

/* Does this (verified) package fit this device? On FALSE, error says why in
 * one sentence (FWG_ERROR, fws_err code: FWS_E_MODEL, FWS_E_HW_REV,
 * FWS_E_DOWNGRADE, ...). An identical version already installed is
 * FWS_E_STATE ("already runs"). Mirrors the device's own policy check
 * (device-stub/core/policy.c) so the user hears it before anything is sent;
 * the device checks again and has the last word. */
gboolean fwg_package_check_fits(FwgPackage *self, const fws_devinfo *info, GError **error);

/* The verified, open package for the flashing session (NULL if refused). */
const fwh_package *fwg_package_get_host_package(FwgPackage *self);

/* Technician text: every manifest field, signer, digests. */
char *fwg_package_describe(FwgPackage *self);

G_END_DECLS

#endif /* FWG_PACKAGE_H */
