/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-result-page.h - the page that says how an update ended. */
#ifndef FWG_RESULT_PAGE_H
#define FWG_RESULT_PAGE_H

#include <gtk/gtk.h>

#include "fwg-installer.h"

G_BEGIN_DECLS

#define FWG_TYPE_RESULT_PAGE (fwg_result_page_get_type())
G_DECLARE_FINAL_TYPE(FwgResultPage, fwg_result_page, FWG, RESULT_PAGE, GtkBox)

void fwg_result_page_show_success(FwgResultPage *self, FwgInstaller *installer);
/* error: FWG_ERROR with the fws_err code the session ended with. */
void fwg_result_page_show_failure(FwgResultPage *self, FwgInstaller *installer,
                                  const GError *error);

/* After a failure: whether its device is connected now (it was unplugged,
 * or plugged back in); the words follow. No effect after a success. */
void fwg_result_page_set_device_present(FwgResultPage *self, gboolean present);

G_END_DECLS

#endif /* FWG_RESULT_PAGE_H */
