/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pack_stream.h - the parts of a package file (docs/package-format.md) that
 * `fwseal pack` writes around its prefix, in one read of the image and with
 * memory flat in the image's size.
 *
 * A package is prefix || stream || DFU suffix. The prefix (header, manifest,
 * signatures) needs the stream's digests, and the manifest's length does not
 * depend on their values, so a packer places the stream first at
 * prefix_len (a manifest encoded with zero digests gives it), then signs
 * and lets pack_stream_finish() put the prefix in front and the suffix
 * behind:
 *
 *     struct pack_stream ps = {.at = prefix_len};
 *     pack_stream_blocks(&out, image_fd, image_len, block_size, &ps);
 *     ... manifest with ps.chain_head and ps.image_sha256, signatures ...
 *     pack_stream_finish(&out, prefix, prefix_len, &ps, vendor_id, product_id);
 *
 * A packer with a stream of its own (encoded units) writes it at ps.at
 * itself, sets ps.len and ps.crc (fwh_crc32 over the stream alone, from 0)
 * and calls pack_stream_finish() the same way.
 */
#ifndef FWSEAL_CLI_PACK_STREAM_H
#define FWSEAL_CLI_PACK_STREAM_H

#include <stdint.h>

#include "atomic_out.h"
#include "fwseal/crypto.h"

struct pack_stream {
	uint64_t at;  /* in: where the stream starts in the output (the prefix's length) */
	uint64_t len; /* out: its length in bytes */
	uint32_t crc; /* out: fwh_crc32(0, stream) */
	uint8_t chain_head[FWS_SHA256_LEN];   /* out: D(0) */
	uint8_t image_sha256[FWS_SHA256_LEN]; /* out: SHA-256 of the image as read */
};

enum pack_stream_err {
	PACK_STREAM_OK = 0,
	PACK_STREAM_INVAL,       /* no image bytes, or a block size the format has not */
	PACK_STREAM_NOMEM,       /* the two chunk buffers (about 0.5 MiB) */
	PACK_STREAM_IMAGE_READ,  /* reading the image failed: errno says why */
	PACK_STREAM_IMAGE_SHORT, /* the image ended before image_len bytes */
	PACK_STREAM_OUT,         /* writing or reading back the output failed: out->err */
};

/* The stream of a plain package: block 0 || D(1) || block 1 || D(2) ... ||
 * block n-1 || D(n), with D(n) = 32 zero bytes and D(i) = SHA-256(block i ||
 * D(i+1)), written at ps->at in out from the image_len bytes of image_fd
 * cut into block_size blocks (a power of two, FWS_PKG_BLOCK_MIN..MAX; the
 * last block may be short).
 *
 * The image is read once, front to back; the whole-image SHA-256 runs over
 * it as it is read, and every block goes to its place in out. The chain
 * needs the blocks last to first, so a second pass walks the output
 * backwards and fills in the digests; the stream's CRC is the CRC of those
 * pieces combined. What is packed is what was read: an image that changes
 * meanwhile gives a package of one consistent image or an error, never a
 * mix. Hashes use the host's SHA-256 engine (OpenSSL, as `fwseal verify`).
 * Fills in ps->len, crc, chain_head and image_sha256 on PACK_STREAM_OK. */
enum pack_stream_err pack_stream_blocks(struct atomic_out *out, int image_fd, uint32_t image_len,
                                        uint32_t block_size, struct pack_stream *ps);

/* The prefix at 0 and the DFU suffix (DFU 1.1 appendix B: bcdDevice any,
 * the given vendor and product ids, the CRC over every byte before it) at
 * ps->at + ps->len. Errors in out->err (EINVAL if ps->at is not prefix_len). */
void pack_stream_finish(struct atomic_out *out, const uint8_t *prefix, size_t prefix_len,
                        const struct pack_stream *ps, uint16_t vendor_id, uint16_t product_id);

#endif /* FWSEAL_CLI_PACK_STREAM_H */
