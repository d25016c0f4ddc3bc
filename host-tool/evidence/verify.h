/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify.h - the two texts `fwseal evidence verify` reads from a pack folder
 * it did not make (verify.c): evidence.sig and the lines of evidence.sha256.
 * Pure functions on bytes, so the fuzz target (tests/fuzz/fuzz_evidence_sig.c)
 * can reach them.
 */
#ifndef FWSEAL_EV_VERIFY_H
#define FWSEAL_EV_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/crypto.h"

struct ev_sig {
	uint8_t key_id[FWS_KEY_ID_LEN];
	uint8_t signed_sha256[FWS_SHA256_LEN];
	uint8_t sig[FWS_ECDSA_SIG_LEN];
};

/* Parse evidence.sig (NUL-terminated text). false if it is not an fwseal
 * evidence signature of a known algorithm. */
bool ev_sig_parse(const char *text, struct ev_sig *out);

/* One line of evidence.sha256 ("<64 hex>  <name>", no newline): the digest
 * and the file name (a pointer into line). false for anything else,
 * including names that leave the folder (absolute, "..") or contain control
 * characters or backslashes. */
bool ev_sum_line_parse(const char *line, uint8_t sha256[FWS_SHA256_LEN], const char **name);

#endif
