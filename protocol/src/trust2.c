/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trust2.c - trust store format 2 (roles, root threshold, trust version;
 * fwseal/trust.h) and the rules that come with it: which keys count for
 * which kind of package, and how many (docs/trust.md). The parser reads
 * both formats (format 1 means "every key both roles, threshold 1, version
 * 1"), so each is checked the same way - also for a key listed twice, which
 * would otherwise count twice towards a threshold; trust.c keeps the
 * format-1 encoder.
 */
#include <string.h>

#include "fwseal/crc.h"
#include "fwseal/le.h"
#include "fwseal/pkg.h"
#include "trust2.h"

_Static_assert(FWS_TRUST_THRESHOLD_MAX == FWS_PKG_SIG_MAX,
               "a threshold must be reachable with the signatures a package carries");

static bool id_seen(const fws_trust *t, size_t upto, const uint8_t id[FWS_KEY_ID_LEN])
{
	for (size_t i = 0; i < upto; i++)
		if (memcmp(t->keys[i].id, id, FWS_KEY_ID_LEN) == 0)
			return true;
	return false;
}

fws_err fws_trust2_parse(const uint8_t *blob, size_t len, fws_trust *out)
{
	size_t count, need, hdr;
	uint8_t format, allowed;

	memset(out, 0, sizeof(*out));
	/* magic, a known format, 1..FWS_TRUST_MAX keys, and exactly as long
	 * as that says (fws_trust_blob_len reads only the first 8 bytes) */
	need = fws_trust_blob_len(blob, len);
	if (need == 0 || len != need)
		return FWS_E_TRUST_STORE;
	format = blob[4];
	count = blob[5];
	if (format == 1u) {
		hdr = FWS_TRUST_HDR_LEN;
		allowed = FWS_TRUST_REVOKED; /* roles, threshold, version implied */
		if (blob[6] != 0 || blob[7] != 0)
			return FWS_E_TRUST_STORE;
	} else {
		hdr = FWS_TRUST_V2_HDR_LEN;
		allowed = FWS_TRUST_REVOKED | FWS_TRUST_ROLES;
		if (blob[6] == 0 || blob[6] > FWS_TRUST_THRESHOLD_MAX || blob[7] != 0 ||
		    fws_get_le32(blob + 8) == 0)
			return FWS_E_TRUST_STORE;
		out->root_threshold = blob[6];
		out->version = fws_get_le32(blob + 8);
	}
	if (fws_crc32(0, blob, need - 4u) != fws_get_le32(blob + need - 4u))
		return FWS_E_TRUST_STORE;

	for (size_t i = 0; i < count; i++) {
		const uint8_t *e = blob + hdr + i * FWS_TRUST_ENTRY_LEN;
		fws_trust_key *k = &out->keys[i];
		uint8_t id[FWS_KEY_ID_LEN];

		memcpy(k->id, e, FWS_KEY_ID_LEN);
		k->flags = e[8];
		/* format 2: at least one role */
		if ((k->flags & (uint8_t)~allowed) || (allowed != FWS_TRUST_REVOKED &&
		                                       !(k->flags & FWS_TRUST_ROLES)) ||
		    e[9] || e[10])
			return FWS_E_TRUST_STORE;
		memcpy(k->pub, e + 11, FWS_P256_PUB_LEN);
		if (k->pub[0] != 0x04)
			return FWS_E_TRUST_STORE;
		if (fws_key_id(k->pub, id) != FWS_OK)
			return FWS_E_CRYPTO;
		/* Derived, never trusted as given; and each key once, so a key
		 * cannot be counted twice towards a threshold. */
		if (memcmp(id, k->id, FWS_KEY_ID_LEN) != 0 || id_seen(out, i, id))
			return FWS_E_TRUST_STORE;
	}
	out->count = (uint8_t)count;
	out->format = format;
	return FWS_OK;
}

size_t fws_trust2_encode(const fws_trust *t, uint8_t *out, size_t cap)
{
	size_t need = FWS_TRUST_V2_HDR_LEN + (size_t)t->count * FWS_TRUST_ENTRY_LEN + 4u;

	if (cap < need || t->root_threshold == 0 || t->root_threshold > FWS_TRUST_THRESHOLD_MAX ||
	    t->version == 0)
		return 0;
	memcpy(out, FWS_TRUST_MAGIC, 4);
	out[4] = 2u;
	out[5] = t->count;
	out[6] = t->root_threshold;
	out[7] = 0;
	fws_put_le32(out + 8, t->version);
	for (size_t i = 0; i < t->count; i++) {
		uint8_t *e = out + FWS_TRUST_V2_HDR_LEN + i * FWS_TRUST_ENTRY_LEN;
		uint8_t f = t->keys[i].flags & (FWS_TRUST_REVOKED | FWS_TRUST_ROLES);

		if ((f & FWS_TRUST_ROLES) == 0 || id_seen(t, i, t->keys[i].id))
			return 0;
		memcpy(e, t->keys[i].id, FWS_KEY_ID_LEN);
		e[8] = f;
		e[9] = 0;
		e[10] = 0;
		memcpy(e + 11, t->keys[i].pub, FWS_P256_PUB_LEN);
	}
	fws_put_le32(out + need - 4u, fws_crc32(0, out, need - 4u));
	return need;
}

size_t fws_trust_blob_len(const uint8_t *hdr, size_t n)
{
	size_t count;

	if (hdr == NULL || n < FWS_TRUST_HDR_LEN || memcmp(hdr, FWS_TRUST_MAGIC, 4) != 0)
		return 0;
	count = hdr[5];
	if (count == 0 || count > FWS_TRUST_MAX)
		return 0;
	if (hdr[4] == 1u)
		return FWS_TRUST_HDR_LEN + count * FWS_TRUST_ENTRY_LEN + 4u;
	if (hdr[4] == 2u)
		return FWS_TRUST_V2_HDR_LEN + count * FWS_TRUST_ENTRY_LEN + 4u;
	return 0;
}

uint8_t fws_trust_roles(const fws_trust *t, const fws_trust_key *k)
{
	return t->format == 2u ? (uint8_t)(k->flags & FWS_TRUST_ROLES) : (uint8_t)FWS_TRUST_ROLES;
}

uint32_t fws_trust_version(const fws_trust *t)
{
	return t->format == 2u ? t->version : 1u;
}

unsigned fws_trust_threshold(const fws_trust *t)
{
	return t->format == 2u ? t->root_threshold : 1u;
}

fws_err fws_trust_usable(const fws_trust *t)
{
	unsigned roots = 0, releases = 0;

	if (t == NULL || t->count == 0 || t->count > FWS_TRUST_MAX)
		return FWS_E_TRUST_UNUSABLE;
	for (unsigned i = 0; i < t->count; i++) {
		uint8_t roles = fws_trust_roles(t, &t->keys[i]);

		if (t->keys[i].flags & FWS_TRUST_REVOKED)
			continue;
		roots += (roles & FWS_TRUST_ROOT) != 0;
		releases += (roles & FWS_TRUST_RELEASE) != 0;
	}
	if (releases == 0 || fws_trust_threshold(t) == 0 || roots < fws_trust_threshold(t))
		return FWS_E_TRUST_UNUSABLE;
	return FWS_OK;
}

fws_err fws_trust_check_sigs(const fws_trust *t, const uint8_t *sigs, unsigned count,
                             const uint8_t digest[FWS_SHA256_LEN], uint8_t role, unsigned need,
                             uint8_t signer[FWS_KEY_ID_LEN])
{
	/* ids of the keys counted so far: at most one per signature entry */
	uint8_t counted[FWS_PKG_SIG_MAX][FWS_KEY_ID_LEN];
	unsigned ok = 0;
	bool bad = false, revoked = false;

	if (t == NULL || need == 0)
		return FWS_E_INVAL;
	for (unsigned i = 0; i < count && i < FWS_PKG_SIG_MAX; i++) {
		const uint8_t *e = sigs + (size_t)i * FWS_PKG_SIG_LEN;
		const fws_trust_key *k;
		bool dup = false;

		if (e[8] != FWS_PKG_SIG_ALG_ES256)
			continue; /* a later format's algorithm: not ours to judge */
		k = fws_trust_find(t, e);
		if (k == NULL || (fws_trust_roles(t, k) & role) == 0)
			continue;
		if (k->flags & FWS_TRUST_REVOKED) {
			revoked = true;
			continue;
		}
		for (unsigned c = 0; c < ok; c++)
			dup = dup || memcmp(counted[c], k->id, FWS_KEY_ID_LEN) == 0;
		if (dup)
			continue;
		fws_err v = fws_ecdsa_p256_verify(k->pub, digest, e + 12);
		if (v == FWS_E_CRYPTO)
			return v; /* not checked at all: no verdict on this package */
		if (v != FWS_OK) {
			bad = true;
			continue;
		}
		memcpy(counted[ok++], k->id, FWS_KEY_ID_LEN);
		if (ok >= need)
			break; /* enough: spare the device the remaining verifies */
	}
	if (ok >= need) {
		if (signer != NULL)
			memcpy(signer, counted[0], FWS_KEY_ID_LEN);
		return FWS_OK;
	}
	if (bad)
		return FWS_E_SIGNATURE;
	if (ok == 0 && revoked)
		return FWS_E_REVOKED_KEY;
	return role == FWS_TRUST_ROOT ? FWS_E_THRESHOLD : FWS_E_UNTRUSTED_KEY;
}
