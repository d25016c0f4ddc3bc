/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_firmware.c - the stub as Cortex-M3 firmware under QEMU (mps2-an385),
 * driven over its UART pty by a raw client that skips every host check:
 * update v1 -> v2, the device-side refusals, persistence across a QEMU
 * restart, refusing to boot a corrupted active image, and resuming a
 * download cut by a power loss.
 *
 * Needs the firmware (scripts/build-firmware) and qemu-system-arm; skips
 * (exit 77) without them. Keys are generated here from fixed seeds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board.h"
#include "flashmap.h"
#include "pool_alloc.h"
#include "fwseal/stub.h"
#include "fwseal/trust.h"
#include "qemu_device.h"
#include "rawlink.h"
#include "testkey.h"
#include "testpkg.h"

#define MODEL      "FW-TEST-1"
#define IMAGE_LEN  7000u   /* 7 blocks, the last one short */
#define BLOCK      1024u
#define CHUNK      1024u
#define META_LEN   4096u   /* FWS_STUB_META_BYTES rounded up to a sector */

typedef struct fixture {
	char dir[64];
	char trust[96];
	char flash[96];
	test_key key, stranger;
	qemu_device dev;
	rawlink link;
	bool running;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof *fx);
	fws_trust t;
	uint8_t blob[FWS_TRUST_BLOB_MAX];

	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/fwseal-fw-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->trust, sizeof fx->trust, "%s/trust.bin", fx->dir);
	snprintf(fx->flash, sizeof fx->flash, "%s/dev/flash.img", fx->dir);
	test_key_generate(&fx->key, 1);
	test_key_generate(&fx->stranger, 2);
	test_trust_one(&t, &fx->key, 0);
	size_t n = fws_trust_encode(&t, blob, sizeof blob);
	assert_true(n > 0);
	FILE *f = fopen(fx->trust, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(blob, 1, n, f), n);
	fclose(f);
	*state = fx;
	return 0;
}

/* Highest stack use seen in any run (printed at the end). */
static long stack_peak_max;

/* Highest use of mbedTLS's pool seen (printed at the end), and the margin
 * it must keep: the pool is sized from measurements (meson option
 * crypto_pool), so the tests guard that margin as they guard the stack's. */
static long pool_peak_max;
#define POOL_MARGIN 96

/* mbedTLS's heap: the `pool` array of crypto_pool.c, painted at reset
 * (POOL_ALLOC_PAINT); the peak is where the paint ends. */
static long pool_peak(fixture *fx)
{
	static uint8_t mem[65536];
	uint32_t addr, size;

	if (qemu_device_symbol("pool", &addr, &size) != 0 || size == 0 || size > sizeof mem ||
	    qemu_device_read_ram(&fx->dev, addr, mem, size) != 0)
		return -1;
	while (size > 0 && mem[size - 1] == POOL_ALLOC_PAINT)
		size--;
	return (long)size;
}

/* The paint is redone at every reset, so these are the peaks since the
 * last boot: called before every reset and stop. */
static void check_stack(fixture *fx)
{
	long peak = qemu_device_stack_peak(&fx->dev);
	long pool = pool_peak(fx);
	uint32_t addr, size = 0;

	assert_true(peak > 0);
	assert_true(peak <= (long)BOARD_STACK_SIZE - 256);
	if (peak > stack_peak_max)
		stack_peak_max = peak;
	assert_int_equal(qemu_device_symbol("pool", &addr, &size), 0);
	assert_true(pool > 0);
	assert_true(pool <= (long)size - POOL_MARGIN);
	if (pool > pool_peak_max)
		pool_peak_max = pool;
}

static void stop(fixture *fx)
{
	if (!fx->running)
		return;
	check_stack(fx);
	rawlink_close(&fx->link);
	/* 0: QEMU ended by our signal, not by a firmware fault (status 1). */
	int st = qemu_device_stop(&fx->dev);
	if (st != 0) {
		char cmd[160];
		snprintf(cmd, sizeof cmd, "cat '%s/dev/qemu.log' >&2", fx->dir);
		(void)system(cmd);
	}
	assert_int_equal(st, 0);
	fx->running = false;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	char cmd[128];

	if (fx->running) {
		rawlink_close(&fx->link);
		qemu_device_stop(&fx->dev);
	}
	test_key_free(&fx->key);
	test_key_free(&fx->stranger);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

static void start(fixture *fx)
{
	char dir[96];

	snprintf(dir, sizeof dir, "%s/dev", fx->dir);
	assert_int_equal(qemu_device_start(&fx->dev, dir, fx->trust, MODEL), 0);
	assert_int_equal(rawlink_open(&fx->link, fx->dev.pty), 0);
	fx->running = true;
}

static void info(fixture *fx, fws_devinfo *di)
{
	assert_int_equal(rawlink_info(&fx->link, di), FWS_OK);
}

static void build(test_pkg *p, const char *version, uint32_t counter, const char *model,
                  const test_key *key, uint32_t seed)
{
	test_pkg_opts o = {0};
	uint8_t *img = test_image(IMAGE_LEN, seed);

	o.model = model;
	o.version = version;
	o.security_counter = counter;
	o.block_size = BLOCK;
	o.keys[0] = key;
	test_pkg_build(p, img, IMAGE_LEN, &o);
	free(img);
}

/* Download the stream from byte `from` on (0, or a resume point after
 * RESUME), reset, and check the device runs the new version. */
static void update_from(fixture *fx, const test_pkg *p, size_t from, const char *version)
{
	fws_devinfo di;

	assert_int_equal(rawlink_download(&fx->link, p->data + from, p->len - from, CHUNK, NULL),
	                 FWS_OK);
	check_stack(fx);
	assert_int_equal(rawlink_reset(&fx->link), 0);
	info(fx, &di);
	assert_string_equal(di.fw_version, version);
	assert_int_equal(di.boot_state, FWS_BOOT_APP);
	assert_false(di.has_resume);
}

static void update(fixture *fx, const test_pkg *p, const char *version)
{
	update_from(fx, p, 0, version);
}

static uint8_t *read_flash(const fixture *fx, size_t *len)
{
	FILE *f = fopen(fx->flash, "rb");
	uint8_t *p = malloc(16u << 20);

	assert_non_null(f);
	assert_non_null(p);
	*len = fread(p, 1, 16u << 20, f);
	fclose(f);
	return p;
}

static bool flash_contains(const fixture *fx, const uint8_t *needle, size_t n)
{
	size_t len;
	uint8_t *hay = read_flash(fx, &len);
	bool found = memmem(hay, len, needle, n) != NULL;
	free(hay);
	return found;
}

static int active_slot(const fws_devinfo *di)
{
	for (unsigned i = 0; i < FWS_DEVINFO_SLOTS; i++)
		if (di->slots[i].present && (di->slots[i].flags & FWS_SLOT_FLAG_ACTIVE))
			return (int)i;
	return -1;
}

/* A fresh device waits in the stub; v1 then v2 install and run. */
static void test_update_v1_v2(void **state)
{
	fixture *fx = *state;
	fws_devinfo di;
	test_pkg v1, v2;

	start(fx);
	info(fx, &di);
	assert_string_equal(di.model, MODEL);
	assert_int_equal(di.boot_state, FWS_BOOT_STUB);
	assert_string_equal(di.fw_version, "");
	assert_int_equal(di.key_count, 1);
	assert_memory_equal(di.keys[0].id, fx->key.id, FWS_KEY_ID_LEN);

	build(&v1, "1.0.0", 1, MODEL, &fx->key, 11);
	build(&v2, "2.0.0", 2, MODEL, &fx->key, 22);
	update(fx, &v1, "1.0.0");
	update(fx, &v2, "2.0.0");
	info(fx, &di);
	assert_int_equal(di.security_counter, 2);
	test_pkg_free(&v1);
	test_pkg_free(&v2);
	stop(fx);
}

/* Refused on the device, whatever the host does: the running image stays. */
static void refuse(fixture *fx, const test_pkg *p, fws_err want)
{
	fws_devinfo di;

	assert_int_equal(rawlink_download(&fx->link, p->data, p->len, CHUNK, NULL), want);
	assert_int_equal(rawlink_clrstatus(&fx->link), 0);
	info(fx, &di);
	assert_string_equal(di.fw_version, "2.0.0");
}

static void test_refusals(void **state)
{
	fixture *fx = *state;
	fws_devinfo di;
	test_pkg v1, v2, p;
	size_t at;

	start(fx);
	build(&v1, "1.0.0", 1, MODEL, &fx->key, 11);
	build(&v2, "2.0.0", 2, MODEL, &fx->key, 22);
	update(fx, &v1, "1.0.0");
	update(fx, &v2, "2.0.0");

	/* Tampered block 3: refused when it arrives, never written. Blocks
	 * before it are written (the positive control for the search). */
	build(&p, "3.0.0", 3, MODEL, &fx->key, 33);
	size_t b0 = p.prefix_len, b3 = p.prefix_len + 3u * (BLOCK + FWS_SHA256_LEN);
	p.data[b3 + 100] ^= 0x01;
	assert_int_equal(rawlink_download(&fx->link, p.data, p.len, CHUNK, &at), FWS_E_BLOCK_DIGEST);
	assert_true(at >= b3 && at < b3 + BLOCK + FWS_SHA256_LEN + CHUNK);
	assert_true(flash_contains(fx, p.data + b0, BLOCK));
	assert_false(flash_contains(fx, p.data + b3, BLOCK));
	assert_int_equal(rawlink_clrstatus(&fx->link), 0);
	test_pkg_free(&p);

	build(&p, "3.0.0", 3, MODEL, &fx->key, 33);
	p.data[p.prefix_len - 10] ^= 0x01; /* inside s of the signature */
	refuse(fx, &p, FWS_E_SIGNATURE);
	test_pkg_free(&p);

	build(&p, "3.0.0", 3, MODEL, &fx->stranger, 33);
	refuse(fx, &p, FWS_E_UNTRUSTED_KEY);
	test_pkg_free(&p);

	build(&p, "3.0.0", 3, "OTHER-MODEL", &fx->key, 33);
	refuse(fx, &p, FWS_E_MODEL);
	test_pkg_free(&p);

	build(&p, "1.0.1", 1, MODEL, &fx->key, 44);
	refuse(fx, &p, FWS_E_DOWNGRADE);
	test_pkg_free(&p);

	/* After all that, a reboot still runs v2. */
	check_stack(fx);
	assert_int_equal(rawlink_reset(&fx->link), 0);
	info(fx, &di);
	assert_string_equal(di.fw_version, "2.0.0");
	assert_int_equal(di.security_counter, 2);
	test_pkg_free(&v1);
	test_pkg_free(&v2);
	stop(fx);
}

/* The flash file is the device's flash: a new QEMU run boots what the last
 * one installed. */
static void test_persists_across_restart(void **state)
{
	fixture *fx = *state;
	fws_devinfo di;
	test_pkg v1;

	start(fx);
	build(&v1, "1.0.0", 7, MODEL, &fx->key, 11);
	update(fx, &v1, "1.0.0");
	stop(fx);

	start(fx);
	info(fx, &di);
	assert_string_equal(di.fw_version, "1.0.0");
	assert_int_equal(di.boot_state, FWS_BOOT_APP);
	assert_int_equal(di.security_counter, 7);
	test_pkg_free(&v1);
	stop(fx);
}

/* One flipped bit in the active image (flash changed behind the stub's
 * back): the stub does not run it, and a good package recovers the device. */
static void test_refuses_corrupt_image(void **state)
{
	fixture *fx = *state;
	fws_devinfo di;
	test_pkg v1;

	start(fx);
	build(&v1, "1.0.0", 1, MODEL, &fx->key, 11);
	update(fx, &v1, "1.0.0");
	info(fx, &di);
	int slot = active_slot(&di);
	assert_true(slot >= 0);
	stop(fx);

	uint32_t off = (slot == 0 ? FLASHMAP_SLOT0_OFF : FLASHMAP_SLOT1_OFF) + META_LEN + 5000u; /* inside block 4 */
	FILE *f = fopen(fx->flash, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, (long)off, SEEK_SET), 0);
	int c = fgetc(f);
	assert_int_equal(fseek(f, (long)off, SEEK_SET), 0);
	fputc(c ^ 0x10, f);
	fclose(f);

	start(fx);
	info(fx, &di);
	assert_int_equal(di.boot_state, FWS_BOOT_STUB);
	assert_string_equal(di.fw_version, "");
	assert_int_equal(di.slots[slot].state, FWS_SLOT_INVALID);

	update(fx, &v1, "1.0.0");
	test_pkg_free(&v1);
	stop(fx);
}

/* Power cut in the middle of a download: the next boot offers a resume
 * point, RESUME continues from it (it re-verifies the stored prefix: the
 * deepest stack path of the stub, checked by stop()), and the rest of the
 * stream completes the update. A resume with the wrong prefix is refused. */
static void test_resume_after_power_cut(void **state)
{
	fixture *fx = *state;
	fws_devinfo di;
	test_pkg v1;
	uint8_t digest[FWS_SHA256_LEN];

	start(fx);
	build(&v1, "1.0.0", 1, MODEL, &fx->key, 11);
	size_t cut = v1.prefix_len + 4u * (BLOCK + FWS_SHA256_LEN) + 100u;
	assert_int_equal(rawlink_send(&fx->link, v1.data, cut, CHUNK, NULL), FWS_OK);
	stop(fx);

	start(fx);
	info(fx, &di);
	assert_int_equal(di.boot_state, FWS_BOOT_STUB);
	assert_true(di.has_resume);
	assert_true(di.resume_offset > v1.prefix_len && di.resume_offset <= cut);
	assert_int_equal((di.resume_offset - v1.prefix_len) % (BLOCK + FWS_SHA256_LEN), 0);
	assert_int_equal(fws_sha256(v1.data, v1.prefix_len, digest), FWS_OK);
	assert_memory_equal(di.resume_prefix_sha256, digest, FWS_SHA256_LEN);

	digest[3] ^= 0x01;
	assert_int_equal(rawlink_resume(&fx->link, di.resume_offset, digest), -1);
	assert_int_equal(rawlink_clrstatus(&fx->link), 0);
	digest[3] ^= 0x01;
	assert_int_equal(rawlink_resume(&fx->link, di.resume_offset, digest), 0);
	update_from(fx, &v1, di.resume_offset, "1.0.0");
	test_pkg_free(&v1);
	stop(fx);
}

int main(void)
{
	const char *why = NULL;

	if (!qemu_device_available(&why)) {
		printf("skipped: %s\n", why);
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_update_v1_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persists_across_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_corrupt_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_after_power_cut, setup, teardown),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	printf("firmware stack peak: %ld of %u bytes\n", stack_peak_max, (unsigned)BOARD_STACK_SIZE);
	printf("firmware mbedTLS pool peak: %ld bytes\n", pool_peak_max);
	return failed;
}
