/* SPDX-License-Identifier: Apache-2.0 */
/*
 * simflash.h - NOR flash simulated in a file (posix port and tests).
 *
 * Geometry as real parts have it: erase by sector to 0xFF, program only
 * write_size-aligned multiples of write_size, and only onto erased bytes
 * (each violation is refused and counted, so tests can assert the core never
 * breaks the rules). The file is mapped shared, so the flash content survives
 * a restart of the simulator on the same file like a real power cycle.
 *
 * Faults: a power cut after operation N (programs and erases count; reads
 * do not change flash): operation N+1 is not done, or done in part when torn
 * (a program stores its first half, an erase clears the first half of the
 * sector), and every later operation fails as if the device were off.
 * Bit errors: fws_simflash_flip().
 */
#ifndef FWSEAL_SIMFLASH_H
#define FWSEAL_SIMFLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/err.h"

typedef struct fws_simflash {
	uint8_t *mem;
	size_t size;
	int fd;
	uint32_t sector_size;
	uint32_t write_size;
	uint64_t ops;        /* programs + erases since open / re-power */
	uint64_t cut_after;  /* 0: no cut armed; else ops allowed before the cut */
	bool armed;
	bool armed_range;    /* cut the next operation inside [cut_lo, cut_hi) */
	uint32_t cut_lo, cut_hi;
	bool torn;
	bool dead;           /* power is off: every operation fails */
	uint32_t violations; /* refused programs (alignment, not erased) */
	uint32_t *erases;    /* per sector: erases since open (wear; torn ones too) */
} fws_simflash;

/* Open path as flash of size bytes; a new (or empty) file is created erased.
 * An existing file of another size is refused (FWS_E_INVAL). */
fws_err fws_simflash_open(fws_simflash *f, const char *path, size_t size, uint32_t sector_size,
                          uint32_t write_size);
void fws_simflash_close(fws_simflash *f);

fws_err fws_simflash_read(fws_simflash *f, uint32_t off, uint8_t *dst, size_t len);
fws_err fws_simflash_write(fws_simflash *f, uint32_t off, const uint8_t *src, size_t len);
fws_err fws_simflash_erase(fws_simflash *f, uint32_t off);

/* Read-only pointer to len bytes at off (the mapped file), NULL if out of
 * range or the power is off. */
const uint8_t *fws_simflash_map(const fws_simflash *f, uint32_t off, size_t len);

/* Arm a power cut: n more operations succeed, the next one is cut. */
void fws_simflash_arm_cut(fws_simflash *f, uint64_t n, bool torn);
/* Arm a power cut at the next program or erase at an offset in [lo, hi)
 * (operations elsewhere go on). */
void fws_simflash_arm_cut_in(fws_simflash *f, uint32_t lo, uint32_t hi, bool torn);
/* Power back on: clears the cut and the dead state, keeps the content. */
void fws_simflash_repower(fws_simflash *f);
/* Flip one bit (a bit error in the cell). */
void fws_simflash_flip(fws_simflash *f, uint32_t off, unsigned bit);

/* Erases of the sector holding off since open (NOR wears out after
 * 10k..100k of them): what tests of flash wear count. */
uint32_t fws_simflash_erases(const fws_simflash *f, uint32_t off);

#endif /* FWSEAL_SIMFLASH_H */
