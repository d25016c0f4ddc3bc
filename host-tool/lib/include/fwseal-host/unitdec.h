/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/unitdec.h - the host's side of compressed and delta packages
 * (fwseal/encoding.h): decode the verified units the package reader
 * delivers, one after the other, with the shared decoder the device runs,
 * and hash the decoded image. The image's own history is kept in a window
 * of 64 KiB plus one block (all a unit may refer to), so memory stays
 * bounded whatever the image size. A delta package's base is either given
 * (then the image is rebuilt and its SHA-256 checked) or not: then every
 * unit is still decoded against a stand-in of zeros, which checks its
 * structure (rules, references inside the base, exact length) but not the
 * image; the device checks that over the image it builds on its base.
 */
#ifndef FWSEAL_HOST_UNITDEC_H
#define FWSEAL_HOST_UNITDEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/pkg.h"

typedef struct fwh_unitdec fwh_unitdec;

/* For the package m describes (m->encoding != 0). base may be NULL. If
 * keep is non-NULL the whole decoded image is also kept there (it must hold
 * m->payload_size bytes). NULL when out of memory. */
fwh_unitdec *fwh_unitdec_new(const fws_manifest *m, const uint8_t *base, size_t base_len,
                             uint8_t *keep);

/* Decode the unit the reader just delivered (FWS_PKG_BLOCK): in place in
 * r->buf, which then holds the image block. FWS_E_ENCODING when the unit
 * does not decode, FWS_E_BASE when the given base is not the package's. */
fws_err fwh_unitdec_block(fwh_unitdec *d, fws_pkg_reader *r);

/* After the last block: true and the decoded image's SHA-256 in out when
 * the image could be rebuilt (a compressed package, or a delta with its
 * base); false when it could not (a delta without its base). */
bool fwh_unitdec_image_sha256(fwh_unitdec *d, uint8_t out[FWS_SHA256_LEN]);

void fwh_unitdec_free(fwh_unitdec *d);

#endif /* FWSEAL_HOST_UNITDEC_H */
