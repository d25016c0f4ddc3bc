/* SPDX-License-Identifier: Apache-2.0 */
/*
 * variants.h - the packages the functional tests send, derived from the
 * release package at run time (docs/evidence.md, "Test packages"):
 *   tampered block  one byte of the middle block flipped (chain no longer matches)
 *   bad signature   one bit of the first signature flipped
 *   wrong key       the unchanged manifest signed by a throwaway key made now
 *   truncated       the stream cut short inside its last block
 *   re-signed       model, hardware revisions, component or security counter
 *                   changed and signed by the lab test key, which only a lab
 *                   build's trust store holds (or by a revoked key)
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

void ev_variant_truncated(const struct ev_pkgfacts *p, struct ev_variant *v);

/* What a re-signed variant changes; zero: nothing (same manifest). */
struct ev_variant_change {
	const char *model;       /* NULL: keep */
	int64_t counter_delta;   /* added to the security counter */
	bool hw;                 /* replace the hardware-revision range */
	uint16_t hw_min, hw_max;
	const char *component;   /* NULL: keep */
};

/* Re-sign the manifest with kp after changing it. false with a sentence in
 * err. */
bool ev_variant_resign(const struct ev_pkgfacts *p, fws_keypair *kp,
                       const struct ev_variant_change *c, struct ev_variant *v, char *err,
                       size_t cap);

#endif
