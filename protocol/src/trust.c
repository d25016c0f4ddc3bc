/* SPDX-License-Identifier: Apache-2.0 */
#include "fwseal/trust.h"

#include <string.h>

#include "fwseal/crc.h"
#include "fwseal/le.h"

/* Does keys[0 .. n) hold id twice? One key listed twice (say once revoked
 * and once not) would leave it to the order of the list whether it is
 * trusted: such a store is malformed. */
static bool has_duplicate(const fws_trust_key *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			if (memcmp(keys[i].id, keys[k].id, FWS_KEY_ID_LEN) == 0)
				return true;
	return false;
}

fws_err fws_trust_parse(const uint8_t *blob, size_t len, fws_trust *out)
{
	size_t count, need;

	memset(out, 0, sizeof(*out));
	if (!blob || len < FWS_TRUST_HDR_LEN + 4u)
		return FWS_E_TRUST_STORE;
	if (memcmp(blob, FWS_TRUST_MAGIC, 4) != 0 || blob[4] != 1u)
		return FWS_E_TRUST_STORE;
	count = blob[5];
	if (count == 0 || count > FWS_TRUST_MAX || blob[6] != 0 || blob[7] != 0)
		return FWS_E_TRUST_STORE;
	need = FWS_TRUST_HDR_LEN + count * FWS_TRUST_ENTRY_LEN + 4u;
	if (len != need)
		return FWS_E_TRUST_STORE;
	if (fws_crc32(0, blob, need - 4u) != fws_get_le32(blob + need - 4u))
		return FWS_E_TRUST_STORE;

	for (size_t i = 0; i < count; i++) {
		const uint8_t *e = blob + FWS_TRUST_HDR_LEN + i * FWS_TRUST_ENTRY_LEN;
		fws_trust_key *k = &out->keys[i];
		uint8_t id[FWS_KEY_ID_LEN];

		memcpy(k->id, e, FWS_KEY_ID_LEN);
		k->flags = e[8];
		if ((k->flags & (uint8_t)~FWS_TRUST_REVOKED) || e[9] || e[10])
			return FWS_E_TRUST_STORE;
		memcpy(k->pub, e + 11, FWS_P256_PUB_LEN);
		if (k->pub[0] != 0x04)
			return FWS_E_TRUST_STORE;
		/* The id is derived, never trusted as given. */
		if (fws_key_id(k->pub, id) != FWS_OK)
			return FWS_E_CRYPTO;
		if (memcmp(id, k->id, FWS_KEY_ID_LEN) != 0)
			return FWS_E_TRUST_STORE;
	}
	if (has_duplicate(out->keys, count))
		return FWS_E_TRUST_STORE;
	out->count = (uint8_t)count;
	return FWS_OK;
}

size_t fws_trust_encode(const fws_trust *t, uint8_t *out, size_t cap)
{
	size_t need;

	if (!t || t->count == 0 || t->count > FWS_TRUST_MAX || has_duplicate(t->keys, t->count))
		return 0;
	need = FWS_TRUST_HDR_LEN + (size_t)t->count * FWS_TRUST_ENTRY_LEN + 4u;
	if (cap < need)
		return 0;
	memcpy(out, FWS_TRUST_MAGIC, 4);
	out[4] = 1u;
	out[5] = t->count;
	out[6] = 0;
	out[7] = 0;
	for (size_t i = 0; i < t->count; i++) {
		uint8_t *e = out + FWS_TRUST_HDR_LEN + i * FWS_TRUST_ENTRY_LEN;

		memcpy(e, t->keys[i].id, FWS_KEY_ID_LEN);
		e[8] = t->keys[i].flags & FWS_TRUST_REVOKED;
		e[9] = 0;
		e[10] = 0;
		memcpy(e + 11, t->keys[i].pub, FWS_P256_PUB_LEN);
	}
	fws_put_le32(out + need - 4u, fws_crc32(0, out, need - 4u));
	return need;
}

const fws_trust_key *fws_trust_find(const fws_trust *t, const uint8_t id[FWS_KEY_ID_LEN])
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->count; i++)
		if (memcmp(t->keys[i].id, id, FWS_KEY_ID_LEN) == 0)
			return &t->keys[i];
	return NULL;
}
