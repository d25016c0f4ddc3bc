/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pack.c - assembles the evidence pack model (evidence.h): checks that the
 * product description, package and trust store describe the same DUT, sets
 * the ICS statuses and runs the checks that need no device (build); after
 * the functional tests, adds the coverage of each declared interface, the
 * findings, DUT record, IXIT and CRA table (finish).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/version.h>

#include "evidence.h"
#include "ev_util.h"
#include "fwseal/crypto.h"
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

struct ev_test *ev_pack_add_test(struct ev_pack *pk, const char *id)
{
	const struct ev_test_def *d = ev_test_def(id);
	if (!d)
		abort(); /* a test not in the catalogue is a programming error */
	pk->tests = ev_xrealloc(pk->tests, (pk->ntests + 1) * sizeof(*pk->tests));
	struct ev_test *t = &pk->tests[pk->ntests++];
	memset(t, 0, sizeof(*t));
	t->def = d;
	t->id = d->id;
	t->title = d->title;
	t->provisions = d->provisions;
	t->verdict = EV_INCONCLUSIVE;
	return t;
}

void ev_pack_count(const struct ev_pack *pk, unsigned count[3])
{
	count[EV_PASS] = count[EV_FAIL] = count[EV_INCONCLUSIVE] = 0;
	for (size_t i = 0; i < pk->ntests; i++)
		count[pk->tests[i].verdict]++;
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

/* [update-app] defaults_file: hashed, so the pack is tied to the file the
 * defaults were read from. */
static bool hash_defaults(struct ev_pack *pk, const char *dir, char *err, size_t cap)
{
	const char *f = pk->product->app.defaults_file;
	if (!f)
		return true;
	char *path = f[0] == '/' ? ev_xstrdup(f) : ev_xasprintf("%s/%s", dir ? dir : ".", f);
	uint8_t *data;
	size_t len;
	char e[300];
	bool ok = ev_read_file(path, 16u * 1024u * 1024u, &data, &len, e, sizeof(e));
	free(path);
	if (!ok) {
		snprintf(err, cap, "%s: [update-app] defaults_file: %s", pk->product->file_name, e);
		return false;
	}
	uint8_t d[FWS_SHA256_LEN];
	fws_err he = fws_sha256(data, len, d);
	free(data);
	if (he != FWS_OK) {
		snprintf(err, cap, "%s: [update-app] defaults_file: cannot compute its SHA-256",
		         pk->product->file_name);
		return false;
	}
	pk->defaults_file_sha256 = ev_hex(d, FWS_SHA256_LEN);
	return true;
}

/* The host's crypto library as the library loaded at run time reports itself:
 * a shared library is updated without rebuilding fwseal, so the version this
 * fwseal was compiled against is only a claim about the build; it is named
 * too when the two differ. */
static char *host_crypto_lib(void)
{
#if defined(MBEDTLS_VERSION_C)
	char loaded[32] = ""; /* mbedtls_version_get_string_full writes up to 18 bytes */
	mbedtls_version_get_string_full(loaded);
	loaded[sizeof(loaded) - 1] = '\0';
	if (strcmp(loaded, fws_crypto_lib()) == 0)
		return ev_xasprintf("%s (as the library this fwseal loaded reports itself)", loaded);
	return ev_xasprintf("%s (as the library this fwseal loaded reports itself; fwseal was "
	                    "built against %s)", loaded, fws_crypto_lib());
#else
	return ev_xasprintf("%s (the library this fwseal was built against; the library "
	                    "does not report its version at run time)", fws_crypto_lib());
#endif
}

bool ev_pack_build(struct ev_pack *pk, const struct ev_product *prod,
                   const struct ev_pkgfacts *pkg, const struct ev_trustfacts *trust,
                   const struct ev_inputs *in, int64_t now, char *err, size_t errcap)
{
	memset(pk, 0, sizeof(*pk));
	pk->product = prod;
	pk->pkg = pkg;
	pk->trust = trust;
	pk->release = in->release;
	pk->edition = in->edition;
	pk->edition_source = in->edition_source;
	pk->generated_at = now;
	pk->test_key_id = in->test_key_id ? ev_xstrdup(in->test_key_id) : NULL;
	pk->revoked_key_id = in->revoked_key_id ? ev_xstrdup(in->revoked_key_id) : NULL;
	pk->host_crypto = host_crypto_lib();
#ifdef FWSEAL_VERSION
	pk->tool_version = "fwseal " FWSEAL_VERSION;
#else
	pk->tool_version = "fwseal";
#endif
	if (!pk->edition) {
		snprintf(err, errcap, "no edition of EN 303 645 is named. Give --edition (%s) or "
		         "'edition = ...' in [product] of %s.", ev_edition_ids(), prod->file_name);
		ev_pack_free(pk);
		return false;
	}
	if (!cross_check(pk, err, errcap) || !hash_defaults(pk, in->product_dir, err, errcap) ||
	    !ev_ics_build(pk, err, errcap)) {
		ev_pack_free(pk);
		return false;
	}
	ev_checks_run(pk);
	return true;
}

static int cmp_test(const void *a, const void *b)
{
	const struct ev_test *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	if (c)
		return c;
	return strcmp(x->transport ? x->transport : "", y->transport ? y->transport : "");
}

/* FT-00 for every declared interface: tested over it, or not. */
static void coverage(struct ev_pack *pk)
{
	for (unsigned m = 0; m < EV_MECH_COUNT; m++) {
		if (!(pk->product->interfaces & (1u << m)))
			continue;
		const struct ev_mech_info *mi = ev_mech_get((enum ev_mech)m);
		const struct ev_device *d = NULL;
		for (size_t i = 0; i < pk->ndevices && !d; i++)
			if (!strcmp(pk->devices[i].transport, mi->key))
				d = &pk->devices[i];
		struct ev_test *t = ev_pack_add_test(pk, "FT-00-interface-tested");
		t->started = t->finished = pk->generated_at;
		t->transport = ev_xstrdup(mi->key);
		if (d) {
			t->device = ev_xstrdup(d->device);
			t->device_serial = d->serial ? ev_xstrdup(d->serial) : NULL;
			t->verdict = EV_PASS;
			t->reason = ev_xasprintf("The functional tests ran over %s with device %s (serial "
			                         "%s).", mi->name, d->device, d->serial ? d->serial : "not "
			                         "reported");
		} else {
			t->verdict = EV_INCONCLUSIVE;
			t->reason = ev_xasprintf("The product declares %s, but no device was given for "
			                         "it (--device %s...): none of the functional tests ran "
			                         "over it.", mi->name, mi->device_prefix);
		}
		t->log = ev_xasprintf("declared interface %s (%s in %s)\nverdict %s: %s\n", mi->name,
		                      mi->key, pk->product->file_name, ev_verdict_name(t->verdict),
		                      t->reason);
	}
}

void ev_pack_finish(struct ev_pack *pk)
{
	if (pk->finished)
		return;
	coverage(pk);
	qsort(pk->tests, pk->ntests, sizeof(*pk->tests), cmp_test);
	ev_ics_finish(pk);
	ev_dut_build(pk);
	ev_ixit_build(pk);
	ev_cra_build(pk);
	pk->finished = true;
}

static void device_free(struct ev_device *d)
{
	free(d->transport);
	free(d->device);
	free(d->serial);
	free(d->model);
	free(d->stub_version);
	free(d->crypto_lib);
	free(d->keys);
	free(d->power_cut);
	free(d->after);
}

void ev_pack_free(struct ev_pack *pk)
{
	ev_entry_free(&pk->dut);
	for (unsigned i = 0; i < EV_PROVISIONS; i++) {
		free(pk->ics[i].detail);
		free(pk->ics[i].justification);
		for (size_t k = 0; k < pk->ics[i].nfnd; k++)
			free(pk->ics[i].fnd[k].text);
		free(pk->ics[i].fnd);
	}
	for (unsigned i = 0; i < EV_IXIT_COUNT; i++) {
		for (size_t k = 0; k < pk->ixit[i].ne; k++)
			ev_entry_free(&pk->ixit[i].e[k]);
		free(pk->ixit[i].e);
	}
	for (size_t i = 0; i < pk->ntests; i++) {
		free(pk->tests[i].reason);
		free(pk->tests[i].device_serial);
		free(pk->tests[i].transport);
		free(pk->tests[i].device);
		free(pk->tests[i].log);
	}
	free(pk->tests);
	for (size_t i = 0; i < pk->ndevices; i++)
		device_free(&pk->devices[i]);
	free(pk->devices);
	for (size_t i = 0; i < pk->ncra; i++)
		free(pk->cra[i].facts);
	free(pk->cra);
	free(pk->host_crypto);
	free(pk->test_key_id);
	free(pk->revoked_key_id);
	free(pk->defaults_file_sha256);
	free(pk->stale_digest);
	free(pk->stale_version);
	memset(pk, 0, sizeof(*pk));
}
