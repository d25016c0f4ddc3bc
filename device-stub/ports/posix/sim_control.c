/* SPDX-License-Identifier: Apache-2.0 */
/* sim_control.c - see sim_control.h. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim_control.h"

#define CTL_LINE_MAX 128u
#define CTL_READ_MS  1000 /* a client has this long to send its line */

int sim_ctl_open(sim_ctl *c, const char *path)
{
	struct sockaddr_un a;

	c->fd = -1;
	c->path[0] = '\0';
	if (strlen(path) >= sizeof(a.sun_path) || strlen(path) >= sizeof(c->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	(void)unlink(path); /* a socket a previous run left behind */
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	c->fd = fd;
	memcpy(c->path, path, strlen(path) + 1);
	return 0;
}

void sim_ctl_close(sim_ctl *c)
{
	if (c->fd >= 0) {
		close(c->fd);
		unlink(c->path);
	}
	c->fd = -1;
}

/* One line from fd within CTL_READ_MS; false on EOF, timeout or overflow. */
static bool read_line(int fd, char *line, size_t cap)
{
	size_t n = 0;
	while (n + 1 < cap) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, CTL_READ_MS) <= 0)
			return false;
		ssize_t r = read(fd, line + n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		if (line[n] == '\n') {
			line[n] = '\0';
			if (n && line[n - 1] == '\r')
				line[n - 1] = '\0';
			return true;
		}
		n++;
	}
	return false;
}

static bool parse_ms(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > SIM_CTL_OFF_MS_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* "power-cut ..." words after the first; false with *why set. */
static bool parse_cut(char *save, sim_ctl_req *r, const char **why)
{
	const char *w = strtok_r(NULL, " \t", &save);
	if (w && !strcmp(w, "now")) {
		r->op = SIM_CTL_CUT_NOW;
	} else if (w && !strcmp(w, "at-write")) {
		w = strtok_r(NULL, " \t", &save);
		if (w && !strcmp(w, "image"))
			r->op = SIM_CTL_CUT_AT_IMAGE;
		else if (w && !strcmp(w, "journal"))
			r->op = SIM_CTL_CUT_AT_JOURNAL;
		else {
			*why = "at-write takes image or journal";
			return false;
		}
	} else {
		*why = "power-cut takes now or at-write AREA";
		return false;
	}
	while ((w = strtok_r(NULL, " \t", &save)) != NULL) {
		if (!strcmp(w, "torn") && r->op != SIM_CTL_CUT_NOW) {
			r->torn = true;
		} else if (!strcmp(w, "off-ms")) {
			w = strtok_r(NULL, " \t", &save);
			if (!w || !parse_ms(w, &r->off_ms)) {
				*why = "off-ms takes a number of milliseconds up to 60000";
				return false;
			}
		} else {
			*why = "unknown word in the power-cut request";
			return false;
		}
	}
	return true;
}

bool sim_ctl_next(sim_ctl *c, int timeout_ms, sim_ctl_req *r)
{
	if (c->fd < 0)
		return false;
	struct pollfd p = {c->fd, POLLIN, 0};
	if (poll(&p, 1, timeout_ms) <= 0)
		return false;
	int cl = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC);
	if (cl < 0)
		return false;
	char line[CTL_LINE_MAX], *save = NULL;
	memset(r, 0, sizeof *r);
	r->client = cl;
	r->off_ms = SIM_CTL_OFF_MS_DEFAULT;
	if (!read_line(cl, line, sizeof line)) {
		close(cl);
		return false;
	}
	const char *w = strtok_r(line, " \t", &save), *why = "unknown request (serial, status, "
	                                                      "power-cut)";
	bool ok = false;
	if (w && !strcmp(w, "serial")) {
		r->op = SIM_CTL_SERIAL;
		ok = strtok_r(NULL, " \t", &save) == NULL;
	} else if (w && !strcmp(w, "status")) {
		r->op = SIM_CTL_STATUS;
		ok = strtok_r(NULL, " \t", &save) == NULL;
	} else if (w && !strcmp(w, "power-cut")) {
		ok = parse_cut(save, r, &why);
	}
	if (!ok) {
		sim_ctl_reply(r, "error %s", why);
		return false;
	}
	return true;
}

void sim_ctl_reply(sim_ctl_req *r, const char *fmt, ...)
{
	char line[CTL_LINE_MAX + 64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	/* best effort: a client that went away has nothing to learn */
	(void)send(r->client, line, (size_t)n, MSG_NOSIGNAL);
	close(r->client);
	r->client = -1;
}

int sim_ctl_ask(const char *path, int argc, char **argv)
{
	struct sockaddr_un a;
	char line[CTL_LINE_MAX + 2] = "";
	size_t n = 0;

	for (int i = 0; i < argc; i++) {
		int k = snprintf(line + n, sizeof line - n, "%s%s", i ? " " : "", argv[i]);
		if (k < 0 || (size_t)k >= sizeof line - n - 1) {
			fprintf(stderr, "fwseal-sim: the request is too long.\n");
			return 2;
		}
		n += (size_t)k;
	}
	line[n++] = '\n';
	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "fwseal-sim: the socket path %s is too long.\n", path);
		return 2;
	}
	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    send(fd, line, n, MSG_NOSIGNAL) != (ssize_t)n) {
		fprintf(stderr, "fwseal-sim: cannot reach the control socket %s: %s. Is the simulator "
		        "running?\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 2;
	}
	char ans[CTL_LINE_MAX + 64];
	n = 0;
	while (n + 1 < sizeof ans) {
		ssize_t r = read(fd, ans + n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || ans[n] == '\n')
			break;
		n++;
	}
	ans[n] = '\0';
	close(fd);
	puts(ans);
	return strncmp(ans, "ok", 2) == 0 ? 0 : 1;
}
