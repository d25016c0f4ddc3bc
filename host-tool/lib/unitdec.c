/* SPDX-License-Identifier: Apache-2.0 */
/* unitdec.c - see fwseal-host/unitdec.h. */
#include "fwseal-host/unitdec.h"

#include <stdlib.h>
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal-host/sha256.h"

/* A stand-in for a base the host does not have: a reference is at most
 * one block (lz4-add) or FWS_UNIT_REF_MAX bytes (a dictionary). */
static const uint8_t zeros[FWS_PKG_BLOCK_MAX];

struct fwh_unitdec {
	uint8_t encoding;
	const uint8_t *base;     /* NULL: structure only */
	size_t base_len;         /* the manifest's base_size */
	uint8_t *keep;
	uint8_t *win;            /* decoded image [win_start, done) */
	size_t win_cap;
	uint64_t win_start, done;
	fwh_sha256 sha;
	bool hashing;
	bool wrong_base;         /* a base was given, and it is not the package's */
};

fwh_unitdec *fwh_unitdec_new(const fws_manifest *m, const uint8_t *base, size_t base_len,
                             uint8_t *keep)
{
	fwh_unitdec *d = calloc(1, sizeof *d);

	if (d == NULL)
		return NULL;
	d->encoding = m->encoding;
	d->base = m->encoding == FWS_ENC_LZ4_DELTA ? base : NULL;
	d->base_len = m->encoding == FWS_ENC_LZ4_DELTA ? m->base_size : 0u;
	if (d->base != NULL) {
		uint8_t h[FWS_SHA256_LEN];

		fwh_sha256_engine(NULL, base, base_len, NULL, 0, h);
		d->wrong_base = base_len != m->base_size ||
		                memcmp(h, m->base_sha256, FWS_SHA256_LEN) != 0;
	}
	d->keep = keep;
	d->win_cap = 2u * (FWS_UNIT_REF_MAX + 1u) + m->block_size;
	d->win = malloc(d->win_cap);
	if (d->win == NULL) {
		free(d);
		return NULL;
	}
	fwh_sha256_init(&d->sha);
	d->hashing = true;
	return d;
}

static const uint8_t *map(void *ctx, uint8_t source, uint32_t off, size_t len)
{
	const fwh_unitdec *d = ctx;

	if (source == FWS_SRC_BASE) {
		if (d->base != NULL)
			return d->base + off;
		return len <= sizeof zeros ? zeros : NULL;
	}
	/* the image: the decoder checked off + len <= done */
	if (off < d->win_start)
		return NULL; /* further back than a unit may refer (never: REF_MAX) */
	return d->win + (off - d->win_start);
}

fws_err fwh_unitdec_block(fwh_unitdec *d, fws_pkg_reader *r)
{
	fws_unit_refs refs = { map, d, (uint32_t)d->done, (uint32_t)d->base_len };

	if (d->wrong_base)
		return FWS_E_BASE;
	if (d->encoding == FWS_ENC_LZ4_DELTA && d->base == NULL && d->hashing) {
		/* no base: the image cannot be rebuilt, only its units checked */
		uint8_t unused[FWS_SHA256_LEN];

		fwh_sha256_final(&d->sha, unused);
		d->hashing = false;
	}
	fws_err e = fws_unit_decode(r->buf, r->buf_cap, r->unit_len, r->block_len, d->encoding,
	                            &refs);
	if (e != FWS_OK)
		return e;
	/* keep the last FWS_UNIT_REF_MAX bytes and the new block */
	if ((size_t)(d->done - d->win_start) + r->block_len > d->win_cap) {
		size_t keep = FWS_UNIT_REF_MAX + 1u;
		size_t have = (size_t)(d->done - d->win_start);

		memmove(d->win, d->win + have - keep, keep);
		d->win_start = d->done - keep;
	}
	memcpy(d->win + (d->done - d->win_start), r->buf, r->block_len);
	if (d->keep != NULL)
		memcpy(d->keep + d->done, r->buf, r->block_len);
	if (d->hashing)
		fwh_sha256_update(&d->sha, r->buf, r->block_len);
	d->done += r->block_len;
	return FWS_OK;
}

bool fwh_unitdec_image_sha256(fwh_unitdec *d, uint8_t out[FWS_SHA256_LEN])
{
	if (!d->hashing)
		return false;
	fwh_sha256_final(&d->sha, out);
	d->hashing = false;
	return true;
}

void fwh_unitdec_free(fwh_unitdec *d)
{
	if (d == NULL)
		return;
	if (d->hashing) {
		uint8_t unused[FWS_SHA256_LEN];

		fwh_sha256_final(&d->sha, unused);
	}
	free(d->win);
	free(d);
}
