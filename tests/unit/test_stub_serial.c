/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/serial.c: the serial frames onto the request handler,
 * over a socketpair standing in for the UART. An update done entirely in
 * frames; a retransmitted DNLOAD answered from the cache and not executed
 * twice; damaged frames dropped without an answer; unknown requests
 * answered UNSUPPORTED; GETSTATUS carrying the detail code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "fwseal/frame.h"
#include "fwseal/le.h"
#include "fwseal/stub_serial.h"
#include "test_stub_rig.h"

#define FLASH (256u * 1024u)
#define IMG   (9u * 1024u + 1u)

typedef struct host {
	rig *r;
	int fd;                 /* host end */
	fws_stub_serial link;
	fws_frame_decoder dec;
	uint16_t seq;
	uint8_t wire[FWS_FRAME_WIRE_MAX];
	size_t wire_len;
	uint8_t answer[FWS_FRAME_PAYLOAD_MAX];
	size_t answer_len;
	uint8_t status;
} host;

static host *host_new(void)
{
	host *h = calloc(1, sizeof *h);
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	h->r = rig_new(FLASH);
	h->r->dev.fd = sv[0];
	h->fd = sv[1];
	assert_int_equal(rig_power_on(h->r, true), FWS_OK);
	fws_stub_serial_init(&h->link, &h->r->stub);
	fws_frame_decoder_init(&h->dec);
	h->seq = 100;
	return h;
}

static void host_free(host *h)
{
	close(h->fd);
	close(h->r->dev.fd);
	rig_free(h->r);
	free(h);
}

/* Deliver the wire bytes to the device; collect one answer frame, or none
 * (returns false). */
static bool deliver(host *h, const uint8_t *wire, size_t len)
{
	uint8_t in[8192];
	ssize_t n;

	assert_int_equal(fws_stub_serial_input(&h->link, wire, len), FWS_OK);
	n = recv(h->fd, in, sizeof in, MSG_DONTWAIT);
	if (n <= 0)
		return false;
	for (size_t off = 0; off < (size_t)n;) {
		enum fws_frame_event ev;
		fws_frame f;
		size_t used = fws_frame_decoder_feed(&h->dec, in + off, (size_t)n - off, &ev, &f, NULL);

		off += used;
		if (ev == FWS_FRAME_READY) {
			assert_int_equal(f.seq, h->seq);
			memcpy(h->answer, f.payload, f.payload_len);
			h->answer_len = f.payload_len;
			h->status = f.status;
			return true;
		}
	}
	return false;
}

static bool request(host *h, uint8_t type, const uint8_t *data, size_t len, uint16_t length)
{
	fws_frame f = {0};

	f.seq = ++h->seq;
	f.type = type;
	f.length = length;
	f.payload = data;
	f.payload_len = len;
	assert_int_equal(fws_frame_encode(&f, h->wire, sizeof h->wire, &h->wire_len), FWS_OK);
	return deliver(h, h->wire, h->wire_len);
}

static void getstatus(host *h, uint8_t want_status)
{
	assert_true(request(h, FWS_DFU_GETSTATUS, NULL, 0, 64));
	assert_int_equal(h->status, FWS_FRAME_ACK);
	assert_int_equal(h->answer_len, FWS_DFU_STATUS_LEN + 4u);
	assert_int_equal(h->answer[0], want_status);
}

static void update_over_frames(void **state)
{
	host *h = host_new();
	uint8_t *img = test_image(IMG, 3);
	fws_devinfo info;
	test_pkg p;
	size_t at = 0;

	(void)state;
	rig_pkg(&p, &h->r->key, "3.1.0", 3, img, IMG, 1024);
	while (at < p.len) {
		size_t n = p.len - at < 4096 ? p.len - at : 4096;

		assert_true(request(h, FWS_DFU_DNLOAD, p.data + at, n, 0));
		assert_int_equal(h->status, FWS_FRAME_ACK);
		if (at == 0) {
			/* The answer to a DNLOAD was lost: the host repeats the
			 * very same frame; it must not be fed twice. */
			assert_true(deliver(h, h->wire, h->wire_len));
			assert_int_equal(h->status, FWS_FRAME_ACK);
		}
		getstatus(h, FWS_DFU_OK);
		at += n;
	}
	assert_true(request(h, FWS_DFU_DNLOAD, NULL, 0, 0));
	getstatus(h, FWS_DFU_OK);
	assert_int_equal(h->answer[4], FWS_DFU_MANIFEST);
	getstatus(h, FWS_DFU_OK);
	assert_int_equal(h->answer[4], FWS_DFU_IDLE);
	assert_true(request(h, FWS_REQ_RESET, NULL, 0, 0));
	assert_true(fws_stub_reset_pending(&h->r->stub));
	assert_int_equal(rig_power_on(h->r, true), FWS_OK);
	fws_stub_serial_init(&h->link, &h->r->stub);
	assert_true(request(h, FWS_REQ_INFO, NULL, 0, FWS_DEVINFO_MAX));
	assert_int_equal(h->status, FWS_FRAME_ACK);
	assert_int_equal(fws_devinfo_decode(h->answer, h->answer_len, &info), FWS_OK);
	assert_string_equal(info.fw_version, "3.1.0");
	assert_int_equal(info.security_counter, 3);
	test_pkg_free(&p);
	free(img);
	host_free(h);
}

/* FWS_FRAME_REQ_STATUS: an accepted DNLOAD is answered with the GETSTATUS
 * record, so a whole update needs one round trip per chunk; a refused one is
 * a STALL as before, and the detail still follows a GETSTATUS. */
static void dnload_with_status(void **state)
{
	host *h = host_new();
	uint8_t *img = test_image(IMG, 4);
	test_pkg p;
	size_t at = 0;

	(void)state;
	rig_pkg(&p, &h->r->key, "3.2.0", 3, img, IMG, 1024);
	while (at < p.len) {
		size_t n = p.len - at < 4096 ? p.len - at : 4096;
		fws_frame f = {0};

		f.seq = ++h->seq;
		f.type = FWS_DFU_DNLOAD;
		f.status = FWS_FRAME_REQ_STATUS;
		f.length = 64;
		f.payload = p.data + at;
		f.payload_len = n;
		assert_int_equal(fws_frame_encode(&f, h->wire, sizeof h->wire, &h->wire_len), FWS_OK);
		assert_true(deliver(h, h->wire, h->wire_len));
		assert_int_equal(h->status, FWS_FRAME_ACK);
		assert_int_equal(h->answer_len, FWS_DFU_STATUS_LEN + 4u);
		assert_int_equal(h->answer[0], FWS_DFU_OK);
		assert_int_equal(h->answer[4], FWS_DFU_DNLOAD_IDLE);
		/* no GETSTATUS in between: the next DNLOAD must be accepted */
		at += n;
	}
	assert_true(request(h, FWS_DFU_DNLOAD, NULL, 0, 0));
	getstatus(h, FWS_DFU_OK);
	assert_int_equal(h->answer[4], FWS_DFU_MANIFEST);
	getstatus(h, FWS_DFU_OK);
	assert_int_equal(h->answer[4], FWS_DFU_IDLE);
	test_pkg_free(&p);
	free(img);
	host_free(h);
}

static void refusal_detail_and_bad_frames(void **state)
{
	host *h = host_new();
	uint8_t junk[] = {0x00, 0x05, 0x11, 0x22, 0x33, 0x44, 0x00};
	uint8_t bad[16] = "NOTAPKG-NOTAPKG";

	(void)state;
	/* Line noise: dropped, no answer, counted. */
	assert_false(deliver(h, junk, sizeof junk));
	assert_true(h->link.dec.bad > 0u || h->link.frames_bad > 0u);
	/* A damaged frame (CRC): no answer. */
	{
		fws_frame f = {0};

		f.seq = ++h->seq;
		f.type = FWS_DFU_GETSTATE;
		assert_int_equal(fws_frame_encode(&f, h->wire, sizeof h->wire, &h->wire_len), FWS_OK);
		h->wire[3] ^= 0x20;
		assert_false(deliver(h, h->wire, h->wire_len));
	}
	/* Unknown request code. */
	assert_true(request(h, 0x33, NULL, 0, 0));
	assert_int_equal(h->status, FWS_FRAME_UNSUPPORTED);
	/* A refused DNLOAD: STALL, then GETSTATUS gives errFILE + detail. */
	assert_true(request(h, FWS_DFU_DNLOAD, bad, sizeof bad, 0));
	assert_int_equal(h->status, FWS_FRAME_STALL);
	getstatus(h, FWS_DFU_ERR_FILE);
	assert_int_equal((int32_t)fws_get_le32(h->answer + 6), FWS_E_MAGIC);
	assert_true(request(h, FWS_DFU_CLRSTATUS, NULL, 0, 0));
	getstatus(h, FWS_DFU_OK);
	host_free(h);
}

/* docs/serial-protocol.md: `length` is the most answer bytes the host
 * accepts, so a request that answers and says 0 gets nothing (STALL, as a
 * USB device STALLs a GETSTATUS with wLength 0), never a whole answer. */
static void length_zero_means_no_answer_room(void **state)
{
	host *h = host_new();
	const uint8_t answering[] = { FWS_DFU_GETSTATUS, FWS_DFU_GETSTATE, FWS_DFU_UPLOAD,
	                              FWS_REQ_INFO };

	(void)state;
	for (size_t i = 0; i < sizeof answering; i++) {
		assert_true(request(h, answering[i], NULL, 0, 0));
		assert_int_equal(h->status, FWS_FRAME_STALL);
		assert_int_equal(h->answer_len, 0);
		/* the state machine is not hurt: GETSTATUS the right way works */
		assert_true(request(h, FWS_DFU_GETSTATUS, NULL, 0, 64));
		assert_int_equal(h->status, FWS_FRAME_ACK);
		if (h->answer[4] == FWS_DFU_ERROR)
			assert_true(request(h, FWS_DFU_CLRSTATUS, NULL, 0, 0));
	}
	/* serial GETSTATUS answers carry the detail code (length >= 10): a
	 * GETSTATUS with room for the 6 DFU bytes only is refused, not cut */
	assert_true(request(h, FWS_DFU_GETSTATUS, NULL, 0, FWS_DFU_STATUS_LEN));
	assert_int_equal(h->status, FWS_FRAME_STALL);
	host_free(h);
}

/* docs/serial-protocol.md: a DNLOAD carries 1..4096 bytes, at most the
 * device's transfer size, although a frame could carry 4160. */
static void dnload_above_transfer_size_refused(void **state)
{
	host *h = host_new();
	uint8_t *img = test_image(IMG, 4);
	test_pkg p;

	(void)state;
	rig_pkg(&p, &h->r->key, "3.2.0", 3, img, IMG, 1024);
	assert_true(p.len > 4097u);
	assert_true(request(h, FWS_DFU_DNLOAD, p.data, 4097, 0));
	assert_int_equal(h->status, FWS_FRAME_STALL);
	getstatus(h, FWS_DFU_ERR_STALLEDPKT);
	assert_int_equal((int32_t)fws_get_le32(h->answer + 6), FWS_E_INVAL);
	assert_true(request(h, FWS_DFU_CLRSTATUS, NULL, 0, 0));
	/* the same bytes in transfer-size pieces are fine */
	assert_true(request(h, FWS_DFU_DNLOAD, p.data, 4096, 0));
	assert_int_equal(h->status, FWS_FRAME_ACK);
	getstatus(h, FWS_DFU_OK);
	assert_true(request(h, FWS_DFU_DNLOAD, p.data + 4096, 1, 0));
	assert_int_equal(h->status, FWS_FRAME_ACK);
	test_pkg_free(&p);
	free(img);
	host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(update_over_frames),
		cmocka_unit_test(dnload_with_status),
		cmocka_unit_test(refusal_detail_and_bad_frames),
		cmocka_unit_test(length_zero_means_no_answer_room),
		cmocka_unit_test(dnload_above_transfer_size_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
