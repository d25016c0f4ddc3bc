/* SPDX-License-Identifier: Apache-2.0 */
#include "qemu_device.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "board.h"

#define START_TIMEOUT_MS 20000
#define STOP_TIMEOUT_MS  10000

static const char *runner_path(void)
{
	const char *p = getenv("FWSEAL_QEMU_RUNNER");
	return p ? p : FWSEAL_QEMU_RUNNER_DEFAULT;
}

static const char *firmware_path(void)
{
	const char *p = getenv("FWSEAL_FIRMWARE");
	return p ? p : FWSEAL_FIRMWARE_DEFAULT;
}

bool qemu_device_available(const char **why)
{
	if (access(runner_path(), X_OK) != 0) {
		*why = "scripts/qemu-device is missing";
		return false;
	}
	if (access(firmware_path(), R_OK) != 0) {
		*why = "no firmware; run scripts/build-firmware first";
		return false;
	}
	if (system("command -v qemu-system-arm >/dev/null 2>&1") != 0) {
		*why = "qemu-system-arm is not installed";
		return false;
	}
	return true;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int qemu_device_start(qemu_device *d, const char *state_dir, const char *trust_path,
                      const char *model)
{
	int p[2];
	char line[128];
	size_t n = 0;

	memset(d, 0, sizeof *d);
	snprintf(d->monitor, sizeof d->monitor, "%s/monitor.sock", state_dir);
	snprintf(d->state, sizeof d->state, "%s", state_dir);
	if (pipe(p) != 0)
		return -1;
	d->pid = fork();
	if (d->pid < 0)
		return -1;
	if (d->pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		/* Own process group, so stopping reaches QEMU as well. */
		setpgid(0, 0);
		execl(runner_path(), runner_path(), "--state", state_dir, "--trust", trust_path,
		      "--model", model, "--hw-rev", "1", "--serial-number", "QEMU-TEST-1",
		      "--firmware", firmware_path(), "--monitor", d->monitor, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	long deadline = now_ms() + START_TIMEOUT_MS;
	while (n + 1 < sizeof line) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		long left = deadline - now_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		ssize_t r = read(p[0], line + n, 1);
		if (r <= 0)
			break;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	close(p[0]);
	if (strncmp(line, "serial:", 7) != 0 || n - 7 >= sizeof d->pty) {
		qemu_device_stop(d);
		return -1;
	}
	memcpy(d->pty, line + 7, n - 7 + 1);
	char *at = strchr(d->pty, '@'); /* serial:PATH@BAUD: the path alone */
	if (at)
		*at = '\0';
	return 0;
}

/* Read monitor output up to the "(qemu) " prompt (bounded). */
static int await_prompt(int fd)
{
	char buf[512];
	size_t n = 0;
	long deadline = now_ms() + 5000;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = deadline - now_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		if (n == sizeof buf - 1)
			n = 0; /* only the tail matters */
		ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, "(qemu) ") != NULL)
			return 0;
	}
}

int qemu_device_read_ram(qemu_device *d, uint32_t addr, void *out, size_t len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char cmd[256], dump[128];
	int rc = -1;

	snprintf(a.sun_path, sizeof a.sun_path, "%s", d->monitor);
	snprintf(dump, sizeof dump, "%s/ram.bin", d->state);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 && await_prompt(fd) == 0) {
		int n = snprintf(cmd, sizeof cmd, "memsave 0x%x %zu \"%s\"\n", (unsigned)addr, len, dump);
		if (write(fd, cmd, (size_t)n) == n && await_prompt(fd) == 0) {
			FILE *f = fopen(dump, "rb");
			if (f != NULL) {
				if (fread(out, 1, len, f) == len)
					rc = 0;
				fclose(f);
			}
		}
	}
	close(fd);
	return rc;
}

long qemu_device_stack_peak(qemu_device *d)
{
	uint32_t words[BOARD_STACK_SIZE / 4u];
	size_t i = 0;

	if (qemu_device_read_ram(d, BOARD_RAM_BASE, words, sizeof words) != 0)
		return -1;
	while (i < BOARD_STACK_SIZE / 4u && words[i] == BOARD_STACK_PAINT)
		i++;
	return (long)(BOARD_STACK_SIZE - 4u * i);
}

int qemu_device_symbol(const char *name, uint32_t *addr, uint32_t *size)
{
	char cmd[512], line[256];
	int rc = -1;

	snprintf(cmd, sizeof cmd, "arm-none-eabi-nm -S '%s' 2>/dev/null", firmware_path());
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	while (fgets(line, sizeof line, p) != NULL) {
		unsigned long a, n;
		char type, sym[128];
		if (sscanf(line, "%lx %lx %c %127s", &a, &n, &type, sym) == 4 &&
		    strcmp(sym, name) == 0) {
			*addr = (uint32_t)a;
			*size = (uint32_t)n;
			rc = 0;
		}
	}
	pclose(p);
	return rc;
}

int qemu_device_stop(qemu_device *d)
{
	int st = 0;

	if (d->pid <= 0)
		return -1;
	kill(-d->pid, SIGTERM);
	long deadline = now_ms() + STOP_TIMEOUT_MS;
	for (;;) {
		pid_t r = waitpid(d->pid, &st, WNOHANG);
		if (r == d->pid)
			break;
		if (r < 0 && errno != EINTR)
			break;
		if (now_ms() > deadline) {
			kill(-d->pid, SIGKILL);
			waitpid(d->pid, &st, 0);
			break;
		}
		usleep(10000);
	}
	d->pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
