/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_util.h - what every fwseal subcommand shares: the command table entry,
 * option parsing, error sentences, number parsing, hex and JSON output.
 *
 * Adding a command: write cmd_NAME.c defining `const struct cli_cmd
 * cli_cmd_NAME`, add one line to the table in main.c and the file to
 * meson.build. main() handles --help (prints cmd->usage), --json (when
 * cmd->json is set: removed from argv, sets ctx->json) and --version.
 */
#ifndef FWSEAL_CLI_UTIL_H
#define FWSEAL_CLI_UTIL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli_i18n.h"
#include "exitcodes.h"
#include "fwseal/err.h"

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

struct cli_ctx {
	bool json;        /* --json given: machine-readable output on stdout */
	const char *name; /* the subcommand name, for messages */
	int verbose;      /* -v given this many times (the log level, fwseal-host/log.h) */
};

/* What an option's value (or a command's operands) is, for shell completion:
 * CLI_VAL_FILE, CLI_VAL_DIR, CLI_VAL_DEVICE, or a space-separated list of the
 * only words allowed ("none rtscts"). */
#define CLI_VAL_FILE   "@file"
#define CLI_VAL_DIR    "@dir"
#define CLI_VAL_DEVICE "@device"
#define CLI_VAL_TEXT   "@text"  /* free text: nothing to complete */

struct cli_opt_hint {
	const char *name;   /* long option name without "--" */
	const char *values; /* CLI_VAL_* or the allowed words */
};

/* One command of the table in main.c. The parser and the shell completion
 * (`fwseal completion SHELL`, cli_complete.c) read the same opts array. */
struct cli_cmd {
	const char *name;    /* "pack" */
	const char *summary; /* one line for `fwseal --help` */
	const char *usage;   /* full --help text */
	bool json;           /* accepts --json */
	/* argv[0] is the command name; returns an fws_exit code */
	int (*run)(struct cli_ctx *ctx, int argc, char **argv);
	const struct option *opts;        /* its long options, as given to cli_getopt */
	const struct cli_opt_hint *hints; /* values of options that take one (default: file) */
	const char *operands;             /* what its operands are (CLI_VAL_*), NULL: none */
	const struct cli_cmd *const *subs; /* subcommands (key generate ...), NULL-terminated */
};

/* "fwseal: <sentence>" on stderr. fmt should read "what is wrong. What to do." */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);

/* Usage error: prints the sentence plus a pointer to --help; returns FWS_EXIT_USAGE. */
int cli_usage(const struct cli_ctx *ctx, const char *fmt, ...) CLI_PRINTF(2, 3);

/* getopt_long with a clean state and one-sentence errors. Returns the option,
 * -1 at the end, or '?' after printing a usage error. */
int cli_getopt(const struct cli_ctx *ctx, int argc, char **argv, const char *shortopts,
               const struct option *longopts);

/* Numbers: decimal or 0x-hex, the whole string, within range. */
bool cli_parse_u64(const char *s, uint64_t max, uint64_t *out);
bool cli_parse_u32(const char *s, uint32_t *out);
bool cli_parse_u16(const char *s, uint16_t *out);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void cli_hex(const uint8_t *p, size_t n, char *out);

/* Print s and pad it with spaces to width columns, counting UTF-8
 * characters, not bytes (translated column headings: "GERÄT"). */
void cli_put_padded(FILE *f, const char *s, size_t width);

/* The columns s takes on a terminal: its UTF-8 characters (the translations
 * use no double-width or combining characters). */
size_t cli_columns(const char *s);

/* Cut s to at most width columns, never inside a UTF-8 character. */
void cli_cut_columns(char *s, size_t width);

/* Exit code for a protocol error the host found (cli_exit_for_fws, cli_msg.h). */
int cli_exit_for_err(fws_err e);

/* The candidate a mistyped word most likely meant, or NULL when none is
 * close enough or two are equally close ("did you mean"). */
const char *cli_suggest(const char *word, const char *const *cands, size_t n);

/* "Did you mean 'S'?" on stderr (nothing for NULL). */
void cli_hint_did_you_mean(const char *suggestion);

/* ---------------------------------------------------------------------- */
/* JSON output: a tiny streaming writer that handles commas and escaping.  */

struct cli_json {
	FILE *f;
	int depth;
	bool first[16];
};

void cli_json_begin(struct cli_json *j, FILE *f);      /* { */
void cli_json_end(struct cli_json *j);                  /* }\n */
/* name is NULL inside arrays */
void cli_json_obj(struct cli_json *j, const char *name);
void cli_json_obj_end(struct cli_json *j);
void cli_json_arr(struct cli_json *j, const char *name);
void cli_json_arr_end(struct cli_json *j);
void cli_json_str(struct cli_json *j, const char *name, const char *s);
void cli_json_strn(struct cli_json *j, const char *name, const char *s, size_t n);
void cli_json_u64(struct cli_json *j, const char *name, uint64_t v);
void cli_json_i64(struct cli_json *j, const char *name, int64_t v);
/* A finite number with that many decimals. */
void cli_json_num(struct cli_json *j, const char *name, double v, int decimals);
void cli_json_bool(struct cli_json *j, const char *name, bool v);
void cli_json_null(struct cli_json *j, const char *name);
void cli_json_hex(struct cli_json *j, const char *name, const uint8_t *p, size_t n);
/* A date as "YYYY-MM-DD" (ISO 8601); null for 0 (not given) or out of range. */
void cli_json_date(struct cli_json *j, const char *name, int64_t t);

/* Write s (n bytes) as a JSON string literal with quotes. Control
 * characters (C0, DEL, C1) are written as \uXXXX and bytes that are not
 * valid UTF-8 as \uFFFD, so the result is valid JSON whatever s holds. */
void cli_json_escape(FILE *f, const char *s, size_t n);

/* Write text the CLI did not produce itself (a package's notes, a device's
 * strings) for a terminal: valid UTF-8 passes, every control character
 * (C0, DEL, C1; newline and tab only if multiline) is shown as \xNN or
 * \uNNNN, and a byte that is not valid UTF-8 as \xNN. So no package or
 * device can send escape sequences to the user's terminal. */
void cli_text(FILE *f, const char *s, size_t n, bool multiline);
/* The same into out (cap bytes, NUL-terminated, cut if it does not fit;
 * an escape takes at most 6 bytes per byte of s): returns out. */
const char *cli_text_str(const char *s, size_t n, bool multiline, char *out, size_t cap);

/* CRC-32 exactly as fws_crc32 (zlib-compatible: start with 0 and chain);
 * fwh_crc32 (fwseal-host/crc32.h) under the CLI's name. The DFU suffix CRC
 * of bytes B is ~cli_crc32(0, B). */
uint32_t cli_crc32(uint32_t crc, const uint8_t *p, size_t n);

/* "YYYY-MM-DD" (ISO 8601) of seconds since 1970 UTC (out >= 32 bytes);
 * false (and the number in out) when the year is not representable. */
bool cli_format_date(int64_t t, char *out, size_t cap);

#endif /* FWSEAL_CLI_UTIL_H */
