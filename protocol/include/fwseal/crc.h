/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal/crc.h - CRC-32 for non-adversarial integrity (trust blob, serial
 * frames, device journal). Authenticity is never based on it. */
#ifndef FWSEAL_CRC_H
#define FWSEAL_CRC_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 (IEEE 802.3, reflected poly 0xEDB88320), identical to zlib's
 * crc32(): start with crc = 0 and chain calls. */
uint32_t fws_crc32(uint32_t crc, const uint8_t *p, size_t n);

#endif /* FWSEAL_CRC_H */
