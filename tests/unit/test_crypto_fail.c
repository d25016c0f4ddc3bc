/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A failing crypto library (issue 16, item 7): with a hardware hash engine
 * or a firmware's small allocation pool, mbedTLS can fail. Its failures are
 * made to happen here by link-time interposition (-Wl,--wrap) of the real
 * mbedTLS functions the protocol core calls; every other call goes to the
 * real library. A failure must be an error (FWS_E_CRYPTO), never a digest
 * and never a verdict about the package:
 *   - fws_sha256*, fws_key_id report it and hand out no digest;
 *   - the package reader fails with FWS_E_CRYPTO (not "block digest", not
 *     "bad signature", not success) wherever a hash or the signature check
 *     fails: block chain, whole-image digest, signed digest, ECDSA;
 *   - the trust store parser likewise;
 *   - the device stub refuses the download when its read-back digest of the
 *     staged image fails, and the device keeps running its old image.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/sha256.h>

#include "fwseal/pkg.h"
#include "test_stub_rig.h"
#include "testpkg.h"

/* ---- the interposed mbedTLS functions ---- */

enum fn { F_STARTS, F_UPDATE, F_FINISH, F_VERIFY, F_COUNT };

/* fail_at[f] = n > 0: the n-th call of f from now on fails (once). */
static unsigned calls[F_COUNT], fail_at[F_COUNT];

static bool fails(enum fn f)
{
	calls[f]++;
	return fail_at[f] != 0 && calls[f] == fail_at[f];
}

static void arm(enum fn f, unsigned n)
{
	memset(calls, 0, sizeof calls);
	memset(fail_at, 0, sizeof fail_at);
	fail_at[f] = n;
}

static void disarm(void)
{
	memset(fail_at, 0, sizeof fail_at);
}

int __real_mbedtls_sha256_starts_ret(mbedtls_sha256_context *ctx, int is224);
int __real_mbedtls_sha256_update_ret(mbedtls_sha256_context *ctx, const unsigned char *in,
                                     size_t n);
int __real_mbedtls_sha256_finish_ret(mbedtls_sha256_context *ctx, unsigned char out[32]);
int __real_mbedtls_ecdsa_verify(mbedtls_ecp_group *grp, const unsigned char *buf, size_t blen,
                                const mbedtls_ecp_point *q, const mbedtls_mpi *r,
                                const mbedtls_mpi *s);
int __wrap_mbedtls_sha256_starts_ret(mbedtls_sha256_context *ctx, int is224);
int __wrap_mbedtls_sha256_update_ret(mbedtls_sha256_context *ctx, const unsigned char *in,
                                     size_t n);
int __wrap_mbedtls_sha256_finish_ret(mbedtls_sha256_context *ctx, unsigned char out[32]);
int __wrap_mbedtls_ecdsa_verify(mbedtls_ecp_group *grp, const unsigned char *buf, size_t blen,
                                const mbedtls_ecp_point *q, const mbedtls_mpi *r,
                                const mbedtls_mpi *s);

/* A hardware engine's error code (any non-zero value). */
#define HW_ERR (-0x0037)

int __wrap_mbedtls_sha256_starts_ret(mbedtls_sha256_context *ctx, int is224)
{
	return fails(F_STARTS) ? HW_ERR : __real_mbedtls_sha256_starts_ret(ctx, is224);
}

int __wrap_mbedtls_sha256_update_ret(mbedtls_sha256_context *ctx, const unsigned char *in,
                                     size_t n)
{
	return fails(F_UPDATE) ? HW_ERR : __real_mbedtls_sha256_update_ret(ctx, in, n);
}

int __wrap_mbedtls_sha256_finish_ret(mbedtls_sha256_context *ctx, unsigned char out[32])
{
	/* a failing engine may leave anything in out: leave a plausible stale
	 * digest, the one of the empty string */
	static const unsigned char stale[32] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
		0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
	};
	if (fails(F_FINISH)) {
		memcpy(out, stale, sizeof stale);
		return HW_ERR;
	}
	return __real_mbedtls_sha256_finish_ret(ctx, out);
}

int __wrap_mbedtls_ecdsa_verify(mbedtls_ecp_group *grp, const unsigned char *buf, size_t blen,
                                const mbedtls_ecp_point *q, const mbedtls_mpi *r,
                                const mbedtls_mpi *s)
{
	return fails(F_VERIFY) ? MBEDTLS_ERR_MPI_ALLOC_FAILED
	                       : __real_mbedtls_ecdsa_verify(grp, buf, blen, q, r, s);
}

/* ---- fixtures ---- */

static test_key key;
static fws_trust trust;
static test_pkg pkg;   /* 3 blocks of 1024 */
static uint8_t *img;

static int setup(void **state)
{
	(void)state;
	test_pkg_opts o = { 0 };

	test_key_generate(&key, 160);
	test_trust_one(&trust, &key, 0);
	img = test_image(3000, 16);
	o.keys[0] = &key;
	o.block_size = 1024;
	test_pkg_build(&pkg, img, 3000, &o);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_pkg_free(&pkg);
	free(img);
	test_key_free(&key);
	return 0;
}

/* The whole package through the reader in one go: the first error, or
 * FWS_OK after DONE. */
static fws_err read_all(uint32_t flags)
{
	static uint8_t buf[FWS_PKG_BUF_MIN];
	fws_pkg_reader r;
	size_t pos = 0;
	fws_err e = fws_pkg_reader_init(&r, buf, sizeof buf, &trust, flags);

	for (unsigned guard = 0; e == FWS_OK && guard < 100; guard++) {
		size_t used = 0;
		enum fws_pkg_event ev;

		e = fws_pkg_reader_feed(&r, pkg.data + pos, pkg.len - pos, &used, &ev);
		pos += used;
		if (e == FWS_OK && ev == FWS_PKG_DONE)
			return FWS_OK;
	}
	return e;
}

/* ---- the tests ---- */

static void sha256_failure_is_no_digest(void **state)
{
	(void)state;
	uint8_t d[FWS_SHA256_LEN], id[FWS_KEY_ID_LEN];
	static const uint8_t zero[FWS_SHA256_LEN];
	const enum fn fns[] = { F_STARTS, F_UPDATE, F_FINISH };

	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		arm(fns[i], 1);
		memset(d, 0xAA, sizeof d);
		assert_int_equal(fws_sha256((const uint8_t *)"abc", 3, d), FWS_E_CRYPTO);
		assert_memory_equal(d, zero, sizeof d); /* not a digest, stale or not */
		arm(fns[i], 1);
		assert_int_equal(fws_key_id(key.pub, id), FWS_E_CRYPTO);
	}
	disarm();
	assert_int_equal(fws_sha256((const uint8_t *)"abc", 3, d), FWS_OK);
}

/* A failure in the middle of a streamed hash is kept until final. */
static void sha256_error_is_sticky(void **state)
{
	(void)state;
	fws_sha256_ctx c;
	uint8_t d[FWS_SHA256_LEN];

	arm(F_UPDATE, 1);
	assert_int_equal(fws_sha256_init(&c), FWS_OK);
	assert_int_equal(fws_sha256_update(&c, (const uint8_t *)"a", 1), FWS_E_CRYPTO);
	assert_int_equal(fws_sha256_update(&c, (const uint8_t *)"b", 1), FWS_E_CRYPTO);
	assert_int_equal(fws_sha256_final(&c, d), FWS_E_CRYPTO);
	disarm();
}

static void reader_block_hash_failure(void **state)
{
	(void)state;
	/* the reader's digests in order (NO_IMAGE_HASH): the signed digest
	 * (starts, two updates: header and manifest, finish), then one per
	 * block (starts, update, finish); fail each call of each in turn */
	for (unsigned n = 1; n <= 1u + pkg.block_count; n++) {
		const enum fn fns[] = { F_STARTS, F_UPDATE, F_FINISH };
		for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
			arm(fns[i], n);
			assert_int_equal(read_all(FWS_PKG_NO_IMAGE_HASH), FWS_E_CRYPTO);
		}
		arm(F_UPDATE, n + 1u); /* the manifest half, then each block */
		assert_int_equal(read_all(FWS_PKG_NO_IMAGE_HASH), FWS_E_CRYPTO);
	}
	disarm();
	assert_int_equal(read_all(FWS_PKG_NO_IMAGE_HASH), FWS_OK);
}

static void reader_image_hash_failure(void **state)
{
	(void)state;
	/* the whole-image digest: its context starts second (after the
	 * signed digest), takes every second update after the signed digest's
	 * two (block check, image update, ...) and finishes last */
	arm(F_STARTS, 2);
	assert_int_equal(read_all(0), FWS_E_CRYPTO);
	arm(F_UPDATE, 4);
	assert_int_equal(read_all(0), FWS_E_CRYPTO);
	arm(F_FINISH, 2u + pkg.block_count);
	assert_int_equal(read_all(0), FWS_E_CRYPTO);
	disarm();
	assert_int_equal(read_all(0), FWS_OK);
}

static void signature_check_failure_is_not_a_forgery(void **state)
{
	(void)state;
	fws_manifest m;
	uint8_t signer[FWS_KEY_ID_LEN];

	arm(F_VERIFY, 1);
	assert_int_equal(read_all(FWS_PKG_NO_IMAGE_HASH), FWS_E_CRYPTO);
	arm(F_VERIFY, 1);
	assert_int_equal(fws_pkg_prefix_verify(pkg.data, pkg.prefix_len, &trust, &m, signer),
	                 FWS_E_CRYPTO);
	disarm();
	assert_int_equal(fws_pkg_prefix_verify(pkg.data, pkg.prefix_len, &trust, &m, signer), FWS_OK);
}

static void trust_parse_failure(void **state)
{
	(void)state;
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	fws_trust t;
	size_t n = fws_trust_encode(&trust, blob, sizeof blob);

	assert_true(n > 0);
	arm(F_FINISH, 1);
	assert_int_equal(fws_trust_parse(blob, n, &t), FWS_E_CRYPTO);
	disarm();
	assert_int_equal(fws_trust_parse(blob, n, &t), FWS_OK);
}

/* The device: its read-back of the staged image fails to hash. */
static void stub_readback_hash_failure(void **state)
{
	(void)state;
	rig *r = rig_new(256u * 1024u);
	test_pkg p;
	uint8_t *v2 = test_image(9000, 17);

	assert_int_equal(rig_power_on(r, true), FWS_OK);
	rig_install(r, "1.0.0", 1, 5000);
	rig_pkg(&p, &r->key, "2.0.0", 2, v2, 9000, 1024);
	assert_int_equal(rig_send(r, p.data, 0, p.len, 1000), FWS_OK);
	/* manifestation hashes the stored prefix, then the image: fail the
	 * image's final (the second finish from here) */
	arm(F_FINISH, 2);
	assert_int_equal(rig_finish(r), FWS_E_CRYPTO);
	disarm();
	assert_int_equal(fws_stub_last_error(&r->stub), FWS_E_CRYPTO);
	assert_int_equal(r->stub.j.trial, FWS_SLOT_NONE); /* nothing committed */
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "1.0.0");
	assert_int_equal(r->dev.flash.violations, 0);
	test_pkg_free(&p);
	free(v2);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_failure_is_no_digest),
		cmocka_unit_test(sha256_error_is_sticky),
		cmocka_unit_test(reader_block_hash_failure),
		cmocka_unit_test(reader_image_hash_failure),
		cmocka_unit_test(signature_check_failure_is_not_a_forgery),
		cmocka_unit_test(trust_parse_failure),
		cmocka_unit_test(stub_readback_hash_failure),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
