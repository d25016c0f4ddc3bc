/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal/frame.h - serial (and HID) framing of the DFU requests.
 *
 * docs/serial-protocol.md is the specification; this header and that document
 * must stay in step. One frame on the wire:
 *
 *   0x00 | COBS( seq u16 | type u8 | status u8 | value u16 | length u16 |
 *                payload (0..FWS_FRAME_PAYLOAD_MAX) | CRC-32 u32 ) | 0x00
 *
 * All integers little-endian. The CRC-32 (fws_crc32, as zlib) covers every
 * decoded byte before it. COBS removes every 0x00 from the frame body, so a
 * 0x00 always means "frame boundary" and a receiver that sees garbage (line
 * noise, a frame cut short) resynchronises at the next 0x00.
 *
 * Requests carry a request code (enum fws_dfu_request) in `type`; the answer
 * carries the same code with FWS_FRAME_RESPONSE set and the request's seq.
 * `value` is the DFU wValue (block number for DNLOAD/UPLOAD); `length` is the
 * DFU wLength of a device-to-host request (UPLOAD, GETSTATUS, INFO, ...): the
 * most answer bytes the host accepts. The payload length is implied by the
 * frame length.
 *
 * Retransmission is idempotent: a request whose seq and CRC equal those of
 * the last request the device executed is answered with the cached answer
 * and not executed again (fws_frame_dedup below). Hosts start at a random
 * seq and add one per new request, so a restarted host does not collide
 * with the device's cache.
 *
 * Everything here is allocation-free and OS-free (device stub uses it).
 */
#ifndef FWSEAL_FRAME_H
#define FWSEAL_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/err.h"

#define FWS_FRAME_HEADER_LEN  8u
#define FWS_FRAME_CRC_LEN     4u
/* Largest payload: one 4 KiB DNLOAD chunk plus room for small headers.
 * A device with little RAM may build with a smaller value (at least
 * FWS_DEVINFO_ENCODED_MAX, checked in frame.c) and must then report its
 * limit as FWS_DI_XFER_SIZE: hosts never send more DNLOAD data per request
 * than that. Hosts always build with the default. */
#ifndef FWS_FRAME_PAYLOAD_MAX
#define FWS_FRAME_PAYLOAD_MAX 4160u
#endif
/* Largest decoded frame (header + payload + CRC). */
#define FWS_FRAME_RAW_MAX     (FWS_FRAME_HEADER_LEN + FWS_FRAME_PAYLOAD_MAX + FWS_FRAME_CRC_LEN)
/* COBS adds one byte per 254 bytes plus one; two 0x00 delimiters. */
#define FWS_FRAME_WIRE_MAX    (FWS_FRAME_RAW_MAX + FWS_FRAME_RAW_MAX / 254u + 1u + 2u)

_Static_assert(FWS_FRAME_PAYLOAD_MAX <= 0xFFFFu, "payload length must fit a u16 wLength");

/* type: request code in bits 0..6, bit 7 set on answers */
#define FWS_FRAME_RESPONSE 0x80u

/* Request flags, in the status byte of a request (0 = none). A device that
 * does not know a flag ignores it, so a flag never changes what a request
 * does, only what the answer carries.
 * REQ_STATUS on DNLOAD: answer an accepted DNLOAD with the GETSTATUS record
 * that a GETSTATUS right after it would return (and act as if that GETSTATUS
 * was made), sparing one round trip per chunk on slow lines. */
#define FWS_FRAME_REQ_STATUS 0x01u
/* REQ_WINDOW on DNLOAD: the host sent this request without waiting for the
 * answer to the one before it (seq - 1), as the device's DL_WINDOW allows
 * (devinfo.h). The device executes it only right after seq - 1 and drops it
 * unanswered otherwise (a request before it was lost: the host's timeout and
 * go-back retransmission cover it); in dfuERROR it refuses it (STALL)
 * without touching the status, so GETSTATUS still names the first failure.
 * docs/serial-protocol.md, "Windowed download". */
#define FWS_FRAME_REQ_WINDOW 0x02u

/* status of an answer */
enum fws_frame_status {
	FWS_FRAME_ACK = 0,         /* request done; payload is the answer */
	FWS_FRAME_STALL = 1,       /* request refused, like a USB STALL (DFU 1.1
	                              6.1.2): ask GETSTATUS for the reason */
	FWS_FRAME_UNSUPPORTED = 2, /* unknown request code */
};

typedef struct fws_frame {
	uint16_t seq;
	uint8_t type;
	uint8_t status;
	uint16_t value;
	uint16_t length;
	const uint8_t *payload; /* payload_len bytes; NULL allowed when 0 */
	size_t payload_len;
	/* Decoder with a sink only (fws_frame_decoder_set_sink): the payload
	 * bytes that did not fit the sink's room follow in a second piece.
	 * The encoder ignores these; 0 / NULL everywhere else. */
	const uint8_t *payload2;
	size_t payload2_len;
	uint32_t crc;           /* set by decode and encode */
} fws_frame;

/* Encode f into out (cap bytes) as leading 0x00, COBS body, trailing 0x00.
 * Sets f->crc and *out_len. FWS_E_LIMIT if the payload is too long,
 * FWS_E_NOMEM if cap is too small (FWS_FRAME_WIRE_MAX always suffices).
 * Streams: needs no buffer besides out.
 *
 * In place: the payload may already lie in out, at out + FWS_FRAME_INPLACE_OFF
 * (exactly there; cap then >= FWS_FRAME_INPLACE_CAP). The encoder never
 * writes a byte before it has read it, so a device builds its answer in its
 * transmit buffer and needs no second one. */
fws_err fws_frame_encode(fws_frame *f, uint8_t *out, size_t cap, size_t *out_len);

/* After m input bytes the COBS writer is at most 2 + m + m/254 bytes into out
 * (delimiter, first code, data, one code per full block); payload byte i is
 * read when m = 8 + i, so an offset of 10 + (9 + max)/254 keeps every write
 * behind the next read. */
#define FWS_FRAME_INPLACE_OFF 32u
_Static_assert(FWS_FRAME_INPLACE_OFF >= 10u + (FWS_FRAME_HEADER_LEN + 1u + FWS_FRAME_PAYLOAD_MAX) / 254u + 1u,
               "in-place payload offset too small for the largest payload");
#define FWS_FRAME_INPLACE_CAP \
	(FWS_FRAME_INPLACE_OFF + FWS_FRAME_PAYLOAD_MAX > FWS_FRAME_WIRE_MAX ? \
	 FWS_FRAME_INPLACE_OFF + FWS_FRAME_PAYLOAD_MAX : FWS_FRAME_WIRE_MAX)

/* ---------------------------------------------------------------------- */
/* Incremental decoder                                                    */

enum fws_frame_event {
	FWS_FRAME_NONE = 0, /* all input consumed, no frame finished */
	FWS_FRAME_READY,    /* *out holds a good frame (payload points into the decoder) */
	FWS_FRAME_BAD,      /* a frame was dropped (COBS, length or CRC error) */
};

/* Payload bytes the decoder holds itself. Hosts keep the default (any
 * payload); a device that takes its large payloads through a sink (below)
 * may build with less, at least what its other requests carry (RESUME: 36).
 * A frame whose payload fits neither the sink nor this is dropped as too
 * long (FWS_E_LIMIT). */
#ifndef FWS_FRAME_RX_MAX
#define FWS_FRAME_RX_MAX FWS_FRAME_PAYLOAD_MAX
#endif
_Static_assert(FWS_FRAME_RX_MAX <= FWS_FRAME_PAYLOAD_MAX, "the decoder never holds more than a payload");

/* A sink places a frame's payload where its receiver wants it (the device
 * stub: DNLOAD data straight into the block buffer, fwseal/stub_serial.h).
 * Called once per frame, when its 8 header bytes have arrived (hdr holds
 * seq, type, status, value, length; no payload yet): return where the
 * payload goes and set *cap to the bytes there (NULL or 0: the decoder's own
 * buffer). Payload beyond *cap continues in the decoder's buffer (payload2).
 * The decoder writes there BEFORE it has checked the CRC, and may write up
 * to *cap bytes even for a frame it then drops, so the room must be scratch
 * space until a READY frame says what is valid. */
typedef uint8_t *(*fws_frame_sink)(void *ctx, const fws_frame *hdr, size_t *cap);

typedef struct fws_frame_decoder {
	uint8_t hdr[FWS_FRAME_HEADER_LEN];
	uint8_t buf[FWS_FRAME_RX_MAX + FWS_FRAME_CRC_LEN]; /* payload (rest) + CRC */
	size_t fill;       /* decoded body bytes of the current frame */
	size_t buf_fill;   /* of them in buf */
	fws_frame_sink sink;
	void *sink_ctx;
	uint8_t *room;     /* the sink's room for this frame, or NULL */
	size_t room_cap;
	size_t room_fill;
	uint8_t code;      /* current COBS block code */
	uint8_t left;      /* data bytes left in the current block */
	bool started;      /* a code byte has been seen in this frame */
	bool overflow;     /* frame too long: drop until the next 0x00 */
	uint32_t bad;      /* dropped frames so far (statistics) */
} fws_frame_decoder;

void fws_frame_decoder_init(fws_frame_decoder *d);

/* Send payloads through sink from the next frame on (NULL: none). */
void fws_frame_decoder_set_sink(fws_frame_decoder *d, fws_frame_sink sink, void *ctx);

/* Consume bytes up to and including the 0x00 that ends a frame, or all of
 * them. Returns the number of bytes consumed; call again with the rest.
 * Feed chunks of any size. On FWS_FRAME_READY, out->payload (and with a
 * sink, out->payload2) is valid until the next call. On FWS_FRAME_BAD, *why (if not NULL) gets FWS_E_FRAME or
 * FWS_E_LIMIT (frame longer than FWS_FRAME_RAW_MAX, or than the room). Empty frames (two 0x00
 * in a row) are ignored silently. */
size_t fws_frame_decoder_feed(fws_frame_decoder *d, const uint8_t *in, size_t len,
                              enum fws_frame_event *ev, fws_frame *out, fws_err *why);

/* ---------------------------------------------------------------------- */
/* Device side: idempotent retransmission                                  */

typedef struct fws_frame_dedup {
	bool valid;
	uint16_t seq;
	uint32_t crc;
} fws_frame_dedup;

/* True if req is a retransmission of the last executed request: the caller
 * then re-sends its cached answer instead of executing req again. */
bool fws_frame_dedup_is_repeat(const fws_frame_dedup *d, const fws_frame *req);

/* Remember req as executed (call after its answer is cached). */
void fws_frame_dedup_record(fws_frame_dedup *d, const fws_frame *req);

/* Name of a request code ("DNLOAD", "INFO", ...); "unknown" otherwise. */
const char *fws_request_name(uint8_t request);

#endif /* FWSEAL_FRAME_H */
