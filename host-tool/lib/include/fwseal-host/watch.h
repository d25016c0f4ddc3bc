/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/watch.h - devices as they are plugged in, for `fwseal watch`.
 *
 * Serial ports: inotify on the folders of the port patterns (default
 * /dev/ttyUSB*, /dev/ttyACM*). A new node is reported once it can be opened
 * for reading and writing (udev sets owner and mode just after creating it,
 * hence IN_ATTRIB too), or after FWH_WATCH_SETTLE_MAX_MS anyway so that the
 * open error tells what is wrong. Names that match no pattern are never
 * touched: writing frames to an unrelated tty could disturb a terminal or a
 * modem. To watch simulated devices, point a pattern at a folder of
 * symlinks to their ptys (as udev's /dev/serial/by-id/ holds links to real
 * ports): e.g. --ports '/run/line1/sim-*'.
 *
 * USB DFU (when built with libusb): hotplug arrivals of devices with a DFU
 * interface (class 0xFE, subclass 0x01), reported as usb:VID:PID:SERIAL.
 *
 * Devices present when the watch starts are reported first. A device is
 * reported again only after it went away (node deleted, USB departure) and
 * came back; deciding whether to flash it again is the caller's job.
 */
#ifndef FWSEAL_HOST_WATCH_H
#define FWSEAL_HOST_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal-host/error.h"
#include "fwseal-host/transport.h"

#define FWH_WATCH_PORTS_MAX      16u
#define FWH_WATCH_SETTLE_MAX_MS  3000u /* longest wait for a node to become usable */
#define FWH_WATCH_DEFAULT_PORTS  "/dev/ttyUSB*", "/dev/ttyACM*"

typedef struct fwh_watch_opts {
	const char *ports[FWH_WATCH_PORTS_MAX]; /* glob patterns of serial ports */
	size_t n_ports;                          /* 0: FWH_WATCH_DEFAULT_PORTS */
	bool no_serial;                          /* watch no serial port at all */
	uint32_t baud;                           /* appended as @BAUD; 0: default */
	bool usb;                                /* also USB DFU hotplug: an error if
	                                            this build or system cannot */
	bool usb_if_available;                   /* also USB DFU hotplug when this
	                                            build and system can (the CLI's
	                                            default), else serial only */
	uint32_t settle_ms;                      /* quiet time after a node appears
	                                            before it is reported (default 200) */
} fwh_watch_opts;

typedef struct fwh_watch fwh_watch;

/* Start watching. FWS_E_IO with a sentence when a folder cannot be watched;
 * FWS_E_INVAL for --usb without USB support or a bad pattern. */
fws_err fwh_watch_open(const fwh_watch_opts *o, fwh_watch **out, fwh_error *err);

/* The next device that appeared: FWS_OK and its device string, or
 * FWS_E_TIMEOUT when none came within timeout_ms (signals end the wait
 * early with FWS_E_TIMEOUT too, so a caller can check its stop flag). */
fws_err fwh_watch_next(fwh_watch *w, char *device, size_t cap, unsigned timeout_ms,
                       fwh_error *err);

/* Whether USB DFU devices are watched (usb, or usb_if_available and
 * libusb hotplug could start). */
bool fwh_watch_has_usb(const fwh_watch *w);

void fwh_watch_close(fwh_watch *w);

#endif /* FWSEAL_HOST_WATCH_H */
