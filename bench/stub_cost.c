/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/stub_cost.c - what the device stub costs, measured on the real core
 * over the posix simulated flash, on the real serial path: every byte goes
 * in as a frame on the wire (COBS, CRC-32) through fws_stub_serial_input,
 * as the simulator's and the firmware's UART loops feed it, 64 bytes at a
 * time (FEED=N: N); the answers leave through hal->send (counted, not written).
 *
 *   stub_cost cpu PHASE   run the whole update and the restart into it;
 *                         bench/stub-cost runs it under callgrind with
 *                         --toggle-collect=bench_PHASE, so only that phase's
 *                         instructions are counted:
 *                           sha       one SHA-256 pass over the 1 MiB image
 *                           ecdsa     one ECDSA P-256 verification
 *                           download  the DNLOAD frames of a 1 MiB image: the
 *                                     prefix's signature, every block checked
 *                                     and written (one DNLOAD per block and
 *                                     its next digest, as fwseal sends them
 *                                     to a device with FWS_DL_UNIT_CHUNKS)
 *                           manifest  the end of the download: the staged
 *                                     image read back and checked, the commit
 *                           boot      the restart: the boot decision (prefix
 *                                     signature, SHA-256 over the image in
 *                                     flash), the application's confirmation
 *   stub_cost ram         RAM of the stub with 4 KiB blocks: static state
 *                         (sizeof), the block buffer, the serial link,
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
/* Bytes per call of fws_stub_serial_input: 64, what fws_stub_serial_poll
 * reads at a time (the simulator's and the firmware's loop); FEED=N in the
 * environment shows what a port that hands over larger pieces would cost. */
static size_t feed_len = 64u;

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
	if (fws_sha256(g_image, IMAGE_LEN, d) != FWS_OK)
		abort();
	if (d[0] == 0x42 && d[1] == 0x42)
		puts(""); /* keep the result alive */
}

__attribute__((noinline)) int bench_ecdsa(const uint8_t *pub, const uint8_t *dg, const uint8_t *sig);
__attribute__((noinline)) int bench_ecdsa(const uint8_t *pub, const uint8_t *dg, const uint8_t *sig)
{
	return fws_ecdsa_p256_verify(pub, dg, sig);
}

/* ---- the wire ---- */

static fws_stub_serial g_link;
static size_t g_answer_bytes;

/* The device's answers leave here (the port's UART transmit): counted. */
static fws_err bench_send(void *ctx, const uint8_t *src, size_t len)
{
	(void)ctx;
	(void)src;
	g_answer_bytes += len;
	return FWS_OK;
}

typedef struct wire {
	uint8_t *bytes;
	size_t len, cap;
	uint16_t seq;
} wire;

static void put_frame(wire *w, uint8_t type, uint8_t flags, uint16_t value, uint16_t length,
                      const uint8_t *data, size_t n)
{
	fws_frame f = { .seq = ++w->seq, .type = type, .status = flags, .value = value,
	                .length = length, .payload = data, .payload_len = n };
	size_t len = 0;

	if (w->cap - w->len < FWS_FRAME_WIRE_MAX) {
		w->cap = w->cap * 2u + FWS_FRAME_WIRE_MAX;
		w->bytes = realloc(w->bytes, w->cap);
		if (w->bytes == NULL) {
			fputs("stub_cost: out of memory\n", stderr);
			exit(1);
		}
	}
	if (fws_frame_encode(&f, w->bytes + w->len, w->cap - w->len, &len) != FWS_OK) {
		fputs("stub_cost: cannot encode a frame\n", stderr);
		exit(1);
	}
	w->len += len;
}

/* What fwseal sends for the download: a GETSTATUS, then one DNLOAD per
 * package unit (the prefix; each block with its next digest) with the
 * status in the answer, in a window. */
static void download_wire(wire *w, const test_pkg *p)
{
	put_frame(w, FWS_DFU_GETSTATUS, 0, 0, 16, NULL, 0);
	for (size_t at = 0, k = 0; at < p->len; k++) {
		size_t unit = at < p->prefix_len ? p->prefix_len - at : BLOCK + FWS_SHA256_LEN;
		size_t n = p->len - at < unit ? p->len - at : unit;

		put_frame(w, FWS_DFU_DNLOAD, FWS_FRAME_REQ_STATUS | FWS_FRAME_REQ_WINDOW,
		          (uint16_t)k, 16, p->data + at, n);
		at += n;
	}
}

/* ... then the end of the download: a zero-length DNLOAD, GETSTATUS until
 * dfuIDLE (read-back and commit happen in the first), and RESET. */
static void manifest_wire(wire *w)
{
	put_frame(w, FWS_DFU_DNLOAD, 0, 0, 0, NULL, 0);
	put_frame(w, FWS_DFU_GETSTATUS, 0, 0, 16, NULL, 0);
	put_frame(w, FWS_DFU_GETSTATUS, 0, 0, 16, NULL, 0);
	put_frame(w, FWS_REQ_RESET, 0, 0, 0, NULL, 0);
}

/* The port's receive loop: the bytes as the UART delivers them. */
static fws_err feed(const wire *w)
{
	for (size_t at = 0; at < w->len; at += feed_len) {
		size_t n = w->len - at < feed_len ? w->len - at : feed_len;
		fws_err e = fws_stub_serial_input(&g_link, w->bytes + at, n);

		if (e != FWS_OK)
			return e;
	}
	return FWS_OK;
}

__attribute__((noinline)) fws_err bench_download(const wire *w);
__attribute__((noinline)) fws_err bench_download(const wire *w)
{
	return feed(w);
}

__attribute__((noinline)) fws_err bench_manifest(const wire *w);
__attribute__((noinline)) fws_err bench_manifest(const wire *w)
{
	return feed(w);
}

__attribute__((noinline)) fws_err bench_boot(rig *r);
__attribute__((noinline)) fws_err bench_boot(rig *r)
{
	return rig_power_on(r, true);
}

static fws_err failure(const rig *r)
{
	fws_err e = fws_stub_last_error(&r->stub);

	return e != FWS_OK ? e : FWS_E_STATE;
}

static wire dl, mf; /* made before anything is measured */

/* The whole update over the wire, then the restart into the new image. */
static fws_err update(rig *r)
{
	fws_err e;

	r->dev.hal.send = bench_send;
	fws_stub_serial_init(&g_link, &r->stub);
	e = bench_download(&dl);
	if (e == FWS_OK && r->stub.state != FWS_DFU_DNLOAD_IDLE)
		e = failure(r);
	if (e == FWS_OK)
		e = bench_manifest(&mf);
	if (e == FWS_OK && !fws_stub_reset_pending(&r->stub))
		e = failure(r);
	if (e == FWS_OK)
		e = bench_boot(r);
	if (e == FWS_OK && strcmp(rig_running(r), "2.0.0") != 0)
		e = FWS_E_NO_IMAGE;
	return e;
}

static void setup(rig **r, test_pkg *p)
{
	memcpy(g_image, test_image(IMAGE_LEN, 9), IMAGE_LEN);
	*r = rig_new(4u * 1024u * 1024u);
	rig_pkg(p, &(*r)->key, "2.0.0", 2, g_image, IMAGE_LEN, BLOCK);
	dl.seq = 0x4000;
	download_wire(&dl, p);
	mf.seq = dl.seq;
	manifest_wire(&mf);
	/* the serial face of the simulator and the firmware: one package unit
	 * (a block and its next digest, 4128 bytes) per DNLOAD, within the
	 * transfer size the device reports */
	(*r)->xfer_size = FWS_FRAME_PAYLOAD_MAX;
	(*r)->dl_flags = FWS_DL_UNIT_CHUNKS;
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
		if (fws_sha256((const uint8_t *)"x", 1, dg) != FWS_OK)
			abort();
		test_key_sign(&r->key, dg, sig);
		if (bench_ecdsa(r->key.pub, dg, sig) != FWS_OK)
			e = FWS_E_SIGNATURE;
	} else if (strcmp(phase, "download") == 0 || strcmp(phase, "manifest") == 0 ||
	           strcmp(phase, "boot") == 0) {
		e = update(r);
	} else {
		fprintf(stderr, "stub_cost: unknown phase %s\n", phase);
		return 2;
	}
	test_pkg_free(&p);
	rig_free(r);
	free(dl.bytes);
	free(mf.bytes);
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
	e = update(r);
	counting = 0;
	stack = stack_used(top);
	test_pkg_free(&p);
	rig_free(r);
	free(dl.bytes);
	free(mf.bytes);
	if (e != FWS_OK) {
		fprintf(stderr, "stub_cost: update failed: %s\n", fws_err_name(e));
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
	const char *f = getenv("FEED");
	if (f && atoi(f) > 0)
		feed_len = (size_t)atoi(f);
	if (argc == 3 && strcmp(argv[1], "cpu") == 0)
		return cpu(argv[2]);
	if (argc == 2 && strcmp(argv[1], "ram") == 0)
		return ram();
	fprintf(stderr, "usage: stub_cost cpu sha|ecdsa|download|manifest|boot | stub_cost ram\n");
	return 2;
}
