/* SPDX-License-Identifier: Apache-2.0 */
/*
 * multi.c - several devices at once (fwseal-host/multi.h): a thread per
 * unit running open -> info -> pre-flight -> record -> flash -> record.
 * Nothing is shared between units but the read-only package, the records
 * handle (which serialises itself) and the event callback (under m->lock).
 */
#include "fwseal-host/multi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal-host/dfu_client.h"
#include "fwseal-host/units.h"

void fwh_multi_init(fwh_multi *m)
{
	pthread_mutex_init(&m->lock, NULL);
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < FWS_SHA256_LEN; i++) {
		m->digest_hex[2 * i] = hex[m->pkg->file_sha256[i] >> 4];
		m->digest_hex[2 * i + 1] = hex[m->pkg->file_sha256[i] & 15];
	}
	m->digest_hex[FWH_REC_DIGEST_HEX] = '\0';
	snprintf(m->to_version, sizeof m->to_version, "%s", m->pkg->manifest.version);
}

void fwh_multi_destroy(fwh_multi *m)
{
	pthread_mutex_destroy(&m->lock);
}

static void emit(fwh_multi *m, enum fwh_unit_event ev, fwh_unit *u)
{
	if (!m->event)
		return;
	pthread_mutex_lock(&m->lock);
	m->event(m->user, ev, u);
	pthread_mutex_unlock(&m->lock);
}

bool fwh_err_is_refusal(fws_err e)
{
	/* the unit was left as it was: policy (err.h) and keys it does not trust */
	static const fws_err refusals[] = {
		FWS_E_MODEL,      FWS_E_HW_REV, FWS_E_COMPONENT,     FWS_E_DOWNGRADE,
		FWS_E_TOO_BIG,    FWS_E_BLOCK_SIZE, FWS_E_VENDOR,    FWS_E_UNTRUSTED_KEY,
		FWS_E_REVOKED_KEY,
	};
	for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
		if (e == refusals[i])
			return true;
	return false;
}

/* ---------------------------------------------------------------------- */
/* The unit's record                                                       */

static void record_fail(fwh_unit *u, const fwh_error *e)
{
	if (!u->record_failed) {
		u->record_failed = true;
		u->record_err = *e;
	}
}

static void record_begin(fwh_multi *m, fwh_unit *u, fwh_record *r, int64_t t0)
{
	memset(r, 0, sizeof *r);
	r->started_ms = t0;
	r->hw_rev = -1;
	snprintf(r->station, sizeof r->station, "%s", m->station ? m->station : "");
	snprintf(r->device, sizeof r->device, "%s", u->device);
	snprintf(r->to_version, sizeof r->to_version, "%s", m->to_version);
	memcpy(r->package_sha256, m->digest_hex, sizeof r->package_sha256);
	if (u->have_info)
		fwh_record_set_device(r, &u->info);
	if (!m->records)
		return;
	fwh_error e;
	if (fwh_records_begin(m->records, r, &e) == FWS_OK)
		u->record_id = r->id;
	else
		record_fail(u, &e);
}

static void record_finish(fwh_multi *m, fwh_unit *u, fwh_record *r)
{
	if (!m->records || !u->record_id)
		return;
	r->result = u->result;
	r->duration_ms = u->duration_ms;
	if (u->result != FWH_REC_OK) {
		fws_err code = u->err.from_device && u->err.detail ? u->err.detail : u->err.code;
		snprintf(r->error_code, sizeof r->error_code, "%s",
		         u->result == FWH_REC_INTERRUPTED && code == FWS_OK ? "interrupted"
		         : u->result == FWH_REC_UNCONFIRMED                 ? "unconfirmed"
		                                                             : fws_err_name(code));
		snprintf(r->error, sizeof r->error, "%s", u->err.msg);
	}
	fwh_error e;
	if (fwh_records_finish(m->records, r, &e) != FWS_OK)
		record_fail(u, &e);
}

/* ---------------------------------------------------------------------- */
/* One unit                                                                */

struct progress_ctx {
	fwh_multi *m;
	fwh_unit *u;
};

static void on_progress(void *user, const fwh_progress *p)
{
	struct progress_ctx *pc = user;
	pc->u->progress = *p;
	if (p->phase == FWH_PHASE_DOWNLOAD && p->done > p->resume_offset)
		pc->u->sent_any = true;
	emit(pc->m, FWH_UNIT_PROGRESS, pc->u);
}

static void classify(fwh_unit *u, fws_err e, bool interrupted)
{
	fws_err why = u->err.from_device && u->err.detail ? u->err.detail : e;
	if (e == FWS_E_CANCELLED || interrupted || e == FWS_E_DISCONNECTED)
		u->result = FWH_REC_INTERRUPTED;
	else if (fwh_err_is_refusal(why))
		u->result = FWH_REC_REFUSED;
	else
		u->result = FWH_REC_FAILED;
}

enum fwh_rec_result fwh_unit_run(fwh_multi *m, fwh_unit *u)
{
	const int64_t t0 = fwh_records_now_ms();
	fwh_record rec;
	fwh_link *link = NULL;
	fws_err e;

	u->result = FWH_REC_IN_PROGRESS;
	u->have_info = false;
	u->skipped = false;
	u->skip_why = NULL;
	u->sent_any = false;
	u->record_id = 0;
	u->record_failed = false;
	fwh_error_clear(&u->err);
	memset(&u->progress, 0, sizeof u->progress);
	emit(m, FWH_UNIT_START, u);

	e = fwh_open(u->device, &m->link, &link, &u->err);
	if (!e)
		e = fwh_dfu_info(link, &u->info, &u->err);
	if (e) {
		/* nothing was sent; still an attempt the line must see */
		fwh_error_prefix(&u->err, "Cannot reach %s: ", u->device);
		u->result = e == FWS_E_CANCELLED ? FWH_REC_INTERRUPTED : FWH_REC_FAILED;
		record_begin(m, u, &rec, t0);
		goto done;
	}
	u->have_info = true;
	emit(m, FWH_UNIT_INFO, u);

	if (m->filter && !m->filter(m->user, u)) {
		u->skipped = true;
		u->result = FWH_REC_OK;
		snprintf(u->to_version, sizeof u->to_version, "%s", u->info.fw_version);
		u->duration_ms = fwh_records_now_ms() - t0;
		fwh_close(link);
		emit(m, FWH_UNIT_DONE, u);
		return u->result;
	}

	/* The row exists before the first byte goes out: a crash from here on
	 * leaves an attempt that `fwseal records` shows as interrupted. */
	record_begin(m, u, &rec, t0);

	e = fwh_preflight(m->pkg, &u->info, &u->err);
	if (e) {
		u->result = FWH_REC_REFUSED;
		goto done;
	}
	if (m->cancel && atomic_load(m->cancel)) {
		fwh_error_set(&u->err, FWS_E_CANCELLED, "Stopped before flashing %s: nothing was sent.",
		              u->device);
		u->result = FWH_REC_INTERRUPTED;
		goto done;
	}

	struct progress_ctx pc = {.m = m, .u = u};
	fwh_flash_opts fo = {
		.progress = on_progress,
		.user = &pc,
		.cancel = m->cancel,
		.restart_timeout_ms = m->restart_timeout_ms,
	};
	fwh_flash_result res;
	memset(&res, 0, sizeof res);
	e = fwh_flash(&link, m->pkg, &fo, &res, &u->err);
	if (e) {
		classify(u, e, res.interrupted);
		goto done;
	}
	/* installed; a success only once the new firmware confirmed itself */
	u->result = res.confirmed ? FWH_REC_OK : FWH_REC_UNCONFIRMED;
	snprintf(u->to_version, sizeof u->to_version, "%s", res.after.fw_version);
	if (!res.confirmed)
		fwh_error_set(&u->err, FWS_OK,
		              "%s runs firmware %s, but the new firmware did not confirm within %u s "
		              "that it works. The device goes back to its previous firmware at its "
		              "next restart unless the new one confirms itself.",
		              u->device, res.after.fw_version,
		              (m->restart_timeout_ms ? m->restart_timeout_ms : 30000u) / 1000u);

done:
	u->duration_ms = fwh_records_now_ms() - t0;
	if (u->duration_ms < 0)
		u->duration_ms = 0;
	record_finish(m, u, &rec);
	if (link)
		fwh_close(link);
	emit(m, FWH_UNIT_DONE, u);
	return u->result;
}

/* ---------------------------------------------------------------------- */
/* Several units                                                           */

/* hidapi keeps global state and wants its devices opened from one thread
 * at a time (and a session reopens its link around the restart), so HID
 * units share one thread and go one after the other; every other unit has
 * a thread of its own. */
static bool is_hid(const fwh_unit *u)
{
	return !strncmp(u->device, "hid", 3) && (u->device[3] == '\0' || u->device[3] == ':');
}

struct thread_arg {
	fwh_multi *m;
	fwh_unit *units;
	size_t n;
	bool hid_group; /* run every HID unit of units[0..n) in turn */
	fwh_unit *u;    /* otherwise: this one */
};

static void *unit_thread(void *p)
{
	struct thread_arg *a = p;
	if (!a->hid_group) {
		fwh_unit_run(a->m, a->u);
		return NULL;
	}
	for (size_t i = 0; i < a->n; i++)
		if (is_hid(&a->units[i]))
			fwh_unit_run(a->m, &a->units[i]);
	return NULL;
}

fws_err fwh_multi_run(fwh_multi *m, fwh_unit *units, size_t n, fwh_error *err)
{
	/* one thread per non-HID unit, plus one for all HID units */
	size_t cap = n + 1;
	pthread_t *th = calloc(cap, sizeof *th);
	struct thread_arg *args = calloc(cap, sizeof *args);
	fws_err ret = FWS_OK;
	if (!th || !args) {
		free(th);
		free(args);
		return fwh_error_set(err, FWS_E_IO, "Out of memory starting %zu flashing threads.", n);
	}
	size_t started = 0;
	bool any_hid = false;
	for (size_t i = 0; i < n; i++) {
		units[i].index = i;
		units[i].result = FWH_REC_IN_PROGRESS;
		any_hid = any_hid || is_hid(&units[i]);
	}
	for (size_t i = 0; i <= n; i++) {
		struct thread_arg *a = &args[started];
		if (i == n) {
			if (!any_hid)
				break;
			*a = (struct thread_arg){.m = m, .units = units, .n = n, .hid_group = true};
		} else if (is_hid(&units[i])) {
			continue;
		} else {
			*a = (struct thread_arg){.m = m, .u = &units[i]};
		}
		if (pthread_create(&th[started], NULL, unit_thread, a) == 0) {
			started++;
			continue;
		}
		/* the others still run; these units are a failure of the host */
		ret = fwh_error_set(err, FWS_E_IO, "Could not start a flashing thread for every device.");
		for (size_t k = 0; k < n; k++) {
			fwh_unit *u = &units[k];
			if (i == n ? !is_hid(u) : k != i)
				continue;
			fwh_error_set(&u->err, FWS_E_IO,
			              "Could not start a thread for %s; flash it again on its own.",
			              u->device);
			u->result = FWH_REC_FAILED;
			emit(m, FWH_UNIT_DONE, u);
		}
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	free(args);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* --all                                                                   */

struct discover_ctx {
	const fwh_package *pkg;
	fwh_unit *units;
	size_t n, cap, others;
	bool oom;
};

static void on_found(void *user, const char *device, const fws_devinfo *info)
{
	struct discover_ctx *d = user;
	if (strcmp(info->model, d->pkg->manifest.model) != 0) {
		d->others++;
		return;
	}
	if (d->n == d->cap) {
		size_t ncap = d->cap ? 2 * d->cap : 8;
		fwh_unit *nu = realloc(d->units, ncap * sizeof *nu);
		if (!nu) {
			d->oom = true;
			return;
		}
		d->units = nu;
		d->cap = ncap;
	}
	fwh_unit *u = &d->units[d->n++];
	memset(u, 0, sizeof *u);
	snprintf(u->device, sizeof u->device, "%s", device);
}

fws_err fwh_multi_discover(const fwh_package *pkg, fwh_unit **out, size_t *n, size_t *others,
                           fwh_error *err)
{
	struct discover_ctx d = {.pkg = pkg};
	/* one unit once: never its DFU and HID interfaces at the same time */
	fws_err e = fwh_enumerate_units(on_found, &d, err);
	if (!e && d.oom)
		e = fwh_error_set(err, FWS_E_IO, "Out of memory listing devices.");
	if (e) {
		free(d.units);
		*out = NULL;
		*n = 0;
		return e;
	}
	*out = d.units;
	*n = d.n;
	*others = d.others;
	return FWS_OK;
}
