/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_sbom.c - the SBOM format scanner (host-tool/cli/sbom.c) on arbitrary
 * bytes. Invariants: it never reads outside the input, and a verdict of
 * CycloneDX or SPDX always comes with a NUL-terminated version string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy, so a read past the end is caught by ASan */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	sbom_info info;
	sbom_detect(copy, size, &info);
	if (info.kind > SBOM_SPDX || memchr(info.version, '\0', sizeof(info.version)) == NULL)
		abort();
	if (info.kind == SBOM_UNKNOWN && info.version[0])
		abort();
	free(copy);
	return 0;
}
