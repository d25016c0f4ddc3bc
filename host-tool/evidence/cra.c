/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cra.c - supplementary input: the facts this pack already has, mapped to
 * the update-related essential requirements of the EU Cyber Resilience Act
 * (Regulation (EU) 2024/2847, Annex I) and its user information (Annex II).
 * Requirements are paraphrased; every fact names its source; what the pack
 * does not know is "not provided". This is not a conformity assessment, and
 * the pack says so above the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "ev_util.h"
#include "ics.h"

/* "FT-04-tampered-block: PASS (serial), PASS (usb-dfu)" for each id in ids. */
static void verdicts(const struct ev_pack *pk, const char *const *ids, struct ev_buf *b)
{
	for (const char *const *id = ids; *id; id++) {
		bool first = true;
		for (size_t i = 0; i < pk->ntests; i++) {
			const struct ev_test *t = &pk->tests[i];
			if (strcmp(t->id, *id) != 0)
				continue;
			if (first)
				ev_buf_printf(b, "%s%s:", b->len ? "; " : "", t->id);
			ev_buf_printf(b, "%s %s", first ? "" : ",", ev_verdict_name(t->verdict));
			if (t->transport)
				ev_buf_printf(b, " (%s)", t->transport);
			first = false;
		}
		if (first)
			ev_buf_printf(b, "%s%s: not run", b->len ? "; " : "", *id);
	}
}

static void row(struct ev_pack *pk, const char *ref, const char *topic, char *facts)
{
	pk->cra = ev_xrealloc(pk->cra, (pk->ncra + 1) * sizeof(*pk->cra));
	pk->cra[pk->ncra].ref = ref;
	pk->cra[pk->ncra].topic = topic;
	pk->cra[pk->ncra].facts = facts;
	pk->ncra++;
}

static char *app_facts(const struct ev_pack *pk, bool opt_out_only)
{
	const struct ev_update_app *a = &pk->product->app;
	if (!a->present)
		return ev_xstrdup("Not provided: the product description has no [update-app] "
		                  "section.");
	if (opt_out_only)
		return ev_xasprintf("%s: the user %s turn automatic installation off and %s postpone "
		                    "an update (%s [update-app], defaults from %s).", a->name,
		                    a->can_disable ? "can" : "cannot", a->can_postpone ? "can" : "cannot",
		                    pk->product->file_name, a->defaults_source);
	return ev_xasprintf("%s installs %s automatically (%s as shipped%s); notifications %s; "
	                    "the user %s turn them off and %s postpone (%s [update-app], defaults "
	                    "from %s). See ICS 5.3-4 and 5.3-6.", a->name,
	                    a->auto_install == EV_AUTO_NONE ? "nothing"
	                    : a->auto_install == EV_AUTO_SECURITY ? "security updates"
	                                                          : "every update",
	                    a->auto_default_on ? "on" : "off",
	                    a->countdown_s ? ", with a countdown before installing" : "",
	                    !a->notify ? "none" : a->notify_default_on ? "on" : "off",
	                    a->can_disable ? "can" : "cannot", a->can_postpone ? "can" : "cannot",
	                    pk->product->file_name, a->defaults_source);
}

void ev_cra_build(struct ev_pack *pk)
{
	const struct ev_pkgfacts *g = pk->pkg;
	const struct ev_product *p = pk->product;
	const struct ev_release *r = pk->release;
	struct ev_buf b = {0};

	row(pk, "Annex I, Part I, (2)(c)",
	    "Vulnerabilities can be addressed by security updates, where applicable automatic ones, "
	    "on by default with a clear opt-out, with notification of available updates and the "
	    "option to postpone them.",
	    app_facts(pk, false));

	static const char *const integrity[] = {"FT-04-tampered-block", "FT-05-bad-signature",
	                                        "FT-06-wrong-key", "FT-12-revoked-key",
	                                        "FT-15-truncated-package", NULL};
	verdicts(pk, integrity, &b);
	row(pk, "Annex I, Part I, (2)(f)",
	    "The integrity of programs is protected against manipulation, and corruption is "
	    "reported.",
	    ev_xasprintf("The device refuses altered, wrongly signed and incomplete packages: %s.",
	                 b.s));
	free(b.s);
	b = (struct ev_buf){0};

	if (g->m.sbom_sha256.len == FWS_SHA256_LEN) {
		char *h = ev_hex(g->data + g->m.sbom_sha256.off, FWS_SHA256_LEN);
		ev_buf_printf(&b, "The release signs the SHA-256 of its SBOM: %s.", h);
		free(h);
		if (r && r->sbom_file && r->sbom_read) {
			bool same = !memcmp(r->sbom_sha256, g->data + g->m.sbom_sha256.off, FWS_SHA256_LEN);
			ev_buf_printf(&b, " The SBOM file the release description names (%s, %s) %s.",
			              r->sbom_file, r->sbom_format ? r->sbom_format : "format unknown",
			              same ? "has that SHA-256" : "does NOT have that SHA-256: it changed "
			                                          "after the release was packed");
		} else {
			ev_buf_add(&b, " The SBOM file itself was not read in this run (give --release).");
		}
	} else {
		ev_buf_add(&b, "Not provided: the release names no SBOM (release description 'sbom').");
	}
	row(pk, "Annex I, Part II, (1)",
	    "Vulnerabilities and components are identified and documented, including a software "
	    "bill of materials (SBOM).", ev_buf_take(&b));

	static const char *const timely[] = {"CK-08-timeliness", NULL};
	ev_buf_printf(&b, "This release is %s (signed flag%s%s).",
	              g->m.security_update ? "a security update" : "not marked as a security update",
	              g->m.security_update ? ", severity " : "",
	              g->m.security_update ? fws_severity_name(g->m.severity) : "");
	if (g->m.security_update) {
		struct ev_buf v = {0};
		verdicts(pk, timely, &v);
		ev_buf_printf(&b, " Timeliness: %s.", v.s);
		free(v.s);
	}
	ev_buf_add(&b, " Whether it also carries functional changes is not stated by the package.");
	row(pk, "Annex I, Part II, (2)",
	    "Vulnerabilities are remedied without delay by security updates; where technically "
	    "feasible, security updates are provided separately from functionality updates.",
	    ev_buf_take(&b));

	static const char *const secure[] = {"FT-02-authentic-update", "FT-07-downgrade",
	                                     "FT-10-cable-pull", "FT-11-power-cut", NULL};
	verdicts(pk, secure, &b);
	row(pk, "Annex I, Part II, (7)",
	    "Mechanisms to distribute updates securely.",
	    ev_xasprintf("Signed packages the device verifies itself (ICS 5.3-2, 5.3-7, 5.3-9): %s.",
	                 b.s));
	free(b.s);
	b = (struct ev_buf){0};

	static const char *const shown[] = {"FT-09-notices-in-package", "FT-17-notices-shown", NULL};
	verdicts(pk, shown, &b);
	row(pk, "Annex I, Part II, (8)",
	    "Security updates are disseminated without delay, free of charge unless agreed "
	    "otherwise, with advisory messages telling users what they need to do.",
	    ev_xasprintf("Advisory: the signed security notice and what fwseal shows before "
	                 "installing: %s. Whether updates are free of charge: not provided.", b.s));
	free(b.s);
	b = (struct ev_buf){0};

	char end[32], pub[32] = "not provided";
	static const char *const period[] = {"CK-13-support-period", NULL};
	ev_date(g->m.support_end, end);
	if (p->support_end_published)
		ev_date(p->support_end_published, pub);
	verdicts(pk, period, &b);
	row(pk, "Annex II, (7)",
	    "The type of security support and the end date of the support period are given to "
	    "users.",
	    ev_xasprintf("Support-period end signed into the release: %s; the end date the Supplier "
	                 "publishes: %s; published at: %.*s; %s. The type of support: not provided.",
	                 end, pub, ev_nostop(p->support_period_published),
	                 p->support_period_published, b.s));
	free(b.s);
	b = (struct ev_buf){0};

	row(pk, "Annex II, (8)(c)", "How security-relevant updates are installed.",
	    ev_xasprintf("User instructions (%s [user-info]): %s", p->file_name,
	                 p->update_instructions));
	row(pk, "Annex II, (8)(e)",
	    "How the default automatic installation of security updates can be turned off.",
	    app_facts(pk, true));
	row(pk, "Annex II, (9)", "Where users can access the SBOM, if it is made available to them.",
	    p->sbom_published_at ? ev_xasprintf("%s (%s [user-info])", p->sbom_published_at,
	                                        p->file_name)
	                         : ev_xstrdup("Not provided ([user-info] sbom_published_at)."));
}
