/* SPDX-License-Identifier: Apache-2.0 */
/*
 * write.c - puts a pack on disk as one unit, and says when it replaces a
 * pack for another release. Evidence is release-specific (TS 103 701: tie
 * every record to a package digest), so a folder never holds files of two
 * releases: the new pack is written to a sibling temp folder and swapped in.
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
		else if (strcmp(n, "evidence.md") && strcmp(n, "logs"))
			ok = false;
	}
	closedir(d);
	return ok;
}

/* Remove a pack folder: only the names a pack has. */
static void remove_pack(const char *dir)
{
	char *logs = ev_xasprintf("%s/logs", dir);
	DIR *d = opendir(logs);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			if (l > 4 && !strcmp(de->d_name + l - 4, ".log")) {
				char *p = ev_xasprintf("%s/%s", logs, de->d_name);
				unlink(p);
				free(p);
			}
		}
		closedir(d);
	}
	rmdir(logs);
	free(logs);
	char *p = ev_xasprintf("%s/evidence.json", dir);
	unlink(p);
	free(p);
	p = ev_xasprintf("%s/evidence.md", dir);
	unlink(p);
	free(p);
	rmdir(dir);
}

static bool write_pack(struct ev_pack *pk, const char *dir, char **stale, char *err,
                       size_t cap);

static bool write_all(const struct ev_pack *pk, const char *tmp, char *err, size_t cap)
{
	char *json = ev_render_json(pk);
	char *md = ev_render_md(pk);
	bool ok = write_file(tmp, "evidence.json", json, err, cap) &&
	          write_file(tmp, "evidence.md", md, err, cap);
	free(json);
	free(md);
	char *logs = ev_xasprintf("%s/logs", tmp);
	if (ok && mkdir(logs, 0755) != 0) {
		snprintf(err, cap, "cannot create %s: %s.", logs, strerror(errno));
		ok = false;
	}
	for (size_t i = 0; ok && i < pk->ntests; i++) {
		char *name = ev_xasprintf("%s.log", pk->tests[i].id);
		ok = write_file(logs, name, pk->tests[i].log ? pk->tests[i].log : "", err, cap);
		free(name);
	}
	free(logs);
	return ok;
}

bool ev_pack_write(struct ev_pack *pk, const char *dir_in, char **stale, char *err, size_t cap)
{
	if (stale)
		*stale = NULL;
	/* "out/" and "out" are the same folder; the temp folder goes beside it */
	char *dirbuf = ev_xstrdup(dir_in);
	size_t dl = strlen(dirbuf);
	while (dl > 1 && dirbuf[dl - 1] == '/')
		dirbuf[--dl] = '\0';
	bool ok = write_pack(pk, dirbuf, stale, err, cap);
	free(dirbuf);
	return ok;
}

static bool write_pack(struct ev_pack *pk, const char *dir, char **stale, char *err, size_t cap)
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
	if (!write_all(pk, tmp, err, cap)) {
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
