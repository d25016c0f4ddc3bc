/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edition.h - the editions of EN 303 645 (and the TS 103 701 edition each
 * pairs with) the evidence pack can follow, as data: per provision its
 * M/R status, condition, our paraphrase and the TS 103 701 test cases it
 * maps to, plus what the pack states about how the table was made. Adding
 * an edition is adding a table in edition.c; no code branches on which one.
 */
#ifndef FWSEAL_EV_EDITION_H
#define FWSEAL_EV_EDITION_H

#include <stdbool.h>

#define EV_PROVISIONS 16u /* 5.3-1 .. 5.3-16 */

/* Static facts of one provision in one edition (paraphrased, never quoted). */
struct ev_provision_info {
	const char *mr;           /* "M" or "R" */
	const char *condition;    /* "-" or "C(12)" ... */
	const char *summary;      /* our paraphrase */
	const char *tc_conceptual;/* "5.3-2-1", or NULL */
	const char *tc_functional;/* "5.3-2-2", or NULL: no functional test case */
};

struct ev_condition {
	const char *id;           /* "C(12)" */
	const char *text;         /* paraphrase */
};

struct ev_edition {
	const char *id;           /* "en303645-v2.1.1": --edition, product description */
	const char *en;           /* "ETSI EN 303 645 V2.1.1 (2020-06)" */
	const char *ts;           /* "ETSI TS 103 701 V1.1.1 (2021-08)" */
	const struct ev_provision_info *prov; /* [EV_PROVISIONS] */
	const struct ev_condition *cond;      /* NULL-terminated */
	const char *basis;        /* how this table was made, and what was not checked */
};

/* By id ("en303645-v2.1.1"; also "V2.1.1", "2.1.1"), or NULL. */
const struct ev_edition *ev_edition_find(const char *id);

/* The ids, for messages: "en303645-v2.1.1, en303645-v3.1.3". */
const char *ev_edition_ids(void);

/* The provision 5.3-n of an edition, or NULL. */
const struct ev_provision_info *ev_edition_provision(const struct ev_edition *e, unsigned n);

#endif
