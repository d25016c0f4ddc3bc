/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fwseal-sim binary end to end over a real pty, with a raw frame client
 * (no host library): the exact CLI, the "serial:/dev/pts/N" line, an update
 * from a fresh device, persistence across restarts on the same --state DIR,
 * revert with --no-confirm, and a power cut (FWSEAL_SIM_CUT_AFTER) in the
 * middle of a download followed by resume after the restart.
 *
 * usage: test-sim-pty PATH-TO-fwseal-sim
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "fwseal/devinfo.h"
#include "fwseal/dfu.h"
#include "fwseal/frame.h"
#include "fwseal/le.h"
#include "fwseal/stub.h"
#include "testpkg.h"
#include "testproc.h"

#define MODEL "FW-TEST-1"
#define IMG   (24u * 1024u + 5u)

static const char *sim_path;
static char dir[64], trust_path[128], state_dir[128];
static test_key key;

typedef struct sim {
	pid_t pid;
	int out;     /* sim's stdout */
	int fd;      /* pty */
	uint16_t seq;
	fws_frame_decoder dec;
	uint8_t answer[FWS_FRAME_PAYLOAD_MAX];
	size_t answer_len;
	uint8_t status;
} sim;

static void sim_start(sim *s, const char *extra, const char *cut_after)
{
	int pipefd[2];
	char line[256];

	memset(s, 0, sizeof *s);
	assert_int_equal(pipe(pipefd), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		char *argv[16];
		int a = 0;

		dup2(pipefd[1], 1);
		close(pipefd[0]);
		if (cut_after != NULL)
			setenv("FWSEAL_SIM_CUT_AFTER", cut_after, 1);
		else
			unsetenv("FWSEAL_SIM_CUT_AFTER");
		/* strdup: execv wants char *, the strings are constants */
		argv[a++] = strdup(sim_path);
		argv[a++] = strdup("--state");
		argv[a++] = state_dir;
		argv[a++] = strdup("--trust");
		argv[a++] = trust_path;
		argv[a++] = strdup("--model");
		argv[a++] = strdup(MODEL);
		argv[a++] = strdup("--hw-rev");
		argv[a++] = strdup("1");
		argv[a++] = strdup("--serial-number");
		argv[a++] = strdup("SN-42");
		if (extra != NULL)
			argv[a++] = strdup(extra);
		argv[a] = NULL;
		execv(sim_path, argv);
		_exit(127);
	}
	close(pipefd[1]);
	s->out = pipefd[0];
	/* One line, "serial:/dev/pts/N", within 10 s. */
	{
		static test_proc p; /* its 64 KiB line buffer stays off the stack */

		memset(&p, 0, sizeof p);
		p.pid = s->pid;
		p.out = s->out;
		assert_true(test_read_sim_device(&p, line, sizeof line, 10000));
	}
	s->fd = open(line + 7, O_RDWR | O_NOCTTY);
	assert_true(s->fd >= 0);
	{
		struct termios t;

		assert_int_equal(tcgetattr(s->fd, &t), 0);
		cfmakeraw(&t);
		assert_int_equal(tcsetattr(s->fd, TCSANOW, &t), 0);
	}
	fws_frame_decoder_init(&s->dec);
	s->seq = (uint16_t)(getpid() * 31u);
}

static int sim_wait(sim *s)
{
	int st = 0;

	close(s->fd);
	close(s->out);
	assert_int_equal(waitpid(s->pid, &st, 0), s->pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int sim_stop(sim *s)
{
	kill(s->pid, SIGTERM);
	return sim_wait(s);
}

/* One request; false if no answer came within 5 s (e.g. power cut). */
static bool req(sim *s, uint8_t type, const uint8_t *data, size_t len)
{
	uint8_t wire[FWS_FRAME_WIRE_MAX], in[512];
	fws_frame f = {0};
	size_t wl = 0;

	f.seq = ++s->seq;
	f.type = type;
	f.length = FWS_DEVINFO_MAX;
	f.payload = data;
	f.payload_len = len;
	assert_int_equal(fws_frame_encode(&f, wire, sizeof wire, &wl), FWS_OK);
	if (write(s->fd, wire, wl) != (ssize_t)wl)
		return false;
	for (;;) {
		struct pollfd p = {s->fd, POLLIN, 0};
		ssize_t n;

		if (poll(&p, 1, 5000) != 1)
			return false;
		n = read(s->fd, in, sizeof in);
		if (n <= 0)
			return false;
		for (size_t off = 0; off < (size_t)n;) {
			enum fws_frame_event ev;
			fws_frame a;

			off += fws_frame_decoder_feed(&s->dec, in + off, (size_t)n - off, &ev, &a, NULL);
			if (ev == FWS_FRAME_READY && a.seq == s->seq) {
				memcpy(s->answer, a.payload, a.payload_len);
				s->answer_len = a.payload_len;
				s->status = a.status;
				return true;
			}
		}
	}
}

static void info(sim *s, fws_devinfo *out)
{
	assert_true(req(s, FWS_REQ_INFO, NULL, 0));
	assert_int_equal(s->status, FWS_FRAME_ACK);
	assert_int_equal(fws_devinfo_decode(s->answer, s->answer_len, out), FWS_OK);
}

/* Send stream bytes [from, len) in 4 KiB DNLOADs with GETSTATUS between;
 * then finish and reset. false if the device stopped answering. */
static bool push(sim *s, const test_pkg *p, size_t from)
{
	for (size_t at = from; at < p->len;) {
		size_t n = p->len - at < 4096 ? p->len - at : 4096;

		if (!req(s, FWS_DFU_DNLOAD, p->data + at, n) || s->status != FWS_FRAME_ACK)
			return false;
		if (!req(s, FWS_DFU_GETSTATUS, NULL, 0) || s->answer[0] != FWS_DFU_OK)
			return false;
		at += n;
	}
	if (!req(s, FWS_DFU_DNLOAD, NULL, 0) || !req(s, FWS_DFU_GETSTATUS, NULL, 0) ||
	    s->answer[4] != FWS_DFU_MANIFEST || !req(s, FWS_DFU_GETSTATUS, NULL, 0) ||
	    s->answer[4] != FWS_DFU_IDLE)
		return false;
	return req(s, FWS_REQ_RESET, NULL, 0);
}

static void make_pkg(test_pkg *p, const char *version, uint32_t counter)
{
	uint8_t *img = test_image(IMG, counter);
	test_pkg_opts o;

	memset(&o, 0, sizeof o);
	o.model = MODEL;
	o.version = version;
	o.security_counter = counter;
	o.block_size = 4096;
	o.keys[0] = &key;
	test_pkg_build(p, img, IMG, &o);
	free(img);
}

static void end_to_end(void **state)
{
	fws_devinfo di;
	test_pkg v1, v2, v3;
	sim s;
	int rc;

	(void)state;
	make_pkg(&v1, "1.0.0", 1);
	make_pkg(&v2, "2.0.0", 2);
	make_pkg(&v3, "3.0.0", 3);

	/* A fresh DIR: only the stub, waiting. */
	sim_start(&s, NULL, NULL);
	info(&s, &di);
	assert_int_equal(di.boot_state, FWS_BOOT_STUB);
	assert_string_equal(di.serial, "SN-42");
	assert_true(push(&s, &v1, 0));
	info(&s, &di);
	assert_string_equal(di.fw_version, "1.0.0");
	assert_int_equal(di.security_counter, 1);
	assert_int_equal(sim_stop(&s), 0);

	/* Power cycle: still 1.0.0. Then revert of an unconfirmed 2.0.0. */
	sim_start(&s, "--no-confirm", NULL);
	info(&s, &di);
	assert_string_equal(di.fw_version, "1.0.0");
	assert_true(push(&s, &v2, 0));
	info(&s, &di);
	assert_string_equal(di.fw_version, "2.0.0");
	assert_int_equal(di.security_counter, 1);     /* not confirmed: not raised */
	assert_true(req(&s, FWS_REQ_RESET, NULL, 0));
	info(&s, &di);
	assert_string_equal(di.fw_version, "1.0.0");   /* reverted */
	assert_int_equal(sim_stop(&s), 0);

	/* A power cut in the middle of the 3.0.0 download: exit 3. */
	sim_start(&s, NULL, "6");
	assert_false(push(&s, &v3, 0));
	rc = sim_wait(&s);
	assert_int_equal(rc, 3);
	/* Restart: 1.0.0 runs; resume from the recorded point completes. */
	sim_start(&s, NULL, NULL);
	info(&s, &di);
	assert_string_equal(di.fw_version, "1.0.0");
	assert_true(di.has_resume);
	{
		uint8_t r[FWS_STUB_RESUME_LEN];

		fws_put_le32(r, di.resume_offset);
		assert_int_equal(fws_sha256(v3.data, v3.prefix_len, r + 4), FWS_OK);
		assert_true(req(&s, FWS_REQ_RESUME, r, sizeof r));
		assert_int_equal(s.status, FWS_FRAME_ACK);
		assert_true(push(&s, &v3, di.resume_offset));
	}
	info(&s, &di);
	assert_string_equal(di.fw_version, "3.0.0");
	assert_int_equal(di.security_counter, 3);
	/* And a downgrade is refused over the wire. */
	assert_true(req(&s, FWS_DFU_DNLOAD, v2.data, 4096));
	assert_int_equal(s.status, FWS_FRAME_STALL);
	assert_true(req(&s, FWS_DFU_GETSTATUS, NULL, 0));
	assert_int_equal(s.answer[0], FWS_DFU_ERR_TARGET);
	assert_int_equal((int32_t)fws_get_le32(s.answer + 6), FWS_E_DOWNGRADE);
	assert_int_equal(sim_stop(&s), 0);

	test_pkg_free(&v1);
	test_pkg_free(&v2);
	test_pkg_free(&v3);
}

static void cli_contract(void **state)
{
	sim s;
	int st = 0;
	pid_t pid;

	(void)state;
	/* Missing --model: usage error 2, nothing served. */
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 2);
		execl(sim_path, sim_path, "--state", state_dir, "--trust", trust_path, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 2);
	/* SIGINT ends it cleanly too. */
	sim_start(&s, NULL, NULL);
	kill(s.pid, SIGINT);
	assert_int_equal(sim_wait(&s), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(end_to_end),
		cmocka_unit_test(cli_contract),
	};
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	fws_trust t;
	size_t n;
	FILE *fp;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-fwseal-sim\n", argv[0]);
		return 2;
	}
	sim_path = argv[1];
	signal(SIGPIPE, SIG_IGN);
	if (!test_tmpdir(dir, sizeof dir, "sim"))
		return 1;
	snprintf(trust_path, sizeof trust_path, "%s/trust.bin", dir);
	snprintf(state_dir, sizeof state_dir, "%s/state", dir);
	test_key_generate(&key, 77);
	test_trust_one(&t, &key, 0);
	n = fws_trust_encode(&t, blob, sizeof blob);
	fp = fopen(trust_path, "wb");
	if (fp == NULL || n == 0 || fwrite(blob, 1, n, fp) != n)
		return 1;
	fclose(fp);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	test_key_free(&key);
	if (test_rmtree(dir) != 0)
		rc = rc ? rc : 1;
	return rc;
}
