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
/* Decoder
 *
 * The decoded body is kept in up to three places, in this order: the 8
 * header bytes (hdr), the sink's room (room, up to room_cap bytes; only with
 * a sink), then buf. The CRC is the last four bytes, wherever they landed.
 * Within a COBS block the data bytes are copied in runs (memchr finds a
 * 0x00 that cuts the block short), not one by one: the device decodes every
 * byte of every package it receives. */

void fws_frame_decoder_init(fws_frame_decoder *d)
{
	memset(d, 0, sizeof *d);
}

void fws_frame_decoder_set_sink(fws_frame_decoder *d, fws_frame_sink sink, void *ctx)
{
	d->sink = sink;
	d->sink_ctx = ctx;
}

static void dec_reset(fws_frame_decoder *d)
{
	d->fill = 0;
	d->buf_fill = 0;
	d->room = NULL;
	d->room_cap = 0;
	d->room_fill = 0;
	d->code = 0;
	d->left = 0;
	d->started = false;
	d->overflow = false;
}

static void dec_header(const uint8_t *h, fws_frame *f)
{
	memset(f, 0, sizeof *f);
	f->seq = fws_get_le16(h);
	f->type = h[2];
	f->status = h[3];
	f->value = fws_get_le16(h + 4);
	f->length = fws_get_le16(h + 6);
}

/* Append n decoded body bytes. */
static void dec_put(fws_frame_decoder *d, const uint8_t *p, size_t n)
{
	if (n > FWS_FRAME_RAW_MAX - d->fill) {
		d->overflow = true;
		return;
	}
	if (d->fill < FWS_FRAME_HEADER_LEN) {
		size_t k = FWS_FRAME_HEADER_LEN - d->fill;

		if (k > n)
			k = n;
		memcpy(d->hdr + d->fill, p, k);
		d->fill += k;
		p += k;
		n -= k;
		if (d->fill == FWS_FRAME_HEADER_LEN && d->sink != NULL) {
			fws_frame h;
			size_t cap = 0;

			dec_header(d->hdr, &h);
			d->room = d->sink(d->sink_ctx, &h, &cap);
			d->room_cap = d->room != NULL ? cap : 0u;
		}
		if (n == 0)
			return;
	}
	if (d->room_fill < d->room_cap) {
		size_t k = d->room_cap - d->room_fill;

		if (k > n)
			k = n;
		memcpy(d->room + d->room_fill, p, k);
		d->room_fill += k;
		d->fill += k;
		p += k;
		n -= k;
		if (n == 0)
			return; /* the usual case of a device's DNLOAD */
	}
	if (n > sizeof d->buf - d->buf_fill) {
		d->overflow = true;
		return;
	}
	memcpy(d->buf + d->buf_fill, p, n);
	d->buf_fill += n;
	d->fill += n;
}

/* Byte i of the body after the header (payload, then CRC). */
static uint8_t dec_at(const fws_frame_decoder *d, size_t i)
{
	return i < d->room_fill ? d->room[i] : d->buf[i - d->room_fill];
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

	size_t plen = d->fill - FWS_FRAME_HEADER_LEN - FWS_FRAME_CRC_LEN;
	size_t in_room = plen < d->room_fill ? plen : d->room_fill;
	uint8_t tail[FWS_FRAME_CRC_LEN];

	for (size_t i = 0; i < FWS_FRAME_CRC_LEN; i++)
		tail[i] = dec_at(d, plen + i);
	uint32_t want = fws_get_le32(tail);
	uint32_t crc = fws_crc32(0, d->hdr, FWS_FRAME_HEADER_LEN);
	crc = fws_crc32(crc, d->room, in_room);
	crc = fws_crc32(crc, d->buf, plen - in_room);
	if (crc != want)
		goto done;

	dec_header(d->hdr, out);
	if (in_room) {
		out->payload = d->room;
		out->payload_len = in_room;
		out->payload2 = plen > in_room ? d->buf : NULL;
		out->payload2_len = plen - in_room;
	} else {
		out->payload = d->buf;
		out->payload_len = plen;
	}
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
	size_t i = 0;

	*ev = FWS_FRAME_NONE;
	while (i < len) {
		uint8_t b = in[i];

		if (b == 0) {
			*ev = dec_finish(d, out, why);
			i++;
			if (*ev != FWS_FRAME_NONE)
				return i;
			continue;
		}
		if (d->overflow) {
			/* drop everything up to the next delimiter */
			const uint8_t *z = memchr(in + i, 0, len - i);

			i = z != NULL ? (size_t)(z - in) : len;
			continue;
		}
		if (d->left == 0) {
			/* a code byte; the block before it ends in an implied 0x00
			 * unless it was a full 0xFF block */
			if (d->started && d->code != 0xFF) {
				static const uint8_t zero = 0;

				dec_put(d, &zero, 1);
			}
			d->started = true;
			d->code = b;
			d->left = (uint8_t)(b - 1);
			i++;
			continue;
		}
		/* a run of data bytes of this block: up to the block's end, the
		 * input's end or a 0x00 (which cuts the block short) */
		size_t run = len - i < d->left ? len - i : d->left;
		const uint8_t *z = memchr(in + i, 0, run);

		if (z != NULL)
			run = (size_t)(z - (in + i));
		dec_put(d, in + i, run);
		d->left = (uint8_t)(d->left - run);
		i += run;
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
