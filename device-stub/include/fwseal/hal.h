/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal/hal.h - the only way the portable device stub core reaches its
 * platform: one struct of function pointers plus an opaque context. The core
 * keeps no globals; every platform (the posix simulator, a Cortex-M board) is
 * a port that fills one fws_hal.
 *
 * Flash model (docs/device-stub.md, "Flash layout"):
 *   - one flash address space, offsets in bytes from its start;
 *   - erase works on whole sectors of geom.sector_size bytes and sets every
 *     byte to 0xFF (the erased value);
 *   - program works on geom.write_size-aligned, write_size-multiple ranges and
 *     may only be applied to erased bytes (erase-before-write); the core never
 *     programs a byte twice between erases;
 *   - the geometry names the two image slots, the two journal sectors and the
 *     two trust areas (where a trust update puts the new trust store; see
 *     docs/trust.md). Slots and trust areas are sector-aligned, a whole
 *     number of sectors, and no two of the areas overlap.
 *
 * Power loss: any flash call may be the last one before power fails. The
 * core tolerates that a program interrupted by power loss leaves its range
 * partially programmed (a "torn write") and an interrupted erase leaves the
 * sector partially erased; it relies only on: a call that returned FWS_OK is
 * durable, and an interrupted call touches nothing outside its own range.
 *
 * Slots are "direct" (no swap, no copy): the stub starts an image in the slot
 * it lives in. A port whose images must run from one fixed address has to
 * provide that itself (e.g. a RAM copy in start_image); see
 * docs/device-stub.md.
 */
#ifndef FWSEAL_HAL_H
#define FWSEAL_HAL_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/err.h"
#include "fwseal/pkg.h"
#include "fwseal/trust.h"

#define FWS_HAL_SLOTS      2u
#define FWS_FLASH_ERASED   0xFFu

/* A trust area holds a trust store (<= FWS_TRUST_BLOB_MAX bytes) at its start
 * and, while a trust update is received, the update's package prefix at
 * FWS_HAL_TRUST_PREFIX_OFF (a multiple of every allowed write size). */
#define FWS_HAL_TRUST_PREFIX_OFF 640u
#define FWS_HAL_TRUST_AREA_MIN   (FWS_HAL_TRUST_PREFIX_OFF + FWS_PKG_PREFIX_MAX)
_Static_assert(FWS_HAL_TRUST_PREFIX_OFF >= FWS_TRUST_BLOB_MAX &&
               FWS_HAL_TRUST_PREFIX_OFF % 128u == 0u, "trust area layout");

typedef struct fws_flash_area {
	uint32_t off;   /* sector-aligned start in the flash address space */
	uint32_t size;  /* whole number of sectors */
} fws_flash_area;

typedef struct fws_flash_geom {
	uint32_t sector_size;   /* erase unit, power of two, >= 256 */
	uint32_t write_size;    /* program unit, power of two, 1..128 */
	fws_flash_area slot[FWS_HAL_SLOTS];
	uint32_t journal[2];    /* offsets of the two journal sectors */
	/* Two trust areas, each >= FWS_HAL_TRUST_AREA_MIN rounded up to whole
	 * sectors: the core writes a new trust store into the one not in force,
	 * and one journal record switches (docs/trust.md). */
	fws_flash_area trust[2];
} fws_flash_geom;

typedef struct fws_hal {
	void *ctx;              /* passed to every call, never touched by the core */
	fws_flash_geom geom;

	/* Read len bytes at off. Must succeed for any in-range off/len (no
	 * alignment); returns FWS_E_IO if the device cannot be read. Reading
	 * never changes flash. */
	fws_err (*flash_read)(void *ctx, uint32_t off, uint8_t *dst, size_t len);

	/* Program len bytes at off. off and len are multiples of write_size and
	 * every target byte is erased (the core guarantees both). Returns FWS_OK
	 * only once the bytes are durable; FWS_E_FLASH_WRITE on failure. */
	fws_err (*flash_write)(void *ctx, uint32_t off, const uint8_t *src, size_t len);

	/* Erase the one sector starting at off (sector-aligned). Returns FWS_OK
	 * only when every byte of the sector reads 0xFF; FWS_E_FLASH_ERASE on
	 * failure. */
	fws_err (*flash_erase)(void *ctx, uint32_t off);

	/* Optional hardware monotonic counter (OTP / secure element). May be
	 * NULL: the anti-rollback counter then lives in the journal only.
	 * counter_read returns the current value; counter_advance raises it to
	 * at least v (never lowers it) and returns FWS_OK once durable. */
	fws_err (*counter_read)(void *ctx, uint32_t *v);
	fws_err (*counter_advance)(void *ctx, uint32_t v);

	/* The provisioned trust store (fwseal/trust.h, format 1 or 2): the
	 * one the factory programmed (`fwseal-sim --trust` on the simulator).
	 * Copy its bytes to dst (cap >= FWS_TRUST_BLOB_MAX) and set *len;
	 * FWS_E_TRUST_STORE if the device has none. The core reads it at
	 * start-up (and again after a refused trust update) while no trust
	 * update has been applied; it is in force only until the first one,
	 * whose store goes to the core's own trust areas (geom.trust). The
	 * core never writes it; a port should keep it where no package can
	 * reach it. Without a store the core refuses every package and boots
	 * no image. */
	fws_err (*trust_provisioned)(void *ctx, uint8_t *dst, size_t cap, size_t *len);

	/* Transport, used only by the serial link (fws_stub_serial_poll).
	 * recv: copy up to cap received bytes into dst, waiting at most
	 * timeout_ms; returns the count (0 on timeout) or a negative fws_err
	 * (FWS_E_DISCONNECTED). send: queue all len bytes or fail. Either may
	 * be NULL on a port that maps its transport onto fws_stub_handle()
	 * itself (USB DFU). */
	int (*recv)(void *ctx, uint8_t *dst, size_t cap, uint32_t timeout_ms);
	fws_err (*send)(void *ctx, const uint8_t *src, size_t len);

	/* Milliseconds from an arbitrary start, monotonic (wraps at 2^32).
	 * Required: the core times the flash-wear back-off with it. */
	uint32_t (*now_ms)(void *ctx);

	/* Reset the device (after FWS_REQ_RESET was answered). On hardware it
	 * does not return. The simulator returns and restarts the stub with
	 * fws_stub_init() + fws_stub_boot(); the core does not touch the old
	 * state after calling it. */
	void (*reset)(void *ctx);

	/* Start the verified image in slot (fws_stub_boot() chose it). On
	 * hardware it does not return. The simulator records it and returns.
	 * May be NULL (the port starts the image itself). */
	void (*start_image)(void *ctx, unsigned slot, uint32_t image_off, uint32_t image_len);

	/* Optional read-only view of flash: a pointer through which the len
	 * bytes at off can be read directly (memory-mapped flash, as on a
	 * Cortex-M; the simulator's mapped file), or NULL if that range cannot
	 * be mapped. The pointer stays valid until the next flash_write or
	 * flash_erase; nothing is ever written through it. The core uses it
	 * only for the references of compressed and delta packages
	 * (fwseal/encoding.h), so their decoder needs no window in RAM; a port
	 * without it (NULL) offers no encodings and refuses such packages
	 * (encoding-unsupported). */
	const uint8_t *(*flash_map)(void *ctx, uint32_t off, size_t len);
} fws_hal;

#endif /* FWSEAL_HAL_H */
