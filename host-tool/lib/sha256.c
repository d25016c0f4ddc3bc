/* SPDX-License-Identifier: Apache-2.0 */
#include "fwseal-host/sha256.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

static void die(const char *what)
{
	fprintf(stderr, "fwseal: %s failed (out of memory?); free some memory and try again.\n", what);
	abort();
}

void fwh_sha256_init(fwh_sha256 *h)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		die("SHA-256 set-up");
	h->md = c;
}

void fwh_sha256_update(fwh_sha256 *h, const uint8_t *p, size_t n)
{
	if (n && EVP_DigestUpdate(h->md, p, n) != 1)
		die("SHA-256");
}

void fwh_sha256_final(fwh_sha256 *h, uint8_t out[FWS_SHA256_LEN])
{
	unsigned len = 0;

	if (EVP_DigestFinal_ex(h->md, out, &len) != 1 || len != FWS_SHA256_LEN)
		die("SHA-256");
	EVP_MD_CTX_free(h->md);
	h->md = NULL;
}

void fwh_sha256_open(fwh_sha256 *h)
{
	fwh_sha256_init(h);
}

void fwh_sha256_digest2(fwh_sha256 *h, const uint8_t *a, size_t an, const uint8_t *b,
                        size_t bn, uint8_t out[FWS_SHA256_LEN])
{
	unsigned len = 0;

	/* NULL type: the same digest again, the context reused */
	if (EVP_DigestInit_ex(h->md, NULL, NULL) != 1)
		die("SHA-256 set-up");
	fwh_sha256_update(h, a, an);
	fwh_sha256_update(h, b, bn);
	if (EVP_DigestFinal_ex(h->md, out, &len) != 1 || len != FWS_SHA256_LEN)
		die("SHA-256");
}

void fwh_sha256_close(fwh_sha256 *h)
{
	EVP_MD_CTX_free(h->md);
	h->md = NULL;
}

fws_err fwh_sha256_engine(void *ctx, const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
                          uint8_t out[FWS_SHA256_LEN])
{
	fwh_sha256 h;

	(void)ctx;
	/* OpenSSL failing here is out of memory: the process stops (die), so
	 * no digest is ever made up */
	fwh_sha256_init(&h);
	fwh_sha256_update(&h, a, an);
	fwh_sha256_update(&h, b, bn);
	fwh_sha256_final(&h, out);
	return FWS_OK;
}

void fwh_reader_use_host_sha256(fws_pkg_reader *r)
{
	fws_pkg_reader_set_sha256(r, fwh_sha256_engine, NULL);
}
