/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thin wrappers over mbedTLS 2.28 (EN 303 645 5.3-7: established primitives,
 * none written here). mbedTLS's bignum code allocates through its platform
 * layer; firmware ports give it a static pool (MBEDTLS_MEMORY_BUFFER_ALLOC_C).
 */
#include "fwseal/crypto.h"

#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/version.h>

const char *fws_crypto_lib(void)
{
	return MBEDTLS_VERSION_STRING_FULL;
}

fws_err fws_sha256_init(fws_sha256_ctx *ctx)
{
	mbedtls_sha256_init(&ctx->c);
	ctx->err = mbedtls_sha256_starts_ret(&ctx->c, 0);
	return ctx->err ? FWS_E_CRYPTO : FWS_OK;
}

fws_err fws_sha256_update(fws_sha256_ctx *ctx, const uint8_t *p, size_t n)
{
	if (ctx->err == 0 && n)
		ctx->err = mbedtls_sha256_update_ret(&ctx->c, p, n);
	return ctx->err ? FWS_E_CRYPTO : FWS_OK;
}

fws_err fws_sha256_final(fws_sha256_ctx *ctx, uint8_t out[FWS_SHA256_LEN])
{
	int e = ctx->err;

	if (e == 0)
		e = mbedtls_sha256_finish_ret(&ctx->c, out);
	mbedtls_sha256_free(&ctx->c);
	if (e != 0) {
		memset(out, 0, FWS_SHA256_LEN);
		return FWS_E_CRYPTO;
	}
	return FWS_OK;
}

fws_err fws_sha256(const uint8_t *p, size_t n, uint8_t out[FWS_SHA256_LEN])
{
	return fws_sha256_2(p, n, NULL, 0, out);
}

fws_err fws_sha256_2(const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
                     uint8_t out[FWS_SHA256_LEN])
{
	fws_sha256_ctx c;

	/* errors are sticky in c: final reports the first */
	fws_sha256_init(&c);
	fws_sha256_update(&c, a, an);
	fws_sha256_update(&c, b, bn);
	return fws_sha256_final(&c, out);
}

bool fws_ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	/* volatile keeps the compiler from turning this into an early-exit loop */
	volatile uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (uint8_t)(a[i] ^ b[i]);
	return diff == 0;
}

fws_err fws_key_id(const uint8_t pub[FWS_P256_PUB_LEN], uint8_t id[FWS_KEY_ID_LEN])
{
	uint8_t d[FWS_SHA256_LEN];
	fws_err e = fws_sha256(pub, FWS_P256_PUB_LEN, d);

	if (e != FWS_OK)
		return e;
	for (size_t i = 0; i < FWS_KEY_ID_LEN; i++)
		id[i] = d[i];
	return FWS_OK;
}

fws_err fws_ecdsa_p256_verify(const uint8_t pub[FWS_P256_PUB_LEN],
                              const uint8_t digest[FWS_SHA256_LEN],
                              const uint8_t sig[FWS_ECDSA_SIG_LEN])
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi r, s;
	fws_err err = FWS_E_SIGNATURE;
	int rc;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);

	/* Only "does not verify" is FWS_E_SIGNATURE; a library failure (out
	 * of memory in a firmware's pool, a hardware engine) is FWS_E_CRYPTO,
	 * so nobody is told a package is forged when it was never checked. */
	if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) != 0) {
		err = FWS_E_CRYPTO;
		goto out;
	}
	rc = mbedtls_ecp_point_read_binary(&grp, &q, pub, FWS_P256_PUB_LEN);
	if (rc == 0)
		rc = mbedtls_ecp_check_pubkey(&grp, &q);
	if (rc != 0) {
		err = (rc == MBEDTLS_ERR_ECP_ALLOC_FAILED || rc == MBEDTLS_ERR_MPI_ALLOC_FAILED)
		      ? FWS_E_CRYPTO : FWS_E_INVAL;
		goto out;
	}
	if (mbedtls_mpi_read_binary(&r, sig, 32) != 0 ||
	    mbedtls_mpi_read_binary(&s, sig + 32, 32) != 0) {
		err = FWS_E_CRYPTO; /* 32 bytes always fit: only allocation fails */
		goto out;
	}
	/* mbedtls_ecdsa_verify rejects r or s outside [1, n-1] (BAD_INPUT). */
	rc = mbedtls_ecdsa_verify(&grp, digest, FWS_SHA256_LEN, &q, &r, &s);
	if (rc == 0)
		err = FWS_OK;
	else if (rc == MBEDTLS_ERR_ECP_VERIFY_FAILED || rc == MBEDTLS_ERR_ECP_BAD_INPUT_DATA)
		err = FWS_E_SIGNATURE;
	else
		err = FWS_E_CRYPTO;
out:
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return err;
}
