/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/dfu.c - the DFU 1.1 device state machine (section 6.1.2,
 * figure A.2) as the one request handler every transport maps onto. A switch
 * on the request, then a guard on the state; anything a state does not allow
 * is refused with errSTALLEDPKT and dfuERROR, as the spec requires.
 */
#include <string.h>

#include "fwseal/le.h"
#include "internal.h"

uint8_t fws_stub_dfu_status(fws_err e)
{
	/* int, not the enum: err.h is append-only and new codes map to
	 * errUNKNOWN until listed here. */
	switch ((int)e) {
	case FWS_OK:
		return FWS_DFU_OK;
	case FWS_E_SIGNATURE:
	case FWS_E_UNTRUSTED_KEY:
	case FWS_E_REVOKED_KEY:
	case FWS_E_BLOCK_DIGEST:
	case FWS_E_IMAGE_DIGEST:
	case FWS_E_CHAIN_END:
	case FWS_E_FLASH_VERIFY:
	case FWS_E_THRESHOLD:
		return FWS_DFU_ERR_VERIFY;
	case FWS_E_MODEL:
	case FWS_E_HW_REV:
	case FWS_E_COMPONENT:
	case FWS_E_DOWNGRADE:
	case FWS_E_VENDOR:
	case FWS_E_BLOCK_SIZE:
	case FWS_E_TRUST_ROLLBACK:
	case FWS_E_TRUST_UNUSABLE:
	case FWS_E_TRUST_ORPHAN:
	case FWS_E_BASE:
	case FWS_E_ENCODING_UNSUPPORTED:
		return FWS_DFU_ERR_TARGET;
	case FWS_E_TOO_BIG:
		return FWS_DFU_ERR_ADDRESS;
	case FWS_E_MAGIC:
	case FWS_E_FORMAT_VERSION:
	case FWS_E_HEADER:
	case FWS_E_MANIFEST:
	case FWS_E_CRITICAL:
	case FWS_E_LIMIT:
	case FWS_E_MISSING_FIELD:
	case FWS_E_TRAILING:
	case FWS_E_SUFFIX:
	case FWS_E_ENCODING:
		return FWS_DFU_ERR_FILE;
	case FWS_E_TRUNCATED:
		return FWS_DFU_ERR_NOTDONE;
	case FWS_E_FLASH_WRITE:
	case FWS_E_IO:
	case FWS_E_JOURNAL:
		return FWS_DFU_ERR_WRITE;
	case FWS_E_FLASH_ERASE:
		return FWS_DFU_ERR_ERASE;
	case FWS_E_NO_IMAGE:
		return FWS_DFU_ERR_FIRMWARE;
	case FWS_E_TRUST_STORE:
		return FWS_DFU_ERR_VENDOR;
	case FWS_E_INVAL:
	case FWS_E_STATE:
	case FWS_E_SEQUENCE:
		return FWS_DFU_ERR_STALLEDPKT;
	default:
		break;
	}
	return FWS_DFU_ERR_UNKNOWN;
}

fws_err stub_fail(fws_stub *s, fws_err e)
{
	assert(e != FWS_OK);
	s->state = FWS_DFU_ERROR;
	s->status = fws_stub_dfu_status(e);
	s->last_error = e;
	stub_dl_reset(s);
	return e;
}

bool fws_stub_reset_pending(const fws_stub *s)
{
	return s->reset_pending;
}

fws_err fws_stub_last_error(const fws_stub *s)
{
	return s->last_error;
}

static size_t answer_status(const fws_stub *s, uint8_t *resp, size_t cap, uint8_t state)
{
	/* Every request completes inside fws_stub_handle, so the host never
	 * has to wait: bwPollTimeout only paces hosts that poll, and says how
	 * long a download start refused by the flash-wear back-off must wait
	 * (FWS_E_BUSY, download.c). */
	uint32_t poll = s->cfg.poll_timeout_ms;

	if (state == FWS_DFU_ERROR && s->last_error == FWS_E_BUSY && s->backoff_ms > poll)
		poll = s->backoff_ms; /* at most 5 min: fits the 24 bits */

	if (cap < FWS_DFU_STATUS_LEN)
		return 0;
	resp[0] = s->status;
	resp[1] = (uint8_t)poll;
	resp[2] = (uint8_t)(poll >> 8);
	resp[3] = (uint8_t)(poll >> 16);
	resp[4] = state;
	resp[5] = 0; /* iString */
	return FWS_DFU_STATUS_LEN;
}

static fws_err do_dnload(fws_stub *s, const fws_stub_req *req)
{
	fws_err e;

	STUB_VERIFY(s, req->alt == FWS_ALT_PACKAGE, FWS_E_STATE);
	STUB_VERIFY(s, req->len == 0u || req->data != NULL, FWS_E_INVAL);
	/* DNLOAD data may arrive in two pieces (data2: fws_frame.payload2) */
	STUB_VERIFY(s, req->len2 == 0u || (req->data2 != NULL && req->len > 0u), FWS_E_INVAL);
	/* DFU 1.1 6.1.1: never more than wTransferSize per DNLOAD, whatever a
	 * frame (4160 bytes) or a control transfer could carry */
	STUB_VERIFY(s, req->len2 <= fws_stub_xfer_size(s) &&
	                   req->len <= fws_stub_xfer_size(s) - req->len2, FWS_E_INVAL);
	switch (s->state) {
	case FWS_DFU_IDLE:
		/* 6.1.2: a zero-length DNLOAD in dfuIDLE is a protocol error. */
		STUB_VERIFY(s, req->len > 0u, FWS_E_SEQUENCE);
		e = stub_dl_start(s);
		STUB_VERIFY(s, e == FWS_OK, e);
		break;
	case FWS_DFU_DNLOAD_IDLE:
		if (req->len == 0u) {
			/* End of download: everything must have arrived. */
			STUB_VERIFY(s, s->dl_done, FWS_E_TRUNCATED);
			s->state = FWS_DFU_MANIFEST_SYNC;
			return FWS_OK;
		}
		break;
	case FWS_DFU_APP_IDLE:
	case FWS_DFU_APP_DETACH:
	case FWS_DFU_DNLOAD_SYNC:
	case FWS_DFU_DNBUSY:
	case FWS_DFU_MANIFEST_SYNC:
	case FWS_DFU_MANIFEST:
	case FWS_DFU_MANIFEST_WAIT_RESET:
	case FWS_DFU_UPLOAD_IDLE:
	case FWS_DFU_ERROR:
	default:
		return stub_fail(s, FWS_E_SEQUENCE);
	}
	e = stub_dl_feed(s, req->data, req->len);
	if (e == FWS_OK && req->len2)
		e = stub_dl_feed(s, req->data2, req->len2);
	STUB_VERIFY(s, e == FWS_OK, e);
	s->state = FWS_DFU_DNLOAD_SYNC;
	return FWS_OK;
}

uint8_t *fws_stub_dnload_room(fws_stub *s, size_t *cap)
{
	/* While a download holds part of a unit in the block buffer, only the
	 * reader's room after it is free (a DNLOAD then continues it). In every
	 * other state nothing in the buffer outlives the next request: a DNLOAD
	 * in dfuIDLE starts a download at the buffer's start, one in any other
	 * state is refused. */
	if ((s->state == FWS_DFU_DNLOAD_IDLE || s->state == FWS_DFU_DNLOAD_SYNC) && !s->dl_done)
		return fws_pkg_reader_room(&s->rd, cap);
	*cap = s->cfg.buf_cap;
	return s->cfg.buf;
}

static fws_err do_getstatus(fws_stub *s, uint8_t *resp, size_t cap, size_t *resp_len)
{
	fws_err e;
	uint8_t shown;

	switch (s->state) {
	case FWS_DFU_DNLOAD_SYNC:
		/* The block was handled inside DNLOAD: it is complete. */
		s->state = FWS_DFU_DNLOAD_IDLE;
		break;
	case FWS_DFU_MANIFEST_SYNC:
		/* Manifestation: read back, then commit (6.1.2 dfuMANIFEST). */
		e = stub_dl_manifest(s);
		if (e != FWS_OK) {
			(void)stub_fail(s, e);
			break;
		}
		*resp_len = answer_status(s, resp, cap, FWS_DFU_MANIFEST);
		/* Manifestation tolerant: the next GETSTATUS finds dfuIDLE. */
		s->state = FWS_DFU_MANIFEST;
		return FWS_OK;
	case FWS_DFU_MANIFEST:
		s->state = FWS_DFU_IDLE;
		break;
	case FWS_DFU_APP_IDLE:
	case FWS_DFU_APP_DETACH:
	case FWS_DFU_IDLE:
	case FWS_DFU_DNBUSY:
	case FWS_DFU_DNLOAD_IDLE:
	case FWS_DFU_MANIFEST_WAIT_RESET:
	case FWS_DFU_UPLOAD_IDLE:
	case FWS_DFU_ERROR:
	default:
		break;
	}
	shown = s->state;
	*resp_len = answer_status(s, resp, cap, shown);
	return FWS_OK;
}

/* The device-info record into dst. Out of line: the record is a few hundred
 * bytes that must not sit in fws_stub_handle's frame during a DNLOAD. */
static STUB_NOINLINE fws_err encode_info(const fws_stub *s, uint8_t *dst, size_t cap,
                                         size_t *len)
{
	fws_devinfo info;

	fws_stub_info(s, &info);
	return fws_devinfo_encode(&info, dst, cap, len);
}

static fws_err do_upload(fws_stub *s, uint8_t *resp, size_t cap, size_t *resp_len)
{
	size_t len = 0, n;

	/* An UPLOAD without room for an answer (wLength 0, or sent host to
	 * device on a transport that says so) is not an UPLOAD: refuse it. */
	STUB_VERIFY(s, resp != NULL && cap > 0u, FWS_E_INVAL);
	/* Reading back firmware is not offered: only the info record. */
	STUB_VERIFY(s, s->state == FWS_DFU_IDLE || s->state == FWS_DFU_UPLOAD_IDLE,
	            FWS_E_SEQUENCE);
	if (s->state == FWS_DFU_IDLE)
		s->upload_off = 0;
	/* In dfuIDLE / dfuUPLOAD-IDLE no download holds the block buffer. */
	STUB_VERIFY(s, encode_info(s, s->cfg.buf, s->cfg.buf_cap, &len) == FWS_OK, FWS_E_NOMEM);
	n = len > s->upload_off ? len - s->upload_off : 0u;
	if (n > cap)
		n = cap;
	memcpy(resp, s->cfg.buf + s->upload_off, n);
	s->upload_off += (uint32_t)n;
	*resp_len = n;
	/* 6.2: a short frame ends the upload. */
	s->state = n < cap ? FWS_DFU_IDLE : FWS_DFU_UPLOAD_IDLE;
	return FWS_OK;
}

uint16_t fws_stub_xfer_size(const fws_stub *s)
{
	uint16_t x = s->cfg.xfer_size;

	return x != 0u ? x : FWS_STUB_XFER_MAX;
}

uint8_t fws_stub_request_dir(uint8_t request)
{
	switch (request) {
	case FWS_DFU_UPLOAD:
	case FWS_DFU_GETSTATUS:
	case FWS_DFU_GETSTATE:
	case FWS_REQ_INFO:
		return FWS_REQ_DIR_IN;
	default:
		return FWS_REQ_DIR_OUT; /* DETACH, DNLOAD, CLRSTATUS, ABORT, RESUME, RESET */
	}
}

fws_err fws_stub_handle(fws_stub *s, const fws_stub_req *req, uint8_t *resp, size_t cap,
                        size_t *resp_len)
{
	*resp_len = 0;
	/* A request sent the wrong way (USB bmRequestType) is a protocol
	 * error, whatever the request: STALL, dfuERROR (DFU 1.1 6.1.2). An IN
	 * request carries no data to act on, an OUT one has no answer buffer. */
	STUB_VERIFY(s, req->dir == FWS_REQ_DIR_ANY || req->dir == fws_stub_request_dir(req->request),
	            FWS_E_INVAL);
	switch (req->request) {
	case FWS_DFU_DNLOAD:
		return do_dnload(s, req);
	case FWS_DFU_GETSTATUS:
		STUB_VERIFY(s, cap >= FWS_DFU_STATUS_LEN, FWS_E_INVAL);
		return do_getstatus(s, resp, cap, resp_len);
	case FWS_DFU_GETSTATE:
		STUB_VERIFY(s, cap >= 1u, FWS_E_INVAL);
		resp[0] = s->state;
		*resp_len = 1;
		return FWS_OK;
	case FWS_DFU_CLRSTATUS:
		STUB_VERIFY(s, s->state == FWS_DFU_ERROR, FWS_E_SEQUENCE);
		s->state = FWS_DFU_IDLE;
		s->status = FWS_DFU_OK;
		return FWS_OK;
	case FWS_DFU_ABORT:
		switch (s->state) {
		case FWS_DFU_IDLE:
		case FWS_DFU_DNLOAD_SYNC:
		case FWS_DFU_DNLOAD_IDLE:
		case FWS_DFU_MANIFEST_SYNC:
		case FWS_DFU_UPLOAD_IDLE:
			/* The journal keeps the resume point; RAM state goes. */
			stub_dl_reset(s);
			s->state = FWS_DFU_IDLE;
			return FWS_OK;
		case FWS_DFU_APP_IDLE:
		case FWS_DFU_APP_DETACH:
		case FWS_DFU_DNBUSY:
		case FWS_DFU_MANIFEST:
		case FWS_DFU_MANIFEST_WAIT_RESET:
		case FWS_DFU_ERROR:
		default:
			return stub_fail(s, FWS_E_SEQUENCE);
		}
	case FWS_DFU_UPLOAD:
		STUB_VERIFY(s, req->alt == FWS_ALT_INFO, FWS_E_STATE);
		return do_upload(s, resp, cap, resp_len);
	case FWS_REQ_INFO:
		/* Allowed in every state: the host's window into an error. */
		if (encode_info(s, resp, cap, resp_len) != FWS_OK) {
			*resp_len = 0;
			return FWS_E_NOMEM; /* host asked for too little; no state change */
		}
		return FWS_OK;
	case FWS_REQ_RESUME: {
		fws_err e;

		STUB_VERIFY(s, s->state == FWS_DFU_IDLE && req->alt == FWS_ALT_PACKAGE, FWS_E_SEQUENCE);
		STUB_VERIFY(s, req->data != NULL, FWS_E_INVAL);
		e = stub_dl_resume(s, req->data, req->len);
		STUB_VERIFY(s, e == FWS_OK, e);
		s->state = FWS_DFU_DNLOAD_IDLE;
		return FWS_OK;
	}
	case FWS_REQ_RESET:
		/* Acted on by the port after the answer went out (state changes
		 * only after the transfer is acknowledged). */
		s->reset_pending = true;
		return FWS_OK;
	case FWS_DFU_DETACH:
	default:
		return stub_fail(s, FWS_E_SEQUENCE);
	}
}
