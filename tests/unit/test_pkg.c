/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol/src/pkg_reader.c: the streaming reader over whole packages —
 * any chunking gives the same events, resume at any block, chain and digest
 * checks, buffer bounds, DFU suffix. (The byte-by-byte tamper matrix over a
 * whole package lives in test_tamper.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fwseal/pkg.h"
#include "testpkg.h"

static test_key key, other;
static fws_trust trust;

static int setup(void **state)
{
	(void)state;
	test_key_generate(&key, 100);
	test_key_generate(&other, 101);
	test_trust_one(&trust, &key, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_key_free(&key);
	test_key_free(&other);
	return 0;
}

struct run {
	fws_err err;
	unsigned prefix_events, block_events, done_events;
	uint8_t *image;      /* reassembled from BLOCK events */
	size_t image_len;
	uint64_t offset_at_done;
};

/* Feed data in chunks of chunk bytes (0: pseudo-random 1..97), then len 0. */
static struct run feed_all(const uint8_t *data, size_t len, size_t chunk, size_t cap,
                           uint32_t flags)
{
	struct run out = { 0 };
	uint8_t *buf = malloc(cap);
	fws_pkg_reader r;
	size_t pos = 0;
	uint32_t rnd = 7;

	out.image = malloc(len + 1);
	out.err = fws_pkg_reader_init(&r, buf, cap, &trust, flags);
	while (out.err == FWS_OK) {
		size_t n = chunk, used = 0;
		enum fws_pkg_event ev;

		if (!chunk) {
			rnd = rnd * 1103515245u + 12345u;
			n = 1 + (rnd >> 16) % 97;
		}
		if (n > len - pos)
			n = len - pos;
		out.err = fws_pkg_reader_feed(&r, data + pos, n, &used, &ev);
		pos += used;
		if (out.err != FWS_OK)
			break;
		if (ev == FWS_PKG_PREFIX) {
			out.prefix_events++;
			assert_true(r.authentic);
			assert_memory_equal(r.signer_key_id, key.id, FWS_KEY_ID_LEN);
		} else if (ev == FWS_PKG_BLOCK) {
			assert_int_equal(r.block_index, out.block_events);
			memcpy(out.image + out.image_len, r.buf, r.block_len);
			out.image_len += r.block_len;
			out.block_events++;
		} else if (ev == FWS_PKG_DONE) {
			out.done_events++;
			out.offset_at_done = r.offset;
			break;
		} else if (n == 0) {
			out.err = FWS_E_TRUNCATED; /* input exhausted without DONE */
			break;
		}
	}
	/* after DONE, any further byte is trailing data */
	if (out.err == FWS_OK && pos < len) {
		size_t used;
		enum fws_pkg_event ev;
		out.err = fws_pkg_reader_feed(&r, data + pos, len - pos, &used, &ev);
	}
	free(buf);
	return out;
}

static void build(test_pkg *p, uint8_t **img, size_t img_len, uint32_t bs)
{
	test_pkg_opts o = { 0 };

	o.keys[0] = &key;
	o.block_size = bs;
	*img = test_image(img_len, (uint32_t)img_len);
	test_pkg_build(p, *img, img_len, &o);
}

static void test_any_chunking_same_result(void **state)
{
	static const size_t sizes[] = { 1, 255, 256, 257, 1024, 4096, 10000 };
	static const size_t chunks[] = { 1, 3, 32, 1000, 65536, 0 };
	(void)state;

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		test_pkg p;
		uint8_t *img;

		build(&p, &img, sizes[s], 256);
		for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			struct run r = feed_all(p.data, p.len, chunks[c], 4096, 0);

			assert_int_equal(r.err, FWS_OK);
			assert_int_equal(r.prefix_events, 1);
			assert_int_equal(r.block_events, p.block_count);
			assert_int_equal(r.done_events, 1);
			assert_int_equal(r.image_len, sizes[s]);
			assert_memory_equal(r.image, img, sizes[s]);
			assert_int_equal(r.offset_at_done, p.len);
			free(r.image);
		}
		free(img);
		test_pkg_free(&p);
	}
}

static void test_block_tamper_caught_before_delivery(void **state)
{
	test_pkg p;
	uint8_t *img;
	(void)state;

	build(&p, &img, 5000, 1024);
	/* Flip one byte in block 3: blocks 0..2 are delivered, block 3 never. */
	p.data[p.prefix_len + 3 * (1024 + 32) + 17] ^= 0x40;
	{
		struct run r = feed_all(p.data, p.len, 100, 4096, 0);
		assert_int_equal(r.err, FWS_E_BLOCK_DIGEST);
		assert_int_equal(r.block_events, 3);
		free(r.image);
	}
	/* Flip in a next-digest: the block carrying it is refused. */
	p.data[p.prefix_len + 3 * (1024 + 32) + 17] ^= 0x40;
	p.data[p.prefix_len + 1024 + 5] ^= 0x01;
	{
		struct run r = feed_all(p.data, p.len, 100, 4096, 0);
		assert_int_equal(r.err, FWS_E_BLOCK_DIGEST);
		assert_int_equal(r.block_events, 0);
		free(r.image);
	}
	free(img);
	test_pkg_free(&p);
}

static void test_truncated_and_trailing(void **state)
{
	test_pkg p;
	uint8_t *img;
	(void)state;

	build(&p, &img, 3000, 1024);
	for (size_t cut = 0; cut < p.len; cut += (cut < p.prefix_len + 40 ? 1 : 97)) {
		struct run r = feed_all(p.data, cut, 64, 4096, 0);
		assert_int_not_equal(r.err, FWS_OK);
		assert_int_equal(r.done_events, 0);
		free(r.image);
	}
	{
		uint8_t *longer = malloc(p.len + 1);
		memcpy(longer, p.data, p.len);
		longer[p.len] = 0;
		struct run r = feed_all(longer, p.len + 1, 64, 4096, 0);
		assert_int_equal(r.err, FWS_E_TRAILING);
		free(r.image);
		free(longer);
	}
	free(img);
	test_pkg_free(&p);
}

static void test_untrusted_and_unverified(void **state)
{
	test_pkg p;
	test_pkg_opts o = { 0 };
	uint8_t *img = test_image(600, 1);
	(void)state;

	o.keys[0] = &other;
	test_pkg_build(&p, img, 600, &o);
	{
		struct run r = feed_all(p.data, p.len, 50, 4096, 0);
		assert_int_equal(r.err, FWS_E_UNTRUSTED_KEY);
		assert_int_equal(r.prefix_events, 0);
		free(r.image);
	}
	/* inspection mode parses without a trust store and says so */
	{
		uint8_t buf[4096];
		fws_pkg_reader r;
		size_t used;
		enum fws_pkg_event ev;

		assert_int_equal(fws_pkg_reader_init(&r, buf, sizeof(buf), NULL, 0), FWS_E_INVAL);
		assert_int_equal(fws_pkg_reader_init(&r, buf, sizeof(buf), NULL, FWS_PKG_UNVERIFIED),
		                 FWS_OK);
		assert_int_equal(fws_pkg_reader_feed(&r, p.data, p.len, &used, &ev), FWS_OK);
		assert_int_equal(ev, FWS_PKG_PREFIX);
		assert_false(r.authentic);
		assert_memory_equal(r.signer_key_id, other.id, 8);
	}
	free(img);
	test_pkg_free(&p);
}

static void test_rotation_second_key(void **state)
{
	test_pkg p;
	test_pkg_opts o = { 0 };
	uint8_t *img = test_image(700, 2);
	(void)state;

	/* Signed by an unknown key and by the trusted one: accepted. */
	o.keys[0] = &other;
	o.keys[1] = &key;
	o.nkeys = 2;
	test_pkg_build(&p, img, 700, &o);
	{
		struct run r = feed_all(p.data, p.len, 0, 4096, 0);
		assert_int_equal(r.err, FWS_OK);
		free(r.image);
	}
	/* With the trusted key revoked: refused as revoked. */
	{
		fws_trust saved = trust;
		struct run r;

		trust.keys[0].flags = FWS_TRUST_REVOKED;
		r = feed_all(p.data, p.len, 0, 4096, 0);
		trust = saved;
		assert_int_equal(r.err, FWS_E_REVOKED_KEY);
		free(r.image);
	}
	free(img);
	test_pkg_free(&p);
}

static void test_block_size_over_buffer(void **state)
{
	test_pkg p;
	uint8_t *img;
	(void)state;

	build(&p, &img, 20000, 8192);
	{
		struct run r = feed_all(p.data, p.len, 512, 4096, 0);
		assert_int_equal(r.err, FWS_E_BLOCK_SIZE);
		free(r.image);
	}
	{
		struct run r = feed_all(p.data, p.len, 512, 8192 + 32, 0);
		assert_int_equal(r.err, FWS_OK);
		free(r.image);
	}
	free(img);
	test_pkg_free(&p);
}

static void test_resume_at_every_block(void **state)
{
	test_pkg p;
	uint8_t *img;
	uint8_t buf[4096];
	fws_manifest m;
	uint8_t expect[32][FWS_SHA256_LEN];
	(void)state;

	build(&p, &img, 7000, 512);
	/* First pass: record D(k) before each block, as a device journal would. */
	{
		fws_pkg_reader r;
		size_t pos = 0, used;
		enum fws_pkg_event ev;

		assert_int_equal(fws_pkg_reader_init(&r, buf, sizeof(buf), &trust, 0), FWS_OK);
		do {
			assert_int_equal(fws_pkg_reader_feed(&r, p.data + pos, p.len - pos, &used, &ev),
			                 FWS_OK);
			pos += used;
			if (ev == FWS_PKG_PREFIX) {
				m = r.manifest;
				memcpy(expect[0], r.expect, 32);
			} else if (ev == FWS_PKG_BLOCK) {
				memcpy(expect[r.block_index + 1], r.expect, 32);
			}
		} while (ev != FWS_PKG_DONE);
	}
	for (uint32_t k = 0; k < p.block_count; k++) {
		fws_pkg_reader r;
		uint64_t off = fws_pkg_block_offset(p.prefix_len, &m, k);
		size_t pos = (size_t)off, used;
		enum fws_pkg_event ev;
		uint32_t blocks = 0;

		assert_int_equal(fws_pkg_reader_init(&r, buf, sizeof(buf), &trust, 0), FWS_OK);
		assert_int_equal(fws_pkg_reader_resume(&r, &m, p.prefix_len, k, expect[k]), FWS_OK);
		do {
			assert_int_equal(fws_pkg_reader_feed(&r, p.data + pos, p.len - pos, &used, &ev),
			                 FWS_OK);
			pos += used;
			if (ev == FWS_PKG_BLOCK) {
				assert_int_equal(r.block_index, k + blocks);
				assert_memory_equal(r.buf, img + (size_t)(k + blocks) * 512, r.block_len);
				blocks++;
			}
		} while (ev != FWS_PKG_DONE);
		assert_int_equal(blocks, p.block_count - k);
		assert_int_equal(r.offset, p.len);

		/* resuming with the wrong expected digest fails at the first block */
		assert_int_equal(fws_pkg_reader_init(&r, buf, sizeof(buf), &trust, 0), FWS_OK);
		assert_int_equal(fws_pkg_reader_resume(&r, &m, p.prefix_len, k,
		                                       expect[(k + 1) % p.block_count]), FWS_OK);
		assert_int_equal(fws_pkg_reader_feed(&r, p.data + off, p.len - (size_t)off, &used, &ev),
		                 FWS_E_BLOCK_DIGEST);
	}
	free(img);
	test_pkg_free(&p);
}

static void test_prefix_verify(void **state)
{
	test_pkg p;
	uint8_t *img;
	fws_manifest m;
	uint8_t signer[8];
	(void)state;

	build(&p, &img, 3000, 1024);
	assert_int_equal(fws_pkg_prefix_verify(p.data, p.prefix_len, &trust, &m, signer), FWS_OK);
	assert_memory_equal(signer, key.id, 8);
	assert_int_equal(m.payload_size, 3000);
	assert_int_equal(fws_pkg_prefix_verify(p.data, p.prefix_len - 1, &trust, &m, signer),
	                 FWS_E_TRUNCATED);
	assert_int_equal(fws_pkg_prefix_verify(p.data, p.prefix_len + 1, &trust, &m, signer),
	                 FWS_E_TRAILING);
	p.data[FWS_PKG_HEADER_LEN + 10] ^= 1;
	assert_int_not_equal(fws_pkg_prefix_verify(p.data, p.prefix_len, &trust, &m, signer), FWS_OK);
	free(img);
	test_pkg_free(&p);
}

/* Reference values from DFU 1.1 appendix B as dfu-util computes them. */
static void test_dfu_suffix(void **state)
{
	test_pkg p;
	test_pkg_opts o = { 0 };
	uint8_t *img = test_image(1000, 3);
	fws_dfu_suffix s;
	(void)state;

	o.keys[0] = &key;
	o.with_suffix = 1;
	test_pkg_build(&p, img, 1000, &o);
	assert_int_equal(fws_dfu_suffix_parse(p.data + p.len - 16, &s), FWS_OK);
	assert_int_equal(s.id_vendor, 0x1209);
	assert_int_equal(s.id_product, 0xf5ea);
	assert_int_equal(s.bcd_dfu, 0x0100);
	assert_int_equal(s.crc, fws_dfu_crc_update(0xffffffffu, p.data, p.len - 4));
	/* "123456789": CRC-32 check value 0xCBF43926, without the final xor */
	assert_int_equal(fws_dfu_crc_update(0xffffffffu, (const uint8_t *)"123456789", 9),
	                 ~0xCBF43926u);
	p.data[p.len - 8] = 'X';
	assert_int_equal(fws_dfu_suffix_parse(p.data + p.len - 16, &s), FWS_E_SUFFIX);
	free(img);
	test_pkg_free(&p);
}

/* Golden vector: fixed inputs (key from seed 100, image from seed 42, the
 * test_pkg defaults) give exactly these package bytes. Signatures are
 * deterministic (RFC 6979), so any change to the encoding, the chain, the
 * signature or the suffix shows here even if encoder and decoder change
 * together. Update the digest only for a deliberate format change. */
static void test_golden_vector(void **state)
{
	static const char want[] =
		"ac9b81ff53be26aec2c73958b398d81c4e60177dc6d6d36930e07ee60c47a9aa";
	test_pkg p;
	test_pkg_opts o = { 0 };
	uint8_t *img = test_image(3000, 42);
	uint8_t d[32];
	char hex[65];
	(void)state;

	o.keys[0] = &key;
	o.with_suffix = 1;
	test_pkg_build(&p, img, 3000, &o);
	assert_int_equal(fws_sha256(p.data, p.len, d), FWS_OK);
	for (size_t i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	assert_string_equal(hex, want);
	/* and it reads back */
	{
		struct run r = feed_all(p.data, p.len - FWS_PKG_SUFFIX_LEN, 0, 4096, 0);
		assert_int_equal(r.err, FWS_OK);
		assert_memory_equal(r.image, img, 3000);
		free(r.image);
	}
	free(img);
	test_pkg_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_chunking_same_result),
		cmocka_unit_test(test_block_tamper_caught_before_delivery),
		cmocka_unit_test(test_truncated_and_trailing),
		cmocka_unit_test(test_untrusted_and_unverified),
		cmocka_unit_test(test_rotation_second_key),
		cmocka_unit_test(test_block_size_over_buffer),
		cmocka_unit_test(test_resume_at_every_block),
		cmocka_unit_test(test_prefix_verify),
		cmocka_unit_test(test_dfu_suffix),
		cmocka_unit_test(test_golden_vector),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
