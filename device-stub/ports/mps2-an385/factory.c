/* SPDX-License-Identifier: Apache-2.0 */
#include "factory.h"

#include <string.h>

#include "flashmap.h"
#include "fwseal/crc.h"
#include "fwseal/le.h"

#define ID_MAGIC     "FWID"
#define ID_VERSION   1u
#define ID_LEN       96u
#define ID_MODEL     12u
#define ID_SERIAL    44u
#define ID_COMPONENT 76u
#define ID_CRC       92u
_Static_assert(ID_SERIAL - ID_MODEL == FWS_MODEL_MAX, "model field");
_Static_assert(ID_COMPONENT - ID_SERIAL == FWS_SERIAL_MAX, "serial field");
_Static_assert(ID_CRC - ID_COMPONENT == FWS_COMPONENT_MAX, "component field");
_Static_assert(ID_LEN <= FLASHMAP_IDENTITY_MAX, "identity area");

/* A NUL-padded text field of n bytes: printable ASCII, then only NULs. */
static bool text_field(char *dst, const uint8_t *src, size_t n)
{
	size_t len = 0;

	while (len < n && src[len] != 0u) {
		if (src[len] < 0x20u || src[len] > 0x7Eu)
			return false;
		len++;
	}
	for (size_t i = len; i < n; i++)
		if (src[i] != 0u)
			return false;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return true;
}

static fws_err load_identity(const pflash *f, factory_data *fd)
{
	uint8_t rec[ID_LEN];

	if (pflash_read(f, FLASHMAP_IDENTITY_OFF, rec, sizeof rec) != FWS_OK ||
	    memcmp(rec, ID_MAGIC, 4) != 0 || rec[4] != ID_VERSION ||
	    fws_crc32(0, rec, ID_CRC) != fws_get_le32(rec + ID_CRC))
		return FWS_E_MISSING_FIELD;
	fd->hw_rev = fws_get_le16(rec + 6);
	fd->vendor_id = fws_get_le16(rec + 8);
	fd->class_id = fws_get_le16(rec + 10);
	if (!text_field(fd->model, rec + ID_MODEL, FWS_MODEL_MAX) ||
	    !text_field(fd->serial, rec + ID_SERIAL, FWS_SERIAL_MAX) ||
	    !text_field(fd->component, rec + ID_COMPONENT, FWS_COMPONENT_MAX) ||
	    fd->model[0] == '\0' || fd->serial[0] == '\0')
		return FWS_E_MISSING_FIELD;
	return FWS_OK;
}

fws_err factory_load(const pflash *f, factory_data *out)
{
	memset(out, 0, sizeof *out);
	return load_identity(f, out);
}

void factory_identity(const factory_data *fd, fws_stub_identity *id)
{
	memset(id, 0, sizeof *id);
	id->vendor_id = fd->vendor_id;
	id->class_id = fd->class_id;
	id->model = fd->model;
	id->hw_rev = fd->hw_rev;
	id->serial = fd->serial;
	id->component = fd->component[0] != '\0' ? fd->component : NULL;
}
