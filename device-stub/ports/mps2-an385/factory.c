/* SPDX-License-Identifier: Apache-2.0 */
#include "factory.h"

#include <string.h>

#include "flashmap.h"

#define IDENTITY_MAGIC "FWID1\n"
#define LINE_MAX 64u

static fws_err load_trust(const pflash *f, fws_trust *out)
{
	uint8_t blob[FWS_TRUST_BLOB_MAX];

	if (pflash_read(f, FLASHMAP_TRUST_OFF, blob, FWS_TRUST_HDR_LEN) != FWS_OK)
		return FWS_E_TRUST_STORE;
	size_t count = blob[5];
	if (count == 0 || count > FWS_TRUST_MAX)
		return FWS_E_TRUST_STORE;
	size_t len = FWS_TRUST_HDR_LEN + count * FWS_TRUST_ENTRY_LEN + 4u;
	if (pflash_read(f, FLASHMAP_TRUST_OFF, blob, len) != FWS_OK)
		return FWS_E_TRUST_STORE;
	/* fws_trust_parse checks magic, version, CRC and every key id. */
	return fws_trust_parse(blob, len, out);
}

static bool parse_u16(const char *s, uint16_t *out)
{
	unsigned base = 10;
	uint32_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		v = v * base + d;
		if (v > 0xFFFFu)
			return false;
	}
	*out = (uint16_t)v;
	return true;
}

static bool copy_text(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n == 0 || n >= cap)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* One "key=value" line; false if a known key has a bad value. */
static bool apply_line(factory_data *fd, char *line)
{
	char *val = line;
	while (*val != '\0' && *val != '=')
		val++;
	if (*val == '\0')
		return true;
	*val++ = '\0';
	const char *key = line;

	if (strcmp(key, "model") == 0)
		return copy_text(fd->model, sizeof fd->model, val);
	if (strcmp(key, "serial") == 0)
		return copy_text(fd->serial, sizeof fd->serial, val);
	if (strcmp(key, "component") == 0)
		return copy_text(fd->component, sizeof fd->component, val);
	if (strcmp(key, "hw_rev") == 0)
		return parse_u16(val, &fd->hw_rev);
	if (strcmp(key, "vendor_id") == 0)
		return parse_u16(val, &fd->vendor_id);
	if (strcmp(key, "class_id") == 0)
		return parse_u16(val, &fd->class_id);
	return true;
}

static fws_err load_identity(const pflash *f, factory_data *fd)
{
	char line[LINE_MAX];
	size_t n = 0;
	uint8_t magic[sizeof IDENTITY_MAGIC - 1u];

	if (pflash_read(f, FLASHMAP_IDENTITY_OFF, magic, sizeof magic) != FWS_OK ||
	    memcmp(magic, IDENTITY_MAGIC, sizeof magic) != 0)
		return FWS_E_MISSING_FIELD;
	for (uint32_t i = sizeof magic; i < FLASHMAP_IDENTITY_MAX; i++) {
		uint8_t c;
		if (pflash_read(f, FLASHMAP_IDENTITY_OFF + i, &c, 1) != FWS_OK)
			return FWS_E_IO;
		if (c == 0x00u || c == 0xFFu)
			break;
		if (c == '\n') {
			line[n] = '\0';
			if (!apply_line(fd, line))
				return FWS_E_MANIFEST;
			n = 0;
		} else if (n + 1u < sizeof line && c >= 0x20u && c <= 0x7Eu) {
			line[n++] = (char)c;
		} else {
			return FWS_E_LIMIT; /* over-long line or control byte */
		}
	}
	return fd->model[0] != '\0' && fd->serial[0] != '\0' ? FWS_OK : FWS_E_MISSING_FIELD;
}

fws_err factory_load(const pflash *f, factory_data *out)
{
	memset(out, 0, sizeof *out);
	fws_err e = load_identity(f, out);
	if (e != FWS_OK)
		return e;
	out->has_trust = load_trust(f, &out->trust) == FWS_OK;
	return out->has_trust ? FWS_OK : FWS_E_TRUST_STORE;
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
