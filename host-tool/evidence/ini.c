/* SPDX-License-Identifier: Apache-2.0 */
/* ini.c - splits a product description into sections and keys (ini.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_util.h"
#include "ini.h"

static const char *trim_left(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static const char *trim_right(const char *s, const char *end)
{
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	return end;
}

static bool fail(char *err, size_t cap, unsigned line, const char *what)
{
	snprintf(err, cap, "%u: %s", line, what);
	return false;
}

/* Printable text, tabs and line breaks only: the values end up in Markdown
 * and JSON that people read, so no control sequences. */
static bool text_ok(const char *s, const char *end)
{
	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 && c != '\t')
			return false;
		if (c == 0x7f)
			return false;
	}
	return true;
}

static bool new_section(struct ini_doc *d, const char *s, const char *e, unsigned line,
                        char *err, size_t cap)
{
	/* s..e is the text between the brackets */
	s = trim_left(s, e);
	e = trim_right(s, e);
	const char *sp = s;
	while (sp < e && *sp != ' ' && *sp != '\t')
		sp++;
	if (sp == s)
		return fail(err, cap, line, "empty section name. Write [name] or [name argument].");
	d->sec = ev_xrealloc(d->sec, (d->nsec + 1) * sizeof(*d->sec));
	struct ini_section *sec = &d->sec[d->nsec++];
	memset(sec, 0, sizeof(*sec));
	sec->name = ev_xstrndup(s, (size_t)(sp - s));
	sec->line = line;
	const char *a = trim_left(sp, e);
	if (a < e)
		sec->arg = ev_xstrndup(a, (size_t)(e - a));
	return true;
}

bool ini_parse(struct ini_doc *d, const char *text, char *err, size_t cap)
{
	memset(d, 0, sizeof(*d));
	unsigned line = 0;
	struct ini_kv *last = NULL;
	const char *p = text;
	while (*p) {
		line++;
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);
		const char *next = eol ? eol + 1 : end;
		const char *r = trim_right(p, end);
		const char *l = trim_left(p, r);
		if (!text_ok(p, r)) {
			ini_free(d);
			return fail(err, cap, line, "control character in the line. Use plain text.");
		}
		if (l == r) {
			/* blank line: ends nothing, continuation stays possible */
		} else if (*l == '#' || *l == ';') {
			/* comment */
		} else if (l != p && last) {
			/* continuation of the previous value: joined with one space, so
			 * prose wraps freely in the file and reads as one paragraph */
			size_t old = strlen(last->value);
			size_t add = (size_t)(r - l);
			last->value = ev_xrealloc(last->value, old + add + 2);
			last->value[old] = ' ';
			memcpy(last->value + old + 1, l, add);
			last->value[old + 1 + add] = '\0';
		} else if (*l == '[') {
			if (r[-1] != ']') {
				ini_free(d);
				return fail(err, cap, line, "section header without closing ']'.");
			}
			if (!new_section(d, l + 1, r - 1, line, err, cap)) {
				ini_free(d);
				return false;
			}
			last = NULL;
		} else {
			const char *eq = memchr(l, '=', (size_t)(r - l));
			if (!eq) {
				ini_free(d);
				return fail(err, cap, line, "expected 'key = value'. Add the '=' or comment the line out with '#'.");
			}
			if (!d->nsec) {
				ini_free(d);
				return fail(err, cap, line, "key outside a section. Put it under a [section] header.");
			}
			const char *ke = trim_right(l, eq);
			if (ke == l) {
				ini_free(d);
				return fail(err, cap, line, "empty key before '='.");
			}
			struct ini_section *sec = &d->sec[d->nsec - 1];
			for (size_t i = 0; i < sec->nkv; i++) {
				if (strlen(sec->kv[i].key) == (size_t)(ke - l) &&
				    !memcmp(sec->kv[i].key, l, (size_t)(ke - l))) {
					ini_free(d);
					return fail(err, cap, line, "key given twice in this section. Keep one.");
				}
			}
			sec->kv = ev_xrealloc(sec->kv, (sec->nkv + 1) * sizeof(*sec->kv));
			last = &sec->kv[sec->nkv++];
			last->key = ev_xstrndup(l, (size_t)(ke - l));
			const char *v = trim_left(eq + 1, r);
			last->value = ev_xstrndup(v, (size_t)(r - v));
			last->line = line;
			last->used = false;
		}
		p = next;
	}
	return true;
}

void ini_free(struct ini_doc *d)
{
	for (size_t i = 0; i < d->nsec; i++) {
		struct ini_section *s = &d->sec[i];
		for (size_t k = 0; k < s->nkv; k++) {
			free(s->kv[k].key);
			free(s->kv[k].value);
		}
		free(s->kv);
		free(s->name);
		free(s->arg);
	}
	free(d->sec);
	memset(d, 0, sizeof(*d));
}

const char *ini_get(struct ini_section *s, const char *key, unsigned *line)
{
	for (size_t i = 0; i < s->nkv; i++) {
		if (!strcmp(s->kv[i].key, key)) {
			s->kv[i].used = true;
			if (line)
				*line = s->kv[i].line;
			return s->kv[i].value;
		}
	}
	return NULL;
}
