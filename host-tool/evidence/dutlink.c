/* SPDX-License-Identifier: Apache-2.0 */
/* dutlink.c - raw DFU conversation with the DUT for the functional tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dutlink.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal/dfu.h"

#define BUSY_LIMIT_MS    60000u /* one request may keep the device busy this long */
#define RESTART_LIMIT_MS 30000u /* a restarting device must answer within this */
#define RESTART_POLL_MS  50u

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(uint32_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
	nanosleep(&ts, NULL);
}

static void logf_(struct dutlink *d, const char *fmt, ...) EV_PRINTF(2, 3);
static void logf_(struct dutlink *d, const char *fmt, ...)
{
	if (!d->log)
		return;
	va_list ap;
	va_start(ap, fmt);
	ev_buf_vprintf(d->log, fmt, ap);
	va_end(ap);
	ev_buf_add(d->log, "\n");
}

bool dut_open(struct dutlink *d, const char *device, char *err, size_t cap)
{
	memset(d, 0, sizeof(*d));
	d->device = ev_xstrdup(device);
	fwh_error e;
	fwh_error_clear(&e);
	if (fwh_open(device, NULL, &d->l, &e) != FWS_OK) {
		snprintf(err, cap, "cannot open the device %s: %s", device, e.msg);
		free(d->device);
		d->device = NULL;
		return false;
	}
	return true;
}

void dut_close(struct dutlink *d)
{
	if (d->l)
		fwh_close(d->l);
	free(d->device);
	memset(d, 0, sizeof(*d));
}

void dut_close_link(struct dutlink *d)
{
	if (d->l)
		fwh_close(d->l);
	d->l = NULL;
}

bool dut_reopen_short(struct dutlink *d)
{
	fwh_link_opts o = {0};
	o.timeout_ms = 300;
	o.retries = 1;
	dut_close_link(d);
	return fwh_open(d->device, &o, &d->l, NULL) == FWS_OK;
}

static bool ensure_open(struct dutlink *d, const fwh_link_opts *opts)
{
	if (d->l)
		return true;
	return fwh_open(d->device, opts, &d->l, NULL) == FWS_OK;
}

/* A USB device re-enumerates after a restart, so a link may be stale: reopen
 * and ask again for a while before giving up (bounded). */
#define INFO_RETRY_MS 10000u

bool dut_info(struct dutlink *d, fws_devinfo *info)
{
	uint64_t deadline = now_ms() + INFO_RETRY_MS;
	fwh_error e;
	for (;;) {
		fwh_error_clear(&e);
		if (ensure_open(d, NULL)) {
			if (fwh_dfu_info(d->l, info, &e) == FWS_OK)
				return true;
			fwh_close(d->l);
			d->l = NULL;
		} else {
			snprintf(e.msg, sizeof(e.msg), "cannot open the device link");
		}
		if (now_ms() >= deadline)
			break;
		sleep_ms(RESTART_POLL_MS);
	}
	logf_(d, "INFO failed: %s", e.msg);
	return false;
}

int dut_active_slot(const fws_devinfo *info)
{
	for (unsigned i = 0; i < FWS_DEVINFO_SLOTS; i++)
		if (info->slots[i].present && (info->slots[i].flags & FWS_SLOT_FLAG_ACTIVE))
			return (int)i;
	return -1;
}

bool dut_image_sha256(const fws_devinfo *info, uint8_t out[FWS_SHA256_LEN])
{
	if (!info->has_image_sha256) /* FWS_DI_IMAGE_SHA256 (0x8001) */
		return false;
	memcpy(out, info->image_sha256, FWS_SHA256_LEN);
	return true;
}

bool dut_is_simulator(const fws_devinfo *info)
{
	return info->simulator; /* FWS_DI_SIMULATOR (0x8002) */
}

const char *dut_crypto_lib(const fws_devinfo *info)
{
	return info->crypto_lib[0] ? info->crypto_lib : NULL; /* FWS_DI_CRYPTO_LIB (0x8003) */
}

void dut_log_info(struct dutlink *d, const char *when, const fws_devinfo *info)
{
	uint8_t img[FWS_SHA256_LEN];
	char *h = dut_image_sha256(info, img) ? ev_hex(img, FWS_SHA256_LEN)
	                                      : ev_xstrdup("not reported");
	logf_(d, "%s: model=%s hw_rev=%u serial=%s boot=%s firmware=%s counter=%u image_sha256=%s "
	      "last_error=%s%s", when, info->model, (unsigned)info->hw_rev, info->serial,
	      fws_boot_state_name(info->boot_state), info->fw_version[0] ? info->fw_version : "-",
	      (unsigned)info->security_counter, h, fws_err_name((fws_err)info->last_error),
	      dut_is_simulator(info) ? " simulator=yes" : "");
	free(h);
	if (info->has_resume)
		logf_(d, "%s: an interrupted download can resume at stream offset %u", when,
		      (unsigned)info->resume_offset);
	for (unsigned i = 0; i < FWS_DEVINFO_SLOTS; i++) {
		const fws_devinfo_slot *s = &info->slots[i];
		if (!s->present)
			continue;
		logf_(d, "%s: slot %u %s%s counter=%u version=%s", when, i,
		      fws_slot_state_name(s->state), (s->flags & FWS_SLOT_FLAG_ACTIVE) ? " active" : "",
		      (unsigned)s->security_counter, s->version[0] ? s->version : "-");
	}
}

/* Wait out busy states; refusal -> false with st filled. */
static bool settle(struct dutlink *d, fwh_dfu_status *st, bool *link_ok)
{
	uint64_t deadline = now_ms() + BUSY_LIMIT_MS;
	*link_ok = true;
	for (;;) {
		fwh_error e;
		fwh_error_clear(&e);
		if (fwh_dfu_getstatus(d->l, st, &e) != FWS_OK) {
			logf_(d, "GETSTATUS failed: %s", e.msg);
			*link_ok = false;
			return false;
		}
		if (st->status != FWS_DFU_OK || st->state == FWS_DFU_ERROR)
			return false;
		if (st->state != FWS_DFU_DNBUSY && st->state != FWS_DFU_MANIFEST &&
		    st->state != FWS_DFU_MANIFEST_SYNC && st->state != FWS_DFU_DNLOAD_SYNC)
			return true;
		if (now_ms() >= deadline) {
			logf_(d, "device stayed busy (%s) for %u s", fws_dfu_state_name(st->state),
			      BUSY_LIMIT_MS / 1000u);
			*link_ok = false;
			return false;
		}
		sleep_ms(st->poll_ms < 1000u ? st->poll_ms : 1000u);
	}
}

/* Bring the device to dfuIDLE, forgetting any interrupted download. */
static bool to_idle(struct dutlink *d)
{
	fwh_dfu_status st;
	fwh_error e;
	fwh_error_clear(&e);
	if (fwh_dfu_getstatus(d->l, &st, &e) != FWS_OK) {
		logf_(d, "GETSTATUS failed: %s", e.msg);
		return false;
	}
	fws_err r = FWS_OK;
	if (st.state == FWS_DFU_ERROR)
		r = fwh_dfu_clrstatus(d->l, &e);
	else if (st.state != FWS_DFU_IDLE)
		r = fwh_dfu_abort(d->l, &e);
	if (r != FWS_OK) {
		logf_(d, "cannot bring the device to dfuIDLE: %s", e.msg);
		return false;
	}
	return true;
}

static void refused(struct dutlink *d, struct dut_result *r, uint64_t at, size_t len,
                    fws_err detail, uint8_t status)
{
	r->outcome = DUT_REFUSED;
	r->at = at;
	r->len = len;
	r->detail = detail;
	snprintf(r->msg, sizeof(r->msg), "refused the DNLOAD at stream offset %llu (%zu bytes): "
	         "status %s, detail %s", (unsigned long long)at, len, fws_dfu_status_name(status),
	         fws_err_name(detail));
	logf_(d, "device %s", r->msg);
	/* DFU 1.1 6.1.2: leave dfuERROR so the next test starts clean */
	(void)fwh_dfu_clrstatus(d->l, NULL);
}

static void link_error(struct dutlink *d, struct dut_result *r, const char *what)
{
	r->outcome = DUT_LINK_ERROR;
	snprintf(r->msg, sizeof(r->msg), "link failed during %s", what);
	logf_(d, "%s", r->msg);
}

/* One DNLOAD and its GETSTATUS. true: accepted. */
static bool one(struct dutlink *d, uint16_t block, const uint8_t *p, size_t n, uint64_t off,
                struct dut_result *r)
{
	fwh_error e;
	fwh_error_clear(&e);
	fws_err x = fwh_dfu_dnload(d->l, block, p, n, &e);
	if (x != FWS_OK) {
		if (e.from_device)
			refused(d, r, off, n, e.detail, e.dfu_status);
		else
			link_error(d, r, n ? "DNLOAD" : "the end of download");
		return false;
	}
	fwh_dfu_status st;
	bool link_ok;
	if (!settle(d, &st, &link_ok)) {
		if (link_ok)
			refused(d, r, off, n, st.detail, st.status);
		else
			link_error(d, r, "GETSTATUS");
		return false;
	}
	return true;
}

void dut_send(struct dutlink *d, const uint8_t *stream, size_t len, uint64_t from,
              uint64_t stop_at, struct dut_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!ensure_open(d, NULL)) {
		link_error(d, r, "opening the link");
		return;
	}
	if (from == 0 && !to_idle(d)) {
		link_error(d, r, "preparation");
		return;
	}
	size_t chunk = d->l->ops->max_transfer(d->l);
	if (from == 0)
		d->block = 0;
	uint16_t block = d->block;
	uint64_t off = from;
	logf_(d, "sending stream bytes %llu..%zu in DNLOADs of up to %zu bytes",
	      (unsigned long long)from, len, chunk);
	while (off < len) {
		if (off >= stop_at) {
			d->block = block;
			r->outcome = DUT_STOPPED;
			r->at = off;
			snprintf(r->msg, sizeof(r->msg), "stopped after %llu of %zu bytes on purpose",
			         (unsigned long long)off, len);
			logf_(d, "%s", r->msg);
			return;
		}
		size_t n = len - off < chunk ? (size_t)(len - off) : chunk;
		if (!one(d, block, stream + off, n, off, r))
			return;
		off += n;
		block++;
	}
	logf_(d, "all %zu bytes accepted; ending the download (zero-length DNLOAD)", len);
	if (!one(d, 0, NULL, 0, len, r))
		return;
	r->outcome = DUT_ACCEPTED;
	snprintf(r->msg, sizeof(r->msg), "accepted the whole package and its installation");
	logf_(d, "device %s", r->msg);
}

void dut_drop(struct dutlink *d)
{
	if (d->l)
		fwh_close(d->l);
	d->l = NULL;
	logf_(d, "link dropped without ending the download (cable pulled)");
}

bool dut_state(struct dutlink *d, uint8_t *state)
{
	fwh_error e;
	fwh_error_clear(&e);
	if (!ensure_open(d, NULL) || fwh_dfu_getstate(d->l, state, &e) != FWS_OK) {
		logf_(d, "GETSTATE failed: %s", e.msg[0] ? e.msg : "no link");
		return false;
	}
	return true;
}

bool dut_wait(struct dutlink *d, fws_devinfo *info, uint32_t limit_ms)
{
	dut_close_link(d);
	fwh_link_opts poll = {0};
	poll.timeout_ms = 300;
	poll.retries = 1;
	uint64_t deadline = now_ms() + limit_ms;
	for (;;) {
		fwh_link *l = NULL;
		if (fwh_open(d->device, &poll, &l, NULL) == FWS_OK) {
			if (fwh_dfu_info(l, info, NULL) == FWS_OK) {
				fwh_close(l);
				if (fwh_open(d->device, NULL, &d->l, NULL) != FWS_OK)
					d->l = NULL;
				logf_(d, "device answers again");
				return true;
			}
			fwh_close(l);
		}
		if (now_ms() >= deadline) {
			logf_(d, "device did not answer within %u s", limit_ms / 1000u);
			return false;
		}
		sleep_ms(RESTART_POLL_MS);
	}
}

bool dut_restart(struct dutlink *d, fws_devinfo *info)
{
	if (!ensure_open(d, NULL)) {
		logf_(d, "cannot open the link to restart the device");
		return false;
	}
	fwh_error e;
	fwh_error_clear(&e);
	if (fwh_dfu_reset(d->l, &e) != FWS_OK) {
		logf_(d, "RESET failed: %s", e.msg);
		return false;
	}
	logf_(d, "device asked to restart (RESET)");
	dut_close_link(d);
	sleep_ms(RESTART_POLL_MS); /* it answered before it restarts */
	return dut_wait(d, info, RESTART_LIMIT_MS);
}
