/* SPDX-License-Identifier: Apache-2.0 */
/*
 * functest.c - functional tests against the DUT (TS 103 701: does the DUT
 * behave as the IXIT says?), each tied to the provision it supports and
 * backed by its log. Order: identify the DUT, install the release the
 * authentic way, then try what must be refused (ft_refusal.c), then
 * interrupt an update; at the end the DUT runs the release again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ft_int.h"
#include "fwseal-host/package.h"
#include "fwseal-host/session.h"

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

void ft_begin(struct ft *f, const char *id, const char *title, const char *prov)
{
	f->t = ev_pack_add_test(f->pk, id, title, prov);
	f->t->started = now_s(f);
	f->d.log = &f->log;
	if (f->o->progress)
		f->o->progress(f->o->user, id);
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
	f->t->device_serial = ev_xstrdup(f->serial[0] ? f->serial : "unknown");
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

/* ---------------------------------------------------------------------- */

static void t_model(struct ft *f)
{
	ft_begin(f, "FT-01-model-readable", "Model designation readable over the update interface",
	      "5.3-16");
	const struct ev_pkgfacts *g = f->pk->pkg;
	ft_note(f, "read the device-info record over %s", f->d.device);
	if (!ft_read_info(f, "device")) {
		ft_verdict(f, EV_INCONCLUSIVE, "The device did not return its device-info record.");
		return;
	}
	if (strcmp(f->info.model, g->m.model) != 0)
		ft_verdict(f, EV_FAIL, "The device reports model '%s', the package and product "
		        "description name '%s'.", f->info.model, g->m.model);
	else if (f->info.hw_rev != f->pk->product->hw_rev)
		ft_verdict(f, EV_FAIL, "The device reports hardware revision %u, the product description "
		        "names %u.", (unsigned)f->info.hw_rev, (unsigned)f->pk->product->hw_rev);
	else
		ft_verdict(f, EV_PASS, "The device reports model designation '%s', hardware revision %u, "
		        "serial number %s over its update interface.", f->info.model,
		        (unsigned)f->info.hw_rev, f->info.serial);
}

/* Install the release the way users do (libfwseal-host's flashing session). */
static bool flash_release(struct ft *f, fws_devinfo *after, char *why, size_t cap,
                          bool *link_lost)
{
	*link_lost = false;
	fwh_package pkg;
	fwh_error e;
	fwh_error_clear(&e);
	if (fwh_package_open(&pkg, f->o->package_path, &f->pk->trust->trust, &e) != FWS_OK) {
		snprintf(why, cap, "%s", e.msg);
		return false;
	}
	if (!f->d.l && fwh_open(f->d.device, NULL, &f->d.l, &e) != FWS_OK) {
		snprintf(why, cap, "%s", e.msg);
		fwh_package_close(&pkg);
		return false;
	}
	fwh_flash_result res;
	fws_err x = fwh_flash(&f->d.l, &pkg, NULL, &res, &e);
	fwh_package_close(&pkg);
	ft_note(f, "fwseal flash session: %s%s, %llu bytes sent", x == FWS_OK ? "done" : "failed",
	     res.resumed ? " (resumed)" : "", (unsigned long long)res.sent);
	if (x == FWS_OK) {
		*after = res.after;
		return true;
	}
	snprintf(why, cap, "%s", e.msg);
	ft_note(f, "flash error: %s (%s)", e.msg, fws_err_name(x));
	if (!e.from_device && (x == FWS_E_TIMEOUT || x == FWS_E_DISCONNECTED || x == FWS_E_IO ||
	                       x == FWS_E_NO_DEVICE)) {
		/* the host lost the link (e.g. USB re-enumeration after the restart):
		 * what counts is what the device runs now */
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

static bool runs_release(const struct ft *f, const fws_devinfo *i)
{
	const fws_manifest *m = &f->pk->pkg->m;
	int a = dut_active_slot(i);
	return i->boot_state == FWS_BOOT_APP && !strcmp(i->fw_version, m->version) && a >= 0 &&
	       i->slots[a].state == FWS_SLOT_CONFIRMED && i->slots[a].security_counter ==
	       m->security_counter;
}

static void t_authentic(struct ft *f)
{
	ft_begin(f, "FT-02-authentic-update", "Authentic release package accepted and installed",
	      "5.3-2, 5.3-3");
	const fws_manifest *m = &f->pk->pkg->m;
	if (ft_read_info(f, "before"))
		ft_note(f, "install %s (version %s, counter %u) with the fwseal flashing session",
		     f->pk->pkg->file_name, m->version, (unsigned)m->security_counter);
	fws_devinfo after;
	char why[600];
	bool lost;
	if (!flash_release(f, &after, why, sizeof(why), &lost)) {
		ft_verdict(f, lost ? EV_INCONCLUSIVE : EV_FAIL, "%s: %s", lost ? "The link to the device "
		        "was lost during the update" : "The device did not accept the authentic "
		        "release", why);
		return;
	}
	dut_log_info(&f->d, "after", &after);
	if (!runs_release(f, &after) || after.security_counter < m->security_counter)
		ft_verdict(f, EV_FAIL, "After the update the device runs '%s' (counter %u), not the "
		        "confirmed release %s (counter %u).", after.fw_version,
		        (unsigned)after.security_counter, m->version, (unsigned)m->security_counter);
	else
		ft_verdict(f, EV_PASS, "One flashing session installed release %s; the device restarted "
		        "into it, confirmed it and stores security counter %u.", m->version,
		        (unsigned)after.security_counter);
}

static void t_support(struct ft *f)
{
	ft_begin(f, "FT-03-support-period-readable",
	      "Support period readable from the device", "5.3-13");
	const fws_manifest *m = &f->pk->pkg->m;
	char want[32], got[32];
	ev_date(m->support_end, want);
	if (!ft_read_info(f, "device")) {
		ft_verdict(f, EV_INCONCLUSIVE, "The device did not return its device-info record.");
		return;
	}
	if (!runs_release(f, &f->info)) {
		ft_verdict(f, EV_INCONCLUSIVE, "The device does not run the release, so the support "
		        "period it reports is not this release's.");
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

static void t_interrupted(struct ft *f)
{
	ft_begin(f, "FT-10-interrupted-update", "Interrupted update leaves a bootable device and "
	      "completes when repeated", "5.3-2");
	const struct ev_pkgfacts *g = f->pk->pkg;
	if (!ft_read_info(f, "before")) {
		ft_verdict(f, EV_INCONCLUSIVE, "The device did not return its device-info record.");
		return;
	}
	fws_devinfo before = f->info;
	uint64_t half = g->prefix_len + (g->stream_len - g->prefix_len) / 2u;
	ft_note(f, "send the release up to stream offset %llu of %zu, then pull the cable",
	     (unsigned long long)half, g->stream_len);
	struct dut_result r;
	dut_send(&f->d, g->data, g->stream_len, half, &r);
	if (r.outcome != DUT_STOPPED) {
		ft_verdict(f, r.outcome == DUT_REFUSED ? EV_FAIL : EV_INCONCLUSIVE,
		        "The first half of the release did not go through: %s.", r.msg);
		return;
	}
	dut_drop(&f->d);
	fws_devinfo boot;
	if (!dut_restart(&f->d, &boot)) {
		ft_verdict(f, EV_FAIL, "After the interruption and a restart the device did not answer.");
		return;
	}
	dut_log_info(&f->d, "after interruption and restart", &boot);
	if (boot.boot_state != before.boot_state || strcmp(boot.fw_version, before.fw_version)) {
		ft_verdict(f, EV_FAIL, "After the interruption the device runs '%s' (%s) instead of what "
		        "it ran before ('%s').", boot.fw_version, fws_boot_state_name(boot.boot_state),
		        before.fw_version);
		return;
	}
	ft_note(f, "device still runs %s; repeat the update with the fwseal flashing session",
	     boot.fw_version[0] ? boot.fw_version : "(nothing)");
	fws_devinfo after;
	char why[600];
	bool lost;
	if (!flash_release(f, &after, why, sizeof(why), &lost)) {
		ft_verdict(f, lost ? EV_INCONCLUSIVE : EV_FAIL, "Repeating the interrupted update "
		        "failed%s: %s", lost ? " (link lost)" : "", why);
		return;
	}
	dut_log_info(&f->d, "after", &after);
	if (!runs_release(f, &after)) {
		ft_verdict(f, EV_FAIL, "After repeating the update the device does not run the confirmed "
		        "release %s.", g->m.version);
		return;
	}
	ft_verdict(f, EV_PASS, "The interrupted device kept running %s; repeating the update "
	        "installed %s.", before.fw_version[0] ? before.fw_version : "its stub",
	        g->m.version);
}

/* Leave the DUT as the release left it (issue 7: restored afterwards). */
static void restore(struct ft *f)
{
	f->d.log = &f->log;
	ft_note(f, "restore: make sure the device runs the release");
	if (ft_read_info(f, "final") && runs_release(f, &f->info)) {
		ev_entry_text(&f->pk->dut, "device_after_tests", "Device state after the tests",
		              "runs the release (confirmed); nothing to restore");
	} else {
		fws_devinfo after;
		char why[600];
		bool lost;
		bool ok = flash_release(f, &after, why, sizeof(why), &lost) &&
		          runs_release(f, &after);
		ev_entry_textf(&f->pk->dut, "device_after_tests", "Device state after the tests", "%s",
		               ok ? "restored to the release (re-installed after the tests)"
		                  : "NOT restored: re-install the release by hand");
	}
	ev_buf_free(&f->log);
}

static int cmp_test(const void *a, const void *b)
{
	return strcmp(((const struct ev_test *)a)->id, ((const struct ev_test *)b)->id);
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
	if (!dut_open(&f.d, o->device, err, cap))
		return false;
	f.d.log = &f.log;
	t_model(&f);
	if (f.have_info) {
		ev_entry_text(&pk->dut, "device_serial", "Device serial number", f.info.serial);
		ev_entry_text(&pk->dut, "device_stub_version", "Device update stub version",
		              f.info.stub_version);
		ev_key_lifecycle(pk, &f.info); /* 5.3-7 from the device's report */
	}
	t_authentic(&f);
	t_support(&f);
	ft_tampered(&f);
	ft_bad_signature(&f);
	ft_wrong_key(&f);
	ft_downgrade(&f);
	ft_wrong_model(&f);
	t_interrupted(&f);
	restore(&f);
	dut_close(&f.d);
	qsort(pk->tests, pk->ntests, sizeof(*pk->tests), cmp_test);
	return true;
}
