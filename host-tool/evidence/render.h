/* SPDX-License-Identifier: Apache-2.0 */
/* render.h - what the two renderers share. */
#ifndef FWSEAL_EV_RENDER_H
#define FWSEAL_EV_RENDER_H

#include <stdbool.h>

#include "evidence.h"

extern const char ev_role_text[];

/* Does test t list provision 5.3-n? */
bool ev_test_covers(const struct ev_test *t, unsigned n);

#endif
