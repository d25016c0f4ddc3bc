/* SPDX-License-Identifier: Apache-2.0 */
/* package.c - verify a package file on the host (through the shared
 * verifier, pkgcheck.c), then serve its stream bytes to the session
 * (fwseal-host/package.h). */
#include "fwseal-host/package.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/crypto.h"
#include "fwseal-host/pkgcheck.h"

static fws_err pread_full(int fd, uint8_t *p, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t r = pread(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return FWS_E_IO;
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return FWS_OK;
}

static fws_err pkg_fail(fws_err e, const char *path, fwh_error *err)
{
	fwh_error_set(err, e, NULL); /* the cause's sentence, both languages */
	fwh_error_prefix(err, "%s: ", path);
	return e;
}

/* The verifier's finding as the sentence the session's callers have always
 * shown (tests/serial, tests/factory check these texts). */
static fws_err check_fail(const fwh_pkg_check *c, const char *path, fwh_error *err)
{
	if (c->err == FWS_E_IO && c->sys_errno == ENOMEM)
		return fwh_error_set(err, FWS_E_IO, "Out of memory.");
	if (c->err == FWS_E_IO)
		return fwh_error_set(err, FWS_E_IO,
		                     "Cannot read the package %s (%s). Check the path and permissions.",
		                     path, strerror(c->sys_errno ? c->sys_errno : EIO));
	if (c->err == FWS_E_BLOCK_DIGEST) {
		fwh_error_set(err, c->err, NULL);
		fwh_error_prefix(err, "%s: block %u: ", path, (unsigned)c->failed_block);
		return c->err;
	}
	return pkg_fail(c->err, path, err);
}

/* Every check of the shared verifier (fwseal-host/pkgcheck.h) on the open
 * file, so the session later sends exactly the bytes that were checked. */
static fws_err verify_fd(fwh_package *p, const char *path, const fws_trust *trust,
                         fwh_error *err)
{
	if (trust == NULL)
		return pkg_fail(FWS_E_INVAL, path, err); /* the reader needs a trust store */
	fwh_pkg_check *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return fwh_error_set(err, FWS_E_IO, "Out of memory.");
	c->trust = trust;
	c->want_file_sha256 = true;
	fws_err e = fwh_pkg_check_fd(c, p->fd);
	if (e != FWS_OK) {
		check_fail(c, path, err);
	} else {
		p->prefix_len = c->prefix_len;
		memcpy(p->prefix, c->prefix, c->prefix_len);
		p->manifest = c->manifest;
		memcpy(p->signer, c->signer, FWS_KEY_ID_LEN);
		fws_sha256(p->prefix, p->prefix_len, p->prefix_sha256);
		memcpy(p->file_sha256, c->file_sha256, FWS_SHA256_LEN);
	}
	free(c);
	return e;
}

fws_err fwh_package_open(fwh_package *p, const char *path, const fws_trust *trust,
                         fwh_error *err)
{
	memset(p, 0, sizeof *p);
	p->fd = -1;
	p->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0)
		return fwh_error_set(err, FWS_E_IO,
		                     "Cannot read the package %s (%s). Check the path and permissions.",
		                     path, strerror(errno));
	struct stat st = { 0 };
	if (fstat(p->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		const char *why = S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file";
		fwh_package_close(p);
		return fwh_error_set(err, FWS_E_IO,
		                     "Cannot read the package %s (%s). Check the path and permissions.",
		                     path, why);
	}
	p->file_size = (uint64_t)st.st_size;
	/* The shared verifier first: it tells a raw image or a random file ("not
	 * a fwseal package") and a cut-off package ("ends early") from a package
	 * whose DFU suffix alone is damaged, exactly as `inspect` and `verify`. */
	fws_err e = verify_fd(p, path, trust, err);
	if (e != FWS_OK)
		goto fail;
	uint8_t sfx[FWS_PKG_SUFFIX_LEN];
	if (p->file_size < FWS_PKG_HEADER_LEN + FWS_PKG_SUFFIX_LEN ||
	    pread_full(p->fd, sfx, sizeof sfx, p->file_size - FWS_PKG_SUFFIX_LEN) != FWS_OK ||
	    fws_dfu_suffix_parse(sfx, &p->suffix) != FWS_OK) {
		e = pkg_fail(FWS_E_SUFFIX, path, err); /* the file changed since it was checked */
		goto fail;
	}
	p->stream_len = p->file_size - FWS_PKG_SUFFIX_LEN;
	return FWS_OK;
fail:
	fwh_package_close(p);
	return e;
}

fws_err fwh_package_read(const fwh_package *p, uint64_t off, uint8_t *dst, size_t len,
                         fwh_error *err)
{
	if (off > p->stream_len || len > p->stream_len - off)
		return fwh_error_set(err, FWS_E_INVAL, "Read past the package stream; this is a bug.");
	if (pread_full(p->fd, dst, len, off) != FWS_OK)
		return fwh_error_set(err, FWS_E_IO,
		                     "Cannot read the package (%s); was the file changed or "
		                     "removed during the update?",
		                     strerror(errno ? errno : EIO));
	return FWS_OK;
}

void fwh_package_close(fwh_package *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

const char *fwh_package_text(const fwh_package *p, fws_span s, char *buf, size_t cap)
{
	size_t n = s.len;
	if (cap == 0)
		return buf;
	if ((size_t)s.off + n > p->prefix_len)
		n = 0;
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, p->prefix + s.off, n);
	buf[n] = '\0';
	return buf;
}

fws_err fwh_trust_load(const char *path, fws_trust *out, fwh_error *err)
{
	uint8_t blob[FWS_TRUST_BLOB_MAX + 1];
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return fwh_error_set(err, FWS_E_IO,
		                     "Cannot read the trust store %s (%s). Check the path given with "
		                     "--trust or $FWSEAL_TRUST.",
		                     path, strerror(errno));
	size_t n = fread(blob, 1, sizeof blob, f);
	fclose(f);
	fws_err e = fws_trust_parse(blob, n, out);
	if (e != FWS_OK)
		return pkg_fail(FWS_E_TRUST_STORE, path, err);
	return FWS_OK;
}

const char *fwh_trust_default_path(char *buf, size_t cap)
{
	if (buf == NULL || cap == 0)
		return NULL;
	const char *env = getenv(FWH_TRUST_ENV);
	if (env && *env) {
		snprintf(buf, cap, "%s", env);
		return buf; /* named explicitly: use it even if missing (clear error) */
	}
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg)
		snprintf(buf, cap, "%s/fwseal/trust.fwst", xdg);
	else if (home && *home)
		snprintf(buf, cap, "%s/.config/fwseal/trust.fwst", home);
	else
		buf[0] = '\0';
	if (buf[0] && access(buf, R_OK) == 0)
		return buf;
	snprintf(buf, cap, "/etc/fwseal/trust.fwst");
	if (access(buf, R_OK) == 0)
		return buf;
	return NULL;
}
