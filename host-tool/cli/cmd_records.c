/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_records.c - `fwseal records`: print the production records of this
 * station (one row per flashing attempt, fwseal-host/records.h) as a table,
 * as one JSON array of row objects, or as CSV (RFC 4180) for spreadsheets.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "fwseal-host/records.h"

enum out_format { OUT_TABLE, OUT_JSON, OUT_CSV };

struct walk {
	enum out_format fmt;
	FILE *f;
	struct cli_json j;
	size_t rows;
};

/* Text for a terminal or a CSV cell: records written by fwseal hold
 * printable text only, but the file may have been written by anything, and a
 * control byte must not reach a terminal. */
static void clean(const char *s, char *out, size_t cap)
{
	size_t i = 0;
	for (; s[i] && i + 1 < cap; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	out[i] = '\0';
}

/* RFC 4180 cell. A leading = + - @ would be taken for a formula by
 * spreadsheet programs (CSV injection): such cells get a leading '. */
static void csv_cell(FILE *f, const char *s, bool last)
{
	char buf[FWH_REC_ERROR_MAX + 1];
	clean(s, buf, sizeof buf);
	fputc('"', f);
	if (buf[0] == '=' || buf[0] == '+' || buf[0] == '-' || buf[0] == '@')
		fputc('\'', f);
	for (const char *p = buf; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
	fputs(last ? "\r\n" : ",", f);
}

static void csv_row(FILE *f, const fwh_record *r)
{
	char t[FWH_REC_TIME_MAX];
	fwh_records_format_time(r->started_ms, t);
	fprintf(f, "%" PRId64 ",", r->id);
	csv_cell(f, t, false);
	csv_cell(f, r->station, false);
	csv_cell(f, r->device, false);
	csv_cell(f, r->serial, false);
	csv_cell(f, r->model, false);
	if (r->hw_rev >= 0)
		fprintf(f, "%" PRId32, r->hw_rev);
	fputc(',', f);
	csv_cell(f, r->from_version, false);
	csv_cell(f, r->to_version, false);
	csv_cell(f, r->package_sha256, false);
	csv_cell(f, fwh_rec_result_name(r->result), false);
	csv_cell(f, r->error_code, false);
	csv_cell(f, r->error, false);
	if (r->duration_ms >= 0)
		fprintf(f, "%" PRId64, r->duration_ms);
	fputs("\r\n", f);
}

static void json_row(struct cli_json *j, const fwh_record *r)
{
	char t[FWH_REC_TIME_MAX];
	fwh_records_format_time(r->started_ms, t);
	cli_json_obj(j, NULL);
	cli_json_i64(j, "id", r->id);
	cli_json_str(j, "time", t);
	cli_json_str(j, "station", r->station);
	cli_json_str(j, "device", r->device);
	cli_json_str(j, "serial", r->serial);
	cli_json_str(j, "model", r->model);
	if (r->hw_rev >= 0)
		cli_json_i64(j, "hw_rev", r->hw_rev);
	else
		cli_json_null(j, "hw_rev");
	cli_json_str(j, "from_version", r->from_version);
	cli_json_str(j, "to_version", r->to_version);
	cli_json_str(j, "package_sha256", r->package_sha256);
	cli_json_str(j, "result", fwh_rec_result_name(r->result));
	cli_json_str(j, "error_code", r->error_code);
	cli_json_str(j, "error", r->error);
	if (r->duration_ms >= 0)
		cli_json_i64(j, "duration_ms", r->duration_ms);
	else
		cli_json_null(j, "duration_ms");
	cli_json_obj_end(j);
}

static void table_row(FILE *f, const fwh_record *r)
{
	char t[FWH_REC_TIME_MAX], st[24], sn[FWS_SERIAL_MAX + 1], model[FWS_MODEL_MAX + 1];
	char from[FWS_VERSION_MAX + 1], to[FWS_VERSION_MAX + 1], err[FWH_REC_ERROR_MAX + 1];
	char hw[16] = "-", dur[24] = "-";
	fwh_records_format_time(r->started_ms, t);
	t[19] = '\0'; /* to the second is enough to read */
	clean(r->station, st, sizeof st);
	clean(r->serial[0] ? r->serial : "?", sn, sizeof sn);
	clean(r->model[0] ? r->model : "?", model, sizeof model);
	clean(r->from_version[0] ? r->from_version : "-", from, sizeof from);
	clean(r->to_version, to, sizeof to);
	clean(r->error, err, sizeof err);
	if (r->hw_rev >= 0)
		snprintf(hw, sizeof hw, "%" PRId32, r->hw_rev);
	if (r->duration_ms >= 0)
		snprintf(dur, sizeof dur, "%" PRId64 ".%01" PRId64, r->duration_ms / 1000,
		         (r->duration_ms % 1000) / 100);
	fprintf(f, "%6" PRId64 "  %s  %-12s %-16s %-14s %3s  %-10s %-10s %-11s %7s  %s\n", r->id,
	        t, st, sn, model, hw, from, to, fwh_rec_result_name(r->result), dur, err);
}

static int on_row(const fwh_record *r, void *user)
{
	struct walk *w = user;
	switch (w->fmt) {
	case OUT_JSON: json_row(&w->j, r); break;
	case OUT_CSV: csv_row(w->f, r); break;
	case OUT_TABLE: table_row(w->f, r); break;
	}
	w->rows++;
	return 0;
}

static void begin_output(struct walk *w)
{
	switch (w->fmt) {
	case OUT_JSON:
		/* the shared writer starts objects; the answer here is an array */
		memset(&w->j, 0, sizeof w->j);
		w->j.f = w->f;
		w->j.first[0] = true;
		fputc('[', w->f);
		break;
	case OUT_CSV:
		fputs("id,time,station,device,serial,model,hw_rev,from_version,to_version,"
		      "package_sha256,result,error_code,error,duration_ms\r\n",
		      w->f);
		break;
	case OUT_TABLE:
		fprintf(w->f, "%6s  %-19s  %-12s %-16s %-14s %3s  %-10s %-10s %-11s %7s  %s\n", "ID",
		        "TIME (UTC)", "STATION", "SERIAL", "MODEL", "HW", "FROM", "TO", "RESULT",
		        "SECONDS", "ERROR");
		break;
	}
}

static void end_output(struct walk *w)
{
	if (w->fmt == OUT_JSON)
		fputs(w->rows ? "\n]\n" : "]\n", w->f);
	else if (w->fmt == OUT_TABLE && w->rows == 0)
		fputs(_("(no attempts recorded)\n"), w->f);
	fflush(w->f);
}

static const struct option opts[] = {
	{"since", required_argument, NULL, 's'},
	{"csv", no_argument, NULL, 'c'},
	{"records", required_argument, NULL, 'r'},
	{NULL, 0, NULL, 0},
};

static const struct cli_opt_hint hints[] = {
	{"since", CLI_VAL_TEXT},
	{NULL, NULL},
};

static int run(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *path = NULL;
	int64_t since = INT64_MIN;
	bool csv = false;
	int c;
	while ((c = cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 's':
			if (!fwh_records_parse_time(optarg, &since))
				return cli_usage(ctx, "'%s' is not a date or time. Give ISO 8601, e.g. "
				                      "2026-11-21 or 2026-11-21T08:00:00Z.",
				                 optarg);
			break;
		case 'c': csv = true; break;
		case 'r': path = optarg; break;
		default: return FWS_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument '%s'.", argv[optind]);
	if (csv && ctx->json)
		return cli_usage(ctx, "--json and --csv exclude each other. Choose one.");

	struct walk w = {.fmt = ctx->json ? OUT_JSON : csv ? OUT_CSV : OUT_TABLE, .f = stdout};
	char def[4096];
	bool is_default = path == NULL;
	if (is_default) {
		if (fwh_records_default_path(def, sizeof def) != FWS_OK) {
			cli_error("there is no default place for production records (neither "
			          "XDG_DATA_HOME nor HOME is set). Give one with --records PATH.");
			return FWS_EXIT_IO;
		}
		path = def;
	}
	/* Reading must not create a database: a mistyped --records would
	 * otherwise look like a station that flashed nothing. */
	if (access(path, F_OK) != 0) {
		if (!is_default) {
			cli_error("there is no records database at %s. Check the path given with "
			          "--records.",
			          path);
			return FWS_EXIT_IO;
		}
		begin_output(&w);
		end_output(&w);
		return FWS_EXIT_OK;
	}
	fwh_records *db = NULL;
	fwh_error err;
	if (fwh_records_open(path, &db, &err) != FWS_OK) {
		cli_error("%s", err.text);
		return FWS_EXIT_IO;
	}
	begin_output(&w);
	fws_err e = fwh_records_foreach(db, since, on_row, &w, &err);
	end_output(&w);
	fwh_records_close(db);
	if (e != FWS_OK) {
		cli_error("%s", err.text);
		return FWS_EXIT_IO;
	}
	return FWS_EXIT_OK;
}

const struct cli_cmd cli_cmd_records = {
	.name = "records",
	.summary = N_("show the production records of this station"),
	.usage = N_("Usage: fwseal records [--since TIME] [--json | --csv] [--records PATH]\n"
	         "\n"
	         "Print one row per flashing attempt made on this station by `fwseal flash`\n"
	         "and `fwseal watch`: time, station, device serial, model, hardware revision,\n"
	         "from-version, to-version, package SHA-256, result, error and duration.\n"
	         "\n"
	         "Results: ok, refused (the package does not fit the unit; nothing written),\n"
	         "failed, interrupted (the tool or the unit went away mid-attempt: flash it\n"
	         "again to resume), in-progress (another fwseal is flashing it now).\n"
	         "\n"
	         "Options:\n"
	         "  --since TIME     only attempts that started at or after TIME (ISO 8601,\n"
	         "                   UTC unless a zone is given: 2026-11-21, 2026-11-21T08:00Z)\n"
	         "  --json           one JSON array of row objects on stdout\n"
	         "  --csv            CSV (RFC 4180) with a header line\n"
	         "  --records PATH   the records database (default\n"
	         "                   $XDG_DATA_HOME/fwseal/records.sqlite, else\n"
	         "                   ~/.local/share/fwseal/records.sqlite)\n"),
	.json = true,
	.run = run,
	.opts = opts,
	.hints = hints,
};
