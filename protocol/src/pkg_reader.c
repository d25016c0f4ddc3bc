/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Streaming package reader (docs/package-format.md). A push parser: bytes
 * arrive in whatever chunks the transport delivers; the reader buffers one
 * unit at a time (header, manifest, signature block, then block || D(i+1))
 * in the caller's buffer and reports an event when a unit is complete and
 * checked. It holds O(1) chain state: the expected digest of the next block.
 */
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal/le.h"
#include "fwseal/pkg.h"

static const uint8_t zero_digest[FWS_SHA256_LEN];

fws_err fws_pkg_header_parse(const uint8_t *b, size_t len, fws_pkg_header *h)
{
	uint32_t mlen;

	if (len < FWS_PKG_HEADER_LEN)
		return FWS_E_TRUNCATED;
	if (memcmp(b, FWS_PKG_MAGIC, 4) != 0)
		return FWS_E_MAGIC;
	if (b[4] != FWS_PKG_FORMAT_VERSION)
		return FWS_E_FORMAT_VERSION;
	if (b[5] != FWS_PKG_HEADER_LEN || b[7] != 0 || fws_get_le32(b + 12) != 0)
		return FWS_E_HEADER;
	if (b[6] == 0 || b[6] > FWS_PKG_SIG_MAX)
		return FWS_E_LIMIT;
	mlen = fws_get_le32(b + 8);
	if (mlen == 0)
		return FWS_E_HEADER;
	if (mlen > FWS_PKG_MANIFEST_MAX)
		return FWS_E_LIMIT;
	h->format_version = b[4];
	h->sig_count = b[6];
	h->manifest_len = mlen;
	return FWS_OK;
}

void fws_pkg_header_encode(uint8_t out[FWS_PKG_HEADER_LEN], uint8_t sig_count,
                           uint32_t manifest_len)
{
	memcpy(out, FWS_PKG_MAGIC, 4);
	out[4] = FWS_PKG_FORMAT_VERSION;
	out[5] = FWS_PKG_HEADER_LEN;
	out[6] = sig_count;
	out[7] = 0;
	fws_put_le32(out + 8, manifest_len);
	fws_put_le32(out + 12, 0);
}

fws_err fws_pkg_signed_digest(const uint8_t *header, const uint8_t *manifest, size_t manifest_len,
                              uint8_t out[FWS_SHA256_LEN])
{
	return fws_sha256_2(header, FWS_PKG_HEADER_LEN, manifest, manifest_len, out);
}

/*
 * Check the signature block by the rule of the package's kind
 * (fws_trust_check_sigs, docs/trust.md): firmware needs one trusted,
 * unrevoked release key whose signature verifies (rotation: old and new keys
 * may both sign); a trust update needs the root threshold of the store in
 * force. Entries with an unknown algorithm are skipped so a later format can
 * add algorithms. When the rule is not met, the error says the most useful
 * thing: a trusted key with a bad signature (tampering) before revoked
 * before untrusted.
 */
static fws_err check_signatures(const uint8_t *sigs, unsigned count, const uint8_t digest[32],
                                const fws_trust *trust, uint8_t kind,
                                uint8_t signer[FWS_KEY_ID_LEN])
{
	for (unsigned i = 0; i < count; i++) {
		const uint8_t *e = sigs + (size_t)i * FWS_PKG_SIG_LEN;
		if (e[9] || e[10] || e[11])
			return FWS_E_HEADER;
	}
	if (kind == FWS_KIND_TRUST)
		return fws_trust_check_sigs(trust, sigs, count, digest, FWS_TRUST_ROOT,
		                            fws_trust_threshold(trust), signer);
	return fws_trust_check_sigs(trust, sigs, count, digest, FWS_TRUST_RELEASE, 1, signer);
}

fws_err fws_pkg_prefix_verify(const uint8_t *prefix, size_t len, const fws_trust *trust,
                              fws_manifest *m, uint8_t signer[FWS_KEY_ID_LEN])
{
	fws_pkg_header h;
	uint8_t digest[FWS_SHA256_LEN];
	size_t need;
	fws_err err;

	if (!prefix || !trust || !m || !signer)
		return FWS_E_INVAL;
	err = fws_pkg_header_parse(prefix, len, &h);
	if (err != FWS_OK)
		return err;
	need = FWS_PKG_HEADER_LEN + h.manifest_len + (size_t)h.sig_count * FWS_PKG_SIG_LEN;
	if (len < need)
		return FWS_E_TRUNCATED;
	if (len > need)
		return FWS_E_TRAILING;
	err = fws_manifest_parse(prefix + FWS_PKG_HEADER_LEN, h.manifest_len, m);
	if (err != FWS_OK)
		return err;
	err = fws_pkg_signed_digest(prefix, prefix + FWS_PKG_HEADER_LEN, h.manifest_len, digest);
	if (err != FWS_OK)
		return err;
	return check_signatures(prefix + FWS_PKG_HEADER_LEN + h.manifest_len, h.sig_count, digest,
	                        trust, m->kind, signer);
}

uint64_t fws_pkg_block_offset(size_t prefix_len, const fws_manifest *m, uint32_t k)
{
	return (uint64_t)prefix_len + (uint64_t)k * ((uint64_t)m->block_size + FWS_SHA256_LEN);
}

size_t fws_pkg_buf_need(const fws_manifest *m)
{
	size_t need = m->encoding != FWS_ENC_NONE ? FWS_ENC_BUF_NEED(m->block_size)
	                                          : (size_t)m->block_size + FWS_SHA256_LEN;

	return need < FWS_PKG_BUF_MIN ? FWS_PKG_BUF_MIN : need;
}

fws_err fws_pkg_reader_init(fws_pkg_reader *r, uint8_t *buf, size_t buf_cap,
                            const fws_trust *trust, uint32_t flags)
{
	if (!r)
		return FWS_E_INVAL;
	memset(r, 0, sizeof(*r));
	if (!buf || buf_cap < FWS_PKG_BUF_MIN || (!trust && !(flags & FWS_PKG_UNVERIFIED)))
		return FWS_E_INVAL;
	r->buf = buf;
	r->buf_cap = buf_cap;
	r->trust = trust;
	r->flags = flags;
	r->phase = FWS_PHASE_HEADER;
	r->need = FWS_PKG_HEADER_LEN;
	return FWS_OK;
}

void fws_pkg_reader_set_sha256(fws_pkg_reader *r, fws_sha256_engine engine, void *ctx)
{
	r->sha_engine = engine;
	r->sha_engine_ctx = ctx;
}

static fws_err fail(fws_pkg_reader *r, fws_err err)
{
	r->phase = FWS_PHASE_FAILED;
	r->error = err;
	return err;
}

/* memcpy, or a byte loop when the two overlap (bytes placed in the room
 * beyond the current unit move down to its start): not memmove, which is
 * 250 bytes of the device's 24 KiB of flash. */
static void copy_in(uint8_t *dst, const uint8_t *src, size_t n)
{
	if (src >= dst + n || dst >= src + n) {
		memcpy(dst, src, n);
	} else if (src > dst) {
		for (size_t i = 0; i < n; i++)
			dst[i] = src[i];
	} else {
		for (size_t i = n; i-- > 0;)
			dst[i] = src[i];
	}
}

static size_t unit_base(const fws_pkg_reader *r)
{
	switch (r->phase) {
	case FWS_PHASE_MANIFEST: return FWS_PKG_HEADER_LEN;
	case FWS_PHASE_SIGS: return FWS_PKG_HEADER_LEN + r->header.manifest_len;
	case FWS_PHASE_HEADER:
	case FWS_PHASE_PREFIX_READY:
	case FWS_PHASE_BLOCK:
	case FWS_PHASE_BLOCK_READY:
	case FWS_PHASE_DONE:
	case FWS_PHASE_FAILED:
		break;
	}
	return 0;
}

static void begin_block(fws_pkg_reader *r)
{
	uint64_t start = (uint64_t)r->block_index * r->manifest.block_size;
	uint64_t left = r->manifest.payload_size - start;

	r->block_len = left < r->manifest.block_size ? (size_t)left : r->manifest.block_size;
	r->phase = FWS_PHASE_BLOCK;
	r->fill = 0;
	if (r->manifest.encoding != FWS_ENC_NONE) {
		/* A unit's length is in its header: take that first. */
		r->unit_sized = false;
		r->unit_len = 0;
		r->need = FWS_UNIT_HDR_LEN;
	} else {
		r->unit_len = r->block_len;
		r->need = r->block_len + FWS_SHA256_LEN;
	}
}

/* The header of an encoded unit has arrived: the unit's length. Nothing of
 * it is verified yet, so it only decides how many bytes to wait for, within
 * what a valid unit can have (every method: 1..block_len data bytes); more
 * is a block no signed package contains. */
static fws_err size_unit(fws_pkg_reader *r)
{
	uint32_t data_len = fws_get_le32(r->buf + 8);

	if (data_len == 0u || data_len > r->block_len)
		return FWS_E_BLOCK_DIGEST;
	r->unit_len = FWS_UNIT_HDR_LEN + (size_t)data_len;
	r->unit_sized = true;
	r->need = r->unit_len + FWS_SHA256_LEN;
	return FWS_OK;
}

static fws_err finish(fws_pkg_reader *r)
{
	/* D(n) is defined as zero: a stream cut short at a block boundary with a
	 * forged "last" digest cannot pass, since the chain head is signed. */
	if (!fws_ct_equal(r->expect, zero_digest, FWS_SHA256_LEN))
		return fail(r, FWS_E_CHAIN_END);
	/* Encoded units vary in length: their sum must be what the signed
	 * manifest says (a plain stream has it by construction). */
	if (r->offset != r->prefix_len + fws_manifest_stream_len(&r->manifest))
		return fail(r, FWS_E_MANIFEST);
	if (!(r->flags & FWS_PKG_NO_IMAGE_HASH)) {
		uint8_t d[FWS_SHA256_LEN];

		if (fws_sha256_final(&r->image_hash, d) != FWS_OK)
			return fail(r, FWS_E_CRYPTO);
		if (!fws_ct_equal(d, r->manifest.image_sha256, FWS_SHA256_LEN))
			return fail(r, FWS_E_IMAGE_DIGEST);
	}
	r->phase = FWS_PHASE_DONE;
	return FWS_OK;
}

/* A complete unit is in the buffer: check it, set the next unit. */
static fws_err unit_complete(fws_pkg_reader *r, enum fws_pkg_event *ev)
{
	fws_err err;

	switch (r->phase) {
	case FWS_PHASE_HEADER:
		err = fws_pkg_header_parse(r->buf, FWS_PKG_HEADER_LEN, &r->header);
		if (err != FWS_OK)
			return fail(r, err);
		r->phase = FWS_PHASE_MANIFEST;
		r->need = r->header.manifest_len;
		break;
	case FWS_PHASE_MANIFEST:
		err = fws_manifest_parse(r->buf + FWS_PKG_HEADER_LEN, r->header.manifest_len,
		                         &r->manifest);
		if (err != FWS_OK)
			return fail(r, err);
		/* Spans are relative to the manifest; make them relative to buf. */
		r->manifest.risks.off += FWS_PKG_HEADER_LEN;
		r->manifest.notes.off += FWS_PKG_HEADER_LEN;
		r->manifest.base_version.off += FWS_PKG_HEADER_LEN;
		r->manifest.sbom_sha256.off += FWS_PKG_HEADER_LEN;
		for (unsigned i = 0; i < r->manifest.cve_count; i++)
			r->manifest.cves[i].off += FWS_PKG_HEADER_LEN;
		if (fws_pkg_buf_need(&r->manifest) > r->buf_cap)
			return fail(r, FWS_E_BLOCK_SIZE);
		/* The image of an encoded package is only known once decoded:
		 * whoever decodes checks its digest. */
		if (r->manifest.encoding != FWS_ENC_NONE)
			r->flags |= FWS_PKG_NO_IMAGE_HASH;
		r->phase = FWS_PHASE_SIGS;
		r->need = (size_t)r->header.sig_count * FWS_PKG_SIG_LEN;
		break;
	case FWS_PHASE_SIGS: {
		uint8_t digest[FWS_SHA256_LEN];
		const uint8_t *sigs = r->buf + FWS_PKG_HEADER_LEN + r->header.manifest_len;

		r->prefix_len = FWS_PKG_HEADER_LEN + r->header.manifest_len + r->need;
		if (r->flags & FWS_PKG_UNVERIFIED) {
			/* Record the first signer for display; nothing is trusted. */
			memcpy(r->signer_key_id, sigs, FWS_KEY_ID_LEN);
			for (unsigned i = 0; i < r->header.sig_count; i++)
				if (sigs[i * FWS_PKG_SIG_LEN + 9] | sigs[i * FWS_PKG_SIG_LEN + 10] |
				    sigs[i * FWS_PKG_SIG_LEN + 11])
					return fail(r, FWS_E_HEADER);
		} else {
			err = fws_pkg_signed_digest(r->buf, r->buf + FWS_PKG_HEADER_LEN,
			                            r->header.manifest_len, digest);
			if (err == FWS_OK)
				err = check_signatures(sigs, r->header.sig_count, digest, r->trust,
				                       r->manifest.kind, r->signer_key_id);
			if (err != FWS_OK)
				return fail(r, err);
			r->authentic = true;
		}
		memcpy(r->expect, r->manifest.chain_head, FWS_SHA256_LEN);
		r->block_count = fws_manifest_block_count(&r->manifest);
		r->block_index = 0;
		/* an init error is sticky in the context: finish() reports it */
		if (!(r->flags & FWS_PKG_NO_IMAGE_HASH))
			fws_sha256_init(&r->image_hash);
		r->phase = FWS_PHASE_PREFIX_READY;
		*ev = FWS_PKG_PREFIX;
		break;
	}
	case FWS_PHASE_BLOCK: {
		uint8_t d[FWS_SHA256_LEN];

		if (r->manifest.encoding != FWS_ENC_NONE && !r->unit_sized) {
			err = size_unit(r);
			if (err != FWS_OK)
				return fail(r, err);
			return FWS_OK; /* fill stays: the header is part of the unit */
		}
		if (r->sha_engine)
			err = r->sha_engine(r->sha_engine_ctx, r->buf, r->need, NULL, 0, d);
		else
			err = fws_sha256(r->buf, r->need, d);
		if (err != FWS_OK)
			return fail(r, FWS_E_CRYPTO); /* no digest: no verdict, no block */
		if (!fws_ct_equal(d, r->expect, FWS_SHA256_LEN))
			return fail(r, FWS_E_BLOCK_DIGEST);
		memcpy(r->expect, r->buf + r->unit_len, FWS_SHA256_LEN);
		/* an error is sticky in the context: finish() reports it */
		if (!(r->flags & FWS_PKG_NO_IMAGE_HASH))
			fws_sha256_update(&r->image_hash, r->buf, r->block_len);
		r->phase = FWS_PHASE_BLOCK_READY;
		*ev = FWS_PKG_BLOCK;
		break;
	}
	case FWS_PHASE_PREFIX_READY:
	case FWS_PHASE_BLOCK_READY:
	case FWS_PHASE_DONE:
	case FWS_PHASE_FAILED:
		return fail(r, FWS_E_STATE); /* not reachable: no unit pending */
	}
	r->fill = 0;
	return FWS_OK;
}

fws_err fws_pkg_reader_feed(fws_pkg_reader *r, const uint8_t *data, size_t len, size_t *used,
                            enum fws_pkg_event *ev)
{
	fws_err err;

	if (!r || !used || !ev || (len && !data))
		return FWS_E_INVAL;
	*used = 0;
	*ev = FWS_PKG_NEED_MORE;
	if (r->phase == FWS_PHASE_FAILED)
		return r->error;

	for (;;) {
		size_t take;

		/* Transitions that need no input. */
		if (r->phase == FWS_PHASE_PREFIX_READY) {
			begin_block(r);
		} else if (r->phase == FWS_PHASE_BLOCK_READY) {
			if (r->block_index + 1u == r->block_count) {
				err = finish(r);
				if (err == FWS_OK)
					*ev = FWS_PKG_DONE;
				return err;
			}
			r->block_index++;
			begin_block(r);
		}
		if (r->phase == FWS_PHASE_DONE)
			return len > 0 ? fail(r, FWS_E_TRAILING) : FWS_OK;

		take = r->need - r->fill;
		if (take > len - *used)
			take = len - *used;
		uint8_t *dst = r->buf + unit_base(r) + r->fill;

		/* data placed in the reader's room (fws_pkg_reader_room) is
		 * already where it belongs, or lies further on in the buffer */
		if (take && dst != data + *used)
			copy_in(dst, data + *used, take);
		r->fill += take;
		*used += take;
		r->offset += take;
		if (r->fill < r->need)
			return FWS_OK;
		err = unit_complete(r, ev);
		if (err != FWS_OK || *ev != FWS_PKG_NEED_MORE)
			return err;
	}
}

uint8_t *fws_pkg_reader_room(const fws_pkg_reader *r, size_t *cap)
{
	size_t at;

	switch (r->phase) {
	case FWS_PHASE_HEADER:
	case FWS_PHASE_MANIFEST:
	case FWS_PHASE_SIGS:
	case FWS_PHASE_BLOCK:
		at = unit_base(r) + r->fill;
		if (r->buf == NULL || at >= r->buf_cap)
			break;
		*cap = r->buf_cap - at;
		return r->buf + at;
	case FWS_PHASE_PREFIX_READY:
	case FWS_PHASE_BLOCK_READY:
	case FWS_PHASE_DONE:
	case FWS_PHASE_FAILED:
		break;
	}
	*cap = 0;
	return NULL;
}

fws_err fws_pkg_reader_resume(fws_pkg_reader *r, const fws_manifest *m, size_t prefix_len,
                              uint32_t k, const uint8_t expect[FWS_SHA256_LEN])
{
	if (!m || (m->encoding != FWS_ENC_NONE && k != 0u))
		return FWS_E_INVAL; /* where block k starts is not known */
	return fws_pkg_reader_resume_at(r, m, prefix_len, k, expect,
	                                fws_pkg_block_offset(prefix_len, m, k));
}

fws_err fws_pkg_reader_resume_at(fws_pkg_reader *r, const fws_manifest *m, size_t prefix_len,
                                 uint32_t k, const uint8_t expect[FWS_SHA256_LEN],
                                 uint64_t offset)
{
	uint32_t count;

	if (!r || !m || !expect || r->buf == NULL)
		return FWS_E_INVAL;
	count = fws_manifest_block_count(m);
	if (k >= count || fws_pkg_buf_need(m) > r->buf_cap || offset < prefix_len)
		return FWS_E_INVAL;
	r->manifest = *m;
	r->prefix_len = prefix_len;
	r->block_count = count;
	r->block_index = k;
	r->flags |= FWS_PKG_NO_IMAGE_HASH;
	r->offset = offset;
	r->error = FWS_OK;
	memcpy(r->expect, expect, FWS_SHA256_LEN);
	begin_block(r);
	return FWS_OK;
}
