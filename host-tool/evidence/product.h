/* SPDX-License-Identifier: Apache-2.0 */
/*
 * product.h - the product description (product*.ini) the Supplier
 * Organization writes once per product and keeps with each release:
 * DUT identification, software components, user information, update
 * procedures and a justification for every provision claimed N or N/A.
 * docs/product-description.md is the reference; examples/product-example.ini
 * an example. Everything the generator can read from the package, the trust
 * store or the code is NOT asked for here.
 */
#ifndef FWSEAL_EV_PRODUCT_H
#define FWSEAL_EV_PRODUCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mech.h"

#define EV_PROVISIONS 16u /* 5.3-1 .. 5.3-16 */

enum ev_status {
	EV_STATUS_UNSET = 0,
	EV_STATUS_Y,
	EV_STATUS_N,
	EV_STATUS_NA,
};
const char *ev_status_name(enum ev_status s); /* "Y", "N", "N/A" */

struct ev_component {
	char *name;          /* component id as in package manifests */
	char *description;
	bool updateable;     /* mechanism = fwseal */
	char *justification; /* why it has no update mechanism (mechanism = none) */
	char *replacement;   /* hardware replacement support (5.3-14) */
	char *isolation;     /* isolable / replaceable position (5.3-15) */
};

/* A Supplier statement about one provision from an [ics 5.3-N] section. */
struct ev_ics_input {
	bool present;
	unsigned line;
	enum ev_status status;
	char *detail;
	char *justification;
};

struct ev_product {
	char *file_name;  /* base name, for messages and the pack */

	/* [product]: DUT identification */
	char *manufacturer;
	char *product_name;
	char *model;
	uint16_t hw_rev;
	char *fw_version;  /* optional: cross-checked against the package */
	uint32_t interfaces; /* bit per enum ev_mech the DUT exposes */

	/* [user-info]: IXIT 2-UserInfo */
	char *support_period_published;
	char *support_period_statement;
	char *model_designation_published;
	char *update_instructions;
	char *security_notice_shown;
	char *disruption_notice_shown;

	/* [component NAME]: IXIT 6-SoftComp */
	struct ev_component *comp;
	size_t ncomp;

	/* [process]: IXIT 8-UpdProc (and 4-Conf confirmations) */
	char *release_owner;
	char *security_owner;
	char *vulnerability_intake;
	char *triage;
	char *procedure;
	char *infrastructure;
	uint32_t target_days_critical, target_days_high, target_days_other;

	/* [functional-tests] */
	char *previous_package; /* optional: older release for the downgrade test */
	char *test_signing_key; /* optional, lab builds: a key the DUT's trust store holds */

	/* [ics 5.3-N] */
	struct ev_ics_input ics[EV_PROVISIONS];
};

/* Parse text; name is used in messages. On failure returns false with one
 * sentence "NAME:LINE: what is wrong. What to do." in err. */
bool ev_product_parse(struct ev_product *p, const char *text, const char *name, char *err,
                      size_t errcap);
bool ev_product_load(struct ev_product *p, const char *path, char *err, size_t errcap);
void ev_product_free(struct ev_product *p);

/* "5.3-4" -> 4; 0 if not a provision id of clause 5.3. */
unsigned ev_provision_parse(const char *s);

#endif
