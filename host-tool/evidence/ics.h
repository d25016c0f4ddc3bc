/* SPDX-License-Identifier: Apache-2.0 */
/* ics.h - ICS and IXIT construction inside ev_pack_build (evidence.h). */
#ifndef FWSEAL_EV_ICS_H
#define FWSEAL_EV_ICS_H

#include <stdbool.h>
#include <stddef.h>

struct ev_pack;

bool ev_ics_build(struct ev_pack *pk, char *err, size_t cap);
void ev_ixit_build(struct ev_pack *pk);
void ev_dut_build(struct ev_pack *pk);

#endif
