/* SPDX-License-Identifier: Apache-2.0 */
#include "rawlink.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fwseal/dfu.h"
#include "fwseal/le.h"

/* Generous: one request may include an ECDSA verify and a full-image
 * read-back under an emulator on a loaded machine. */
#define ANSWER_TIMEOUT_MS 4000
#define TRIES 4

int rawlink_open(rawlink *l, const char *pty)
{
	struct termios t;

	memset(l, 0, sizeof *l);
	l->fd = open(pty, O_RDWR | O_NOCTTY);
	if (l->fd < 0)
		return -1;
	if (tcgetattr(l->fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(l->fd, TCSANOW, &t);
	}
	l->seq = (uint16_t)(getpid() * 7919u);
	fws_frame_decoder_init(&l->dec);
	return 0;
}

void rawlink_close(rawlink *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Wait for the answer to seq; 1 found, 0 timeout, -1 error. */
static int await(rawlink *l, uint16_t seq, uint8_t type, uint8_t *status, uint8_t *out,
                 size_t cap, size_t *out_len)
{
	long deadline = now_ms() + ANSWER_TIMEOUT_MS;
	uint8_t buf[512];

	for (;;) {
		struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
		long left = deadline - now_ms();
		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		ssize_t r = read(l->fd, buf, sizeof buf);
		if (r < 0)
			return -1;
		size_t off = 0;
		while (off < (size_t)r) {
			enum fws_frame_event ev;
			fws_frame f;
			off += fws_frame_decoder_feed(&l->dec, buf + off, (size_t)r - off, &ev, &f, NULL);
			if (ev != FWS_FRAME_READY || f.seq != seq ||
			    f.type != (uint8_t)(type | FWS_FRAME_RESPONSE))
				continue; /* stale answers of earlier tries */
			if (f.payload_len > cap)
				return -1;
			*status = f.status;
			if (f.payload_len)
				memcpy(out, f.payload, f.payload_len);
			*out_len = f.payload_len;
			/* Bytes after the answer belong to nothing we wait for. */
			return 1;
		}
	}
}

int rawlink_call(rawlink *l, uint8_t type, uint16_t value, uint16_t length,
                 const uint8_t *payload, size_t plen, uint8_t *status,
                 uint8_t *out, size_t cap, size_t *out_len)
{
	fws_frame f = {
		.seq = ++l->seq, .type = type, .value = value, .length = length,
		.payload = payload, .payload_len = plen,
	};
	size_t wlen;

	if (fws_frame_encode(&f, l->wire, sizeof l->wire, &wlen) != FWS_OK)
		return -1;
	for (int i = 0; i < TRIES; i++) {
		if (write_all(l->fd, l->wire, wlen) != 0)
			return -1;
		int r = await(l, f.seq, type, status, out, cap, out_len);
		if (r != 0)
			return r > 0 ? 0 : -1;
	}
	return -1;
}

fws_err rawlink_info(rawlink *l, fws_devinfo *info)
{
	uint8_t buf[FWS_DEVINFO_MAX];
	uint8_t st;
	size_t n;

	if (rawlink_call(l, FWS_REQ_INFO, 0, FWS_DEVINFO_MAX, NULL, 0, &st, buf, sizeof buf, &n) != 0)
		return FWS_E_TIMEOUT;
	if (st != FWS_FRAME_ACK)
		return FWS_E_PROTOCOL;
	return fws_devinfo_decode(buf, n, info);
}

/* GETSTATUS: 6 DFU bytes + detail (i32 LE). */
static int getstatus(rawlink *l, uint8_t *dfu_status, uint8_t *state, fws_err *detail)
{
	uint8_t buf[16], st;
	size_t n;

	if (rawlink_call(l, FWS_DFU_GETSTATUS, 0, sizeof buf, NULL, 0, &st, buf, sizeof buf, &n) != 0 ||
	    st != FWS_FRAME_ACK || n < FWS_DFU_STATUS_LEN + 4u)
		return -1;
	*dfu_status = buf[0];
	*state = buf[4];
	*detail = (fws_err)(int32_t)fws_get_le32(buf + FWS_DFU_STATUS_LEN);
	return 0;
}

static fws_err refused(rawlink *l)
{
	uint8_t dfu_status, state;
	fws_err detail;

	if (getstatus(l, &dfu_status, &state, &detail) != 0)
		return FWS_E_PROTOCOL;
	return detail != FWS_OK ? detail : FWS_E_PROTOCOL;
}

/* One DNLOAD and the GETSTATUS after it: FWS_OK with the DFU state, or
 * the device's detail code when it refused. */
static fws_err dnload(rawlink *l, uint16_t block, const uint8_t *data, size_t len,
                      uint8_t *state)
{
	uint8_t st, dfu_status, dummy[8];
	size_t n;
	fws_err detail;

	if (rawlink_call(l, FWS_DFU_DNLOAD, block, 0, data, len, &st, dummy, sizeof dummy, &n) != 0)
		return FWS_E_TIMEOUT;
	if (st != FWS_FRAME_ACK)
		return refused(l);
	if (getstatus(l, &dfu_status, state, &detail) != 0)
		return FWS_E_PROTOCOL;
	if (*state == FWS_DFU_ERROR)
		return detail != FWS_OK ? detail : FWS_E_PROTOCOL;
	return FWS_OK;
}

fws_err rawlink_send(rawlink *l, const uint8_t *data, size_t len, size_t chunk,
                     size_t *refused_at)
{
	uint8_t state;
	size_t off = 0;

	for (uint16_t block = 0; off < len; block++) {
		size_t c = len - off < chunk ? len - off : chunk;

		if (refused_at)
			*refused_at = off;
		fws_err e = dnload(l, block, data + off, c, &state);
		if (e != FWS_OK)
			return e;
		off += c;
	}
	if (refused_at)
		*refused_at = off;
	return FWS_OK;
}

fws_err rawlink_download(rawlink *l, const uint8_t *stream, size_t len, size_t chunk,
                         size_t *refused_at)
{
	uint8_t dfu_status, state;
	fws_err detail, e = rawlink_send(l, stream, len, chunk, refused_at);

	/* The zero-length DNLOAD ends the download (DFU 1.1 7.1); dfuMANIFEST
	 * is reported, and one more GETSTATUS reaches dfuIDLE. */
	if (e == FWS_OK)
		e = dnload(l, 0, NULL, 0, &state);
	if (e != FWS_OK)
		return e;
	if (state != FWS_DFU_MANIFEST ||
	    getstatus(l, &dfu_status, &state, &detail) != 0 || state != FWS_DFU_IDLE)
		return FWS_E_PROTOCOL;
	return FWS_OK;
}

int rawlink_resume(rawlink *l, uint32_t offset, const uint8_t prefix_sha256[32])
{
	uint8_t req[4 + 32], st, dummy[8];
	size_t n;

	fws_put_le32(req, offset);
	memcpy(req + 4, prefix_sha256, 32);
	if (rawlink_call(l, FWS_REQ_RESUME, 0, 0, req, sizeof req, &st, dummy, sizeof dummy, &n) != 0)
		return -1;
	return st == FWS_FRAME_ACK ? 0 : -1;
}

int rawlink_clrstatus(rawlink *l)
{
	uint8_t st, dummy[8];
	size_t n;
	return rawlink_call(l, FWS_DFU_CLRSTATUS, 0, 0, NULL, 0, &st, dummy, sizeof dummy, &n);
}

int rawlink_reset(rawlink *l)
{
	uint8_t st, dummy[8];
	size_t n;
	return rawlink_call(l, FWS_REQ_RESET, 0, 0, NULL, 0, &st, dummy, sizeof dummy, &n);
}
