/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serial.c - the serial transport: DFU requests in COBS frames
 * (docs/serial-protocol.md) over a termios tty in raw mode. Stop and wait,
 * every wait bounded by poll(), retransmission of the identical frame on
 * timeout (the device answers a repeat from its cache, so nothing runs
 * twice).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fwseal/dfu.h"
#include "fwseal/frame.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/log.h"
#include "fwseal-host/transport.h"
#include "access.h"

#define SERIAL_RETRIES_DEFAULT 4u
#define SERIAL_BASE_TIMEOUT_MS 500u
/* How long a device with default link settings may stay silent on one
 * request before the link gives up (transport.h, fwh_link_opts). */
#define SERIAL_SILENCE_MS 10000u
#define SERIAL_PROBE_TIMEOUT_MS 300u
#define SERIAL_CHUNK 4096u /* DNLOAD data per frame */

typedef struct serial_link {
	fwh_link base;
	int fd;
	uint32_t baud;
	uint16_t seq;
	struct termios saved;
	bool have_saved;
	fws_frame_decoder dec;
	uint8_t tx[FWS_FRAME_WIRE_MAX];
	uint8_t rx[1024];
} serial_link;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const struct {
	uint32_t rate;
	speed_t speed;
} bauds[] = {
	{ 9600, B9600 },       { 19200, B19200 },     { 38400, B38400 },
	{ 57600, B57600 },     { 115200, B115200 },   { 230400, B230400 },
	{ 460800, B460800 },   { 500000, B500000 },   { 576000, B576000 },
	{ 921600, B921600 },   { 1000000, B1000000 }, { 1152000, B1152000 },
	{ 1500000, B1500000 }, { 2000000, B2000000 }, { 3000000, B3000000 },
	{ 4000000, B4000000 },
};

static bool baud_speed(uint32_t rate, speed_t *out)
{
	for (size_t i = 0; i < sizeof bauds / sizeof bauds[0]; i++)
		if (bauds[i].rate == rate) {
			*out = bauds[i].speed;
			return true;
		}
	return false;
}

static fws_err set_raw(serial_link *l, fwh_error *err)
{
	struct termios t;
	speed_t sp;
	if (!baud_speed(l->baud, &sp))
		return fwh_error_set(err, FWS_E_INVAL,
		                     "%u baud is not a standard rate; use one of 9600, 19200, "
		                     "38400, 57600, 115200, 230400, 460800, 921600 or up to 4000000.",
		                     (unsigned)l->baud);
	/* open() checked isatty(): "not a serial port" is said there, once */
	if (tcgetattr(l->fd, &t) != 0)
		return fwh_error_set(err, FWS_E_IO, "Cannot configure %s (%s); check the port.",
		                     l->base.id.path, strerror(errno));
	l->saved = t;
	l->have_saved = true;
	/* raw 8N1: no echo, no line editing, no CR/LF translation, no signals
	 * from bytes, so every byte value passes unchanged */
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB);
	if (l->base.opts.rtscts)
		t.c_cflag |= CRTSCTS;
	else
		t.c_cflag &= ~(tcflag_t)CRTSCTS;
	t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	t.c_cc[VMIN] = 0; /* reads never block: poll() bounds every wait */
	t.c_cc[VTIME] = 0;
	cfsetispeed(&t, sp);
	cfsetospeed(&t, sp);
	if (tcsetattr(l->fd, TCSANOW, &t) != 0)
		return fwh_error_set(err, FWS_E_IO, "Cannot configure %s (%s); check the port.",
		                     l->base.id.path, strerror(errno));
	tcflush(l->fd, TCIOFLUSH);
	return FWS_OK;
}

static fws_err open_error(const char *path, int e, fwh_error *err)
{
	switch (e) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		return fwh_error_set(err, FWS_E_NO_DEVICE,
		                     "%s does not exist; check that the device is connected and "
		                     "the port name is right ('fwseal list' shows devices).",
		                     path);
	case EACCES:
	case EPERM:
		return fwh_error_set(err, FWS_E_IO,
		                     "No permission to open %s; add your user to the group that "
		                     "owns it (usually 'dialout') and log in again.",
		                     path);
	case EBUSY:
		return fwh_error_set(err, FWS_E_IO,
		                     "%s is in use by another program; close it and try again.",
		                     path);
	default:
		return fwh_error_set(err, FWS_E_IO, "Cannot open %s (%s).", path, strerror(e));
	}
}

/* serial_open, telling the caller the errno of a failed open (0 if the
 * failure was not the OS's; EBUSY when another process holds the port). */
static fws_err serial_open_why(const fwh_dev_id *id, const fwh_link_opts *opts, fwh_link **out,
                               fwh_error *err, int *os_errno)
{
	*out = NULL;
	*os_errno = 0;
	serial_link *l = calloc(1, sizeof *l);
	if (l == NULL)
		return fwh_error_set(err, FWS_E_IO, "Out of memory.");
	l->base.ops = &fwh_serial_ops;
	l->base.id = *id;
	l->base.opts = *opts;
	l->baud = id->baud ? id->baud : FWH_SERIAL_BAUD_DEFAULT;
	fws_frame_decoder_init(&l->dec);

	/* a random start, so a restarted host never repeats the seq of the
	 * device's cached last request (docs/serial-protocol.md) */
	uint16_t seed = 0;
	int rfd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (rfd < 0 || read(rfd, &seed, sizeof seed) != (ssize_t)sizeof seed)
		seed = (uint16_t)(now_ms() ^ (uint64_t)getpid());
	if (rfd >= 0)
		close(rfd);
	l->seq = seed;

	l->fd = open(id->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (l->fd < 0) {
		*os_errno = errno;
		fws_err e = open_error(id->path, *os_errno, err);
		free(l);
		return e;
	}
	if (!isatty(l->fd)) {
		close(l->fd);
		free(l);
		return fwh_error_set(err, FWS_E_INVAL,
		                     "%s is not a serial port; check the device string.", id->path);
	}
	/* one host per port: two fwseal processes interleaving frames on one
	 * line would corrupt both transfers */
	if (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
		close(l->fd);
		free(l);
		*os_errno = EBUSY;
		return open_error(id->path, EBUSY, err);
	}
	fws_err e = set_raw(l, err);
	if (e != FWS_OK) {
		close(l->fd);
		free(l);
		return e;
	}
	*out = &l->base;
	return FWS_OK;
}

static fws_err serial_open(const fwh_dev_id *id, const fwh_link_opts *opts, fwh_link **out,
                           fwh_error *err)
{
	int os_errno;
	return serial_open_why(id, opts, out, err, &os_errno);
}

static void serial_close(fwh_link *base)
{
	if (base == NULL)
		return;
	serial_link *l = (serial_link *)base;
	if (l->have_saved)
		tcsetattr(l->fd, TCSANOW, &l->saved);
	close(l->fd);
	free(l);
}

static void serial_describe(const fwh_link *base, char *buf, size_t cap)
{
	fwh_dev_id_format(&base->id, buf, cap);
}

static size_t serial_max_transfer(const fwh_link *base)
{
	(void)base;
	return SERIAL_CHUNK;
}

/* ms the line needs for n bytes (10 bits per byte: start, 8 data, stop) */
static uint32_t wire_ms(const serial_link *l, size_t n)
{
	return (uint32_t)((uint64_t)n * 10u * 1000u / l->baud + 1u);
}

/* Write one whole frame. A device that does not read (busy, or starved of
 * CPU) fills the line's buffers and makes write() wait: that is silence,
 * not a lost cable, so it is waited out until the request's deadline.
 * A torn frame would cost the device a resync, so a frame is never left
 * half-written while the port is there. */
static fws_err write_all(serial_link *l, const uint8_t *p, size_t n, uint64_t deadline,
                         fwh_error *err)
{
	while (n > 0) {
		ssize_t w = write(l->fd, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN)
			return fwh_error_set(err, errno == EIO || errno == ENXIO || errno == ENODEV
			                             ? FWS_E_DISCONNECTED : FWS_E_IO,
			                     "Writing to %s failed (%s); check the cable.",
			                     l->base.id.path, strerror(errno));
		uint64_t now = now_ms();
		if (now >= deadline)
			return FWS_E_TIMEOUT; /* the caller words it */
		struct pollfd pfd = { .fd = l->fd, .events = POLLOUT };
		if (poll(&pfd, 1, (int)(deadline - now)) > 0 && (pfd.revents & (POLLHUP | POLLERR)))
			return fwh_error_set(err, FWS_E_DISCONNECTED,
			                     "The device on %s went away; reconnect it and run the same "
			                     "command again.", l->base.id.path);
	}
	return FWS_OK;
}

/* Feed received bytes; returns 1 when the answer to (seq, type) arrived. */
static int take_answer(serial_link *l, const uint8_t *in, size_t n, uint16_t seq, uint8_t type,
                       fwh_request *req, fws_err *bad, fwh_error *err)
{
	int got = 0;
	size_t off = 0;
	while (off < n) {
		enum fws_frame_event ev;
		fws_frame f;
		off += fws_frame_decoder_feed(&l->dec, in + off, n - off, &ev, &f, NULL);
		if (ev != FWS_FRAME_READY || got)
			continue;
		/* a late answer to an earlier request, or our own echo: skip */
		if (f.seq != seq || f.type != (uint8_t)(type | FWS_FRAME_RESPONSE))
			continue;
		got = 1;
		if (f.status == FWS_FRAME_STALL) {
			req->stalled = true;
		} else if (f.status != FWS_FRAME_ACK) {
			*bad = fwh_error_set(err, FWS_E_PROTOCOL,
			                     "The device does not support the %s request; it may run "
			                     "an older stub, update it or use a matching fwseal.",
			                     fws_request_name(type));
		} else if (f.payload_len > req->answer_cap) {
			*bad = fwh_error_set(err, FWS_E_PROTOCOL,
			                     "The device sent a %zu-byte answer to %s where at most %zu "
			                     "were asked for; it may be faulty.",
			                     f.payload_len, fws_request_name(type), req->answer_cap);
		} else {
			if (f.payload_len)
				memcpy(req->answer, f.payload, f.payload_len);
			req->answer_len = f.payload_len;
		}
	}
	return got;
}

static fws_err serial_request(fwh_link *base, fwh_request *req, fwh_error *err)
{
	serial_link *l = (serial_link *)base;
	if (req->len > FWS_FRAME_PAYLOAD_MAX || req->answer_cap > FWS_FRAME_PAYLOAD_MAX ||
	    (req->answer_cap && req->answer == NULL))
		return fwh_error_set(err, FWS_E_INVAL, "Request too large for a serial frame; "
		                                       "this is a bug, please report it.");
	req->answer_len = 0;
	req->stalled = false;

	fws_frame f = { .seq = ++l->seq, .type = req->request, .value = req->value,
	                .status = req->want_status ? FWS_FRAME_REQ_STATUS : 0,
	                .length = (uint16_t)req->answer_cap, .payload = req->data,
	                .payload_len = req->len };
	size_t tx_len;
	fws_err e = fws_frame_encode(&f, l->tx, sizeof l->tx, &tx_len);
	if (e != FWS_OK)
		return fwh_error_set(err, e, "Cannot encode the %s request; this is a bug.",
		                     fws_request_name(req->request));

	uint32_t timeout = l->base.opts.timeout_ms;
	if (timeout == 0)
		timeout = SERIAL_BASE_TIMEOUT_MS +
		          2u * wire_ms(l, tx_len + req->answer_cap + FWS_FRAME_HEADER_LEN + 16u);
	unsigned retries = l->base.opts.retries ? l->base.opts.retries : SERIAL_RETRIES_DEFAULT;
	/* The request's whole budget: what the attempts take, and with default
	 * settings at least SERIAL_SILENCE_MS: a device that is merely slow for
	 * a while (a long erase, a host or device starved of CPU) is waited
	 * for, not reported as unplugged. Probes and the restart poll set
	 * their own short timeouts and keep exactly those. */
	bool patient = l->base.opts.timeout_ms == 0;
	uint64_t budget = (uint64_t)timeout * (retries + 1u);
	if (patient && budget < SERIAL_SILENCE_MS)
		budget = SERIAL_SILENCE_MS;
	uint64_t start = now_ms();
	uint64_t end = start + budget;
	/* Retransmit after timeout, then (default settings) after 2x, 4x ...
	 * (never past the end): a lost frame is sent again soon, a silent
	 * device is not flooded with copies it must read before it can answer
	 * the next request (each copy of a 4 KiB frame costs it the line
	 * time). An explicit timeout keeps a fixed gap. */
	uint64_t gap = timeout;
	uint64_t next_send = start;
	unsigned sent = 0;
	for (;;) {
		uint64_t now = now_ms();
		if (now >= end)
			break;
		if (now >= next_send && sent <= retries) {
			e = write_all(l, l->tx, tx_len, end, err);
			if (e == FWS_E_TIMEOUT)
				break;
			if (e != FWS_OK)
				return e;
			sent++;
			now = now_ms();
			next_send = now + gap;
			if (patient)
				gap *= 2u;
		}
		uint64_t until = sent <= retries && next_send < end ? next_send : end;
		struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
		int pr = poll(&pfd, 1, (int)(until > now ? until - now : 0));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		ssize_t r = read(l->fd, l->rx, sizeof l->rx);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0 || ((pfd.revents & (POLLHUP | POLLERR)) && r == 0))
			return fwh_error_set(err, FWS_E_DISCONNECTED,
			                     "The device on %s went away; reconnect it and run "
			                     "the same command again.",
			                     l->base.id.path);
		if (r == 0) {
			/* pty with no peer: a short nap keeps this from spinning */
			struct timespec nap = { 0, 10 * 1000 * 1000 };
			nanosleep(&nap, NULL);
			continue;
		}
		fws_err bad = FWS_OK;
		if (take_answer(l, l->rx, (size_t)r, f.seq, req->request, req, &bad, err))
			return bad;
	}
	/* Silent to the end. A port whose node has gone was unplugged. */
	if (access(l->base.id.path, F_OK) != 0)
		return fwh_error_set(err, FWS_E_DISCONNECTED,
		                     "The device on %s went away; reconnect it and run the same "
		                     "command again.", l->base.id.path);
	uint64_t secs = (now_ms() - start + 500u) / 1000u;
	return fwh_error_set(err, FWS_E_TIMEOUT,
	                     "The device on %s did not answer %s for %u s (%u tries); check "
	                     "the cable, the baud rate and that the device is in update mode.",
	                     l->base.id.path, fws_request_name(req->request),
	                     (unsigned)(secs ? secs : 1u), sent);
}

/* ---------------------------------------------------------------------- */
/* Enumeration                                                            */

typedef struct cand_list {
	char path[64][FWH_PATH_MAX];
	char real[64][PATH_MAX];
	size_t n;
} cand_list;

static void cand_add(cand_list *c, const char *path)
{
	char real[PATH_MAX];
	if (c->n >= 64 || strlen(path) >= FWH_PATH_MAX)
		return;
	if (realpath(path, real) == NULL)
		snprintf(real, sizeof real, "%s", path);
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->real[i], real) == 0)
			return; /* the same port under another name */
	snprintf(c->path[c->n], FWH_PATH_MAX, "%s", path);
	snprintf(c->real[c->n], PATH_MAX, "%s", real);
	c->n++;
}

static void cand_glob(cand_list *c, const char *pattern)
{
	glob_t g;
	if (glob(pattern, 0, NULL, &g) == 0)
		for (size_t i = 0; i < g.gl_pathc; i++)
			cand_add(c, g.gl_pathv[i]);
	globfree(&g);
}

static void probe(const char *path, fwh_found_cb found, fwh_unusable_cb unusable, void *user)
{
	fwh_dev_id id;
	char devstr[FWH_DEVSTR_MAX + 8];
	snprintf(devstr, sizeof devstr, "serial:%s", path);
	if (fwh_dev_id_parse(devstr, &id, NULL) != FWS_OK)
		return;
	fwh_link_opts opts = { .timeout_ms = SERIAL_PROBE_TIMEOUT_MS, .retries = 1 };
	fwh_link *l;
	int os_errno = 0;
	fwh_error err;
	fwh_error_clear(&err);
	if (serial_open_why(&id, &opts, &l, &err, &os_errno) != FWS_OK) {
		fwh_log(FWH_LOG_INFO, "serial", "skip %s: %s", path, err.msg);
		/* Seen but not opened: say why, unless it simply is not there
		 * (a stale by-id link) or is not a serial port at all. */
		if (unusable && os_errno != 0 && os_errno != ENOENT && os_errno != ENXIO &&
		    os_errno != ENODEV) {
			char what[FWH_PATH_MAX + 32];
			fwh_access_advice a;
			fwh_unusable u;
			snprintf(what, sizeof what, "the serial port %s", id.path);
			fwh_access_advise(id.path, what, os_errno, &a);
			fwh_dev_id_format(&id, devstr, sizeof devstr);
			fwh_access_unusable(&a, devstr, &u);
			unusable(user, &u);
		}
		return;
	}
	fws_devinfo info;
	if (fwh_dfu_info(l, &info, &err) == FWS_OK) {
		fwh_dev_id_format(&id, devstr, sizeof devstr);
		fwh_log(FWH_LOG_INFO, "serial", "found %s: %s, serial %s", devstr, info.model,
		        info.serial);
		found(user, devstr, &info);
	} else {
		fwh_log(FWH_LOG_INFO, "serial", "no fwseal device on %s: %s", path, err.msg);
	}
	serial_close(l);
}

static fws_err serial_enumerate(fwh_found_cb found, fwh_unusable_cb unusable, void *user,
                                fwh_error *err)
{
	cand_list *c = calloc(1, sizeof *c); /* large; heap keeps this reentrant */
	if (c == NULL)
		return fwh_error_set(err, FWS_E_IO, "Out of memory.");
	const char *env = getenv(FWH_SERIAL_PORTS_ENV);
	if (env) {
		char buf[4096];
		snprintf(buf, sizeof buf, "%s", env);
		char *save = NULL;
		for (char *p = strtok_r(buf, ":", &save); p; p = strtok_r(NULL, ":", &save))
			if (*p)
				cand_add(c, p);
	}
	cand_glob(c, "/dev/serial/by-id/*");
	cand_glob(c, "/dev/ttyUSB*");
	cand_glob(c, "/dev/ttyACM*");
	for (size_t i = 0; i < c->n; i++)
		probe(c->path[i], found, unusable, user);
	free(c);
	return FWS_OK;
}

const fwh_transport_ops fwh_serial_ops = {
	.name = "serial",
	.kind = FWH_KIND_SERIAL,
	.enumerate = serial_enumerate,
	.open = serial_open,
	.close = serial_close,
	.describe = serial_describe,
	.max_transfer = serial_max_transfer,
	.request = serial_request,
};
