/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serial.c - the serial transport: DFU requests in COBS frames
 * (docs/serial-protocol.md) over a termios tty in raw mode. Every wait is
 * bounded by poll(). A request is sent once and its answer awaited; on
 * timeout the identical frame is sent again (the device answers a repeat
 * from its cache, so nothing runs twice).
 *
 * Windowed (post/reap, for a device that reports DL_WINDOW): up to
 * FWH_WINDOW_MAX requests in flight, each kept as sent. Answers are matched
 * by seq; when the oldest one's answer does not come in time, every request
 * still unanswered is sent again in order (go back), which the device's
 * answer cache and its in-order rule (FWS_FRAME_REQ_WINDOW) make safe.
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
/* A request in flight, as it went out. */
typedef struct pending {
	fwh_request *req;
	uint16_t seq;
	bool answered;
	unsigned sends;       /* times sent so far */
	uint64_t sent_ms;     /* when last sent */
	uint64_t gap_ms;      /* wait this long after a send before the next */
	uint64_t first_ms;    /* when first sent */
	uint64_t end_ms;      /* the request's whole budget ends here */
	size_t tx_len;
	uint8_t tx[FWS_FRAME_WIRE_MAX];
} pending;

typedef struct serial_link {
	fwh_link base;
	int fd;
	uint32_t baud;
	uint16_t seq;
	struct termios saved;
	bool have_saved;
	fws_frame_decoder dec;
	pending win[FWH_WINDOW_MAX]; /* a ring: head is the oldest in flight */
	unsigned head, count;
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
	return FWS_FRAME_PAYLOAD_MAX; /* one frame; the device may take less (XFER_SIZE) */
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

/* The request in flight that an answer frame belongs to, or NULL (a late
 * answer to a request given up, or our own echo). */
static pending *match(serial_link *l, const fws_frame *f)
{
	for (unsigned i = 0; i < l->count; i++) {
		pending *p = &l->win[(l->head + i) % FWH_WINDOW_MAX];

		if (!p->answered && f->seq == p->seq &&
		    f->type == (uint8_t)(p->req->request | FWS_FRAME_RESPONSE))
			return p;
	}
	return NULL;
}

/* Feed received bytes: record every answer to a request in flight.
 * FWS_E_PROTOCOL (with a sentence) for a malformed one. */
static fws_err take_answers(serial_link *l, const uint8_t *in, size_t n, fwh_error *err)
{
	size_t off = 0;
	while (off < n) {
		enum fws_frame_event ev;
		fws_frame f;
		off += fws_frame_decoder_feed(&l->dec, in + off, n - off, &ev, &f, NULL);
		if (ev != FWS_FRAME_READY)
			continue;
		pending *p = match(l, &f);
		if (p == NULL)
			continue;
		fwh_request *req = p->req;
		uint8_t type = req->request;
		p->answered = true;
		if (f.status == FWS_FRAME_STALL) {
			req->stalled = true;
		} else if (f.status != FWS_FRAME_ACK) {
			return fwh_error_set(err, FWS_E_PROTOCOL,
			                     "The device does not support the %s request; it may run "
			                     "an older stub, update it or use a matching fwseal.",
			                     fws_request_name(type));
		} else if (f.payload_len > req->answer_cap) {
			return fwh_error_set(err, FWS_E_PROTOCOL,
			                     "The device sent a %zu-byte answer to %s where at most %zu "
			                     "were asked for; it may be faulty.",
			                     f.payload_len, fws_request_name(type), req->answer_cap);
		} else {
			if (f.payload_len)
				memcpy(req->answer, f.payload, f.payload_len);
			req->answer_len = f.payload_len;
		}
	}
	return FWS_OK;
}

/* How long to wait for the oldest answer: a base plus twice the line time
 * of everything in flight and its answers (docs/serial-protocol.md). */
static uint32_t window_timeout(const serial_link *l)
{
	if (l->base.opts.timeout_ms)
		return l->base.opts.timeout_ms;
	size_t bytes = 0;
	for (unsigned i = 0; i < l->count; i++) {
		const pending *p = &l->win[(l->head + i) % FWH_WINDOW_MAX];
		bytes += p->tx_len + p->req->answer_cap + FWS_FRAME_HEADER_LEN + 16u;
	}
	return SERIAL_BASE_TIMEOUT_MS + 2u * wire_ms(l, bytes);
}

static fws_err send_pending(serial_link *l, pending *p, fwh_error *err)
{
	/* its gap (start_budget) was fixed when it was posted, from what was in
	 * flight then, ahead of it and itself: reckoned later, as the window
	 * drains, it would cut the last frames' time short and send them again
	 * needlessly */
	p->sent_ms = now_ms();
	p->sends++;
	/* FWS_E_TIMEOUT without a sentence: the line stayed blocked to the end
	 * of the budget (silence, worded by reap) */
	return write_all(l, p->tx, p->tx_len, p->end_ms, err);
}

/* The request's whole budget, from its first send: what the attempts take,
 * and with default settings at least SERIAL_SILENCE_MS: a device that is
 * merely slow for a while (a long erase, a host or device starved of CPU)
 * is waited for, not reported as unplugged. Probes and the restart poll
 * set their own short timeouts and keep exactly those. */
static void start_budget(serial_link *l, pending *p)
{
	unsigned retries = l->base.opts.retries ? l->base.opts.retries : SERIAL_RETRIES_DEFAULT;
	uint64_t timeout = window_timeout(l);
	uint64_t budget = timeout * (retries + 1u);
	if (l->base.opts.timeout_ms == 0 && budget < SERIAL_SILENCE_MS)
		budget = SERIAL_SILENCE_MS;
	p->gap_ms = timeout;
	p->first_ms = now_ms();
	p->end_ms = p->first_ms + budget;
}

/* Silent to the end of the budget. A port whose node has gone was
 * unplugged; otherwise the device did not answer. */
static fws_err silent(serial_link *l, const pending *p, fwh_error *err)
{
	if (access(l->base.id.path, F_OK) != 0)
		return fwh_error_set(err, FWS_E_DISCONNECTED,
		                     "The device on %s went away; reconnect it and run the same "
		                     "command again.", l->base.id.path);
	uint64_t secs = (now_ms() - p->first_ms + 500u) / 1000u;
	return fwh_error_set(err, FWS_E_TIMEOUT,
	                     "The device on %s did not answer %s for %u s (%u tries); check "
	                     "the cable, the baud rate and that the device is in update mode.",
	                     l->base.id.path, fws_request_name(p->req->request),
	                     (unsigned)(secs ? secs : 1u), p->sends);
}

/* Encode req with the next seq and send it; it is in flight afterwards.
 * windowed: flag a DNLOAD as sent without waiting (FWS_FRAME_REQ_WINDOW). */
static fws_err post(serial_link *l, fwh_request *req, bool windowed, fwh_error *err)
{
	if (req->len > FWS_FRAME_PAYLOAD_MAX || req->answer_cap > FWS_FRAME_PAYLOAD_MAX ||
	    (req->answer_cap && req->answer == NULL) || l->count >= FWH_WINDOW_MAX)
		return fwh_error_set(err, FWS_E_INVAL, "Request too large for a serial frame, or "
		                                       "too many in flight; this is a bug, please "
		                                       "report it.");
	req->answer_len = 0;
	req->stalled = false;
	pending *p = &l->win[(l->head + l->count) % FWH_WINDOW_MAX];
	uint8_t flags = req->want_status ? FWS_FRAME_REQ_STATUS : 0u;
	if (windowed && req->request == FWS_DFU_DNLOAD)
		flags |= FWS_FRAME_REQ_WINDOW;
	fws_frame f = { .seq = ++l->seq, .type = req->request, .value = req->value,
	                .status = flags, .length = (uint16_t)req->answer_cap,
	                .payload = req->data, .payload_len = req->len };
	fws_err e = fws_frame_encode(&f, p->tx, sizeof p->tx, &p->tx_len);
	if (e != FWS_OK)
		return fwh_error_set(err, e, "Cannot encode the %s request; this is a bug.",
		                     fws_request_name(req->request));
	p->req = req;
	p->seq = f.seq;
	p->answered = false;
	p->sends = 0;
	l->count++;
	start_budget(l, p);
	e = send_pending(l, p, err);
	if (e == FWS_E_TIMEOUT)
		e = silent(l, p, err);
	if (e != FWS_OK)
		l->count = 0; /* the line is gone: nothing is in flight any more */
	return e;
}

/* Wait for the oldest request's answer; go back on timeout. Retransmit
 * after its timeout, then (default settings) after 2x, 4x ... (never past
 * the end of its budget): a lost frame is sent again soon, a silent device
 * is not flooded with copies it must read before it can answer (each copy
 * of a 4 KiB frame costs it the line time). An explicit timeout keeps a
 * fixed gap. */
static fws_err reap(serial_link *l, fwh_request **out, fwh_error *err)
{
	unsigned retries = l->base.opts.retries ? l->base.opts.retries : SERIAL_RETRIES_DEFAULT;
	bool patient = l->base.opts.timeout_ms == 0;
	fws_err e = FWS_OK;

	*out = NULL;
	if (l->count == 0)
		return fwh_error_set(err, FWS_E_INVAL, "No request in flight; this is a bug, "
		                                       "please report it.");
	for (;;) {
		pending *p = &l->win[l->head];
		if (p->answered) {
			l->head = (l->head + 1u) % FWH_WINDOW_MAX;
			l->count--;
			*out = p->req;
			return FWS_OK;
		}
		uint64_t now = now_ms();
		if (now >= p->end_ms) {
			e = silent(l, p, err);
			break;
		}
		bool may_resend = p->sends <= retries;
		uint64_t next_send = p->sent_ms + p->gap_ms;
		if (may_resend && now >= next_send) {
			/* go back: everything from the oldest unanswered on, in order */
			for (unsigned i = 0; i < l->count && e == FWS_OK; i++) {
				pending *q = &l->win[(l->head + i) % FWH_WINDOW_MAX];
				if (!q->answered)
					e = send_pending(l, q, err);
			}
			if (e == FWS_E_TIMEOUT)
				e = silent(l, p, err);
			if (e != FWS_OK)
				break;
			if (patient)
				p->gap_ms *= 2u;
			continue;
		}
		uint64_t until = may_resend && next_send < p->end_ms ? next_send : p->end_ms;
		struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
		int pr = poll(&pfd, 1, (int)(until > now ? until - now : 0));
		if (pr <= 0)
			continue; /* timeout, or a signal: the loop decides */
		ssize_t r = read(l->fd, l->rx, sizeof l->rx);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0 || ((pfd.revents & (POLLHUP | POLLERR)) && r == 0)) {
			e = fwh_error_set(err, FWS_E_DISCONNECTED,
			                  "The device on %s went away; reconnect it and run the "
			                  "same command again.",
			                  l->base.id.path);
			break;
		}
		if (r == 0) {
			/* pty with no peer: a short nap keeps this from spinning */
			struct timespec nap = { 0, 10 * 1000 * 1000 };
			nanosleep(&nap, NULL);
			continue;
		}
		e = take_answers(l, l->rx, (size_t)r, err);
		if (e != FWS_OK)
			break;
	}
	l->count = 0; /* given up: nothing is in flight any more */
	return e;
}

static fws_err serial_request(fwh_link *base, fwh_request *req, fwh_error *err)
{
	serial_link *l = (serial_link *)base;
	fwh_request *done;
	if (l->count != 0)
		return fwh_error_set(err, FWS_E_INVAL, "A request while others are in flight; "
		                                       "this is a bug, please report it.");
	fws_err e = post(l, req, false, err);
	return e != FWS_OK ? e : reap(l, &done, err);
}

static fws_err serial_post(fwh_link *base, fwh_request *req, fwh_error *err)
{
	return post((serial_link *)base, req, true, err);
}

static fws_err serial_reap(fwh_link *base, fwh_request **req, fwh_error *err)
{
	return reap((serial_link *)base, req, err);
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
	.post = serial_post,
	.reap = serial_reap,
};
