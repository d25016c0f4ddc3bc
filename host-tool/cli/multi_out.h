/* SPDX-License-Identifier: Apache-2.0 */
/*
 * multi_out.h - what `fwseal flash` with several devices and `fwseal watch`
 * show while units are being flashed:
 *   --json          one JSON object per line on stdout (events of every unit,
 *                   each with the unit's device string; a summary at the end)
 *   stderr a TTY    a line per unit being flashed, redrawn in place; each
 *                   finished unit leaves one line above them
 *   otherwise       one log line per unit as it starts and as it ends
 * and the exit code of a run (docs/factory.md, "Exit codes").
 */
#ifndef FWSEAL_CLI_MULTI_OUT_H
#define FWSEAL_CLI_MULTI_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dev_common.h"
#include "fwseal-host/multi.h"

#define MULTI_OUT_LIVE_MAX 256u
#define MULTI_OUT_LINE_MAX 256u

struct multi_out {
	FILE *events;               /* JSON lines, or the human log */
	bool json;
	bool tty;                   /* redraw live lines on `events` */
	size_t drawn;               /* live lines currently on screen */
	uint64_t last_draw_ms;
	/* Units in flight and the text last drawn for each. A unit's fields are
	 * read only during its own events (its thread is the one calling), the
	 * lines of the others come from here: no unit is read while its thread
	 * writes it. */
	struct multi_out_live {
		const fwh_unit *u;
		char line[MULTI_OUT_LINE_MAX];
	} live[MULTI_OUT_LIVE_MAX];
	size_t n_live;
};

/* json: JSON lines on stdout; else human output on stderr (redrawn if a TTY). */
void multi_out_init(struct multi_out *o, bool json);

/* An fwh_unit_event_fn: pass it with the multi_out as user. */
void multi_out_event(void *user, enum fwh_unit_event ev, const fwh_unit *u);

/* Exit code of one unit and of a whole run: 0 all ok; FWS_EXIT_PARTIAL some;
 * when none succeeded, the class they share (4 refused, 7 interrupted,
 * 6 device, 5 I/O, ...) or FWS_EXIT_FAILURE if they differ. */
int multi_unit_exit(const fwh_unit *u);
int multi_exit_code(const fwh_unit *units, size_t n);

/* The summary: a table on stdout, or one JSON line (event "summary").
 * Returns multi_exit_code(). */
int multi_out_summary(struct multi_out *o, const fwh_unit *units, size_t n);

/* One unit's result as members of the JSON object being written. */
void multi_out_json_unit(dev_event *e, const fwh_unit *u);

#endif /* FWSEAL_CLI_MULTI_OUT_H */
