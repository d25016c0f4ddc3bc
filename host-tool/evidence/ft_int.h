/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_int.h - what the functional-test files share (functest.c runs them and
 * holds the common steps; ft_refusal.c holds the tests whose package must be
 * refused). Not a public header.
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
	fws_devinfo info;      /* last record read */
	bool have_info;
	char serial[FWS_SERIAL_MAX + 1];
};

/* Start a test: it becomes f->t, its log collects in f->log. */
void ft_begin(struct ft *f, const char *id, const char *title, const char *prov);
/* One line into the current test's log. */
void ft_note(struct ft *f, const char *fmt, ...) EV_PRINTF(2, 3);
/* End the current test with a verdict and a one-sentence reason. */
void ft_verdict(struct ft *f, enum ev_verdict v, const char *fmt, ...) EV_PRINTF(3, 4);
/* Read the device-info record into f->info and log it under `when`. */
bool ft_read_info(struct ft *f, const char *when);

/* The tests of ft_refusal.c (5.3-9, 5.3-2, 5.3-16). */
void ft_tampered(struct ft *f);
void ft_bad_signature(struct ft *f);
void ft_wrong_key(struct ft *f);
void ft_downgrade(struct ft *f);
void ft_wrong_model(struct ft *f);

#endif
