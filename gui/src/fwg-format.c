/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-format.c - see fwg-format.h. */
#include "fwg-config.h"

#include "fwg-i18n.h"
#include <string.h>

#include "fwg-format.h"
#include "fwseal/err.h"
#include "fwseal/pkg.h"

char *fwg_format_date(int64_t unix_time)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(unix_time);
	if (!utc)
		return g_strdup(_("an unknown date"));
	g_autoptr(GDateTime) local = g_date_time_to_local(utc);
	/* Translators: a calendar date, see strftime(3); e.g. "31 March 2029" */
	return g_date_time_format(local, _("%-d %B %Y"));
}

char *fwg_format_duration(guint seconds)
{
	if (seconds < 5)
		return g_strdup(_("a few seconds"));
	if (seconds < 90)
		return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "about %u second",
		                                   "about %u seconds", seconds),
		                       seconds);
	guint minutes = (seconds + 30) / 60;
	if (minutes < 90)
		return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "about %u minute",
		                                   "about %u minutes", minutes),
		                       minutes);
	guint hours = (minutes + 30) / 60;
	return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "about %u hour", "about %u hours",
	                                   hours),
	                       hours);
}

char *fwg_format_time_left(double seconds)
{
	if (seconds < 0)
		return g_strdup(_("Working out the time left…"));
	if (seconds < 5)
		return g_strdup(_("Less than 5 seconds left"));
	guint s = (guint)(seconds + 0.5);
	if (s < 60) {
		/* To the nearest 5 s, so the label does not change every tick. */
		s = MAX(5u, (s + 2) / 5 * 5);
		return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "About %u second left",
		                                   "About %u seconds left", s),
		                       s);
	}
	guint m = (s + 30) / 60;
	return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "About %u minute left",
	                                   "About %u minutes left", m),
	                       m);
}

char *fwg_format_support_end(int64_t support_end, int64_t now)
{
	if (support_end <= 0)
		return g_strdup(_("The device does not say until when it receives security updates. "
		                  "Ask the manufacturer."));
	g_autofree char *date = fwg_format_date(support_end);
	if (support_end < now)
		return g_strdup_printf(_("Security updates for this device ended on %s. "
		                         "Consider replacing it."), date);
	return g_strdup_printf(_("Receives security updates until %s."), date);
}

const char *fwg_format_severity(guint8 severity)
{
	switch (severity) {
	case FWS_SEVERITY_NONE: return _("Not rated");
	case FWS_SEVERITY_LOW: return _("Low");
	case FWS_SEVERITY_MEDIUM: return _("Medium");
	case FWS_SEVERITY_HIGH: return _("High");
	case FWS_SEVERITY_CRITICAL: return _("Critical");
	default: return _("Unknown");
	}
}

char *fwg_format_hex(const guint8 *bytes, gsize len)
{
	GString *s = g_string_sized_new(len * 2 + 1);
	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02x", bytes[i]);
	return g_string_free(s, FALSE);
}

const char *fwg_format_version(const char *version)
{
	return version && *version ? version : _("no firmware yet");
}

char *fwg_format_path(const char *path)
{
	g_autofree char *shown = g_filename_display_name(path);
	const char *home = g_get_home_dir();
	gsize n = home ? strlen(home) : 0;
	if (n > 1 && g_str_has_prefix(path, home) && (path[n] == '/' || path[n] == '\0')) {
		g_autofree char *rest = g_filename_display_name(path + n);
		return g_strconcat("~", rest, NULL);
	}
	return g_steal_pointer(&shown);
}

const char *fwg_format_failure(int code)
{
	switch (code) {
	case FWS_E_REVERTED:
		return _("The device restarted with its previous firmware, because the new one did "
		         "not start correctly. Ask the maker of the device before you try again.");
	case FWS_E_NO_IMAGE:
		return _("The device restarted but found no firmware it can start, so it waits for "
		         "an update. Install the update again.");
	case FWS_E_FLASH_WRITE:
	case FWS_E_FLASH_ERASE:
	case FWS_E_FLASH_VERIFY:
		return _("The device could not write the update to its memory.");
	case FWS_E_JOURNAL:
		return _("The device's record of the update is damaged.");
	case FWS_E_SIGNATURE:
	case FWS_E_BLOCK_DIGEST:
	case FWS_E_IMAGE_DIGEST:
	case FWS_E_CHAIN_END:
		return _("The device found that the update was changed on the way and refused it.");
	case FWS_E_UNTRUSTED_KEY:
	case FWS_E_REVOKED_KEY:
		return _("The device does not trust the key this package was signed with.");
	case FWS_E_DOWNGRADE:
		return _("The device refused to go back to an older version.");
	case FWS_E_MODEL:
	case FWS_E_VENDOR:
	case FWS_E_HW_REV:
	case FWS_E_COMPONENT:
	case FWS_E_TOO_BIG:
	case FWS_E_BLOCK_SIZE:
		return _("The device refused the package: it is not made for this device.");
	case FWS_E_BUSY:
		return _("The device was busy.");
	default:
		return _("The device answered in an unexpected way.");
	}
}
