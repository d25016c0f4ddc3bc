/* SPDX-License-Identifier: Apache-2.0 */
/* pkgfacts.c - load and verify the release package and trust store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ev_util.h"
#include "fwseal/crypto.h"
#include "fwseal/le.h"
#include "pkgfacts.h"

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

bool ev_read_file(const char *path, size_t max, uint8_t **out, size_t *len, char *err,
                  size_t errcap)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errcap, "cannot read %s: %s. Check the path.", path,
		         f ? (S_ISDIR(st.st_mode) ? "it is a folder" : strerror(errno))
		           : strerror(errno));
		if (f)
			fclose(f);
		return false;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errcap, "%s is larger than %zu bytes, more than the evidence generator "
		         "handles. Check that it is the right file.", path, max);
		fclose(f);
		return false;
	}
	size_t n = (size_t)st.st_size;
	uint8_t *buf = ev_xmalloc(n);
	size_t got = fread(buf, 1, n, f);
	fclose(f);
	if (got != n) {
		snprintf(err, errcap, "cannot read %s completely. Check the file.", path);
		free(buf);
		return false;
	}
	*out = buf;
	*len = n;
	return true;
}

bool ev_trust_load(struct ev_trustfacts *t, const char *path, char *err, size_t errcap)
{
	memset(t, 0, sizeof(*t));
	uint8_t *blob;
	size_t len;
	if (!ev_read_file(path, FWS_TRUST_BLOB_MAX, &blob, &len, err, errcap))
		return false;
	fws_err e = fws_trust_parse(blob, len, &t->trust);
	if (e != FWS_OK) {
		snprintf(err, errcap, "%s is not a valid trust store (%s): %s", path, fws_err_name(e),
		         fws_err_describe(e));
		free(blob);
		return false;
	}
	e = fws_sha256(blob, len, t->sha256);
	free(blob);
	if (e != FWS_OK) {
		snprintf(err, errcap, "%s: %s", path, fws_err_describe(e));
		return false;
	}
	t->file_name = ev_xstrdup(base_name(path));
	return true;
}

void ev_trust_free(struct ev_trustfacts *t)
{
	free(t->file_name);
	memset(t, 0, sizeof(*t));
}

static char *span_text(const struct ev_pkgfacts *p, fws_span s)
{
	/* the reader makes spans relative to the start of the prefix */
	return ev_xstrndup((const char *)p->data + s.off, s.len);
}

static bool verify_stream(struct ev_pkgfacts *p, const fws_trust *trust, char *err,
                          size_t errcap)
{
	size_t cap = FWS_PKG_BUF_MIN > FWS_PKG_BLOCK_MAX + FWS_SHA256_LEN
	                 ? FWS_PKG_BUF_MIN : FWS_PKG_BLOCK_MAX + FWS_SHA256_LEN;
	uint8_t *buf = ev_xmalloc(cap);
	fws_pkg_reader r;
	fws_err e = fws_pkg_reader_init(&r, buf, cap, trust, 0);
	size_t off = 0;
	bool done = false;
	while (e == FWS_OK && !done) {
		size_t used = 0;
		enum fws_pkg_event ev;
		e = fws_pkg_reader_feed(&r, p->data + off, p->stream_len - off, &used, &ev);
		off += used;
		if (e != FWS_OK)
			break;
		if (ev == FWS_PKG_PREFIX) {
			p->header = r.header;
			p->m = r.manifest;
			p->prefix_len = r.prefix_len;
			memcpy(p->signer, r.signer_key_id, FWS_KEY_ID_LEN);
			p->block_count = r.block_count;
		} else if (ev == FWS_PKG_DONE) {
			done = true;
		} else if (ev == FWS_PKG_NEED_MORE && off == p->stream_len && used == 0) {
			e = FWS_E_TRUNCATED;
		}
	}
	if (e == FWS_OK && off != p->stream_len)
		e = FWS_E_TRAILING;
	free(buf);
	if (e != FWS_OK) {
		snprintf(err, errcap, "the package %s does not verify against the trust store (%s: %s) "
		         "An evidence pack can only describe a release the device accepts.",
		         p->file_name, fws_err_name(e), fws_err_describe(e));
		return false;
	}
	return true;
}

bool ev_pkg_from_memory(struct ev_pkgfacts *p, const char *name, uint8_t *data, size_t len,
                        const fws_trust *trust, char *err, size_t errcap)
{
	memset(p, 0, sizeof(*p));
	p->file_name = ev_xstrdup(base_name(name));
	p->data = data;
	p->len = len;
	if (fws_sha256(data, len, p->sha256) != FWS_OK) {
		snprintf(err, errcap, "%s: %s", name, fws_err_describe(FWS_E_CRYPTO));
		ev_pkg_free(p);
		return false;
	}
	p->stream_len = len;
	if (len >= FWS_PKG_SUFFIX_LEN &&
	    fws_dfu_suffix_parse(data + len - FWS_PKG_SUFFIX_LEN, &p->suffix) == FWS_OK) {
		p->has_suffix = true;
		p->stream_len -= FWS_PKG_SUFFIX_LEN;
	}
	if (!verify_stream(p, trust, err, errcap)) {
		ev_pkg_free(p);
		return false;
	}
	/* signature key ids, in the order they appear (key rotation) */
	p->sig_count = p->header.sig_count;
	const uint8_t *sigs = p->data + FWS_PKG_HEADER_LEN + p->header.manifest_len;
	for (unsigned i = 0; i < p->sig_count && i < FWS_PKG_SIG_MAX; i++)
		memcpy(p->sig_key_ids[i], sigs + (size_t)i * FWS_PKG_SIG_LEN, FWS_KEY_ID_LEN);
	p->risks = span_text(p, p->m.risks);
	p->notes = span_text(p, p->m.notes);
	for (unsigned i = 0; i < p->m.cve_count; i++)
		p->cves[i] = span_text(p, p->m.cves[i]);
	return true;
}

bool ev_pkg_load(struct ev_pkgfacts *p, const char *path, const fws_trust *trust, char *err,
                 size_t errcap)
{
	memset(p, 0, sizeof(*p));
	uint8_t *data;
	size_t len;
	if (!ev_read_file(path, EV_PKG_FILE_MAX, &data, &len, err, errcap))
		return false;
	return ev_pkg_from_memory(p, path, data, len, trust, err, errcap);
}

void ev_pkg_free(struct ev_pkgfacts *p)
{
	free(p->file_name);
	free(p->data);
	free(p->risks);
	free(p->notes);
	for (unsigned i = 0; i < FWS_CVE_COUNT_MAX; i++)
		free(p->cves[i]);
	memset(p, 0, sizeof(*p));
}
