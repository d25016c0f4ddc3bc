/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/decode.c - compressed and delta packages on the device
 * (fwseal/encoding.h, docs/package-format.md "Encoded payloads").
 *
 * Two hooks in the download path (download.c):
 *   - once the prefix is verified and passed the policy, and again when a
 *     download resumes: can this device decode the package, and for a
 *     delta, is its base the confirmed image this device runs? Checked
 *     before anything of the package is written.
 *   - each unit, once the reader has verified it against the hash chain:
 *     decoded in place in the block buffer into the image block that is
 *     then programmed. The references are read from flash through the
 *     port's read-only map (fws_hal.flash_map): the staging slot's image
 *     written so far, or the base in the confirmed slot, which nothing
 *     writes during an update. No window in RAM.
 * The whole-image SHA-256 over the staged flash (stub_dl_manifest) is
 * unchanged: it covers the decoded image.
 */
#include <string.h>

#include "fwseal/encoding.h"
#include "internal.h"

/* FWS_STUB_ENCODINGS=0 builds a core without the decoder, for a firmware
 * whose flash budget has no room for it (the mps2-an385 port's
 * -Dencodings=false): the device lists no encodings and refuses every
 * compressed or delta package at its prefix (encoding-unsupported), before
 * anything is written, as a port without flash_map does; nothing calls
 * fws_unit_decode, so the linker drops it and lz4's decoder. */
#ifndef FWS_STUB_ENCODINGS
#define FWS_STUB_ENCODINGS 1
#endif

/* Bit e set: this device decodes encoding e. Both need only the map. */
uint32_t stub_dec_encodings(const fws_stub *s)
{
	if (!FWS_STUB_ENCODINGS || s->cfg.hal->flash_map == NULL)
		return 0u;
	return (1u << FWS_ENC_LZ4) | (1u << FWS_ENC_LZ4_DELTA);
}

uint32_t stub_dec_max_block(const fws_stub *s)
{
	uint32_t bs = 0;

	for (uint32_t b = FWS_PKG_BLOCK_MIN; b <= FWS_PKG_BLOCK_MAX; b *= 2u)
		if (FWS_ENC_BUF_NEED(b) <= s->cfg.buf_cap)
			bs = b;
	return bs;
}

/* The slot a delta package applies to: the confirmed image, verified at
 * boot, that this download does not write. */
static uint8_t base_slot(const fws_stub *s)
{
	uint8_t a = s->j.active;

	if (a >= FWS_HAL_SLOTS || a == s->dl_slot || s->slot[a].state != FWS_SLOT_CONFIRMED)
		return FWS_SLOT_NONE;
	return a;
}

fws_err stub_dec_begin(const fws_stub *s, const fws_manifest *m)
{
	uint8_t b;

	if (m->encoding == FWS_ENC_NONE)
		return FWS_OK;
	if (!((stub_dec_encodings(s) >> m->encoding) & 1u))
		return FWS_E_ENCODING_UNSUPPORTED;
	if (m->encoding != FWS_ENC_LZ4_DELTA)
		return FWS_OK;
	b = base_slot(s);
	if (b == FWS_SLOT_NONE || s->slot[b].image_len != m->base_size ||
	    !fws_ct_equal(s->slot[b].image_sha256, m->base_sha256, FWS_SHA256_LEN))
		return FWS_E_BASE;
	return FWS_OK;
}

struct refs {
	const fws_stub *s;
	uint8_t base;
};

static const uint8_t *map_ref(void *ctx, uint8_t source, uint32_t off, size_t len)
{
	const struct refs *r = ctx;
	const fws_hal *h = r->s->cfg.hal;
	uint8_t slot = source == FWS_SRC_IMAGE ? r->s->dl_slot : r->base;

	/* the decoder checked off + len against what the source holds, and
	 * both lie inside a slot's image area (policy: payload and base sizes
	 * fit a slot) */
	if (slot >= FWS_HAL_SLOTS)
		return NULL;
	return h->flash_map(h->ctx, stub_image_off(r->s, slot) + off, len);
}

fws_err stub_dec_block(fws_stub *s, const uint8_t *rest, size_t rest_len)
{
	const fws_manifest *m = &s->rd.manifest;
	struct refs r = { s, FWS_SLOT_NONE };
	fws_unit_refs refs = { map_ref, &r, s->rd.block_index * m->block_size, 0u };
	uintptr_t b = (uintptr_t)s->cfg.buf, p = (uintptr_t)rest;

	if (m->encoding == FWS_ENC_NONE)
		return FWS_OK;
	if (!FWS_STUB_ENCODINGS) /* stub_dec_begin refused it already */
		return FWS_E_ENCODING_UNSUPPORTED;
	if (rest_len > 0u && p < b + s->cfg.buf_cap && p + rest_len > b)
		return FWS_E_SEQUENCE;
	if (m->encoding == FWS_ENC_LZ4_DELTA) {
		/* checked at the prefix; nothing since can have changed it */
		r.base = base_slot(s);
		if (r.base == FWS_SLOT_NONE)
			return FWS_E_BASE;
		refs.base_len = s->slot[r.base].image_len;
	}
	return fws_unit_decode(s->cfg.buf, s->cfg.buf_cap, s->rd.unit_len, s->rd.block_len,
	                       m->encoding, &refs);
}
