/* SPDX-License-Identifier: Apache-2.0 */
/* powercut.c - see powercut.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "powercut.h"

#define CTL_TIMEOUT_MS 65000 /* a cut "now" answers once the power is back */

bool ev_simctl_ask(const char *path, const char *request, char *answer, size_t cap)
{
	struct sockaddr_un a;
	answer[0] = '\0';
	if (strlen(path) >= sizeof(a.sun_path)) {
		snprintf(answer, cap, "socket path too long");
		return false;
	}
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		snprintf(answer, cap, "cannot connect: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	char line[160];
	int n = snprintf(line, sizeof(line), "%s\n", request);
	if (n < 0 || (size_t)n >= sizeof(line) || send(fd, line, (size_t)n, MSG_NOSIGNAL) != n) {
		snprintf(answer, cap, "cannot send the request");
		close(fd);
		return false;
	}
	size_t got = 0;
	while (got + 1 < cap) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, CTL_TIMEOUT_MS) <= 0)
			break;
		ssize_t r = read(fd, answer + got, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || answer[got] == '\n')
			break;
		got++;
	}
	answer[got] = '\0';
	close(fd);
	return !strncmp(answer, "ok", 2) && (answer[2] == '\0' || answer[2] == ' ');
}

bool ev_simctl_find(const char *list, const char *serial, char *path, size_t cap,
                    struct ev_buf *log)
{
	if (!list || !*list)
		return false;
	char *copy = ev_xstrdup(list);
	bool found = false;
	for (char *save = NULL, *p = strtok_r(copy, ":", &save); p && !found;
	     p = strtok_r(NULL, ":", &save)) {
		char ans[128];
		bool ok = ev_simctl_ask(p, "serial", ans, sizeof(ans));
		ev_buf_printf(log, "simulator control %s: serial -> %s\n", p, ans);
		if (ok && !strcmp(ans + 3, serial)) {
			snprintf(path, cap, "%s", p);
			found = true;
		}
	}
	free(copy);
	return found;
}

long ev_simctl_cuts(const char *path)
{
	char ans[128];
	if (!ev_simctl_ask(path, "status", ans, sizeof(ans)))
		return -1;
	const char *p = strstr(ans, "power-cuts ");
	return p ? strtol(p + 11, NULL, 10) : -1;
}
