/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/package.h - a package file as the flashing session uses it:
 * verified completely on the host first (signature against the trust store,
 * every block against the hash chain, whole-image SHA-256, DFU suffix CRC)
 * in bounded memory by the shared verifier (fwseal-host/pkgcheck.h), then
 * read again from the same open file while it is streamed, through the same
 * streaming reader (fwh_pkg_stream): only bytes verified again against the
 * checked, signed prefix are handed out, so what is sent is what was
 * checked, even if the file is rewritten in between (flash and watch keep a
 * checked package for hours). The device verifies everything once more.
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

#define FWH_PKG_PATH_MAX 1024u

typedef struct fwh_package {
	int fd;
	char path[FWH_PKG_PATH_MAX];    /* as opened (for messages) */
	uint64_t file_size;
	uint64_t stream_len;            /* bytes the device gets: file minus DFU suffix */
	uint8_t prefix[FWS_PKG_PREFIX_MAX];
	size_t prefix_len;              /* header + manifest + signatures */
	uint8_t prefix_sha256[FWS_SHA256_LEN]; /* matched against a device's RESUME */
	fws_manifest manifest;          /* spans relative to prefix */
	uint8_t signer[FWS_KEY_ID_LEN];
	fws_dfu_suffix suffix;
	uint8_t suffix_raw[FWS_PKG_SUFFIX_LEN]; /* the checked suffix bytes */
	uint8_t file_sha256[FWS_SHA256_LEN];  /* of the whole file (records) */
} fwh_package;

/* Open and verify path with trust. On error the package is closed. Errors:
 * FWS_E_IO (file), package errors (FWS_E_SIGNATURE, FWS_E_BLOCK_DIGEST, ...,
 * FWS_E_SUFFIX), each with a sentence naming the file. */
fws_err fwh_package_open(fwh_package *p, const char *path, const fws_trust *trust,
                         fwh_error *err);

/* The package stream as it is sent: the prefix verified at open (from
 * memory), then each unit (block || next digest) re-read from the file and
 * checked by the streaming reader against that prefix's hash chain before
 * any byte of it is handed out. One per session (threads each open their
 * own on a shared fwh_package). */
typedef struct fwh_pkg_stream fwh_pkg_stream;

fws_err fwh_pkg_stream_open(const fwh_package *p, fwh_pkg_stream **out, fwh_error *err);

/* Copy stream bytes [off, off+len) to dst. off never goes back; bytes
 * before off that were not read yet are read and verified all the same
 * (a resumed download checks the file from its start). A file that no
 * longer is the checked package: FWS_E_BLOCK_DIGEST (a unit changed),
 * FWS_E_TRUNCATED (shorter) or FWS_E_IO, with a sentence naming the file
 * and the block; dst is then untouched. */
fws_err fwh_pkg_stream_read(fwh_pkg_stream *s, uint64_t off, uint8_t *dst, size_t len,
                            fwh_error *err);

/* *end = the stream offset where the package unit that holds stream offset
 * off ends: the prefix, or one block with its next digest (in a compressed
 * or delta package one unit, whose length its header says). That unit is
 * read and verified as for fwh_pkg_stream_read (off never goes back), so the
 * length is that of the checked unit: a host that must not let a DNLOAD
 * cross a unit (FWS_DL_UNIT_CHUNKS) cuts there. Errors as
 * fwh_pkg_stream_read; FWS_E_INVAL past the stream. */
fws_err fwh_pkg_stream_unit_end(fwh_pkg_stream *s, uint64_t off, uint64_t *end,
                                fwh_error *err);

/* After the last stream byte was read: the chain must end (zero digest)
 * and sha256 receives the SHA-256 of the package as sent, i.e. of every
 * stream byte read through s plus the DFU suffix checked at open. It must
 * equal p->file_sha256 (else FWS_E_BLOCK_DIGEST: nothing is to be
 * installed). */
fws_err fwh_pkg_stream_finish(fwh_pkg_stream *s, uint8_t sha256[FWS_SHA256_LEN],
                              fwh_error *err);

void fwh_pkg_stream_close(fwh_pkg_stream *s);

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
