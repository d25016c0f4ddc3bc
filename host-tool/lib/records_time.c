/* SPDX-License-Identifier: Apache-2.0 */
/*
 * records_time.c - the times of production records (fwseal-host/records.h):
 * milliseconds since 1970 UTC, written as ISO 8601 UTC and read back from
 * the ISO 8601 forms people type after --since.
 */
#include "fwseal-host/records.h"

#include <stdio.h>
#include <time.h>

int64_t fwh_records_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fwh_records_format_time(int64_t ms, char out[FWH_REC_TIME_MAX])
{
	int64_t sec = ms / 1000, frac = ms % 1000;
	if (frac < 0) {
		frac += 1000;
		sec -= 1;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(out, FWH_REC_TIME_MAX, "invalid");
		return;
	}
	size_t n = strftime(out, FWH_REC_TIME_MAX - 6, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, FWH_REC_TIME_MAX - n, ".%03uZ", (unsigned)frac % 1000u);
}

/* Exactly n decimal digits at *p, advancing it. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool lit(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d[m - 1] + (m == 2 && leap);
}

bool fwh_records_parse_time(const char *s, int64_t *ms)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, zone = 0;
	if (!digits(&p, 4, &y) || !lit(&p, '-') || !digits(&p, 2, &mo) || !lit(&p, '-') ||
	    !digits(&p, 2, &d))
		return false;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (!digits(&p, 2, &h) || !lit(&p, ':') || !digits(&p, 2, &mi))
			return false;
		if (lit(&p, ':')) {
			if (!digits(&p, 2, &sec))
				return false;
			if (lit(&p, '.') || lit(&p, ',')) {
				/* up to milliseconds; further digits are truncated */
				int scale = 100, n = 0;
				while (*p >= '0' && *p <= '9') {
					frac += scale * (*p - '0');
					scale /= 10;
					p++;
					n++;
				}
				if (n == 0)
					return false;
			}
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1, zh, zm;
			p++;
			if (!digits(&p, 2, &zh))
				return false;
			lit(&p, ':');
			if (!digits(&p, 2, &zm) || zh > 23 || zm > 59)
				return false;
			zone = sign * (zh * 60 + zm);
		}
	}
	if (*p != '\0')
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
	    sec > 60)
		return false;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
	                .tm_hour = h, .tm_min = mi, .tm_sec = sec};
	time_t t = timegm(&tm);
	*ms = ((int64_t)t - (int64_t)zone * 60) * 1000 + frac;
	return true;
}
