/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_frame.c - the serial frame decoder as a hostile peer sees it
 * (protocol/src/frame.c). The first input byte picks the chunk size the rest
 * is fed in, so chunk boundaries land everywhere. Invariants checked:
 * the decoder always makes progress and never reports more than it got, and
 * every frame it accepts re-encodes and decodes to the same frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reencode(const fws_frame *f)
{
	static uint8_t wire[FWS_FRAME_WIRE_MAX];
	static fws_frame_decoder d2;
	fws_frame copy = *f;
	size_t len;
	if (fws_frame_encode(&copy, wire, sizeof wire, &len) != FWS_OK || copy.crc != f->crc)
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
	size_t chunk = (size_t)data[0] + 1;
	data++;
	size--;
	fws_frame_decoder_init(&dec);
	size_t off = 0;
	while (off < size) {
		size_t c = size - off < chunk ? size - off : chunk;
		enum fws_frame_event ev;
		fws_frame f;
		fws_err why = FWS_OK;
		size_t used = fws_frame_decoder_feed(&dec, data + off, c, &ev, &f, &why);
		if (used == 0 || used > c || dec.fill > sizeof dec.buf)
			abort();
		off += used;
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
