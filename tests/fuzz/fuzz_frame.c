/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_frame.c - the serial frame decoder as a hostile peer sees it
 * (protocol/src/frame.c). The first input byte picks the chunk size the rest
 * is fed in (low 7 bits), so chunk boundaries land everywhere, and whether
 * payloads go through a sink (bit 7) whose room is as large as the frame's
 * value field says (mod 600), as the device stub's DNLOAD room does.
 * Invariants checked: the decoder always makes progress and never reports
 * more than it got, never writes past the room, and every frame it accepts
 * re-encodes and decodes to the same frame (its two payload pieces joined).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t room[600 + 16];

static uint8_t *sink(void *ctx, const fws_frame *hdr, size_t *cap)
{
	(void)ctx;
	*cap = hdr->value % 600u;
	memset(room + *cap, 0xA5, 16); /* a guard after the room */
	return room;
}

static void check_reencode(const fws_frame *in)
{
	static uint8_t wire[FWS_FRAME_WIRE_MAX];
	static uint8_t joined[FWS_FRAME_PAYLOAD_MAX];
	static fws_frame_decoder d2;
	fws_frame copy = *in, *f = &copy;
	size_t len;

	if (in->payload_len + in->payload2_len > FWS_FRAME_PAYLOAD_MAX)
		abort();
	if (in->payload2_len) {
		memcpy(joined, in->payload, in->payload_len);
		memcpy(joined + in->payload_len, in->payload2, in->payload2_len);
		copy.payload = joined;
		copy.payload_len = in->payload_len + in->payload2_len;
	}
	if (fws_frame_encode(&copy, wire, sizeof wire, &len) != FWS_OK || copy.crc != in->crc)
		abort();
	fws_frame_decoder_init(&d2);
	enum fws_frame_event ev;
	fws_frame g;
	size_t used = fws_frame_decoder_feed(&d2, wire, len, &ev, &g, NULL);
	if (ev != FWS_FRAME_READY || used != len || g.seq != f->seq || g.type != f->type ||
	    g.status != f->status || g.value != f->value || g.length != f->length ||
	    g.payload_len != f->payload_len || memcmp(g.payload, f->payload, g.payload_len) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fws_frame_decoder dec;
	if (size == 0)
		return 0;
	size_t chunk = (size_t)(data[0] & 0x7Fu) + 1;
	bool with_sink = (data[0] & 0x80u) != 0;
	data++;
	size--;
	fws_frame_decoder_init(&dec);
	if (with_sink)
		fws_frame_decoder_set_sink(&dec, sink, NULL);
	size_t off = 0;
	while (off < size) {
		size_t c = size - off < chunk ? size - off : chunk;
		enum fws_frame_event ev;
		fws_frame f;
		fws_err why = FWS_OK;
		size_t used = fws_frame_decoder_feed(&dec, data + off, c, &ev, &f, &why);
		if (used == 0 || used > c || dec.fill > FWS_FRAME_RAW_MAX ||
		    dec.buf_fill > sizeof dec.buf || dec.room_fill > dec.room_cap)
			abort();
		off += used;
		if (with_sink)
			for (size_t i = 0; i < 16; i++)
				if (room[dec.room_cap + i] != 0xA5 && dec.room != NULL)
					abort();
		if (ev == FWS_FRAME_READY) {
			if (f.payload_len > FWS_FRAME_PAYLOAD_MAX)
				abort();
			check_reencode(&f);
		} else if (ev == FWS_FRAME_BAD && why != FWS_E_FRAME && why != FWS_E_LIMIT) {
			abort();
		}
	}
	return 0;
}
