/* SPDX-License-Identifier: Apache-2.0 */
/* sim_pty.h - the simulator's UART: a new pseudo-terminal or a given tty. */
#ifndef FWSEAL_SIM_PTY_H
#define FWSEAL_SIM_PTY_H

#include <stddef.h>

typedef struct sim_link {
	int fd;        /* what the simulator reads and writes */
	int keep_fd;   /* pty slave held open so a closing host causes no hang-up */
	char path[128];
} sim_link;

/* Create a pty in raw mode; path gets the slave name. 0 or -1 (errno). */
int sim_pty_open(sim_link *l);
/* Open an existing tty in raw mode (baud 0: leave the speed). */
int sim_tty_open(sim_link *l, const char *path, unsigned baud);
void sim_link_close(sim_link *l);

#endif /* FWSEAL_SIM_PTY_H */
