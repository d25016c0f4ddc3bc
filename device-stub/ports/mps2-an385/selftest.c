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
 *
 * It also times the decoder of compressed and delta packages
 * (fws_unit_decode, exactly as the stub calls it) on real Cortex-M3 code:
 * its own, in 4 KiB blocks, compressed here with lz4's fast compressor
 * (`fwseal pack` uses lz4's HC one: the same format, fewer and longer
 * matches, so it decodes no slower) with the code before each block as the
 * dictionary (a compressed package), and against the same code as base (a
 * delta of an unchanged block, the cheapest case). bench/compress prints it.
 */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "clock.h"
#include "console.h"
#include "crypto_pool.h"
#include "fwseal/crypto.h"
#include "fwseal/encoding.h"
#include "uart.h"

#include <lz4.h>

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

/* ---- the unit decoder on the selftest's own code ----------------------- */

#define DEC_CODE   0x1000u  /* code from here (past the vectors; never NULL) */
#define DEC_BS     4096u
#define DEC_BLOCKS 3u

static LZ4_stream_t lz4_state;
static uint8_t units[DEC_BLOCKS][FWS_UNIT_HDR_LEN + DEC_BS];
static uint8_t dec_buf[FWS_ENC_BUF_NEED(DEC_BS)];

/* Both references are the code itself: the image decoded so far, and the
 * base of a delta that changed nothing. */
static const uint8_t *code_map(void *ctx, uint8_t source, uint32_t off, size_t len)
{
	(void)ctx;
	(void)source;
	(void)len;
	return (const uint8_t *)(uintptr_t)(DEC_CODE + off);
}

/* Encode DEC_BLOCKS blocks (delta: against the same code), then decode each
 * as the stub does; *ticks gets the decoding alone. False if any decodes
 * to other bytes. */
static int unit_decode_cost(uint8_t encoding, uint64_t *ticks, uint32_t *sent)
{
	const uint8_t *code = (const uint8_t *)(uintptr_t)DEC_CODE;
	size_t len[DEC_BLOCKS];
	int ok = 1;

	*ticks = 0;
	*sent = 0;
	for (uint32_t k = 0; k < DEC_BLOCKS; k++) {
		uint32_t x = k * DEC_BS;
		fws_unit u = { FWS_UNIT_LZ4, FWS_SRC_IMAGE, (uint16_t)(x > 65535u ? 65535u : x),
		               0, 0 };
		LZ4_initStream(&lz4_state, sizeof lz4_state);
		if (encoding == FWS_ENC_LZ4_DELTA) {
			u.source = FWS_SRC_BASE;
			u.ref_off = x;
			u.ref_len = DEC_BS - 1u; /* a dictionary is at most 65535 */
			LZ4_loadDict(&lz4_state, (const char *)code + x, (int)u.ref_len);
		} else if (x > 0u) {
			u.ref_off = x - u.ref_len;
			LZ4_loadDict(&lz4_state, (const char *)code + u.ref_off, (int)u.ref_len);
		} else {
			u.source = FWS_SRC_NONE;
		}
		int n = LZ4_compress_fast_continue(&lz4_state, (const char *)code + x,
		                                   (char *)units[k] + FWS_UNIT_HDR_LEN, (int)DEC_BS,
		                                   (int)DEC_BS, 1);
		if (n <= 0)
			return 0;
		u.data_len = (uint32_t)n;
		fws_unit_hdr_encode(&u, units[k]);
		len[k] = FWS_UNIT_HDR_LEN + (size_t)n;
		*sent += (uint32_t)len[k];
	}
	for (uint32_t k = 0; k < DEC_BLOCKS; k++) {
		fws_unit_refs refs = { code_map, NULL, k * DEC_BS, DEC_BLOCKS * DEC_BS };
		memcpy(dec_buf, units[k], len[k]);
		uint64_t t0 = clock_ticks();
		fws_err e = fws_unit_decode(dec_buf, sizeof dec_buf, len[k], DEC_BS, encoding, &refs);
		*ticks += clock_ticks() - t0;
		ok &= e == FWS_OK && memcmp(dec_buf, code + k * DEC_BS, DEC_BS) == 0;
	}
	return ok;
}

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

	uint64_t lz4_ticks, delta_ticks;
	uint32_t lz4_sent, delta_sent;
	ok &= check(unit_decode_cost(FWS_ENC_LZ4, &lz4_ticks, &lz4_sent), "unit-decode-lz4");
	ok &= check(unit_decode_cost(FWS_ENC_LZ4_DELTA, &delta_ticks, &delta_sent),
	            "unit-decode-delta");

	console_kv("calib_insns", 2u * CALIB_LOOPS);
	console_kv("calib_ticks", calibrate());
	console_kv("ecdsa_verify_ticks", t1 - t0);
	console_kv("sha256_1mib_ticks", t3 - t2);
	console_kv("crypto_pool_peak", crypto_pool_peak());
	console_kv("crypto_pool_size", CRYPTO_POOL_SIZE);
	console_kv("stack_peak", board_stack_peak());
	console_kv("decode_bytes", DEC_BLOCKS * DEC_BS);
	console_kv("decode_lz4_ticks", lz4_ticks);
	console_kv("decode_lz4_unit_bytes", lz4_sent);
	console_kv("decode_delta_ticks", delta_ticks);
	console_kv("decode_delta_unit_bytes", delta_sent);
	console_puts(ok ? "RESULT PASS\n" : "RESULT FAIL\n");
	board_exit(ok);
}
