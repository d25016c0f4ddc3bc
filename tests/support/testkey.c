/* SPDX-License-Identifier: Apache-2.0 */
#include "testkey.h"

#include <stdio.h>
#include <stdlib.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/md.h>

static void check(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "testkey: %s failed (%d)\n", what, rc);
		abort();
	}
}

/* Deterministic byte source for key generation: a CTR-DRBG seeded by a
 * fixed entropy callback, so the same seed gives the same key. */
static int seed_entropy(void *ctx, unsigned char *out, size_t len)
{
	uint32_t s = *(const uint32_t *)ctx;

	for (size_t i = 0; i < len; i++) {
		s = s * 1103515245u + 12345u;
		out[i] = (unsigned char)(s >> 16);
	}
	return 0;
}

void test_key_generate(test_key *k, uint32_t seed)
{
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ecdsa_context *ec = calloc(1, sizeof(*ec));
	size_t olen = 0;

	if (!ec)
		abort();
	mbedtls_ctr_drbg_init(&drbg);
	check(mbedtls_ctr_drbg_seed(&drbg, seed_entropy, &seed, NULL, 0), "drbg seed");
	mbedtls_ecdsa_init(ec);
	check(mbedtls_ecdsa_genkey(ec, MBEDTLS_ECP_DP_SECP256R1, mbedtls_ctr_drbg_random, &drbg),
	      "genkey");
	check(mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen,
	                                     k->pub, sizeof(k->pub)),
	      "write pub");
	if (olen != FWS_P256_PUB_LEN)
		abort();
	if (fws_key_id(k->pub, k->id) != FWS_OK)
		abort();
	k->priv = ec;
	mbedtls_ctr_drbg_free(&drbg);
}

void test_key_free(test_key *k)
{
	if (k->priv) {
		mbedtls_ecdsa_free(k->priv);
		free(k->priv);
		k->priv = NULL;
	}
}

void test_key_sign(const test_key *k, const uint8_t digest[FWS_SHA256_LEN],
                   uint8_t sig[FWS_ECDSA_SIG_LEN])
{
	mbedtls_ecdsa_context *ec = k->priv;
	mbedtls_mpi r, s;

	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	uint32_t blind_seed = 0x5eed;

	check(mbedtls_ecdsa_sign_det_ext(&ec->grp, &r, &s, &ec->d, digest, FWS_SHA256_LEN,
	                                 MBEDTLS_MD_SHA256, seed_entropy, &blind_seed),
	      "sign");
	check(mbedtls_mpi_write_binary(&r, sig, 32), "write r");
	check(mbedtls_mpi_write_binary(&s, sig + 32, 32), "write s");
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
}
