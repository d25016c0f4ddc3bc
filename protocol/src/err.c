/* SPDX-License-Identifier: Apache-2.0 */
#include "fwseal/err.h"

#include <stddef.h>

/* Marks the sentences for translation (xgettext -kN_); the CLI and the app
 * translate them when they print them. The core itself never translates. */
#define N_(text) text

/* One table: name and sentence per code, so the two can never drift apart. */
static const struct {
	fws_err code;
	const char *name;
	const char *text;
} err_table[] = {
	{ FWS_OK, "ok", N_("No error.") },
	{ FWS_E_INVAL, "invalid-argument", N_("An invalid argument was passed; this is a bug, please report it.") },
	{ FWS_E_NOMEM, "buffer-too-small", N_("A buffer is too small for the data; this is a bug, please report it.") },
	{ FWS_E_IO, "io", N_("A read or write failed; check the file or connection and try again.") },
	{ FWS_E_STATE, "bad-state", N_("The request is not allowed in the current state; abort and start the update again.") },
	{ FWS_E_MAGIC, "not-a-package", N_("This is not a fwseal package; check that you picked the right file.") },
	{ FWS_E_FORMAT_VERSION, "format-version", N_("The package uses a format version this tool does not support; update fwseal.") },
	{ FWS_E_HEADER, "bad-header", N_("The package header is malformed; the file is damaged, get a fresh copy.") },
	{ FWS_E_MANIFEST, "bad-manifest", N_("The package manifest is malformed; the file is damaged, get a fresh copy.") },
	{ FWS_E_CRITICAL, "unknown-critical-field", N_("The package needs a feature this tool does not know; update fwseal.") },
	{ FWS_E_LIMIT, "over-limit", N_("A field of the package is larger than allowed; the package is invalid, get a fresh copy.") },
	{ FWS_E_MISSING_FIELD, "missing-field", N_("The package manifest lacks a required field; the package is invalid.") },
	{ FWS_E_TRUNCATED, "truncated", N_("The package ends early; the file is incomplete, get a fresh copy.") },
	{ FWS_E_TRAILING, "trailing-data", N_("There are unexpected bytes after the end of the package; the file is damaged.") },
	{ FWS_E_SUFFIX, "bad-dfu-suffix", N_("The DFU file suffix is missing or damaged; the file is damaged, get a fresh copy.") },
	{ FWS_E_ENCODING, "bad-encoding", N_("A block of the compressed or delta package does not decode; the package is damaged or was made wrongly, get a fresh copy or use the full package.") },
	{ FWS_E_SIGNATURE, "bad-signature", N_("The package signature does not verify; the package was altered or not signed by a trusted key, do not install it.") },
	{ FWS_E_UNTRUSTED_KEY, "untrusted-key", N_("The package is not signed by any key the trust store holds; use a package from the device's manufacturer.") },
	{ FWS_E_REVOKED_KEY, "revoked-key", N_("The package is signed by a revoked key; get a newer package from the manufacturer.") },
	{ FWS_E_BLOCK_DIGEST, "block-digest", N_("A block of the firmware does not match its signed digest; the package was altered or damaged, do not install it.") },
	{ FWS_E_IMAGE_DIGEST, "image-digest", N_("The firmware image does not match its signed digest; the package or the device flash is damaged.") },
	{ FWS_E_CHAIN_END, "chain-end", N_("The package's block chain does not end correctly; the package is damaged, get a fresh copy.") },
	{ FWS_E_TRUST_STORE, "bad-trust-store", N_("This is not a fwseal trust store; export it again with 'fwseal key export-trust'.") },
	{ FWS_E_CRYPTO, "crypto", N_("The cryptography library failed to compute a digest or check a signature; nothing was accepted, try again or contact service.") },
	{ FWS_E_THRESHOLD, "threshold", N_("The security key update is not signed by enough root keys of the trust store in force and of the new one; do not install it, get it again from the manufacturer.") },
	{ FWS_E_MODEL, "wrong-model", N_("The package is for a different device model; pick the package made for this model.") },
	{ FWS_E_HW_REV, "wrong-hw-revision", N_("The package does not support this hardware revision; pick the package made for it.") },
	{ FWS_E_COMPONENT, "wrong-component", N_("The package updates a component this device does not have; pick the right package.") },
	{ FWS_E_DOWNGRADE, "downgrade", N_("A downgrade is refused (anti-rollback); use a package at least as new as the device's firmware.") },
	{ FWS_E_TOO_BIG, "too-big", N_("The firmware image is larger than the device can hold; pick the package made for this device.") },
	{ FWS_E_BLOCK_SIZE, "block-size", N_("The package's block size is not supported by the device; repack with a smaller block size.") },
	{ FWS_E_VENDOR, "wrong-vendor", N_("The package is for another vendor's device; pick the package made for this device.") },
	{ FWS_E_TRUST_ROLLBACK, "trust-rollback", N_("The security key update is not newer than the keys the device already has (an old or replayed update); nothing was changed, use the newest update.") },
	{ FWS_E_TRUST_UNUSABLE, "trust-unusable", N_("The security key update would leave no usable root or release key; it was refused, contact the manufacturer.") },
	{ FWS_E_TRUST_ORPHAN, "trust-orphans-image", N_("The security key update would make the device refuse the firmware it runs; install firmware signed with the new key first, then this update.") },
	{ FWS_E_BASE, "wrong-base", N_("This delta update needs the firmware it was made from on the device, and the device runs another; install the full package.") },
	{ FWS_E_ENCODING_UNSUPPORTED, "encoding-unsupported", N_("The device cannot decode this compressed or delta package; install the full package.") },
	{ FWS_E_FLASH_WRITE, "flash-write", N_("The device could not write its flash; the old firmware is kept, try again or contact service.") },
	{ FWS_E_FLASH_ERASE, "flash-erase", N_("The device could not erase its flash; the old firmware is kept, try again or contact service.") },
	{ FWS_E_FLASH_VERIFY, "flash-verify", N_("The firmware read back from the device flash differs from what was written; the old firmware is kept, try again or contact service.") },
	{ FWS_E_NO_IMAGE, "no-image", N_("The device has no valid firmware to start; install a package to recover it.") },
	{ FWS_E_JOURNAL, "journal", N_("The device's update journal is unreadable; install a package to recover it.") },
	{ FWS_E_SEQUENCE, "sequence", N_("The device received a request out of order; start the update again.") },
	{ FWS_E_BUSY, "busy", N_("The device is busy; wait a moment and try again.") },
	{ FWS_E_FRAME, "bad-frame", N_("A damaged message was received from the link; check the cable and try again.") },
	{ FWS_E_TIMEOUT, "timeout", N_("The device did not answer in time; check the cable and that the device is in update mode, then try again.") },
	{ FWS_E_PROTOCOL, "protocol", N_("The device answered something unexpected; it may not be a fwseal device or may be faulty.") },
	{ FWS_E_DISCONNECTED, "disconnected", N_("The device was disconnected; reconnect it and run the same command again to resume.") },
	{ FWS_E_CANCELLED, "cancelled", N_("The update was cancelled; run the same command again to resume it.") },
	{ FWS_E_NO_DEVICE, "no-device", N_("No fwseal device was found; connect the device, check that it is in update mode, or name it with --device.") },
	{ FWS_E_REVERTED, "reverted", N_("The device restarted but went back to its previous firmware because the new one did not start correctly; contact the manufacturer before trying again.") },
};

static size_t err_index(fws_err e)
{
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].code == e)
			return i;
	return (size_t)-1;
}

const char *fws_err_name(fws_err e)
{
	size_t i = err_index(e);

	return i == (size_t)-1 ? "unknown-error" : err_table[i].name;
}

const char *fws_err_describe(fws_err e)
{
	size_t i = err_index(e);

	return i == (size_t)-1 ? "An unknown error occurred; update fwseal and try again." : err_table[i].text;
}
