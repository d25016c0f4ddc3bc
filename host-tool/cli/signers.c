/* SPDX-License-Identifier: Apache-2.0 */
/* signers.c - see signers.h. */
#include "signers.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "commands.h"

static void forget(char *s)
{
	if (s) {
		mbedtls_platform_zeroize(s, strlen(s));
		free(s);
	}
}

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
	forget(pass);
	forget(pin);
	if (e) {
		cli_error("%s", msg.text);
		for (unsigned k = 0; k < opened; k++)
			fws_signer_close(out[k]);
		return cmd_key_exit(e);
	}
	return -1;
}
