/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence.h - the EN 303 645 clause 5.3 / TS 103 701 evidence pack
 * (docs/evidence.md): DUT identification and evidence boundary, ICS for
 * 5.3-1..5.3-16, IXIT 2-UserInfo, 6-SoftComp, 7-UpdMech, 8-UpdProc and
 * functional test results, written as evidence.md (people) and
 * evidence.json (machines) from one in-memory model, so both say the same.
 *
 * The pack is Supplier Organization input for a Test Laboratory. It never
 * claims conformance; verdicts of its functional tests are the supplier's own
 * pre-assessment runs, each backed by its log.
 */
#ifndef FWSEAL_EVIDENCE_H
#define FWSEAL_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/devinfo.h"
#include "pkgfacts.h"
#include "product.h"

enum ev_verdict {
	EV_PASS = 0,
	EV_FAIL,
	EV_INCONCLUSIVE,
};
const char *ev_verdict_name(enum ev_verdict v); /* "PASS", "FAIL", "INCONCLUSIVE" */

/* A named value of an IXIT entry or the DUT record. */
struct ev_field {
	const char *name;  /* JSON key, snake_case */
	const char *label; /* Markdown label */
	char *value;       /* text, or NULL when is_num */
	bool is_num;
	int64_t num;
};

struct ev_entry {
	char *id;
	char *title;
	struct ev_field *f;
	size_t nf;
};

struct ev_ixit {
	const char *id;    /* "7-UpdMech" */
	const char *title;
	struct ev_entry *e;
	size_t ne;
};

struct ev_ics {
	unsigned n;            /* 5.3-n */
	enum ev_status status;
	char *detail;
	char *justification;   /* required for N and N/A */
	const char *source;    /* where the status comes from */
};

struct ev_test {
	const char *id;        /* "FT-02-tampered-block" */
	const char *title;
	const char *provisions;/* "5.3-9" or "5.3-9, 5.3-2" */
	enum ev_verdict verdict;
	char *reason;          /* one sentence */
	char *device_serial;   /* NULL when no device took part */
	int64_t started, finished;
	char *log;
};

#define EV_IXIT_COUNT 4u

struct ev_pack {
	const struct ev_product *product;
	const struct ev_pkgfacts *pkg;
	const struct ev_trustfacts *trust;
	const char *device;          /* --device, or NULL */
	const char *tool_version;

	int64_t generated_at;
	struct ev_entry dut;         /* DUT identification + boundary */
	struct ev_ics ics[EV_PROVISIONS];
	struct ev_ixit ixit[EV_IXIT_COUNT];
	struct ev_test *tests;
	size_t ntests;

	char *stale_digest;          /* digest of a pack this one replaced, if different */
	char *stale_version;
};

/* Static facts of a provision (paraphrased from EN 303 645 5.3, never quoted). */
struct ev_provision_info {
	const char *mr;        /* "M" or "R" */
	const char *condition; /* "-" or "C(12)" ... */
	const char *summary;
};
const struct ev_provision_info *ev_provision_info(unsigned n);

/* Items only a Test Laboratory can judge (listed in every pack). */
extern const char *const ev_lab_only[];

/* Build the pack's DUT record, ICS and IXIT from product, package and trust
 * store. Checks that they describe the same product (model, hardware
 * revision, component) and that every N / N/A has a justification; on
 * failure one sentence, naming the provision where there is one, in err. */
bool ev_pack_build(struct ev_pack *pk, const struct ev_product *prod,
                   const struct ev_pkgfacts *pkg, const struct ev_trustfacts *trust,
                   const char *device, int64_t now, char *err, size_t errcap);
void ev_pack_free(struct ev_pack *pk);

/* Add the key lifecycle the device reports (trust state, keys with roles)
 * to the 5.3-7 entry (keylife.c, docs/trust.md). */
void ev_key_lifecycle(struct ev_pack *pk, const fws_devinfo *info);

/* Append a test result (takes ownership of reason, log and serial). */
struct ev_test *ev_pack_add_test(struct ev_pack *pk, const char *id, const char *title,
                                 const char *provisions);

/* Functional tests against a DUT (functest.c). */
struct ev_ft_opts {
	const char *device;        /* device string: serial:PATH, usb:..., hid:... */
	const char *package_path;  /* the release package (installed the user's way) */
	const char *previous_path; /* older release for the downgrade test, or NULL */
	const char *test_key_path; /* lab test key the DUT trusts, or NULL */
	int64_t (*clock)(void);    /* NULL: time(NULL) */
	void (*progress)(void *user, const char *line); /* may be NULL */
	void *user;
};

/* Run the tests, append them to pk (sorted by id) and leave the DUT running
 * the release. false only if the device cannot be opened at all. */
bool ev_functional_run(struct ev_pack *pk, const struct ev_ft_opts *o, char *err, size_t cap);

/* Renderers. */
char *ev_render_json(const struct ev_pack *pk);
char *ev_render_md(const struct ev_pack *pk);

/* Write DIR/evidence.md, DIR/evidence.json and DIR/logs/<test>.log. If DIR
 * already holds a pack for another package digest, that pack is stale: it
 * is replaced, and *stale (if not NULL) gets a malloc'd sentence saying so.
 * The new pack is written next to DIR first and swapped in, so DIR never
 * holds a mix of two releases. */
bool ev_pack_write(struct ev_pack *pk, const char *dir, char **stale, char *err, size_t errcap);

/* Digest recorded in DIR/evidence.json, or NULL (malloc'd). */
char *ev_pack_read_digest(const char *dir, char **version);

/* Field helpers. */
void ev_entry_text(struct ev_entry *e, const char *name, const char *label, const char *value);
void ev_entry_textf(struct ev_entry *e, const char *name, const char *label, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));
void ev_entry_num(struct ev_entry *e, const char *name, const char *label, int64_t v);
void ev_entry_free(struct ev_entry *e);

#endif
