/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_int.h - what the functional-test files share (functest.c runs them and
 * holds the common steps; ft_refusal.c the tests whose package must be
 * refused; ft_interrupt.c the cable pull and the power cut). Not a public
 * header.
 */
#ifndef FWSEAL_EV_FT_INT_H
#define FWSEAL_EV_FT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "dutlink.h"
#include "evidence.h"
#include "ev_util.h"

struct ft {
	struct ev_pack *pk;
	const struct ev_ft_opts *o;
	struct dutlink d;
	struct ev_buf log;
	struct ev_test *t;
	struct ev_device *dev;  /* the record of this device in pk */
	const char *transport;  /* mechanism key */
	fws_devinfo info;       /* last record read */
	bool have_info;
	char serial[FWS_SERIAL_MAX + 1];
	struct ev_pkgfacts prev;/* the previous release, when usable */
	bool have_prev;
	char prev_why[600];     /* why not, when not */
	char *cli_out;          /* what `fwseal flash` printed in FT-02 (stdout), or NULL */
	char *cli_why;          /* why FT-02 did not run the command, when it did not */
};

/* Start a test: it becomes f->t, its log collects in f->log. */
void ft_begin(struct ft *f, const char *id);
/* One line into the current test's log. */
void ft_note(struct ft *f, const char *fmt, ...) EV_PRINTF(2, 3);
/* End the current test with a verdict and a one-sentence reason. */
void ft_verdict(struct ft *f, enum ev_verdict v, const char *fmt, ...) EV_PRINTF(3, 4);
/* Read the device-info record into f->info and log it under `when`. */
bool ft_read_info(struct ft *f, const char *when);

/* Does the device run the image of package g (confirmed, its counter)? */
bool ft_runs(const fws_devinfo *i, const struct ev_pkgfacts *g);
/* Is anything staged or in test boot (would become bootable)? Which slot. */
int ft_pending_slot(const fws_devinfo *i);
/* Compare what the device runs after an interruption with before; NULL if
 * it runs the same (firmware, slot, counter, image SHA-256 when reported,
 * nothing pending), else a malloc'd sentence saying what differs. */
char *ft_same_state(const fws_devinfo *before, const fws_devinfo *after);
/* "1.4.1 (counter 6, slot 0, image sha256 ab12..)" (malloc'd) */
char *ft_describe(const fws_devinfo *i);

/* Install package path the way a user would, by the library session
 * (fwseal's own flashing code); fresh: never resume an interrupted download,
 * send the whole package. *after: the record after. */
bool ft_flash(struct ft *f, const char *path, bool fresh, fws_devinfo *after, char *why,
              size_t cap, bool *link_lost);

/* Start test id from the known state "runs N-1" where it can be had: the
 * state found is logged and in *before. false (the test is ended
 * INCONCLUSIVE) when the device does not describe itself. */
bool ft_begin_from_previous(struct ft *f, const char *id, fws_devinfo *before);

/* The known state "runs the release" for FT-03 and the refusal tests: reads
 * the record ("before"); when the device runs anything else (FT-02 did not
 * install the release, or a faulty device took a package an earlier test
 * sent it) the release is installed first and the record read again. All
 * of it is logged; a device that cannot be brought there is tested as it
 * is, and the log says so. false when the device does not describe itself. */
bool ft_start_on_release(struct ft *f);

/* The tests of ft_refusal.c (5.3-9, 5.3-2, 5.3-16). */
void ft_tampered(struct ft *f);
void ft_bad_signature(struct ft *f);
void ft_wrong_key(struct ft *f);
void ft_downgrade(struct ft *f);
void ft_wrong_model(struct ft *f);
void ft_revoked_key(struct ft *f);
void ft_wrong_hw_rev(struct ft *f);
void ft_wrong_component(struct ft *f);
void ft_truncated(struct ft *f);

/* ft_interrupt.c (5.3-2) */
void ft_cable_pull(struct ft *f);
void ft_power_cut(struct ft *f);

#endif
