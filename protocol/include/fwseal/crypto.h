/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal/crypto.h - the only cryptography the protocol core uses, as thin
 * wrappers over mbedTLS (no home-made primitives, EN 303 645 5.3-7):
 * SHA-256, ECDSA P-256 verification, constant-time comparison.
 */
#ifndef FWSEAL_CRYPTO_H
#define FWSEAL_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/sha256.h>

#include "fwseal/err.h"

#define FWS_SHA256_LEN     32u
#define FWS_P256_PUB_LEN   65u  /* uncompressed point 0x04 || X || Y */
#define FWS_ECDSA_SIG_LEN  64u  /* r || s, big-endian, 32 bytes each */
#define FWS_KEY_ID_LEN     8u   /* first 8 bytes of SHA-256(public key) */

typedef struct fws_sha256_ctx {
	mbedtls_sha256_context c;
} fws_sha256_ctx;

void fws_sha256_init(fws_sha256_ctx *ctx);
void fws_sha256_update(fws_sha256_ctx *ctx, const uint8_t *p, size_t n);
void fws_sha256_final(fws_sha256_ctx *ctx, uint8_t out[FWS_SHA256_LEN]);
void fws_sha256(const uint8_t *p, size_t n, uint8_t out[FWS_SHA256_LEN]);

/* SHA-256 of two buffers back to back (a block and its next-digest). */
void fws_sha256_2(const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
                  uint8_t out[FWS_SHA256_LEN]);

/* Constant-time equality of two byte strings of length n. */
bool fws_ct_equal(const uint8_t *a, const uint8_t *b, size_t n);

/* Key id of an uncompressed P-256 public key. */
void fws_key_id(const uint8_t pub[FWS_P256_PUB_LEN], uint8_t id[FWS_KEY_ID_LEN]);

/* Verify a raw r||s ECDSA P-256 signature over a 32-byte digest.
 * FWS_OK, FWS_E_SIGNATURE (does not verify) or FWS_E_INVAL (bad key). */
fws_err fws_ecdsa_p256_verify(const uint8_t pub[FWS_P256_PUB_LEN],
                              const uint8_t digest[FWS_SHA256_LEN],
                              const uint8_t sig[FWS_ECDSA_SIG_LEN]);

/* The crypto library this code was built with and its version, e.g.
 * "mbed TLS 2.28.3": on a device, what the device verifies with (reported
 * in its device-info record, FWS_DI_CRYPTO_LIB). */
const char *fws_crypto_lib(void);

#endif /* FWSEAL_CRYPTO_H */
