/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/policy.c - may this device take (or run) the image a
 * verified manifest describes? Checked after the signature and before any
 * byte is written (architecture: download order), and again at boot.
 */
#include "internal.h"

/* Equal NUL-terminated identifiers. Not strcmp: newlib's optimised one is
 * 442 bytes of a Cortex-M3 firmware's flash, this loop a dozen, and the
 * texts are at most 32 bytes (docs/firmware.md, "Footprint and cost"). */
static bool same_text(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

fws_err stub_policy(const fws_stub *s, const fws_manifest *m)
{
	const fws_stub_identity *id = &s->cfg.id;
	unsigned slot = stub_staging_slot(s);

	if (id->vendor_id != 0u && m->vendor_id != id->vendor_id)
		return FWS_E_VENDOR;
	if (id->class_id != 0u && m->class_id != id->class_id)
		return FWS_E_MODEL;
	if (id->model == NULL || !same_text(m->model, id->model))
		return FWS_E_MODEL;
	if ((id->hw_rev < m->hw_rev_min || id->hw_rev > m->hw_rev_max) &&
	    !STUB_DEFECT(s, FWS_DEFECT_SKIP_HW_REV_CHECK))
		return FWS_E_HW_REV;
	if (id->component != NULL && id->component[0] != '\0' &&
	    !same_text(m->component, id->component) &&
	    !STUB_DEFECT(s, FWS_DEFECT_SKIP_COMPONENT_CHECK))
		return FWS_E_COMPONENT;
	/* Anti-rollback (EN 303 645 5.3-2 intent): never below the stored
	 * counter, which only rises when a newer image is confirmed. */
	if (m->security_counter < s->j.counter && !STUB_DEFECT(s, FWS_DEFECT_ACCEPT_DOWNGRADE))
		return FWS_E_DOWNGRADE;
	/* Both slots have the same size (checked at init). */
	if (m->payload_size > stub_image_cap(s, slot))
		return FWS_E_TOO_BIG;
	if ((size_t)m->block_size + FWS_SHA256_LEN > s->cfg.buf_cap)
		return FWS_E_BLOCK_SIZE;
	return FWS_OK;
}
