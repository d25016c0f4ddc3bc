/* SPDX-License-Identifier: Apache-2.0 */
/* ics.h - ICS and IXIT construction inside ev_pack_build / ev_pack_finish. */
#ifndef FWSEAL_EV_ICS_H
#define FWSEAL_EV_ICS_H

#include <stdbool.h>
#include <stddef.h>

struct ev_pack;
struct ev_test;

/* Every status (ev_pack_build); false with a sentence naming the provision. */
bool ev_ics_build(struct ev_pack *pk, char *err, size_t cap);
/* After the tests: what users were shown, findings of every test. */
void ev_ics_finish(struct ev_pack *pk);
/* Where the pack documents provision 5.3-n (conceptual-assessment input). */
const char *ev_conceptual_input(unsigned n);
/* Does test t list provision 5.3-n? */
bool ev_test_covers(const struct ev_test *t, unsigned n);

void ev_ixit_build(struct ev_pack *pk);
void ev_dut_build(struct ev_pack *pk);

/* Package and document checks (checks.c): FT-09, CK-08, CK-13. */
void ev_checks_run(struct ev_pack *pk);
/* The CRA table (cra.c). */
void ev_cra_build(struct ev_pack *pk);

#endif
