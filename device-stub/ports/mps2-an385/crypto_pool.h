/* SPDX-License-Identifier: Apache-2.0 */
/* crypto_pool.h - the static memory pool mbedTLS allocates from
 * (pool_alloc.c runs it; mbedtls_config.h declares its calloc/free). */
#ifndef FWSEAL_MPS2_CRYPTO_POOL_H
#define FWSEAL_MPS2_CRYPTO_POOL_H

#include <stdint.h>

/* Bytes of the pool (meson option crypto_pool, where the margin is
 * explained): an ECDSA P-256 verify with the window sizes of
 * mbedtls_config.h peaks below this (bench/footprint measures it). */
#ifndef CRYPTO_POOL_SIZE
#define CRYPTO_POOL_SIZE 2048u
#endif

/* Set up the pool. Call once before any crypto: until then mbedTLS's
 * calloc refuses. */
void crypto_pool_init(void);

/* Highest pool byte ever handed out (bytes from the pool start). */
uint32_t crypto_pool_peak(void);

#endif /* FWSEAL_MPS2_CRYPTO_POOL_H */
