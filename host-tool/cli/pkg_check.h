/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkg_check.h - read a package file from disk the way a device would: every
 * byte through the streaming reader of protocol/ in bounded memory, plus the
 * host-only DFU suffix (CRC, "UFD", idVendor/idProduct = manifest vendor and
 * class id). Used by `verify` and `inspect`.
 */
#ifndef FWSEAL_PKG_CHECK_H
#define FWSEAL_PKG_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "fwseal/pkg.h"

typedef struct pkg_check {
	/* inputs */
	const fws_trust *trust; /* NULL: parse and check integrity only (inspect) */
	bool want_file_sha256;  /* also hash the whole file */

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
	uint8_t file_sha256[FWS_SHA256_LEN];
} pkg_check;

/* Check path; fills c and returns c->err. */
fws_err pkg_check_file(pkg_check *c, const char *path);

/* Text of a span of the manifest held in c->prefix. */
const char *pkg_check_span(const pkg_check *c, fws_span s);

#endif /* FWSEAL_PKG_CHECK_H */
