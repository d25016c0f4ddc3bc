/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_trust.c - the trust store parser (protocol/src/trust.c, trust2.c) as
 * a hostile trust update's payload or a damaged flash area presents it, and
 * the signature rule over the parsed store. Input: the store blob, then any
 * bytes as signature entries (at most 4) over a fixed digest.
 * Invariants: a store that parses re-encodes to exactly its input (one
 * encoding), fws_trust_blob_len agrees with its length, every key has a role
 * and an id derived from its key; the signature rule never accepts (the
 * digest's private keys are unknown), never reads past the entries and gives
 * one of its documented answers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/pkg.h"
#include "fwseal/trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fws_trust t;
	static uint8_t again[FWS_TRUST_BLOB_MAX];
	static const uint8_t digest[FWS_SHA256_LEN] = {1, 2, 3};
	size_t len = fws_trust_blob_len(data, size);

	if (len == 0 || len > size)
		len = size < FWS_TRUST_BLOB_MAX ? size : FWS_TRUST_BLOB_MAX;
	if (fws_trust_parse(data, len, &t) != FWS_OK)
		return 0;
	if (fws_trust_blob_len(data, len) != len || t.count == 0 || t.count > FWS_TRUST_MAX ||
	    fws_trust_encode(&t, again, sizeof again) != len || memcmp(again, data, len) != 0)
		abort();
	for (unsigned i = 0; i < t.count; i++) {
		uint8_t id[FWS_KEY_ID_LEN];

		if (fws_key_id(t.keys[i].pub, id) != FWS_OK ||
		    memcmp(id, t.keys[i].id, FWS_KEY_ID_LEN) != 0 ||
		    (fws_trust_roles(&t, &t.keys[i]) & FWS_TRUST_ROLES) == 0 ||
		    fws_trust_find(&t, t.keys[i].id) != &t.keys[i])
			abort(); /* (find returns the first: a key id twice would differ) */
	}
	if (fws_trust_version(&t) == 0 || fws_trust_threshold(&t) == 0 ||
	    fws_trust_threshold(&t) > FWS_TRUST_THRESHOLD_MAX)
		abort();
	(void)fws_trust_usable(&t);

	size_t rest = size - len;
	unsigned n = (unsigned)(rest / FWS_PKG_SIG_LEN);
	if (n > FWS_PKG_SIG_MAX)
		n = FWS_PKG_SIG_MAX;
	if (n == 0)
		return 0;
	for (uint8_t role = FWS_TRUST_ROOT; role <= FWS_TRUST_RELEASE; role <<= 1) {
		fws_err e = fws_trust_check_sigs(&t, data + len, n, digest, role,
		                                 role == FWS_TRUST_ROOT ? fws_trust_threshold(&t) : 1,
		                                 NULL);
		if (e != FWS_E_SIGNATURE && e != FWS_E_REVOKED_KEY && e != FWS_E_THRESHOLD &&
		    e != FWS_E_UNTRUSTED_KEY)
			abort();
	}
	return 0;
}
