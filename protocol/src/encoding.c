/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The unit decoder of compressed and delta packages (fwseal/encoding.h).
 * The LZ4 block decoder is lz4's own: Debian's liblz4 on a host, lz4.c from
 * Debian's source package built decoder-only on the firmware
 * (scripts/fetch-lz4-source).
 */
#include <string.h>

/* For lz4's in-place macros only; every function used is in its stable
 * API (the host links Debian's shared liblz4). */
#define LZ4_STATIC_LINKING_ONLY
#include <lz4.h>

#include "fwseal/encoding.h"
#include "fwseal/le.h"

_Static_assert(FWS_ENC_BUF_NEED(4096u) >= (size_t)LZ4_DECOMPRESS_INPLACE_BUFFER_SIZE(4096u) &&
                   FWS_ENC_BUF_NEED(65536u) >=
                       (size_t)LZ4_DECOMPRESS_INPLACE_BUFFER_SIZE(65536u),
               "the in-place margin must be lz4's");
_Static_assert(FWS_UNIT_REF_MAX <= LZ4_DISTANCE_MAX, "a dictionary longer than lz4 reaches");

const char *fws_encoding_name(uint8_t enc)
{
	switch (enc) {
	case FWS_ENC_NONE: return "none";
	case FWS_ENC_LZ4: return "lz4";
	case FWS_ENC_LZ4_DELTA: return "lz4-delta";
	default: return "unknown";
	}
}

void fws_unit_hdr_encode(const fws_unit *u, uint8_t out[FWS_UNIT_HDR_LEN])
{
	out[0] = u->method;
	out[1] = u->source;
	fws_put_le16(out + 2, u->ref_len);
	fws_put_le32(out + 4, u->ref_off);
	fws_put_le32(out + 8, u->data_len);
}

void fws_unit_hdr_parse(const uint8_t in[FWS_UNIT_HDR_LEN], fws_unit *u)
{
	u->method = in[0];
	u->source = in[1];
	u->ref_len = fws_get_le16(in + 2);
	u->ref_off = fws_get_le32(in + 4);
	u->data_len = fws_get_le32(in + 8);
}

/* memmove as a loop: the device's libc memmove is 250 bytes of flash, and
 * the two moves here (a few KiB, once per unit) are not worth them. */
static void move(uint8_t *dst, const uint8_t *src, size_t n)
{
	if (dst < src) {
		for (size_t i = 0; i < n; i++)
			dst[i] = src[i];
	} else {
		for (size_t i = n; i-- > 0;)
			dst[i] = src[i];
	}
}

/* The reference a unit names, checked against what its source holds. */
static fws_err ref_map(const fws_unit_refs *refs, uint8_t encoding, uint8_t source, uint32_t off,
                       uint32_t len, const uint8_t **out)
{
	uint32_t have;

	*out = NULL;
	if (source == FWS_SRC_NONE)
		return len == 0u && off == 0u ? FWS_OK : FWS_E_ENCODING;
	if (source == FWS_SRC_IMAGE)
		have = refs->image_done;
	else if (source == FWS_SRC_BASE && encoding == FWS_ENC_LZ4_DELTA)
		have = refs->base_len;
	else
		return FWS_E_ENCODING;
	if (len == 0u || off > have || len > have - off)
		return FWS_E_ENCODING;
	if (refs->map == NULL)
		return FWS_E_IO;
	*out = refs->map(refs->ctx, source, off, len);
	return *out != NULL ? FWS_OK : FWS_E_IO;
}

/* LZ4-decode data_len bytes at from (in buf), moved to the end of the
 * buffer, into buf[0 .. block_len) (lz4.h, "In-place compression and
 * decompression"). */
static fws_err lz4_in_place(uint8_t *buf, size_t buf_cap, const uint8_t *from, uint32_t data_len,
                            size_t block_len, const uint8_t *dict, uint32_t dict_len)
{
	uint8_t *src;
	int n;

	if (data_len == 0u || data_len > block_len ||
	    buf_cap < (size_t)LZ4_DECOMPRESS_INPLACE_BUFFER_SIZE(block_len))
		return FWS_E_ENCODING;
	src = buf + buf_cap - data_len;
	move(src, from, data_len);
	n = LZ4_decompress_safe_usingDict((const char *)src, (char *)buf, (int)data_len,
	                                  (int)block_len, (const char *)dict, (int)dict_len);
	return n >= 0 && (size_t)n == block_len ? FWS_OK : FWS_E_ENCODING;
}

fws_err fws_unit_decode(uint8_t *buf, size_t buf_cap, size_t unit_len, size_t block_len,
                        uint8_t encoding, const fws_unit_refs *refs)
{
	const uint8_t *ref = NULL;
	fws_unit u;
	fws_err e;

	if (buf == NULL || refs == NULL || block_len == 0u || block_len > 65536u ||
	    buf_cap < FWS_ENC_BUF_NEED(block_len) || unit_len < FWS_UNIT_HDR_LEN ||
	    unit_len > buf_cap || (encoding != FWS_ENC_LZ4 && encoding != FWS_ENC_LZ4_DELTA))
		return FWS_E_INVAL;
	fws_unit_hdr_parse(buf, &u);
	if (u.data_len != unit_len - FWS_UNIT_HDR_LEN)
		return FWS_E_ENCODING;

	switch (u.method) {
	case FWS_UNIT_RAW:
		if (u.source != FWS_SRC_NONE || u.ref_len != 0u || u.ref_off != 0u ||
		    u.data_len != block_len)
			return FWS_E_ENCODING;
		move(buf, buf + FWS_UNIT_HDR_LEN, block_len);
		return FWS_OK;
	case FWS_UNIT_LZ4:
		e = ref_map(refs, encoding, u.source, u.ref_off, u.ref_len, &ref);
		if (e != FWS_OK)
			return e;
		return lz4_in_place(buf, buf_cap, buf + FWS_UNIT_HDR_LEN, u.data_len, block_len, ref,
		                    u.ref_len);
	case FWS_UNIT_LZ4_ADD: {
		/* The runs (verified bytes) go out of the buffer first: the
		 * decoded differences overwrite them. */
		uint16_t at[FWS_UNIT_RUNS_MAX];
		uint32_t off[FWS_UNIT_RUNS_MAX];
		const uint8_t *t = buf + FWS_UNIT_HDR_LEN;
		uint32_t n, table;

		if (u.source != FWS_SRC_BASE || u.ref_len != 0u)
			return FWS_E_ENCODING;
		n = t[0];
		table = 1u + n * FWS_UNIT_RUN_LEN;
		if (n >= FWS_UNIT_RUNS_MAX || u.data_len <= table)
			return FWS_E_ENCODING;
		at[0] = 0;
		off[0] = u.ref_off;
		for (uint32_t i = 1; i <= n; i++) {
			const uint8_t *r = t + 1u + (i - 1u) * FWS_UNIT_RUN_LEN;

			at[i] = fws_get_le16(r);
			off[i] = fws_get_le32(r + 2);
			if (at[i] <= at[i - 1u] || at[i] >= block_len)
				return FWS_E_ENCODING;
		}
		/* Every reference is checked before decoding, so a bad one fails
		 * the same way whatever the data. */
		for (uint32_t i = 0; i <= n; i++) {
			uint32_t end = i < n ? at[i + 1u] : (uint32_t)block_len;

			e = ref_map(refs, encoding, u.source, off[i], end - at[i], &ref);
			if (e != FWS_OK)
				return e;
		}
		e = lz4_in_place(buf, buf_cap, buf + FWS_UNIT_HDR_LEN + table, u.data_len - table,
		                 block_len, NULL, 0u);
		if (e != FWS_OK)
			return e;
		for (uint32_t i = 0; i <= n; i++) {
			uint32_t end = i < n ? at[i + 1u] : (uint32_t)block_len;

			e = ref_map(refs, encoding, u.source, off[i], end - at[i], &ref);
			if (e != FWS_OK)
				return e;
			for (uint32_t k = at[i]; k < end; k++)
				buf[k] = (uint8_t)(buf[k] + ref[k - at[i]]);
		}
		return FWS_OK;
	}
	default:
		return FWS_E_ENCODING;
	}
}
