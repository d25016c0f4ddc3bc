/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/serial.c: the serial frames onto the request handler,
 * over a socketpair standing in for the UART. An update done entirely in
 * frames; a retransmitted DNLOAD answered from the cache and not executed
 * twice; damaged frames dropped without an answer; unknown requests
 * answered UNSUPPORTED; GETSTATUS carrying the detail code. The window
 * (FWS_FRAME_REQ_WINDOW): several DNLOADs in one go, a lost request (the
 * ones after it dropped until the host goes back), lost answers (replayed
 * from the cache, never executed twice), a failure inside the window (the
 * rest refused, the first cause kept), and the DNLOAD data decoded straight
 * into the block buffer (and spilling past it) on every path.
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

/* ---- the window ---- */

typedef struct answer {
	uint16_t seq;
	uint8_t status;
	uint8_t dfu_status, dfu_state;
	int32_t detail;
	uint8_t wire[64];
	size_t wire_len;
} answer;

/* Every answer frame the device sent since the last call. */
static int collect(host *h, answer *out, int max)
{
	uint8_t in[8192];
	ssize_t n = recv(h->fd, in, sizeof in, MSG_DONTWAIT);
	int got = 0;
	size_t start = 0;

	for (size_t off = 0; n > 0 && off < (size_t)n;) {
		enum fws_frame_event ev;
		fws_frame f;
		size_t used = fws_frame_decoder_feed(&h->dec, in + off, (size_t)n - off, &ev, &f, NULL);

		off += used;
		if (ev != FWS_FRAME_READY)
			continue;
		assert_true(got < max);
		answer *a = &out[got++];
		memset(a, 0, sizeof *a);
		a->seq = f.seq;
		a->status = f.status;
		if (f.payload_len >= FWS_DFU_STATUS_LEN + 4u) {
			a->dfu_status = f.payload[0];
			a->dfu_state = f.payload[4];
			a->detail = (int32_t)fws_get_le32(f.payload + 6);
		}
		/* the frame as sent, from the leading delimiter on */
		while (start < off && in[start] != 0)
			start++;
		assert_true(off - start <= sizeof a->wire);
		memcpy(a->wire, in + start, off - start);
		a->wire_len = off - start;
		start = off;
	}
	return got;
}

/* One windowed DNLOAD frame of the package, unit by unit (the prefix, then
 * each block with its next digest), with the next seq. */
typedef struct wframe {
	uint16_t seq;
	uint8_t wire[FWS_FRAME_WIRE_MAX];
	size_t len;
} wframe;

static size_t window_frames(host *h, const test_pkg *p, uint32_t bs, wframe *w, size_t max)
{
	size_t n = 0, at = 0;

	while (at < p->len) {
		size_t unit = at < p->prefix_len ? p->prefix_len - at : bs + FWS_SHA256_LEN;
		size_t len = p->len - at < unit ? p->len - at : unit;
		fws_frame f = {0};

		assert_true(n < max);
		f.seq = ++h->seq;
		f.type = FWS_DFU_DNLOAD;
		f.status = FWS_FRAME_REQ_STATUS | FWS_FRAME_REQ_WINDOW;
		f.length = 16;
		f.value = (uint16_t)n;
		f.payload = p->data + at;
		f.payload_len = len;
		assert_int_equal(fws_frame_encode(&f, w[n].wire, sizeof w[n].wire, &w[n].len), FWS_OK);
		w[n].seq = f.seq;
		n++;
		at += len;
	}
	return n;
}

static void send_frames(host *h, const wframe *w, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		assert_int_equal(fws_stub_serial_input(&h->link, w[i].wire, w[i].len), FWS_OK);
}

static void expect_accepted(const answer *a, int n, const wframe *w, size_t first)
{
	for (int i = 0; i < n; i++) {
		assert_int_equal(a[i].seq, w[first + (size_t)i].seq);
		assert_int_equal(a[i].status, FWS_FRAME_ACK);
		assert_int_equal(a[i].dfu_status, FWS_DFU_OK);
		assert_int_equal(a[i].dfu_state, FWS_DFU_DNLOAD_IDLE);
	}
}

static void windowed_download(void **state)
{
	host *h = host_new();
	uint8_t *img = test_image(IMG, 5);
	static wframe w[32];
	answer a[16], b[16];
	test_pkg p;
	fws_devinfo info;

	(void)state;
	h->r->stub.cfg.dl_window = 4;
	h->r->stub.cfg.dl_flags = FWS_DL_UNIT_CHUNKS;
	assert_true(request(h, FWS_REQ_INFO, NULL, 0, FWS_DEVINFO_MAX));
	assert_int_equal(fws_devinfo_decode(h->answer, h->answer_len, &info), FWS_OK);
	assert_int_equal(info.dl_window, 4);
	assert_int_equal(info.dl_flags, FWS_DL_UNIT_CHUNKS);

	rig_pkg(&p, &h->r->key, "3.3.0", 3, img, IMG, 1024);
	size_t n = window_frames(h, &p, 1024, w, 32);
	assert_true(n == 11); /* prefix + 10 blocks */

	/* four in one go: four answers, in order */
	send_frames(h, w, 0, 4);
	assert_int_equal(collect(h, a, 16), 4);
	expect_accepted(a, 4, w, 0);

	/* frame 4 lost on the line: 5 and 6 are dropped unanswered ... */
	send_frames(h, w, 5, 7);
	assert_int_equal(collect(h, a, 16), 0);
	assert_int_equal(h->link.frames_dropped, 2);
	/* ... until the host goes back and sends 4, 5, 6 again */
	send_frames(h, w, 4, 7);
	assert_int_equal(collect(h, a, 16), 3);
	expect_accepted(a, 3, w, 4);

	/* answers to 7, 8, 9 lost: the host goes back over them; each is
	 * answered again, the same bytes, and not executed twice */
	send_frames(h, w, 7, 10);
	assert_int_equal(collect(h, a, 16), 3);
	send_frames(h, w, 7, 10);
	assert_int_equal(collect(h, b, 16), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(b[i].wire_len, a[i].wire_len);
		assert_memory_equal(b[i].wire, a[i].wire, a[i].wire_len);
	}
	/* an earlier one of the window again: still its own answer ... */
	send_frames(h, w, 5, 6);
	assert_int_equal(collect(h, b, 16), 1);
	assert_int_equal(b[0].seq, w[5].seq);
	assert_int_equal(b[0].status, FWS_FRAME_ACK);
	/* ... but one older than the window (no host sends it) is not run */
	send_frames(h, w, 1, 2);
	assert_int_equal(collect(h, b, 16), 0);
	assert_int_equal(h->link.frames_dropped, 3);

	send_frames(h, w, 10, 11);
	assert_int_equal(collect(h, a, 16), 1);
	expect_accepted(a, 1, w, 10);
	/* the whole image arrived once: manifestation verifies and commits */
	assert_true(request(h, FWS_DFU_DNLOAD, NULL, 0, 0));
	getstatus(h, FWS_DFU_OK);
	assert_int_equal(h->answer[4], FWS_DFU_MANIFEST);
	getstatus(h, FWS_DFU_OK);
	assert_int_equal(h->answer[4], FWS_DFU_IDLE);
	assert_int_equal(h->r->stub.slot[0].state, FWS_SLOT_STAGED);
	test_pkg_free(&p);
	free(img);
	host_free(h);
}

/* A block refused inside the window: the DNLOADs behind it are refused
 * without touching the status, so GETSTATUS names the block's own failure,
 * not a sequence error; CLRSTATUS and a fresh start then succeed. */
static void windowed_failure_keeps_cause(void **state)
{
	host *h = host_new();
	uint8_t *img = test_image(IMG, 6);
	static wframe w[32];
	answer a[16];
	test_pkg p;

	(void)state;
	rig_pkg(&p, &h->r->key, "3.4.0", 3, img, IMG, 1024);
	/* damage block 2 (frame 3: after the prefix and blocks 0, 1) */
	p.data[p.prefix_len + 2u * (1024u + FWS_SHA256_LEN) + 100u] ^= 0x40;
	/* a windowed DNLOAD follows the request before it: here a GETSTATUS
	 * (as hosts begin); on a device that has run nothing yet it is dropped */
	size_t n = window_frames(h, &p, 1024, w, 32);
	send_frames(h, w, 0, 1);
	assert_int_equal(collect(h, a, 16), 0);
	h->seq = (uint16_t)(w[0].seq - 2u);
	getstatus(h, FWS_DFU_OK);
	send_frames(h, w, 0, 6);
	assert_int_equal(collect(h, a, 16), 6);
	expect_accepted(a, 3, w, 0);
	for (int i = 3; i < 6; i++) {
		assert_int_equal(a[i].seq, w[i].seq);
		assert_int_equal(a[i].status, FWS_FRAME_STALL);
	}
	getstatus(h, FWS_DFU_ERR_VERIFY);
	assert_int_equal((int32_t)fws_get_le32(h->answer + 6), FWS_E_BLOCK_DIGEST);
	assert_int_equal(h->answer[4], FWS_DFU_ERROR);
	assert_true(request(h, FWS_DFU_CLRSTATUS, NULL, 0, 0));
	assert_int_equal(h->status, FWS_FRAME_ACK);

	/* the good package, windowed, from the start */
	test_pkg_free(&p);
	rig_pkg(&p, &h->r->key, "3.4.0", 3, img, IMG, 1024);
	n = window_frames(h, &p, 1024, w, 32);
	for (size_t i = 0; i < n; i += 4) {
		size_t to = i + 4 < n ? i + 4 : n;
		send_frames(h, w, i, to);
		assert_int_equal(collect(h, a, 16), (int)(to - i));
		expect_accepted(a, (int)(to - i), w, i);
	}
	assert_true(request(h, FWS_DFU_DNLOAD, NULL, 0, 0));
	getstatus(h, FWS_DFU_OK);
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
		cmocka_unit_test(windowed_download),
		cmocka_unit_test(windowed_failure_keeps_cause),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
