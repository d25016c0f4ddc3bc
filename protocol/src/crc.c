/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crc.c - CRC-32 (IEEE 802.3, reflected, as zlib). Two implementations of
 * the same function, chosen at build time:
 *
 * - default (hosts, the simulator): slicing-by-8, eight 1 KiB tables
 *   (crc_tables.h), 8 bytes per step. Every byte a device receives on
 *   serial is in a frame whose CRC it checks, so this is part of what the
 *   stub costs per image byte: about 0.04 of a SHA-256 pass here, against
 *   0.23 with the nibble table (bench/stub-cost).
 * - FWS_CRC32_SMALL (the Cortex-M firmware, which has 24 KiB of flash):
 *   a 16-entry table, 64 bytes of rodata, two lookups per byte.
 */
#include "fwseal/crc.h"

#if defined(FWS_CRC32_SMALL)

static const uint32_t crc_nibble[16] = {
	0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu,
	0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
	0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
	0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
};

uint32_t fws_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc_nibble[crc & 0x0fu];
		crc = (crc >> 4) ^ crc_nibble[crc & 0x0fu];
	}
	return ~crc;
}

#else

#include "crc_tables.h"

/* Little-endian load whatever the host's byte order and alignment. */
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t fws_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	for (; n >= 8; p += 8, n -= 8) {
		uint32_t lo = crc ^ le32(p), hi = le32(p + 4);

		crc = crc_t[7][lo & 0xFFu] ^ crc_t[6][(lo >> 8) & 0xFFu] ^
		      crc_t[5][(lo >> 16) & 0xFFu] ^ crc_t[4][lo >> 24] ^
		      crc_t[3][hi & 0xFFu] ^ crc_t[2][(hi >> 8) & 0xFFu] ^
		      crc_t[1][(hi >> 16) & 0xFFu] ^ crc_t[0][hi >> 24];
	}
	for (; n > 0; p++, n--)
		crc = (crc >> 8) ^ crc_t[0][(crc ^ *p) & 0xFFu];
	return ~crc;
}

#endif
