/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pflash.h - NOR flash emulated in memory-mapped, file-backed RAM.
 *
 * QEMU's memory is plain RAM, so this driver enforces what real NOR flash
 * (and the posix simulator's flash file) enforces, and refuses instead of
 * silently doing what hardware would not:
 *   - erase works on whole sector_size sectors and sets every byte to 0xFF;
 *   - program takes write_size-aligned, write_size-multiple ranges, and only
 *     over erased (0xFF) bytes: erase-before-write;
 *   - reads have no alignment rule.
 * Offsets are relative to the region's base and checked against its size.
 */
#ifndef FWSEAL_MPS2_PFLASH_H
#define FWSEAL_MPS2_PFLASH_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/err.h"

typedef struct pflash {
	uintptr_t base;        /* address of the region's first byte */
	uint32_t size;         /* bytes, a multiple of sector_size */
	uint32_t sector_size;  /* power of two */
	uint32_t write_size;   /* power of two, <= sector_size */
} pflash;

/* FWS_E_INVAL if [off, off+len) is not inside the region. */
fws_err pflash_read(const pflash *f, uint32_t off, uint8_t *dst, size_t len);

/* FWS_E_INVAL on a misaligned or out-of-range request, FWS_E_FLASH_WRITE if a
 * target byte is not erased (nothing is written then), FWS_E_FLASH_VERIFY if
 * the bytes do not read back. */
fws_err pflash_write(const pflash *f, uint32_t off, const uint8_t *src, size_t len);

/* Erase the sector at off. FWS_E_INVAL if off is not a sector start inside
 * the region, FWS_E_FLASH_ERASE if the sector does not read back erased. */
fws_err pflash_erase(const pflash *f, uint32_t off);

#endif /* FWSEAL_MPS2_PFLASH_H */
