/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signers.h - open the signing keys a command was given (key files or
 * PKCS#11 URIs, with the passphrase and PIN files): `fwseal pack` and
 * `fwseal trust-update`. The secrets are wiped as soon as the keys are open.
 */
#ifndef FWSEAL_CLI_SIGNERS_H
#define FWSEAL_CLI_SIGNERS_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/keys.h"

/* Open keys[0..n) into out[0..n). Returns -1 with all open, else the exit
 * code after printing the problem; nothing stays open then. */
int cli_signers_open(const char *const keys[], unsigned n, const char *pass_file,
                     const char *pin_file, const char *module, fws_signer *out[]);

/* The key ids of s[0..n) into ids. Returns -1, or FWS_EXIT_USAGE after
 * saying so when one key was given twice. */
int cli_signers_ids(fws_signer *const s[], unsigned n, uint8_t ids[][FWS_KEY_ID_LEN]);

/* A package prefix whose manifest (mlen bytes) is already encoded at
 * prefix + FWS_PKG_HEADER_LEN: write the header, sign header and manifest
 * with s[0..n) (key ids ids[]) and append the signatures; *plen = the
 * prefix's length (room for FWS_PKG_PREFIX_MAX bytes). Returns -1, or the
 * exit code after printing the problem. */
int cli_signers_sign_prefix(fws_signer *const s[], const uint8_t ids[][FWS_KEY_ID_LEN],
                            unsigned n, uint8_t *prefix, size_t mlen, size_t *plen);

#endif
