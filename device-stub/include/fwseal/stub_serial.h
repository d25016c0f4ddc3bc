/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal/stub_serial.h - the device end of the serial protocol (frames of
 * fwseal/frame.h, docs/serial-protocol.md) on top of fws_stub_handle. Portable:
 * bytes come and go through hal->recv / hal->send.
 *
 * Each request frame becomes one fws_stub_req (type -> request, value ->
 * value, payload -> data; UPLOAD reads FWS_ALT_INFO). The answer frame has
 * the same seq and type | FWS_FRAME_RESPONSE, status ACK or STALL (the
 * handler refused; GETSTATUS tells why) or UNSUPPORTED. GETSTATUS answers
 * carry the 6 DFU bytes followed by the detail fws_err as i32 LE; so does the
 * answer to a DNLOAD sent with FWS_FRAME_REQ_STATUS (one round trip per
 * chunk instead of two, docs/serial-protocol.md). A repeated
 * request (same seq and CRC as the last one) gets the cached answer again
 * and is not executed twice.
 *
 * DNLOAD data is decoded straight into the block buffer
 * (fws_stub_dnload_room): the frame decoder itself holds only small
 * payloads (FWS_FRAME_RX_MAX), so a port with little RAM needs no second
 * block-sized buffer; it then reports FWS_DL_UNIT_CHUNKS so hosts never
 * send a DNLOAD that spills out of that room.
 *
 * Windowed download (FWS_FRAME_REQ_WINDOW, docs/serial-protocol.md): the
 * host may have up to cfg.dl_window DNLOADs in flight. The link then keeps
 * the answers of the last FWS_STUB_SERIAL_WINDOW requests, so a host that
 * goes back and resends the whole window gets every executed one answered
 * from the cache, still never executed twice; a windowed DNLOAD that does
 * not directly follow the last executed request is dropped unanswered.
 */
#ifndef FWSEAL_STUB_SERIAL_H
#define FWSEAL_STUB_SERIAL_H

#include "fwseal/frame.h"
#include "fwseal/stub.h"

/* Largest answer payload: the longest device-info record this stub can
 * build (every other answer is a few bytes: GETSTATUS 6 + 4). */
#define FWS_STUB_ANSWER_MAX FWS_DEVINFO_ENCODED_MAX
#define FWS_STUB_ANSWER_WIRE (FWS_FRAME_HEADER_LEN + FWS_STUB_ANSWER_MAX + FWS_FRAME_CRC_LEN + \
                              (FWS_FRAME_HEADER_LEN + FWS_STUB_ANSWER_MAX + 4u) / 254u + 3u)
/* One buffer holds the answer twice over its life: the handler writes the
 * payload at FWS_FRAME_INPLACE_OFF, the encoder turns it into the wire frame
 * in place, and the frame stays there for retransmission. */
#define FWS_STUB_TX_MAX (FWS_STUB_ANSWER_WIRE > FWS_FRAME_INPLACE_OFF + FWS_STUB_ANSWER_MAX ? \
                         FWS_STUB_ANSWER_WIRE : FWS_FRAME_INPLACE_OFF + FWS_STUB_ANSWER_MAX)

/* Requests whose answers the link keeps for retransmission (the last one
 * included): the largest window a port may announce (cfg.dl_window). 1
 * keeps only the last answer (no window; a small device saves the RAM). */
#ifndef FWS_STUB_SERIAL_WINDOW
#define FWS_STUB_SERIAL_WINDOW 8u
#endif
_Static_assert(FWS_STUB_SERIAL_WINDOW >= 1u && FWS_STUB_SERIAL_WINDOW <= 255u,
               "the window is reported in one byte");
/* A windowed request's answer as it went out: a DNLOAD's (with the status
 * record of REQ_STATUS: 10 payload bytes) encodes to 26 bytes. */
#define FWS_STUB_PAST_WIRE 32u

/* An earlier request of the window and its answer frame. */
typedef struct fws_stub_serial_past {
	fws_frame_dedup req;
	uint8_t len;
	uint8_t wire[FWS_STUB_PAST_WIRE];
} fws_stub_serial_past;

typedef struct fws_stub_serial {
	fws_stub *stub;
	fws_frame_decoder dec;
	fws_frame_dedup dedup;            /* the last executed request */
	uint8_t tx[FWS_STUB_TX_MAX];      /* last answer frame, for retransmission */
	size_t tx_len;
#if FWS_STUB_SERIAL_WINDOW > 1
	fws_stub_serial_past past[FWS_STUB_SERIAL_WINDOW - 1u]; /* the ones before, a ring */
	uint8_t past_next;
#endif
	uint32_t frames_bad;
	uint32_t frames_dropped;          /* windowed DNLOADs out of order */
	uint32_t frames_repeated;         /* requests answered again from the cache */
} fws_stub_serial;

void fws_stub_serial_init(fws_stub_serial *l, fws_stub *stub);

/* Wait up to timeout_ms for bytes, handle every complete frame. FWS_OK
 * (also on timeout), or the transport's error (FWS_E_DISCONNECTED). After it
 * returns, check fws_stub_reset_pending(). */
fws_err fws_stub_serial_poll(fws_stub_serial *l, uint32_t timeout_ms);

/* Feed received bytes directly (ports with their own receive loop, tests). */
fws_err fws_stub_serial_input(fws_stub_serial *l, const uint8_t *in, size_t len);

#endif /* FWSEAL_STUB_SERIAL_H */
