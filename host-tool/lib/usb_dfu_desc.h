/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_dfu_desc.h - what the host reads from a (possibly hostile) USB device:
 * the configuration descriptor's DFU interface with its functional
 * descriptor (DFU 1.1 4.1.3 / 4.2.4) and USB string descriptors. Bounds-checked, no allocation; every
 * parser here has a fuzz target (tests/fuzz/fuzz_usb_desc.c).
 */
#ifndef FWS_USB_DFU_DESC_H
#define FWS_USB_DFU_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/err.h"

#define FWS_USB_ALT_MAX 8u

struct fws_dfu_func {
	uint8_t attributes;        /* FWS_DFU_ATTR_* */
	uint16_t detach_timeout_ms;
	uint16_t transfer_size;    /* wTransferSize */
	uint16_t bcd_dfu;
};

/* The first DFU interface of a configuration (runtime or DFU mode). */
struct fws_dfu_iface {
	uint8_t number;            /* bInterfaceNumber */
	uint8_t protocol;          /* FWS_DFU_PROTO_RUNTIME or _DFU_MODE */
	uint8_t alt_count;
	uint8_t alt[FWS_USB_ALT_MAX];       /* bAlternateSetting */
	uint8_t alt_string[FWS_USB_ALT_MAX];/* iInterface */
	bool has_func;
	struct fws_dfu_func func;
};

/* Parse a configuration descriptor (USB 2.0 9.6.3; wTotalLength bytes).
 * FWS_E_PROTOCOL if it is malformed (a descriptor overruns, zero length,
 * inconsistent total), FWS_E_COMPONENT (not found) if it has no DFU
 * interface, FWS_E_PROTOCOL if the DFU interface has no usable functional
 * descriptor (wTransferSize 0). */
fws_err fws_usb_find_dfu(const uint8_t *cfg, size_t len, struct fws_dfu_iface *out);

/* Turn a string descriptor (UTF-16LE, USB 2.0 9.6.7) into printable ASCII:
 * anything else becomes '?', so a device cannot send terminal control
 * sequences. FWS_E_PROTOCOL if malformed. out always NUL terminated. */
fws_err fws_usb_string_parse(const uint8_t *b, size_t len, char *out, size_t cap);

#endif /* FWS_USB_DFU_DESC_H */
