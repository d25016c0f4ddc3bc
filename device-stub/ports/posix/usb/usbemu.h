/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usbemu.h - one emulated USB device that real libusb programs can open.
 *
 * umockdev (Debian: umockdev, libumockdev-dev) provides the sysfs entry and
 * forwards every ioctl a program under libumockdev-preload makes on the
 * usbdevfs node to us. This module answers them like the Linux usbdevfs
 * driver would (URB submit/reap/discard, claim, set interface, reset),
 * answers standard requests from the descriptors of the model (usb_desc.h),
 * carries HID reports on the interrupt endpoints, and hands everything
 * device-specific to the owner through struct fws_usbemu_ops.
 *
 * Threading: umockdev calls us on its own worker thread. The device holds one
 * (recursive) lock; every callback runs with it held, so the owner's device
 * state needs no lock of its own as long as it is only touched from callbacks
 * or under fws_usbemu_lock(). Device state belongs to the device, not to a
 * client: dfu-util and fwupd open the device several times.
 */
#ifndef FWS_USBEMU_H
#define FWS_USBEMU_H

#include <glib.h>
#include <umockdev.h>

#include "usb_desc.h"

typedef struct fws_usbemu fws_usbemu;

#define FWS_USBEMU_GONE (-2)

/* A control request's setup packet (USB 2.0 9.3). */
struct fws_usbemu_setup {
	uint8_t request_type;
	uint8_t request;
	uint16_t value;
	uint16_t index;
	uint16_t length;
};

struct fws_usbemu_ops {
	/* A class or vendor request to the DFU interface. Device-to-host
	 * (request_type bit 7): write at most s->length bytes to data and return
	 * how many; host-to-device: data holds s->length bytes, return 0.
	 * Return -1 to STALL the request, or FWS_USBEMU_GONE to pull the cable
	 * in the middle of it: the transfer fails as on a real disconnect and
	 * the device answers nothing more; finish with fws_usbemu_unplug() from
	 * another thread. */
	int (*dfu_control)(void *ctx, const struct fws_usbemu_setup *s, uint8_t *data);
	/* SET_INTERFACE on the DFU interface; return 0, or -1 to STALL. */
	int (*set_alt)(void *ctx, uint8_t alt);
	/* One OUT report from the host on the HID interface (interrupt OUT or
	 * SET_REPORT). Answers go back through fws_usbemu_hid_input(). */
	void (*hid_output)(void *ctx, const uint8_t *report, size_t len);
	/* USB reset (USBDEVFS_RESET): the device restarts; the emulation then
	 * re-enumerates (remove + add uevents) as a real device does. May be NULL. */
	void (*reset)(void *ctx);
};

struct fws_usbemu_location {
	unsigned busnum;      /* 1.. */
	unsigned devnum;      /* 1..127 */
	const char *sysname;  /* e.g. "1-1" */
};

/* Create the device in tb and announce it. The model's strings are copied.
 * Returns NULL with *error set on failure. */
fws_usbemu *fws_usbemu_new(UMockdevTestbed *tb, const struct fws_usb_model *model,
                           const struct fws_usbemu_location *loc,
                           const struct fws_usbemu_ops *ops, void *ctx, GError **error);

/* Queue one IN report on the HID interface (thread-safe; may be called from
 * a callback). Reports wait in the device until the host polls for them. */
void fws_usbemu_hid_input(fws_usbemu *e, const uint8_t *report, size_t len);

/* Take the lock callbacks run under, to touch the owner's state from another
 * thread. */
void fws_usbemu_lock(fws_usbemu *e);
void fws_usbemu_unlock(fws_usbemu *e);

/* Cable pull: transfers in flight fail as on a real disconnect, later ioctls
 * fail with ENODEV, "remove" uevent, sysfs entry gone. */
void fws_usbemu_unplug(fws_usbemu *e);
/* Cable back in: the device is announced again. */
gboolean fws_usbemu_plug(fws_usbemu *e, GError **error);
gboolean fws_usbemu_plugged(fws_usbemu *e);  /* announced, not unplugged */

/* The device will present model from its next re-enumeration on (after a
 * USB reset or fws_usbemu_reenumerate()), as a device that switches
 * between runtime and DFU mode does (DFU 1.1 5.1). May be called from a
 * callback. FALSE if the model is invalid. */
gboolean fws_usbemu_set_model(fws_usbemu *e, const struct fws_usb_model *model, GError **error);

/* The device restarted on its own (e.g. after a reboot request): it leaves
 * the bus at once (stops answering, "remove", sysfs entry gone) before the
 * request being answered completes, and comes back ("add") after the
 * re-enumeration delay. Call with the lock held (from a callback). */
void fws_usbemu_reenumerate(fws_usbemu *e);

/* Re-enumeration delay after a USB reset (remove at once, add after this). */
void fws_usbemu_set_reenum_delay_ms(fws_usbemu *e, unsigned ms);

/* "/dev/bus/usb/BBB/DDD" and "/sys/devices/SYSNAME". */
const char *fws_usbemu_devnode(const fws_usbemu *e);
const char *fws_usbemu_syspath(const fws_usbemu *e);

/* Counters for tests and benchmarks. */
struct fws_usbemu_stats {
	unsigned ioctls, control, hid_out, hid_in, resets;
};
void fws_usbemu_get_stats(fws_usbemu *e, struct fws_usbemu_stats *out);

/* The device leaves (no uevent: unplug first for that). Connections of
 * programs that umockdev has not finalized yet keep a little of it (the
 * lock and their queues) until it does. */
void fws_usbemu_free(fws_usbemu *e);

#endif /* FWS_USBEMU_H */
