/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_fixture.h - what every USB/HID test needs: a temporary directory with
 * a test key's trust store and packages (v1, v2, tampered, wrong model; all
 * with the DFU suffix), a fresh device state, and a way to run a command
 * against the simulated device on emulated USB:
 *   fwseal-sim --state DIR --trust T --model M ... --usb [USB opts] -- CMD...
 * The simulator comes from $FWSEAL_SIM (set by meson).
 */
#ifndef FWSEAL_TEST_USB_FIXTURE_H
#define FWSEAL_TEST_USB_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#define USB_FIX_MODEL   "FW-TEST-1"
#define USB_FIX_SERIAL  "USB-0001"
#define USB_FIX_VIDPID  "1209:f5ea"   /* test_pkg defaults */
#define USB_FIX_PATH_MAX 512

struct usb_fix {
	char dir[USB_FIX_PATH_MAX / 2];
	char trust[USB_FIX_PATH_MAX];
	char state[USB_FIX_PATH_MAX];
	char v1[USB_FIX_PATH_MAX];        /* version 1.0.0, counter 1 */
	char v2[USB_FIX_PATH_MAX];        /* version 2.0.0, counter 2 */
	char tampered[USB_FIX_PATH_MAX];  /* v3 (counter 3) with one payload byte flipped */
	char wrong_model[USB_FIX_PATH_MAX]; /* v3 for model OTHER-1 */
	char v2_image[USB_FIX_PATH_MAX];  /* the raw image of v2 */
	/* security key updates (docs/trust.md) for the fixture's store: */
	char trust_v2[USB_FIX_PATH_MAX];  /* trust version 2 (adds a release key) */
	char trust_v3[USB_FIX_PATH_MAX];  /* trust version 3 */
	char trust_bad[USB_FIX_PATH_MAX]; /* version 4, signed by a key nobody trusts */
	/* compressed and delta packages (fwseal/encoding.h) */
	char v3_delta[USB_FIX_PATH_MAX];  /* v3, a delta from v2's image */
	char v3_delta_tampered[USB_FIX_PATH_MAX]; /* the same, a byte of unit 2 flipped */
	char v3_delta_v1[USB_FIX_PATH_MAX]; /* v3, a delta from v1's image (wrong base on v2) */
	char v4_lz4[USB_FIX_PATH_MAX];    /* v4 (counter 4), compressed */
	const char *sim;
	unsigned state_gen;
};

/* Build everything; false (with a message) if $FWSEAL_SIM is not set. */
bool usb_fix_setup(struct usb_fix *f);
void usb_fix_teardown(struct usb_fix *f);

/* Point f->state at a new, empty state directory (a factory-fresh device). */
void usb_fix_fresh_device(struct usb_fix *f);

/* Run argv (NULL-terminated) against the device: returns the exit code,
 * *out (if not NULL) gets stdout. usb_opts: NULL-terminated USB options. */
int usb_fix_run(const struct usb_fix *f, const char *const *usb_opts, const char *const *argv,
                char **out);

/* The same over serial: the simulator serves a pty (no --usb), argv runs
 * directly with every "@DEVICE@" replaced by the device string
 * ("serial:/dev/pts/N"); the simulator is stopped afterwards. */
#define USB_FIX_DEVICE "@DEVICE@"
int usb_fix_run_serial(const struct usb_fix *f, const char *const *argv, char **out);

/* The firmware version the device runs, read the way any DFU host can:
 * dfu-util UPLOAD of the info alt setting, decoded. "" if none runs. */
bool usb_fix_running_version(const struct usb_fix *f, char *out, size_t cap);

/* The same for the trust version of the store in force (0: not reported). */
bool usb_fix_trust_version(const struct usb_fix *f, unsigned *version);

#endif
