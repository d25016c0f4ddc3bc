/* SPDX-License-Identifier: Apache-2.0 */
/* variants.c - test packages derived from the release (variants.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_util.h"
#include "variants.h"

void ev_variant_free(struct ev_variant *v)
{
	free(v->data);
	memset(v, 0, sizeof(*v));
}

static void copy_stream(const struct ev_pkgfacts *p, struct ev_variant *v)
{
	memset(v, 0, sizeof(*v));
	v->len = p->stream_len;
	v->data = ev_xmalloc(v->len);
	memcpy(v->data, p->data, v->len);
}

void ev_variant_tampered(const struct ev_pkgfacts *p, struct ev_variant *v)
{
	copy_stream(p, v);
	/* the middle block: neither the first nor (if there are two or more)
	 * the last, so a device has taken good blocks before the bad one */
	uint32_t k = p->block_count / 2u;
	uint64_t start = fws_pkg_block_offset(p->prefix_len, &p->m, k);
	uint32_t blen = p->m.block_size;
	if (k == p->block_count - 1u && p->m.payload_size % p->m.block_size)
		blen = p->m.payload_size % p->m.block_size;
	v->block = k;
	v->mark = start + blen / 2u;
	v->data[v->mark] ^= 0x5a;
}

void ev_variant_bad_signature(const struct ev_pkgfacts *p, struct ev_variant *v)
{
	copy_stream(p, v);
	/* signature entry: key id 8 | alg 1 | reserved 3 | r||s 64 (pkg.h) */
	size_t sig = FWS_PKG_HEADER_LEN + p->header.manifest_len;
	v->mark = sig + 12u + 20u;
	v->data[v->mark] ^= 0x01;
}

void ev_variant_truncated(const struct ev_pkgfacts *p, struct ev_variant *v)
{
	copy_stream(p, v);
	/* inside the last unit (block + next digest): every block before it is
	 * whole and verifies, only the end is missing */
	v->len -= FWS_SHA256_LEN / 2u;
	v->mark = v->len;
}

bool ev_variant_resign(const struct ev_pkgfacts *p, fws_keypair *kp,
                       const struct ev_variant_change *c, struct ev_variant *v, char *err,
                       size_t cap)
{
	memset(v, 0, sizeof(*v));
	const fws_manifest *m = &p->m;
	int64_t counter = (int64_t)m->security_counter + c->counter_delta;
	if (counter < 0 || counter > (int64_t)UINT32_MAX) {
		snprintf(err, cap, "the release's security counter %u leaves no room for a variant "
		         "%+lld from it", (unsigned)m->security_counter, (long long)c->counter_delta);
		return false;
	}
	fws_manifest_in in;
	memset(&in, 0, sizeof(in));
	in.vendor_id = m->vendor_id;
	in.class_id = m->class_id;
	in.model = c->model ? c->model : m->model;
	in.hw_rev_min = c->hw ? c->hw_min : m->hw_rev_min;
	in.hw_rev_max = c->hw ? c->hw_max : m->hw_rev_max;
	in.component = c->component ? c->component : m->component;
	in.version = m->version;
	in.security_counter = (uint32_t)counter;
	in.payload_size = m->payload_size;
	in.block_size = m->block_size;
	memcpy(in.chain_head, m->chain_head, FWS_SHA256_LEN);
	memcpy(in.image_sha256, m->image_sha256, FWS_SHA256_LEN);
	in.release_date = m->release_date;
	in.support_end = m->support_end;
	in.security_update = m->security_update;
	in.severity = m->severity;
	in.risks = p->risks[0] ? p->risks : NULL;
	for (unsigned i = 0; i < m->cve_count; i++)
		in.cves[i] = p->cves[i];
	in.cve_count = m->cve_count;
	in.reboot = m->reboot;
	in.downtime_s = m->downtime_s;
	in.notes = p->notes[0] ? p->notes : NULL;
	in.sbom_sha256 = m->sbom_sha256.len == FWS_SHA256_LEN ? p->data + m->sbom_sha256.off : NULL;

	uint8_t man[FWS_PKG_MANIFEST_MAX];
	size_t mlen = 0;
	fws_err e = fws_manifest_encode(&in, man, sizeof(man), &mlen);
	if (e != FWS_OK) {
		snprintf(err, cap, "cannot encode the variant manifest: %s", fws_err_describe(e));
		return false;
	}
	uint8_t hdr[FWS_PKG_HEADER_LEN], digest[FWS_SHA256_LEN], sig[FWS_ECDSA_SIG_LEN];
	fws_pkg_header_encode(hdr, 1, (uint32_t)mlen);
	if (fws_pkg_signed_digest(hdr, man, mlen, digest) != FWS_OK) {
		snprintf(err, cap, "cannot hash the variant manifest: %s", fws_err_describe(FWS_E_CRYPTO));
		return false;
	}
	fws_key_msg msg;
	if (fws_keypair_sign(kp, digest, sig, &msg) != FWS_KEY_OK) {
		snprintf(err, cap, "cannot sign the variant: %s", msg.text);
		return false;
	}
	uint8_t pub[FWS_P256_PUB_LEN];
	fws_keypair_pub(kp, pub);
	if (fws_key_id(pub, v->key_id) != FWS_OK) {
		snprintf(err, cap, "cannot compute the key id: %s", fws_err_describe(FWS_E_CRYPTO));
		return false;
	}
	uint8_t sigent[FWS_PKG_SIG_LEN];
	fws_pkg_sig_encode(sigent, v->key_id, sig);

	size_t blocks = p->stream_len - p->prefix_len;
	v->len = FWS_PKG_HEADER_LEN + mlen + FWS_PKG_SIG_LEN + blocks;
	v->data = ev_xmalloc(v->len);
	uint8_t *o = v->data;
	memcpy(o, hdr, FWS_PKG_HEADER_LEN);
	o += FWS_PKG_HEADER_LEN;
	memcpy(o, man, mlen);
	o += mlen;
	memcpy(o, sigent, FWS_PKG_SIG_LEN);
	o += FWS_PKG_SIG_LEN;
	memcpy(o, p->data + p->prefix_len, blocks);
	return true;
}
