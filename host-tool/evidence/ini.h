/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ini.h - the small INI dialect of the product description
 * (docs/product-description.md):
 *
 *   # comment            ; comment too (whole lines only)
 *   [section]            [section argument]   e.g. [component app], [ics 5.3-4]
 *   key = value
 *     continued value    (a line starting with a space or tab continues the
 *                         previous value, joined with one space)
 *
 * The reader only splits the text; product.c gives the keys meaning. Every
 * entry keeps its line number so messages can say where a problem is.
 */
#ifndef FWSEAL_EV_INI_H
#define FWSEAL_EV_INI_H

#include <stdbool.h>
#include <stddef.h>

struct ini_kv {
	char *key;
	char *value;
	unsigned line;
	bool used; /* set by the consumer; unused keys are reported as unknown */
};

struct ini_section {
	char *name; /* "component" */
	char *arg;  /* "app", or NULL */
	unsigned line;
	struct ini_kv *kv;
	size_t nkv;
};

struct ini_doc {
	struct ini_section *sec;
	size_t nsec;
};

/* Parse text. On a syntax error returns false and writes "LINE: sentence"
 * (without file name) to err. */
bool ini_parse(struct ini_doc *d, const char *text, char *err, size_t errcap);
void ini_free(struct ini_doc *d);

/* The value of key in s (marks it used), or NULL. */
const char *ini_get(struct ini_section *s, const char *key, unsigned *line);

#endif
