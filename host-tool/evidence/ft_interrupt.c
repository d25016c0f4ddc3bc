/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_interrupt.c - the interrupted-update tests (5.3-2): the link broken
 * half way through an update (FT-10), and the power cut while the device
 * writes one (FT-11). Both start from the known state "runs N-1" where it
 * can be had, send the release, and judge what the device runs afterwards:
 * the same firmware, from the same slot, with the same security counter and
 * (where the device reports it) the same image SHA-256, and nothing partial
 * ready to boot. The interrupted download may be continued later; FT-02
 * shows whether the upgrade then completes.
 *
 * A power cut is real: through the simulator's control socket (fwseal-sim,
 * a torn write while it programs an image slot, then one in its journal) or
 * through the lab's --power-cut command. Without either FT-11 says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ft_int.h"
#include "fwseal/dfu.h"
#include "powercut.h"
#include "proc.h"

#define BACK_LIMIT_MS 30000u    /* a device must answer again within this */
#define HOOK_LIMIT_MS 120000u   /* the lab's power-cut command */
#define SIM_OFF_MS    300u

static uint64_t half_of(const struct ev_pkgfacts *g)
{
	return g->prefix_len + (g->stream_len - g->prefix_len) / 2u;
}

/* Send the first half of the release (whole DNLOADs: it stops at the first
 * request boundary at or after the middle, *at). true when it stopped. */
static bool first_half(struct ft *f, uint64_t *at, const char **why)
{
	const struct ev_pkgfacts *g = f->pk->pkg;
	struct dut_result r;
	dut_send(&f->d, g->data, g->stream_len, 0, half_of(g), &r);
	*at = r.at;
	if (r.outcome == DUT_STOPPED)
		return true;
	*why = r.outcome == DUT_REFUSED ? "the device refused the release" : "the link failed";
	ft_note(f, "first half: %s", r.msg);
	return false;
}

void ft_cable_pull(struct ft *f)
{
	const struct ev_pkgfacts *g = f->pk->pkg;
	fws_devinfo before;
	if (!ft_begin_from_previous(f, "FT-10-cable-pull", &before))
		return;
	const char *why = NULL;
	uint64_t at = 0;
	ft_note(f, "send release %s up to about stream byte %llu of %zu, then break the link",
	        g->m.version, (unsigned long long)half_of(g), g->stream_len);
	if (!first_half(f, &at, &why)) {
		ft_verdict(f, EV_INCONCLUSIVE, "The update could not be started (%s), so nothing was "
		           "interrupted.", why);
		return;
	}
	dut_drop(&f->d);
	ft_note(f, "the host sent no ABORT and no end of download; it reconnects");
	(void)ft_read_info(f, "after the link broke");
	fws_devinfo boot;
	if (!dut_restart(&f->d, &boot)) {
		ft_verdict(f, EV_FAIL, "After the link broke and a restart, the device did not answer.");
		return;
	}
	dut_log_info(&f->d, "after a restart", &boot);
	char *diff = ft_same_state(&before, &boot);
	char *d = ft_describe(&before);
	if (diff)
		ft_verdict(f, EV_FAIL, "After the link broke at stream byte %llu of %zu and the device "
		           "restarted, %s.", (unsigned long long)at, g->stream_len, diff);
	else
		ft_verdict(f, EV_PASS, "After the link broke at stream byte %llu of %zu and the device "
		           "restarted, it runs what it ran before (%s); nothing partial is ready to "
		           "boot.", (unsigned long long)at, g->stream_len, d);
	free(diff);
	free(d);
}

/* One torn cut through the simulator's control while the device writes in
 * `area` ("image", "journal"). NULL if the device came back as before, else
 * a malloc'd sentence; *inconclusive when no cut could be made. */
static char *sim_cut(struct ft *f, const char *ctl, const char *area,
                     const fws_devinfo *before, bool *inconclusive)
{
	const struct ev_pkgfacts *g = f->pk->pkg;
	const char *why = NULL;
	char ans[160], req[96];
	uint64_t at = 0;
	*inconclusive = true;
	long cuts0 = ev_simctl_cuts(ctl);
	if (!first_half(f, &at, &why))
		return ev_xasprintf("the update could not be started (%s)", why);
	snprintf(req, sizeof(req), "power-cut at-write %s torn off-ms %u", area, SIM_OFF_MS);
	bool armed = ev_simctl_ask(ctl, req, ans, sizeof(ans));
	ft_note(f, "control: %s -> %s", req, ans);
	if (!armed)
		return ev_xasprintf("the simulator's control refused the power cut (%s)", ans);
	struct dut_result r;
	if (!dut_reopen_short(&f->d))
		return ev_xasprintf("the link could not be reopened before the cut");
	dut_send(&f->d, g->data, g->stream_len, at, UINT64_MAX, &r);
	ft_note(f, "rest of the release: %s", r.msg);
	fws_devinfo after;
	bool back = dut_wait(&f->d, &after, BACK_LIMIT_MS);
	long cuts1 = ev_simctl_cuts(ctl);
	ft_note(f, "the simulator counts %ld power cut(s), %ld before this one", cuts1, cuts0);
	if (cuts0 < 0 || cuts1 != cuts0 + 1)
		return ev_xasprintf("the simulator made no power cut (its count went from %ld to %ld)",
		                    cuts0, cuts1);
	*inconclusive = false;
	if (!back)
		return ev_xasprintf("after the power cut in its %s the device did not answer within "
		                    "%u s", area, BACK_LIMIT_MS / 1000u);
	dut_log_info(&f->d, "after the power came back", &after);
	f->info = after;
	char *diff = ft_same_state(before, &after);
	if (!diff)
		return NULL;
	char *s = ev_xasprintf("after the power cut in its %s, %s", area, diff);
	free(diff);
	return s;
}

/* One cut by the lab's command, half way through the release. */
static char *hook_cut(struct ft *f, const fws_devinfo *before, bool *inconclusive)
{
	const char *why = NULL;
	uint64_t at = 0;
	*inconclusive = true;
	if (!first_half(f, &at, &why))
		return ev_xasprintf("the update could not be started (%s)", why);
	uint8_t st = 0xFF;
	if (dut_state(&f->d, &st))
		ft_note(f, "DFU state before the cut: %s", fws_dfu_state_name(st));
	dut_close_link(&f->d);
	char *e1 = ev_xasprintf("FWSEAL_DEVICE=%s", f->o->device);
	char *e2 = ev_xasprintf("FWSEAL_DEVICE_SERIAL=%s", f->serial);
	const char *env[] = {e1, e2, NULL};
	const char *argv[] = {"sh", "-c", f->o->power.command, NULL};
	struct ev_proc_result r;
	ft_note(f, "$ sh -c '%s'  (FWSEAL_DEVICE=%s FWSEAL_DEVICE_SERIAL=%s)", f->o->power.command,
	        f->o->device, f->serial);
	ev_proc_run(argv, env, HOOK_LIMIT_MS, &r);
	ft_note(f, "--- stdout ---\n%s--- stderr ---\n%s--- exit %d%s ---", r.out, r.err, r.status,
	        r.timed_out ? " (timed out)" : "");
	int status = r.status;
	ev_proc_free(&r);
	free(e1);
	free(e2);
	if (status != 0)
		return ev_xasprintf("the power-cut command failed (exit %d)", status);
	fws_devinfo after;
	if (!dut_wait(&f->d, &after, BACK_LIMIT_MS)) {
		*inconclusive = false;
		return ev_xasprintf("after the power-cut command the device did not answer within %u s",
		                    BACK_LIMIT_MS / 1000u);
	}
	dut_log_info(&f->d, "after the power came back", &after);
	f->info = after;
	if (dut_state(&f->d, &st)) {
		ft_note(f, "DFU state after the cut: %s", fws_dfu_state_name(st));
		if (st == FWS_DFU_DNLOAD_IDLE || st == FWS_DFU_DNLOAD_SYNC || st == FWS_DFU_DNBUSY)
			return ev_xasprintf("the device still held the download session after the "
			                    "command (%s): its power was not cut",
			                    fws_dfu_state_name(st));
	}
	*inconclusive = false;
	return ft_same_state(before, &after);
}

void ft_power_cut(struct ft *f)
{
	const struct ev_pkgfacts *g = f->pk->pkg;
	fws_devinfo before;
	if (!ft_begin_from_previous(f, "FT-11-power-cut", &before))
		return;
	char ctl[160] = "";
	const char *means;
	if (f->o->power.command) {
		means = "the lab's --power-cut command";
	} else if (dut_is_simulator(&before) &&
	           ev_simctl_find(f->o->power.sim_controls, before.serial, ctl, sizeof(ctl),
	                          &f->log)) {
		means = "the simulator's control socket";
	} else {
		f->dev->power_cut = ev_xstrdup("none: no --power-cut command, and the device offers no "
		                               "power-cut control");
		ft_verdict(f, EV_INCONCLUSIVE, "No power cut could be made: no --power-cut command was "
		           "given, and the device %s.", dut_is_simulator(&before)
		           ? "is a simulator whose control socket is not in FWSEAL_SIM_CONTROL"
		           : "does not report itself as a simulator offering a control");
		return;
	}
	f->dev->power_cut = ctl[0] ? ev_xasprintf("%s (%s)", means, ctl) : ev_xstrdup(means);
	ft_note(f, "power cuts by %s", f->dev->power_cut);
	char *d = ft_describe(&before);
	bool inc = false;
	char *bad = NULL;
	if (ctl[0]) {
		static const char *const areas[] = {"image", "journal"};
		for (unsigned i = 0; i < 2 && !bad; i++) {
			ft_note(f, "cut %u: while the device writes in its %s", i + 1, areas[i]);
			bad = sim_cut(f, ctl, areas[i], &before, &inc);
		}
		if (!bad)
			ft_verdict(f, EV_PASS, "The power was cut twice while the device wrote release %s, "
			           "each time in the middle of a flash write (torn): once in a firmware "
			           "slot, once in its journal. Each time it came back running what it ran "
			           "before (%s), with nothing partial ready to boot.", g->m.version, d);
	} else {
		bad = hook_cut(f, &before, &inc);
		if (!bad)
			ft_verdict(f, EV_PASS, "The lab's command cut the power half way through release "
			           "%s; the device came back running what it ran before (%s), with "
			           "nothing partial ready to boot.", g->m.version, d);
	}
	if (bad)
		ft_verdict(f, inc ? EV_INCONCLUSIVE : EV_FAIL, "%s%s.", inc ? "No conclusion: " : "",
		           bad);
	free(bad);
	free(d);
}
