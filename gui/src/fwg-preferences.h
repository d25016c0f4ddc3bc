/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-preferences.h - the preferences window over the app's GSettings. */
#ifndef FWG_PREFERENCES_H
#define FWG_PREFERENCES_H

#include <adwaita.h>

G_BEGIN_DECLS

#define FWG_TYPE_PREFERENCES (fwg_preferences_get_type())
G_DECLARE_FINAL_TYPE(FwgPreferences, fwg_preferences, FWG, PREFERENCES, AdwPreferencesWindow)

/* folder_in_use / trust_in_use: what the app actually uses (the setting, a
 * command-line override or the default), shown when the setting is empty or
 * overridden. Either may be NULL. */
GtkWidget *fwg_preferences_new(GtkWindow *parent, GSettings *settings, const char *folder_in_use,
                               const char *trust_in_use);

/* How long "Postpone" defers automatic updates. */
#define FWG_POSTPONE_SECONDS (24 * 60 * 60)

G_END_DECLS

#endif /* FWG_PREFERENCES_H */
