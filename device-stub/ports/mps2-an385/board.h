/* SPDX-License-Identifier: Apache-2.0 */
/*
 * board.h - the memory map of QEMU's mps2-an385 (ARM MPS2 FPGA image AN385,
 * Cortex-M3) as far as this port uses it. Sources: ARM "Application Note 385"
 * memory map, QEMU hw/arm/mps2.c.
 *
 *   0x00000000  SSRAM1, 4 MiB: QEMU loads the firmware here (stands in for
 *               the on-chip code flash)
 *   0x20000000  SSRAM2, 4 MiB: data RAM (the port uses 64 KiB of it)
 *   0x21000000  PSRAM, 16 MiB: the machine's main RAM; the runner backs it
 *               with a host file (memory-backend-file, share=on), so it
 *               persists across QEMU runs and plays the external NOR flash
 *   0x40004000  CMSDK APB UART0
 */
#ifndef FWSEAL_MPS2_BOARD_H
#define FWSEAL_MPS2_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#define BOARD_SYSCLK_HZ   25000000u     /* QEMU mps2-an385 SYSCLK */
#define BOARD_UART0_BASE  0x40004000u
#define BOARD_RAM_BASE    0x20000000u
#define BOARD_STACK_SIZE  2048u         /* __stack_size in mps2-an385.ld;
                                           measured peak 1,440 bytes (1,520
                                           in a RESUME), the tests demand
                                           >= 256 free (docs/firmware.md) */
#define BOARD_STACK_PAINT 0x5AC75AC7u   /* unused stack words (startup.c) */
#define BOARD_PSRAM_BASE  0x21000000u
#define BOARD_PSRAM_SIZE  (16u * 1024u * 1024u)

/* Reset the whole system (ARMv7-M ARM B3.2.6, AIRCR.SYSRESETREQ). QEMU
 * reloads the firmware image and keeps the file-backed PSRAM. */
_Noreturn void board_reset(void);

/* Stop the machine: semihosting SYS_EXIT (ARM semihosting 2.0, 0x18) with
 * ADP_Stopped_ApplicationExit (ok) or ADP_Stopped_InternalError. Needs QEMU's
 * -semihosting-config enable=on; used by the self-test and the fault handler,
 * never on the update path. */
_Noreturn void board_exit(int ok);

/* Bytes of stack ever used since reset (the paint high-water mark). */
uint32_t board_stack_peak(void);

/* False once the stack came within 64 bytes of its end. */
bool board_stack_intact(void);

#endif /* FWSEAL_MPS2_BOARD_H */
