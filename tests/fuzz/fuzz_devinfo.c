/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_devinfo.c - the host's decoder of the device-info record, fed by a
 * hostile device (protocol/src/devinfo.c). Invariants: a record the decoder
 * accepts has NUL-terminated printable strings within their limits, encodes
 * again, and that encoding is a fixed point (decode + encode gives it back).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/devinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);
	if (n > max)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fws_devinfo a, b;
	static uint8_t enc1[FWS_DEVINFO_MAX], enc2[FWS_DEVINFO_MAX];
	if (fws_devinfo_decode(data, size, &a) != FWS_OK)
		return 0;
	check_text(a.model, FWS_MODEL_MAX);
	check_text(a.serial, FWS_SERIAL_MAX);
	check_text(a.component, FWS_COMPONENT_MAX);
	check_text(a.fw_version, FWS_VERSION_MAX);
	check_text(a.stub_version, FWS_STUB_VERSION_MAX);
	for (unsigned i = 0; i < FWS_DEVINFO_SLOTS; i++)
		check_text(a.slots[i].version, FWS_VERSION_MAX);
	if (a.key_count > FWS_TRUST_MAX)
		abort();

	size_t n1, n2;
	if (fws_devinfo_encode(&a, enc1, sizeof enc1, &n1) != FWS_OK)
		abort();
	if (fws_devinfo_decode(enc1, n1, &b) != FWS_OK)
		abort();
	if (fws_devinfo_encode(&b, enc2, sizeof enc2, &n2) != FWS_OK)
		abort();
	if (n1 != n2 || memcmp(enc1, enc2, n1) != 0)
		abort();
	return 0;
}
