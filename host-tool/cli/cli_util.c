/* SPDX-License-Identifier: Apache-2.0 */
/* cli_util.c - shared helpers of the fwseal subcommands (see cli_util.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_msg.h"
#include "cli_util.h"
#include "fwseal-host/crc32.h"
#include "fwseal/text.h"

#if defined(FWSEAL_ENABLE_NLS) && FWSEAL_ENABLE_NLS
#include <locale.h>
#endif

void cli_i18n_init(void)
{
#if defined(FWSEAL_ENABLE_NLS) && FWSEAL_ENABLE_NLS
	/* messages and the character set only: numbers in --json, progress
	 * lines and dates stay in the C locale */
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	const char *dir = getenv("FWSEAL_LOCALEDIR"); /* tests: the build's own catalogues */
	bindtextdomain(FWSEAL_GETTEXT_PACKAGE, dir && *dir ? dir : FWSEAL_LOCALEDIR);
	bind_textdomain_codeset(FWSEAL_GETTEXT_PACKAGE, "UTF-8");
	textdomain(FWSEAL_GETTEXT_PACKAGE);
#endif
}

void cli_error(const char *fmt, ...)
{
	va_list ap;
	flockfile(stderr);
	fputs("fwseal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

int cli_usage(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	flockfile(stderr);
	fputs("fwseal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fputc(' ', stderr);
	fprintf(stderr, _("Run 'fwseal %s --help' for usage."), ctx->name ? ctx->name : "");
	fputc('\n', stderr);
	funlockfile(stderr);
	return FWS_EXIT_USAGE;
}

/* Optimal string alignment distance (Levenshtein plus adjacent swaps),
 * capped: words longer than 63 bytes are never "close". */
static unsigned edit_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 63 || m > 63)
		return 99;
	unsigned d[64][64];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			unsigned cost = a[i - 1] == b[j - 1] ? 0u : 1u;
			unsigned v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[n][m];
}

const char *cli_suggest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	unsigned best_d = 99;
	bool tie = false;
	size_t wl = strlen(word);
	for (size_t i = 0; i < n; i++) {
		if (cands[i] == NULL)
			continue;
		unsigned d = edit_distance(word, cands[i]);
		/* a prefix of one candidate (--tru for --trust) is a suggestion too */
		if (wl >= 3 && wl < strlen(cands[i]) && strncmp(word, cands[i], wl) == 0)
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = cands[i];
			tie = false;
		} else if (d == best_d) {
			tie = true;
		}
	}
	/* close enough to be a typo: 1 edit for short words, 2 from 5 letters on */
	unsigned limit = wl >= 5 ? 2u : 1u;
	if (best == NULL || best_d == 0 || best_d > limit || tie)
		return NULL;
	return best;
}

void cli_hint_did_you_mean(const char *suggestion)
{
	if (suggestion) {
		fprintf(stderr, _("Did you mean '%s'?"), suggestion);
		fputc('\n', stderr);
	}
}

static void suggest_option(const char *bad, const struct option *longopts)
{
	if (strncmp(bad, "--", 2) != 0)
		return;
	char word[64];
	snprintf(word, sizeof word, "%s", bad + 2);
	char *eq = strchr(word, '=');
	if (eq)
		*eq = '\0';
	const char *names[64];
	size_t n = 0;
	for (const struct option *o = longopts; o->name && n < 64; o++)
		names[n++] = o->name;
	const char *s = cli_suggest(word, names, n);
	if (s) {
		char full[80];
		snprintf(full, sizeof full, "--%s", s);
		cli_hint_did_you_mean(full);
	}
}

int cli_getopt(const struct cli_ctx *ctx, int argc, char **argv, const char *shortopts,
               const struct option *longopts)
{
	opterr = 0;
	/* A leading '+' stops at the first operand only if asked; fwseal allows
	 * options and operands in any order (GNU style). */
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);
	const char *cmd = ctx->name ? ctx->name : "";
	if (c == '?') {
		const char *bad = argv[optind - 1];
		if (optopt > 0 && optopt < 128 && strchr(shortopts, optopt))
			cli_fail(MSG_OPTION_NEEDS_VALUE, bad, cmd);
		else if (optopt) {
			/* a long option that needs an argument reports its val */
			const struct option *o = longopts;
			while (o->name && o->val != optopt)
				o++;
			if (o->name) {
				char full[80];
				snprintf(full, sizeof full, "--%s", o->name);
				cli_fail(MSG_OPTION_NEEDS_VALUE, full, cmd);
			} else {
				cli_fail(MSG_UNKNOWN_OPTION, bad, cmd);
			}
		} else {
			cli_fail(MSG_UNKNOWN_OPTION, bad, cmd);
			suggest_option(bad, longopts);
		}
	} else if (c == ':') {
		cli_fail(MSG_OPTION_NEEDS_VALUE, argv[optind - 1], cmd);
		c = '?';
	}
	return c;
}

bool cli_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return false;
	}
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

bool cli_parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	if (!cli_parse_u64(s, UINT32_MAX, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool cli_parse_u16(const char *s, uint16_t *out)
{
	uint64_t v;
	if (!cli_parse_u64(s, UINT16_MAX, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

size_t cli_columns(const char *s)
{
	size_t cols = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		cols += (*p & 0xC0u) != 0x80u; /* not a continuation byte */
	return cols;
}

void cli_put_padded(FILE *f, const char *s, size_t width)
{
	fputs(s, f);
	for (size_t cols = cli_columns(s); cols < width; cols++)
		fputc(' ', f);
}

void cli_cut_columns(char *s, size_t width)
{
	size_t cols = 0;
	unsigned char *p = (unsigned char *)s;
	for (; *p; p++) {
		if ((*p & 0xC0u) == 0x80u)
			continue; /* the rest of a character already counted */
		if (cols == width) {
			*p = '\0';
			return;
		}
		cols++;
	}
}

void cli_hex(const uint8_t *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int cli_exit_for_err(fws_err e)
{
	return cli_exit_for_fws(e, false);
}

uint32_t cli_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	return fwh_crc32(crc, p, n); /* one implementation, in the host library */
}

bool cli_format_date(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) && tm.tm_year >= -1900 && tm.tm_year <= 9999 - 1900 &&
	    strftime(out, cap, "%Y-%m-%d", &tm) > 0)
		return true;
	snprintf(out, cap, "%" PRId64, t);
	return false;
}

/* ---------------------------------------------------------------------- */

void cli_json_escape(FILE *f, const char *s, size_t n)
{
	const uint8_t *u = (const uint8_t *)s;
	fputc('"', f);
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t k = fws_utf8_next(u + i, n - i, &cp);
		if (k == 0) {
			fputs("\\ufffd", f); /* not UTF-8: JSON text must be */
			i++;
			continue;
		}
		switch (cp) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (fws_text_is_control(cp))
				fprintf(f, "\\u%04x", (unsigned)cp);
			else
				fwrite(u + i, 1, k, f); /* UTF-8 passes through */
		}
		i += k;
	}
	fputc('"', f);
}

const char *cli_text_str(const char *s, size_t n, bool multiline, char *out, size_t cap)
{
	FILE *f = cap ? fmemopen(out, cap, "w") : NULL;
	if (f == NULL) {
		if (cap)
			out[0] = '\0';
		return out;
	}
	setvbuf(f, NULL, _IONBF, 0);
	cli_text(f, s, n, multiline);
	fclose(f);
	out[cap - 1] = '\0';
	return out;
}

void cli_text(FILE *f, const char *s, size_t n, bool multiline)
{
	const uint8_t *u = (const uint8_t *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t k = fws_utf8_next(u + i, n - i, &cp);
		if (k == 0) {
			fprintf(f, "\\x%02x", u[i]);
			i++;
			continue;
		}
		if (fws_text_is_control(cp) && !(multiline && (cp == '\n' || cp == '\t')))
			fprintf(f, cp < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
		else
			fwrite(u + i, 1, k, f);
		i += k;
	}
}

static void json_name(struct cli_json *j, const char *name)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	fputc('\n', j->f);
	for (int i = 0; i <= j->depth; i++)
		fputs("  ", j->f);
	if (name) {
		cli_json_escape(j->f, name, strlen(name));
		fputs(": ", j->f);
	}
}

static void json_open(struct cli_json *j, const char *name, char c)
{
	json_name(j, name);
	fputc(c, j->f);
	if (j->depth < 15)
		j->depth++;
	j->first[j->depth] = true;
}

static void json_close(struct cli_json *j, char c)
{
	bool empty = j->first[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (!empty) {
		fputc('\n', j->f);
		for (int i = 0; i <= j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
}

void cli_json_begin(struct cli_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
	fputc('{', f);
}

void cli_json_end(struct cli_json *j)
{
	fputs("\n}\n", j->f);
	fflush(j->f);
}

void cli_json_obj(struct cli_json *j, const char *name) { json_open(j, name, '{'); }
void cli_json_obj_end(struct cli_json *j) { json_close(j, '}'); }
void cli_json_arr(struct cli_json *j, const char *name) { json_open(j, name, '['); }
void cli_json_arr_end(struct cli_json *j) { json_close(j, ']'); }

void cli_json_str(struct cli_json *j, const char *name, const char *s)
{
	cli_json_strn(j, name, s, strlen(s));
}

void cli_json_strn(struct cli_json *j, const char *name, const char *s, size_t n)
{
	json_name(j, name);
	cli_json_escape(j->f, s, n);
}

void cli_json_u64(struct cli_json *j, const char *name, uint64_t v)
{
	json_name(j, name);
	fprintf(j->f, "%" PRIu64, v);
}

void cli_json_i64(struct cli_json *j, const char *name, int64_t v)
{
	json_name(j, name);
	fprintf(j->f, "%" PRId64, v);
}

void cli_json_num(struct cli_json *j, const char *name, double v, int decimals)
{
	json_name(j, name);
	fprintf(j->f, "%.*f", decimals, v);
}

void cli_json_bool(struct cli_json *j, const char *name, bool v)
{
	json_name(j, name);
	fputs(v ? "true" : "false", j->f);
}

void cli_json_null(struct cli_json *j, const char *name)
{
	json_name(j, name);
	fputs("null", j->f);
}

void cli_json_date(struct cli_json *j, const char *name, int64_t t)
{
	char date[32];
	if (t == 0 || !cli_format_date(t, date, sizeof date))
		cli_json_null(j, name);
	else
		cli_json_str(j, name, date);
}

void cli_json_hex(struct cli_json *j, const char *name, const uint8_t *p, size_t n)
{
	json_name(j, name);
	fputc('"', j->f);
	for (size_t i = 0; i < n; i++)
		fprintf(j->f, "%02x", p[i]);
	fputc('"', j->f);
}
