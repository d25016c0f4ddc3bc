/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal/keys.h - host-side key management: generate signing keys, load key
 * files, sign with a key file or a PKCS#11 token, export the device trust
 * store. No private key ever leaves these functions except into the 0600
 * key file the user asked for.
 *
 * Errors: every function returns an fws_key_err and, on failure, fills the
 * caller's fws_key_msg with one sentence saying what is wrong and what to do
 * (already naming the file or token involved).
 */
#ifndef FWSEAL_KEYS_H
#define FWSEAL_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/crypto.h"
#include "fwseal/trust.h"

typedef enum fws_key_err {
	FWS_KEY_OK = 0,
	FWS_KEY_E_IO = -1,         /* a file could not be read or written */
	FWS_KEY_E_EXISTS = -2,     /* refusing to overwrite an existing key file */
	FWS_KEY_E_FORMAT = -3,     /* not a key file fwseal understands / not P-256 */
	FWS_KEY_E_PASSPHRASE = -4, /* passphrase missing or wrong */
	FWS_KEY_E_CRYPTO = -5,     /* the crypto library failed (RNG, signing) */
	FWS_KEY_E_TOKEN = -6,      /* PKCS#11 module, token, login or key failed */
	FWS_KEY_E_USAGE = -7,      /* invalid request (bad key id, too many keys) */
	FWS_KEY_E_EXPOSED = -8,    /* a private key file group or others may read */
} fws_key_err;

typedef struct fws_key_msg {
	char text[320];
} fws_key_msg;

/* Stable identifier of an error, e.g. "exists". */
const char *fws_key_err_name(fws_key_err e);

/* Random source with mbedTLS's f_rng signature; NULL means the system
 * entropy source through CTR_DRBG. Tests pass a seeded DRBG for fixed keys. */
typedef int (*fws_rng_fn)(void *ctx, unsigned char *out, size_t len);

/* PBKDF2-HMAC-SHA256 iterations for new passphrase-protected keys. */
#define FWS_KEY_KDF_ITER_DEFAULT 600000u
#define FWS_KEY_KDF_ITER_MIN     1000u

/* ---------------------------------------------------------------------- */
/* Key pairs (ECDSA P-256)                                                */

typedef struct fws_keypair fws_keypair;

fws_key_err fws_keypair_generate(fws_keypair **out, fws_rng_fn rng, void *rng_ctx,
                                 fws_key_msg *msg);

/* Write PREFIX.key (0600, never overwritten, atomic) and PREFIX.pub.
 * With a passphrase the private key is encrypted (see keyfile_crypt.c);
 * iterations 0 means FWS_KEY_KDF_ITER_DEFAULT. */
fws_key_err fws_keypair_write(fws_keypair *kp, const char *prefix, const char *passphrase,
                              uint32_t iterations, fws_key_msg *msg);

/* Load a private key file (plain SEC1 PEM or fwseal-encrypted PEM). */
fws_key_err fws_keypair_load(const char *path, const char *passphrase, fws_keypair **out,
                             fws_key_msg *msg);

void fws_keypair_pub(const fws_keypair *kp, uint8_t pub[FWS_P256_PUB_LEN]);

/* Deterministic ECDSA (RFC 6979) over a SHA-256 digest, raw r || s. */
fws_key_err fws_keypair_sign(fws_keypair *kp, const uint8_t digest[FWS_SHA256_LEN],
                             uint8_t sig[FWS_ECDSA_SIG_LEN], fws_key_msg *msg);

void fws_keypair_free(fws_keypair *kp);

/* Load a public key file (PEM SubjectPublicKeyInfo, as written to PREFIX.pub). */
fws_key_err fws_pub_load(const char *path, uint8_t pub[FWS_P256_PUB_LEN], fws_key_msg *msg);

/* Key id as lowercase hex (17 bytes with the NUL). */
void fws_key_id_hex(const uint8_t id[FWS_KEY_ID_LEN], char out[2 * FWS_KEY_ID_LEN + 1]);

/* Parse 16 hex digits into a key id; false if it is not one. */
bool fws_key_id_parse(const char *s, uint8_t id[FWS_KEY_ID_LEN]);

/* ---------------------------------------------------------------------- */
/* Signers: a key file or a PKCS#11 token, chosen by the key string        */

typedef struct fws_signer_opts {
	const char *passphrase;    /* for an encrypted key file; may be NULL */
	const char *pin;           /* token PIN when the URI carries none; may be NULL */
	const char *pkcs11_module; /* module path; NULL = the p11-kit proxy */
} fws_signer_opts;

typedef struct fws_signer fws_signer;

/* key is a key file path or a "pkcs11:" URI (RFC 7512). */
fws_key_err fws_signer_open(const char *key, const fws_signer_opts *opts, fws_signer **out,
                            fws_key_msg *msg);
void fws_signer_pub(const fws_signer *s, uint8_t pub[FWS_P256_PUB_LEN]);
/* Signs and checks the signature against the public key before returning. */
fws_key_err fws_signer_sign(fws_signer *s, const uint8_t digest[FWS_SHA256_LEN],
                            uint8_t sig[FWS_ECDSA_SIG_LEN], fws_key_msg *msg);
void fws_signer_close(fws_signer *s);

/* ---------------------------------------------------------------------- */
/* Trust store export                                                      */

/* Add a public key to a trust store (duplicates are refused). */
fws_key_err fws_trust_add(fws_trust *t, const uint8_t pub[FWS_P256_PUB_LEN], fws_key_msg *msg);

/* Mark the key with this id revoked; FWS_KEY_E_USAGE if it is not in t. */
fws_key_err fws_trust_revoke(fws_trust *t, const uint8_t id[FWS_KEY_ID_LEN], fws_key_msg *msg);

/* Write the binary blob to path and a C header to path + ".h", both
 * atomically (temp file + fsync + rename). */
fws_key_err fws_trust_write(const fws_trust *t, const char *path, fws_key_msg *msg);

/* ---------------------------------------------------------------------- */
/* Files                                                                   */

/* Write data to path atomically: a temp file in the same folder (O_EXCL,
 * mode), fsync, then rename (replace) or link (no_replace: fails with
 * FWS_KEY_E_EXISTS if path exists). Never leaves a half-written path. */
fws_key_err fws_file_write_atomic(const char *path, const void *data, size_t len,
                                  unsigned mode, bool no_replace, fws_key_msg *msg);

/* Read a whole small file (<= max bytes) into a malloc'd NUL-terminated buffer. */
fws_key_err fws_file_read_small(const char *path, size_t max, char **out, size_t *len,
                                fws_key_msg *msg);

/* Secrets (passphrases, PINs, private keys) are read with read(2), never
 * through stdio, and wiped whole (mbedtls_platform_zeroize) on every path. */
#define FWS_SECRET_MAX 1024u

/* Read a passphrase or PIN file: its first line, without the line ending,
 * in a buffer that only fws_secret_free may release (it wipes all
 * FWS_SECRET_MAX + 1 bytes, the rest of the file included). */
fws_key_err fws_secret_file_read(const char *path, char **out, fws_key_msg *msg);
void fws_secret_free(char *secret);

/* Read a whole file that may hold a secret (<= max bytes, NUL-terminated)
 * into a buffer of max + 1 bytes, to be released with
 * fws_secret_wipe_free(buf, max + 1). With private (a private key file) it
 * is refused (FWS_KEY_E_EXPOSED, the message names the chmod that fixes it)
 * if group or others may read or write it, before a byte of it is read. */
fws_key_err fws_secret_read(const char *path, size_t max, bool private, char **out, size_t *len,
                            fws_key_msg *msg);

/* Wipe cap bytes at p, then free it (NULL: nothing). */
void fws_secret_wipe_free(void *p, size_t cap);

#endif /* FWSEAL_KEYS_H */
