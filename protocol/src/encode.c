/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The unit encoder of compressed and delta packages (fwseal/encoding.h),
 * host side only: lz4's HC compressor at its highest level, one unit per
 * image block, the smallest of a few candidates. Every unit is decoded again
 * with the shared decoder and compared with its block before it is kept, so
 * a package never carries a unit the device would decode differently.
 */
#include <stdlib.h>
#include <string.h>

#include <lz4.h>
#include <lz4hc.h>

#include "fwseal/encoding.h"
#include "fwseal/le.h"
#include "fwseal/pkg.h"

#define HC_LEVEL   LZ4HC_CLEVEL_MAX
#define HASH_BITS  18u
#define SAMPLE     4u   /* every SAMPLE-th position of a block votes for an offset */
#define ANCHOR     8u   /* bytes that must match for a vote */
#define TALLY      64u  /* distinct offsets counted per block */
#define NDELTA     8u   /* offsets tried per block: 0 and the seven most voted */

struct enc {
	uint8_t encoding;
	uint32_t bs;
	const uint8_t *image, *base;
	uint32_t len, base_len;
	LZ4_streamHC_t *hc;
	uint32_t *index;   /* base position + 1 by hash of ANCHOR bytes; 0 empty */
	uint8_t *best, *cand, *diff, *check;
	uint8_t *from;     /* split_runs: block_size x NDELTA choices */
	size_t best_len;
};

static uint32_t hash_at(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < ANCHOR; i++)
		v = v << 8 | p[i];
	return (uint32_t)((v * 0x9E3779B97F4A7C15ull) >> (64u - HASH_BITS));
}

/* data_len bytes of method data are in e->cand + FWS_UNIT_HDR_LEN: make it
 * the best unit if it is smaller than the best so far. */
static void offer(struct enc *e, uint8_t method, uint8_t source, uint32_t ref_off,
                  uint32_t ref_len, uint32_t data_len)
{
	fws_unit u = { method, source, (uint16_t)ref_len, ref_off, data_len };
	uint8_t *t;

	if (data_len == 0u || FWS_UNIT_HDR_LEN + (size_t)data_len >= e->best_len)
		return;
	fws_unit_hdr_encode(&u, e->cand);
	e->best_len = FWS_UNIT_HDR_LEN + (size_t)data_len;
	t = e->best;
	e->best = e->cand;
	e->cand = t;
}

static uint32_t lz4_with(struct enc *e, const uint8_t *dict, uint32_t dict_len,
                         const uint8_t *src, uint32_t n)
{
	int r;

	LZ4_resetStreamHC_fast(e->hc, HC_LEVEL);
	if (dict_len)
		LZ4_loadDictHC(e->hc, (const char *)dict, (int)dict_len);
	/* no more than the block: a unit must decode in place (encoding.h) */
	r = LZ4_compress_HC_continue(e->hc, (const char *)src,
	                             (char *)e->cand + FWS_UNIT_HDR_LEN, (int)n, (int)n);
	return r > 0 ? (uint32_t)r : 0u;
}

/* lz4 with the dictionary [end - 65535, end) of the base (clipped). */
static void try_base_window(struct enc *e, int64_t end, const uint8_t *blk, uint32_t n,
                            int64_t tried[], unsigned *ntried)
{
	int64_t start;

	if (end > (int64_t)e->base_len)
		end = e->base_len;
	if (end < 1)
		return;
	start = end - FWS_UNIT_REF_MAX < 0 ? 0 : end - FWS_UNIT_REF_MAX;
	for (unsigned i = 0; i < *ntried; i++)
		if (tried[i] == start * 0x100000000ll + end)
			return;
	tried[(*ntried)++] = start * 0x100000000ll + end;
	offer(e, FWS_UNIT_LZ4, FWS_SRC_BASE, (uint32_t)start, (uint32_t)(end - start),
	      lz4_with(e, e->base + start, (uint32_t)(end - start), blk, n));
}

/* lz4-add: the block as differences against the base, run by run (at[i]
 * the block position where run i starts, off[i] its base offset). */
static void try_add(struct enc *e, const uint8_t *blk, uint32_t n, const uint32_t *at,
                    const uint32_t *off, unsigned runs)
{
	uint8_t *d = e->cand + FWS_UNIT_HDR_LEN;
	uint32_t table = 1u + (runs - 1u) * FWS_UNIT_RUN_LEN;
	int r;

	if (runs == 0u || runs > FWS_UNIT_RUNS_MAX || table >= n)
		return;
	for (unsigned i = 0; i < runs; i++) {
		uint32_t end = i + 1u < runs ? at[i + 1u] : n;

		if ((uint64_t)off[i] + (end - at[i]) > e->base_len)
			return;
		for (uint32_t k = at[i]; k < end; k++)
			e->diff[k] = (uint8_t)(blk[k] - e->base[off[i] + (k - at[i])]);
	}
	d[0] = (uint8_t)(runs - 1u);
	for (unsigned i = 1; i < runs; i++) {
		fws_put_le16(d + 1u + (i - 1u) * FWS_UNIT_RUN_LEN, (uint16_t)at[i]);
		fws_put_le32(d + 3u + (i - 1u) * FWS_UNIT_RUN_LEN, off[i]);
	}
	r = LZ4_compress_HC((const char *)e->diff, (char *)d + table, (int)n, (int)(n - table),
	                    HC_LEVEL);
	offer(e, FWS_UNIT_LZ4_ADD, FWS_SRC_BASE, off[0], 0u, r > 0 ? table + (uint32_t)r : 0u);
}

/* Split the block into runs, each against the base at one of the offsets
 * (deltas): the fewest differing bytes, a run costing `penalty` bytes more
 * (a dynamic programme over positions, bsdiff's control stream in small).
 * Returns the number of runs, 0 if none fits FWS_UNIT_RUNS_MAX. */
static unsigned split_runs(struct enc *e, uint32_t x, const uint8_t *blk, uint32_t n,
                           const int64_t *deltas, unsigned nd, uint32_t penalty, uint32_t *at,
                           uint32_t *off)
{
	enum { INF = 1 << 28 };
	uint32_t cost[NDELTA] = {0}, next[NDELTA];
	unsigned runs = 0, d;

	for (uint32_t i = 0; i < n; i++) {
		unsigned best = 0;

		for (unsigned k = 1; k < nd; k++)
			if (cost[k] < cost[best])
				best = k;
		for (unsigned k = 0; k < nd; k++) {
			int64_t b = (int64_t)x + i + deltas[k];
			uint32_t mm = b < 0 || b >= (int64_t)e->base_len ? (uint32_t)INF
			              : e->base[b] != blk[i]           ? 1u
			                                               : 0u;
			uint32_t c = i == 0 ? 0u : cost[k];

			e->from[(size_t)i * NDELTA + k] = (uint8_t)k;
			if (i > 0 && cost[best] + penalty < c) {
				c = cost[best] + penalty;
				e->from[(size_t)i * NDELTA + k] = (uint8_t)best;
			}
			next[k] = c + mm > (uint32_t)INF ? (uint32_t)INF : c + mm;
		}
		memcpy(cost, next, sizeof cost);
	}
	d = 0;
	for (unsigned k = 1; k < nd; k++)
		if (cost[k] < cost[d])
			d = k;
	if (cost[d] >= (uint32_t)INF)
		return 0;
	/* walk back: a run starts wherever the choice changes */
	uint32_t starts[FWS_UNIT_RUNS_MAX];
	unsigned which[FWS_UNIT_RUNS_MAX];
	for (uint32_t i = n; i-- > 0;) {
		unsigned p = e->from[(size_t)i * NDELTA + d];

		if (i == 0 || p != d) {
			if (runs == FWS_UNIT_RUNS_MAX)
				return 0;
			starts[runs] = i;
			which[runs++] = d;
			d = p;
		}
	}
	for (unsigned i = 0; i < runs; i++) {
		at[i] = starts[runs - 1u - i];
		off[i] = (uint32_t)((int64_t)x + at[i] + deltas[which[runs - 1u - i]]);
	}
	return runs;
}

/* Offsets (base position - image position) at which the block's bytes
 * occur in the base most often: where the old code of this block went. */
static unsigned vote(const struct enc *e, uint32_t x, uint32_t n, int64_t out[NDELTA])
{
	int64_t d[TALLY];
	uint32_t c[TALLY];
	unsigned nd = 0, k = 1;

	out[0] = 0;
	for (uint32_t i = 0; i + ANCHOR <= n; i += SAMPLE) {
		uint32_t p = e->index[hash_at(e->image + x + i)];
		int64_t delta;
		unsigned j;

		if (p == 0u || memcmp(e->base + p - 1u, e->image + x + i, ANCHOR) != 0)
			continue;
		delta = (int64_t)(p - 1u) - (int64_t)(x + i);
		for (j = 0; j < nd && d[j] != delta; j++)
			;
		if (j == nd) {
			if (nd == TALLY)
				continue;
			d[nd] = delta;
			c[nd++] = 0;
		}
		c[j]++;
	}
	while (k < NDELTA) {
		unsigned top = TALLY;

		for (unsigned j = 0; j < nd; j++) {
			if (d[j] == 0 || c[j] == 0u)
				continue;
			if (top == TALLY || c[j] > c[top])
				top = j;
		}
		if (top == TALLY)
			break;
		out[k++] = d[top];
		c[top] = 0;
	}
	return k;
}

static const uint8_t *map_refs(void *ctx, uint8_t source, uint32_t off, size_t len)
{
	const struct enc *e = ctx;

	(void)len; /* the decoder checked the range against image_done / base_len */
	return source == FWS_SRC_IMAGE ? e->image + off : e->base + off;
}

/* The smallest unit for block k into e->best / e->best_len, checked by
 * decoding it. */
static fws_err encode_block(struct enc *e, uint32_t k)
{
	uint32_t x = k * e->bs;
	uint32_t n = e->len - x < e->bs ? e->len - x : e->bs;
	const uint8_t *blk = e->image + x;
	fws_unit_refs refs = { map_refs, e, x, e->base_len };

	/* raw: the fallback every block has */
	fws_unit raw = { FWS_UNIT_RAW, FWS_SRC_NONE, 0, 0, n };
	fws_unit_hdr_encode(&raw, e->best);
	memcpy(e->best + FWS_UNIT_HDR_LEN, blk, n);
	e->best_len = FWS_UNIT_HDR_LEN + (size_t)n;

	if (x == 0u) {
		offer(e, FWS_UNIT_LZ4, FWS_SRC_NONE, 0, 0, lz4_with(e, NULL, 0, blk, n));
	} else {
		uint32_t dl = x < FWS_UNIT_REF_MAX ? x : FWS_UNIT_REF_MAX;

		offer(e, FWS_UNIT_LZ4, FWS_SRC_IMAGE, x - dl, dl,
		      lz4_with(e, e->image + x - dl, dl, blk, n));
	}
	if (e->encoding == FWS_ENC_LZ4_DELTA) {
		int64_t deltas[NDELTA], tried[2u * NDELTA];
		unsigned nt = 0, nd = vote(e, x, n, deltas);

		for (unsigned i = 0; i < nd; i++) {
			int64_t at = (int64_t)x + deltas[i];
			uint32_t zero = 0, o = (uint32_t)at;

			if (at >= 0)
				try_add(e, blk, n, &zero, &o, 1);
			/* the old bytes of this block end the window, or sit
			 * a quarter of it back (code that grew) */
			try_base_window(e, at + n, blk, n, tried, &nt);
			try_base_window(e, at + n + 16384, blk, n, tried, &nt);
		}
		/* parts of the block moved by different amounts: what a run
		 * costs decides how finely it splits; the smallest unit wins */
		for (uint32_t penalty = 8; nd > 1u && penalty <= 2048; penalty *= 4) {
			uint32_t at[FWS_UNIT_RUNS_MAX], off[FWS_UNIT_RUNS_MAX];
			unsigned runs = split_runs(e, x, blk, n, deltas, nd, penalty, at, off);

			if (runs > 1u)
				try_add(e, blk, n, at, off, runs);
		}
	}

	/* Never trust the encoder: the unit must decode to the block. */
	memcpy(e->check, e->best, e->best_len);
	if (fws_unit_decode(e->check, FWS_ENC_BUF_NEED(e->bs), e->best_len, n, e->encoding,
	                    &refs) != FWS_OK ||
	    memcmp(e->check, blk, n) != 0)
		return FWS_E_ENCODING;
	return FWS_OK;
}

void fws_encoded_free(fws_encoded *out)
{
	free(out->units);
	free(out->unit_off);
	free(out->digests);
	memset(out, 0, sizeof *out);
}

static void enc_free(struct enc *e)
{
	LZ4_freeStreamHC(e->hc);
	free(e->index);
	free(e->best);
	free(e->cand);
	free(e->diff);
	free(e->check);
	free(e->from);
}

fws_err fws_encode_image(uint8_t encoding, uint32_t block_size, const uint8_t *image,
                         uint32_t len, const uint8_t *base, uint32_t base_len,
                         fws_encoded *out)
{
	struct enc e;
	uint32_t n;
	fws_err err = FWS_OK;
	bool delta = encoding == FWS_ENC_LZ4_DELTA;

	memset(out, 0, sizeof *out);
	if ((encoding != FWS_ENC_LZ4 && !delta) || image == NULL || len == 0u ||
	    len > FWS_PKG_PAYLOAD_MAX || block_size < 256u || block_size > 65536u ||
	    (block_size & (block_size - 1u)) != 0u || delta != (base != NULL && base_len != 0u))
		return FWS_E_INVAL;
	memset(&e, 0, sizeof e);
	e.encoding = encoding;
	e.bs = block_size;
	e.image = image;
	e.len = len;
	e.base = base;
	e.base_len = delta ? base_len : 0u;
	n = len / block_size + (len % block_size != 0u);

	e.hc = LZ4_createStreamHC();
	e.best = malloc(FWS_ENC_BUF_NEED(block_size));
	e.cand = malloc(FWS_ENC_BUF_NEED(block_size));
	e.diff = malloc(block_size);
	e.check = malloc(FWS_ENC_BUF_NEED(block_size));
	e.from = malloc((size_t)block_size * NDELTA);
	out->units = malloc((size_t)n * FWS_UNIT_HDR_LEN + len);
	out->unit_off = malloc(((size_t)n + 1u) * sizeof(uint32_t));
	out->digests = malloc(((size_t)n + 1u) * FWS_SHA256_LEN);
	if (delta)
		e.index = calloc((size_t)1 << HASH_BITS, sizeof(uint32_t));
	if (!e.hc || !e.best || !e.cand || !e.diff || !e.check || !e.from || !out->units ||
	    !out->unit_off ||
	    !out->digests || (delta && !e.index)) {
		err = FWS_E_NOMEM;
		goto done;
	}
	if (delta) {
		/* first occurrence wins: it is found from the front */
		for (uint32_t i = base_len >= ANCHOR ? base_len - ANCHOR + 1u : 0u; i-- > 0;)
			e.index[hash_at(base + i)] = i + 1u;
	}

	out->encoding = encoding;
	out->block_size = block_size;
	out->count = n;
	for (uint32_t k = 0; k < n; k++) {
		fws_unit u;

		err = encode_block(&e, k);
		if (err != FWS_OK)
			goto done;
		out->unit_off[k] = (uint32_t)out->units_len;
		memcpy(out->units + out->units_len, e.best, e.best_len);
		out->units_len += e.best_len;
		fws_unit_hdr_parse(e.best, &u);
		out->by_method[u.method]++;
		out->by_source[u.source]++;
	}
	out->unit_off[n] = (uint32_t)out->units_len;

	/* D(n) = 0; D(i) = SHA-256(unit i || D(i+1)) */
	memset(out->digests + (size_t)n * FWS_SHA256_LEN, 0, FWS_SHA256_LEN);
	for (uint32_t i = n; i-- > 0 && err == FWS_OK;)
		err = fws_sha256_2(out->units + out->unit_off[i],
		                   out->unit_off[i + 1u] - out->unit_off[i],
		                   out->digests + (size_t)(i + 1u) * FWS_SHA256_LEN, FWS_SHA256_LEN,
		                   out->digests + (size_t)i * FWS_SHA256_LEN);
done:
	enc_free(&e);
	if (err != FWS_OK)
		fws_encoded_free(out);
	return err;
}
