/* SPDX-License-Identifier: Apache-2.0 */
/* cli_util.c - shared helpers of the fwseal subcommands (see cli_util.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_util.h"
#include "fwseal-host/crc32.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("fwseal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	fputs("fwseal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " Run 'fwseal %s --help' for usage.\n", ctx->name ? ctx->name : "");
	return FWS_EXIT_USAGE;
}

int cli_getopt(const struct cli_ctx *ctx, int argc, char **argv, const char *shortopts,
               const struct option *longopts)
{
	opterr = 0;
	/* A leading '+' stops at the first operand only if asked; fwseal allows
	 * options and operands in any order (GNU style). */
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == '?') {
		const char *bad = argv[optind - 1];
		if (optopt > 0 && optopt < 128 && strchr(shortopts, optopt))
			cli_usage(ctx, "Option '%s' needs a value.", bad);
		else if (optopt) {
			/* a long option that needs an argument reports its val */
			const struct option *o = longopts;
			while (o->name && o->val != optopt)
				o++;
			if (o->name)
				cli_usage(ctx, "Option '--%s' needs a value.", o->name);
			else
				cli_usage(ctx, "Unknown option '%s'.", bad);
		} else
			cli_usage(ctx, "Unknown option '%s'.", bad);
	} else if (c == ':') {
		cli_usage(ctx, "Option '%s' needs a value.", argv[optind - 1]);
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
	if (e == FWS_OK)
		return FWS_EXIT_OK;
	if (e <= FWS_E_MODEL && e >= FWS_E_VENDOR)
		return FWS_EXIT_POLICY;
	if (e == FWS_E_IO)
		return FWS_EXIT_IO;
	return FWS_EXIT_BAD_PACKAGE;
}

uint32_t cli_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	return fwh_crc32(crc, p, n); /* one implementation, in the host library */
}

void cli_format_date(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) && strftime(out, cap, "%Y-%m-%d", &tm) > 0)
		return;
	snprintf(out, cap, "%" PRId64, t);
}

/* ---------------------------------------------------------------------- */

void cli_json_escape(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f); /* UTF-8 passes through */
		}
	}
	fputc('"', f);
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

void cli_json_hex(struct cli_json *j, const char *name, const uint8_t *p, size_t n)
{
	json_name(j, name);
	fputc('"', j->f);
	for (size_t i = 0; i < n; i++)
		fprintf(j->f, "%02x", p[i]);
	fputc('"', j->f);
}
