/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_flash.c - `fwseal flash PKG [--device D] [--trust T] [--yes] [--json]`:
 * verify the package, read the device, check one against the other, show
 * what will change (EN 303 645 5.3-11/12/13: security notice, disruption,
 * support period), ask, then run the flashing session of libfwseal-host with
 * a progress display. Success is reported only once the device says it runs
 * the new version.
 */
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "cli_msg.h"
#include "commands.h"
#include "dev_common.h"
#include "flash_multi.h"
#include "fwseal/encoding.h"
#include "fwseal-host/choose.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/multi.h"
#include "fwseal-host/package.h"
#include "fwseal-host/log.h"
#include "fwseal-host/session.h"
#include "pkg_print.h"
#include "trust_follow.h"

static const char usage[] = N_(
	"Usage: fwseal flash PKG... [--device DEVICE] [--trust TRUST] [--yes] [--json]\n"
	"                           [--flow none|rtscts] [--no-resume] [--confirm-timeout S]\n\n"
	"Install the firmware package PKG on a device. The package is verified first,\n"
	"then checked against what the device reports (model, hardware revision,\n"
	"security counter, keys); fwseal shows what will change and asks before it\n"
	"sends anything. It succeeds only when the device runs the new version and\n"
	"the new firmware has confirmed that it works.\n"
	"An interrupted update resumes where it stopped when the same command is run\n"
	"again. Given several packages of one release (full, compressed with\n"
	"'pack --compress', delta with 'pack --delta-from'), fwseal sends the smallest\n"
	"one the device accepts and says which.\n\n"
	"  --device DEVICE   serial:PATH[@BAUD] (default baud 115200), usb[:VID:PID[:SN]],\n"
	"                    usb:@BUSPATH, hid[...]; may be left out when exactly one\n"
	"                    device is connected ('fwseal list'). docs/flashing.md\n"
	"  --trust TRUST     trust store from 'fwseal key export-trust'. Default: the\n"
	"                    file named by $FWSEAL_TRUST, else\n"
	"                    $XDG_CONFIG_HOME/fwseal/trust.fwst (~/.config/fwseal/...),\n"
	"                    else /etc/fwseal/trust.fwst\n"
	"  --yes             do not ask for confirmation (required when stdin is not\n"
	"                    a terminal)\n"
	"  --json            one JSON event per line on stdout: package, device, plan,\n"
	"                    progress..., then done or error (docs/json.md)\n"
	"  --flow MODE       serial flow control: none (default) or rtscts\n"
	"  --no-resume       start an interrupted update from the beginning\n"
	"  --confirm-timeout S  wait up to S seconds (default 30) for the device to\n"
	"                    restart and the new firmware to confirm itself\n"
	"  --trust-update UPD  a security key update to advance the trust store with\n"
	"                    when the package is signed by a key it does not know yet;\n"
	"                    repeatable. Those next to PKG are found without it. The\n"
	"                    advanced store is saved to the trust store file (docs/trust.md)\n"
	"PKG may itself be a security key update ('fwseal trust-update'): the device\n"
	"checks it and switches to the new keys at once, without a restart.\n"
	"Factory line (docs/factory.md):\n"
	"  --device D1 --device D2 ...  flash several devices at once, one thread each\n"
	"  --all             every connected device of the package's model\n"
	"  --records PATH|URI  production records: an SQLite file (default\n"
	"                    $XDG_DATA_HOME/fwseal/records.sqlite) or a PostgreSQL URI\n"
	"                    postgresql://... shared by the line; --no-records: none.\n"
	"                    Nothing is sent to a unit whose attempt is not recorded\n"
	"  --spool PATH      PostgreSQL: the local spool used while the server is away\n"
	"  --station NAME    station name in the records (default: the host name)\n"
	"  --operator NAME   who runs the station, recorded with each attempt\n"
	"  --work-order WO   work order / lot, recorded with each attempt\n"
	"  --reinstall       flash also a unit that already runs this package (same\n"
	"                    version and image SHA-256 as the device reports)\n"
	"  --only-failed     flash only units whose last recorded attempt with this\n"
	"                    package did not succeed\n"
	"  Several devices: exit 0 all ok, 8 some failed, else the class they share.\n\n"
	"Exit codes: 0 installed, running and confirmed (or already running it),\n"
	"2 usage, 3 package bad or untrusted, 4 refused by policy (model, revision,\n"
	"downgrade), 5 file or port access (records that cannot be used), 6 device\n"
	"error, 7 interrupted (run again to resume), 9 declined, 10 a unit's attempt\n"
	"could not be recorded or its record completed (failed-to-record), 11\n"
	"installed and running but not confirmed by the new firmware.\n");

static atomic_int stop_flag;

static void on_signal(int sig)
{
	atomic_store(&stop_flag, 1);
	/* a second signal ends the program the usual way */
	signal(sig, SIG_DFL);
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: waits end early, the session checks the flag */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

typedef struct flash_cli {
	bool json;
	bool keys;   /* the package is a security key update (docs/trust.md) */
	bool tty;
	int last_decile;
	enum fwh_phase last_phase;
	bool bar_open;
	const char *device;
	const char *pkg_path;
	const fws_trust *trust;  /* to name the trusted keys when a signer is not */
	const char *trust_path;
	fwh_rec_log *log;       /* the session log of the record; NULL until there */
	enum fwh_phase last_logged;
	bool logged_any;
} flash_cli;

static void human_bytes(double v, char *out, size_t cap)
{
	if (v >= 1024.0 * 1024.0)
		snprintf(out, cap, "%.1f MiB", v / (1024.0 * 1024.0));
	else if (v >= 1024.0)
		snprintf(out, cap, "%.1f KiB", v / 1024.0);
	else
		snprintf(out, cap, "%.0f B", v);
}

static void human_time(double s, char *out, size_t cap)
{
	if (s < 0) {
		snprintf(out, cap, "--:--");
		return;
	}
	unsigned t = (unsigned)(s + 0.5);
	snprintf(out, cap, "%u:%02u", t / 60u, t % 60u);
}

static const char *phase_text(enum fwh_phase p, bool keys)
{
	if (keys) {
		switch (p) {
		case FWH_PHASE_DOWNLOAD: return _("Sending the security key update");
		case FWH_PHASE_MANIFEST: return _("The device is checking and installing the new keys");
		case FWH_PHASE_WAIT: return _("Checking which keys the device now trusts");
		case FWH_PHASE_PREPARE:
		case FWH_PHASE_RESTART:
		case FWH_PHASE_DONE:
			break;
		}
	}
	switch (p) {
	case FWH_PHASE_PREPARE: return _("Preparing the device");
	case FWH_PHASE_DOWNLOAD: return _("Sending the firmware");
	case FWH_PHASE_MANIFEST: return _("The device is checking and installing the firmware");
	case FWH_PHASE_RESTART: return _("Restarting the device");
	case FWH_PHASE_WAIT: return _("Waiting for the device to report the new firmware");
	case FWH_PHASE_DONE: return _("Done");
	}
	return "";
}

/* From the first byte sent until the device runs the new firmware, a cut
 * cable or power costs a resume (the device keeps a bootable image), so
 * the user is told once, when it starts to matter. */
static void say_do_not_unplug(void)
{
	fputs(_("Do not unplug the device or switch it off until fwseal says it is done."), stderr);
	fputc('\n', stderr);
}

static void on_progress(void *user, const fwh_progress *p)
{
	flash_cli *c = user;
	if (c->log && (p->phase != c->last_logged || !c->logged_any)) {
		c->logged_any = true;
		c->last_logged = p->phase;
		fwh_rec_log_add(c->log, "phase %s (%llu of %llu bytes%s)", fwh_phase_name(p->phase),
		                (unsigned long long)p->done, (unsigned long long)p->total,
		                p->resumed ? ", resumed" : "");
	}
	if (c->json) {
		dev_event e;
		ev_begin(&e, stdout, "progress");
		ev_str(&e, "device", c->device);
		ev_str(&e, "phase", fwh_phase_name(p->phase));
		ev_u64(&e, "done", p->done);
		ev_u64(&e, "total", p->total);
		ev_num(&e, "rate", p->rate);
		if (p->eta >= 0)
			ev_num(&e, "eta", p->eta);
		else
			ev_null(&e, "eta");
		ev_end(&e);
		return;
	}
	bool new_phase = p->phase != c->last_phase;
	c->last_phase = p->phase;
	if (new_phase)
		fwh_log(FWH_LOG_INFO, "flash", "phase %s", fwh_phase_name(p->phase));
	if (new_phase && p->phase != FWH_PHASE_DONE) {
		if (c->bar_open)
			fputc('\n', stderr);
		c->bar_open = false;
		fprintf(stderr, "%s...\n", phase_text(p->phase, c->keys));
		if (p->phase == FWH_PHASE_DOWNLOAD)
			say_do_not_unplug();
		fflush(stderr);
	}
	if (p->phase != FWH_PHASE_DOWNLOAD)
		return;
	char rate[32], eta[16];
	human_bytes(p->rate, rate, sizeof rate);
	human_time(p->eta, eta, sizeof eta);
	unsigned pct = p->total ? (unsigned)(p->done * 100u / p->total) : 0u;
	if (c->tty) {
		enum { WIDTH = 30 };
		char bar[WIDTH + 1];
		unsigned fill = pct * WIDTH / 100u;
		for (unsigned i = 0; i < WIDTH; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[WIDTH] = '\0';
		fprintf(stderr, _("\r[%s] %3u%%  %s/s  %s left "), bar, pct, rate, eta);
		c->bar_open = true;
		fflush(stderr);
		return;
	}
	/* not a terminal: a plain line every 10 % */
	int decile = (int)(pct / 10u);
	if (decile == c->last_decile && !new_phase)
		return;
	c->last_decile = decile;
	fprintf(stderr, _("%s: %u%% (%llu of %llu bytes, %s/s, %s left)\n"), phase_text(p->phase, c->keys), pct,
	        (unsigned long long)p->done, (unsigned long long)p->total, rate, eta);
}

struct plan_phrases {
	const flash_cli *c;
	unsigned n;
};

static void plan_phrase(void *user, const char *p)
{
	struct plan_phrases *pp = user;
	if (pp->c->json) {
		fputs(pp->n ? "," : "", stdout);
		cli_json_escape(stdout, p, strlen(p));
	} else {
		printf("%s  %s\n", pp->n ? "          " : _("Keys      "), p);
	}
	pp->n++;
}

/* The device's store as far as its record tells (ids, roles, revoked):
 * enough to say what a trust update changes on it. */
static void device_store(const fws_devinfo *d, fws_trust *t)
{
	memset(t, 0, sizeof *t);
	for (unsigned i = 0; i < d->key_count && i < FWS_TRUST_MAX; i++) {
		memcpy(t->keys[i].id, d->keys[i].id, FWS_KEY_ID_LEN);
		t->keys[i].flags = d->keys[i].flags & (FWS_TRUST_REVOKED | FWS_TRUST_ROLES);
	}
	t->count = d->key_count;
	t->format = 2;
	t->root_threshold = d->trust_threshold;
	t->version = d->trust_version;
}

/* A security key update: what changes, in the words of the app. */
static void print_trust_plan(const flash_cli *c, const char *pkg_path, const fwh_package *pkg,
                             const fwh_trust_update *tu, const fws_devinfo *d)
{
	const fws_manifest *m = &pkg->manifest;
	struct plan_phrases pp = {c, 0};
	char sha[2 * FWS_SHA256_LEN + 1];
	fws_trust now;
	device_store(d, &now);
	cli_hex(m->image_sha256, FWS_SHA256_LEN, sha);
	if (c->json) {
		dev_event e;
		ev_begin(&e, stdout, "plan");
		ev_str(&e, "device", c->device);
		ev_str(&e, "package", pkg_path);
		ev_str(&e, "kind", "trust-update");
		ev_str(&e, "model", d->model);
		ev_str(&e, "serial", d->serial);
		ev_u64(&e, "from_trust_version", d->trust_version);
		ev_u64(&e, "to_trust_version", m->security_counter);
		ev_str(&e, "trust_store_sha256", sha);
		ev_bool(&e, "security_update", m->security_update);
		ev_str(&e, "severity", fws_severity_name(m->severity));
		ev_bool(&e, "reboot", false);
		fputs(",\"changes\":[", stdout);
		fwh_trust_diff(&now, &tu->next.t, plan_phrase, &pp);
		fputs("]", stdout);
		ev_end(&e);
		return;
	}
	printf(_("Package     %s (security key update, verified)\n"), pkg_path);
	printf(_("Device      %s: %s, hardware revision %u, serial %s\n"), c->device, d->model,
	       d->hw_rev, d->serial);
	printf(_("Change      trusted keys, version %u -> %u (store sha256 %.16s...)\n"),
	       (unsigned)d->trust_version, (unsigned)m->security_counter, sha);
	fwh_trust_diff(&now, &tu->next.t, plan_phrase, &pp);
	printf(_("Security    security key update, severity %s\n"), fws_severity_name(m->severity));
	printf(_("Disruption  none: the device keeps running, no restart\n"));
	fflush(stdout);
}

static void print_plan(const flash_cli *c, const char *pkg_path, const fwh_package *pkg,
                       const fws_devinfo *d, const fwh_plan *plan)
{
	const fws_manifest *m = &pkg->manifest;
	char buf[FWS_NOTES_MAX + 1], date[32], signer[2 * FWS_KEY_ID_LEN + 1];
	cli_hex(pkg->signer, FWS_KEY_ID_LEN, signer);
	if (c->json) {
		dev_event e;
		ev_begin(&e, stdout, "plan");
		ev_str(&e, "device", c->device);
		ev_str(&e, "package", pkg_path);
		ev_str(&e, "signer", signer);
		ev_str(&e, "model", d->model);
		ev_str(&e, "serial", d->serial);
		ev_version(&e, "from_version", plan->from_version);
		ev_str(&e, "to_version", plan->to_version);
		ev_bool(&e, "security_update", m->security_update);
		ev_str(&e, "severity", fws_severity_name(m->severity));
		ev_str(&e, "risks", fwh_package_text(pkg, m->risks, buf, sizeof buf));
		fputs(",\"cves\":[", stdout);
		for (unsigned i = 0; i < m->cve_count; i++) {
			if (i)
				fputc(',', stdout);
			fwh_package_text(pkg, m->cves[i], buf, sizeof buf);
			cli_json_escape(stdout, buf, strlen(buf));
		}
		fputc(']', stdout);
		ev_bool(&e, "reboot", m->reboot);
		ev_u64(&e, "downtime_s", m->downtime_s);
		ev_iso_date(&e, "support_end", m->support_end);
		ev_bool(&e, "resume", plan->resume);
		ev_u64(&e, "resume_offset", plan->resume_offset);
		ev_u64(&e, "bytes", plan->bytes);
		ev_end(&e);
		return;
	}
	printf(_("Package     %s (signed by key %s, verified)\n"), pkg_path, signer);
	printf(_("Device      %s: %s, hardware revision %u, serial %s\n"), c->device, d->model,
	       d->hw_rev, d->serial);
	printf(_("Change      firmware %s -> %s%s\n"),
	       plan->from_version[0] ? plan->from_version : _("(none running)"), plan->to_version,
	       plan->same_version ? _(" (re-install of the same version)") : "");
	if (m->security_update)
		printf(_("Security    security update, severity %s\n"), pkg_severity_words(m->severity));
	else
		printf(_("Security    not a security update\n"));
	if (m->risks.len) {
		fputs(_("Fixes       "), stdout); /* package text, escaped (cli_text) */
		fwh_package_text(pkg, m->risks, buf, sizeof buf);
		cli_text(stdout, buf, strlen(buf), true);
		fputc('\n', stdout);
	}
	for (unsigned i = 0; i < m->cve_count; i++) {
		printf("%s  ", i == 0 ? _("CVEs      ") : "          ");
		fwh_package_text(pkg, m->cves[i], buf, sizeof buf);
		cli_text(stdout, buf, strlen(buf), false);
		fputc('\n', stdout);
	}
	if (m->reboot)
		printf(_("Disruption  the device restarts; expected downtime about %u s\n"),
		       (unsigned)m->downtime_s);
	else
		printf(_("Disruption  no restart expected; downtime about %u s\n"),
		       (unsigned)m->downtime_s);
	if (m->support_end) {
		cli_format_date(m->support_end, date, sizeof date);
		printf(_("Support     security updates for this firmware until %s\n"), date);
	}
	if (plan->resume)
		printf(_("Resume      continues an interrupted transfer at byte %llu of %llu\n"),
		       (unsigned long long)plan->resume_offset, (unsigned long long)pkg->stream_len);
	fflush(stdout);
}

/* The error event of --json for a failure the CLI itself found (the
 * message was printed on stderr already). */
static int fail_msg(const flash_cli *c, const char *id, int rc, const char *msg)
{
	if (c->json) {
		dev_event e;
		ev_begin(&e, stdout, "error");
		ev_str(&e, "device", c->device ? c->device : "");
		ev_str(&e, "code", id);
		ev_str(&e, "message", msg);
		ev_bool(&e, "from_device", false);
		ev_bool(&e, "interrupted", false);
		ev_i64(&e, "exit", rc);
		ev_end(&e);
	}
	return rc;
}

static int fail_rep(const flash_cli *c, const struct cli_report *r)
{
	return fail_msg(c, r->id, r->exit, r->msg);
}


/* 1: go ahead; otherwise an exit code. */
static int confirm(const flash_cli *c, const char *to_version, uint32_t trust_version)
{
	struct cli_report r;
	if (!isatty(STDIN_FILENO)) {
		cli_fail_to(&r, MSG_NO_TERMINAL);
		return fail_rep(c, &r);
	}
	if (c->keys)
		fprintf(stderr, _("Install this security key update (trust version %u) on the device? [y/N] "),
		        (unsigned)trust_version);
	else
		fprintf(stderr, _("Install firmware %s on this device? [y/N] "), to_version);
	fflush(stderr);
	char line[16];
	if (fgets(line, sizeof line, stdin) == NULL ||
	    (strcmp(line, "y\n") != 0 && strcmp(line, "yes\n") != 0 && strcmp(line, "Y\n") != 0)) {
		cli_fail_to(&r, MSG_DECLINED);
		return fail_rep(c, &r);
	}
	return 1;
}

static int fail(const flash_cli *c, const fwh_error *err, bool interrupted, const char *resume_cmd)
{
	int rc = dev_exit_for(err, interrupted);
	dev_error(err);
	if ((err->code == FWS_E_UNTRUSTED_KEY || err->code == FWS_E_REVOKED_KEY) &&
	    !err->from_device && c->trust)
		pkg_print_key_detail(c->pkg_path, c->trust, c->trust_path);
	if (interrupted) {
		fprintf(stderr, _("To resume, run the same command again: %s"), resume_cmd);
		fputc('\n', stderr);
	}
	if (c->json) {
		dev_event e;
		ev_begin(&e, stdout, "error");
		ev_str(&e, "device", c->device ? c->device : "");
		ev_str(&e, "code", fws_err_name(err->code));
		ev_str(&e, "message", err->msg);
		ev_bool(&e, "from_device", err->from_device);
		ev_bool(&e, "interrupted", interrupted);
		ev_i64(&e, "exit", rc);
		ev_end(&e);
	}
	return rc;
}

/* The package event of --json: what was verified, before any device. */
static void package_event(const flash_cli *c, const fwh_package *pkg)
{
	const fws_manifest *m = &pkg->manifest;
	char hex[2 * FWS_SHA256_LEN + 1];
	dev_event e;
	ev_begin(&e, stdout, "package");
	ev_str(&e, "package", c->pkg_path);
	cli_hex(pkg->file_sha256, FWS_SHA256_LEN, hex);
	ev_str(&e, "sha256", hex);
	cli_hex(pkg->signer, FWS_KEY_ID_LEN, hex);
	ev_str(&e, "signer", hex);
	ev_str(&e, "model", m->model);
	ev_str(&e, "version", m->version);
	ev_u64(&e, "security_counter", m->security_counter);
	ev_bool(&e, "security_update", m->security_update);
	ev_iso_date(&e, "release_date", m->release_date);
	ev_iso_date(&e, "support_end", m->support_end);
	ev_u64(&e, "bytes", pkg->stream_len);
	ev_end(&e);
}

/* The device event of --json: what the device said about itself. */
static void device_event(const char *device, const fws_devinfo *d)
{
	dev_event e;
	ev_begin(&e, stdout, "device");
	ev_str(&e, "device", device);
	ev_str(&e, "model", d->model);
	ev_u64(&e, "hw_rev", d->hw_rev);
	ev_str(&e, "serial", d->serial);
	ev_str(&e, "boot_state", fws_boot_state_name(d->boot_state));
	if (d->boot_state == FWS_BOOT_APP)
		ev_str(&e, "firmware_version", d->fw_version);
	else
		ev_null(&e, "firmware_version");
	ev_u64(&e, "security_counter", d->security_counter);
	ev_iso_date(&e, "support_end", d->support_end);
	ev_end(&e);
}

/* The unit's record could not be completed: said on stderr and in --json,
 * and the run ends with FWS_EXIT_RECORDS whatever the device did
 * (device_exit). */
static int unrecorded(const flash_cli *c, struct flash_rec *rec, int device_exit)
{
	cli_fail(MSG_FAILED_TO_RECORD, c->device, rec->r.serial,
	         device_exit == FWS_EXIT_OK
	                 ? _("it was flashed, but the end of its attempt could not be recorded")
	                 : _("it was attempted, but the end of its attempt could not be recorded"),
	         rec->err.msg);
	if (c->json) {
		dev_event e;
		ev_begin(&e, stdout, "error");
		ev_str(&e, "device", c->device);
		ev_str(&e, "code", "failed-to-record");
		ev_str(&e, "result", "failed-to-record");
		ev_str(&e, "message", rec->err.msg);
		ev_i64(&e, "device_exit", device_exit);
		ev_i64(&e, "exit", FWS_EXIT_RECORDS);
		ev_end(&e);
	}
	flash_rec_close(rec);
	return FWS_EXIT_RECORDS;
}

/* Nothing to do for this unit (already runs the package, --only-failed):
 * said, recorded with its reason, exit 0. */
static int skipped(const flash_cli *c, struct flash_rec *rec, const fws_devinfo *d,
                   const char *code, const char *why)
{
	fwh_rec_log_add(&rec->log, "skipped (%s): %s", code, why);
	bool recorded = flash_rec_whole(rec, FWH_REC_SKIPPED, code, why);
	if (c->json) {
		dev_event e;
		ev_begin(&e, stdout, "skipped");
		ev_str(&e, "device", c->device);
		ev_str(&e, "serial", d->serial);
		ev_str(&e, "version", d->fw_version);
		ev_str(&e, "reason_code", code);
		ev_str(&e, "reason", why);
		ev_end(&e);
	} else {
		printf(_("Nothing to do: %s (serial %s, firmware %s): %s.\n"), c->device, d->serial,
		       d->fw_version[0] ? d->fw_version : _("none"), why);
	}
	if (!recorded)
		return unrecorded(c, rec, FWS_EXIT_OK);
	flash_rec_close(rec);
	return FWS_EXIT_OK;
}
#define PKGS_MAX 8

/* An earlier install on this unit is still on trial
 * (fwh_device_on_trial_with): nothing is sent, the stub would refuse it.
 * Said, recorded as refused with the code on-trial, exit 11. */
static int left_on_trial(const flash_cli *c, struct flash_rec *rec, const fws_devinfo *d)
{
	char msg[512];
	cli_msg_format(msg, sizeof msg, MSG_ON_TRIAL, c->device, d->fw_version);
	fwh_rec_log_add(&rec->log, "refused: %s", msg);
	bool recorded = flash_rec_whole(rec, FWH_REC_REFUSED, "on-trial", msg);
	cli_fail(MSG_ON_TRIAL, c->device, d->fw_version);
	if (c->json) {
		dev_event e;
		ev_begin(&e, stdout, "error");
		ev_str(&e, "device", c->device);
		ev_str(&e, "code", "on-trial");
		ev_str(&e, "message", msg);
		ev_bool(&e, "from_device", false);
		ev_bool(&e, "interrupted", false);
		ev_i64(&e, "exit", FWS_EXIT_UNCONFIRMED);
		ev_end(&e);
	}
	if (!recorded)
		return unrecorded(c, rec, FWS_EXIT_UNCONFIRMED);
	flash_rec_close(rec);
	return FWS_EXIT_UNCONFIRMED;
}

struct flash_args {
	trust_follow follow;      /* --trust-update, and those next to the package */
	const char *pkg;
	const char *pkgs[PKGS_MAX]; /* pkgs[0] == pkg */
	size_t npkgs;
	const char *device;
	const char *trust;
	bool yes;
	bool rtscts;
	bool no_resume;
	uint32_t confirm_timeout_s; /* 0: the library's default (30 s) */
	struct flash_multi_args m; /* several devices, records (flash_multi.h) */
};

static const struct option opts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "trust", required_argument, NULL, 't' },
	{ "yes", no_argument, NULL, 'y' },
	{ "flow", required_argument, NULL, 'f' },
	{ "no-resume", no_argument, NULL, 'n' },
	{ "confirm-timeout", required_argument, NULL, 'T' },
	{ "trust-update", required_argument, NULL, 0x1101 },
	FLASH_MULTI_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static const struct cli_opt_hint hints[] = {
	{ "device", CLI_VAL_DEVICE },
	{ "flow", "none rtscts" },
	{ "station", CLI_VAL_TEXT },
	{ "operator", CLI_VAL_TEXT },
	{ "work-order", CLI_VAL_TEXT },
	{ "confirm-timeout", CLI_VAL_TEXT },
	{ "trust-update", CLI_VAL_FILE },
	{ NULL, NULL },
};

static int parse(struct cli_ctx *ctx, int argc, char **argv, struct flash_args *a)
{
	int c, rc;
	while ((c = cli_getopt(ctx, argc, argv, "d:t:yf:n", opts)) != -1) {
		switch (c) {
		case 'd':
			a->device = optarg;
			if (!flash_multi_add_device(ctx, &a->m, optarg, &rc))
				return rc;
			break;
		case 't': a->trust = optarg; break;
		case 'y': a->yes = true; break;
		case 'n': a->no_resume = true; break;
		case 0x1101:
			if (!trust_follow_add(ctx, &a->follow, optarg))
				return FWS_EXIT_USAGE;
			break;
		case 'T':
			if (!cli_parse_u32(optarg, &a->confirm_timeout_s) || a->confirm_timeout_s == 0 ||
			    a->confirm_timeout_s > 3600)
				return cli_usage(ctx, "--confirm-timeout needs 1 to 3600 seconds, not '%s'.",
				                 optarg);
			break;
		case 'f':
			if (!strcmp(optarg, "rtscts"))
				a->rtscts = true;
			else if (strcmp(optarg, "none") != 0)
				return cli_usage(ctx, "--flow must be none or rtscts, not '%s'.", optarg);
			break;
		default:
			if (flash_multi_option(ctx, c, optarg, &a->m, &rc)) {
				if (rc >= 0)
					return rc;
				break;
			}
			return FWS_EXIT_USAGE;
		}
	}
	if ((rc = flash_multi_check(ctx, &a->m)) >= 0)
		return rc;
	if (optind >= argc)
		return cli_usage(ctx, "flash needs the package file to install.");
	a->pkg = argv[optind];
	for (; optind < argc; optind++) {
		if (a->npkgs == PKGS_MAX)
			return cli_usage(ctx, "flash takes at most %u packages of one release.", PKGS_MAX);
		a->pkgs[a->npkgs++] = argv[optind];
	}
	if (a->npkgs > 1 && flash_multi_wanted(&a->m))
		return cli_usage(ctx, "Several packages of one release go to one device at a time; "
		                      "name one package to flash several devices.");
	return -1;
}

static void close_all(fwh_package *pkgs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fwh_package_close(&pkgs[i]);
}

static void resume_command(char *out, size_t cap, const struct flash_args *a, const char *device)
{
	int n = snprintf(out, cap, "fwseal flash");
	for (size_t i = 0; i < a->npkgs && n > 0 && (size_t)n < cap; i++)
		n += snprintf(out + n, cap - (size_t)n, " %s", a->pkgs[i]);
	if (n > 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, " --device %s%s%s%s", device,
		         a->trust ? " --trust " : "", a->trust ? a->trust : "", a->yes ? " --yes" : "");
}

/* Several packages of one release: which one goes, and why. */
static void print_choice(const flash_cli *c, const char *const *paths,
                         const fwh_package *const *cand, size_t n, size_t chosen,
                         const fws_devinfo *d)
{
	const fws_manifest *m = &cand[chosen]->manifest;
	char base[FWS_VERSION_MAX + 1] = "";
	if (m->encoding == FWS_ENC_LZ4_DELTA)
		fwh_package_text(cand[chosen], m->base_version, base, sizeof base);
	if (c->json) {
		dev_event e;
		ev_begin(&e, stdout, "choice");
		ev_str(&e, "device", c->device);
		ev_str(&e, "package", paths[chosen]);
		ev_str(&e, "encoding", fws_encoding_name(m->encoding));
		ev_u64(&e, "bytes", cand[chosen]->stream_len);
		ev_u64(&e, "image_bytes", m->payload_size);
		ev_u64(&e, "candidates", n);
		ev_end(&e);
		return;
	}
	const char *kind = m->encoding == FWS_ENC_LZ4         ? "compressed"
	                   : m->encoding == FWS_ENC_LZ4_DELTA ? "delta"
	                                                      : "full";
	printf(_("Sending     %s: the %s package%s%s, %llu bytes for a %u-byte image; the smallest "
	         "of the %zu given that this device (%s) accepts\n"),
	       paths[chosen], kind, base[0] ? " from version " : "", base,
	       (unsigned long long)cand[chosen]->stream_len, (unsigned)m->payload_size, n,
	       d->fw_version[0] ? d->fw_version : "no firmware");
	fflush(stdout);
}

static int run_flash(struct cli_ctx *ctx, int argc, char **argv)
{
	struct flash_args a = { 0 };
	int rc = parse(ctx, argc, argv, &a);
	if (rc >= 0)
		return rc;
	a.m.pkg = a.pkg;
	a.m.trust = a.trust;
	a.m.yes = a.yes;
	a.m.rtscts = a.rtscts;
	a.m.no_resume = a.no_resume;
	a.m.restart_timeout_ms = a.confirm_timeout_s * 1000u;
	a.m.json = ctx->json;
	if (flash_multi_wanted(&a.m))
		return flash_multi_run(ctx, &a.m);
	flash_cli c = { .json = ctx->json, .tty = isatty(STDERR_FILENO) != 0, .last_decile = -1,
	                .last_phase = FWH_PHASE_DONE, .pkg_path = a.pkg };

	static fws_trust trust;
	static char trust_path[4096];
	struct cli_report rep;
	rc = cli_trust_load(a.trust, true, &trust, trust_path, sizeof trust_path, &rep);
	if (rc >= 0)
		return fail_rep(&c, &rep);
	/* with its bytes: the store may have to advance (docs/trust.md) */
	static fwh_trust_file host;
	fwh_error err;
	fwh_error_clear(&err);
	if (fwh_trust_file_load(trust_path, &host, &err) != FWS_OK)
		return fail(&c, &err, false, NULL);
	c.trust = &host.t;
	c.trust_path = trust_path;

	/* 1. the package(s), completely, before any device is touched; a signer
	 * the host's store does not know yet is followed through the chain of
	 * security key updates (docs/trust.md), then the other packages of the
	 * release are checked against the store as it is now */
	static fwh_package pkgs[PKGS_MAX];
	static fwh_trust_update tu;
	const fwh_package *cand[PKGS_MAX];
	rc = trust_follow_open(ctx, &a.follow, &pkgs[0], a.pkgs[0], &host, trust_path, &tu, &err,
	                       &rep);
	if (rc != -1) {
		trust_follow_free(&a.follow);
		if (rc != TRUST_FOLLOW_ERROR)
			return fail_rep(&c, &rep);
		rc = fail(&c, &err, false, NULL);
		trust_follow_say_hint(&a.follow);
		return rc;
	}
	cand[0] = &pkgs[0];
	for (size_t i = 1; i < a.npkgs; i++) {
		if (fwh_package_open(&pkgs[i], a.pkgs[i], &host.t, &err) != FWS_OK) {
			close_all(pkgs, i);
			trust_follow_free(&a.follow);
			c.pkg_path = a.pkgs[i];
			return fail(&c, &err, false, NULL);
		}
		cand[i] = &pkgs[i];
	}
	for (size_t i = 0; i < a.npkgs; i++)
		fwh_log(FWH_LOG_INFO, "flash", "package %s verified: %s %s", a.pkgs[i],
		        pkgs[i].manifest.model, pkgs[i].manifest.version);
	bool is_trust = pkgs[0].manifest.kind == FWS_KIND_TRUST;
	c.keys = is_trust;
	size_t bad = 0, chosen = 0;
	if (is_trust && a.npkgs > 1) {
		close_all(pkgs, a.npkgs);
		trust_follow_free(&a.follow);
		return cli_usage(ctx, "%s is a security key update; flash it on its own.", a.pkgs[0]);
	}
	if (fwh_same_release(cand, a.npkgs, &bad, &err) != FWS_OK) {
		close_all(pkgs, a.npkgs);
		trust_follow_free(&a.follow);
		return cli_usage(ctx, "%s", err.text);
	}
	if (c.json)
		for (size_t i = 0; i < a.npkgs; i++) {
			c.pkg_path = a.pkgs[i];
			package_event(&c, &pkgs[i]);
		}
	c.pkg_path = a.pkg;

	/* 2. the device */
	char device[FWH_DEVSTR_MAX], canon[FWH_DEVSTR_MAX];
	rc = dev_pick(a.device, device, sizeof device, &rep);
	if (rc >= 0) {
		close_all(pkgs, a.npkgs);
		trust_follow_free(&a.follow);
		return fail_rep(&c, &rep);
	}
	c.device = device;
	char resume_cmd[2 * FWH_DEVSTR_MAX + 4096];
	resume_command(resume_cmd, sizeof resume_cmd, &a, device);

	fwh_link_opts lo = { .rtscts = a.rtscts };
	fwh_link *l = NULL;
	fws_devinfo d;
	if (fwh_open(device, &lo, &l, &err) != FWS_OK || fwh_dfu_info(l, &d, &err) != FWS_OK) {
		fwh_close(l);
		close_all(pkgs, a.npkgs);
		trust_follow_free(&a.follow);
		return fail(&c, &err, false, resume_cmd);
	}
	l->ops->describe(l, canon, sizeof canon);
	c.device = canon;
	if (c.json)
		device_event(canon, &d);

	/* 3. which of the packages the device takes (nothing is sent), the
	 * records (fail closed: a station that is to record and cannot does
	 * not flash; the row names the package chosen), then what will change */
	fwh_error choose_err;
	fwh_error_clear(&choose_err);
	fws_err chose = fwh_choose(cand, a.npkgs, &d, &chosen, &choose_err);
	/* one release: every candidate has the same version and image */
	const fwh_package *pkg = cand[chose == FWS_OK ? chosen : 0];
	struct flash_rec rec;
	if (is_trust) {
		/* production records are of firmware (docs/factory.md): a security
		 * key update is logged, not a row */
		memset(&rec, 0, sizeof rec);
		fwh_rec_log_init(&rec.log);
		rc = -1;
	} else {
		rc = flash_rec_open(&rec, &a.m, pkg, canon, &d);
	}
	if (rc >= 0) {
		fwh_close(l);
		close_all(pkgs, a.npkgs);
		trust_follow_free(&a.follow);
		return rc;
	}
	c.log = &rec.log;
	const char *skip_code = NULL, *skip_why = NULL;
	if (!is_trust && fwh_device_on_trial_with(&d, pkg)) {
		fwh_close(l);
		close_all(pkgs, a.npkgs);
		trust_follow_free(&a.follow);
		return left_on_trial(&c, &rec, &d);
	}
	if (is_trust) {
		/* the device's trust version decides (fwh_choose's preflight) */
	} else if (!a.m.reinstall && fwh_device_runs_package(&d, pkg)) {
		skip_code = "already-installed";
		skip_why = "it already runs this package (version and image SHA-256 as reported by "
		           "the device); --reinstall flashes it anyway";
	} else if (a.m.only_failed && (rc = flash_rec_only_failed(&rec, &skip_code, &skip_why)) > 0) {
		flash_rec_close(&rec);
		fwh_close(l);
		close_all(pkgs, a.npkgs);
		trust_follow_free(&a.follow);
		return rc;
	}
	if (skip_code) {
		fwh_close(l);
		close_all(pkgs, a.npkgs);
		trust_follow_free(&a.follow);
		return skipped(&c, &rec, &d, skip_code, skip_why);
	}
	if (chose != FWS_OK) {
		/* the refusal of the full package, or of the smallest (choose.h) */
		err = choose_err;
		bool done_already = is_trust && err.code == FWS_E_TRUST_ROLLBACK &&
		                    d.trust_version == pkg->manifest.security_counter &&
		                    fws_ct_equal(d.trust_sha256, pkg->manifest.image_sha256,
		                                 FWS_SHA256_LEN);
		fwh_close(l);
		if (done_already) {
			/* the device has exactly this store: nothing to do */
			close_all(pkgs, a.npkgs);
			trust_follow_free(&a.follow);
			flash_rec_close(&rec);
			if (c.json) {
				dev_event ev;
				ev_begin(&ev, stdout, "done");
				ev_str(&ev, "device", canon);
				ev_str(&ev, "serial", d.serial);
				ev_str(&ev, "kind", "trust-update");
				ev_u64(&ev, "trust_version", d.trust_version);
				ev_bool(&ev, "already", true);
				ev_str(&ev, "result", "ok");
				ev_i64(&ev, "exit", FWS_EXIT_OK);
				ev_end(&ev);
			} else {
				printf(_("Done: %s already has trust version %u from %s; nothing was sent.\n"),
				       canon, (unsigned)d.trust_version, a.pkg);
			}
			return FWS_EXIT_OK;
		}
		trust_follow_device_hint(&a.follow, a.pkg, pkg, &d, canon, &err);
		trust_follow_free(&a.follow);
		close_all(pkgs, a.npkgs);
		bool recorded = flash_rec_whole(&rec, FWH_REC_REFUSED, fws_err_name(err.code), err.msg);
		rc = fail(&c, &err, false, resume_cmd);
		return recorded ? (flash_rec_close(&rec), rc) : unrecorded(&c, &rec, rc);
	}
	trust_follow_free(&a.follow);
	c.pkg_path = a.pkgs[chosen];
	fwh_plan plan;
	fwh_plan_make(pkg, &d, &plan);
	if (a.no_resume)
		plan.resume = false;
	if (is_trust) {
		print_trust_plan(&c, a.pkg, pkg, &tu, &d);
	} else {
		print_plan(&c, a.pkgs[chosen], pkg, &d, &plan);
		if (a.npkgs > 1)
			print_choice(&c, a.pkgs, cand, a.npkgs, chosen, &d);
	}
	if (!a.yes) {
		rc = confirm(&c, plan.to_version, pkg->manifest.security_counter);
		if (rc != 1) {
			flash_rec_close(&rec);
			fwh_close(l);
			close_all(pkgs, a.npkgs);
			return rc;
		}
	}

	/* 4. the session, recorded: the row is committed before the first byte
	 * (firmware only; a security key update has no row) */
	rc = flash_rec_begin(&rec);
	if (rc >= 0) {
		flash_rec_close(&rec);
		fwh_close(l);
		close_all(pkgs, a.npkgs);
		return rc;
	}
	catch_signals();
	fwh_flash_opts fo = { .progress = on_progress, .user = &c, .cancel = &stop_flag,
	                      .no_resume = a.no_resume, .info = &d,
	                      .restart_timeout_ms = a.confirm_timeout_s * 1000u };
	fwh_flash_result res;
	fws_err e = fwh_flash(&l, pkg, &fo, &res, &err);
	fwh_rec_log_add(&rec.log, "sent %llu bytes in %.1f s%s", (unsigned long long)res.sent,
	                res.seconds, res.resumed ? " (resumed)" : "");
	if (e == FWS_OK)
		fwh_rec_log_add(&rec.log, "after the restart the unit reports firmware %s%s",
		                res.after.fw_version,
		                res.confirmed ? ", confirmed" : ", not confirmed by the new firmware");
	else
		fwh_rec_log_add(&rec.log, "%s", err.msg);
	bool recorded =
		flash_rec_end(&rec, e, &err, res.interrupted, res.after.fw_version, res.confirmed);
	if (c.bar_open)
		fputc('\n', stderr);
	fwh_close(l);
	const char *encoding = fws_encoding_name(pkg->manifest.encoding);
	close_all(pkgs, a.npkgs);
	if (e != FWS_OK) {
		rc = fail(&c, &err, res.interrupted, resume_cmd);
		return recorded ? (flash_rec_close(&rec), rc) : unrecorded(&c, &rec, rc);
	}

	if (is_trust) {
		char sha[2 * FWS_SHA256_LEN + 1];
		cli_hex(res.after.trust_sha256, FWS_SHA256_LEN, sha);
		if (c.json) {
			dev_event ev;
			ev_begin(&ev, stdout, "done");
			ev_str(&ev, "device", canon);
			ev_str(&ev, "serial", res.after.serial);
			ev_str(&ev, "kind", "trust-update");
			ev_u64(&ev, "from_trust_version", d.trust_version);
			ev_u64(&ev, "trust_version", res.after.trust_version);
			ev_str(&ev, "trust_store_sha256", sha);
			ev_u64(&ev, "sent", res.sent);
			ev_num(&ev, "seconds", res.seconds);
			ev_str(&ev, "result", "ok");
			ev_i64(&ev, "exit", FWS_EXIT_OK);
			ev_end(&ev);
		} else {
			printf(_("Done: %s (%s, serial %s) now trusts the keys of trust version %u "
			         "(sha256 %.16s...; %.1f s), and runs firmware %s.\n"),
			       canon, res.after.model, res.after.serial, (unsigned)res.after.trust_version,
			       sha, res.seconds, res.after.fw_version[0] ? res.after.fw_version : "none");
		}
		flash_rec_close(&rec);
		return FWS_EXIT_OK;
	}

	/* Installed. Done only once the new firmware confirmed itself; until
	 * then the device goes back to the old one at its next restart. */
	rc = res.confirmed ? FWS_EXIT_OK : FWS_EXIT_UNCONFIRMED;
	unsigned waited = a.confirm_timeout_s ? a.confirm_timeout_s : 30u;
	char why[1024] = "";
	if (!res.confirmed)
		cli_msg_format(why, sizeof why, MSG_UNCONFIRMED, canon, res.after.fw_version, waited,
		               canon);
	if (c.json) {
		dev_event ev;
		ev_begin(&ev, stdout, "done");
		ev_str(&ev, "device", canon);
		ev_str(&ev, "serial", res.after.serial);
		ev_version(&ev, "from_version", plan.from_version);
		ev_str(&ev, "version", res.after.fw_version);
		ev_bool(&ev, "confirmed", res.confirmed);
		ev_bool(&ev, "resumed", res.resumed);
		/* of the bytes sent, re-verified as they were read (session.h) */
		char sent_hex[2 * FWS_SHA256_LEN + 1];
		cli_hex(res.package_sha256, FWS_SHA256_LEN, sent_hex);
		ev_str(&ev, "package_sha256", sent_hex);
		ev_u64(&ev, "sent", res.sent);
		ev_num(&ev, "seconds", res.seconds);
		/* new fields go last: scripts match the older ones in this order */
		ev_str(&ev, "result", !recorded ? "failed-to-record"
		                      : res.confirmed ? "ok"
		                                      : "unconfirmed");
		ev_i64(&ev, "exit", recorded ? rc : FWS_EXIT_RECORDS);
		if (!res.confirmed)
			ev_str(&ev, "message", why);
		if (rec.r.attempt_id[0])
			ev_str(&ev, "attempt_id", rec.r.attempt_id);
		ev_str(&ev, "package", a.pkgs[chosen]);
		ev_str(&ev, "encoding", encoding);
		ev_end(&ev);
	} else if (res.confirmed) {
		printf(_("Done: %s (%s, serial %s) now runs firmware %s, confirmed (%.1f s%s).\n"),
		       canon, res.after.model, res.after.serial, res.after.fw_version, res.seconds,
		       res.resumed ? _(", resumed") : "");
	}
	if (!res.confirmed)
		cli_fail(MSG_UNCONFIRMED, canon, res.after.fw_version, waited, canon);
	return recorded ? (flash_rec_close(&rec), rc) : unrecorded(&c, &rec, rc);
}

const struct cli_cmd cli_cmd_flash = {
	.name = "flash",
	.summary = N_("install a firmware package on a device"),
	.usage = usage,
	.json = true,
	.run = run_flash,
	.opts = opts,
	.hints = hints,
	.operands = CLI_VAL_FILE,
};
