/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_release.c - the release description parser (host-tool/cli/release_desc.c)
 * on arbitrary text, then a --set assignment built from the same bytes.
 * Invariants: every accepted description satisfies the manifest's own limits
 * (so fws_manifest_encode accepts it), every refusal has a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "release_desc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[70000];
	static rel_desc rd;
	static rel_error err;
	static uint8_t manifest[FWS_PKG_MANIFEST_MAX * 4];
	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rel_init(&rd);
	err.text[0] = '\0';
	bool ok = rel_parse_text(&rd, text, "fuzz.ini", &err);
	if (ok) {
		/* the last line, if it looks like one, doubles as a --set */
		const char *nl = strrchr(text, '\n');
		const char *set = nl ? nl + 1 : text;
		if (strchr(set, '=') && !rel_set(&rd, set, &err) && !err.text[0])
			abort();
		ok = rel_finish(&rd, "fuzz.ini", &err);
	}
	if (!ok) {
		if (!err.text[0])
			abort();
		return 0;
	}
	rd.m.payload_size = 1;
	size_t len;
	fws_err e = fws_manifest_encode(&rd.m, manifest, sizeof(manifest), &len);
	/* everything but the manifest's total size is checked by the parser */
	if (e != FWS_OK && e != FWS_E_NOMEM && e != FWS_E_LIMIT)
		abort();
	return 0;
}
