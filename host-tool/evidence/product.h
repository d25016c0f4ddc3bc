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

#include "edition.h"
#include "fwseal/crypto.h"
#include "mech.h"

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

/* [update-app]: the desktop (or other host) app that users update with, and
 * its defaults as shipped: what 5.3-4, 5.3-5 and 5.3-6 are derived from. */
enum ev_auto_install {
	EV_AUTO_NONE = 0,      /* never installs by itself */
	EV_AUTO_SECURITY,      /* installs security updates by itself */
	EV_AUTO_ALL,           /* installs every update by itself */
};
enum ev_update_check {
	EV_CHECK_NONE = 0,     /* does not look for updates */
	EV_CHECK_LOCAL,        /* looks in a local package catalog (a folder) only */
	EV_CHECK_ONLINE,       /* asks the manufacturer's server */
};

struct ev_update_app {
	bool present;
	unsigned line;
	char *name;
	enum ev_auto_install auto_install;
	bool auto_default_on;
	uint32_t countdown_s;       /* before an automatic install; 0 none */
	bool notify;
	bool notify_default_on;
	bool can_disable;
	bool can_postpone;
	enum ev_update_check check;
	bool check_on_connect;
	bool check_on_catalog_change;
	uint32_t check_interval_h;  /* periodic check; 0 none */
	char *defaults_source;      /* where these defaults are set (required) */
	char *defaults_file;        /* optional: a file that holds them, hashed */
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
	uint8_t sha256[FWS_SHA256_LEN]; /* of the text parsed (the file's bytes when loaded) */

	/* [product]: DUT identification */
	char *manufacturer;
	char *product_name;
	char *model;
	char *edition;     /* optional: an edition id (edition.h) */
	unsigned edition_line;
	uint16_t hw_rev;
	char *fw_version;  /* optional: cross-checked against the package */
	uint32_t interfaces; /* bit per enum ev_mech the DUT exposes */

	/* [user-info]: IXIT 2-UserInfo */
	char *support_period_published;
	char *support_period_statement;
	int64_t support_end_published; /* the end date users are told; 0 not given */
	char *sbom_published_at;       /* where users find the SBOM (CRA Annex II 9) */
	char *model_designation_published;
	char *update_instructions;
	char *security_notice_shown;
	char *disruption_notice_shown;

	/* [component NAME]: IXIT 6-SoftComp */
	struct ev_component *comp;
	size_t ncomp;

	/* [update-app] */
	struct ev_update_app app;

	/* [keys]: 5.3-7 rationale; each NULL when not given */
	char *key_storage;      /* where the signing keys live */
	char *key_lifecycle;    /* generation, rotation, retirement */
	char *key_revocation;   /* revocation procedure */

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
	char *revoked_test_key; /* optional, lab builds: a key the DUT lists as revoked */
	char *power_cut_command;/* optional: the lab's power-cut hook */

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

/* "YYYY-MM-DD" -> seconds since 1970 UTC (midnight); false if not a date. */
bool ev_parse_date(const char *s, int64_t *out);

#endif
