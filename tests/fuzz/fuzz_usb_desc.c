/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_usb_desc.c - a malicious USB device's descriptors as the host reads
 * them when it opens a device (host-tool/lib/usb_dfu_desc.c): the raw
 * configuration descriptor searched for the DFU interface and its
 * functional descriptor, and string descriptors. Invariants: no read
 * outside the input; an accepted configuration names a DFU interface with
 * 1..FWS_USB_ALT_MAX alt settings and a non-zero transfer size; strings come
 * out NUL terminated, printable ASCII only, within the buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/dfu.h"
#include "usb_dfu_desc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fws_dfu_iface itf;
	char s[40];

	if (fws_usb_find_dfu(data, size, &itf) == FWS_OK) {
		if (itf.alt_count < 1 || itf.alt_count > FWS_USB_ALT_MAX || !itf.has_func ||
		    itf.func.transfer_size == 0 ||
		    (itf.protocol != FWS_DFU_PROTO_RUNTIME && itf.protocol != FWS_DFU_PROTO_DFU_MODE))
			abort();
	}
	if (fws_usb_string_parse(data, size, s, sizeof s) == FWS_OK) {
		size_t n = strnlen(s, sizeof s);
		if (n >= sizeof s)
			abort();
		for (size_t i = 0; i < n; i++)
			if (s[i] < 0x20 || s[i] > 0x7E)
				abort();
	}
	return 0;
}
