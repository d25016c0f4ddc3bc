/* SPDX-License-Identifier: Apache-2.0 */
#include "testpkg.h"

#include "fwseal/encoding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mem_src {
	const uint8_t *p;
	size_t len;
};

static fws_err mem_read(void *ctx, uint64_t off, uint8_t *dst, size_t len)
{
	const struct mem_src *m = ctx;

	if (off + len > m->len)
		return FWS_E_IO;
	memcpy(dst, m->p + off, len);
	return FWS_OK;
}

uint8_t *test_image(size_t len, uint32_t seed)
{
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		abort();
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (uint8_t)(seed >> 24);
	}
	return p;
}

uint8_t *test_image_code(size_t len, uint32_t seed)
{
	static const uint32_t words[] = {
		0x4770bf00u, 0xb5f84606u, 0xe8bd81f0u, 0x68236822u, 0xf04f0c00u, 0x2b00d1f8u,
		0x46204629u, 0xf7ffbffeu, 0x4b034a02u, 0x60186818u, 0x3001bd10u, 0x00000000u,
	};
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		abort();
	for (size_t i = 0; i < len; i += 4) {
		uint32_t w;

		seed = seed * 1664525u + 1013904223u;
		w = words[(seed >> 16) % (sizeof words / sizeof words[0])];
		if ((seed >> 8) % 5u == 0u)
			w = 0xf000f800u | ((seed >> 4) & 0x07ff07ffu); /* a call: varying target */
		for (size_t k = 0; k < 4 && i + k < len; k++)
			p[i + k] = (uint8_t)(w >> (8 * k));
	}
	return p;
}

uint8_t *test_image_fix(const uint8_t *base, size_t len, uint32_t seed, size_t *out_len)
{
	size_t ins = len / 3, n = len + 24;
	uint8_t *p = malloc(n);

	if (!p)
		abort();
	memcpy(p, base, ins);
	for (size_t k = 0; k < 24; k++)
		p[ins + k] = (uint8_t)(0xA5u ^ k ^ seed);
	memcpy(p + ins + 24, base + ins, len - ins);
	for (unsigned k = 0; k < 8; k++) {
		seed = seed * 1664525u + 1013904223u;
		p[(seed >> 8) % n] ^= 0x5Au;
	}
	*out_len = n;
	return p;
}

void test_trust_one(fws_trust *t, const test_key *k, int revoked)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->keys[0].id, k->id, FWS_KEY_ID_LEN);
	memcpy(t->keys[0].pub, k->pub, FWS_P256_PUB_LEN);
	t->keys[0].flags = revoked ? FWS_TRUST_REVOKED : 0;
	t->count = 1;
}

void test_pkg_build(test_pkg *out, const uint8_t *image, size_t image_len,
                    const test_pkg_opts *o)
{
	struct mem_src src = { image, image_len };
	uint32_t bs = o->block_size ? o->block_size : 1024u;
	uint32_t n = (uint32_t)((image_len + bs - 1u) / bs);
	unsigned nkeys = o->nkeys ? o->nkeys : 1u;
	uint8_t *digests = malloc(((size_t)n + 1u) * FWS_SHA256_LEN);
	uint8_t *buf = malloc(bs);
	fws_manifest_in in;
	uint8_t manifest[FWS_PKG_MANIFEST_MAX], header[FWS_PKG_HEADER_LEN], digest[32];
	size_t mlen, pos;
	fws_err err;

	if (!digests || !buf || !o->keys[0])
		abort();
	memset(&in, 0, sizeof(in));
	in.vendor_id = o->vendor_id ? o->vendor_id : 0x1209u;
	in.class_id = o->class_id ? o->class_id : 0xf5eau;
	in.model = o->model ? o->model : "FW-TEST-1";
	in.hw_rev_min = o->hw_rev_min || o->hw_rev_max ? o->hw_rev_min : 1u;
	in.hw_rev_max = o->hw_rev_min || o->hw_rev_max ? o->hw_rev_max : 1u;
	in.component = o->component ? o->component : "app";
	in.version = o->version ? o->version : "1.0.0";
	in.security_counter = o->counter_zero ? 0u : (o->security_counter ? o->security_counter : 1u);
	in.payload_size = (uint32_t)image_len;
	in.block_size = bs;
	in.release_date = o->release_date ? o->release_date : 1767225600; /* 2026-01-01 */
	in.support_end = o->support_end ? o->support_end : 1893456000;    /* 2030-01-01 */
	in.security_update = true;
	in.severity = FWS_SEVERITY_HIGH;
	in.risks = "Remote code execution through the pairing service.";
	in.cves[0] = "CVE-2026-12345";
	in.cve_count = 1;
	in.reboot = true;
	in.downtime_s = 30;
	in.notes = "Test release.";
	in.kind = o->kind;

	err = fws_chain_compute(mem_read, &src, (uint32_t)image_len, bs, buf, digests,
	                        in.image_sha256);
	if (err != FWS_OK) {
		fprintf(stderr, "test_pkg_build: chain: %s\n", fws_err_name(err));
		abort();
	}
	memcpy(in.chain_head, digests, FWS_SHA256_LEN);
	fws_encoded enc = {0};
	if (o->encoding != 0u) {
		/* the same encoder as `fwseal pack --compress / --delta-from` */
		err = fws_encode_image(o->encoding, bs, image, (uint32_t)image_len, o->base,
		                       (uint32_t)o->base_len, &enc);
		if (err != FWS_OK) {
			fprintf(stderr, "test_pkg_build: encode: %s\n", fws_err_name(err));
			abort();
		}
		if (o->unit_edit != NULL) {
			for (uint32_t k = 0; k < n; k++)
				o->unit_edit(k, enc.units + enc.unit_off[k],
				             enc.unit_off[k + 1u] - enc.unit_off[k], o->unit_edit_ctx);
			for (uint32_t k = n; k-- > 0;)
				if (fws_sha256_2(enc.units + enc.unit_off[k],
				                 enc.unit_off[k + 1u] - enc.unit_off[k],
				                 enc.digests + (size_t)(k + 1u) * FWS_SHA256_LEN,
				                 FWS_SHA256_LEN,
				                 enc.digests + (size_t)k * FWS_SHA256_LEN) != FWS_OK)
					abort();
		}
		in.encoding = o->encoding;
		in.units_len = (uint32_t)enc.units_len;
		memcpy(in.chain_head, enc.digests, FWS_SHA256_LEN);
		memcpy(digests, enc.digests, ((size_t)n + 1u) * FWS_SHA256_LEN);
		if (o->encoding == FWS_ENC_LZ4_DELTA) {
			if (fws_sha256(o->base, o->base_len, in.base_sha256) != FWS_OK)
				abort();
			in.base_size = (uint32_t)o->base_len;
			in.base_version = o->base_version ? o->base_version : "0.9.0";
		}
	}
	err = fws_manifest_encode(&in, manifest, sizeof(manifest), &mlen);
	if (err != FWS_OK) {
		fprintf(stderr, "test_pkg_build: manifest: %s\n", fws_err_name(err));
		abort();
	}
	fws_pkg_header_encode(header, (uint8_t)nkeys, (uint32_t)mlen);
	if (fws_pkg_signed_digest(header, manifest, mlen, digest) != FWS_OK)
		abort();

	out->manifest_len = mlen;
	out->prefix_len = FWS_PKG_HEADER_LEN + mlen + nkeys * FWS_PKG_SIG_LEN;
	out->block_count = n;
	out->len = out->prefix_len + (o->encoding ? enc.units_len : image_len) +
	           (size_t)n * FWS_SHA256_LEN + (o->with_suffix ? FWS_PKG_SUFFIX_LEN : 0u);
	out->data = malloc(out->len);
	out->block_off = malloc(((size_t)n + 1u) * sizeof(size_t));
	if (!out->data || !out->block_off)
		abort();
	memcpy(out->data, header, FWS_PKG_HEADER_LEN);
	memcpy(out->data + FWS_PKG_HEADER_LEN, manifest, mlen);
	pos = FWS_PKG_HEADER_LEN + mlen;
	for (unsigned i = 0; i < nkeys; i++) {
		uint8_t sig[FWS_ECDSA_SIG_LEN];

		test_key_sign(o->keys[i], digest, sig);
		fws_pkg_sig_encode(out->data + pos, o->keys[i]->id, sig);
		pos += FWS_PKG_SIG_LEN;
	}
	for (uint32_t i = 0; i < n; i++) {
		size_t off = (size_t)i * bs;
		size_t len = image_len - off < bs ? image_len - off : bs;
		const uint8_t *blk = image + off;

		if (o->encoding != 0u) {
			blk = enc.units + enc.unit_off[i];
			len = enc.unit_off[i + 1u] - enc.unit_off[i];
		}
		out->block_off[i] = pos;
		memcpy(out->data + pos, blk, len);
		pos += len;
		memcpy(out->data + pos, digests + (size_t)(i + 1u) * FWS_SHA256_LEN, FWS_SHA256_LEN);
		pos += FWS_SHA256_LEN;
	}
	out->block_off[n] = pos;
	fws_encoded_free(&enc);
	if (o->with_suffix) {
		fws_dfu_suffix s = { 0xffffu, in.class_id, in.vendor_id, 0x0100u, 0 };
		uint8_t suf[FWS_PKG_SUFFIX_LEN];

		fws_dfu_suffix_encode(&s, suf);
		memcpy(out->data + pos, suf, 12);
		s.crc = fws_dfu_crc_update(0xffffffffu, out->data, pos + 12u);
		fws_dfu_suffix_encode(&s, out->data + pos);
		pos += FWS_PKG_SUFFIX_LEN;
	}
	if (pos != out->len)
		abort();
	free(digests);
	free(buf);
}

void test_pkg_free(test_pkg *p)
{
	free(p->data);
	free(p->block_off);
	p->data = NULL;
	p->block_off = NULL;
}

size_t test_trust_v2(uint8_t blob[FWS_TRUST_BLOB_MAX], fws_trust *t, uint32_t version,
                     uint8_t threshold, const test_key *const keys[], const uint8_t flags[],
                     unsigned n)
{
	fws_trust s;
	size_t len;

	memset(&s, 0, sizeof(s));
	if (n == 0 || n > FWS_TRUST_MAX)
		abort();
	for (unsigned i = 0; i < n; i++) {
		memcpy(s.keys[i].id, keys[i]->id, FWS_KEY_ID_LEN);
		memcpy(s.keys[i].pub, keys[i]->pub, FWS_P256_PUB_LEN);
		s.keys[i].flags = flags[i];
	}
	s.count = (uint8_t)n;
	s.format = 2;
	s.root_threshold = threshold;
	s.version = version;
	len = fws_trust_encode(&s, blob, FWS_TRUST_BLOB_MAX);
	if (len == 0) {
		fprintf(stderr, "test_trust_v2: does not encode\n");
		abort();
	}
	if (t != NULL && fws_trust_parse(blob, len, t) != FWS_OK)
		abort();
	return len;
}

void test_trust_update(test_pkg *out, const uint8_t *blob, size_t len, uint32_t version,
                       const test_key *const signers[], unsigned n, const char *model)
{
	test_pkg_opts o;

	memset(&o, 0, sizeof(o));
	if (n == 0 || n > FWS_PKG_SIG_MAX)
		abort();
	o.model = model ? model : "*";
	o.version = "trust";
	o.security_counter = version;
	o.counter_zero = version == 0u;
	o.block_size = 1024;
	o.hw_rev_min = 0;
	o.hw_rev_max = 0xffff;
	o.component = "trust";
	o.kind = FWS_KIND_TRUST;
	for (unsigned i = 0; i < n; i++)
		o.keys[i] = signers[i];
	o.nkeys = n;
	test_pkg_build(out, blob, len, &o);
}
