/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flashmap.h - how the port divides its 16 MiB file-backed "external NOR
 * flash" (board.h: PSRAM). One table; docs/firmware.md shows it as a picture
 * and scripts/qemu-device writes the factory sector at FLASHMAP_FACTORY_OFF.
 *
 *   0x000000  journal sector 0            (core)
 *   0x001000  journal sector 1            (core)
 *   0x002000  trust area 0, 8 KiB         (core: a trust update's new store)
 *   0x004000  trust area 1, 8 KiB         (core)
 *   0x010000  slot 0, 1.5 MiB             (core: metadata sector + image)
 *   0x190000  slot 1, 1.5 MiB             (core)
 *   0xFFF000  factory sector              (port, read-only to the stub):
 *             +0x000 trust blob (fwseal/trust.h, as `fwseal key export-trust`)
 *             +0x800 identity record (factory.h)
 *
 * The core reaches only [0, FLASHMAP_CORE_SIZE): the HAL refuses to program
 * or erase the factory sector, so no package can replace the provisioned
 * trust store; a trust update puts its new store in a trust area instead
 * (docs/trust.md), and the journal says which store is in force.
 */
#ifndef FWSEAL_MPS2_FLASHMAP_H
#define FWSEAL_MPS2_FLASHMAP_H

#define FLASHMAP_SECTOR_SIZE   4096u
#define FLASHMAP_WRITE_SIZE    8u      /* like most Cortex-M NOR (STM32L4, ...) */

#define FLASHMAP_JOURNAL0_OFF  0x000000u
#define FLASHMAP_JOURNAL1_OFF  0x001000u
#define FLASHMAP_TRUST0_OFF    0x002000u
#define FLASHMAP_TRUST1_OFF    0x004000u
#define FLASHMAP_TRUST_SIZE    0x002000u
#define FLASHMAP_SLOT0_OFF     0x010000u
#define FLASHMAP_SLOT1_OFF     0x190000u
#define FLASHMAP_SLOT_SIZE     0x180000u
#define FLASHMAP_CORE_SIZE     0xFF0000u

#define FLASHMAP_FACTORY_OFF   0xFFF000u
#define FLASHMAP_TRUST_OFF     (FLASHMAP_FACTORY_OFF + 0x000u)
#define FLASHMAP_IDENTITY_OFF  (FLASHMAP_FACTORY_OFF + 0x800u)
#define FLASHMAP_IDENTITY_MAX  0x800u

#endif /* FWSEAL_MPS2_FLASHMAP_H */
