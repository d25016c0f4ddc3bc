/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/policy.c - may this device take (or run) the image a
 * verified manifest describes? Checked after the signature and before any
 * byte is written (architecture: download order), and again at boot.
 */
#include <string.h>

#include "internal.h"

fws_err stub_identity(const fws_stub *s, const fws_manifest *m, bool any)
{
	const fws_stub_identity *id = &s->cfg.id;

	if (id->vendor_id != 0u && m->vendor_id != id->vendor_id && !(any && m->vendor_id == 0u))
		return FWS_E_VENDOR;
	if (id->class_id != 0u && m->class_id != id->class_id && !(any && m->class_id == 0u))
		return FWS_E_MODEL;
	if (!(any && strcmp(m->model, "*") == 0) &&
	    (id->model == NULL || strcmp(m->model, id->model) != 0))
		return FWS_E_MODEL;
	if (id->hw_rev < m->hw_rev_min || id->hw_rev > m->hw_rev_max)
		return FWS_E_HW_REV;
	return FWS_OK;
}

fws_err stub_policy(const fws_stub *s, const fws_manifest *m)
{
	const fws_stub_identity *id = &s->cfg.id;
	unsigned slot = stub_staging_slot(s);
	fws_err e = stub_identity(s, m, false);

	if (e != FWS_OK)
		return e;
	if (id->component != NULL && id->component[0] != '\0' &&
	    strcmp(m->component, id->component) != 0)
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
