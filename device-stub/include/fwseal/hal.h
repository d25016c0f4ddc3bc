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
 *   - the geometry names the two image slots and the two journal sectors.
 *     Slots are sector-aligned, a whole number of sectors, and do not overlap
 *     each other or the journal.
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
#include "fwseal/trust.h"

#define FWS_HAL_SLOTS      2u
#define FWS_FLASH_ERASED   0xFFu

typedef struct fws_flash_area {
	uint32_t off;   /* sector-aligned start in the flash address space */
	uint32_t size;  /* whole number of sectors */
} fws_flash_area;

typedef struct fws_flash_geom {
	uint32_t sector_size;   /* erase unit, power of two, >= 256 */
	uint32_t write_size;    /* program unit, power of two, 1..128 */
	fws_flash_area slot[FWS_HAL_SLOTS];
	uint32_t journal[2];    /* offsets of the two journal sectors */
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

	/* The trust store (public keys + revoked flags). Returns a pointer
	 * valid for the lifetime of the stub, or NULL if the device has none
	 * (every package is then refused). The core never writes it. */
	const fws_trust *(*trust)(void *ctx);

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
