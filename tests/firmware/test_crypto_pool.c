/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_crypto_pool.c - the firmware's mbedTLS heap allocator
 * (device-stub/ports/mps2-an385/pool_alloc.c), compiled natively: calloc
 * semantics, first fit, merging of free neighbours, a randomized run against
 * a model, and corruption stopping the allocator (pool_alloc_corrupt, which
 * stops the device on the firmware, jumps back into the test here).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pool_alloc.h"

#define AREA_WORDS 256u
#define AREA_BYTES (AREA_WORDS * 4u)
#define CAP        (AREA_BYTES - 4u) /* the largest payload: one block, one header */

static uint32_t area[AREA_WORDS];
static pool_alloc pa;

static jmp_buf corrupt_jump;
static int corrupt_armed;

_Noreturn void pool_alloc_corrupt(void)
{
	if (!corrupt_armed)
		fail_msg("pool_alloc_corrupt() called outside an expected corruption");
	corrupt_armed = 0;
	longjmp(corrupt_jump, 1);
}

/* Run stmt, which must end in pool_alloc_corrupt(). */
#define EXPECT_CORRUPT(stmt)                                                        \
	do {                                                                        \
		corrupt_armed = 1;                                                  \
		if (setjmp(corrupt_jump) == 0) {                                    \
			stmt;                                                       \
			fail_msg("corruption not detected: %s", #stmt);             \
		}                                                                   \
		assert_int_equal(corrupt_armed, 0);                                 \
	} while (0)

static int setup(void **state)
{
	(void)state;
	pool_alloc_init(&pa, area, sizeof area);
	return 0;
}

static uint8_t *area_u8(void)
{
	return (uint8_t *)area;
}

static int all_bytes(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return 0;
	return 1;
}

/* The pool is one free block again: its whole capacity fits, at the start. */
static void assert_pool_whole(void)
{
	void *p = pool_alloc_calloc(&pa, 1, CAP);
	assert_ptr_equal(p, area_u8() + 4);
	pool_alloc_free(&pa, p);
}

static void test_never_initialised_refuses(void **state)
{
	pool_alloc none = {0};
	(void)state;
	assert_null(pool_alloc_calloc(&none, 1, 4));
	pool_alloc_free(&none, NULL);
	assert_int_equal(pool_alloc_peak(&none), 0);
}

static void test_alignment_and_bounds(void **state)
{
	uint8_t *ps[32];
	(void)state;
	for (size_t n = 1; n <= 32; n++) {
		ps[n - 1] = pool_alloc_calloc(&pa, 1, n);
		assert_non_null(ps[n - 1]);
		assert_int_equal((uintptr_t)ps[n - 1] % POOL_ALLOC_ALIGN, 0);
		assert_true(ps[n - 1] >= area_u8() + 4);
		assert_true(ps[n - 1] + n <= area_u8() + AREA_BYTES);
		if (n > 1) /* first fit on a fresh pool: one after the other */
			assert_true(ps[n - 1] > ps[n - 2]);
	}
	for (size_t n = 32; n >= 1; n--)
		pool_alloc_free(&pa, ps[n - 1]);
	assert_pool_whole();
}

static void test_zeroed(void **state)
{
	(void)state;
	/* A fresh pool is painted, not zero: calloc must clear. */
	uint8_t *a = pool_alloc_calloc(&pa, 10, 7);
	assert_non_null(a);
	assert_true(all_bytes(a, 70, 0));
	memset(a, 0xFF, 70);
	pool_alloc_free(&pa, a);
	uint8_t *b = pool_alloc_calloc(&pa, 7, 10);
	assert_ptr_equal(a, b);
	assert_true(all_bytes(b, 70, 0));
	pool_alloc_free(&pa, b);
}

static void test_free_null_is_noop(void **state)
{
	(void)state;
	void *a = pool_alloc_calloc(&pa, 1, 16);
	pool_alloc_free(&pa, NULL);
	void *b = pool_alloc_calloc(&pa, 1, 16);
	assert_ptr_equal((uint8_t *)b, (uint8_t *)a + 16 + 4);
	pool_alloc_free(&pa, a);
	pool_alloc_free(&pa, b);
	assert_pool_whole();
}

static void test_sizes_and_overflow(void **state)
{
	(void)state;
	assert_null(pool_alloc_calloc(&pa, 0, 8));
	assert_null(pool_alloc_calloc(&pa, 8, 0));
	assert_null(pool_alloc_calloc(&pa, SIZE_MAX, SIZE_MAX));
	/* n * size wraps to a small number: must be refused, not truncated. */
	assert_null(pool_alloc_calloc(&pa, SIZE_MAX / 2 + 2, 2));
	assert_null(pool_alloc_calloc(&pa, (SIZE_MAX >> 8) + 1, 256));
	assert_null(pool_alloc_calloc(&pa, 1, CAP + 1));
	assert_null(pool_alloc_calloc(&pa, 2, CAP / 2 + 1));
	assert_pool_whole();
}

static void test_exhaustion_and_recovery(void **state)
{
	uint8_t *ps[64];
	size_t n = 0;
	(void)state;
	while ((ps[n] = pool_alloc_calloc(&pa, 4, 8)) != NULL) /* 32 bytes + a header */
		n++;
	/* 28 blocks of 36 bytes, and a free rest of 16: a 12-byte payload. */
	assert_int_equal(n, AREA_BYTES / 36u);
	assert_null(pool_alloc_calloc(&pa, 1, 13));
	uint8_t *rest = pool_alloc_calloc(&pa, 1, 12);
	assert_ptr_equal(rest, area_u8() + n * 36u + 4);
	assert_null(pool_alloc_calloc(&pa, 1, 1));
	pool_alloc_free(&pa, rest);

	/* One freed block in the middle takes the next request of its size. */
	pool_alloc_free(&pa, ps[10]);
	assert_null(pool_alloc_calloc(&pa, 1, 33));
	uint8_t *again = pool_alloc_calloc(&pa, 1, 32);
	assert_ptr_equal(again, ps[10]);
	for (size_t i = 0; i < n; i++)
		pool_alloc_free(&pa, ps[i]);
	assert_pool_whole();
}

/* Two freed neighbours make one block: a request of both payloads plus the
 * header between them fits exactly there, in either freeing order. */
static void test_merges_neighbours(void **state)
{
	(void)state;
	for (int order = 0; order < 2; order++) {
		uint8_t *a = pool_alloc_calloc(&pa, 1, 40);
		uint8_t *b = pool_alloc_calloc(&pa, 1, 24);
		uint8_t *c = pool_alloc_calloc(&pa, 1, 8); /* keeps b off the free tail */
		assert_non_null(c);
		pool_alloc_free(&pa, order == 0 ? a : b);
		pool_alloc_free(&pa, order == 0 ? b : a);
		uint8_t *ab = pool_alloc_calloc(&pa, 1, 40 + 4 + 24);
		assert_ptr_equal(ab, a);
		assert_true(all_bytes(ab, 68, 0));
		pool_alloc_free(&pa, ab);
		pool_alloc_free(&pa, c);
		assert_pool_whole();
	}

	/* A block freed between two free neighbours joins both. */
	uint8_t *a = pool_alloc_calloc(&pa, 1, 12);
	uint8_t *b = pool_alloc_calloc(&pa, 1, 12);
	uint8_t *c = pool_alloc_calloc(&pa, 1, 12);
	uint8_t *d = pool_alloc_calloc(&pa, 1, 12);
	pool_alloc_free(&pa, a);
	pool_alloc_free(&pa, c);
	uint8_t *x = pool_alloc_calloc(&pa, 1, 12 * 3 + 8); /* a, b, c: not while b lives */
	assert_true(x > d);
	pool_alloc_free(&pa, x);
	pool_alloc_free(&pa, b);
	assert_ptr_equal(pool_alloc_calloc(&pa, 1, 12 * 3 + 8), a);
	pool_alloc_free(&pa, a);
	pool_alloc_free(&pa, d);
	assert_pool_whole();
}

static void test_peak(void **state)
{
	(void)state;
	/* After init: the first block's header and link word. */
	assert_int_equal(pool_alloc_peak(&pa), 8);
	void *a = pool_alloc_calloc(&pa, 1, 100);
	/* 4 + 100, then the header and link word of the free rest. */
	assert_int_equal(pool_alloc_peak(&pa), 4 + 100 + 8);
	pool_alloc_free(&pa, a);
	assert_int_equal(pool_alloc_peak(&pa), 4 + 100 + 8); /* a high-water mark */
}

/* Randomized alloc/free against a model of the live blocks: every block is
 * zeroed, inside the area, overlaps no other live block, and keeps its
 * contents until freed; after freeing everything the pool is whole. */
#define LIVE_MAX 48

typedef struct live {
	uint8_t *p;
	size_t n;
	uint8_t tag;
} live;

static uint32_t rng_state;

static uint32_t rng(void)
{
	/* xorshift32: deterministic, so a failure reproduces */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void model_run(uint32_t seed)
{
	live l[LIVE_MAX];
	size_t nlive = 0, allocs = 0, refused = 0;

	rng_state = seed;
	for (int step = 0; step < 20000; step++) {
		if (nlive < LIVE_MAX && (nlive == 0 || rng() % 100 < 55)) {
			size_t n = 1 + rng() % (rng() % 4 == 0 ? 300 : 72);
			uint8_t *p = pool_alloc_calloc(&pa, 1, n);
			if (p == NULL) {
				refused++;
				continue;
			}
			allocs++;
			assert_int_equal((uintptr_t)p % POOL_ALLOC_ALIGN, 0);
			assert_true(p >= area_u8() + 4 && p + n <= area_u8() + AREA_BYTES);
			assert_true(all_bytes(p, n, 0));
			for (size_t i = 0; i < nlive; i++)
				assert_true(p + n + 4 <= l[i].p || l[i].p + l[i].n + 4 <= p);
			l[nlive] = (live){ .p = p, .n = n, .tag = (uint8_t)(1 + step % 251) };
			memset(p, l[nlive].tag, n);
			nlive++;
		} else {
			size_t k = rng() % nlive;
			assert_true(all_bytes(l[k].p, l[k].n, l[k].tag));
			pool_alloc_free(&pa, l[k].p);
			l[k] = l[--nlive];
		}
	}
	/* Both paths ran many times: the run exercised the pool near full. */
	assert_true(allocs > 5000);
	assert_true(refused > 10);
	while (nlive > 0) {
		assert_true(all_bytes(l[nlive - 1].p, l[nlive - 1].n, l[nlive - 1].tag));
		pool_alloc_free(&pa, l[--nlive].p);
	}
	assert_pool_whole();
}

static void test_random_against_model(void **state)
{
	static const uint32_t seeds[] = { 1u, 0x2545F491u, 0xC0FFEEu, 0x9E3779B9u };
	(void)state;
	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
		pool_alloc_init(&pa, area, sizeof area);
		model_run(seeds[i]);
	}
}

static void test_detects_overrun_into_next_header(void **state)
{
	(void)state;
	uint8_t *a = pool_alloc_calloc(&pa, 1, 24);
	uint8_t *b = pool_alloc_calloc(&pa, 1, 24);
	assert_non_null(b);
	memset(a, 0, 24 + 2); /* two bytes into b's header */
	EXPECT_CORRUPT(pool_alloc_free(&pa, a));
}

static void test_detects_damaged_own_header(void **state)
{
	(void)state;
	uint8_t *a = pool_alloc_calloc(&pa, 1, 24);
	memset(a - 4, POOL_ALLOC_PAINT, 4);
	EXPECT_CORRUPT(pool_alloc_free(&pa, a));

	/* Only the check half damaged: the size half still looks right. */
	pool_alloc_init(&pa, area, sizeof area);
	a = pool_alloc_calloc(&pa, 1, 24);
	uint32_t h;
	memcpy(&h, a - 4, 4);
	h &= 0xFFFFu;
	memcpy(a - 4, &h, 4);
	EXPECT_CORRUPT(pool_alloc_free(&pa, a));
}

/* An overrun into a free block's header: taking that block stops. */
static void test_detects_damaged_free_header(void **state)
{
	(void)state;
	uint8_t *x = pool_alloc_calloc(&pa, 1, 24);
	uint8_t *a = pool_alloc_calloc(&pa, 1, 24);
	uint8_t *b = pool_alloc_calloc(&pa, 1, 24);
	assert_non_null(b);
	pool_alloc_free(&pa, a);
	memset(x, 0x11, 24 + 4);
	EXPECT_CORRUPT((void)pool_alloc_calloc(&pa, 1, 24));
}

static void test_detects_double_free(void **state)
{
	(void)state;
	uint8_t *a = pool_alloc_calloc(&pa, 1, 24);
	uint8_t *b = pool_alloc_calloc(&pa, 1, 24);
	assert_non_null(b);
	pool_alloc_free(&pa, a);
	EXPECT_CORRUPT(pool_alloc_free(&pa, a));
}

static void test_detects_foreign_pointers(void **state)
{
	uint32_t elsewhere[4] = {0};
	(void)state;
	uint8_t *a = pool_alloc_calloc(&pa, 1, 24);
	EXPECT_CORRUPT(pool_alloc_free(&pa, elsewhere + 1));
	EXPECT_CORRUPT(pool_alloc_free(&pa, a + 2));
	EXPECT_CORRUPT(pool_alloc_free(&pa, area_u8()));
	EXPECT_CORRUPT(pool_alloc_free(&pa, area_u8() + AREA_BYTES));
	/* Inside a live block, not at its start: no header there. */
	EXPECT_CORRUPT(pool_alloc_free(&pa, a + 8));
}

/* A freed block written to afterwards (its link word: size << 16 | next
 * block's word offset) breaks the free list: the next walk over it stops
 * the device, whatever was written, and never loops. The block a is at
 * words 7..13 of the area, after x (0..6). */
static void use_after_free(uint32_t junk)
{
	pool_alloc_init(&pa, area, sizeof area);
	uint8_t *x = pool_alloc_calloc(&pa, 1, 24);
	uint8_t *a = pool_alloc_calloc(&pa, 1, 24);
	uint8_t *b = pool_alloc_calloc(&pa, 1, 24);
	assert_ptr_equal(a, x + 28);
	assert_non_null(b);
	pool_alloc_free(&pa, a); /* a: a free block between used ones */
	memcpy(a, &junk, 4);
	EXPECT_CORRUPT((void)pool_alloc_calloc(&pa, 1, 40));
}

static void test_detects_use_after_free(void **state)
{
	static const uint32_t junk[] = {
		0u, 0xFFFFFFFFu, 0xA5A5A5A5u,
		28u << 16 | 7u,  /* a links to itself */
		28u << 16 | 3u,  /* ... backwards, into x */
		28u << 16 | 14u, /* ... to b, its used neighbour */
		40u << 16 | 0u,  /* claims to be the last, and larger than it is */
	};
	(void)state;
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
		use_after_free(junk[i]);
	/* A link word that only says "last" (size right) cuts the list short:
	 * undetectable without a header check per block walked, but safe: the
	 * rest of the pool is lost, nothing is handed out twice. */
	pool_alloc_init(&pa, area, sizeof area);
	uint8_t *x = pool_alloc_calloc(&pa, 1, 24);
	uint8_t *a = pool_alloc_calloc(&pa, 1, 24);
	assert_non_null(pool_alloc_calloc(&pa, 1, 24));
	pool_alloc_free(&pa, a);
	const uint32_t last = 28u << 16;
	memcpy(a, &last, 4);
	assert_null(pool_alloc_calloc(&pa, 1, 40));
	assert_ptr_equal(pool_alloc_calloc(&pa, 1, 24), a);
	assert_non_null(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_never_initialised_refuses),
		cmocka_unit_test_setup(test_alignment_and_bounds, setup),
		cmocka_unit_test_setup(test_zeroed, setup),
		cmocka_unit_test_setup(test_free_null_is_noop, setup),
		cmocka_unit_test_setup(test_sizes_and_overflow, setup),
		cmocka_unit_test_setup(test_exhaustion_and_recovery, setup),
		cmocka_unit_test_setup(test_merges_neighbours, setup),
		cmocka_unit_test_setup(test_peak, setup),
		cmocka_unit_test_setup(test_random_against_model, setup),
		cmocka_unit_test_setup(test_detects_overrun_into_next_header, setup),
		cmocka_unit_test_setup(test_detects_damaged_own_header, setup),
		cmocka_unit_test_setup(test_detects_damaged_free_header, setup),
		cmocka_unit_test_setup(test_detects_double_free, setup),
		cmocka_unit_test_setup(test_detects_foreign_pointers, setup),
		cmocka_unit_test_setup(test_detects_use_after_free, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
