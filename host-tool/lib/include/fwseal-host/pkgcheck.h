/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/pkgcheck.h - the host's one package verifier: read a package
 * file the way a device would, every byte through the streaming reader of
 * protocol/ in bounded memory, plus the host-only DFU suffix (DFU 1.1
 * appendix B: CRC, "UFD", idVendor/idProduct = manifest vendor and class id).
 *
 * The hash chain is checked on the calling thread while a helper thread
 * computes the whole-image SHA-256, the suffix CRC and (on request) the
 * file's SHA-256 over the same chunks, so a check costs about one SHA-256
 * pass of wall time on two cores (bench/verify-throughput).
 *
 * Used by `fwseal verify` / `inspect` (error detail: the failing block) and
 * by fwh_package_open (package.h) for the flashing session, multi, watch and
 * the GUI. Re-entrant: several threads may check packages at once.
 */
#ifndef FWSEAL_HOST_PKGCHECK_H
#define FWSEAL_HOST_PKGCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "fwseal/pkg.h"

typedef struct fwh_pkg_check {
	/* inputs */
	const fws_trust *trust; /* NULL: parse and check integrity only (inspect) */
	bool want_file_sha256;  /* also hash the whole file */
	const uint8_t *base;    /* a delta package's base image, if the caller has it */
	size_t base_len;

	/* results */
	fws_err err;            /* first problem found, FWS_OK if none */
	int sys_errno;          /* with FWS_E_IO */
	uint64_t file_size;
	bool have_prefix;       /* fields below this line are valid */
	uint8_t prefix[FWS_PKG_PREFIX_MAX];
	size_t prefix_len;
	fws_pkg_header header;
	fws_manifest manifest;  /* spans relative to prefix */
	unsigned sig_count;
	uint8_t sig_key_ids[FWS_PKG_SIG_MAX][FWS_KEY_ID_LEN];
	bool authentic;         /* a trusted, unrevoked key's signature verified */
	uint8_t signer[FWS_KEY_ID_LEN];
	bool have_suffix;
	fws_dfu_suffix suffix;
	uint32_t blocks_ok;     /* blocks checked against the chain */
	uint32_t failed_block;  /* block index when err is a block error */
	bool complete;          /* whole stream read and every check passed */
	bool image_checked;     /* the decoded image's SHA-256 was checked: always for a
	                           plain or compressed package, for a delta only with
	                           its base (fwseal-host/unitdec.h) */
	uint8_t file_sha256[FWS_SHA256_LEN];
} fwh_pkg_check;

/* Check the file at path; fills c (inputs set by the caller, results
 * cleared here) and returns c->err. */
fws_err fwh_pkg_check_file(fwh_pkg_check *c, const char *path);

/* The same on a file already open for reading (fd stays open), so a caller
 * that goes on reading the file checks exactly what it will send. */
fws_err fwh_pkg_check_fd(fwh_pkg_check *c, int fd);

/* Text of a span of the manifest held in c->prefix. */
const char *fwh_pkg_check_span(const fwh_pkg_check *c, fws_span s);

#endif /* FWSEAL_HOST_PKGCHECK_H */
