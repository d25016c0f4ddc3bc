/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/image.c - verify what a slot holds: the stored package
 * prefix (signature against the trust store, policy) and the SHA-256 of the
 * image bytes read back from flash. Used at boot and by resume; the image is
 * streamed through the block buffer, never held in RAM.
 */
#include <string.h>

#include "internal.h"

fws_err stub_slot_prefix(const fws_stub *s, unsigned slot, fws_manifest *m, size_t *prefix_len)
{
	uint32_t meta = s->cfg.hal->geom.slot[slot].off;
	uint8_t signer[FWS_KEY_ID_LEN];
	fws_pkg_header hdr;
	size_t len;
	fws_err e;

	if (stub_flash_read(s, meta, s->cfg.buf, FWS_PKG_HEADER_LEN) != FWS_OK)
		return FWS_E_IO;
	e = fws_pkg_header_parse(s->cfg.buf, FWS_PKG_HEADER_LEN, &hdr);
	if (e != FWS_OK)
		return e == FWS_E_MAGIC ? FWS_E_NO_IMAGE : e;
	len = FWS_PKG_HEADER_LEN + (size_t)hdr.manifest_len + (size_t)hdr.sig_count * FWS_PKG_SIG_LEN;
	if (len > FWS_PKG_PREFIX_MAX || len > s->cfg.buf_cap || len > s->meta_len)
		return FWS_E_LIMIT;
	if (stub_flash_read(s, meta, s->cfg.buf, len) != FWS_OK)
		return FWS_E_IO;
	if (!s->trust_ok)
		return FWS_E_TRUST_STORE;
	/* the store in force (a trust update's candidate while it is checked:
	 * core/trust_update.c) */
	e = fws_pkg_prefix_verify(s->cfg.buf, len, &s->trust, m, signer);
	if (e != FWS_OK)
		return e;
	if (m->kind != FWS_KIND_FIRMWARE)
		return FWS_E_NO_IMAGE; /* slots only ever get firmware */
	*prefix_len = len;
	return stub_policy(s, m);
}

fws_err stub_slot_verify(const fws_stub *s, unsigned slot, fws_manifest *m)
{
	uint8_t digest[FWS_SHA256_LEN];
	size_t prefix_len;
	fws_err e;

	e = stub_slot_prefix(s, slot, m, &prefix_len);
	if (e != FWS_OK)
		return e;
	e = stub_flash_sha256(s, stub_image_off(s, slot), m->payload_size, digest);
	if (e != FWS_OK)
		return e;
	return fws_ct_equal(digest, m->image_sha256, FWS_SHA256_LEN) ? FWS_OK : FWS_E_IMAGE_DIGEST;
}

void stub_slot_describe(fws_stub_slot *sl, uint8_t state, const fws_manifest *m)
{
	sl->state = state;
	sl->counter = m->security_counter;
	sl->support_end = m->support_end;
	sl->image_len = m->payload_size;
	memcpy(sl->version, m->version, sizeof sl->version);
	memcpy(sl->image_sha256, m->image_sha256, FWS_SHA256_LEN);
}
