/* SPDX-License-Identifier: Apache-2.0 */
/* signer.c - one signing interface over a key file or a PKCS#11 token. */
#include <stdlib.h>
#include <string.h>

#include "keys_int.h"

struct fws_signer {
	uint8_t pub[FWS_P256_PUB_LEN];
	fws_keypair *kp; /* key file, or */
	fws_p11 *p11;    /* token */
};

fws_key_err fws_signer_open(const char *key, const fws_signer_opts *opts, fws_signer **out,
                            fws_key_msg *msg)
{
	static const fws_signer_opts none;
	if (!opts)
		opts = &none;
	fws_signer *s = calloc(1, sizeof(*s));
	if (!s)
		return fws_key_fail(msg, FWS_KEY_E_IO, "Out of memory.");
	fws_key_err e;
	if (strncmp(key, "pkcs11:", 7) == 0) {
		e = fws_p11_open(key, opts->pin, opts->pkcs11_module, &s->p11, s->pub, msg);
	} else {
		e = fws_keypair_load(key, opts->passphrase, &s->kp, msg);
		if (!e)
			fws_keypair_pub(s->kp, s->pub);
	}
	if (e) {
		free(s);
		return e;
	}
	*out = s;
	return FWS_KEY_OK;
}

void fws_signer_pub(const fws_signer *s, uint8_t pub[FWS_P256_PUB_LEN])
{
	memcpy(pub, s->pub, FWS_P256_PUB_LEN);
}

fws_key_err fws_signer_sign(fws_signer *s, const uint8_t digest[FWS_SHA256_LEN],
                            uint8_t sig[FWS_ECDSA_SIG_LEN], fws_key_msg *msg)
{
	fws_key_err e = s->kp ? fws_keypair_sign(s->kp, digest, sig, msg)
	                      : fws_p11_sign(s->p11, digest, sig, msg);
	if (e)
		return e;
	/* A signature nobody can verify must never reach a package (wrong
	 * token object, broken module): check it with the verifier devices use. */
	if (fws_ecdsa_p256_verify(s->pub, digest, sig) != FWS_OK)
		return fws_key_fail(msg, FWS_KEY_E_CRYPTO,
		                    "The signature made with this key does not verify against its public key. Check the key or token.");
	return FWS_KEY_OK;
}

void fws_signer_close(fws_signer *s)
{
	if (!s)
		return;
	fws_keypair_free(s->kp);
	fws_p11_close(s->p11);
	free(s);
}
