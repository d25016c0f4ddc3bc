/* SPDX-License-Identifier: Apache-2.0 */
/* testproc.c - see testproc.h. */
#include "testproc.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool test_tmpdir(char *dir, size_t cap, const char *tag)
{
	int n = snprintf(dir, cap, "/tmp/fwseal-%s-XXXXXX", tag);
	return n > 0 && (size_t)n < cap && mkdtemp(dir) != NULL;
}

int test_rmtree(const char *dir)
{
	char cmd[512];
	int n = snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (n < 0 || (size_t)n >= sizeof cmd)
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

bool test_spawn(test_proc *p, char *const argv[])
{
	int fds[2];
	memset(p, 0, sizeof *p);
	p->out = -1;
	if (pipe(fds) != 0)
		return false;
	p->pid = fork();
	if (p->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (p->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	p->out = fds[0];
	return true;
}

bool test_read_line(test_proc *p, char *line, size_t cap, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	for (;;) {
		char *nl = memchr(p->buf, '\n', p->len);
		if (nl) {
			size_t n = (size_t)(nl - p->buf);
			size_t c = n < cap - 1 ? n : cap - 1;
			memcpy(line, p->buf, c);
			line[c] = '\0';
			memmove(p->buf, nl + 1, p->len - n - 1);
			p->len -= n + 1;
			return true;
		}
		uint64_t t = now_ms();
		if (t >= end || p->len == sizeof p->buf)
			return false;
		struct pollfd pf = {p->out, POLLIN, 0};
		int r = poll(&pf, 1, (int)(end - t));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		ssize_t got = read(p->out, p->buf + p->len, sizeof p->buf - p->len);
		if (got <= 0)
			return false;
		p->len += (size_t)got;
	}
}

bool test_read_sim_device(test_proc *p, char *line, size_t cap, int timeout_ms)
{
	if (cap > 0)
		line[0] = '\0';
	return test_read_line(p, line, cap, timeout_ms) && strncmp(line, "serial:", 7) == 0;
}
