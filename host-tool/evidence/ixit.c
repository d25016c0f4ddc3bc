/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ixit.c - the DUT record and IXIT 2-UserInfo, 6-SoftComp, 7-UpdMech,
 * 8-UpdProc, filled from the product description, the verified package, the
 * trust store and the protocol constants (TS 103 701 terms; see
 * en303645-5.3.md "TS 103 701 terms").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "ev_util.h"
#include "ics.h"

static struct ev_entry *add_entry(struct ev_ixit *x, char *id, char *title)
{
	x->e = ev_xrealloc(x->e, (x->ne + 1) * sizeof(*x->e));
	struct ev_entry *e = &x->e[x->ne++];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->title = title;
	return e;
}

static char *mech_ids(uint32_t bits)
{
	struct ev_buf b = {0};
	for (unsigned m = 0; m < EV_MECH_COUNT; m++)
		if (bits & (1u << m))
			ev_buf_printf(&b, "%s%s", b.len ? ", " : "", ev_mech_get((enum ev_mech)m)->id);
	return ev_buf_take(&b);
}

void ev_dut_build(struct ev_pack *pk)
{
	const struct ev_product *p = pk->product;
	const struct ev_pkgfacts *g = pk->pkg;
	const struct ev_release *r = pk->release;
	struct ev_entry *e = &pk->dut;
	char rel[32], *hex;
	e->id = ev_xstrdup("DUT");
	e->title = ev_xstrdup("Device under test and evidence boundary");
	ev_entry_text(e, "edition", "Edition followed", pk->edition->en);
	ev_entry_text(e, "assessment_method", "Assessment method", pk->edition->ts);
	ev_entry_textf(e, "edition_source", "Edition named by", "%s", pk->edition_source);
	ev_entry_text(e, "manufacturer", "Manufacturer", p->manufacturer);
	if (p->product_name)
		ev_entry_text(e, "product_name", "Product name", p->product_name);
	ev_entry_text(e, "model", "Model designation", g->m.model);
	ev_entry_num(e, "hardware_revision", "Hardware revision (product description)", p->hw_rev);
	ev_entry_textf(e, "hardware_revision_range", "Hardware revisions the package accepts",
	               "%u..%u", (unsigned)g->m.hw_rev_min, (unsigned)g->m.hw_rev_max);
	ev_entry_text(e, "firmware_version", "Firmware version (release)", g->m.version);
	ev_entry_text(e, "component", "Component", g->m.component);
	ev_entry_num(e, "security_counter", "Security counter (anti-rollback)", g->m.security_counter);
	ev_date(g->m.release_date, rel);
	ev_entry_text(e, "release_date", "Release date (signed)", rel);
	ev_entry_textf(e, "usb_ids", "USB vendor:product id", "%04x:%04x",
	               (unsigned)g->m.vendor_id, (unsigned)g->m.class_id);
	ev_entry_text(e, "package_file", "Package file", g->file_name);
	hex = ev_hex(g->sha256, FWS_SHA256_LEN);
	ev_entry_text(e, "package_sha256", "Package digest (SHA-256 of the file)", hex);
	free(hex);
	ev_entry_num(e, "package_size", "Package size (bytes)", (int64_t)g->len);
	hex = ev_hex(g->m.image_sha256, FWS_SHA256_LEN);
	ev_entry_text(e, "image_sha256", "Firmware image SHA-256 (signed)", hex);
	free(hex);
	if (g->m.sbom_sha256.len == FWS_SHA256_LEN) {
		hex = ev_hex(g->data + g->m.sbom_sha256.off, FWS_SHA256_LEN);
		ev_entry_text(e, "sbom_sha256", "SBOM SHA-256 (signed)", hex);
		free(hex);
	} else {
		ev_entry_text(e, "sbom_sha256", "SBOM SHA-256 (signed)", "none: the release names no SBOM");
	}
	ev_entry_text(e, "trust_store_file", "Trust store file", pk->trust->file_name);
	hex = ev_hex(pk->trust->sha256, FWS_SHA256_LEN);
	ev_entry_text(e, "trust_store_sha256", "Trust store digest", hex);
	free(hex);
	if (r && r->file_name) {
		hex = ev_hex(r->sha256, FWS_SHA256_LEN);
		ev_entry_textf(e, "release_description", "Release description", "%s, SHA-256 %s",
		               r->file_name, hex);
		free(hex);
	} else {
		ev_entry_text(e, "release_description", "Release description", "not given");
	}
	char *ids = mech_ids(p->interfaces);
	ev_entry_text(e, "update_mechanisms", "Update mechanisms in scope (IXIT 7-UpdMech)", ids);
	free(ids);
	hex = ev_hex(p->sha256, FWS_SHA256_LEN);
	ev_entry_textf(e, "product_description", "Product description", "%s, SHA-256 %s",
	               p->file_name, hex);
	free(hex);
	struct ev_buf devs = {0};
	unsigned sims = 0;
	for (size_t i = 0; i < pk->ndevices; i++) {
		const struct ev_device *d = &pk->devices[i];
		ev_buf_printf(&devs, "%s%s over %s: %s", i ? "; " : "", d->device, d->transport,
		              !d->answered ? "did not answer"
		              : d->simulator ? "a SIMULATED device (it reports itself as a simulation)"
		                             : "a device that does not report itself as a simulation");
		sims += d->simulator;
	}
	ev_entry_text(e, "devices_examined", "Devices the functional tests examined",
	              devs.len ? devs.s : "none: no functional tests against a device");
	free(devs.s);
	if (sims)
		ev_entry_text(e, "simulated", "Simulated device",
		              "The functional tests ran, at least in part, against a simulated device "
		              "(fwseal-sim), not the product's hardware: they show how fwseal's update "
		              "stub behaves, not how the product's own hardware and firmware port do.");
	ev_entry_text(e, "lab_test_key_id", "Lab test key id (re-signed test packages)",
	              pk->test_key_id ? pk->test_key_id : "none given");
	ev_entry_text(e, "revoked_test_key_id", "Revoked test key id",
	              pk->revoked_key_id ? pk->revoked_key_id : "none given");
	ev_entry_text(e, "host_crypto_library", "Host crypto library", pk->host_crypto);
	ev_entry_text(e, "generator", "Generated by", pk->tool_version);
	ev_entry_text(e, "role",
	              "Role of this pack",
	              "Supplier Organization input (DUT identification, ICS, IXIT, Supplier checks "
	              "and test runs) for a Test Laboratory under ETSI TS 103 701. It is not a "
	              "conformance claim and assigns no assessment verdict. It is valid only for the "
	              "package digest above.");
}

static void user_info(struct ev_pack *pk, struct ev_ixit *x)
{
	const struct ev_product *p = pk->product;
	const struct ev_pkgfacts *g = pk->pkg;
	char end[32];
	ev_date(g->m.support_end, end);
	struct ev_entry *e = add_entry(x, ev_xstrdup("UI-1"), ev_xstrdup("Defined support period"));
	ev_entry_text(e, "support_period_end", "Support period end (signed manifest)", end);
	ev_entry_text(e, "published_at", "Published for users at", p->support_period_published);
	if (p->support_period_statement)
		ev_entry_text(e, "statement", "Published statement", p->support_period_statement);
	ev_entry_text(e, "device_reports", "Readable from the device",
	              "Device-info record field support-period end (tag 0x0009), `fwseal info`.");

	e = add_entry(x, ev_xstrdup("UI-2"), ev_xstrdup("Model designation"));
	ev_entry_text(e, "model", "Model designation", g->m.model);
	ev_entry_text(e, "published_at", "Published for users at", p->model_designation_published);
	ev_entry_text(e, "device_reports", "Readable from the device",
	              "Device-info record field model (tag 0x0003) over every update interface, "
	              "`fwseal info`; packages are bound to it.");

	e = add_entry(x, ev_xstrdup("UI-3"), ev_xstrdup("Applying updates"));
	ev_entry_text(e, "instructions", "User instructions", p->update_instructions);
	if (p->security_notice_shown)
		ev_entry_text(e, "security_notice", "Security notice shown in", p->security_notice_shown);
	if (p->disruption_notice_shown)
		ev_entry_text(e, "disruption_notice", "Disruption notice shown in",
		              p->disruption_notice_shown);
}

static void soft_comp(struct ev_pack *pk, struct ev_ixit *x)
{
	const struct ev_product *p = pk->product;
	for (size_t i = 0; i < p->ncomp; i++) {
		const struct ev_component *k = &p->comp[i];
		struct ev_entry *e = add_entry(x, ev_xasprintf("SC-%s", k->name),
		                               ev_xstrdup(k->description));
		ev_entry_text(e, "component_id", "Component id", k->name);
		if (k->updateable) {
			char *ids = mech_ids(p->interfaces);
			ev_entry_text(e, "update_mechanism", "Update mechanism", ids);
			free(ids);
		} else {
			ev_entry_text(e, "update_mechanism", "Update mechanism", "none");
			ev_entry_text(e, "justification", "Why it is not updateable", k->justification);
			if (k->replacement)
				ev_entry_text(e, "replacement_support", "Replacement support", k->replacement);
			if (k->isolation)
				ev_entry_text(e, "isolation", "Isolation", k->isolation);
		}
		bool in_release = !strcmp(k->name, pk->pkg->m.component);
		ev_entry_text(e, "in_this_release", "Updated by this release",
		              in_release ? pk->pkg->m.version : "no");
	}
}

static char *trust_keys(const struct ev_pack *pk)
{
	struct ev_buf b = {0};
	const fws_trust *t = &pk->trust->trust;
	for (unsigned i = 0; i < t->count; i++) {
		char *id = ev_hex(t->keys[i].id, FWS_KEY_ID_LEN);
		ev_buf_printf(&b, "%s%s%s", i ? ", " : "", id,
		              (t->keys[i].flags & FWS_TRUST_REVOKED) ? " (revoked)" : "");
		free(id);
	}
	return ev_buf_take(&b);
}

static char *crypto_details(const struct ev_pack *pk)
{
	const struct ev_pkgfacts *g = pk->pkg;
	char *keys = trust_keys(pk);
	char *signer = ev_hex(g->signer, FWS_KEY_ID_LEN);
	char *head = ev_hex(g->m.chain_head, FWS_SHA256_LEN);
	struct ev_buf sigs = {0};
	for (unsigned i = 0; i < g->sig_count; i++) {
		char *id = ev_hex(g->sig_key_ids[i], FWS_KEY_ID_LEN);
		ev_buf_printf(&sigs, "%s%s", i ? ", " : "", id);
		free(id);
	}
	struct ev_buf dev = {0};
	for (size_t i = 0; i < pk->ndevices; i++) {
		const struct ev_device *d = &pk->devices[i];
		if (!d->answered)
			continue;
		ev_buf_printf(&dev, "%s%s (serial %s) reports key ids %s and crypto library %s",
		              dev.len ? "; " : "", d->device, d->serial, d->keys,
		              d->crypto_lib ? d->crypto_lib : "not reported");
	}
	char *s = ev_xasprintf(
	    "Signature: ECDSA on curve P-256 (secp256r1) over SHA-256 of header and manifest, "
	    "raw r||s (%u bytes), signature algorithm id %u; up to %u signatures per package for "
	    "key rotation. Key id: first %u bytes of SHA-256 of the uncompressed public key. "
	    "Signatures in this package: %s; verified by trusted key %s. Trust store file %s (%u "
	    "key(s)): %s. What the devices report: %s (FT-16 compares them with the file). Payload: "
	    "SHA-256 reverse hash chain, block size %u bytes, %u blocks, chain head %s (signed); "
	    "whole-image SHA-256 checked again from flash before commit. Host library: %s.",
	    (unsigned)FWS_ECDSA_SIG_LEN, (unsigned)FWS_PKG_SIG_ALG_ES256, (unsigned)FWS_PKG_SIG_MAX,
	    (unsigned)FWS_KEY_ID_LEN, sigs.s ? sigs.s : "", signer, pk->trust->file_name,
	    (unsigned)pk->trust->trust.count, keys,
	    dev.len ? dev.s : "no device was examined in this run", (unsigned)g->m.block_size,
	    (unsigned)g->block_count, head, pk->host_crypto);
	free(dev.s);
	free(keys);
	free(signer);
	free(head);
	free(sigs.s);
	return s;
}

static const char security_guarantees[] =
    "Authenticity and integrity of the firmware, verified by the device itself, as fwseal's "
    "device stub is designed (docs/device-stub.md): a package is accepted only if a trusted, "
    "unrevoked key signed its manifest; every block is checked against the signed hash chain "
    "before it is written; the staged image is read back and checked before it is committed; "
    "the model, hardware revision and component must match the device; the security counter "
    "must not be lower than the device's (anti-rollback); the commit is one journal record, "
    "designed so that a power cut at any moment leaves the previous image bootable. "
    "Confidentiality of the firmware is not a guarantee.";

/* What this run showed of the power-cut design, per interface. */
static char *power_cut_shown(const struct ev_pack *pk, const char *transport)
{
	for (size_t i = 0; i < pk->ntests; i++) {
		const struct ev_test *t = &pk->tests[i];
		if (!strcmp(t->id, "FT-11-power-cut") && t->transport && !strcmp(t->transport, transport))
			return ev_xasprintf("FT-11 over this interface: %s: %s",
			                    ev_verdict_name(t->verdict), t->reason);
	}
	return ev_xstrdup("no power cut was made over this interface in this run");
}

static void upd_mech(struct ev_pack *pk, struct ev_ixit *x)
{
	uint32_t built = ev_mech_built();
	char *crypto = crypto_details(pk);
	for (unsigned m = 0; m < EV_MECH_COUNT; m++) {
		if (!(built & (1u << m)))
			continue;
		const struct ev_mech_info *mi = ev_mech_get((enum ev_mech)m);
		struct ev_entry *e = add_entry(x, ev_xstrdup(mi->id), ev_xstrdup(mi->name));
		ev_entry_text(e, "in_scope", "Exposed by this DUT",
		              (pk->product->interfaces & (1u << m)) ? "yes" : "no (built into fwseal, "
		              "not exposed by this product)");
		ev_entry_text(e, "description", "Description", mi->description);
		ev_entry_text(e, "security_guarantees", "Security guarantees", security_guarantees);
		char *pc = power_cut_shown(pk, mi->key);
		ev_entry_text(e, "power_cut_demonstrated", "Power cut in this run", pc);
		free(pc);
		ev_entry_text(e, "cryptographic_details", "Cryptographic details", crypto);
		ev_entry_text(e, "transport_integrity", "Link integrity (not a security guarantee)",
		              mi->transport_integrity);
		ev_entry_text(e, "initiation_and_interaction", "Initiation and interaction",
		              mi->initiation);
		ev_entry_text(e, "configuration", "Configuration", mi->configuration);
		ev_entry_text(e, "update_checking", "Update checking", mi->update_checking);
		ev_entry_text(e, "user_notification", "User notification", mi->user_notification);
		ev_entry_textf(e, "source", "Source", "fwseal's design as %s describe it; what this run "
		               "demonstrated over this interface is in the tests that name it",
		               mi->documented_in);
	}
	free(crypto);
}

static void upd_proc(struct ev_pack *pk, struct ev_ixit *x)
{
	const struct ev_product *p = pk->product;
	const struct ev_pkgfacts *g = pk->pkg;
	struct ev_entry *e = add_entry(x, ev_xstrdup("UP-1"),
	                               ev_xstrdup("Security update procedure"));
	ev_entry_text(e, "release_owner", "Release owner", p->release_owner);
	ev_entry_text(e, "security_owner", "Security owner", p->security_owner);
	ev_entry_text(e, "vulnerability_intake", "Vulnerability reports", p->vulnerability_intake);
	ev_entry_text(e, "triage", "Triage", p->triage);
	ev_entry_text(e, "procedure", "Procedure", p->procedure);
	ev_entry_num(e, "target_days_critical", "Target time frame, critical (days)",
	             p->target_days_critical);
	ev_entry_num(e, "target_days_high", "Target time frame, high (days)", p->target_days_high);
	ev_entry_num(e, "target_days_other", "Target time frame, other (days)", p->target_days_other);
	if (p->infrastructure)
		ev_entry_text(e, "infrastructure", "Infrastructure in place (IXIT 4-Conf)",
		              p->infrastructure);

	char rel[32];
	ev_date(g->m.release_date, rel);
	e = add_entry(x, ev_xstrdup("UP-2"), ev_xasprintf("This release: %s", g->m.version));
	ev_entry_text(e, "version", "Firmware version", g->m.version);
	ev_entry_text(e, "release_date", "Release date (signed)", rel);
	ev_entry_text(e, "security_update", "Security update", g->m.security_update ? "yes" : "no");
	ev_entry_text(e, "severity", "Severity", fws_severity_name(g->m.severity));
	struct ev_buf cves = {0};
	for (unsigned i = 0; i < g->m.cve_count; i++)
		ev_buf_printf(&cves, "%s%s", i ? ", " : "", g->cves[i]);
	ev_entry_text(e, "cves", "CVE ids", cves.len ? cves.s : "none");
	free(cves.s);
	ev_entry_text(e, "risks", "Risks mitigated", g->risks[0] ? g->risks : "none stated");
	ev_entry_text(e, "disruption", "Disruption",
	              g->m.reboot ? "reboot" : "no reboot");
	ev_entry_num(e, "downtime_s", "Expected downtime (s)", g->m.downtime_s);
	const struct ev_release *r = pk->release;
	char d1[32];
	if (r && r->vuln_confirmed) {
		ev_date(r->vuln_confirmed, d1);
		ev_entry_text(e, "vulnerability_confirmed", "Vulnerability confirmed (release "
		              "description)", d1);
	} else {
		ev_entry_text(e, "vulnerability_confirmed", "Vulnerability confirmed (release "
		              "description)", "not provided");
	}
	if (r && r->fix_available) {
		ev_date(r->fix_available, d1);
		ev_entry_text(e, "fix_available", "Fix available (release description)", d1);
	} else {
		ev_entry_text(e, "fix_available", "Fix available (release description)", "not provided");
	}
	ev_entry_text(e, "published", "Published (signed release date)", rel);
}

void ev_ixit_build(struct ev_pack *pk)
{
	static const struct { const char *id, *title; } names[EV_IXIT_COUNT] = {
		{"2-UserInfo", "User information"},
		{"6-SoftComp", "Software components"},
		{"7-UpdMech", "Update mechanisms"},
		{"8-UpdProc", "Update procedures"},
	};
	for (unsigned i = 0; i < EV_IXIT_COUNT; i++) {
		pk->ixit[i].id = names[i].id;
		pk->ixit[i].title = names[i].title;
	}
	user_info(pk, &pk->ixit[0]);
	soft_comp(pk, &pk->ixit[1]);
	upd_mech(pk, &pk->ixit[2]);
	upd_proc(pk, &pk->ixit[3]);
}
