/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_uart_model.c - the independent UART model the serial benches and
 * tests put between host and device (tests/support/uart_model.c), as its
 * users see it: two ptys, bytes through unchanged each way, never sooner
 * than an 8N1 line at the given rate carries them (the lower bound only: a
 * loaded machine may make it later, never earlier), its byte counts at the
 * end, and --corrupt damaging exactly the chosen frame.
 *
 * usage: test-uart-model PATH-TO-uart-model
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "testproc.h"

static const char *model_path;

typedef struct line {
	test_proc proc;
	int host, dev;
} line;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_raw(const char *path)
{
	struct termios t;
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(tcgetattr(fd, &t), 0);
	cfmakeraw(&t);
	assert_int_equal(tcsetattr(fd, TCSANOW, &t), 0);
	return fd;
}

static void start(line *l, const char *baud, const char *corrupt)
{
	char prog[512], o_baud[] = "--baud", rate[16], o_corrupt[] = "--corrupt", which[32];
	char *argv[] = { prog, o_baud, rate, corrupt ? o_corrupt : NULL, which, NULL };
	char host[128], dev[128];

	snprintf(prog, sizeof prog, "%s", model_path);
	snprintf(rate, sizeof rate, "%s", baud);
	snprintf(which, sizeof which, "%s", corrupt ? corrupt : "");

	assert_true(test_spawn(&l->proc, argv));
	assert_true(test_read_line(&l->proc, host, sizeof host, 5000));
	assert_true(test_read_line(&l->proc, dev, sizeof dev, 5000));
	assert_int_equal(strncmp(host, "host=", 5), 0);
	assert_int_equal(strncmp(dev, "device=", 7), 0);
	l->host = open_raw(host + 5);
	l->dev = open_raw(dev + 7);
}

static void stop(line *l)
{
	int st;

	close(l->host);
	close(l->dev);
	kill(l->proc.pid, SIGTERM);
	assert_int_equal(waitpid(l->proc.pid, &st, 0), l->proc.pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(l->proc.out);
}

/* Write n bytes on one end, read them on the other: seconds it took. */
static double carry(int from, int to, const uint8_t *data, size_t n, uint8_t *got)
{
	size_t have = 0;
	double t0 = now_s();

	assert_int_equal(write(from, data, n), (ssize_t)n);
	while (have < n) {
		struct pollfd p = { .fd = to, .events = POLLIN };
		assert_int_equal(poll(&p, 1, 5000), 1);
		ssize_t r = read(to, got + have, n - have);
		assert_true(r > 0);
		have += (size_t)r;
	}
	return now_s() - t0;
}

static void paced_both_ways(void **state)
{
	static uint8_t data[1920], got[1920];
	line l;

	(void)state;
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 31u + 7u);
	start(&l, "38400", NULL); /* 3,840 bytes a second each way */
	double t = carry(l.host, l.dev, data, sizeof data, got);
	assert_memory_equal(got, data, sizeof data);
	assert_true(t >= 0.499); /* 1,920 bytes: 0.5 s on the line */
	t = carry(l.dev, l.host, data, 384, got);
	assert_memory_equal(got, data, 384);
	assert_true(t >= 0.0999); /* 384 bytes: 0.1 s */
	close(l.host);
	close(l.dev);
	kill(l.proc.pid, SIGTERM);
	int st;
	waitpid(l.proc.pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(l.proc.out);
}

/* --corrupt h2d:1 damages the third byte of the second frame only. */
static void corrupts_the_chosen_frame(void **state)
{
	static const uint8_t frames[] = { 0, 'a', 'b', 'c', 'd', 0, 0, 'e', 'f', 'g', 'h', 0,
	                                  0, 'i', 'j', 'k', 'l', 0 };
	uint8_t got[sizeof frames];
	line l;

	(void)state;
	start(&l, "115200", "h2d:1");
	carry(l.host, l.dev, frames, sizeof frames, got);
	for (size_t i = 0; i < sizeof frames; i++) {
		if (i == 9)
			assert_int_not_equal(got[i], frames[i]); /* 'g' */
		else
			assert_int_equal(got[i], frames[i]);
	}
	stop(&l);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paced_both_ways),
		cmocka_unit_test(corrupts_the_chosen_frame),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test-uart-model PATH-TO-uart-model\n");
		return 2;
	}
	model_path = argv[1];
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
