/* SPDX-License-Identifier: Apache-2.0 */
/* factory_fixture.c - see factory_fixture.h. */
#include "factory_fixture.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fwseal/trust.h"
#include "testkey.h"
#include "testpkg.h"
#include "testproc.h"

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

void fx_setup(fx *f, size_t image_len)
{
	const char *sim = getenv("FWSEAL_SIM");
	const char *cli = getenv("FWSEAL_CLI");
	memset(f, 0, sizeof *f);
	f->sim_path = sim;
	f->fwseal_path = cli;
	assert_non_null(f->sim_path);
	assert_true(test_tmpdir(f->dir, sizeof f->dir, "factory"));
	snprintf(f->trust, sizeof f->trust, "%s/trust.fwst", f->dir);
	snprintf(f->pkg, sizeof f->pkg, "%s/v2.fwseal", f->dir);
	snprintf(f->records, sizeof f->records, "%s/records.sqlite", f->dir);

	test_key key;
	test_key_generate(&key, 808);
	fws_trust t;
	test_trust_one(&t, &key, 0);
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	size_t n = fws_trust_encode(&t, blob, sizeof blob);
	assert_true(n > 0);
	write_file(f->trust, blob, n);

	uint8_t *img = test_image(image_len, 8);
	test_pkg p;
	test_pkg_opts o = {.model = FX_MODEL, .version = FX_VERSION, .security_counter = 2,
	                   .block_size = 1024, .with_suffix = 1, .keys = {&key}};
	test_pkg_build(&p, img, image_len, &o);
	write_file(f->pkg, p.data, p.len);
	uint8_t d[FWS_SHA256_LEN];
	if (fws_sha256(p.data, p.len, d) != FWS_OK)
		abort();
	for (size_t i = 0; i < FWS_SHA256_LEN; i++)
		snprintf(f->digest_hex + 2 * i, 3, "%02x", d[i]);
	test_pkg_free(&p);
	free(img);
	test_key_free(&key);
}

void fx_teardown(fx *f)
{
	assert_int_equal(test_rmtree(f->dir), 0);
}

void fx_sim_start(const fx *f, fx_sim *s, const char *name, const char *model,
                  const char *serial, unsigned baud)
{
	fx_sim_start_opt(f, s, name, model, serial, baud, NULL);
}

void fx_sim_start_opt(const fx *f, fx_sim *s, const char *name, const char *model,
                      const char *serial, unsigned baud, const char *opt)
{
	char baud_s[16];
	snprintf(baud_s, sizeof baud_s, "%u", baud);
	snprintf(s->state, sizeof s->state, "%s/state-%s", f->dir, name);
	char *argv[16] = {(char *)(uintptr_t)f->sim_path,
	                  (char *)(uintptr_t)"--state", s->state,
	                  (char *)(uintptr_t)"--trust", (char *)(uintptr_t)f->trust,
	                  (char *)(uintptr_t)"--model", (char *)(uintptr_t)model,
	                  (char *)(uintptr_t)"--serial-number", (char *)(uintptr_t)serial};
	size_t a = 9;
	if (opt)
		argv[a++] = (char *)(uintptr_t)opt;
	if (baud) {
		argv[a++] = (char *)(uintptr_t)"--baud";
		argv[a++] = baud_s;
	}
	argv[a] = NULL;
	fx_proc p;
	fx_spawn(&p, argv);
	s->pid = p.pid;
	char line[256];
	assert_true(test_read_line(&p, line, sizeof line, 10000));
	s->out = p.out;
	assert_memory_equal(line, "serial:", 7);
	snprintf(s->device, sizeof s->device, "%s", line);
	snprintf(s->tty, sizeof s->tty, "%s", line + 7);
}

void fx_sim_kill(fx_sim *s, int sig)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, sig);
	int st;
	waitpid(s->pid, &st, 0);
	close(s->out);
	s->pid = 0;
}

void fx_spawn(fx_proc *p, char *const argv[])
{
	assert_true(test_spawn(p, argv));
}

bool fx_read_line(fx_proc *p, char *line, size_t cap, int timeout_ms)
{
	return test_read_line(p, line, cap, timeout_ms);
}

bool fx_expect_line(fx_proc *p, const char *needle, char *line, size_t cap, int timeout_ms)
{
	while (test_read_line(p, line, cap, timeout_ms))
		if (strstr(line, needle))
			return true;
	return false;
}

int fx_wait(fx_proc *p, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	int st = 0;
	for (;;) {
		pid_t r = waitpid(p->pid, &st, WNOHANG);
		if (r == p->pid)
			break;
		if (now_ms() >= end) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &st, 0);
			fail_msg("process %d did not end within %d ms", (int)p->pid, timeout_ms);
		}
		usleep(10000);
	}
	if (p->out >= 0)
		close(p->out);
	p->out = -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int64_t fx_sql_int(const char *path, const char *sql)
{
	sqlite3 *s;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(s, 5000);
	if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("SQL %s: %s", sql, sqlite3_errmsg(s));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(s);
	return v;
}

int fx_run_capture(char *const argv[], char *out, size_t cap, int timeout_ms)
{
	fx_proc p;
	size_t len = 0;
	char line[4096];

	fx_spawn(&p, argv);
	while (fx_read_line(&p, line, sizeof line, timeout_ms)) {
		int n = snprintf(out + len, cap - len, "%s\n", line);
		assert_true(n > 0 && (size_t)n < cap - len);
		len += (size_t)n;
	}
	out[len] = '\0';
	return fx_wait(&p, timeout_ms);
}

int fx_count_in(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

void fx_spawn_ex(fx_proc *p, char *const argv[], const fx_spawn_opts *o)
{
	int fds[2];
	memset(p, 0, sizeof *p);
	p->out = -1;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		if (o && o->err_path) {
			int e = open(o->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
			if (e < 0)
				_exit(126);
			dup2(e, 2);
		}
		for (size_t i = 0; o && o->env && o->env[i]; i++)
			putenv((char *)(uintptr_t)o->env[i]);
		if (o && o->uid) {
			if (setgroups(0, NULL) != 0 || setgid(o->gid) != 0 || setuid(o->uid) != 0)
				_exit(125);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	p->out = fds[0];
}

int fx_run_capture_ex(char *const argv[], char *out, size_t cap, int timeout_ms,
                      const fx_spawn_opts *o)
{
	fx_proc p;
	size_t len = 0;
	char line[4096];

	fx_spawn_ex(&p, argv, o);
	while (fx_read_line(&p, line, sizeof line, timeout_ms)) {
		int n = snprintf(out + len, cap - len, "%s\n", line);
		assert_true(n > 0 && (size_t)n < cap - len);
		len += (size_t)n;
	}
	out[len] = '\0';
	return fx_wait(&p, timeout_ms);
}

void fx_read_file(const char *path, char *out, size_t cap)
{
	out[0] = '\0';
	FILE *fp = fopen(path, "r");
	if (!fp)
		return;
	size_t n = fread(out, 1, cap - 1, fp);
	out[n] = '\0';
	fclose(fp);
}

static void device_info(const fx *f, const char *device, char *out, size_t cap)
{
	char *argv[] = {(char *)(uintptr_t)f->fwseal_path, (char *)(uintptr_t)"info",
	                (char *)(uintptr_t)device, (char *)(uintptr_t)"--json", NULL};
	assert_int_equal(fx_run_capture(argv, out, cap, 20000), 0);
}

bool fx_device_untouched(const fx *f, const char *device)
{
	char out[16384];
	device_info(f, device, out, sizeof out);
	return fx_count_in(out, "\"state\": \"empty\"") == 2 &&
	       strstr(out, "\"resume_offset\": null") != NULL &&
	       strstr(out, "\"firmware_version\": null") != NULL;
}

void fx_device_version(const fx *f, const char *device, char *out, size_t cap)
{
	char info[16384];
	device_info(f, device, info, sizeof info);
	out[0] = '\0';
	const char *v = strstr(info, "\"firmware_version\": \"");
	if (!v)
		return;
	v += strlen("\"firmware_version\": \"");
	size_t n = strcspn(v, "\"");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

void fx_nobody(uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam("nobody");
	*uid = pw ? pw->pw_uid : 65534;
	*gid = pw ? pw->pw_gid : 65534;
}
