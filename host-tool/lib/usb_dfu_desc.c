/* SPDX-License-Identifier: Apache-2.0 */
/* usb_dfu_desc.c - parsers of what a USB device says (usb_dfu_desc.h). */
#include "usb_dfu_desc.h"

#include <string.h>

#include "fwseal/dfu.h"
#include "fwseal/le.h"

enum { DT_CONFIG = 0x02, DT_STRING = 0x03, DT_INTERFACE = 0x04 };

fws_err fws_usb_find_dfu(const uint8_t *cfg, size_t len, struct fws_dfu_iface *out)
{
	bool in_dfu = false, found = false;

	memset(out, 0, sizeof *out);
	if (!cfg || len < 9 || cfg[0] < 9 || cfg[1] != DT_CONFIG || fws_get_le16(cfg + 2) != len)
		return FWS_E_PROTOCOL;
	for (size_t off = cfg[0]; off < len;) {
		const uint8_t *d = cfg + off;
		size_t left = len - off;

		if (left < 2 || d[0] < 2 || d[0] > left)
			return FWS_E_PROTOCOL;
		if (d[1] == DT_INTERFACE) {
			if (d[0] < 9)
				return FWS_E_PROTOCOL;
			bool dfu = d[5] == FWS_DFU_CLASS && d[6] == FWS_DFU_SUBCLASS &&
			           (d[7] == FWS_DFU_PROTO_RUNTIME || d[7] == FWS_DFU_PROTO_DFU_MODE);
			/* the alternate settings of the first DFU interface only */
			in_dfu = dfu && (!found || d[2] == out->number);
			if (in_dfu) {
				if (!found) {
					found = true;
					out->number = d[2];
					out->protocol = d[7];
				}
				if (out->alt_count < FWS_USB_ALT_MAX) {
					out->alt[out->alt_count] = d[3];
					out->alt_string[out->alt_count] = d[8];
					out->alt_count++;
				}
			}
		} else if (d[1] == FWS_DFU_FUNC_DESC_TYPE && in_dfu && !out->has_func) {
			/* DFU 1.1 4.1.3: 9 bytes; DFU 1.0 devices send 7 (no bcdDFUVersion) */
			if (d[0] < 7)
				return FWS_E_PROTOCOL;
			out->has_func = true;
			out->func.attributes = d[2];
			out->func.detach_timeout_ms = fws_get_le16(d + 3);
			out->func.transfer_size = fws_get_le16(d + 5);
			out->func.bcd_dfu = d[0] >= 9 ? fws_get_le16(d + 7) : 0x0100;
		}
		off += d[0];
	}
	if (!found)
		return FWS_E_COMPONENT;
	if (!out->has_func || out->func.transfer_size == 0)
		return FWS_E_PROTOCOL;
	return FWS_OK;
}

fws_err fws_usb_string_parse(const uint8_t *b, size_t len, char *out, size_t cap)
{
	if (!out || cap == 0)
		return FWS_E_INVAL;
	out[0] = '\0';
	if (!b || len < 2 || b[0] > len || b[0] < 2 || (b[0] & 1u) || b[1] != DT_STRING)
		return FWS_E_PROTOCOL;
	size_t n = (b[0] - 2u) / 2u, k = 0;
	for (size_t i = 0; i < n && k + 1 < cap; i++) {
		uint16_t c = fws_get_le16(b + 2 + 2 * i);
		out[k++] = (c >= 0x20 && c <= 0x7E) ? (char)c : '?';
	}
	out[k] = '\0';
	return FWS_OK;
}
