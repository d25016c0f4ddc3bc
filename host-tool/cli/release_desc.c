/* SPDX-License-Identifier: Apache-2.0 */
/*
 * release_desc.c - parser of the release description (docs/release-description.md).
 *
 *   # comment            ; comment too
 *   field = value
 *   release_notes = first line
 *     continued line     (lines starting with a space or tab continue
 *                         risks and release_notes with a line break)
 *
 * Every error names the file and line and says how to fix it.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "fwseal/text.h"
#include "release_desc.h"

struct field_info {
	const char *name;
	bool required;
	bool multiline;
};

static const struct field_info fields[REL_FIELD_COUNT] = {
	[REL_VENDOR_ID] = {"vendor_id", true, false},
	[REL_CLASS_ID] = {"class_id", true, false},
	[REL_MODEL] = {"model", true, false},
	[REL_HW_REV_MIN] = {"hw_rev_min", false, false},
	[REL_HW_REV_MAX] = {"hw_rev_max", false, false},
	[REL_COMPONENT] = {"component", false, false},
	[REL_VERSION] = {"version", true, false},
	[REL_SECURITY_COUNTER] = {"security_counter", true, false},
	[REL_BLOCK_SIZE] = {"block_size", false, false},
	[REL_RELEASE_DATE] = {"release_date", true, false},
	[REL_SUPPORT_END] = {"support_end", true, false},
	[REL_SECURITY_UPDATE] = {"security_update", false, false},
	[REL_SEVERITY] = {"severity", false, false},
	[REL_RISKS] = {"risks", false, true},
	[REL_CVES] = {"cves", false, false},
	[REL_REBOOT] = {"reboot", false, false},
	[REL_DOWNTIME_S] = {"downtime_s", false, false},
	[REL_RELEASE_NOTES] = {"release_notes", false, true},
	[REL_SBOM] = {"sbom", false, false},
	[REL_VULN_CONFIRMED] = {"vulnerability_confirmed", false, false},
	[REL_FIX_AVAILABLE] = {"fix_available", false, false},
};

/* Where a value came from, for messages: "rel.ini:12" or "--set". */
struct origin {
	const char *name;
	unsigned line;
};

/* err->text = "where: " + the sentence, in the user's language (fmt is a
 * msgid: xgettext keyword rel_fail:3, po/meson.build). */
static bool rel_fail(rel_error *err, const struct origin *o, const char *fmt, ...) CLI_PRINTF(3, 4);
static bool rel_fail(rel_error *err, const struct origin *o, const char *fmt, ...)
{
	int n = 0;
	if (o && o->line)
		n = snprintf(err->text, sizeof(err->text), "%s:%u: ", o->name, o->line);
	else if (o)
		n = snprintf(err->text, sizeof(err->text), "%s: ", o->name);
	if (n < 0 || (size_t)n >= sizeof(err->text))
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->text + n, sizeof(err->text) - (size_t)n, _(fmt), ap);
	va_end(ap);
	return false;
}

const char *rel_field_name(enum rel_field f)
{
	return (unsigned)f < REL_FIELD_COUNT ? fields[f].name : "?";
}

void rel_init(rel_desc *r)
{
	memset(r, 0, sizeof(*r));
	r->m.hw_rev_min = 0;
	r->m.hw_rev_max = 0xFFFF;
	snprintf(r->component, sizeof(r->component), "app");
	r->m.block_size = REL_BLOCK_SIZE_DEFAULT;
	r->m.reboot = true;
	r->m.model = r->model;
	r->m.component = r->component;
	r->m.version = r->version;
}

/* Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

bool rel_parse_date(const char *s, int64_t *seconds)
{
	static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	unsigned y = (unsigned)atoi(s), m = (unsigned)atoi(s + 5), d = (unsigned)atoi(s + 8);
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	unsigned max = mdays[m - 1] + (m == 2 && leap);
	if (d > max)
		return false;
	*seconds = days_from_civil(y, m, d) * 86400;
	return true;
}

static bool parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true")) {
		*out = true;
		return true;
	}
	if (!strcmp(v, "no") || !strcmp(v, "false")) {
		*out = false;
		return true;
	}
	return false;
}

/* Text rules of docs/package-format.md (fwseal/text.h): model, component
 * and version are printable ASCII without edge spaces; risks and notes are
 * UTF-8 with newline and tab but no other control character (C0, DEL, C1). */
static bool set_text(char *dst, size_t max, size_t min, const char *v, const char *fname,
                     bool one_line, const struct origin *o, rel_error *err)
{
	size_t n = strlen(v);
	if (n < min)
		return rel_fail(err, o, "%s is empty. Give it a value.", fname);
	if (n > max)
		return rel_fail(err, o, "%s is %zu bytes long; the limit is %zu. Shorten it.", fname, n,
		            max);
	const unsigned char *u = (const unsigned char *)v;
	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		if (one_line && (c < 0x20 || c > 0x7E))
			return rel_fail(err, o, "%s may only contain printable ASCII characters. Remove the others.",
			            fname);
		uint32_t cp;
		size_t k = fws_utf8_next(u + i, n - i, &cp);
		if (!k)
			return rel_fail(err, o, "%s is not valid UTF-8. Save the file as UTF-8.", fname);
		if (fws_text_is_control(cp) && cp != '\n' && cp != '\t')
			return rel_fail(err, o, "%s contains a control character (U+%04X). Remove it.", fname,
			            (unsigned)cp);
		i += k;
	}
	if (one_line && n > 0 && (v[0] == ' ' || v[n - 1] == ' '))
		return rel_fail(err, o, "%s starts or ends with a space. Remove it.", fname);
	memcpy(dst, v, n + 1);
	return true;
}

static bool set_cves(rel_desc *r, const char *v, const struct origin *o, rel_error *err)
{
	unsigned count = 0;
	const char *p = v;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		const char *start = p;
		while (*p && *p != ',')
			p++;
		const char *end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		size_t n = (size_t)(end - start);
		if (count >= FWS_CVE_COUNT_MAX)
			return rel_fail(err, o, "cves lists more than %u ids. Keep the %u most important.",
			            FWS_CVE_COUNT_MAX, FWS_CVE_COUNT_MAX);
		bool ok = n >= 13 && n <= FWS_CVE_MAX && !strncmp(start, "CVE-", 4) &&
		          start[8] == '-';
		for (size_t i = 4; ok && i < n; i++)
			ok = i == 8 || isdigit((unsigned char)start[i]);
		if (!ok)
			return rel_fail(err, o, "'%.*s' is not a CVE id. Write ids like CVE-2024-12345, separated by commas.",
			            (int)(n > 40 ? 40 : n), start);
		memcpy(r->cves[count], start, n);
		r->cves[count][n] = '\0';
		r->m.cves[count] = r->cves[count];
		count++;
	}
	r->m.cve_count = count;
	return true;
}

static bool apply(rel_desc *r, enum rel_field f, const char *v, const struct origin *o,
                  rel_error *err)
{
	const char *fname = fields[f].name;
	uint16_t u16;
	uint32_t u32;
	int64_t date;
	bool b;
	switch (f) {
	case REL_VENDOR_ID:
	case REL_CLASS_ID:
	case REL_HW_REV_MIN:
	case REL_HW_REV_MAX:
		if (!cli_parse_u16(v, &u16))
			return rel_fail(err, o, "%s '%s' is not a number from 0 to 65535 (0x0000 to 0xffff). Fix the value.",
			            fname, v);
		if (f == REL_VENDOR_ID)
			r->m.vendor_id = u16;
		else if (f == REL_CLASS_ID)
			r->m.class_id = u16;
		else if (f == REL_HW_REV_MIN)
			r->m.hw_rev_min = u16;
		else
			r->m.hw_rev_max = u16;
		return true;
	case REL_SECURITY_COUNTER:
	case REL_DOWNTIME_S:
		if (!cli_parse_u32(v, &u32))
			return rel_fail(err, o, "%s '%s' is not a number from 0 to 4294967295. Fix the value.",
			            fname, v);
		if (f == REL_SECURITY_COUNTER)
			r->m.security_counter = u32;
		else
			r->m.downtime_s = u32;
		return true;
	case REL_BLOCK_SIZE:
		if (!cli_parse_u32(v, &u32) || u32 < FWS_PKG_BLOCK_MIN || u32 > FWS_PKG_BLOCK_MAX ||
		    (u32 & (u32 - 1)))
			return rel_fail(err, o, "block_size '%s' is not a power of two from %u to %u. Use e.g. 4096.",
			            v, FWS_PKG_BLOCK_MIN, FWS_PKG_BLOCK_MAX);
		r->m.block_size = u32;
		return true;
	case REL_MODEL:
		return set_text(r->model, FWS_MODEL_MAX, 1, v, fname, true, o, err);
	case REL_COMPONENT:
		return set_text(r->component, FWS_COMPONENT_MAX, 1, v, fname, true, o, err);
	case REL_VERSION:
		if (!rel_version_valid(v))
			return rel_fail(err, o, "version '%.40s' is not a version number. Write numbers "
			            "separated by dots, e.g. 1.4.2, optionally followed by -rc.1 or "
			            "+build.7 (docs/release-description.md).",
			            v);
		return set_text(r->version, FWS_VERSION_MAX, 1, v, fname, true, o, err);
	case REL_RISKS:
		if (!set_text(r->risks, FWS_RISKS_MAX, 0, v, fname, false, o, err))
			return false;
		r->m.risks = r->risks[0] ? r->risks : NULL;
		return true;
	case REL_RELEASE_NOTES:
		if (!set_text(r->notes, FWS_NOTES_MAX, 0, v, fname, false, o, err))
			return false;
		r->m.notes = r->notes[0] ? r->notes : NULL;
		return true;
	case REL_RELEASE_DATE:
	case REL_SUPPORT_END:
	case REL_VULN_CONFIRMED:
	case REL_FIX_AVAILABLE:
		if (!rel_parse_date(v, &date))
			return rel_fail(err, o, "%s '%s' is not a valid date. Write it as YYYY-MM-DD, e.g. 2025-03-31.",
			            fname, v);
		if (f == REL_RELEASE_DATE)
			r->m.release_date = date;
		else if (f == REL_SUPPORT_END)
			r->m.support_end = date;
		else if (f == REL_VULN_CONFIRMED)
			r->vuln_confirmed = date;
		else
			r->fix_available = date;
		return true;
	case REL_SBOM:
		if (!*v || strlen(v) >= sizeof(r->sbom))
			return rel_fail(err, o, "sbom must name the SBOM file (a path of up to %zu bytes). Fix the value.",
			            sizeof(r->sbom) - 1);
		memcpy(r->sbom, v, strlen(v) + 1);
		r->sbom_from_option = o && !strcmp(o->name, "--set");
		return true;
	case REL_SECURITY_UPDATE:
	case REL_REBOOT:
		if (!parse_bool(v, &b))
			return rel_fail(err, o, "%s '%s' is not yes or no. Write yes or no.", fname, v);
		if (f == REL_SECURITY_UPDATE)
			r->m.security_update = b;
		else
			r->m.reboot = b;
		return true;
	case REL_SEVERITY:
		for (uint8_t s = FWS_SEVERITY_NONE; s <= FWS_SEVERITY_CRITICAL; s++) {
			if (!strcmp(v, fws_severity_name(s))) {
				r->m.severity = s;
				return true;
			}
		}
		return rel_fail(err, o, "severity '%s' is unknown. Use none, low, medium, high or critical.", v);
	case REL_CVES:
		return set_cves(r, v, o, err);
	case REL_FIELD_COUNT:
		break;
	}
	return rel_fail(err, o, "internal error: unhandled field.");
}

static int lookup(const char *name, size_t n)
{
	for (int f = 0; f < REL_FIELD_COUNT; f++)
		if (strlen(fields[f].name) == n && !strncmp(fields[f].name, name, n))
			return f;
	return -1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Strip one pair of double quotes so a value can keep edge spaces or a '#'. */
static char *unquote(char *v)
{
	size_t n = strlen(v);
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v[n - 1] = '\0';
		return v + 1;
	}
	return v;
}

#define REL_VALUE_MAX (FWS_NOTES_MAX + 256u)

struct pending {
	int field; /* -1: none */
	unsigned line;
	size_t len;
	char value[REL_VALUE_MAX + 1];
};

static bool flush(rel_desc *r, struct pending *p, const char *name, rel_error *err)
{
	if (p->field < 0)
		return true;
	struct origin o = {name, p->line};
	bool ok = apply(r, (enum rel_field)p->field, unquote(p->value), &o, err);
	if (ok)
		r->line[p->field] = p->line;
	p->field = -1;
	return ok;
}

static bool append(struct pending *p, const char *s, bool newline, const char *name, unsigned line,
                   rel_error *err)
{
	size_t n = strlen(s) + (newline ? 1 : 0);
	if (p->len + n > REL_VALUE_MAX) {
		struct origin o = {name, line};
		return rel_fail(err, &o, "%s is too long. Shorten it.", fields[p->field].name);
	}
	if (newline)
		p->value[p->len++] = '\n';
	memcpy(p->value + p->len, s, strlen(s) + 1);
	p->len += strlen(s);
	return true;
}

bool rel_parse_text(rel_desc *r, const char *text, const char *name, rel_error *err)
{
	static struct pending pend; /* large; the CLI is single-threaded */
	struct pending *p = &pend;
	char line[REL_VALUE_MAX + 64];
	unsigned lineno = 0;
	p->field = -1;
	if (!strncmp(text, "\xef\xbb\xbf", 3))
		text += 3; /* a UTF-8 byte order mark some editors write */
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		lineno++;
		struct origin o = {name, lineno};
		if (n >= sizeof(line))
			return rel_fail(err, &o, "the line is longer than %zu bytes. Break it up.",
			            sizeof(line) - 1);
		memcpy(line, text, n);
		line[n] = '\0';
		text += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n))
			return rel_fail(err, &o, "the line contains a NUL byte. Save the file as UTF-8 text.");

		bool indented = line[0] == ' ' || line[0] == '\t';
		char *s = trim(line);
		if (*s == '\0') {
			if (!flush(r, p, name, err))
				return false;
			continue;
		}
		if (*s == '#' || *s == ';')
			continue;
		if (indented) {
			if (p->field < 0 || !fields[p->field].multiline)
				return rel_fail(err, &o, "an indented line continues a value, but only risks and release_notes may span lines. Remove the indentation.");
			if (!append(p, unquote(s), true, name, lineno, err))
				return false;
			continue;
		}
		if (!flush(r, p, name, err))
			return false;
		char *eq = strchr(s, '=');
		if (!eq)
			return rel_fail(err, &o, "expected 'field = value'. Add the '=' or comment the line out with '#'.");
		*eq = '\0';
		char *key = trim(s);
		int f = lookup(key, strlen(key));
		if (f < 0)
			return rel_fail(err, &o, "unknown field '%.40s'. Check the spelling (see docs/release-description.md).",
			            key);
		if (r->line[f] && !r->set_by_option[f])
			return rel_fail(err, &o, "%s is set twice (first on line %u). Keep one.", key,
			            r->line[f]);
		p->field = f;
		p->line = lineno;
		p->len = 0;
		p->value[0] = '\0';
		if (!append(p, trim(eq + 1), false, name, lineno, err))
			return false;
		r->line[f] = lineno; /* for the duplicate check; confirmed by flush */
	}
	r->last_line = lineno;
	return flush(r, p, name, err);
}

bool rel_parse_file(rel_desc *r, const char *path, rel_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return rel_fail(err, NULL, "cannot open the release description %s. Check the path.", path);
	static char text[64 * 1024 + 1];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	bool big = n == sizeof(text) - 1 && fgetc(f) != EOF;
	fclose(f);
	if (big)
		return rel_fail(err, NULL, "the release description %s is larger than 64 KiB. Shorten the notes.",
		            path);
	text[n] = '\0';
	if (strlen(text) != n) {
		struct origin o = {path, 0};
		return rel_fail(err, &o, "the file contains a NUL byte. Save it as UTF-8 text.");
	}
	return rel_parse_text(r, text, path, err);
}

bool rel_set(rel_desc *r, const char *assignment, rel_error *err)
{
	struct origin o = {"--set", 0};
	const char *eq = strchr(assignment, '=');
	if (!eq)
		return rel_fail(err, &o, "'%.60s' is not FIELD=VALUE. Write e.g. --set version=1.2.3.",
		            assignment);
	int f = lookup(assignment, (size_t)(eq - assignment));
	if (f < 0)
		return rel_fail(err, &o, "unknown field '%.*s'. Use a field name of the release description.",
		            (int)(eq - assignment > 40 ? 40 : eq - assignment), assignment);
	static char value[REL_VALUE_MAX + 1];
	size_t n = strlen(eq + 1);
	if (n > REL_VALUE_MAX)
		return rel_fail(err, &o, "the value of %s is too long. Shorten it.", fields[f].name);
	memcpy(value, eq + 1, n + 1);
	if (!apply(r, (enum rel_field)f, value, &o, err))
		return false;
	r->set_by_option[f] = true;
	if (!r->line[f])
		r->line[f] = 1;
	return true;
}

/* Where a cross-field rule points: the line of field f in the file, or
 * "--set" when an option gave it, or the file alone when it is absent. */
static struct origin where(const rel_desc *r, const char *name, enum rel_field f)
{
	struct origin o = {name, 0};
	if (r->set_by_option[f])
		o.name = "--set";
	else
		o.line = r->line[f];
	return o;
}

bool rel_finish(rel_desc *r, const char *name, rel_error *err)
{
	struct origin o = {name, 0}; /* a missing field has no line */
	for (int f = 0; f < REL_FIELD_COUNT; f++)
		if (fields[f].required && !r->line[f] && !r->set_by_option[f])
			return rel_fail(err, &o, "required field '%s' is missing. Add a line '%s = ...' or pass --set %s=VALUE.",
			            fields[f].name, fields[f].name, fields[f].name);
	if (r->m.hw_rev_min > r->m.hw_rev_max) {
		o = where(r, name, REL_HW_REV_MAX);
		return rel_fail(err, &o, "hw_rev_min (%u) is above hw_rev_max (%u). Swap or fix them.",
		            r->m.hw_rev_min, r->m.hw_rev_max);
	}
	if (r->m.support_end < r->m.release_date) {
		o = where(r, name, REL_SUPPORT_END);
		return rel_fail(err, &o, "support_end is before release_date. Give the date security support ends.");
	}
	if (!r->m.security_update && (r->m.severity != FWS_SEVERITY_NONE || r->m.cve_count)) {
		o = where(r, name, r->m.cve_count ? REL_CVES : REL_SEVERITY);
		return rel_fail(err, &o, "severity or cves are given but security_update is no. Set security_update = yes, or remove them.");
	}
	if (r->m.security_update && r->m.severity == FWS_SEVERITY_NONE) {
		o = where(r, name, REL_SECURITY_UPDATE);
		return rel_fail(err, &o, "security_update is yes but severity is none. Set severity to low, medium, high or critical.");
	}
	/* EN 303 645 5.3-11: a security update says which risks it mitigates;
	 * the device's owner sees this before installing */
	if (r->m.security_update && r->risks[0] == '\0') {
		o = where(r, name, REL_SECURITY_UPDATE);
		return rel_fail(err, &o, "security_update is yes but risks is empty. Say in risks which risks the update mitigates (EN 303 645 5.3-11).");
	}
	/* 5.3-8 record: confirmed <= available <= released (release_date) */
	if (r->vuln_confirmed && r->fix_available && r->fix_available < r->vuln_confirmed) {
		o = where(r, name, REL_FIX_AVAILABLE);
		return rel_fail(err, &o, "fix_available is before vulnerability_confirmed. Check both dates.");
	}
	if (r->fix_available && r->m.release_date < r->fix_available) {
		o = where(r, name, REL_RELEASE_DATE);
		return rel_fail(err, &o, "release_date is before fix_available. A release publishes a fix that is available; check the dates.");
	}
	if (r->vuln_confirmed && r->m.release_date < r->vuln_confirmed) {
		o = where(r, name, REL_RELEASE_DATE);
		return rel_fail(err, &o, "release_date is before vulnerability_confirmed. Check the dates.");
	}
	return true;
}

static bool all_of(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(set, s[i]) || s[i] == '\0')
			return false;
	return true;
}

/* Dot-separated identifiers of [0-9A-Za-z-]; numeric ones without leading
 * zeros when strict_numbers (SemVer 2.0.0 pre-release rules). */
static bool idents_valid(const char *s, size_t n, bool strict_numbers)
{
	static const char alnum[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-";
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		size_t len = i - start;
		if (len == 0 || !all_of(s + start, len, alnum))
			return false;
		if (strict_numbers && len > 1 && s[start] == '0' && all_of(s + start, len, "0123456789"))
			return false;
		start = i + 1;
	}
	return true;
}

bool rel_version_valid(const char *v)
{
	size_t n = strlen(v);
	size_t core = strcspn(v, "-+");
	/* MAJOR[.MINOR[.PATCH[.BUILD]]]: 1 to 4 numbers, no leading zeros */
	unsigned parts = 0;
	size_t start = 0;
	for (size_t i = 0; i <= core; i++) {
		if (i < core && v[i] != '.')
			continue;
		size_t len = i - start;
		if (len == 0 || len > 9 || !all_of(v + start, len, "0123456789") ||
		    (len > 1 && v[start] == '0'))
			return false;
		parts++;
		start = i + 1;
	}
	if (parts > 4)
		return false;
	if (core == n)
		return true;
	size_t plus = strcspn(v + core, "+") + core; /* '+' or n */
	if (v[core] == '-' && !idents_valid(v + core + 1, plus - core - 1, true))
		return false;
	if (plus < n && !idents_valid(v + plus + 1, n - plus - 1, false))
		return false;
	return true;
}
