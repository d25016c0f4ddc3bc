/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only signing keys: a P-256 key pair generated at test time from a
 * seed (deterministic per seed, so golden outputs are stable, and no private
 * key is ever committed), and raw r||s signing as the package format wants.
 */
#ifndef FWSEAL_TEST_TESTKEY_H
#define FWSEAL_TEST_TESTKEY_H

#include <stdint.h>

#include "fwseal/crypto.h"

typedef struct test_key {
	void *priv;                       /* mbedtls_ecdsa_context */
	uint8_t pub[FWS_P256_PUB_LEN];
	uint8_t id[FWS_KEY_ID_LEN];
} test_key;

/* Generate a key pair deterministically from seed. Aborts on failure. */
void test_key_generate(test_key *k, uint32_t seed);
void test_key_free(test_key *k);

/* Sign a 32-byte digest: raw r || s (deterministic ECDSA, RFC 6979). */
void test_key_sign(const test_key *k, const uint8_t digest[FWS_SHA256_LEN],
                   uint8_t sig[FWS_ECDSA_SIG_LEN]);

#endif
