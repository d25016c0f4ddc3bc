/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_usb.h - the simulator's USB face: `fwseal-sim [device options] --usb
 * [USB options] -- COMMAND...` runs COMMAND against the simulated device
 * seen as a real USB device (DFU 1.1 interface + HID interface) and exits
 * with COMMAND's exit code. docs/usb.md has the user's view.
 *
 * The device behind both interfaces is the real stub core: DFU requests go
 * to fws_stub_handle(), HID reports carry the serial byte stream (frames of
 * fwseal/frame.h) to the port's frame server. Nothing here knows DFU rules.
 *
 * Several devices (fwseal-sim ... --and ...) share one emulated bus: each
 * has its own port (stub, HID link) and its own USB address (bus 1, device
 * 2, 3, ...; sysfs 1-1, 1-2, ...), as units plugged into one hub would.
 *
 * fwseal-sim's main calls, in this order:
 *   fws_sim_usb_begin(argc, argv, &usb_at)  first thing: re-exec under the
 *                                     umockdev preload if --usb is given
 *   ... parse device options in argv[0 .. usb_at) ...
 *   per device: dev.fd = fws_sim_usb_link(&port.link_fd);  the HAL's
 *                                     transport (hal->send) for the HID
 *                                     face, instead of a pty
 *   ... set up flash, stub, boot ...
 *   return fws_sim_usb_main(ports, n, argc - i, argv + i);  argv[i] == "--usb"
 *
 * HID reports reach the stub's serial server (fwseal/stub_serial.h) through
 * fws_stub_serial_input(); its answers leave through hal->send into the
 * link's device end and come out here as HID input reports, all on the
 * emulation's thread under its lock.
 */
#ifndef FWS_SIM_USB_H
#define FWS_SIM_USB_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/stub.h"
#include "sim_control.h"

struct fws_sim_usb_port {
	fws_stub *stub;
	/* What the port does when the device resets (hal->reset): run the boot
	 * decision again, start the image, let it confirm. */
	void (*restart)(void *ctx);
	void *ctx;
	/* USB identity; 0 / NULL: from the stub's identity, else defaults */
	uint16_t vid, pid;
	const char *manufacturer;
	/* host end of the HID byte link (fws_sim_usb_link); -1 or 0 before
	 * the link exists: no HID interface */
	int link_fd;
	/* The control socket (sim_control.h), or NULL: its requests go to
	 * control() with the emulation's lock held; a cut "now" (*cut_now) is
	 * made here: the device leaves the bus, stays off, restarts, comes back. */
	sim_ctl *ctl;
	void (*control)(void *ctx, sim_ctl_req *r, bool *cut_now);
	/* -1 while the device has power; after a cut from the control, the ms it
	 * stays off (the device leaves the bus, then restart() brings it back) */
	int (*power_lost)(void *ctx);
};

/* *usb_at = index of "--usb" (before any "--"), or argc if absent. With
 * --usb, re-execute under libumockdev-preload (call before any thread
 * exists). Returns 0 to continue, or 2 after printing why (no umockdev). */
int fws_sim_usb_begin(int argc, char **argv, int *usb_at);

/* Create one device's HID byte link: returns the device end (a socket the
 * HAL writes its serial answers to) and stores the host end (for
 * fws_sim_usb_port.link_fd) in *host_end, or -1 with errno set. */
int fws_sim_usb_link(int *host_end);

/* argv[0] == "--usb". USB options, then "--", then COMMAND and its args.
 * Serves the n devices of ports[] until COMMAND exits; returns its exit
 * code. */
int fws_sim_usb_main(const struct fws_sim_usb_port *ports, size_t n, int argc, char **argv);

/* Usage text for the USB options (for fwseal-sim --help). */
extern const char fws_sim_usb_usage[];

#endif /* FWS_SIM_USB_H */
