/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libc_small.c - memset, memcmp and memcpy for the firmware, in place of
 * newlib's (160, 94 and 236 bytes of flash, unrolled for speed): a byte
 * loop each is a few dozen bytes. The most the stub copies is a block of
 * 4 KiB (~4 cycles a byte here, against ~60 a byte for the SHA-256 it does
 * on the same block), the rest is structs, digests and headers. Keeps the
 * firmware within its 24 KiB flash target (docs/firmware.md, "Footprint
 * and cost"). Built without LTO and builtins, so the compiler can neither
 * turn these loops back into calls to themselves nor merge them away.
 */
#include <stddef.h>

void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n-- > 0u)
		*p++ = *q++;
	return d;
}

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
