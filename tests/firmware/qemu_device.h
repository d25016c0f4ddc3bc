/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qemu_device.h - start and stop the stub firmware under QEMU through
 * scripts/qemu-device, the way the simulator tests start fwseal-sim.
 */
#ifndef FWSEAL_TEST_QEMU_DEVICE_H
#define FWSEAL_TEST_QEMU_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct qemu_device {
	pid_t pid;
	char pty[64];     /* /dev/pts/N */
	char monitor[108];  /* QEMU monitor unix socket */
	char state[96];
} qemu_device;

/* Paths of the runner and the firmware: from FWSEAL_QEMU_RUNNER and
 * FWSEAL_FIRMWARE, else the defaults compiled in. false if either is
 * missing or qemu-system-arm is not installed (the tests then skip). */
bool qemu_device_available(const char **why);

/* Start a device keeping its flash in state_dir. Returns 0 once the runner
 * printed `serial:PATH` (bounded wait), -1 on failure. */
int qemu_device_start(qemu_device *d, const char *state_dir, const char *trust_path,
                      const char *model);

/* Bytes of the firmware's stack used since its last reset: the stack
 * (board.h: BOARD_RAM_BASE, BOARD_STACK_SIZE) is painted at reset; this
 * reads it through the QEMU monitor. -1 on failure. */
long qemu_device_stack_peak(qemu_device *d);

/* Copy len bytes of the running firmware's memory at addr into out,
 * through the QEMU monitor. 0 or -1. */
int qemu_device_read_ram(qemu_device *d, uint32_t addr, void *out, size_t len);

/* Address and size of a symbol of the firmware ELF (arm-none-eabi-nm). 0,
 * or -1 if the symbol or nm is missing. */
int qemu_device_symbol(const char *name, uint32_t *addr, uint32_t *size);

/* SIGTERM and wait (bounded); returns the runner's exit status. */
int qemu_device_stop(qemu_device *d);

#endif
