/* SPDX-License-Identifier: Apache-2.0 */
/* pool_alloc.c - first-fit allocator with 4-byte checked headers and an
 * address-ordered free list (see pool_alloc.h for the layout and why). */
#include "pool_alloc.h"

#include <string.h>

#define USED      1u /* header bit 0: the block is handed out */
#define MIN_BLOCK 8u /* header + free-list link word: no block is smaller */

/* The firmware is built with -Os, which keeps these small helpers as calls;
 * inlined, the allocator's share of an ECDSA verify drops by ~2% of the
 * whole verify, and the firmware still ends smaller (bench/footprint). */
#if defined(__GNUC__)
#define HOT_INLINE inline __attribute__((always_inline))
#else
#define HOT_INLINE inline
#endif

static uint32_t hdr_make(uint32_t lo)
{
	return lo | (~lo << 16);
}

/* The low half of the header at h (block bytes | USED) after checking it:
 * its complement half matches, its size is whole words, at least the
 * header, and ends inside the area. */
static HOT_INLINE uint32_t hdr_get(const pool_alloc *a, const uint32_t *h)
{
	uint32_t v = *h;
	uint32_t lo = v & 0xFFFFu;

	if ((v >> 16) != (lo ^ 0xFFFFu) || (lo & 2u) != 0 || lo < 4u ||
	    lo / 4u > (size_t)(a->end - h))
		pool_alloc_corrupt();
	return lo;
}

/* A free block about to be used (taken, split or merged): its header
 * must say free and agree with the size its link word gave the walk. */
static HOT_INLINE void free_check(const uint32_t *f, uint32_t bytes)
{
	if (f[0] != hdr_make(bytes))
		pool_alloc_corrupt();
}

/* Make f a free block of `bytes` whose list successor is next (NULL:
 * none). The link word: bytes << 16 | next's word offset. */
static void free_set(const pool_alloc *a, uint32_t *f, uint32_t bytes, const uint32_t *next)
{
	f[0] = hdr_make(bytes);
	f[1] = bytes << 16 | (next == NULL ? 0u : (uint32_t)(next - a->base));
}

/* Point prev's link (the list head when prev is NULL) at f (NULL: none). */
static void free_link(pool_alloc *a, uint32_t *prev, uint32_t *f)
{
	if (prev == NULL)
		a->free = f;
	else
		free_set(a, prev, prev[1] >> 16, f);
}

/* The free block after f on the list (f passed by free_walk), or NULL. */
static uint32_t *free_next(const pool_alloc *a, const uint32_t *f)
{
	uint32_t off = f[1] & 0xFFFFu;
	return off == 0 ? NULL : a->base + off;
}

/* Where a walk of the free list stopped: f (NULL: the list ended) and
 * the block before it on the list (NULL: f is the head). */
typedef struct walk {
	uint32_t *prev, *f;
	uint32_t prev_bytes, bytes;
} walk;

/* Walk the free list from f (the head, or a block on the list) to the
 * first block at or above `lim` or holding at least `need` bytes. This
 * loop is most of the allocator's cost in an ECDSA verify, so it reads
 * only the link words and checks what keeps it safe: every block ends
 * inside the area and links past its own end (neighbours are always
 * merged, so a used block lies between), which also makes every walk end.
 * A block is used only after free_check() on its header, and a walk that
 * ran off the list's end checks the last block's, so a link word damaged
 * to "none" (zeroed) cannot hide the rest of the list silently. */
static HOT_INLINE void free_walk(const pool_alloc *a, walk *w, uint32_t *f,
                                 const uint32_t *lim, uint32_t need)
{
	uint32_t words = (uint32_t)(a->end - a->base);
	uint32_t *prev = NULL;
	uint32_t prev_bytes = 0, bytes = 0;

	while (f != NULL) {
		uint32_t link = f[1];
		uint32_t next = link & 0xFFFFu;
		uint32_t f_end = (uint32_t)(f - a->base) + (link >> 18);

		bytes = link >> 16;
		if (next == 0 ? f_end > words : next <= f_end || next >= words)
			pool_alloc_corrupt();
		if (f >= lim || bytes >= need)
			break;
		prev = f;
		prev_bytes = bytes;
		f = next == 0 ? NULL : a->base + next;
	}
	if (f == NULL && prev != NULL)
		free_check(prev, prev_bytes);
	w->prev = prev;
	w->prev_bytes = prev_bytes;
	w->f = f;
	w->bytes = bytes;
}

void pool_alloc_init(pool_alloc *a, void *mem, size_t size)
{
	if (size > POOL_ALLOC_MAX)
		size = POOL_ALLOC_MAX;
	size &= ~(size_t)3u;
	memset(mem, POOL_ALLOC_PAINT, size);
	a->base = mem;
	a->end = a->base + size / 4u;
	a->free = a->base;
	a->finger = NULL;
	free_set(a, a->base, (uint32_t)size, NULL);
}

void *pool_alloc_calloc(pool_alloc *a, size_t n, size_t size)
{
	size_t cap = (size_t)(a->end - a->base) * 4u;

	/* n * size <= cap <= POOL_ALLOC_MAX after this, so nothing overflows;
	 * an area never given (cap 0) refuses everything. */
	if (n == 0 || size == 0 || n > cap / size)
		return NULL;
	uint32_t need = (uint32_t)((n * size + 3u) & ~(size_t)3u) + 4u;
	if (need < MIN_BLOCK)
		need = MIN_BLOCK;

	walk w;
	free_walk(a, &w, a->free, a->end, need);
	uint32_t *f = w.f;
	if (f == NULL)
		return NULL;
	uint32_t bytes = w.bytes;
	free_check(f, bytes);
	if (a->finger == f)
		a->finger = w.prev;
	if (bytes - need >= MIN_BLOCK) {
		/* Split: the tail stays free, in f's place on the list. */
		uint32_t *rest = f + need / 4u;
		free_set(a, rest, bytes - need, free_next(a, f));
		free_link(a, w.prev, rest);
		bytes = need;
	} else {
		free_link(a, w.prev, free_next(a, f));
	}
	f[0] = hdr_make(bytes | USED);
	memset(f + 1, 0, bytes - 4u);
	return f + 1;
}

void pool_alloc_free(pool_alloc *a, void *p)
{
	if (p == NULL)
		return;
	uintptr_t u = (uintptr_t)p;
	if ((u & 3u) != 0 || u <= (uintptr_t)a->base || u >= (uintptr_t)a->end)
		pool_alloc_corrupt();

	uint32_t *h = (uint32_t *)p - 1;
	uint32_t bytes = hdr_get(a, h);
	if ((bytes & USED) == 0)
		pool_alloc_corrupt(); /* freed twice */
	bytes &= ~USED;
	/* An overrun of this block lands in the next header: check it now,
	 * while the culprit is known. */
	if (h + bytes / 4u < a->end)
		(void)hdr_get(a, h + bytes / 4u);

	/* Find h's place on the address-ordered list: prev < h <= f (f == h
	 * fails free_check below: h's header says in use). Frees come mostly
	 * in stack order, so the walk starts at the block the last free()
	 * left, when that lies below h, instead of at the head. */
	walk w;
	free_walk(a, &w, a->finger != NULL && a->finger < h ? a->finger : a->free, h, UINT32_MAX);
	uint32_t *prev = w.prev, *f = w.f;

	/* Merge with the free neighbour after (f inside h is a damaged list:
	 * free_check stops it), then with the one before. */
	if (f != NULL && h + bytes / 4u >= f) {
		free_check(f, w.bytes);
		bytes += w.bytes;
		f = free_next(a, f);
	}
	if (prev != NULL && prev + w.prev_bytes / 4u == h) {
		free_check(prev, w.prev_bytes);
		free_set(a, prev, w.prev_bytes + bytes, f); /* keeps its place on the list */
		a->finger = prev;
		return;
	}
	free_set(a, h, bytes, f);
	free_link(a, prev, h);
	a->finger = h;
}

size_t pool_alloc_peak(const pool_alloc *a)
{
	const uint8_t *b = (const uint8_t *)a->base;
	size_t n = (size_t)(a->end - a->base) * 4u;

	while (n > 0 && b[n - 1] == POOL_ALLOC_PAINT)
		n--;
	return n;
}
