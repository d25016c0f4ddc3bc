/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_main.c - fwseal-sim: a device running the fwseal stub, simulated on
 * posix. Flash in DIR/flash.bin (simflash.h), the serial protocol on a pty,
 * and a simulated application that confirms itself after it boots.
 *
 * With --usb the device is on emulated USB instead, and `--and [device
 * options]` adds more devices to the same emulated bus (a factory line in
 * one process): each has its own stub, flash and identity (struct sim_unit).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fwseal/encoding.h"
#include "fwseal/stub.h"
#include "fwseal/stub_serial.h"
#include "posix_hal.h"
#include "sim_control.h"
#include "sim_options.h"
#include "sim_pty.h"
#if defined(FWS_SIM_USB)
#include "sim_usb.h"
#endif

#define EXIT_POWER_CUT 3

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Devices on one emulated USB bus (--and); a serial device is alone. */
#define SIM_UNITS_MAX 8

/* The block buffer for --max-block: a block with its digest, and room to
 * decode a compressed or delta unit in place (fwseal/encoding.h), as on
 * the firmware (4,144 bytes for 4 KiB blocks). */
static size_t sim_buf_cap(const sim_options *o)
{
	size_t cap = FWS_ENC_BUF_NEED(o->max_block);

	return cap < FWS_PKG_BUF_MIN ? FWS_PKG_BUF_MIN : cap;
}

/* Everything a device has in RAM: static, as on the target. */
struct sim_unit {
	fws_posix_dev dev;
	fws_stub stub;
	fws_stub_serial link_state;
	uint8_t block_buf[FWS_ENC_BUF_NEED(FWS_PKG_BLOCK_MAX)];
	sim_options opts;
	fws_stub_config config;
	sim_ctl ctl;             /* control socket (sim_control.h) */
	bool ctl_cut;            /* the armed or done cut came from the control */
	uint32_t off_ms;         /* how long the power stays off */
	unsigned power_cuts;     /* cuts from the control since start */
};
static struct sim_unit units[SIM_UNITS_MAX];

static int start_device(struct sim_unit *u);

static void sleep_ms(uint32_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

/* The power came back after a cut from the control socket: RAM is gone (the
 * stub, the serial link, the block buffer start from zero, as at power-on),
 * flash keeps what the cut left, and the device boots from it. */
static void power_cycle(struct sim_unit *u, bool wait_off)
{
	fprintf(stderr, "fwseal-sim: power cut (control) after %llu flash operations%s; off for "
	        "%u ms\n", (unsigned long long)u->dev.flash.ops,
	        u->dev.flash.torn ? ", the cut operation torn" : "", (unsigned)u->off_ms);
	if (wait_off)
		sleep_ms(u->off_ms);
	if (u->dev.fd >= 0) {
		/* what the host sent to a device without power is lost */
		uint8_t junk[256];
		struct pollfd p = {u->dev.fd, POLLIN, 0};

		while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN) && read(u->dev.fd, junk, sizeof junk) > 0) {
		}
	}
	memset(&u->stub, 0, sizeof u->stub);
	memset(&u->link_state, 0, sizeof u->link_state);
	memset(u->block_buf, 0, sizeof u->block_buf);
	fws_simflash_repower(&u->dev.flash);
	u->dev.reset_requested = false;
	u->dev.mute_when_off = false;
	u->ctl_cut = false;
	u->power_cuts++;
	if (start_device(u) != 0)
		exit(2);
}

/* A request on the control socket (both faces). A cut "now" is only
 * prepared here (*cut_now): the caller makes it and answers once the power
 * is back; everything else is answered here. */
static void unit_control(struct sim_unit *u, sim_ctl_req *r, bool *cut_now)
{
	const fws_flash_geom *g = &u->dev.hal.geom;

	*cut_now = false;
	switch (r->op) {
	case SIM_CTL_SERIAL:
		sim_ctl_reply(r, "ok %s", u->opts.serial_number);
		return;
	case SIM_CTL_STATUS:
		sim_ctl_reply(r, "ok power-cuts %u flash-ops %llu", u->power_cuts,
		              (unsigned long long)u->dev.flash.ops);
		return;
	case SIM_CTL_CUT_NOW:
	case SIM_CTL_CUT_AT_IMAGE:
	case SIM_CTL_CUT_AT_JOURNAL:
		break;
	}
	if (u->dev.flash.armed || u->dev.flash.armed_range || u->dev.flash.dead) {
		sim_ctl_reply(r, "error a power cut is already armed");
		return;
	}
	u->ctl_cut = true;
	u->off_ms = r->off_ms;
	u->dev.mute_when_off = true;
	if (r->op == SIM_CTL_CUT_NOW) {
		u->dev.flash.dead = true;
		*cut_now = true;
		return;
	}
	if (r->op == SIM_CTL_CUT_AT_IMAGE)
		fws_simflash_arm_cut_in(&u->dev.flash, g->slot[0].off, (uint32_t)u->dev.flash.size,
		                        r->torn);
	else
		fws_simflash_arm_cut_in(&u->dev.flash, g->journal[0], g->journal[1] + g->sector_size,
		                        r->torn);
	sim_ctl_reply(r, "ok armed");
}

static void power_check(struct sim_unit *u)
{
	if (u->dev.flash.dead && u->ctl_cut) {
		power_cycle(u, true);
		return;
	}
	if (u->dev.flash.dead) {
		fprintf(stderr, "fwseal-sim: power cut after %llu flash operations%s.\n",
		        (unsigned long long)u->dev.flash.ops, u->dev.flash.torn ? " (torn)" : "");
		fws_simflash_close(&u->dev.flash);
		exit(EXIT_POWER_CUT);
	}
}

/* Power-on: init, boot decision, and the application's self-confirm. */
static int start_device(struct sim_unit *u)
{
	fws_stub *stub = &u->stub;
	fws_boot_result b;
	fws_err e;

	e = fws_stub_init(stub, &u->config);
	power_check(u);
	if (e != FWS_OK) {
		fprintf(stderr, "fwseal-sim: stub init failed: %s\n", fws_err_describe(e));
		return -1;
	}
	e = fws_stub_boot(stub, &b);
	power_check(u);
	if (e != FWS_OK) {
		fprintf(stderr, "fwseal-sim: boot failed: %s\n", fws_err_describe(e));
		return -1;
	}
	if (b.action == FWS_BOOT_RUN) {
		fprintf(stderr, "fwseal-sim: running slot %u, version %s%s%s\n", b.slot,
		        stub->slot[b.slot].version, b.trial ? " (test boot)" : "",
		        b.reverted ? " (reverted an unconfirmed update)" : "");
		if (!u->opts.no_confirm) {
			e = fws_stub_confirm(stub);
			power_check(u);
			if (e != FWS_OK)
				fprintf(stderr, "fwseal-sim: confirm failed: %s\n", fws_err_describe(e));
		}
	} else {
		fprintf(stderr, "fwseal-sim: no verifiable image%s; waiting in the stub for an update\n",
		        b.reverted ? " (reverted an unconfirmed update)" : "");
	}
	fws_stub_serial_init(&u->link_state, stub);
	return 0;
}

#if defined(FWS_SIM_USB)
/* --usb: the device restarts (USB reset, reboot request, power back after a
 * cable pull): boot decision again, the application confirms. */
static void usb_restart(void *ctx)
{
	struct sim_unit *u = ctx;

	if (u->dev.flash.dead && u->ctl_cut) {
		/* the emulation already kept it off the bus for off_ms */
		power_cycle(u, false);
		return;
	}
	u->dev.hal.reset(u->dev.hal.ctx);
	fprintf(stderr, "fwseal-sim: reset\n");
	if (start_device(u) != 0)
		exit(2);
}

static void usb_control(void *ctx, sim_ctl_req *r, bool *cut_now)
{
	unit_control(ctx, r, cut_now);
}

/* -1 while powered; after a cut from the control: how long it stays off. */
static int usb_power_lost(void *ctx)
{
	struct sim_unit *u = ctx;

	return u->dev.flash.dead && u->ctl_cut ? (int)u->off_ms : -1;
}

/* --usb: every unit on the emulated bus (sim_usb.h); returns the exit code. */
static int run_usb(size_t n, int argc, char **argv)
{
	static struct fws_sim_usb_port ports[SIM_UNITS_MAX];
	char controls[SIM_UNITS_MAX * sizeof units[0].ctl.path + SIM_UNITS_MAX] = "";

	memset(ports, 0, sizeof ports);
	for (size_t i = 0; i < n; i++) {
		struct sim_unit *u = &units[i];

		u->dev.fd = fws_sim_usb_link(&ports[i].link_fd);
		if (u->dev.fd < 0) {
			fprintf(stderr, "fwseal-sim: cannot create the USB link: %s\n", strerror(errno));
			return 2;
		}
		u->dev.baud = 0;
		fws_posix_hal_init(&u->dev);
		if (u->opts.no_encodings)
			u->dev.hal.flash_map = NULL;
		if (start_device(u) != 0)
			return 2;
		/* The USB face instead of the pty: ports/posix/usb/sim_usb.h. */
		ports[i].stub = &u->stub;
		ports[i].restart = usb_restart;
		ports[i].ctx = u;
		if (u->ctl.fd >= 0) {
			ports[i].ctl = &u->ctl;
			ports[i].control = usb_control;
			ports[i].power_lost = usb_power_lost;
			if (controls[0])
				strcat(controls, ":");
			strcat(controls, u->ctl.path);
		}
	}
	/* COMMAND finds the devices' control sockets here (docs/device-stub.md) */
	if (controls[0])
		setenv("FWSEAL_SIM_CONTROL", controls, 1);
	int rc = fws_sim_usb_main(ports, n, argc, argv);
	for (size_t i = 0; i < n; i++) {
		sim_ctl_close(&units[i].ctl);
		fws_simflash_close(&units[i].dev.flash);
	}
	return rc;
}
#endif

/* Flash, trust store and stub configuration of one unit (its options
 * parsed). Returns 0, or 2 after saying what is wrong. */
static int setup_unit(struct sim_unit *u)
{
	const sim_options *o = &u->opts;
	fws_stub_config *c = &u->config;
	char path[4096];

	if (fws_posix_load_trust(&u->dev, o->trust) != FWS_OK) {
		fprintf(stderr, "fwseal-sim: cannot read the trust store %s; export one with "
		        "'fwseal key export-trust'.\n", o->trust);
		return 2;
	}
	if (mkdir(o->state_dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "fwseal-sim: cannot create %s: %s\n", o->state_dir, strerror(errno));
		return 2;
	}
	snprintf(path, sizeof path, "%s/flash.bin", o->state_dir);
	if (fws_simflash_open(&u->dev.flash, path, o->flash_size, FWS_SIM_SECTOR, FWS_SIM_WRITE) != FWS_OK) {
		fprintf(stderr, "fwseal-sim: cannot open %s as %u bytes of flash; use the --flash-size "
		        "it was created with, or a new --state directory.\n", path, o->flash_size);
		return 2;
	}
	if (o->flip)
		fws_simflash_flip(&u->dev.flash, o->flip_off, o->flip_bit);
	if (o->cut_armed)
		fws_simflash_arm_cut(&u->dev.flash, o->cut_after, o->torn);

	memset(c, 0, sizeof *c);
	c->hal = &u->dev.hal;
	c->id.vendor_id = o->vendor_id;
	c->id.class_id = o->class_id;
	c->id.model = o->model;
	c->id.hw_rev = o->hw_rev;
	c->id.serial = o->serial_number;
	c->id.component = o->component;
	c->id.simulator = true;
	c->buf = u->block_buf;
	c->buf_cap = sim_buf_cap(o);
	c->poll_timeout_ms = 0;
	c->xfer_size = 4096;
	c->defects = o->defects;

	u->ctl.fd = -1;
	if (!o->no_control) {
		char cpath[4096];

		char cwd[2048];

		/* absolute, so it can be handed to any program */
		if (o->state_dir[0] != '/' && getcwd(cwd, sizeof cwd) != NULL)
			snprintf(cpath, sizeof cpath, "%s/%s/control.sock", cwd, o->state_dir);
		else
			snprintf(cpath, sizeof cpath, "%s/control.sock", o->state_dir);
		if (sim_ctl_open(&u->ctl, o->control ? o->control : cpath) != 0)
			fprintf(stderr, "fwseal-sim: no control socket at %s (%s); power cuts from the "
			        "control are not available. Use --control with a shorter path.\n",
			        o->control ? o->control : cpath, strerror(errno));
	}
	return 0;
}

/* argv[0 .. end) holds the device options of every unit, separated by
 * "--and". Parses them into units[]; *n = how many. 0, 1 after --help, 2. */
static int parse_units(int end, char **argv, size_t *n)
{
	int from = 0;

	*n = 0;
	while (from < end) {
		int to = from + 1;

		while (to < end && strcmp(argv[to], "--and") != 0)
			to++;
		if (*n == SIM_UNITS_MAX) {
			fprintf(stderr, "fwseal-sim: at most %d devices (--and); see --help.\n",
			        SIM_UNITS_MAX);
			return 2;
		}
		/* argv[from] is the program name or "--and": getopt skips it */
		optind = 0;
		int rc = sim_options_parse(&units[*n].opts, to - from, argv + from);
		if (rc != 0)
			return rc;
		(*n)++;
		from = to;
	}
	return 0;
}

/* What the line did to this boot's frames (the serial link starts afresh
 * with each boot), for tests and benches that put noise on the line. */
static void link_stats(const struct sim_unit *u)
{
	const fws_stub_serial *l = &u->link_state;

	fprintf(stderr, "fwseal-sim: serial link: %u damaged frames dropped, %u windowed "
	        "DNLOADs out of order dropped, %u requests answered again from the cache\n",
	        (unsigned)(l->frames_bad + l->dec.bad), (unsigned)l->frames_dropped,
	        (unsigned)l->frames_repeated);
}

int main(int argc, char **argv)
{
	/* fwseal-sim --ask SOCKET REQUEST...: the control socket's client */
	if (argc >= 4 && strcmp(argv[1], "--ask") == 0)
		return sim_ctl_ask(argv[2], argc - 3, argv + 3);
	struct sim_unit *u = &units[0];
	sim_link lk;
	struct sigaction sa;
	int usb_at = argc; /* argv[usb_at] == "--usb": the rest belongs to sim_usb.c */
	size_t n = 0;
	int rc;

#if defined(FWS_SIM_USB)
	if (fws_sim_usb_begin(argc, argv, &usb_at) != 0)
		return 2;
#endif
	rc = parse_units(usb_at, argv, &n);
	if (rc == 1) {
#if defined(FWS_SIM_USB)
		fputs(fws_sim_usb_usage, stdout);
#endif
		return 0;
	}
	if (rc != 0)
		return 2;
	if (u->opts.ram) {
		/* Static RAM a firmware port needs for the stub (bench/): the
		 * core, the block buffer for --max-block, the serial link. */
		size_t buf = sim_buf_cap(&u->opts);

		printf("stub %zu\nblock_buffer %zu\nserial_link %zu\ntotal %zu\n", sizeof(fws_stub),
		       buf, sizeof(fws_stub_serial), sizeof(fws_stub) + buf + sizeof(fws_stub_serial));
		return 0;
	}
	if (n > 1 && usb_at == argc) {
		fprintf(stderr, "fwseal-sim: --and puts devices on emulated USB; add --usb -- COMMAND.\n");
		return 2;
	}
	for (size_t i = 0; i < n; i++)
		if (setup_unit(&units[i]) != 0)
			return 2;

#if defined(FWS_SIM_USB)
	if (usb_at < argc)
		return run_usb(n, argc - usb_at, argv + usb_at);
#endif
	if (u->opts.tty != NULL ? sim_tty_open(&lk, u->opts.tty, u->opts.baud) : sim_pty_open(&lk)) {
		fprintf(stderr, "fwseal-sim: cannot open the serial line: %s\n", strerror(errno));
		return 2;
	}
	u->dev.fd = lk.fd;
	u->dev.baud = u->opts.baud;
	/* The serial face: DNLOADs in flight and straight into the block buffer
	 * (one package unit per request, which one frame carries whole). Not on
	 * --usb, where DNLOADs are control transfers of wTransferSize. */
	u->config.dl_window = u->opts.dl_window;
	u->config.dl_flags = FWS_DL_UNIT_CHUNKS;
	u->config.xfer_size = FWS_FRAME_PAYLOAD_MAX;
	fws_posix_hal_init(&u->dev);
	if (u->opts.no_encodings)
		u->dev.hal.flash_map = NULL;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (start_device(u) != 0)
		return 2;
	printf("serial:%s\n", lk.path);
	if (u->ctl.fd >= 0)
		printf("control:%s\n", u->ctl.path);
	fflush(stdout);

	while (!stop) {
		fws_err e = fws_stub_serial_poll(&u->link_state, 200);
		sim_ctl_req req;
		bool cut_now = false;

		power_check(u);
		if (sim_ctl_next(&u->ctl, 0, &req)) {
			unit_control(u, &req, &cut_now);
			if (cut_now) {
				power_cycle(u, true);
				sim_ctl_reply(&req, "ok power-cut");
			}
			continue;
		}
		if (e != FWS_OK && e != FWS_E_DISCONNECTED)
			fprintf(stderr, "fwseal-sim: serial: %s\n", fws_err_describe(e));
		if (fws_stub_reset_pending(&u->stub)) {
			link_stats(u);
			u->dev.hal.reset(u->dev.hal.ctx);
			fprintf(stderr, "fwseal-sim: reset\n");
			if (start_device(u) != 0)
				return 2;
		}
	}
	link_stats(u);
	sim_link_close(&lk);
	sim_ctl_close(&u->ctl);
	fws_simflash_close(&u->dev.flash);
	return 0;
}
