/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_host_serial.c - the host's serial transport (host-tool/lib/serial.c:
 * frames in, answers matched by seq and type, retransmission, timeouts) on
 * a real pseudo-terminal, with a hostile device on the other end: a thread
 * reads each request frame from the pty and answers as the input says, in
 * records
 *
 *   mode u8 | status u8 | seq_delta i8 | type_xor u8 | len u16 LE |
 *   payload[len] | junk u8 | junk bytes
 *
 *   mode % 5: 0 an answer frame (seq + seq_delta, type | 0x80 ^ type_xor,
 *               status, payload), 1 the same cut in two with junk between,
 *               2 junk only, 3 nothing (the host times out, retransmits),
 *               4 the device goes away (the pty closes)
 *
 * When the input runs out the device goes away. The host side runs
 * fuzz_host_session() (fuzz_host_client.h) with a 20 ms answer timeout.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwseal/frame.h"
#include "fwseal/le.h"
#include "fuzz_host_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct dev {
	int master;
	const uint8_t *in;
	size_t left;
	atomic_int stop;
};

static void put(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void answer(struct dev *d, const fws_frame *req)
{
	static uint8_t wire[FWS_FRAME_WIRE_MAX];
	if (d->left < 6) { /* the input is used up: the device goes away */
		d->left = 0;
		close(d->master);
		d->master = -1;
		atomic_store(&d->stop, 2);
		return;
	}
	uint8_t mode = d->in[0] % 5u, status = d->in[1], type_xor = d->in[3];
	int8_t delta = (int8_t)d->in[2];
	size_t n = fws_get_le16(d->in + 4);
	d->in += 6;
	d->left -= 6;
	if (n > d->left)
		n = d->left;
	if (n > FWS_FRAME_PAYLOAD_MAX)
		n = FWS_FRAME_PAYLOAD_MAX;
	const uint8_t *payload = d->in;
	d->in += n;
	d->left -= n;
	size_t junk = d->left ? d->in[0] : 0;
	if (d->left)
		d->in++, d->left--;
	if (junk > d->left)
		junk = d->left;
	const uint8_t *junk_bytes = d->in;
	d->in += junk;
	d->left -= junk;

	fws_frame a = { .seq = (uint16_t)(req->seq + delta),
	                .type = (uint8_t)((req->type | FWS_FRAME_RESPONSE) ^ type_xor),
	                .status = status, .payload = payload, .payload_len = n };
	size_t wl = 0;
	if (fws_frame_encode(&a, wire, sizeof wire, &wl) != FWS_OK)
		abort();
	switch (mode) {
	case 0:
		put(d->master, wire, wl);
		break;
	case 1:
		put(d->master, wire, wl / 2);
		put(d->master, junk_bytes, junk);
		put(d->master, wire + wl / 2, wl - wl / 2);
		break;
	case 2:
		put(d->master, junk_bytes, junk);
		break;
	case 3:
		break;
	default:
		close(d->master); /* the host's next read or write fails */
		d->master = -1;
		atomic_store(&d->stop, 2);
		break;
	}
}

static void *device(void *p)
{
	struct dev *d = p;
	fws_frame_decoder dec;
	uint8_t buf[4096];

	fws_frame_decoder_init(&dec);
	while (atomic_load(&d->stop) == 0) {
		struct pollfd pfd = { .fd = d->master, .events = POLLIN };
		if (poll(&pfd, 1, 5) <= 0)
			continue;
		if (d->master < 0)
			break;
		ssize_t r = read(d->master, buf, sizeof buf);
		if (r <= 0)
			continue;
		for (size_t off = 0; off < (size_t)r && atomic_load(&d->stop) == 0;) {
			enum fws_frame_event ev;
			fws_frame f;
			off += fws_frame_decoder_feed(&dec, buf + off, (size_t)r - off, &ev, &f, NULL);
			if (ev == FWS_FRAME_READY)
				answer(d, &f);
		}
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dev d = { .in = data, .left = size };
	char name[128], devstr[160];
	pthread_t th;

	d.master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (d.master < 0 || grantpt(d.master) != 0 || unlockpt(d.master) != 0 ||
	    ptsname_r(d.master, name, sizeof name) != 0)
		abort();
	snprintf(devstr, sizeof devstr, "serial:%s", name);
	fwh_link_opts o = { .timeout_ms = 20, .retries = 1 };
	fwh_link *l = NULL;
	fwh_error err;
	if (fwh_open(devstr, &o, &l, &err) != FWS_OK)
		abort();
	if (pthread_create(&th, NULL, device, &d) != 0)
		abort();
	fuzz_host_session(l);
	atomic_store(&d.stop, 1);
	pthread_join(th, NULL);
	fwh_close(l);
	if (d.master >= 0)
		close(d.master);
	return 0;
}
