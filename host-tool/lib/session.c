/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session.c - one device update over any transport (fwseal-host/session.h).
 * DFU 1.1 section 7 (manifestation) and 6.1.2 (states) give the sequence:
 * DNLOAD + GETSTATUS per chunk, a zero-length DNLOAD, GETSTATUS through
 * manifestation, then fwseal's RESET and a bounded wait for the device to
 * report the new version.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fwseal/dfu.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/session.h"

#define POLL_CAP_MS        5000u   /* longest bwPollTimeout we honour per poll */
#define BUSY_LIMIT_MS      60000u  /* longest a device may stay busy on one request */
#define RESTART_DEFAULT_MS 30000u
#define RESTART_POLL_MS    200u
#define PROGRESS_EVERY_MS  100u

typedef struct run {
	fwh_link **link;
	const fwh_package *pkg;
	const fwh_flash_opts *o;
	fwh_flash_result *res;
	fwh_progress prog;
	uint64_t t0, last_report;
	uint64_t sent_from;          /* stream offset where this run started sending */
	uint16_t dev_xfer;           /* the device's FWS_DI_XFER_SIZE, 0 unknown */
	fws_devinfo dev;             /* the record read in prepare() */
	bool have_dev;
} run;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(uint32_t ms)
{
	struct timespec ts = { ms / 1000u, (long)(ms % 1000u) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

const char *fwh_phase_name(enum fwh_phase p)
{
	switch (p) {
	case FWH_PHASE_PREPARE: return "prepare";
	case FWH_PHASE_DOWNLOAD: return "download";
	case FWH_PHASE_MANIFEST: return "manifest";
	case FWH_PHASE_RESTART: return "restart";
	case FWH_PHASE_WAIT: return "wait";
	case FWH_PHASE_DONE: return "done";
	}
	return "unknown";
}

static void report(run *r, enum fwh_phase phase, bool force)
{
	uint64_t now = now_ms();
	bool changed = phase != r->prog.phase;
	r->prog.phase = phase;
	if (r->o->progress == NULL || (!force && !changed && now - r->last_report < PROGRESS_EVERY_MS))
		return;
	r->last_report = now;
	double secs = (double)(now - r->t0) / 1000.0;
	uint64_t sent = r->prog.done - r->sent_from;
	r->prog.rate = secs > 0.0 && sent ? (double)sent / secs : 0.0;
	r->prog.eta = r->prog.rate > 0 ? (double)(r->prog.total - r->prog.done) / r->prog.rate : -1.0;
	if (phase != FWH_PHASE_DOWNLOAD && phase != FWH_PHASE_PREPARE)
		r->prog.eta = phase == FWH_PHASE_DONE ? 0.0 : -1.0;
	r->o->progress(r->o->user, &r->prog);
}

static bool cancelled(const run *r)
{
	return r->o->cancel && atomic_load(r->o->cancel) != 0;
}

/* A link failure mid-update: the device keeps its old firmware and its
 * resume point; say so. */
static fws_err interrupted(run *r, fws_err e, fwh_error *err)
{
	r->res->interrupted = true;
	if (e == FWS_E_CANCELLED)
		return fwh_error_set(err, e,
		                     "The update was stopped; the device keeps its current "
		                     "firmware. Run the same command again to resume.");
	fwh_error_prefix(err, "The update was interrupted: ");
	return e;
}

static bool link_lost(fws_err e)
{
	return e == FWS_E_TIMEOUT || e == FWS_E_DISCONNECTED || e == FWS_E_IO;
}

/* After a refusal the device sits in dfuERROR: clear it so the next run
 * (or another host) starts clean (DFU 1.1 6.1.2, CLRSTATUS). */
static void recover(fwh_link *l)
{
	fwh_dfu_status st;
	if (fwh_dfu_getstatus(l, &st, NULL) == FWS_OK && st.state == FWS_DFU_ERROR)
		(void)fwh_dfu_clrstatus(l, NULL);
}

/* Poll GETSTATUS until the device leaves the busy states, honouring
 * bwPollTimeout and bounded in time (the fwupd rule, not dfu-util's). */
static fws_err settle(run *r, fwh_dfu_status *st, bool have_st, const char *what,
                      fwh_error *err)
{
	fwh_link *l = *r->link;
	uint64_t deadline = now_ms() + BUSY_LIMIT_MS;
	for (;;) {
		/* the first status may have come with the DNLOAD answer */
		fws_err e = have_st ? FWS_OK : fwh_dfu_getstatus(l, st, err);
		have_st = false;
		if (e != FWS_OK)
			return e;
		if (st->status != FWS_DFU_OK || st->state == FWS_DFU_ERROR) {
			e = fwh_dfu_status_error(st, what, err);
			recover(l);
			return e;
		}
		if (st->state != FWS_DFU_DNBUSY && st->state != FWS_DFU_MANIFEST &&
		    st->state != FWS_DFU_MANIFEST_SYNC && st->state != FWS_DFU_DNLOAD_SYNC)
			return FWS_OK;
		if (now_ms() >= deadline)
			return fwh_error_set(err, FWS_E_TIMEOUT,
			                     "The device stayed busy (%s) for over %u s after %s; "
			                     "power-cycle it and run the same command again.",
			                     fws_dfu_state_name(st->state), BUSY_LIMIT_MS / 1000u, what);
		uint32_t wait = st->poll_ms < POLL_CAP_MS ? st->poll_ms : POLL_CAP_MS;
		if (wait)
			sleep_ms(wait);
	}
}

/* Bring the device to dfuIDLE and decide where the stream starts. */
static fws_err prepare(run *r, uint64_t *start, fwh_error *err)
{
	fwh_link *l = *r->link;
	fwh_dfu_status st;
	fws_err e = fwh_dfu_getstatus(l, &st, err);
	if (e != FWS_OK)
		return e;
	if (st.state == FWS_DFU_ERROR)
		e = fwh_dfu_clrstatus(l, err);
	else if (st.state != FWS_DFU_IDLE)
		e = fwh_dfu_abort(l, err); /* the journal keeps the resume point */
	if (e != FWS_OK)
		return e;

	fws_devinfo dev;
	e = fwh_dfu_info(l, &dev, err);
	if (e != FWS_OK)
		return e;
	r->dev_xfer = dev.xfer_size;
	r->dev = dev;
	r->have_dev = true;
	fwh_plan plan;
	fwh_plan_make(r->pkg, &dev, &plan);
	*start = 0;
	if (plan.resume && !r->o->no_resume) {
		e = fwh_dfu_resume(l, (uint32_t)plan.resume_offset, r->pkg->prefix_sha256, err);
		if (e == FWS_OK) {
			*start = plan.resume_offset;
			r->res->resumed = true;
			r->res->resume_offset = plan.resume_offset;
			return FWS_OK;
		}
		if (link_lost(e))
			return e;
		/* the device would not resume (its record changed): start over */
		recover(l);
	}
	return FWS_OK;
}

static fws_err download(run *r, uint64_t start, fwh_error *err)
{
	fwh_link *l = *r->link;
	const fwh_package *pkg = r->pkg;
	/* never more per request than both the link and the device take
	 * (a small device may build with small frames, frame.h) */
	size_t chunk = l->ops->max_transfer(l);
	if (r->dev_xfer && r->dev_xfer < chunk)
		chunk = r->dev_xfer;
	uint8_t *buf = malloc(chunk);
	if (buf == NULL)
		return fwh_error_set(err, FWS_E_IO, "Out of memory.");
	uint16_t block = 0;
	fws_err e = FWS_OK;
	r->sent_from = start;
	r->prog.done = start;
	r->t0 = now_ms();
	report(r, FWH_PHASE_DOWNLOAD, true);
	for (uint64_t off = start; off < pkg->stream_len;) {
		if (cancelled(r)) {
			e = FWS_E_CANCELLED;
			break;
		}
		size_t n = pkg->stream_len - off < chunk ? (size_t)(pkg->stream_len - off) : chunk;
		e = fwh_package_read(pkg, off, buf, n, err);
		if (e != FWS_OK)
			break;
		fwh_dfu_status st;
		bool have_st = false;
		e = fwh_dfu_dnload_status(l, block, buf, n, &st, &have_st, err);
		if (e == FWS_OK) {
			e = settle(r, &st, have_st, "the firmware data", err);
		} else if (err && err->from_device) {
			recover(l);
		}
		if (e != FWS_OK)
			break;
		off += n;
		block++;
		r->prog.done = off;
		r->res->sent = off - start;
		report(r, FWH_PHASE_DOWNLOAD, off == pkg->stream_len);
	}
	free(buf);
	return e;
}

static fws_err manifest(run *r, fwh_error *err)
{
	fwh_link *l = *r->link;
	report(r, FWH_PHASE_MANIFEST, true);
	/* DFU 1.1 7.1.2: a zero-length DNLOAD ends the download */
	fws_err e = fwh_dfu_dnload(l, 0, NULL, 0, err);
	if (e != FWS_OK) {
		if (err && err->from_device)
			recover(l);
		return e;
	}
	fwh_dfu_status st;
	e = settle(r, &st, false, "to install the firmware", err);
	if (e != FWS_OK)
		return e;
	if (st.state != FWS_DFU_IDLE && st.state != FWS_DFU_MANIFEST_WAIT_RESET)
		return fwh_error_set(err, FWS_E_PROTOCOL,
		                     "The device ended the installation in state %s instead of "
		                     "dfuIDLE; it may be faulty.",
		                     fws_dfu_state_name(st.state));
	return FWS_OK;
}

/* Is the new version up? 1 yes (confirmed or not), 0 not yet, <0 error. */
static int judge(run *r, const fws_devinfo *d, bool final, fwh_error *err)
{
	const char *want = r->pkg->manifest.version;
	if (d->boot_state == FWS_BOOT_APP && strcmp(d->fw_version, want) == 0) {
		r->res->confirmed = true;
		for (unsigned i = 0; i < FWS_DEVINFO_SLOTS; i++)
			if (d->slots[i].present && (d->slots[i].flags & FWS_SLOT_FLAG_ACTIVE) &&
			    d->slots[i].state == FWS_SLOT_TESTING)
				r->res->confirmed = false;
		return r->res->confirmed || final ? 1 : 0;
	}
	if (!final)
		return 0;
	if (d->boot_state == FWS_BOOT_APP)
		return fwh_error_set(err, FWS_E_REVERTED,
		                     "The device restarted with firmware %s instead of %s: %s",
		                     d->fw_version[0] ? d->fw_version : "(unknown)", want,
		                     fws_err_describe(FWS_E_REVERTED));
	return fwh_error_set(err, FWS_E_NO_IMAGE,
	                     "The device restarted but stays in its update stub (last error: "
	                     "%s); run the same command again, and contact service if this repeats.",
	                     fws_err_name((fws_err)d->last_error));
}

/* RESET, then reopen the link until the device describes itself again. */
static fws_err restart_and_wait(run *r, fwh_error *err)
{
	report(r, FWH_PHASE_RESTART, true);
	fws_err e = fwh_dfu_reset(*r->link, err);
	if (e != FWS_OK)
		return e;
	/* reopen through the same transport (not by kind): the device may
	 * re-enumerate, and tests plug in their own transports */
	const fwh_transport_ops *ops = (*r->link)->ops;
	fwh_dev_id id = (*r->link)->id;
	fwh_link_opts opts = (*r->link)->opts;
	fwh_close(*r->link);
	*r->link = NULL;

	report(r, FWH_PHASE_WAIT, true);
	uint32_t limit = r->o->restart_timeout_ms ? r->o->restart_timeout_ms : RESTART_DEFAULT_MS;
	uint64_t deadline = now_ms() + limit;
	fwh_link_opts poll_opts = opts;
	poll_opts.timeout_ms = 300;
	poll_opts.retries = 1;
	fws_devinfo d;
	bool seen = false;
	fwh_link *l = NULL;
	for (;;) {
		if (l == NULL && ops->open(&id, &poll_opts, &l, NULL) != FWS_OK)
			l = NULL;
		if (l && fwh_dfu_info(l, &d, NULL) == FWS_OK) {
			seen = true;
			int v = judge(r, &d, false, err);
			if (v != 0)
				break;
		} else if (l) {
			/* gone for now (USB re-enumeration): open again next time */
			fwh_close(l);
			l = NULL;
		}
		if (now_ms() >= deadline)
			break;
		sleep_ms(RESTART_POLL_MS);
	}
	if (!seen) {
		fwh_close(l);
		return fwh_error_set(err, FWS_E_TIMEOUT,
		                     "The device did not come back within %u s after restarting; "
		                     "check it and run 'fwseal info' to see which firmware runs.",
		                     limit / 1000u);
	}
	int v = judge(r, &d, true, err);
	if (v < 0) {
		fwh_close(l);
		return err ? err->code : FWS_E_REVERTED;
	}
	r->res->after = d;
	/* hand back the link that answered, with the caller's settings, rather
	 * than a new one: a device may re-enumerate once more, and the update is
	 * done whether or not the caller can still talk to it */
	if (l == NULL && ops->open(&id, &opts, &l, NULL) != FWS_OK)
		l = NULL;
	if (l)
		l->opts = opts;
	*r->link = l;
	return FWS_OK;
}

fws_err fwh_flash(fwh_link **link, const fwh_package *pkg, const fwh_flash_opts *opts,
                  fwh_flash_result *result, fwh_error *err)
{
	static const fwh_flash_opts defaults = { 0 };
	memset(result, 0, sizeof *result);
	run r = { .link = link, .pkg = pkg, .o = opts ? opts : &defaults, .res = result };
	r.prog.total = pkg->stream_len;
	r.prog.phase = FWH_PHASE_PREPARE;
	r.prog.eta = -1.0;
	r.t0 = now_ms();
	uint64_t t_start = r.t0;
	report(&r, FWH_PHASE_PREPARE, true);

	uint64_t start = 0;
	fws_err e = prepare(&r, &start, err);
	if (e != FWS_OK)
		return link_lost(e) ? interrupted(&r, e, err) : e;
	r.prog.resumed = result->resumed;
	r.prog.resume_offset = result->resume_offset;

	e = download(&r, start, err);
	if (e == FWS_E_BASE && err != NULL) {
		/* a delta for another image: say which version it needs */
		fwh_error dev = *err;
		fwh_base_refusal(pkg, r.have_dev ? &r.dev : NULL, err);
		err->from_device = dev.from_device;
		err->detail = dev.detail;
		err->dfu_status = dev.dfu_status;
	}
	if (e != FWS_OK)
		return (link_lost(e) || e == FWS_E_CANCELLED) ? interrupted(&r, e, err) : e;
	if (cancelled(&r))
		return interrupted(&r, FWS_E_CANCELLED, err);

	e = manifest(&r, err);
	if (e != FWS_OK)
		return link_lost(e) ? interrupted(&r, e, err) : e;

	e = restart_and_wait(&r, err);
	result->seconds = (double)(now_ms() - t_start) / 1000.0;
	if (e != FWS_OK)
		return e;
	report(&r, FWH_PHASE_DONE, true);
	return FWS_OK;
}
