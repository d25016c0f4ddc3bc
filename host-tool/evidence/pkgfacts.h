/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkgfacts.h - the release package and trust store as facts for the
 * evidence pack: read from disk, verified with the same streaming reader the
 * device runs (protocol/), and kept in memory for the functional tests,
 * which send it (and tampered copies of it) to the DUT.
 */
#ifndef FWSEAL_EV_PKGFACTS_H
#define FWSEAL_EV_PKGFACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/pkg.h"
#include "fwseal/trust.h"

/* The evidence generator holds the package in memory; release images of the
 * devices fwseal serves are far smaller. */
#define EV_PKG_FILE_MAX (64u * 1024u * 1024u)

struct ev_trustfacts {
	char *file_name;                  /* base name */
	uint8_t sha256[FWS_SHA256_LEN];   /* of the trust store file */
	fws_trust trust;
};

struct ev_pkgfacts {
	char *file_name;                  /* base name */
	uint8_t *data;                    /* whole file */
	size_t len;
	uint8_t sha256[FWS_SHA256_LEN];   /* package digest: SHA-256 of the file */
	size_t stream_len;                /* bytes the device consumes (no suffix) */
	bool has_suffix;
	fws_dfu_suffix suffix;

	fws_pkg_header header;
	fws_manifest m;                   /* spans relative to data */
	size_t prefix_len;
	unsigned sig_count;
	uint8_t sig_key_ids[FWS_PKG_SIG_MAX][FWS_KEY_ID_LEN];
	uint8_t signer[FWS_KEY_ID_LEN];   /* the trusted key that verified */
	uint32_t block_count;

	/* manifest texts, NUL terminated */
	char *risks;
	char *notes;
	char *cves[FWS_CVE_COUNT_MAX];
};

/* Read and check a trust store file. false with one sentence in err. */
bool ev_trust_load(struct ev_trustfacts *t, const char *path, char *err, size_t errcap);
void ev_trust_free(struct ev_trustfacts *t);

/* Read the package and verify all of it (signature against trust, every
 * block against the chain, the whole-image digest) as a device would. A
 * package that does not verify is refused: evidence about an update the
 * device would reject is no evidence. */
bool ev_pkg_load(struct ev_pkgfacts *p, const char *path, const fws_trust *trust, char *err,
                 size_t errcap);
/* The same for bytes already in memory (takes ownership of data). */
bool ev_pkg_from_memory(struct ev_pkgfacts *p, const char *name, uint8_t *data, size_t len,
                        const fws_trust *trust, char *err, size_t errcap);
void ev_pkg_free(struct ev_pkgfacts *p);

/* Read a whole file (<= max bytes) into a malloc'd buffer. */
bool ev_read_file(const char *path, size_t max, uint8_t **out, size_t *len, char *err,
                  size_t errcap);

#endif
