/* SPDX-License-Identifier: Apache-2.0 */
/*
 * render_json.c - evidence.json: the pack for machines. Provisions are named
 * by id ("5.3-1" .. "5.3-16"), statuses "Y" / "N" / "N/A", verdicts "PASS" /
 * "FAIL" / "INCONCLUSIVE". Layout documented in docs/evidence.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "ev_util.h"
#include "render.h"

struct jw {
	struct ev_buf b;
	int depth;
	bool first;
};

static void indent(struct jw *w)
{
	ev_buf_add(&w->b, "\n");
	for (int i = 0; i < w->depth; i++)
		ev_buf_add(&w->b, "  ");
}

static void str(struct ev_buf *b, const char *s)
{
	ev_buf_add(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': ev_buf_add(b, "\\\""); break;
		case '\\': ev_buf_add(b, "\\\\"); break;
		case '\n': ev_buf_add(b, "\\n"); break;
		case '\t': ev_buf_add(b, "\\t"); break;
		case '\r': ev_buf_add(b, "\\r"); break;
		default:
			if (*p < 0x20)
				ev_buf_printf(b, "\\u%04x", *p);
			else
				ev_buf_addn(b, (const char *)p, 1);
		}
	}
	ev_buf_add(b, "\"");
}

static void key(struct jw *w, const char *k)
{
	if (!w->first)
		ev_buf_add(&w->b, ",");
	w->first = false;
	indent(w);
	if (k) {
		str(&w->b, k);
		ev_buf_add(&w->b, ": ");
	}
}

static void open_(struct jw *w, const char *k, const char *brace)
{
	key(w, k);
	ev_buf_add(&w->b, brace);
	w->depth++;
	w->first = true;
}

static void close_(struct jw *w, const char *brace)
{
	w->depth--;
	if (!w->first)
		indent(w);
	ev_buf_add(&w->b, brace);
	w->first = false;
}

static void jstr(struct jw *w, const char *k, const char *v)
{
	key(w, k);
	if (v)
		str(&w->b, v);
	else
		ev_buf_add(&w->b, "null");
}

static void jnum(struct jw *w, const char *k, int64_t v)
{
	key(w, k);
	ev_buf_printf(&w->b, "%lld", (long long)v);
}

static void entry(struct jw *w, const char *k, const struct ev_entry *e)
{
	open_(w, k, "{");
	jstr(w, "id", e->id);
	jstr(w, "title", e->title);
	for (size_t i = 0; i < e->nf; i++) {
		if (e->f[i].is_num)
			jnum(w, e->f[i].name, e->f[i].num);
		else
			jstr(w, e->f[i].name, e->f[i].value);
	}
	close_(w, "}");
}

/* "5.3-11, 5.3-12" -> ["5.3-11", "5.3-12"] */
static void provisions(struct jw *w, const char *list)
{
	open_(w, "provisions", "[");
	char *copy = ev_xstrdup(list);
	for (char *save = NULL, *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
		jstr(w, NULL, t);
	free(copy);
	close_(w, "]");
}

static void findings(struct jw *w, const struct ev_ics *c)
{
	open_(w, "findings", "[");
	for (size_t k = 0; k < c->nfnd; k++) {
		open_(w, NULL, "{");
		jstr(w, "level", c->fnd[k].level == EV_LEVEL_FAIL ? "FAIL" : "WARN");
		jstr(w, "text", c->fnd[k].text);
		close_(w, "}");
	}
	close_(w, "]");
}

char *ev_render_json(const struct ev_pack *pk)
{
	struct jw w = {.first = true};
	char ts[32];
	unsigned count[3];
	ev_pack_count(pk, count);
	ev_buf_add(&w.b, "{");
	w.depth = 1;
	jstr(&w, "format", "fwseal-evidence-2");
	jstr(&w, "baseline", "ETSI EN 303 645, clause 5.3 (keep software updated)");
	open_(&w, "edition", "{");
	jstr(&w, "id", pk->edition->id);
	jstr(&w, "en", pk->edition->en);
	jstr(&w, "ts", pk->edition->ts);
	jstr(&w, "named_by", pk->edition_source);
	jstr(&w, "basis", pk->edition->basis);
	close_(&w, "}");
	jstr(&w, "role", ev_role_text);
	ev_timestamp(pk->generated_at, ts);
	jstr(&w, "generated_at", ts);
	jstr(&w, "generator", pk->tool_version);
	char *digest = ev_hex(pk->pkg->sha256, FWS_SHA256_LEN);
	jstr(&w, "package_sha256", digest);
	jstr(&w, "firmware_version", pk->pkg->m.version);
	if (pk->stale_digest) {
		open_(&w, "replaces_stale_pack", "{");
		jstr(&w, "package_sha256", pk->stale_digest);
		jstr(&w, "firmware_version", pk->stale_version);
		close_(&w, "}");
	} else {
		jstr(&w, "replaces_stale_pack", NULL);
	}

	open_(&w, "summary", "{");
	jnum(&w, "PASS", count[EV_PASS]);
	jnum(&w, "FAIL", count[EV_FAIL]);
	jnum(&w, "INCONCLUSIVE", count[EV_INCONCLUSIVE]);
	open_(&w, "ics_flagged", "[");
	for (unsigned i = 0; i < EV_PROVISIONS; i++)
		for (size_t k = 0; k < pk->ics[i].nfnd; k++)
			if (pk->ics[i].fnd[k].level == EV_LEVEL_FAIL) {
				char id[16];
				snprintf(id, sizeof(id), "5.3-%u", pk->ics[i].n);
				jstr(&w, NULL, id);
				break;
			}
	close_(&w, "]");
	size_t sims = 0;
	for (size_t i = 0; i < pk->ndevices; i++)
		sims += pk->devices[i].simulator;
	jnum(&w, "devices", (int64_t)pk->ndevices);
	jnum(&w, "simulated_devices", (int64_t)sims);
	close_(&w, "}");

	entry(&w, "dut", &pk->dut);

	open_(&w, "devices", "[");
	for (size_t i = 0; i < pk->ndevices; i++) {
		const struct ev_device *d = &pk->devices[i];
		open_(&w, NULL, "{");
		jstr(&w, "transport", d->transport);
		jstr(&w, "device", d->device);
		key(&w, "answered");
		ev_buf_add(&w.b, d->answered ? "true" : "false");
		jstr(&w, "serial", d->serial);
		jstr(&w, "model", d->model);
		jstr(&w, "stub_version", d->stub_version);
		key(&w, "simulator");
		ev_buf_add(&w.b, d->simulator ? "true" : "false");
		jstr(&w, "crypto_library", d->crypto_lib);
		jstr(&w, "key_ids", d->keys);
		jstr(&w, "power_cut", d->power_cut);
		jstr(&w, "state_after_tests", d->after);
		close_(&w, "}");
	}
	close_(&w, "]");

	open_(&w, "ics", "[");
	for (unsigned i = 0; i < EV_PROVISIONS; i++) {
		const struct ev_ics *c = &pk->ics[i];
		const struct ev_provision_info *pi = ev_edition_provision(pk->edition, c->n);
		char id[16];
		snprintf(id, sizeof(id), "5.3-%u", c->n);
		open_(&w, NULL, "{");
		jstr(&w, "provision", id);
		jstr(&w, "mr", pi->mr);
		jstr(&w, "condition", pi->condition);
		jstr(&w, "summary", pi->summary);
		jstr(&w, "status", ev_status_name(c->status));
		jstr(&w, "detail", c->detail);
		jstr(&w, "justification", c->justification);
		jstr(&w, "source", c->source);
		findings(&w, c);
		jstr(&w, "conceptual_test_case", pi->tc_conceptual);
		jstr(&w, "conceptual_input", ev_conceptual_input(c->n));
		open_(&w, "tests", "[");
		for (size_t t = 0; t < pk->ntests; t++) {
			if (!ev_test_covers(&pk->tests[t], c->n) ||
			    (t && !strcmp(pk->tests[t - 1].id, pk->tests[t].id)))
				continue;
			jstr(&w, NULL, pk->tests[t].id);
		}
		close_(&w, "]");
		close_(&w, "}");
	}
	close_(&w, "]");

	open_(&w, "ixit", "[");
	for (unsigned i = 0; i < EV_IXIT_COUNT; i++) {
		const struct ev_ixit *x = &pk->ixit[i];
		open_(&w, NULL, "{");
		jstr(&w, "id", x->id);
		jstr(&w, "title", x->title);
		open_(&w, "entries", "[");
		for (size_t k = 0; k < x->ne; k++)
			entry(&w, NULL, &x->e[k]);
		close_(&w, "]");
		close_(&w, "}");
	}
	close_(&w, "]");

	open_(&w, "tests", "[");
	for (size_t i = 0; i < pk->ntests; i++) {
		const struct ev_test *t = &pk->tests[i];
		open_(&w, NULL, "{");
		jstr(&w, "id", t->id);
		jstr(&w, "title", t->title);
		jstr(&w, "kind", ev_kind_name(t->def->kind));
		char *tc = ev_test_case(pk, t);
		jstr(&w, "test_case", tc);
		free(tc);
		jstr(&w, "test_purpose", t->def->purpose);
		provisions(&w, t->provisions);
		jstr(&w, "verdict", ev_verdict_name(t->verdict));
		jstr(&w, "reason", t->reason);
		jstr(&w, "transport", t->transport);
		jstr(&w, "device", t->device);
		jstr(&w, "device_serial", t->device_serial);
		ev_timestamp(t->started, ts);
		jstr(&w, "started", ts);
		ev_timestamp(t->finished, ts);
		jstr(&w, "finished", ts);
		jstr(&w, "package_sha256", digest);
		char *lf = ev_test_log_path(t);
		jstr(&w, "log_file", lf);
		free(lf);
		jstr(&w, "log", t->log);
		close_(&w, "}");
	}
	close_(&w, "]");
	free(digest);

	open_(&w, "cra", "{");
	jstr(&w, "statement", ev_cra_statement);
	open_(&w, "rows", "[");
	for (size_t i = 0; i < pk->ncra; i++) {
		open_(&w, NULL, "{");
		jstr(&w, "ref", pk->cra[i].ref);
		jstr(&w, "requirement", pk->cra[i].topic);
		jstr(&w, "facts", pk->cra[i].facts);
		close_(&w, "}");
	}
	close_(&w, "]");
	close_(&w, "}");

	open_(&w, "laboratory_only", "[");
	for (const char *const *s = ev_lab_only; *s; s++)
		jstr(&w, NULL, *s);
	close_(&w, "]");
	w.depth = 0;
	ev_buf_add(&w.b, "\n}\n");
	return ev_buf_take(&w.b);
}
