/* SPDX-License-Identifier: Apache-2.0 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ev_util.h"

void *ev_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

void *ev_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		abort();
	return q;
}

char *ev_xstrdup(const char *s)
{
	return ev_xstrndup(s, strlen(s));
}

char *ev_xstrndup(const char *s, size_t n)
{
	char *p = ev_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *ev_xasprintf(const char *fmt, ...)
{
	struct ev_buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	ev_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return ev_buf_take(&b);
}

static void reserve(struct ev_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->s = ev_xrealloc(b->s, cap);
	b->cap = cap;
}

void ev_buf_addn(struct ev_buf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void ev_buf_add(struct ev_buf *b, const char *s)
{
	ev_buf_addn(b, s, strlen(s));
}

void ev_buf_vprintf(struct ev_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		abort();
	reserve(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void ev_buf_printf(struct ev_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ev_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *ev_buf_take(struct ev_buf *b)
{
	char *s = b->s ? b->s : ev_xstrdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void ev_buf_free(struct ev_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

int ev_nostop(const char *s)
{
	size_t n = strlen(s);
	if (n && s[n - 1] == '.')
		n--;
	return n > INT_MAX ? INT_MAX : (int)n;
}

char *ev_hex(const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *s = ev_xmalloc(2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	s[2 * n] = '\0';
	return s;
}

static void fmt_time(int64_t t, bool with_time, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm)) {
		snprintf(out, 32, "@%lld", (long long)t);
		return;
	}
	char tmp[96];
	if (with_time)
		snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		         tm.tm_mday);
	snprintf(out, 32, "%.31s", tmp);
}

void ev_date(int64_t t, char out[32])
{
	fmt_time(t, false, out);
}

void ev_timestamp(int64_t t, char out[32])
{
	fmt_time(t, true, out);
}
