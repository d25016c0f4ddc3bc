/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal/trust.h - the device trust store: the public keys a device accepts
 * package signatures from, each with its roles and a revoked flag, and (from
 * format 2 on) a monotonic trust version and the root threshold. The design,
 * the rules a trust update must meet and the threat model are in
 * docs/trust.md.
 *
 * Binary form (little-endian), written by `fwseal key export-trust`.
 * Format 1 (every key holds both roles, root threshold 1, trust version 1):
 *   0  4  magic "FWST"
 *   4  1  format = 1
 *   5  1  key count (1..FWS_TRUST_MAX)
 *   6  2  reserved, 0
 *   8  n * 76: key id (8) | flags (1, bit0 revoked) | reserved (2, 0) | pub (65);
 *      each key once (a key id that appears twice makes the store invalid)
 *   .. 4  CRC-32 (IEEE, as zlib) of everything before it
 * Format 2 (protocol/src/trust2.c):
 *   0  4  magic "FWST"
 *   4  1  format = 2
 *   5  1  key count (1..FWS_TRUST_MAX)
 *   6  1  root threshold k (1..FWS_TRUST_THRESHOLD_MAX): distinct root keys
 *         that must sign a trust update
 *   7  1  reserved, 0
 *   8  4  trust version (>= 1; a device only ever moves to a higher one)
 *  12  n * 76: key id (8) | flags (1: bit0 revoked, bit1 root, bit2 release;
 *         at least one role) | reserved (2, 0) | pub (65)
 *   .. 4  CRC-32 of everything before it
 * In either format key ids are unique and always derived from the key
 * (one parser for both: trust2.c).
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
#define FWS_TRUST_HDR_LEN   8u   /* format 1 */
#define FWS_TRUST_V2_HDR_LEN 12u /* format 2 */
#define FWS_TRUST_BLOB_MAX  (FWS_TRUST_V2_HDR_LEN + FWS_TRUST_MAX * FWS_TRUST_ENTRY_LEN + 4u)
#define FWS_TRUST_REVOKED   0x01u
#define FWS_TRUST_ROOT      0x02u  /* may sign trust updates (format 2) */
#define FWS_TRUST_RELEASE   0x04u  /* may sign firmware (format 2) */
#define FWS_TRUST_ROLES     (FWS_TRUST_ROOT | FWS_TRUST_RELEASE)
/* A trust update carries at most FWS_PKG_SIG_MAX signatures: a threshold
 * above that could never be met again, so no store may ask for more. */
#define FWS_TRUST_THRESHOLD_MAX 4u

typedef struct fws_trust_key {
	uint8_t id[FWS_KEY_ID_LEN];
	uint8_t flags;          /* FWS_TRUST_REVOKED; roles only in format 2 */
	uint8_t pub[FWS_P256_PUB_LEN];
} fws_trust_key;

/* A parsed store. A zeroed struct with keys filled in (format 0) means what
 * format 1 means: every key has both roles, threshold 1, trust version 1;
 * use the accessors below rather than the fields. */
typedef struct fws_trust {
	fws_trust_key keys[FWS_TRUST_MAX];
	uint8_t count;
	uint8_t format;         /* 0 or 1: format 1 semantics; 2: format 2 */
	uint8_t root_threshold; /* format 2 */
	uint32_t version;       /* format 2 */
} fws_trust;

/* Parse and check a trust blob of either format (magic, format, count, CRC,
 * and that each key id matches its public key; format 2 also: threshold,
 * version, roles, unique ids). Sets out->format. */
fws_err fws_trust_parse(const uint8_t *blob, size_t len, fws_trust *out);

/* Encode in format 2 if t->format is 2, else in format 1 (roles, threshold
 * and version are then implied, not written). Returns bytes written or 0 if
 * cap is too small or the store is invalid. */
size_t fws_trust_encode(const fws_trust *t, uint8_t *out, size_t cap);

/* Length of the whole blob whose first bytes (n >= FWS_TRUST_V2_HDR_LEN, or
 * a whole shorter blob) are hdr, from its format and key count; 0 if the
 * header is not one of a trust store. For reading a store from flash. */
size_t fws_trust_blob_len(const uint8_t *hdr, size_t n);

/* Roles of key k of t (FWS_TRUST_ROOT | FWS_TRUST_RELEASE for format 1). */
uint8_t fws_trust_roles(const fws_trust *t, const fws_trust_key *k);
/* Trust version (1 for format 1) and root threshold (1 for format 1). */
uint32_t fws_trust_version(const fws_trust *t);
unsigned fws_trust_threshold(const fws_trust *t);

/* Does t keep a device governable: at least `threshold` root keys and one
 * release key that are not revoked? FWS_OK or FWS_E_TRUST_UNUSABLE. */
fws_err fws_trust_usable(const fws_trust *t);

/* The signature rule of docs/trust.md: among the count 76-byte signature
 * entries at sigs (their reserved bytes already checked), count the distinct
 * keys of t that hold `role`, are not revoked and whose ES256 signature over
 * digest verifies. FWS_OK when at least `need` did (the first such key id goes
 * to signer, if not NULL); else FWS_E_SIGNATURE if such a key's signature
 * failed (tampering), FWS_E_REVOKED_KEY if none counted and a revoked key
 * with the role signed, FWS_E_THRESHOLD for a root signature check, and
 * FWS_E_UNTRUSTED_KEY otherwise. A key that signs twice counts once. */
fws_err fws_trust_check_sigs(const fws_trust *t, const uint8_t *sigs, unsigned count,
                             const uint8_t digest[FWS_SHA256_LEN], uint8_t role, unsigned need,
                             uint8_t signer[FWS_KEY_ID_LEN]);

/* Find a key by id; NULL if absent. */
const fws_trust_key *fws_trust_find(const fws_trust *t, const uint8_t id[FWS_KEY_ID_LEN]);

#endif /* FWSEAL_TRUST_H */
