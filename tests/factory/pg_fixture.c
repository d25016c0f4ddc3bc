/* SPDX-License-Identifier: Apache-2.0 */
/* pg_fixture.c - see pg_fixture.h. */
#include "pg_fixture.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testproc.h"

static void nobody(uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam("nobody");
	*uid = pw ? pw->pw_uid : 65534;
	*gid = pw ? pw->pw_gid : 65534;
}

/* Run argv as nobody (or as we are when not root), output into log; the
 * exit code, or -1. */
static int run_as_nobody(char *const argv[], const char *log)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null >= 0)
			dup2(null, 0);
		if (getuid() == 0) {
			uid_t uid;
			gid_t gid;
			nobody(&uid, &gid);
			if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
				_exit(125);
		}
		/* a neutral environment: no PG* of the caller's, a locale that exists */
		char *env[] = {(char *)(uintptr_t)"PATH=/usr/bin:/bin", (char *)(uintptr_t)"LC_ALL=C",
		               (char *)(uintptr_t)"HOME=/nonexistent", NULL};
		execve(argv[0], argv, env);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool find_bindir(pgfx *p)
{
	const char *env = getenv("FWSEAL_PG_BINDIR");
	char probe[320];
	if (env && *env) {
		snprintf(probe, sizeof probe, "%s/pg_ctl", env);
		if (access(probe, X_OK) == 0) {
			snprintf(p->bindir, sizeof p->bindir, "%s", env);
			return true;
		}
	}
	/* Debian: /usr/lib/postgresql/NN/bin, the newest */
	DIR *d = opendir("/usr/lib/postgresql");
	int best = -1;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			int v = atoi(e->d_name);
			if (v <= best || strlen(e->d_name) > 16)
				continue;
			snprintf(probe, sizeof probe, "/usr/lib/postgresql/%.16s/bin/pg_ctl", e->d_name);
			if (access(probe, X_OK) == 0) {
				best = v;
				snprintf(p->bindir, sizeof p->bindir, "/usr/lib/postgresql/%.16s/bin",
				         e->d_name);
			}
		}
		closedir(d);
	}
	return best >= 0;
}

static void tail_log(const pgfx *p, char *out, size_t cap)
{
	out[0] = '\0';
	FILE *f = fopen(p->log, "r");
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, n > (long)cap - 1 ? n - (long)cap + 1 : 0, SEEK_SET);
	size_t got = fread(out, 1, cap - 1, f);
	out[got] = '\0';
	fclose(f);
}

void pgfx_start_server(pgfx *p)
{
	char opts[256];
	snprintf(opts, sizeof opts, "-k %s -c listen_addresses='' -c max_connections=40", p->dir);
	char pg_ctl[320];
	if (snprintf(pg_ctl, sizeof pg_ctl, "%s/pg_ctl", p->bindir) >= (int)sizeof pg_ctl)
		fail_msg("path too long");
	char *argv[] = {pg_ctl, (char *)(uintptr_t)"-D", p->data, (char *)(uintptr_t)"-o", opts,
	                (char *)(uintptr_t)"-l", p->log, (char *)(uintptr_t)"-w",
	                (char *)(uintptr_t)"-t", (char *)(uintptr_t)"120",
	                (char *)(uintptr_t)"start", NULL};
	char out[512];
	char plog[160];
	snprintf(plog, sizeof plog, "%s/pg_ctl.out", p->dir);
	if (run_as_nobody(argv, plog) != 0) {
		tail_log(p, out, sizeof out);
		fail_msg("the PostgreSQL server did not start: %s", out);
	}
	p->running = true;
}

void pgfx_stop_server(pgfx *p)
{
	if (!p->running)
		return;
	char pg_ctl[320], plog[160];
	snprintf(pg_ctl, sizeof pg_ctl, "%s/pg_ctl", p->bindir);
	snprintf(plog, sizeof plog, "%s/pg_ctl.out", p->dir);
	char *argv[] = {pg_ctl, (char *)(uintptr_t)"-D", p->data, (char *)(uintptr_t)"-m",
	                (char *)(uintptr_t)"fast", (char *)(uintptr_t)"-w",
	                (char *)(uintptr_t)"-t", (char *)(uintptr_t)"60",
	                (char *)(uintptr_t)"stop", NULL};
	run_as_nobody(argv, plog);
	p->running = false;
}

bool pgfx_start(pgfx *p)
{
	memset(p, 0, sizeof *p);
	if (!find_bindir(p)) {
		snprintf(p->why, sizeof p->why,
		         "no PostgreSQL server binaries (pg_ctl) in $FWSEAL_PG_BINDIR or "
		         "/usr/lib/postgresql/*/bin: install postgresql-15 (scripts/lib/setup.sh)");
		return false;
	}
	assert_true(test_tmpdir(p->dir, sizeof p->dir, "pg"));
	snprintf(p->data, sizeof p->data, "%s/data", p->dir);
	snprintf(p->log, sizeof p->log, "%s/server.log", p->dir);
	if (getuid() == 0) {
		uid_t uid;
		gid_t gid;
		nobody(&uid, &gid);
		assert_int_equal(chown(p->dir, uid, gid), 0);
	}
	char initdb[320], ilog[160];
	snprintf(initdb, sizeof initdb, "%s/initdb", p->bindir);
	snprintf(ilog, sizeof ilog, "%s/initdb.out", p->dir);
	char *argv[] = {initdb, (char *)(uintptr_t)"-D", p->data, (char *)(uintptr_t)"-A",
	                (char *)(uintptr_t)"trust", (char *)(uintptr_t)"-U",
	                (char *)(uintptr_t)"postgres", (char *)(uintptr_t)"-E",
	                (char *)(uintptr_t)"UTF8", (char *)(uintptr_t)"--locale=C",
	                (char *)(uintptr_t)"--no-sync", NULL};
	int rc = run_as_nobody(argv, ilog);
	if (rc != 0) {
		char out[400] = "";
		FILE *f = fopen(ilog, "r");
		if (f) {
			size_t n = fread(out, 1, sizeof out - 1, f);
			out[n] = '\0';
			fclose(f);
		}
		snprintf(p->why, sizeof p->why, "initdb failed here (exit %d): %s", rc, out);
		test_rmtree(p->dir);
		return false;
	}
	pgfx_start_server(p);
	return true;
}

void pgfx_stop(pgfx *p)
{
	pgfx_stop_server(p);
	assert_int_equal(test_rmtree(p->dir), 0);
}

void pgfx_uri(const pgfx *p, const char *user, const char *db, char *out, size_t cap)
{
	snprintf(out, cap, "postgresql:///%s?host=%s&user=%s", db, p->dir, user);
}

static PGconn *connect_super(const pgfx *p, const char *db)
{
	char uri[256];
	pgfx_uri(p, "postgres", db, uri, sizeof uri);
	PGconn *c = PQconnectdb(uri);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect %s: %s", uri, PQerrorMessage(c));
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	return c;
}

void pgfx_sql(const pgfx *p, const char *db, const char *sql)
{
	PGconn *c = connect_super(p, db);
	PGresult *r = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

long long pgfx_int(const pgfx *p, const char *db, const char *sql)
{
	PGconn *c = connect_super(p, db);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
	return v;
}
