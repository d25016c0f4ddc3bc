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
#include "fwseal/encoding.h"
#include "fwseal-host/pkgcheck.h"
#include "fwseal-host/sha256.h"

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
		memcpy(p->file_sha256, c->file_sha256, FWS_SHA256_LEN);
		if (fws_sha256(p->prefix, p->prefix_len, p->prefix_sha256) != FWS_OK)
			e = pkg_fail(FWS_E_CRYPTO, path, err);
	}
	free(c);
	return e;
}

fws_err fwh_package_open(fwh_package *p, const char *path, const fws_trust *trust,
                         fwh_error *err)
{
	memset(p, 0, sizeof *p);
	p->fd = -1;
	snprintf(p->path, sizeof p->path, "%s", path);
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
	/* the suffix bytes that will close the digest of what is sent; if they
	 * changed since the check, that digest differs and the send stops */
	memcpy(p->suffix_raw, sfx, sizeof sfx);
	return FWS_OK;
fail:
	fwh_package_close(p);
	return e;
}

/* ---------------------------------------------------------------------- */
/* The stream as it is sent (fwh_pkg_stream)                               */

struct fwh_pkg_stream {
	const fwh_package *p;
	fws_pkg_reader r;
	uint8_t *rbuf;        /* the reader's buffer: prefix, then one unit */
	uint8_t *unit;        /* a unit as read from the file */
	size_t unit_cap;
	const uint8_t *win;   /* verified stream bytes [win_off, win_off + win_len) */
	uint64_t win_off, win_len;
	uint64_t next;        /* stream offset of the next unread byte */
	fwh_sha256 sha;       /* of every stream byte handed to the reader */
	fws_err failed;       /* sticky */
};

static fws_err changed(fwh_pkg_stream *s, fws_err e, const char *what, fwh_error *err)
{
	s->failed = e;
	return fwh_error_set(err, e,
	                     "The package %s changed since it was checked (%s); nothing more was "
	                     "sent and the device keeps its current firmware. Check the file and "
	                     "try again.",
	                     s->p->path, what);
}

fws_err fwh_pkg_stream_open(const fwh_package *p, fwh_pkg_stream **out, fwh_error *err)
{
	fwh_pkg_stream *s = calloc(1, sizeof *s);
	/* a block and its digest, or a compressed or delta unit (with room
	 * to decode it, which the reader asks for) */
	size_t cap = fws_pkg_buf_need(&p->manifest);
	*out = NULL;
	if (s == NULL || (s->rbuf = malloc(cap)) == NULL || (s->unit = malloc(cap)) == NULL) {
		if (s)
			free(s->rbuf);
		free(s);
		return fwh_error_set(err, FWS_E_IO, "Out of memory.");
	}
	s->p = p;
	s->unit_cap = cap;
	fwh_sha256_init(&s->sha);
	/* The prefix comes from memory, where it was verified (signature,
	 * policy) at open; the reader only parses it again (UNVERIFIED) to hold
	 * its chain head, and then checks every unit of the file against it. */
	size_t used = 0;
	enum fws_pkg_event ev = FWS_PKG_NEED_MORE;
	fws_err e = fws_pkg_reader_init(&s->r, s->rbuf, cap, NULL,
	                                FWS_PKG_UNVERIFIED | FWS_PKG_NO_IMAGE_HASH);
	if (e == FWS_OK) {
		fwh_reader_use_host_sha256(&s->r);
		e = fws_pkg_reader_feed(&s->r, p->prefix, p->prefix_len, &used, &ev);
	}
	if (e != FWS_OK || ev != FWS_PKG_PREFIX || used != p->prefix_len ||
	    memcmp(s->r.manifest.chain_head, p->manifest.chain_head, FWS_SHA256_LEN) != 0) {
		fwh_pkg_stream_close(s);
		return fwh_error_set(err, FWS_E_INVAL, "The checked package prefix does not parse; "
		                                       "this is a bug.");
	}
	fwh_sha256_update(&s->sha, p->prefix, p->prefix_len);
	s->win = p->prefix;
	s->win_off = 0;
	s->win_len = p->prefix_len;
	s->next = p->prefix_len;
	*out = s;
	return FWS_OK;
}

/* Read the next unit (block || next digest; in a compressed or delta
 * package the unit's header says how long it is) from the file and have the
 * reader check it against the chain of the checked prefix. */
static fws_err next_unit(fwh_pkg_stream *s, fwh_error *err)
{
	const fwh_package *p = s->p;
	uint32_t k = s->r.phase == FWS_PHASE_PREFIX_READY ? 0u : s->r.block_index + 1u;
	if (k >= s->r.block_count || s->next >= p->stream_len)
		return fwh_error_set(err, FWS_E_INVAL, "Read past the package stream; this is a bug.");
	uint64_t start = (uint64_t)k * p->manifest.block_size;
	uint64_t left = p->manifest.payload_size - start;
	size_t n = (left < p->manifest.block_size ? (size_t)left : p->manifest.block_size) +
	           FWS_SHA256_LEN;
	char what[96];
	snprintf(what, sizeof what, "block %u of %u", (unsigned)k, (unsigned)s->r.block_count);
	if (p->manifest.encoding != FWS_ENC_NONE) {
		/* the header is only a length here: the reader checks it with
		 * the unit against the chain, and refuses a unit that is longer
		 * than any valid one */
		uint8_t hdr[FWS_UNIT_HDR_LEN];
		fws_unit u;
		if (s->next + sizeof hdr > p->stream_len)
			return changed(s, FWS_E_BLOCK_DIGEST, "a unit header overruns the stream", err);
		struct stat hst;
		if (fstat(p->fd, &hst) != 0 || (uint64_t)hst.st_size < s->next + sizeof hdr)
			return changed(s, FWS_E_TRUNCATED, "it is shorter now", err);
		if (pread_full(p->fd, hdr, sizeof hdr, s->next) != FWS_OK) {
			int e = errno ? errno : EIO;
			s->failed = FWS_E_IO;
			return fwh_error_set(err, FWS_E_IO, "Cannot read the package %s (%s) at %s; "
			                     "nothing more was sent.", p->path, strerror(e), what);
		}
		fws_unit_hdr_parse(hdr, &u);
		if (u.data_len == 0u || u.data_len > n - FWS_SHA256_LEN ||
		    s->next + FWS_UNIT_HDR_LEN + u.data_len + FWS_SHA256_LEN > p->stream_len)
			return changed(s, FWS_E_BLOCK_DIGEST, "a unit header is not what it was", err);
		n = FWS_UNIT_HDR_LEN + (size_t)u.data_len + FWS_SHA256_LEN;
	}
	if (n > s->unit_cap || s->next + n > p->stream_len)
		return fwh_error_set(err, FWS_E_INVAL, "A package unit overruns the stream; this is a bug.");
	struct stat st;
	if (fstat(p->fd, &st) != 0 || (uint64_t)st.st_size < s->next + n)
		return changed(s, FWS_E_TRUNCATED, "it is shorter now", err);
	if (pread_full(p->fd, s->unit, n, s->next) != FWS_OK) {
		int e = errno ? errno : EIO;
		s->failed = FWS_E_IO;
		return fwh_error_set(err, FWS_E_IO, "Cannot read the package %s (%s) at %s; nothing "
		                     "more was sent.", p->path, strerror(e), what);
	}
	size_t used = 0;
	enum fws_pkg_event ev = FWS_PKG_NEED_MORE;
	fws_err e = fws_pkg_reader_feed(&s->r, s->unit, n, &used, &ev);
	if (e == FWS_E_CRYPTO) {
		s->failed = e;
		return fwh_error_set(err, e, "%s: %s", p->path, fws_err_describe(e));
	}
	if (e != FWS_OK || ev != FWS_PKG_BLOCK || used != n || s->r.block_index != k) {
		snprintf(what + strlen(what), sizeof what - strlen(what),
		         " no longer matches its signed digest");
		return changed(s, FWS_E_BLOCK_DIGEST, what, err);
	}
	fwh_sha256_update(&s->sha, s->unit, n);
	s->win = s->r.buf; /* the verified unit, as the reader holds it */
	s->win_off = s->next;
	s->win_len = n;
	s->next += n;
	return FWS_OK;
}

fws_err fwh_pkg_stream_read(fwh_pkg_stream *s, uint64_t off, uint8_t *dst, size_t len,
                            fwh_error *err)
{
	if (s->failed != FWS_OK)
		return fwh_error_set(err, s->failed, "The package %s could not be sent.", s->p->path);
	if (off < s->win_off || off > s->p->stream_len || len > s->p->stream_len - off)
		return fwh_error_set(err, FWS_E_INVAL, "Read outside the package stream; this is a bug.");
	/* every byte copied to dst comes from a unit the reader has checked;
	 * on an error the caller sends nothing of dst */
	while (len > 0) {
		if (off >= s->win_off + s->win_len) {
			fws_err e = next_unit(s, err);
			if (e != FWS_OK)
				return e;
			continue;
		}
		size_t take = (size_t)(s->win_off + s->win_len - off);
		if (take > len)
			take = len;
		memcpy(dst, s->win + (off - s->win_off), take);
		dst += take;
		off += take;
		len -= take;
	}
	return FWS_OK;
}

fws_err fwh_pkg_stream_unit_end(fwh_pkg_stream *s, uint64_t off, uint64_t *end,
                                fwh_error *err)
{
	if (s->failed != FWS_OK)
		return fwh_error_set(err, s->failed, "The package %s could not be sent.", s->p->path);
	if (off < s->win_off || off >= s->p->stream_len)
		return fwh_error_set(err, FWS_E_INVAL, "Read outside the package stream; this is a bug.");
	while (off >= s->win_off + s->win_len) {
		fws_err e = next_unit(s, err);
		if (e != FWS_OK)
			return e;
	}
	*end = s->win_off + s->win_len;
	return FWS_OK;
}

fws_err fwh_pkg_stream_finish(fwh_pkg_stream *s, uint8_t sha256[FWS_SHA256_LEN],
                              fwh_error *err)
{
	static const uint8_t none[1];
	size_t used = 0;
	enum fws_pkg_event ev = FWS_PKG_NEED_MORE;
	if (s->failed != FWS_OK)
		return fwh_error_set(err, s->failed, "The package %s could not be sent.", s->p->path);
	if (s->next != s->p->stream_len || s->win_off + s->win_len != s->p->stream_len)
		return fwh_error_set(err, FWS_E_INVAL, "The package was not sent to its end; this is a bug.");
	/* the chain must end in the zero digest (it does: the prefix is the
	 * checked one), then the digest of what went out, suffix included */
	if (fws_pkg_reader_feed(&s->r, none, 0, &used, &ev) != FWS_OK || ev != FWS_PKG_DONE)
		return changed(s, FWS_E_CHAIN_END, "its block chain does not end", err);
	fwh_sha256_update(&s->sha, s->p->suffix_raw, sizeof s->p->suffix_raw);
	fwh_sha256_final(&s->sha, sha256);
	if (!fws_ct_equal(sha256, s->p->file_sha256, FWS_SHA256_LEN))
		return changed(s, FWS_E_BLOCK_DIGEST, "its SHA-256 differs", err);
	return FWS_OK;
}

void fwh_pkg_stream_close(fwh_pkg_stream *s)
{
	if (s == NULL)
		return;
	if (s->sha.md) {
		uint8_t unused[FWS_SHA256_LEN];
		fwh_sha256_final(&s->sha, unused); /* frees the context */
	}
	free(s->unit);
	free(s->rbuf);
	free(s);
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
