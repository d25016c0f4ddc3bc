/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_kdf.h - the stand-in for PBKDF2 in the key-file fuzz target and its
 * seed generator: one SHA-256 of passphrase, salt and iteration count (the
 * real KDF runs the file's iteration count, up to 100 million, and would
 * make every input a timeout). Test code only.
 */
#ifndef FWSEAL_FUZZ_KDF_H
#define FWSEAL_FUZZ_KDF_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

static inline int fuzz_kdf(const unsigned char *password, size_t plen, const unsigned char *salt,
                           size_t slen, unsigned int iterations, uint32_t key_length,
                           unsigned char *output)
{
	unsigned char it[4] = { (unsigned char)iterations, (unsigned char)(iterations >> 8),
		                (unsigned char)(iterations >> 16), (unsigned char)(iterations >> 24) };
	unsigned char d[32];
	mbedtls_sha256_context s;
	if (key_length > sizeof d)
		return -1;
	mbedtls_sha256_init(&s);
	if (mbedtls_sha256_starts_ret(&s, 0) || mbedtls_sha256_update_ret(&s, password, plen) ||
	    mbedtls_sha256_update_ret(&s, salt, slen) || mbedtls_sha256_update_ret(&s, it, 4) ||
	    mbedtls_sha256_finish_ret(&s, d))
		abort();
	mbedtls_sha256_free(&s);
	memcpy(output, d, key_length);
	return 0;
}

#endif /* FWSEAL_FUZZ_KDF_H */
