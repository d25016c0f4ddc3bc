/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/info.c - the device-info record (fwseal/devinfo.h): what
 * the device tells a host about itself. Built from RAM state only, so it can
 * be answered in any DFU state without touching flash.
 */
#include <string.h>

#include "internal.h"

static void copy_text(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	if (src != NULL) {
		/* Only printable ASCII goes out (devinfo.h). */
		for (; src[n] != '\0' && n + 1u < cap; n++)
			dst[n] = (src[n] >= 0x20 && src[n] <= 0x7E) ? src[n] : '?';
	}
	dst[n] = '\0';
}

static bool resumable(const fws_stub *s)
{
	return s->j.dl_slot != FWS_SLOT_NONE && s->j.dl_slot == stub_staging_slot(s) &&
	       s->j.dl_offset != 0u;
}

uint32_t fws_stub_resume_offset(const fws_stub *s)
{
	return resumable(s) ? s->j.dl_offset : 0u;
}

void fws_stub_info(const fws_stub *s, fws_devinfo *out)
{
	const fws_stub_identity *id = &s->cfg.id;
	const fws_trust *t = s->trust_ok ? &s->trust : NULL;
	size_t block = s->cfg.buf_cap - FWS_SHA256_LEN;

	memset(out, 0, sizeof *out);
	out->vendor_id = id->vendor_id;
	out->class_id = id->class_id;
	copy_text(out->model, sizeof out->model, id->model);
	out->hw_rev = id->hw_rev;
	copy_text(out->serial, sizeof out->serial, id->serial != NULL ? id->serial : "unknown");
	copy_text(out->component, sizeof out->component, id->component);
	out->security_counter = s->j.counter;
	if (s->running != FWS_SLOT_NONE) {
		copy_text(out->fw_version, sizeof out->fw_version, s->slot[s->running].version);
		out->support_end = s->slot[s->running].support_end;
		out->has_image_sha256 = true;
		memcpy(out->image_sha256, s->slot[s->running].image_sha256, FWS_SHA256_LEN);
		out->boot_state = FWS_BOOT_APP;
	} else {
		out->boot_state = FWS_BOOT_STUB;
	}
	if (t != NULL) {
		for (unsigned i = 0; i < t->count && i < FWS_TRUST_MAX; i++) {
			memcpy(out->keys[i].id, t->keys[i].id, FWS_KEY_ID_LEN);
			/* bit0 revoked, bit1 root, bit2 release (devinfo.h) */
			out->keys[i].flags = (uint8_t)((t->keys[i].flags & FWS_TRUST_REVOKED) |
			                               fws_trust_roles(t, &t->keys[i]));
			out->key_count++;
		}
		out->has_trust_state = true;
		out->trust_version = fws_trust_version(t);
		out->trust_threshold = (uint8_t)fws_trust_threshold(t);
		memcpy(out->trust_sha256, s->trust_sha256, FWS_SHA256_LEN);
	}
	for (unsigned i = 0; i < FWS_HAL_SLOTS && i < FWS_DEVINFO_SLOTS; i++) {
		fws_devinfo_slot *d = &out->slots[i];

		d->present = true;
		d->state = s->slot[i].state;
		d->flags = i == s->running ? FWS_SLOT_FLAG_ACTIVE : 0u;
		d->security_counter = s->slot[i].counter;
		copy_text(d->version, sizeof d->version, s->slot[i].version);
	}
	/* Largest power-of-two block that fits the buffer with its digest. */
	out->max_block = FWS_PKG_BLOCK_MIN;
	while ((size_t)out->max_block * 2u <= block && out->max_block * 2u <= FWS_PKG_BLOCK_MAX)
		out->max_block *= 2u;
	out->xfer_size = s->cfg.xfer_size;
	out->slot_size = stub_image_cap(s, 0);
	copy_text(out->stub_version, sizeof out->stub_version, FWS_STUB_VERSION);
	copy_text(out->crypto_lib, sizeof out->crypto_lib, fws_crypto_lib());
	out->simulator = id->simulator;
	out->last_error = (int16_t)s->last_error;
	out->dl_window = s->cfg.dl_window;
	out->dl_flags = s->cfg.dl_window ? s->cfg.dl_flags : 0u;
	out->encodings = stub_dec_encodings(s);
	if (out->encodings)
		out->enc_max_block = stub_dec_max_block(s);
	if (resumable(s)) {
		out->has_resume = true;
		out->resume_offset = s->j.dl_offset;
		memcpy(out->resume_prefix_sha256, s->j.dl_prefix_digest, FWS_SHA256_LEN);
	}
}
