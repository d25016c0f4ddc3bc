/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_evidence_sig.c - what `fwseal evidence verify` reads from a pack
 * folder someone else made (host-tool/evidence/verify.c): evidence.sig and
 * the lines of evidence.sha256. Invariants: no read outside the input, and a
 * file name accepted from a list never leaves the folder (not absolute, no
 * "..", no control character or backslash).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct ev_sig sig;
	(void)ev_sig_parse(text, &sig);
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		uint8_t sha[32];
		const char *name = NULL;
		if (!ev_sum_line_parse(l, sha, &name))
			continue;
		if (!name || name[0] == '/' || !name[0])
			abort();
		for (const char *p = name; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == '\\' ||
			    (!strncmp(p, "..", 2) && (p == name || p[-1] == '/') &&
			     (p[2] == '/' || p[2] == '\0')))
				abort();
	}
	free(text);
	return 0;
}
