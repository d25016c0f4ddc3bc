/* SPDX-License-Identifier: Apache-2.0 */
/*
 * factory.h - what the factory programs into the device before its first
 * boot (flashmap.h: factory sector): the trust store (read by the HAL,
 * hal.c: trust_provisioned) and the identity (read here).
 *
 * Identity record, 96 bytes, little-endian (scripts/qemu-device writes it;
 * a factory would too):
 *    0  4  magic "FWID"
 *    4  1  version = 1
 *    5  1  reserved, 0
 *    6  2  hardware revision
 *    8  2  USB vendor id (0: the stub accepts any)
 *   10  2  USB class / product id (0: any)
 *   12 32  model designation, NUL-padded, required
 *   44 32  serial number, NUL-padded, required
 *   76 16  component, NUL-padded (empty: any)
 *   92  4  CRC-32 (fwseal/crc.h) of bytes 0..91
 * Text is printable ASCII, as the device-info record requires.
 */
#ifndef FWSEAL_MPS2_FACTORY_H
#define FWSEAL_MPS2_FACTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "fwseal/devinfo.h"
#include "fwseal/err.h"
#include "fwseal/pkg.h"
#include "fwseal/stub.h"
#include "fwseal/trust.h"
#include "pflash.h"

typedef struct factory_data {
	char model[FWS_MODEL_MAX + 1];
	char serial[FWS_SERIAL_MAX + 1];
	char component[FWS_COMPONENT_MAX + 1];
	uint16_t hw_rev, vendor_id, class_id;
} factory_data;

/* Read the identity from the factory sector; f spans the whole flash
 * (flashmap.h offsets). FWS_E_MISSING_FIELD if the identity record is
 * absent, damaged or lacks a model or serial. */
fws_err factory_load(const pflash *f, factory_data *out);

/* The identity as the core wants it (points into fd). */
void factory_identity(const factory_data *fd, fws_stub_identity *id);

#endif /* FWSEAL_MPS2_FACTORY_H */
