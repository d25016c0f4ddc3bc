/* SPDX-License-Identifier: Apache-2.0 */
#include "fwseal/trust.h"

#include <string.h>

#include "fwseal/crc.h"
#include "fwseal/le.h"
#include "trust2.h"

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
	/* one parser for both formats, so a store is checked the same way
	 * whichever it is (trust2.c) */
	return fws_trust2_parse(blob, len, out);
}

size_t fws_trust_encode(const fws_trust *t, uint8_t *out, size_t cap)
{
	size_t need;

	if (!t || t->count == 0 || t->count > FWS_TRUST_MAX || has_duplicate(t->keys, t->count))
		return 0;
	if (t->format == 2u)
		return fws_trust2_encode(t, out, cap); /* trust2.c */
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
