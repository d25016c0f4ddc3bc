/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_main.c - fwseal-sim: a device running the fwseal stub, simulated on
 * posix. Flash in DIR/flash.bin (simflash.h), the serial protocol on a pty,
 * and a simulated application that confirms itself after it boots.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* Everything a device has in RAM: static, as on the target. */
static fws_posix_dev dev;
static fws_stub stub;
static fws_stub_serial link_state;
static uint8_t block_buf[FWS_PKG_BLOCK_MAX + FWS_SHA256_LEN];
static sim_options opts;
static fws_stub_config config;

static void power_check(void)
{
	if (dev.flash.dead) {
		fprintf(stderr, "fwseal-sim: power cut after %llu flash operations%s.\n",
		        (unsigned long long)dev.flash.ops, dev.flash.torn ? " (torn)" : "");
		fws_simflash_close(&dev.flash);
		exit(EXIT_POWER_CUT);
	}
}

/* Power-on: init, boot decision, and the application's self-confirm. */
static int start_device(const sim_options *o, const fws_stub_config *cfg)
{
	fws_boot_result b;
	fws_err e;

	e = fws_stub_init(&stub, cfg);
	power_check();
	if (e != FWS_OK) {
		fprintf(stderr, "fwseal-sim: stub init failed: %s\n", fws_err_describe(e));
		return -1;
	}
	e = fws_stub_boot(&stub, &b);
	power_check();
	if (e != FWS_OK) {
		fprintf(stderr, "fwseal-sim: boot failed: %s\n", fws_err_describe(e));
		return -1;
	}
	if (b.action == FWS_BOOT_RUN) {
		fprintf(stderr, "fwseal-sim: running slot %u, version %s%s%s\n", b.slot,
		        stub.slot[b.slot].version, b.trial ? " (test boot)" : "",
		        b.reverted ? " (reverted an unconfirmed update)" : "");
		if (!o->no_confirm) {
			e = fws_stub_confirm(&stub);
			power_check();
			if (e != FWS_OK)
				fprintf(stderr, "fwseal-sim: confirm failed: %s\n", fws_err_describe(e));
		}
	} else {
		fprintf(stderr, "fwseal-sim: no verifiable image%s; waiting in the stub for an update\n",
		        b.reverted ? " (reverted an unconfirmed update)" : "");
	}
	fws_stub_serial_init(&link_state, &stub);
	return 0;
}

#if defined(FWS_SIM_USB)
/* --usb: the device restarts (USB reset, reboot request, power back after a
 * cable pull): boot decision again, the application confirms. */
static void usb_restart(void *ctx)
{
	(void)ctx;
	dev.hal.reset(dev.hal.ctx);
	fprintf(stderr, "fwseal-sim: reset\n");
	if (start_device(&opts, &config) != 0)
		exit(2);
}
#endif

int main(int argc, char **argv)
{
	sim_link lk;
	char path[4096];
	struct sigaction sa;
	int usb_at = argc; /* argv[usb_at] == "--usb": the rest belongs to sim_usb.c */
	int rc;

#if defined(FWS_SIM_USB)
	if (fws_sim_usb_begin(argc, argv, &usb_at) != 0)
		return 2;
#endif
	rc = sim_options_parse(&opts, usb_at, argv);
	if (rc == 1) {
#if defined(FWS_SIM_USB)
		fputs(fws_sim_usb_usage, stdout);
#endif
		return 0;
	}
	if (rc != 0)
		return 2;
	if (opts.ram) {
		/* Static RAM a firmware port needs for the stub (bench/): the
		 * core, the block buffer for --max-block, the serial link. */
		size_t buf = opts.max_block + FWS_SHA256_LEN < FWS_PKG_BUF_MIN ? FWS_PKG_BUF_MIN
		                                                                : opts.max_block + FWS_SHA256_LEN;

		printf("stub %zu\nblock_buffer %zu\nserial_link %zu\ntotal %zu\n", sizeof(fws_stub),
		       buf, sizeof(fws_stub_serial), sizeof(fws_stub) + buf + sizeof(fws_stub_serial));
		return 0;
	}
	if (fws_posix_load_trust(&dev, opts.trust) != FWS_OK) {
		fprintf(stderr, "fwseal-sim: cannot read the trust store %s; export one with "
		        "'fwseal key export-trust'.\n", opts.trust);
		return 2;
	}
	if (mkdir(opts.state_dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "fwseal-sim: cannot create %s: %s\n", opts.state_dir, strerror(errno));
		return 2;
	}
	snprintf(path, sizeof path, "%s/flash.bin", opts.state_dir);
	if (fws_simflash_open(&dev.flash, path, opts.flash_size, FWS_SIM_SECTOR, FWS_SIM_WRITE) != FWS_OK) {
		fprintf(stderr, "fwseal-sim: cannot open %s as %u bytes of flash; use the --flash-size "
		        "it was created with, or a new --state directory.\n", path, opts.flash_size);
		return 2;
	}
	if (opts.flip)
		fws_simflash_flip(&dev.flash, opts.flip_off, opts.flip_bit);
	if (opts.cut_armed)
		fws_simflash_arm_cut(&dev.flash, opts.cut_after, opts.torn);

	memset(&config, 0, sizeof config);
	config.hal = &dev.hal;
	config.id.vendor_id = opts.vendor_id;
	config.id.class_id = opts.class_id;
	config.id.model = opts.model;
	config.id.hw_rev = opts.hw_rev;
	config.id.serial = opts.serial_number;
	config.id.component = opts.component;
	config.buf = block_buf;
	config.buf_cap = opts.max_block + FWS_SHA256_LEN;
	if (config.buf_cap < FWS_PKG_BUF_MIN)
		config.buf_cap = FWS_PKG_BUF_MIN;
	config.poll_timeout_ms = 0;
	config.xfer_size = 4096;
	config.defects = opts.defects;

#if defined(FWS_SIM_USB)
	if (usb_at < argc) {
		struct fws_sim_usb_port port;

		dev.fd = fws_sim_usb_link();
		if (dev.fd < 0) {
			fprintf(stderr, "fwseal-sim: cannot create the USB link: %s\n", strerror(errno));
			return 2;
		}
		dev.baud = 0;
		fws_posix_hal_init(&dev);
		if (start_device(&opts, &config) != 0)
			return 2;
		/* The USB face instead of the pty: ports/posix/usb/sim_usb.h. */
		memset(&port, 0, sizeof port);
		port.stub = &stub;
		port.restart = usb_restart;
		rc = fws_sim_usb_main(&port, argc - usb_at, argv + usb_at);
		fws_simflash_close(&dev.flash);
		return rc;
	}
#endif
	if (opts.tty != NULL ? sim_tty_open(&lk, opts.tty, opts.baud) : sim_pty_open(&lk)) {
		fprintf(stderr, "fwseal-sim: cannot open the serial line: %s\n", strerror(errno));
		return 2;
	}
	dev.fd = lk.fd;
	dev.baud = opts.baud;
	fws_posix_hal_init(&dev);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (start_device(&opts, &config) != 0)
		return 2;
	printf("serial:%s\n", lk.path);
	fflush(stdout);

	while (!stop) {
		fws_err e = fws_stub_serial_poll(&link_state, 200);

		power_check();
		if (e != FWS_OK && e != FWS_E_DISCONNECTED)
			fprintf(stderr, "fwseal-sim: serial: %s\n", fws_err_describe(e));
		if (fws_stub_reset_pending(&stub)) {
			dev.hal.reset(dev.hal.ctx);
			fprintf(stderr, "fwseal-sim: reset\n");
			if (start_device(&opts, &config) != 0)
				return 2;
		}
	}
	sim_link_close(&lk);
	fws_simflash_close(&dev.flash);
	return 0;
}
