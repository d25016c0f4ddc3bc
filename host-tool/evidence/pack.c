/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pack.c - assembles the evidence pack model (evidence.h): checks that the
 * product description, package and trust store describe the same DUT, then
 * builds the DUT record, ICS and IXIT, and the package-only tests.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "ev_util.h"
#include "ics.h"

const char *ev_verdict_name(enum ev_verdict v)
{
	switch (v) {
	case EV_PASS: return "PASS";
	case EV_FAIL: return "FAIL";
	case EV_INCONCLUSIVE: return "INCONCLUSIVE";
	}
	return "INCONCLUSIVE";
}

static struct ev_field *add_field(struct ev_entry *e, const char *name, const char *label)
{
	e->f = ev_xrealloc(e->f, (e->nf + 1) * sizeof(*e->f));
	struct ev_field *f = &e->f[e->nf++];
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->label = label;
	return f;
}

void ev_entry_text(struct ev_entry *e, const char *name, const char *label, const char *value)
{
	add_field(e, name, label)->value = ev_xstrdup(value);
}

void ev_entry_textf(struct ev_entry *e, const char *name, const char *label, const char *fmt, ...)
{
	struct ev_buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	ev_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	add_field(e, name, label)->value = ev_buf_take(&b);
}

void ev_entry_num(struct ev_entry *e, const char *name, const char *label, int64_t v)
{
	struct ev_field *f = add_field(e, name, label);
	f->is_num = true;
	f->num = v;
}

void ev_entry_free(struct ev_entry *e)
{
	for (size_t i = 0; i < e->nf; i++)
		free(e->f[i].value);
	free(e->f);
	free(e->id);
	free(e->title);
	memset(e, 0, sizeof(*e));
}

struct ev_test *ev_pack_add_test(struct ev_pack *pk, const char *id, const char *title,
                                 const char *provisions)
{
	pk->tests = ev_xrealloc(pk->tests, (pk->ntests + 1) * sizeof(*pk->tests));
	struct ev_test *t = &pk->tests[pk->ntests++];
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->title = title;
	t->provisions = provisions;
	t->verdict = EV_INCONCLUSIVE;
	return t;
}

/* The product description and the package must describe the same DUT, or
 * the pack would mix two products. */
static bool cross_check(const struct ev_pack *pk, char *err, size_t cap)
{
	const struct ev_product *p = pk->product;
	const struct ev_pkgfacts *g = pk->pkg;
	if (strcmp(p->model, g->m.model) != 0) {
		snprintf(err, cap, "%s describes model '%s' but the package %s is for model '%s'. Use "
		         "the product description of the package's model.", p->file_name, p->model,
		         g->file_name, g->m.model);
		return false;
	}
	if (p->hw_rev < g->m.hw_rev_min || p->hw_rev > g->m.hw_rev_max) {
		snprintf(err, cap, "%s names hardware revision %u but the package %s accepts only "
		         "%u..%u. Use a package built for this hardware revision.", p->file_name,
		         (unsigned)p->hw_rev, g->file_name, (unsigned)g->m.hw_rev_min,
		         (unsigned)g->m.hw_rev_max);
		return false;
	}
	if (p->fw_version && strcmp(p->fw_version, g->m.version) != 0) {
		snprintf(err, cap, "%s names firmware version '%s' but the package %s is version '%s'. "
		         "Update firmware_version or use the matching package.", p->file_name,
		         p->fw_version, g->file_name, g->m.version);
		return false;
	}
	for (size_t i = 0; i < p->ncomp; i++) {
		if (strcmp(p->comp[i].name, g->m.component) != 0)
			continue;
		if (!p->comp[i].updateable) {
			snprintf(err, cap, "%s says component '%s' has no update mechanism, yet the "
			         "package %s updates it. Set 'mechanism = fwseal' for it.", p->file_name,
			         g->m.component, g->file_name);
			return false;
		}
		return true;
	}
	snprintf(err, cap, "the package %s updates component '%s', which %s does not list. Add a "
	         "[component %s] section.", g->file_name, g->m.component, p->file_name,
	         g->m.component);
	return false;
}

/* 5.3-11 / 5.3-12 from the package alone: the notices must be in the signed
 * manifest, where a host shows them before installing. */
static void notices_test(struct ev_pack *pk)
{
	const struct ev_pkgfacts *g = pk->pkg;
	struct ev_test *t = ev_pack_add_test(pk, "FT-09-notices-in-package",
	                                     "Security notice and disruption notice present in the "
	                                     "signed package", "5.3-11, 5.3-12");
	t->started = t->finished = pk->generated_at;
	struct ev_buf log = {0};
	ev_buf_printf(&log, "package %s verified against trust store %s\n", g->file_name,
	              pk->trust->file_name);
	ev_buf_printf(&log, "manifest security_update=%s severity=%s cves=%u risks_len=%zu\n",
	              g->m.security_update ? "yes" : "no", fws_severity_name(g->m.severity),
	              (unsigned)g->m.cve_count, strlen(g->risks));
	ev_buf_printf(&log, "manifest disruption reboot=%s downtime_s=%u\n",
	              g->m.reboot ? "yes" : "no", (unsigned)g->m.downtime_s);
	if (g->m.security_update && !g->risks[0]) {
		t->verdict = EV_FAIL;
		t->reason = ev_xstrdup("The package is marked as a security update but names no risks "
		                       "mitigated.");
	} else {
		t->verdict = EV_PASS;
		t->reason = ev_xasprintf("The signed manifest carries the security notice (%s) and the "
		                         "disruption notice (%s, %u s downtime).",
		                         g->m.security_update ? "security update" : "not a security update",
		                         g->m.reboot ? "reboot" : "no reboot", (unsigned)g->m.downtime_s);
	}
	ev_buf_printf(&log, "verdict %s: %s\n", ev_verdict_name(t->verdict), t->reason);
	t->log = ev_buf_take(&log);
}

bool ev_pack_build(struct ev_pack *pk, const struct ev_product *prod,
                   const struct ev_pkgfacts *pkg, const struct ev_trustfacts *trust,
                   const char *device, int64_t now, char *err, size_t errcap)
{
	memset(pk, 0, sizeof(*pk));
	pk->product = prod;
	pk->pkg = pkg;
	pk->trust = trust;
	pk->device = device;
	pk->generated_at = now;
#ifdef FWSEAL_VERSION
	pk->tool_version = "fwseal " FWSEAL_VERSION;
#else
	pk->tool_version = "fwseal";
#endif
	if (!cross_check(pk, err, errcap) || !ev_ics_build(pk, err, errcap)) {
		ev_pack_free(pk);
		return false;
	}
	ev_dut_build(pk);
	ev_ixit_build(pk);
	notices_test(pk);
	return true;
}

void ev_pack_free(struct ev_pack *pk)
{
	ev_entry_free(&pk->dut);
	for (unsigned i = 0; i < EV_PROVISIONS; i++) {
		free(pk->ics[i].detail);
		free(pk->ics[i].justification);
	}
	for (unsigned i = 0; i < EV_IXIT_COUNT; i++) {
		for (size_t k = 0; k < pk->ixit[i].ne; k++)
			ev_entry_free(&pk->ixit[i].e[k]);
		free(pk->ixit[i].e);
	}
	for (size_t i = 0; i < pk->ntests; i++) {
		free(pk->tests[i].reason);
		free(pk->tests[i].device_serial);
		free(pk->tests[i].log);
	}
	free(pk->tests);
	free(pk->stale_digest);
	free(pk->stale_version);
	memset(pk, 0, sizeof(*pk));
}
