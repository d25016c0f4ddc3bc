/* SPDX-License-Identifier: Apache-2.0 */
/*
 * i18n.h - the library's sentences in the program's language (internal to
 * libfwseal-host; fwseal-host/error.h says what callers see).
 *
 * fwh_error_set() and fwh_error_prefix() take an English format, a msgid of
 * the gettext domain "fwseal" (po/, one domain with the CLI and the desktop
 * app), and word the failure twice: msg in English, text through fwh_tr().
 * N_() marks a string that is translated later, where it is used.
 *
 * The library only looks catalogues up (dgettext): setlocale() and
 * bindtextdomain() are the program's. Without NLS (-Dnls=disabled, or a C
 * library without gettext) fwh_tr() returns its argument.
 */
#ifndef FWSEAL_HOST_I18N_H
#define FWSEAL_HOST_I18N_H

#if defined(FWSEAL_ENABLE_NLS) && FWSEAL_ENABLE_NLS
#include <libintl.h>
#if defined(__GNUC__)
__attribute__((format_arg(1), returns_nonnull))
#endif
static inline const char *fwh_tr(const char *msgid)
{
	const char *t = dgettext(FWSEAL_GETTEXT_PACKAGE, msgid);
	return t ? t : msgid;
}
#else
#define fwh_tr(msgid) (msgid)
#endif

#ifndef N_
#define N_(String) String
#endif

#include "fwseal-host/error.h"

/* Set err to code with a sentence the caller worded in both languages
 * (a sentence made of translated parts); returns code. */
fws_err fwh_error_put(fwh_error *err, fws_err code, const char *msg, const char *text);

#endif /* FWSEAL_HOST_I18N_H */
