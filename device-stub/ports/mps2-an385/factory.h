/* SPDX-License-Identifier: Apache-2.0 */
/*
 * factory.h - what the factory programs into the device before its first
 * boot (flashmap.h: factory sector): the trust store and the identity.
 *
 * Identity record: ASCII text, "FWID1\n" followed by "key=value\n" lines,
 * ended by the first 0x00 or 0xFF byte (erased flash). Keys: model, hw_rev,
 * serial, vendor_id, class_id, component (numbers decimal or 0x-hex).
 * Unknown keys are ignored; model and serial are required. Text because the
 * runner (scripts/qemu-device) writes it with printf, like a factory script.
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
	fws_trust trust;
	bool has_trust;
	char model[FWS_MODEL_MAX + 1];
	char serial[FWS_SERIAL_MAX + 1];
	char component[FWS_COMPONENT_MAX + 1];
	uint16_t hw_rev, vendor_id, class_id;
} factory_data;

/* Read the factory sector; f spans the whole flash (flashmap.h offsets). FWS_E_TRUST_STORE if the trust blob is absent or
 * damaged (has_trust is then false: the stub refuses every package),
 * FWS_E_MISSING_FIELD if the identity lacks model or serial. */
fws_err factory_load(const pflash *f, factory_data *out);

/* The identity as the core wants it (points into fd). */
void factory_identity(const factory_data *fd, fws_stub_identity *id);

#endif /* FWSEAL_MPS2_FACTORY_H */
