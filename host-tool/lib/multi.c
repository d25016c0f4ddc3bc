/* SPDX-License-Identifier: Apache-2.0 */
/*
 * multi.c - several devices at once (fwseal-host/multi.h): a thread per
 * unit running open -> info -> decide -> record -> pre-flight -> flash ->
 * record. Fail closed: no byte goes to a unit whose row is not committed.
 * Nothing is shared between units but the read-only package, the records
 * handle (which serialises itself) and the event callback (under m->lock).
 */
#include "fwseal-host/multi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fwseal-host/dfu_client.h"
#include "fwseal-host/units.h"

static void to_hex(const uint8_t *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void fwh_multi_init(fwh_multi *m)
{
	pthread_mutex_init(&m->lock, NULL);
	to_hex(m->pkg->file_sha256, FWS_SHA256_LEN, m->digest_hex);
	to_hex(m->pkg->manifest.image_sha256, FWS_SHA256_LEN, m->image_hex);
	snprintf(m->to_version, sizeof m->to_version, "%s", m->pkg->manifest.version);
	m->serials = NULL;
	m->n_serials = m->cap_serials = 0;
}

void fwh_multi_destroy(fwh_multi *m)
{
	pthread_mutex_destroy(&m->lock);
	free(m->serials);
	m->serials = NULL;
	m->n_serials = m->cap_serials = 0;
}

void fwh_unit_clear(fwh_unit *u)
{
	fwh_rec_log_free(&u->log);
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

/* It runs this image: the version alone is a name, only the image digest
 * says it is this image (a device that does not report one is flashed). */
static bool runs_image(const fws_devinfo *d, const fwh_package *pkg)
{
	return d->boot_state == FWS_BOOT_APP && d->has_image_sha256 &&
	       strcmp(d->fw_version, pkg->manifest.version) == 0 &&
	       memcmp(d->image_sha256, pkg->manifest.image_sha256, FWS_SHA256_LEN) == 0;
}

/* Its active slot is on trial: installed, never confirmed itself (as
 * session.c judges "unconfirmed"). */
static bool on_trial(const fws_devinfo *d)
{
	for (unsigned i = 0; i < FWS_DEVINFO_SLOTS; i++)
		if (d->slots[i].present && (d->slots[i].flags & FWS_SLOT_FLAG_ACTIVE) &&
		    d->slots[i].state == FWS_SLOT_TESTING)
			return true;
	return false;
}

bool fwh_device_runs_package(const fws_devinfo *d, const fwh_package *pkg)
{
	return runs_image(d, pkg) && !on_trial(d);
}

bool fwh_device_on_trial_with(const fws_devinfo *d, const fwh_package *pkg)
{
	return runs_image(d, pkg) && on_trial(d);
}

bool fwh_serial_is_default(const char *s)
{
	static const char *const placeholders[] = {
		"0", "default", "unknown", "none", "n/a", "na", "serial", "sn", "null",
		"123456789", "0123456789", "1234567890", "sim-0001", "to be filled by o.e.m.",
	};
	size_t n = strlen(s);
	if (n == 0)
		return true;
	bool same = true;
	for (size_t i = 1; i < n && same; i++)
		same = s[i] == s[0];
	if (same && n > 1)
		return true;
	for (size_t i = 0; i < sizeof placeholders / sizeof placeholders[0]; i++)
		if (!strcasecmp(s, placeholders[i]))
			return true;
	return false;
}

/* ---------------------------------------------------------------------- */
/* The unit's record                                                       */

static void record_fail(fwh_unit *u, enum fwh_unit_rec what, const fwh_error *e)
{
	if (u->record == FWH_UNIT_REC_NOT_BEGUN || u->record == FWH_UNIT_REC_NOT_ENDED)
		return;
	u->record = what;
	u->record_err = *e;
	fwh_rec_log_add(&u->log, "records: %s", e->msg);
}

static void record_fill(fwh_multi *m, fwh_unit *u, fwh_record *r, int64_t t0)
{
	memset(r, 0, sizeof *r);
	r->started_ms = t0;
	r->ended_ms = -1;
	r->duration_ms = -1;
	r->hw_rev = -1;
	snprintf(r->station, sizeof r->station, "%s", m->station ? m->station : "");
	snprintf(r->operator_name, sizeof r->operator_name, "%s",
	         m->operator_name ? m->operator_name : "");
	snprintf(r->work_order, sizeof r->work_order, "%s", m->work_order ? m->work_order : "");
	snprintf(r->tool_version, sizeof r->tool_version, "%s",
	         m->tool_version ? m->tool_version : "");
	snprintf(r->device, sizeof r->device, "%s", u->device);
	snprintf(r->to_version, sizeof r->to_version, "%s", m->to_version);
	memcpy(r->package_sha256, m->digest_hex, sizeof r->package_sha256);
	memcpy(r->image_sha256, m->image_hex, sizeof r->image_sha256);
	if (u->have_info)
		fwh_record_set_device(r, &u->info);
}

/* Begin the row: committed before anything goes to the unit. false: the
 * unit must not be touched (u->record says why). */
static bool record_begin(fwh_multi *m, fwh_unit *u, fwh_record *r)
{
	if (!m->records)
		return true;
	fwh_error e;
	fwh_error_clear(&e);
	if (fwh_records_begin(m->records, r, &e) != FWS_OK) {
		record_fail(u, FWH_UNIT_REC_NOT_BEGUN, &e);
		return false;
	}
	u->record_id = r->id;
	snprintf(u->attempt_id, sizeof u->attempt_id, "%s", r->attempt_id);
	u->record = FWH_UNIT_REC_OK;
	fwh_rec_log_add(&u->log, "attempt %s begun in the records (row %lld)", r->attempt_id,
	                (long long)r->id);
	return true;
}

static void result_fields(fwh_unit *u, fwh_record *r)
{
	r->result = u->result;
	r->duration_ms = u->duration_ms;
	r->error_code[0] = r->error[0] = '\0';
	if (u->result == FWH_REC_SKIPPED) {
		snprintf(r->error_code, sizeof r->error_code, "%s", u->skip_code ? u->skip_code : "");
		snprintf(r->error, sizeof r->error, "%s", u->skip_why ? u->skip_why : "");
	} else if (u->result != FWH_REC_OK) {
		fws_err code = u->err.from_device && u->err.detail ? u->err.detail : u->err.code;
		const char *name = u->skip_code ? u->skip_code /* refused by the run: duplicate-serial */
		                   : u->result == FWH_REC_INTERRUPTED && code == FWS_OK ? "interrupted"
		                   : u->result == FWH_REC_UNCONFIRMED                   ? "unconfirmed"
		                                                                        : fws_err_name(code);
		snprintf(r->error_code, sizeof r->error_code, "%s", name);
		snprintf(r->error, sizeof r->error, "%s", u->err.msg);
	}
}

/* End the unit's row: finish the begun one, or (whole) add a complete row
 * for a unit that was never begun (skipped, refused by the run, unreachable). */
static void record_end(fwh_multi *m, fwh_unit *u, fwh_record *r, bool whole)
{
	if (!m->records || (!whole && u->record != FWH_UNIT_REC_OK))
		return;
	result_fields(u, r);
	fwh_rec_log_add(&u->log, "result %s%s%s", fwh_rec_result_name(u->result),
	                r->error_code[0] ? ": " : "", r->error_code);
	fwh_error e;
	fwh_error_clear(&e);
	const char *log = fwh_rec_log_text(&u->log);
	if (!whole) {
		if (fwh_records_finish(m->records, r, log, &e) != FWS_OK)
			record_fail(u, FWH_UNIT_REC_NOT_ENDED, &e);
		return;
	}
	if (fwh_records_add(m->records, r, log, &e) != FWS_OK) {
		record_fail(u, FWH_UNIT_REC_NOT_BEGUN, &e);
		return;
	}
	u->record = FWH_UNIT_REC_OK;
	u->record_id = r->id;
	snprintf(u->attempt_id, sizeof u->attempt_id, "%s", r->attempt_id);
}

/* ---------------------------------------------------------------------- */
/* Serial numbers of the run                                               */

/* Claim u's serial for the run. false: another unit of this run has it in
 * flight right now (u->err says which). A serial seen before (not in
 * flight) or one that looks like a default is noted in u->serial_note. */
static bool claim_serial(fwh_multi *m, fwh_unit *u)
{
	const char *sn = u->info.serial;
	bool ok = true;
	pthread_mutex_lock(&m->lock);
	fwh_multi_serial *hit = NULL;
	for (size_t i = 0; i < m->n_serials && !hit; i++)
		if (!strcmp(m->serials[i].serial, sn))
			hit = &m->serials[i];
	if (hit && hit->in_flight) {
		fwh_error_set(&u->err, FWS_E_INVAL,
		              "Not flashed: %s reports serial number %s, which %s in this run is "
		              "being flashed under right now. Two units with one serial number "
		              "cannot be told apart in the records; check both units.",
		              u->device, sn, hit->device);
		ok = false;
	} else if (hit) {
		snprintf(u->serial_note_buf, sizeof u->serial_note_buf,
		         "serial number %s was already seen in this run (%s)", sn, hit->device);
		snprintf(hit->device, sizeof hit->device, "%s", u->device);
		hit->in_flight = true;
	} else {
		if (m->n_serials == m->cap_serials) {
			size_t ncap = m->cap_serials ? 2 * m->cap_serials : 16;
			fwh_multi_serial *ns = realloc(m->serials, ncap * sizeof *ns);
			if (ns) {
				m->serials = ns;
				m->cap_serials = ncap;
			}
		}
		if (m->n_serials < m->cap_serials) {
			hit = &m->serials[m->n_serials++];
			snprintf(hit->serial, sizeof hit->serial, "%s", sn);
			snprintf(hit->device, sizeof hit->device, "%s", u->device);
			hit->in_flight = true;
		}
	}
	pthread_mutex_unlock(&m->lock);
	if (ok && !u->serial_note_buf[0] && fwh_serial_is_default(sn))
		snprintf(u->serial_note_buf, sizeof u->serial_note_buf,
		         "serial number '%s' looks like a factory default: units with it cannot be "
		         "told apart in the records",
		         sn);
	if (u->serial_note_buf[0]) {
		u->serial_note = u->serial_note_buf;
		fwh_rec_log_add(&u->log, "note: %s", u->serial_note);
	}
	return ok;
}

static void release_serial(fwh_multi *m, const fwh_unit *u)
{
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n_serials; i++)
		if (!strcmp(m->serials[i].serial, u->info.serial) &&
		    !strcmp(m->serials[i].device, u->device))
			m->serials[i].in_flight = false;
	pthread_mutex_unlock(&m->lock);
}

/* ---------------------------------------------------------------------- */
/* One unit                                                                */

struct progress_ctx {
	fwh_multi *m;
	fwh_unit *u;
	enum fwh_phase phase;
};

static void on_progress(void *user, const fwh_progress *p)
{
	struct progress_ctx *pc = user;
	pc->u->progress = *p;
	if (p->phase == FWH_PHASE_DOWNLOAD && p->done > p->resume_offset)
		pc->u->sent_any = true;
	if (p->phase != pc->phase) {
		pc->phase = p->phase;
		fwh_rec_log_add(&pc->u->log, "phase %s (%llu of %llu bytes%s)", fwh_phase_name(p->phase),
		                (unsigned long long)p->done, (unsigned long long)p->total,
		                p->resumed ? ", resumed" : "");
	}
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

static void skip(fwh_unit *u, const char *code, const char *why)
{
	u->skipped = true;
	u->result = FWH_REC_SKIPPED;
	u->skip_code = code;
	u->skip_why = why;
	snprintf(u->to_version, sizeof u->to_version, "%s", u->info.fw_version);
	fwh_rec_log_add(&u->log, "skipped (%s): %s", code, why);
}

/* --only-failed: the unit's last attempt with this package. false: the
 * records could not be read (the unit is left alone, failed-to-record). */
static bool only_failed(fwh_multi *m, fwh_unit *u)
{
	fwh_record last;
	bool found = false;
	fwh_error e;
	fwh_error_clear(&e);
	if (fwh_records_last(m->records, u->info.serial, m->digest_hex, &last, &found, &e) !=
	    FWS_OK) {
		record_fail(u, FWH_UNIT_REC_NOT_BEGUN, &e);
		return false;
	}
	if (!found)
		skip(u, "no-earlier-attempt",
		     "--only-failed: this unit has no earlier attempt with this package");
	else if (last.result == FWH_REC_OK)
		skip(u, "not-failed", "--only-failed: its last attempt with this package succeeded");
	else
		fwh_rec_log_add(&u->log, "--only-failed: its last attempt (%s) ended %s",
		                last.attempt_id, fwh_rec_result_name(last.result));
	return true;
}

/* After the device-info record: flash it? false with u->skipped, u->result
 * or u->record set otherwise. */
static bool decide(fwh_multi *m, fwh_unit *u)
{
	if (!claim_serial(m, u)) {
		u->result = FWH_REC_REFUSED;
		u->skip_code = "duplicate-serial";
		fwh_rec_log_add(&u->log, "refused: %s", u->err.msg);
		return false;
	}
	if (m->filter && !m->filter(m->user, u)) {
		skip(u, u->skip_code ? u->skip_code : "filtered", u->skip_why ? u->skip_why : "");
		return false;
	}
	if (fwh_device_on_trial_with(&u->info, m->pkg)) {
		u->result = FWH_REC_REFUSED;
		u->skip_code = "on-trial";
		fwh_error_set(&u->err, FWS_E_STATE,
		              "%s runs firmware %s on trial: it has not confirmed itself, and the "
		              "device goes back to its previous firmware at its next restart. Nothing "
		              "was sent; check the device, restart it, then run the same command again.",
		              u->device, u->info.fw_version);
		fwh_rec_log_add(&u->log, "refused: %s", u->err.msg);
		return false;
	}
	if (!m->reinstall && fwh_device_runs_package(&u->info, m->pkg)) {
		skip(u, "already-installed",
		     "it already runs this package (version and image SHA-256 as reported by the "
		     "device); --reinstall flashes it anyway");
		return false;
	}
	if (m->only_failed && m->records && (!only_failed(m, u) || u->skipped))
		return false;
	return true;
}

/* The running image's digest as the device reports it, or "not reported". */
static void image_text(const fws_devinfo *d, char out[FWH_REC_DIGEST_HEX + 1])
{
	if (d->has_image_sha256)
		to_hex(d->image_sha256, FWS_SHA256_LEN, out);
	else
		snprintf(out, FWH_REC_DIGEST_HEX + 1, "not reported");
}

static void log_info(fwh_unit *u)
{
	const fws_devinfo *d = &u->info;
	char img[FWH_REC_DIGEST_HEX + 1];
	image_text(d, img);
	fwh_rec_log_add(&u->log, "device: model %s, hardware revision %u, serial %s, firmware %s "
	                         "(image SHA-256 %s), security counter %u, %s",
	                d->model, d->hw_rev, d->serial, d->fw_version[0] ? d->fw_version : "(none)",
	                img, (unsigned)d->security_counter, fws_boot_state_name(d->boot_state));
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
	u->skip_code = NULL;
	u->skip_why = NULL;
	u->serial_note = NULL;
	u->serial_note_buf[0] = '\0';
	u->sent_any = false;
	u->record_id = 0;
	u->attempt_id[0] = '\0';
	u->record = m->records ? FWH_UNIT_REC_OK : FWH_UNIT_REC_OFF;
	fwh_error_clear(&u->err);
	fwh_error_clear(&u->record_err);
	fwh_rec_log_free(&u->log);
	memset(&u->progress, 0, sizeof u->progress);
	emit(m, FWH_UNIT_START, u);
	fwh_rec_log_add(&u->log, "fwseal %s, station %s: package %s (version %s, image SHA-256 %s) "
	                         "to %s",
	                m->tool_version ? m->tool_version : "?", m->station ? m->station : "",
	                m->digest_hex, m->to_version, m->image_hex, u->device);

	e = fwh_open(u->device, &m->link, &link, &u->err);
	if (!e)
		e = fwh_dfu_info(link, &u->info, &u->err);
	if (e) {
		/* nothing was sent; still an attempt the line must see */
		fwh_error_prefix(&u->err, "Cannot reach %s: ", u->device);
		fwh_rec_log_add(&u->log, "%s", u->err.msg);
		u->result = e == FWS_E_CANCELLED ? FWH_REC_INTERRUPTED : FWH_REC_FAILED;
		u->duration_ms = fwh_records_now_ms() - t0;
		record_fill(m, u, &rec, t0);
		record_end(m, u, &rec, true);
		goto out;
	}
	u->have_info = true;
	log_info(u);
	emit(m, FWH_UNIT_INFO, u);

	if (!decide(m, u)) {
		u->duration_ms = fwh_records_now_ms() - t0;
		if (u->record == FWH_UNIT_REC_OK) {
			record_fill(m, u, &rec, t0);
			record_end(m, u, &rec, true);
		}
		goto out;
	}

	/* The row is committed before the first byte goes out: a crash from
	 * here on leaves an attempt that `fwseal records` shows as interrupted;
	 * a row that cannot be written means the unit is not touched. */
	record_fill(m, u, &rec, t0);
	if (!record_begin(m, u, &rec)) {
		fwh_error_set(&u->err, FWS_E_IO, "Not flashed: its attempt could not be recorded. %s",
		              u->record_err.msg);
		u->result = FWH_REC_FAILED;
		goto done;
	}

	e = fwh_preflight(m->pkg, &u->info, &u->err);
	if (e) {
		u->result = FWH_REC_REFUSED;
		fwh_rec_log_add(&u->log, "pre-flight refused: %s", u->err.msg);
		goto done;
	}
	fwh_rec_log_add(&u->log, "pre-flight ok");
	if (m->cancel && atomic_load(m->cancel)) {
		fwh_error_set(&u->err, FWS_E_CANCELLED, "Stopped before flashing %s: nothing was sent.",
		              u->device);
		u->result = FWH_REC_INTERRUPTED;
		goto done;
	}

	struct progress_ctx pc = {.m = m, .u = u, .phase = (enum fwh_phase)-1};
	fwh_flash_opts fo = {
		.progress = on_progress,
		.user = &pc,
		.cancel = m->cancel,
		.restart_timeout_ms = m->restart_timeout_ms,
	};
	fwh_flash_result res;
	memset(&res, 0, sizeof res);
	e = fwh_flash(&link, m->pkg, &fo, &res, &u->err);
	fwh_rec_log_add(&u->log, "sent %llu bytes in %.1f s%s", (unsigned long long)res.sent,
	                res.seconds, res.resumed ? " (resumed)" : "");
	if (e) {
		classify(u, e, res.interrupted);
		fwh_rec_log_add(&u->log, "%s", u->err.msg);
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
	snprintf(rec.reported_version, sizeof rec.reported_version, "%s", res.after.fw_version);
	char img[FWH_REC_DIGEST_HEX + 1];
	image_text(&res.after, img);
	fwh_rec_log_add(&u->log, "after the restart the unit reports firmware %s (image SHA-256 %s)%s",
	                res.after.fw_version, img,
	                res.confirmed ? ", confirmed" : ", not yet confirmed");

done:
	u->duration_ms = fwh_records_now_ms() - t0;
	if (u->duration_ms < 0)
		u->duration_ms = 0;
	record_end(m, u, &rec, false);
out:
	if (u->have_info)
		release_serial(m, u);
	if (link)
		fwh_close(link);
	fwh_rec_log_free(&u->log); /* stored with the row; nobody reads it after */
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
