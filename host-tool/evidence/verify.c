/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify.c - `fwseal evidence verify DIR --key PUB`: is this the pack the
 * holder of the evidence key signed? The signature (evidence.sig) covers
 * evidence.sha256; that list covers every other file. A file that is
 * changed, missing, or present without being listed makes the pack
 * tampered. The folder is outside input: names in the list are checked
 * before use (relative, no "..", no control characters), sizes are bounded.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evidence.h"
#include "ev_util.h"
#include "fwseal/crypto.h"
#include "verify.h"

#define FILE_MAX   (256u * 1024u * 1024u)
#define LIST_MAX   (4u * 1024u * 1024u)
#define FILES_MAX  4096u

struct vctx {
	const char *dir;
	struct ev_buf rep;
	bool bad;
	char **listed;
	size_t nlisted;
};

static void say(struct vctx *v, bool bad, const char *fmt, ...) EV_PRINTF(3, 4);
static void say(struct vctx *v, bool bad, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ev_buf_add(&v->rep, bad ? "BAD  " : "ok   ");
	ev_buf_vprintf(&v->rep, fmt, ap);
	ev_buf_add(&v->rep, "\n");
	va_end(ap);
	if (bad)
		v->bad = true;
}

static bool hexval(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++) {
			char c = s[2 * i + (size_t)k];
			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else
				return false;
		}
		out[i] = (uint8_t)v;
	}
	return s[2 * n] == '\0' || s[2 * n] == '\n' || s[2 * n] == ' ';
}

/* The value of "name: value" in the signature file, or NULL. */
static const char *sig_field(const char *text, const char *name)
{
	size_t n = strlen(name);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, n) && l[n] == ':' && l[n + 1] == ' ')
			return l + n + 2;
	return NULL;
}

static bool safe_name(const char *p)
{
	if (!*p || p[0] == '/' || strlen(p) > 200)
		return false;
	for (const char *s = p; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '\\')
			return false;
	for (const char *s = p; s; s = strchr(s, '/') ? strchr(s, '/') + 1 : NULL)
		if (!strncmp(s, "..", 2) && (s[2] == '/' || s[2] == '\0'))
			return false;
	return true;
}

bool ev_sig_parse(const char *text, struct ev_sig *out)
{
	const char *f_id = sig_field(text, "key-id"), *f_alg = sig_field(text, "algorithm"),
	           *f_d = sig_field(text, "signed-sha256"), *f_s = sig_field(text, "signature");
	return strncmp(text, "fwseal-evidence-signature-1\n", 28) == 0 && f_id && f_alg && f_d &&
	       f_s && strncmp(f_alg, "ecdsa-p256-sha256\n", 18) == 0 &&
	       hexval(f_id, FWS_KEY_ID_LEN, out->key_id) &&
	       hexval(f_d, FWS_SHA256_LEN, out->signed_sha256) &&
	       hexval(f_s, FWS_ECDSA_SIG_LEN, out->sig);
}

bool ev_sum_line_parse(const char *line, uint8_t sha256[FWS_SHA256_LEN], const char **name)
{
	if (strlen(line) < 2 * FWS_SHA256_LEN + 3 || line[64] != ' ' || line[65] != ' ' ||
	    !hexval(line, FWS_SHA256_LEN, sha256) || !safe_name(line + 66))
		return false;
	*name = line + 66;
	return true;
}

static bool read_text(const char *path, size_t max, char **out)
{
	uint8_t *d;
	size_t n;
	char e[256];
	if (!ev_read_file(path, max, &d, &n, e, sizeof(e)))
		return false;
	*out = ev_xstrndup((const char *)d, n);
	bool nul = memchr(d, 0, n) != NULL;
	free(d);
	if (nul) {
		free(*out);
		return false;
	}
	return true;
}

/* Each listed file against its SHA-256. */
static void check_list(struct vctx *v, char *list)
{
	for (char *save = NULL, *l = strtok_r(list, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		uint8_t want[FWS_SHA256_LEN];
		const char *name = NULL;
		if (!ev_sum_line_parse(l, want, &name)) {
			say(v, true, "evidence.sha256 has a line that is not '<sha256>  <file>': %.80s", l);
			continue;
		}
		if (v->nlisted >= FILES_MAX) {
			say(v, true, "evidence.sha256 lists more than %u files", FILES_MAX);
			return;
		}
		v->listed = ev_xrealloc(v->listed, (v->nlisted + 1) * sizeof(*v->listed));
		v->listed[v->nlisted++] = ev_xstrdup(name);
		char *path = ev_xasprintf("%s/%s", v->dir, name);
		uint8_t *d;
		size_t n;
		char e[256];
		struct stat st;
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
		    !ev_read_file(path, FILE_MAX, &d, &n, e, sizeof(e))) {
			say(v, true, "%s: listed but missing or not a regular file", name);
			free(path);
			continue;
		}
		free(path);
		uint8_t got[FWS_SHA256_LEN];
		fws_err he = fws_sha256(d, n, got);
		free(d);
		if (he != FWS_OK)
			say(v, true, "%s: its SHA-256 cannot be computed, so it is not checked", name);
		else if (memcmp(got, want, FWS_SHA256_LEN) != 0)
			say(v, true, "%s: SHA-256 differs from the signed list: the file was changed", name);
		else
			say(v, false, "%s", name);
	}
}

static bool was_listed(const struct vctx *v, const char *rel)
{
	for (size_t i = 0; i < v->nlisted; i++)
		if (!strcmp(v->listed[i], rel))
			return true;
	return false;
}

/* Every file in the folder (two levels below logs/) must be listed. */
static void check_unlisted(struct vctx *v, const char *rel, int depth)
{
	char *path = rel[0] ? ev_xasprintf("%s/%s", v->dir, rel) : ev_xstrdup(v->dir);
	DIR *d = opendir(path);
	free(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *r = rel[0] ? ev_xasprintf("%s/%s", rel, de->d_name) : ev_xstrdup(de->d_name);
		char *p = ev_xasprintf("%s/%s", v->dir, r);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && depth < 3)
			check_unlisted(v, r, depth + 1);
		else if (!(depth == 0 && (!strcmp(r, "evidence.sha256") || !strcmp(r, "evidence.sig"))) &&
		         !was_listed(v, r))
			say(v, true, "%s: in the pack folder but not in the signed list", r);
		free(p);
		free(r);
	}
	closedir(d);
}

enum ev_verify_result ev_pack_verify(const char *dir, const uint8_t pub[FWS_P256_PUB_LEN],
                                     char **report)
{
	struct vctx v = {.dir = dir};
	char *sig = NULL, *list = NULL;
	enum ev_verify_result res = EV_VERIFY_OK;
	char *p = ev_xasprintf("%s/evidence.sha256", dir);
	bool have_list = read_text(p, LIST_MAX, &list);
	free(p);
	if (!have_list) {
		say(&v, true, "%s/evidence.sha256 cannot be read: this is not an evidence pack folder",
		    dir);
		res = EV_VERIFY_IO;
		goto out;
	}
	p = ev_xasprintf("%s/evidence.sig", dir);
	bool have_sig = read_text(p, 4096, &sig);
	free(p);
	if (!have_sig) {
		say(&v, true, "evidence.sig is missing: the pack is not signed, so who made it cannot be "
		    "checked");
		res = EV_VERIFY_UNSIGNED;
		goto out;
	}
	uint8_t digest[FWS_SHA256_LEN], id[FWS_KEY_ID_LEN];
	struct ev_sig es;
	if (fws_sha256((const uint8_t *)list, strlen(list), digest) != FWS_OK ||
	    fws_key_id(pub, id) != FWS_OK) {
		say(&v, true, "the SHA-256 of evidence.sha256 or of the key cannot be computed, so the "
		    "signature is not checked");
		res = EV_VERIFY_BAD;
		goto out;
	}
	char *hid = ev_hex(id, FWS_KEY_ID_LEN);
	if (!ev_sig_parse(sig, &es)) {
		say(&v, true, "evidence.sig is not an fwseal evidence signature");
	} else if (memcmp(es.key_id, id, FWS_KEY_ID_LEN) != 0) {
		char *sid = ev_hex(es.key_id, FWS_KEY_ID_LEN);
		say(&v, true, "evidence.sig was made with key %s, not with the key given (%s)", sid, hid);
		free(sid);
	} else if (memcmp(es.signed_sha256, digest, FWS_SHA256_LEN) != 0) {
		say(&v, true, "evidence.sha256 is not the list that was signed: it was changed");
	} else if (fws_ecdsa_p256_verify(pub, digest, es.sig) != FWS_OK) {
		say(&v, true, "the signature over evidence.sha256 does not verify with key %s", hid);
	} else {
		say(&v, false, "evidence.sig: evidence.sha256 signed by key %s", hid);
	}
	free(hid);
	check_list(&v, list);
	check_unlisted(&v, "", 0);
	res = v.bad ? EV_VERIFY_BAD : EV_VERIFY_OK;
out:
	for (size_t i = 0; i < v.nlisted; i++)
		free(v.listed[i]);
	free(v.listed);
	free(sig);
	free(list);
	*report = ev_buf_take(&v.rep);
	return res;
}
