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

#endif /* FWSEAL_HOST_CRC32_H */
