/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol/src/trust2.c: trust store format 2 (roles, root threshold, trust
 * version), format 1 read as "both roles, threshold 1, version 1", the
 * signature rule (distinct keys of the right role, revoked ones never
 * counted), and the package kind field that marks a trust update.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fwseal/crc.h"
#include "fwseal/le.h"
#include "fwseal/pkg.h"
#include "fwseal/trust.h"
#include "testkey.h"
#include "testpkg.h"

static test_key k[5];

static int setup(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 5; i++)
		test_key_generate(&k[i], 200 + i);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 5; i++)
		test_key_free(&k[i]);
	return 0;
}

#define R   FWS_TRUST_ROOT
#define L   FWS_TRUST_RELEASE
#define X   FWS_TRUST_REVOKED

/* roots k0, k1 (threshold 2), release k2, k3 revoked release */
static size_t store(uint8_t blob[FWS_TRUST_BLOB_MAX], fws_trust *t)
{
	const test_key *keys[] = { &k[0], &k[1], &k[2], &k[3] };
	const uint8_t flags[] = { R, R, L, L | X };

	return test_trust_v2(blob, t, 7, 2, keys, flags, 4);
}

/* Re-seal a hand-edited blob with a right CRC, so only the edit is judged. */
static void reseal(uint8_t *blob, size_t n)
{
	fws_put_le32(blob + n - 4, fws_crc32(0, blob, n - 4));
}

static void test_v2_roundtrip(void **state)
{
	uint8_t blob[FWS_TRUST_BLOB_MAX], again[FWS_TRUST_BLOB_MAX];
	fws_trust t;
	size_t n;
	(void)state;

	n = store(blob, &t);
	assert_int_equal(n, 12 + 4 * 76 + 4);
	assert_int_equal(blob[4], 2);
	assert_int_equal(t.format, 2);
	assert_int_equal(fws_trust_version(&t), 7);
	assert_int_equal(fws_trust_threshold(&t), 2);
	assert_int_equal(fws_trust_roles(&t, &t.keys[0]), R);
	assert_int_equal(fws_trust_roles(&t, &t.keys[2]), L);
	assert_true(t.keys[3].flags & X);
	assert_int_equal(fws_trust_blob_len(blob, n), n);
	/* re-encoding gives the same bytes: one encoding per store */
	assert_int_equal(fws_trust_encode(&t, again, sizeof again), n);
	assert_memory_equal(again, blob, n);
	assert_int_equal(fws_trust_encode(&t, again, n - 1), 0);
	assert_int_equal(fws_trust_usable(&t), FWS_OK);
}

static void test_v1_means_both_roles(void **state)
{
	fws_trust t, back;
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	size_t n;
	(void)state;

	test_trust_one(&t, &k[0], 0);
	n = fws_trust_encode(&t, blob, sizeof blob);
	assert_int_equal(n, 8 + 76 + 4);
	assert_int_equal(blob[4], 1);
	assert_int_equal(fws_trust_parse(blob, n, &back), FWS_OK);
	assert_int_equal(back.format, 1);
	assert_int_equal(fws_trust_roles(&back, &back.keys[0]), R | L);
	assert_int_equal(fws_trust_version(&back), 1);
	assert_int_equal(fws_trust_threshold(&back), 1);
	assert_int_equal(fws_trust_blob_len(blob, n), n);
	assert_int_equal(fws_trust_usable(&back), FWS_OK);
	/* a zeroed in-memory store (format 0) means the same */
	assert_int_equal(fws_trust_roles(&t, &t.keys[0]), R | L);
}

static void test_v2_every_flip_and_cut_rejected(void **state)
{
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	fws_trust back;
	size_t n;
	(void)state;

	n = store(blob, NULL);
	for (size_t i = 0; i < n; i++) {
		for (unsigned bit = 0; bit < 8; bit += 3) {
			blob[i] ^= (uint8_t)(1u << bit);
			/* a flipped format byte may make it a valid-looking format 1
			 * header, but never a valid store */
			assert_int_equal(fws_trust_parse(blob, n, &back), FWS_E_TRUST_STORE);
			blob[i] ^= (uint8_t)(1u << bit);
		}
	}
	for (size_t len = 0; len < n; len++)
		assert_int_equal(fws_trust_parse(blob, len, &back), FWS_E_TRUST_STORE);
	assert_int_equal(fws_trust_parse(blob, n, &back), FWS_OK);
}

/* Structural rules that hold even with a right CRC. */
static void test_v2_structure(void **state)
{
	uint8_t blob[FWS_TRUST_BLOB_MAX], b[FWS_TRUST_BLOB_MAX];
	fws_trust back;
	size_t n;
	(void)state;

	n = store(blob, NULL);
	struct {
		size_t off;
		uint8_t val;
	} bad[] = {
		{ 5, 0 },                 /* no keys */
		{ 6, 0 },                 /* threshold 0 */
		{ 6, 5 },                 /* threshold above what 4 signatures reach */
		{ 7, 1 },                 /* reserved */
		{ 8, 0 },                 /* (with 9..11 zero) version 0 */
		{ 12 + 8, 0 },            /* a key without a role */
		{ 12 + 8, R | 0x08 },     /* an unknown flag */
		{ 12 + 9, 1 },            /* reserved in an entry */
		{ 12 + 11, 0x02 },        /* not an uncompressed point */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memcpy(b, blob, n);
		b[bad[i].off] = bad[i].val;
		reseal(b, n);
		assert_int_equal(fws_trust_parse(b, n, &back), FWS_E_TRUST_STORE);
	}
	/* the same key twice (a second copy of entry 0 over entry 1) */
	memcpy(b, blob, n);
	memcpy(b + 12 + 76, b + 12, 76);
	reseal(b, n);
	assert_int_equal(fws_trust_parse(b, n, &back), FWS_E_TRUST_STORE);
	/* and the encoder will not write one */
	assert_int_equal(fws_trust_parse(blob, n, &back), FWS_OK);
	back.keys[1] = back.keys[0];
	assert_int_equal(fws_trust_encode(&back, b, sizeof b), 0);
	/* format 1 with one key listed twice: refused as well (the blob is
	 * made by hand, as an attacker would, not by an encoder that may judge) */
	{
		uint8_t b1[8 + 2 * 76 + 4];

		memset(b1, 0, sizeof b1);
		memcpy(b1, FWS_TRUST_MAGIC, 4);
		b1[4] = 1;
		b1[5] = 2;
		for (unsigned i = 0; i < 2; i++) {
			memcpy(b1 + 8 + i * 76, k[0].id, 8);
			memcpy(b1 + 8 + i * 76 + 11, k[0].pub, 65);
		}
		reseal(b1, sizeof b1);
		assert_int_equal(fws_trust_parse(b1, sizeof b1, &back), FWS_E_TRUST_STORE);
		/* the same key once is a good store: only the duplicate is refused */
		b1[5] = 1;
		memmove(b1 + 8 + 76, b1 + 8 + 2 * 76, 4);
		reseal(b1, 8 + 76 + 4);
		assert_int_equal(fws_trust_parse(b1, 8 + 76 + 4, &back), FWS_OK);
	}
	/* format 3 is not read */
	memcpy(b, blob, n);
	b[4] = 3;
	reseal(b, n);
	assert_int_equal(fws_trust_parse(b, n, &back), FWS_E_TRUST_STORE);
	assert_int_equal(fws_trust_blob_len(b, n), 0);
}

static void test_usable(void **state)
{
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	fws_trust t;
	(void)state;

	{	/* threshold 2 but one root revoked */
		const test_key *keys[] = { &k[0], &k[1], &k[2] };
		const uint8_t flags[] = { R, R | X, L };
		test_trust_v2(blob, &t, 2, 2, keys, flags, 3);
		assert_int_equal(fws_trust_usable(&t), FWS_E_TRUST_UNUSABLE);
	}
	{	/* no release key that is not revoked */
		const test_key *keys[] = { &k[0], &k[2] };
		const uint8_t flags[] = { R, L | X };
		test_trust_v2(blob, &t, 2, 1, keys, flags, 2);
		assert_int_equal(fws_trust_usable(&t), FWS_E_TRUST_UNUSABLE);
	}
	{	/* no root key */
		const test_key *keys[] = { &k[2] };
		const uint8_t flags[] = { L };
		test_trust_v2(blob, &t, 2, 1, keys, flags, 1);
		assert_int_equal(fws_trust_usable(&t), FWS_E_TRUST_UNUSABLE);
	}
	{	/* one key with both roles is enough */
		const test_key *keys[] = { &k[0] };
		const uint8_t flags[] = { R | L };
		test_trust_v2(blob, &t, 2, 1, keys, flags, 1);
		assert_int_equal(fws_trust_usable(&t), FWS_OK);
	}
}

/* n signature entries over digest by keys[i]. */
static void sign(uint8_t *sigs, const uint8_t digest[32], const test_key *const keys[], unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t sig[FWS_ECDSA_SIG_LEN];

		test_key_sign(keys[i], digest, sig);
		fws_pkg_sig_encode(sigs + (size_t)i * FWS_PKG_SIG_LEN, keys[i]->id, sig);
	}
}

static void test_signature_rule(void **state)
{
	uint8_t blob[FWS_TRUST_BLOB_MAX], digest[32], sigs[4 * FWS_PKG_SIG_LEN], signer[8];
	fws_trust t;
	(void)state;

	store(blob, &t);
	assert_int_equal(fws_sha256((const uint8_t *)"manifest", 8, digest), FWS_OK);
	{	/* both roots: threshold met; the release key is not a root */
		const test_key *s[] = { &k[0], &k[2], &k[1] };
		sign(sigs, digest, s, 3);
		assert_int_equal(fws_trust_check_sigs(&t, sigs, 3, digest, R, 2, signer), FWS_OK);
		assert_memory_equal(signer, k[0].id, 8);
	}
	{	/* one root only */
		const test_key *s[] = { &k[0], &k[2] };
		sign(sigs, digest, s, 2);
		assert_int_equal(fws_trust_check_sigs(&t, sigs, 2, digest, R, 2, NULL), FWS_E_THRESHOLD);
	}
	{	/* one root signing twice counts once */
		const test_key *s[] = { &k[0], &k[0] };
		sign(sigs, digest, s, 2);
		assert_int_equal(fws_trust_check_sigs(&t, sigs, 2, digest, R, 2, NULL), FWS_E_THRESHOLD);
	}
	{	/* release keys only: no root signature */
		const test_key *s[] = { &k[2] };
		sign(sigs, digest, s, 1);
		assert_int_equal(fws_trust_check_sigs(&t, sigs, 1, digest, R, 1, NULL), FWS_E_THRESHOLD);
		/* ... but right for firmware */
		assert_int_equal(fws_trust_check_sigs(&t, sigs, 1, digest, L, 1, signer), FWS_OK);
		assert_memory_equal(signer, k[2].id, 8);
	}
	{	/* a root key cannot sign firmware */
		const test_key *s[] = { &k[0] };
		sign(sigs, digest, s, 1);
		assert_int_equal(fws_trust_check_sigs(&t, sigs, 1, digest, L, 1, NULL),
		                 FWS_E_UNTRUSTED_KEY);
	}
	{	/* a revoked key never counts */
		const test_key *s[] = { &k[3] };
		sign(sigs, digest, s, 1);
		assert_int_equal(fws_trust_check_sigs(&t, sigs, 1, digest, L, 1, NULL), FWS_E_REVOKED_KEY);
	}
	{	/* a stranger */
		const test_key *s[] = { &k[4] };
		sign(sigs, digest, s, 1);
		assert_int_equal(fws_trust_check_sigs(&t, sigs, 1, digest, L, 1, NULL),
		                 FWS_E_UNTRUSTED_KEY);
	}
	{	/* a root's signature over something else: tampering */
		const test_key *s[] = { &k[0], &k[1] };
		sign(sigs, digest, s, 2);
		sigs[FWS_PKG_SIG_LEN + 20] ^= 1;
		assert_int_equal(fws_trust_check_sigs(&t, sigs, 2, digest, R, 2, NULL), FWS_E_SIGNATURE);
		/* an unknown algorithm is skipped, not trusted */
		sign(sigs, digest, s, 2);
		sigs[FWS_PKG_SIG_LEN + 8] = 2;
		assert_int_equal(fws_trust_check_sigs(&t, sigs, 2, digest, R, 2, NULL), FWS_E_THRESHOLD);
	}
}

static void test_revoked_root(void **state)
{
	uint8_t blob[FWS_TRUST_BLOB_MAX], digest[32], sigs[4 * FWS_PKG_SIG_LEN];
	fws_trust t;
	const test_key *keys[] = { &k[0], &k[1], &k[2] };
	const uint8_t flags[] = { R, R | X, L };
	const test_key *s[] = { &k[1] };
	(void)state;

	test_trust_v2(blob, &t, 3, 1, keys, flags, 3);
	assert_int_equal(fws_sha256((const uint8_t *)"m", 1, digest), FWS_OK);
	sign(sigs, digest, s, 1);
	assert_int_equal(fws_trust_check_sigs(&t, sigs, 1, digest, R, 1, NULL), FWS_E_REVOKED_KEY);
}

/* The kind field: absent = firmware, 1 = trust update; critical. */
static void test_kind_field(void **state)
{
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	const test_key *s[] = { &k[0] };
	fws_manifest m;
	test_pkg p;
	size_t n, at;
	(void)state;

	n = store(blob, NULL);
	test_trust_update(&p, blob, n, 7, s, 1, NULL);
	assert_int_equal(fws_manifest_parse(p.data + FWS_PKG_HEADER_LEN, p.manifest_len, &m), FWS_OK);
	assert_int_equal(m.kind, FWS_KIND_TRUST);
	assert_int_equal(m.security_counter, 7);
	assert_string_equal(m.model, "*");
	/* find the kind TLV: tag 0x0012, length 1 */
	for (at = FWS_PKG_HEADER_LEN; at + 5 <= FWS_PKG_HEADER_LEN + p.manifest_len; at++)
		if (fws_get_le16(p.data + at) == FWS_TAG_KIND && fws_get_le16(p.data + at + 2) == 1)
			break;
	assert_true(at + 5 <= FWS_PKG_HEADER_LEN + p.manifest_len);
	p.data[at + 4] = 0; /* "firmware" spelled out: not the one encoding */
	assert_int_equal(fws_manifest_parse(p.data + FWS_PKG_HEADER_LEN, p.manifest_len, &m),
	                 FWS_E_MANIFEST);
	p.data[at + 4] = 2; /* a kind this reader does not know */
	assert_int_equal(fws_manifest_parse(p.data + FWS_PKG_HEADER_LEN, p.manifest_len, &m),
	                 FWS_E_CRITICAL);
	test_pkg_free(&p);
}

/* The reader applies the rule of the kind: a trust update needs the root
 * threshold of the store in force, firmware one release key. */
static void test_reader_by_kind(void **state)
{
	uint8_t blob[FWS_TRUST_BLOB_MAX], buf[4096 + 32], signer[8];
	fws_trust t;
	fws_manifest m;
	test_pkg p;
	size_t n;
	(void)state;

	n = store(blob, &t);
	{
		const test_key *s[] = { &k[0], &k[1] };
		test_trust_update(&p, blob, n, 8, s, 2, NULL);
		assert_int_equal(fws_pkg_prefix_verify(p.data, p.prefix_len, &t, &m, signer), FWS_OK);
		test_pkg_free(&p);
	}
	{
		const test_key *s[] = { &k[0], &k[2] };
		test_trust_update(&p, blob, n, 8, s, 2, NULL);
		assert_int_equal(fws_pkg_prefix_verify(p.data, p.prefix_len, &t, &m, signer),
		                 FWS_E_THRESHOLD);
		/* the streaming reader agrees */
		fws_pkg_reader r;
		size_t used;
		enum fws_pkg_event ev;
		assert_int_equal(fws_pkg_reader_init(&r, buf, sizeof buf, &t, 0), FWS_OK);
		assert_int_equal(fws_pkg_reader_feed(&r, p.data, p.len, &used, &ev), FWS_E_THRESHOLD);
		test_pkg_free(&p);
	}
	{	/* firmware signed by a root key only */
		test_pkg_opts o;
		uint8_t *img = test_image(3000, 5);

		memset(&o, 0, sizeof o);
		o.keys[0] = &k[0];
		test_pkg_build(&p, img, 3000, &o);
		assert_int_equal(fws_pkg_prefix_verify(p.data, p.prefix_len, &t, &m, signer),
		                 FWS_E_UNTRUSTED_KEY);
		test_pkg_free(&p);
		o.keys[0] = &k[2];
		test_pkg_build(&p, img, 3000, &o);
		assert_int_equal(fws_pkg_prefix_verify(p.data, p.prefix_len, &t, &m, signer), FWS_OK);
		test_pkg_free(&p);
		free(img);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_roundtrip),
		cmocka_unit_test(test_v1_means_both_roles),
		cmocka_unit_test(test_v2_every_flip_and_cut_rejected),
		cmocka_unit_test(test_v2_structure),
		cmocka_unit_test(test_usable),
		cmocka_unit_test(test_signature_rule),
		cmocka_unit_test(test_revoked_root),
		cmocka_unit_test(test_kind_field),
		cmocka_unit_test(test_reader_by_kind),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
