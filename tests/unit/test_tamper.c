/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tamper matrix over the streaming package reader (protocol/src/pkg_reader.c):
 * every byte of header, manifest and signature changed, every byte of the
 * block stream changed, truncation at every length, trailing bytes, fields
 * over their limits (re-signed, so only the limit can catch them), wrong and
 * revoked keys. Each case must be refused with the right error, and no byte
 * that was not signed may ever be delivered as a verified block.
 * (CLI-level exit codes for the same cases: tests/cli/test_cli.sh.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fwseal/encoding.h"
#include "fwseal/le.h"
#include "fwseal/pkg.h"
#include "testpkg.h"

#define BS 256u
#define IMG_LEN (5u * BS + 77u) /* 6 blocks, the last one short */

static test_key key, other;
static fws_trust trust, trust_other, trust_revoked;
static test_pkg pkg;
static uint8_t *image;

static void snapshot_prefix(void);

static int setup(void **state)
{
	(void)state;
	test_key_generate(&key, 300);
	test_key_generate(&other, 301);
	test_trust_one(&trust, &key, 0);
	test_trust_one(&trust_other, &other, 0);
	test_trust_one(&trust_revoked, &key, 1);
	image = test_image(IMG_LEN, 42);
	test_pkg_opts o = {0};
	o.keys[0] = &key;
	o.block_size = BS;
	test_pkg_build(&pkg, image, IMG_LEN, &o);
	snapshot_prefix();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_pkg_free(&pkg);
	free(image);
	test_key_free(&key);
	test_key_free(&other);
	return 0;
}

struct result {
	fws_err err;          /* FWS_E_TRUNCATED when input ran out before DONE */
	unsigned prefix, blocks, done;
};

static uint8_t buf[FWS_PKG_BUF_MIN + BS];

/* Feed data in chunks (chunk 0: pseudo-random sizes from seed) into r; every
 * block the reader delivers must be exactly the original image's block. */
static struct result feed(fws_pkg_reader *r, const uint8_t *data, size_t len, size_t chunk,
                          uint32_t seed)
{
	struct result res = {0};
	size_t pos = 0;
	for (;;) {
		size_t n = chunk, used = 0;
		enum fws_pkg_event ev;
		if (!chunk) {
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 16) % 301;
		}
		if (n > len - pos)
			n = len - pos;
		res.err = fws_pkg_reader_feed(r, data + pos, n, &used, &ev);
		pos += used;
		if (res.err != FWS_OK)
			return res;
		if (ev == FWS_PKG_PREFIX) {
			res.prefix++;
		} else if (ev == FWS_PKG_BLOCK) {
			size_t off = (size_t)r->block_index * BS;
			assert_true(off + r->block_len <= IMG_LEN);
			assert_memory_equal(r->buf, image + off, r->block_len);
			res.blocks++;
		} else if (ev == FWS_PKG_DONE) {
			res.done++;
			if (pos < len) {
				res.err = fws_pkg_reader_feed(r, data + pos, len - pos, &used, &ev);
				assert_int_not_equal(res.err, FWS_OK);
			}
			return res;
		} else if (n == 0) {
			res.err = FWS_E_TRUNCATED;
			return res;
		}
	}
}

static struct result run(const uint8_t *data, size_t len, const fws_trust *t, size_t chunk,
                         uint32_t seed)
{
	fws_pkg_reader r;
	assert_int_equal(fws_pkg_reader_init(&r, buf, sizeof(buf), t, 0), FWS_OK);
	return feed(&r, data, len, chunk, seed);
}

/* The reader right after the verified prefix of the intact package: payload
 * cases start from a copy of it, so each case costs hashing, not an ECDSA
 * verification (keeps the matrix fast under valgrind). */
static fws_pkg_reader after_prefix;
static uint8_t after_prefix_buf[sizeof(buf)];

static void snapshot_prefix(void)
{
	enum fws_pkg_event ev;
	size_t used;
	assert_int_equal(fws_pkg_reader_init(&after_prefix, buf, sizeof(buf), &trust, 0), FWS_OK);
	assert_int_equal(fws_pkg_reader_feed(&after_prefix, pkg.data, pkg.prefix_len, &used, &ev),
	                 FWS_OK);
	assert_int_equal(ev, FWS_PKG_PREFIX);
	assert_int_equal(used, pkg.prefix_len);
	memcpy(after_prefix_buf, buf, sizeof(buf));
}

/* Feed the stream bytes (after the prefix) of data[0..len) from the snapshot. */
static struct result run_stream(const uint8_t *data, size_t len, uint32_t seed)
{
	fws_pkg_reader r = after_prefix;
	memcpy(buf, after_prefix_buf, sizeof(buf));
	r.buf = buf;
	struct result res = feed(&r, data + pkg.prefix_len, len - pkg.prefix_len, 0, seed);
	res.prefix = 1;
	return res;
}

static uint8_t *copy_pkg(void)
{
	uint8_t *c = malloc(pkg.len + 64);
	assert_non_null(c);
	memcpy(c, pkg.data, pkg.len);
	return c;
}

static bool in_set(fws_err e, const fws_err *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == e)
			return true;
	return false;
}

static void test_intact_package_passes(void **state)
{
	(void)state;
	struct result r = run(pkg.data, pkg.len, &trust, 0, 1);
	assert_int_equal(r.err, FWS_OK);
	assert_int_equal(r.prefix, 1);
	assert_int_equal(r.blocks, 6);
	assert_int_equal(r.done, 1);
}

static const uint8_t flips[] = {0x01, 0x80, 0xFF};

static void test_every_header_byte(void **state)
{
	(void)state;
	uint8_t *c = copy_pkg();
	static const fws_err mlen_errs[] = {FWS_E_LIMIT, FWS_E_MANIFEST, FWS_E_CRITICAL,
	                                    FWS_E_MISSING_FIELD, FWS_E_TRUNCATED, FWS_E_HEADER,
	                                    FWS_E_SIGNATURE, FWS_E_UNTRUSTED_KEY};
	for (size_t i = 0; i < FWS_PKG_HEADER_LEN; i++) {
		for (size_t f = 0; f < sizeof(flips); f++) {
			c[i] ^= flips[f];
			struct result r = run(c, pkg.len, &trust, 0, (uint32_t)i);
			c[i] ^= flips[f];
			assert_int_equal(r.prefix, 0);
			assert_int_equal(r.blocks, 0);
			if (i < 4)
				assert_int_equal(r.err, FWS_E_MAGIC);
			else if (i == 4)
				assert_int_equal(r.err, FWS_E_FORMAT_VERSION);
			else if (i == 6)
				assert_int_equal(r.err, FWS_E_LIMIT); /* 0, 129 or 254 signatures */
			else if (i >= 8 && i < 12)
				assert_true(in_set(r.err, mlen_errs, sizeof(mlen_errs) / sizeof(mlen_errs[0])));
			else
				assert_int_equal(r.err, FWS_E_HEADER); /* header length, reserved */
		}
	}
	free(c);
}

static void test_every_manifest_byte(void **state)
{
	(void)state;
	uint8_t *c = copy_pkg();
	static const fws_err ok_errs[] = {FWS_E_MANIFEST, FWS_E_CRITICAL, FWS_E_LIMIT,
	                                  FWS_E_MISSING_FIELD, FWS_E_SIGNATURE, FWS_E_BLOCK_SIZE};
	unsigned sig_caught = 0, text_len = 0;
	fws_manifest m;
	assert_int_equal(fws_manifest_parse(pkg.data + FWS_PKG_HEADER_LEN, pkg.manifest_len, &m), FWS_OK);
	const uint8_t *mb = pkg.data + FWS_PKG_HEADER_LEN;
	const uint8_t *heads[2] = { memmem(mb, pkg.manifest_len, m.chain_head, FWS_SHA256_LEN),
	                            memmem(mb, pkg.manifest_len, m.image_sha256, FWS_SHA256_LEN) };
	assert_non_null(heads[0]);
	assert_non_null(heads[1]);
	for (size_t i = FWS_PKG_HEADER_LEN; i < FWS_PKG_HEADER_LEN + pkg.manifest_len; i++) {
		size_t at = i - FWS_PKG_HEADER_LEN;
		/* long text (risks, notes) with every bit inverted is no UTF-8 */
		bool text = (at >= m.risks.off && at < (size_t)m.risks.off + m.risks.len) ||
		            (at >= m.notes.off && at < (size_t)m.notes.off + m.notes.len);
		text_len += text;
		/* the two digests: any value parses, only the signature tells */
		bool digest = (pkg.data + i >= heads[0] && pkg.data + i < heads[0] + FWS_SHA256_LEN) ||
		              (pkg.data + i >= heads[1] && pkg.data + i < heads[1] + FWS_SHA256_LEN);
		/* every bit of the byte inverted; one ECDSA verification per case
		 * is what keeps this matrix from being slow under valgrind */
		for (size_t f = 2; f < sizeof(flips); f++) {
			c[i] ^= flips[f];
			struct result r = run(c, pkg.len, &trust, 0, (uint32_t)i);
			c[i] ^= flips[f];
			assert_int_equal(r.prefix, 0);
			assert_int_equal(r.blocks, 0);
			if (!in_set(r.err, ok_errs, sizeof(ok_errs) / sizeof(ok_errs[0])))
				fail_msg("manifest byte %zu ^ 0x%02x: unexpected %s", i, flips[f],
				         fws_err_name(r.err));
			sig_caught += r.err == FWS_E_SIGNATURE;
			if (text)
				assert_int_equal(r.err, FWS_E_MANIFEST);
			if (digest)
				assert_int_equal(r.err, FWS_E_SIGNATURE);
		}
	}
	/* Many value bytes parse fine and only the signature can catch them:
	 * the digests, counters, dates, ids (not the texts, whose rules catch
	 * an inverted byte). */
	assert_true(text_len > 0);
	assert_true(sig_caught > 2u * FWS_SHA256_LEN);
	free(c);
}

static void test_every_signature_byte(void **state)
{
	(void)state;
	uint8_t *c = copy_pkg();
	size_t base = FWS_PKG_HEADER_LEN + pkg.manifest_len;
	for (size_t i = 0; i < FWS_PKG_SIG_LEN; i++) {
		for (size_t f = i < 12 ? 0 : 2; f < sizeof(flips); f++) {
			c[base + i] ^= flips[f];
			struct result r = run(c, pkg.len, &trust, 0, (uint32_t)i);
			c[base + i] ^= flips[f];
			assert_int_equal(r.prefix, 0);
			assert_int_equal(r.blocks, 0);
			if (i < 8 || i == 8)
				/* another key id, or an algorithm this reader skips */
				assert_int_equal(r.err, FWS_E_UNTRUSTED_KEY);
			else if (i < 12)
				assert_int_equal(r.err, FWS_E_HEADER); /* reserved bytes */
			else
				assert_int_equal(r.err, FWS_E_SIGNATURE); /* r || s */
		}
	}
	free(c);
}

/* Every byte of every block and of every next-digest: the block holding it is
 * refused, every block before it was delivered intact, nothing after. */
static void test_every_payload_byte(void **state)
{
	(void)state;
	uint8_t *c = copy_pkg();
	for (size_t i = pkg.prefix_len; i < pkg.len; i++) {
		unsigned unit = (unsigned)((i - pkg.prefix_len) / (BS + FWS_SHA256_LEN));
		c[i] ^= 0xFF;
		struct result r = run_stream(c, pkg.len, (uint32_t)i);
		c[i] ^= 0xFF;
		assert_int_equal(r.err, FWS_E_BLOCK_DIGEST);
		assert_int_equal(r.prefix, 1);
		assert_int_equal(r.blocks, unit);
		assert_int_equal(r.done, 0);
	}
	free(c);
}

static void test_random_payload_flips_random_chunks(void **state)
{
	(void)state;
	uint8_t *c = copy_pkg();
	uint32_t rnd = 12345;
	size_t stream = pkg.len - pkg.prefix_len;
	for (int k = 0; k < 500; k++) {
		rnd = rnd * 1664525u + 1013904223u;
		size_t i = pkg.prefix_len + (rnd >> 8) % stream;
		uint8_t x = (uint8_t)(1u << (rnd & 7));
		c[i] ^= x;
		struct result r = run_stream(c, pkg.len, rnd);
		c[i] ^= x;
		assert_int_equal(r.err, FWS_E_BLOCK_DIGEST);
		assert_int_equal(r.done, 0);
	}
	free(c);
}

static void test_truncated_at_every_length(void **state)
{
	(void)state;
	for (size_t len = 0; len < pkg.len; len++) {
		struct result r = len > pkg.prefix_len ? run_stream(pkg.data, len, (uint32_t)len)
		                                       : run(pkg.data, len, &trust, 0, (uint32_t)len);
		assert_int_equal(r.err, FWS_E_TRUNCATED);
		assert_int_equal(r.done, 0);
		if (len < pkg.prefix_len)
			assert_int_equal(r.prefix, 0);
	}
}

static void test_trailing_bytes(void **state)
{
	(void)state;
	uint8_t *c = copy_pkg();
	memset(c + pkg.len, 0, 64);
	for (size_t extra = 1; extra <= 64; extra *= 4) {
		struct result r = run_stream(c, pkg.len + extra, (uint32_t)extra);
		assert_int_equal(r.err, FWS_E_TRAILING);
	}
	free(c);
}

static void test_wrong_and_revoked_key(void **state)
{
	(void)state;
	struct result r = run(pkg.data, pkg.len, &trust_other, 0, 1);
	assert_int_equal(r.err, FWS_E_UNTRUSTED_KEY);
	assert_int_equal(r.prefix, 0);
	r = run(pkg.data, pkg.len, &trust_revoked, 0, 1);
	assert_int_equal(r.err, FWS_E_REVOKED_KEY);
	assert_int_equal(r.prefix, 0);
}

/* ---------------------------------------------------------------------- */
/* Over-limit fields: rebuild the manifest with one TLV changed, sign it    */
/* properly, so nothing but the limit check can refuse it.                  */

struct tlv_edit {
	uint16_t tag;         /* tag to replace (all occurrences) or insert */
	const uint8_t *value;
	size_t len;
	unsigned repeat;      /* emit this many copies (CVE count) */
};

static size_t rebuild(uint8_t *out, const struct tlv_edit *e, uint8_t sig_count)
{
	const uint8_t *m = pkg.data + FWS_PKG_HEADER_LEN;
	uint8_t *man = out + FWS_PKG_HEADER_LEN;
	size_t o = 0, p = 0;
	bool placed = false;
	while (p + 4 <= pkg.manifest_len) {
		uint16_t tag = fws_get_le16(m + p), n = fws_get_le16(m + p + 2);
		if (!placed && tag >= e->tag) {
			for (unsigned k = 0; k < (e->repeat ? e->repeat : 1); k++) {
				fws_put_le16(man + o, e->tag);
				fws_put_le16(man + o + 2, (uint16_t)e->len);
				memcpy(man + o + 4, e->value, e->len);
				o += 4 + e->len;
			}
			placed = true;
		}
		if (tag != e->tag) {
			memcpy(man + o, m + p, 4u + n);
			o += 4u + n;
		}
		p += 4u + n;
	}
	if (!placed) {
		fws_put_le16(man + o, e->tag);
		fws_put_le16(man + o + 2, (uint16_t)e->len);
		memcpy(man + o + 4, e->value, e->len);
		o += 4 + e->len;
	}
	fws_pkg_header_encode(out, sig_count, (uint32_t)o);
	uint8_t digest[FWS_SHA256_LEN], sig[FWS_ECDSA_SIG_LEN];
	assert_int_equal(fws_pkg_signed_digest(out, man, o, digest), FWS_OK);
	size_t pos = FWS_PKG_HEADER_LEN + o;
	for (unsigned i = 0; i < sig_count; i++) {
		test_key_sign(&key, digest, sig);
		fws_pkg_sig_encode(out + pos, key.id, sig);
		pos += FWS_PKG_SIG_LEN;
	}
	/* the original block stream */
	memcpy(out + pos, pkg.data + pkg.prefix_len, pkg.len - pkg.prefix_len);
	return pos + pkg.len - pkg.prefix_len;
}

static fws_err run_edit(const struct tlv_edit *e)
{
	uint8_t *out = malloc(pkg.len + 40000);
	assert_non_null(out);
	size_t n = rebuild(out, e, 1);
	struct result r = run(out, n, &trust, 0, 9);
	free(out);
	if (r.err != FWS_OK)
		assert_int_equal(r.prefix, 0);
	return r.err;
}

static void test_oversized_fields(void **state)
{
	(void)state;
	static uint8_t big[4096];
	memset(big, 'A', sizeof(big));
	static const fws_err limit[] = {FWS_E_LIMIT, FWS_E_MANIFEST};
	const struct tlv_edit edits[] = {
		{FWS_TAG_MODEL, big, FWS_MODEL_MAX + 1, 0},
		{FWS_TAG_COMPONENT, big, FWS_COMPONENT_MAX + 1, 0},
		{FWS_TAG_VERSION, big, FWS_VERSION_MAX + 1, 0},
		{FWS_TAG_RISKS, big, FWS_RISKS_MAX + 1, 0},
		{FWS_TAG_RELEASE_NOTES, big, FWS_NOTES_MAX + 1, 0},
		{FWS_TAG_CVE, big, FWS_CVE_MAX + 1, 0},
		{FWS_TAG_CVE, (const uint8_t *)"CVE-2026-00001", 14, FWS_CVE_COUNT_MAX + 1},
	};
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		fws_err e = run_edit(&edits[i]);
		if (!in_set(e, limit, 2))
			fail_msg("edit %zu (tag 0x%04x): %s", i, edits[i].tag, fws_err_name(e));
	}
	/* The same fields exactly at their limits are accepted by the parser
	 * (the signature is fine; only the block stream still matches). */
	const struct tlv_edit at_limit = {FWS_TAG_MODEL, big, FWS_MODEL_MAX, 0};
	assert_int_equal(run_edit(&at_limit), FWS_OK);

	uint8_t v[4];
	static const uint32_t bad_bs[] = {FWS_PKG_BLOCK_MAX * 2u, FWS_PKG_BLOCK_MIN / 2u, 3000u, 0u};
	for (size_t i = 0; i < sizeof(bad_bs) / sizeof(bad_bs[0]); i++) {
		fws_put_le32(v, bad_bs[i]);
		struct tlv_edit e = {FWS_TAG_BLOCK_SIZE, v, 4, 0};
		fws_err err = run_edit(&e);
		static const fws_err bs_errs[] = {FWS_E_LIMIT, FWS_E_MANIFEST, FWS_E_BLOCK_SIZE};
		if (!in_set(err, bs_errs, 3))
			fail_msg("block size %u: %s", bad_bs[i], fws_err_name(err));
	}
	static const uint32_t bad_size[] = {0u, FWS_PKG_PAYLOAD_MAX + 1u};
	for (size_t i = 0; i < 2; i++) {
		fws_put_le32(v, bad_size[i]);
		struct tlv_edit e = {FWS_TAG_PAYLOAD_SIZE, v, 4, 0};
		fws_err err = run_edit(&e);
		if (!in_set(err, limit, 2))
			fail_msg("payload size %u: %s", bad_size[i], fws_err_name(err));
	}
}

static void test_unknown_fields(void **state)
{
	(void)state;
	static const uint8_t v[3] = {1, 2, 3};
	/* tags far above the ones in use, so new fields never collide */
	struct tlv_edit crit = {0x7F00, v, 3, 0};
	assert_int_equal(run_edit(&crit), FWS_E_CRITICAL);
	struct tlv_edit noncrit = {0x8FFF, v, 3, 0}; /* 0x8013.. are allocated (pkg.h) */
	assert_int_equal(run_edit(&noncrit), FWS_OK);
	/* an encoding this reader does not know is a feature it lacks */
	static const uint8_t enc[5] = {FWS_ENC_MAX + 1u, 0, 0, 0, 0};
	struct tlv_edit future = {FWS_TAG_ENCODING, enc, 5, 0};
	assert_int_equal(run_edit(&future), FWS_E_CRITICAL);
}

static void test_header_limits(void **state)
{
	(void)state;
	uint8_t *c = copy_pkg();
	fws_put_le32(c + 8, FWS_PKG_MANIFEST_MAX + 1u);
	assert_int_equal(run(c, pkg.len, &trust, 0, 1).err, FWS_E_LIMIT);
	memcpy(c, pkg.data, FWS_PKG_HEADER_LEN);
	c[6] = FWS_PKG_SIG_MAX + 1u;
	assert_int_equal(run(c, pkg.len, &trust, 0, 1).err, FWS_E_LIMIT);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intact_package_passes),
		cmocka_unit_test(test_every_header_byte),
		cmocka_unit_test(test_every_manifest_byte),
		cmocka_unit_test(test_every_signature_byte),
		cmocka_unit_test(test_every_payload_byte),
		cmocka_unit_test(test_random_payload_flips_random_chunks),
		cmocka_unit_test(test_truncated_at_every_length),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_wrong_and_revoked_key),
		cmocka_unit_test(test_oversized_fields),
		cmocka_unit_test(test_unknown_fields),
		cmocka_unit_test(test_header_limits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
