/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sbom.h - the software bill of materials a release description may name
 * (`sbom = FILE`, docs/release-description.md). `fwseal pack` stores the
 * file's SHA-256 in the manifest (tag 0x8013) and the evidence pack lists it;
 * neither interprets the SBOM's content beyond telling which format it is:
 * CycloneDX JSON (a top-level "bomFormat": "CycloneDX") or SPDX JSON (a
 * top-level "spdxVersion": "SPDX-..."). The file comes from outside: the
 * scanner is bounded, never recurses, and has a fuzz target (fuzz_sbom.c).
 */
#ifndef FWSEAL_SBOM_H
#define FWSEAL_SBOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/crypto.h"

#define SBOM_FILE_MAX (64u * 1024u * 1024u)

enum sbom_kind {
	SBOM_UNKNOWN = 0,
	SBOM_CYCLONEDX,
	SBOM_SPDX,
};

typedef struct sbom_info {
	enum sbom_kind kind;
	char version[24];   /* CycloneDX specVersion "1.5", SPDX "SPDX-2.3"; "" unknown */
} sbom_info;

/* Which SBOM format the JSON text is, from its top-level members. Text that
 * is not a JSON object, or whose top level names neither format, is
 * SBOM_UNKNOWN. */
void sbom_detect(const uint8_t *p, size_t n, sbom_info *out);

/* "CycloneDX JSON", "SPDX JSON", "unknown" */
const char *sbom_kind_name(enum sbom_kind k);

/* Read the SBOM at path (at most SBOM_FILE_MAX bytes), tell its format and
 * hash it. false with one sentence in err (what is wrong, what to do). */
bool sbom_load(const char *path, sbom_info *info, uint8_t sha256[FWS_SHA256_LEN], char *err,
               size_t cap);

#endif /* FWSEAL_SBOM_H */
