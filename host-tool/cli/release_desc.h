/* SPDX-License-Identifier: Apache-2.0 */
/*
 * release_desc.h - the human-editable release description (release*.ini),
 * documented in docs/release-description.md, turned into manifest fields.
 *
 * No allocation: every string lives in the struct, sized by the manifest's
 * own limits (fwseal/pkg.h), so an over-long field is refused here with a
 * line number instead of later by the encoder.
 */
#ifndef FWSEAL_RELEASE_DESC_H
#define FWSEAL_RELEASE_DESC_H

#include <stdbool.h>

#include "fwseal/pkg.h"

enum rel_field {
	REL_VENDOR_ID,
	REL_CLASS_ID,
	REL_MODEL,
	REL_HW_REV_MIN,
	REL_HW_REV_MAX,
	REL_COMPONENT,
	REL_VERSION,
	REL_SECURITY_COUNTER,
	REL_BLOCK_SIZE,
	REL_RELEASE_DATE,
	REL_SUPPORT_END,
	REL_SECURITY_UPDATE,
	REL_SEVERITY,
	REL_RISKS,
	REL_CVES,
	REL_REBOOT,
	REL_DOWNTIME_S,
	REL_RELEASE_NOTES,
	REL_SBOM,                    /* not in the manifest: its SHA-256 is */
	REL_VULN_CONFIRMED,          /* not in the manifest: for the evidence pack */
	REL_FIX_AVAILABLE,           /* not in the manifest: for the evidence pack */
	REL_FIELD_COUNT
};

#define REL_BLOCK_SIZE_DEFAULT 4096u

typedef struct rel_desc {
	/* Manifest input; payload size, chain head and image digest are filled
	 * in by the packer. String pointers point into the arrays below. */
	fws_manifest_in m;
	char model[FWS_MODEL_MAX + 1];
	char component[FWS_COMPONENT_MAX + 1];
	char version[FWS_VERSION_MAX + 1];
	char risks[FWS_RISKS_MAX + 1];
	char notes[FWS_NOTES_MAX + 1];
	char cves[FWS_CVE_COUNT_MAX][FWS_CVE_MAX + 1];
	/* sbom: the SBOM file's path as written (relative to the release
	 * description's folder, or to the current folder for --set sbom=) */
	char sbom[1024];
	bool sbom_from_option;
	/* 5.3-8 timeliness record (docs/release-description.md); 0 = not given */
	int64_t vuln_confirmed;
	int64_t fix_available;
	unsigned line[REL_FIELD_COUNT]; /* where each field was set; 0 = not set */
	bool set_by_option[REL_FIELD_COUNT];
	unsigned last_line; /* lines in the file */
} rel_desc;

typedef struct rel_error {
	char text[384]; /* "FILE:LINE: what is wrong. What to do." */
} rel_error;

/* Defaults for optional fields. */
void rel_init(rel_desc *r);

/* Parse text (NUL-terminated); name is used in messages. */
bool rel_parse_text(rel_desc *r, const char *text, const char *name, rel_error *err);

/* Read and parse a file (at most 64 KiB). */
bool rel_parse_file(rel_desc *r, const char *path, rel_error *err);

/* Apply one "FIELD=VALUE" override (pack --set); it wins over the file. */
bool rel_set(rel_desc *r, const char *assignment, rel_error *err);

/* Check required fields and cross-field rules; name/last_line for messages. */
bool rel_finish(rel_desc *r, const char *name, rel_error *err);

/* MAJOR[.MINOR[.PATCH[.BUILD]]][-PRE][+META]: decimal numbers without
 * leading zeros; PRE and META dot-separated [0-9A-Za-z-] identifiers, as
 * SemVer 2.0.0 (docs/release-description.md). "1.x.banana" is not one. */
bool rel_version_valid(const char *v);

/* The field's name in the file, e.g. "security_counter". */
const char *rel_field_name(enum rel_field f);

/* Days since 1970-01-01 of a proleptic Gregorian date; false if invalid. */
bool rel_parse_date(const char *s, int64_t *seconds);

#endif /* FWSEAL_RELEASE_DESC_H */
