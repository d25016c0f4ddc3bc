/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence.h - the EN 303 645 clause 5.3 / TS 103 701 evidence pack
 * (docs/evidence.md): edition, DUT identification and evidence boundary, the
 * devices examined, ICS for 5.3-1..5.3-16 with the findings of this run,
 * conceptual-assessment input, IXIT 2-UserInfo, 6-SoftComp, 7-UpdMech,
 * 8-UpdProc, the Supplier's checks and functional tests, and a CRA table,
 * written as evidence.md (people) and evidence.json (machines) from one
 * in-memory model, listed with SHA-256 in evidence.sha256 and optionally
 * signed.
 *
 * The rule of the pack: every sentence is derived from what this run
 * measured or from a file it hashed, and says which; what is unknown is said
 * to be unknown. It never claims conformance; its verdicts are the
 * Supplier's own runs, each backed by its log.
 *
 * Life of a pack: ev_pack_build() (inputs, ICS statuses, package and
 * document checks) -> ev_functional_run() per device -> ev_pack_finish()
 * (DUT record, IXIT, findings on the ICS rows, CRA table) -> render / write.
 */
#ifndef FWSEAL_EVIDENCE_H
#define FWSEAL_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edition.h"
#include "fwseal/devinfo.h"
#include "fwseal/keys.h"
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

/* Something this run found about an ICS row: a test of the row FAILed
 * (the row is flagged), or a check warns. */
enum ev_level {
	EV_LEVEL_WARN = 0,
	EV_LEVEL_FAIL,
};

struct ev_finding {
	enum ev_level level;
	char *text;
};

struct ev_ics {
	unsigned n;            /* 5.3-n */
	enum ev_status status;
	char *detail;
	char *justification;   /* required for N and N/A */
	const char *source;    /* where the status comes from */
	struct ev_finding *fnd;
	size_t nfnd;
};

/* Where a test runs (docs/evidence.md, "Tests"). */
enum ev_test_kind {
	EV_KIND_DEVICE = 0,    /* against a DUT over one interface (functional) */
	EV_KIND_PACKAGE,       /* on the signed package alone (functional, no DUT) */
	EV_KIND_DOCUMENT,      /* on the Supplier's documents and dates (conceptual) */
};

/* One test of the catalogue (tests.c). */
struct ev_test_def {
	const char *id;         /* "FT-04-tampered-block" */
	const char *title;
	const char *provisions; /* "5.3-9" or "5.3-2, 5.3-16" */
	unsigned tc;            /* the provision whose TS 103 701 test case it supports */
	enum ev_test_kind kind;
	const char *purpose;    /* test purpose, one sentence */
};
const struct ev_test_def *ev_test_def(const char *id);

struct ev_test {
	const char *id;
	const char *title;
	const char *provisions;
	const struct ev_test_def *def;
	enum ev_verdict verdict;
	char *reason;          /* one sentence */
	char *device_serial;   /* NULL when no device took part */
	char *transport;       /* "serial", "usb-dfu", "hid"; NULL without a device */
	char *device;          /* the device string; NULL without a device */
	int64_t started, finished;
	char *log;
};

/* A device the functional tests examined, as it described itself. */
struct ev_device {
	char *transport;       /* mechanism key: "serial", "usb-dfu", "hid" */
	char *device;          /* device string given */
	bool answered;         /* its device-info record was read */
	char *serial;
	char *model;
	char *stub_version;
	bool simulator;        /* the device says it is a simulation */
	char *crypto_lib;      /* as the device reports it; NULL not reported */
	char *keys;            /* key ids it reports, "id (revoked), ..." */
	char *power_cut;       /* how a power cut was made, or why none could be */
	char *after;           /* its state after the tests */
};

/* Facts from the release description (fwseal evidence --release): the
 * 5.3-8 timeliness record and the SBOM file; all optional. */
struct ev_release {
	char *file_name;                 /* base name; NULL: not given */
	uint8_t sha256[FWS_SHA256_LEN];  /* of the file */
	int64_t vuln_confirmed;          /* 0: not provided */
	int64_t fix_available;           /* 0: not provided */
	char *sbom_file;                 /* the SBOM it names, or NULL */
	bool sbom_read;                  /* the SBOM file was read and hashed */
	uint8_t sbom_sha256[FWS_SHA256_LEN];
	char *sbom_format;               /* "CycloneDX JSON 1.5" */
};

/* A row of the CRA table (supplementary input, cra.c). */
struct ev_cra_row {
	const char *ref;       /* "Annex I, Part I, (2)(c)" */
	const char *topic;     /* paraphrase */
	char *facts;           /* what this pack has on it, with its source */
};

#define EV_IXIT_COUNT 4u

struct ev_pack {
	const struct ev_product *product;
	const struct ev_pkgfacts *pkg;
	const struct ev_trustfacts *trust;
	const struct ev_release *release;   /* may be NULL */
	const struct ev_edition *edition;
	const char *edition_source;         /* "--edition" or the product description */
	const char *tool_version;
	char *host_crypto;                  /* the host's crypto library (this build) */
	char *test_key_id;                  /* the lab test key's id, or NULL */
	char *revoked_key_id;               /* the revoked test key's id, or NULL */
	char *defaults_file_sha256;         /* [update-app] defaults_file, hashed */

	int64_t generated_at;
	struct ev_entry dut;         /* DUT identification + boundary */
	struct ev_ics ics[EV_PROVISIONS];
	struct ev_ixit ixit[EV_IXIT_COUNT];
	struct ev_test *tests;
	size_t ntests;
	struct ev_device *devices;
	size_t ndevices;
	struct ev_cra_row *cra;
	size_t ncra;
	bool finished;

	char *stale_digest;          /* digest of a pack this one replaced, if different */
	char *stale_version;
};

/* Items only a Test Laboratory can judge (listed in every pack). */
extern const char *const ev_lab_only[];

/* Inputs of a pack besides product, package and trust store. */
struct ev_inputs {
	const struct ev_edition *edition;   /* required */
	const char *edition_source;
	const struct ev_release *release;   /* NULL: not given */
	const char *test_key_id;            /* hex, or NULL */
	const char *revoked_key_id;         /* hex, or NULL */
	const char *product_dir;            /* to find [update-app] defaults_file; NULL: "." */
};

/* Cross-check product description, package and trust store (same model,
 * hardware revision, component), set every ICS status (an N / N/A without
 * justification stops it), and run the package and document checks. On
 * failure one sentence, naming the provision where there is one, in err. */
bool ev_pack_build(struct ev_pack *pk, const struct ev_product *prod,
                   const struct ev_pkgfacts *pkg, const struct ev_trustfacts *trust,
                   const struct ev_inputs *in, int64_t now, char *err, size_t errcap);

/* After the functional tests: the DUT record, IXIT, the findings of every
 * test on its ICS rows, "not tested" for each declared interface no device
 * was given for, and the CRA table. */
void ev_pack_finish(struct ev_pack *pk);
void ev_pack_free(struct ev_pack *pk);

/* Append a test result of the catalogue (tests.c) by id. */
struct ev_test *ev_pack_add_test(struct ev_pack *pk, const char *id);

/* Verdict counts; the CLI's exit code follows them (12 any FAIL, 13 else
 * any INCONCLUSIVE, 0 all PASS). */
void ev_pack_count(const struct ev_pack *pk, unsigned count[3]);

/* How the functional tests may cut the DUT's power (docs/evidence.md). */
struct ev_power_cut {
	const char *command;       /* --power-cut CMD, run with sh -c; NULL: none */
	const char *sim_controls;  /* FWSEAL_SIM_CONTROL: ':'-separated sockets; NULL */
};

/* Functional tests against one DUT (functest.c). */
struct ev_ft_opts {
	const char *device;        /* device string: serial:PATH, usb:..., hid:... */
	const char *package_path;  /* the release package */
	const char *trust_path;    /* the trust store file (for the fwseal command) */
	const char *previous_path; /* older release: N-1 for the upgrade, downgrade test */
	const char *test_key_path; /* lab test key the DUT trusts, or NULL */
	const char *revoked_key_path; /* a key the DUT lists as revoked, or NULL */
	const char *cli_path;      /* the fwseal program, to install the way users do;
	                              NULL: the library session, no user output captured */
	struct ev_power_cut power;
	int64_t (*clock)(void);    /* NULL: time(NULL) */
	void (*progress)(void *user, const char *line); /* may be NULL */
	void *user;
};

/* Run the tests over o->device, append them to pk, record the device, and
 * leave the DUT running the release. false only if the device cannot be
 * opened at all (err says why). */
bool ev_functional_run(struct ev_pack *pk, const struct ev_ft_opts *o, char *err, size_t cap);

/* Renderers (after ev_pack_finish). */
char *ev_render_json(const struct ev_pack *pk);
char *ev_render_md(const struct ev_pack *pk);

/* Write DIR/evidence.md, DIR/evidence.json, DIR/logs/..., DIR/evidence.sha256
 * (every file with its SHA-256) and, with a signer, DIR/evidence.sig. If DIR
 * already holds a pack for another package digest, that pack is stale: it
 * is replaced, and *stale (if not NULL) gets a malloc'd sentence saying so.
 * The new pack is written next to DIR first and swapped in, so DIR never
 * holds a mix of two releases. */
bool ev_pack_write(struct ev_pack *pk, const char *dir, fws_signer *signer, char **stale,
                   char *err, size_t errcap);

/* Digest recorded in DIR/evidence.json, or NULL (malloc'd). */
char *ev_pack_read_digest(const char *dir, char **version);

/* Check a pack: the signature in DIR/evidence.sig over DIR/evidence.sha256
 * with the public key pub, then every listed file's SHA-256, and that no
 * file is left out of the list. Each line of *report (malloc'd) says what
 * was checked. */
enum ev_verify_result {
	EV_VERIFY_OK = 0,
	EV_VERIFY_BAD,       /* signature or a file does not match: tampered */
	EV_VERIFY_UNSIGNED,  /* no evidence.sig */
	EV_VERIFY_IO,        /* cannot read the folder */
};
enum ev_verify_result ev_pack_verify(const char *dir, const uint8_t pub[FWS_P256_PUB_LEN],
                                     char **report);

/* Field helpers. */
void ev_entry_text(struct ev_entry *e, const char *name, const char *label, const char *value);
void ev_entry_textf(struct ev_entry *e, const char *name, const char *label, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));
void ev_entry_num(struct ev_entry *e, const char *name, const char *label, int64_t v);
void ev_entry_free(struct ev_entry *e);

/* Add a finding to ICS row 5.3-n. */
void ev_ics_find(struct ev_pack *pk, unsigned n, enum ev_level level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
