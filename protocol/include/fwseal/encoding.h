/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal/encoding.h - compressed and delta packages (docs/package-format.md,
 * "Encoded payloads"): the block units that replace plain blocks, and their
 * decoder. Shared unchanged by the host tools and the device stub.
 *
 * In an encoded package the hash chain runs over the transmitted units, so
 * each unit is verified (fws_pkg_reader) BEFORE it is decoded; the unit then
 * decodes, in place in the reader's buffer, into exactly one image block
 * (block_size bytes, the last one shorter). The decoder takes its history
 * ("reference") from bytes it can read but does not hold in RAM: the image
 * blocks already decoded and written (compression), or the base image the
 * package was made against (delta). On a device both are flash; a port
 * offers them through fws_hal.flash_map (fwseal/hal.h). The whole-image
 * SHA-256 of the manifest covers the decoded image, checked as for a plain
 * package.
 *
 * Unit layout (all little-endian), followed in the stream by D(i+1):
 *
 *   0  u8   method    0 raw, 1 lz4, 2 lz4-add
 *   1  u8   source    0 none, 1 image (decoded so far), 2 base image
 *   2  u16  ref_len   reference bytes (lz4: the dictionary, <= 65535)
 *   4  u32  ref_off   offset of the reference in its source
 *   8  u32  data_len  bytes of method data that follow (1..block_len)
 *  12  ...  data
 *
 *   raw      data is the block itself (data_len == block_len); no reference.
 *   lz4      data is one LZ4 block (lz4's block format) that decodes to
 *            exactly block_len bytes with the reference as its dictionary
 *            (source 0: none).
 *   lz4-add  data is a table of runs, then one LZ4 block without
 *            dictionary that decodes to block_len bytes of differences; byte
 *            i of the block is difference i plus (mod 256) the base byte its
 *            run points at (source 2, ref_len 0). bsdiff's idea, for code
 *            whose addresses moved a little and whose parts moved apart:
 *              u8 n                      further runs, 0..FWS_UNIT_RUNS_MAX - 1
 *              n x { u16 at, u32 off }   from block position at on (ascending,
 *                                        0 < at < block_len), the base at off
 *            the first run starts at position 0 with the base at ref_off;
 *            each run ends where the next starts (the last at block_len).
 *
 * A reference must lie inside what its source has: for source 1, before the
 * unit's own block (ref_off + ref_len <= k * block_size); for source 2,
 * inside the base image (manifest base tag); source 2 only in delta packages.
 */
#ifndef FWSEAL_ENCODING_H
#define FWSEAL_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/crypto.h"
#include "fwseal/err.h"

/* Payload encodings (manifest FWS_TAG_ENCODING, device-info ENCODINGS). */
enum fws_encoding {
	FWS_ENC_NONE = 0,      /* plain blocks (no encoding tag) */
	FWS_ENC_LZ4 = 1,       /* compressed: units may refer to the image so far */
	FWS_ENC_LZ4_DELTA = 2, /* delta: units may also refer to the base image */
};
#define FWS_ENC_MAX 2u

/* "none", "lz4", "lz4-delta"; "unknown" otherwise. */
const char *fws_encoding_name(uint8_t enc);

enum fws_unit_method {
	FWS_UNIT_RAW = 0,
	FWS_UNIT_LZ4 = 1,
	FWS_UNIT_LZ4_ADD = 2,
};

enum fws_unit_source {
	FWS_SRC_NONE = 0,
	FWS_SRC_IMAGE = 1,
	FWS_SRC_BASE = 2,
};

#define FWS_UNIT_HDR_LEN 12u
#define FWS_UNIT_REF_MAX 65535u /* LZ4's longest match distance */
#define FWS_UNIT_RUNS_MAX 8u    /* runs of an lz4-add unit */
#define FWS_UNIT_RUN_LEN 6u     /* u16 at, u32 off */

/* Buffer an encoded package needs for block size bs: the largest unit with
 * its next-digest (header + bs + 32), and room to decode bs bytes in place
 * (LZ4_DECOMPRESS_INPLACE_BUFFER_SIZE: bs + bs/256 + 32), whichever is more.
 * 4096 -> 4144 (a plain package needs 4128). */
#define FWS_ENC_OVERHEAD(bs) \
	(((bs) >> 8) + 32u > FWS_UNIT_HDR_LEN + FWS_SHA256_LEN ? ((bs) >> 8) + 32u \
	                                                       : FWS_UNIT_HDR_LEN + FWS_SHA256_LEN)
#define FWS_ENC_BUF_NEED(bs) ((size_t)(bs) + FWS_ENC_OVERHEAD(bs))

typedef struct fws_unit {
	uint8_t method;    /* enum fws_unit_method */
	uint8_t source;    /* enum fws_unit_source */
	uint16_t ref_len;
	uint32_t ref_off;
	uint32_t data_len;
} fws_unit;

void fws_unit_hdr_encode(const fws_unit *u, uint8_t out[FWS_UNIT_HDR_LEN]);
/* Fields only; what they must satisfy is checked by fws_unit_decode. */
void fws_unit_hdr_parse(const uint8_t in[FWS_UNIT_HDR_LEN], fws_unit *u);

/* Where the decoder reads references. map returns a pointer to len readable
 * bytes at off of source (FWS_SRC_IMAGE: the new image as decoded so far;
 * FWS_SRC_BASE: the base image), or NULL if it cannot; the decoder checks
 * the range against image_done / base_len before it asks. */
typedef struct fws_unit_refs {
	const uint8_t *(*map)(void *ctx, uint8_t source, uint32_t off, size_t len);
	void *ctx;
	uint32_t image_done; /* image bytes before this unit's block (k * block_size) */
	uint32_t base_len;   /* base image bytes; 0 when the package has no base */
} fws_unit_refs;

/* Decode one verified unit, in place: buf[0 .. unit_len) holds the unit
 * (header and data, without the digest); on FWS_OK buf[0 .. block_len) holds
 * the image block. buf_cap must be >= FWS_ENC_BUF_NEED(block size).
 * encoding is the package's (FWS_ENC_LZ4 or FWS_ENC_LZ4_DELTA).
 * Errors: FWS_E_ENCODING (a field out of its rules, a reference outside its
 * source, data that does not decode to exactly block_len bytes),
 * FWS_E_IO (map failed), FWS_E_INVAL (arguments). Never reads outside buf
 * and the mapped references, never writes outside buf. */
fws_err fws_unit_decode(uint8_t *buf, size_t buf_cap, size_t unit_len, size_t block_len,
                        uint8_t encoding, const fws_unit_refs *refs);

/* ---------------------------------------------------------------------- */
/* Encoder (host side: `fwseal pack --compress` / `--delta-from`)          */

/* What one image became. */
typedef struct fws_encoded {
	uint8_t encoding;
	uint32_t block_size;
	uint32_t count;         /* units = image blocks */
	uint8_t *units;         /* every unit back to back (header + data) */
	uint64_t units_len;
	uint32_t *unit_off;     /* count + 1 offsets into units */
	uint8_t *digests;       /* (count + 1) * 32: D(0)..D(count) over the units */
	uint32_t by_method[3];  /* units per enum fws_unit_method */
	uint32_t by_source[3];  /* units per enum fws_unit_source */
} fws_encoded;

/* Encode image (len bytes, in memory) in blocks of block_size: for every
 * block the smallest unit among raw, lz4 with the image before it as the
 * dictionary and, for FWS_ENC_LZ4_DELTA, lz4 with a window of the base
 * image as the dictionary and lz4-add against the base at the offsets where
 * the block matches it best. Computes the hash chain over the units.
 * base is NULL (base_len 0) unless the encoding is FWS_ENC_LZ4_DELTA.
 * Allocates out's arrays (fws_encoded_free). FWS_E_INVAL on bad arguments,
 * FWS_E_NOMEM when memory runs out. Deterministic: the same inputs give the
 * same units. */
fws_err fws_encode_image(uint8_t encoding, uint32_t block_size, const uint8_t *image,
                         uint32_t len, const uint8_t *base, uint32_t base_len,
                         fws_encoded *out);
void fws_encoded_free(fws_encoded *e);

#endif /* FWSEAL_ENCODING_H */
