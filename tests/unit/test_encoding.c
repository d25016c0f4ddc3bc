/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compressed and delta packages (fwseal/encoding.h): the encoder's units
 * verify through the reader and decode back to the image, byte for byte;
 * the manifest's encoding and base fields and their rules; the decoder
 * refuses every unit outside its rules (references outside their source,
 * wrong lengths, data that does not decode) and never touches memory it was
 * not given; a unit whose length field was altered fails its digest;
 * resume at any unit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lz4.h>

#include "fwseal/encoding.h"
#include "fwseal/le.h"
#include "fwseal/pkg.h"
#include "testpkg.h"

static test_key key;
static fws_trust trust;

static int setup(void **state)
{
	(void)state;
	test_key_generate(&key, 180);
	test_trust_one(&trust, &key, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_key_free(&key);
	return 0;
}

/* References for the decoder: the image decoded so far and the base. */
struct refs {
	const uint8_t *image, *base;
	unsigned maps;
};

static const uint8_t *map(void *ctx, uint8_t source, uint32_t off, size_t len)
{
	struct refs *r = ctx;

	(void)len;
	r->maps++;
	return source == FWS_SRC_IMAGE ? r->image + off : r->base + off;
}

/* The reader's buffer: what the encoding needs, and at least the minimum. */
#define CAP(bs) (FWS_ENC_BUF_NEED(bs) < FWS_PKG_BUF_MIN ? FWS_PKG_BUF_MIN : FWS_ENC_BUF_NEED(bs))

struct decoded {
	fws_err err;
	uint8_t *image;
	size_t len;
	unsigned units;
	uint8_t image_sha256[FWS_SHA256_LEN];
	fws_manifest m;
};

/* Feed a package through the reader (pseudo-random chunks), decode every
 * unit as it is delivered, with the base as delta reference. */
static struct decoded decode_pkg(const uint8_t *data, size_t len, const uint8_t *base,
                                 size_t base_len, size_t cap)
{
	struct decoded out = {0};
	uint8_t *buf = malloc(cap);
	fws_pkg_reader r;
	size_t pos = 0;
	uint32_t rnd = 11;
	bool done = false;

	assert_non_null(buf);
	out.err = fws_pkg_reader_init(&r, buf, cap, &trust, 0);
	while (out.err == FWS_OK && !done) {
		size_t n, used = 0;
		enum fws_pkg_event ev;

		rnd = rnd * 1103515245u + 12345u;
		n = 1 + (rnd >> 16) % 700;
		if (n > len - pos)
			n = len - pos;
		out.err = fws_pkg_reader_feed(&r, data + pos, n, &used, &ev);
		pos += used;
		if (out.err != FWS_OK)
			break;
		switch (ev) {
		case FWS_PKG_PREFIX:
			out.m = r.manifest;
			out.image = malloc(r.manifest.payload_size);
			assert_non_null(out.image);
			break;
		case FWS_PKG_BLOCK: {
			struct refs rf = {out.image, base, 0};
			fws_unit_refs refs = {map, &rf, (uint32_t)out.len, (uint32_t)base_len};

			assert_int_equal(r.block_index, out.units);
			assert_true(r.unit_len + FWS_SHA256_LEN <= cap);
			out.err = fws_unit_decode(r.buf, r.buf_cap, r.unit_len, r.block_len,
			                          r.manifest.encoding, &refs);
			if (out.err != FWS_OK)
				break;
			memcpy(out.image + out.len, r.buf, r.block_len);
			out.len += r.block_len;
			out.units++;
			break;
		}
		case FWS_PKG_DONE:
			done = true;
			break;
		case FWS_PKG_NEED_MORE:
			if (pos == len)
				out.err = fws_pkg_reader_feed(&r, data, 0, &used, &ev);
			if (out.err == FWS_OK && ev == FWS_PKG_DONE)
				done = true;
			else if (out.err == FWS_OK && pos == len)
				out.err = FWS_E_TRUNCATED;
			break;
		}
	}
	if (out.image)
		assert_int_equal(fws_sha256(out.image, out.len, out.image_sha256), FWS_OK);
	free(buf);
	return out;
}

static void build(test_pkg *p, const uint8_t *img, size_t len, uint32_t bs, uint8_t enc,
                  const uint8_t *base, size_t base_len)
{
	test_pkg_opts o = {0};

	o.keys[0] = &key;
	o.block_size = bs;
	o.encoding = enc;
	o.base = base;
	o.base_len = base_len;
	o.base_version = "2.0.0";
	test_pkg_build(p, img, len, &o);
}

static void test_compress_roundtrip(void **state)
{
	(void)state;
	static const uint32_t sizes[] = {1, 300, 1024, 40000, 70000};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		for (uint32_t bs = 1024; bs <= 4096; bs *= 4) {
			uint8_t *img = test_image_code(sizes[i], 3 + (uint32_t)i);
			test_pkg plain, lz;
			build(&plain, img, sizes[i], bs, 0, NULL, 0);
			build(&lz, img, sizes[i], bs, FWS_ENC_LZ4, NULL, 0);
			if (sizes[i] >= 1024)
				assert_true(lz.len - lz.prefix_len < (plain.len - plain.prefix_len) * 3 / 4);
			struct decoded d = decode_pkg(lz.data, lz.len, NULL, 0, CAP(bs));
			assert_int_equal(d.err, FWS_OK);
			assert_int_equal(d.len, sizes[i]);
			assert_int_equal(d.units, lz.block_count);
			assert_memory_equal(d.image, img, sizes[i]);
			assert_memory_equal(d.image_sha256, d.m.image_sha256, FWS_SHA256_LEN);
			assert_int_equal(d.m.encoding, FWS_ENC_LZ4);
			assert_int_equal(fws_manifest_stream_len(&d.m), lz.len - lz.prefix_len);
			free(d.image);
			test_pkg_free(&plain);
			test_pkg_free(&lz);
			free(img);
		}
	}
}

static void test_incompressible_is_raw(void **state)
{
	(void)state;
	uint8_t *img = test_image(9000, 5);
	fws_encoded e;
	assert_int_equal(fws_encode_image(FWS_ENC_LZ4, 4096, img, 9000, NULL, 0, &e), FWS_OK);
	assert_int_equal(e.count, 3);
	assert_int_equal(e.by_method[FWS_UNIT_RAW], 3);
	assert_int_equal(e.units_len, 9000 + 3 * FWS_UNIT_HDR_LEN);
	fws_encoded_free(&e);

	test_pkg p;
	build(&p, img, 9000, 4096, FWS_ENC_LZ4, NULL, 0);
	/* a raw unit of a whole block is the largest unit: it must fit */
	struct decoded d = decode_pkg(p.data, p.len, NULL, 0, FWS_ENC_BUF_NEED(4096));
	assert_int_equal(d.err, FWS_OK);
	assert_memory_equal(d.image, img, 9000);
	free(d.image);
	test_pkg_free(&p);
	free(img);
}

static void test_delta_roundtrip(void **state)
{
	(void)state;
	size_t base_len = 60000, new_len;
	uint8_t *base = test_image_code(base_len, 21);
	uint8_t *img = test_image_fix(base, base_len, 22, &new_len);
	test_pkg lz, delta;
	build(&lz, img, new_len, 4096, FWS_ENC_LZ4, NULL, 0);
	build(&delta, img, new_len, 4096, FWS_ENC_LZ4_DELTA, base, base_len);
	/* a small fix is a small package */
	assert_true(delta.len * 5 < lz.len);
	struct decoded d = decode_pkg(delta.data, delta.len, base, base_len, 4144);
	assert_int_equal(d.err, FWS_OK);
	assert_int_equal(d.len, new_len);
	assert_memory_equal(d.image, img, new_len);
	assert_int_equal(d.m.encoding, FWS_ENC_LZ4_DELTA);
	assert_int_equal(d.m.base_size, base_len);
	uint8_t h[FWS_SHA256_LEN];
	assert_int_equal(fws_sha256(base, base_len, h), FWS_OK);
	assert_memory_equal(d.m.base_sha256, h, FWS_SHA256_LEN);
	assert_int_equal(d.m.base_version.len, 5);
	assert_memory_equal(delta.data + d.m.base_version.off, "2.0.0", 5);
	free(d.image);

	/* Against another base the units still verify and decode (the chain
	 * is over the units), but not to the image: the whole-image digest is
	 * what catches it, and the device checks the base first. */
	uint8_t *other = test_image_code(base_len, 99);
	d = decode_pkg(delta.data, delta.len, other, base_len, 4144);
	assert_int_equal(d.err, FWS_OK);
	assert_memory_not_equal(d.image_sha256, d.m.image_sha256, FWS_SHA256_LEN);
	free(d.image);

	/* the same image as base: nearly nothing to send */
	test_pkg same;
	build(&same, img, new_len, 4096, FWS_ENC_LZ4_DELTA, img, new_len);
	assert_true(same.len - same.prefix_len < same.block_count * (FWS_UNIT_HDR_LEN + 64u));
	test_pkg_free(&same);

	test_pkg_free(&lz);
	test_pkg_free(&delta);
	free(other);
	free(img);
	free(base);
}

/* ---- manifest --------------------------------------------------------- */

static void fill_in(fws_manifest_in *in)
{
	memset(in, 0, sizeof *in);
	in->vendor_id = 0x1209;
	in->class_id = 0xf5ea;
	in->model = "FW-TEST-1";
	in->hw_rev_min = in->hw_rev_max = 1;
	in->component = "app";
	in->version = "2.1.0";
	in->security_counter = 3;
	in->payload_size = 10000;
	in->block_size = 4096;
	in->release_date = 1767225600;
	in->support_end = 1893456000;
}

static void test_manifest_fields(void **state)
{
	(void)state;
	uint8_t buf[FWS_PKG_MANIFEST_MAX];
	size_t len;
	fws_manifest m;
	fws_manifest_in in;

	fill_in(&in);
	in.encoding = FWS_ENC_LZ4_DELTA;
	in.units_len = 2000;
	memset(in.base_sha256, 0xAB, FWS_SHA256_LEN);
	in.base_size = 9999;
	in.base_version = "2.0.0";
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof buf, &len), FWS_OK);
	assert_int_equal(fws_manifest_parse(buf, len, &m), FWS_OK);
	assert_int_equal(m.encoding, FWS_ENC_LZ4_DELTA);
	assert_int_equal(m.units_len, 2000);
	assert_int_equal(m.base_size, 9999);
	assert_int_equal(m.base_sha256[31], 0xAB);
	assert_memory_equal(buf + m.base_version.off, "2.0.0", 5);
	assert_int_equal(fws_manifest_stream_len(&m), 2000 + 3 * 32);
	/* the last two entries are the new tags, critical, in order */
	assert_int_equal(fws_get_le16(buf + len - (4 + 32 + 4 + 5)), FWS_TAG_BASE);
	assert_int_equal(fws_get_le16(buf + len - (4 + 32 + 4 + 5) - 9), FWS_TAG_ENCODING);

	/* delta needs its base, and only delta has one */
	in.base_version = NULL;
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof buf, &len), FWS_E_MANIFEST);
	in.encoding = FWS_ENC_LZ4;
	in.base_version = "2.0.0";
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof buf, &len), FWS_E_MANIFEST);
	in.base_version = NULL;
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof buf, &len), FWS_OK);

	/* units that cannot hold the image, or hold more than it */
	in.units_len = 3 * (FWS_UNIT_HDR_LEN + 1) - 1;
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof buf, &len), FWS_E_MANIFEST);
	in.units_len = 3 * FWS_UNIT_HDR_LEN + 10000 + 1;
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof buf, &len), FWS_E_MANIFEST);
	in.units_len = 3 * FWS_UNIT_HDR_LEN + 10000;
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof buf, &len), FWS_OK);

	/* bad base fields */
	in.encoding = FWS_ENC_LZ4_DELTA;
	in.base_version = " 2.0";
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof buf, &len), FWS_E_MANIFEST);
	in.base_version = "2.0.0";
	in.base_size = 0;
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof buf, &len), FWS_E_LIMIT);

	/* a plain package has no encoding entry at all: value 0 is malformed */
	fill_in(&in);
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof buf, &len), FWS_OK);
	uint8_t tlv[9] = {0x13, 0x00, 5, 0, FWS_ENC_NONE, 0, 0, 0, 0};
	memcpy(buf + len, tlv, sizeof tlv);
	assert_int_equal(fws_manifest_parse(buf, len + sizeof tlv, &m), FWS_E_MANIFEST);
	tlv[4] = 7; /* from a newer packer */
	memcpy(buf + len, tlv, sizeof tlv);
	assert_int_equal(fws_manifest_parse(buf, len + sizeof tlv, &m), FWS_E_CRITICAL);
	assert_int_equal(fws_manifest_stream_len(&(fws_manifest){.payload_size = 10000,
	                                                          .block_size = 4096}),
	                 10000 + 3 * 32);
}

/* ---- decoder rules ---------------------------------------------------- */

#define BS 1024u
static uint8_t ref_image[3 * BS], ref_base[5000];

/* A unit in buf (FWS_ENC_BUF_NEED(BS)) from header fields and data. */
static size_t unit(uint8_t *buf, uint8_t method, uint8_t source, uint16_t ref_len,
                   uint32_t ref_off, const uint8_t *data, uint32_t data_len)
{
	fws_unit u = {method, source, ref_len, ref_off, data_len};
	fws_unit_hdr_encode(&u, buf);
	memcpy(buf + FWS_UNIT_HDR_LEN, data, data_len);
	return FWS_UNIT_HDR_LEN + data_len;
}

static fws_err dec(uint8_t *buf, size_t ulen, size_t block_len, uint8_t enc, uint32_t done,
                   uint32_t base_len, unsigned *maps)
{
	struct refs rf = {ref_image, ref_base, 0};
	fws_unit_refs refs = {map, &rf, done, base_len};
	fws_err e = fws_unit_decode(buf, FWS_ENC_BUF_NEED(BS), ulen, block_len, enc, &refs);
	if (maps)
		*maps = rf.maps;
	return e;
}

static void test_decoder_rules(void **state)
{
	(void)state;
	static uint8_t buf[FWS_ENC_BUF_NEED(BS)], data[BS], comp[BS + 64];
	for (size_t i = 0; i < sizeof ref_image; i++)
		ref_image[i] = (uint8_t)(i * 7u);
	for (size_t i = 0; i < sizeof ref_base; i++)
		ref_base[i] = (uint8_t)(i * 13u);
	unsigned maps = 0;

	/* raw: exactly the block, no reference */
	memset(data, 0x42, BS);
	size_t n = unit(buf, FWS_UNIT_RAW, 0, 0, 0, data, BS);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4, BS, 0, NULL), FWS_OK);
	assert_memory_equal(buf, data, BS);
	n = unit(buf, FWS_UNIT_RAW, 0, 0, 0, data, BS - 1);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4, BS, 0, NULL), FWS_E_ENCODING);
	n = unit(buf, FWS_UNIT_RAW, FWS_SRC_IMAGE, 1, 0, data, BS);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4, BS, 0, NULL), FWS_E_ENCODING);
	/* the header's length must be the unit's */
	n = unit(buf, FWS_UNIT_RAW, 0, 0, 0, data, BS);
	assert_int_equal(dec(buf, n - 1, BS, FWS_ENC_LZ4, BS, 0, NULL), FWS_E_ENCODING);

	/* lz4 with the image before the block as dictionary: a copy of block 0 */
	LZ4_stream_t *ls = LZ4_createStream();
	LZ4_loadDict(ls, (const char *)ref_image, (int)BS);
	int c = LZ4_compress_fast_continue(ls, (const char *)ref_image, (char *)comp, (int)BS,
	                               (int)sizeof comp, 1);
	LZ4_freeStream(ls);
	assert_true(c > 0 && c < 64);
	n = unit(buf, FWS_UNIT_LZ4, FWS_SRC_IMAGE, BS, 0, comp, (uint32_t)c);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4, BS, 0, &maps), FWS_OK);
	assert_memory_equal(buf, ref_image, BS);
	assert_int_equal(maps, 1);
	/* ... but not while block 0 is the one being decoded (nothing before it) */
	n = unit(buf, FWS_UNIT_LZ4, FWS_SRC_IMAGE, BS, 0, comp, (uint32_t)c);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4, BS - 1, 0, &maps), FWS_E_ENCODING);
	assert_int_equal(maps, 0);
	/* a reference reaching past what exists, or wrapping */
	n = unit(buf, FWS_UNIT_LZ4, FWS_SRC_IMAGE, BS, 0xFFFFFF00u, comp, (uint32_t)c);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4, 2 * BS, 0, &maps), FWS_E_ENCODING);
	assert_int_equal(maps, 0);
	/* the base only in a delta package, and only inside it */
	n = unit(buf, FWS_UNIT_LZ4, FWS_SRC_BASE, BS, 0, comp, (uint32_t)c);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4, 2 * BS, 5000, &maps), FWS_E_ENCODING);
	n = unit(buf, FWS_UNIT_LZ4, FWS_SRC_BASE, BS, 4500, comp, (uint32_t)c);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4_DELTA, 2 * BS, 5000, &maps), FWS_E_ENCODING);
	assert_int_equal(maps, 0);
	/* the dictionary is the base now: decodes, to other bytes (one long
	 * match, then lz4's five closing literals) */
	n = unit(buf, FWS_UNIT_LZ4, FWS_SRC_BASE, BS, 0, comp, (uint32_t)c);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4_DELTA, 0, 5000, NULL), FWS_OK);
	assert_memory_equal(buf, ref_base, BS - 5);
	assert_memory_equal(buf + BS - 5, ref_image + BS - 5, 5);
	/* unknown source, method; a source with a zero-length reference */
	n = unit(buf, FWS_UNIT_LZ4, 3, BS, 0, comp, (uint32_t)c);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4_DELTA, 2 * BS, 5000, NULL), FWS_E_ENCODING);
	n = unit(buf, 3, 0, 0, 0, comp, (uint32_t)c);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4_DELTA, 2 * BS, 5000, NULL), FWS_E_ENCODING);
	n = unit(buf, FWS_UNIT_LZ4, FWS_SRC_IMAGE, 0, 0, comp, (uint32_t)c);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4, 2 * BS, 0, NULL), FWS_E_ENCODING);
	/* no source, but an offset */
	n = unit(buf, FWS_UNIT_LZ4, 0, 0, 5, comp, (uint32_t)c);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4, 2 * BS, 0, NULL), FWS_E_ENCODING);
	/* data that needs a dictionary, given none: does not decode */
	n = unit(buf, FWS_UNIT_LZ4, 0, 0, 0, comp, (uint32_t)c);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4, 2 * BS, 0, NULL), FWS_E_ENCODING);
	/* decodes, but to a different length than the block */
	n = unit(buf, FWS_UNIT_LZ4, FWS_SRC_IMAGE, BS, 0, comp, (uint32_t)c);
	assert_int_equal(dec(buf, n, BS - 1, FWS_ENC_LZ4, 2 * BS, 0, NULL), FWS_E_ENCODING);
	/* more data than the block (would not decode in place) */
	memset(data, 0, BS);
	n = unit(buf, FWS_UNIT_LZ4, 0, 0, 0, data, BS);
	assert_int_equal(dec(buf, n - 1, BS - 1, FWS_ENC_LZ4, 2 * BS, 0, NULL), FWS_E_ENCODING);

	/* lz4-add: differences plus the base at ref_off (no further runs) */
	uint8_t diff[BS], add[BS + 64];
	for (size_t i = 0; i < BS; i++)
		diff[i] = (uint8_t)(ref_image[i] - ref_base[100 + i]);
	add[0] = 0;
	c = LZ4_compress_default((const char *)diff, (char *)add + 1, (int)BS, (int)sizeof add - 1);
	n = unit(buf, FWS_UNIT_LZ4_ADD, FWS_SRC_BASE, 0, 100, add, (uint32_t)c + 1);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4_DELTA, 0, 5000, NULL), FWS_OK);
	assert_memory_equal(buf, ref_image, BS);
	n = unit(buf, FWS_UNIT_LZ4_ADD, FWS_SRC_BASE, 0, 100, add, (uint32_t)c + 1);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4, 0, 5000, NULL), FWS_E_ENCODING);
	n = unit(buf, FWS_UNIT_LZ4_ADD, FWS_SRC_BASE, 0, 5000 - BS + 1, add, (uint32_t)c + 1);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4_DELTA, 0, 5000, NULL), FWS_E_ENCODING);
	n = unit(buf, FWS_UNIT_LZ4_ADD, FWS_SRC_BASE, 4, 100, add, (uint32_t)c + 1);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4_DELTA, 0, 5000, NULL), FWS_E_ENCODING);
	n = unit(buf, FWS_UNIT_LZ4_ADD, FWS_SRC_IMAGE, 0, 0, add, (uint32_t)c + 1);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4_DELTA, 2 * BS, 5000, NULL), FWS_E_ENCODING);

	/* three runs: [0,300) from base 100, [300,700) from base 2000, the
	 * rest from base 3000 */
	static const uint32_t at[3] = {0, 300, 700}, from[3] = {100, 2000, 3000};
	for (unsigned r = 0; r < 3; r++) {
		uint32_t end = r < 2 ? at[r + 1] : BS;
		for (uint32_t k = at[r]; k < end; k++)
			diff[k] = (uint8_t)(ref_image[k] - ref_base[from[r] + k - at[r]]);
	}
	add[0] = 2;
	fws_put_le16(add + 1, 300);
	fws_put_le32(add + 3, 2000);
	fws_put_le16(add + 7, 700);
	fws_put_le32(add + 9, 3000);
	c = LZ4_compress_default((const char *)diff, (char *)add + 13, (int)BS, (int)sizeof add - 13);
	n = unit(buf, FWS_UNIT_LZ4_ADD, FWS_SRC_BASE, 0, 100, add, (uint32_t)c + 13);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4_DELTA, 0, 5000, &maps), FWS_OK);
	assert_memory_equal(buf, ref_image, BS);
	assert_int_equal(maps, 6); /* each run checked before, and read after */
	/* a run past the base's end; runs out of order, at 0, at the end */
	static const struct { unsigned byte; uint8_t v[2]; } bad[] = {
		{9, {0xC0, 0x12}},  /* third run from 4800: 4800 + 324 > 5000 */
		{7, {0x2C, 0x01}},  /* third run starts at 300, as the second */
		{1, {0x00, 0x00}},  /* second run at 0 */
		{7, {0x00, 0x04}},  /* third run at 1024 = the block's end */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t t[BS + 64];
		memcpy(t, add, (size_t)c + 13);
		t[bad[i].byte] = bad[i].v[0];
		t[bad[i].byte + 1] = bad[i].v[1];
		n = unit(buf, FWS_UNIT_LZ4_ADD, FWS_SRC_BASE, 0, 100, t, (uint32_t)c + 13);
		fws_err e = dec(buf, n, BS, FWS_ENC_LZ4_DELTA, 0, 5000, &maps);
		if (e != FWS_E_ENCODING)
			fail_msg("bad run %zu: %s", i, fws_err_name(e));
	}
	/* more runs than allowed; a table longer than the data */
	add[0] = FWS_UNIT_RUNS_MAX;
	n = unit(buf, FWS_UNIT_LZ4_ADD, FWS_SRC_BASE, 0, 100, add, (uint32_t)c + 13);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4_DELTA, 0, 5000, NULL), FWS_E_ENCODING);
	add[0] = 2;
	n = unit(buf, FWS_UNIT_LZ4_ADD, FWS_SRC_BASE, 0, 100, add, 13);
	assert_int_equal(dec(buf, n, BS, FWS_ENC_LZ4_DELTA, 0, 5000, NULL), FWS_E_ENCODING);

	/* a port that cannot map: an I/O error, not a crash */
	struct refs rf = {ref_image, ref_base, 0};
	fws_unit_refs none = {NULL, &rf, 2 * BS, 0};
	n = unit(buf, FWS_UNIT_LZ4, FWS_SRC_IMAGE, BS, 0, comp, (uint32_t)c);
	assert_int_equal(fws_unit_decode(buf, sizeof buf, n, BS, FWS_ENC_LZ4, &none), FWS_E_IO);

	/* arguments */
	fws_unit_refs ok = {map, &rf, 0, 0};
	assert_int_equal(fws_unit_decode(buf, sizeof buf - 1, n, BS, FWS_ENC_LZ4, &ok), FWS_E_INVAL);
	assert_int_equal(fws_unit_decode(buf, sizeof buf, 11, BS, FWS_ENC_LZ4, &ok), FWS_E_INVAL);
	assert_int_equal(fws_unit_decode(buf, sizeof buf, n, BS, FWS_ENC_NONE, &ok), FWS_E_INVAL);
	assert_string_equal(fws_encoding_name(FWS_ENC_LZ4_DELTA), "lz4-delta");
	assert_string_equal(fws_encoding_name(9), "unknown");
}

/* ---- reader ----------------------------------------------------------- */

static void test_unit_length_tamper(void **state)
{
	(void)state;
	uint8_t *img = test_image_code(20000, 8);
	test_pkg p;
	build(&p, img, 20000, 4096, FWS_ENC_LZ4, NULL, 0);
	for (uint32_t k = 0; k < p.block_count; k++) {
		static const uint32_t lens[] = {0, 1, 4096, 4097, 0xFFFFFFFFu};
		size_t at = p.block_off[k] + 8;
		uint32_t orig = fws_get_le32(p.data + at);
		for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
			if (lens[i] == orig)
				continue;
			fws_put_le32(p.data + at, lens[i]);
			struct decoded d = decode_pkg(p.data, p.len, NULL, 0, 4144);
			/* refused before the unit is delivered, or the stream
			 * ran short of the longer unit */
			if (d.err != FWS_E_TRUNCATED)
				assert_int_equal(d.err, FWS_E_BLOCK_DIGEST);
			assert_int_equal(d.units, k);
			free(d.image);
		}
		fws_put_le32(p.data + at, orig);
	}
	struct decoded d = decode_pkg(p.data, p.len, NULL, 0, 4144);
	assert_int_equal(d.err, FWS_OK);
	free(d.image);
	test_pkg_free(&p);
	free(img);
}

static void test_buffer_need(void **state)
{
	(void)state;
	uint8_t *img = test_image_code(9000, 9);
	test_pkg p;
	build(&p, img, 9000, 4096, FWS_ENC_LZ4, NULL, 0);
	/* what a plain package of that block size needs is not enough */
	struct decoded d = decode_pkg(p.data, p.len, NULL, 0, 4096 + 32);
	assert_int_equal(d.err, FWS_E_BLOCK_SIZE);
	free(d.image);
	fws_manifest m = {.block_size = 4096, .encoding = FWS_ENC_LZ4};
	assert_int_equal(fws_pkg_buf_need(&m), 4144);
	m.block_size = 65536;
	assert_int_equal(fws_pkg_buf_need(&m), 65536 + 256 + 32);
	m.block_size = 256;
	assert_int_equal(fws_pkg_buf_need(&m), FWS_PKG_BUF_MIN);
	test_pkg_free(&p);
	free(img);
}

/* Re-sign a package whose manifest was changed in place (same length). */
static void resign(test_pkg *p)
{
	uint8_t digest[FWS_SHA256_LEN], sig[FWS_ECDSA_SIG_LEN];
	assert_int_equal(fws_pkg_signed_digest(p->data, p->data + FWS_PKG_HEADER_LEN,
	                                       p->manifest_len, digest),
	                 FWS_OK);
	test_key_sign(&key, digest, sig);
	fws_pkg_sig_encode(p->data + FWS_PKG_HEADER_LEN + p->manifest_len, key.id, sig);
}

static size_t tag_value(const test_pkg *p, uint16_t tag)
{
	const uint8_t *m = p->data + FWS_PKG_HEADER_LEN;
	for (size_t pos = 0; pos + 4 <= p->manifest_len;) {
		if (fws_get_le16(m + pos) == tag)
			return FWS_PKG_HEADER_LEN + pos + 4;
		pos += 4u + fws_get_le16(m + pos + 2);
	}
	fail_msg("tag 0x%04x not found", tag);
	return 0;
}

static void test_units_len_must_match(void **state)
{
	(void)state;
	uint8_t *img = test_image_code(20000, 10);
	test_pkg p;
	build(&p, img, 20000, 4096, FWS_ENC_LZ4, NULL, 0);
	size_t v = tag_value(&p, FWS_TAG_ENCODING);
	uint32_t orig = fws_get_le32(p.data + v + 1);
	fws_put_le32(p.data + v + 1, orig + 1);
	resign(&p);
	struct decoded d = decode_pkg(p.data, p.len, NULL, 0, 4144);
	assert_int_equal(d.err, FWS_E_MANIFEST);
	assert_int_equal(d.units, p.block_count); /* found at the end of the stream */
	free(d.image);
	test_pkg_free(&p);
	free(img);
}

static void test_resume_at_every_unit(void **state)
{
	(void)state;
	size_t base_len = 30000, len;
	uint8_t *base = test_image_code(base_len, 12);
	uint8_t *img = test_image_fix(base, base_len, 13, &len);
	test_pkg p;
	build(&p, img, len, 1024, FWS_ENC_LZ4_DELTA, base, base_len);
	uint8_t buf[CAP(1024)];
	fws_pkg_reader r;
	fws_manifest m;
	uint8_t signer[FWS_KEY_ID_LEN];
	assert_int_equal(fws_pkg_prefix_verify(p.data, p.prefix_len, &trust, &m, signer), FWS_OK);
	for (uint32_t k = 0; k < p.block_count; k++) {
		uint8_t expect[FWS_SHA256_LEN];
		if (k == 0)
			memcpy(expect, m.chain_head, FWS_SHA256_LEN);
		else
			memcpy(expect, p.data + p.block_off[k] - FWS_SHA256_LEN, FWS_SHA256_LEN);
		assert_int_equal(fws_pkg_reader_init(&r, buf, sizeof buf, &trust, 0), FWS_OK);
		/* an encoded stream cannot be located by block number alone */
		if (k > 0)
			assert_int_equal(fws_pkg_reader_resume(&r, &m, p.prefix_len, k, expect),
			                 FWS_E_INVAL);
		assert_int_equal(fws_pkg_reader_resume_at(&r, &m, p.prefix_len, k, expect,
		                                          p.block_off[k]),
		                 FWS_OK);
		size_t pos = p.block_off[k], used;
		uint32_t units = 0;
		enum fws_pkg_event ev = FWS_PKG_NEED_MORE;
		while (ev != FWS_PKG_DONE) {
			assert_int_equal(fws_pkg_reader_feed(&r, p.data + pos, p.len - pos, &used, &ev),
			                 FWS_OK);
			pos += used;
			if (ev == FWS_PKG_BLOCK) {
				assert_int_equal(r.block_index, k + units);
				assert_int_equal(r.offset, p.block_off[k + units + 1]);
				units++;
			}
		}
		assert_int_equal(units, p.block_count - k);
		assert_int_equal(pos, p.len);
	}
	test_pkg_free(&p);
	free(img);
	free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compress_roundtrip),
		cmocka_unit_test(test_incompressible_is_raw),
		cmocka_unit_test(test_delta_roundtrip),
		cmocka_unit_test(test_manifest_fields),
		cmocka_unit_test(test_decoder_rules),
		cmocka_unit_test(test_unit_length_tamper),
		cmocka_unit_test(test_buffer_need),
		cmocka_unit_test(test_units_len_must_match),
		cmocka_unit_test(test_resume_at_every_unit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
