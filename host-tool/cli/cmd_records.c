/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_records.c - `fwseal records`: print the production records of this
 * station (one row per flashing attempt, fwseal-host/records.h) as a table,
 * as one JSON array of row objects, or as CSV (RFC 4180) for spreadsheets.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

static void csv_opt(FILE *f, int64_t v, bool last)
{
	if (v >= 0)
		fprintf(f, "%" PRId64, v);
	fputs(last ? "\r\n" : ",", f);
}

/* The columns of schema 1 first, in their order (spreadsheets and scripts
 * that read them by position keep working), then the newer ones. */
static void csv_row(FILE *f, const fwh_record *r)
{
	char t[FWH_REC_TIME_MAX], end[FWH_REC_TIME_MAX] = "";
	fwh_records_format_time(r->started_ms, t);
	if (r->ended_ms >= 0)
		fwh_records_format_time(r->ended_ms, end);
	fprintf(f, "%" PRId64 ",", r->id);
	csv_cell(f, t, false);
	csv_cell(f, r->station, false);
	csv_cell(f, r->device, false);
	csv_cell(f, r->serial, false);
	csv_cell(f, r->model, false);
	csv_opt(f, r->hw_rev, false);
	csv_cell(f, r->from_version, false);
	csv_cell(f, r->to_version, false);
	csv_cell(f, r->package_sha256, false);
	csv_cell(f, fwh_rec_result_name(r->result), false);
	csv_cell(f, r->error_code, false);
	csv_cell(f, r->error, false);
	csv_opt(f, r->duration_ms, false);
	csv_cell(f, r->attempt_id, false);
	csv_cell(f, end, false);
	csv_cell(f, r->operator_name, false);
	csv_cell(f, r->work_order, false);
	csv_cell(f, r->tool_version, false);
	csv_cell(f, r->reported_version, false);
	csv_cell(f, r->image_sha256, false);
	fputs(r->has_log ? "1\r\n" : "0\r\n", f);
}

static void json_opt_str(struct cli_json *j, const char *name, const char *v)
{
	if (v[0])
		cli_json_str(j, name, v);
	else
		cli_json_null(j, name); /* unknown is said as unknown */
}

static void json_opt_i64(struct cli_json *j, const char *name, int64_t v)
{
	if (v >= 0)
		cli_json_i64(j, name, v);
	else
		cli_json_null(j, name);
}

static void json_row(struct cli_json *j, const fwh_record *r)
{
	char t[FWH_REC_TIME_MAX], end[FWH_REC_TIME_MAX] = "";
	fwh_records_format_time(r->started_ms, t);
	if (r->ended_ms >= 0)
		fwh_records_format_time(r->ended_ms, end);
	cli_json_obj(j, NULL);
	cli_json_i64(j, "id", r->id);
	json_opt_str(j, "attempt_id", r->attempt_id);
	cli_json_str(j, "time", t);
	json_opt_str(j, "end_time", end);
	cli_json_str(j, "station", r->station);
	cli_json_str(j, "operator", r->operator_name);
	cli_json_str(j, "work_order", r->work_order);
	json_opt_str(j, "tool_version", r->tool_version);
	cli_json_str(j, "device", r->device);
	cli_json_str(j, "serial", r->serial);
	cli_json_str(j, "model", r->model);
	json_opt_i64(j, "hw_rev", r->hw_rev);
	json_opt_str(j, "from_version", r->from_version); /* null as in the events */
	cli_json_str(j, "to_version", r->to_version);
	json_opt_str(j, "reported_version", r->reported_version);
	cli_json_str(j, "package_sha256", r->package_sha256);
	json_opt_str(j, "image_sha256", r->image_sha256);
	cli_json_str(j, "result", fwh_rec_result_name(r->result));
	cli_json_str(j, "error_code", r->error_code);
	cli_json_str(j, "error", r->error);
	json_opt_i64(j, "duration_ms", r->duration_ms);
	cli_json_bool(j, "log", r->has_log);
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
	clean(r->result == FWH_REC_SKIPPED ? r->error_code : r->error, err, sizeof err);
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

static void json_array_begin(struct walk *w)
{
	/* the shared writer starts objects; the answer here is an array */
	memset(&w->j, 0, sizeof w->j);
	w->j.f = w->f;
	w->j.first[0] = true;
	fputc('[', w->f);
}

static void begin_output(struct walk *w)
{
	switch (w->fmt) {
	case OUT_JSON:
		json_array_begin(w);
		break;
	case OUT_CSV:
		fputs("id,time,station,device,serial,model,hw_rev,from_version,to_version,"
		      "package_sha256,result,error_code,error,duration_ms,attempt_id,end_time,"
		      "operator,work_order,tool_version,reported_version,image_sha256,log\r\n",
		      w->f);
		break;
	case OUT_TABLE:
		fprintf(w->f, "%6s  %-19s  %-12s %-16s %-14s %3s  %-10s %-10s %-11s %7s  %s\n", "ID",
		        "TIME (UTC)", "STATION", "SERIAL", "MODEL", "HW", "FROM", "TO", "RESULT",
		        "SECONDS", "ERROR / REASON");
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

/* ---------------------------------------------------------------------- */

static void print_stats(struct walk *w, const fwh_rec_stats *s, size_t n)
{
	if (w->fmt == OUT_JSON) {
		json_array_begin(w);
		for (size_t i = 0; i < n; i++) {
			cli_json_obj(&w->j, NULL);
			cli_json_str(&w->j, "station", s[i].station);
			cli_json_str(&w->j, "model", s[i].model);
			cli_json_u64(&w->j, "attempts", s[i].attempts);
			cli_json_u64(&w->j, "units", s[i].units);
			cli_json_u64(&w->j, "ok", s[i].ok);
			cli_json_u64(&w->j, "first_pass_ok", s[i].first_pass_ok);
			if (s[i].units) {
				cli_json_num(&w->j, "first_pass_yield",
				             (double)s[i].first_pass_ok / (double)s[i].units, 4);
			} else {
				cli_json_null(&w->j, "first_pass_yield");
			}
			cli_json_u64(&w->j, "retries", s[i].retries);
			json_opt_i64(&w->j, "median_ms", s[i].median_ms);
			json_opt_i64(&w->j, "p95_ms", s[i].p95_ms);
			cli_json_obj_end(&w->j);
			w->rows++;
		}
		end_output(w);
		return;
	}
	printf("%-16s %-16s %9s %9s %7s %9s %11s %11s\n", "STATION", "MODEL", "ATTEMPTS", "UNITS",
	       "FPY", "RETRIES", "MEDIAN (s)", "P95 (s)");
	for (size_t i = 0; i < n; i++) {
		char st[17], model[17], fpy[16] = "-", med[24] = "-", p95[24] = "-";
		clean(s[i].station, st, sizeof st);
		clean(s[i].model[0] ? s[i].model : "?", model, sizeof model);
		if (s[i].units)
			snprintf(fpy, sizeof fpy, "%.1f%%",
			         100.0 * (double)s[i].first_pass_ok / (double)s[i].units);
		if (s[i].median_ms >= 0)
			snprintf(med, sizeof med, "%.1f", (double)s[i].median_ms / 1000.0);
		if (s[i].p95_ms >= 0)
			snprintf(p95, sizeof p95, "%.1f", (double)s[i].p95_ms / 1000.0);
		printf("%-16s %-16s %9" PRIu64 " %9" PRIu64 " %7s %9" PRIu64 " %11s %11s\n", st, model,
		       s[i].attempts, s[i].units, fpy, s[i].retries, med, p95);
	}
	if (!n)
		puts(_("(no attempts recorded)"));
	fflush(stdout);
}

static int print_log(fwh_records *db, const char *id, bool json)
{
	fwh_record r;
	char *text = NULL;
	bool found = false;
	fwh_error err;
	fwh_error_clear(&err);
	if (fwh_records_log(db, id, &r, &text, &found, &err) != FWS_OK) {
		cli_error("%s", err.text);
		return FWS_EXIT_IO;
	}
	if (!found) {
		cli_error("There is no attempt '%s' in %s. Give its id or attempt_id as "
		          "'fwseal records --json' shows them.",
		          id, fwh_records_where(db));
		return FWS_EXIT_FAILURE;
	}
	if (json) {
		struct cli_json j;
		cli_json_begin(&j, stdout);
		cli_json_i64(&j, "id", r.id);
		cli_json_str(&j, "attempt_id", r.attempt_id);
		cli_json_str(&j, "serial", r.serial);
		cli_json_str(&j, "result", fwh_rec_result_name(r.result));
		cli_json_str(&j, "log", text);
		cli_json_end(&j);
	} else if (!text[0]) {
		printf(_("(attempt %" PRId64 " has no session log: it was written by an older fwseal, "
		         "or its process stopped before the attempt ended)\n"),
		       r.id);
	} else {
		fputs(text, stdout);
	}
	free(text);
	fflush(stdout);
	return FWS_EXIT_OK;
}

/* `fwseal records sync --records URI [--spool PATH] [--json]` */
static int run_sync(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option sync_opts[] = {
		{"records", required_argument, NULL, 'r'},
		{"spool", required_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	const char *where = NULL, *spool = NULL;
	int c;
	while ((c = cli_getopt(ctx, argc, argv, "", sync_opts)) != -1) {
		switch (c) {
		case 'r': where = optarg; break;
		case 'p': spool = optarg; break;
		default: return FWS_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument '%s'.", argv[optind]);
	if (!fwh_records_is_uri(where))
		return cli_usage(ctx, "records sync sends a station's spooled rows to its PostgreSQL "
		                      "server: give the server with --records postgresql://...");
	fwh_records_opts o = {.spool = spool, .no_sync = true};
	fwh_records *db = NULL;
	fwh_error err;
	fwh_error_clear(&err);
	if (fwh_records_open_ex(where, &o, &db, &err) != FWS_OK) {
		cli_error("%s", err.text);
		return FWS_EXIT_IO;
	}
	if (fwh_records_spooling(db)) {
		cli_error("The records server %s cannot be reached; the spooled rows stay in %s. Try "
		          "again when it is back.",
		          fwh_records_where(db), fwh_records_spool_path(db));
		fwh_records_close(db);
		return FWS_EXIT_IO;
	}
	size_t sent = 0, left = 0;
	fws_err e = fwh_records_sync(db, &sent, &left, &err);
	if (ctx->json) {
		struct cli_json j;
		cli_json_begin(&j, stdout);
		cli_json_str(&j, "records", fwh_records_where(db));
		cli_json_u64(&j, "sent", sent);
		cli_json_u64(&j, "in_progress", left);
		cli_json_bool(&j, "ok", e == FWS_OK);
		if (e)
			cli_json_str(&j, "error", err.msg);
		cli_json_end(&j);
	} else {
		printf(_("Sent %zu spooled attempt(s) to %s"), sent, fwh_records_where(db));
		if (left)
			printf(_("; %zu still in progress stay in the spool until they end"), left);
		puts(".");
	}
	fwh_records_close(db);
	if (e) {
		cli_error("%s", err.text);
		return FWS_EXIT_IO;
	}
	return FWS_EXIT_OK;
}

static const struct option opts[] = {
	{"since", required_argument, NULL, 's'},
	{"until", required_argument, NULL, 'u'},
	{"serial", required_argument, NULL, 'n'},
	{"station", required_argument, NULL, 't'},
	{"result", required_argument, NULL, 'R'},
	{"limit", required_argument, NULL, 'l'},
	{"stats", no_argument, NULL, 'S'},
	{"log", required_argument, NULL, 'L'},
	{"csv", no_argument, NULL, 'c'},
	{"records", required_argument, NULL, 'r'},
	{"spool", required_argument, NULL, 'p'}, /* records sync */
	{NULL, 0, NULL, 0},
};

static const struct cli_opt_hint hints[] = {
	{"since", CLI_VAL_TEXT},
	{"until", CLI_VAL_TEXT},
	{"serial", CLI_VAL_TEXT},
	{"station", CLI_VAL_TEXT},
	{"result", "in-progress ok refused failed interrupted skipped unconfirmed"},
	{"limit", CLI_VAL_TEXT},
	{"log", CLI_VAL_TEXT},
	{NULL, NULL},
};

static int run(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "sync"))
		return run_sync(ctx, argc - 1, argv + 1);
	const char *path = NULL, *log_id = NULL;
	fwh_rec_filter f;
	fwh_rec_filter_init(&f);
	bool csv = false, stats = false;
	int c;
	while ((c = cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 's':
		case 'u': {
			int64_t t;
			if (!fwh_records_parse_time(optarg, &t))
				return cli_usage(ctx, "'%s' is not a date or time. Give ISO 8601, e.g. "
				                      "2026-11-21 or 2026-11-21T08:00:00Z.",
				                 optarg);
			if (c == 's')
				f.since_ms = t;
			else
				f.until_ms = t;
			break;
		}
		case 'n': f.serial = optarg; break;
		case 't': f.station = optarg; break;
		case 'R': {
			enum fwh_rec_result r;
			if (!fwh_rec_result_parse(optarg, &r))
				return cli_usage(ctx, "--result takes in-progress, ok, refused, failed, "
				                      "interrupted, skipped or unconfirmed, not '%s'.",
				                 optarg);
			f.result = (int)r;
			break;
		}
		case 'l':
			if (!cli_parse_u64(optarg, UINT64_MAX, &f.limit) || !f.limit)
				return cli_usage(ctx, "--limit needs a number of rows (1 or more), not '%s'.",
				                 optarg);
			break;
		case 'S': stats = true; break;
		case 'L': log_id = optarg; break;
		case 'c': csv = true; break;
		case 'r': path = optarg; break;
		case 'p':
			return cli_usage(ctx, "--spool is for 'fwseal records sync' (and for flash and "
			                      "watch with a PostgreSQL --records).");
		default: return FWS_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument '%s'.", argv[optind]);
	if (csv && ctx->json)
		return cli_usage(ctx, "--json and --csv exclude each other. Choose one.");
	if (stats && (csv || log_id))
		return cli_usage(ctx, "--stats prints a table or --json; it takes neither --csv nor "
		                      "--log.");
	if (log_id && csv)
		return cli_usage(ctx, "--log prints one attempt's session log; --csv is for rows.");

	struct walk w = {.fmt = ctx->json ? OUT_JSON : csv ? OUT_CSV : OUT_TABLE, .f = stdout};
	char def[4096];
	if (!path) {
		if (fwh_records_default_path(def, sizeof def) != FWS_OK) {
			cli_error("there is no default place for production records (neither "
			          "XDG_DATA_HOME nor HOME is set). Give one with --records PATH.");
			return FWS_EXIT_IO;
		}
		/* reading never creates a database: a station that never recorded
		 * has an empty record */
		if (access(def, F_OK) != 0) {
			if (log_id) {
				cli_error("There are no records at %s.", def);
				return FWS_EXIT_FAILURE;
			}
			if (stats)
				print_stats(&w, NULL, 0);
			else {
				begin_output(&w);
				end_output(&w);
			}
			return FWS_EXIT_OK;
		}
		path = def;
	}
	/* read-only: works on read-only media, and changes nothing */
	fwh_records_opts o = {.read_only = true};
	fwh_records *db = NULL;
	fwh_error err;
	fwh_error_clear(&err);
	if (fwh_records_open_ex(path, &o, &db, &err) != FWS_OK) {
		cli_error("%s", err.text);
		return FWS_EXIT_IO;
	}
	int rc = FWS_EXIT_OK;
	if (log_id) {
		rc = print_log(db, log_id, ctx->json);
	} else if (stats) {
		fwh_rec_stats *s = NULL;
		size_t n = 0;
		if (fwh_records_stats(db, &f, &s, &n, &err) != FWS_OK) {
			cli_error("%s", err.text);
			rc = FWS_EXIT_IO;
		} else {
			print_stats(&w, s, n);
		}
		free(s);
	} else {
		begin_output(&w);
		fws_err e = fwh_records_query(db, &f, on_row, &w, &err);
		end_output(&w);
		if (e != FWS_OK) {
			cli_error("%s", err.text);
			rc = FWS_EXIT_IO;
		}
	}
	fwh_records_close(db);
	return rc;
}

const struct cli_cmd cli_cmd_records = {
	.name = "records",
	.summary = N_("show, filter and sum up the production records; sync a station's spool"),
	.usage = N_("Usage: fwseal records [--records PATH|URI] [--json | --csv] [--serial SN]\n"
	         "                      [--station S] [--result R] [--since T] [--until T]\n"
	         "                      [--limit N]\n"
	         "       fwseal records [--records PATH|URI] --stats [--json] [filters]\n"
	         "       fwseal records [--records PATH|URI] --log ID [--json]\n"
	         "       fwseal records sync --records URI [--spool PATH] [--json]\n"
	         "\n"
	         "Print one row per flashing attempt made by `fwseal flash` and `fwseal watch`:\n"
	         "attempt id, start and end time, station, operator, work order, fwseal version,\n"
	         "device, serial, model, hardware revision, from-version, to-version, the\n"
	         "version the unit reported after its restart, package and image SHA-256,\n"
	         "result, error and duration. Reading never writes: the records are opened\n"
	         "read-only (also on read-only media).\n"
	         "\n"
	         "Results: ok, refused (the package does not fit the unit; nothing written),\n"
	         "failed, interrupted (the tool or the unit went away mid-attempt: flash it\n"
	         "again to resume), skipped (nothing sent on purpose; error_code says why),\n"
	         "unconfirmed (installed, the firmware did not confirm itself), in-progress\n"
	         "(another fwseal is flashing it now).\n"
	         "\n"
	         "Options:\n"
	         "  --records PATH|URI  an SQLite records file (default\n"
	         "                   $XDG_DATA_HOME/fwseal/records.sqlite, else\n"
	         "                   ~/.local/share/fwseal/records.sqlite) or a PostgreSQL URI\n"
	         "                   (postgresql://user@host/db)\n"
	         "  --serial SN, --station S, --result R\n"
	         "                   only attempts of that unit / station / result\n"
	         "  --since TIME     only attempts that started at or after TIME (ISO 8601,\n"
	         "                   UTC unless a zone is given: 2026-11-21, 2026-11-21T08:00Z)\n"
	         "  --until TIME     only attempts that started before TIME\n"
	         "  --limit N        only the N newest matching attempts (still oldest first)\n"
	         "  --stats          per station and model: attempts, units, first-pass yield,\n"
	         "                   retries, median and 95th percentile of the ok cycle time\n"
	         "  --log ID         the session log of attempt ID (id or attempt_id)\n"
	         "  --json           JSON: an array of row objects (or of --stats rows)\n"
	         "  --csv            CSV (RFC 4180) with a header line\n"
	         "  sync             send the rows a station spooled while its PostgreSQL server\n"
	         "                   was away (each exactly once; also done at every run)\n"
	         "\n"
	         "Exit codes: 0 ok, 1 no such attempt (--log), 2 usage, 5 the records cannot\n"
	         "be read (missing, damaged, foreign, newer, server unreachable).\n"),
	.json = true,
	.run = run,
	.opts = opts,
	.hints = hints,
};
