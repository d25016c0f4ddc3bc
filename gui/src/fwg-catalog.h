/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwg-catalog.h - the local package catalog: a folder (a USB stick, a shared
 * folder, Downloads) the app watches for *.fwseal packages (GFileMonitor).
 * Each package is read and verified once in a worker thread and kept while
 * its file is unchanged; fwg_catalog_best_for() picks the update for a
 * device. This is how the app "checks for updates" offline: when a device
 * is connected and when the folder changes (EN 303 645 5.3-5).
 */
#ifndef FWG_CATALOG_H
#define FWG_CATALOG_H

#include <gio/gio.h>

#include "fwg-log.h"
#include "fwg-package.h"
#include "fwseal/devinfo.h"
#include "fwseal/trust.h"

G_BEGIN_DECLS

#define FWG_TYPE_CATALOG (fwg_catalog_get_type())
G_DECLARE_FINAL_TYPE(FwgCatalog, fwg_catalog, FWG, CATALOG, GObject)

FwgCatalog *fwg_catalog_new(FwgLog *log);

/* The trust store packages are verified with (NULL: none; copied).
 * Changing it re-reads every package. */
void fwg_catalog_set_trust(FwgCatalog *self, const fws_trust *trust);

/* Watch folder (NULL: none). Emits "folder-changed" (debounced) when files
 * come and go; the owner decides whether to refresh (a setting). */
void fwg_catalog_set_folder(FwgCatalog *self, GFile *folder);
GFile *fwg_catalog_get_folder(FwgCatalog *self);

/* Read the folder again: new and changed packages are verified, gone ones
 * dropped. Emits "refreshed" when done. */
void fwg_catalog_refresh(FwgCatalog *self);
gboolean fwg_catalog_is_busy(FwgCatalog *self);

/* The best verified package that fits info (highest security counter, then
 * the newest release), or NULL. No reference is transferred. */
FwgPackage *fwg_catalog_best_for(FwgCatalog *self, const fws_devinfo *info);

G_END_DECLS

#endif /* FWG_CATALOG_H */
