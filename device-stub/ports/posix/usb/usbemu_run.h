/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usbemu_run.h - run a program against emulated USB devices.
 *
 * Programs see the emulated devices only under libumockdev-preload with
 * $UMOCKDEV_DIR pointing at the testbed. The process that owns the devices
 * must run under the preload too: umockdev sends uevents (hotplug,
 * re-enumeration) by resolving the device with libudev in the testbed.
 */
#ifndef FWS_USBEMU_RUN_H
#define FWS_USBEMU_RUN_H

#include <glib.h>

/* TRUE if umockdev and its preload library are installed. */
gboolean fws_usbemu_available(void);

/* If this process does not run under libumockdev-preload, re-execute it
 * (argv unchanged) with the preload added to LD_PRELOAD and
 * ASAN_OPTIONS=verify_asan_link_order=0 (ASan insists on coming first).
 * Returns only when already under the preload (TRUE) or on failure (FALSE,
 * *error set). Call it first thing in main(), before any thread exists. */
gboolean fws_usbemu_reexec_under_preload(char **argv, GError **error);

/* Run argv[0] (searched in PATH) with this environment (which carries the
 * preload and $UMOCKDEV_DIR once a testbed exists), stdin inherited. If
 * out is not NULL, the child's stdout is captured into *out. Returns the
 * child's exit status (128 + signal if killed), or -1 with *error set. */
int fws_usbemu_run_command(char **argv, gchar **out, GError **error);

#endif /* FWS_USBEMU_RUN_H */
