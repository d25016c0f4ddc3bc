/* SPDX-License-Identifier: Apache-2.0 */
/* render.h - what the two renderers (and the writer) share. */
#ifndef FWSEAL_EV_RENDER_H
#define FWSEAL_EV_RENDER_H

#include <stdbool.h>

#include "evidence.h"
#include "ics.h"

extern const char ev_role_text[];
extern const char ev_cra_statement[];

/* "logs/serial/FT-04-tampered-block.log", "logs/CK-13-support-period.log"
 * (malloc'd): where test t's log is in the pack. */
char *ev_test_log_path(const struct ev_test *t);

/* "5.3-9-2 (functional)" for test t in the pack's edition (malloc'd). */
char *ev_test_case(const struct ev_pack *pk, const struct ev_test *t);

/* The kind of a test as a word: "functional", "package", "conceptual". */
const char *ev_kind_name(enum ev_test_kind k);

#endif
