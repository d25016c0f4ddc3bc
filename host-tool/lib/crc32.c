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
