/* SPDX-License-Identifier: Apache-2.0 */
/* trustchain.c - trust updates on the host (fwseal-host/trustchain.h). */
#include "fwseal-host/trustchain.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwseal/crypto.h"
#include "fwseal-host/pkgcheck.h"

static void hex8(const uint8_t id[FWS_KEY_ID_LEN], char out[2 * FWS_KEY_ID_LEN + 1])
{
	static const char d[] = "0123456789abcdef";
	for (unsigned i = 0; i < FWS_KEY_ID_LEN; i++) {
		out[2 * i] = d[id[i] >> 4];
		out[2 * i + 1] = d[id[i] & 15];
	}
	out[2 * FWS_KEY_ID_LEN] = '\0';
}

const char *fwh_trust_roles_name(uint8_t roles)
{
	roles &= FWS_TRUST_ROLES;
	return roles == FWS_TRUST_ROLES ? "root+release"
	       : roles == FWS_TRUST_ROOT ? "root"
	       : roles == FWS_TRUST_RELEASE ? "release" : "none";
}

fws_err fwh_trust_file_load(const char *path, fwh_trust_file *out, fwh_error *err)
{
	uint8_t buf[FWS_TRUST_BLOB_MAX + 1];
	FILE *f = fopen(path, "rb");
	size_t n;

	memset(out, 0, sizeof *out);
	if (f == NULL)
		return fwh_error_set(err, FWS_E_IO,
		                     "Cannot open the trust store %s (%s); name it with --trust.",
		                     path, strerror(errno));
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	if (n > FWS_TRUST_BLOB_MAX || fws_trust_parse(buf, n, &out->t) != FWS_OK)
		return fwh_error_set(err, FWS_E_TRUST_STORE, "%s: %s", path,
		                     fws_err_describe(FWS_E_TRUST_STORE));
	memcpy(out->blob, buf, n);
	out->len = n;
	return FWS_OK;
}

static bool read_at(int fd, uint8_t *p, size_t n, off_t off)
{
	while (n > 0) {
		ssize_t r = pread(fd, p, n, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
		off += r;
	}
	return true;
}

/* How many distinct key ids among the signatures are unrevoked roots of t
 * (ids only: to explain a refusal, never to accept). */
static unsigned roots_named(const fws_trust *t, const uint8_t ids[][FWS_KEY_ID_LEN], unsigned n)
{
	unsigned count = 0;
	for (unsigned i = 0; i < n; i++) {
		const fws_trust_key *k = fws_trust_find(t, ids[i]);
		bool dup = false;
		for (unsigned j = 0; j < i; j++)
			dup = dup || memcmp(ids[j], ids[i], FWS_KEY_ID_LEN) == 0;
		if (k && !dup && !(k->flags & FWS_TRUST_REVOKED) &&
		    (fws_trust_roles(t, k) & FWS_TRUST_ROOT))
			count++;
	}
	return count;
}

fws_err fwh_trust_update_payload(int fd, const uint8_t *prefix, size_t prefix_len,
                                 const fws_manifest *m, const fws_trust *cur, bool newer_than_cur,
                                 fwh_trust_update *out, fwh_error *err)
{
	fws_pkg_header h;
	uint8_t digest[FWS_SHA256_LEN];
	const uint8_t *sigs;
	fws_err e;

	memset(out, 0, sizeof *out);
	out->manifest = *m;
	out->from_version = fws_trust_version(cur);
	if (m->kind != FWS_KIND_TRUST)
		return fwh_error_set(err, FWS_E_CRITICAL, "It is firmware, not a security key update.");
	if (fws_pkg_header_parse(prefix, prefix_len, &h) != FWS_OK)
		return fwh_error_set(err, FWS_E_HEADER, NULL);
	out->sig_count = h.sig_count;
	sigs = prefix + FWS_PKG_HEADER_LEN + h.manifest_len;
	for (unsigned i = 0; i < h.sig_count; i++)
		memcpy(out->signers[i], sigs + (size_t)i * FWS_PKG_SIG_LEN, FWS_KEY_ID_LEN);
	if (m->payload_size > FWS_TRUST_BLOB_MAX || m->block_size < m->payload_size)
		return fwh_error_set(err, FWS_E_TRUST_STORE,
		                     "Its payload is not one trust store in one block.");
	/* the payload exactly as it will be used, checked against the signed
	 * digest again (the file might have changed since it was verified) */
	if (!read_at(fd, out->next.blob, m->payload_size, (off_t)prefix_len))
		return fwh_error_set(err, FWS_E_IO, "Cannot read its payload (%s).",
		                     strerror(errno ? errno : EIO));
	if (fws_sha256(out->next.blob, m->payload_size, digest) != FWS_OK)
		return fwh_error_set(err, FWS_E_CRYPTO, NULL);
	if (!fws_ct_equal(digest, m->image_sha256, FWS_SHA256_LEN))
		return fwh_error_set(err, FWS_E_IMAGE_DIGEST, NULL);
	out->next.len = m->payload_size;
	if (fws_trust_parse(out->next.blob, out->next.len, &out->next.t) != FWS_OK ||
	    out->next.t.format != 2u || out->next.t.version != m->security_counter)
		return fwh_error_set(err, FWS_E_TRUST_STORE,
		                     "Its payload is not a format-2 trust store of version %u.",
		                     (unsigned)m->security_counter);
	if (newer_than_cur && out->next.t.version <= fws_trust_version(cur))
		return fwh_error_set(err, FWS_E_TRUST_ROLLBACK,
		                     "It brings trust version %u, but the trust store already has "
		                     "version %u; it is older or already applied.",
		                     (unsigned)out->next.t.version, (unsigned)fws_trust_version(cur));
	if (fws_trust_usable(&out->next.t) != FWS_OK)
		return fwh_error_set(err, FWS_E_TRUST_UNUSABLE, NULL);
	if (fws_pkg_signed_digest(prefix, prefix + FWS_PKG_HEADER_LEN, h.manifest_len, digest) != FWS_OK)
		return fwh_error_set(err, FWS_E_CRYPTO, NULL);
	e = fws_trust_check_sigs(&out->next.t, sigs, h.sig_count, digest, FWS_TRUST_ROOT,
	                         fws_trust_threshold(&out->next.t), NULL);
	if (e != FWS_OK)
		return fwh_error_set(err, e == FWS_E_SIGNATURE ? e : FWS_E_THRESHOLD,
		                     "The root keys of the new trust store (version %u) did not sign "
		                     "it: it needs %u of them and carries %u.",
		                     (unsigned)out->next.t.version, fws_trust_threshold(&out->next.t),
		                     roots_named(&out->next.t, (const uint8_t(*)[FWS_KEY_ID_LEN])out->signers,
		                                 h.sig_count));
	return FWS_OK;
}

fws_err fwh_trust_update_check(const char *path, const fws_trust *cur, fwh_trust_update *out,
                               fwh_error *err)
{
	fwh_pkg_check *c = calloc(1, sizeof *c);
	fws_err e;
	int fd;

	memset(out, 0, sizeof *out);
	if (c == NULL)
		return fwh_error_set(err, FWS_E_IO, "Out of memory.");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(c);
		return fwh_error_set(err, FWS_E_IO, "Cannot open %s (%s).", path, strerror(errno));
	}
	c->trust = cur;
	e = fwh_pkg_check_fd(c, fd);
	if (e == FWS_E_THRESHOLD || e == FWS_E_UNTRUSTED_KEY || e == FWS_E_REVOKED_KEY) {
		/* the signatures did not do: read it again without them, only to
		 * say what it is and who signed it */
		c->trust = NULL;
		(void)fwh_pkg_check_fd(c, fd);
	}
	if (e == FWS_OK && c->manifest.kind != FWS_KIND_TRUST)
		e = FWS_E_CRITICAL;
	if (e != FWS_OK) {
		if (e == FWS_E_CRITICAL && c->have_prefix && c->manifest.kind != FWS_KIND_TRUST)
			fwh_error_set(err, e, "%s is firmware, not a security key update.", path);
		else if (c->have_prefix && c->manifest.kind == FWS_KIND_TRUST &&
		         (e == FWS_E_THRESHOLD || e == FWS_E_UNTRUSTED_KEY || e == FWS_E_REVOKED_KEY))
			fwh_error_set(err, FWS_E_THRESHOLD,
			              "%s (trust version %u) needs %u signature%s by root keys of the "
			              "trust store it is checked against (version %u) and carries %u: "
			              "an earlier security key update is missing, or it is not from "
			              "this manufacturer.",
			              path, (unsigned)c->manifest.security_counter, fws_trust_threshold(cur),
			              fws_trust_threshold(cur) == 1 ? "" : "s",
			              (unsigned)fws_trust_version(cur),
			              roots_named(cur, (const uint8_t(*)[FWS_KEY_ID_LEN])c->sig_key_ids,
			                          c->sig_count));
		else if (e == FWS_E_IO)
			fwh_error_set(err, e, "Cannot read %s (%s).", path,
			              strerror(c->sys_errno ? c->sys_errno : EIO));
		else
			fwh_error_set(err, e, "%s: %s", path, fws_err_describe(e));
	} else {
		e = fwh_trust_update_payload(fd, c->prefix, c->prefix_len, &c->manifest, cur, true, out,
		                             err);
		if (e != FWS_OK)
			fwh_error_prefix(err, "%s: ", path);
	}
	close(fd);
	free(c);
	return e;
}

/* Header and manifest of the package on fd, parsed but not verified: is it
 * a trust update? */
static bool read_trust_manifest(int fd, fws_pkg_header *h, fws_manifest *m)
{
	uint8_t buf[FWS_PKG_HEADER_LEN + FWS_PKG_MANIFEST_MAX];

	return read_at(fd, buf, FWS_PKG_HEADER_LEN, 0) &&
	       fws_pkg_header_parse(buf, FWS_PKG_HEADER_LEN, h) == FWS_OK &&
	       read_at(fd, buf + FWS_PKG_HEADER_LEN, h->manifest_len, FWS_PKG_HEADER_LEN) &&
	       fws_manifest_parse(buf + FWS_PKG_HEADER_LEN, h->manifest_len, m) == FWS_OK &&
	       m->kind == FWS_KIND_TRUST;
}

bool fwh_is_trust_update(const char *path, uint32_t *version)
{
	fws_pkg_header h;
	fws_manifest m;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool yes;

	if (fd < 0)
		return false;
	yes = read_trust_manifest(fd, &h, &m);
	if (yes && version)
		*version = m.security_counter;
	close(fd);
	return yes;
}

bool fwh_trust_update_peek(const char *path, fwh_trust_file *store)
{
	fws_pkg_header h;
	fws_manifest m;
	bool ok = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(store, 0, sizeof *store);
	if (fd < 0)
		return false;
	if (read_trust_manifest(fd, &h, &m) && m.payload_size <= FWS_TRUST_BLOB_MAX &&
	    read_at(fd, store->blob, m.payload_size,
	            (off_t)(FWS_PKG_HEADER_LEN + h.manifest_len + (size_t)h.sig_count * FWS_PKG_SIG_LEN)) &&
	    fws_trust_parse(store->blob, m.payload_size, &store->t) == FWS_OK) {
		store->len = m.payload_size;
		ok = true;
	}
	close(fd);
	return ok;
}

unsigned fwh_trust_updates_near(const char *path, char **out, unsigned cap)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	unsigned n = 0;
	DIR *d;
	struct dirent *de;

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	d = opendir(dir);
	if (d == NULL)
		return 0;
	while (n < cap && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char full[4096 + 256];

		if (len < 7 || strcmp(de->d_name + len - 7, ".fwseal") != 0)
			continue;
		snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
		if (fwh_is_trust_update(full, NULL) && (out[n] = strdup(full)) != NULL)
			n++;
	}
	closedir(d);
	return n;
}

unsigned fwh_trust_walk(fwh_trust_file *store, const char *const paths[], unsigned n,
                        unsigned applied[])
{
	unsigned taken = 0;
	bool *used = calloc(n ? n : 1, sizeof *used);
	fwh_trust_update *u = malloc(sizeof *u);

	if (used == NULL || u == NULL) {
		free(used);
		free(u);
		return 0;
	}
	for (;;) {
		unsigned best = n;
		uint32_t best_v = 0;

		/* the lowest version above the store's that checks against it */
		for (unsigned i = 0; i < n; i++) {
			uint32_t v = 0;
			if (used[i] || !fwh_is_trust_update(paths[i], &v) ||
			    v <= fws_trust_version(&store->t) || (best < n && v >= best_v))
				continue;
			if (fwh_trust_update_check(paths[i], &store->t, u, NULL) != FWS_OK)
				continue;
			best = i;
			best_v = v;
		}
		if (best == n)
			break;
		if (fwh_trust_update_check(paths[best], &store->t, u, NULL) != FWS_OK)
			break; /* changed under us: stop rather than guess */
		*store = u->next;
		used[best] = true;
		applied[taken++] = best;
	}
	free(used);
	free(u);
	return taken;
}

void fwh_trust_diff(const fws_trust *a, const fws_trust *b, fwh_trust_diff_fn fn, void *user)
{
	char line[128], hex[2 * FWS_KEY_ID_LEN + 1];

	if (fws_trust_threshold(a) != fws_trust_threshold(b)) {
		snprintf(line, sizeof line, "root threshold %u -> %u", fws_trust_threshold(a),
		         fws_trust_threshold(b));
		fn(user, line);
	}
	for (unsigned i = 0; i < b->count; i++) {
		const fws_trust_key *kb = &b->keys[i];
		const fws_trust_key *ka = fws_trust_find(a, kb->id);
		uint8_t rb = fws_trust_roles(b, kb);
		bool rev_b = kb->flags & FWS_TRUST_REVOKED;

		hex8(kb->id, hex);
		if (ka == NULL) {
			snprintf(line, sizeof line, "adds %s key %s%s", fwh_trust_roles_name(rb), hex,
			         rev_b ? " (revoked)" : "");
		} else if (rev_b && !(ka->flags & FWS_TRUST_REVOKED)) {
			snprintf(line, sizeof line, "revokes %s key %s", fwh_trust_roles_name(rb), hex);
		} else if (!rev_b && (ka->flags & FWS_TRUST_REVOKED)) {
			snprintf(line, sizeof line, "trusts %s key %s again", fwh_trust_roles_name(rb), hex);
		} else if (fws_trust_roles(a, ka) != rb) {
			snprintf(line, sizeof line, "key %s: %s -> %s", hex,
			         fwh_trust_roles_name(fws_trust_roles(a, ka)), fwh_trust_roles_name(rb));
		} else {
			continue;
		}
		fn(user, line);
	}
	for (unsigned i = 0; i < a->count; i++) {
		if (fws_trust_find(b, a->keys[i].id) != NULL)
			continue;
		hex8(a->keys[i].id, hex);
		snprintf(line, sizeof line, "drops key %s", hex);
		fn(user, line);
	}
}
