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

bool flash_multi_option(const struct cli_ctx *ctx, int c, const char *arg,
                        struct flash_multi_args *a, int *rc)
{
	*rc = -1;
	switch (c) {
	case FLASH_MULTI_OPT_ALL: a->all = true; return true;
	case FLASH_MULTI_OPT_RECORDS: a->records = arg; return true;
	case FLASH_MULTI_OPT_NO_RECORDS: a->no_records = true; return true;
	case FLASH_MULTI_OPT_STATION:
		if (!arg[0] || strlen(arg) > FWH_REC_STATION_MAX) {
			*rc = cli_usage(ctx, "--station needs a name of 1 to %u characters.",
			                FWH_REC_STATION_MAX);
		}
		a->station = arg;
		return true;
	default: return false;
	}
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

/* The records database of a run. NULL without error when --no-records, or
 * when the default one cannot be opened (a warning says so). */
static int open_records(const struct flash_multi_args *a, fwh_records **db)
{
	*db = NULL;
	if (a->no_records)
		return -1;
	fwh_error err;
	fwh_error_clear(&err);
	if (fwh_records_open(a->records, db, &err) == FWS_OK)
		return -1;
	if (a->records) {
		cli_error("%s", err.text);
		return FWS_EXIT_IO;
	}
	fprintf(stderr, _("fwseal: warning: this flash is not recorded. %s\n"), err.text);
	return -1;
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
			if (others)
				cli_error("No connected device is a %s (devices of other models were left "
				          "alone). Check the cables and 'fwseal list'.", pkg->manifest.model);
			else
				cli_error("No connected device is a %s. Check the cables and 'fwseal list'.",
				          pkg->manifest.model);
			free(*units);
			*units = NULL;
			return FWS_EXIT_DEVICE;
		}
		if (others)
			fprintf(stderr, P_("fwseal: %zu connected device of another model left alone.\n",
			                   "fwseal: %zu connected devices of other models left alone.\n",
			                   others),
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
		rc = open_records(a, &db);
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
	free(units);
	fwh_package_close(&pkg);
	return rc;
}

/* ---------------------------------------------------------------------- */

int flash_rec_begin(struct flash_rec *fr, const struct flash_multi_args *a,
                    const fwh_package *pkg, const char *device, const fws_devinfo *info)
{
	memset(fr, 0, sizeof *fr);
	int rc = open_records(a, &fr->db);
	if (rc >= 0 || !fr->db)
		return rc;
	fwh_record *r = &fr->r;
	flash_multi_station(a, r->station, sizeof r->station);
	snprintf(r->device, sizeof r->device, "%s", device);
	fwh_record_set_device(r, info);
	snprintf(r->to_version, sizeof r->to_version, "%s", pkg->manifest.version);
	cli_hex(pkg->file_sha256, FWS_SHA256_LEN, r->package_sha256);
	fwh_error err;
	fwh_error_clear(&err);
	if (fwh_records_begin(fr->db, r, &err) != FWS_OK) {
		cli_error("%s", err.text);
		fwh_records_close(fr->db);
		fr->db = NULL;
		return FWS_EXIT_IO;
	}
	fr->active = true;
	return -1;
}

void flash_rec_end(struct flash_rec *fr, fws_err e, const fwh_error *err, bool interrupted,
                   const char *to_version, bool confirmed)
{
	if (!fr->active)
		return;
	fwh_record *r = &fr->r;
	if (e == FWS_OK) {
		/* installed but still on trial: not a success (exit 11) */
		r->result = confirmed ? FWH_REC_OK : FWH_REC_UNCONFIRMED;
		if (to_version)
			snprintf(r->to_version, sizeof r->to_version, "%s", to_version);
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
	r->duration_ms = -1;
	fwh_error werr;
	fwh_error_clear(&werr);
	if (fwh_records_finish(fr->db, r, &werr) != FWS_OK)
		fprintf(stderr, _("fwseal: warning: the end of this flash was not recorded. %s\n"),
		        werr.text);
	fwh_records_close(fr->db);
	fr->db = NULL;
	fr->active = false;
}
