/* SPDX-License-Identifier: Apache-2.0 */
/* frame.c - COBS framing with sequence number and CRC-32 (docs/serial-protocol.md). */
#include "fwseal/frame.h"

#include <string.h>

#include "fwseal/crc.h"
#include "fwseal/dfu.h"
#include "fwseal/le.h"
#include "fwseal/devinfo.h"

/* INFO must always fit one answer, however small a device makes its frames. */
_Static_assert(FWS_FRAME_PAYLOAD_MAX >= FWS_DEVINFO_ENCODED_MAX,
               "frames must carry the device-info record");

/* ---------------------------------------------------------------------- */
/* Encoder: COBS written straight into the output, one byte at a time, so
 * the raw frame never needs a buffer of its own (device RAM). */

typedef struct cobs_writer {
	uint8_t *out;
	size_t cap;
	size_t pos;      /* next free byte */
	size_t code_pos; /* where the current block's code byte goes */
	uint8_t code;    /* 1 + data bytes in the current block */
	bool full;
} cobs_writer;

static void cw_emit(cobs_writer *w, uint8_t b)
{
	if (w->pos >= w->cap) {
		w->full = true;
		return;
	}
	w->out[w->pos++] = b;
}

static void cw_open(cobs_writer *w)
{
	w->code_pos = w->pos;
	w->code = 1;
	cw_emit(w, 0); /* placeholder for the code byte */
}

static void cw_close(cobs_writer *w)
{
	if (!w->full)
		w->out[w->code_pos] = w->code;
}

static void cw_byte(cobs_writer *w, uint8_t b)
{
	if (b == 0) {
		cw_close(w);
		cw_open(w);
		return;
	}
	cw_emit(w, b);
	if (++w->code == 0xFF) {
		cw_close(w);
		cw_open(w);
	}
}

static void cw_bytes(cobs_writer *w, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && !w->full; i++)
		cw_byte(w, p[i]);
}

fws_err fws_frame_encode(fws_frame *f, uint8_t *out, size_t cap, size_t *out_len)
{
	if (f == NULL || out == NULL || out_len == NULL || (f->payload == NULL && f->payload_len))
		return FWS_E_INVAL;
	if (f->payload_len > FWS_FRAME_PAYLOAD_MAX)
		return FWS_E_LIMIT;
	/* a payload inside out must sit exactly at the in-place offset, where the
	 * writer provably stays behind the reader (frame.h) */
	uintptr_t po = (uintptr_t)f->payload, oo = (uintptr_t)out;
	if (f->payload_len && po + f->payload_len > oo && po < oo + cap &&
	    po != oo + FWS_FRAME_INPLACE_OFF)
		return FWS_E_INVAL;

	uint8_t hdr[FWS_FRAME_HEADER_LEN];
	fws_put_le16(hdr, f->seq);
	hdr[2] = f->type;
	hdr[3] = f->status;
	fws_put_le16(hdr + 4, f->value);
	fws_put_le16(hdr + 6, f->length);

	uint32_t crc = fws_crc32(0, hdr, sizeof hdr);
	if (f->payload_len)
		crc = fws_crc32(crc, f->payload, f->payload_len);
	uint8_t tail[FWS_FRAME_CRC_LEN];
	fws_put_le32(tail, crc);

	cobs_writer w = { .out = out, .cap = cap };
	cw_emit(&w, 0); /* leading delimiter: ends any garbage before us */
	cw_open(&w);
	cw_bytes(&w, hdr, sizeof hdr);
	cw_bytes(&w, f->payload, f->payload_len);
	cw_bytes(&w, tail, sizeof tail);
	/* A payload that ends right after a full 0xFF block leaves an empty
	 * final block (code 0x01); it decodes to nothing, so it is harmless. */
	cw_close(&w);
	cw_emit(&w, 0);
	if (w.full)
		return FWS_E_NOMEM;
	f->crc = crc;
	*out_len = w.pos;
	return FWS_OK;
}

/* ---------------------------------------------------------------------- */
/* Decoder */

void fws_frame_decoder_init(fws_frame_decoder *d)
{
	memset(d, 0, sizeof *d);
}

static void dec_reset(fws_frame_decoder *d)
{
	d->fill = 0;
	d->code = 0;
	d->left = 0;
	d->started = false;
	d->overflow = false;
}

static void dec_put(fws_frame_decoder *d, uint8_t b)
{
	if (d->fill >= sizeof d->buf) {
		d->overflow = true;
		return;
	}
	d->buf[d->fill++] = b;
}

/* A 0x00 arrived: judge the frame collected so far. */
static enum fws_frame_event dec_finish(fws_frame_decoder *d, fws_frame *out, fws_err *why)
{
	enum fws_frame_event ev = FWS_FRAME_BAD;
	fws_err err = FWS_E_FRAME;

	if (!d->started && !d->overflow) {
		ev = FWS_FRAME_NONE; /* empty frame: two delimiters in a row */
		goto done;
	}
	if (d->overflow) {
		err = FWS_E_LIMIT;
		goto done;
	}
	/* a block cut short by the delimiter: truncated or corrupted */
	if (d->left != 0)
		goto done;
	if (d->fill < FWS_FRAME_HEADER_LEN + FWS_FRAME_CRC_LEN)
		goto done;

	size_t body = d->fill - FWS_FRAME_CRC_LEN;
	uint32_t want = fws_get_le32(d->buf + body);
	if (fws_crc32(0, d->buf, body) != want)
		goto done;

	out->seq = fws_get_le16(d->buf);
	out->type = d->buf[2];
	out->status = d->buf[3];
	out->value = fws_get_le16(d->buf + 4);
	out->length = fws_get_le16(d->buf + 6);
	out->payload_len = body - FWS_FRAME_HEADER_LEN;
	out->payload = d->buf + FWS_FRAME_HEADER_LEN;
	out->crc = want;
	ev = FWS_FRAME_READY;
	err = FWS_OK;
done:
	if (ev == FWS_FRAME_BAD) {
		d->bad++;
		if (why)
			*why = err;
	}
	dec_reset(d);
	return ev;
}

size_t fws_frame_decoder_feed(fws_frame_decoder *d, const uint8_t *in, size_t len,
                              enum fws_frame_event *ev, fws_frame *out, fws_err *why)
{
	*ev = FWS_FRAME_NONE;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = in[i];
		if (b == 0) {
			*ev = dec_finish(d, out, why);
			if (*ev != FWS_FRAME_NONE)
				return i + 1;
			continue;
		}
		if (d->overflow)
			continue;
		if (d->left == 0) {
			/* a code byte; the block before it ends in an implied 0x00
			 * unless it was a full 0xFF block */
			if (d->started && d->code != 0xFF)
				dec_put(d, 0);
			d->started = true;
			d->code = b;
			d->left = (uint8_t)(b - 1);
		} else {
			dec_put(d, b);
			d->left--;
		}
	}
	return len;
}

/* ---------------------------------------------------------------------- */
/* Idempotent retransmission */

bool fws_frame_dedup_is_repeat(const fws_frame_dedup *d, const fws_frame *req)
{
	return d->valid && d->seq == req->seq && d->crc == req->crc;
}

void fws_frame_dedup_record(fws_frame_dedup *d, const fws_frame *req)
{
	d->valid = true;
	d->seq = req->seq;
	d->crc = req->crc;
}

const char *fws_request_name(uint8_t request)
{
	switch (request & (uint8_t)~FWS_FRAME_RESPONSE) {
	case FWS_DFU_DETACH: return "DETACH";
	case FWS_DFU_DNLOAD: return "DNLOAD";
	case FWS_DFU_UPLOAD: return "UPLOAD";
	case FWS_DFU_GETSTATUS: return "GETSTATUS";
	case FWS_DFU_CLRSTATUS: return "CLRSTATUS";
	case FWS_DFU_GETSTATE: return "GETSTATE";
	case FWS_DFU_ABORT: return "ABORT";
	case FWS_REQ_INFO: return "INFO";
	case FWS_REQ_RESUME: return "RESUME";
	case FWS_REQ_RESET: return "RESET";
	default: return "unknown";
	}
}
