/* SPDX-License-Identifier: Apache-2.0 */
/* pack_stream.c - see pack_stream.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwseal-host/crc32.h"
#include "fwseal-host/sha256.h"
#include "fwseal/pkg.h"
#include "pack_stream.h"

/* About this many image bytes per read and write: large enough that system
 * calls cost nothing next to the hashing, small enough to stay in cache. */
#define PACK_CHUNK (256u * 1024u)

/* Where everything is: a block i starts at unit_off(i), its digest slot
 * (D(i+1)) follows its block_len(i) bytes. */
struct layout {
	uint64_t at;
	uint32_t block_size, nblocks, image_len;
	uint32_t per_chunk; /* blocks per chunk, >= 4 (FWS_PKG_BLOCK_MAX <= PACK_CHUNK / 4) */
};

static size_t block_len(const struct layout *l, uint32_t i)
{
	uint64_t from = (uint64_t)i * l->block_size;
	return l->image_len - from < l->block_size ? (size_t)(l->image_len - from) : l->block_size;
}

static uint64_t unit_off(const struct layout *l, uint32_t i)
{
	return l->at + (uint64_t)i * ((uint64_t)l->block_size + FWS_SHA256_LEN);
}

/* Blocks in the chunk that starts at block c. */
static uint32_t chunk_blocks(const struct layout *l, uint32_t c)
{
	return l->nblocks - c < l->per_chunk ? l->nblocks - c : l->per_chunk;
}

/* Image bytes of the chunk at block c: all full blocks but maybe the last. */
static size_t chunk_image_len(const struct layout *l, uint32_t c)
{
	uint32_t n = chunk_blocks(l, c);
	return (size_t)(n - 1u) * l->block_size + block_len(l, c + n - 1u);
}

/* Read exactly len bytes at off. */
static enum pack_stream_err image_read(int fd, uint64_t off, uint8_t *dst, size_t len)
{
	while (len > 0) {
		ssize_t n = pread(fd, dst, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return PACK_STREAM_IMAGE_READ;
		if (n == 0)
			return PACK_STREAM_IMAGE_SHORT;
		dst += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return PACK_STREAM_OK;
}

/* Pass 1, front to back: read the image once, hash it whole, put every
 * block at its place in out with a zero digest slot after it. */
static enum pack_stream_err place_blocks(struct atomic_out *out, int fd, const struct layout *l,
                                         uint8_t *img, uint8_t *units,
                                         uint8_t image_sha256[FWS_SHA256_LEN])
{
	enum pack_stream_err e = PACK_STREAM_OK;
	fwh_sha256 sha;
	fwh_sha256_init(&sha);
	for (uint32_t c = 0; c < l->nblocks && !e; c += l->per_chunk) {
		uint32_t n = chunk_blocks(l, c);
		size_t bytes = chunk_image_len(l, c), at = 0;
		e = image_read(fd, (uint64_t)c * l->block_size, img, bytes);
		if (e)
			break;
		fwh_sha256_update(&sha, img, bytes);
		for (uint32_t i = c; i < c + n; i++) {
			size_t len = block_len(l, i);
			memcpy(units + at, img + (size_t)(i - c) * l->block_size, len);
			memset(units + at + len, 0, FWS_SHA256_LEN);
			at += len + FWS_SHA256_LEN;
		}
		atomic_out_pwrite(out, units, at, unit_off(l, c));
		if (out->err)
			e = PACK_STREAM_OUT;
	}
	fwh_sha256_final(&sha, image_sha256);
	return e;
}

/* Pass 2, back to front over out: D(i) = SHA-256(block i || D(i+1)) into
 * the slot after block i - 1, and the stream's CRC, chunk CRCs combined
 * (crc(A || B) from crc(A), crc(B) and the length of B). */
static enum pack_stream_err chain_blocks(struct atomic_out *out, const struct layout *l,
                                         uint8_t *units, struct pack_stream *ps)
{
	uint8_t next[FWS_SHA256_LEN] = {0}; /* D(n) */
	uint32_t crc = 0, shift = fwh_crc32_shift(0);
	uint32_t c = (l->nblocks - 1u) / l->per_chunk * l->per_chunk;
	fwh_sha256 sha;
	fwh_sha256_open(&sha);
	for (;;) {
		uint32_t n = chunk_blocks(l, c);
		size_t bytes = chunk_image_len(l, c) + (size_t)n * FWS_SHA256_LEN, at = bytes;
		if (!atomic_out_pread(out, units, bytes, unit_off(l, c)))
			break;
		for (uint32_t i = c + n; i-- > c;) {
			size_t len = block_len(l, i);
			at -= len + FWS_SHA256_LEN;
			memcpy(units + at + len, next, FWS_SHA256_LEN); /* D(i+1) */
			fwh_sha256_digest2(&sha, units + at, len + FWS_SHA256_LEN, NULL, 0, next);
		}
		atomic_out_pwrite(out, units, bytes, unit_off(l, c));
		crc = fwh_crc32_concat(fwh_crc32(0, units, bytes), crc, shift);
		shift = fwh_crc32_shift_add(shift, fwh_crc32_shift(bytes));
		if (c == 0 || out->err)
			break;
		c -= l->per_chunk;
	}
	fwh_sha256_close(&sha);
	if (out->err)
		return PACK_STREAM_OUT;
	memcpy(ps->chain_head, next, FWS_SHA256_LEN);
	ps->crc = crc;
	return PACK_STREAM_OK;
}

enum pack_stream_err pack_stream_blocks(struct atomic_out *out, int image_fd, uint32_t image_len,
                                        uint32_t block_size, struct pack_stream *ps)
{
	struct layout l = {
		.at = ps->at,
		.block_size = block_size,
		.image_len = image_len,
		.nblocks = (uint32_t)(((uint64_t)image_len + block_size - 1u) / block_size),
		.per_chunk = PACK_CHUNK / block_size,
	};
	if (image_len == 0 || block_size < FWS_PKG_BLOCK_MIN || block_size > FWS_PKG_BLOCK_MAX ||
	    (block_size & (block_size - 1u)) != 0) {
		return PACK_STREAM_INVAL;
	}
	_Static_assert(FWS_PKG_BLOCK_MAX <= PACK_CHUNK / 4u, "a chunk holds several blocks");
	uint8_t *img = malloc(PACK_CHUNK);
	uint8_t *units = malloc((size_t)l.per_chunk * (block_size + FWS_SHA256_LEN));
	enum pack_stream_err e = PACK_STREAM_NOMEM;
	if (img && units) {
		/* one sequential read: let the kernel read ahead */
		(void)posix_fadvise(image_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		e = place_blocks(out, image_fd, &l, img, units, ps->image_sha256);
		if (!e)
			e = chain_blocks(out, &l, units, ps);
	}
	if (!e)
		ps->len = (uint64_t)image_len + (uint64_t)l.nblocks * FWS_SHA256_LEN;
	free(img);
	free(units);
	return e;
}

void pack_stream_finish(struct atomic_out *out, const uint8_t *prefix, size_t prefix_len,
                        const struct pack_stream *ps, uint16_t vendor_id, uint16_t product_id)
{
	if (ps->at != prefix_len && !out->err)
		out->err = EINVAL;
	atomic_out_pwrite(out, prefix, prefix_len, 0);
	uint32_t crc = fwh_crc32_concat(fwh_crc32(0, prefix, prefix_len), ps->crc,
	                                fwh_crc32_shift(ps->len));
	/* DFU 1.1 appendix B: bcdDevice 0xFFFF = any; the CRC covers every byte
	 * before dwCRC (dfu-util: init 0xFFFFFFFF, no final xor = ~zlib crc). */
	fws_dfu_suffix s = {
		.bcd_device = 0xFFFF,
		.id_product = product_id,
		.id_vendor = vendor_id,
		.bcd_dfu = 0x0100,
		.crc = 0,
	};
	uint8_t sfx[FWS_PKG_SUFFIX_LEN];
	fws_dfu_suffix_encode(&s, sfx);
	s.crc = ~fwh_crc32(crc, sfx, FWS_PKG_SUFFIX_LEN - 4);
	fws_dfu_suffix_encode(&s, sfx);
	atomic_out_pwrite(out, sfx, sizeof sfx, ps->at + ps->len);
}
