/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pathbench.c - bench firmware (bench/device-model): what the stub itself
 * costs per byte it receives on this core, without this board's polled
 * UART, which hands the firmware one byte per wake-up. A device with a DMA
 * UART (the nRF52840's UARTE) gets its bytes in pieces instead.
 *
 * The bench puts the wire bytes of a whole update (frames, as fwseal sends
 * them to this firmware) into PSRAM at PATHBENCH_WIRE with QEMU's generic
 * loader; this firmware, built like fwseal-stub.elf (same core, same flash
 * model, same configuration), feeds them to fws_stub_serial_input 64 bytes
 * at a time and counts SysTick around each phase:
 *   download  the DNLOAD frames: prefix and signature, every block checked,
 *             programmed
 *   manifest  the end of the download, read-back and commit, RESET
 *   boot      the restart: init and the boot decision (boot-time check)
 * The answers are counted, not sent. Results go to UART0 as key=value lines
 * (and calibration, as in selftest.c); QEMU stops with the verdict.
 *
 * Blob at PATHBENCH_WIRE: "FWPB", u32 download bytes, u32 manifest bytes,
 * then the bytes (little-endian).
 */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "clock.h"
#include "console.h"
#include "crypto_pool.h"
#include "factory.h"
#include "flashmap.h"
#include "fwseal/le.h"
#include "fwseal/stub.h"
#include "fwseal/stub_serial.h"
#include "hal.h"
#include "pflash.h"
#include "uart.h"

int main(void);

#define PATHBENCH_WIRE (BOARD_PSRAM_BASE + 0xE00000u)
#define PIECE          64u
#define CALIB_LOOPS    1000000u /* x 2 instructions (subs, bne) */
#define BLOCK_BUF      (4096u + FWS_SHA256_LEN)

static uint8_t block_buf[BLOCK_BUF] __attribute__((aligned(8)));
static factory_data factory;
static board_hal_ctx hal_ctx;
static fws_hal hal;
static fws_stub stub;
static fws_stub_serial link;
static fws_stub_config cfg;
static uint32_t answer_bytes;

static fws_err count_send(void *ctx, const uint8_t *src, size_t len)
{
	(void)ctx;
	(void)src;
	answer_bytes += (uint32_t)len;
	return FWS_OK;
}

static uint64_t calibrate(void)
{
	uint32_t n = CALIB_LOOPS;
	uint64_t t0 = clock_ticks();
	__asm volatile(".syntax unified\n1: subs %0, %0, #1\n bne 1b" : "+l"(n));
	return clock_ticks() - t0;
}

static __attribute__((noinline)) void start(void)
{
	const pflash whole = {
		.base = BOARD_PSRAM_BASE,
		.size = BOARD_PSRAM_SIZE,
		.sector_size = FLASHMAP_SECTOR_SIZE,
		.write_size = FLASHMAP_WRITE_SIZE,
	};

	if (factory_load(&whole, &factory) != FWS_OK)
		board_exit(0);
	board_hal_init(&hal, &hal_ctx);
	hal.send = count_send;
	cfg.hal = &hal;
	factory_identity(&factory, &cfg.id);
	cfg.buf = block_buf;
	cfg.buf_cap = sizeof block_buf;
	cfg.xfer_size = BLOCK_BUF;
	cfg.dl_window = 1;
	cfg.dl_flags = FWS_DL_UNIT_CHUNKS;
}

static __attribute__((noinline)) int boot(void)
{
	fws_boot_result b;

	if (fws_stub_init(&stub, &cfg) != FWS_OK || fws_stub_boot(&stub, &b) != FWS_OK)
		return 0;
	if (b.action == FWS_BOOT_RUN)
		(void)fws_stub_confirm(&stub);
	return 1;
}

static __attribute__((noinline)) int feed(const uint8_t *p, uint32_t n)
{
	for (uint32_t at = 0; at < n; at += PIECE) {
		uint32_t k = n - at < PIECE ? n - at : PIECE;

		if (fws_stub_serial_input(&link, p + at, k) != FWS_OK)
			return 0;
	}
	return 1;
}

int main(void)
{
	const uint8_t *wire = (const uint8_t *)PATHBENCH_WIRE;
	int ok = 1;

	uart_init();
	clock_init();
	crypto_pool_init();
	start();
	if (memcmp(wire, "FWPB", 4) != 0) {
		console_puts("no wire bytes at PATHBENCH_WIRE\nRESULT FAIL\n");
		board_exit(0);
	}
	uint32_t n_dl = fws_get_le32(wire + 4), n_mf = fws_get_le32(wire + 8);
	const uint8_t *dl = wire + 12, *mf = dl + n_dl;

	ok &= boot(); /* a fresh device: nothing to run, it waits in the stub */
	fws_stub_serial_init(&link, &stub);
	uint64_t t0 = clock_ticks();
	ok &= feed(dl, n_dl);
	uint64_t t1 = clock_ticks();
	ok &= stub.state == FWS_DFU_DNLOAD_IDLE;
	ok &= feed(mf, n_mf);
	uint64_t t2 = clock_ticks();
	ok &= fws_stub_reset_pending(&stub);
	uint64_t t3 = clock_ticks();
	ok &= boot();
	uint64_t t4 = clock_ticks();
	ok &= stub.running != FWS_SLOT_NONE;

	console_kv("calib_insns", 2u * CALIB_LOOPS);
	console_kv("calib_ticks", calibrate());
	console_kv("download_ticks", t1 - t0);
	console_kv("manifest_ticks", t2 - t1);
	console_kv("boot_ticks", t4 - t3);
	console_kv("download_bytes", n_dl);
	console_kv("answer_bytes", answer_bytes);
	console_puts(ok ? "RESULT PASS\n" : "RESULT FAIL\n");
	board_exit(ok);
}
