/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rawlink.h - a raw serial client for device-side tests: it speaks the
 * frames of fwseal/frame.h over a pty and sends whatever bytes a test gives
 * it, skipping every host-side check (so refusals are the device's own).
 */
#ifndef FWSEAL_TEST_RAWLINK_H
#define FWSEAL_TEST_RAWLINK_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/devinfo.h"
#include "fwseal/err.h"
#include "fwseal/frame.h"

typedef struct rawlink {
	int fd;
	uint16_t seq;
	fws_frame_decoder dec;
	uint8_t wire[FWS_FRAME_WIRE_MAX];
} rawlink;

int rawlink_open(rawlink *l, const char *pty);
void rawlink_close(rawlink *l);

/* One request and its answer (retransmitted on timeout, same seq). Returns
 * 0 with *status (enum fws_frame_status) and the payload, -1 on timeout. */
int rawlink_call(rawlink *l, uint8_t type, uint16_t value, uint16_t length,
                 const uint8_t *payload, size_t plen, uint8_t *status,
                 uint8_t *out, size_t cap, size_t *out_len);

/* INFO, decoded. FWS_OK or the error. */
fws_err rawlink_info(rawlink *l, fws_devinfo *info);

/* DNLOAD the stream in chunks of `chunk` bytes, then the zero-length DNLOAD
 * and the manifestation GETSTATUS polls, as a DFU host does (DFU 1.1 7.1).
 * Returns FWS_OK if the device accepted the whole package, else the
 * device's detail code (GETSTATUS after the refused request). *refused_at
 * (if not NULL) gets the stream offset of the refused chunk. */
fws_err rawlink_download(rawlink *l, const uint8_t *stream, size_t len, size_t chunk,
                         size_t *refused_at);

/* DNLOAD data in chunks of `chunk` bytes, each followed by GETSTATUS, and
 * nothing more (no end of download): the first part of a download that is
 * then cut, or the rest of a resumed one. FWS_OK or as rawlink_download. */
fws_err rawlink_send(rawlink *l, const uint8_t *data, size_t len, size_t chunk,
                     size_t *refused_at);

/* RESUME at a stream offset with the SHA-256 of the package prefix (what
 * the device-info record's resume point says). 0 if the device accepted. */
int rawlink_resume(rawlink *l, uint32_t offset, const uint8_t prefix_sha256[32]);

/* CLRSTATUS after an error (back to dfuIDLE). */
int rawlink_clrstatus(rawlink *l);

/* RESET: the device answers, then reboots into its boot decision. */
int rawlink_reset(rawlink *l);

#endif
