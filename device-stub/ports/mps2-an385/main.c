/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the fwseal stub firmware for mps2-an385: start-up, the boot
 * decision, then the serial protocol on UART0 forever.
 *
 * All RAM is static and fixed at link time (bench/footprint reports it):
 * the stub state, the serial link, one block buffer, the mbedTLS pool and
 * the stack. Nothing is allocated.
 */
#include <stdint.h>

#include "board.h"
#include "clock.h"
#include "crypto_pool.h"
#include "factory.h"
#include "flashmap.h"
#include "fwseal/encoding.h"
#include "fwseal/stub.h"
#include "fwseal/stub_serial.h"
#include "hal.h"
#include "pflash.h"
#include "uart.h"

int main(void);

/* Largest package block the device takes: the block plus its next-digest
 * must fit the buffer (fwseal/pkg.h), and a compressed or delta unit must
 * decode in place in it (fwseal/encoding.h: 16 bytes more for 4 KiB). */
#define BLOCK_MAX  4096u
#define BLOCK_BUF  FWS_ENC_BUF_NEED(BLOCK_MAX)
_Static_assert(BLOCK_BUF >= FWS_PKG_BUF_MIN, "the package reader needs FWS_PKG_BUF_MIN");

/* bwPollTimeout while a request works (DFU 1.1 6.1.2): the slowest step is
 * one ECDSA verify, ~32 M instructions (bench/footprint), ~1.3 s at the
 * board's 25 MHz. */
#define POLL_TIMEOUT_MS 1500u

/* Largest DNLOAD payload per frame the host may send (info record): one
 * package unit, a block with its next digest, which lands straight in the
 * block buffer (fws_stub_dnload_room); the frame decoder itself holds only
 * small payloads. The device tells hosts to cut DNLOADs at unit boundaries
 * (FWS_DL_UNIT_CHUNKS) and to send one at a time (window 1). */
#define XFER_SIZE BLOCK_BUF
_Static_assert(XFER_SIZE <= FWS_FRAME_PAYLOAD_MAX, "a DNLOAD must fit one frame");

static uint8_t block_buf[BLOCK_BUF] __attribute__((aligned(8)));
static factory_data factory;
static board_hal_ctx hal_ctx;
static fws_hal hal;
static fws_stub stub;
static fws_stub_serial link;

/* The images this port stores are test payloads, not code, so "running" one
 * is what the simulator does: the application confirms itself once started
 * (fws_stub_confirm), which ends a test boot and raises the anti-rollback
 * counter. A product port jumps to boot->image_off here instead. */
static void run_application(const fws_boot_result *boot)
{
	(void)boot;
	(void)fws_stub_confirm(&stub);
}

/* main runs three phases, each out of line so each has the stack to
 * itself: with LTO, everything merged into them (the trust-store decode, the
 * journal scan, the boot decision, the serial link) would otherwise share
 * one frame of about 1 KiB that stays on the stack under every request the
 * serial loop serves and under the signature checks (docs/firmware.md,
 * "Stack"). */
#define PHASE __attribute__((noinline)) static void

/* Identity, trust store, HAL, core state (reads flash, writes nothing). */
PHASE start_core(void)
{
	const pflash whole = {
		.base = BOARD_PSRAM_BASE,
		.size = BOARD_PSRAM_SIZE,
		.sector_size = FLASHMAP_SECTOR_SIZE,
		.write_size = FLASHMAP_WRITE_SIZE,
	};
	fws_stub_config cfg = {0};

	/* Without an identity the policy cannot be checked: stop rather than
	 * guess. A missing or damaged trust store is not fatal: the stub runs
	 * and refuses every package (the core finds no store in force). */
	if (factory_load(&whole, &factory) != FWS_OK)
		board_exit(0);
	board_hal_init(&hal, &hal_ctx);

	cfg.hal = &hal;
	factory_identity(&factory, &cfg.id);
	cfg.buf = block_buf;
	cfg.buf_cap = sizeof block_buf;
	cfg.poll_timeout_ms = POLL_TIMEOUT_MS;
	cfg.xfer_size = XFER_SIZE;
	cfg.dl_window = 1;
	cfg.dl_flags = FWS_DL_UNIT_CHUNKS;
	if (fws_stub_init(&stub, &cfg) != FWS_OK)
		board_exit(0);
}

/* The boot decision: verifies the slots, the deepest start-up path. */
PHASE boot_decision(void)
{
	fws_boot_result boot;

	/* The core never selects an image it cannot verify; with nothing to
	 * run it stays in the stub and waits for an update. */
	if (fws_stub_boot(&stub, &boot) == FWS_OK && boot.action == FWS_BOOT_RUN)
		run_application(&boot);
}

/* The serial protocol on UART0, forever. */
PHASE serve(void)
{
	fws_stub_serial_init(&link, &stub);
	for (;;) {
		(void)fws_stub_serial_poll(&link, 100u);
		if (fws_stub_reset_pending(&stub))
			hal.reset(hal.ctx); /* does not return */
		/* A stack that nearly overflowed is a bug to find in the tests,
		 * not to run on with. */
		if (!board_stack_intact())
			board_exit(0);
	}
}

int main(void)
{
	uart_init();
	clock_init();
	crypto_pool_init();
	start_core();
	boot_decision();
	serve();
}
