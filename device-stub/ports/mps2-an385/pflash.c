/* SPDX-License-Identifier: Apache-2.0 */
#include "pflash.h"

#include <stdbool.h>

#define ERASED 0xFFu

static bool in_range(const pflash *f, uint32_t off, size_t len)
{
	return off <= f->size && len <= f->size - off;
}

static volatile uint8_t *at(const pflash *f, uint32_t off)
{
	return (volatile uint8_t *)(f->base + off);
}

fws_err pflash_read(const pflash *f, uint32_t off, uint8_t *dst, size_t len)
{
	if (!in_range(f, off, len))
		return FWS_E_INVAL;
	const volatile uint8_t *p = at(f, off);
	for (size_t i = 0; i < len; i++)
		dst[i] = p[i];
	return FWS_OK;
}

fws_err pflash_write(const pflash *f, uint32_t off, const uint8_t *src, size_t len)
{
	uint32_t mask = f->write_size - 1u;

	if (!in_range(f, off, len) || (off & mask) != 0 || (len & mask) != 0)
		return FWS_E_INVAL;
	volatile uint8_t *p = at(f, off);
	/* Check the whole range first: a refused write changes nothing. */
	for (size_t i = 0; i < len; i++)
		if (p[i] != ERASED)
			return FWS_E_FLASH_WRITE;
	for (size_t i = 0; i < len; i++)
		p[i] = src[i];
	for (size_t i = 0; i < len; i++)
		if (p[i] != src[i])
			return FWS_E_FLASH_VERIFY;
	return FWS_OK;
}

fws_err pflash_erase(const pflash *f, uint32_t off)
{
	if (off >= f->size || (off & (f->sector_size - 1u)) != 0)
		return FWS_E_INVAL;
	volatile uint8_t *p = at(f, off);
	for (uint32_t i = 0; i < f->sector_size; i++)
		p[i] = ERASED;
	for (uint32_t i = 0; i < f->sector_size; i++)
		if (p[i] != ERASED)
			return FWS_E_FLASH_ERASE;
	return FWS_OK;
}
