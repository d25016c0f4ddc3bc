/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_alloc.h - a small first-fit allocator over one caller-owned memory
 * area, with a 4-byte header per block. It is mbedTLS's heap on the firmware
 * (crypto_pool.c); it is pure C with no board dependency, so the host tests
 * (tests/firmware/test_crypto_pool.c) compile and check it natively.
 *
 * Why not mbedTLS's memory_buffer_alloc.c: its 32-byte header per block is
 * a third of the pool while an ECDSA verify holds dozens of 32-72-byte limb
 * arrays at once.
 *
 * Layout: the area is a chain of blocks, each a header word followed by its
 * payload. Header, low half: block bytes (header included, a multiple of
 * 4) with bit 0 set while the block is in use; high half: the bitwise
 * complement of the low half, so a header overwritten by a stray write
 * (zeroes, the paint, copied data) fails the check with near certainty and
 * the owner's pool_alloc_corrupt() runs instead of the allocator handing out
 * bad memory.
 *
 * Free blocks hold, after their header, a link word: their size (high
 * half) and the word offset from the area's start of the next free block
 * (low half, 0 for none). One list in address order, so calloc() takes
 * the lowest free block that fits (first fit) and free() finds its
 * neighbours on the list and merges with them at once. The walks read
 * only link words (the size copy spares a header check per block passed)
 * and check each link points past its own block, so a damaged list stops
 * the device instead of looping; a block's header is checked before the
 * block is used. A verify allocates and frees mostly in stack order, so
 * free() starts its walk at the block the previous free() left (`finger`).
 */
#ifndef FWSEAL_MPS2_POOL_ALLOC_H
#define FWSEAL_MPS2_POOL_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* Payload alignment: the header is one word and block sizes are whole
 * words. Enough for mbedTLS on a 32-bit target (limbs and structs of
 * 32-bit fields; memory_buffer_alloc was configured the same way). */
#define POOL_ALLOC_ALIGN  4u
/* Largest usable area: block sizes and link offsets are 16-bit. */
#define POOL_ALLOC_MAX    0xFFFCu
/* Unused bytes of the area are painted with this (see pool_alloc_peak). */
#define POOL_ALLOC_PAINT  0xA5u

typedef struct pool_alloc {
	uint32_t *base;   /* first block */
	uint32_t *end;    /* one past the area */
	uint32_t *free;   /* lowest free block, NULL when none */
	uint32_t *finger; /* a free block where free() may start its walk, or NULL */
} pool_alloc;

/* Take over `size` bytes at `mem` (POOL_ALLOC_ALIGN-aligned; size is
 * rounded down to whole words and capped at POOL_ALLOC_MAX, at least 8).
 * Paints the area so pool_alloc_peak() can measure the high-water mark.
 * A zero-initialised pool_alloc (never given an area) refuses every
 * allocation. */
void pool_alloc_init(pool_alloc *a, void *mem, size_t size);

/* calloc(): n * size zeroed bytes, POOL_ALLOC_ALIGN-aligned; NULL when the
 * product overflows, is zero, or no free run is large enough. */
void *pool_alloc_calloc(pool_alloc *a, size_t n, size_t size);

/* free(): NULL is a no-op. A pointer this pool did not hand out, a double
 * free, or a damaged header here or in the next block calls
 * pool_alloc_corrupt(). */
void pool_alloc_free(pool_alloc *a, void *p);

/* Bytes from the area's start up to the highest byte ever written
 * (headers and handed-out payload; calloc zeroes what it hands out). */
size_t pool_alloc_peak(const pool_alloc *a);

/* Provided by the owner of the pool: a block header failed its check, so
 * the pool is corrupted (a buffer overrun, a bad or repeated free). Must not
 * return: stopping is safer than handing out memory that may overlap. */
_Noreturn void pool_alloc_corrupt(void);

#endif /* FWSEAL_MPS2_POOL_ALLOC_H */
