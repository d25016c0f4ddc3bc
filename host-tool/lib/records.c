/* SPDX-License-Identifier: Apache-2.0 */
/*
 * records.c - production records (fwseal-host/records.h): the handle every
 * caller holds. It knows who we are (to tell our in-progress rows from those
 * of dead processes), serialises the threads of one process, keeps the
 * sentence of the last failure, and reaches the file or the server only
 * through the backend's ops table (records_backend.h).
 */
#include "fwseal-host/records.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "records_backend.h"

struct fwh_records {
	fwh_rec_backend b;
	pthread_mutex_t lock;
	char msg[FWH_REC_MSG_MAX];
	char where[FWH_PATH_MAX * 2];
	char spool[FWH_PATH_MAX * 2];
	fwh_rec_owner me;
};

static const char *const result_names[FWH_REC_RESULT_COUNT] = {
	[FWH_REC_IN_PROGRESS] = "in-progress",
	[FWH_REC_OK] = "ok",
	[FWH_REC_REFUSED] = "refused",
	[FWH_REC_FAILED] = "failed",
	[FWH_REC_INTERRUPTED] = "interrupted",
	[FWH_REC_SKIPPED] = "skipped",
	[FWH_REC_UNCONFIRMED] = "unconfirmed",
};

const char *fwh_rec_result_name(enum fwh_rec_result r)
{
	if ((unsigned)r < FWH_REC_RESULT_COUNT)
		return result_names[r];
	return "unknown";
}

bool fwh_rec_result_parse(const char *s, enum fwh_rec_result *out)
{
	for (unsigned i = 0; i < FWH_REC_RESULT_COUNT; i++) {
		if (!strcmp(s, result_names[i])) {
			*out = (enum fwh_rec_result)i;
			return true;
		}
	}
	return false;
}

bool fwh_rec_result_known(const char *s)
{
	enum fwh_rec_result r;
	return fwh_rec_result_parse(s, &r);
}

void fwh_rec_copy(char *dst, size_t cap, const char *src)
{
	if (!src)
		src = "";
	size_t n = strnlen(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int fwh_rec_fail(char *msg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, FWH_REC_MSG_MAX, fmt, ap);
	va_end(ap);
	return FWS_E_IO;
}

int fwh_rec_unusable(char *msg, const char *where, const char *fmt, ...)
{
	char what[FWH_REC_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return fwh_rec_fail(msg, "Cannot use the production records %s: %s. Fix that, or choose "
	                         "another file with --records.",
	                    where, what);
}

/* A UUID version 7 (RFC 9562): 48 bits of Unix time in ms, then 74 random
 * bits. Unique without coordination between stations, and ordered by time,
 * so that a new row goes to the right edge of the attempt-id indexes (of
 * SQLite and PostgreSQL) instead of a random page of a large file. */
bool fwh_rec_new_id(char out[FWH_REC_ID_LEN + 1])
{
	uint8_t b[16];
	size_t got = 0;
	while (got < sizeof b) {
		ssize_t n = getrandom(b + got, sizeof b - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		got += (size_t)n;
	}
	uint64_t ms = (uint64_t)fwh_records_now_ms();
	for (int i = 0; i < 6; i++)
		b[i] = (uint8_t)(ms >> (40 - 8 * i));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x70); /* version 7 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* variant 10 */
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < sizeof b; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
	return true;
}

/* ---------------------------------------------------------------------- */
/* Owner identity: machine id + boot id + pid + process start time (clock  */
/* ticks since boot, /proc/PID/stat field 22), so that a reused pid is not */
/* taken for alive, and rows of another station are never judged here.    */

static void read_line_file(const char *path, char *out, size_t cap)
{
	out[0] = '\0';
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(out, (int)cap, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/* Start time of pid, -1 when it does not exist, -2 when unknowable. */
static int64_t proc_start_time(int64_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%" PRId64 "/stat", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -1 : -2;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* comm may contain spaces and ')': fields restart after the last ')' */
	const char *p = strrchr(buf, ')');
	if (!p)
		return -2;
	p++;
	/* after ')' come field 3 (state) ... field 22 (starttime) */
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -2;
	}
	return strtoll(p + 1, NULL, 10);
}

static void who_am_i(fwh_rec_owner *me)
{
	memset(me, 0, sizeof *me);
	read_line_file("/etc/machine-id", me->machine, sizeof me->machine);
	if (!me->machine[0])
		read_line_file("/var/lib/dbus/machine-id", me->machine, sizeof me->machine);
	read_line_file("/proc/sys/kernel/random/boot_id", me->boot, sizeof me->boot);
	me->pid = (int64_t)getpid();
	me->start = proc_start_time(me->pid);
}

/* Whether the owner of a row of this machine still runs. */
static bool owner_alive(void *user, const fwh_rec_owner *o)
{
	const fwh_rec_owner *me = user;
	if (me->boot[0] && strcmp(o->boot, me->boot) != 0)
		return false; /* the station rebooted since: that process is gone */
	if (o->pid == me->pid && o->start == me->start)
		return true;
	int64_t now_start = proc_start_time(o->pid);
	if (now_start == -2)
		return true; /* cannot tell: never declare a live writer dead */
	return now_start == o->start;
}

/* A row is ours to judge: written on this machine (rows of schema 1 files
 * carry no machine: a file belonged to one station). */
static bool same_machine(const fwh_rec_owner *me, const fwh_rec_owner *o)
{
	return !o->machine[0] || !strcmp(o->machine, me->machine);
}

/* ---------------------------------------------------------------------- */

fws_err fwh_records_default_path(char *out, size_t cap)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;
	/* XDG Base Directory: a relative XDG_DATA_HOME is invalid and ignored */
	if (xdg && xdg[0] == '/')
		n = snprintf(out, cap, "%s/fwseal/records.sqlite", xdg);
	else if (home && home[0])
		n = snprintf(out, cap, "%s/.local/share/fwseal/records.sqlite", home);
	else
		return FWS_E_IO;
	return (n < 0 || (size_t)n >= cap) ? FWS_E_NOMEM : FWS_OK;
}

bool fwh_records_is_uri(const char *s)
{
	return s && (!strncmp(s, "postgresql://", 13) || !strncmp(s, "postgres://", 11));
}

void fwh_records_redact(const char *s, char *out, size_t cap)
{
	if (!fwh_records_is_uri(s)) {
		fwh_rec_copy(out, cap, s);
		return;
	}
	/* scheme://[user[:password]@]host...: the password becomes *** */
	const char *auth = strstr(s, "://") + 3;
	const char *at = strchr(auth, '@');
	const char *slash = strchr(auth, '/');
	const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (!at || (slash && slash < at) || !colon) {
		fwh_rec_copy(out, cap, s);
	} else {
		snprintf(out, cap, "%.*s:***%s", (int)(colon - s), s, at);
	}
	/* a password=... parameter, too */
	char *p = strstr(out, "password=");
	if (p) {
		p += 9;
		size_t n = strcspn(p, "&");
		memmove(p + 3, p + n, strlen(p + n) + 1);
		memcpy(p, "***", 3);
	}
}

static int busy_ms(void)
{
	const char *e = getenv("FWSEAL_RECORDS_BUSY_MS");
	if (e && *e) {
		char *end;
		long v = strtol(e, &end, 10);
		if (*end == '\0' && v >= 0 && v <= 600000)
			return (int)v;
	}
	return FWH_REC_BUSY_MS;
}

fws_err fwh_records_open_ex(const char *where, const fwh_records_opts *o, fwh_records **out,
                            fwh_error *err)
{
	static const fwh_records_opts defaults = {0};
	*out = NULL;
	if (!o)
		o = &defaults;
	char def[4096];
	if (!where) {
		if (fwh_records_default_path(def, sizeof def) != FWS_OK) {
			return fwh_error_set(err, FWS_E_IO,
			                     "There is no default place for production records (neither "
			                     "XDG_DATA_HOME nor HOME is set). Give one with --records PATH.");
		}
		where = def;
	}
	fwh_records *db = calloc(1, sizeof *db);
	if (!db)
		return fwh_error_set(err, FWS_E_IO, "Out of memory opening the records.");
	pthread_mutex_init(&db->lock, NULL);
	who_am_i(&db->me);
	fwh_records_redact(where, db->where, sizeof db->where);
	fwh_rec_open_ctx ctx = {
		.opts = o,
		.me = &db->me,
		.alive = owner_alive,
		.alive_user = &db->me,
		.busy_ms = busy_ms(),
	};
	int e = fwh_records_is_uri(where) ? fwh_rec_pg_open(where, &ctx, &db->b, db->msg)
	                                  : fwh_rec_sqlite_open(where, &ctx, &db->b, db->msg);
	if (e) {
		fwh_error_set(err, (fws_err)e, "%s", db->msg);
		pthread_mutex_destroy(&db->lock);
		free(db);
		return (fws_err)e;
	}
	*out = db;
	return FWS_OK;
}

fws_err fwh_records_open(const char *where, fwh_records **out, fwh_error *err)
{
	return fwh_records_open_ex(where, NULL, out, err);
}

void fwh_records_close(fwh_records *db)
{
	if (!db)
		return;
	db->b.ops->close(db->b.be);
	pthread_mutex_destroy(&db->lock);
	free(db);
}

const char *fwh_records_where(const fwh_records *db)
{
	return db->where;
}

const char *fwh_records_spool_path(const fwh_records *db)
{
	fwh_records *m = (fwh_records *)(uintptr_t)db;
	pthread_mutex_lock(&m->lock);
	const char *s = m->b.ops->spooling ? m->b.ops->spooling(m->b.be) : "";
	fwh_rec_copy(m->spool, sizeof m->spool, s);
	pthread_mutex_unlock(&m->lock);
	return m->spool;
}

bool fwh_records_spooling(const fwh_records *db)
{
	return fwh_records_spool_path(db)[0] != '\0';
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */

static fws_err done(fwh_records *db, int e, fwh_error *err)
{
	if (e)
		fwh_error_set(err, (fws_err)e, "%s", db->msg);
	pthread_mutex_unlock(&db->lock);
	return (fws_err)e;
}

static fws_err put(fwh_records *db, fwh_record *r, const char *log, enum fwh_rec_put how,
                   fwh_error *err)
{
	pthread_mutex_lock(&db->lock);
	if (log && strlen(log) > FWH_REC_LOG_MAX + 256u)
		log = NULL; /* fwh_rec_log keeps it below; never a caller's mistake to store */
	return done(db, db->b.ops->put(db->b.be, r, &db->me, log, how, db->msg), err);
}

static bool new_id(fwh_records *db, fwh_record *r, fwh_error *err)
{
	if (r->attempt_id[0])
		return true;
	if (fwh_rec_new_id(r->attempt_id))
		return true;
	fwh_error_set(err, FWS_E_IO, "No random numbers for an attempt id (getrandom: %s).",
	              strerror(errno));
	(void)db;
	return false;
}

fws_err fwh_records_begin(fwh_records *db, fwh_record *r, fwh_error *err)
{
	if (!r->started_ms)
		r->started_ms = fwh_records_now_ms();
	r->result = FWH_REC_IN_PROGRESS;
	r->ended_ms = -1;
	r->duration_ms = -1;
	if (!new_id(db, r, err))
		return FWS_E_IO;
	return put(db, r, NULL, FWH_PUT_INSERT, err);
}

fws_err fwh_records_update(fwh_records *db, const fwh_record *r, fwh_error *err)
{
	fwh_record copy = *r;
	return put(db, &copy, NULL, FWH_PUT_UPDATE, err);
}

static void end_times(fwh_record *r)
{
	int64_t now = fwh_records_now_ms();
	if (r->ended_ms < 0)
		r->ended_ms = now;
	if (r->duration_ms < 0) {
		int64_t d = r->ended_ms - r->started_ms;
		r->duration_ms = d < 0 ? 0 : d;
	}
}

fws_err fwh_records_finish(fwh_records *db, fwh_record *r, const char *log, fwh_error *err)
{
	end_times(r);
	return put(db, r, log, FWH_PUT_UPDATE, err);
}

fws_err fwh_records_add(fwh_records *db, fwh_record *r, const char *log, fwh_error *err)
{
	if (!r->started_ms)
		r->started_ms = fwh_records_now_ms();
	end_times(r);
	if (!new_id(db, r, err))
		return FWS_E_IO;
	return put(db, r, log, FWH_PUT_INSERT, err);
}

void fwh_record_set_device(fwh_record *r, const fws_devinfo *info)
{
	fwh_rec_copy(r->serial, sizeof r->serial, info->serial);
	fwh_rec_copy(r->model, sizeof r->model, info->model);
	r->hw_rev = info->hw_rev;
	fwh_rec_copy(r->from_version, sizeof r->from_version, info->fw_version);
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                 */

void fwh_rec_filter_init(fwh_rec_filter *f)
{
	memset(f, 0, sizeof *f);
	f->result = -1;
	f->since_ms = INT64_MIN;
	f->until_ms = INT64_MAX;
}

struct query_ctx {
	fwh_records *db;
	int want;        /* the caller's result filter, -1 any */
	fwh_records_cb cb;
	void *user;
};

/* What a reader shows of a row: an in-progress row whose process is gone
 * (on this machine) is interrupted, whether or not a writer noted it yet. */
static void adjust(const fwh_records *db, fwh_record *r, const fwh_rec_owner *o)
{
	if (r->result != FWH_REC_IN_PROGRESS || !same_machine(&db->me, o) ||
	    owner_alive((void *)(uintptr_t)&db->me, o))
		return;
	r->result = FWH_REC_INTERRUPTED;
	fwh_rec_copy(r->error_code, sizeof r->error_code, "interrupted");
	fwh_rec_copy(r->error, sizeof r->error,
	             "The fwseal process stopped before this attempt ended (crash, kill or power "
	             "loss); flash the unit again to resume.");
}

static int on_row(void *user, fwh_record *r, const fwh_rec_owner *o)
{
	struct query_ctx *q = user;
	adjust(q->db, r, o);
	if (q->want >= 0 && (int)r->result != q->want)
		return 0;
	return q->cb(r, q->user);
}

fws_err fwh_records_query(fwh_records *db, const fwh_rec_filter *f, fwh_records_cb cb,
                          void *user, fwh_error *err)
{
	fwh_rec_filter sel = *f;
	struct query_ctx q = {.db = db, .want = f->result, .cb = cb, .user = user};
	/* in-progress and interrupted may change places on the way out: ask the
	 * store for both, keep what the caller wants after adjust() */
	if (f->result == FWH_REC_IN_PROGRESS || f->result == FWH_REC_INTERRUPTED)
		sel.result = -2; /* (with --limit the newest N of both, then filtered) */
	pthread_mutex_lock(&db->lock);
	return done(db, db->b.ops->query(db->b.be, &sel, on_row, &q, db->msg), err);
}

fws_err fwh_records_foreach(fwh_records *db, int64_t since_ms, fwh_records_cb cb, void *user,
                            fwh_error *err)
{
	fwh_rec_filter f;
	fwh_rec_filter_init(&f);
	f.since_ms = since_ms;
	return fwh_records_query(db, &f, cb, user, err);
}

fws_err fwh_records_last(fwh_records *db, const char *serial, const char *package_sha256,
                         fwh_record *out, bool *found, fwh_error *err)
{
	*found = false;
	pthread_mutex_lock(&db->lock);
	return done(db, db->b.ops->last(db->b.be, serial, package_sha256, out, found, db->msg),
	            err);
}

fws_err fwh_records_log(fwh_records *db, const char *id, fwh_record *row, char **text,
                        bool *found, fwh_error *err)
{
	*text = NULL;
	*found = false;
	int64_t num = -1;
	char *end;
	errno = 0;
	long long v = strtoll(id, &end, 10);
	if (id[0] >= '0' && id[0] <= '9' && *end == '\0' && errno == 0)
		num = (int64_t)v;
	fwh_record tmp;
	pthread_mutex_lock(&db->lock);
	return done(db, db->b.ops->log(db->b.be, num, id, row ? row : &tmp, text, found, db->msg),
	            err);
}

fws_err fwh_records_sync(fwh_records *db, size_t *sent, size_t *left, fwh_error *err)
{
	*sent = 0;
	*left = 0;
	pthread_mutex_lock(&db->lock);
	if (!db->b.ops->sync)
		return done(db, 0, err);
	return done(db, db->b.ops->sync(db->b.be, sent, left, db->msg), err);
}

/* ---------------------------------------------------------------------- */
/* Session logs                                                            */

void fwh_rec_log_init(fwh_rec_log *l)
{
	memset(l, 0, sizeof *l);
}

void fwh_rec_log_add(fwh_rec_log *l, const char *fmt, ...)
{
	char t[FWH_REC_TIME_MAX], line[FWH_ERROR_MSG_MAX + 128];
	fwh_records_format_time(fwh_records_now_ms(), t);
	int h = snprintf(line, sizeof line, "%s ", t + 11); /* HH:MM:SS.mmmZ */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + h, sizeof line - (size_t)h, fmt, ap);
	va_end(ap);
	size_t n = strlen(line);
	/* one line each: control bytes (a device's text) become '?' */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	if (l->len + n + 1 > FWH_REC_LOG_MAX) {
		l->dropped++;
		return;
	}
	if (l->len + n + 2 > l->cap) {
		size_t ncap = l->cap ? 2 * l->cap : 2048;
		while (ncap < l->len + n + 2)
			ncap *= 2;
		char *nt = realloc(l->text, ncap);
		if (!nt) {
			l->dropped++;
			return;
		}
		l->text = nt;
		l->cap = ncap;
	}
	memcpy(l->text + l->len, line, n);
	l->len += n;
	l->text[l->len++] = '\n';
	l->text[l->len] = '\0';
}

const char *fwh_rec_log_text(fwh_rec_log *l)
{
	if (l->dropped) {
		size_t dropped = l->dropped;
		l->dropped = 0;
		/* room is kept for this one line (FWH_REC_LOG_MAX + 256 at most) */
		char line[96];
		int n = snprintf(line, sizeof line, "(%zu more lines were left out of this log)\n",
		                 dropped);
		char *nt = realloc(l->text, l->len + (size_t)n + 1);
		if (nt) {
			l->text = nt;
			l->cap = l->len + (size_t)n + 1;
			memcpy(l->text + l->len, line, (size_t)n + 1);
			l->len += (size_t)n;
		}
	}
	return l->text ? l->text : "";
}

void fwh_rec_log_free(fwh_rec_log *l)
{
	free(l->text);
	memset(l, 0, sizeof *l);
}
