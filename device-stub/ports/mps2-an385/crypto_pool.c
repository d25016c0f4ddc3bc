/* SPDX-License-Identifier: Apache-2.0 */
/* crypto_pool.c - mbedTLS's heap: one static pool run by pool_alloc.c,
 * installed through MBEDTLS_PLATFORM_CALLOC_MACRO/FREE_MACRO
 * (mbedtls_config.h), so mbedTLS calls these directly, with no function
 * pointers and nothing of libc's malloc linked. */
#include "crypto_pool.h"

#include <stddef.h>

#include "board.h"
#include "mbedtls_config.h"
#include "pool_alloc.h"

_Static_assert(CRYPTO_POOL_SIZE % 4u == 0 && CRYPTO_POOL_SIZE <= POOL_ALLOC_MAX,
               "crypto_pool must be whole words and at most POOL_ALLOC_MAX bytes");

/* `pool` is the symbol bench/footprint reports as the mbedTLS heap. */
static uint32_t pool[CRYPTO_POOL_SIZE / 4u];
/* Zero until crypto_pool_init(): refuses every allocation before that. */
static pool_alloc heap;

void crypto_pool_init(void)
{
	pool_alloc_init(&heap, pool, sizeof pool);
}

void *crypto_pool_calloc(size_t n, size_t size)
{
	return pool_alloc_calloc(&heap, n, size);
}

void crypto_pool_free(void *p)
{
	pool_alloc_free(&heap, p);
}

/* A damaged pool means a memory-safety bug in the crypto path: stop (a
 * fault status under QEMU; a real board would reset) rather than go on. */
_Noreturn void pool_alloc_corrupt(void)
{
	board_exit(0);
}

uint32_t crypto_pool_peak(void)
{
	return (uint32_t)pool_alloc_peak(&heap);
}
