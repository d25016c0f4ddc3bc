/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-progress-page.h - the page shown while an FwgInstaller runs. */
#ifndef FWG_PROGRESS_PAGE_H
#define FWG_PROGRESS_PAGE_H

#include <gtk/gtk.h>

#include "fwg-installer.h"

G_BEGIN_DECLS

#define FWG_TYPE_PROGRESS_PAGE (fwg_progress_page_get_type())
G_DECLARE_FINAL_TYPE(FwgProgressPage, fwg_progress_page, FWG, PROGRESS_PAGE, GtkBox)

/* Follow installer (NULL: stop following). */
void fwg_progress_page_set_installer(FwgProgressPage *self, FwgInstaller *installer);

/* The user asked to cancel: say so until the session has stopped. */
void fwg_progress_page_set_cancelling(FwgProgressPage *self);

G_END_DECLS

#endif /* FWG_PROGRESS_PAGE_H */
