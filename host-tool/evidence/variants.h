/* SPDX-License-Identifier: Apache-2.0 */
/*
 * variants.h - the packages the functional tests send, derived from the
 * release package at run time (docs/evidence.md, "Test packages"):
 *   tampered block  one byte of the middle block flipped (chain no longer matches)
 *   bad signature   one bit of the first signature flipped
 *   wrong key       the unchanged manifest signed by a throwaway key made now
 *   re-signed       model or security counter changed and signed by the lab
 *                   test key, which only a lab build's trust store holds
 * Variants are block streams as the device consumes them (no DFU suffix).
 */
#ifndef FWSEAL_EV_VARIANTS_H
#define FWSEAL_EV_VARIANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/keys.h"
#include "pkgfacts.h"

struct ev_variant {
	uint8_t *data;
	size_t len;
	uint64_t mark;     /* tampered: stream offset of the flipped byte */
	uint32_t block;    /* tampered: index of the flipped block */
	uint8_t key_id[FWS_KEY_ID_LEN]; /* signer of a re-signed variant */
};

void ev_variant_free(struct ev_variant *v);

void ev_variant_tampered(const struct ev_pkgfacts *p, struct ev_variant *v);
void ev_variant_bad_signature(const struct ev_pkgfacts *p, struct ev_variant *v);

/* Re-sign the manifest with kp after changing it: model (NULL = keep) and
 * security counter (counter_delta added). false with a sentence in err. */
bool ev_variant_resign(const struct ev_pkgfacts *p, fws_keypair *kp, const char *model,
                       int64_t counter_delta, struct ev_variant *v, char *err, size_t cap);

#endif
