/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/dfu_client.h - the DFU 1.1 requests (and fwseal's INFO,
 * RESUME, RESET) as host calls over any transport. A refused request (STALL)
 * is turned into the device's own reason: GETSTATUS is asked and its status
 * and detail code become the error sentence.
 */
#ifndef FWSEAL_HOST_DFU_CLIENT_H
#define FWSEAL_HOST_DFU_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/crypto.h"
#include "fwseal/devinfo.h"
#include "fwseal-host/transport.h"

/* GETSTATUS answer (DFU 1.1 6.1.2) plus fwseal's detail code. */
typedef struct fwh_dfu_status {
	uint8_t status;       /* bStatus, enum fws_dfu_status */
	uint32_t poll_ms;     /* bwPollTimeout */
	uint8_t state;        /* bState, enum fws_dfu_state */
	uint8_t istring;
	fws_err detail;       /* FWS_OK when the device sent none */
} fwh_dfu_status;

fws_err fwh_dfu_getstatus(fwh_link *l, fwh_dfu_status *st, fwh_error *err);
fws_err fwh_dfu_getstate(fwh_link *l, uint8_t *state, fwh_error *err);
fws_err fwh_dfu_clrstatus(fwh_link *l, fwh_error *err);
fws_err fwh_dfu_abort(fwh_link *l, fwh_error *err);

/* DNLOAD block `block` (len 0: end of download, DFU 1.1 7.1.2). A STALL is
 * reported with the device's reason (fwh_error.from_device set). */
fws_err fwh_dfu_dnload(fwh_link *l, uint16_t block, const uint8_t *data, size_t len,
                       fwh_error *err);

/* The same, asking the device to put the status of the block in the answer
 * (FWS_FRAME_REQ_STATUS). *have_st tells whether it did; if not, the caller
 * asks GETSTATUS as usual (DFU 1.1 7.1.1). */
fws_err fwh_dfu_dnload_status(fwh_link *l, uint16_t block, const uint8_t *data, size_t len,
                              fwh_dfu_status *st, bool *have_st, fwh_error *err);

/* A DNLOAD that goes out without waiting (fwh_post, the serial window):
 * fill req for block `block` with status in the answer (ans: >= 16 bytes),
 * post it; once fwh_reap() returned it, fwh_dfu_dnload_outcome() says what
 * it came to, as fwh_dfu_dnload_status() would have. Nothing else may be
 * in flight when the outcome is a STALL (the device is asked why). */
void fwh_dfu_dnload_prepare(fwh_request *req, uint16_t block, const uint8_t *data, size_t len,
                            uint8_t *ans, size_t ans_cap);
fws_err fwh_dfu_dnload_outcome(fwh_link *l, const fwh_request *req, fwh_dfu_status *st,
                               bool *have_st, fwh_error *err);

/* Read and decode the device-info record (FWS_REQ_INFO). A record that does
 * not decode is FWS_E_PROTOCOL ("the device may be faulty"). */
fws_err fwh_dfu_info(fwh_link *l, fws_devinfo *info, fwh_error *err);

/* Continue an interrupted download at stream offset `offset` of the package
 * whose prefix hashes to prefix_sha256 (FWS_REQ_RESUME). */
fws_err fwh_dfu_resume(fwh_link *l, uint32_t offset, const uint8_t prefix_sha256[FWS_SHA256_LEN],
                       fwh_error *err);

/* Ask the device to reset (FWS_REQ_RESET); the answer comes before the reset. */
fws_err fwh_dfu_reset(fwh_link *l, fwh_error *err);

/* Fill err from a status the device reported: "The device refused ...:
 * <fws_err_describe(detail)>". what names the refused step ("the firmware
 * data"); it is an English msgid of the domain "fwseal" (marked for extraction where
 * it is written), translated in err->text. */
fws_err fwh_dfu_status_error(const fwh_dfu_status *st, const char *what, fwh_error *err);

#endif /* FWSEAL_HOST_DFU_CLIENT_H */
