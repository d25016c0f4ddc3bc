/* SPDX-License-Identifier: Apache-2.0 */
/*
 * access.h - why this user cannot open a device node, in plain words, and
 * what fixes it (internal to libfwseal-host; fwseal-host/transport.h,
 * fwh_unusable, is what callers see).
 *
 * A permission failure has one of three fixes, told apart by looking at
 * the node and at this process:
 *   - the node's group may open it and the user is not in that group:
 *     "sudo usermod -aG GROUP USER", then log in again;
 *   - the user was added to that group, but this session started before:
 *     log out and back in;
 *   - no group may open it (root only, or the group is root): fwseal's udev
 *     rule, which gives the user at the seat access (uaccess).
 * Thread-safe (reentrant user and group look-ups): the desktop app scans in
 * worker threads.
 */
#ifndef FWSEAL_HOST_ACCESS_H
#define FWSEAL_HOST_ACCESS_H

#include "fwseal-host/transport.h"

/* The udev rules file fwseal installs (data/udev/). */
#define FWH_UDEV_RULES_FILE "70-fwseal.rules"

typedef struct fwh_access_advice {
	enum fwh_unusable_why why;
	char message[320];   /* what is wrong */
	char fix[320];       /* what to do */
	char command[160];   /* the command that does it, or "" */
	char group[64];      /* the group that may open the node, or "" */
	enum fwh_unusable_fix fix_kind;
	char node[256];      /* the node */
	char user[128];      /* this process's user name, or "" */
} fwh_access_advice;

/* Fill out for a failure to open node (what: how to name it to people,
 * e.g. "the serial port /dev/ttyUSB0"); e is the errno of the failure
 * (EACCES/EPERM permission, EBUSY in use, else other). */
void fwh_access_advise(const char *node, const char *what, int e, fwh_access_advice *out);

/* The fwh_unusable view of advice (pointers into advice). */
void fwh_access_unusable(const fwh_access_advice *advice, const char *device, fwh_unusable *u);

#endif /* FWSEAL_HOST_ACCESS_H */
