/* SPDX-License-Identifier: Apache-2.0 */
/* sim_pty.c - see sim_pty.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sim_pty.h"

static int make_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) != 0)
		return -1;
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	return tcsetattr(fd, TCSANOW, &t);
}

int sim_pty_open(sim_link *l)
{
	const char *name;

	memset(l, 0, sizeof *l);
	l->keep_fd = -1;
	l->fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (l->fd < 0 || grantpt(l->fd) != 0 || unlockpt(l->fd) != 0)
		goto fail;
	name = ptsname(l->fd);
	if (name == NULL || strlen(name) >= sizeof l->path)
		goto fail;
	strcpy(l->path, name);
	/* Both ends raw: the frames are binary (0x00, 0x11, 0x13, CR, ...). */
	l->keep_fd = open(l->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (l->keep_fd < 0 || make_raw(l->keep_fd) != 0 || make_raw(l->fd) != 0)
		goto fail;
	return 0;
fail:
	sim_link_close(l);
	return -1;
}

static speed_t speed_of(unsigned baud)
{
	switch (baud) {
	case 9600: return B9600;
	case 19200: return B19200;
	case 38400: return B38400;
	case 57600: return B57600;
	case 115200: return B115200;
	case 230400: return B230400;
	case 460800: return B460800;
	case 921600: return B921600;
	default: return B0;
	}
}

int sim_tty_open(sim_link *l, const char *path, unsigned baud)
{
	struct termios t;

	memset(l, 0, sizeof *l);
	l->keep_fd = -1;
	l->fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (l->fd < 0 || make_raw(l->fd) != 0)
		goto fail;
	if (baud != 0u && speed_of(baud) != B0) {
		if (tcgetattr(l->fd, &t) != 0 || cfsetspeed(&t, speed_of(baud)) != 0 ||
		    tcsetattr(l->fd, TCSANOW, &t) != 0)
			goto fail;
	}
	snprintf(l->path, sizeof l->path, "%s", path);
	return 0;
fail:
	sim_link_close(l);
	return -1;
}

void sim_link_close(sim_link *l)
{
	if (l->fd >= 0)
		close(l->fd);
	if (l->keep_fd >= 0)
		close(l->keep_fd);
	l->fd = -1;
	l->keep_fd = -1;
}
