/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thin wrappers over mbedTLS 2.28 (EN 303 645 5.3-7: established primitives,
 * none written here). mbedTLS's bignum code allocates through its platform
 * layer; firmware ports give it a static pool (MBEDTLS_MEMORY_BUFFER_ALLOC_C).
 */
#include "fwseal/crypto.h"

#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/version.h>

const char *fws_crypto_lib(void)
{
	return MBEDTLS_VERSION_STRING_FULL;
}

void fws_sha256_init(fws_sha256_ctx *ctx)
{
	mbedtls_sha256_init(&ctx->c);
	/* Cannot fail for SHA-256 without hardware acceleration hooks. */
	(void)mbedtls_sha256_starts_ret(&ctx->c, 0);
}

void fws_sha256_update(fws_sha256_ctx *ctx, const uint8_t *p, size_t n)
{
	if (n)
		(void)mbedtls_sha256_update_ret(&ctx->c, p, n);
}

void fws_sha256_final(fws_sha256_ctx *ctx, uint8_t out[FWS_SHA256_LEN])
{
	(void)mbedtls_sha256_finish_ret(&ctx->c, out);
	mbedtls_sha256_free(&ctx->c);
}

void fws_sha256(const uint8_t *p, size_t n, uint8_t out[FWS_SHA256_LEN])
{
	fws_sha256_2(p, n, NULL, 0, out);
}

void fws_sha256_2(const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
                  uint8_t out[FWS_SHA256_LEN])
{
	fws_sha256_ctx c;

	fws_sha256_init(&c);
	fws_sha256_update(&c, a, an);
	fws_sha256_update(&c, b, bn);
	fws_sha256_final(&c, out);
}

bool fws_ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	/* volatile keeps the compiler from turning this into an early-exit loop */
	volatile uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (uint8_t)(a[i] ^ b[i]);
	return diff == 0;
}

void fws_key_id(const uint8_t pub[FWS_P256_PUB_LEN], uint8_t id[FWS_KEY_ID_LEN])
{
	uint8_t d[FWS_SHA256_LEN];

	fws_sha256(pub, FWS_P256_PUB_LEN, d);
	for (size_t i = 0; i < FWS_KEY_ID_LEN; i++)
		id[i] = d[i];
}

fws_err fws_ecdsa_p256_verify(const uint8_t pub[FWS_P256_PUB_LEN],
                              const uint8_t digest[FWS_SHA256_LEN],
                              const uint8_t sig[FWS_ECDSA_SIG_LEN])
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi r, s;
	fws_err err = FWS_E_SIGNATURE;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);

	if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
	    mbedtls_ecp_point_read_binary(&grp, &q, pub, FWS_P256_PUB_LEN) != 0 ||
	    mbedtls_ecp_check_pubkey(&grp, &q) != 0) {
		err = FWS_E_INVAL;
		goto out;
	}
	if (mbedtls_mpi_read_binary(&r, sig, 32) != 0 ||
	    mbedtls_mpi_read_binary(&s, sig + 32, 32) != 0)
		goto out;
	/* mbedtls_ecdsa_verify rejects r or s outside [1, n-1]. */
	if (mbedtls_ecdsa_verify(&grp, digest, FWS_SHA256_LEN, &q, &r, &s) == 0)
		err = FWS_OK;
out:
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return err;
}
