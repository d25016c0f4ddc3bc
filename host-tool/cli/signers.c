/* SPDX-License-Identifier: Apache-2.0 */
/* signers.c - see signers.h. */
#include "signers.h"

#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "fwseal/pkg.h"

int cli_signers_open(const char *const keys[], unsigned n, const char *pass_file,
                     const char *pin_file, const char *module, fws_signer *out[])
{
	fws_signer_opts so = {.pkcs11_module = module};
	char *pass = NULL, *pin = NULL;
	fws_key_msg msg;
	fws_key_err e = FWS_KEY_OK;
	unsigned opened = 0;

	if (pass_file)
		e = fws_secret_file_read(pass_file, &pass, &msg);
	if (!e && pin_file)
		e = fws_secret_file_read(pin_file, &pin, &msg);
	so.passphrase = pass;
	so.pin = pin;
	for (; !e && opened < n; opened++) {
		e = fws_signer_open(keys[opened], &so, &out[opened], &msg);
		if (e)
			break;
	}
	fws_secret_free(pass); /* wipes the whole buffer, not just the first line */
	fws_secret_free(pin);
	if (e) {
		cli_error("%s", msg.text);
		for (unsigned k = 0; k < opened; k++)
			fws_signer_close(out[k]);
		return cmd_key_exit(e);
	}
	return -1;
}

int cli_signers_ids(fws_signer *const s[], unsigned n, uint8_t ids[][FWS_KEY_ID_LEN])
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t pub[FWS_P256_PUB_LEN];
		fws_signer_pub(s[i], pub);
		if (fws_key_id(pub, ids[i]) != FWS_OK) {
			cli_error("%s", fws_err_describe(FWS_E_CRYPTO));
			return FWS_EXIT_FAILURE;
		}
		for (unsigned k = 0; k < i; k++) {
			if (!memcmp(ids[k], ids[i], FWS_KEY_ID_LEN)) {
				cli_error("The same key is given twice with --key. Give each key once.");
				return FWS_EXIT_USAGE;
			}
		}
	}
	return -1;
}

int cli_signers_sign_prefix(fws_signer *const s[], const uint8_t ids[][FWS_KEY_ID_LEN],
                            unsigned n, uint8_t *prefix, size_t mlen, size_t *plen)
{
	uint8_t digest[FWS_SHA256_LEN];

	fws_pkg_header_encode(prefix, (uint8_t)n, (uint32_t)mlen);
	if (fws_pkg_signed_digest(prefix, prefix + FWS_PKG_HEADER_LEN, mlen, digest) != FWS_OK) {
		cli_error("%s", fws_err_describe(FWS_E_CRYPTO));
		return FWS_EXIT_FAILURE;
	}
	*plen = FWS_PKG_HEADER_LEN + mlen;
	for (unsigned i = 0; i < n; i++) {
		uint8_t sig[FWS_ECDSA_SIG_LEN];
		fws_key_msg msg;
		fws_key_err ke = fws_signer_sign(s[i], digest, sig, &msg);
		if (ke) {
			cli_error("%s", msg.text);
			return cmd_key_exit(ke);
		}
		fws_pkg_sig_encode(prefix + *plen, ids[i], sig);
		*plen += FWS_PKG_SIG_LEN;
	}
	return -1;
}
