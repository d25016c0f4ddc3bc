/* SPDX-License-Identifier: Apache-2.0 */
/* atomic_out.c - see atomic_out.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_out.h"

#define OUT_BUF (1u << 20)

/* The temp file being written, removed if the user interrupts (Ctrl-C,
 * SIGTERM), so an interrupted pack leaves nothing behind. */
static char *volatile pending_tmp;

static void on_signal(int sig)
{
	char *t = pending_tmp;
	if (t)
		unlink(t); /* async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void watch(char *tmp)
{
	static bool installed;
	if (!installed) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		installed = true;
	}
	pending_tmp = tmp;
}

bool atomic_out_open(struct atomic_out *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	size_t n = strlen(path) + 16;
	o->path = strdup(path);
	o->tmp = malloc(n);
	o->buf = malloc(OUT_BUF);
	if (!o->path || !o->tmp || !o->buf) {
		atomic_out_abort(o);
		errno = ENOMEM;
		return false;
	}
	snprintf(o->tmp, n, "%s.tmp-XXXXXX", path);
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		int e = errno;
		free(o->tmp);
		o->tmp = NULL;
		atomic_out_abort(o);
		errno = e;
		return false;
	}
	(void)fchmod(o->fd, 0644);
	watch(o->tmp);
	return true;
}

static void flush_buf(struct atomic_out *o)
{
	size_t off = 0;
	while (!o->err && off < o->fill) {
		ssize_t w = write(o->fd, o->buf + off, o->fill - off);
		if (w < 0) {
			if (errno != EINTR)
				o->err = errno;
			continue;
		}
		off += (size_t)w;
	}
	o->fill = 0;
}

void atomic_out_write(struct atomic_out *o, const void *p, size_t n)
{
	const uint8_t *s = p;
	while (n > 0 && !o->err) {
		size_t take = OUT_BUF - o->fill;
		if (take > n)
			take = n;
		memcpy(o->buf + o->fill, s, take);
		o->fill += take;
		s += take;
		n -= take;
		if (o->fill == OUT_BUF)
			flush_buf(o);
	}
}

void atomic_out_pwrite(struct atomic_out *o, const void *p, size_t n, uint64_t off)
{
	const uint8_t *s = p;
	flush_buf(o);
	while (n > 0 && !o->err) {
		ssize_t w = pwrite(o->fd, s, n, (off_t)off);
		if (w < 0) {
			if (errno != EINTR)
				o->err = errno;
			continue;
		}
		s += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
}

bool atomic_out_pread(struct atomic_out *o, void *p, size_t n, uint64_t off)
{
	uint8_t *d = p;
	flush_buf(o);
	while (n > 0 && !o->err) {
		ssize_t r = pread(o->fd, d, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			o->err = r < 0 ? errno : EIO;
			break;
		}
		d += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return !o->err;
}

bool atomic_out_commit(struct atomic_out *o)
{
	flush_buf(o);
	if (!o->err && fsync(o->fd) != 0)
		o->err = errno;
	if (close(o->fd) != 0 && !o->err)
		o->err = errno;
	o->fd = -1;
	if (!o->err && rename(o->tmp, o->path) != 0)
		o->err = errno;
	pending_tmp = NULL; /* renamed (or about to be removed below) */
	if (o->err) {
		int e = o->err;
		atomic_out_abort(o);
		o->err = e;
		return false;
	}
	/* make the rename durable */
	char *dir = strdup(o->path);
	if (dir) {
		int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
		free(dir);
	}
	free(o->tmp);
	o->tmp = NULL;
	atomic_out_abort(o);
	return true;
}

void atomic_out_abort(struct atomic_out *o)
{
	pending_tmp = NULL;
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	free(o->buf);
	o->tmp = o->path = NULL;
	o->buf = NULL;
}
