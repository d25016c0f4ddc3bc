/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checks.c - the tests that need no device: FT-09 (notices signed into the
 * package), CK-08 (this release's timeliness against the Supplier's own
 * target, 5.3-8) and CK-13 (the signed support-period end against the day of
 * the run and against the end date the Supplier publishes, 5.3-13). Each
 * logs the inputs it judged and where they come from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "ev_util.h"
#include "ics.h"

#define DAY 86400

static void verdict(struct ev_test *t, struct ev_buf *log, enum ev_verdict v, char *reason)
{
	t->verdict = v;
	t->reason = reason;
	ev_buf_printf(log, "verdict %s: %s\n", ev_verdict_name(v), reason);
	t->log = ev_buf_take(log);
}

static void notices(struct ev_pack *pk)
{
	const struct ev_pkgfacts *g = pk->pkg;
	struct ev_test *t = ev_pack_add_test(pk, "FT-09-notices-in-package");
	t->started = t->finished = pk->generated_at;
	struct ev_buf log = {0};
	char *digest = ev_hex(g->sha256, FWS_SHA256_LEN);
	ev_buf_printf(&log, "package %s (SHA-256 %s) verified against trust store %s\n",
	              g->file_name, digest, pk->trust->file_name);
	free(digest);
	ev_buf_printf(&log, "manifest security_update=%s severity=%s cves=%u risks_len=%zu\n",
	              g->m.security_update ? "yes" : "no", fws_severity_name(g->m.severity),
	              (unsigned)g->m.cve_count, strlen(g->risks));
	ev_buf_printf(&log, "manifest disruption reboot=%s downtime_s=%u\n",
	              g->m.reboot ? "yes" : "no", (unsigned)g->m.downtime_s);
	if (g->m.security_update && !g->risks[0])
		verdict(t, &log, EV_FAIL, ev_xstrdup("The package is marked as a security update but "
		                                     "names no risks mitigated."));
	else
		verdict(t, &log, EV_PASS,
		        ev_xasprintf("The signed manifest carries the security notice (%s%s%s) and the "
		                     "disruption notice (%s, %u s downtime); whether a user is shown "
		                     "them is FT-17's question.",
		                     g->m.security_update ? "security update, severity " :
		                                            "not a security update",
		                     g->m.security_update ? fws_severity_name(g->m.severity) : "",
		                     g->m.security_update && g->m.cve_count ? ", with CVE ids" : "",
		                     g->m.reboot ? "restart" : "no restart", (unsigned)g->m.downtime_s));
}

/* The release description's record, as the log states it. */
static void release_log(const struct ev_pack *pk, struct ev_buf *log)
{
	const struct ev_release *r = pk->release;
	if (!r || !r->file_name) {
		ev_buf_add(log, "release description: not given (fwseal evidence --release FILE)\n");
		return;
	}
	char *h = ev_hex(r->sha256, FWS_SHA256_LEN);
	ev_buf_printf(log, "release description %s (SHA-256 %s), checked against the signed "
	              "manifest\n", r->file_name, h);
	free(h);
}

static void timeliness(struct ev_pack *pk)
{
	const struct ev_pkgfacts *g = pk->pkg;
	const struct ev_product *p = pk->product;
	const struct ev_release *r = pk->release;
	if (!g->m.security_update) {
		char *d = ev_xasprintf("%s This release (%s) is not marked as a security update: no "
		                       "timeliness record applies to it.", pk->ics[7].detail,
		                       g->m.version);
		free(pk->ics[7].detail);
		pk->ics[7].detail = d;
		return;
	}
	struct ev_test *t = ev_pack_add_test(pk, "CK-08-timeliness");
	t->started = t->finished = pk->generated_at;
	struct ev_buf log = {0};
	uint32_t target = g->m.severity == FWS_SEVERITY_CRITICAL ? p->target_days_critical
	                  : g->m.severity == FWS_SEVERITY_HIGH   ? p->target_days_high
	                                                         : p->target_days_other;
	char conf[32], avail[32], pub[32];
	ev_date(g->m.release_date, pub);
	release_log(pk, &log);
	ev_buf_printf(&log, "severity %s (signed); target %u days (%s [process]); published %s "
	              "(signed release_date)\n", fws_severity_name(g->m.severity), (unsigned)target,
	              p->file_name, pub);
	if (!r || !r->vuln_confirmed) {
		verdict(t, &log, EV_INCONCLUSIVE,
		        ev_xstrdup("When the vulnerability was confirmed is not provided: give the "
		                   "release description with 'vulnerability_confirmed' (--release)."));
		return;
	}
	ev_date(r->vuln_confirmed, conf);
	int64_t days_pub = (g->m.release_date - r->vuln_confirmed) / DAY;
	struct ev_buf avail_txt = {0};
	if (r->fix_available) {
		ev_date(r->fix_available, avail);
		ev_buf_printf(&avail_txt, "fix available %s (%lld days)", avail,
		              (long long)((r->fix_available - r->vuln_confirmed) / DAY));
	} else {
		ev_buf_add(&avail_txt, "fix available: not provided");
	}
	ev_buf_printf(&log, "vulnerability confirmed %s; %s; published %s (%lld days)\n", conf,
	              avail_txt.s, pub, (long long)days_pub);
	if (days_pub > (int64_t)target)
		verdict(t, &log, EV_FAIL,
		        ev_xasprintf("Vulnerability confirmed %s, %s, release published %s: %lld days, "
		                     "more than the Supplier's %u-day target for severity %s.", conf,
		                     avail_txt.s, pub, (long long)days_pub, (unsigned)target,
		                     fws_severity_name(g->m.severity)));
	else
		verdict(t, &log, EV_PASS,
		        ev_xasprintf("Vulnerability confirmed %s, %s, release published %s: %lld days, "
		                     "within the Supplier's %u-day target for severity %s.", conf,
		                     avail_txt.s, pub, (long long)days_pub, (unsigned)target,
		                     fws_severity_name(g->m.severity)));
	free(avail_txt.s);
}

/* A YYYY-MM-DD date written in a published statement, or 0. */
static int64_t date_in(const char *text)
{
	for (const char *s = text; s && *s; s++) {
		char d[11];
		int64_t t;
		if (strlen(s) < 10)
			break;
		memcpy(d, s, 10);
		d[10] = '\0';
		if ((s == text || s[-1] < '0' || s[-1] > '9') && (s[10] < '0' || s[10] > '9') &&
		    ev_parse_date(d, &t))
			return t;
	}
	return 0;
}

static void support_period(struct ev_pack *pk)
{
	const struct ev_pkgfacts *g = pk->pkg;
	const struct ev_product *p = pk->product;
	struct ev_test *t = ev_pack_add_test(pk, "CK-13-support-period");
	t->started = t->finished = pk->generated_at;
	struct ev_buf log = {0};
	char end[32], today[32], pub[32];
	ev_date(g->m.support_end, end);
	ev_date(pk->generated_at, today);
	int64_t left = (g->m.support_end - pk->generated_at) / DAY;
	ev_buf_printf(&log, "support-period end signed in %s: %s; day of this run: %s (%lld days "
	              "left)\n", g->file_name, end, today, (long long)left);
	if (g->m.support_end <= pk->generated_at) {
		verdict(t, &log, EV_FAIL,
		        ev_xasprintf("The support period signed into release %s ended on %s, %lld days "
		                     "before this run (%s).", g->m.version, end, (long long)-left,
		                     today));
		return;
	}
	if (left < 365)
		ev_ics_find(pk, 13, EV_LEVEL_WARN, "the support period signed into this release ends "
		            "on %s, in %lld days", end, (long long)left);
	/* What users are told: the date the Supplier publishes, else one found
	 * in the published statement. */
	int64_t published = p->support_end_published;
	const char *from = "support_period_end_published";
	int64_t in_statement = p->support_period_statement ? date_in(p->support_period_statement)
	                                                    : 0;
	if (!published && in_statement) {
		published = in_statement;
		from = "a date in support_period_statement";
	}
	if (!published) {
		ev_buf_printf(&log, "published end date: not provided; statement: %s\n",
		              p->support_period_statement ? p->support_period_statement : "none");
		verdict(t, &log, EV_INCONCLUSIVE,
		        ev_xasprintf("The signed end date %s lies after this run, but %s names no "
		                     "published end date to compare it with (%s). Add "
		                     "'support_period_end_published = YYYY-MM-DD' to [user-info].",
		                     end, p->file_name,
		                     p->support_period_statement ? "its statement gives none"
		                                                 : "no statement either"));
		return;
	}
	ev_date(published, pub);
	ev_buf_printf(&log, "published end date (%s, %s): %s\n", p->file_name, from, pub);
	if (published != g->m.support_end) {
		verdict(t, &log, EV_FAIL,
		        ev_xasprintf("Users are told that support ends on %s (%s), but release %s signs "
		                     "%s.", pub, from, g->m.version, end));
		return;
	}
	/* the statement users read must not name another date either */
	if (in_statement && in_statement != published) {
		char said[32];
		ev_date(in_statement, said);
		ev_buf_printf(&log, "published statement (support_period_statement) names %s\n", said);
		verdict(t, &log, EV_FAIL,
		        ev_xasprintf("The published statement tells users that support ends on %s, but "
		                     "release %s signs %s (and %s says %s).", said, g->m.version, end,
		                     from, pub));
		return;
	}
	verdict(t, &log, EV_PASS,
	        ev_xasprintf("Release %s signs support until %s, %lld days after this run, the end "
	                     "date published to users (%s).", g->m.version, end, (long long)left,
	                     from));
}

void ev_checks_run(struct ev_pack *pk)
{
	timeliness(pk);
	notices(pk);
	support_period(pk);
}
