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
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/encoding.h"
#include "fwseal/stub.h"
#include "fwseal/stub_serial.h"
#include "posix_hal.h"
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
};
static struct sim_unit units[SIM_UNITS_MAX];

static void power_check(struct sim_unit *u)
{
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

	u->dev.hal.reset(u->dev.hal.ctx);
	fprintf(stderr, "fwseal-sim: reset\n");
	if (start_device(u) != 0)
		exit(2);
}

/* --usb: every unit on the emulated bus (sim_usb.h); returns the exit code. */
static int run_usb(size_t n, int argc, char **argv)
{
	static struct fws_sim_usb_port ports[SIM_UNITS_MAX];

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
	}
	int rc = fws_sim_usb_main(ports, n, argc, argv);
	for (size_t i = 0; i < n; i++)
		fws_simflash_close(&units[i].dev.flash);
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

int main(int argc, char **argv)
{
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
	fflush(stdout);

	while (!stop) {
		fws_err e = fws_stub_serial_poll(&u->link_state, 200);

		power_check(u);
		if (e != FWS_OK && e != FWS_E_DISCONNECTED)
			fprintf(stderr, "fwseal-sim: serial: %s\n", fws_err_describe(e));
		if (fws_stub_reset_pending(&u->stub)) {
			u->dev.hal.reset(u->dev.hal.ctx);
			fprintf(stderr, "fwseal-sim: reset\n");
			if (start_device(u) != 0)
				return 2;
		}
	}
	sim_link_close(&lk);
	fws_simflash_close(&u->dev.flash);
	return 0;
}
