/* SPDX-License-Identifier: Apache-2.0 */
/* dfu_client.c - DFU requests over any transport (fwseal-host/dfu_client.h). */
#include "fwseal-host/dfu_client.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fwseal/dfu.h"
#include "fwseal/frame.h"
#include "fwseal/le.h"
#include "fwseal-host/log.h"
#include "i18n.h"

/* When a device gives a DFU status but no detail code (a third-party
 * device, or an old stub), this is the closest fws_err (DFU 1.1 6.1.2). */
static const struct {
	uint8_t status;
	fws_err err;
} status_err[] = {
	{ FWS_DFU_ERR_TARGET, FWS_E_MODEL },        { FWS_DFU_ERR_FILE, FWS_E_MANIFEST },
	{ FWS_DFU_ERR_WRITE, FWS_E_FLASH_WRITE },   { FWS_DFU_ERR_ERASE, FWS_E_FLASH_ERASE },
	{ FWS_DFU_ERR_CHECK_ERASED, FWS_E_FLASH_ERASE }, { FWS_DFU_ERR_PROG, FWS_E_FLASH_WRITE },
	{ FWS_DFU_ERR_VERIFY, FWS_E_FLASH_VERIFY }, { FWS_DFU_ERR_ADDRESS, FWS_E_TOO_BIG },
	{ FWS_DFU_ERR_NOTDONE, FWS_E_SEQUENCE },    { FWS_DFU_ERR_FIRMWARE, FWS_E_NO_IMAGE },
	{ FWS_DFU_ERR_STALLEDPKT, FWS_E_SEQUENCE },
};

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Every request to a device passes here: -vv logs each one and its answer,
 * -vvv the first bytes of both (fwseal-host/log.h). */
static fws_err simple(fwh_link *l, uint8_t request, fwh_request *req, fwh_error *err)
{
	/* the transport's sentence already says what went wrong on the link */
	req->request = request;
	if (!fwh_log_on(FWH_LOG_DEBUG))
		return l->ops->request(l, req, err);
	char hex[160];
	if (fwh_log_on(FWH_LOG_TRACE) && req->len)
		fwh_log(FWH_LOG_TRACE, l->ops->name, "> %s %s", fws_request_name(request),
		        fwh_log_hex(req->data, req->len, hex, sizeof hex));
	uint64_t t0 = mono_us();
	fws_err e = l->ops->request(l, req, err);
	uint64_t us = mono_us() - t0;
	if (e != FWS_OK)
		fwh_log(FWH_LOG_DEBUG, l->ops->name, "%s wValue %u, %zu bytes: %s after %llu us",
		        fws_request_name(request), req->value, req->len, fws_err_name(e),
		        (unsigned long long)us);
	else
		fwh_log(FWH_LOG_DEBUG, l->ops->name,
		        "%s wValue %u, %zu bytes: answer %zu bytes%s in %llu us",
		        fws_request_name(request), req->value, req->len, req->answer_len,
		        req->stalled ? " (stalled)" : "", (unsigned long long)us);
	if (e == FWS_OK && fwh_log_on(FWH_LOG_TRACE) && req->answer_len && req->answer)
		fwh_log(FWH_LOG_TRACE, l->ops->name, "< %s %s", fws_request_name(request),
		        fwh_log_hex(req->answer, req->answer_len, hex, sizeof hex));
	return e;
}

static void parse_status(const uint8_t *ans, size_t len, fwh_dfu_status *st)
{
	st->status = ans[0];
	st->poll_ms = (uint32_t)ans[1] | (uint32_t)ans[2] << 8 | (uint32_t)ans[3] << 16;
	st->state = ans[4];
	st->istring = ans[5];
	/* fwseal detail code: i16 LE after the 6 DFU bytes (an i32 LE reads the
	 * same in its low half); absent from plain DFU devices */
	st->detail = len >= 8 ? (fws_err)(int16_t)fws_get_le16(ans + 6) : FWS_OK;
}

fws_err fwh_dfu_getstatus(fwh_link *l, fwh_dfu_status *st, fwh_error *err)
{
	uint8_t ans[16];
	fwh_request req = { .answer = ans, .answer_cap = sizeof ans };
	fws_err e = simple(l, FWS_DFU_GETSTATUS, &req, err);
	if (e != FWS_OK)
		return e;
	if (req.stalled || req.answer_len < FWS_DFU_STATUS_LEN)
		return fwh_error_set(err, FWS_E_PROTOCOL,
		                     "The device gave no valid DFU status (%zu bytes); it may not "
		                     "be a fwseal device or may be faulty.",
		                     req.answer_len);
	parse_status(ans, req.answer_len, st);
	return FWS_OK;
}

fws_err fwh_dfu_getstate(fwh_link *l, uint8_t *state, fwh_error *err)
{
	uint8_t ans[1];
	fwh_request req = { .answer = ans, .answer_cap = sizeof ans };
	fws_err e = simple(l, FWS_DFU_GETSTATE, &req, err);
	if (e != FWS_OK)
		return e;
	if (req.stalled || req.answer_len != 1)
		return fwh_error_set(err, FWS_E_PROTOCOL, "The device gave no valid DFU state.");
	*state = ans[0];
	return FWS_OK;
}

fws_err fwh_dfu_status_error(const fwh_dfu_status *st, const char *what, fwh_error *err)
{
	fws_err code = st->detail;
	if (code == FWS_OK) {
		code = FWS_E_PROTOCOL;
		for (size_t i = 0; i < sizeof status_err / sizeof status_err[0]; i++)
			if (status_err[i].status == st->status)
				code = status_err[i].err;
	}
	/* what (N_() by the callers) and the cause's sentence, each in both
	 * languages */
#define REFUSED N_("The device refused %s (%s, %s): %s")
	char en[FWH_ERROR_MSG_MAX], tr[FWH_ERROR_MSG_MAX];
	snprintf(en, sizeof en, REFUSED, what, fws_dfu_status_name(st->status), fws_err_name(code),
	         fws_err_describe(code));
	snprintf(tr, sizeof tr, fwh_tr(REFUSED), fwh_tr(what), fws_dfu_status_name(st->status),
	         fws_err_name(code), fwh_tr(fws_err_describe(code)));
#undef REFUSED
	fwh_error_put(err, code, en, tr);
	if (err) {
		err->from_device = true;
		err->detail = st->detail;
		err->dfu_status = st->status;
		err->poll_ms = st->poll_ms;
	}
	return code;
}

/* After a STALL: ask why and make that the error. */
static fws_err stalled(fwh_link *l, const char *what, fwh_error *err)
{
	fwh_dfu_status st;
	fws_err e = fwh_dfu_getstatus(l, &st, err);
	if (e != FWS_OK)
		return e;
	if (st.status == FWS_DFU_OK && st.detail == FWS_OK) {
#define NO_REASON N_("The device refused %s in state %s without saying why; start the " \
                     "update again.")
		char en[FWH_ERROR_MSG_MAX], tr[FWH_ERROR_MSG_MAX];
		snprintf(en, sizeof en, NO_REASON, what, fws_dfu_state_name(st.state));
		snprintf(tr, sizeof tr, fwh_tr(NO_REASON), fwh_tr(what), fws_dfu_state_name(st.state));
#undef NO_REASON
		return fwh_error_put(err, FWS_E_STATE, en, tr);
	}
	return fwh_dfu_status_error(&st, what, err);
}

static fws_err no_data(fwh_link *l, uint8_t request, fwh_error *err)
{
	fwh_request req = { 0 };
	fws_err e = simple(l, request, &req, err);
	if (e == FWS_OK && req.stalled)
		return stalled(l, fws_request_name(request), err);
	return e;
}

fws_err fwh_dfu_clrstatus(fwh_link *l, fwh_error *err)
{
	return no_data(l, FWS_DFU_CLRSTATUS, err);
}

fws_err fwh_dfu_abort(fwh_link *l, fwh_error *err)
{
	return no_data(l, FWS_DFU_ABORT, err);
}

fws_err fwh_dfu_reset(fwh_link *l, fwh_error *err)
{
	return no_data(l, FWS_REQ_RESET, err);
}

void fwh_dfu_dnload_prepare(fwh_request *req, uint16_t block, const uint8_t *data, size_t len,
                            uint8_t *ans, size_t ans_cap)
{
	memset(req, 0, sizeof *req);
	req->request = FWS_DFU_DNLOAD;
	req->value = block;
	req->data = data;
	req->len = len;
	req->want_status = ans != NULL;
	req->answer = ans;
	req->answer_cap = ans ? ans_cap : 0;
}

fws_err fwh_dfu_dnload_outcome(fwh_link *l, const fwh_request *req, fwh_dfu_status *st,
                               bool *have_st, fwh_error *err)
{
	if (have_st)
		*have_st = false;
	if (req->stalled)
		return stalled(l, req->len ? "the firmware data" : "to install the firmware", err);
	if (st && req->want_status && req->answer_len >= FWS_DFU_STATUS_LEN) {
		parse_status(req->answer, req->answer_len, st);
		if (have_st)
			*have_st = true;
	}
	return FWS_OK;
}

fws_err fwh_dfu_dnload_status(fwh_link *l, uint16_t block, const uint8_t *data, size_t len,
                              fwh_dfu_status *st, bool *have_st, fwh_error *err)
{
	uint8_t ans[16];
	fwh_request req;
	fwh_dfu_dnload_prepare(&req, block, data, len, st ? ans : NULL, sizeof ans);
	if (have_st)
		*have_st = false;
	fws_err e = l->ops->request(l, &req, err);
	return e != FWS_OK ? e : fwh_dfu_dnload_outcome(l, &req, st, have_st, err);
}

fws_err fwh_dfu_dnload(fwh_link *l, uint16_t block, const uint8_t *data, size_t len,
                       fwh_error *err)
{
	return fwh_dfu_dnload_status(l, block, data, len, NULL, NULL, err);
}

fws_err fwh_dfu_resume(fwh_link *l, uint32_t offset, const uint8_t prefix_sha256[FWS_SHA256_LEN],
                       fwh_error *err)
{
	uint8_t data[4 + FWS_SHA256_LEN];
	fws_put_le32(data, offset);
	memcpy(data + 4, prefix_sha256, FWS_SHA256_LEN);
	fwh_request req = { .data = data, .len = sizeof data };
	fws_err e = simple(l, FWS_REQ_RESUME, &req, err);
	if (e == FWS_OK && req.stalled)
		return stalled(l, N_("the request to resume the interrupted download"), err);
	return e;
}

fws_err fwh_dfu_info(fwh_link *l, fws_devinfo *info, fwh_error *err)
{
	uint8_t rec[FWS_DEVINFO_MAX];
	fwh_request req = { .answer = rec, .answer_cap = sizeof rec };
	fws_err e = simple(l, FWS_REQ_INFO, &req, err);
	if (e != FWS_OK)
		return e;
	if (req.stalled)
		return fwh_error_set(err, FWS_E_PROTOCOL,
		                     "The device refused to describe itself (INFO); it may not be "
		                     "a fwseal device.");
	e = fws_devinfo_decode(rec, req.answer_len, info);
	if (e != FWS_OK)
		return fwh_error_set(err, FWS_E_PROTOCOL,
		                     "The device sent a malformed device-info record (%s); it may "
		                     "be faulty or run an incompatible stub.",
		                     fws_err_name(e));
	return FWS_OK;
}
