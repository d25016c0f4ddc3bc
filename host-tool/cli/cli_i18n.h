/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_i18n.h - gettext for the fwseal command line (text domain "fwseal",
 * shared with the desktop app, po/ of the project).
 *
 * _("text") translates a user-facing sentence; N_("text") only marks a
 * string for extraction where it is stored (tables) and translated when
 * printed. Without NLS (-Dnls=disabled, or no libintl) both are no-ops, so
 * the CLI never depends on gettext to work. Machine-readable output (JSON,
 * CSV, ids, field names) is never translated.
 *
 * Only LC_MESSAGES and LC_CTYPE follow the user's locale (cli_i18n_init):
 * numbers in --json and in progress lines stay in the C locale.
 *
 * Extraction (xgettext) needs these keywords besides _, N_ and P_:1,2: cli_error
 * and cli_usage:2 translate their format themselves; the catalogue's
 * MSG_* formats (cli_msg.h) and protocol/src/err.c's sentences are N_().
 * The host library translates its own sentences (fwseal-host/error.h: print
 * err.text for people, put err.msg, English, in JSON).
 * FWSEAL_LOCALEDIR in the environment points the CLI at other catalogues
 * (tests of an uninstalled build).
 */
#ifndef FWSEAL_CLI_I18N_H
#define FWSEAL_CLI_I18N_H

#if defined(FWSEAL_ENABLE_NLS) && FWSEAL_ENABLE_NLS
#include <libintl.h>
/* gettext() never returns NULL, but GCC cannot know it: under the
 * sanitizers it warns "null format string" for printf(gettext(...)). */
#if defined(__GNUC__)
__attribute__((format_arg(1), returns_nonnull))
#endif
static inline const char *cli_gettext(const char *msgid)
{
	const char *t = gettext(msgid);
	return t ? t : msgid;
}
#define _(String) cli_gettext(String)
/* P_(singular, plural, n): the form for n (ngettext), for languages whose
 * plurals are not English's */
#if defined(__GNUC__)
__attribute__((format_arg(1), format_arg(2), returns_nonnull))
#endif
static inline const char *cli_ngettext(const char *singular, const char *plural,
                                       unsigned long n)
{
	const char *t = ngettext(singular, plural, n);
	return t ? t : (n == 1 ? singular : plural);
}
#define P_(Singular, Plural, N) cli_ngettext(Singular, Plural, (unsigned long)(N))
#else
#define _(String) (String)
#define P_(Singular, Plural, N) ((N) == 1 ? (Singular) : (Plural))
#endif
#define N_(String) String

/* Once, first thing in main(). */
void cli_i18n_init(void);

#endif /* FWSEAL_CLI_I18N_H */
