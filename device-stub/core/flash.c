/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/flash.c - flash access through the HAL with the
 * alignment rules of fwseal/hal.h applied in one place.
 */
#include <string.h>

#include "internal.h"

fws_err stub_flash_read(const fws_stub *s, uint32_t off, uint8_t *dst, size_t len)
{
	const fws_hal *h = s->cfg.hal;

	return h->flash_read(h->ctx, off, dst, len) == FWS_OK ? FWS_OK : FWS_E_IO;
}

fws_err stub_flash_erase_range(fws_stub *s, uint32_t off, uint32_t len)
{
	const fws_hal *h = s->cfg.hal;
	uint32_t ss = h->geom.sector_size;

	assert(off % ss == 0u);
	for (uint32_t o = 0; o < len; o += ss) {
		if (h->flash_erase(h->ctx, off + o) != FWS_OK)
			return FWS_E_FLASH_ERASE;
	}
	return FWS_OK;
}

fws_err stub_flash_program(fws_stub *s, uint32_t off, const uint8_t *src, size_t len)
{
	const fws_hal *h = s->cfg.hal;
	uint32_t ws = h->geom.write_size;
	size_t whole = len - len % ws;
	uint8_t tail[128];

	assert(off % ws == 0u && ws <= sizeof tail);
	if (whole > 0u && h->flash_write(h->ctx, off, src, whole) != FWS_OK)
		return FWS_E_FLASH_WRITE;
	if (whole < len) {
		memset(tail, FWS_FLASH_ERASED, ws);
		memcpy(tail, src + whole, len - whole);
		if (h->flash_write(h->ctx, off + (uint32_t)whole, tail, ws) != FWS_OK)
			return FWS_E_FLASH_WRITE;
	}
	return FWS_OK;
}

fws_err stub_flash_cmp(const fws_stub *s, uint32_t off, const uint8_t *src, size_t len)
{
	uint32_t ws = s->cfg.hal->geom.write_size;
	size_t padded = (len + ws - 1u) & ~(size_t)(ws - 1u);
	uint8_t piece[32]; /* small pieces: no second block buffer on the stack */
	unsigned differs = 0, programmed = 0;

	for (size_t i = 0; i < padded; i += sizeof piece) {
		size_t n = padded - i < sizeof piece ? padded - i : sizeof piece;

		if (stub_flash_read(s, off + (uint32_t)i, piece, n) != FWS_OK)
			return FWS_E_IO;
		for (size_t k = 0; k < n; k++) {
			differs |= piece[k] ^ (i + k < len ? src[i + k] : FWS_FLASH_ERASED);
			programmed |= piece[k] ^ FWS_FLASH_ERASED;
		}
	}
	return differs == 0u ? FWS_OK : programmed == 0u ? FWS_E_STATE : FWS_E_FLASH_VERIFY;
}

fws_err stub_flash_put(fws_stub *s, uint32_t off, const uint8_t *src, size_t len)
{
	fws_err e = stub_flash_cmp(s, off, src, len);

	/* there already: no write, no wear; erased: program; else refuse */
	return e == FWS_E_STATE ? stub_flash_program(s, off, src, len) : e;
}

uint32_t stub_image_off(const fws_stub *s, unsigned slot)
{
	assert(slot < FWS_HAL_SLOTS);
	return s->cfg.hal->geom.slot[slot].off + s->meta_len;
}

uint32_t stub_image_cap(const fws_stub *s, unsigned slot)
{
	assert(slot < FWS_HAL_SLOTS);
	return s->cfg.hal->geom.slot[slot].size - s->meta_len;
}

fws_err stub_flash_sha256(const fws_stub *s, uint32_t off, uint32_t len,
                          uint8_t out[FWS_SHA256_LEN])
{
	fws_sha256_ctx ctx;
	fws_err e = FWS_OK;

	fws_sha256_init(&ctx); /* errors are sticky: final reports them */
	for (uint32_t done = 0; done < len;) {
		size_t n = len - done;

		if (n > s->cfg.buf_cap)
			n = s->cfg.buf_cap;
		e = stub_flash_read(s, off + done, s->cfg.buf, n);
		if (e != FWS_OK)
			break;
		fws_sha256_update(&ctx, s->cfg.buf, n);
		done += (uint32_t)n;
	}
	if (fws_sha256_final(&ctx, out) != FWS_OK && e == FWS_OK)
		e = FWS_E_CRYPTO; /* a failure is an error, never a digest */
	return e;
}
