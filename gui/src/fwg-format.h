/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwg-format.h - the words the app shows for dates, durations, severities and
 * the support period. Pure functions (no widgets), so every page says the
 * same thing the same way.
 */
#ifndef FWG_FORMAT_H
#define FWG_FORMAT_H

#include <glib.h>
#include <stdint.h>

/* "31 March 2029" (local calendar date of a UTC instant). */
char *fwg_format_date(int64_t unix_time);

/* "about 30 seconds", "about 2 minutes", "a few seconds". */
char *fwg_format_duration(guint seconds);

/* "About 12 seconds left", "Less than 5 seconds left". */
char *fwg_format_time_left(double seconds);

/* One sentence about the support period (EN 303 645 5.3-13), e.g.
 * "Receives security updates until 31 March 2029." */
char *fwg_format_support_end(int64_t support_end, int64_t now);

/* "Critical", "High", ... (translated). */
const char *fwg_format_severity(guint8 severity);

/* Lower-case hex of a byte string. */
char *fwg_format_hex(const guint8 *bytes, gsize len);

/* A device's version for people: the version string, or "unknown version"
 * when the device runs only its update stub. */
const char *fwg_format_version(const char *version);

/* A path for people: valid UTF-8, the home folder shown as "~". */
char *fwg_format_path(const char *path);

/* One sentence, for people, on why an update failed (an fws_err the
 * session ended with other than a lost link or a cancel); the library's
 * own, more technical sentence goes to the log. */
const char *fwg_format_failure(int code);

#endif /* FWG_FORMAT_H */
