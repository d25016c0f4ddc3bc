/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ics.c - the Implementation Conformance Statement for EN 303 645 5.3-1 ..
 * 5.3-16: support status (Y / N / N/A) and detail per provision.
 *
 * A status is derived from the real configuration wherever it can be (the
 * package manifest, the trust store, the interfaces, the component list);
 * the product description decides only what no file can show (automatic
 * updates 5.3-4..5.3-6, update procedures 5.3-8) and supplies the
 * justification of an N or N/A. EN 303 645 clause 4: every N or N/A needs a
 * recorded justification, so a missing one stops generation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "ev_util.h"
#include "ics.h"

/* Paraphrased from EN 303 645 5.3 (en303645-5.3.md); conditions as in Annex B. */
static const struct ev_provision_info provisions[EV_PROVISIONS] = {
	{"R", "-", "All software components are securely updateable."},
	{"M", "C(12)", "An update mechanism for the secure installation of updates exists."},
	{"M", "C(12)", "Updates are simple for the user to apply."},
	{"R", "C(12)", "Automatic mechanisms are used for software updates."},
	{"R", "C(12)", "The device checks after initialisation, and then periodically, whether "
	               "security updates are available."},
	{"R", "C(9,12)", "Automatic updates and/or update notifications are enabled in the "
	                 "initialised state and the user can enable, disable or postpone them."},
	{"M", "C(12)", "The update mechanism uses best-practice cryptography."},
	{"M", "C(12)", "Security updates are timely."},
	{"R", "C(12)", "The device verifies the authenticity and integrity of software updates."},
	{"M", "C(11)", "Updates delivered over a network interface are verified through a trust "
	               "relationship."},
	{"R", "C(12)", "The user is told, recognisably, that a security update is required, with "
	               "the risks it mitigates."},
	{"R", "C(12)", "The user is notified when an update will disrupt basic functioning."},
	{"M", "-", "The defined support period is published clearly and accessibly."},
	{"R", "C(3)", "For constrained devices that cannot be updated: rationale, replacement "
	              "support and support period are published."},
	{"R", "C(3)", "For constrained devices that cannot be updated: the device is isolable and "
	              "its hardware replaceable."},
	{"M", "-", "The model designation is clearly recognisable (label or physical interface)."},
};

const struct ev_provision_info *ev_provision_info(unsigned n)
{
	return n >= 1 && n <= EV_PROVISIONS ? &provisions[n - 1] : NULL;
}

const char *const ev_lab_only[] = {
	"Verdicts (PASS / FAIL / INCONCLUSIVE) of the TS 103 701 test cases: the functional test "
	"results in this pack are the supplier's own runs, input for the laboratory's test plan.",
	"Whether the ICS statuses are right, in particular that each N/A meets the Annex B "
	"condition it relies on.",
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
static bool derived_only(struct ics_ctx *c, unsigned n)
{
	if (c->prod->ics[n - 1].status != EV_STATUS_UNSET) {
		char msg[256];
		snprintf(msg, sizeof(msg), "the status of this provision is derived from the package, "
		         "trust store and interfaces, not set by hand. Remove 'status' from [ics 5.3-%u].",
		         n);
		return fail(c, n, msg);
	}
	return true;
}

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
	bool ok = true;
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
	return ok && derived_only(c, 1);
}

static bool p2(struct ics_ctx *c)
{
	char *mechs = mech_list(c->prod->interfaces);
	set(c, 2, EV_STATUS_Y,
	    ev_xasprintf("fwseal signed packages, delivered over %s (IXIT 7-UpdMech). The device's "
	                 "update stub verifies the manifest signature against its trust store, "
	                 "checks model, hardware revision, component and anti-rollback counter, "
	                 "verifies every block against the signed hash chain before writing it to "
	                 "the staging slot, reads the whole staged image back and checks its "
	                 "SHA-256, and only then commits through a power-fail-safe journal; the "
	                 "anti-rollback counter advances when the new image is confirmed. Nothing "
	                 "that fails a check becomes bootable.", mechs),
	    "fwseal design (architecture.md) + interfaces in the product description");
	free(mechs);
	return derived_only(c, 2);
}

static bool p3(struct ics_ctx *c)
{
	set(c, 3, EV_STATUS_Y,
	    ev_xasprintf("One command (`fwseal flash --device DEVICE PACKAGE`) or one button in the "
	                 "fwseal desktop application; the user chooses no keys, block sizes or "
	                 "settings, and an interrupted update is resumed by repeating it. User "
	                 "instructions: %s", c->prod->update_instructions),
	    "fwseal design + product description [user-info]");
	return derived_only(c, 3);
}

/* 5.3-4, 5.3-5, 5.3-6, 5.3-8: the Supplier's statement decides. */
static bool supplier(struct ics_ctx *c, unsigned n, const char *missing)
{
	const struct ev_ics_input *in = &c->prod->ics[n - 1];
	if (!in->present || in->status == EV_STATUS_UNSET) {
		char msg[512];
		snprintf(msg, sizeof(msg), "no support status: %s Add [ics 5.3-%u] with 'status = Y' "
		         "and a 'detail', or N / N/A with a 'justification'.", missing, n);
		return fail(c, n, msg);
	}
	if (in->status == EV_STATUS_Y && !in->detail) {
		char msg[256];
		snprintf(msg, sizeof(msg), "status Y needs a 'detail' saying how it is met. Add it to "
		         "[ics 5.3-%u].", n);
		return fail(c, n, msg);
	}
	set(c, n, in->status, ev_xstrdup(in->detail ? in->detail : ""),
	    "Supplier statement in the product description");
	if (in->status != EV_STATUS_Y)
		return justify(c, n, "the Supplier's status");
	return true;
}

static bool p7(struct ics_ctx *c)
{
	const struct ev_pkgfacts *pkg = c->pkg;
	char *signer = ev_hex(pkg->signer, FWS_KEY_ID_LEN);
	set(c, 7, EV_STATUS_Y,
	    ev_xasprintf("Integrity and authenticity are the security guarantees. The manifest is "
	                 "signed with ECDSA P-256 over SHA-256 of header and manifest (signature "
	                 "algorithm id %u); this release is signed by key %s, which is in the "
	                 "device trust store. The payload is bound to the signed manifest by a "
	                 "SHA-256 reverse hash chain (%u-byte blocks, %u blocks) and a whole-image "
	                 "SHA-256. All primitives come from mbedTLS (no home-made cryptography); "
	                 "see IXIT 7-UpdMech for the key ids.",
	                 (unsigned)FWS_PKG_SIG_ALG_ES256, signer, (unsigned)pkg->m.block_size,
	                 (unsigned)pkg->block_count),
	    "package signature + trust store + protocol constants (fwseal/pkg.h, fwseal/crypto.h)");
	free(signer);
	return derived_only(c, 7);
}

static bool p9(struct ics_ctx *c)
{
	set(c, 9, EV_STATUS_Y,
	    ev_xstrdup("The DUT verifies, not the host: the update stub checks the manifest "
	               "signature against its own trust store before accepting any block, each "
	               "block against the hash chain before writing it, and the whole image read "
	               "back from flash before commit. A host (fwseal or any DFU 1.1 host) only "
	               "delivers bytes. See the functional tests for this provision."),
	    "fwseal design (device stub) + functional tests");
	return derived_only(c, 9);
}

static bool p10(struct ics_ctx *c)
{
	/* C(11): only usb-dfu, hid and serial exist, none is a network interface. */
	char *mechs = mech_list(c->prod->interfaces);
	set(c, 10, EV_STATUS_NA, ev_xstrdup(""), "interfaces in the product description");
	c->pk->ics[9].justification = ev_xasprintf(
	    "Condition C(11) does not apply: updates reach this device only over %s, which are "
	    "local physical interfaces, not network interfaces. The same device-side verification "
	    "(5.3-9) would apply to any update path added later.", mechs);
	free(mechs);
	return derived_only(c, 10);
}

static bool p11(struct ics_ctx *c)
{
	const struct ev_pkgfacts *p = c->pkg;
	const char *shown = c->prod->security_notice_shown ? c->prod->security_notice_shown
	                    : "the fwseal CLI and desktop application before installation";
	struct ev_buf cves = {0};
	for (unsigned i = 0; i < p->m.cve_count; i++)
		ev_buf_printf(&cves, "%s%s", i ? ", " : "", p->cves[i]);
	if (!p->m.security_update) {
		set(c, 11, EV_STATUS_Y,
		    ev_xasprintf("The signed manifest carries a security-update flag, severity, risks "
		                 "mitigated and CVE ids. This release (%s) is not marked as a security "
		                 "update. Where the notice is shown: %s", p->m.version, shown),
		    "package manifest");
	} else if (p->risks[0]) {
		set(c, 11, EV_STATUS_Y,
		    ev_xasprintf("This release (%s) is marked as a security update, severity %s. "
		                 "Risks mitigated (signed manifest): \"%s\" CVE ids: %s. Where the "
		                 "notice is shown: %s",
		                 p->m.version, fws_severity_name(p->m.severity), p->risks,
		                 cves.len ? cves.s : "none", shown),
		    "package manifest");
	} else {
		set(c, 11, EV_STATUS_N,
		    ev_xasprintf("This release (%s) is marked as a security update but its manifest "
		                 "names no risks mitigated.", p->m.version),
		    "package manifest");
		free(cves.s);
		return derived_only(c, 11) &&
		       justify(c, 11, "a security update without risks-mitigated text");
	}
	free(cves.s);
	return derived_only(c, 11);
}

static bool p12(struct ics_ctx *c)
{
	const struct ev_pkgfacts *p = c->pkg;
	const char *shown = c->prod->disruption_notice_shown ? c->prod->disruption_notice_shown
	                    : "the fwseal CLI and desktop application before installation";
	set(c, 12, EV_STATUS_Y,
	    ev_xasprintf("The signed manifest carries a disruption notice for every release. This "
	                 "release: %s, expected downtime %u s. Where the notice is shown: %s",
	                 p->m.reboot ? "the device reboots" : "no reboot",
	                 (unsigned)p->m.downtime_s, shown),
	    "package manifest");
	return derived_only(c, 12);
}

static bool p13(struct ics_ctx *c)
{
	const struct ev_pkgfacts *p = c->pkg;
	char end[32], rel[32];
	ev_date(p->m.support_end, end);
	ev_date(p->m.release_date, rel);
	if (p->m.support_end <= p->m.release_date) {
		set(c, 13, EV_STATUS_N,
		    ev_xasprintf("The package's support-period end (%s) is not after its release date "
		                 "(%s).", end, rel),
		    "package manifest");
		return derived_only(c, 13) && justify(c, 13, "a support period that has ended");
	}
	set(c, 13, EV_STATUS_Y,
	    ev_xasprintf("Defined support period: security updates until %s (signed in the manifest "
	                 "of this release, released %s); the device reports the support-period end "
	                 "of its running firmware over its update interface. Published for users "
	                 "at: %s%s%s", end, rel, c->prod->support_period_published,
	                 c->prod->support_period_statement ? " Published statement: " : "",
	                 c->prod->support_period_statement ? c->prod->support_period_statement : ""),
	    "package manifest + product description [user-info]");
	return derived_only(c, 13);
}

/* 5.3-14 / 5.3-15: only for components that cannot be updated (C(3)). */
static bool p14_15(struct ics_ctx *c, unsigned n)
{
	const struct ev_product *p = c->prod;
	struct ev_buf d = {0};
	bool any = false, all = true;
	for (size_t i = 0; i < p->ncomp; i++) {
		const struct ev_component *k = &p->comp[i];
		if (k->updateable)
			continue;
		any = true;
		const char *v = n == 14 ? k->replacement : k->isolation;
		if (!v)
			all = false;
		else
			ev_buf_printf(&d, "%s%s: %s", d.len ? " " : "", k->name, v);
	}
	if (!any) {
		set(c, n, EV_STATUS_NA, ev_xstrdup(""), "product description components");
		c->pk->ics[n - 1].justification = ev_xstrdup(
		    "Condition C(3) does not apply: every software component in the product "
		    "description is updateable by fwseal signed packages (IXIT 6-SoftComp).");
		free(d.s);
		return derived_only(c, n);
	}
	if (all) {
		set(c, n, EV_STATUS_Y, ev_buf_take(&d), "product description components");
		return derived_only(c, n);
	}
	set(c, n, EV_STATUS_N, ev_buf_take(&d), "product description components");
	return derived_only(c, n) &&
	       justify(c, n, n == 14 ? "a non-updateable component without 'replacement_support'"
	                             : "a non-updateable component without 'isolation'");
}

static bool p16(struct ics_ctx *c)
{
	set(c, 16, EV_STATUS_Y,
	    ev_xasprintf("Model designation '%s' is signed into every package and must equal the "
	                 "model the device reports over its update interface (device-info record, "
	                 "`fwseal info`); the device refuses a package for another model. Published "
	                 "for users at: %s", c->pkg->m.model, c->prod->model_designation_published),
	    "package manifest + device-info record + product description [user-info]");
	return derived_only(c, 16);
}

/* 5.3-8: the procedure and time frames of [process] unless the Supplier says otherwise. */
static bool p8(struct ics_ctx *c)
{
	const struct ev_product *p = c->prod;
	if (c->prod->ics[7].present && c->prod->ics[7].status != EV_STATUS_UNSET)
		return supplier(c, 8, "");
	set(c, 8, EV_STATUS_Y,
	    ev_xasprintf("Target time from a confirmed vulnerability to an available security "
	                 "update: %u days (critical), %u days (high), %u days (other). Owners: "
	                 "release %s, security %s. Procedure and triage in IXIT 8-UpdProc; this "
	                 "release's date and severity are signed in its manifest.",
	                 (unsigned)p->target_days_critical, (unsigned)p->target_days_high,
	                 (unsigned)p->target_days_other, p->release_owner, p->security_owner),
	    "product description [process] + package manifest");
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
	bool ok = p1(&c) && p2(&c) && p3(&c) &&
	       supplier(&c, 4, "whether updates are applied automatically is a product decision.") &&
	       supplier(&c, 5, "whether the product checks for security updates is a product "
	                       "decision.") &&
	       supplier(&c, 6, "whether automatic updates or notifications are on by default is a "
	                       "product decision.") &&
	       p7(&c) &&
	       p8(&c) &&
	       p9(&c) && p10(&c) && p11(&c) && p12(&c) && p13(&c) && p14_15(&c, 14) &&
	       p14_15(&c, 15) && p16(&c);
	if (ok)
		supplier_notes(&c);
	return ok;
}
