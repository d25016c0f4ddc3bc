/* SPDX-License-Identifier: Apache-2.0 */
/*
 * powercut.h - how FT-11 cuts a DUT's power: through the simulator's control
 * socket (fwseal-sim, device-stub/ports/posix/sim_control.h), found in
 * FWSEAL_SIM_CONTROL by the serial number the device reports; or through
 * the lab's --power-cut CMD hook (docs/evidence.md).
 */
#ifndef FWSEAL_EV_POWERCUT_H
#define FWSEAL_EV_POWERCUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ev_util.h"

/* One request line to the control socket at path; its answer line (without
 * the newline) in answer. false if the socket cannot be reached or the
 * answer does not start with "ok" (answer holds what came back). */
bool ev_simctl_ask(const char *path, const char *request, char *answer, size_t cap);

/* The socket in the ':'-separated list whose simulator has this serial
 * number; false if none. Each attempt is logged. */
bool ev_simctl_find(const char *list, const char *serial, char *path, size_t cap,
                    struct ev_buf *log);

/* Power cuts the simulator behind path has made so far; -1 unknown. */
long ev_simctl_cuts(const char *path);

#endif
