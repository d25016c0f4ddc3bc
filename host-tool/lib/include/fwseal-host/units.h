/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/units.h - devices as physical units.
 *
 * fwh_enumerate() lists interfaces: one USB device with a DFU interface and
 * a HID interface answers twice (usb:VID:PID:SN and hid:VID:PID:SN), because
 * either can flash it (docs/usb.md). Whatever picks devices - the default
 * device, `--all`, watch - must count that as one unit, or it flashes the
 * same unit twice at once. A unit is keyed by VID:PID:serial number (the
 * USB serial string, else the device-info record's serial); serial ports
 * are units of their own. Of a unit's interfaces DFU is preferred: the
 * standard one, with the larger transfers.
 */
#ifndef FWSEAL_HOST_UNITS_H
#define FWSEAL_HOST_UNITS_H

#include <stdbool.h>

#include "fwseal-host/transport.h"

/* One unit as found: its preferred device string, and the same unit's other
 * interface ("" if none). */
typedef struct fwh_found_unit {
	const char *device;
	const char *also;
	const fws_devinfo *info;
} fwh_found_unit;

typedef void (*fwh_unit_found_cb)(void *user, const fwh_found_unit *u);

/* Like fwh_enumerate(), once per unit, in the order units were first seen. */
fws_err fwh_enumerate_grouped(fwh_unit_found_cb found, void *user, fwh_error *err);
/* The same, and (as they are met, before the units) every candidate that
 * could not be opened, with why (fwh_enumerate_all; unusable may be NULL). */
fws_err fwh_enumerate_grouped_all(fwh_unit_found_cb found, fwh_unusable_cb unusable, void *user,
                                  fwh_error *err);

/* The same with fwh_enumerate()'s callback: only the preferred string. */
fws_err fwh_enumerate_units(fwh_found_cb found, void *user, fwh_error *err);

/* Whether device strings a and b (with their device-info records, which may
 * be NULL) name the same unit by the rule above. */
bool fwh_same_unit(const char *a, const fws_devinfo *ia, const char *b, const fws_devinfo *ib);

#endif /* FWSEAL_HOST_UNITS_H */
