/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_stub_serial.c - the device's serial layer (device-stub/core/serial.c)
 * and its retransmission cache, on the device of fuzz_device.h: bytes as a
 * hostile host writes them to the UART, in records
 *
 *   kind u8 | len u16 LE | data[len]
 *
 *   0 RAW     data goes to the device as it is (line noise, cut frames)
 *   1 FRAME   data = type u8 | status u8 | value u16 | length u16 | payload:
 *             encoded as a valid frame with the next seq
 *   2 REPEAT  the last FRAME/PKG wire bytes again (a retransmission)
 *   3 PKG     data = package u8 | offset u32 | length u16 | flags u8: a
 *             DNLOAD frame of a piece of a ready-made package (flags bit0:
 *             REQ_STATUS)
 *   4 POWER   power cycle (the link restarts too)
 *   5 TIME    data = u32 ms pass (the flash-wear back-off clock)
 *
 * Invariants (abort = a finding): every byte the device sends decodes into
 * answer frames (CRC, COBS) that answer the frame just sent (its seq, its
 * type | 0x80, status ACK/STALL/UNSUPPORTED, payload within the answer
 * limit), unknown types are UNSUPPORTED, a retransmission gets the same
 * answer again and changes nothing on the device, the flash rules hold and
 * the device still boots a verified image at the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/frame.h"
#include "fwseal/le.h"
#include "fwseal/stub_serial.h"
#include "fuzz_device.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fuzz_device F;
static fws_stub_serial link;
static bool ready;

/* What the device sent since the last check. */
static uint8_t sent[8192];
static size_t sent_len;

static fws_err capture(void *ctx, const uint8_t *src, size_t len)
{
	(void)ctx;
	if (len > sizeof sent - sent_len)
		abort(); /* an answer far longer than any the device may give */
	memcpy(sent + sent_len, src, len);
	sent_len += len;
	return FWS_OK;
}

/* The answer frames in sent[]: each must answer (seq, type). Returns how
 * many there were; *status gets the last one's. */
static unsigned check_answers(uint16_t seq, uint8_t type, bool known, uint8_t *status)
{
	fws_frame_decoder dec;
	unsigned n = 0;

	fws_frame_decoder_init(&dec);
	for (size_t off = 0; off < sent_len;) {
		enum fws_frame_event ev;
		fws_frame a;
		off += fws_frame_decoder_feed(&dec, sent + off, sent_len - off, &ev, &a, NULL);
		if (ev == FWS_FRAME_BAD)
			abort(); /* the device sent a damaged frame */
		if (ev != FWS_FRAME_READY)
			continue;
		n++;
		if (a.seq != seq || a.type != (uint8_t)(type | FWS_FRAME_RESPONSE) ||
		    a.status > FWS_FRAME_UNSUPPORTED || a.payload_len > FWS_STUB_ANSWER_MAX ||
		    (!known && a.status != FWS_FRAME_UNSUPPORTED))
			abort();
		*status = a.status;
	}
	return n;
}

static bool known_type(uint8_t t)
{
	return t <= FWS_DFU_ABORT || t == FWS_REQ_INFO || t == FWS_REQ_RESUME || t == FWS_REQ_RESET;
}

static void power_cycle(void)
{
	fuzz_device_power_on(&F, true);
	fws_stub_serial_init(&link, &F.stub);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t wire[FWS_FRAME_WIRE_MAX];
	static uint8_t prev_answer[8192];
	size_t wire_len = 0, prev_len = 0;
	uint16_t seq = 0x4000, wire_seq = 0;
	uint8_t wire_type = 0;
	unsigned records = 0;

	if (!ready) {
		fuzz_device_setup(&F);
		F.dev.hal.send = capture;
		ready = true;
	}
	fuzz_device_restore(&F);
	fws_stub_serial_init(&link, &F.stub);

	while (size >= 3u && records++ < FUZZ_RECORDS_MAX) {
		uint8_t kind = data[0];
		size_t len = fws_get_le16(data + 1);
		const uint8_t *d = data + 3;
		if (len > size - 3u)
			len = size - 3u;
		data += 3u + len;
		size -= 3u + len;
		sent_len = 0;
		switch (kind % 6u) {
		case 0:
			(void)fws_stub_serial_input(&link, d, len);
			break;
		case 1:
		case 3: {
			fws_frame f;
			memset(&f, 0, sizeof f);
			f.seq = ++seq;
			if (kind % 6u == 1u) {
				if (len < 6u)
					break;
				f.type = d[0];
				f.status = d[1];
				f.value = fws_get_le16(d + 2);
				f.length = fws_get_le16(d + 4);
				f.payload = d + 6;
				f.payload_len = len - 6u > FWS_FRAME_PAYLOAD_MAX ? FWS_FRAME_PAYLOAD_MAX
				                                                  : len - 6u;
			} else {
				if (len < 8u)
					break;
				const test_pkg *p = &F.pkg[d[0] % FUZZ_PKG_COUNT];
				size_t off = fws_get_le32(d + 1) % (p->len + 1u);
				size_t k = fws_get_le16(d + 5);
				if (k > p->len - off)
					k = p->len - off;
				if (k > 4096u)
					k = 4096u;
				f.type = FWS_DFU_DNLOAD;
				f.status = (d[7] & 1u) ? FWS_FRAME_REQ_STATUS : 0u;
				f.length = 16;
				f.payload = p->data + off;
				f.payload_len = k;
			}
			if (fws_frame_encode(&f, wire, sizeof wire, &wire_len) != FWS_OK)
				abort();
			wire_seq = f.seq;
			wire_type = f.type;
			if (fws_stub_serial_input(&link, wire, wire_len) != FWS_OK)
				abort(); /* the capture never fails: nor may the link */
			uint8_t st = 0;
			if ((f.type & FWS_FRAME_RESPONSE) == 0 &&
			    check_answers(f.seq, f.type, known_type(f.type), &st) != 1u)
				abort(); /* exactly one answer to each request */
			memcpy(prev_answer, sent, sent_len);
			prev_len = sent_len;
			break;
		}
		case 2: {
			if (wire_len == 0 || (wire_type & FWS_FRAME_RESPONSE))
				break;
			uint32_t jseq = F.stub.j.seq;
			uint64_t fed = F.stub.rd.offset;
			uint8_t state = F.stub.state, st = 0;
			if (fws_stub_serial_input(&link, wire, wire_len) != FWS_OK ||
			    check_answers(wire_seq, wire_type, known_type(wire_type), &st) != 1u)
				abort();
			/* the cached answer, and nothing done twice */
			if (sent_len != prev_len || memcmp(sent, prev_answer, sent_len) != 0 ||
			    F.stub.j.seq != jseq || F.stub.rd.offset != fed || F.stub.state != state)
				abort();
			break;
		}
		case 4:
			power_cycle();
			wire_len = 0;
			break;
		case 5:
			F.dev.clock_skew_ms += len >= 4u ? fws_get_le32(d) : 1000u;
			break;
		}
		if (fws_stub_reset_pending(&F.stub)) {
			power_cycle();
			wire_len = 0; /* a new boot: nothing to retransmit */
		}
		if (F.dev.flash.violations != 0u)
			abort();
	}
	fuzz_device_power_on(&F, true);
	return 0;
}
