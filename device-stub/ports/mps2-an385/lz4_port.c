/* SPDX-License-Identifier: Apache-2.0 */
/* lz4_port.c - see lz4_port.h. */
#include "lz4_port.h"

#include <stdint.h>

void *fws_lz4_memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d < s) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		for (size_t i = n; i-- > 0;)
			d[i] = s[i];
	}
	return dst;
}
