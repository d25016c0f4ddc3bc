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

/* Every function that computes something returns FWS_OK or an error
 * (FWS_E_CRYPTO when mbedTLS, or a hardware engine behind it, fails): a
 * failure is an error, never a digest. The result must be checked. */
#if defined(__GNUC__)
#define FWS_MUST_CHECK __attribute__((warn_unused_result))
#else
#define FWS_MUST_CHECK
#endif

typedef struct fws_sha256_ctx {
	mbedtls_sha256_context c;
	int err; /* first mbedTLS error, sticky: later calls do nothing */
} fws_sha256_ctx;

/* init/update/final: an error is sticky, so a caller may check only the
 * final call (which must be checked); final always frees the context. On
 * error out holds no digest (it is zeroed). */
fws_err fws_sha256_init(fws_sha256_ctx *ctx);
fws_err fws_sha256_update(fws_sha256_ctx *ctx, const uint8_t *p, size_t n);
FWS_MUST_CHECK fws_err fws_sha256_final(fws_sha256_ctx *ctx, uint8_t out[FWS_SHA256_LEN]);
FWS_MUST_CHECK fws_err fws_sha256(const uint8_t *p, size_t n, uint8_t out[FWS_SHA256_LEN]);

/* SHA-256 of two buffers back to back (a block and its next-digest). */
FWS_MUST_CHECK fws_err fws_sha256_2(const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
                                    uint8_t out[FWS_SHA256_LEN]);

/* Constant-time equality of two byte strings of length n. */
bool fws_ct_equal(const uint8_t *a, const uint8_t *b, size_t n);

/* Key id of an uncompressed P-256 public key (FWS_E_CRYPTO: no id). */
FWS_MUST_CHECK fws_err fws_key_id(const uint8_t pub[FWS_P256_PUB_LEN], uint8_t id[FWS_KEY_ID_LEN]);

/* Verify a raw r||s ECDSA P-256 signature over a 32-byte digest.
 * FWS_OK, FWS_E_SIGNATURE (does not verify), FWS_E_INVAL (bad key) or
 * FWS_E_CRYPTO (mbedTLS failed, e.g. out of memory: not checked at all). */
fws_err fws_ecdsa_p256_verify(const uint8_t pub[FWS_P256_PUB_LEN],
                              const uint8_t digest[FWS_SHA256_LEN],
                              const uint8_t sig[FWS_ECDSA_SIG_LEN]);

/* The crypto library this code was built with and its version, e.g.
 * "mbed TLS 2.28.3": on a device, what the device verifies with (reported
 * in its device-info record, FWS_DI_CRYPTO_LIB). */
const char *fws_crypto_lib(void);

#endif /* FWSEAL_CRYPTO_H */
