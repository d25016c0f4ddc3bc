/* SPDX-License-Identifier: Apache-2.0 */
/* dfu_names.c - printable names of DFU 1.1 states and status codes (6.1.2),
 * spelled as in the specification so logs can be matched against it. */
#include "fwseal/dfu.h"

const char *fws_dfu_state_name(uint8_t state)
{
	static const char *const names[] = {
		[FWS_DFU_APP_IDLE] = "appIDLE",
		[FWS_DFU_APP_DETACH] = "appDETACH",
		[FWS_DFU_IDLE] = "dfuIDLE",
		[FWS_DFU_DNLOAD_SYNC] = "dfuDNLOAD-SYNC",
		[FWS_DFU_DNBUSY] = "dfuDNBUSY",
		[FWS_DFU_DNLOAD_IDLE] = "dfuDNLOAD-IDLE",
		[FWS_DFU_MANIFEST_SYNC] = "dfuMANIFEST-SYNC",
		[FWS_DFU_MANIFEST] = "dfuMANIFEST",
		[FWS_DFU_MANIFEST_WAIT_RESET] = "dfuMANIFEST-WAIT-RESET",
		[FWS_DFU_UPLOAD_IDLE] = "dfuUPLOAD-IDLE",
		[FWS_DFU_ERROR] = "dfuERROR",
	};
	return state < sizeof names / sizeof names[0] ? names[state] : "unknown";
}

const char *fws_dfu_status_name(uint8_t status)
{
	static const char *const names[] = {
		[FWS_DFU_OK] = "OK",
		[FWS_DFU_ERR_TARGET] = "errTARGET",
		[FWS_DFU_ERR_FILE] = "errFILE",
		[FWS_DFU_ERR_WRITE] = "errWRITE",
		[FWS_DFU_ERR_ERASE] = "errERASE",
		[FWS_DFU_ERR_CHECK_ERASED] = "errCHECK_ERASED",
		[FWS_DFU_ERR_PROG] = "errPROG",
		[FWS_DFU_ERR_VERIFY] = "errVERIFY",
		[FWS_DFU_ERR_ADDRESS] = "errADDRESS",
		[FWS_DFU_ERR_NOTDONE] = "errNOTDONE",
		[FWS_DFU_ERR_FIRMWARE] = "errFIRMWARE",
		[FWS_DFU_ERR_VENDOR] = "errVENDOR",
		[FWS_DFU_ERR_USBR] = "errUSBR",
		[FWS_DFU_ERR_POR] = "errPOR",
		[FWS_DFU_ERR_UNKNOWN] = "errUNKNOWN",
		[FWS_DFU_ERR_STALLEDPKT] = "errSTALLEDPKT",
	};
	return status < sizeof names / sizeof names[0] ? names[status] : "unknown";
}
