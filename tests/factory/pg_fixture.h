/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_fixture.h - a real PostgreSQL server for the records tests, started and
 * stopped by the test itself: initdb + pg_ctl in a temporary folder, on a
 * Unix socket only (no TCP port), run as the unprivileged user "nobody"
 * (the tests run as root, and PostgreSQL refuses to run as root).
 *
 * The server binaries are looked up in $FWSEAL_PG_BINDIR (when set), else
 * /usr/lib/postgresql/NN/bin (Debian's postgresql-NN). pgfx_start() returns
 * false, with the reason in p->why, only when they are absent or initdb
 * fails here; test_records_pg then skips (exit 77, meson's SKIP) and says
 * why, except under CI=true (scripts/check installs postgresql-15), where
 * that is a failure.
 */
#ifndef FWSEAL_TEST_PG_FIXTURE_H
#define FWSEAL_TEST_PG_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct pgfx {
	char bindir[256];
	char dir[64];          /* owned by nobody: data/, the socket, log */
	char data[128];
	char log[128];
	char why[512];         /* pgfx_start() == false: the reason */
	bool running;
} pgfx;

bool pgfx_start(pgfx *p);
/* Stop the server (fast) and start it again; the data stays. */
void pgfx_stop_server(pgfx *p);
void pgfx_start_server(pgfx *p);
/* Stop and remove everything. */
void pgfx_stop(pgfx *p);

/* The connection URI of database db as role user, over the socket. */
void pgfx_uri(const pgfx *p, const char *user, const char *db, char *out, size_t cap);

/* Run SQL as the superuser on database db; fails the test on an error. */
void pgfx_sql(const pgfx *p, const char *db, const char *sql);
/* The first column of the first row of a query, as a number. */
long long pgfx_int(const pgfx *p, const char *db, const char *sql);

#endif /* FWSEAL_TEST_PG_FIXTURE_H */
