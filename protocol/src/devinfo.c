/* SPDX-License-Identifier: Apache-2.0 */
/* devinfo.c - device-info record encoder (device) and decoder (host). */
#include "fwseal/devinfo.h"

#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal/le.h"

#define TLV_HDR 4u
#define SLOT_FIXED 7u  /* index, state, flags, counter */
#define KEY_LEN (FWS_KEY_ID_LEN + 1u)
#define RESUME_LEN (4u + FWS_SHA256_LEN)
#define ENC_IDS_MAX 31u  /* ids a record may list (bits of fws_devinfo.encodings) */
#define DL_WINDOW_LEN 2u
#define TRUST_STATE_LEN (4u + FWS_SHA256_LEN + 1u)

/* FWS_DEVINFO_ENCODED_MAX (devinfo.h) spelled out from the encoder's own
 * field sizes: the two must agree (test_devinfo encodes the largest record). */
_Static_assert(FWS_DEVINFO_ENCODED_MAX ==
               FWS_DEVINFO_HDR_LEN + 5u * (TLV_HDR + 2u) + 3u * (TLV_HDR + 4u) +
               (TLV_HDR + 8u) + 2u * (TLV_HDR + 1u) +
               (TLV_HDR + FWS_MODEL_MAX) + (TLV_HDR + FWS_SERIAL_MAX) +
               (TLV_HDR + FWS_COMPONENT_MAX) + (TLV_HDR + FWS_VERSION_MAX) +
               FWS_TRUST_MAX * (TLV_HDR + KEY_LEN) +
               FWS_DEVINFO_SLOTS * (TLV_HDR + SLOT_FIXED + FWS_VERSION_MAX) +
               (TLV_HDR + FWS_STUB_VERSION_MAX) + (TLV_HDR + RESUME_LEN) +
               (TLV_HDR + FWS_SHA256_LEN) + (TLV_HDR + FWS_CRYPTO_LIB_MAX) +
               (TLV_HDR + DL_WINDOW_LEN) + (TLV_HDR + TRUST_STATE_LEN) +
               (TLV_HDR + 4u + FWS_ENC_MAX),
               "FWS_DEVINFO_ENCODED_MAX must match the encoder");
_Static_assert(FWS_DEVINFO_ENCODED_MAX <= FWS_DEVINFO_MAX, "device-info record must fit its limit");

static bool text_ok(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7E)
			return false;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Encoder */

typedef struct enc {
	uint8_t *out;
	size_t cap;
	size_t pos;
	fws_err err;
} enc;

static uint8_t *enc_tlv(enc *e, uint16_t tag, size_t len)
{
	if (e->err != FWS_OK)
		return NULL;
	if (e->cap - e->pos < TLV_HDR + len) {
		e->err = FWS_E_NOMEM;
		return NULL;
	}
	fws_put_le16(e->out + e->pos, tag);
	fws_put_le16(e->out + e->pos + 2, (uint16_t)len);
	uint8_t *v = e->out + e->pos + TLV_HDR;
	e->pos += TLV_HDR + len;
	return v;
}

static void enc_u16(enc *e, uint16_t tag, uint16_t v)
{
	uint8_t *p = enc_tlv(e, tag, 2);
	if (p)
		fws_put_le16(p, v);
}

static void enc_u32(enc *e, uint16_t tag, uint32_t v)
{
	uint8_t *p = enc_tlv(e, tag, 4);
	if (p)
		fws_put_le32(p, v);
}

static size_t text_len(enc *e, const char *s, size_t min, size_t max)
{
	size_t n = 0; /* strnlen is POSIX, not C11: the core stays plain C11 */
	while (n <= max && s[n] != '\0')
		n++;
	if (e->err == FWS_OK && (n < min || n > max || !text_ok((const uint8_t *)s, n)))
		e->err = n > max ? FWS_E_LIMIT : FWS_E_INVAL;
	return n;
}

static void enc_text(enc *e, uint16_t tag, const char *s, size_t min, size_t max)
{
	size_t n = text_len(e, s, min, max);
	uint8_t *p = enc_tlv(e, tag, n);
	if (p)
		memcpy(p, s, n);
}

fws_err fws_devinfo_encode(const fws_devinfo *in, uint8_t *out, size_t cap, size_t *out_len)
{
	if (in == NULL || out == NULL || out_len == NULL)
		return FWS_E_INVAL;
	if (cap < FWS_DEVINFO_HDR_LEN)
		return FWS_E_NOMEM;
	if (in->key_count > FWS_TRUST_MAX)
		return FWS_E_LIMIT;

	enc e = { .out = out, .cap = cap > FWS_DEVINFO_MAX ? FWS_DEVINFO_MAX : cap,
	          .pos = FWS_DEVINFO_HDR_LEN, .err = FWS_OK };

	/* ascending tag order, as the decoder demands */
	if (in->vendor_id)
		enc_u16(&e, FWS_DI_VENDOR_ID, in->vendor_id);
	if (in->class_id)
		enc_u16(&e, FWS_DI_CLASS_ID, in->class_id);
	enc_text(&e, FWS_DI_MODEL, in->model, 1, FWS_MODEL_MAX);
	enc_u16(&e, FWS_DI_HW_REV, in->hw_rev);
	enc_text(&e, FWS_DI_SERIAL, in->serial, 1, FWS_SERIAL_MAX);
	if (in->component[0])
		enc_text(&e, FWS_DI_COMPONENT, in->component, 1, FWS_COMPONENT_MAX);
	enc_text(&e, FWS_DI_FW_VERSION, in->fw_version, 0, FWS_VERSION_MAX);
	enc_u32(&e, FWS_DI_SECURITY_COUNTER, in->security_counter);
	if (in->support_end) {
		uint8_t *p = enc_tlv(&e, FWS_DI_SUPPORT_END, 8);
		if (p)
			fws_put_le64(p, (uint64_t)in->support_end);
	}
	for (unsigned i = 0; i < in->key_count; i++) {
		uint8_t *p = enc_tlv(&e, FWS_DI_KEY, KEY_LEN);
		if (p) {
			memcpy(p, in->keys[i].id, FWS_KEY_ID_LEN);
			p[FWS_KEY_ID_LEN] = in->keys[i].flags;
		}
	}
	for (unsigned i = 0; i < FWS_DEVINFO_SLOTS; i++) {
		const fws_devinfo_slot *s = &in->slots[i];
		if (!s->present)
			continue;
		size_t n = text_len(&e, s->version, 0, FWS_VERSION_MAX);
		uint8_t *p = enc_tlv(&e, FWS_DI_SLOT, SLOT_FIXED + n);
		if (p) {
			p[0] = (uint8_t)i;
			p[1] = s->state;
			p[2] = s->flags;
			fws_put_le32(p + 3, s->security_counter);
			memcpy(p + SLOT_FIXED, s->version, n);
		}
	}
	if (in->max_block)
		enc_u32(&e, FWS_DI_MAX_BLOCK, in->max_block);
	if (in->xfer_size)
		enc_u16(&e, FWS_DI_XFER_SIZE, in->xfer_size);
	if (in->slot_size)
		enc_u32(&e, FWS_DI_SLOT_SIZE, in->slot_size);
	enc_text(&e, FWS_DI_STUB_VERSION, in->stub_version, 1, FWS_STUB_VERSION_MAX);
	uint8_t *p = enc_tlv(&e, FWS_DI_BOOT_STATE, 1);
	if (p)
		p[0] = in->boot_state;
	if (in->last_error)
		enc_u16(&e, FWS_DI_LAST_ERROR, (uint16_t)in->last_error);
	if (in->has_resume) {
		p = enc_tlv(&e, FWS_DI_RESUME, RESUME_LEN);
		if (p) {
			fws_put_le32(p, in->resume_offset);
			memcpy(p + 4, in->resume_prefix_sha256, FWS_SHA256_LEN);
		}
	}
	if (in->has_image_sha256) {
		p = enc_tlv(&e, FWS_DI_IMAGE_SHA256, FWS_SHA256_LEN);
		if (p)
			memcpy(p, in->image_sha256, FWS_SHA256_LEN);
	}
	if (in->simulator) {
		p = enc_tlv(&e, FWS_DI_SIMULATOR, 1);
		if (p)
			p[0] = 1;
	}
	if (in->crypto_lib[0])
		enc_text(&e, FWS_DI_CRYPTO_LIB, in->crypto_lib, 1, FWS_CRYPTO_LIB_MAX);
	if (in->dl_window) {
		p = enc_tlv(&e, FWS_DI_DL_WINDOW, DL_WINDOW_LEN);
		if (p) {
			p[0] = in->dl_window;
			p[1] = in->dl_flags;
		}
	}
	if (in->has_trust_state) {
		p = enc_tlv(&e, FWS_DI_TRUST_STATE, TRUST_STATE_LEN);
		if (p) {
			fws_put_le32(p, in->trust_version);
			memcpy(p + 4, in->trust_sha256, FWS_SHA256_LEN);
			p[4 + FWS_SHA256_LEN] = in->trust_threshold;
		}
	}
	if (in->encodings) {
		/* only encodings this code knows: a device cannot decode others */
		size_t n = 0;

		if ((in->encodings & ~(((1u << FWS_ENC_MAX) - 1u) << 1)) != 0u && e.err == FWS_OK)
			e.err = FWS_E_LIMIT;
		for (unsigned id = 1; id <= FWS_ENC_MAX; id++)
			n += (in->encodings >> id) & 1u;
		p = enc_tlv(&e, FWS_DI_ENCODINGS, 4u + n);
		if (p) {
			fws_put_le32(p, in->enc_max_block);
			p += 4;
			for (unsigned id = 1; id <= FWS_ENC_MAX; id++)
				if ((in->encodings >> id) & 1u)
					*p++ = (uint8_t)id;
		}
	}
	if (e.err != FWS_OK)
		return e.err;

	memcpy(out, FWS_DEVINFO_MAGIC, 4);
	out[4] = FWS_DEVINFO_VERSION;
	out[5] = 0;
	fws_put_le16(out + 6, (uint16_t)(e.pos - FWS_DEVINFO_HDR_LEN));
	*out_len = e.pos;
	return FWS_OK;
}

/* ---------------------------------------------------------------------- */
/* Decoder */

/* required fields, tracked as bits while decoding */
enum { R_MODEL = 1u << 0, R_HW_REV = 1u << 1, R_SERIAL = 1u << 2, R_COUNTER = 1u << 3,
       R_STUB = 1u << 4, R_BOOT = 1u << 5 };
#define REQUIRED ((unsigned)(R_MODEL | R_HW_REV | R_SERIAL | R_COUNTER | R_STUB | R_BOOT))

static fws_err dec_text(const uint8_t *v, size_t n, size_t min, size_t max, char *dst)
{
	if (n < min || n > max)
		return FWS_E_LIMIT;
	if (!text_ok(v, n))
		return FWS_E_MANIFEST;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return FWS_OK;
}

static fws_err dec_field(fws_devinfo *o, uint16_t tag, const uint8_t *v, size_t n,
                         unsigned *seen)
{
	switch (tag) {
	case FWS_DI_VENDOR_ID:
		if (n != 2) return FWS_E_MANIFEST;
		o->vendor_id = fws_get_le16(v);
		return FWS_OK;
	case FWS_DI_CLASS_ID:
		if (n != 2) return FWS_E_MANIFEST;
		o->class_id = fws_get_le16(v);
		return FWS_OK;
	case FWS_DI_MODEL:
		*seen |= R_MODEL;
		return dec_text(v, n, 1, FWS_MODEL_MAX, o->model);
	case FWS_DI_HW_REV:
		if (n != 2) return FWS_E_MANIFEST;
		*seen |= R_HW_REV;
		o->hw_rev = fws_get_le16(v);
		return FWS_OK;
	case FWS_DI_SERIAL:
		*seen |= R_SERIAL;
		return dec_text(v, n, 1, FWS_SERIAL_MAX, o->serial);
	case FWS_DI_COMPONENT:
		return dec_text(v, n, 1, FWS_COMPONENT_MAX, o->component);
	case FWS_DI_FW_VERSION:
		return dec_text(v, n, 0, FWS_VERSION_MAX, o->fw_version);
	case FWS_DI_SECURITY_COUNTER:
		if (n != 4) return FWS_E_MANIFEST;
		*seen |= R_COUNTER;
		o->security_counter = fws_get_le32(v);
		return FWS_OK;
	case FWS_DI_SUPPORT_END:
		if (n != 8) return FWS_E_MANIFEST;
		o->support_end = (int64_t)fws_get_le64(v);
		return FWS_OK;
	case FWS_DI_KEY:
		if (n != KEY_LEN) return FWS_E_MANIFEST;
		if (o->key_count >= FWS_TRUST_MAX) return FWS_E_LIMIT;
		memcpy(o->keys[o->key_count].id, v, FWS_KEY_ID_LEN);
		o->keys[o->key_count].flags = v[FWS_KEY_ID_LEN];
		o->key_count++;
		return FWS_OK;
	case FWS_DI_SLOT: {
		if (n < SLOT_FIXED) return FWS_E_MANIFEST;
		if (v[0] >= FWS_DEVINFO_SLOTS) return FWS_E_LIMIT;
		fws_devinfo_slot *s = &o->slots[v[0]];
		if (s->present) return FWS_E_MANIFEST; /* one entry per slot */
		s->present = true;
		s->state = v[1];
		s->flags = v[2];
		s->security_counter = fws_get_le32(v + 3);
		return dec_text(v + SLOT_FIXED, n - SLOT_FIXED, 0, FWS_VERSION_MAX, s->version);
	}
	case FWS_DI_MAX_BLOCK:
		if (n != 4) return FWS_E_MANIFEST;
		o->max_block = fws_get_le32(v);
		return FWS_OK;
	case FWS_DI_XFER_SIZE:
		if (n != 2) return FWS_E_MANIFEST;
		o->xfer_size = fws_get_le16(v);
		return FWS_OK;
	case FWS_DI_SLOT_SIZE:
		if (n != 4) return FWS_E_MANIFEST;
		o->slot_size = fws_get_le32(v);
		return FWS_OK;
	case FWS_DI_STUB_VERSION:
		*seen |= R_STUB;
		return dec_text(v, n, 1, FWS_STUB_VERSION_MAX, o->stub_version);
	case FWS_DI_BOOT_STATE:
		if (n != 1) return FWS_E_MANIFEST;
		*seen |= R_BOOT;
		o->boot_state = v[0];
		return FWS_OK;
	case FWS_DI_LAST_ERROR:
		if (n != 2) return FWS_E_MANIFEST;
		o->last_error = (int16_t)fws_get_le16(v);
		return FWS_OK;
	case FWS_DI_RESUME:
		if (n != RESUME_LEN) return FWS_E_MANIFEST;
		o->has_resume = true;
		o->resume_offset = fws_get_le32(v);
		memcpy(o->resume_prefix_sha256, v + 4, FWS_SHA256_LEN);
		return FWS_OK;
	case FWS_DI_IMAGE_SHA256:
		if (n != FWS_SHA256_LEN) return FWS_E_MANIFEST;
		o->has_image_sha256 = true;
		memcpy(o->image_sha256, v, FWS_SHA256_LEN);
		return FWS_OK;
	case FWS_DI_SIMULATOR:
		/* Only "yes" has a meaning; anything else is a malformed record,
		 * not a real device saying it is hardware. */
		if (n != 1 || v[0] != 1) return FWS_E_MANIFEST;
		o->simulator = true;
		return FWS_OK;
	case FWS_DI_CRYPTO_LIB:
		return dec_text(v, n, 1, FWS_CRYPTO_LIB_MAX, o->crypto_lib);
	case FWS_DI_DL_WINDOW:
		/* bytes after the flags are for later versions: skipped */
		if (n < DL_WINDOW_LEN || v[0] == 0) return FWS_E_MANIFEST;
		o->dl_window = v[0];
		o->dl_flags = v[1];
		return FWS_OK;
	case FWS_DI_TRUST_STATE:
		if (n != TRUST_STATE_LEN) return FWS_E_MANIFEST;
		o->has_trust_state = true;
		o->trust_version = fws_get_le32(v);
		memcpy(o->trust_sha256, v + 4, FWS_SHA256_LEN);
		o->trust_threshold = v[4 + FWS_SHA256_LEN];
		return FWS_OK;
	case FWS_DI_ENCODINGS:
		/* ids this host does not know are kept (they are just bits) and
		 * never chosen; ids past 31 cannot be represented and are
		 * skipped. Ascending, once each, as encoded. */
		if (n < 4u || n > 4u + 255u) return FWS_E_MANIFEST;
		o->enc_max_block = fws_get_le32(v);
		for (size_t i = 4; i < n; i++) {
			if (v[i] == 0u || (i > 4u && v[i] <= v[i - 1u]))
				return FWS_E_MANIFEST;
			if (v[i] <= ENC_IDS_MAX)
				o->encodings |= 1u << v[i];
		}
		return FWS_OK;
	default:
		/* unknown: skip if non-critical, else refuse (we cannot know
		 * what ignoring it would mean) */
		return (tag & FWS_TAG_NONCRITICAL) ? FWS_OK : FWS_E_CRITICAL;
	}
}

fws_err fws_devinfo_decode(const uint8_t *buf, size_t len, fws_devinfo *out)
{
	if (buf == NULL || out == NULL)
		return FWS_E_INVAL;
	memset(out, 0, sizeof *out);
	if (len > FWS_DEVINFO_MAX)
		return FWS_E_LIMIT;
	if (len < FWS_DEVINFO_HDR_LEN)
		return len >= 4 && memcmp(buf, FWS_DEVINFO_MAGIC, 4) != 0 ? FWS_E_MAGIC
		                                                         : FWS_E_TRUNCATED;
	if (memcmp(buf, FWS_DEVINFO_MAGIC, 4) != 0)
		return FWS_E_MAGIC;
	if (buf[4] != FWS_DEVINFO_VERSION)
		return FWS_E_FORMAT_VERSION;
	if (buf[5] != 0)
		return FWS_E_HEADER;
	size_t body = fws_get_le16(buf + 6);
	if (body > len - FWS_DEVINFO_HDR_LEN)
		return FWS_E_TRUNCATED;
	if (body < len - FWS_DEVINFO_HDR_LEN)
		return FWS_E_TRAILING;

	const uint8_t *p = buf + FWS_DEVINFO_HDR_LEN;
	const uint8_t *end = p + body;
	unsigned seen = 0;
	uint32_t last_tag = 0;
	while (p < end) {
		if ((size_t)(end - p) < TLV_HDR)
			return FWS_E_TRUNCATED;
		uint16_t tag = fws_get_le16(p);
		size_t n = fws_get_le16(p + 2);
		if ((size_t)(end - p) - TLV_HDR < n)
			return FWS_E_TRUNCATED;
		bool repeats = tag == FWS_DI_KEY || tag == FWS_DI_SLOT;
		if (tag < last_tag || (tag == last_tag && !repeats))
			return FWS_E_MANIFEST;
		last_tag = tag;
		fws_err err = dec_field(out, tag, p + TLV_HDR, n, &seen);
		if (err != FWS_OK)
			return err;
		p += TLV_HDR + n;
	}
	if ((seen & REQUIRED) != REQUIRED)
		return FWS_E_MISSING_FIELD;
	return FWS_OK;
}

const char *fws_slot_state_name(uint8_t state)
{
	switch (state) {
	case FWS_SLOT_EMPTY: return "empty";
	case FWS_SLOT_RECEIVING: return "receiving";
	case FWS_SLOT_STAGED: return "staged";
	case FWS_SLOT_TESTING: return "testing";
	case FWS_SLOT_CONFIRMED: return "confirmed";
	case FWS_SLOT_INVALID: return "invalid";
	default: return "unknown";
	}
}

const char *fws_boot_state_name(uint8_t state)
{
	switch (state) {
	case FWS_BOOT_APP: return "application";
	case FWS_BOOT_STUB: return "stub";
	default: return "unknown";
	}
}
