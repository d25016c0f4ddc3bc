/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/pkgimage.h - the image a package carries, rebuilt in memory:
 * what `fwseal pack --delta-from OLD` encodes against. The package is read
 * through the shared reader and decoder; its hash chain and image SHA-256
 * are checked, its signature is not (the device checks the base by its own
 * digest of the image it runs, so a wrong OLD only makes a delta that the
 * device refuses before it writes anything).
 */
#ifndef FWSEAL_HOST_PKGIMAGE_H
#define FWSEAL_HOST_PKGIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/pkg.h"
#include "fwseal-host/error.h"

typedef struct fwh_pkg_image {
	uint8_t *image;          /* malloc'd, m.payload_size bytes */
	size_t len;
	fws_manifest m;          /* text spans relative to prefix */
	uint8_t prefix[FWS_PKG_PREFIX_MAX];
	size_t prefix_len;
} fwh_pkg_image;

/* Read path's image. A delta package cannot be rebuilt without its own
 * base: FWS_E_BASE with a sentence saying to use the full or compressed
 * package of that release. Other errors: FWS_E_IO, package errors. */
fws_err fwh_pkg_image_load(fwh_pkg_image *out, const char *path, fwh_error *err);
void fwh_pkg_image_free(fwh_pkg_image *p);

#endif /* FWSEAL_HOST_PKGIMAGE_H */
