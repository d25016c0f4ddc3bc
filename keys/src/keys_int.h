/* SPDX-License-Identifier: Apache-2.0 */
/* keys_int.h - private helpers shared by the keys/ sources. */
#ifndef FWSEAL_KEYS_INT_H
#define FWSEAL_KEYS_INT_H

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>

#include "fwseal/keys.h"

struct fws_keypair {
	mbedtls_pk_context pk;
};

#if defined(__GNUC__)
#define FWS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FWS_PRINTF(a, b)
#endif

/* Fill msg (if not NULL) and return e. */
fws_key_err fws_key_fail(fws_key_msg *msg, fws_key_err e, const char *fmt, ...) FWS_PRINTF(3, 4);

/* The system random source: CTR_DRBG seeded from mbedtls_entropy. */
typedef struct fws_sysrng {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
} fws_sysrng;

int fws_sysrng_init(fws_sysrng *r, const char *personalisation);
void fws_sysrng_free(fws_sysrng *r);

/* Passphrase encryption of a DER private key (keyfile_crypt.c). */
fws_key_err fws_keycrypt_seal(const uint8_t *der, size_t der_len, const char *passphrase,
                              uint32_t iterations, fws_sysrng *rng, char *pem, size_t pem_cap,
                              fws_key_msg *msg);
fws_key_err fws_keycrypt_open(const char *pem, size_t pem_len, const char *passphrase,
                              uint8_t *der, size_t der_cap, size_t *der_len, fws_key_msg *msg);
bool fws_keycrypt_is_sealed(const char *pem);

/* Uncompressed public point of an EC key context. */
int fws_pk_pub65(const mbedtls_pk_context *pk, uint8_t pub[FWS_P256_PUB_LEN]);

/* PKCS#11 signing (sign_p11.c). */
typedef struct fws_p11 fws_p11;
fws_key_err fws_p11_open(const char *uri, const char *pin, const char *module, fws_p11 **out,
                         uint8_t pub[FWS_P256_PUB_LEN], fws_key_msg *msg);
fws_key_err fws_p11_sign(fws_p11 *p, const uint8_t digest[FWS_SHA256_LEN],
                         uint8_t sig[FWS_ECDSA_SIG_LEN], fws_key_msg *msg);
void fws_p11_close(fws_p11 *p);

#endif /* FWSEAL_KEYS_INT_H */
