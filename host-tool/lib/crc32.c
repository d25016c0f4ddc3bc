/* SPDX-License-Identifier: Apache-2.0 */
/* crc32.c - see fwseal-host/crc32.h. */
#include "fwseal-host/crc32.h"

#include "fwseal/crc.h"

#ifdef FWS_HAVE_ZLIB
#include <zlib.h>
#endif

uint32_t fwh_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
#ifdef FWS_HAVE_ZLIB
	/* zlib's crc32 is the same CRC as fws_crc32, about 10x faster */
	while (n > 0) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
		crc = (uint32_t)crc32(crc, p, k);
		p += k;
		n -= k;
	}
	return crc;
#else
	return fws_crc32(crc, p, n);
#endif
}

/* CRCs of concatenations. A CRC-32 of this kind (reflected, initial and
 * final value ~0) satisfies crc(A || B) = crc(A) * x^(8 |B|) + crc(B) in
 * GF(2)[x] modulo the polynomial, so pieces hashed in any order combine;
 * zlib's crc32_combine rests on the same identity. Polynomials are kept
 * reflected, as the CRC is: bit 31 is x^0. */
#define CRC_POLY 0xEDB88320u

/* a * b modulo the polynomial */
static uint32_t mult_mod(uint32_t a, uint32_t b)
{
	uint32_t p = 0;

	for (uint32_t m = 1u << 31; m != 0; m >>= 1) {
		if (a & m)
			p ^= b;
		b = (b & 1u) ? (b >> 1) ^ CRC_POLY : b >> 1;
	}
	return p;
}

uint32_t fwh_crc32_shift(uint64_t len)
{
	uint32_t result = 1u << 31;       /* x^0 */
	uint32_t square = 1u << (31 - 8); /* x^8: one byte */

	for (; len != 0; len >>= 1) {
		if (len & 1u)
			result = mult_mod(result, square);
		square = mult_mod(square, square);
	}
	return result;
}

uint32_t fwh_crc32_shift_add(uint32_t x_a, uint32_t x_b)
{
	return mult_mod(x_a, x_b);
}

uint32_t fwh_crc32_concat(uint32_t crc_a, uint32_t crc_b, uint32_t x_lenb)
{
	return mult_mod(x_lenb, crc_a) ^ crc_b;
}
