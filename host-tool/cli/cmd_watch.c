/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_watch.c - `fwseal watch PKG`: the station mode of a factory line.
 * Waits for devices to be plugged in (fwseal-host/watch.h), flashes each
 * one in a thread of its own (fwseal-host/multi.h), records every attempt,
 * and goes on until SIGINT or SIGTERM. A unit whose device says it runs this
 * very package (version and image SHA-256) is skipped - the skip recorded -
 * unless --reinstall (--again). A unit whose attempt cannot be recorded is
 * not flashed, and the exit code says so (10).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "dev_common.h"
#include "flash_multi.h"
#include "fwseal-host/multi.h"
#include "fwseal-host/watch.h"
#include "multi_out.h"

#define WAIT_SLICE_MS 200u /* how often the stop flag and finished units are looked at */

static atomic_int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop_flag, 1);
}

struct station;

/* One unit being (or having been) flashed. Slots live until the end: the
 * summary lists them all, and the output keeps pointers to live ones. */
struct slot {
	fwh_unit u;
	pthread_t th;
	atomic_bool finished;
	bool joined;
	struct station *st;
};

struct station {
	fwh_multi m;
	struct multi_out out;
	const char *model;      /* --model: other models are left alone */
	struct slot **slots;
	size_t n_slots, cap_slots;
};

static void on_event(void *user, enum fwh_unit_event ev, const fwh_unit *u)
{
	struct station *st = user;
	multi_out_event(&st->out, ev, u);
}

/* Runs in the unit's thread, after its device-info record was read. Whether
 * the unit already runs the package is the library's decision (the device's
 * own state, fwh_device_runs_package), as is a serial number in flight twice. */
static bool on_filter(void *user, fwh_unit *u)
{
	struct station *st = user;
	if (st->model && strcmp(u->info.model, st->model) != 0) {
		u->skip_code = "other-model";
		u->skip_why = N_("another model (--model)"); /* English: --json; _() in text */
		return false;
	}
	return true;
}

static void *unit_thread(void *p)
{
	struct slot *s = p;
	fwh_unit_run(&s->st->m, &s->u);
	atomic_store(&s->finished, true);
	return NULL;
}

/* Whether a device string is being handled by a unit that has not ended. */
static bool device_busy(const struct station *st, const char *device)
{
	for (size_t i = 0; i < st->n_slots; i++)
		if (!atomic_load(&st->slots[i]->finished) && !strcmp(st->slots[i]->u.device, device))
			return true;
	return false;
}

static void reap(struct station *st, bool all)
{
	for (size_t i = 0; i < st->n_slots; i++) {
		struct slot *s = st->slots[i];
		if (s->joined || (!all && !atomic_load(&s->finished)))
			continue;
		pthread_join(s->th, NULL);
		s->joined = true;
	}
}

static void start_unit(struct station *st, const char *device)
{
	if (st->n_slots == st->cap_slots) {
		size_t ncap = st->cap_slots ? 2 * st->cap_slots : 16;
		struct slot **ns = realloc(st->slots, ncap * sizeof *ns);
		if (!ns) {
			cli_error("Out of memory; %s is not flashed.", device);
			return;
		}
		st->slots = ns;
		st->cap_slots = ncap;
	}
	struct slot *s = calloc(1, sizeof *s);
	if (!s) {
		cli_error("Out of memory; %s is not flashed.", device);
		return;
	}
	s->st = st;
	s->u.index = st->n_slots;
	snprintf(s->u.device, sizeof s->u.device, "%s", device);
	if (pthread_create(&s->th, NULL, unit_thread, s) != 0) {
		cli_error("Could not start a thread for %s; plug it in again.", device);
		free(s);
		return;
	}
	st->slots[st->n_slots++] = s;
}

struct watch_args {
	const char *pkg, *trust, *model;
	fwh_watch_opts wo;
	struct flash_multi_args fm; /* --records, --station, --operator, --reinstall, ... */
};

enum { OPT_MODEL = 0x2001, OPT_PORTS, OPT_BAUD, OPT_USB, OPT_USB_ONLY, OPT_AGAIN,
       OPT_SETTLE, OPT_NO_USB };
static const struct option opts[] = {
	{"trust", required_argument, NULL, 't'},
	{"model", required_argument, NULL, OPT_MODEL},
	{"ports", required_argument, NULL, OPT_PORTS},
	{"baud", required_argument, NULL, OPT_BAUD},
	{"usb", no_argument, NULL, OPT_USB},
	{"usb-only", no_argument, NULL, OPT_USB_ONLY},
	{"no-usb", no_argument, NULL, OPT_NO_USB},
	{"again", no_argument, NULL, OPT_AGAIN},
	{"settle-ms", required_argument, NULL, OPT_SETTLE},
	FLASH_MULTI_LONGOPTS,
	{NULL, 0, NULL, 0},
};

static const struct cli_opt_hint hints[] = {
	{"model", CLI_VAL_TEXT},
	{"ports", CLI_VAL_TEXT},
	{"baud", "9600 19200 38400 57600 115200 230400 460800 921600"},
	{"settle-ms", CLI_VAL_TEXT},
	{"station", CLI_VAL_TEXT},
	{"operator", CLI_VAL_TEXT},
	{"work-order", CLI_VAL_TEXT},
	{NULL, NULL},
};

static int parse(struct cli_ctx *ctx, int argc, char **argv, struct watch_args *a)
{
	int c, rc;
	bool no_usb = false;
	/* USB hotplug by default where this build and system have it */
	a->wo.usb_if_available = true;
	while ((c = cli_getopt(ctx, argc, argv, "t:", opts)) != -1) {
		switch (c) {
		case 't': a->trust = optarg; break;
		case OPT_MODEL: a->model = optarg; break;
		case OPT_PORTS:
			if (a->wo.n_ports == FWH_WATCH_PORTS_MAX)
				return cli_usage(ctx, "at most %u --ports patterns.", FWH_WATCH_PORTS_MAX);
			a->wo.ports[a->wo.n_ports++] = optarg;
			break;
		case OPT_BAUD:
			if (!cli_parse_u32(optarg, &a->wo.baud) || !a->wo.baud)
				return cli_usage(ctx, "--baud needs a rate such as 115200, not '%s'.",
				                 optarg);
			break;
		case OPT_USB: a->wo.usb = true; break;
		case OPT_USB_ONLY:
			a->wo.usb = true;
			a->wo.no_serial = true;
			break;
		case OPT_NO_USB:
			no_usb = true;
			a->wo.usb_if_available = false;
			break;
		case OPT_AGAIN: a->fm.reinstall = true; break; /* the older name of --reinstall */
		case OPT_SETTLE:
			if (!cli_parse_u32(optarg, &a->wo.settle_ms) || a->wo.settle_ms > 60000)
				return cli_usage(ctx, "--settle-ms needs 1 to 60000 ms, not '%s'.", optarg);
			break;
		case FLASH_MULTI_OPT_ALL:
			return cli_usage(ctx, "watch flashes every device that appears; --all is for "
			                      "flash.");
		default:
			if (flash_multi_option(ctx, c, optarg, &a->fm, &rc)) {
				if (rc >= 0)
					return rc;
				break;
			}
			return FWS_EXIT_USAGE;
		}
	}
	if ((rc = flash_multi_check(ctx, &a->fm)) >= 0)
		return rc;
	if (optind >= argc)
		return cli_usage(ctx, "watch needs the package file to install.");
	a->pkg = argv[optind++];
	if (optind < argc)
		return cli_usage(ctx, "watch takes one package, not also '%s'.", argv[optind]);
	if (a->wo.no_serial && a->wo.n_ports)
		return cli_usage(ctx, "--usb-only and --ports exclude each other.");
	if (no_usb && a->wo.usb)
		return cli_usage(ctx, "--no-usb excludes --usb and --usb-only.");
	return -1;
}

static void announce(const struct station *st, const struct watch_args *a, bool usb)
{
	const fwh_package *pkg = st->m.pkg;
	if (st->out.json) {
		dev_event e;
		ev_begin(&e, stdout, "watching");
		ev_str(&e, "package", a->pkg);
		ev_str(&e, "package_sha256", st->m.digest_hex);
		ev_str(&e, "model", pkg->manifest.model);
		ev_str(&e, "version", pkg->manifest.version);
		ev_str(&e, "station", st->m.station);
		ev_bool(&e, "usb", usb); /* USB DFU devices are watched */
		ev_bool(&e, "reinstall", a->fm.reinstall);
		ev_bool(&e, "only_failed", a->fm.only_failed);
		if (st->m.records)
			ev_str(&e, "records", fwh_records_where(st->m.records));
		ev_end(&e);
		return;
	}
	fprintf(stderr, _("Watching for %s devices%s to install firmware %s (station %s%s). "
	                "Press Ctrl-C to stop.\n"),
	        a->model ? a->model : "fwseal",
	        !usb ? "" : a->wo.no_serial ? " (USB)" : " (serial and USB)",
	        pkg->manifest.version, st->m.station, st->m.records ? "" : ", not recorded");
}

static int run(struct cli_ctx *ctx, int argc, char **argv)
{
	struct watch_args a;
	memset(&a, 0, sizeof a);
	int rc = parse(ctx, argc, argv, &a);
	if (rc >= 0)
		return rc;
	static fwh_package pkg;
	rc = flash_multi_load_package("watch", a.trust, a.pkg, &pkg);
	if (rc >= 0)
		return rc;

	static struct station st; /* large; one per process */
	fwh_records *db = NULL;
	fwh_error err;
	fwh_error_clear(&err);
	/* a station that should record and cannot must not flash */
	rc = flash_multi_open_records(&a.fm, &db);
	if (rc >= 0) {
		fwh_package_close(&pkg);
		return rc;
	}
	fwh_watch *w = NULL;
	if (fwh_watch_open(&a.wo, &w, &err) != FWS_OK) {
		dev_error(&err);
		fwh_records_close(db);
		fwh_package_close(&pkg);
		return err.code == FWS_E_INVAL ? FWS_EXIT_USAGE : FWS_EXIT_IO;
	}

	char station_name[FWH_REC_STATION_MAX + 1];
	flash_multi_station(&a.fm, station_name, sizeof station_name);
	multi_out_init(&st.out, ctx->json);
	st.model = a.model;
	st.m = (fwh_multi){
		.pkg = &pkg,
		.records = db,
		.station = station_name,
		.operator_name = a.fm.operator_name,
		.work_order = a.fm.work_order,
		.tool_version = flash_multi_tool_version(),
		.reinstall = a.fm.reinstall,
		.only_failed = a.fm.only_failed,
		.link = {.rtscts = false},
		.event = on_event,
		.filter = on_filter,
		.user = &st,
		.cancel = &stop_flag,
	};
	fwh_multi_init(&st.m);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	announce(&st, &a, fwh_watch_has_usb(w));

	char device[FWH_DEVSTR_MAX];
	while (!atomic_load(&stop_flag)) {
		fws_err e = fwh_watch_next(w, device, sizeof device, WAIT_SLICE_MS, &err);
		reap(&st, false);
		if (e == FWS_OK && !device_busy(&st, device))
			start_unit(&st, device);
	}

	/* stop: units in flight stop at their next request (and are recorded
	 * as interrupted: the next run resumes them) */
	reap(&st, true);
	/* each unit's result is in the records; the exit code says whether the
	 * records held for every unit */
	rc = FWS_EXIT_OK;
	fwh_unit *all = calloc(st.n_slots ? st.n_slots : 1, sizeof *all);
	if (all) {
		for (size_t i = 0; i < st.n_slots; i++)
			all[i] = st.slots[i]->u;
		if (multi_out_summary(&st.out, all, st.n_slots) == FWS_EXIT_RECORDS)
			rc = FWS_EXIT_RECORDS;
		free(all);
	}
	for (size_t i = 0; i < st.n_slots; i++) {
		fwh_unit_clear(&st.slots[i]->u);
		free(st.slots[i]);
	}
	free(st.slots);
	fwh_watch_close(w);
	fwh_multi_destroy(&st.m);
	fwh_records_close(db);
	fwh_package_close(&pkg);
	return rc;
}

const struct cli_cmd cli_cmd_watch = {
	.name = "watch",
	.summary = N_("flash every device plugged in, once, and record it (factory station)"),
	.usage =
		N_("Usage: fwseal watch PKG [--trust TRUST] [--model M] [--records PATH|URI]\n"
		"                        [--station NAME] [--operator O] [--work-order W]\n"
		"                        [--ports GLOB]... [--baud N] [--no-usb | --usb | --usb-only]\n"
		"                        [--reinstall | --only-failed] [--json]\n"
		"\n"
		"Wait for devices to be plugged in, flash PKG to each one (several at the same\n"
		"time), record every attempt, and go on until Ctrl-C (SIGINT) or SIGTERM.\n"
		"The package is verified once, at the start. A unit whose device reports that\n"
		"it runs this package (its version and image SHA-256) is skipped, and the skip\n"
		"is recorded with its reason. Nothing is sent to a unit whose attempt is not\n"
		"recorded first. Stopping interrupts units in flight; they resume when\n"
		"plugged in again.\n"
		"\n"
		"  --trust TRUST    trust store (default as for 'fwseal flash')\n"
		"  --model M        only devices of model M; others are left alone (a skipped\n"
		"                   row). Without it a unit of another model is refused\n"
		"  --records PATH|URI  records file (default $XDG_DATA_HOME/fwseal/records.sqlite,\n"
		"                   else ~/.local/share/fwseal/records.sqlite) or a PostgreSQL\n"
		"                   URI postgresql://... shared by the line; --no-records: none\n"
		"  --spool PATH     PostgreSQL: the local spool used while the server is away\n"
		"  --station NAME   station name in the records (default: the host name)\n"
		"  --operator O, --work-order W  recorded with each attempt\n"
		"  --ports GLOB     serial ports to watch (default /dev/ttyUSB* and\n"
		"                   /dev/ttyACM*); wildcards in the last part only. Other ttys\n"
		"                   are never touched. For simulated devices, point it at a\n"
		"                   folder of symlinks to their ptys\n"
		"  --baud N         serial rate (default 115200)\n"
		"  --no-usb         serial ports only. By default USB DFU devices are watched\n"
		"                   too (libusb hotplug) when this fwseal has USB support and\n"
		"                   the system allows it\n"
		"  --usb            USB too, and an error if it cannot be watched;\n"
		"                   --usb-only: only USB\n"
		"  --reinstall      flash units that already run this package too (--again)\n"
		"  --only-failed    flash only units whose last recorded attempt with this\n"
		"                   package did not succeed\n"
		"  --settle-ms MS   wait after a port appears before opening it (default 200)\n"
		"  --json           one JSON event per line on stdout: watching, start, plan,\n"
		"                   progress, done / error / skipped, and a summary at the end\n"
		"\n"
		"Exit codes: 0 after SIGINT/SIGTERM (each unit's result is in the records),\n"
		"2 usage, 3 package bad or untrusted, 5 records or ports cannot be used,\n"
		"10 a unit's attempt could not be recorded or its record completed.\n"),
	.json = true,
	.run = run,
	.opts = opts,
	.hints = hints,
	.operands = CLI_VAL_FILE,
};
