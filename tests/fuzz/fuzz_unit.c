/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the unit decoder of compressed and delta packages
 * (fwseal/encoding.h), fed the way a device feeds it: units that verified.
 * The input describes one unit of a package and its surroundings:
 *
 *   0  u8   encoding (bit 0: lz4, else lz4-delta)
 *   1  u8   block size exponent (256 << (v % 5): 256..4096)
 *   2  u16  image bytes decoded before this block (the image reference)
 *   4  u16  base image bytes (delta)
 *   6  u8   seed of the reference bytes
 *   7  ...  the stream from this unit on: unit header, data, next digest
 *
 * The harness makes the unit verify: it points the package reader at this
 * unit (a resume) with the expected digest computed over exactly the bytes
 * the reader will take, so every input that sizes into a unit reaches the
 * decoder as a verified one would. The references are heap blocks of exactly
 * their size, so a read past them is an ASan finding; the map aborts if
 * asked for anything outside them (the decoder must check first).
 * Invariants: the reader never delivers more than its buffer, the decoder
 * never writes outside the buffer (ASan), a unit that decodes yields exactly
 * the block. tests/corpus/unit/ holds units the encoder made (raw, lz4 with
 * and without a dictionary, from the image and from the base, lz4-add).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal/le.h"
#include "fwseal/pkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR 7u
#define PREFIX_LEN 400u /* any: the reader only counts offsets from it */

struct refs {
	uint8_t *image, *base;
	size_t image_len, base_len;
};

static const uint8_t *map(void *ctx, uint8_t source, uint32_t off, size_t len)
{
	const struct refs *r = ctx;
	const uint8_t *p = source == FWS_SRC_IMAGE ? r->image : r->base;
	size_t have = source == FWS_SRC_IMAGE ? r->image_len : r->base_len;

	if (source != FWS_SRC_IMAGE && source != FWS_SRC_BASE)
		abort(); /* the decoder asked for a source it should have refused */
	if (off > have || len > have - off)
		abort(); /* ... or for bytes outside it */
	return p + off;
}

static uint8_t *filled(size_t n, uint32_t seed)
{
	uint8_t *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		/* runs of repeats: references that matches can use */
		p[i] = (uint8_t)((seed >> 28) < 10u ? (i > 0 ? p[i - 1] : 0u) : seed >> 24);
	}
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[FWS_ENC_BUF_NEED(4096u)];
	if (size < HDR)
		return 0;
	uint8_t encoding = (data[0] & 1u) ? FWS_ENC_LZ4 : FWS_ENC_LZ4_DELTA;
	uint32_t bs = 256u << (data[1] % 5u);
	uint32_t done = fws_get_le16(data + 2) & ~(bs - 1u); /* blocks before this one */
	size_t base_len = encoding == FWS_ENC_LZ4_DELTA ? fws_get_le16(data + 4) + 1u : 0u;
	const uint8_t *stream = data + HDR;
	size_t slen = size - HDR;

	/* The last block of a package of done + bs - (slack) bytes. */
	uint32_t block_len = bs - (data[6] % 7u == 0u ? data[6] % bs : 0u);
	uint32_t k = done / bs;
	fws_manifest m;
	memset(&m, 0, sizeof m);
	m.block_size = bs;
	m.payload_size = done + block_len;
	m.encoding = encoding;
	m.base_size = (uint32_t)base_len;

	/* What the reader will take: the header's length, if it can be a unit. */
	if (slen < FWS_UNIT_HDR_LEN)
		return 0;
	uint32_t data_len = fws_get_le32(stream + 8);
	if (data_len == 0u || data_len > block_len)
		return 0; /* the reader refuses it unverified (test_encoding) */
	size_t ulen = FWS_UNIT_HDR_LEN + (size_t)data_len;
	if (slen < ulen)
		return 0;
	/* the unit's digest against a next-digest of zeros: the last block */
	uint8_t expect[FWS_SHA256_LEN], zero[FWS_SHA256_LEN] = {0};
	if (fws_sha256_2(stream, ulen, zero, sizeof zero, expect) != FWS_OK)
		abort();
	m.units_len = k * (FWS_UNIT_HDR_LEN + 1u) + (uint32_t)ulen;

	fws_pkg_reader r;
	if (fws_pkg_reader_init(&r, buf, sizeof buf, NULL, FWS_PKG_UNVERIFIED) != FWS_OK)
		abort();
	uint64_t at = PREFIX_LEN + (uint64_t)k * (FWS_UNIT_HDR_LEN + 1u + FWS_SHA256_LEN);
	if (fws_pkg_reader_resume_at(&r, &m, PREFIX_LEN, k, expect, at) != FWS_OK)
		abort();

	/* the unit, then the zero digest, in two pieces (any chunking works) */
	size_t used = 0, half = ulen / 2u;
	enum fws_pkg_event ev;
	if (fws_pkg_reader_feed(&r, stream, half, &used, &ev) != FWS_OK || used != half)
		abort();
	if (fws_pkg_reader_feed(&r, stream + half, ulen - half, &used, &ev) != FWS_OK)
		abort();
	if (fws_pkg_reader_feed(&r, zero, sizeof zero, &used, &ev) != FWS_OK ||
	    ev != FWS_PKG_BLOCK)
		abort(); /* it verified: it must be delivered */
	if (r.unit_len != ulen || r.block_len != block_len || r.unit_len + 32u > sizeof buf)
		abort();

	struct refs refs = {filled(done, data[6]), filled(base_len, data[6] ^ 0x5Au), done,
	                    base_len};
	fws_unit_refs ur = {map, &refs, done, (uint32_t)base_len};
	fws_err e = fws_unit_decode(r.buf, r.buf_cap, r.unit_len, r.block_len, encoding, &ur);
	if (e != FWS_OK && e != FWS_E_ENCODING)
		abort(); /* map never fails here: only "does not decode" */
	if (e == FWS_OK) {
		/* the block is in buf; the reader ends the chain after it */
		if (fws_pkg_reader_feed(&r, zero, 0, &used, &ev) != FWS_OK || ev != FWS_PKG_DONE)
			abort();
	}
	free(refs.image);
	free(refs.base);
	return 0;
}
