/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_device.h - the device the stub fuzz targets attack (stub_requests,
 * stub_serial, stub_boot): the real core on the real simulated flash, with
 * 1.0.0 installed and confirmed, restored to exactly that state before every
 * input (flash and RAM), and a table of packages made once per process:
 *
 *   FUZZ_PKG_V1    1.0.0, counter 1 (the one installed)
 *   FUZZ_PKG_V2    2.0.0, counter 2 (an update)
 *   FUZZ_PKG_V0    0.9.0, counter 0 (a downgrade)
 *   FUZZ_PKG_ALIEN 3.0.0 signed by a key the device does not trust
 *   FUZZ_PKG_LZ4   2.0.0, counter 2, a small fix of 1.0.0's image, compressed
 *   FUZZ_PKG_DELTA the same as a delta from 1.0.0 (issue 18)
 *
 * Signing happens here once (fuzz_device_setup), never per input; an input
 * picks a package and a piece of its stream by index, so a target reaches
 * valid, signed prefixes without finding an ECDSA signature by mutation.
 * And ECDSA verification is memoised (fuzz_ecdsa_memo.c): the same key,
 * digest and signature verified again cost a table lookup, not the 2-5 ms
 * of mbedTLS, while every new triple is verified for real.
 */
#ifndef FWSEAL_FUZZ_DEVICE_H
#define FWSEAL_FUZZ_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "fwseal/stub.h"
#include "fuzz_stub_requests.h"
#include "posix_hal.h"
#include "testpkg.h"

enum { FUZZ_PKG_V1, FUZZ_PKG_V2, FUZZ_PKG_V0, FUZZ_PKG_ALIEN, FUZZ_PKG_LZ4, FUZZ_PKG_DELTA,
       FUZZ_PKG_COUNT };

typedef struct fuzz_device {
	fws_posix_dev dev;
	fws_stub stub;
	fws_stub_config cfg;
	uint8_t buf[4096 + 32];
	test_key key, alien;
	test_pkg pkg[FUZZ_PKG_COUNT];
	uint8_t *img[FUZZ_PKG_COUNT];
	uint8_t *base;          /* flash with 1.0.0 installed and confirmed */
	fws_stub base_stub;     /* RAM of that device after power-on */
} fuzz_device;

/* Make the device and the packages (once per process). */
void fuzz_device_setup(fuzz_device *d);

/* Back to 1.0.0 installed, freshly powered on: flash, RAM, clock. */
void fuzz_device_restore(fuzz_device *d);

/* Power on: init + boot, the application confirms if confirm. Aborts (a
 * finding) if the device would not run a verified image. */
void fuzz_device_power_on(fuzz_device *d, bool confirm);

/* The image the device runs: one of the table's, by its bytes; aborts if it
 * runs anything else (an image nobody signed). */
int fuzz_device_running_pkg(const fuzz_device *d);

#endif /* FWSEAL_FUZZ_DEVICE_H */
