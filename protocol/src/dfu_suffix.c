/* SPDX-License-Identifier: Apache-2.0 */
/* DFU file suffix, DFU 1.1 appendix B. The device never sees or trusts it;
 * it exists so DFU hosts (dfu-util, fwupd) accept the package file as is. */
#include <string.h>

#include "fwseal/dfu.h"
#include "fwseal/le.h"
#include "fwseal/pkg.h"

uint32_t fws_dfu_crc_update(uint32_t crc, const uint8_t *p, size_t n)
{
	/* Appendix B: CRC-32 as in IEEE 802.3 but without the final inversion,
	 * i.e. the zlib CRC of the same bytes, bit-inverted. */
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return crc;
}

void fws_dfu_suffix_encode(const fws_dfu_suffix *s, uint8_t out[FWS_PKG_SUFFIX_LEN])
{
	fws_put_le16(out + 0, s->bcd_device);
	fws_put_le16(out + 2, s->id_product);
	fws_put_le16(out + 4, s->id_vendor);
	fws_put_le16(out + 6, s->bcd_dfu);
	out[8] = 'U';
	out[9] = 'F';
	out[10] = 'D';
	out[11] = FWS_PKG_SUFFIX_LEN;
	fws_put_le32(out + 12, s->crc);
}

fws_err fws_dfu_suffix_parse(const uint8_t in[FWS_PKG_SUFFIX_LEN], fws_dfu_suffix *s)
{
	if (in[8] != 'U' || in[9] != 'F' || in[10] != 'D' || in[11] != FWS_PKG_SUFFIX_LEN)
		return FWS_E_SUFFIX;
	s->bcd_device = fws_get_le16(in + 0);
	s->id_product = fws_get_le16(in + 2);
	s->id_vendor = fws_get_le16(in + 4);
	s->bcd_dfu = fws_get_le16(in + 6);
	s->crc = fws_get_le32(in + 12);
	if (s->bcd_dfu != 0x0100u && s->bcd_dfu != 0x011au)
		return FWS_E_SUFFIX;
	return FWS_OK;
}
