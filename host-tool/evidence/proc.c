/* SPDX-License-Identifier: Apache-2.0 */
/* proc.c - see proc.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ev_util.h"
#include "proc.h"

#define OUT_MAX (1024u * 1024u)

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void drain(int fd, struct ev_buf *b, bool *open)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n > 0) {
		if (b->len + (size_t)n <= OUT_MAX)
			ev_buf_addn(b, buf, (size_t)n);
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		*open = false;
	}
}

void ev_proc_run(const char *const argv[], const char *const env[], uint32_t timeout_ms,
                 struct ev_proc_result *r)
{
	int o[2], e[2];
	struct ev_buf out = {0}, err = {0};
	memset(r, 0, sizeof(*r));
	r->status = -1;
	if (pipe2(o, O_CLOEXEC) != 0)
		goto done;
	if (pipe2(e, O_CLOEXEC) != 0) {
		close(o[0]);
		close(o[1]);
		goto done;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(o[0]);
		close(o[1]);
		close(e[0]);
		close(e[1]);
		ev_buf_printf(&err, "cannot start %s: %s\n", argv[0], strerror(errno));
		goto done;
	}
	if (pid == 0) {
		setpgid(0, 0); /* its own group: a timeout ends everything it started */
		dup2(o[1], 1);
		dup2(e[1], 2);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		for (const char *const *v = env; v && *v; v++) {
			const char *eq = strchr(*v, '=');
			if (eq) {
				char name[128];
				snprintf(name, sizeof(name), "%.*s", (int)(eq - *v), *v);
				setenv(name, eq + 1, 1);
			}
		}
		/* execvp's argv type predates const; it does not change the strings */
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(o[1]);
	close(e[1]);
	bool oo = true, eo = true;
	uint64_t deadline = now_ms() + timeout_ms;
	while (oo || eo) {
		struct pollfd p[2] = {{oo ? o[0] : -1, POLLIN, 0}, {eo ? e[0] : -1, POLLIN, 0}};
		uint64_t now = now_ms();
		if (now >= deadline) {
			r->timed_out = true;
			kill(-pid, SIGKILL);
			break;
		}
		int n = poll(p, 2, (int)(deadline - now));
		if (n < 0 && errno == EINTR)
			continue;
		if (oo && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			drain(o[0], &out, &oo);
		if (eo && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			drain(e[0], &err, &eo);
	}
	close(o[0]);
	close(e[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	if (r->timed_out)
		r->status = -1;
	else if (WIFEXITED(st))
		r->status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		r->status = 128 + WTERMSIG(st);
done:
	r->out = ev_buf_take(&out);
	r->err = ev_buf_take(&err);
}

void ev_proc_free(struct ev_proc_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}
