/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal/trust.h - the device trust store: the public keys a device accepts
 * package signatures from, each with a revoked flag.
 *
 * Binary form (little-endian), written by `fwseal key export-trust`:
 *   0  4  magic "FWST"
 *   4  1  version = 1
 *   5  1  key count (1..FWS_TRUST_MAX)
 *   6  2  reserved, 0
 *   8  n * 76: key id (8) | flags (1, bit0 revoked) | reserved (2, 0) | pub (65);
 *      each key once (a key id that appears twice makes the store invalid)
 *   .. 4  CRC-32 (IEEE, as zlib) of everything before it
 */
#ifndef FWSEAL_TRUST_H
#define FWSEAL_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/crypto.h"
#include "fwseal/err.h"

#define FWS_TRUST_MAGIC     "FWST"
#define FWS_TRUST_MAX       8u
#define FWS_TRUST_ENTRY_LEN 76u
#define FWS_TRUST_HDR_LEN   8u
#define FWS_TRUST_BLOB_MAX  (FWS_TRUST_HDR_LEN + FWS_TRUST_MAX * FWS_TRUST_ENTRY_LEN + 4u)
#define FWS_TRUST_REVOKED   0x01u

typedef struct fws_trust_key {
	uint8_t id[FWS_KEY_ID_LEN];
	uint8_t flags;
	uint8_t pub[FWS_P256_PUB_LEN];
} fws_trust_key;

typedef struct fws_trust {
	fws_trust_key keys[FWS_TRUST_MAX];
	uint8_t count;
} fws_trust;

/* Parse and check a trust blob (magic, version, count, CRC, that each key
 * id matches its public key, and that no key id appears twice). */
fws_err fws_trust_parse(const uint8_t *blob, size_t len, fws_trust *out);

/* Encode; returns bytes written, or 0 if cap is too small, the count is
 * invalid or a key id appears twice. */
size_t fws_trust_encode(const fws_trust *t, uint8_t *out, size_t cap);

/* Find a key by id; NULL if absent. */
const fws_trust_key *fws_trust_find(const fws_trust *t, const uint8_t id[FWS_KEY_ID_LEN]);

#endif /* FWSEAL_TRUST_H */
