/* SPDX-License-Identifier: Apache-2.0 */
/* product.c - meaning and checks of the product description (product.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ev_util.h"
#include "fwseal/crypto.h"
#include "ini.h"
#include "product.h"

#define PRODUCT_FILE_MAX (256u * 1024u)

const char *ev_status_name(enum ev_status s)
{
	switch (s) {
	case EV_STATUS_Y: return "Y";
	case EV_STATUS_N: return "N";
	case EV_STATUS_NA: return "N/A";
	case EV_STATUS_UNSET: break;
	}
	return "unset";
}

unsigned ev_provision_parse(const char *s)
{
	if (strncmp(s, "5.3-", 4) != 0)
		return 0;
	s += 4;
	if (*s < '1' || *s > '9')
		return 0;
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < 1 || v > (long)EV_PROVISIONS)
		return 0;
	return (unsigned)v;
}

bool ev_parse_date(const char *s, int64_t *out)
{
	int y, m, d;
	char tail;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1970 || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	time_t t = timegm(&tm);
	/* timegm normalises 2025-02-30 to March 2: a date that does not exist */
	struct tm back;
	if (t == (time_t)-1 || !gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != m - 1)
		return false;
	*out = (int64_t)t;
	return true;
}

struct ctx {
	const char *name;
	char *err;
	size_t cap;
};

static bool fail(struct ctx *c, unsigned line, const char *fmt, ...) EV_PRINTF(3, 4);
static bool fail(struct ctx *c, unsigned line, const char *fmt, ...)
{
	int n = line ? snprintf(c->err, c->cap, "%s:%u: ", c->name, line)
	             : snprintf(c->err, c->cap, "%s: ", c->name);
	if (n < 0 || (size_t)n >= c->cap)
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->cap - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

/* Copy an optional text value. */
static void opt(struct ini_section *s, const char *key, char **out)
{
	const char *v = ini_get(s, key, NULL);
	if (v && *v)
		*out = ev_xstrdup(v);
}

static bool req(struct ctx *c, struct ini_section *s, const char *key, char **out)
{
	opt(s, key, out);
	if (!*out)
		return fail(c, s->line, "[%s] needs '%s'. Add '%s = ...' (see docs/product-description.md).",
		            s->name, key, key);
	return true;
}

static bool parse_uint(const char *v, uint32_t max, uint32_t *out)
{
	if (!v || !*v)
		return false;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 0);
	if (errno || *end || v[0] == '-' || x > max)
		return false;
	*out = (uint32_t)x;
	return true;
}

static bool parse_interfaces(struct ctx *c, struct ini_section *s, uint32_t *out)
{
	unsigned line = 0;
	const char *v = ini_get(s, "interfaces", &line);
	if (!v || !*v)
		return fail(c, s->line, "[product] needs 'interfaces', the update interfaces the device "
		            "exposes. Add e.g. 'interfaces = usb-dfu, serial'.");
	*out = 0;
	char *copy = ev_xstrdup(v);
	bool ok = true;
	for (char *save = NULL, *t = strtok_r(copy, ", \t\n", &save); t;
	     t = strtok_r(NULL, ", \t\n", &save)) {
		int m = ev_mech_from_key(t);
		if (m < 0) {
			ok = fail(c, line, "'%s' is not an update interface fwseal knows. Use usb-dfu, hid "
			          "or serial.", t);
			break;
		}
		if (!(ev_mech_built() & (1u << m))) {
			ok = fail(c, line, "this fwseal build has no %s transport, so it cannot produce "
			          "evidence for it. Use a build with it or remove it from 'interfaces'.",
			          ev_mech_get((enum ev_mech)m)->name);
			break;
		}
		*out |= 1u << m;
	}
	free(copy);
	if (ok && !*out)
		return fail(c, line, "'interfaces' is empty. List at least one of usb-dfu, hid, serial.");
	return ok;
}

static bool sec_product(struct ctx *c, struct ev_product *p, struct ini_section *s)
{
	if (!req(c, s, "manufacturer", &p->manufacturer) || !req(c, s, "model", &p->model))
		return false;
	opt(s, "name", &p->product_name);
	unsigned line = 0;
	const char *hw = ini_get(s, "hardware_revision", &line);
	uint32_t v;
	if (!hw)
		return fail(c, s->line, "[product] needs 'hardware_revision' (a number, as the device "
		            "reports it). Add 'hardware_revision = 1'.");
	if (!parse_uint(hw, 0xffff, &v))
		return fail(c, line, "hardware_revision '%s' is not a number from 0 to 65535. Write it "
		            "as the device reports it.", hw);
	p->hw_rev = (uint16_t)v;
	opt(s, "firmware_version", &p->fw_version);
	const char *ed = ini_get(s, "edition", &p->edition_line);
	if (ed) {
		if (!ev_edition_find(ed))
			return fail(c, p->edition_line, "edition '%s' is not one fwseal knows. Use one of: "
			            "%s.", ed, ev_edition_ids());
		p->edition = ev_xstrdup(ed);
	}
	return parse_interfaces(c, s, &p->interfaces);
}

static bool date_key(struct ctx *c, struct ini_section *s, const char *key, int64_t *out)
{
	unsigned line = 0;
	const char *v = ini_get(s, key, &line);
	if (v && !ev_parse_date(v, out))
		return fail(c, line, "%s '%s' is not a date. Write it as YYYY-MM-DD.", key, v);
	return true;
}

static bool sec_user(struct ctx *c, struct ev_product *p, struct ini_section *s)
{
	/* 5.3-13 and 5.3-16 are mandatory: where they are published must be said. */
	if (!req(c, s, "support_period_published_at", &p->support_period_published) ||
	    !req(c, s, "model_designation_published_at", &p->model_designation_published) ||
	    !req(c, s, "update_instructions", &p->update_instructions))
		return false;
	opt(s, "support_period_statement", &p->support_period_statement);
	opt(s, "security_notice_shown_in", &p->security_notice_shown);
	opt(s, "disruption_notice_shown_in", &p->disruption_notice_shown);
	opt(s, "sbom_published_at", &p->sbom_published_at);
	return date_key(c, s, "support_period_end_published", &p->support_end_published);
}

/* yes/no (or on/off) value of a required key. */
static bool flag(struct ctx *c, struct ini_section *s, const char *key, const char *yes,
                 const char *no, bool *out)
{
	unsigned line = 0;
	const char *v = ini_get(s, key, &line);
	if (!v)
		return fail(c, s->line, "[%s] needs '%s' (%s or %s). Add it (see "
		            "docs/product-description.md).", s->name, key, yes, no);
	if (!strcmp(v, yes))
		*out = true;
	else if (!strcmp(v, no))
		*out = false;
	else
		return fail(c, line, "%s '%s' is not %s or %s.", key, v, yes, no);
	return true;
}

static bool number(struct ctx *c, struct ini_section *s, const char *key, uint32_t max,
                   uint32_t *out)
{
	unsigned line = 0;
	const char *v = ini_get(s, key, &line);
	if (v && !parse_uint(v, max, out))
		return fail(c, line, "%s '%s' is not a number from 0 to %u.", key, v, (unsigned)max);
	return true;
}

/* One of words[] (NULL-terminated); its index in *out. */
static bool choice(struct ctx *c, struct ini_section *s, const char *key,
                   const char *const *words, unsigned *out)
{
	unsigned line = 0;
	const char *v = ini_get(s, key, &line);
	char list[128] = "";
	for (unsigned i = 0; words[i]; i++) {
		if (v && !strcmp(v, words[i])) {
			*out = i;
			return true;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
		         words[i]);
	}
	if (!v)
		return fail(c, s->line, "[%s] needs '%s' (one of %s).", s->name, key, list);
	return fail(c, line, "%s '%s' is not one of %s.", key, v, list);
}

/* [update-app]: the app's shipped defaults decide 5.3-4, 5.3-5, 5.3-6. */
static bool sec_app(struct ctx *c, struct ev_product *p, struct ini_section *s)
{
	static const char *const autos[] = {"none", "security", "all", NULL};
	static const char *const checks[] = {"none", "local-catalog", "online", NULL};
	struct ev_update_app *a = &p->app;
	unsigned v = 0;
	a->present = true;
	a->line = s->line;
	if (!req(c, s, "name", &a->name) || !req(c, s, "defaults_source", &a->defaults_source) ||
	    !choice(c, s, "automatic_install", autos, &v))
		return false;
	a->auto_install = (enum ev_auto_install)v;
	if (a->auto_install != EV_AUTO_NONE &&
	    !flag(c, s, "automatic_install_default", "on", "off", &a->auto_default_on))
		return false;
	if (!number(c, s, "install_countdown_s", 86400, &a->countdown_s) ||
	    !flag(c, s, "notify", "yes", "no", &a->notify))
		return false;
	if (a->notify && !flag(c, s, "notify_default", "on", "off", &a->notify_default_on))
		return false;
	if (!flag(c, s, "user_can_disable", "yes", "no", &a->can_disable) ||
	    !flag(c, s, "user_can_postpone", "yes", "no", &a->can_postpone) ||
	    !choice(c, s, "update_check", checks, &v))
		return false;
	a->check = (enum ev_update_check)v;
	if (a->check != EV_CHECK_NONE &&
	    (!flag(c, s, "check_on_connect", "yes", "no", &a->check_on_connect) ||
	     !flag(c, s, "check_on_catalog_change", "yes", "no", &a->check_on_catalog_change) ||
	     !number(c, s, "check_interval_hours", 24u * 365u, &a->check_interval_h)))
		return false;
	opt(s, "defaults_file", &a->defaults_file);
	/* keys that the choices above make irrelevant are not "unknown" */
	static const char *const cond[] = {"automatic_install_default", "notify_default",
	                                   "check_on_connect", "check_on_catalog_change",
	                                   "check_interval_hours", NULL};
	for (unsigned i = 0; cond[i]; i++)
		(void)ini_get(s, cond[i], NULL);
	return true;
}

static bool sec_keys(struct ctx *c, struct ev_product *p, struct ini_section *s)
{
	(void)c;
	opt(s, "signing_key_storage", &p->key_storage);
	opt(s, "key_lifecycle", &p->key_lifecycle);
	opt(s, "revocation_procedure", &p->key_revocation);
	return true;
}

static bool sec_component(struct ctx *c, struct ev_product *p, struct ini_section *s)
{
	if (!s->arg || strchr(s->arg, ' '))
		return fail(c, s->line, "a component section needs one name: [component ID], with "
		            "the component id the packages carry.");
	for (size_t i = 0; i < p->ncomp; i++)
		if (!strcmp(p->comp[i].name, s->arg))
			return fail(c, s->line, "component '%s' is described twice. Keep one section.",
			            s->arg);
	p->comp = ev_xrealloc(p->comp, (p->ncomp + 1) * sizeof(*p->comp));
	struct ev_component *k = &p->comp[p->ncomp++];
	memset(k, 0, sizeof(*k));
	k->name = ev_xstrdup(s->arg);
	if (!req(c, s, "description", &k->description))
		return false;
	unsigned line = 0;
	const char *m = ini_get(s, "mechanism", &line);
	if (!m)
		return fail(c, s->line, "[component %s] needs 'mechanism': 'fwseal' if fwseal packages "
		            "update it, 'none' if nothing can.", k->name);
	if (!strcmp(m, "fwseal")) {
		k->updateable = true;
	} else if (!strcmp(m, "none")) {
		k->updateable = false;
		/* EN 303 645 clause 4 and 5.3-1: a component that is not securely
		 * updateable needs a recorded justification. Replacement support and
		 * isolation are optional facts for IXIT 6-SoftComp. */
		opt(s, "justification", &k->justification);
		if (!k->justification)
			return fail(c, s->line, "5.3-1: component '%s' has no update mechanism but no "
			            "'justification'. Say why it cannot be updated.", k->name);
		opt(s, "replacement_support", &k->replacement);
		opt(s, "isolation", &k->isolation);
	} else {
		return fail(c, line, "mechanism '%s' is not known. Use 'fwseal' or 'none'.", m);
	}
	return true;
}

static bool days(struct ctx *c, struct ini_section *s, const char *key, uint32_t *out)
{
	unsigned line = 0;
	const char *v = ini_get(s, key, &line);
	if (!v)
		return fail(c, s->line, "5.3-8: [process] needs '%s', the target time frame in days. "
		            "Add '%s = N'.", key, key);
	if (!parse_uint(v, 3650, out) || *out == 0)
		return fail(c, line, "%s '%s' is not a number of days from 1 to 3650.", key, v);
	return true;
}

static bool sec_process(struct ctx *c, struct ev_product *p, struct ini_section *s)
{
	if (!req(c, s, "release_owner", &p->release_owner) ||
	    !req(c, s, "security_owner", &p->security_owner) ||
	    !req(c, s, "vulnerability_intake", &p->vulnerability_intake) ||
	    !req(c, s, "triage", &p->triage) || !req(c, s, "procedure", &p->procedure))
		return false;
	opt(s, "infrastructure", &p->infrastructure);
	return days(c, s, "target_days_critical", &p->target_days_critical) &&
	       days(c, s, "target_days_high", &p->target_days_high) &&
	       days(c, s, "target_days_other", &p->target_days_other);
}

static bool sec_tests(struct ctx *c, struct ev_product *p, struct ini_section *s)
{
	(void)c;
	opt(s, "previous_package", &p->previous_package);
	opt(s, "test_signing_key", &p->test_signing_key);
	opt(s, "revoked_test_key", &p->revoked_test_key);
	opt(s, "power_cut_command", &p->power_cut_command);
	return true;
}

static bool sec_ics(struct ctx *c, struct ev_product *p, struct ini_section *s)
{
	unsigned n = s->arg ? ev_provision_parse(s->arg) : 0;
	if (!n)
		return fail(c, s->line, "[ics %s] does not name a provision. Write [ics 5.3-N] with N "
		            "from 1 to 16.", s->arg ? s->arg : "");
	struct ev_ics_input *in = &p->ics[n - 1];
	if (in->present)
		return fail(c, s->line, "provision 5.3-%u is described twice. Keep one [ics] section.", n);
	in->present = true;
	in->line = s->line;
	unsigned line = 0;
	const char *st = ini_get(s, "status", &line);
	if (st) {
		if (!strcmp(st, "Y"))
			in->status = EV_STATUS_Y;
		else if (!strcmp(st, "N"))
			in->status = EV_STATUS_N;
		else if (!strcmp(st, "N/A"))
			in->status = EV_STATUS_NA;
		else
			return fail(c, line, "5.3-%u: status '%s' is not Y, N or N/A.", n, st);
	}
	opt(s, "detail", &in->detail);
	opt(s, "justification", &in->justification);
	return true;
}

struct sec_kind {
	const char *name;
	bool has_arg;
	bool once;
	bool required;
	bool (*fn)(struct ctx *, struct ev_product *, struct ini_section *);
};

static const struct sec_kind kinds[] = {
	{"product", false, true, true, sec_product},
	{"user-info", false, true, true, sec_user},
	{"component", true, false, true, sec_component},
	{"process", false, true, true, sec_process},
	{"update-app", false, true, false, sec_app},
	{"keys", false, true, false, sec_keys},
	{"functional-tests", false, true, false, sec_tests},
	{"ics", true, false, false, sec_ics},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static bool interpret(struct ctx *c, struct ev_product *p, struct ini_doc *d)
{
	unsigned seen[NKINDS] = {0};
	for (size_t i = 0; i < d->nsec; i++) {
		struct ini_section *s = &d->sec[i];
		size_t k = 0;
		while (k < NKINDS && strcmp(kinds[k].name, s->name))
			k++;
		if (k == NKINDS)
			return fail(c, s->line, "unknown section [%s]. Use product, user-info, component, "
			            "process, update-app, keys, functional-tests or ics.", s->name);
		if (kinds[k].once && seen[k])
			return fail(c, s->line, "section [%s] appears twice. Merge them.", s->name);
		if (!kinds[k].has_arg && s->arg)
			return fail(c, s->line, "section [%s] takes no argument.", s->name);
		seen[k]++;
		if (!kinds[k].fn(c, p, s))
			return false;
		for (size_t j = 0; j < s->nkv; j++)
			if (!s->kv[j].used)
				return fail(c, s->kv[j].line, "unknown key '%s' in [%s]. Check the spelling "
				            "against docs/product-description.md.", s->kv[j].key, s->name);
	}
	for (size_t k = 0; k < NKINDS; k++)
		if (kinds[k].required && !seen[k])
			return fail(c, 0, "the section [%s%s] is missing. Add it (see "
			            "docs/product-description.md).", kinds[k].name,
			            kinds[k].has_arg ? " ..." : "");
	return true;
}

bool ev_product_parse(struct ev_product *p, const char *text, const char *name, char *err,
                      size_t errcap)
{
	memset(p, 0, sizeof(*p));
	const char *base = strrchr(name, '/');
	p->file_name = ev_xstrdup(base ? base + 1 : name);
	/* the Supplier's statements in the pack come from these bytes */
	if (fws_sha256((const uint8_t *)text, strlen(text), p->sha256) != FWS_OK) {
		snprintf(err, errcap, "%s: cannot compute its SHA-256", p->file_name);
		return false;
	}
	struct ctx c = {p->file_name, err, errcap};
	struct ini_doc d;
	char e[200];
	if (!ini_parse(&d, text, e, sizeof(e))) {
		snprintf(err, errcap, "%s:%s", p->file_name, e);
		ev_product_free(p);
		return false;
	}
	bool ok = interpret(&c, p, &d);
	ini_free(&d);
	if (!ok)
		ev_product_free(p);
	return ok;
}

bool ev_product_load(struct ev_product *p, const char *path, char *err, size_t errcap)
{
	memset(p, 0, sizeof(*p));
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errcap, "cannot open the product description %s: %s. Check the path.",
		         path, strerror(errno));
		return false;
	}
	char *text = ev_xmalloc(PRODUCT_FILE_MAX + 1);
	size_t n = fread(text, 1, PRODUCT_FILE_MAX + 1, f);
	bool rd_err = ferror(f);
	fclose(f);
	if (rd_err || n > PRODUCT_FILE_MAX) {
		snprintf(err, errcap, "%s: %s.", path,
		         rd_err ? "read error" : "larger than 256 KiB, which no product description is");
		free(text);
		return false;
	}
	text[n] = '\0';
	if (memchr(text, '\0', n)) {
		snprintf(err, errcap, "%s: contains NUL bytes; it is not a text file.", path);
		free(text);
		return false;
	}
	bool ok = ev_product_parse(p, text, path, err, errcap);
	free(text);
	return ok;
}

void ev_product_free(struct ev_product *p)
{
	free(p->file_name);
	free(p->manufacturer);
	free(p->product_name);
	free(p->model);
	free(p->edition);
	free(p->fw_version);
	free(p->support_period_published);
	free(p->support_period_statement);
	free(p->model_designation_published);
	free(p->update_instructions);
	free(p->security_notice_shown);
	free(p->disruption_notice_shown);
	free(p->sbom_published_at);
	free(p->app.name);
	free(p->app.defaults_source);
	free(p->app.defaults_file);
	free(p->key_storage);
	free(p->key_lifecycle);
	free(p->key_revocation);
	for (size_t i = 0; i < p->ncomp; i++) {
		free(p->comp[i].name);
		free(p->comp[i].description);
		free(p->comp[i].justification);
		free(p->comp[i].replacement);
		free(p->comp[i].isolation);
	}
	free(p->comp);
	free(p->release_owner);
	free(p->security_owner);
	free(p->vulnerability_intake);
	free(p->triage);
	free(p->procedure);
	free(p->infrastructure);
	free(p->previous_package);
	free(p->test_signing_key);
	free(p->revoked_test_key);
	free(p->power_cut_command);
	for (unsigned i = 0; i < EV_PROVISIONS; i++) {
		free(p->ics[i].detail);
		free(p->ics[i].justification);
	}
	memset(p, 0, sizeof(*p));
}
