/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only package builder: a complete, signed package (prefix + block
 * stream, optionally + DFU suffix) in memory, from an image and a few fields.
 * Tests then flip, cut or re-sign bytes of it. Production packing lives in
 * the CLI (fwseal pack); this uses the same protocol/ builder calls.
 */
#ifndef FWSEAL_TEST_TESTPKG_H
#define FWSEAL_TEST_TESTPKG_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/pkg.h"
#include "testkey.h"

typedef struct test_pkg_opts {
	const char *model;          /* default "FW-TEST-1" */
	const char *version;        /* default "1.0.0" */
	uint32_t security_counter;  /* default 1 (0 means 1; use counter_zero) */
	int counter_zero;           /* force security_counter = 0 */
	uint32_t block_size;        /* default 1024 */
	uint16_t hw_rev_min, hw_rev_max; /* default 1..1 when both 0 */
	const char *component;      /* default "app" */
	uint16_t vendor_id, class_id; /* default 0x1209 / 0xf5ea */
	int with_suffix;            /* append the 16-byte DFU suffix */
	int64_t release_date;       /* default 2026-01-01 (0: default) */
	int64_t support_end;        /* default 2030-01-01 (0: default) */
	const test_key *keys[FWS_PKG_SIG_MAX]; /* signers; keys[0] required */
	unsigned nkeys;             /* 0 means 1 */
	uint8_t kind;               /* enum fws_pkg_kind; 0 firmware */
	uint8_t encoding;           /* 0 plain, FWS_ENC_LZ4, FWS_ENC_LZ4_DELTA (encoding.h) */
	const uint8_t *base;        /* FWS_ENC_LZ4_DELTA: the image it applies to */
	size_t base_len;
	const char *base_version;   /* default "0.9.0" */
	/* Encoded packages: called on every unit (header and data, len bytes)
	 * before the hash chain is computed, so an edit stays inside a correctly
	 * chained and signed package (what a faulty encoder or a dishonest
	 * signer could send). Edits keep the length. */
	void (*unit_edit)(uint32_t k, uint8_t *unit, size_t len, void *ctx);
	void *unit_edit_ctx;
} test_pkg_opts;

typedef struct test_pkg {
	uint8_t *data;              /* malloc'd */
	size_t len;
	size_t prefix_len;          /* header + manifest + signatures */
	size_t manifest_len;
	uint32_t block_count;
	size_t *block_off;          /* block_count + 1 stream offsets: where block
	                               (or unit) i starts; the last is the end */
} test_pkg;

/* Builds a package; aborts on failure (a test bug). */
void test_pkg_build(test_pkg *out, const uint8_t *image, size_t image_len,
                    const test_pkg_opts *opts);
void test_pkg_free(test_pkg *p);

/* Deterministic pseudo-random image of len bytes from seed. */
uint8_t *test_image(size_t len, uint32_t seed);

/* Deterministic image that compresses like code (a small vocabulary of
 * 4-byte words with addresses that vary), about 2:1 with lz4. */
uint8_t *test_image_code(size_t len, uint32_t seed);

/* A "small fix" of base (len bytes): a few words changed, and 24 bytes
 * inserted at about a third (later code moves). *out_len gets the length. */
uint8_t *test_image_fix(const uint8_t *base, size_t len, uint32_t seed, size_t *out_len);

/* A one-key trust store, optionally with the key revoked. */
void test_trust_one(fws_trust *t, const test_key *k, int revoked);

/* A format-2 trust store (docs/trust.md) of n keys with their flags
 * (FWS_TRUST_ROOT / RELEASE / REVOKED), encoded into blob (returns its length)
 * and, if t is not NULL, parsed back into t. Aborts if it does not encode. */
size_t test_trust_v2(uint8_t blob[FWS_TRUST_BLOB_MAX], fws_trust *t, uint32_t version,
                     uint8_t threshold, const test_key *const keys[], const uint8_t flags[],
                     unsigned n);

/* A trust update package (kind trust) carrying the store blob, with security
 * counter = version, signed by signers[0..n); model "*" (any) unless given. */
void test_trust_update(test_pkg *out, const uint8_t *blob, size_t len, uint32_t version,
                       const test_key *const signers[], unsigned n, const char *model);

#endif
