/* SPDX-License-Identifier: Apache-2.0 */
/* log.c - the diagnostic log (fwseal-host/log.h). */
#include "fwseal-host/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static atomic_int log_level = -1; /* -1: FWSEAL_DEBUG not read yet */
static _Atomic(int64_t) log_t0_ns; /* 0 until the first line */
static fwh_log_sink log_sink;      /* set once at start-up, before threads */
static void *log_sink_user;

void fwh_log_set_level(int level)
{
	if (level < FWH_LOG_OFF)
		level = FWH_LOG_OFF;
	if (level > FWH_LOG_TRACE)
		level = FWH_LOG_TRACE;
	atomic_store(&log_level, level);
}

/* What FWSEAL_DEBUG asks for (see log.h). */
static int env_level(void)
{
	const char *v = getenv(FWH_LOG_ENV);
	int want = FWH_LOG_OFF;
	if (v == NULL || *v == '\0' || strcmp(v, "0") == 0)
		want = FWH_LOG_OFF;
	else if (strcasecmp(v, "info") == 0)
		want = FWH_LOG_INFO;
	else if (strcasecmp(v, "trace") == 0 || (v[0] >= '3' && v[0] <= '9' && v[1] == '\0'))
		want = FWH_LOG_TRACE;
	else
		want = FWH_LOG_DEBUG;
	return want;
}

/* The first caller reads FWSEAL_DEBUG, so every program on the library
 * (the GUI too) honours it without a call of its own, as libusb does
 * LIBUSB_DEBUG. */
int fwh_log_level(void)
{
	int l = atomic_load(&log_level);
	if (l >= 0)
		return l;
	int want = env_level();
	atomic_compare_exchange_strong(&log_level, &l, want);
	return atomic_load(&log_level);
}

int fwh_log_init_env(void)
{
	int want = env_level();
	if (want > fwh_log_level())
		fwh_log_set_level(want);
	return fwh_log_level();
}

void fwh_log_set_sink(fwh_log_sink sink, void *user)
{
	log_sink = sink;
	log_sink_user = user;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void fwh_log(int level, const char *domain, const char *fmt, ...)
{
	if (!fwh_log_on(level) || level <= FWH_LOG_OFF)
		return;
	int64_t t = now_ns(), zero = 0;
	if (!atomic_compare_exchange_strong(&log_t0_ns, &zero, t))
		t -= zero;
	else
		t = 0;
	char line[1024];
	int n = snprintf(line, sizeof line, "fwseal[+%lld.%03lld] %s: ", (long long)(t / 1000000000),
	                 (long long)(t / 1000000 % 1000), domain ? domain : "-");
	if (n < 0)
		return;
	if ((size_t)n < sizeof line) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
		va_end(ap);
	}
	if (log_sink) {
		log_sink(log_sink_user, level, line);
		return;
	}
	/* one write per line, so lines of several threads never interleave */
	flockfile(stderr);
	fputs(line, stderr);
	fputc('\n', stderr);
	funlockfile(stderr);
}

const char *fwh_log_hex(const void *p, size_t n, char *buf, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *b = p;
	size_t show = n < 32 ? n : 32, o = 0;
	if (cap == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < show && o + 4 < cap; i++) {
		buf[o++] = hex[b[i] >> 4];
		buf[o++] = hex[b[i] & 15];
		buf[o++] = ' ';
	}
	if (o > 0)
		o--;
	buf[o] = '\0';
	if (show < n)
		snprintf(buf + o, cap - o, " ... (%zu bytes)", n);
	return buf;
}
