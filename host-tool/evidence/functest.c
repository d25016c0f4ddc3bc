/* SPDX-License-Identifier: Apache-2.0 */
/*
 * functest.c - functional tests against one DUT over one interface (TS 103
 * 701: does the DUT behave as the IXIT says?), each tied to the provision it
 * supports and backed by its log. The device is brought to a known state
 * before the tests that need one, and every test logs the state it found:
 *
 *   identify (FT-01), compare its trust store (FT-16);
 *   known state "runs N-1": the previous release is installed if needed;
 *   break the link mid-update (FT-10), cut the power mid-update (FT-11);
 *   upgrade N-1 -> N with the fwseal command a user types (FT-02), and judge
 *   what it showed before installing (FT-17);
 *   known state "runs N": support period (FT-03), then everything that must
 *   be refused (ft_refusal.c); at the end the DUT runs the release.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ft_int.h"
#include "fwseal-host/package.h"
#include "fwseal-host/session.h"
#include "proc.h"

#define CLI_LIMIT_MS (10u * 60u * 1000u)

static int64_t now_s(const struct ft *f)
{
	return f->o->clock ? f->o->clock() : (int64_t)time(NULL);
}

void ft_note(struct ft *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ev_buf_vprintf(&f->log, fmt, ap);
	va_end(ap);
	ev_buf_add(&f->log, "\n");
}

void ft_begin(struct ft *f, const char *id)
{
	f->t = ev_pack_add_test(f->pk, id);
	f->t->started = now_s(f);
	f->t->transport = ev_xstrdup(f->transport);
	f->t->device = ev_xstrdup(f->o->device);
	f->d.log = &f->log;
	ft_note(f, "%s over %s, device %s", id, f->transport, f->o->device);
	if (f->o->progress) {
		char *line = ev_xasprintf("%s (%s)", id, f->transport);
		f->o->progress(f->o->user, line);
		free(line);
	}
}

void ft_verdict(struct ft *f, enum ev_verdict v, const char *fmt, ...)
{
	struct ev_buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	ev_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	f->t->verdict = v;
	f->t->reason = ev_buf_take(&b);
	f->t->finished = now_s(f);
	f->t->device_serial = f->serial[0] ? ev_xstrdup(f->serial) : NULL;
	ft_note(f, "verdict %s: %s", ev_verdict_name(v), f->t->reason);
	f->t->log = ev_buf_take(&f->log);
	if (f->o->progress) {
		char *line = ev_xasprintf("%s: %s", ev_verdict_name(v), f->t->reason);
		f->o->progress(f->o->user, line);
		free(line);
	}
}

bool ft_read_info(struct ft *f, const char *when)
{
	f->have_info = dut_info(&f->d, &f->info);
	if (f->have_info) {
		dut_log_info(&f->d, when, &f->info);
		snprintf(f->serial, sizeof(f->serial), "%s", f->info.serial);
	}
	return f->have_info;
}

bool ft_runs(const fws_devinfo *i, const struct ev_pkgfacts *g)
{
	const fws_manifest *m = &g->m;
	int a = dut_active_slot(i);
	uint8_t img[FWS_SHA256_LEN];
	if (dut_image_sha256(i, img) && memcmp(img, m->image_sha256, FWS_SHA256_LEN) != 0)
		return false;
	return i->boot_state == FWS_BOOT_APP && !strcmp(i->fw_version, m->version) && a >= 0 &&
	       i->slots[a].state == FWS_SLOT_CONFIRMED &&
	       i->slots[a].security_counter == m->security_counter &&
	       i->security_counter >= m->security_counter;
}

int ft_pending_slot(const fws_devinfo *i)
{
	for (unsigned k = 0; k < FWS_DEVINFO_SLOTS; k++) {
		uint8_t s = i->slots[k].state;
		if (i->slots[k].present && (s == FWS_SLOT_STAGED || s == FWS_SLOT_TESTING))
			return (int)k;
	}
	return -1;
}

char *ft_describe(const fws_devinfo *i)
{
	uint8_t img[FWS_SHA256_LEN];
	char *h = dut_image_sha256(i, img) ? ev_hex(img, FWS_SHA256_LEN)
	                                   : ev_xstrdup("not reported");
	char *s;
	if (i->boot_state != FWS_BOOT_APP)
		s = ev_xasprintf("no application (waiting in its update stub), stored counter %u",
		                 (unsigned)i->security_counter);
	else
		s = ev_xasprintf("firmware %s from slot %d, stored counter %u, image SHA-256 %s",
		                 i->fw_version, dut_active_slot(i), (unsigned)i->security_counter, h);
	free(h);
	return s;
}

char *ft_same_state(const fws_devinfo *b, const fws_devinfo *a)
{
	int p = ft_pending_slot(a);
	if (p >= 0)
		return ev_xasprintf("slot %d is %s, ready to boot", p,
		                    fws_slot_state_name(a->slots[p].state));
	uint8_t hb[FWS_SHA256_LEN], ha[FWS_SHA256_LEN];
	bool kb = dut_image_sha256(b, hb), ka = dut_image_sha256(a, ha);
	if (a->boot_state != b->boot_state || strcmp(a->fw_version, b->fw_version) != 0 ||
	    dut_active_slot(a) != dut_active_slot(b) || a->security_counter != b->security_counter ||
	    kb != ka || (kb && memcmp(hb, ha, FWS_SHA256_LEN) != 0)) {
		char *was = ft_describe(b), *now = ft_describe(a);
		char *s = ev_xasprintf("it ran %s and now runs %s", was, now);
		free(was);
		free(now);
		return s;
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */

/* What the device says about itself goes into its record in the pack. */
static void record_device(struct ft *f)
{
	struct ev_device *d = f->dev;
	const fws_devinfo *i = &f->info;
	d->answered = true;
	d->serial = ev_xstrdup(i->serial);
	d->model = ev_xstrdup(i->model);
	d->stub_version = ev_xstrdup(i->stub_version);
	d->simulator = dut_is_simulator(i);
	d->crypto_lib = dut_crypto_lib(i) ? ev_xstrdup(dut_crypto_lib(i)) : NULL;
	struct ev_buf b = {0};
	for (unsigned k = 0; k < i->key_count; k++) {
		char *id = ev_hex(i->keys[k].id, FWS_KEY_ID_LEN);
		ev_buf_printf(&b, "%s%s%s", k ? ", " : "", id,
		              (i->keys[k].flags & FWS_TRUST_REVOKED) ? " (revoked)" : "");
		free(id);
	}
	d->keys = ev_buf_take(&b);
	if (!d->keys[0]) {
		free(d->keys);
		d->keys = ev_xstrdup("none");
	}
}

static void t_model(struct ft *f)
{
	ft_begin(f, "FT-01-model-readable");
	const struct ev_pkgfacts *g = f->pk->pkg;
	if (!ft_read_info(f, "device")) {
		ft_verdict(f, EV_INCONCLUSIVE, "The device did not return its device-info record.");
		return;
	}
	record_device(f);
	if (dut_is_simulator(&f->info))
		ft_note(f, "the device reports itself as a simulation (device-info SIMULATOR)");
	if (strcmp(f->info.model, g->m.model) != 0)
		ft_verdict(f, EV_FAIL, "The device reports model '%s', the package and product "
		           "description name '%s'.", f->info.model, g->m.model);
	else if (f->info.hw_rev != f->pk->product->hw_rev)
		ft_verdict(f, EV_FAIL, "The device reports hardware revision %u, the product description "
		           "names %u.", (unsigned)f->info.hw_rev, (unsigned)f->pk->product->hw_rev);
	else
		ft_verdict(f, EV_PASS, "The device reports model designation '%s', hardware revision %u, "
		           "serial number %s over %s.", f->info.model, (unsigned)f->info.hw_rev,
		           f->info.serial, f->transport);
}

/* The keys the device trusts are the trust store the pack describes. */
static void t_trust(struct ft *f)
{
	ft_begin(f, "FT-16-trust-store");
	const fws_trust *t = &f->pk->trust->trust;
	if (!ft_read_info(f, "device")) {
		ft_verdict(f, EV_INCONCLUSIVE, "The device did not return its device-info record.");
		return;
	}
	ft_note(f, "trust store file %s: %u key(s)", f->pk->trust->file_name, (unsigned)t->count);
	struct ev_buf diff = {0};
	for (unsigned k = 0; k < t->count; k++) {
		char *id = ev_hex(t->keys[k].id, FWS_KEY_ID_LEN);
		bool rev = (t->keys[k].flags & FWS_TRUST_REVOKED) != 0;
		ft_note(f, "file: %s%s", id, rev ? " revoked" : "");
		int found = -1;
		for (unsigned j = 0; j < f->info.key_count && found < 0; j++)
			if (!memcmp(f->info.keys[j].id, t->keys[k].id, FWS_KEY_ID_LEN))
				found = (int)j;
		if (found < 0)
			ev_buf_printf(&diff, "%skey %s of the file is missing on the device",
			              diff.len ? "; " : "", id);
		else if (((f->info.keys[found].flags & FWS_TRUST_REVOKED) != 0) != rev)
			ev_buf_printf(&diff, "%skey %s is %s in the file but %s on the device",
			              diff.len ? "; " : "", id, rev ? "revoked" : "trusted",
			              rev ? "trusted" : "revoked");
		free(id);
	}
	for (unsigned j = 0; j < f->info.key_count; j++) {
		char *id = ev_hex(f->info.keys[j].id, FWS_KEY_ID_LEN);
		ft_note(f, "device: %s%s", id,
		        (f->info.keys[j].flags & FWS_TRUST_REVOKED) ? " revoked" : "");
		if (!fws_trust_find(t, f->info.keys[j].id))
			ev_buf_printf(&diff, "%sthe device trusts key %s, which the file does not list",
			              diff.len ? "; " : "", id);
		free(id);
	}
	if (diff.len)
		ft_verdict(f, EV_FAIL, "The device's trust store is not the trust store file %s: %s.",
		           f->pk->trust->file_name, diff.s);
	else
		ft_verdict(f, EV_PASS, "The device reports exactly the %u key id(s) of %s, with the "
		           "same revocations.", (unsigned)t->count, f->pk->trust->file_name);
	free(diff.s);
}

/* Install a package with libfwseal-host's flashing session: the restore and
 * the known state "runs N-1", not the tests themselves. */
bool ft_flash(struct ft *f, const char *path, bool fresh, fws_devinfo *after, char *why,
              size_t cap, bool *link_lost)
{
	*link_lost = false;
	const fwh_flash_opts opts = {.no_resume = fresh};
	fwh_package pkg;
	fwh_error e;
	fwh_error_clear(&e);
	if (fwh_package_open(&pkg, path, &f->pk->trust->trust, &e) != FWS_OK) {
		snprintf(why, cap, "%s", e.msg);
		return false;
	}
	if (!f->d.l && fwh_open(f->d.device, NULL, &f->d.l, &e) != FWS_OK) {
		snprintf(why, cap, "%s", e.msg);
		fwh_package_close(&pkg);
		return false;
	}
	fwh_flash_result res;
	fws_err x = fwh_flash(&f->d.l, &pkg, &opts, &res, &e);
	fwh_package_close(&pkg);
	ft_note(f, "flashing session (libfwseal-host): %s%s, %llu bytes sent",
	        x == FWS_OK ? "done" : "failed", res.resumed ? " (resumed)" : "",
	        (unsigned long long)res.sent);
	if (x == FWS_OK) {
		*after = res.after;
		return true;
	}
	snprintf(why, cap, "%s", e.msg);
	ft_note(f, "flash error: %s (%s)", e.msg, fws_err_name(x));
	if (!e.from_device && (x == FWS_E_TIMEOUT || x == FWS_E_DISCONNECTED || x == FWS_E_IO ||
	                       x == FWS_E_NO_DEVICE)) {
		if (f->d.l)
			fwh_close(f->d.l);
		f->d.l = NULL;
		if (dut_info(&f->d, after)) {
			ft_note(f, "link lost on the host side; the device answers again");
			return true;
		}
		*link_lost = true;
	}
	return false;
}

/* Known state "runs N-1" (f->prev) for the interruption tests and the
 * upgrade: logged into the current log; false with the reason logged. */
static void to_previous(struct ft *f)
{
	f->d.log = &f->log;
	ft_note(f, "known state for FT-10, FT-11 and FT-02: the device runs the previous release");
	if (!f->have_prev) {
		ft_note(f, "no previous release: %s", f->prev_why);
		return;
	}
	if (!ft_read_info(f, "found"))
		return;
	if (ft_runs(&f->info, &f->prev)) {
		ft_note(f, "it runs %s already", f->prev.m.version);
		return;
	}
	if (f->info.security_counter > f->prev.m.security_counter) {
		ft_note(f, "it stores counter %u, above the previous release's %u: the previous "
		        "release cannot be installed (anti-rollback)", (unsigned)f->info.security_counter,
		        (unsigned)f->prev.m.security_counter);
		return;
	}
	char why[600];
	bool lost;
	fws_devinfo after;
	ft_note(f, "install the previous release %s (version %s)", f->prev.file_name,
	        f->prev.m.version);
	if (!ft_flash(f, f->o->previous_path, false, &after, why, sizeof(why), &lost) ||
	    !ft_runs(&after, &f->prev))
		ft_note(f, "the previous release could not be installed: %s", why);
	else
		dut_log_info(&f->d, "now", &after);
}

bool ft_start_on_release(struct ft *f)
{
	const struct ev_pkgfacts *g = f->pk->pkg;
	if (!ft_read_info(f, "before"))
		return false;
	if (ft_runs(&f->info, g)) {
		ft_note(f, "known state: the device runs the release");
		return true;
	}
	char *d = ft_describe(&f->info);
	ft_note(f, "the device runs %s, not the release: install the release %s (version %s) "
	        "to reach the known state", d, g->file_name, g->m.version);
	free(d);
	char why[600] = "";
	bool lost;
	fws_devinfo after;
	bool ok = ft_flash(f, f->o->package_path, true, &after, why, sizeof(why), &lost);
	if (ok && !ft_runs(&after, g)) {
		char *now = ft_describe(&after);
		snprintf(why, sizeof(why), "afterwards it runs %s", now);
		free(now);
		ok = false;
	}
	if (!ok)
		ft_note(f, "the release could not be installed (%s): tested as it is", why);
	if (!ft_read_info(f, "before"))
		return false;
	if (ok)
		ft_note(f, "known state: the device runs the release");
	return true;
}

bool ft_begin_from_previous(struct ft *f, const char *id, fws_devinfo *before)
{
	ft_begin(f, id);
	to_previous(f);
	if (!ft_read_info(f, "before")) {
		ft_verdict(f, EV_INCONCLUSIVE, "The device did not return its device-info record.");
		return false;
	}
	*before = f->info;
	return true;
}

/* The fwseal command a user types, run as a program so what it prints is
 * what a user sees. The link is closed while it runs (a serial port has one
 * owner). fresh: --no-resume, so the command sends the whole release. */
static bool run_cli(struct ft *f, bool fresh, struct ev_proc_result *r)
{
	dut_close_link(&f->d);
	const char *argv[] = {f->o->cli_path, "flash", f->o->package_path, "--device",
	                      f->o->device, "--trust", f->o->trust_path, "--yes", "--no-records",
	                      fresh ? "--no-resume" : NULL, NULL};
	ft_note(f, "$ fwseal flash %s --device %s --trust %s --yes --no-records%s",
	        f->pk->pkg->file_name, f->o->device, f->pk->trust->file_name,
	        fresh ? " --no-resume" : "");
	ev_proc_run(argv, NULL, CLI_LIMIT_MS, r);
	ft_note(f, "--- what it printed (stdout) ---\n%s--- (stderr) ---\n%s--- exit %d%s ---",
	        r->out, r->err, r->status, r->timed_out ? " (timed out)" : "");
	return r->status == 0;
}

static void t_authentic(struct ft *f)
{
	const struct ev_pkgfacts *g = f->pk->pkg;
	fws_devinfo before;
	if (!ft_begin_from_previous(f, "FT-02-authentic-update", &before))
		return;
	char *was = ft_describe(&before);
	if (ft_runs(&before, g) || before.security_counter > g->m.security_counter) {
		f->cli_why = ev_xasprintf("the device already ran %s before the upgrade test", was);
		ft_verdict(f, EV_INCONCLUSIVE, "The device runs %s, not an older release: an N-1 -> N "
		           "upgrade cannot be shown on it. Give --previous and a device that runs it "
		           "(or nothing).", was);
		free(was);
		return;
	}
	bool upgrade_from_prev = f->have_prev && ft_runs(&before, &f->prev);
	/* An earlier test (FT-10, FT-11) may have left an interrupted download
	 * of the release; resuming it would send only its end, so the upgrade
	 * starts over and this command sends the whole release. */
	bool fresh = before.has_resume;
	if (fresh)
		ft_note(f, "the device holds an interrupted download from an earlier test (resume "
		        "point at stream offset %u): the upgrade starts over (--no-resume), so this "
		        "command sends the whole release", (unsigned)before.resume_offset);
	fws_devinfo after;
	bool ok;
	const char *how;
	int status = 0;
	if (f->o->cli_path) {
		struct ev_proc_result r;
		ok = run_cli(f, fresh, &r);
		status = r.status;
		f->cli_out = ev_xstrdup(r.out);
		ev_proc_free(&r);
		ok = ft_read_info(f, "after") && ok;
		after = f->info;
		how = "The fwseal command";
	} else {
		char why[600];
		bool lost;
		f->cli_why = ev_xstrdup("the fwseal program was not given to the run (the library "
		                        "session installed the release instead)");
		ok = ft_flash(f, f->o->package_path, fresh, &after, why, sizeof(why), &lost);
		if (ok)
			dut_log_info(&f->d, "after", &after);
		how = "The flashing session";
	}
	char *now = ft_describe(&after);
	if (!ft_runs(&after, g))
		ft_verdict(f, EV_FAIL, "%s did not install the release: the device ran %s and runs %s "
		           "afterwards%s.", how, was, now, status ? " (the command failed)" : "");
	else if (!ok)
		ft_verdict(f, EV_FAIL, "The device runs the release, but the fwseal command exited %d "
		           "(a user is told it failed).", status);
	else
		ft_verdict(f, upgrade_from_prev ? EV_PASS : EV_INCONCLUSIVE,
		           "%s upgraded the device from %s to %s: it restarted into the release and "
		           "confirmed it.%s", how, was, now,
		           upgrade_from_prev ? "" : " The device did not run the previous release "
		           "before, so this is not the N-1 -> N upgrade the test asks for.");
	free(was);
	free(now);
}

/* Does text state a duration of n seconds ("30 s", "30s", "30 seconds",
 * "30 Sekunden")? The command's wording and language may change; the number
 * and its unit are what a user reads. */
static const char *seconds_in(const char *text, uint32_t n)
{
	char num[16];
	snprintf(num, sizeof(num), "%u", (unsigned)n);
	size_t l = strlen(num);
	for (const char *p = strstr(text, num); p; p = strstr(p + 1, num)) {
		if (p > text && p[-1] >= '0' && p[-1] <= '9')
			continue;
		const char *q = p + l;
		while (*q == ' ')
			q++;
		if (*q == 's' || *q == 'S')
			return p;
	}
	return NULL;
}

/* 5.3-11 / 5.3-12: what the command showed before it installed. */
static void t_shown(struct ft *f)
{
	ft_begin(f, "FT-17-notices-shown");
	const struct ev_pkgfacts *g = f->pk->pkg;
	if (!f->cli_out) {
		ft_verdict(f, EV_INCONCLUSIVE, "Not demonstrated: the fwseal command did not install "
		           "the release over this interface (%s).", f->cli_why ? f->cli_why : "no run");
		return;
	}
	/* the plan is everything before the result line */
	char *plan = ev_xstrdup(f->cli_out);
	char *done = strstr(plan, "\nDone:");
	if (done)
		done[1] = '\0';
	struct ev_buf missing = {0}, quoted = {0};
	const char *need[FWS_CVE_COUNT_MAX + 2];
	unsigned nn = 0;
	char risks[200] = "";
	if (g->m.security_update) {
		/* the first line of the risks text identifies it */
		snprintf(risks, sizeof(risks), "%.*s", (int)strcspn(g->risks, "\n"), g->risks);
		if (risks[0])
			need[nn++] = risks;
		for (unsigned i = 0; i < g->m.cve_count; i++)
			need[nn++] = g->cves[i];
	}
	for (unsigned i = 0; i < nn; i++)
		if (!strstr(plan, need[i]))
			ev_buf_printf(&missing, "%s'%s'", missing.len ? ", " : "", need[i]);
	if (!seconds_in(plan, g->m.downtime_s))
		ev_buf_printf(&missing, "%sthe downtime (%u s)", missing.len ? ", " : "",
		              (unsigned)g->m.downtime_s);
	/* quote the lines that carry them */
	for (char *save = NULL, *l = strtok_r(plan, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		bool carries = seconds_in(l, g->m.downtime_s) != NULL;
		for (unsigned i = 0; i < nn && !carries; i++)
			carries = strstr(l, need[i]) != NULL;
		if (carries)
			ev_buf_printf(&quoted, "%s\"%s\"", quoted.len ? " / " : "", l);
	}
	free(plan);
	if (missing.len)
		ft_verdict(f, EV_FAIL, "Before installing, fwseal showed the user %s, but not %s.",
		           quoted.len ? quoted.s : "none of the notices", missing.s);
	else
		ft_verdict(f, EV_PASS, "Before installing, `fwseal flash` showed the user: %s.", quoted.s);
	free(missing.s);
	free(quoted.s);
}

static void t_support(struct ft *f)
{
	ft_begin(f, "FT-03-support-period-readable");
	const fws_manifest *m = &f->pk->pkg->m;
	char want[32], got[32];
	ev_date(m->support_end, want);
	if (!ft_start_on_release(f)) {
		ft_verdict(f, EV_INCONCLUSIVE, "The device did not return its device-info record.");
		return;
	}
	if (!ft_runs(&f->info, f->pk->pkg)) {
		char *d = ft_describe(&f->info);
		ft_verdict(f, EV_INCONCLUSIVE, "The device runs %s, not the release, so the support "
		           "period it reports is not this release's.", d);
		free(d);
		return;
	}
	ev_date(f->info.support_end, got);
	if (f->info.support_end == 0)
		ft_verdict(f, EV_FAIL, "The device reports no support-period end.");
	else if (f->info.support_end != m->support_end)
		ft_verdict(f, EV_FAIL, "The device reports support until %s, the release says %s.", got,
		           want);
	else
		ft_verdict(f, EV_PASS, "The device reports the release's support-period end, %s.", got);
}

/* Leave the DUT running the release. */
static void restore(struct ft *f)
{
	f->d.log = &f->log;
	if (ft_read_info(f, "final") && ft_runs(&f->info, f->pk->pkg)) {
		f->dev->after = ev_xstrdup("runs the release (confirmed); nothing to restore");
	} else {
		fws_devinfo after;
		char why[600];
		bool lost;
		bool ok = ft_flash(f, f->o->package_path, false, &after, why, sizeof(why), &lost) &&
		          ft_runs(&after, f->pk->pkg);
		f->dev->after = ev_xstrdup(ok ? "restored to the release (re-installed after the tests)"
		                              : "NOT restored: re-install the release by hand");
	}
	ev_buf_free(&f->log);
}

static void load_previous(struct ft *f)
{
	const struct ev_pkgfacts *g = f->pk->pkg;
	if (!f->o->previous_path) {
		snprintf(f->prev_why, sizeof(f->prev_why), "none given (--previous or "
		         "previous_package)");
		return;
	}
	char err[600];
	if (!ev_pkg_load(&f->prev, f->o->previous_path, &f->pk->trust->trust, err, sizeof(err))) {
		snprintf(f->prev_why, sizeof(f->prev_why), "%s", err);
		return;
	}
	if (f->prev.m.security_counter >= g->m.security_counter || strcmp(f->prev.m.model,
	                                                                   g->m.model)) {
		snprintf(f->prev_why, sizeof(f->prev_why), "%s (model %s, counter %u) is not an older "
		         "release of this model (counter %u)", f->prev.file_name, f->prev.m.model,
		         (unsigned)f->prev.m.security_counter, (unsigned)g->m.security_counter);
		ev_pkg_free(&f->prev);
		return;
	}
	f->have_prev = true;
}

bool ev_functional_run(struct ev_pack *pk, const struct ev_ft_opts *o, char *err, size_t cap)
{
	struct ft f;
	memset(&f, 0, sizeof(f));
	f.pk = pk;
	f.o = o;
	/* the tests must run over a mechanism the pack claims is in scope */
	int m = ev_mech_from_device(o->device);
	if (m < 0 || !(pk->product->interfaces & (1u << m))) {
		snprintf(err, cap, "the device %s is reached over %s, which %s does not list in "
		         "'interfaces'. Add it there or test over a listed interface.", o->device,
		         m < 0 ? "an unknown transport" : ev_mech_get((enum ev_mech)m)->name,
		         pk->product->file_name);
		return false;
	}
	f.transport = ev_mech_get((enum ev_mech)m)->key;
	for (size_t i = 0; i < pk->ndevices; i++) {
		if (!strcmp(pk->devices[i].transport, f.transport)) {
			snprintf(err, cap, "two devices for %s: give one --device per interface.",
			         ev_mech_get((enum ev_mech)m)->name);
			return false;
		}
	}
	if (!dut_open(&f.d, o->device, err, cap))
		return false;
	pk->devices = ev_xrealloc(pk->devices, (pk->ndevices + 1) * sizeof(*pk->devices));
	f.dev = &pk->devices[pk->ndevices++];
	memset(f.dev, 0, sizeof(*f.dev));
	f.dev->transport = ev_xstrdup(f.transport);
	f.dev->device = ev_xstrdup(o->device);
	f.d.log = &f.log;
	load_previous(&f);

	t_model(&f);
	t_trust(&f);
	if (f.have_info)
		ev_key_lifecycle(pk, &f.info); /* 5.3-7 from the device's report */
	ft_cable_pull(&f);
	ft_power_cut(&f);
	t_authentic(&f);
	t_shown(&f);
	t_support(&f);
	ft_tampered(&f);
	ft_bad_signature(&f);
	ft_wrong_key(&f);
	ft_downgrade(&f);
	ft_wrong_model(&f);
	ft_revoked_key(&f);
	ft_wrong_hw_rev(&f);
	ft_wrong_component(&f);
	ft_truncated(&f);
	restore(&f);
	dut_close(&f.d);
	if (f.have_prev)
		ev_pkg_free(&f.prev);
	free(f.cli_out);
	free(f.cli_why);
	return true;
}
