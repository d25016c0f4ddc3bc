/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dutlink.h - the functional tests' own connection to the DUT, on
 * libfwseal-host's raw DFU requests (fwseal-host/dfu_client.h) over any
 * transport. Unlike `fwseal flash` it skips every host-side check, because
 * the tests must show what the DEVICE does with bytes a careful host would
 * never send (tampered, wrongly signed, downgraded, for another model).
 * Every wait is bounded. Each step is written to the test's log.
 */
#ifndef FWSEAL_EV_DUTLINK_H
#define FWSEAL_EV_DUTLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ev_util.h"
#include "fwseal-host/transport.h"
#include "fwseal/devinfo.h"

struct dutlink {
	char *device;      /* device string */
	fwh_link *l;       /* NULL while the device is away */
	struct ev_buf *log;/* the current test's log */
	uint16_t block;    /* next DNLOAD block number of the download in progress */
};

/* Device-info fields the record carries only on newer devices (non-critical
 * tags 0x8001..0x8003, docs/serial-protocol.md): "not reported" is a fact
 * the pack states, never a default. */
bool dut_image_sha256(const fws_devinfo *info, uint8_t out[FWS_SHA256_LEN]);
bool dut_is_simulator(const fws_devinfo *info);
const char *dut_crypto_lib(const fws_devinfo *info); /* NULL: not reported */

/* What happened to a stream sent with dut_send(). */
enum dut_outcome {
	DUT_ACCEPTED = 0,  /* every byte and the end of download (manifestation) accepted */
	DUT_REFUSED,       /* the device refused; at/len/detail say where and why */
	DUT_STOPPED,       /* stopped on purpose at stop_at (interrupted update) */
	DUT_LINK_ERROR,    /* the link failed: no conclusion about the device */
};

struct dut_result {
	enum dut_outcome outcome;
	uint64_t at;       /* stream offset of the refused DNLOAD (stream length: at the end) */
	size_t len;        /* its length (0: the zero-length end-of-download DNLOAD) */
	fws_err detail;    /* the device's reason */
	char msg[512];
};

bool dut_open(struct dutlink *d, const char *device, char *err, size_t cap);
void dut_close(struct dutlink *d);
/* Close the link only (another program is to use the device); the next
 * request opens it again. */
void dut_close_link(struct dutlink *d);
/* Reopen the link with short timeouts (a device that is about to lose its
 * power is not waited for long); the download in progress goes on. */
bool dut_reopen_short(struct dutlink *d);

/* Read the device-info record (opens the link if needed). */
bool dut_info(struct dutlink *d, fws_devinfo *info);

/* Log the parts of a record the tests judge. */
void dut_log_info(struct dutlink *d, const char *when, const fws_devinfo *info);

/* Send stream bytes from offset `from` as DNLOADs (each followed by
 * GETSTATUS, DFU 1.1 6.1.2), then the zero-length DNLOAD that ends the
 * download, unless stop_at is below len: then stop once stop_at bytes are
 * sent, without ending it. from 0 starts a new download (the device is
 * brought to dfuIDLE first); a later from continues the one in progress. */
void dut_send(struct dutlink *d, const uint8_t *stream, size_t len, uint64_t from,
              uint64_t stop_at, struct dut_result *r);

/* Wait up to limit_ms for the device to answer INFO again (after a power
 * cut or a restart it did by itself). */
bool dut_wait(struct dutlink *d, fws_devinfo *info, uint32_t limit_ms);

/* The device's DFU state (GETSTATE); false if it cannot be read. */
bool dut_state(struct dutlink *d, uint8_t *state);

/* Ask the device to restart (as after a power cycle) and wait until it
 * describes itself again; false if it does not within the limit. */
bool dut_restart(struct dutlink *d, fws_devinfo *info);

/* Drop the link without ending anything (a pulled cable). */
void dut_drop(struct dutlink *d);

/* Index of the active slot, or -1. */
int dut_active_slot(const fws_devinfo *info);

#endif
