/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libc_small.c - memset and memcmp for the firmware, in place of newlib's
 * (160 and 94 bytes of flash, unrolled for speed): a byte loop each is a
 * few dozen bytes, and what the stub sets or compares is small (structs,
 * digests, headers) next to the SHA-256 it does per block. Keeps the
 * firmware within its 24 KiB flash target (docs/firmware.md, "Footprint
 * and cost"). Built without LTO and builtins, so the compiler can neither
 * turn these loops back into calls to themselves nor merge them away.
 */
#include <stddef.h>

void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n-- > 0u)
		*p++ = (unsigned char)c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n > 0u; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}
