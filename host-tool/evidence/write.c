/* SPDX-License-Identifier: Apache-2.0 */
/*
 * write.c - puts a pack on disk as one unit, and says when it replaces a
 * pack for another release. Evidence is release-specific (TS 103 701: tie
 * every record to a package digest), so a folder never holds files of two
 * releases: the new pack is written to a sibling temp folder and swapped in.
 *
 * Every file of the pack is listed with its SHA-256 in evidence.sha256 (the
 * format of sha256sum, so `sha256sum -c` checks it too); with an evidence
 * key, evidence.sig signs that list (docs/evidence.md, "Checking a pack").
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence.h"
#include "ev_util.h"
#include "render.h"

static bool write_file(const char *dir, const char *name, const char *text, char *err, size_t cap)
{
	char *path = ev_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wx");
	bool ok = f && fputs(text, f) >= 0;
	if (f && fflush(f) != 0)
		ok = false;
	if (f && fsync(fileno(f)) != 0)
		ok = false;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok)
		snprintf(err, cap, "cannot write %s: %s. Check the folder's permissions and free space.",
		         path, strerror(errno));
	free(path);
	return ok;
}

/* Value of the first "key": "value" in a JSON text we wrote ourselves. */
static char *json_value(const char *text, const char *key)
{
	char *pat = ev_xasprintf("\"%s\": \"", key);
	const char *p = strstr(text, pat);
	size_t pl = strlen(pat);
	free(pat);
	if (!p)
		return NULL;
	p += pl;
	const char *e = strchr(p, '"');
	return e ? ev_xstrndup(p, (size_t)(e - p)) : NULL;
}

char *ev_pack_read_digest(const char *dir, char **version)
{
	char *path = ev_xasprintf("%s/evidence.json", dir);
	uint8_t *data;
	size_t len;
	char err[256];
	bool ok = ev_read_file(path, 64u * 1024u * 1024u, &data, &len, err, sizeof(err));
	free(path);
	if (!ok)
		return NULL;
	char *text = ev_xstrndup((const char *)data, len);
	free(data);
	char *d = json_value(text, "package_sha256");
	if (version)
		*version = json_value(text, "firmware_version");
	free(text);
	return d;
}

static const char *const pack_files[] = {"evidence.json", "evidence.md", "evidence.sha256",
                                         "evidence.sig", NULL};

static bool is_pack_file(const char *n)
{
	for (const char *const *p = pack_files; *p; p++)
		if (!strcmp(n, *p))
			return true;
	return false;
}

/* Is dir something we may replace: a pack we wrote, or empty? */
static bool replaceable(const char *dir, bool *is_pack)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool ok = true;
	*is_pack = false;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (!strcmp(n, "evidence.json"))
			*is_pack = true;
		else if (!is_pack_file(n) && strcmp(n, "logs"))
			ok = false;
	}
	closedir(d);
	return ok;
}

/* Remove the *.log files and the folders of a pack's logs tree (two levels:
 * logs/ and logs/TRANSPORT/), nothing else. */
static void remove_logs(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			const char *n = de->d_name;
			size_t l = strlen(n);
			if (!strcmp(n, ".") || !strcmp(n, ".."))
				continue;
			char *p = ev_xasprintf("%s/%s", dir, n);
			struct stat st;
			if (l > 4 && !strcmp(n + l - 4, ".log"))
				unlink(p);
			else if (depth == 0 && lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
				remove_logs(p, 1);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* Remove a pack folder: only the names a pack has. */
static void remove_pack(const char *dir)
{
	char *logs = ev_xasprintf("%s/logs", dir);
	remove_logs(logs, 0);
	free(logs);
	for (const char *const *f = pack_files; *f; f++) {
		char *p = ev_xasprintf("%s/%s", dir, *f);
		unlink(p);
		free(p);
	}
	rmdir(dir);
}

static bool write_pack(struct ev_pack *pk, const char *dir, fws_signer *signer, char **stale,
                       char *err, size_t cap);

/* The checksum list: "<sha256>  <path>" per file, in the order written. */
static bool listed(struct ev_buf *sums, const char *rel, const char *text, char *err, size_t cap)
{
	uint8_t d[FWS_SHA256_LEN];
	if (fws_sha256((const uint8_t *)text, strlen(text), d) != FWS_OK) {
		snprintf(err, cap, "cannot compute the SHA-256 of %s", rel);
		return false;
	}
	char *h = ev_hex(d, FWS_SHA256_LEN);
	ev_buf_printf(sums, "%s  %s\n", h, rel);
	free(h);
	return true;
}

static bool put(const char *tmp, const char *rel, const char *text, struct ev_buf *sums,
                char *err, size_t cap)
{
	return listed(sums, rel, text, err, cap) && write_file(tmp, rel, text, err, cap);
}

static bool mkdir_in(const char *tmp, const char *rel, char *err, size_t cap)
{
	char *p = ev_xasprintf("%s/%s", tmp, rel);
	bool ok = mkdir(p, 0755) == 0 || errno == EEXIST;
	if (!ok)
		snprintf(err, cap, "cannot create %s: %s.", p, strerror(errno));
	free(p);
	return ok;
}

/* evidence.sig: the evidence key's signature over evidence.sha256. */
static bool sign(const char *tmp, const char *sums, fws_signer *signer, char *err, size_t cap)
{
	uint8_t digest[FWS_SHA256_LEN], sig[FWS_ECDSA_SIG_LEN], pub[FWS_P256_PUB_LEN],
	    id[FWS_KEY_ID_LEN];
	if (fws_sha256((const uint8_t *)sums, strlen(sums), digest) != FWS_OK) {
		snprintf(err, cap, "cannot sign the pack: SHA-256 of evidence.sha256 failed");
		return false;
	}
	fws_key_msg msg;
	if (fws_signer_sign(signer, digest, sig, &msg) != FWS_KEY_OK) {
		snprintf(err, cap, "cannot sign the pack: %s", msg.text);
		return false;
	}
	fws_signer_pub(signer, pub);
	if (fws_key_id(pub, id) != FWS_OK) {
		snprintf(err, cap, "cannot sign the pack: the evidence key's id cannot be computed");
		return false;
	}
	char *hid = ev_hex(id, FWS_KEY_ID_LEN), *hd = ev_hex(digest, FWS_SHA256_LEN),
	     *hs = ev_hex(sig, FWS_ECDSA_SIG_LEN);
	char *text = ev_xasprintf("fwseal-evidence-signature-1\nkey-id: %s\nalgorithm: "
	                          "ecdsa-p256-sha256\nsigned-file: evidence.sha256\n"
	                          "signed-sha256: %s\nsignature: %s\n", hid, hd, hs);
	bool ok = write_file(tmp, "evidence.sig", text, err, cap);
	free(hid);
	free(hd);
	free(hs);
	free(text);
	return ok;
}

static bool write_all(const struct ev_pack *pk, const char *tmp, fws_signer *signer, char *err,
                      size_t cap)
{
	struct ev_buf sums = {0};
	char *json = ev_render_json(pk);
	char *md = ev_render_md(pk);
	bool ok = put(tmp, "evidence.json", json, &sums, err, cap) &&
	          put(tmp, "evidence.md", md, &sums, err, cap) && mkdir_in(tmp, "logs", err, cap);
	free(json);
	free(md);
	for (size_t i = 0; ok && i < pk->ntests; i++) {
		const struct ev_test *t = &pk->tests[i];
		if (t->transport) {
			char *sub = ev_xasprintf("logs/%s", t->transport);
			ok = mkdir_in(tmp, sub, err, cap);
			free(sub);
		}
		char *rel = ev_test_log_path(t);
		ok = ok && put(tmp, rel, t->log ? t->log : "", &sums, err, cap);
		free(rel);
	}
	ok = ok && write_file(tmp, "evidence.sha256", sums.s, err, cap);
	if (ok && signer)
		ok = sign(tmp, sums.s, signer, err, cap);
	ev_buf_free(&sums);
	return ok;
}

bool ev_pack_write(struct ev_pack *pk, const char *dir_in, fws_signer *signer, char **stale,
                   char *err, size_t cap)
{
	if (stale)
		*stale = NULL;
	/* "out/" and "out" are the same folder; the temp folder goes beside it */
	char *dirbuf = ev_xstrdup(dir_in);
	size_t dl = strlen(dirbuf);
	while (dl > 1 && dirbuf[dl - 1] == '/')
		dirbuf[--dl] = '\0';
	ev_pack_finish(pk);
	bool ok = write_pack(pk, dirbuf, signer, stale, err, cap);
	free(dirbuf);
	return ok;
}

static bool write_pack(struct ev_pack *pk, const char *dir, fws_signer *signer, char **stale,
                       char *err, size_t cap)
{
	struct stat st;
	bool exists = stat(dir, &st) == 0;
	bool is_pack = false;
	if (exists && (!S_ISDIR(st.st_mode) || !replaceable(dir, &is_pack))) {
		snprintf(err, cap, "%s exists and is not an evidence pack folder; refusing to replace "
		         "it. Choose another --out folder.", dir);
		return false;
	}
	char *digest = ev_hex(pk->pkg->sha256, FWS_SHA256_LEN);
	if (is_pack) {
		char *old_version = NULL;
		char *old = ev_pack_read_digest(dir, &old_version);
		if (old && strcmp(old, digest) != 0) {
			pk->stale_digest = old;
			pk->stale_version = old_version;
			if (stale)
				*stale = ev_xasprintf("the existing pack in %s is stale: it was made for "
				                      "package digest %s (firmware %s), not for %s (firmware "
				                      "%s); it is replaced.", dir, old,
				                      old_version ? old_version : "?", digest,
				                      pk->pkg->m.version);
		} else {
			free(old);
			free(old_version);
		}
	}
	free(digest);

	char *tmp = ev_xasprintf("%s.new-XXXXXX", dir);
	if (!mkdtemp(tmp)) {
		snprintf(err, cap, "cannot create a folder next to %s: %s. Check the permissions.", dir,
		         strerror(errno));
		free(tmp);
		return false;
	}
	chmod(tmp, 0755);
	if (!write_all(pk, tmp, signer, err, cap)) {
		remove_pack(tmp);
		free(tmp);
		return false;
	}
	char *old = NULL;
	if (exists) {
		old = ev_xasprintf("%s.old-%ld", dir, (long)getpid());
		if (rename(dir, old) != 0) {
			snprintf(err, cap, "cannot move the old pack %s aside: %s.", dir, strerror(errno));
			remove_pack(tmp);
			free(tmp);
			free(old);
			return false;
		}
	}
	bool ok = rename(tmp, dir) == 0;
	if (!ok) {
		snprintf(err, cap, "cannot move the new pack into %s: %s.", dir, strerror(errno));
		if (old)
			rename(old, dir);
		remove_pack(tmp);
	} else if (old) {
		remove_pack(old);
	}
	free(old);
	free(tmp);
	return ok;
}
