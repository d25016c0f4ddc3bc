/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signers.h - open the signing keys a command was given (key files or
 * PKCS#11 URIs, with the passphrase and PIN files): `fwseal pack` and
 * `fwseal trust-update`. The secrets are wiped as soon as the keys are open.
 */
#ifndef FWSEAL_CLI_SIGNERS_H
#define FWSEAL_CLI_SIGNERS_H

#include "fwseal/keys.h"

/* Open keys[0..n) into out[0..n). Returns -1 with all open, else the exit
 * code after printing the problem; nothing stays open then. */
int cli_signers_open(const char *const keys[], unsigned n, const char *pass_file,
                     const char *pin_file, const char *module, fws_signer *out[]);

#endif
