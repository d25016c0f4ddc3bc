/* SPDX-License-Identifier: Apache-2.0 */
/*
 * factory_fixture.h - what the factory-line tests share: a temporary folder
 * with a test key's trust store and a signed package file, simulated devices
 * (fwseal-sim processes on ptys) started and killed at will, child processes
 * with their stdout read line by line under a deadline, and SQL on the
 * records database through a connection of its own.
 */
#ifndef FWSEAL_TEST_FACTORY_FIXTURE_H
#define FWSEAL_TEST_FACTORY_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fwseal/crypto.h"
#include "testproc.h"

#define FX_MODEL   "FX-LINE-1"
#define FX_VERSION "2.0.0"

typedef struct fx {
	char dir[64];
	char trust[128];
	char pkg[128];         /* FX_MODEL, FX_VERSION, counter 2, with DFU suffix */
	char records[128];
	char digest_hex[2 * FWS_SHA256_LEN + 1]; /* SHA-256 of the package file */
	const char *sim_path;
	const char *fwseal_path;
} fx;

typedef struct fx_sim {
	pid_t pid;
	int out;               /* its stdout, kept open: it must never get SIGPIPE */
	char device[264];      /* "serial:/dev/pts/N" */
	char tty[256];         /* "/dev/pts/N" */
	char state[160];
} fx_sim;

/* Make the folder, key, trust store and a package of image_len bytes. */
void fx_setup(fx *f, size_t image_len);
void fx_teardown(fx *f);

/* Start a simulated device (state in DIR/state-NAME), wait for its pty
 * line. baud 0: unpaced. */
void fx_sim_start(const fx *f, fx_sim *s, const char *name, const char *model,
                  const char *serial, unsigned baud);
/* The same with one more simulator option (e.g. "--no-confirm"), or NULL. */
void fx_sim_start_opt(const fx *f, fx_sim *s, const char *name, const char *model,
                      const char *serial, unsigned baud, const char *opt);
void fx_sim_kill(fx_sim *s, int sig);

/* A child process with its stdout on a pipe (tests/support/testproc.h).
 * fx_spawn: argv[0] is the program; the test fails if it cannot start. */
typedef test_proc fx_proc;
void fx_spawn(fx_proc *p, char *const argv[]);
/* Next whole stdout line (without newline) within timeout_ms; false at EOF
 * or timeout (test_read_line). */
bool fx_read_line(fx_proc *p, char *line, size_t cap, int timeout_ms);
/* Read lines until one contains needle (left in line); false at EOF or when
 * a line takes longer than timeout_ms. */
bool fx_expect_line(fx_proc *p, const char *needle, char *line, size_t cap, int timeout_ms);
/* Wait for the exit (bounded); returns the exit code, 128+signal if killed. */
int fx_wait(fx_proc *p, int timeout_ms);

/* Run argv to the end: its whole stdout into out (up to cap, asserted), and
 * its exit code; each line and the exit wait bounded by timeout_ms. */
int fx_run_capture(char *const argv[], char *out, size_t cap, int timeout_ms);

/* How often needle occurs in text. */
int fx_count_in(const char *text, const char *needle);

/* Integer result of one SQL statement on path. */
int64_t fx_sql_int(const char *path, const char *sql);

/* How a child is started by fx_spawn_ex: as another user (uid 0: as we
 * are), with its stderr into a file (NULL: inherited), with more
 * environment (NAME=VALUE strings, NULL-terminated; may be NULL). */
typedef struct fx_spawn_opts {
	uid_t uid;
	gid_t gid;
	const char *err_path;
	const char *const *env;
} fx_spawn_opts;
void fx_spawn_ex(fx_proc *p, char *const argv[], const fx_spawn_opts *o);
int fx_run_capture_ex(char *const argv[], char *out, size_t cap, int timeout_ms,
                      const fx_spawn_opts *o);

/* The whole of a small file into out (NUL-terminated; "" if missing). */
void fx_read_file(const char *path, char *out, size_t cap);

/* Whether the simulated device behind device was left as it was made:
 * both slots empty, no interrupted download, nothing running (fwseal info). */
bool fx_device_untouched(const fx *f, const char *device);
/* The firmware version the device runs ("" when none), by fwseal info. */
void fx_device_version(const fx *f, const char *device, char *out, size_t cap);

/* The uid/gid of the unprivileged user "nobody" (65534 when not listed). */
void fx_nobody(uid_t *uid, gid_t *gid);

#endif /* FWSEAL_TEST_FACTORY_FIXTURE_H */
