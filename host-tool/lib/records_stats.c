/* SPDX-License-Identifier: Apache-2.0 */
/*
 * records_stats.c - `fwseal records --stats` (fwseal-host/records.h): per
 * station and model, attempts, units, first-pass yield, retries and cycle
 * times, computed from the rows themselves (one pass in start order, any
 * backend), so the figures mean the same on a station file and on the
 * line's server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal-host/records.h"

struct group {
	fwh_rec_stats s;
	int64_t *ms;       /* durations of ok attempts */
	size_t n_ms, cap_ms;
};

/* (group, serial) pairs seen: open addressing on a string key. */
struct seen {
	char **keys;
	size_t n, cap;
};

struct stats_ctx {
	struct group *g;
	size_t n_g, cap_g;
	struct seen seen;
	bool oom;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* true if key was new (and is now in the set). */
static bool seen_add(struct stats_ctx *c, const char *key)
{
	struct seen *s = &c->seen;
	if (2 * (s->n + 1) > s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 1024;
		char **nk = calloc(ncap, sizeof *nk);
		if (!nk) {
			c->oom = true;
			return false;
		}
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->keys[i])
				continue;
			size_t j = hash(s->keys[i]) & (ncap - 1);
			while (nk[j])
				j = (j + 1) & (ncap - 1);
			nk[j] = s->keys[i];
		}
		free(s->keys);
		s->keys = nk;
		s->cap = ncap;
	}
	size_t j = hash(key) & (s->cap - 1);
	while (s->keys[j]) {
		if (!strcmp(s->keys[j], key))
			return false;
		j = (j + 1) & (s->cap - 1);
	}
	if (!(s->keys[j] = strdup(key))) {
		c->oom = true;
		return false;
	}
	s->n++;
	return true;
}

static struct group *group_of(struct stats_ctx *c, const fwh_record *r, size_t *index)
{
	for (size_t i = c->n_g; i-- > 0;) {
		if (!strcmp(c->g[i].s.station, r->station) && !strcmp(c->g[i].s.model, r->model)) {
			*index = i;
			return &c->g[i];
		}
	}
	if (c->n_g == c->cap_g) {
		size_t ncap = c->cap_g ? 2 * c->cap_g : 8;
		struct group *ng = realloc(c->g, ncap * sizeof *ng);
		if (!ng) {
			c->oom = true;
			return NULL;
		}
		c->g = ng;
		c->cap_g = ncap;
	}
	struct group *g = &c->g[c->n_g];
	memset(g, 0, sizeof *g);
	snprintf(g->s.station, sizeof g->s.station, "%s", r->station);
	snprintf(g->s.model, sizeof g->s.model, "%s", r->model);
	*index = c->n_g++;
	return g;
}

static int on_row(const fwh_record *r, void *user)
{
	struct stats_ctx *c = user;
	if (r->result == FWH_REC_IN_PROGRESS || r->result == FWH_REC_SKIPPED)
		return 0;
	size_t gi;
	struct group *g = group_of(c, r, &gi);
	if (!g)
		return 1;
	g->s.attempts++;
	if (r->result == FWH_REC_OK) {
		g->s.ok++;
		if (r->duration_ms >= 0) {
			if (g->n_ms == g->cap_ms) {
				size_t ncap = g->cap_ms ? 2 * g->cap_ms : 64;
				int64_t *nm = realloc(g->ms, ncap * sizeof *nm);
				if (!nm) {
					c->oom = true;
					return 1;
				}
				g->ms = nm;
				g->cap_ms = ncap;
			}
			g->ms[g->n_ms++] = r->duration_ms;
		}
	}
	if (!r->serial[0])
		return 0; /* an attempt on a unit that never said who it is */
	char key[FWS_SERIAL_MAX + 32];
	snprintf(key, sizeof key, "%zu:%s", gi, r->serial);
	if (seen_add(c, key)) {
		g->s.units++;
		if (r->result == FWH_REC_OK)
			g->s.first_pass_ok++;
	} else {
		g->s.retries++;
	}
	return c->oom;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least pct % of them at or below. */
static int64_t rank(const int64_t *v, size_t n, unsigned pct)
{
	if (!n)
		return -1;
	size_t k = (n * pct + 99u) / 100u;
	return v[k ? k - 1 : 0];
}

fws_err fwh_records_stats(fwh_records *db, const fwh_rec_filter *f, fwh_rec_stats **out,
                          size_t *n, fwh_error *err)
{
	*out = NULL;
	*n = 0;
	struct stats_ctx c;
	memset(&c, 0, sizeof c);
	fwh_rec_filter all = *f;
	all.limit = 0;
	fws_err e = fwh_records_query(db, &all, on_row, &c, err);
	if (!e && c.oom)
		e = fwh_error_set(err, FWS_E_IO, "Out of memory computing the statistics.");
	fwh_rec_stats *res = NULL;
	if (!e && c.n_g && !(res = calloc(c.n_g, sizeof *res)))
		e = fwh_error_set(err, FWS_E_IO, "Out of memory computing the statistics.");
	for (size_t i = 0; i < c.n_g; i++) {
		struct group *g = &c.g[i];
		if (res) {
			if (g->n_ms)
				qsort(g->ms, g->n_ms, sizeof *g->ms, cmp_i64);
			g->s.median_ms = rank(g->ms, g->n_ms, 50);
			g->s.p95_ms = rank(g->ms, g->n_ms, 95);
			res[i] = g->s;
		}
		free(g->ms);
	}
	free(c.g);
	for (size_t i = 0; i < c.seen.cap; i++)
		free(c.seen.keys[i]);
	free(c.seen.keys);
	if (e) {
		free(res);
		return e;
	}
	*out = res;
	*n = res ? c.n_g : 0;
	return FWS_OK;
}
