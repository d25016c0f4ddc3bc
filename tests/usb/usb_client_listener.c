/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_client_listener.c - `listener`: the host keeps one uevent listener for
 * its whole run instead of opening and closing one around every operation.
 *
 * Why it matters: libusb keeps one uevent listener per process while any of
 * its contexts lives. Under umockdev the listener is a socket
 * $UMOCKDEV_DIR/eventFD that the emulation sends "add"/"remove" to; umockdev
 * 0.17 (Debian 12) kills the emulation when such a socket closes while an
 * event is on its way ("sendmsg failed: Connection refused"). A host that
 * made a libusb context per call closed its listener after every list, open
 * and reopen poll, and so killed the emulation about once in 20 runs of the
 * cable-pull tests (usb_dev.h).
 *
 * What this checks: after a list (USB and HID), an open and a close, exactly
 * one live listener socket (one that accepts a connection) exists in the
 * testbed, it is the same socket (path and inode) as after the first list,
 * and it is still live after a second round. Prints "listener kept".
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "usb_client_int.h"

struct listener {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ino_t ino;
};

static void ignore_found(void *user, const char *device, const fws_devinfo *info)
{
	(void)user;
	(void)device;
	(void)info;
}

/* Whether a datagram socket is bound at path (a closed one refuses). */
static bool live(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return ok;
}

/* The live listener sockets in the testbed: their count; *one the last. */
static int live_listeners(struct listener *one)
{
	const char *dir = getenv("UMOCKDEV_DIR");
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *ent;
	int n = 0;

	if (!d)
		return -1;
	while ((ent = readdir(d))) {
		struct listener l;
		struct stat st;

		if (strncmp(ent->d_name, "event", 5) != 0)
			continue;
		if ((size_t)snprintf(l.path, sizeof l.path, "%s/%s", dir, ent->d_name) >= sizeof l.path)
			continue;
		if (stat(l.path, &st) != 0 || !S_ISSOCK(st.st_mode) || !live(l.path))
			continue;
		l.ino = st.st_ino;
		*one = l;
		n++;
	}
	closedir(d);
	return n;
}

/* One round: list every transport, open dev, close it. */
static int round_trip(const char *dev)
{
	fwh_error err = { 0 };
	fwh_link *l = NULL;

	if (fwh_enumerate(ignore_found, NULL, &err) != FWS_OK)
		return client_fail("list", &err);
	if (fwh_open(dev, NULL, &l, &err) != FWS_OK)
		return client_fail("open", &err);
	fwh_close(l);
	return CLIENT_OK;
}

int client_listener(const char *dev)
{
	struct listener first, now;
	fwh_error err = { 0 };

	if (fwh_enumerate(ignore_found, NULL, &err) != FWS_OK)
		return client_fail("list", &err);
	int n = live_listeners(&first);
	if (n != 1) {
		fprintf(stderr, "usb_client: %d live uevent listeners after a list, want 1\n", n);
		return CLIENT_FAIL;
	}
	for (int i = 0; i < 2; i++) {
		int rc = round_trip(dev);
		if (rc != CLIENT_OK)
			return rc;
		n = live_listeners(&now);
		if (n != 1 || strcmp(now.path, first.path) != 0 || now.ino != first.ino) {
			fprintf(stderr, "usb_client: after round %d: %d live uevent listeners (%s), "
			        "want the first one (%s) kept\n", i + 1, n, n > 0 ? now.path : "none",
			        first.path);
			return CLIENT_FAIL;
		}
	}
	printf("listener kept\n");
	return CLIENT_OK;
}
