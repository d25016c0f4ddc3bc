/* SPDX-License-Identifier: Apache-2.0 */
/*
 * render_md.c - evidence.md: the same pack as evidence.json, for people
 * (Supplier and Test Laboratory). Section order follows TS 103 701: DUT,
 * ICS, IXIT, functional tests, then what only the laboratory can judge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "ev_util.h"
#include "render.h"

const char ev_role_text[] =
    "Supplier Organization input for a Test Laboratory (ETSI TS 103 701): DUT identification, "
    "ICS, IXIT and the supplier's own functional test runs. This pack does not claim "
    "conformance with ETSI EN 303 645 and assigns no assessment verdict; it is valid only for "
    "the package digest it names.";

bool ev_test_covers(const struct ev_test *t, unsigned n)
{
	char id[16];
	snprintf(id, sizeof(id), "5.3-%u", n);
	size_t l = strlen(id);
	for (const char *p = strstr(t->provisions, id); p; p = strstr(p + 1, id))
		if ((p == t->provisions || p[-1] == ' ') && (p[l] == '\0' || p[l] == ','))
			return true;
	return false;
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

static void ics(struct ev_buf *b, const struct ev_pack *pk)
{
	ev_buf_add(b, "## Implementation Conformance Statement (ICS), EN 303 645 clause 5.3\n\n"
	              "Status Y / N / N/A as claimed by the Supplier; N and N/A carry their "
	              "justification (EN 303 645 clause 4). The Test Laboratory verifies these "
	              "claims.\n\n"
	              "| Provision | M/R | Condition | Status | Functional tests |\n"
	              "|---|---|---|---|---|\n");
	for (unsigned i = 0; i < EV_PROVISIONS; i++) {
		const struct ev_ics *c = &pk->ics[i];
		const struct ev_provision_info *pi = ev_provision_info(c->n);
		ev_buf_printf(b, "| 5.3-%u | %s | %s | %s | ", c->n, pi->mr, pi->condition,
		              ev_status_name(c->status));
		bool any = false;
		for (size_t t = 0; t < pk->ntests; t++) {
			if (ev_test_covers(&pk->tests[t], c->n)) {
				ev_buf_printf(b, "%s%s", any ? ", " : "", pk->tests[t].id);
				any = true;
			}
		}
		ev_buf_add(b, any ? " |\n" : "- |\n");
	}
	ev_buf_add(b, "\n");
	for (unsigned i = 0; i < EV_PROVISIONS; i++) {
		const struct ev_ics *c = &pk->ics[i];
		const struct ev_provision_info *pi = ev_provision_info(c->n);
		ev_buf_printf(b, "### 5.3-%u: %s\n\n", c->n, ev_status_name(c->status));
		ev_buf_printf(b, "- Provision (paraphrased): %s\n", pi->summary);
		if (c->detail && c->detail[0])
			ev_buf_printf(b, "- Detail: %s\n", c->detail);
		if (c->justification)
			ev_buf_printf(b, "- Justification: %s\n", c->justification);
		ev_buf_printf(b, "- Source: %s\n\n", c->source);
	}
}

static void tests(struct ev_buf *b, const struct ev_pack *pk)
{
	ev_buf_add(b, "## Functional tests (Supplier runs)\n\n"
	              "Each test checks that the DUT behaves as the IXIT describes. The verdicts "
	              "are the Supplier's pre-assessment results, not the laboratory's.\n\n"
	              "| Test | Provisions | Verdict |\n|---|---|---|\n");
	for (size_t i = 0; i < pk->ntests; i++)
		ev_buf_printf(b, "| %s | %s | %s |\n", pk->tests[i].id, pk->tests[i].provisions,
		              ev_verdict_name(pk->tests[i].verdict));
	ev_buf_add(b, "\n");
	char *digest = ev_hex(pk->pkg->sha256, FWS_SHA256_LEN);
	for (size_t i = 0; i < pk->ntests; i++) {
		const struct ev_test *t = &pk->tests[i];
		char s[32], f[32];
		ev_timestamp(t->started, s);
		ev_timestamp(t->finished, f);
		ev_buf_printf(b, "### %s: %s\n\n", t->id, ev_verdict_name(t->verdict));
		ev_buf_printf(b, "- Test: %s\n- Provisions: %s\n- Result: %s\n- Started: %s\n"
		              "- Finished: %s\n- Device serial: %s\n- Package digest: %s\n"
		              "- Log: logs/%s.log\n\n",
		              t->title, t->provisions, t->reason ? t->reason : "", s, f,
		              t->device_serial ? t->device_serial : "none (package-only test)", digest,
		              t->id);
		ev_buf_add(b, "```\n");
		ev_buf_add(b, t->log ? t->log : "");
		if (t->log && t->log[0] && t->log[strlen(t->log) - 1] != '\n')
			ev_buf_add(b, "\n");
		ev_buf_add(b, "```\n\n");
	}
	free(digest);
}

char *ev_render_md(const struct ev_pack *pk)
{
	struct ev_buf b = {0};
	char ts[32];
	ev_timestamp(pk->generated_at, ts);
	ev_buf_printf(&b, "# Evidence pack: %s %s, EN 303 645 clause 5.3\n\n", pk->pkg->m.model,
	              pk->pkg->m.version);
	ev_buf_printf(&b, "> %s\n\n", ev_role_text);
	ev_buf_printf(&b, "Generated %s by %s.\n\n", ts, pk->tool_version);
	if (pk->stale_digest)
		ev_buf_printf(&b, "This pack replaces a stale pack for package digest %s (firmware "
		              "%s).\n\n", pk->stale_digest, pk->stale_version ? pk->stale_version : "?");
	ev_buf_add(&b, "## DUT identification and evidence boundary\n\n");
	fields(&b, &pk->dut);
	ics(&b, pk);
	for (unsigned i = 0; i < EV_IXIT_COUNT; i++) {
		const struct ev_ixit *x = &pk->ixit[i];
		ev_buf_printf(&b, "## IXIT %s: %s\n\n", x->id, x->title);
		for (size_t k = 0; k < x->ne; k++) {
			ev_buf_printf(&b, "### %s: %s\n\n", x->e[k].id, x->e[k].title);
			fields(&b, &x->e[k]);
		}
	}
	tests(&b, pk);
	ev_buf_add(&b, "## Only a Test Laboratory can judge\n\n");
	for (const char *const *s = ev_lab_only; *s; s++)
		ev_buf_printf(&b, "- %s\n", *s);
	return ev_buf_take(&b);
}
