/* SPDX-License-Identifier: Apache-2.0 */
/*
 * selftest.c - a firmware that runs the stub's cryptography (protocol/src/
 * crypto.c over the firmware's mbedTLS build) on the target and reports its
 * cost. Used by tests/firmware (it must print RESULT PASS) and by
 * bench/footprint, which runs it under QEMU -icount shift=0 (one instruction
 * per virtual nanosecond) and turns SysTick counts into instructions with the
 * calibration loop below.
 *
 * Test vector: RFC 6979 appendix A.2.5 (P-256, SHA-256, message "sample");
 * only its public key and signature are used.
 */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "clock.h"
#include "console.h"
#include "crypto_pool.h"
#include "fwseal/crypto.h"
#include "uart.h"

int main(void);

static const uint8_t pub[FWS_P256_PUB_LEN] = {
	0x04,
	0x60, 0xFE, 0xD4, 0xBA, 0x25, 0x5A, 0x9D, 0x31, 0xC9, 0x61, 0xEB, 0x74, 0xC6, 0x35, 0x6D, 0x68,
	0xC0, 0x49, 0xB8, 0x92, 0x3B, 0x61, 0xFA, 0x6C, 0xE6, 0x69, 0x62, 0x2E, 0x60, 0xF2, 0x9F, 0xB6,
	0x79, 0x03, 0xFE, 0x10, 0x08, 0xB8, 0xBC, 0x99, 0xA4, 0x1A, 0xE9, 0xE9, 0x56, 0x28, 0xBC, 0x64,
	0xF2, 0xF1, 0xB2, 0x0C, 0x2D, 0x7E, 0x9F, 0x51, 0x77, 0xA3, 0xC2, 0x94, 0xD4, 0x46, 0x22, 0x99,
};

static const uint8_t sig[FWS_ECDSA_SIG_LEN] = {
	0xEF, 0xD4, 0x8B, 0x2A, 0xAC, 0xB6, 0xA8, 0xFD, 0x11, 0x40, 0xDD, 0x9C, 0xD4, 0x5E, 0x81, 0xD6,
	0x9D, 0x2C, 0x87, 0x7B, 0x56, 0xAA, 0xF9, 0x91, 0xC3, 0x4D, 0x0E, 0xA8, 0x4E, 0xAF, 0x37, 0x16,
	0xF7, 0xCB, 0x1C, 0x94, 0x2D, 0x65, 0x7C, 0x41, 0xD4, 0x36, 0xC7, 0xA1, 0xB6, 0xE2, 0x9F, 0x65,
	0xF3, 0xE9, 0x00, 0xDB, 0xB9, 0xAF, 0xF4, 0x06, 0x4D, 0xC4, 0xAB, 0x2F, 0x84, 0x3A, 0xCD, 0xA8,
};

static const uint8_t sample_sha256[FWS_SHA256_LEN] = {
	0xaf, 0x2b, 0xdb, 0xe1, 0xaa, 0x9b, 0x6e, 0xc1, 0xe2, 0xad, 0xe1, 0xd6, 0x94, 0xf4, 0x1f, 0xc7,
	0x1a, 0x83, 0x1d, 0x02, 0x68, 0xe9, 0x89, 0x15, 0x62, 0x11, 0x3d, 0x8a, 0x62, 0xad, 0xd1, 0xbf,
};

#define CALIB_LOOPS 1000000u /* x 2 instructions (subs, bne) */
#define HASH_BYTES  (1024u * 1024u)

static uint64_t calibrate(void)
{
	uint32_t n = CALIB_LOOPS;
	uint64_t t0 = clock_ticks();
	__asm volatile(".syntax unified\n1: subs %0, %0, #1\n bne 1b" : "+l"(n));
	return clock_ticks() - t0;
}

static int check(int ok, const char *what)
{
	console_puts(ok ? "ok " : "FAIL ");
	console_puts(what);
	console_puts("\n");
	return ok;
}

int main(void)
{
	uint8_t digest[FWS_SHA256_LEN];
	int ok = 1;

	uart_init();
	clock_init();
	crypto_pool_init();

	ok &= check(fws_sha256((const uint8_t *)"sample", 6, digest) == FWS_OK &&
	            memcmp(digest, sample_sha256, sizeof digest) == 0, "sha256");

	uint64_t t0 = clock_ticks();
	fws_err e = fws_ecdsa_p256_verify(pub, digest, sig);
	uint64_t t1 = clock_ticks();
	ok &= check(e == FWS_OK, "ecdsa-verify");

	digest[7] ^= 0x01;
	ok &= check(fws_ecdsa_p256_verify(pub, digest, sig) == FWS_E_SIGNATURE,
	            "ecdsa-rejects-tampered-digest");

	/* Hash 1 MiB of the code RAM (any bytes do). */
	uint64_t t2 = clock_ticks();
	fws_err he = fws_sha256((const uint8_t *)(uintptr_t)0x00000000u, HASH_BYTES, digest);
	uint64_t t3 = clock_ticks();
	ok &= check(he == FWS_OK, "sha256-1mib");

	console_kv("calib_insns", 2u * CALIB_LOOPS);
	console_kv("calib_ticks", calibrate());
	console_kv("ecdsa_verify_ticks", t1 - t0);
	console_kv("sha256_1mib_ticks", t3 - t2);
	console_kv("crypto_pool_peak", crypto_pool_peak());
	console_kv("crypto_pool_size", CRYPTO_POOL_SIZE);
	console_kv("stack_peak", board_stack_peak());
	console_puts(ok ? "RESULT PASS\n" : "RESULT FAIL\n");
	board_exit(ok);
}
