/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_pkg.c - the package reader (protocol/src/pkg_reader.c, manifest.c) as
 * an attacker with a USB cable sees it. Input: one control byte, then the
 * package stream. Control bit 7 picks the mode: verified against a fixed
 * trust store (the seed packages in tests/corpus/pkg/ are signed by its key,
 * whose private half was discarded; see make_pkg_corpus.sh), or parse-only
 * (FWS_PKG_UNVERIFIED, so mutated manifests still reach the block phase).
 * The low bits seed the chunk sizes, so unit boundaries land everywhere.
 * Invariants: progress, bounds of every delivered block, no prefix accepted
 * without a trusted signature, and agreement with fws_pkg_prefix_verify.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_pkg_trust.h"
#include "fwseal/pkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_prefix(const fws_pkg_reader *r, const fws_trust *trust)
{
	fws_manifest m;
	uint8_t signer[FWS_KEY_ID_LEN];
	if (r->prefix_len > FWS_PKG_PREFIX_MAX || r->block_count != fws_manifest_block_count(&r->manifest))
		abort();
	if (!trust)
		return;
	/* the one-shot verifier must agree with the streaming reader */
	if (!r->authentic || !fws_trust_find(trust, r->signer_key_id) ||
	    fws_pkg_prefix_verify(r->buf, r->prefix_len, trust, &m, signer) != FWS_OK ||
	    memcmp(signer, r->signer_key_id, FWS_KEY_ID_LEN) != 0 ||
	    memcmp(m.chain_head, r->manifest.chain_head, FWS_SHA256_LEN) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fws_trust trust;
	static int trust_ok = -1;
	static uint8_t buf[FWS_PKG_BLOCK_MAX + FWS_SHA256_LEN];
	if (trust_ok < 0)
		trust_ok = fws_trust_parse(fwseal_trust_store, sizeof(fwseal_trust_store), &trust) == FWS_OK;
	if (!trust_ok)
		abort(); /* the embedded store itself is broken */
	if (size < 1)
		return 0;
	const bool verified = !(data[0] & 0x80);
	uint32_t seed = data[0] & 0x7f;
	data++;
	size--;

	/* A small buffer in some runs, so the block-size check is reached too. */
	size_t cap = (seed & 1) ? FWS_PKG_BUF_MIN : sizeof(buf);
	fws_pkg_reader r;
	if (fws_pkg_reader_init(&r, buf, cap, verified ? &trust : NULL,
	                        verified ? 0 : FWS_PKG_UNVERIFIED) != FWS_OK)
		abort();
	size_t pos = 0;
	unsigned prefixes = 0;
	uint32_t blocks = 0;
	for (unsigned guard = 0; guard < 4 * size + 16; guard++) {
		seed = seed * 1103515245u + 12345u;
		size_t n = 1 + (seed >> 16) % 700;
		if (n > size - pos)
			n = size - pos;
		size_t used = 0;
		enum fws_pkg_event ev;
		fws_err e = fws_pkg_reader_feed(&r, data + pos, n, &used, &ev);
		if (used > n)
			abort();
		pos += used;
		if (e != FWS_OK) {
			/* errors are sticky */
			if (fws_pkg_reader_feed(&r, data, 0, &used, &ev) != e)
				abort();
			return 0;
		}
		switch (ev) {
		case FWS_PKG_PREFIX:
			if (prefixes++ || r.offset != r.prefix_len)
				abort();
			check_prefix(&r, verified ? &trust : NULL);
			break;
		case FWS_PKG_BLOCK:
			if (!prefixes || r.block_index != blocks || r.block_index >= r.block_count ||
			    r.block_len == 0 || r.block_len > r.manifest.block_size)
				abort();
			blocks++;
			break;
		case FWS_PKG_DONE:
			if (blocks != r.block_count || r.offset != pos ||
			    r.offset != r.prefix_len + fws_manifest_stream_len(&r.manifest))
				abort();
			return 0;
		case FWS_PKG_NEED_MORE:
			if (used != n)
				abort(); /* NEED_MORE means everything was taken */
			if (pos == size)
				return 0; /* truncated: the reader just waits */
			break;
		}
	}
	abort(); /* no progress */
}
