/* SPDX-License-Identifier: Apache-2.0 */
/* test_frame.c - serial framing (protocol/src/frame.c, docs/serial-protocol.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fwseal/dfu.h"
#include "fwseal/frame.h"

static uint8_t wire[FWS_FRAME_WIRE_MAX];
static uint8_t payload[FWS_FRAME_PAYLOAD_MAX + 1];
static fws_frame_decoder dec;

static size_t encode(uint16_t seq, uint8_t type, const uint8_t *p, size_t n, uint8_t *out,
                     size_t cap)
{
	fws_frame f = { .seq = seq, .type = type, .value = 7, .length = 0x1000,
	                .payload = p, .payload_len = n };
	size_t len = 0;
	assert_int_equal(fws_frame_encode(&f, out, cap, &len), FWS_OK);
	return len;
}

/* Feed in chunks of `chunk` bytes; expect exactly one good frame at the end. */
static void expect_one_frame(const uint8_t *in, size_t len, size_t chunk, const uint8_t *p,
                             size_t n)
{
	fws_frame f;
	enum fws_frame_event ev = FWS_FRAME_NONE;
	int frames = 0;
	size_t off = 0;
	while (off < len) {
		size_t c = len - off < chunk ? len - off : chunk;
		size_t used = fws_frame_decoder_feed(&dec, in + off, c, &ev, &f, NULL);
		assert_true(used >= 1 && used <= c);
		off += used;
		assert_int_not_equal(ev, FWS_FRAME_BAD);
		if (ev == FWS_FRAME_READY) {
			frames++;
			assert_int_equal(off, len); /* the frame ends with the input */
			assert_int_equal(f.seq, 0xBEEF);
			assert_int_equal(f.type, FWS_DFU_DNLOAD);
			assert_int_equal(f.value, 7);
			assert_int_equal(f.length, 0x1000);
			assert_int_equal(f.payload_len, n);
			if (n)
				assert_memory_equal(f.payload, p, n);
		}
	}
	assert_int_equal(frames, 1);
}

static void fill_pattern(size_t n, int kind)
{
	for (size_t i = 0; i < n; i++)
		payload[i] = kind == 0 ? 0 : kind == 1 ? 0xFF : (uint8_t)(i * 7u + (i >> 8));
}

/* Sizes around every COBS block boundary, with no zeros, all zeros and mixed
 * content, fed whole, byte by byte and in odd chunks. */
static void test_roundtrip(void **state)
{
	(void)state;
	static const size_t sizes[] = { 0, 1, 2, 241, 242, 243, 253, 254, 255, 496, 508, 509,
	                                1000, 4096, FWS_FRAME_PAYLOAD_MAX };
	static const size_t chunks[] = { 1, 3, 64, FWS_FRAME_WIRE_MAX };
	for (int kind = 0; kind < 3; kind++) {
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			fill_pattern(sizes[s], kind);
			size_t len = encode(0xBEEF, FWS_DFU_DNLOAD, payload, sizes[s], wire,
			                    sizeof wire);
			assert_true(len <= FWS_FRAME_WIRE_MAX);
			assert_int_equal(wire[0], 0);
			assert_int_equal(wire[len - 1], 0);
			assert_null(memchr(wire + 1, 0, len - 2)); /* COBS: no 0x00 inside */
			for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++)
				expect_one_frame(wire, len, chunks[c], payload, sizes[s]);
		}
	}
}

/* The wire bytes of one frame, computed independently (Python zlib.crc32 and a
 * textbook COBS); the same example is in docs/serial-protocol.md. */
static void test_known_answer(void **state)
{
	(void)state;
	static const uint8_t expect[] = { 0x00, 0x04, 0x34, 0x12, 0x03, 0x01, 0x01, 0x02, 0x06,
	                                  0x05, 0x21, 0xda, 0x2a, 0x44, 0x00 };
	fws_frame f = { .seq = 0x1234, .type = FWS_DFU_GETSTATUS, .length = 6 };
	size_t len;
	assert_int_equal(fws_frame_encode(&f, wire, sizeof wire, &len), FWS_OK);
	assert_int_equal(len, sizeof expect);
	assert_memory_equal(wire, expect, sizeof expect);
	assert_int_equal(f.crc, 0x442adA21u);
}

static void test_limits(void **state)
{
	(void)state;
	fws_frame f = { .payload = payload, .payload_len = FWS_FRAME_PAYLOAD_MAX + 1 };
	size_t len;
	assert_int_equal(fws_frame_encode(&f, wire, sizeof wire, &len), FWS_E_LIMIT);
	f.payload_len = 100;
	assert_int_equal(fws_frame_encode(&f, wire, 50, &len), FWS_E_NOMEM);
	f.payload = NULL;
	assert_int_equal(fws_frame_encode(&f, wire, sizeof wire, &len), FWS_E_INVAL);
	/* the worst case (no zero bytes at all) still fits FWS_FRAME_WIRE_MAX */
	memset(payload, 0x55, FWS_FRAME_PAYLOAD_MAX);
	f.payload = payload;
	f.payload_len = FWS_FRAME_PAYLOAD_MAX;
	f.seq = 0x0101;
	f.type = 1;
	f.value = 0x0101;
	f.length = 0x0101;
	assert_int_equal(fws_frame_encode(&f, wire, FWS_FRAME_WIRE_MAX, &len), FWS_OK);
}

/* Encoding with the payload already in the output buffer (at the in-place
 * offset) gives the same bytes as encoding from a separate buffer, for the
 * patterns that move the writer fastest (no zeros: a code byte every 254)
 * and slowest (all zeros), at every size class. */
static void test_encode_in_place(void **state)
{
	(void)state;
	static uint8_t ref[FWS_FRAME_WIRE_MAX], buf[FWS_FRAME_INPLACE_CAP];
	static const size_t sizes[] = { 0, 1, 253, 254, 255, 1000, 4096, FWS_FRAME_PAYLOAD_MAX };
	for (int kind = 0; kind < 3; kind++) {
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			size_t n = sizes[s];
			for (size_t i = 0; i < n; i++)
				payload[i] = kind == 0 ? 0x01 : kind == 1 ? 0x00 : (uint8_t)(i * 7u);
			fws_frame f = { .seq = 0x0101, .type = 3, .value = 0x0101, .length = 0x0101,
			                .payload = payload, .payload_len = n };
			size_t rlen, blen;
			assert_int_equal(fws_frame_encode(&f, ref, sizeof ref, &rlen), FWS_OK);
			memset(buf, 0xEE, sizeof buf);
			memcpy(buf + FWS_FRAME_INPLACE_OFF, payload, n);
			f.payload = buf + FWS_FRAME_INPLACE_OFF;
			assert_int_equal(fws_frame_encode(&f, buf, sizeof buf, &blen), FWS_OK);
			assert_int_equal(blen, rlen);
			assert_memory_equal(buf, ref, rlen);
		}
	}
	/* anywhere else inside the buffer is refused */
	fws_frame f = { .payload = buf + 8, .payload_len = 100 };
	size_t len;
	assert_int_equal(fws_frame_encode(&f, buf, sizeof buf, &len), FWS_E_INVAL);
}

/* Feed everything; count events. */
static void feed_all(const uint8_t *in, size_t len, int *ready, int *bad, fws_err *last_why,
                     fws_frame *last)
{
	size_t off = 0;
	while (off < len) {
		enum fws_frame_event ev;
		fws_frame f;
		fws_err why = FWS_OK;
		off += fws_frame_decoder_feed(&dec, in + off, len - off, &ev, &f, &why);
		if (ev == FWS_FRAME_READY) {
			(*ready)++;
			if (last)
				*last = f;
		} else if (ev == FWS_FRAME_BAD) {
			(*bad)++;
			*last_why = why;
		}
	}
}

/* Garbage before a frame (without a delimiter of its own) is dropped at the
 * frame's leading 0x00 and the frame still arrives. */
static void test_resync_after_garbage(void **state)
{
	(void)state;
	uint8_t buf[600];
	memset(buf, 0xA5, 40);
	fill_pattern(300, 2);
	size_t len = encode(0xBEEF, FWS_DFU_DNLOAD, payload, 300, buf + 40, sizeof buf - 40);
	int ready = 0, bad = 0;
	fws_err why = FWS_OK;
	fws_frame f;
	feed_all(buf, 40 + len, &ready, &bad, &why, &f);
	assert_int_equal(ready, 1);
	assert_int_equal(bad, 1);
	assert_int_equal(why, FWS_E_FRAME);
	assert_int_equal(f.payload_len, 300);
	assert_memory_equal(f.payload, payload, 300);
}

/* Every single-byte corruption of the body is caught (CRC or COBS) and the
 * decoder takes the next frame. */
static void test_corruption_detected(void **state)
{
	(void)state;
	uint8_t good[64];
	fill_pattern(20, 2);
	size_t glen = encode(0xBEEF, FWS_DFU_DNLOAD, payload, 20, good, sizeof good);
	for (size_t i = 1; i + 1 < glen; i++) {
		for (int bit = 0; bit < 8; bit++) {
			uint8_t buf[128];
			memcpy(buf, good, glen);
			buf[i] ^= (uint8_t)(1u << bit);
			memcpy(buf + glen, good, glen);
			int ready = 0, bad = 0;
			fws_err why = FWS_OK;
			fws_frame_decoder_init(&dec);
			feed_all(buf, 2 * glen, &ready, &bad, &why, NULL);
			/* a flip to 0x00 splits the frame into two bad pieces */
			assert_true(bad >= 1);
			assert_int_equal(ready, 1);
		}
	}
}

static void test_truncated_and_short(void **state)
{
	(void)state;
	fill_pattern(100, 2);
	size_t len = encode(1, FWS_DFU_DNLOAD, payload, 100, wire, sizeof wire);
	for (size_t cut = 2; cut < len - 1; cut++) {
		uint8_t buf[256];
		memcpy(buf, wire, cut);
		buf[cut] = 0; /* link drops the rest, then a delimiter */
		int ready = 0, bad = 0;
		fws_err why = FWS_OK;
		fws_frame_decoder_init(&dec);
		feed_all(buf, cut + 1, &ready, &bad, &why, NULL);
		assert_int_equal(ready, 0);
		assert_int_equal(bad, 1);
		assert_int_equal(dec.bad, 1);
	}
	/* two delimiters in a row: an empty frame, silently ignored */
	static const uint8_t empty[] = { 0, 0, 0 };
	int ready = 0, bad = 0;
	fws_err why = FWS_OK;
	fws_frame_decoder_init(&dec);
	feed_all(empty, sizeof empty, &ready, &bad, &why, NULL);
	assert_int_equal(ready + bad, 0);
}

/* A frame longer than FWS_FRAME_RAW_MAX is dropped as a whole (FWS_E_LIMIT)
 * without overrunning the buffer; the next frame is fine. */
static void test_overlong(void **state)
{
	(void)state;
	static uint8_t buf[3 * FWS_FRAME_WIRE_MAX];
	size_t n = 0;
	buf[n++] = 0;
	for (size_t i = 0; i < FWS_FRAME_RAW_MAX + 300; i++)
		buf[n++] = (i % 255 == 0) ? 0xFF : 0x11;
	buf[n++] = 0;
	fill_pattern(10, 2);
	n += encode(0xBEEF, FWS_DFU_DNLOAD, payload, 10, buf + n, sizeof buf - n);
	int ready = 0, bad = 0;
	fws_err why = FWS_OK;
	fws_frame_decoder_init(&dec);
	feed_all(buf, n, &ready, &bad, &why, NULL);
	assert_int_equal(bad, 1);
	assert_int_equal(why, FWS_E_LIMIT);
	assert_int_equal(ready, 1);
}

/* Two frames back to back in one chunk: the decoder stops after the first. */
static void test_stops_after_each_frame(void **state)
{
	(void)state;
	uint8_t buf[128];
	size_t a = encode(10, FWS_REQ_INFO, NULL, 0, buf, sizeof buf);
	size_t b = encode(11, FWS_DFU_GETSTATE, NULL, 0, buf + a, sizeof buf - a);
	fws_frame f;
	enum fws_frame_event ev;
	fws_frame_decoder_init(&dec);
	size_t used = fws_frame_decoder_feed(&dec, buf, a + b, &ev, &f, NULL);
	assert_int_equal(ev, FWS_FRAME_READY);
	assert_int_equal(used, a);
	assert_int_equal(f.seq, 10);
	used = fws_frame_decoder_feed(&dec, buf + a, b, &ev, &f, NULL);
	assert_int_equal(ev, FWS_FRAME_READY);
	assert_int_equal(used, b);
	assert_int_equal(f.seq, 11);
	assert_int_equal(f.type, FWS_DFU_GETSTATE);
}

/* A sink takes the payload of the frames it wants (here: DNLOADs) in its
 * room; what does not fit continues in the decoder's buffer (payload2). */
static uint8_t sink_room[5000];
static size_t sink_cap;
static int sink_calls;

static uint8_t *room_sink(void *ctx, const fws_frame *hdr, size_t *cap)
{
	assert_ptr_equal(ctx, &sink_calls);
	sink_calls++;
	assert_int_equal(hdr->seq, 0xBEEF);
	assert_int_equal(hdr->value, 7);
	assert_int_equal(hdr->length, 0x1000);
	assert_int_equal(hdr->payload_len, 0);
	if (hdr->type != FWS_DFU_DNLOAD)
		return NULL;
	*cap = sink_cap;
	return sink_room;
}

static void test_sink(void **state)
{
	(void)state;
	static const size_t sizes[] = { 0, 1, 3, 4, 5, 253, 254, 1000, 4096, 4128,
	                                FWS_FRAME_PAYLOAD_MAX };
	static const size_t caps[] = { 0, 1, 4, 100, 4095, 4096, 4128, 4132, 5000 };
	static const size_t chunks[] = { 1, 7, 300, FWS_FRAME_WIRE_MAX };
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		fill_pattern(sizes[s], 2);
		size_t len = encode(0xBEEF, FWS_DFU_DNLOAD, payload, sizes[s], wire, sizeof wire);
		for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
			for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
				size_t off = 0, got = 0;
				fws_frame f;
				enum fws_frame_event ev = FWS_FRAME_NONE;

				fws_frame_decoder_init(&dec);
				fws_frame_decoder_set_sink(&dec, room_sink, &sink_calls);
				sink_cap = caps[c];
				sink_calls = 0;
				memset(sink_room, 0xEE, sizeof sink_room);
				while (off < len) {
					size_t n = len - off < chunks[k] ? len - off : chunks[k];
					off += fws_frame_decoder_feed(&dec, wire + off, n, &ev, &f, NULL);
					assert_int_not_equal(ev, FWS_FRAME_BAD);
					if (ev == FWS_FRAME_READY)
						got++;
				}
				assert_int_equal(got, 1);
				assert_int_equal(sink_calls, 1);
				size_t in_room = sizes[s] < caps[c] ? sizes[s] : caps[c];
				assert_int_equal(f.payload_len + f.payload2_len, sizes[s]);
				if (in_room) {
					assert_ptr_equal(f.payload, sink_room);
					assert_int_equal(f.payload_len, in_room);
				} else {
					assert_int_equal(f.payload2_len, 0);
				}
				if (f.payload_len)
					assert_memory_equal(f.payload, payload, f.payload_len);
				if (f.payload2_len)
					assert_memory_equal(f.payload2, payload + f.payload_len,
					                    f.payload2_len);
				/* nothing written past the room */
				if (caps[c] < sizeof sink_room)
					assert_int_equal(sink_room[caps[c]], 0xEE);
			}
		}
	}
	/* a damaged DNLOAD through the sink is still caught */
	fill_pattern(2000, 2);
	size_t len = encode(0xBEEF, FWS_DFU_DNLOAD, payload, 2000, wire, sizeof wire);
	wire[1500] ^= 0x10;
	int ready = 0, bad = 0;
	fws_err why = FWS_OK;
	fws_frame_decoder_init(&dec);
	fws_frame_decoder_set_sink(&dec, room_sink, &sink_calls);
	sink_cap = 1000;
	feed_all(wire, len, &ready, &bad, &why, NULL);
	assert_int_equal(ready, 0);
	assert_int_equal(bad, 1);
	/* other requests: the decoder's own buffer */
	len = encode(0xBEEF, FWS_REQ_RESUME, payload, 36, wire, sizeof wire);
	ready = bad = 0;
	fws_frame f;
	feed_all(wire, len, &ready, &bad, &why, &f);
	assert_int_equal(ready, 1);
	assert_ptr_equal(f.payload, dec.buf);
	assert_int_equal(f.payload_len, 36);
	assert_null(f.payload2);
	fws_frame_decoder_init(&dec);
}

/* Retransmission: same seq and same bytes is a repeat; same seq with other
 * content (a restarted host) is not. */
static void test_dedup(void **state)
{
	(void)state;
	fws_frame_dedup d = { 0 };
	uint8_t p1[4] = { 1, 2, 3, 4 }, p2[4] = { 1, 2, 3, 5 };
	fws_frame a = { .seq = 5, .type = FWS_DFU_DNLOAD, .payload = p1, .payload_len = 4 };
	fws_frame b = a, c = a;
	b.payload = p2;
	c.seq = 6;
	size_t len;
	assert_int_equal(fws_frame_encode(&a, wire, sizeof wire, &len), FWS_OK);
	assert_int_equal(fws_frame_encode(&b, wire, sizeof wire, &len), FWS_OK);
	assert_int_equal(fws_frame_encode(&c, wire, sizeof wire, &len), FWS_OK);
	assert_false(fws_frame_dedup_is_repeat(&d, &a));
	fws_frame_dedup_record(&d, &a);
	assert_true(fws_frame_dedup_is_repeat(&d, &a));
	assert_false(fws_frame_dedup_is_repeat(&d, &b));
	assert_false(fws_frame_dedup_is_repeat(&d, &c));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(fws_request_name(FWS_DFU_DNLOAD), "DNLOAD");
	assert_string_equal(fws_request_name(FWS_REQ_INFO | FWS_FRAME_RESPONSE), "INFO");
	assert_string_equal(fws_request_name(0x7F), "unknown");
	assert_string_equal(fws_dfu_state_name(FWS_DFU_DNBUSY), "dfuDNBUSY");
	assert_string_equal(fws_dfu_state_name(FWS_DFU_ERROR), "dfuERROR");
	assert_string_equal(fws_dfu_state_name(11), "unknown");
	assert_string_equal(fws_dfu_status_name(FWS_DFU_ERR_VERIFY), "errVERIFY");
	assert_string_equal(fws_dfu_status_name(FWS_DFU_ERR_STALLEDPKT), "errSTALLEDPKT");
	assert_string_equal(fws_dfu_status_name(0x10), "unknown");
}

int main(void)
{
	fws_frame_decoder_init(&dec);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_encode_in_place),
		cmocka_unit_test(test_resync_after_garbage),
		cmocka_unit_test(test_corruption_detected),
		cmocka_unit_test(test_truncated_and_short),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_stops_after_each_frame),
		cmocka_unit_test(test_sink),
		cmocka_unit_test(test_dedup),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
