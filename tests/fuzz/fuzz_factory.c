/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_factory.c - the Cortex-M port's factory sector (identity record and
 * trust store, device-stub/ports/mps2-an385/factory.c) as the firmware reads
 * it at every boot, compiled for the host unchanged: the input is the 4 KiB
 * factory sector (the rest 0xFF). Invariants: an accepted identity has a
 * model and a serial of printable ASCII within their limits; a trust store
 * is only reported when it parses; the identity handed to the core points
 * into the record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "factory.h"
#include "flashmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool printable(const char *s, size_t max)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return n <= max;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *flash;
	factory_data fd;
	fws_stub_identity id;

	if (flash == NULL) {
		flash = malloc(FLASHMAP_FACTORY_OFF + FLASHMAP_SECTOR_SIZE);
		if (flash == NULL)
			abort();
	}
	uint8_t *sector = flash + FLASHMAP_FACTORY_OFF;
	memset(sector, 0xFF, FLASHMAP_SECTOR_SIZE);
	memcpy(sector, data, size < FLASHMAP_SECTOR_SIZE ? size : FLASHMAP_SECTOR_SIZE);
	pflash f = { (uintptr_t)flash, FLASHMAP_FACTORY_OFF + FLASHMAP_SECTOR_SIZE,
	             FLASHMAP_SECTOR_SIZE, FLASHMAP_WRITE_SIZE };
	fws_err e = factory_load(&f, &fd);
	if (e == FWS_E_MISSING_FIELD)
		return 0;
	if (e != FWS_OK && e != FWS_E_TRUST_STORE)
		abort();
	if (fd.model[0] == '\0' || fd.serial[0] == '\0' || !printable(fd.model, FWS_MODEL_MAX) ||
	    !printable(fd.serial, FWS_SERIAL_MAX) || !printable(fd.component, FWS_COMPONENT_MAX) ||
	    fd.has_trust != (e == FWS_OK) || (fd.has_trust && (fd.trust.count == 0 ||
	                                                       fd.trust.count > FWS_TRUST_MAX)))
		abort();
	factory_identity(&fd, &id);
	if (id.model != fd.model || id.serial != fd.serial ||
	    (id.component != NULL && id.component != fd.component))
		abort();
	return 0;
}
