/* SPDX-License-Identifier: Apache-2.0 */
/*
 * multi_out.c - progress and summary of several units (multi_out.h). Every
 * call comes under the run's mutex (fwseal-host/multi.h), so each line is
 * written whole, and flushed, before the next one starts.
 */
#include "multi_out.h"

#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli_msg.h"
#include "cli_util.h"
#include "dev_common.h"
#include "exitcodes.h"

#define REDRAW_MS 100u
#define BAR_WIDTH 12

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void multi_out_init(struct multi_out *o, bool json)
{
	memset(o, 0, sizeof *o);
	o->json = json;
	o->events = json ? stdout : stderr;
	o->tty = !json && isatty(fileno(stderr));
}

/* ---------------------------------------------------------------------- */
/* Exit codes                                                              */

static bool record_failed(const fwh_unit *u)
{
	return u->record == FWH_UNIT_REC_NOT_BEGUN || u->record == FWH_UNIT_REC_NOT_ENDED;
}

int multi_unit_exit(const fwh_unit *u)
{
	/* the records did not hold: whatever the unit did, this comes first */
	if (record_failed(u))
		return FWS_EXIT_RECORDS;
	if (u->result == FWH_REC_OK || u->result == FWH_REC_SKIPPED)
		return FWS_EXIT_OK;
	if (u->result == FWH_REC_UNCONFIRMED)
		return FWS_EXIT_UNCONFIRMED;
	/* left alone: an earlier install is still on trial (fwh_device_on_trial_with) */
	if (u->result == FWH_REC_REFUSED && u->skip_code && !strcmp(u->skip_code, "on-trial"))
		return FWS_EXIT_UNCONFIRMED;
	if (u->result == FWH_REC_REFUSED)
		return FWS_EXIT_POLICY;
	/* cancelled before a byte went out: nothing changed on the unit (9) */
	bool interrupted = u->result == FWH_REC_INTERRUPTED &&
	                   !(u->err.code == FWS_E_CANCELLED && !u->sent_any);
	int rc = dev_exit_for(&u->err, interrupted);
	return rc == FWS_EXIT_OK ? FWS_EXIT_FAILURE : rc;
}

int multi_exit_code(const fwh_unit *units, size_t n)
{
	size_t ok = 0;
	int shared = -1;
	for (size_t i = 0; i < n; i++) {
		int c = multi_unit_exit(&units[i]);
		if (c == FWS_EXIT_RECORDS)
			return FWS_EXIT_RECORDS; /* a unit without a true record: never hidden */
		if (c == FWS_EXIT_OK) {
			ok++;
			continue;
		}
		shared = shared < 0 || shared == c ? c : FWS_EXIT_FAILURE;
	}
	if (ok == n)
		return FWS_EXIT_OK;
	if (ok > 0)
		return FWS_EXIT_PARTIAL;
	return shared;
}

/* ---------------------------------------------------------------------- */
/* JSON lines: the events of `fwseal flash --json` (cmd_flash.c) with the   */
/* unit's device string and index in each, so a reader can demultiplex.    */

static const char *result_text(const fwh_unit *u)
{
	return u->skipped ? "skipped" : fwh_rec_result_name(u->result);
}

static const char *record_text(const fwh_unit *u)
{
	switch (u->record) {
	case FWH_UNIT_REC_OFF: return "off";
	case FWH_UNIT_REC_OK: return "ok";
	case FWH_UNIT_REC_NOT_BEGUN: return "not-begun";
	case FWH_UNIT_REC_NOT_ENDED: return "not-ended";
	}
	return "off";
}

static void json_head(dev_event *e, FILE *f, const char *event, const fwh_unit *u)
{
	ev_begin(e, f, event);
	ev_str(e, "device", u->device);
	ev_u64(e, "index", u->index);
	if (u->have_info)
		ev_str(e, "serial", u->info.serial);
}

void multi_out_json_unit(dev_event *e, const fwh_unit *u)
{
	/* result: the unit's outcome as scripts must take it; a unit whose
	 * record failed is failed-to-record, whatever happened on the device
	 * (device_result) */
	ev_str(e, "result", record_failed(u) ? "failed-to-record" : result_text(u));
	ev_str(e, "device_result", result_text(u));
	ev_i64(e, "exit", multi_unit_exit(u));
	if (u->have_info) {
		ev_str(e, "model", u->info.model);
		ev_u64(e, "hw_rev", u->info.hw_rev);
		ev_version(e, "from_version",
		           u->info.boot_state == FWS_BOOT_APP ? u->info.fw_version : "");
	}
	if (u->skipped) {
		ev_str(e, "reason_code", u->skip_code ? u->skip_code : "");
		ev_str(e, "reason", u->skip_why ? u->skip_why : "");
	} else if (u->result == FWH_REC_OK) {
		ev_str(e, "version", u->to_version);
	} else if (u->result == FWH_REC_UNCONFIRMED) {
		/* installed, still on trial: as the single-device done event says */
		ev_str(e, "version", u->to_version);
		ev_str(e, "code", "unconfirmed");
		ev_str(e, "message", u->err.msg);
	} else {
		ev_str(e, "code", u->skip_code ? u->skip_code : fws_err_name(u->err.code));
		ev_str(e, "message", u->err.msg);
		ev_bool(e, "from_device", u->err.from_device);
		ev_bool(e, "interrupted", u->result == FWH_REC_INTERRUPTED);
	}
	if (u->serial_note)
		ev_str(e, "serial_note", u->serial_note);
	ev_i64(e, "duration_ms", u->duration_ms);
	ev_str(e, "record", record_text(u));
	if (u->record_id)
		ev_i64(e, "record_id", u->record_id);
	if (u->attempt_id[0])
		ev_str(e, "attempt_id", u->attempt_id);
	if (record_failed(u))
		ev_str(e, "record_error", u->record_err.msg);
}

static void json_event(struct multi_out *o, enum fwh_unit_event ev, const fwh_unit *u)
{
	dev_event e;
	switch (ev) {
	case FWH_UNIT_START:
		json_head(&e, o->events, "start", u);
		break;
	case FWH_UNIT_INFO:
		json_head(&e, o->events, "plan", u);
		ev_str(&e, "model", u->info.model);
		ev_u64(&e, "hw_rev", u->info.hw_rev);
		ev_version(&e, "from_version",
		           u->info.boot_state == FWS_BOOT_APP ? u->info.fw_version : "");
		break;
	case FWH_UNIT_PROGRESS:
		json_head(&e, o->events, "progress", u);
		ev_str(&e, "phase", fwh_phase_name(u->progress.phase));
		ev_u64(&e, "done", u->progress.done);
		ev_u64(&e, "total", u->progress.total);
		ev_num(&e, "rate", u->progress.rate);
		if (u->progress.eta >= 0)
			ev_num(&e, "eta", u->progress.eta);
		else
			ev_null(&e, "eta");
		break;
	case FWH_UNIT_DONE:
		json_head(&e, o->events,
		          u->skipped                                                     ? "skipped"
		          : u->result == FWH_REC_OK || u->result == FWH_REC_UNCONFIRMED ? "done"
		                                                                         : "error",
		          u);
		multi_out_json_unit(&e, u);
		break;
	}
	ev_end(&e);
}

/* ---------------------------------------------------------------------- */
/* Human output                                                            */

/* Text from a device goes to a terminal: printable ASCII only (the
 * device-info decoder already insists; this keeps it true for any caller). */
static void safe(const char *s, char *out, size_t cap)
{
	size_t i = 0;
	for (; s[i] && i + 1 < cap; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[i] = '\0';
}

/* A sentence of ours, maybe translated (UTF-8), that may quote what a
 * device said: printable ASCII and whole UTF-8 characters from U+00A0 on
 * stay; control characters (C0, DEL, C1: a terminal may act on them) and
 * broken sequences become '?'. */
static void safe_text(const char *in, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;
	while (*s && o + 1 < cap) {
		unsigned char c = *s;
		size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
		         : (c & 0xF8) == 0xF0 ? 4 : 0;
		uint32_t cp = n == 2 ? c & 0x1Fu : n == 3 ? c & 0x0Fu : c & 0x07u;
		bool ok = n > 0;
		for (size_t k = 1; ok && k < n; k++) {
			ok = (s[k] & 0xC0) == 0x80;
			cp = cp << 6 | (s[k] & 0x3Fu);
		}
		if (n == 1)
			ok = c >= 0x20 && c < 0x7f;
		else if (ok)
			ok = cp >= 0xA0 && !(n == 3 && cp < 0x800) && !(n == 4 && cp < 0x10000) &&
			     cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
		if (ok && o + n >= cap)
			break; /* no half character at the end */
		if (!ok) {
			out[o++] = '?';
			s++;
			continue;
		}
		memcpy(out + o, s, n);
		o += n;
		s += n;
	}
	out[o] = '\0';
}

/* The words of the human output (--json keeps fwh_phase_name and
 * fwh_rec_result_name: those are ids). */
static const char *phase_words(enum fwh_phase p)
{
	switch (p) {
	/* Translators: the phase of one device in 'fwseal flash --parallel'
	   (8 columns) */
	case FWH_PHASE_PREPARE: return _("prepare");
	case FWH_PHASE_DOWNLOAD: return _("send");
	case FWH_PHASE_MANIFEST: return _("install");
	case FWH_PHASE_RESTART: return _("restart");
	case FWH_PHASE_WAIT: return _("wait");
	case FWH_PHASE_DONE: return _("done");
	}
	return "?";
}

static const char *result_words(enum fwh_rec_result r)
{
	switch (r) {
	case FWH_REC_REFUSED: return _("refused");
	case FWH_REC_FAILED: return _("failed");
	case FWH_REC_INTERRUPTED: return _("interrupted");
	case FWH_REC_UNCONFIRMED: return _("not confirmed");
	case FWH_REC_OK: return _("ok");
	case FWH_REC_IN_PROGRESS: return _("in progress");
	case FWH_REC_SKIPPED: return _("skipped");
	case FWH_REC_RESULT_COUNT: break;
	}
	return fwh_rec_result_name(r);
}

/* live: a progress bar (TTY); else a log line saying the unit has begun. */
static void unit_line(const fwh_unit *u, bool live, char *buf, size_t cap)
{
	char dev[64], sn[FWS_SERIAL_MAX + 1] = "?", from[FWS_VERSION_MAX + 1] = "-";
	char tail[FWH_ERROR_MSG_MAX + 64];
	safe(u->device, dev, sizeof dev);
	if (u->have_info) {
		safe(u->info.serial, sn, sizeof sn);
		if (u->info.fw_version[0])
			safe(u->info.fw_version, from, sizeof from);
	}
	if (u->result == FWH_REC_IN_PROGRESS && !live) {
		char model[FWS_MODEL_MAX + 1] = "?";
		if (u->have_info)
			safe(u->info.model, model, sizeof model);
		snprintf(tail, sizeof tail, _("flashing (%s, hardware revision %u)"), model,
		         u->have_info ? (unsigned)u->info.hw_rev : 0u);
	} else if (u->result == FWH_REC_IN_PROGRESS) {
		const fwh_progress *p = &u->progress;
		int pct = p->total ? (int)(p->done * 100u / p->total) : 0;
		char bar[BAR_WIDTH + 1];
		for (int i = 0; i < BAR_WIDTH; i++)
			bar[i] = i < pct * BAR_WIDTH / 100 ? '#' : '.';
		bar[BAR_WIDTH] = '\0';
		/* fits 80 columns: no from-version while in flight; the phase is
		 * padded by characters, not bytes ("Vorber.", "läuft") */
		const char *phase = u->have_info ? phase_words(p->phase) : _("connect");
		int pad = 8 + (int)(strlen(phase) - cli_columns(phase));
		snprintf(buf, cap, "%-22s %-12s [%s] %3d%% %-*s %5.1f KiB/s", dev, sn, bar, pct, pad,
		         phase, p->rate / 1024.0);
		return;
	} else if (record_failed(u)) {
		char msg[FWH_ERROR_MSG_MAX];
		safe_text(u->record_err.text, msg, sizeof msg);
		snprintf(tail, sizeof tail, _("failed-to-record (the unit: %s): %s"), result_text(u), msg);
	} else if (u->skipped) {
		/* skip_why is an English msgid (N_(), cmd_watch.c) */
		snprintf(tail, sizeof tail, _("skipped: %s"),
		         u->skip_why && u->skip_why[0] ? _(u->skip_why) : _("not wanted"));
	} else if (u->result == FWH_REC_OK) {
		char to[sizeof u->to_version];
		safe(u->to_version, to, sizeof to);
		snprintf(tail, sizeof tail, _("ok: runs %s (%.1f s)"), to,
		         (double)u->duration_ms / 1000.0);
	} else {
		char msg[FWH_ERROR_MSG_MAX];
		safe_text(u->err.text, msg, sizeof msg);
		snprintf(tail, sizeof tail, "%s: %s", result_words(u->result), msg);
	}
	snprintf(buf, cap, "%-22s %-12s %-8s %s", dev, sn, from, tail);
}

static size_t term_width(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		return ws.ws_col;
	return 80;
}

/* Wipe the live lines and draw them again (a wrapped line would break the
 * cursor arithmetic, so each is cut to the terminal width). */
static void redraw(struct multi_out *o, const fwh_unit *finished)
{
	FILE *f = o->events;
	size_t w = term_width() - 1;
	char line[1024];
	if (o->drawn)
		fprintf(f, "\033[%zuA", o->drawn);
	fputs("\r\033[J", f);
	if (finished) {
		unit_line(finished, true, line, sizeof line);
		fprintf(f, "%s\n", line); /* stays: finished units scroll up */
	}
	for (size_t i = 0; i < o->n_live; i++) {
		snprintf(line, sizeof line, "%s", o->live[i].line);
		cli_cut_columns(line, w); /* whole characters: a translated line is UTF-8 */
		fprintf(f, "%s\n", line);
	}
	o->drawn = o->n_live;
	o->last_draw_ms = mono_ms();
	fflush(f);
}

static struct multi_out_live *live_find(struct multi_out *o, const fwh_unit *u)
{
	for (size_t i = 0; i < o->n_live; i++)
		if (o->live[i].u == u)
			return &o->live[i];
	return NULL;
}

static void live_remove(struct multi_out *o, const fwh_unit *u)
{
	struct multi_out_live *l = live_find(o, u);
	if (!l)
		return;
	size_t i = (size_t)(l - o->live);
	memmove(&o->live[i], &o->live[i + 1], (o->n_live - i - 1) * sizeof o->live[0]);
	o->n_live--;
}

static void human_event(struct multi_out *o, enum fwh_unit_event ev, const fwh_unit *u)
{
	char line[1024];
	if (!o->tty) {
		/* a log: one line when the unit is identified, one when it ends */
		if (ev == FWH_UNIT_INFO || ev == FWH_UNIT_DONE) {
			unit_line(u, false, line, sizeof line);
			fprintf(o->events, "%s\n", line);
			fflush(o->events);
		}
		return;
	}
	if (ev == FWH_UNIT_DONE) {
		live_remove(o, u);
		redraw(o, u);
		return;
	}
	struct multi_out_live *l = live_find(o, u);
	if (!l && o->n_live < MULTI_OUT_LIVE_MAX) {
		l = &o->live[o->n_live++];
		l->u = u;
	}
	if (l)
		unit_line(u, true, l->line, sizeof l->line);
	if (ev != FWH_UNIT_PROGRESS || mono_ms() - o->last_draw_ms >= REDRAW_MS)
		redraw(o, NULL);
}

/* A unit whose record failed is said on stderr as it ends, in every output
 * mode: the one thing a line must never miss. */
static void record_note(const fwh_unit *u)
{
	char dev[64], sn[FWS_SERIAL_MAX + 1] = "?", msg[FWH_ERROR_MSG_MAX];
	safe(u->device, dev, sizeof dev);
	if (u->have_info)
		safe(u->info.serial, sn, sizeof sn);
	safe_text(u->record_err.text, msg, sizeof msg);
	cli_fail(MSG_FAILED_TO_RECORD, dev, sn,
	         u->record == FWH_UNIT_REC_NOT_ENDED
	                 ? (u->result == FWH_REC_OK ? _("it was flashed, but the end of its attempt "
	                                                "could not be recorded")
	                                            : _("it was attempted, but the end of its attempt "
	                                                "could not be recorded"))
	                 : _("it was not flashed: its attempt could not be recorded"),
	         msg);
}

void multi_out_event(void *user, enum fwh_unit_event ev, const fwh_unit *u)
{
	struct multi_out *o = user;
	if (ev == FWH_UNIT_DONE && record_failed(u))
		record_note(u);
	if (o->json)
		json_event(o, ev, u);
	else
		human_event(o, ev, u);
}

/* ---------------------------------------------------------------------- */

int multi_out_summary(struct multi_out *o, const fwh_unit *units, size_t n)
{
	size_t count[FWH_REC_RESULT_COUNT] = {0}, skipped = 0, unrecorded = 0;
	for (size_t i = 0; i < n; i++) {
		if (record_failed(&units[i]))
			unrecorded++;
		else if (units[i].skipped)
			skipped++;
		else if ((unsigned)units[i].result < FWH_REC_RESULT_COUNT)
			count[units[i].result]++;
	}
	int code = multi_exit_code(units, n);
	if (o->json) {
		FILE *f = stdout;
		dev_event e;
		ev_begin(&e, f, "summary");
		ev_u64(&e, "units", n);
		ev_u64(&e, "ok", count[FWH_REC_OK]);
		ev_u64(&e, "refused", count[FWH_REC_REFUSED]);
		ev_u64(&e, "failed", count[FWH_REC_FAILED]);
		ev_u64(&e, "interrupted", count[FWH_REC_INTERRUPTED]);
		ev_u64(&e, "unconfirmed", count[FWH_REC_UNCONFIRMED]);
		ev_u64(&e, "skipped", skipped);
		ev_u64(&e, "failed_to_record", unrecorded);
		ev_i64(&e, "exit", code);
		fputs(",\"results\":[", f);
		for (size_t i = 0; i < n; i++) {
			dev_event r;
			if (i)
				fputc(',', f);
			fputc('{', f);
			r.f = f;
			fputs("\"device\":", f);
			cli_json_escape(f, units[i].device, strlen(units[i].device));
			ev_u64(&r, "index", units[i].index);
			if (units[i].have_info)
				ev_str(&r, "serial", units[i].info.serial);
			multi_out_json_unit(&r, &units[i]);
			fputc('}', f);
		}
		fputc(']', f);
		ev_end(&e);
		return code;
	}
	char line[1024];
	printf(P_("\n%zu unit: %zu ok, %zu refused, %zu failed, %zu interrupted",
	          "\n%zu units: %zu ok, %zu refused, %zu failed, %zu interrupted", n),
	       n, count[FWH_REC_OK], count[FWH_REC_REFUSED], count[FWH_REC_FAILED],
	       count[FWH_REC_INTERRUPTED]);
	if (count[FWH_REC_UNCONFIRMED])
		printf(_(", %zu not confirmed by the new firmware"), count[FWH_REC_UNCONFIRMED]);
	if (skipped)
		printf(_(", %zu skipped"), skipped);
	if (unrecorded)
		printf(_(", %zu failed-to-record"), unrecorded);
	printf(_(" (exit code %d)\n"), code);
	for (size_t i = 0; i < n; i++) {
		unit_line(&units[i], false, line, sizeof line);
		printf("  %s\n", line);
		if (units[i].serial_note)
			printf(_("    note: %s\n"), units[i].serial_note);
	}
	fflush(stdout);
	return code;
}
