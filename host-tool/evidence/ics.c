/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ics.c - the Implementation Conformance Statement for EN 303 645 5.3-1 ..
 * 5.3-16: support status (Y / N / N/A) and detail per provision, and the
 * conceptual-assessment input per provision.
 *
 * A status is derived from facts wherever a file or this run shows them (the
 * signed package, the trust store, the interfaces, the component list, the
 * update app's shipped defaults in [update-app]); the product description
 * decides only what nothing else shows (5.3-8's procedure, or 5.3-4..5.3-6
 * when it has no [update-app]) and supplies the justification of an N or
 * N/A. EN 303 645 clause 4: every N or N/A needs a recorded justification,
 * so a missing one stops generation. Each detail says where it comes from;
 * what the run demonstrates (or fails to) is added by ev_ics_finish().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "ev_util.h"
#include "ics.h"

const char *const ev_lab_only[] = {
	"Verdicts (PASS / FAIL / INCONCLUSIVE) of the TS 103 701 test cases: the check and "
	"test results in this pack are the Supplier's own runs, input for the laboratory's test "
	"plan.",
	"Whether the ICS statuses are right, in particular that each N/A meets the condition it "
	"relies on in the edition named on the first page.",
	"Whether ECDSA P-256 with SHA-256 and the hash chain are best practice for this use case "
	"(5.3-7).",
	"Whether the target time frames and the release record are timely (5.3-8).",
	"Whether applying an update is simple for the intended users (5.3-3).",
	"Whether security and disruption notices are recognisable and apparent to the user "
	"(5.3-11, 5.3-12).",
	"Whether the support period and model designation are published clearly and accessibly "
	"(5.3-13, 5.3-16).",
	"Whether the evidence is sufficient and any external evidence is acceptable in scope and "
	"assurance depth.",
	NULL,
};

/* Conceptual-assessment input: where the pack documents each provision. */
static const char *const conceptual[EV_PROVISIONS] = {
	"IXIT 6-SoftComp (every component and its update mechanism, or why it has none).",
	"IXIT 7-UpdMech, entries in scope: description, security guarantees, cryptographic "
	"details; the ICS detail of 5.3-2.",
	"IXIT 2-UserInfo UI-3 (user instructions); IXIT 7-UpdMech initiation and interaction.",
	"The update app's shipped defaults ([update-app] of the product description, with their "
	"source); IXIT 7-UpdMech initiation and interaction.",
	"IXIT 7-UpdMech update checking; the update app's check settings ([update-app]).",
	"IXIT 7-UpdMech configuration; the update app's defaults and what the user can change "
	"([update-app]).",
	"IXIT 7-UpdMech cryptographic details; the 5.3-7 rationale in the ICS detail (algorithms, "
	"strength, key sizes, where keys live, key lifecycle and revocation, library versions).",
	"IXIT 8-UpdProc (procedure, owners, target time frames, this release's record).",
	"IXIT 7-UpdMech security guarantees and cryptographic details.",
	"IXIT 7-UpdMech (the interfaces in scope and why none is a network interface).",
	"IXIT 7-UpdMech user notification; IXIT 2-UserInfo UI-3; the text fwseal showed "
	"(FT-17).",
	"IXIT 7-UpdMech user notification; IXIT 2-UserInfo UI-3; the text fwseal showed "
	"(FT-17).",
	"IXIT 2-UserInfo UI-1 (support period, where and how it is published).",
	"IXIT 6-SoftComp (components without an update mechanism).",
	"IXIT 6-SoftComp (components without an update mechanism).",
	"IXIT 2-UserInfo UI-2 (where the model designation is shown).",
};

const char *ev_conceptual_input(unsigned n)
{
	return n >= 1 && n <= EV_PROVISIONS ? conceptual[n - 1] : NULL;
}

struct ics_ctx {
	struct ev_pack *pk;
	const struct ev_product *prod;
	const struct ev_pkgfacts *pkg;
	char *err;
	size_t cap;
};

static bool fail(struct ics_ctx *c, unsigned n, const char *what)
{
	snprintf(c->err, c->cap, "%s: 5.3-%u: %s", c->prod->file_name, n, what);
	return false;
}

static void set(struct ics_ctx *c, unsigned n, enum ev_status st, char *detail, const char *source)
{
	struct ev_ics *i = &c->pk->ics[n - 1];
	i->n = n;
	i->status = st;
	free(i->detail);
	i->detail = detail;
	i->source = source;
}

/* Justification from the product file for a derived N / N/A. */
static bool justify(struct ics_ctx *c, unsigned n, const char *why_needed)
{
	struct ev_ics *i = &c->pk->ics[n - 1];
	const struct ev_ics_input *in = &c->prod->ics[n - 1];
	if (in->justification) {
		i->justification = ev_xstrdup(in->justification);
		return true;
	}
	char msg[512];
	snprintf(msg, sizeof(msg), "%s is %s but has no justification. Add [ics 5.3-%u] with "
	         "'justification = ...' to the product description (EN 303 645 clause 4).",
	         why_needed, ev_status_name(i->status), n);
	return fail(c, n, msg);
}

/* Provisions whose status the product description cannot set. */
static bool derived_only(struct ics_ctx *c, unsigned n, const char *from)
{
	if (c->prod->ics[n - 1].status != EV_STATUS_UNSET) {
		char msg[320];
		snprintf(msg, sizeof(msg), "the status of this provision is derived from %s, not set "
		         "by hand. Remove 'status' from [ics 5.3-%u].", from, n);
		return fail(c, n, msg);
	}
	return true;
}
#define DERIVED "the package, trust store, interfaces and components"

static char *mech_list(uint32_t bits)
{
	struct ev_buf b = {0};
	for (unsigned m = 0; m < EV_MECH_COUNT; m++) {
		if (!(bits & (1u << m)))
			continue;
		if (b.len)
			ev_buf_add(&b, ", ");
		ev_buf_add(&b, ev_mech_get((enum ev_mech)m)->name);
	}
	return ev_buf_take(&b);
}

static bool p1(struct ics_ctx *c)
{
	const struct ev_product *p = c->prod;
	struct ev_buf up = {0}, none = {0}, just = {0};
	for (size_t i = 0; i < p->ncomp; i++) {
		const struct ev_component *k = &p->comp[i];
		struct ev_buf *b = k->updateable ? &up : &none;
		ev_buf_printf(b, "%s'%s'", b->len ? ", " : "", k->name);
		if (!k->updateable)
			ev_buf_printf(&just, "%s%s: %s", just.len ? " " : "", k->name, k->justification);
	}
	if (!none.len) {
		set(c, 1, EV_STATUS_Y,
		    ev_xasprintf("Every software component in the product description (%s) is updated "
		                 "by fwseal signed packages (IXIT 6-SoftComp). This release's package "
		                 "updates component '%s'.", up.s, c->pkg->m.component),
		    "product description components + package manifest");
		free(just.s);
	} else {
		set(c, 1, EV_STATUS_N,
		    ev_xasprintf("Updateable by fwseal signed packages: %s. Without an update "
		                 "mechanism: %s (IXIT 6-SoftComp).", up.len ? up.s : "none", none.s),
		    "product description components");
		c->pk->ics[0].justification = ev_buf_take(&just);
	}
	free(up.s);
	free(none.s);
	return derived_only(c, 1, DERIVED);
}

static bool p2(struct ics_ctx *c)
{
	char *mechs = mech_list(c->prod->interfaces);
	set(c, 2, EV_STATUS_Y,
	    ev_xasprintf("fwseal signed packages, delivered over %s (IXIT 7-UpdMech). As fwseal's "
	                 "device stub is designed (docs/device-stub.md): it verifies the manifest "
	                 "signature against its own trust store; checks model, hardware revision, "
	                 "component and the anti-rollback counter; verifies every block against the "
	                 "signed hash chain before writing it to the slot that is not running; reads "
	                 "the whole staged image back and checks its SHA-256; only then commits, by "
	                 "one journal record; the counter rises when the new image confirms itself. "
	                 "Which of these this run demonstrated on the device is in the findings and "
	                 "the tests listed for this row.", mechs),
	    "fwseal design (docs/device-stub.md) + interfaces in the product description");
	free(mechs);
	return derived_only(c, 2, DERIVED);
}

static bool p3(struct ics_ctx *c)
{
	set(c, 3, EV_STATUS_Y,
	    ev_xasprintf("One command (`fwseal flash PACKAGE --device DEVICE`) or one button in the "
	                 "fwseal desktop application; the user chooses no keys, block sizes or "
	                 "settings; as fwseal is designed (docs/flashing.md), an interrupted "
	                 "transfer continues when the same command is run again. User "
	                 "instructions (Supplier): %s", c->prod->update_instructions),
	    "fwseal command line and its design (docs/flashing.md) + product description "
	    "[user-info]");
	return derived_only(c, 3, DERIVED);
}

/* 5.3-4 .. 5.3-6 without [update-app]: the Supplier's statement decides. */
static bool supplier(struct ics_ctx *c, unsigned n, const char *missing)
{
	const struct ev_ics_input *in = &c->prod->ics[n - 1];
	if (!in->present || in->status == EV_STATUS_UNSET) {
		char msg[512];
		snprintf(msg, sizeof(msg), "no support status: %s Describe the update app in "
		         "[update-app], or add [ics 5.3-%u] with 'status = Y' and a 'detail', or N / "
		         "N/A with a 'justification'.", missing, n);
		return fail(c, n, msg);
	}
	if (in->status == EV_STATUS_Y && !in->detail) {
		char msg[256];
		snprintf(msg, sizeof(msg), "status Y needs a 'detail' saying how it is met. Add it to "
		         "[ics 5.3-%u].", n);
		return fail(c, n, msg);
	}
	set(c, n, in->status, ev_xstrdup(in->detail ? in->detail : ""),
	    "Supplier statement in the product description (no [update-app] section)");
	if (in->status != EV_STATUS_Y)
		return justify(c, n, "the Supplier's status");
	return true;
}

static const char *auto_words(enum ev_auto_install a)
{
	return a == EV_AUTO_SECURITY ? "security updates" : "every update";
}

/* Where the app facts come from, appended to each of 5.3-4..5.3-6. */
static char *app_source(const struct ev_pack *pk)
{
	const struct ev_update_app *a = &pk->product->app;
	if (a->defaults_file)
		return ev_xasprintf(" Source: %s [update-app] (line %u), which says these defaults come "
		                    "from: %s; file %s, SHA-256 %s.", pk->product->file_name, a->line,
		                    a->defaults_source, a->defaults_file, pk->defaults_file_sha256);
	return ev_xasprintf(" Source: %s [update-app] (line %u), which says these defaults come "
	                    "from: %s.", pk->product->file_name, a->line, a->defaults_source);
}

static bool app_derived(struct ics_ctx *c, unsigned n)
{
	return derived_only(c, n, "the update app's defaults in [update-app]");
}

/* Y or N from the app's facts; an N needs the Supplier's justification. */
static bool app_status(struct ics_ctx *c, unsigned n, bool y, char *detail, const char *why_n)
{
	set(c, n, y ? EV_STATUS_Y : EV_STATUS_N, detail, "product description [update-app]");
	return app_derived(c, n) && (y || justify(c, n, why_n));
}

static bool p4(struct ics_ctx *c)
{
	const struct ev_update_app *a = &c->prod->app;
	if (!a->present)
		return supplier(c, 4, "whether updates are applied automatically is a product decision.");
	char *src = app_source(c->pk);
	if (a->auto_install == EV_AUTO_NONE) {
		char *d = ev_xasprintf("%s never installs an update by itself: the user starts every "
		                       "installation.%s", a->name, src);
		free(src);
		return app_status(c, 4, false, d, "an update app without automatic install");
	}
	char cd[64] = "";
	if (a->countdown_s)
		snprintf(cd, sizeof(cd), " after a %u s countdown the user can stop", a->countdown_s);
	set(c, 4, EV_STATUS_Y,
	    ev_xasprintf("%s installs %s by itself%s when a device that needs one is connected to "
	                 "the computer it runs on; as shipped this is %s. It is automatic only "
	                 "while the device is connected to that computer: the device has no network "
	                 "interface of its own.%s", a->name, auto_words(a->auto_install), cd,
	                 a->auto_default_on ? "on" : "off", src),
	    "product description [update-app]");
	free(src);
	return app_derived(c, 4);
}

static bool p5(struct ics_ctx *c)
{
	const struct ev_update_app *a = &c->prod->app;
	if (!a->present)
		return supplier(c, 5, "whether the product checks for security updates is a product "
		                      "decision.");
	char *src = app_source(c->pk);
	struct ev_buf when = {0};
	if (a->check_on_connect)
		ev_buf_add(&when, "when a device is connected");
	if (a->check_on_catalog_change)
		ev_buf_printf(&when, "%swhen the catalog changes", when.len ? " and " : "");
	if (a->check_interval_h)
		ev_buf_printf(&when, "%severy %u hours", when.len ? " and " : "", a->check_interval_h);
	bool y = a->check == EV_CHECK_ONLINE && a->check_on_connect && a->check_interval_h > 0;
	char *d;
	if (a->check == EV_CHECK_NONE)
		d = ev_xasprintf("%s does not look for updates; the device cannot (no network "
		                 "interface).%s", a->name, src);
	else if (a->check == EV_CHECK_LOCAL)
		d = ev_xasprintf("%s looks for an applicable update in its local package catalog (a "
		                 "folder) %s. It does not ask the manufacturer whether a new security "
		                 "update exists, and the device cannot check by itself (no network "
		                 "interface, IXIT 7-UpdMech update checking): a security update is "
		                 "found only once its package is in that folder.%s", a->name,
		                 when.len ? when.s : "only when asked", src);
	else
		d = ev_xasprintf("%s asks the manufacturer's server for security updates %s.%s", a->name,
		                 when.len ? when.s : "only when asked", src);
	free(when.s);
	free(src);
	return app_status(c, 5, y, d, "an update check that does not find new security updates "
	                              "after initialisation and periodically");
}

static bool p6(struct ics_ctx *c)
{
	const struct ev_update_app *a = &c->prod->app;
	if (!a->present)
		return supplier(c, 6, "whether automatic updates or notifications are on by default is "
		                      "a product decision.");
	char *src = app_source(c->pk);
	if (a->auto_install == EV_AUTO_NONE && !a->notify) {
		set(c, 6, EV_STATUS_NA, ev_xasprintf("%s%s", a->name, src),
		    "product description [update-app]");
		c->pk->ics[5].justification = ev_xasprintf(
		    "Condition C(9) is not met: %s has neither automatic updates nor update "
		    "notifications.", a->name);
		free(src);
		return app_derived(c, 6);
	}
	bool on = (a->auto_install != EV_AUTO_NONE && a->auto_default_on) ||
	          (a->notify && a->notify_default_on);
	bool y = on && a->can_disable && a->can_postpone;
	char *d = ev_xasprintf(
	    "%s, as shipped, has automatic installation %s and update notifications %s; the user %s "
	    "turn them off and %s postpone an update.%s", a->name,
	    a->auto_install == EV_AUTO_NONE ? "(none)" : a->auto_default_on ? "on" : "off",
	    !a->notify ? "(none)" : a->notify_default_on ? "on" : "off",
	    a->can_disable ? "can" : "cannot", a->can_postpone ? "can" : "cannot", src);
	free(src);
	return app_status(c, 6, y, d, "automatic updates or notifications that are off by default "
	                              "or that the user cannot turn off or postpone");
}

static bool p7(struct ics_ctx *c)
{
	const struct ev_pkgfacts *pkg = c->pkg;
	const struct ev_product *p = c->prod;
	char *signer = ev_hex(pkg->signer, FWS_KEY_ID_LEN);
	const char *storage = p->key_storage ? p->key_storage
	                                     : "not provided ([keys] signing_key_storage)";
	const char *lifecycle = p->key_lifecycle ? p->key_lifecycle
	                                         : "not provided ([keys] key_lifecycle)";
	const char *revocation = p->key_revocation ? p->key_revocation
	                                           : "procedure not provided ([keys] "
	                                             "revocation_procedure)";
	set(c, 7, EV_STATUS_Y,
	    ev_xasprintf(
	        "Algorithms: ECDSA on curve P-256 over SHA-256 for the manifest signature (algorithm "
	        "id %u), SHA-256 for the hash chain (%u-byte blocks, %u blocks) and the whole-image "
	        "digest. Security strength: about 128 bits for P-256 and for SHA-256 collision "
	        "resistance (NIST SP 800-57 Part 1). Key size: 256-bit elliptic-curve keys; key id "
	        "= the first %u bytes of SHA-256 of the uncompressed public key. This release is "
	        "signed by key %s. Where keys live: public keys in the device's trust store (the "
	        "key ids each device reported are in the devices table); the private signing key: "
	        "%.*s. Key lifecycle: %.*s. Revocation: %.*s; a revoked key is marked in the trust store "
	        "and the device refuses what only it signed (FT-12). Libraries: host %s; device: as "
	        "each device reports it (devices table). No home-made cryptographic primitives.",
	        (unsigned)FWS_PKG_SIG_ALG_ES256, (unsigned)pkg->m.block_size,
	        (unsigned)pkg->block_count, (unsigned)FWS_KEY_ID_LEN, signer,
	        ev_nostop(storage), storage, ev_nostop(lifecycle), lifecycle, ev_nostop(revocation),
	        revocation,
	        c->pk->host_crypto),
	    "package signature + protocol constants (fwseal/pkg.h, fwseal/crypto.h) + product "
	    "description [keys] + device-info records");
	free(signer);
	return derived_only(c, 7, DERIVED);
}

static bool p9(struct ics_ctx *c)
{
	set(c, 9, EV_STATUS_Y,
	    ev_xstrdup("The DUT verifies, not the host, as fwseal's device stub is designed "
	               "(docs/device-stub.md): the manifest signature against its own trust store "
	               "before it takes any block, each block against the hash chain before it "
	               "writes it, and the whole image read back from flash before it commits. A "
	               "host (fwseal or any DFU 1.1 host) only delivers bytes. The functional tests "
	               "of this row send what a careful host never would."),
	    "fwseal design (docs/device-stub.md) + functional tests");
	return derived_only(c, 9, DERIVED);
}

static bool p10(struct ics_ctx *c)
{
	/* C(11): only usb-dfu, hid and serial exist, none is a network interface. */
	char *mechs = mech_list(c->prod->interfaces);
	set(c, 10, EV_STATUS_NA, ev_xstrdup(""), "interfaces in the product description");
	c->pk->ics[9].justification = ev_xasprintf(
	    "Condition C(11) is not met: updates reach this device only over %s, which are "
	    "local physical interfaces, not network interfaces.", mechs);
	free(mechs);
	return derived_only(c, 10, DERIVED);
}

static bool p11(struct ics_ctx *c)
{
	const struct ev_pkgfacts *p = c->pkg;
	const char *shown = c->prod->security_notice_shown ? c->prod->security_notice_shown
	                                                    : "not stated";
	struct ev_buf cves = {0};
	for (unsigned i = 0; i < p->m.cve_count; i++)
		ev_buf_printf(&cves, "%s%s", i ? ", " : "", p->cves[i]);
	if (!p->m.security_update) {
		set(c, 11, EV_STATUS_Y,
		    ev_xasprintf("The signed manifest carries a security-update flag, severity, risks "
		                 "mitigated and CVE ids. This release (%s) is not marked as a security "
		                 "update. Where the Supplier says the notice is shown: %s", p->m.version,
		                 shown),
		    "package manifest + product description [user-info]");
	} else if (p->risks[0]) {
		set(c, 11, EV_STATUS_Y,
		    ev_xasprintf("This release (%s) is marked as a security update, severity %s. "
		                 "Risks mitigated (signed manifest): \"%s\" CVE ids: %s. Where the "
		                 "Supplier says the notice is shown: %s",
		                 p->m.version, fws_severity_name(p->m.severity), p->risks,
		                 cves.len ? cves.s : "none", shown),
		    "package manifest + product description [user-info]");
	} else {
		set(c, 11, EV_STATUS_N,
		    ev_xasprintf("This release (%s) is marked as a security update but its manifest "
		                 "names no risks mitigated.", p->m.version),
		    "package manifest");
		free(cves.s);
		return derived_only(c, 11, DERIVED) &&
		       justify(c, 11, "a security update without risks-mitigated text");
	}
	free(cves.s);
	return derived_only(c, 11, DERIVED);
}

static bool p12(struct ics_ctx *c)
{
	const struct ev_pkgfacts *p = c->pkg;
	const char *shown = c->prod->disruption_notice_shown ? c->prod->disruption_notice_shown
	                                                      : "not stated";
	set(c, 12, EV_STATUS_Y,
	    ev_xasprintf("The signed manifest carries a disruption notice for every release. This "
	                 "release: %s, expected downtime %u s. Where the Supplier says the notice "
	                 "is shown: %s", p->m.reboot ? "the device restarts" : "no restart",
	                 (unsigned)p->m.downtime_s, shown),
	    "package manifest + product description [user-info]");
	return derived_only(c, 12, DERIVED);
}

static bool p13(struct ics_ctx *c)
{
	const struct ev_pkgfacts *p = c->pkg;
	char end[32], rel[32], pub[32] = "";
	ev_date(p->m.support_end, end);
	ev_date(p->m.release_date, rel);
	if (c->prod->support_end_published)
		ev_date(c->prod->support_end_published, pub);
	if (p->m.support_end <= p->m.release_date) {
		set(c, 13, EV_STATUS_N,
		    ev_xasprintf("The package's support-period end (%s) is not after its release date "
		                 "(%s).", end, rel),
		    "package manifest");
		return derived_only(c, 13, DERIVED) && justify(c, 13, "a support period that has ended");
	}
	set(c, 13, EV_STATUS_Y,
	    ev_xasprintf("Defined support period: security updates until %s (signed in the manifest "
	                 "of this release, released %s); a device running this release reports it "
	                 "over its update interface (FT-03). Published for users at (Supplier): %.*s. "
	                 "End date the Supplier publishes: %s.%s%s%s", end, rel,
	                 ev_nostop(c->prod->support_period_published),
	                 c->prod->support_period_published, pub[0] ? pub : "not provided",
	                 c->prod->support_period_statement ? " Published statement: \"" : "",
	                 c->prod->support_period_statement ? c->prod->support_period_statement : "",
	                 c->prod->support_period_statement ? "\"" : ""),
	    "package manifest + product description [user-info] + CK-13");
	return derived_only(c, 13, DERIVED);
}

/* 5.3-14 / 5.3-15 concern constrained devices whose software cannot be
 * updated (C(3)). fwseal exists to update this device: not applicable. */
static bool p14_15(struct ics_ctx *c, unsigned n)
{
	set(c, n, EV_STATUS_NA, ev_xstrdup(""), "package manifest + product description components");
	c->pk->ics[n - 1].justification = ev_xasprintf(
	    "Condition C(3) is not met: the device's software is updateable. This release updates "
	    "component '%s' with fwseal signed packages; components without an update mechanism "
	    "are recorded under 5.3-1 and IXIT 6-SoftComp.", c->pkg->m.component);
	return derived_only(c, n, DERIVED);
}

static bool p16(struct ics_ctx *c)
{
	set(c, 16, EV_STATUS_Y,
	    ev_xasprintf("Model designation '%s' is signed into every package and must equal the "
	                 "model the device reports over its update interface (device-info record, "
	                 "`fwseal info`, FT-01); the device refuses a package for another model "
	                 "(FT-08). Published for users at (Supplier): %.*s.", c->pkg->m.model,
	                 ev_nostop(c->prod->model_designation_published),
	                 c->prod->model_designation_published),
	    "package manifest + device-info record + product description [user-info]");
	return derived_only(c, 16, DERIVED);
}

/* 5.3-8: the procedure and time frames of [process] unless the Supplier says
 * otherwise; this release's record comes from CK-08. */
static bool p8(struct ics_ctx *c)
{
	const struct ev_product *p = c->prod;
	if (c->prod->ics[7].present && c->prod->ics[7].status != EV_STATUS_UNSET) {
		const struct ev_ics_input *in = &c->prod->ics[7];
		if (in->status == EV_STATUS_Y && !in->detail)
			return fail(c, 8, "status Y needs a 'detail' saying how it is met. Add it to "
			            "[ics 5.3-8].");
		set(c, 8, in->status, ev_xstrdup(in->detail ? in->detail : ""),
		    "Supplier statement in the product description");
		return in->status == EV_STATUS_Y || justify(c, 8, "the Supplier's status");
	}
	set(c, 8, EV_STATUS_Y,
	    ev_xasprintf("Target time from a confirmed vulnerability to an available security "
	                 "update (Supplier): %u days (critical), %u days (high), %u days (other). "
	                 "Owners: release %s, security %s. Procedure and triage in IXIT 8-UpdProc; "
	                 "this release's record is checked by CK-08.",
	                 (unsigned)p->target_days_critical, (unsigned)p->target_days_high,
	                 (unsigned)p->target_days_other, p->release_owner, p->security_owner),
	    "product description [process] + release description + CK-08");
	return true;
}

/* A Supplier 'detail' on a derived provision is kept, marked as theirs. */
static void supplier_notes(struct ics_ctx *c)
{
	for (unsigned n = 1; n <= EV_PROVISIONS; n++) {
		const struct ev_ics_input *in = &c->prod->ics[n - 1];
		struct ev_ics *i = &c->pk->ics[n - 1];
		if (!in->detail || in->status != EV_STATUS_UNSET)
			continue;
		char *d = ev_xasprintf("%s%sSupplier note: %s", i->detail, i->detail[0] ? " " : "",
		                       in->detail);
		free(i->detail);
		i->detail = d;
	}
}

bool ev_ics_build(struct ev_pack *pk, char *err, size_t cap)
{
	struct ics_ctx c = {pk, pk->product, pk->pkg, err, cap};
	bool ok = p1(&c) && p2(&c) && p3(&c) && p4(&c) && p5(&c) && p6(&c) && p7(&c) && p8(&c) &&
	          p9(&c) && p10(&c) && p11(&c) && p12(&c) && p13(&c) && p14_15(&c, 14) &&
	          p14_15(&c, 15) && p16(&c);
	if (ok)
		supplier_notes(&c);
	return ok;
}

void ev_ics_find(struct ev_pack *pk, unsigned n, enum ev_level level, const char *fmt, ...)
{
	if (n < 1 || n > EV_PROVISIONS)
		return;
	struct ev_ics *i = &pk->ics[n - 1];
	struct ev_buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	ev_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	i->fnd = ev_xrealloc(i->fnd, (i->nfnd + 1) * sizeof(*i->fnd));
	i->fnd[i->nfnd].level = level;
	i->fnd[i->nfnd].text = ev_buf_take(&b);
	i->nfnd++;
}

static bool covers(const struct ev_test *t, unsigned n)
{
	char id[16];
	snprintf(id, sizeof(id), "5.3-%u", n);
	size_t l = strlen(id);
	for (const char *p = strstr(t->provisions, id); p; p = strstr(p + 1, id))
		if ((p == t->provisions || p[-1] == ' ') && (p[l] == '\0' || p[l] == ','))
			return true;
	return false;
}

bool ev_test_covers(const struct ev_test *t, unsigned n)
{
	return covers(t, n);
}

static void append(char **detail, const char *fmt, ...) EV_PRINTF(2, 3);
static void append(char **detail, const char *fmt, ...)
{
	struct ev_buf b = {0};
	ev_buf_add(&b, *detail ? *detail : "");
	va_list ap;
	va_start(ap, fmt);
	ev_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(*detail);
	*detail = ev_buf_take(&b);
}

/* What users were shown (FT-17 over each transport), for 5.3-11 / 5.3-12. */
static void shown(struct ev_pack *pk, unsigned n)
{
	struct ev_ics *row = &pk->ics[n - 1];
	bool any = false;
	for (size_t i = 0; i < pk->ntests; i++) {
		const struct ev_test *t = &pk->tests[i];
		if (strcmp(t->id, "FT-17-notices-shown") != 0 || t->verdict == EV_INCONCLUSIVE)
			continue;
		append(&row->detail, " Shown to the user in this run (%s over %s): %s", t->id,
		       t->transport, t->reason);
		any = true;
	}
	if (!any)
		append(&row->detail, " Shown to the user by fwseal's command line: not demonstrated in "
		       "this run (no device was updated with the fwseal command).");
	append(&row->detail, " The desktop application's update page: not demonstrated in this "
	       "run (the run captures no screen).");
	/* ... and the first page counts the row among those with something not
	 * demonstrated, as the detail says */
	ev_ics_find(pk, n, EV_LEVEL_WARN, "not demonstrated: the desktop application's update "
	            "page (this run captures no screen)");
}

void ev_ics_finish(struct ev_pack *pk)
{
	shown(pk, 11);
	shown(pk, 12);
	/* A row whose test FAILed is flagged; one whose test could not decide
	 * says it was not demonstrated. */
	for (size_t i = 0; i < pk->ntests; i++) {
		const struct ev_test *t = &pk->tests[i];
		for (unsigned n = 1; n <= EV_PROVISIONS; n++) {
			if (!covers(t, n) || t->verdict == EV_PASS)
				continue;
			if (t->verdict == EV_FAIL)
				ev_ics_find(pk, n, EV_LEVEL_FAIL, "%s%s%s FAILED: %s", t->id,
				            t->transport ? " over " : "", t->transport ? t->transport : "",
				            t->reason);
			else
				ev_ics_find(pk, n, EV_LEVEL_WARN, "not demonstrated: %s%s%s INCONCLUSIVE: %s",
				            t->id, t->transport ? " over " : "",
				            t->transport ? t->transport : "", t->reason);
		}
	}
}
