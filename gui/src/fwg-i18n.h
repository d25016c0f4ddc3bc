/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwg-i18n.h - gettext for the app (domain GETTEXT_PACKAGE, "fwseal").
 * GLib's _() casts the const away ((char *) g_dgettext(...)), which the
 * project's -Wcast-qual rightly flags; ours keeps the const.
 */
#ifndef FWG_I18N_H
#define FWG_I18N_H

#include "fwg-config.h"

#include <glib/gi18n-lib.h>

#undef _
#define _(String) g_dgettext(GETTEXT_PACKAGE, String)

#endif /* FWG_I18N_H */
