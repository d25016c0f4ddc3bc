/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/stub_cost.c - what the device stub costs, measured on the real core
 * over the posix simulated flash (driven in-process, like the unit tests).
 *
 *   stub_cost cpu PHASE   run one phase; bench/stub-cost runs each under
 *                         callgrind with --toggle-collect=bench_PHASE so only
 *                         that phase's instructions are counted:
 *                           sha    one SHA-256 pass over 1 MiB
 *                           ecdsa  one ECDSA P-256 verification
 *                           stub   the stub taking a 1 MiB image: every block
 *                                  verified and written, the staged image read
 *                                  back and checked, the commit (not the boot)
 *   stub_cost ram         RAM of the stub with 4 KiB blocks: static state
 *                         (sizeof), the block buffer, the serial decoder,
 *                         peak heap (mbedTLS bignums) and peak stack,
 *                         measured while it takes the same image.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/frame.h"
#include "fwseal/stub_serial.h"
#include "test_stub_rig.h"

#define IMAGE_LEN (1024u * 1024u)
#define BLOCK 4096u

/* ---- heap accounting (glibc: interpose calloc/malloc/free) ---- */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static int counting;
static size_t heap_now, heap_peak;

static void note_alloc(void *p)
{
	if (p && counting) {
		heap_now += malloc_usable_size(p);
		if (heap_now > heap_peak)
			heap_peak = heap_now;
	}
}

void *malloc(size_t n)
{
	void *p = __libc_malloc(n);
	note_alloc(p);
	return p;
}

void *calloc(size_t n, size_t s)
{
	void *p = __libc_calloc(n, s);
	note_alloc(p);
	return p;
}

void *realloc(void *old, size_t n)
{
	void *p;

	if (old && counting)
		heap_now -= malloc_usable_size(old);
	p = __libc_realloc(old, n);
	note_alloc(p);
	return p;
}

void free(void *p)
{
	if (p && counting)
		heap_now -= malloc_usable_size(p);
	__libc_free(p);
}

/* ---- stack accounting: paint, run, count what was overwritten ---- */
#define PAINT (256u * 1024u)
#define MAGIC 0xA5u

/* Paint the PAINT bytes below the caller's frame, run, and find the lowest
 * byte that changed: the deepest point the measured call reached. Done on
 * raw addresses below the stack pointer (never a live object). */
static __attribute__((noinline)) void paint_stack(uintptr_t top)
{
	volatile uint8_t *lo = (volatile uint8_t *)(top - PAINT);

	for (size_t i = 0; i < PAINT - 512u; i++)
		lo[i] = MAGIC;
}

static __attribute__((noinline)) size_t stack_used(uintptr_t top)
{
	volatile const uint8_t *lo = (volatile const uint8_t *)(top - PAINT);

	for (size_t i = 0; i < PAINT - 512u; i++)
		if (lo[i] != MAGIC)
			return PAINT - i;
	return 0;
}

/* ---- phases (noinline: callgrind toggles on their names) ---- */
static uint8_t g_image[IMAGE_LEN];

__attribute__((noinline)) void bench_sha(void);
__attribute__((noinline)) void bench_sha(void)
{
	uint8_t d[FWS_SHA256_LEN];
	fws_sha256(g_image, IMAGE_LEN, d);
	if (d[0] == 0x42 && d[1] == 0x42)
		puts(""); /* keep the result alive */
}

__attribute__((noinline)) int bench_ecdsa(const uint8_t *pub, const uint8_t *dg, const uint8_t *sig);
__attribute__((noinline)) int bench_ecdsa(const uint8_t *pub, const uint8_t *dg, const uint8_t *sig)
{
	return fws_ecdsa_p256_verify(pub, dg, sig);
}

/* What a DFU host does, with nothing of its own on the stack: DNLOAD 4 KiB,
 * GETSTATUS, ..., zero-length DNLOAD, GETSTATUS until dfuIDLE. */
static fws_err req(fws_stub *s, uint8_t request, const uint8_t *data, size_t len, uint8_t *st)
{
	fws_stub_req q = { .request = request, .alt = FWS_ALT_PACKAGE, .data = data, .len = len };
	size_t n = 0;

	return fws_stub_handle(s, &q, st, st ? FWS_DFU_STATUS_LEN : 0, &n);
}

__attribute__((noinline)) fws_err bench_stub(rig *r, const test_pkg *p);
__attribute__((noinline)) fws_err bench_stub(rig *r, const test_pkg *p)
{
	uint8_t st[FWS_DFU_STATUS_LEN];
	fws_err e;

	for (size_t at = 0;; at += 4096) {
		size_t n = at >= p->len ? 0 : p->len - at < 4096 ? p->len - at : 4096;

		e = req(&r->stub, FWS_DFU_DNLOAD, n ? p->data + at : NULL, n, NULL);
		if (e == FWS_OK)
			e = req(&r->stub, FWS_DFU_GETSTATUS, NULL, 0, st);
		if (e != FWS_OK)
			return e;
		if (st[0] != FWS_DFU_OK)
			return fws_stub_last_error(&r->stub);
		if (n == 0)
			break;
	}
	/* manifestation: read-back and commit happen here */
	for (int i = 0; i < 4 && st[4] != FWS_DFU_IDLE; i++) {
		e = req(&r->stub, FWS_DFU_GETSTATUS, NULL, 0, st);
		if (e != FWS_OK)
			return e;
	}
	return st[4] == FWS_DFU_IDLE && st[0] == FWS_DFU_OK ? FWS_OK : FWS_E_STATE;
}

static void setup(rig **r, test_pkg *p)
{
	memcpy(g_image, test_image(IMAGE_LEN, 9), IMAGE_LEN);
	*r = rig_new(4u * 1024u * 1024u);
	rig_pkg(p, &(*r)->key, "2.0.0", 2, g_image, IMAGE_LEN, BLOCK);
	if (rig_power_on(*r, true) != FWS_OK) {
		fprintf(stderr, "stub_cost: power on failed\n");
		exit(1);
	}
}

static int cpu(const char *phase)
{
	rig *r;
	test_pkg p;
	fws_err e = FWS_OK;

	setup(&r, &p);
	if (strcmp(phase, "sha") == 0) {
		bench_sha();
	} else if (strcmp(phase, "ecdsa") == 0) {
		uint8_t dg[32], sig[64];
		fws_sha256((const uint8_t *)"x", 1, dg);
		test_key_sign(&r->key, dg, sig);
		if (bench_ecdsa(r->key.pub, dg, sig) != FWS_OK)
			e = FWS_E_SIGNATURE;
	} else if (strcmp(phase, "stub") == 0) {
		e = bench_stub(r, &p);
	} else {
		fprintf(stderr, "stub_cost: unknown phase %s\n", phase);
		return 2;
	}
	test_pkg_free(&p);
	rig_free(r);
	if (e != FWS_OK) {
		fprintf(stderr, "stub_cost: %s failed: %s\n", phase, fws_err_name(e));
		return 1;
	}
	return 0;
}

static int ram(void)
{
	rig *r;
	test_pkg p;
	fws_err e;
	uintptr_t top;
	size_t stack;
	size_t stub_state = sizeof(fws_stub), serial_link = sizeof(fws_stub_serial);
	size_t block_buf = sizeof(r->buf);

	setup(&r, &p);
	top = (uintptr_t)__builtin_frame_address(0);
	paint_stack(top);
	counting = 1;
	e = bench_stub(r, &p);
	counting = 0;
	stack = stack_used(top);
	test_pkg_free(&p);
	rig_free(r);
	if (e != FWS_OK) {
		fprintf(stderr, "stub_cost: download failed: %s\n", fws_err_name(e));
		return 1;
	}
	printf("stub state (sizeof fws_stub)     %6zu\n", stub_state);
	printf("serial link (frames, answer cache) %4zu\n", serial_link);
	printf("block buffer (4 KiB blocks + 32) %6zu\n", block_buf);
	printf("peak heap (mbedTLS bignums)      %6zu\n", heap_peak);
	printf("peak stack (from the request call) %4zu\n", stack);
	printf("total=%zu\n", stub_state + serial_link + block_buf + heap_peak + stack);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "cpu") == 0)
		return cpu(argv[2]);
	if (argc == 2 && strcmp(argv[1], "ram") == 0)
		return ram();
	fprintf(stderr, "usage: stub_cost cpu sha|ecdsa|stub | stub_cost ram\n");
	return 2;
}
