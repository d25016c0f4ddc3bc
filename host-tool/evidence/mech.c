/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mech.c - facts about each update mechanism for IXIT 7-UpdMech.
 *
 * What is common to all three (the signed package, the device-side checks)
 * is not repeated here: ixit.c writes it from the real constants of
 * fwseal/pkg.h and the actual package and trust store. This table holds only
 * what differs per transport (docs/serial-protocol.md, docs/usb.md, DFU 1.1).
 */
#include <string.h>

#include "fwseal-host/transport.h"
#include "mech.h"

static const struct ev_mech_info mechs[EV_MECH_COUNT] = {
	[EV_MECH_USB_DFU] = {
		.id = "UM-1-USB-DFU",
		.key = "usb-dfu",
		.name = "USB DFU 1.1",
		.device_prefix = "usb:",
		.description =
			"The device enumerates as a USB DFU 1.1 device in DFU mode (interface class "
			"0xFE, subclass 0x01). Alternate setting 0 takes the package as the DNLOAD "
			"byte stream; alternate setting 1 is read-only and answers UPLOAD with the "
			"device-info record. The package file is exactly the byte stream the device "
			"consumes, so unmodified DFU hosts (dfu-util, fwupd) can deliver it; the "
			"device's own verification is what protects it, not the host.",
		.transport_integrity =
			"USB transfers carry the link-level CRC of the USB protocol; fwseal relies on "
			"the device-side signature and hash-chain checks, not on the link.",
		.initiation =
			"A person or a factory script connects the device by USB and runs `fwseal flash "
			"--device usb:VID:PID PACKAGE` (one command), or presses the update button of "
			"the fwseal desktop application; a third-party DFU host may be used instead. "
			"The device must be in its update stub (DFU mode).",
		.configuration =
			"Nothing the host sends can change what the device verifies: the trust store "
			"(accepted signing keys) and the anti-rollback counter live on the device and "
			"are changed only by a verified, confirmed update. USB vendor and product ids "
			"come from the package manifest and the DFU file suffix.",
		.update_checking =
			"Before sending, the host reads the device-info record from alternate setting 1 "
			"(model designation, hardware revision, security counter, firmware version, "
			"support-period end) and compares it with the package manifest; the device is "
			"not network connected and cannot check for updates by itself.",
		.user_notification =
			"The host shows the signed manifest's security-update flag, severity, risks "
			"mitigated, CVE ids and disruption notice (reboot, expected downtime) before it "
			"sends anything (`fwseal inspect`, `fwseal flash`, the desktop application).",
		.documented_in = "docs/usb.md, docs/device-stub.md, docs/flashing.md",
	},
	[EV_MECH_HID] = {
		.id = "UM-2-HID",
		.key = "hid",
		.name = "USB HID",
		.device_prefix = "hid:",
		.description =
			"For hosts without a DFU driver: the same requests as USB DFU (DNLOAD, UPLOAD, "
			"GETSTATUS, CLRSTATUS, GETSTATE, ABORT, INFO) in the serial protocol's frames, "
			"carried in USB HID reports. The package byte stream and the device-side "
			"checks are identical to the other mechanisms.",
		.transport_integrity =
			"Each frame carries a sequence number and a CRC-32; retransmission is "
			"idempotent. This protects against corruption on the link, not against an "
			"attacker: that is the device-side signature and hash-chain checks.",
		.initiation =
			"A person or a factory script connects the device by USB and runs `fwseal flash "
			"--device hid:VID:PID PACKAGE`, or uses the fwseal desktop application, which "
			"needs no driver installation for HID.",
		.configuration =
			"As for every mechanism: trust store and anti-rollback counter are device state "
			"changed only by a verified, confirmed update; the host cannot configure them.",
		.update_checking =
			"Before sending, the host asks the device for its device-info record (INFO "
			"request) and compares model, hardware revision and security counter with the "
			"package manifest.",
		.user_notification =
			"The host shows the signed manifest's security-update flag, severity, risks "
			"mitigated, CVE ids and disruption notice before sending anything.",
		.documented_in = "docs/usb.md, docs/serial-protocol.md, docs/device-stub.md",
	},
	[EV_MECH_SERIAL] = {
		.id = "UM-3-SERIAL",
		.key = "serial",
		.name = "Serial (UART)",
		.device_prefix = "serial:",
		.description =
			"For devices with only a UART (service connector): the DFU requests in "
			"COBS-delimited frames with a sequence number and CRC-32 "
			"(docs/serial-protocol.md). The package byte stream and the device-side checks "
			"are identical to the other mechanisms.",
		.transport_integrity =
			"Each frame carries a sequence number and a CRC-32; a damaged frame is dropped "
			"and resent, and a repeated request is answered from the device's cache, not "
			"executed twice. This protects against line noise, not against an attacker.",
		.initiation =
			"A service technician or a factory script connects the UART and runs `fwseal "
			"flash --device serial:PATH PACKAGE`; an interrupted transfer is resumed by "
			"running the same command again.",
		.configuration =
			"As for every mechanism: trust store and anti-rollback counter are device state "
			"changed only by a verified, confirmed update. The baud rate is a link setting "
			"without security meaning.",
		.update_checking =
			"Before sending, the host asks the device for its device-info record (INFO "
			"request) and compares model, hardware revision and security counter with the "
			"package manifest.",
		.user_notification =
			"The host shows the signed manifest's security-update flag, severity, risks "
			"mitigated, CVE ids and disruption notice before sending anything.",
		.documented_in = "docs/serial-protocol.md, docs/device-stub.md, docs/flashing.md",
	},
};

const struct ev_mech_info *ev_mech_get(enum ev_mech m)
{
	return (unsigned)m < EV_MECH_COUNT ? &mechs[m] : NULL;
}

/* Asks libfwseal-host which transports it was built with, so the pack never
 * describes a mechanism this build cannot deliver through. */
uint32_t ev_mech_built(void)
{
	size_t n = 0;
	const fwh_transport_ops *const *t = fwh_transports(&n);
	uint32_t m = 0;
	for (size_t i = 0; i < n; i++) {
		switch (t[i]->kind) {
		case FWH_KIND_USB: m |= 1u << EV_MECH_USB_DFU; break;
		case FWH_KIND_HID: m |= 1u << EV_MECH_HID; break;
		case FWH_KIND_SERIAL: m |= 1u << EV_MECH_SERIAL; break;
		}
	}
	return m;
}

int ev_mech_from_key(const char *key)
{
	for (int i = 0; i < (int)EV_MECH_COUNT; i++)
		if (!strcmp(mechs[i].key, key))
			return i;
	return -1;
}

int ev_mech_from_device(const char *dev)
{
	/* "usb:VID:PID..." or the bare "usb" (the only device), likewise hid */
	for (int i = 0; i < (int)EV_MECH_COUNT; i++) {
		size_t n = strlen(mechs[i].device_prefix);
		if (!strncmp(dev, mechs[i].device_prefix, n) ||
		    (strlen(dev) == n - 1 && !strncmp(dev, mechs[i].device_prefix, n - 1)))
			return i;
	}
	return -1;
}
