/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uart_model.c - an independent, paced model of a UART line between two
 * pseudo-terminals, for benches and tests: a separate process that neither
 * fwseal nor the device under test controls.
 *
 *   uart-model --baud N [--bits B] [--quantum-us U] [--corrupt DIR:K]...
 *
 * It opens two ptys and prints, once both are ready (stdout, one per line):
 *
 *   host=/dev/pts/A      give this to the host:   --device serial:/dev/pts/A@N
 *   device=/dev/pts/B    give this to the device: fwseal-sim --tty /dev/pts/B
 *                        (without --baud: the model does the pacing)
 *
 * Every byte one side writes reaches the other side no earlier than a real
 * 8N1 line would deliver it: a byte occupies the line for B bit times
 * (default 10: start, 8 data, stop) and is handed to the receiver only once
 * its stop bit has ended, each direction on its own (full duplex). So each
 * direction carries at most baud/B bytes per second, whatever the writer
 * does. Bytes that arrive while the line is busy queue behind it, like the
 * transmit buffer of a USB-serial adapter (up to 1 MiB; beyond that the
 * model stops reading, and the writer's tty buffer fills).
 *
 * Delivery is batched: the model wakes at most every U microseconds (default
 * 200) and hands over every byte whose stop bit has ended by then. Batching
 * only ever delivers late, never early: the receiver sees each byte between
 * 0 and U us (plus scheduling delay) after a real line would have delivered
 * it, so the model can only understate what the two ends achieve.
 *
 * --corrupt DIR:K (DIR is h2d or d2h, K counts frames from 0) flips one bit
 * in the third byte of the K-th frame sent in that direction, where frames
 * are the runs of non-zero bytes between 0x00 delimiters (fwseal/frame.h):
 * line noise that the receiver's CRC must catch. Repeatable.
 *
 * SIGTERM or SIGINT ends it; it then prints, per direction, the bytes
 * carried and the time from the first byte's start bit to the last byte's
 * stop bit, to stderr:
 *
 *   h2d bytes=N busy_s=S first_s=F last_s=L
 *   d2h bytes=N busy_s=S first_s=F last_s=L
 *
 * (seconds on CLOCK_MONOTONIC since the model started; busy_s is the time
 * the line spent sending, N * B / baud).
 *
 * Both pty slaves are held open by the model in raw mode, so a host that
 * closes the port and opens it again (fwseal after a device reset) finds it
 * as before, and no echo or line editing ever touches the bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define QUEUE_CAP   (1024u * 1024u) /* bytes waiting for the line, per direction */
#define CORRUPT_MAX 16u
#define NS          UINT64_C(1000000000)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One direction of the line. Bytes are queued with the time their start
 * bit may begin; byte i of a run that starts at t0 ends at
 * t0 + (i + 1) * bits / baud. */
typedef struct dir {
	const char *name;
	int from, to;          /* pty masters: read from, write to */
	uint8_t *q;            /* ring of queued bytes */
	size_t head, len;      /* first queued byte, bytes queued */
	size_t ready;          /* of them: finished on the line, not yet written */
	uint64_t run_start;    /* start of the current run of back-to-back bytes */
	uint64_t run_len;      /* bytes of that run */
	uint64_t run_done;     /* of them: finished on the line */
	uint64_t line_free;    /* when the line is idle again (ns) */
	/* statistics */
	uint64_t bytes, first_ns, last_ns;
	bool any;
	/* fault injection */
	uint32_t corrupt[CORRUPT_MAX];
	unsigned ncorrupt;
	uint32_t frame;        /* index of the current / next frame */
	uint32_t in_frame;     /* bytes of the current frame seen so far */
} dir;

typedef struct model {
	uint32_t baud, bits;
	uint64_t quantum_ns;
	dir d[2];
	uint64_t t0;
} model;

/* ns the line needs for n bytes, rounded up (never faster than the line) */
static uint64_t line_ns(const model *m, uint64_t n)
{
	return (n * m->bits * NS + m->baud - 1u) / m->baud;
}

/* bytes of a run started at start that have finished by now */
static uint64_t finished(const model *m, uint64_t start, uint64_t now)
{
	if (now <= start)
		return 0;
	return (now - start) * m->baud / (m->bits * NS);
}

static void maybe_corrupt(dir *d, uint8_t *b)
{
	if (*b == 0) {
		if (d->in_frame)
			d->frame++;
		d->in_frame = 0;
		return;
	}
	if (d->in_frame++ != 2)
		return;
	for (unsigned i = 0; i < d->ncorrupt; i++) {
		if (d->corrupt[i] == d->frame) {
			uint8_t x = (uint8_t)(*b ^ 0x01u);
			*b = x ? x : (uint8_t)(*b ^ 0x02u); /* stay non-zero: noise, not a new delimiter */
			fprintf(stderr, "uart-model: damaged %s frame %u\n", d->name, (unsigned)d->frame);
		}
	}
}

/* Take what the writer sent into the queue; its bytes enter the line now. */
static int take(model *m, dir *d, uint64_t now)
{
	uint8_t buf[4096];
	size_t room = QUEUE_CAP - d->len;
	ssize_t n;

	if (room == 0)
		return 0;
	n = read(d->from, buf, room < sizeof buf ? room : sizeof buf);
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR || errno == EIO) ? 0 : -1;
	if (n == 0)
		return 0;
	if (d->line_free <= now) {
		/* the line was idle: every byte queued before has finished (some may
		 * wait for the receiver to read), and a new run starts now */
		d->ready = d->len;
		d->run_start = now;
		d->run_len = 0;
		d->run_done = 0;
	}
	for (ssize_t i = 0; i < n; i++) {
		maybe_corrupt(d, &buf[i]);
		d->q[(d->head + d->len + (size_t)i) % QUEUE_CAP] = buf[i];
	}
	d->len += (size_t)n;
	d->run_len += (uint64_t)n;
	d->line_free = d->run_start + line_ns(m, d->run_len);
	if (!d->any) {
		d->any = true;
		d->first_ns = now;
	}
	d->bytes += (uint64_t)n;
	d->last_ns = d->line_free;
	return 0;
}

/* Mark the bytes whose stop bit has ended as ready for the receiver. */
static void advance(const model *m, dir *d, uint64_t now)
{
	uint64_t done = finished(m, d->run_start, now);

	if (done > d->run_len)
		done = d->run_len;
	/* the bytes not yet ready are the last ones of the current run */
	if (done > d->run_done) {
		d->ready += (size_t)(done - d->run_done);
		d->run_done = done;
	}
}

/* Hand the finished bytes to the receiver (as far as its tty takes them). */
static int deliver(dir *d)
{
	while (d->ready > 0) {
		size_t n = d->ready;
		ssize_t w;

		if (d->head + n > QUEUE_CAP)
			n = QUEUE_CAP - d->head;
		w = write(d->to, d->q + d->head, n);
		if (w < 0)
			return (errno == EAGAIN || errno == EINTR || errno == EIO) ? 0 : -1;
		d->head = (d->head + (size_t)w) % QUEUE_CAP;
		d->len -= (size_t)w;
		d->ready -= (size_t)w;
		if ((size_t)w < n)
			return 0;
	}
	return 0;
}

/* When the next queued byte finishes (ns), or 0 if nothing is queued. */
static uint64_t next_due(const model *m, const dir *d)
{
	if (d->run_done == d->run_len)
		return 0;
	return d->run_start + line_ns(m, d->run_done + 1u);
}

static int open_pty(char *path, size_t cap, int *keep)
{
	struct termios t;
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	const char *name;

	if (fd < 0 || grantpt(fd) != 0 || unlockpt(fd) != 0)
		return -1;
	name = ptsname(fd);
	if (name == NULL || strlen(name) >= cap)
		return -1;
	strcpy(path, name);
	*keep = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*keep < 0)
		return -1;
	/* raw on the slave: no echo back into the master, no CR/LF mapping */
	if (tcgetattr(*keep, &t) != 0)
		return -1;
	cfmakeraw(&t);
	if (tcsetattr(*keep, TCSANOW, &t) != 0)
		return -1;
	return fd;
}

static int usage(void)
{
	fputs("usage: uart-model --baud N [--bits B] [--quantum-us U] [--corrupt h2d|d2h:K]...\n"
	      "Prints host=PTY and device=PTY; relays bytes between them no faster than a\n"
	      "UART at N baud with B bits per byte (default 10: 8N1). See tests/support/uart_model.c.\n",
	      stderr);
	return 2;
}

static bool parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "baud", required_argument, NULL, 'b' },
		{ "bits", required_argument, NULL, 'B' },
		{ "quantum-us", required_argument, NULL, 'q' },
		{ "corrupt", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	model m;
	char host_path[128], dev_path[128];
	int host_keep, dev_keep, host_fd, dev_fd, c;
	uint32_t quantum_us = 200;
	struct sigaction sa;

	memset(&m, 0, sizeof m);
	m.bits = 10;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (!parse_u32(optarg, &m.baud) || m.baud < 300)
				return usage();
			break;
		case 'B':
			if (!parse_u32(optarg, &m.bits) || m.bits < 7 || m.bits > 13)
				return usage();
			break;
		case 'q':
			if (!parse_u32(optarg, &quantum_us) || quantum_us > 100000)
				return usage();
			break;
		case 'c': {
			int w = strncmp(optarg, "h2d:", 4) == 0 ? 0 : strncmp(optarg, "d2h:", 4) == 0 ? 1 : -1;
			uint32_t k;

			if (w < 0 || !parse_u32(optarg + 4, &k) || m.d[w].ncorrupt == CORRUPT_MAX)
				return usage();
			m.d[w].corrupt[m.d[w].ncorrupt++] = k;
			break;
		}
		default:
			return usage();
		}
	}
	if (m.baud == 0 || optind != argc)
		return usage();
	m.quantum_ns = (uint64_t)quantum_us * 1000u;

	host_fd = open_pty(host_path, sizeof host_path, &host_keep);
	dev_fd = host_fd < 0 ? -1 : open_pty(dev_path, sizeof dev_path, &dev_keep);
	if (host_fd < 0 || dev_fd < 0) {
		fprintf(stderr, "uart-model: cannot open a pseudo-terminal: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < 2; i++) {
		m.d[i].q = malloc(QUEUE_CAP);
		if (m.d[i].q == NULL) {
			fputs("uart-model: out of memory\n", stderr);
			return 1;
		}
	}
	m.d[0].name = "h2d";
	m.d[0].from = host_fd;
	m.d[0].to = dev_fd;
	m.d[1].name = "d2h";
	m.d[1].from = dev_fd;
	m.d[1].to = host_fd;

	/* SIGINT/SIGTERM are blocked except inside ppoll, so a signal can never
	 * slip in between the check of `stop` and the wait */
	sigset_t block, wait_mask;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	m.t0 = now_ns();
	printf("host=%s\ndevice=%s\n", host_path, dev_path);
	fflush(stdout);

	uint64_t last_out = 0; /* last time bytes were handed over */
	while (!stop) {
		uint64_t now = now_ns(), due = 0;
		struct pollfd p[2];
		struct timespec ts, *tp = NULL;

		for (int i = 0; i < 2; i++) {
			dir *d = &m.d[i];

			size_t before = d->ready;

			advance(&m, d, now);
			if (d->ready != before)
				last_out = now;
			if (deliver(d) != 0) {
				fprintf(stderr, "uart-model: write: %s\n", strerror(errno));
				return 1;
			}
			uint64_t nd = next_due(&m, d);
			if (nd && (due == 0 || nd < due))
				due = nd;
		}
		/* batch deliveries: never wake more often than the quantum */
		if (due) {
			uint64_t earliest = last_out + m.quantum_ns;
			uint64_t at = due > earliest ? due : earliest;
			uint64_t wait = at > now ? at - now : 0;

			ts.tv_sec = (time_t)(wait / 1000000000u);
			ts.tv_nsec = (long)(wait % 1000000000u);
			tp = &ts;
		}
		for (int i = 0; i < 2; i++) {
			p[i].fd = m.d[i].from;
			p[i].events = m.d[i].len < QUEUE_CAP ? POLLIN : 0;
			/* the other direction writes to this master: wait until the
			 * receiver's tty takes more */
			if (m.d[1 - i].ready > 0)
				p[i].events |= POLLOUT;
			p[i].revents = 0;
		}
		int r = ppoll(p, 2, tp, &wait_mask);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "uart-model: poll: %s\n", strerror(errno));
			return 1;
		}
		now = now_ns();
		for (int i = 0; i < 2; i++) {
			if ((p[i].revents & POLLIN) && take(&m, &m.d[i], now) != 0) {
				fprintf(stderr, "uart-model: read: %s\n", strerror(errno));
				return 1;
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		const dir *d = &m.d[i];
		double first = d->any ? (double)(d->first_ns - m.t0) / 1e9 : 0.0;
		double last = d->any ? (double)(d->last_ns - m.t0) / 1e9 : 0.0;

		fprintf(stderr, "%s bytes=%llu busy_s=%.6f first_s=%.6f last_s=%.6f\n", d->name,
		        (unsigned long long)d->bytes, (double)line_ns(&m, d->bytes) / 1e9, first, last);
	}
	for (int i = 0; i < 2; i++)
		free(m.d[i].q);
	close(host_fd);
	close(dev_fd);
	close(host_keep);
	close(dev_keep);
	return 0;
}
