/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/crc32.h - the DFU suffix CRC for the host tools: exactly
 * fws_crc32 (zlib-compatible: start with 0 and chain), through zlib's faster
 * implementation when built with it. The DFU suffix dwCRC of bytes B is
 * ~fwh_crc32(0, B) (DFU 1.1 appendix B).
 */
#ifndef FWSEAL_HOST_CRC32_H
#define FWSEAL_HOST_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t fwh_crc32(uint32_t crc, const uint8_t *p, size_t n);

/* CRC of A || B from crc_a = fwh_crc32(0, A) and crc_b = fwh_crc32(0, B),
 * given x_lenb = fwh_crc32_shift(len of B): for a CRC of a file computed in
 * pieces out of order. */
uint32_t fwh_crc32_shift(uint64_t len);
uint32_t fwh_crc32_concat(uint32_t crc_a, uint32_t crc_b, uint32_t x_lenb);
/* The shift of a length a + b from those of a and b. */
uint32_t fwh_crc32_shift_add(uint32_t x_a, uint32_t x_b);

#endif /* FWSEAL_HOST_CRC32_H */
