/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_host_client.h - what the host transport fuzz targets ask a hostile
 * device (fuzz_host_serial.c, fuzz_host_links.c): every kind of request
 * through the link's own request function, each answer checked against the
 * transport contract (transport.h): an answer never longer than asked for,
 * a failure always with a code and a sentence; then the DFU client's
 * parsers (status, state, device-info record) on top.
 */
#ifndef FWSEAL_FUZZ_HOST_CLIENT_H
#define FWSEAL_FUZZ_HOST_CLIENT_H

#include <stdlib.h>
#include <string.h>

#include "fwseal/dfu.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/transport.h"

static inline void fuzz_host_request(fwh_link *l, uint8_t request, const uint8_t *data,
                                     size_t len, size_t cap)
{
	static uint8_t answer[FWS_DEVINFO_MAX + 64];
	fwh_request req = { .request = request, .value = 1, .data = data, .len = len,
	                    .want_status = request == FWS_DFU_DNLOAD, .answer = cap ? answer : NULL,
	                    .answer_cap = cap };
	fwh_error err = { 0 };
	fws_err e = l->ops->request(l, &req, &err);
	if (e == FWS_OK && req.answer_len > cap)
		abort(); /* more than the host asked for */
	if (e != FWS_OK && (err.code != e || err.msg[0] == '\0'))
		abort(); /* a failure says what and why */
}

/* The requests a session makes, raw, then through the DFU client. */
static inline void fuzz_host_session(fwh_link *l)
{
	static const uint8_t chunk[100] = { 'F', 'W', 'S', 'L' };
	uint8_t resume[4 + 32] = { 0 };
	fwh_dfu_status st;
	fws_devinfo info;
	uint8_t state;
	fwh_error err;

	fuzz_host_request(l, FWS_DFU_GETSTATUS, NULL, 0, 16);
	fuzz_host_request(l, FWS_REQ_INFO, NULL, 0, FWS_DEVINFO_MAX);
	fuzz_host_request(l, FWS_DFU_DNLOAD, chunk, sizeof chunk, 16);
	fuzz_host_request(l, FWS_DFU_UPLOAD, NULL, 0, 64);
	fuzz_host_request(l, FWS_REQ_RESUME, resume, sizeof resume, 0);
	(void)fwh_dfu_getstatus(l, &st, &err);
	(void)fwh_dfu_getstate(l, &state, &err);
	(void)fwh_dfu_info(l, &info, &err);
	(void)fwh_dfu_clrstatus(l, &err);
	(void)fwh_dfu_reset(l, &err);
}

#endif /* FWSEAL_FUZZ_HOST_CLIENT_H */
