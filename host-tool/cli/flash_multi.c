/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flash_multi.c - `fwseal flash PKG --device D1 --device D2 ... | --all` and
 * the production record of every flash (flash_multi.h, docs/factory.md).
 */
#include "flash_multi.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_msg.h"
#include "dev_common.h"
#include "exitcodes.h"
#include "fwseal-host/multi.h"
#include "multi_out.h"
#include "pkg_print.h"

static atomic_int stop_flag;

static void on_signal(int sig)
{
	atomic_store(&stop_flag, 1);
	signal(sig, SIG_DFL); /* a second signal ends the program the usual way */
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static bool text_option(const struct cli_ctx *ctx, const char *name, const char *arg,
                        size_t max, const char **out, int *rc)
{
	if (!arg[0] || strlen(arg) > max) {
		*rc = cli_usage(ctx, "--%s needs 1 to %zu characters.", name, max);
		return true;
	}
	for (const char *p = arg; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*rc = cli_usage(ctx, "--%s must be one line of text without control characters.",
			                name);
			return true;
		}
	}
	*out = arg;
	return true;
}

bool flash_multi_option(const struct cli_ctx *ctx, int c, const char *arg,
                        struct flash_multi_args *a, int *rc)
{
	*rc = -1;
	switch (c) {
	case FLASH_MULTI_OPT_ALL: a->all = true; return true;
	case FLASH_MULTI_OPT_RECORDS: a->records = arg; return true;
	case FLASH_MULTI_OPT_NO_RECORDS: a->no_records = true; return true;
	case FLASH_MULTI_OPT_SPOOL: a->spool = arg; return true;
	case FLASH_MULTI_OPT_REINSTALL: a->reinstall = true; return true;
	case FLASH_MULTI_OPT_ONLY_FAILED: a->only_failed = true; return true;
	case FLASH_MULTI_OPT_STATION:
		return text_option(ctx, "station", arg, FWH_REC_STATION_MAX, &a->station, rc);
	case FLASH_MULTI_OPT_OPERATOR:
		return text_option(ctx, "operator", arg, FWH_REC_OPERATOR_MAX, &a->operator_name, rc);
	case FLASH_MULTI_OPT_WORK_ORDER:
		return text_option(ctx, "work-order", arg, FWH_REC_WORK_ORDER_MAX, &a->work_order, rc);
	default: return false;
	}
}

int flash_multi_check(const struct cli_ctx *ctx, const struct flash_multi_args *a)
{
	if (a->no_records && a->records)
		return cli_usage(ctx, "--records and --no-records exclude each other.");
	if (a->no_records && a->only_failed)
		return cli_usage(ctx, "--only-failed needs the records (it flashes the units whose "
		                      "last recorded attempt failed); leave out --no-records.");
	if (a->only_failed && a->reinstall)
		return cli_usage(ctx, "--only-failed and --reinstall exclude each other.");
	if (a->spool && !fwh_records_is_uri(a->records))
		return cli_usage(ctx, "--spool is for a PostgreSQL --records URI (postgresql://...).");
	return -1;
}

const char *flash_multi_tool_version(void)
{
#ifdef FWSEAL_VERSION
	return FWSEAL_VERSION;
#else
	return "unknown";
#endif
}

bool flash_multi_add_device(const struct cli_ctx *ctx, struct flash_multi_args *a,
                            const char *device, int *rc)
{
	for (size_t i = 0; i < a->n_devices; i++) {
		if (!strcmp(a->devices[i], device)) {
			*rc = cli_usage(ctx, "--device %s is given twice; name each device once.", device);
			return false;
		}
	}
	if (a->n_devices == FLASH_MULTI_DEVICES_MAX) {
		*rc = cli_usage(ctx, "at most %u devices can be flashed at once; run fwseal again "
		                     "for the others.",
		                FLASH_MULTI_DEVICES_MAX);
		return false;
	}
	a->devices[a->n_devices++] = device;
	return true;
}

bool flash_multi_wanted(const struct flash_multi_args *a)
{
	return a->all || a->n_devices > 1;
}

void flash_multi_station(const struct flash_multi_args *a, char *out, size_t cap)
{
	if (a->station) {
		snprintf(out, cap, "%s", a->station);
		return;
	}
	if (gethostname(out, cap) != 0 || !out[0])
		snprintf(out, cap, "unknown");
	out[cap - 1] = '\0';
}

/* What the records say that stops nothing (the server went away: the
 * station spools; spooled rows were sent). Always on stderr: --json's
 * stdout carries unit events. */
static void on_notice(void *user, const char *sentence)
{
	(void)user;
	fprintf(stderr, "fwseal: %s\n", sentence);
	fflush(stderr);
}

int flash_multi_open_records(const struct flash_multi_args *a, fwh_records **db)
{
	*db = NULL;
	if (a->no_records)
		return -1;
	fwh_error err;
	fwh_error_clear(&err);
	fwh_records_opts o = {.spool = a->spool, .notice = on_notice};
	if (fwh_records_open_ex(a->records, &o, db, &err) == FWS_OK)
		return -1;
	/* fail closed: a station that is to record and cannot does not flash */
	cli_error("%s Nothing was flashed%s.", err.text,
	          a->records ? "" : " (--no-records flashes without a production record)");
	return FWS_EXIT_IO;
}

int flash_multi_load_package(const char *cmd, const char *trust_path, const char *pkg_path,
                             fwh_package *pkg)
{
	(void)cmd;
	char path[4096];
	static fws_trust trust; /* one per process, like the package */
	/* the one wording and exit code of each trust store problem (docs/messages.md) */
	int rc = cli_trust_load(trust_path, true, &trust, path, sizeof path, NULL);
	if (rc >= 0)
		return rc;
	fwh_error err;
	fwh_error_clear(&err);
	if (fwh_package_open(pkg, pkg_path, &trust, &err) != FWS_OK) {
		dev_error(&err);
		if (err.code == FWS_E_UNTRUSTED_KEY || err.code == FWS_E_REVOKED_KEY)
			pkg_print_key_detail(pkg_path, &trust, path);
		return dev_exit_for(&err, false);
	}
	return -1;
}

static int confirm_many(const fwh_package *pkg, size_t n)
{
	if (!isatty(STDIN_FILENO))
		return cli_fail(MSG_NO_TERMINAL);
	fprintf(stderr, _("Install firmware %s (model %s) on %zu devices? [y/N] "),
	        pkg->manifest.version, pkg->manifest.model, n);
	fflush(stderr);
	char line[16];
	if (!fgets(line, sizeof line, stdin) ||
	    (strcmp(line, "y\n") != 0 && strcmp(line, "yes\n") != 0 && strcmp(line, "Y\n") != 0))
		return cli_fail(MSG_DECLINED);
	return -1;
}

/* Append a unit for device unless it is listed already. */
static bool add_unit(fwh_unit **units, size_t *n, const char *device)
{
	for (size_t k = 0; k < *n; k++)
		if (!strcmp((*units)[k].device, device))
			return true;
	fwh_unit *nu = realloc(*units, (*n + 1) * sizeof *nu);
	if (!nu)
		return false;
	*units = nu;
	memset(&nu[*n], 0, sizeof nu[*n]);
	snprintf(nu[*n].device, sizeof nu[*n].device, "%s", device);
	(*n)++;
	return true;
}

/* The units of the run: what --all finds (of the package's model), then
 * every --device not found that way. */
static int take_units(const struct flash_multi_args *a, const fwh_package *pkg, fwh_unit **units,
                      size_t *n)
{
	*units = NULL;
	*n = 0;
	if (a->all) {
		size_t others = 0;
		fwh_error err;
		fwh_error_clear(&err);
		if (fwh_multi_discover(pkg, units, n, &others, &err) != FWS_OK) {
			dev_error(&err);
			return dev_exit_for(&err, false);
		}
		if (*n == 0 && a->n_devices == 0) {
			cli_error("No connected device is a %s%s. Check the cables and 'fwseal list'.",
			          pkg->manifest.model, others ? " (other models were left alone)" : "");
			free(*units);
			*units = NULL;
			return FWS_EXIT_DEVICE;
		}
		if (others)
			fprintf(stderr, _("fwseal: %zu connected device(s) of other models left alone.\n"),
			        others);
	}
	for (size_t i = 0; i < a->n_devices; i++) {
		if (!add_unit(units, n, a->devices[i])) {
			cli_error("Out of memory.");
			free(*units);
			*units = NULL;
			return FWS_EXIT_FAILURE;
		}
	}
	return -1;
}

int flash_multi_run(const struct cli_ctx *ctx, const struct flash_multi_args *a)
{
	static fwh_package pkg; /* large; one per process */
	/* verified once for the whole run; every unit shares it read-only */
	int rc = flash_multi_load_package("flash", a->trust, a->pkg, &pkg);
	if (rc >= 0)
		return rc;
	fwh_unit *units = NULL;
	size_t n = 0;
	rc = take_units(a, &pkg, &units, &n);
	if (rc < 0 && !a->yes)
		rc = confirm_many(&pkg, n);
	fwh_records *db = NULL;
	if (rc < 0)
		rc = flash_multi_open_records(a, &db);
	if (rc >= 0) {
		free(units);
		fwh_package_close(&pkg);
		return rc;
	}

	char station[FWH_REC_STATION_MAX + 1];
	flash_multi_station(a, station, sizeof station);
	struct multi_out out;
	multi_out_init(&out, ctx->json);
	fwh_multi m = {
		.pkg = &pkg,
		.records = db,
		.station = station,
		.operator_name = a->operator_name,
		.work_order = a->work_order,
		.tool_version = flash_multi_tool_version(),
		.reinstall = a->reinstall,
		.only_failed = a->only_failed,
		.link = {.rtscts = a->rtscts},
		.event = multi_out_event,
		.user = &out,
		.cancel = &stop_flag,
		.restart_timeout_ms = a->restart_timeout_ms,
	};
	fwh_multi_init(&m);
	catch_signals();
	fwh_error err;
	fwh_error_clear(&err);
	if (fwh_multi_run(&m, units, n, &err) != FWS_OK)
		dev_error(&err);
	rc = multi_out_summary(&out, units, n);
	fwh_multi_destroy(&m);
	fwh_records_close(db);
	for (size_t i = 0; i < n; i++)
		fwh_unit_clear(&units[i]);
	free(units);
	fwh_package_close(&pkg);
	return rc;
}

/* ---------------------------------------------------------------------- */

int flash_rec_open(struct flash_rec *fr, const struct flash_multi_args *a,
                   const fwh_package *pkg, const char *device, const fws_devinfo *info)
{
	memset(fr, 0, sizeof *fr);
	fwh_rec_log_init(&fr->log);
	int rc = flash_multi_open_records(a, &fr->db);
	if (rc >= 0)
		return rc;
	fwh_record *r = &fr->r;
	r->hw_rev = -1;
	r->ended_ms = -1;
	r->duration_ms = -1;
	flash_multi_station(a, r->station, sizeof r->station);
	snprintf(r->operator_name, sizeof r->operator_name, "%s",
	         a->operator_name ? a->operator_name : "");
	snprintf(r->work_order, sizeof r->work_order, "%s", a->work_order ? a->work_order : "");
	snprintf(r->tool_version, sizeof r->tool_version, "%s", flash_multi_tool_version());
	snprintf(r->device, sizeof r->device, "%s", device);
	fwh_record_set_device(r, info);
	snprintf(r->to_version, sizeof r->to_version, "%s", pkg->manifest.version);
	cli_hex(pkg->file_sha256, FWS_SHA256_LEN, r->package_sha256);
	cli_hex(pkg->manifest.image_sha256, FWS_SHA256_LEN, r->image_sha256);
	r->started_ms = fwh_records_now_ms();
	fwh_rec_log_add(&fr->log, "fwseal %s, station %s: package %s (version %s, image SHA-256 "
	                          "%s) to %s",
	                r->tool_version, r->station, r->package_sha256, r->to_version,
	                r->image_sha256, device);
	char img[FWH_REC_DIGEST_HEX + 1] = "not reported";
	if (info->has_image_sha256)
		cli_hex(info->image_sha256, FWS_SHA256_LEN, img);
	fwh_rec_log_add(&fr->log, "device: model %s, hardware revision %u, serial %s, firmware %s "
	                          "(image SHA-256 %s)",
	                info->model, info->hw_rev, info->serial,
	                info->fw_version[0] ? info->fw_version : "(none)", img);
	return -1;
}

int flash_rec_begin(struct flash_rec *fr)
{
	if (!fr->db)
		return -1;
	fwh_error_clear(&fr->err);
	if (fwh_records_begin(fr->db, &fr->r, &fr->err) != FWS_OK)
		return cli_fail(MSG_FAILED_TO_RECORD, fr->r.device, fr->r.serial,
		                _("it was not flashed: its attempt could not be recorded"),
		                fr->err.msg);
	fwh_rec_log_add(&fr->log, "attempt %s begun in the records", fr->r.attempt_id);
	fr->active = true;
	return -1;
}

static bool finish(struct flash_rec *fr)
{
	fwh_record *r = &fr->r;
	fwh_rec_log_add(&fr->log, "result %s%s%s", fwh_rec_result_name(r->result),
	                r->error_code[0] ? ": " : "", r->error_code);
	fwh_error_clear(&fr->err);
	bool ok = fr->active ? fwh_records_finish(fr->db, r, fwh_rec_log_text(&fr->log), &fr->err) ==
	                               FWS_OK
	                     : fwh_records_add(fr->db, r, fwh_rec_log_text(&fr->log), &fr->err) ==
	                               FWS_OK;
	fr->active = false;
	return ok;
}

bool flash_rec_end(struct flash_rec *fr, fws_err e, const fwh_error *err, bool interrupted,
                   const char *reported_version, bool confirmed)
{
	if (!fr->active)
		return true;
	fwh_record *r = &fr->r;
	if (e == FWS_OK) {
		/* installed but still on trial: not a success (exit 11) */
		r->result = confirmed ? FWH_REC_OK : FWH_REC_UNCONFIRMED;
		if (reported_version)
			snprintf(r->reported_version, sizeof r->reported_version, "%s", reported_version);
		if (!confirmed)
			snprintf(r->error_code, sizeof r->error_code, "unconfirmed");
	} else {
		r->result = interrupted || e == FWS_E_CANCELLED || e == FWS_E_DISCONNECTED
		                    ? FWH_REC_INTERRUPTED
		            : fwh_err_is_refusal(e) ? FWH_REC_REFUSED
		                                    : FWH_REC_FAILED;
		snprintf(r->error_code, sizeof r->error_code, "%s", fws_err_name(e));
		snprintf(r->error, sizeof r->error, "%s", err ? err->msg : "");
	}
	r->ended_ms = -1;
	r->duration_ms = -1;
	return finish(fr);
}

bool flash_rec_whole(struct flash_rec *fr, enum fwh_rec_result result, const char *code,
                     const char *sentence)
{
	if (!fr->db)
		return true;
	fwh_record *r = &fr->r;
	r->result = result;
	snprintf(r->error_code, sizeof r->error_code, "%s", code ? code : "");
	snprintf(r->error, sizeof r->error, "%s", sentence ? sentence : "");
	fr->active = false;
	return finish(fr);
}

int flash_rec_only_failed(struct flash_rec *fr, const char **code, const char **why)
{
	fwh_record last;
	bool found = false;
	fwh_error_clear(&fr->err);
	if (fwh_records_last(fr->db, fr->r.serial, fr->r.package_sha256, &last, &found,
	                     &fr->err) != FWS_OK)
		return cli_fail(MSG_FAILED_TO_RECORD, fr->r.device, fr->r.serial,
		                _("it was not flashed: --only-failed cannot read its last attempt"),
		                fr->err.msg);
	if (!found) {
		*code = "no-earlier-attempt";
		*why = "--only-failed: this unit has no earlier attempt with this package";
		return 0;
	}
	if (last.result == FWH_REC_OK) {
		*code = "not-failed";
		*why = "--only-failed: its last attempt with this package succeeded";
		return 0;
	}
	fwh_rec_log_add(&fr->log, "--only-failed: its last attempt (%s) ended %s", last.attempt_id,
	                fwh_rec_result_name(last.result));
	return -1;
}

void flash_rec_close(struct flash_rec *fr)
{
	fwh_records_close(fr->db);
	fr->db = NULL;
	fwh_rec_log_free(&fr->log);
}
