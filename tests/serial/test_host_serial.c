/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_host_serial.c - the host serial transport (host-tool/lib/serial.c)
 * over a real pseudo-terminal against the REAL device side: the stub core's
 * serial layer (fws_stub_serial) on the simulated flash, served by a thread
 * on the pty master. A hook on the device's send path loses answers, prefixes
 * line noise or trickles bytes one at a time, to prove:
 *   - a lost answer is retransmitted with the same sequence number and the
 *     device answers from its cache without executing the request again
 *     (otherwise the download would fail its hash chain);
 *   - the decoder resynchronises after garbage and takes answers in pieces;
 *   - a silent device gives FWS_E_TIMEOUT after the bounded retries, a
 *     vanished one FWS_E_DISCONNECTED;
 *   - with the device's window (DL_WINDOW), several DNLOADs in flight: an
 *     answer overtaken by the next one is matched by its seq, a lost one
 *     makes the host go back over the window, and the install still
 *     verifies (nothing executed twice, nothing skipped).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fwseal/stub_serial.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/session.h"
#include "test_stub_rig.h"

static rig *g_rig;
static fws_stub_serial g_ser;
static int g_master = -1;
static char g_dev[128];
static pthread_t g_thread;
static atomic_int g_stop;

/* fault injection on the device's answers */
static atomic_int g_drop_answer;    /* drop the answer number N (1-based), 0: none */
static atomic_int g_garbage_answer; /* prefix line noise to answer N */
static atomic_int g_trickle;        /* write answers one byte at a time */
static atomic_int g_silent;         /* stop answering at all */
static atomic_int g_answers;        /* answers sent (incl. cached repeats) */
static atomic_int g_dropped;
static atomic_int g_repeats;       /* requests the device answered again from its cache */
static atomic_int g_dropped_in;    /* windowed requests the device dropped (out of order) */
static atomic_long g_corrupt_at;   /* flip a bit of input byte number N (1-based), 0: none */
static long g_in_bytes;
static atomic_int g_swap_answer;    /* hold answer N back until after N + 1 */
static uint8_t g_held[64];
static size_t g_held_len;

static fws_err dev_send(void *ctx, const uint8_t *src, size_t len)
{
	(void)ctx;
	int n = atomic_fetch_add(&g_answers, 1) + 1;
	if (atomic_load(&g_silent))
		return FWS_OK;
	if (n == atomic_load(&g_drop_answer)) {
		atomic_fetch_add(&g_dropped, 1);
		return FWS_OK; /* lost on the line */
	}
	if (n == atomic_load(&g_swap_answer) && len <= sizeof g_held) {
		memcpy(g_held, src, len); /* overtaken on the line by the next one */
		g_held_len = len;
		return FWS_OK;
	}
	if (n == atomic_load(&g_garbage_answer)) {
		static const uint8_t noise[] = { 0x13, 0x37, 0xFF, 0x42, 0x01, 0x99 };
		if (write(g_master, noise, sizeof noise) != (ssize_t)sizeof noise)
			return FWS_E_IO;
	}
	size_t step = atomic_load(&g_trickle) ? 1 : len;
	for (size_t off = 0; off < len; off += step)
		if (write(g_master, src + off, len - off < step ? len - off : step) < 0)
			return FWS_E_IO;
	if (n == atomic_load(&g_swap_answer) + 1 && g_held_len) {
		if (write(g_master, g_held, g_held_len) != (ssize_t)g_held_len)
			return FWS_E_IO;
		g_held_len = 0;
	}
	return FWS_OK;
}

static void *device_thread(void *arg)
{
	(void)arg;
	uint8_t buf[512];
	while (!atomic_load(&g_stop)) {
		struct pollfd p = { g_master, POLLIN, 0 };
		if (poll(&p, 1, 20) <= 0)
			continue;
		ssize_t n = read(g_master, buf, sizeof buf);
		if (n <= 0)
			continue;
		long at = atomic_load(&g_corrupt_at) - 1 - g_in_bytes;
		if (at >= 0 && at < n)
			buf[at] ^= 0x04; /* line noise: that request never arrives */
		g_in_bytes += n;
		fws_stub_serial_input(&g_ser, buf, (size_t)n);
		if (fws_stub_reset_pending(&g_rig->stub)) {
			/* the device reboots: a new stub and a fresh link state */
			if (rig_power_on(g_rig, true) != FWS_OK)
				abort();
			atomic_fetch_add(&g_repeats, (int)g_ser.frames_repeated);
			atomic_fetch_add(&g_dropped_in, (int)g_ser.frames_dropped);
			fws_stub_serial_init(&g_ser, &g_rig->stub);
		}
	}
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	g_rig = rig_new(1024 * 1024);
	assert_int_equal(rig_power_on(g_rig, true), FWS_OK);
	g_rig->dev.hal.send = dev_send;
	fws_stub_serial_init(&g_ser, &g_rig->stub);
	int slave;
	assert_int_equal(openpty(&g_master, &slave, g_dev + 7, NULL, NULL), 0);
	memcpy(g_dev, "serial:", 7);
	close(slave); /* the host opens it by name, like a user would */
	/* non-blocking: the host's tcflush() may take bytes poll() announced */
	fcntl(g_master, F_SETFL, fcntl(g_master, F_GETFL) | O_NONBLOCK);
	atomic_store(&g_stop, 0);
	atomic_store(&g_drop_answer, 0);
	atomic_store(&g_garbage_answer, 0);
	atomic_store(&g_trickle, 0);
	atomic_store(&g_silent, 0);
	atomic_store(&g_answers, 0);
	atomic_store(&g_dropped, 0);
	atomic_store(&g_swap_answer, 0);
	atomic_store(&g_repeats, 0);
	atomic_store(&g_dropped_in, 0);
	atomic_store(&g_corrupt_at, 0);
	g_in_bytes = 0;
	g_held_len = 0;
	assert_int_equal(pthread_create(&g_thread, NULL, device_thread, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	atomic_store(&g_stop, 1);
	pthread_join(g_thread, NULL);
	if (g_master >= 0)
		close(g_master);
	g_master = -1;
	rig_free(g_rig);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static fwh_link *open_dev(uint32_t timeout_ms, unsigned retries)
{
	fwh_link_opts o = { .timeout_ms = timeout_ms, .retries = retries };
	fwh_link *l = NULL;
	fwh_error err;
	fws_err e = fwh_open(g_dev, &o, &l, &err);
	if (e != FWS_OK)
		fail_msg("open %s: %s", g_dev, err.msg);
	return l;
}

static void test_info_and_getstatus(void **state)
{
	(void)state;
	fwh_link *l = open_dev(0, 0);
	fws_devinfo d;
	fwh_error err;
	assert_int_equal(fwh_dfu_info(l, &d, &err), FWS_OK);
	assert_string_equal(d.model, RIG_MODEL);
	assert_string_equal(d.serial, "RIG-0001");
	fwh_dfu_status st;
	assert_int_equal(fwh_dfu_getstatus(l, &st, &err), FWS_OK);
	assert_int_equal(st.state, FWS_DFU_IDLE);
	assert_int_equal(st.detail, FWS_OK);
	/* a refused request comes back with the device's own reason */
	assert_int_equal(fwh_dfu_clrstatus(l, &err), FWS_E_SEQUENCE);
	assert_true(err.from_device);
	fwh_close(l);
}

/* Flash a package over the pty with one answer lost at answer number drop. */
static void flash_with_faults(int drop, int garbage, bool trickle)
{
	atomic_store(&g_drop_answer, drop);
	atomic_store(&g_garbage_answer, garbage);
	atomic_store(&g_trickle, trickle);
	uint8_t *img = test_image(30000, 5);
	test_pkg_opts o = { .model = RIG_MODEL, .version = "1.0.0", .block_size = 1024,
	                    .with_suffix = 1, .keys = { &g_rig->key } };
	test_pkg p;
	test_pkg_build(&p, img, 30000, &o);
	char path[] = "/tmp/fwseal-hser.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p.data, p.len), (ssize_t)p.len);
	close(fd);
	fws_trust t;
	test_trust_one(&t, &g_rig->key, 0);
	fwh_package pkg;
	fwh_error err;
	assert_int_equal(fwh_package_open(&pkg, path, &t, &err), FWS_OK);
	fwh_link *l = open_dev(150, 3);
	fwh_flash_result res;
	fwh_flash_opts fo = { .restart_timeout_ms = 3000 };
	fws_err e = fwh_flash(&l, &pkg, &fo, &res, &err);
	if (e != FWS_OK)
		fail_msg("flash: %s", err.msg);
	assert_string_equal(res.after.fw_version, "1.0.0");
	fwh_close(l);
	fwh_package_close(&pkg);
	unlink(path);
	test_pkg_free(&p);
	free(img);
}

/* Answer 5 is a DNLOAD answer (GETSTATUS, INFO, DNLOAD, GETSTATUS, DNLOAD):
 * losing it makes the host send the same DNLOAD again; a device
 * that executed it twice would feed the same bytes twice and fail the
 * hash chain, so a successful install proves the cached answer. */
static void test_lost_answer_is_retransmitted(void **state)
{
	(void)state;
	flash_with_faults(5, 0, false);
	assert_int_equal(atomic_load(&g_dropped), 1);
	assert_int_equal(atomic_load(&g_repeats), 1); /* the one DNLOAD, from the cache */
}

/* The device takes 4 DNLOADs in flight. Answers: GETSTATUS, INFO, then one
 * per DNLOAD. Answer 6 (a DNLOAD's) overtaken by answer 7, and answer 11
 * lost while the three DNLOADs after it were answered: the host matches
 * answers by seq and sends only the unanswered DNLOAD again, which the
 * device answers from its cache (run twice, the hash chain would fail). */
static void test_window_overtaken_and_lost_answers(void **state)
{
	(void)state;
	g_rig->stub.cfg.dl_window = 4;
	g_rig->stub.cfg.dl_flags = FWS_DL_UNIT_CHUNKS;
	atomic_store(&g_swap_answer, 6);
	flash_with_faults(11, 0, false);
	assert_int_equal(atomic_load(&g_dropped), 1);
	assert_int_equal(atomic_load(&g_repeats), 1);
}

/* A DNLOAD damaged on its way in the middle of the window: the device drops
 * it (CRC) and the ones after it (out of order, FWS_FRAME_REQ_WINDOW) until
 * the host times out and goes back over every unanswered one, in order. */
static void test_window_lost_request(void **state)
{
	(void)state;
	g_rig->stub.cfg.dl_window = 4;
	g_rig->stub.cfg.dl_flags = FWS_DL_UNIT_CHUNKS;
	atomic_store(&g_corrupt_at, 6000); /* inside the fifth or so DNLOAD */
	flash_with_faults(0, 0, false);
	assert_true(atomic_load(&g_dropped_in) >= 1);
	assert_true(atomic_load(&g_dropped_in) <= 3);
}

static void test_garbage_and_trickle(void **state)
{
	(void)state;
	flash_with_faults(0, 4, true);
}

static void test_silent_device_times_out(void **state)
{
	(void)state;
	atomic_store(&g_silent, 1);
	fwh_link *l = open_dev(100, 2);
	fws_devinfo d;
	fwh_error err;
	uint64_t t0 = now_ms();
	assert_int_equal(fwh_dfu_info(l, &d, &err), FWS_E_TIMEOUT);
	uint64_t took = now_ms() - t0;
	assert_true(took >= 290 && took < 2000); /* 3 tries of 100 ms, bounded */
	assert_non_null(strstr(err.msg, "did not answer"));
	assert_int_equal(atomic_load(&g_answers), 3); /* one answer per try */
	fwh_close(l);
}

static void test_vanished_device(void **state)
{
	(void)state;
	fwh_link *l = open_dev(200, 2);
	atomic_store(&g_stop, 1);
	pthread_join(g_thread, NULL);
	close(g_master); /* the other end of the cable is gone */
	g_master = -1;
	atomic_store(&g_stop, 0);
	assert_int_equal(pthread_create(&g_thread, NULL, device_thread, NULL), 0);
	fws_devinfo d;
	fwh_error err;
	fws_err e = fwh_dfu_info(l, &d, &err);
	assert_true(e == FWS_E_DISCONNECTED || e == FWS_E_TIMEOUT);
	fwh_close(l);
}

static void test_open_errors(void **state)
{
	(void)state;
	fwh_link *l = NULL;
	fwh_error err;
	assert_int_equal(fwh_open("serial:/dev/does-not-exist", NULL, &l, &err), FWS_E_NO_DEVICE);
	assert_null(l);
	assert_int_equal(fwh_open("serial:/etc/hostname", NULL, &l, &err), FWS_E_INVAL);
	assert_non_null(strstr(err.msg, "not a serial port"));
	char bad[160];
	snprintf(bad, sizeof bad, "%s@12345", g_dev);
	assert_int_equal(fwh_open(bad, NULL, &l, &err), FWS_E_INVAL);
	assert_non_null(strstr(err.msg, "not a standard rate"));
	/* a second host on the same port is refused while the first holds it */
	fwh_link *first = open_dev(0, 0);
	assert_int_equal(fwh_open(g_dev, NULL, &l, &err), FWS_E_IO);
	assert_non_null(strstr(err.msg, "in use"));
	fwh_close(first);
}

static void test_device_strings(void **state)
{
	(void)state;
	fwh_dev_id id;
	char s[FWH_DEVSTR_MAX];
	assert_int_equal(fwh_dev_id_parse("serial:/dev/ttyUSB0@921600", &id, NULL), FWS_OK);
	assert_int_equal(id.kind, FWH_KIND_SERIAL);
	assert_string_equal(id.path, "/dev/ttyUSB0");
	assert_int_equal(id.baud, 921600);
	fwh_dev_id_format(&id, s, sizeof s);
	assert_string_equal(s, "serial:/dev/ttyUSB0@921600");
	assert_int_equal(fwh_dev_id_parse("usb:1209:5EA1:SN-7", &id, NULL), FWS_OK);
	assert_int_equal(id.kind, FWH_KIND_USB);
	assert_int_equal(id.vid, 0x1209);
	assert_int_equal(id.pid, 0x5ea1);
	assert_string_equal(id.serial, "SN-7");
	fwh_dev_id_format(&id, s, sizeof s);
	assert_string_equal(s, "usb:1209:5ea1:SN-7");
	assert_int_equal(fwh_dev_id_parse("hid:@1-1.2", &id, NULL), FWS_OK);
	assert_int_equal(id.kind, FWH_KIND_HID);
	assert_string_equal(id.path, "1-1.2");
	fwh_dev_id_format(&id, s, sizeof s);
	assert_string_equal(s, "hid:@1-1.2");
	assert_int_equal(fwh_dev_id_parse("hid", &id, NULL), FWS_OK);
	assert_int_equal(id.kind, FWH_KIND_HID);
	assert_false(id.has_vid_pid);
	static const char *const bad[] = { "", "serial:", "serial:/dev/x@", "serial:/dev/x@9k",
	                                   "usb:12345:1", "usb:zz:01", "usbx", "/dev/ttyUSB0",
	                                   "hid:1209", "tcp:host", "usb:@", "usb:@1-1;rm" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fwh_error err;
		assert_int_equal(fwh_dev_id_parse(bad[i], &id, &err), FWS_E_INVAL);
		assert_non_null(strstr(err.msg, "not a valid device"));
	}
}

int main(void)
{
	if (getenv("FWSEAL_TEST_FILTER")) /* run one test, e.g. under a debugger */
		cmocka_set_test_filter(getenv("FWSEAL_TEST_FILTER"));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_info_and_getstatus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_answer_is_retransmitted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_and_trickle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_overtaken_and_lost_answers, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_window_lost_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_device_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vanished_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test(test_device_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
