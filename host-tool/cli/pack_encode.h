/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pack_encode.h - `fwseal pack --compress lz4` and `--delta-from OLD`: the
 * image encoded into units (fwseal/encoding.h) and the manifest fields that
 * say so. The image (and for a delta the old image, rebuilt from OLD) are
 * held in memory while packing (read once); the units are decoded again by
 * the encoder before they are kept.
 */
#ifndef FWSEAL_PACK_ENCODE_H
#define FWSEAL_PACK_ENCODE_H

#include <stdbool.h>
#include <stdint.h>

#include "atomic_out.h"
#include "fwseal/encoding.h"
#include "fwseal/pkg.h"
#include "fwseal-host/pkgimage.h"
#include "pack_stream.h"

struct pack_enc {
	uint8_t encoding;        /* 0: a plain package (nothing here is used) */
	const char *delta_from;  /* OLD.fwseal for FWS_ENC_LZ4_DELTA */
	uint8_t *image;
	size_t image_len;
	fwh_pkg_image old;
	char old_version[FWS_VERSION_MAX + 1];
	fws_encoded enc;
	uint8_t image_sha256[FWS_SHA256_LEN]; /* of the image as read */
};

/* Parse --compress's argument: true and pe->encoding set for "lz4". */
bool pack_enc_option(struct pack_enc *pe, const char *arg);

/* Read the image from fd (len bytes), for a delta also OLD, encode, and
 * fill m's payload_size, chain_head, image_sha256 and encoding fields.
 * Returns -1 on success, else an exit code (the error was printed). */
int pack_enc_prepare(struct pack_enc *pe, int fd, uint64_t len, fws_manifest_in *m);

/* The block stream of the encoded package: every unit followed by its
 * next-digest, written at ps->at in out (the single pass of
 * pack_stream.h: the prefix and the suffix come after, from
 * pack_stream_finish). Fills in ps->len, crc, chain_head and image_sha256
 * as pack_stream_blocks does; false when out failed (out->err). */
bool pack_enc_stream(const struct pack_enc *pe, struct atomic_out *out, struct pack_stream *ps);

void pack_enc_free(struct pack_enc *pe);

#endif /* FWSEAL_PACK_ENCODE_H */
