/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal/dfu.h - USB DFU 1.1 constants, defined once for host and device.
 * Section numbers refer to "Universal Serial Bus Device Class Specification
 * for Device Firmware Upgrade", version 1.1.
 */
#ifndef FWSEAL_DFU_H
#define FWSEAL_DFU_H

#include <stdint.h>

/* 4.2 / 6.1: interface class, subclass, protocol (DFU mode) */
#define FWS_DFU_CLASS          0xFEu
#define FWS_DFU_SUBCLASS       0x01u
#define FWS_DFU_PROTO_RUNTIME  0x01u
#define FWS_DFU_PROTO_DFU_MODE 0x02u
#define FWS_DFU_FUNC_DESC_TYPE 0x21u
#define FWS_DFU_BCD_VERSION    0x0110u

/* 4.1.3 functional descriptor bmAttributes */
#define FWS_DFU_ATTR_CAN_DNLOAD         0x01u
#define FWS_DFU_ATTR_CAN_UPLOAD         0x02u
#define FWS_DFU_ATTR_MANIFEST_TOLERANT  0x04u
#define FWS_DFU_ATTR_WILL_DETACH        0x08u

/* 3: class-specific requests (bRequest) */
enum fws_dfu_request {
	FWS_DFU_DETACH = 0,
	FWS_DFU_DNLOAD = 1,
	FWS_DFU_UPLOAD = 2,
	FWS_DFU_GETSTATUS = 3,
	FWS_DFU_CLRSTATUS = 4,
	FWS_DFU_GETSTATE = 5,
	FWS_DFU_ABORT = 6,
	/* fwseal extensions, outside the DFU range (not sent by DFU hosts) */
	FWS_REQ_INFO = 0x40,    /* returns the device-info record */
	FWS_REQ_RESUME = 0x41,  /* continue an interrupted download */
	FWS_REQ_RESET = 0x42,   /* leave DFU mode: reboot (what a USB reset does) */
};

/* 6.1.2: device states (bState) */
enum fws_dfu_state {
	FWS_DFU_APP_IDLE = 0,
	FWS_DFU_APP_DETACH = 1,
	FWS_DFU_IDLE = 2,
	FWS_DFU_DNLOAD_SYNC = 3,
	FWS_DFU_DNBUSY = 4,
	FWS_DFU_DNLOAD_IDLE = 5,
	FWS_DFU_MANIFEST_SYNC = 6,
	FWS_DFU_MANIFEST = 7,
	FWS_DFU_MANIFEST_WAIT_RESET = 8,
	FWS_DFU_UPLOAD_IDLE = 9,
	FWS_DFU_ERROR = 10,
};

/* 6.1.2: status codes (bStatus) */
enum fws_dfu_status {
	FWS_DFU_OK = 0x00,
	FWS_DFU_ERR_TARGET = 0x01,
	FWS_DFU_ERR_FILE = 0x02,
	FWS_DFU_ERR_WRITE = 0x03,
	FWS_DFU_ERR_ERASE = 0x04,
	FWS_DFU_ERR_CHECK_ERASED = 0x05,
	FWS_DFU_ERR_PROG = 0x06,
	FWS_DFU_ERR_VERIFY = 0x07,
	FWS_DFU_ERR_ADDRESS = 0x08,
	FWS_DFU_ERR_NOTDONE = 0x09,
	FWS_DFU_ERR_FIRMWARE = 0x0A,
	FWS_DFU_ERR_VENDOR = 0x0B,
	FWS_DFU_ERR_USBR = 0x0C,
	FWS_DFU_ERR_POR = 0x0D,
	FWS_DFU_ERR_UNKNOWN = 0x0E,
	FWS_DFU_ERR_STALLEDPKT = 0x0F,
};

/* 6.1.2: GETSTATUS answer, 6 bytes: bStatus, bwPollTimeout (3 bytes LE),
 * bState, iString. */
#define FWS_DFU_STATUS_LEN 6u

const char *fws_dfu_state_name(uint8_t state);
const char *fws_dfu_status_name(uint8_t status);

#endif /* FWSEAL_DFU_H */
