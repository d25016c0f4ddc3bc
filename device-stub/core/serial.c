/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/serial.c - serial frames in, fws_stub_handle, frames out
 * (fwseal/stub_serial.h). Retransmissions are answered from the cache, so a
 * DNLOAD whose answer was lost is never fed to the package reader twice.
 */
#include <string.h>

#include "fwseal/le.h"
#include "fwseal/stub_serial.h"

/* The frame decoder asks where a frame's payload goes once its header is
 * in: a DNLOAD's data straight into the block buffer, everything else into
 * the decoder's own (small) buffer. */
static uint8_t *payload_room(void *ctx, const fws_frame *hdr, size_t *cap)
{
	fws_stub_serial *l = ctx;

	if (hdr->type != FWS_DFU_DNLOAD)
		return NULL;
	return fws_stub_dnload_room(l->stub, cap);
}

void fws_stub_serial_init(fws_stub_serial *l, fws_stub *stub)
{
	memset(l, 0, sizeof *l);
	l->stub = stub;
	fws_frame_decoder_init(&l->dec);
	fws_frame_decoder_set_sink(&l->dec, payload_room, l);
}

static bool known_request(uint8_t r)
{
	switch (r) {
	case FWS_DFU_DETACH:
	case FWS_DFU_DNLOAD:
	case FWS_DFU_UPLOAD:
	case FWS_DFU_GETSTATUS:
	case FWS_DFU_CLRSTATUS:
	case FWS_DFU_GETSTATE:
	case FWS_DFU_ABORT:
	case FWS_REQ_INFO:
	case FWS_REQ_RESUME:
	case FWS_REQ_RESET:
		return true;
	default:
		return false;
	}
}

static fws_err send_wire(fws_stub_serial *l, const uint8_t *wire, size_t len)
{
	const fws_hal *h = l->stub->cfg.hal;

	if (len == 0u || h->send == NULL)
		return FWS_OK;
	return h->send(h->ctx, wire, len);
}

static fws_err send_cached(fws_stub_serial *l)
{
	return send_wire(l, l->tx, l->tx_len);
}

#if FWS_STUB_SERIAL_WINDOW > 1
/* The last answer is about to be replaced: keep it (if it is a small one,
 * as every windowed request's is) for a host that goes back in its window. */
static void keep_last(fws_stub_serial *l)
{
	fws_stub_serial_past *p = &l->past[l->past_next];

	if (!l->dedup.valid)
		return;
	p->req = l->dedup;
	p->req.valid = l->tx_len <= sizeof p->wire;
	if (p->req.valid) {
		memcpy(p->wire, l->tx, l->tx_len);
		p->len = (uint8_t)l->tx_len;
	}
	l->past_next = (uint8_t)((l->past_next + 1u) % (FWS_STUB_SERIAL_WINDOW - 1u));
}

/* An earlier request of the window sent again: its answer, or NULL. */
static const fws_stub_serial_past *find_past(const fws_stub_serial *l, const fws_frame *f)
{
	for (unsigned i = 0; i < FWS_STUB_SERIAL_WINDOW - 1u; i++)
		if (fws_frame_dedup_is_repeat(&l->past[i].req, f))
			return &l->past[i];
	return NULL;
}
#endif

/* GETSTATUS answer on serial: the 6 DFU bytes, then the detail code. */
static size_t status_answer(fws_stub_serial *l, uint8_t *out, size_t cap)
{
	fws_stub_req g = { .request = FWS_DFU_GETSTATUS };
	size_t n = 0;

	if (cap < FWS_DFU_STATUS_LEN + 4u ||
	    fws_stub_handle(l->stub, &g, out, cap - 4u, &n) != FWS_OK)
		return 0;
	fws_put_le32(out + n, (uint32_t)fws_stub_last_error(l->stub));
	return n + 4u;
}

static fws_err handle_frame(fws_stub_serial *l, const fws_frame *f)
{
	fws_frame a;
	fws_stub_req req;
	/* The answer is built where the encoder wants it for in-place encoding. */
	uint8_t *answer = l->tx + FWS_FRAME_INPLACE_OFF;
	size_t cap = FWS_STUB_ANSWER_MAX, n = 0;
	uint8_t status = FWS_FRAME_ACK;
	uint8_t type = (uint8_t)(f->type & ~FWS_FRAME_RESPONSE);

	/* A link without a window (FWS_STUB_SERIAL_WINDOW 1, a device that
	 * reports none) never gets the flag from a host and ignores it. */
	bool windowed = FWS_STUB_SERIAL_WINDOW > 1u && type == FWS_DFU_DNLOAD &&
	                (f->status & FWS_FRAME_REQ_WINDOW) != 0u;

	if (f->type & FWS_FRAME_RESPONSE)
		return FWS_OK; /* an echo or a confused host: answers are not requests */
	if (fws_frame_dedup_is_repeat(&l->dedup, f)) {
		l->frames_repeated++;
		return send_cached(l);
	}
#if FWS_STUB_SERIAL_WINDOW > 1
	{
		const fws_stub_serial_past *p = find_past(l, f);

		if (p != NULL) {
			l->frames_repeated++;
			return send_wire(l, p->wire, p->len);
		}
	}
#endif
	/* A windowed DNLOAD runs only right after the request before it: if
	 * that one never arrived (line noise), this one waits for the host to
	 * go back and send both again. Unanswered, like a damaged frame. */
	if (windowed && (!l->dedup.valid || f->seq != (uint16_t)(l->dedup.seq + 1u))) {
		l->frames_dropped++;
		return FWS_OK;
	}
	/* length is the most answer bytes the host accepts (DFU wLength), so
	 * 0 means none: a request that answers is then refused (STALL), as a
	 * USB device STALLs it (docs/serial-protocol.md) */
	if (f->length < cap)
		cap = f->length;
#if FWS_STUB_SERIAL_WINDOW > 1
	keep_last(l);
#endif
	l->tx_len = 0; /* the cached answer is overwritten from here on */
	if (!known_request(type)) {
		status = FWS_FRAME_UNSUPPORTED;
	} else if (windowed && l->stub->state == FWS_DFU_ERROR) {
		/* An earlier DNLOAD of the window failed: refuse the ones the host
		 * sent after it without touching the DFU status, so GETSTATUS
		 * still tells why the first one failed. */
		status = FWS_FRAME_STALL;
	} else if (type == FWS_DFU_GETSTATUS) {
		n = status_answer(l, answer, cap);
		if (n == 0)
			status = FWS_FRAME_STALL;
	} else {
		memset(&req, 0, sizeof req);
		req.request = type;
		req.alt = type == FWS_DFU_UPLOAD ? FWS_ALT_INFO : FWS_ALT_PACKAGE;
		req.value = f->value;
		req.data = f->payload;
		req.len = f->payload_len;
		req.data2 = f->payload2; /* DNLOAD data beyond the block buffer's room */
		req.len2 = f->payload2_len;
		if (fws_stub_handle(l->stub, &req, answer, cap, &n) != FWS_OK)
			status = FWS_FRAME_STALL;
		/* REQ_STATUS: the accepted DNLOAD's answer is the GETSTATUS a DFU
		 * host would send next (and counts as that GETSTATUS). */
		if (type == FWS_DFU_DNLOAD && status == FWS_FRAME_ACK &&
		    (f->status & FWS_FRAME_REQ_STATUS))
			n = status_answer(l, answer, cap);
	}
	memset(&a, 0, sizeof a);
	a.seq = f->seq;
	a.type = (uint8_t)(f->type | FWS_FRAME_RESPONSE);
	a.status = status;
	a.payload = answer;
	a.payload_len = n;
	if (fws_frame_encode(&a, l->tx, sizeof l->tx, &l->tx_len) != FWS_OK) {
		l->tx_len = 0;
		return FWS_E_NOMEM;
	}
	fws_frame_dedup_record(&l->dedup, f);
	return send_cached(l);
}

fws_err fws_stub_serial_input(fws_stub_serial *l, const uint8_t *in, size_t len)
{
	size_t off = 0;

	while (off < len) {
		enum fws_frame_event ev;
		fws_frame f;
		fws_err why = FWS_OK;
		size_t used = fws_frame_decoder_feed(&l->dec, in + off, len - off, &ev, &f, &why);

		off += used;
		if (ev == FWS_FRAME_BAD) {
			l->frames_bad++;
		} else if (ev == FWS_FRAME_READY) {
			fws_err e = handle_frame(l, &f);

			if (e != FWS_OK)
				return e;
			if (fws_stub_reset_pending(l->stub))
				return FWS_OK; /* the rest belongs to the next boot */
		}
		if (used == 0u && ev == FWS_FRAME_NONE)
			break;
	}
	return FWS_OK;
}

fws_err fws_stub_serial_poll(fws_stub_serial *l, uint32_t timeout_ms)
{
	const fws_hal *h = l->stub->cfg.hal;
	/* Small: it sits on the stack under the whole request (and under the
	 * signature check); a port's recv buffers the line, so a short read only
	 * means one more call. */
	uint8_t chunk[64];
	int n;

	if (h->recv == NULL)
		return FWS_E_INVAL;
	n = h->recv(h->ctx, chunk, sizeof chunk, timeout_ms);
	if (n < 0)
		return (fws_err)n;
	return fws_stub_serial_input(l, chunk, (size_t)n);
}
