/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keypair.c - ECDSA P-256 key pairs: generate, save, load, sign.
 *
 * PREFIX.key is a standard SEC1 "EC PRIVATE KEY" PEM (readable by OpenSSL),
 * or the passphrase envelope of keyfile_crypt.c; PREFIX.pub is a standard
 * SubjectPublicKeyInfo PEM. Signatures are deterministic (RFC 6979), so the
 * same key and inputs always give the same package bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/platform_util.h>

#include "keys_int.h"

#define PEM_CAP 2048u
#define KEY_FILE_MAX 16384u /* a private key file, PEM (plain or sealed) */

int fws_pk_pub65(const mbedtls_pk_context *pk, uint8_t pub[FWS_P256_PUB_LEN])
{
	if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_ECKEY)
		return -1;
	const mbedtls_ecp_keypair *ec = mbedtls_pk_ec(*pk);
	if (!ec || ec->grp.id != MBEDTLS_ECP_DP_SECP256R1)
		return -1;
	size_t olen = 0;
	int rc = mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen,
	                                        pub, FWS_P256_PUB_LEN);
	return rc == 0 && olen == FWS_P256_PUB_LEN ? 0 : -1;
}

static fws_keypair *keypair_new(void)
{
	fws_keypair *kp = calloc(1, sizeof(*kp));
	if (kp)
		mbedtls_pk_init(&kp->pk);
	return kp;
}

void fws_keypair_free(fws_keypair *kp)
{
	if (!kp)
		return;
	mbedtls_pk_free(&kp->pk);
	free(kp);
}

fws_key_err fws_keypair_generate(fws_keypair **out, fws_rng_fn rng, void *rng_ctx,
                                 fws_key_msg *msg)
{
	fws_keypair *kp = keypair_new();
	if (!kp)
		return fws_key_fail(msg, FWS_KEY_E_CRYPTO, "Out of memory.");
	fws_sysrng sys;
	bool own = rng == NULL;
	int rc = 0;
	if (own) {
		rc = fws_sysrng_init(&sys, "fwseal key generate");
		rng = mbedtls_ctr_drbg_random;
		rng_ctx = &sys.drbg;
	}
	if (rc == 0)
		rc = mbedtls_pk_setup(&kp->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
	if (rc == 0)
		rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(kp->pk), rng, rng_ctx);
	if (own)
		fws_sysrng_free(&sys);
	if (rc != 0) {
		fws_keypair_free(kp);
		return fws_key_fail(msg, FWS_KEY_E_CRYPTO,
		                    "Generating the key failed (mbedTLS error -0x%04x). Check that the system random source works.",
		                    (unsigned)-rc);
	}
	*out = kp;
	return FWS_KEY_OK;
}

void fws_keypair_pub(const fws_keypair *kp, uint8_t pub[FWS_P256_PUB_LEN])
{
	(void)fws_pk_pub65(&kp->pk, pub);
}

static char *path_with(const char *prefix, const char *ext)
{
	size_t n = strlen(prefix) + strlen(ext) + 1;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s", prefix, ext);
	return p;
}

fws_key_err fws_keypair_write(fws_keypair *kp, const char *prefix, const char *passphrase,
                              uint32_t iterations, fws_key_msg *msg)
{
	char *key_path = path_with(prefix, ".key");
	char *pub_path = path_with(prefix, ".pub");
	unsigned char *pem = malloc(PEM_CAP);
	unsigned char *der = malloc(PEM_CAP);
	fws_key_err e = FWS_KEY_OK;
	if (!key_path || !pub_path || !pem || !der) {
		e = fws_key_fail(msg, FWS_KEY_E_IO, "Out of memory.");
		goto out;
	}
	/* Refuse early when either file exists: nothing is written then. */
	if (access(key_path, F_OK) == 0 || access(pub_path, F_OK) == 0) {
		e = fws_key_fail(msg, FWS_KEY_E_EXISTS,
		                 "%s or %s already exists. Choose another --out prefix or move the old key away; fwseal never overwrites a key.",
		                 key_path, pub_path);
		goto out;
	}
	mbedtls_pk_context *pk = &kp->pk;
	if (passphrase) {
		int n = mbedtls_pk_write_key_der(pk, der, PEM_CAP);
		if (n <= 0) {
			e = fws_key_fail(msg, FWS_KEY_E_CRYPTO, "Encoding the private key failed.");
			goto out;
		}
		fws_sysrng rng;
		if (fws_sysrng_init(&rng, "fwseal key seal") != 0) {
			fws_sysrng_free(&rng);
			e = fws_key_fail(msg, FWS_KEY_E_CRYPTO, "The random generator failed. Try again.");
			goto out;
		}
		/* mbedtls_pk_write_key_der writes at the end of the buffer. */
		e = fws_keycrypt_seal(der + PEM_CAP - (size_t)n, (size_t)n, passphrase,
		                      iterations ? iterations : FWS_KEY_KDF_ITER_DEFAULT, &rng,
		                      (char *)pem, PEM_CAP, msg);
		fws_sysrng_free(&rng);
		if (e)
			goto out;
	} else if (mbedtls_pk_write_key_pem(pk, pem, PEM_CAP) != 0) {
		e = fws_key_fail(msg, FWS_KEY_E_CRYPTO, "Encoding the private key failed.");
		goto out;
	}
	e = fws_file_write_atomic(key_path, pem, strlen((char *)pem), 0600, true, msg);
	if (e)
		goto out;
	if (mbedtls_pk_write_pubkey_pem(pk, pem, PEM_CAP) != 0) {
		e = fws_key_fail(msg, FWS_KEY_E_CRYPTO, "Encoding the public key failed.");
	} else {
		e = fws_file_write_atomic(pub_path, pem, strlen((char *)pem), 0644, true, msg);
	}
	if (e)
		unlink(key_path); /* we created it a moment ago: leave no half key pair */
out:
	if (pem)
		mbedtls_platform_zeroize(pem, PEM_CAP);
	if (der)
		mbedtls_platform_zeroize(der, PEM_CAP);
	free(pem);
	free(der);
	free(key_path);
	free(pub_path);
	return e;
}

static fws_key_err check_p256(const mbedtls_pk_context *pk, const char *path, fws_key_msg *msg)
{
	uint8_t pub[FWS_P256_PUB_LEN];
	if (fws_pk_pub65(pk, pub) != 0)
		return fws_key_fail(msg, FWS_KEY_E_FORMAT,
		                    "%s is not an ECDSA P-256 key. Use a key made by 'fwseal key generate'.",
		                    path);
	return FWS_KEY_OK;
}

fws_key_err fws_keypair_load(const char *path, const char *passphrase, fws_keypair **out,
                             fws_key_msg *msg)
{
	char *text = NULL;
	size_t len = 0;
	fws_key_err e = fws_secret_read(path, KEY_FILE_MAX, true, &text, &len, msg);
	uint8_t pub65[FWS_P256_PUB_LEN];
	if (e == FWS_KEY_E_EXPOSED && fws_pub_load(path, pub65, NULL) == FWS_KEY_OK)
		return fws_key_fail(msg, FWS_KEY_E_FORMAT, /* a mix-up, not an exposed secret */
		                    "%s is a public key, not a private key file. Give the PREFIX.key "
		                    "written by 'fwseal key generate'.", path);
	if (e)
		return e;
	fws_keypair *kp = keypair_new();
	uint8_t der[1024];
	size_t der_len = 0;
	int rc;
	if (!kp) {
		e = fws_key_fail(msg, FWS_KEY_E_IO, "Out of memory.");
		goto out;
	}
	if (fws_keycrypt_is_sealed(text)) {
		e = fws_keycrypt_open(text, len, passphrase, der, sizeof(der), &der_len, msg);
		if (e) {
			char inner[sizeof(msg->text)];
			snprintf(inner, sizeof(inner), "%s", msg ? msg->text : "");
			e = fws_key_fail(msg, e, "%s: %s", path, inner);
			goto out;
		}
		rc = mbedtls_pk_parse_key(&kp->pk, der, der_len, NULL, 0);
	} else {
		/* PEM parsing needs the terminating NUL counted in the length. */
		rc = mbedtls_pk_parse_key(&kp->pk, (const unsigned char *)text, len + 1,
		                          (const unsigned char *)passphrase,
		                          passphrase ? strlen(passphrase) : 0);
	}
	if (rc == MBEDTLS_ERR_PK_PASSWORD_REQUIRED || rc == MBEDTLS_ERR_PK_PASSWORD_MISMATCH) {
		e = fws_key_fail(msg, FWS_KEY_E_PASSPHRASE,
		                 "%s needs a passphrase or the passphrase is wrong. Give the right one with --passphrase-file.",
		                 path);
		goto out;
	}
	if (rc != 0) {
		e = fws_key_fail(msg, FWS_KEY_E_FORMAT,
		                 "%s is not a private key file fwseal can read. Give the PREFIX.key written by 'fwseal key generate'.",
		                 path);
		goto out;
	}
	e = check_p256(&kp->pk, path, msg);
out:
	mbedtls_platform_zeroize(der, sizeof(der));
	fws_secret_wipe_free(text, KEY_FILE_MAX + 1);
	if (e) {
		fws_keypair_free(kp);
		return e;
	}
	*out = kp;
	return FWS_KEY_OK;
}

fws_key_err fws_keypair_sign(fws_keypair *kp, const uint8_t digest[FWS_SHA256_LEN],
                             uint8_t sig[FWS_ECDSA_SIG_LEN], fws_key_msg *msg)
{
	mbedtls_ecp_keypair *ec = mbedtls_pk_ec(kp->pk);
	if (!ec)
		return fws_key_fail(msg, FWS_KEY_E_FORMAT, "The key is not an EC key.");
	mbedtls_mpi r, s;
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	fws_sysrng rng; /* only blinds the computation; k itself is RFC 6979 */
	int rc = fws_sysrng_init(&rng, "fwseal sign blinding");
	if (rc == 0)
		rc = mbedtls_ecdsa_sign_det_ext(&ec->grp, &r, &s, &ec->d, digest, FWS_SHA256_LEN,
		                                MBEDTLS_MD_SHA256, mbedtls_ctr_drbg_random, &rng.drbg);
	if (rc == 0)
		rc = mbedtls_mpi_write_binary(&r, sig, 32);
	if (rc == 0)
		rc = mbedtls_mpi_write_binary(&s, sig + 32, 32);
	fws_sysrng_free(&rng);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	if (rc != 0)
		return fws_key_fail(msg, FWS_KEY_E_CRYPTO, "Signing failed (mbedTLS error -0x%04x).",
		                    (unsigned)-rc);
	return FWS_KEY_OK;
}

fws_key_err fws_pub_load(const char *path, uint8_t pub[FWS_P256_PUB_LEN], fws_key_msg *msg)
{
	char *text = NULL;
	size_t len = 0;
	/* read like a secret: a private key given here by mistake leaves no
	 * copy behind (fws_keypair_load also asks whether an exposed key file
	 * is a public key) */
	fws_key_err e = fws_secret_read(path, KEY_FILE_MAX, false, &text, &len, msg);
	if (e)
		return e;
	mbedtls_pk_context pk;
	mbedtls_pk_init(&pk);
	int rc = mbedtls_pk_parse_public_key(&pk, (const unsigned char *)text, len + 1);
	fws_secret_wipe_free(text, KEY_FILE_MAX + 1);
	if (rc != 0)
		e = fws_key_fail(msg, FWS_KEY_E_FORMAT,
		                 "%s is not a public key file. Give the PREFIX.pub written by 'fwseal key generate' or a PEM public key.",
		                 path);
	else if (fws_pk_pub65(&pk, pub) != 0)
		e = fws_key_fail(msg, FWS_KEY_E_FORMAT,
		                 "%s is not an ECDSA P-256 public key. fwseal signs with P-256 only.", path);
	mbedtls_pk_free(&pk);
	return e;
}
