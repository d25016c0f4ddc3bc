/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Manifest TLV encoding and parsing (docs/package-format.md, "Manifest").
 * Canonical form: tags strictly ascending, only CVE repeats; every value
 * length is exact (fixed fields) or within its limit (text), so one package
 * has exactly one valid encoding.
 */
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal/le.h"
#include "fwseal/pkg.h"
#include "fwseal/text.h"

#define TLV_HDR 4u

enum field_kind { K_U16, K_U16X2, K_U32, K_I64, K_DIGEST, K_TEXT, K_CVE, K_SEC, K_DISR, K_ENC,
                  K_BASE, K_U8 };

/* base: digest, size, then the version text */
#define BASE_FIXED (FWS_SHA256_LEN + 4u)

struct field {
	uint16_t tag;
	uint8_t kind;
	uint16_t min, max; /* value length bounds */
	bool required;
};

static const struct field fields[] = {
	{ FWS_TAG_VENDOR_ID, K_U16, 2, 2, true },
	{ FWS_TAG_CLASS_ID, K_U16, 2, 2, true },
	{ FWS_TAG_MODEL, K_TEXT, 1, FWS_MODEL_MAX, true },
	{ FWS_TAG_HW_REV, K_U16X2, 4, 4, true },
	{ FWS_TAG_COMPONENT, K_TEXT, 1, FWS_COMPONENT_MAX, true },
	{ FWS_TAG_VERSION, K_TEXT, 1, FWS_VERSION_MAX, true },
	{ FWS_TAG_SECURITY_COUNTER, K_U32, 4, 4, true },
	{ FWS_TAG_PAYLOAD_SIZE, K_U32, 4, 4, true },
	{ FWS_TAG_BLOCK_SIZE, K_U32, 4, 4, true },
	{ FWS_TAG_CHAIN_HEAD, K_DIGEST, 32, 32, true },
	{ FWS_TAG_IMAGE_SHA256, K_DIGEST, 32, 32, true },
	{ FWS_TAG_RELEASE_DATE, K_I64, 8, 8, true },
	{ FWS_TAG_SUPPORT_END, K_I64, 8, 8, true },
	{ FWS_TAG_SECURITY, K_SEC, 2, 2, true },
	{ FWS_TAG_RISKS, K_TEXT, 0, FWS_RISKS_MAX, false },
	{ FWS_TAG_CVE, K_CVE, 1, FWS_CVE_MAX, false },
	{ FWS_TAG_DISRUPTION, K_DISR, 5, 5, true },
	{ FWS_TAG_KIND, K_U8, 1, 1, false },
	{ FWS_TAG_RELEASE_NOTES, K_TEXT, 0, FWS_NOTES_MAX, false },
	{ FWS_TAG_ENCODING, K_ENC, 5, 5, false },
	{ FWS_TAG_BASE, K_BASE, BASE_FIXED + 1u, BASE_FIXED + FWS_VERSION_MAX, false },
	{ FWS_TAG_SBOM_SHA256, K_DIGEST, 32, 32, false },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const struct field *field_find(uint16_t tag)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].tag == tag)
			return &fields[i];
	return NULL;
}

/* Short identifiers (model, version, component): printable ASCII only, so
 * they display the same everywhere and cannot smuggle control sequences. */
static bool short_text_ok(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return n == 0 || (p[0] != ' ' && p[n - 1] != ' ');
}

/* Long text (risks, notes): valid UTF-8, newlines and tabs allowed, no
 * other control character, C1 included (terminal escape injection into the
 * CLI: U+009B and a raw 0x9B byte are both CSI to some terminal). */
static bool long_text_ok(const uint8_t *p, size_t n)
{
	return fws_text_ok(p, n, true);
}

/* "CVE-YYYY-NNNN" with 4 or more digits in the last group. */
static bool cve_ok(const uint8_t *p, size_t n)
{
	if (n < 13 || memcmp(p, "CVE-", 4) != 0 || p[8] != '-')
		return false;
	for (size_t i = 4; i < n; i++)
		if (i != 8 && (p[i] < '0' || p[i] > '9'))
			return false;
	return true;
}

static bool is_long_text(uint16_t tag)
{
	return tag == FWS_TAG_RISKS || tag == FWS_TAG_RELEASE_NOTES;
}

static void copy_text(char *dst, const uint8_t *v, size_t n)
{
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static fws_err store(fws_manifest *m, uint16_t tag, const uint8_t *v, uint16_t n, uint16_t off)
{
	switch (tag) {
	case FWS_TAG_VENDOR_ID: m->vendor_id = fws_get_le16(v); break;
	case FWS_TAG_CLASS_ID: m->class_id = fws_get_le16(v); break;
	case FWS_TAG_MODEL: copy_text(m->model, v, n); break;
	case FWS_TAG_HW_REV:
		m->hw_rev_min = fws_get_le16(v);
		m->hw_rev_max = fws_get_le16(v + 2);
		if (m->hw_rev_min > m->hw_rev_max)
			return FWS_E_MANIFEST;
		break;
	case FWS_TAG_COMPONENT: copy_text(m->component, v, n); break;
	case FWS_TAG_VERSION: copy_text(m->version, v, n); break;
	case FWS_TAG_SECURITY_COUNTER: m->security_counter = fws_get_le32(v); break;
	case FWS_TAG_PAYLOAD_SIZE:
		m->payload_size = fws_get_le32(v);
		if (m->payload_size == 0 || m->payload_size > FWS_PKG_PAYLOAD_MAX)
			return FWS_E_LIMIT;
		break;
	case FWS_TAG_BLOCK_SIZE:
		m->block_size = fws_get_le32(v);
		if (m->block_size < FWS_PKG_BLOCK_MIN || m->block_size > FWS_PKG_BLOCK_MAX ||
		    (m->block_size & (m->block_size - 1u)) != 0)
			return FWS_E_LIMIT;
		break;
	case FWS_TAG_CHAIN_HEAD: memcpy(m->chain_head, v, FWS_SHA256_LEN); break;
	case FWS_TAG_IMAGE_SHA256: memcpy(m->image_sha256, v, FWS_SHA256_LEN); break;
	case FWS_TAG_RELEASE_DATE: m->release_date = (int64_t)fws_get_le64(v); break;
	case FWS_TAG_SUPPORT_END: m->support_end = (int64_t)fws_get_le64(v); break;
	case FWS_TAG_SECURITY:
		if ((v[0] & ~1u) != 0 || v[1] > FWS_SEVERITY_CRITICAL)
			return FWS_E_MANIFEST;
		m->security_update = v[0] & 1u;
		m->severity = v[1];
		break;
	case FWS_TAG_RISKS: m->risks = (fws_span){ off, n }; break;
	case FWS_TAG_CVE:
		if (m->cve_count >= FWS_CVE_COUNT_MAX)
			return FWS_E_LIMIT;
		m->cves[m->cve_count++] = (fws_span){ off, n };
		break;
	case FWS_TAG_DISRUPTION:
		if ((v[0] & ~1u) != 0)
			return FWS_E_MANIFEST;
		m->reboot = v[0] & 1u;
		m->downtime_s = fws_get_le32(v + 1);
		break;
	case FWS_TAG_RELEASE_NOTES: m->notes = (fws_span){ off, n }; break;
	case FWS_TAG_ENCODING:
		/* An encoding this reader does not know is a feature it lacks. */
		if (v[0] == FWS_ENC_NONE)
			return FWS_E_MANIFEST; /* plain packages carry no tag */
		if (v[0] > FWS_ENC_MAX)
			return FWS_E_CRITICAL;
		m->encoding = v[0];
		m->units_len = fws_get_le32(v + 1);
		break;
	case FWS_TAG_BASE:
		if (!short_text_ok(v + BASE_FIXED, n - BASE_FIXED))
			return FWS_E_MANIFEST;
		memcpy(m->base_sha256, v, FWS_SHA256_LEN);
		m->base_size = fws_get_le32(v + FWS_SHA256_LEN);
		if (m->base_size == 0u || m->base_size > FWS_PKG_PAYLOAD_MAX)
			return FWS_E_LIMIT;
		m->base_version = (fws_span){ (uint16_t)(off + BASE_FIXED), (uint16_t)(n - BASE_FIXED) };
		break;
	case FWS_TAG_SBOM_SHA256: m->sbom_sha256 = (fws_span){ off, n }; break;
	case FWS_TAG_KIND:
		/* firmware is the absent field (one encoding); a kind this
		 * reader does not know is a feature it lacks */
		if (v[0] == FWS_KIND_FIRMWARE)
			return FWS_E_MANIFEST;
		if (v[0] != FWS_KIND_TRUST)
			return FWS_E_CRITICAL;
		m->kind = v[0];
		break;
	default:
		return FWS_E_CRITICAL;
	}
	return FWS_OK;
}

/* Fields that only make sense together: a delta package names its base
 * (and only a delta package does), and the units can hold the image: each
 * has a header and 1..block_len bytes of data (fwseal/encoding.h). */
static fws_err encoding_ok(const fws_manifest *m)
{
	uint64_t n = fws_manifest_block_count(m);

	if ((m->encoding == FWS_ENC_LZ4_DELTA) != (m->base_version.len != 0u))
		return FWS_E_MANIFEST;
	if (m->encoding == FWS_ENC_NONE)
		return FWS_OK;
	if ((uint64_t)m->units_len < n * (FWS_UNIT_HDR_LEN + 1u) ||
	    (uint64_t)m->units_len > n * FWS_UNIT_HDR_LEN + m->payload_size)
		return FWS_E_MANIFEST;
	return FWS_OK;
}

fws_err fws_manifest_parse(const uint8_t *buf, size_t len, fws_manifest *m)
{
	uint32_t seen = 0; /* bit i: fields[i] present */
	uint32_t last_tag = 0;
	size_t pos = 0;

	memset(m, 0, sizeof(*m));
	if (!buf || len == 0)
		return FWS_E_MANIFEST;
	if (len > FWS_PKG_MANIFEST_MAX)
		return FWS_E_LIMIT;

	while (pos < len) {
		uint16_t tag, n;
		const struct field *f;
		fws_err err;

		if (len - pos < TLV_HDR)
			return FWS_E_MANIFEST;
		tag = fws_get_le16(buf + pos);
		n = fws_get_le16(buf + pos + 2);
		pos += TLV_HDR;
		if (n > len - pos)
			return FWS_E_MANIFEST;
		/* Canonical order: ascending; only CVE may repeat. */
		if (tag < last_tag || (tag == last_tag && tag != FWS_TAG_CVE))
			return FWS_E_MANIFEST;
		last_tag = tag;

		f = field_find(tag);
		if (!f) {
			if (tag & FWS_TAG_NONCRITICAL) {
				pos += n;
				continue;
			}
			return FWS_E_CRITICAL;
		}
		if (n < f->min || n > f->max)
			return f->kind == K_TEXT || f->kind == K_CVE ? FWS_E_LIMIT : FWS_E_MANIFEST;
		if (f->kind == K_TEXT &&
		    !(is_long_text(tag) ? long_text_ok(buf + pos, n) : short_text_ok(buf + pos, n)))
			return FWS_E_MANIFEST;
		if (f->kind == K_CVE && !cve_ok(buf + pos, n))
			return FWS_E_MANIFEST;
		err = store(m, tag, buf + pos, n, (uint16_t)pos);
		if (err != FWS_OK)
			return err;
		seen |= 1u << (f - fields);
		pos += n;
	}

	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].required && !(seen & (1u << i)))
			return FWS_E_MISSING_FIELD;
	return encoding_ok(m);
}

uint32_t fws_manifest_block_count(const fws_manifest *m)
{
	if (m->block_size == 0)
		return 0;
	/* 32-bit arithmetic only: no libgcc 64-bit division on small targets */
	return m->payload_size / m->block_size + (m->payload_size % m->block_size != 0u);
}

uint64_t fws_manifest_stream_len(const fws_manifest *m)
{
	uint64_t blocks = m->encoding != FWS_ENC_NONE ? m->units_len : m->payload_size;

	return blocks + (uint64_t)fws_manifest_block_count(m) * FWS_SHA256_LEN;
}

const char *fws_severity_name(uint8_t severity)
{
	static const char *const names[] = { "none", "low", "medium", "high", "critical" };

	return severity <= FWS_SEVERITY_CRITICAL ? names[severity] : "unknown";
}

/* ---- encoding ---- */

struct writer {
	uint8_t *out;
	size_t cap, len;
	fws_err err;
};

static void put_tlv(struct writer *w, uint16_t tag, const void *v, size_t n)
{
	if (w->err != FWS_OK)
		return;
	if (n > 0xffffu || w->cap - w->len < TLV_HDR + n) {
		w->err = FWS_E_LIMIT;
		return;
	}
	fws_put_le16(w->out + w->len, tag);
	fws_put_le16(w->out + w->len + 2, (uint16_t)n);
	if (n)
		memcpy(w->out + w->len + TLV_HDR, v, n);
	w->len += TLV_HDR + n;
}

static void put_u16(struct writer *w, uint16_t tag, uint16_t v)
{
	uint8_t b[2];

	fws_put_le16(b, v);
	put_tlv(w, tag, b, 2);
}

static void put_u32(struct writer *w, uint16_t tag, uint32_t v)
{
	uint8_t b[4];

	fws_put_le32(b, v);
	put_tlv(w, tag, b, 4);
}

static void put_i64(struct writer *w, uint16_t tag, int64_t v)
{
	uint8_t b[8];

	fws_put_le64(b, (uint64_t)v);
	put_tlv(w, tag, b, 8);
}

static void put_text(struct writer *w, uint16_t tag, const char *s)
{
	put_tlv(w, tag, s, strlen(s));
}

fws_err fws_manifest_encode(const fws_manifest_in *in, uint8_t *out, size_t cap, size_t *out_len)
{
	struct writer w = { out, cap > FWS_PKG_MANIFEST_MAX ? FWS_PKG_MANIFEST_MAX : cap, 0, FWS_OK };
	uint8_t b[5];
	fws_manifest check;

	if (!in || !out || !out_len || !in->model || !in->component || !in->version ||
	    in->cve_count > FWS_CVE_COUNT_MAX)
		return FWS_E_INVAL;

	put_u16(&w, FWS_TAG_VENDOR_ID, in->vendor_id);
	put_u16(&w, FWS_TAG_CLASS_ID, in->class_id);
	put_text(&w, FWS_TAG_MODEL, in->model);
	fws_put_le16(b, in->hw_rev_min);
	fws_put_le16(b + 2, in->hw_rev_max);
	put_tlv(&w, FWS_TAG_HW_REV, b, 4);
	put_text(&w, FWS_TAG_COMPONENT, in->component);
	put_text(&w, FWS_TAG_VERSION, in->version);
	put_u32(&w, FWS_TAG_SECURITY_COUNTER, in->security_counter);
	put_u32(&w, FWS_TAG_PAYLOAD_SIZE, in->payload_size);
	put_u32(&w, FWS_TAG_BLOCK_SIZE, in->block_size);
	put_tlv(&w, FWS_TAG_CHAIN_HEAD, in->chain_head, FWS_SHA256_LEN);
	put_tlv(&w, FWS_TAG_IMAGE_SHA256, in->image_sha256, FWS_SHA256_LEN);
	put_i64(&w, FWS_TAG_RELEASE_DATE, in->release_date);
	put_i64(&w, FWS_TAG_SUPPORT_END, in->support_end);
	b[0] = in->security_update ? 1u : 0u;
	b[1] = in->severity;
	put_tlv(&w, FWS_TAG_SECURITY, b, 2);
	if (in->risks && in->risks[0])
		put_text(&w, FWS_TAG_RISKS, in->risks);
	for (unsigned i = 0; i < in->cve_count; i++)
		put_text(&w, FWS_TAG_CVE, in->cves[i] ? in->cves[i] : "");
	b[0] = in->reboot ? 1u : 0u;
	fws_put_le32(b + 1, in->downtime_s);
	put_tlv(&w, FWS_TAG_DISRUPTION, b, 5);
	if (in->kind != FWS_KIND_FIRMWARE)
		put_tlv(&w, FWS_TAG_KIND, &in->kind, 1);
	if (in->encoding != FWS_ENC_NONE) {
		b[0] = in->encoding;
		fws_put_le32(b + 1, in->units_len);
		put_tlv(&w, FWS_TAG_ENCODING, b, 5);
	}
	if (in->base_version != NULL) {
		uint8_t base[BASE_FIXED + FWS_VERSION_MAX];
		size_t vn = strlen(in->base_version);

		if (vn > FWS_VERSION_MAX)
			return FWS_E_LIMIT;
		memcpy(base, in->base_sha256, FWS_SHA256_LEN);
		fws_put_le32(base + FWS_SHA256_LEN, in->base_size);
		memcpy(base + BASE_FIXED, in->base_version, vn);
		put_tlv(&w, FWS_TAG_BASE, base, BASE_FIXED + vn);
	}
	if (in->notes && in->notes[0])
		put_text(&w, FWS_TAG_RELEASE_NOTES, in->notes);
	if (in->sbom_sha256)
		put_tlv(&w, FWS_TAG_SBOM_SHA256, in->sbom_sha256, FWS_SHA256_LEN);
	if (w.err != FWS_OK)
		return w.err;

	/* What we write must be what every reader accepts: parse it back, so
	 * every limit and text rule lives in one place (the parser). */
	{
		fws_err err = fws_manifest_parse(out, w.len, &check);

		if (err != FWS_OK)
			return err;
	}
	*out_len = w.len;
	return FWS_OK;
}
