/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the stub request fuzz target and its seed generator. */
#ifndef FWSEAL_FUZZ_STUB_REQUESTS_H
#define FWSEAL_FUZZ_STUB_REQUESTS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testpkg.h"

#define FUZZ_FLASH        (64u * 1024u)
#define FUZZ_SECTOR       4096u
#define FUZZ_KEY_SEED     4242u
#define FUZZ_MODEL        "FUZZ-1"
#define FUZZ_IMG          2000u
#define FUZZ_BLOCK        256u
#define FUZZ_POWER        0xF0u  /* power cycle (fuzz_stub_requests.c) */
#define FUZZ_PKG          0xF1u  /* a piece of a ready-made package */
#define FUZZ_TIME         0xF2u  /* time passes */
#define FUZZ_RECORDS_MAX  256u

static inline uint8_t *fuzz_image(uint32_t seed)
{
	return test_image(FUZZ_IMG, seed);
}

static inline void fuzz_pkg(test_pkg *p, const test_key *k, const char *version,
                            uint32_t counter, const uint8_t *img)
{
	test_pkg_opts o;

	memset(&o, 0, sizeof o);
	o.model = FUZZ_MODEL;
	o.version = version;
	o.security_counter = counter;
	o.counter_zero = counter == 0u;
	o.block_size = FUZZ_BLOCK;
	o.keys[0] = k;
	test_pkg_build(p, img, FUZZ_IMG, &o);
}

/* The same, compressed (base NULL) or a delta from base (FUZZ_IMG bytes). */
static inline void fuzz_pkg_enc(test_pkg *p, const test_key *k, const char *version,
                                uint32_t counter, const uint8_t *img, uint8_t encoding,
                                const uint8_t *base)
{
	test_pkg_opts o;

	memset(&o, 0, sizeof o);
	o.model = FUZZ_MODEL;
	o.version = version;
	o.security_counter = counter;
	o.block_size = FUZZ_BLOCK;
	o.keys[0] = k;
	o.encoding = encoding;
	o.base = base;
	o.base_len = base ? FUZZ_IMG : 0u;
	o.base_version = "1.0.0";
	test_pkg_build(p, img, FUZZ_IMG, &o);
}

#endif /* FWSEAL_FUZZ_STUB_REQUESTS_H */
