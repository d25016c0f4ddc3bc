/* SPDX-License-Identifier: Apache-2.0 */
/* sbom.c - see sbom.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sbom.h"

struct scan {
	const uint8_t *p;
	size_t n, i;
};

static void ws(struct scan *s)
{
	while (s->i < s->n && (s->p[s->i] == ' ' || s->p[s->i] == '\t' || s->p[s->i] == '\n' ||
	                       s->p[s->i] == '\r'))
		s->i++;
}

/* A JSON string at s->i; its raw bytes (escapes kept as written, cut at
 * cap - 1) into out when out is not NULL. */
static bool string(struct scan *s, char *out, size_t cap)
{
	size_t o = 0;
	if (s->i >= s->n || s->p[s->i] != '"')
		return false;
	s->i++;
	while (s->i < s->n) {
		uint8_t c = s->p[s->i++];
		if (c == '"') {
			if (out)
				out[o] = '\0';
			return true;
		}
		if (c < 0x20)
			return false; /* control characters are not allowed in JSON strings */
		if (c == '\\') {
			if (s->i >= s->n)
				return false;
			c = s->p[s->i++];
		}
		if (out && o + 1 < cap)
			out[o++] = (char)c;
	}
	return false;
}

/* Skip one value of any kind without recursion. */
static bool skip_value(struct scan *s)
{
	if (s->i >= s->n)
		return false;
	uint8_t c = s->p[s->i];
	if (c == '"')
		return string(s, NULL, 0);
	if (c == '{' || c == '[') {
		size_t depth = 0;
		while (s->i < s->n) {
			c = s->p[s->i];
			if (c == '"') {
				if (!string(s, NULL, 0))
					return false;
				continue;
			}
			if (c == '{' || c == '[')
				depth++;
			else if (c == '}' || c == ']') {
				if (--depth == 0) {
					s->i++;
					return true;
				}
			}
			s->i++;
		}
		return false;
	}
	size_t start = s->i;
	while (s->i < s->n) {
		c = s->p[s->i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' ||
		      c == '.' || c == 'E'))
			break;
		s->i++;
	}
	return s->i > start;
}

void sbom_detect(const uint8_t *p, size_t n, sbom_info *out)
{
	struct scan s = {p, n, 0};
	char key[32], bom_format[32] = "", spec[sizeof(out->version)] = "",
	     spdx[sizeof(out->version)] = "";
	memset(out, 0, sizeof(*out));
	if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		s.i = 3;
	ws(&s);
	if (s.i >= n || p[s.i] != '{')
		return;
	s.i++;
	for (;;) {
		ws(&s);
		if (s.i < n && p[s.i] == '}')
			break;
		if (!string(&s, key, sizeof(key)))
			return;
		ws(&s);
		if (s.i >= n || p[s.i] != ':')
			return;
		s.i++;
		ws(&s);
		char *dst = !strcmp(key, "bomFormat") ? bom_format
		            : !strcmp(key, "specVersion") ? spec
		            : !strcmp(key, "spdxVersion") ? spdx : NULL;
		size_t cap = dst == bom_format ? sizeof(bom_format) : sizeof(spec);
		bool ok = dst && s.i < n && p[s.i] == '"' ? string(&s, dst, cap) : skip_value(&s);
		if (!ok)
			return;
		ws(&s);
		if (s.i < n && p[s.i] == ',') {
			s.i++;
			continue;
		}
		if (s.i < n && p[s.i] == '}')
			break;
		return;
	}
	if (!strcmp(bom_format, "CycloneDX")) {
		out->kind = SBOM_CYCLONEDX;
		snprintf(out->version, sizeof(out->version), "%s", spec);
	} else if (!strncmp(spdx, "SPDX-", 5)) {
		out->kind = SBOM_SPDX;
		snprintf(out->version, sizeof(out->version), "%s", spdx);
	}
}

const char *sbom_kind_name(enum sbom_kind k)
{
	switch (k) {
	case SBOM_CYCLONEDX: return "CycloneDX JSON";
	case SBOM_SPDX: return "SPDX JSON";
	case SBOM_UNKNOWN: break;
	}
	return "unknown";
}

bool sbom_load(const char *path, sbom_info *info, uint8_t sha256[FWS_SHA256_LEN], char *err,
               size_t cap)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, cap, "Cannot read the SBOM %s (%s). Check the 'sbom' path.", path,
		         f ? "not a regular file" : strerror(errno));
		if (f)
			fclose(f);
		return false;
	}
	if ((uint64_t)st.st_size > SBOM_FILE_MAX || st.st_size == 0) {
		snprintf(err, cap, "The SBOM %s is %s. Check that 'sbom' names the SBOM file.", path,
		         st.st_size == 0 ? "empty" : "larger than 64 MiB");
		fclose(f);
		return false;
	}
	size_t n = (size_t)st.st_size;
	uint8_t *buf = malloc(n);
	bool ok = buf && fread(buf, 1, n, f) == n;
	fclose(f);
	if (!ok) {
		snprintf(err, cap, "Cannot read the SBOM %s completely. Check the file.", path);
		free(buf);
		return false;
	}
	sbom_detect(buf, n, info);
	if (info->kind == SBOM_UNKNOWN) {
		snprintf(err, cap, "%s is not a CycloneDX or SPDX JSON SBOM (its top-level object has "
		         "neither \"bomFormat\": \"CycloneDX\" nor \"spdxVersion\"). Name the JSON SBOM "
		         "of this release in 'sbom'.", path);
		free(buf);
		return false;
	}
	fws_err he = fws_sha256(buf, n, sha256);
	free(buf);
	if (he != FWS_OK) {
		snprintf(err, cap, "%s: cannot compute its SHA-256", path);
		return false;
	}
	return true;
}
