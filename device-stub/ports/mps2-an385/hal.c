/* SPDX-License-Identifier: Apache-2.0 */
#include "hal.h"

#include "board.h"
#include "clock.h"
#include "flashmap.h"
#include "uart.h"

static fws_err hal_flash_read(void *ctx, uint32_t off, uint8_t *dst, size_t len)
{
	const board_hal_ctx *c = ctx;
	return pflash_read(&c->core, off, dst, len) == FWS_OK ? FWS_OK : FWS_E_IO;
}

static fws_err hal_flash_write(void *ctx, uint32_t off, const uint8_t *src, size_t len)
{
	const board_hal_ctx *c = ctx;
	return pflash_write(&c->core, off, src, len) == FWS_OK ? FWS_OK : FWS_E_FLASH_WRITE;
}

static fws_err hal_flash_erase(void *ctx, uint32_t off)
{
	const board_hal_ctx *c = ctx;
	return pflash_erase(&c->core, off) == FWS_OK ? FWS_OK : FWS_E_FLASH_ERASE;
}

/* The "external NOR" is memory-mapped (board.h: PSRAM), as flash is on a
 * Cortex-M: the decoder of compressed and delta packages reads its
 * references in place. Only the core's part, never the factory sector. */
static const uint8_t *hal_flash_map(void *ctx, uint32_t off, size_t len)
{
	const board_hal_ctx *c = ctx;
	if (off > c->core.size || len > c->core.size - off)
		return NULL;
	return (const uint8_t *)(c->core.base + off);
}

/* The trust blob the factory programmed (format 1 or 2); the core parses
 * and checks it. Its header says how long it is. */
static fws_err hal_trust(void *ctx, uint8_t *dst, size_t cap, size_t *len)
{
	const board_hal_ctx *c = ctx;
	const uint32_t at = FLASHMAP_TRUST_OFF - FLASHMAP_FACTORY_OFF;
	size_t n;

	if (cap < FWS_TRUST_BLOB_MAX ||
	    pflash_read(&c->factory, at, dst, FWS_TRUST_V2_HDR_LEN) != FWS_OK)
		return FWS_E_TRUST_STORE;
	n = fws_trust_blob_len(dst, FWS_TRUST_V2_HDR_LEN);
	if (n == 0 || n > FWS_TRUST_BLOB_MAX || pflash_read(&c->factory, at, dst, n) != FWS_OK)
		return FWS_E_TRUST_STORE;
	*len = n;
	return FWS_OK;
}

/* Waits for the first byte, then takes what the UART has without waiting:
 * the caller loops, and a frame never waits on a timeout to complete. */
static int hal_recv(void *ctx, uint8_t *dst, size_t cap, uint32_t timeout_ms)
{
	(void)ctx;
	uint32_t t0 = clock_ms();
	size_t n = 0;

	while (!uart_rx_ready()) {
		if (clock_ms() - t0 >= timeout_ms)
			return 0;
		uart_wait_rx();
	}
	while (n < cap && uart_rx_ready())
		dst[n++] = uart_getc();
	return (int)n;
}

static fws_err hal_send(void *ctx, const uint8_t *src, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		uart_putc(src[i]);
	return FWS_OK;
}

static uint32_t hal_now_ms(void *ctx)
{
	(void)ctx;
	return clock_ms();
}

static void hal_reset(void *ctx)
{
	(void)ctx;
	/* The answer to RESET must leave before the UART is reset with us. */
	uart_flush();
	board_reset();
}

void board_hal_init(fws_hal *hal, board_hal_ctx *ctx)
{
	ctx->core = (pflash){
		.base = BOARD_PSRAM_BASE,
		.size = FLASHMAP_CORE_SIZE,
		.sector_size = FLASHMAP_SECTOR_SIZE,
		.write_size = FLASHMAP_WRITE_SIZE,
	};
	ctx->factory = (pflash){
		.base = BOARD_PSRAM_BASE + FLASHMAP_FACTORY_OFF,
		.size = FLASHMAP_SECTOR_SIZE,
		.sector_size = FLASHMAP_SECTOR_SIZE,
		.write_size = FLASHMAP_WRITE_SIZE,
	};

	*hal = (fws_hal){
		.ctx = ctx,
		.geom = {
			.sector_size = FLASHMAP_SECTOR_SIZE,
			.write_size = FLASHMAP_WRITE_SIZE,
			.slot = {
				{ .off = FLASHMAP_SLOT0_OFF, .size = FLASHMAP_SLOT_SIZE },
				{ .off = FLASHMAP_SLOT1_OFF, .size = FLASHMAP_SLOT_SIZE },
			},
			.journal = { FLASHMAP_JOURNAL0_OFF, FLASHMAP_JOURNAL1_OFF },
			.trust = {
				{ .off = FLASHMAP_TRUST0_OFF, .size = FLASHMAP_TRUST_SIZE },
				{ .off = FLASHMAP_TRUST1_OFF, .size = FLASHMAP_TRUST_SIZE },
			},
		},
		.flash_read = hal_flash_read,
		.flash_write = hal_flash_write,
		.flash_erase = hal_flash_erase,
		.flash_map = hal_flash_map,
		.counter_read = NULL,  /* anti-rollback counter lives in the journal */
		.counter_advance = NULL,
		.trust_provisioned = hal_trust,
		.recv = hal_recv,
		.send = hal_send,
		.now_ms = hal_now_ms,
		.reset = hal_reset,
		.start_image = NULL,   /* main.c "runs" the image (docs/firmware.md) */
	};
}
