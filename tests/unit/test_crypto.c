/* SPDX-License-Identifier: Apache-2.0 */
/* protocol/src/crypto.c and crc.c: known-answer tests and ECDSA verification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fwseal/crc.h"
#include "fwseal/crypto.h"
#include "testkey.h"

static void hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void test_sha256_kat(void **state)
{
	uint8_t want[32], got[32];
	(void)state;

	/* FIPS 180-2 appendix B.1 */
	hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want, 32);
	assert_int_equal(fws_sha256((const uint8_t *)"abc", 3, got), FWS_OK);
	assert_memory_equal(got, want, 32);

	/* split update gives the same digest */
	assert_int_equal(fws_sha256_2((const uint8_t *)"a", 1, (const uint8_t *)"bc", 2, got), FWS_OK);
	assert_memory_equal(got, want, 32);
}

static void test_crc32_kat(void **state)
{
	(void)state;
	/* The standard check value of CRC-32/ISO-HDLC (zlib's crc32). */
	assert_int_equal(fws_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
	/* chaining */
	assert_int_equal(fws_crc32(fws_crc32(0, (const uint8_t *)"1234", 4),
	                           (const uint8_t *)"56789", 5), 0xCBF43926u);
}

static void test_ct_equal(void **state)
{
	uint8_t a[32] = { 0 }, b[32] = { 0 };
	(void)state;

	assert_true(fws_ct_equal(a, b, 32));
	for (size_t i = 0; i < 32; i++) {
		b[i] = 0x80;
		assert_false(fws_ct_equal(a, b, 32));
		b[i] = 0;
	}
	assert_true(fws_ct_equal(a, b, 0));
}

static void test_ecdsa(void **state)
{
	test_key k, other;
	uint8_t digest[32], sig[64], id[FWS_KEY_ID_LEN], full[32];
	(void)state;

	test_key_generate(&k, 1);
	test_key_generate(&other, 2);
	assert_int_equal(fws_sha256((const uint8_t *)"message", 7, digest), FWS_OK);
	test_key_sign(&k, digest, sig);

	assert_int_equal(fws_ecdsa_p256_verify(k.pub, digest, sig), FWS_OK);
	assert_int_equal(fws_ecdsa_p256_verify(other.pub, digest, sig), FWS_E_SIGNATURE);

	digest[0] ^= 1;
	assert_int_equal(fws_ecdsa_p256_verify(k.pub, digest, sig), FWS_E_SIGNATURE);
	digest[0] ^= 1;
	for (size_t i = 0; i < 64; i += 7) {
		sig[i] ^= 0x01;
		assert_int_not_equal(fws_ecdsa_p256_verify(k.pub, digest, sig), FWS_OK);
		sig[i] ^= 0x01;
	}
	/* r = s = 0 is outside [1, n-1] */
	{
		uint8_t zero[64] = { 0 };
		assert_int_equal(fws_ecdsa_p256_verify(k.pub, digest, zero), FWS_E_SIGNATURE);
	}
	/* a point not on the curve is an invalid key, not a signature failure */
	{
		uint8_t bad[65];
		memcpy(bad, k.pub, 65);
		bad[64] ^= 1;
		assert_int_equal(fws_ecdsa_p256_verify(bad, digest, sig), FWS_E_INVAL);
	}

	/* key id = first 8 bytes of SHA-256(pub) */
	assert_int_equal(fws_key_id(k.pub, id), FWS_OK);
	assert_int_equal(fws_sha256(k.pub, 65, full), FWS_OK);
	assert_memory_equal(id, full, FWS_KEY_ID_LEN);
	assert_memory_equal(id, k.id, FWS_KEY_ID_LEN);

	/* same seed, same key (golden vectors rely on it) */
	{
		test_key again;
		test_key_generate(&again, 1);
		assert_memory_equal(again.pub, k.pub, 65);
		test_key_free(&again);
	}
	test_key_free(&k);
	test_key_free(&other);
}

static void test_err_strings(void **state)
{
	(void)state;
	for (int e = 0; e >= -100; e--) {
		assert_non_null(fws_err_name((fws_err)e));
		assert_non_null(fws_err_describe((fws_err)e));
	}
	assert_string_equal(fws_err_name(FWS_E_BLOCK_DIGEST), "block-digest");
	assert_string_equal(fws_err_name((fws_err)-9999), "unknown-error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_kat),
		cmocka_unit_test(test_crc32_kat),
		cmocka_unit_test(test_ct_equal),
		cmocka_unit_test(test_ecdsa),
		cmocka_unit_test(test_err_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
