/* SPDX-License-Identifier: Apache-2.0 */
#include "crypto_pool.h"

#include <stddef.h>

#include <mbedtls/memory_buffer_alloc.h>

#include "board.h"
#include "mbedtls_config.h"

#define POOL_PAINT 0xA5u
#define POOL_HEADER_ROOM 64u /* > sizeof the allocator's block header */

static uint8_t pool[CRYPTO_POOL_SIZE] __attribute__((aligned(8)));

void *crypto_pool_refuse_calloc(size_t n, size_t size)
{
	(void)n;
	(void)size;
	return NULL;
}

void crypto_pool_refuse_free(void *p)
{
	(void)p;
}

_Noreturn void crypto_pool_corrupt(int status)
{
	(void)status;
	board_exit(0);
}

void crypto_pool_init(void)
{
	mbedtls_memory_buffer_alloc_init(pool, sizeof pool);
	/* Painted after init (which zeroes the pool and writes one header at its
	 * start) so the peak is visible: the allocator is first-fit from the
	 * start and calloc zeroes what it hands out. */
	for (size_t i = POOL_HEADER_ROOM; i < sizeof pool; i++)
		pool[i] = POOL_PAINT;
}

uint32_t crypto_pool_peak(void)
{
	size_t end = sizeof pool;
	while (end > 0 && pool[end - 1] == POOL_PAINT)
		end--;
	return (uint32_t)end;
}
