/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/sha256.h - SHA-256 for the host tools through OpenSSL's
 * libcrypto, which uses the CPU's SHA instructions where it has them (several
 * times the speed of the portable code in mbedTLS). The device side and the
 * protocol core keep mbedTLS; the host plugs this in where it hashes whole
 * packages: the reader's block checks (fws_pkg_reader_set_sha256) and the
 * whole-image and whole-file digests.
 */
#ifndef FWSEAL_HOST_SHA256_H
#define FWSEAL_HOST_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/crypto.h"
#include "fwseal/pkg.h"

typedef struct fwh_sha256 {
	void *md; /* EVP_MD_CTX */
} fwh_sha256;

/* Abort on allocation failure of the OpenSSL context (out of memory). */
void fwh_sha256_init(fwh_sha256 *h);
void fwh_sha256_update(fwh_sha256 *h, const uint8_t *p, size_t n);
/* Writes the digest and frees the context. */
void fwh_sha256_final(fwh_sha256 *h, uint8_t out[FWS_SHA256_LEN]);

/* Many short hashes on one context (a hash chain, block by block): open
 * once, then each fwh_sha256_digest2() is SHA-256(a || b) without a new
 * OpenSSL context each time; close frees it. */
void fwh_sha256_open(fwh_sha256 *h);
void fwh_sha256_digest2(fwh_sha256 *h, const uint8_t *a, size_t an, const uint8_t *b,
                        size_t bn, uint8_t out[FWS_SHA256_LEN]);
void fwh_sha256_close(fwh_sha256 *h);

/* One-shot SHA-256(a || b); matches fws_sha256_engine for the reader. */
fws_err fwh_sha256_engine(void *ctx, const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
                          uint8_t out[FWS_SHA256_LEN]);

/* Use the host engine for r's block checks (call after fws_pkg_reader_init). */
void fwh_reader_use_host_sha256(fws_pkg_reader *r);

#endif /* FWSEAL_HOST_SHA256_H */
