/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/package.h - a package file as the flashing session uses it:
 * verified completely on the host first (signature against the trust store,
 * every block against the hash chain, whole-image SHA-256, DFU suffix CRC)
 * in bounded memory by the shared verifier (fwseal-host/pkgcheck.h), then
 * read again in pieces from the same open file while it is streamed. The
 * device verifies everything once more; the host check only spares the user
 * a pointless transfer and gives a clear error early.
 *
 * Also: loading a trust store and where the default one lives.
 */
#ifndef FWSEAL_HOST_PACKAGE_H
#define FWSEAL_HOST_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/pkg.h"
#include "fwseal/trust.h"
#include "fwseal-host/error.h"

typedef struct fwh_package {
	int fd;
	uint64_t file_size;
	uint64_t stream_len;            /* bytes the device gets: file minus DFU suffix */
	uint8_t prefix[FWS_PKG_PREFIX_MAX];
	size_t prefix_len;              /* header + manifest + signatures */
	uint8_t prefix_sha256[FWS_SHA256_LEN]; /* matched against a device's RESUME */
	fws_manifest manifest;          /* spans relative to prefix */
	uint8_t signer[FWS_KEY_ID_LEN];
	fws_dfu_suffix suffix;
	uint8_t file_sha256[FWS_SHA256_LEN];  /* of the whole file (records) */
} fwh_package;

/* Open and verify path with trust. On error the package is closed. Errors:
 * FWS_E_IO (file), package errors (FWS_E_SIGNATURE, FWS_E_BLOCK_DIGEST, ...,
 * FWS_E_SUFFIX), each with a sentence naming the file. */
fws_err fwh_package_open(fwh_package *p, const char *path, const fws_trust *trust,
                         fwh_error *err);

/* Read stream bytes [off, off+len) (never the suffix). */
fws_err fwh_package_read(const fwh_package *p, uint64_t off, uint8_t *dst, size_t len,
                         fwh_error *err);

void fwh_package_close(fwh_package *p);

/* NUL-terminated copy of a manifest text span into buf (cap bytes). */
const char *fwh_package_text(const fwh_package *p, fws_span s, char *buf, size_t cap);

/* Load and check a trust store file (`fwseal key export-trust` output). */
fws_err fwh_trust_load(const char *path, fws_trust *out, fwh_error *err);

/* The trust store used when none is named, first that exists:
 *   $FWSEAL_TRUST, $XDG_CONFIG_HOME/fwseal/trust.fwst (default
 *   ~/.config/fwseal/trust.fwst), /etc/fwseal/trust.fwst.
 * Returns buf, or NULL if none exists. */
#define FWH_TRUST_ENV "FWSEAL_TRUST"
const char *fwh_trust_default_path(char *buf, size_t cap);

#endif /* FWSEAL_HOST_PACKAGE_H */
