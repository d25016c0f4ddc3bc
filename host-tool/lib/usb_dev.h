/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_dev.h - finding and opening fwseal devices on USB with libusb.
 *
 * Devices are found by what they are, not by a list of ids: any device with
 * a DFU interface (class 0xFE, subclass 0x01; DFU 1.1 4.2.3) in runtime or
 * DFU mode. A selector narrows the choice:
 *   usb                       the only one
 *   usb:VID:PID               by ids (hex)
 *   usb:VID:PID:SERIAL        by ids and serial number
 *   usb:@BUS-PORT[.PORT...]   by where it is plugged in (bus path)
 * The same selector grammar serves hid: (hid.c).
 */
#ifndef FWS_USB_DEV_H
#define FWS_USB_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libusb.h>

#include "fwseal/err.h"
#include "fwseal-host/error.h"
#include "usb_dfu_desc.h"

#define FWS_USB_TEXT_MAX 64u
#define FWS_USB_PATH_MAX 24u   /* "255-1.2.3.4.5.6.7" */

struct fws_usb_sel {
	bool by_ids;
	uint16_t vid, pid;
	char serial[FWS_USB_TEXT_MAX + 1];   /* "" = any */
	char path[FWS_USB_PATH_MAX + 1];     /* "" = any */
};

/* What a device says about itself (strings sanitised to printable ASCII). */
struct fws_usb_ident {
	uint16_t vid, pid;
	char path[FWS_USB_PATH_MAX + 1];
	char manufacturer[FWS_USB_TEXT_MAX + 1];
	char product[FWS_USB_TEXT_MAX + 1];
	char serial[FWS_USB_TEXT_MAX + 1];
	bool dfu_mode;                       /* interface protocol 2 */
	/* fws_usb_dev_list() only: */
	uint8_t bus, address;                /* its usbfs node /dev/bus/usb/BBB/AAA */
	int open_error;                      /* libusb_open's error, 0 if it opened */
};

/* Copy a NUL-terminated string into dst (cap > 0), truncating. */
static inline void fws_usb_copy(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

bool fws_usb_sel_match(const struct fws_usb_sel *sel, const struct fws_usb_ident *id);

/* String descriptor idx of an open device (US English) as printable ASCII
 * (fws_usb_string_parse: anything else becomes '?'); "" if idx is 0 or the
 * device does not answer. A device's strings are never trusted to be free
 * of control characters. */
void fws_usb_read_string(libusb_device_handle *h, uint8_t idx, char *out, size_t cap);

#define FWS_USB_CTRL_TIMEOUT_MS 5000u

/* The one libusb context of the process, shared by every open, reopen,
 * list and HID probe in it; NULL if libusb cannot start.
 *
 * Why one per process: libusb (1.0.26, Linux) keeps one uevent listener per
 * process, opened by the first libusb_init() and closed by the last
 * libusb_exit(). A context per call opened and closed that listener around
 * every list, open and reopen poll: dozens of times a second while a
 * replugged device is awaited, just when "add"/"remove" uevents are sent.
 * Under umockdev 0.17 (Debian 12) a listener closed while an event is being
 * sent to it kills the emulation ("sendmsg failed: Connection refused",
 * fixed upstream in umockdev PR #254); on a real system each call also
 * paid for a listener thread and a full sysfs scan.
 *
 * Lifetime: made on first use, ended with the process (like libusb's own
 * default context), so the listener opens once and closes once, at exit.
 * The context is process-wide because the listener it keeps is: a handle
 * per caller could not make it less so.
 * Threads: made under pthread_once; libusb allows device lists, opens and
 * synchronous transfers on one context from several threads at once
 * (multi.c runs one worker per device). After fork() the child must not
 * use it (libusb contexts do not survive fork). watch.c keeps a context of
 * its own for its hotplug callback; it only adds to the listener's users. */
libusb_context *fws_usb_context(void);

/* An open DFU-mode device with its interface claimed. */
struct fws_usb_dev {
	libusb_device_handle *h;
	struct fws_usb_ident id;
	struct fws_dfu_iface iface;   /* from the raw configuration descriptor */
	uint8_t alt;                  /* current alternate setting */
};

/* One class request to the DFU interface (DFU 1.1 3). Returns the bytes
 * transferred, or FWS_E_SEQUENCE (STALL: the device refused),
 * FWS_E_DISCONNECTED, FWS_E_TIMEOUT, FWS_E_IO. */
int fws_usb_dev_control(struct fws_usb_dev *d, bool in, uint8_t request, uint16_t value,
                        uint8_t *data, uint16_t len);

/* SET_INTERFACE to alt (must be one of the DFU interface's). */
fws_err fws_usb_dev_set_alt(struct fws_usb_dev *d, uint8_t alt);

/* Open the one device the selector names, detaching a runtime-mode device
 * into DFU mode first (DFU 1.1 5.1, 6.1). On failure err (may be NULL) says
 * why in one sentence for the user (e.g. the udev rule when permission is
 * missing). */
fws_err fws_usb_dev_open(const struct fws_usb_sel *sel, struct fws_usb_dev *out, fwh_error *err);

/* Wait (bounded) for the device to come back after a reset or cable pull
 * and open it again; matches by serial number, else by ids. */
fws_err fws_usb_dev_reopen(struct fws_usb_dev *d, unsigned timeout_ms, fwh_error *err);

void fws_usb_dev_close(struct fws_usb_dev *d);

/* Wait up to ms for any USB device to arrive: libusb hotplug where the
 * platform has it (returns at the arrival), a plain sleep otherwise. For a
 * caller that polls for a restarting device and wants no fixed sleep. */
void fws_usb_await_arrival(unsigned ms);

/* Every DFU device on USB (both modes) matching sel, up to max. Devices that
 * cannot be opened (permission) are listed without their strings, with
 * open_error set. Returns the count, or a negative fws_err. */
int fws_usb_dev_list(const struct fws_usb_sel *sel, struct fws_usb_ident *out, int max);

/* Whether the USB device at bus path `path` ("1-1.2") carries a DFU
 * interface: how hid.c tells fwseal's HID interface from other HID
 * devices (it sits next to the DFU interface). */
bool fws_usb_dev_has_dfu(const char *path);

#endif /* FWS_USB_DEV_H */
