/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_ecdsa_memo.c - ECDSA P-256 verification memoised for the stub and
 * package fuzz targets, linked with -Wl,--wrap=fws_ecdsa_p256_verify: the code
 * under test calls it unchanged, and a (public key, digest, signature)
 * triple seen before gets the answer mbedTLS gave then. Each verification
 * costs mbedTLS 2-5 ms, and a device verifies a prefix at every download
 * start and every boot, so without this the targets spend nearly all their
 * time in mbedTLS (192 executions/s for stub_requests, issue 16); with it a
 * new triple (a mutated signature, say) is still verified for real.
 */
#include <stdint.h>
#include <string.h>

#include "fwseal/crypto.h"

fws_err __real_fws_ecdsa_p256_verify(const uint8_t pub[FWS_P256_PUB_LEN],
                                     const uint8_t digest[FWS_SHA256_LEN],
                                     const uint8_t sig[FWS_ECDSA_SIG_LEN]);
fws_err __wrap_fws_ecdsa_p256_verify(const uint8_t pub[FWS_P256_PUB_LEN],
                                     const uint8_t digest[FWS_SHA256_LEN],
                                     const uint8_t sig[FWS_ECDSA_SIG_LEN]);

#define MEMO_SLOTS 64u

static struct memo {
	uint8_t pub[FWS_P256_PUB_LEN], digest[FWS_SHA256_LEN], sig[FWS_ECDSA_SIG_LEN];
	fws_err result;
	bool used;
} memo[MEMO_SLOTS];
static unsigned next_slot;

fws_err __wrap_fws_ecdsa_p256_verify(const uint8_t pub[FWS_P256_PUB_LEN],
                                     const uint8_t digest[FWS_SHA256_LEN],
                                     const uint8_t sig[FWS_ECDSA_SIG_LEN])
{
	for (unsigned i = 0; i < MEMO_SLOTS; i++) {
		const struct memo *m = &memo[i];
		if (m->used && memcmp(m->digest, digest, FWS_SHA256_LEN) == 0 &&
		    memcmp(m->sig, sig, FWS_ECDSA_SIG_LEN) == 0 &&
		    memcmp(m->pub, pub, FWS_P256_PUB_LEN) == 0)
			return m->result;
	}
	fws_err e = __real_fws_ecdsa_p256_verify(pub, digest, sig);
	if (e == FWS_E_CRYPTO)
		return e; /* no verdict: nothing to remember */
	struct memo *m = &memo[next_slot++ % MEMO_SLOTS];
	memcpy(m->pub, pub, FWS_P256_PUB_LEN);
	memcpy(m->digest, digest, FWS_SHA256_LEN);
	memcpy(m->sig, sig, FWS_ECDSA_SIG_LEN);
	m->result = e;
	m->used = true;
	return e;
}
