/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_control.h - fwseal-sim's control socket (docs/device-stub.md,
 * "Control socket"): what a test bench does to real hardware with a relay,
 * the simulator offers on a Unix stream socket, by default STATE/control.sock.
 * The evidence run finds it through FWSEAL_SIM_CONTROL (docs/evidence.md).
 *
 * One request per connection, one text line each way:
 *
 *   serial                          -> ok SERIAL
 *   status                          -> ok power-cuts N flash-ops M
 *   power-cut now [off-ms MS]       -> ok power-cut        (after power is back)
 *   power-cut at-write AREA [torn] [off-ms MS]
 *                                   -> ok armed
 *       AREA image: the next program or erase in a firmware slot;
 *       AREA journal: the next one in the journal sectors. The operation is
 *       not done (with torn: done in part, as flash does when power fails
 *       mid-write); the device is off for MS ms (default 300), loses its RAM
 *       and boots again from what flash holds.
 *
 * Errors answer "error TEXT". Power-cut requests are refused with an error
 * while a previous cut is armed.
 */
#ifndef FWSEAL_SIM_CONTROL_H
#define FWSEAL_SIM_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#define SIM_CTL_OFF_MS_DEFAULT 300u
#define SIM_CTL_OFF_MS_MAX     60000u

typedef struct sim_ctl {
	int fd;          /* listening socket, -1 if none */
	char path[108];  /* sizeof(sockaddr_un.sun_path) */
} sim_ctl;

enum sim_ctl_op {
	SIM_CTL_SERIAL,
	SIM_CTL_STATUS,
	SIM_CTL_CUT_NOW,
	SIM_CTL_CUT_AT_IMAGE,
	SIM_CTL_CUT_AT_JOURNAL,
};

typedef struct sim_ctl_req {
	enum sim_ctl_op op;
	bool torn;
	uint32_t off_ms;
	int client;      /* the connection to answer on */
} sim_ctl_req;

/* Create and listen on path (a stale socket file there is replaced).
 * 0, or -1 with errno set (ENAMETOOLONG for a path sun_path cannot hold). */
int sim_ctl_open(sim_ctl *c, const char *path);
void sim_ctl_close(sim_ctl *c);

/* Wait up to timeout_ms for one well-formed request. true: *r holds it and
 * its connection, to be answered with sim_ctl_reply(). A malformed request
 * is answered with an error here and not returned. */
bool sim_ctl_next(sim_ctl *c, int timeout_ms, sim_ctl_req *r);

/* The client side, for `fwseal-sim --ask SOCKET REQUEST...` (a power-cut
 * hook for the evidence run, scripts): send one request, print the answer.
 * 0 when the answer starts with "ok", 1 otherwise, 2 when unreachable. */
int sim_ctl_ask(const char *path, int argc, char **argv);

/* Answer r with one line (no newline in fmt) and close its connection. */
void sim_ctl_reply(sim_ctl_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* FWSEAL_SIM_CONTROL_H */
