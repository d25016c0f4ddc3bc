/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session.c - one device update over any transport (fwseal-host/session.h).
 * DFU 1.1 section 7 (manifestation) and 6.1.2 (states) give the sequence:
 * DNLOAD + GETSTATUS per chunk, a zero-length DNLOAD, GETSTATUS through
 * manifestation, then fwseal's RESET and a bounded wait for the device to
 * report the new version.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fwseal/dfu.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/session.h"
#include "i18n.h"

#define POLL_CAP_MS        5000u   /* longest bwPollTimeout we honour per poll */
#define BUSY_LIMIT_MS      60000u  /* longest a device may stay busy on one request */
#define RESTART_DEFAULT_MS 30000u
/* Polling for a restarted device: first at once, then after 1, 2, 4, ...
 * ms up to this (or at a USB hotplug arrival): no fixed sleep, and a
 * device that takes seconds is asked at most 20 times a second. */
#define RESTART_BACKOFF_MAX_MS 50u
#define PROGRESS_EVERY_MS  100u
#define BACKOFF_LIMIT_MS   330000u /* longest wait a device may ask to start (5 min + slack) */
#define BACKOFF_TRIES      3

typedef struct run {
	fwh_link **link;
	const fwh_package *pkg;
	fwh_pkg_stream *src;         /* what is sent: re-verified as it is read */
	const fwh_flash_opts *o;
	fwh_flash_result *res;
	fwh_progress prog;
	uint64_t t0, last_report;
	uint64_t sent_from;          /* stream offset where this run started sending */
	uint16_t dev_xfer;           /* the device's FWS_DI_XFER_SIZE, 0 unknown */
	fws_devinfo dev;             /* the record read in prepare() */
	bool have_dev;
	uint8_t dev_window;          /* the device's DL_WINDOW, 0 not reported */
	bool unit_chunks;            /* DNLOADs must not cross package units */
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
		if (now_ms() >= deadline) {
#define BUSY N_("The device stayed busy (%s) for over %u s after %s; power-cycle it and run " \
                "the same command again.")
			char en[FWH_ERROR_MSG_MAX], tr[FWH_ERROR_MSG_MAX];
			snprintf(en, sizeof en, BUSY, fws_dfu_state_name(st->state),
			         BUSY_LIMIT_MS / 1000u, what);
			snprintf(tr, sizeof tr, fwh_tr(BUSY), fws_dfu_state_name(st->state),
			         BUSY_LIMIT_MS / 1000u, fwh_tr(what));
#undef BUSY
			return fwh_error_put(err, FWS_E_TIMEOUT, en, tr);
		}
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
	if (r->o->info != NULL)
		dev = *r->o->info;
	else if ((e = fwh_dfu_info(l, &dev, err)) != FWS_OK)
		return e;
	r->dev_xfer = dev.xfer_size;
	r->dev = dev;
	r->have_dev = true;
	r->dev_window = dev.dl_window;
	r->unit_chunks = (dev.dl_flags & FWS_DL_UNIT_CHUNKS) != 0;
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

/* One DNLOAD of the download: its bytes, its request and its answer. */
typedef struct chunk {
	uint64_t off;
	size_t len;
	uint8_t *data;
	uint8_t ans[16];
	fwh_request req;
} chunk;

/* Bytes of the next DNLOAD at stream offset off: at most max, and for a
 * device that takes DNLOAD data straight into its block buffer
 * (FWS_DL_UNIT_CHUNKS) never past the end of the package unit off lies in:
 * the prefix, or one block (a compressed or delta package: one unit, whose
 * length its header says) with its next digest (docs/package-format.md).
 * The checked stream says where the unit ends: it has read and verified
 * it, so a file changed since the check is refused, never cut by. */
static fws_err chunk_len(run *r, uint64_t off, size_t max, size_t *len, fwh_error *err)
{
	const fwh_package *pkg = r->pkg;
	uint64_t end = pkg->stream_len;
	if (r->unit_chunks) {
		uint64_t unit_end;
		fws_err e = fwh_pkg_stream_unit_end(r->src, off, &unit_end, err);
		if (e != FWS_OK)
			return e;
		if (unit_end < end)
			end = unit_end;
	}
	*len = end - off < max ? (size_t)(end - off) : max;
	return FWS_OK;
}

/* Collect the answers of the DNLOADs still in flight, whatever they say:
 * after one failed, the device refuses the rest without a state change. */
static fws_err drain(fwh_link *l, unsigned *inflight, fwh_error *err)
{
	fws_err e = FWS_OK;
	for (; *inflight > 0 && e == FWS_OK; (*inflight)--) {
		fwh_request *done;
		fwh_error ignore;
		fwh_error_clear(&ignore);
		e = fwh_reap(l, &done, err ? err : &ignore);
	}
	*inflight = 0;
	return e;
}

/* Send the stream from start: one DNLOAD per chunk, up to `window` of them
 * in flight when the device reports a DL_WINDOW and the link can keep
 * several (serial), one at a time otherwise (DFU 1.1 7.1.1: DNLOAD, then
 * GETSTATUS until idle; the status rides on the DNLOAD's answer where the
 * link carries it, FWS_FRAME_REQ_STATUS). */
static fws_err download(run *r, uint64_t start, fwh_error *err)
{
	fwh_link *l = *r->link;
	const fwh_package *pkg = r->pkg;
	/* never more per request than both the link and the device take
	 * (a small device may build with small frames, frame.h) */
	size_t max = l->ops->max_transfer(l);
	if (r->dev_xfer && r->dev_xfer < max)
		max = r->dev_xfer;
	unsigned window = fwh_window(l);
	if (r->dev_window < window)
		window = r->dev_window ? r->dev_window : 1u;
	chunk *c = calloc(window, sizeof *c);
	uint8_t *bufs = malloc(window * max);
	if (c == NULL || bufs == NULL) {
		free(c);
		free(bufs);
		return fwh_error_set(err, FWS_E_IO, "Out of memory.");
	}
	for (unsigned i = 0; i < window; i++)
		c[i].data = bufs + (size_t)i * max;
	uint16_t block = 0;
	uint64_t next = start;       /* stream offset of the next chunk to send */
	unsigned head = 0, inflight = 0;
	fws_err e = FWS_OK;
	r->sent_from = start;
	r->prog.done = start;
	r->t0 = now_ms();
	report(r, FWH_PHASE_DOWNLOAD, true);
	for (;;) {
		while (inflight < window && next < pkg->stream_len) {
			if (cancelled(r)) {
				e = FWS_E_CANCELLED;
				break;
			}
			chunk *k = &c[(head + inflight) % window];
			k->off = next;
			e = chunk_len(r, next, max, &k->len, err);
			/* the bytes as checked, or an error: never what the file
			 * holds now if that is something else (issue 16) */
			if (e == FWS_OK)
				e = fwh_pkg_stream_read(r->src, next, k->data, k->len, err);
			if (e != FWS_OK)
				break;
			fwh_dfu_dnload_prepare(&k->req, block, k->data, k->len, k->ans, sizeof k->ans);
			e = fwh_post(l, &k->req, err);
			if (e != FWS_OK) {
				inflight = 0; /* the link gave everything up */
				break;
			}
			block++;
			inflight++;
			next += k->len;
		}
		if (e != FWS_OK || inflight == 0)
			break;
		fwh_request *done;
		e = fwh_reap(l, &done, err);
		if (e != FWS_OK) {
			inflight = 0;
			break;
		}
		chunk *k = &c[head];
		head = (head + 1u) % window;
		inflight--;
		/* the usual answer: accepted, and the device is ready for more */
		bool idle = !k->req.stalled && k->req.answer_len >= FWS_DFU_STATUS_LEN &&
		            k->ans[0] == FWS_DFU_OK && k->ans[4] == FWS_DFU_DNLOAD_IDLE;
		if (!idle) {
			/* anything else is sorted out with nothing else in flight */
			e = drain(l, &inflight, err);
			fwh_dfu_status st;
			bool have_st = false;
			if (e == FWS_OK)
				e = fwh_dfu_dnload_outcome(l, &k->req, &st, &have_st, err);
			if (e == FWS_OK)
				e = settle(r, &st, have_st,
				           pkg->manifest.kind == FWS_KIND_TRUST ? N_("the security key update")
				                                                : N_("the firmware data"),
				           err);
			else if (err && err->from_device)
				recover(l);
			if (e != FWS_OK)
				break;
		}
		r->prog.done = k->off + k->len;
		r->res->sent = r->prog.done - start;
		report(r, FWH_PHASE_DOWNLOAD, r->prog.done == pkg->stream_len);
	}
	if (inflight > 0)
		(void)drain(l, &inflight, NULL);
	free(bufs);
	free(c);
	/* the whole stream went out (this run and, resumed, an earlier one):
	 * name it by the digest of what was read and sent */
	if (e == FWS_OK && (e = fwh_pkg_stream_finish(r->src, r->res->package_sha256, err)) == FWS_OK)
		r->res->sent_all = true;
	return e;
}

/* The device refused to start a download for now (FWS_E_BUSY): it limits
 * how often downloads that erase flash may start (docs/device-stub.md,
 * "Flash wear") and said in bwPollTimeout how long to wait (err->poll_ms;
 * download() has cleared the error state). Wait that long (cancellable),
 * then the caller starts again. */
static fws_err wait_backoff(run *r, fwh_error *err)
{
	uint32_t wait = err->poll_ms;
	if (wait > BACKOFF_LIMIT_MS)
		return fwh_error_set(err, FWS_E_BUSY,
		                     "The device asks to wait %u s before it takes a download; that is "
		                     "longer than fwseal waits. Try again later.",
		                     wait / 1000u);
	report(r, FWH_PHASE_PREPARE, true);
	for (uint64_t until = now_ms() + wait; now_ms() < until;) {
		if (cancelled(r))
			return FWS_E_CANCELLED;
		sleep_ms(100);
	}
	return FWS_OK;
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
	e = settle(r, &st, false,
	           r->pkg->manifest.kind == FWS_KIND_TRUST
	                   ? N_("the request to install the security key update")
	                   : N_("the request to install the firmware"),
	           err);
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
	if (d->boot_state == FWS_BOOT_APP) {
		/* the cause's own sentence, with what runs in front */
		fwh_error_set(err, FWS_E_REVERTED, NULL);
		if (d->fw_version[0])
			fwh_error_prefix(err, "The device restarted with firmware %s instead of %s: ",
			                 d->fw_version, want);
		else
			fwh_error_prefix(err, "The device restarted with a firmware of unknown version "
			                 "instead of %s: ", want);
		return FWS_E_REVERTED;
	}
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
	uint32_t backoff = 1;
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
		uint64_t now = now_ms();
		if (now >= deadline)
			break;
		uint32_t wait = deadline - now < backoff ? (uint32_t)(deadline - now) : backoff;
		if (l == NULL && ops->await != NULL)
			ops->await(&id, wait); /* returns early when the device is back */
		else
			sleep_ms(wait);
		backoff = backoff * 2u < RESTART_BACKOFF_MAX_MS ? backoff * 2u : RESTART_BACKOFF_MAX_MS;
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

/* A trust update takes effect at manifestation, without a restart
 * (docs/trust.md): done once the device reports the new store in force. */
static fws_err trust_in_force(run *r, fwh_error *err)
{
	const fws_manifest *m = &r->pkg->manifest;
	fws_devinfo d;
	fws_err e;

	report(r, FWH_PHASE_WAIT, true);
	e = fwh_dfu_info(*r->link, &d, err);
	if (e != FWS_OK)
		return e;
	if (!d.has_trust_state || d.trust_version != m->security_counter ||
	    !fws_ct_equal(d.trust_sha256, m->image_sha256, FWS_SHA256_LEN))
		return fwh_error_set(err, FWS_E_PROTOCOL,
		                     "The device accepted the security key update but reports trust "
		                     "version %u, not %u; run 'fwseal info' and contact service.",
		                     (unsigned)d.trust_version, (unsigned)m->security_counter);
	r->res->confirmed = true;
	r->res->after = d;
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
	fws_err e;
	for (int tries = 0;; tries++) {
		e = fwh_pkg_stream_open(pkg, &r.src, err);
		if (e != FWS_OK)
			return e;
		e = prepare(&r, &start, err);
		if (e != FWS_OK) {
			fwh_pkg_stream_close(r.src);
			return link_lost(e) ? interrupted(&r, e, err) : e;
		}
		r.prog.resumed = result->resumed;
		r.prog.resume_offset = result->resume_offset;
		e = download(&r, start, err);
		fwh_pkg_stream_close(r.src);
		/* the device asked to wait before this start (flash wear): nothing
		 * was sent; wait as long as it says, then start again */
		if (e == FWS_E_BUSY && err && err->from_device && result->sent == 0 &&
		    tries + 1 < BACKOFF_TRIES) {
			e = wait_backoff(&r, err);
			if (e == FWS_OK)
				continue;
		}
		break;
	}
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

	e = pkg->manifest.kind == FWS_KIND_TRUST ? trust_in_force(&r, err)
	                                         : restart_and_wait(&r, err);
	result->seconds = (double)(now_ms() - t_start) / 1000.0;
	if (e != FWS_OK)
		return e;
	report(&r, FWH_PHASE_DONE, true);
	return FWS_OK;
}
