/* SPDX-License-Identifier: Apache-2.0 */
/*
 * render_md.c - evidence.md: the same pack as evidence.json, for people
 * (Supplier and Test Laboratory). The first page says what was assessed
 * against which edition, with which devices (simulated or not), and what
 * this run found; then TS 103 701's order: DUT, ICS, conceptual input,
 * IXIT, checks and functional tests, and the CRA table (supplementary).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "ev_util.h"
#include "render.h"

const char ev_role_text[] =
    "Supplier Organization input for a Test Laboratory (ETSI TS 103 701): DUT identification, "
    "ICS, IXIT and the Supplier's own checks and functional test runs. This pack does not "
    "claim conformance with ETSI EN 303 645 and assigns no assessment verdict; it is valid only "
    "for the package digest it names. Each statement says where it comes from: this run's "
    "measurements and logs, or a file whose SHA-256 the pack records.";

const char ev_cra_statement[] =
    "Supplementary input only: the facts this pack already has, mapped to the update-related "
    "requirements of the EU Cyber Resilience Act (Regulation (EU) 2024/2847, Annex I and "
    "Annex II), paraphrased. This is not a conformity assessment under the CRA and claims no "
    "conformity with it.";

const char *ev_kind_name(enum ev_test_kind k)
{
	switch (k) {
	case EV_KIND_DEVICE: return "functional";
	case EV_KIND_PACKAGE: return "functional (package)";
	case EV_KIND_DOCUMENT: return "conceptual";
	}
	return "functional";
}

char *ev_test_log_path(const struct ev_test *t)
{
	return t->transport ? ev_xasprintf("logs/%s/%s.log", t->transport, t->id)
	                    : ev_xasprintf("logs/%s.log", t->id);
}

char *ev_test_case(const struct ev_pack *pk, const struct ev_test *t)
{
	const struct ev_provision_info *pi = ev_edition_provision(pk->edition, t->def->tc);
	bool conceptual = t->def->kind == EV_KIND_DOCUMENT || !pi->tc_functional;
	return ev_xasprintf("%s (%s)", conceptual ? pi->tc_conceptual : pi->tc_functional,
	                    conceptual ? "conceptual" : "functional");
}

/* Text inside a table cell: no line breaks, no column separators. */
static void cell(struct ev_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n')
			ev_buf_add(b, " ");
		else if (*s == '|')
			ev_buf_add(b, "\\|");
		else
			ev_buf_addn(b, s, 1);
	}
}

static void fields(struct ev_buf *b, const struct ev_entry *e)
{
	ev_buf_add(b, "| Field | Value |\n|---|---|\n");
	for (size_t i = 0; i < e->nf; i++) {
		ev_buf_add(b, "| ");
		cell(b, e->f[i].label);
		ev_buf_add(b, " | ");
		if (e->f[i].is_num)
			ev_buf_printf(b, "%lld", (long long)e->f[i].num);
		else
			cell(b, e->f[i].value);
		ev_buf_add(b, " |\n");
	}
	ev_buf_add(b, "\n");
}

static bool row_failed(const struct ev_ics *c)
{
	for (size_t k = 0; k < c->nfnd; k++)
		if (c->fnd[k].level == EV_LEVEL_FAIL)
			return true;
	return false;
}

static void first_page(struct ev_buf *b, const struct ev_pack *pk)
{
	char ts[32];
	unsigned n[3];
	ev_pack_count(pk, n);
	ev_timestamp(pk->generated_at, ts);
	ev_buf_printf(b, "# Evidence pack: %s %s, EN 303 645 clause 5.3\n\n", pk->pkg->m.model,
	              pk->pkg->m.version);
	ev_buf_printf(b, "> %s\n\n", ev_role_text);
	ev_buf_printf(b, "- **Edition:** %s, assessed with %s (named by %s).\n", pk->edition->en,
	              pk->edition->ts, pk->edition_source);
	size_t sims = 0;
	for (size_t i = 0; i < pk->ndevices; i++)
		sims += pk->devices[i].simulator;
	if (!pk->ndevices)
		ev_buf_add(b, "- **Devices:** none; no functional test ran against a device.\n");
	else if (sims)
		ev_buf_printf(b, "- **Devices: SIMULATED.** %zu of the %zu device(s) the functional tests "
		              "examined report themselves as a simulation (fwseal-sim): their results "
		              "show fwseal's update stub, not the product's hardware.\n", sims,
		              pk->ndevices);
	else
		ev_buf_printf(b, "- **Devices:** %zu device(s); none reports itself as a simulation.\n",
		              pk->ndevices);
	ev_buf_printf(b, "- **This run:** %u PASS, %u FAIL, %u INCONCLUSIVE.", n[EV_PASS],
	              n[EV_FAIL], n[EV_INCONCLUSIVE]);
	struct ev_buf flagged = {0}, warned = {0};
	for (unsigned i = 0; i < EV_PROVISIONS; i++) {
		const struct ev_ics *c = &pk->ics[i];
		if (row_failed(c))
			ev_buf_printf(&flagged, "%s5.3-%u", flagged.len ? ", " : "", c->n);
		else if (c->nfnd)
			ev_buf_printf(&warned, "%s5.3-%u", warned.len ? ", " : "", c->n);
	}
	ev_buf_printf(b, " ICS rows flagged by a FAIL: %s. Rows with warnings or something not "
	              "demonstrated: %s.\n", flagged.len ? flagged.s : "none",
	              warned.len ? warned.s : "none");
	free(flagged.s);
	free(warned.s);
	char *digest = ev_hex(pk->pkg->sha256, FWS_SHA256_LEN);
	ev_buf_printf(b, "- **Package digest:** %s (%s). Generated %s by %s.\n", digest,
	              pk->pkg->file_name, ts, pk->tool_version);
	free(digest);
	ev_buf_printf(b, "- **About the provision table:** %s\n\n", pk->edition->basis);
	if (pk->stale_digest)
		ev_buf_printf(b, "This pack replaces a stale pack for package digest %s (firmware "
		              "%s).\n\n", pk->stale_digest, pk->stale_version ? pk->stale_version : "?");
	ev_buf_add(b, "| Test | Test case | Transport | Device | Verdict |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < pk->ntests; i++) {
		const struct ev_test *t = &pk->tests[i];
		char *tc = ev_test_case(pk, t);
		ev_buf_printf(b, "| %s | %s | %s | ", t->id, tc, t->transport ? t->transport : "-");
		cell(b, t->device ? t->device : "-");
		ev_buf_printf(b, " | %s |\n", ev_verdict_name(t->verdict));
		free(tc);
	}
	ev_buf_add(b, "\n");
}

static void devices(struct ev_buf *b, const struct ev_pack *pk)
{
	ev_buf_add(b, "## Devices examined\n\nAs each device described itself in its device-info "
	              "record over the interface named.\n\n");
	if (!pk->ndevices) {
		ev_buf_add(b, "None: the run was given no device (--device).\n\n");
		return;
	}
	ev_buf_add(b, "| Transport | Device | Serial | Simulation | Crypto library (device) | Key ids "
	              "| Power cut by | State after the tests |\n|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < pk->ndevices; i++) {
		const struct ev_device *d = &pk->devices[i];
		ev_buf_printf(b, "| %s | ", d->transport);
		cell(b, d->device);
		ev_buf_add(b, " | ");
		cell(b, d->answered ? d->serial : "did not answer");
		ev_buf_printf(b, " | %s | ", !d->answered ? "-" : d->simulator ? "**yes (simulated)**"
		                                                              : "not reported (no)");
		cell(b, d->crypto_lib ? d->crypto_lib : "not reported");
		ev_buf_add(b, " | ");
		cell(b, d->keys ? d->keys : "-");
		ev_buf_add(b, " | ");
		cell(b, d->power_cut ? d->power_cut : "-");
		ev_buf_add(b, " | ");
		cell(b, d->after ? d->after : "-");
		ev_buf_add(b, " |\n");
	}
	ev_buf_add(b, "\n");
}

static void ics(struct ev_buf *b, const struct ev_pack *pk)
{
	ev_buf_printf(b, "## Implementation Conformance Statement (ICS), EN 303 645 clause 5.3\n\n"
	              "Status Y / N / N/A as the Supplier's inputs and this run's facts give it "
	              "(%s); N and N/A carry their justification (EN 303 645 clause 4). A row whose "
	              "test FAILed in this run is flagged **FAIL**. The Test Laboratory verifies "
	              "these claims.\n\n"
	              "| Provision | M/R | Condition | Status | This run | Tests |\n"
	              "|---|---|---|---|---|---|\n", pk->edition->en);
	for (unsigned i = 0; i < EV_PROVISIONS; i++) {
		const struct ev_ics *c = &pk->ics[i];
		const struct ev_provision_info *pi = ev_edition_provision(pk->edition, c->n);
		size_t warn = c->nfnd;
		bool failed = row_failed(c);
		ev_buf_printf(b, "| 5.3-%u | %s | %s | %s | %s | ", c->n, pi->mr, pi->condition,
		              ev_status_name(c->status), failed ? "**FAIL**" : warn ? "warning" : "-");
		bool any = false;
		for (size_t t = 0; t < pk->ntests; t++) {
			const struct ev_test *x = &pk->tests[t];
			if (!ev_test_covers(x, c->n) || (t && !strcmp(pk->tests[t - 1].id, x->id)))
				continue;
			ev_buf_printf(b, "%s%s", any ? ", " : "", x->id);
			any = true;
		}
		ev_buf_add(b, any ? " |\n" : "- |\n");
	}
	ev_buf_add(b, "\n");
	for (unsigned i = 0; i < EV_PROVISIONS; i++) {
		const struct ev_ics *c = &pk->ics[i];
		const struct ev_provision_info *pi = ev_edition_provision(pk->edition, c->n);
		ev_buf_printf(b, "### 5.3-%u: %s%s\n\n", c->n, ev_status_name(c->status),
		              row_failed(c) ? " (flagged: FAIL in this run)" : "");
		ev_buf_printf(b, "- Provision (paraphrased): %s\n", pi->summary);
		if (c->detail && c->detail[0])
			ev_buf_printf(b, "- Detail: %s\n", c->detail);
		if (c->justification)
			ev_buf_printf(b, "- Justification: %s\n", c->justification);
		ev_buf_printf(b, "- Source: %s\n", c->source);
		for (size_t k = 0; k < c->nfnd; k++)
			ev_buf_printf(b, "- %s: %s\n", c->fnd[k].level == EV_LEVEL_FAIL ? "**FAIL**" :
			              "Warning", c->fnd[k].text);
		ev_buf_add(b, "\n");
	}
}

static void conceptual(struct ev_buf *b, const struct ev_pack *pk)
{
	ev_buf_add(b, "## Conceptual assessment input\n\nPer provision: the conceptual test case "
	              "it supports, where the pack documents it (from the IXIT and the product "
	              "description), and the Supplier's checks of this run on it.\n\n"
	              "| Provision | Test case | Documented in | Checks in this run |\n"
	              "|---|---|---|---|\n");
	for (unsigned n = 1; n <= EV_PROVISIONS; n++) {
		const struct ev_provision_info *pi = ev_edition_provision(pk->edition, n);
		ev_buf_printf(b, "| 5.3-%u | %s (conceptual) | ", n, pi->tc_conceptual);
		cell(b, ev_conceptual_input(n));
		ev_buf_add(b, " | ");
		bool any = false;
		for (size_t t = 0; t < pk->ntests; t++) {
			const struct ev_test *x = &pk->tests[t];
			if (x->def->kind != EV_KIND_DOCUMENT || !ev_test_covers(x, n))
				continue;
			ev_buf_printf(b, "%s%s %s", any ? ", " : "", x->id, ev_verdict_name(x->verdict));
			any = true;
		}
		ev_buf_add(b, any ? " |\n" : "- |\n");
	}
	ev_buf_add(b, "\n");
}

static void tests(struct ev_buf *b, const struct ev_pack *pk)
{
	ev_buf_add(b, "## Checks and functional tests (Supplier runs)\n\n"
	              "Checks (CK) judge the Supplier's documents and dates; functional tests (FT) "
	              "what the signed package carries and what the DUT does. Each names the TS 103 "
	              "701 test case it supports (numbering: see the first page) and its test "
	              "purpose; each device test starts by logging the state it found the device "
	              "in. The verdicts are the Supplier's pre-assessment results, not the "
	              "laboratory's.\n\n");
	char *digest = ev_hex(pk->pkg->sha256, FWS_SHA256_LEN);
	for (size_t i = 0; i < pk->ntests; i++) {
		const struct ev_test *t = &pk->tests[i];
		char s[32], f[32];
		ev_timestamp(t->started, s);
		ev_timestamp(t->finished, f);
		char *tc = ev_test_case(pk, t);
		char *lp = ev_test_log_path(t);
		ev_buf_printf(b, "### %s%s%s: %s\n\n", t->id, t->transport ? " over " : "",
		              t->transport ? t->transport : "", ev_verdict_name(t->verdict));
		ev_buf_printf(b, "- Test: %s\n- Test case: %s; this test: %s\n- Test purpose: %s\n- Provisions: "
		              "%s\n- Result: %s\n- Transport: %s\n- Device: %s\n- Device serial: %s\n"
		              "- Started: %s\n- Finished: %s\n- Package digest: %s\n- Log: %s\n\n",
		              t->title, tc, ev_kind_name(t->def->kind), t->def->purpose, t->provisions,
		              t->reason ? t->reason : "", t->transport ? t->transport : "none",
		              t->device ? t->device : "none", t->device_serial ? t->device_serial :
		              "none", s, f, digest, lp);
		free(tc);
		free(lp);
		ev_buf_add(b, "```\n");
		ev_buf_add(b, t->log ? t->log : "");
		if (t->log && t->log[0] && t->log[strlen(t->log) - 1] != '\n')
			ev_buf_add(b, "\n");
		ev_buf_add(b, "```\n\n");
	}
	free(digest);
}

static void cra(struct ev_buf *b, const struct ev_pack *pk)
{
	ev_buf_add(b, "## EU Cyber Resilience Act: supplementary input\n\n");
	ev_buf_printf(b, "%s\n\n| Requirement | What it asks (paraphrased) | What this pack has |\n"
	              "|---|---|---|\n", ev_cra_statement);
	for (size_t i = 0; i < pk->ncra; i++) {
		ev_buf_printf(b, "| %s | ", pk->cra[i].ref);
		cell(b, pk->cra[i].topic);
		ev_buf_add(b, " | ");
		cell(b, pk->cra[i].facts);
		ev_buf_add(b, " |\n");
	}
	ev_buf_add(b, "\n");
}

char *ev_render_md(const struct ev_pack *pk)
{
	struct ev_buf b = {0};
	first_page(&b, pk);
	ev_buf_add(&b, "## DUT identification and evidence boundary\n\n");
	fields(&b, &pk->dut);
	devices(&b, pk);
	ics(&b, pk);
	conceptual(&b, pk);
	for (unsigned i = 0; i < EV_IXIT_COUNT; i++) {
		const struct ev_ixit *x = &pk->ixit[i];
		ev_buf_printf(&b, "## IXIT %s: %s\n\n", x->id, x->title);
		for (size_t k = 0; k < x->ne; k++) {
			ev_buf_printf(&b, "### %s: %s\n\n", x->e[k].id, x->e[k].title);
			fields(&b, &x->e[k]);
		}
	}
	tests(&b, pk);
	cra(&b, pk);
	ev_buf_add(&b, "## Only a Test Laboratory can judge\n\n");
	for (const char *const *s = ev_lab_only; *s; s++)
		ev_buf_printf(&b, "- %s\n", *s);
	return ev_buf_take(&b);
}
