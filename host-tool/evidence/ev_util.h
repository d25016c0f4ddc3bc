/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ev_util.h - allocation and string helpers of the evidence generator (host
 * side only). Out of memory is not a condition the generator can report
 * usefully, so these abort instead of returning NULL.
 */
#ifndef FWSEAL_EV_UTIL_H
#define FWSEAL_EV_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define EV_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define EV_PRINTF(a, b)
#endif

void *ev_xmalloc(size_t n);
void *ev_xrealloc(void *p, size_t n);
char *ev_xstrdup(const char *s);
char *ev_xstrndup(const char *s, size_t n);
char *ev_xasprintf(const char *fmt, ...) EV_PRINTF(1, 2);

/* Growable NUL-terminated string. */
struct ev_buf {
	char *s;
	size_t len, cap;
};
void ev_buf_add(struct ev_buf *b, const char *s);
void ev_buf_addn(struct ev_buf *b, const char *s, size_t n);
void ev_buf_printf(struct ev_buf *b, const char *fmt, ...) EV_PRINTF(2, 3);
void ev_buf_vprintf(struct ev_buf *b, const char *fmt, va_list ap) EV_PRINTF(2, 0);
/* Hand the string over (never NULL, "" when empty) and reset b. */
char *ev_buf_take(struct ev_buf *b);
void ev_buf_free(struct ev_buf *b);

/* The length of s without one trailing full stop: "%.*s" with it quotes a
 * sentence from an input file where the pack's own text goes on after it
 * (no "..", no ".;"). */
int ev_nostop(const char *s);

/* Lowercase hex of n bytes; returns a malloc'd string. */
char *ev_hex(const uint8_t *p, size_t n);

/* "YYYY-MM-DD" / "YYYY-MM-DDTHH:MM:SSZ" of seconds since 1970 UTC. */
void ev_date(int64_t t, char out[32]);
void ev_timestamp(int64_t t, char out[32]);

#endif
