/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_trust.c - the trust store parser (fws_trust_parse), which devices
 * run on what the factory or a trust update wrote and hosts on files
 * anybody may hand them. Invariants: an accepted store has 1..FWS_TRUST_MAX
 * keys, no key id twice, every id derived from its key, only the revoked
 * flag, and it encodes back to the very bytes it came from.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fws_trust t;
	uint8_t back[FWS_TRUST_BLOB_MAX];

	if (fws_trust_parse(data, size, &t) != FWS_OK)
		return 0;
	if (t.count == 0 || t.count > FWS_TRUST_MAX)
		abort();
	for (unsigned i = 0; i < t.count; i++) {
		uint8_t id[FWS_KEY_ID_LEN];
		if (fws_key_id(t.keys[i].pub, id) != FWS_OK ||
		    memcmp(id, t.keys[i].id, FWS_KEY_ID_LEN) != 0 ||
		    (t.keys[i].flags & ~FWS_TRUST_REVOKED) != 0 ||
		    fws_trust_find(&t, t.keys[i].id) != &t.keys[i])
			abort(); /* (find returns the first: a second one would differ) */
	}
	size_t n = fws_trust_encode(&t, back, sizeof back);
	if (n != size || memcmp(back, data, size) != 0)
		abort();
	return 0;
}
