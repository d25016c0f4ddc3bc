/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core: the update path and the refusal set, driven through
 * fws_stub_handle as a hostile host that skips every host-side check. For
 * every refusal: the right detail error and DFU status, nothing unverified
 * written, and after a power cycle the device still runs its old image with
 * its old counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fwseal/le.h"
#include "test_stub_rig.h"

#define FLASH (256u * 1024u)
#define IMG_LEN (10u * 1024u + 100u)

static rig *with_v1(void)
{
	rig *r = rig_new(FLASH);

	assert_int_equal(rig_power_on(r, true), FWS_OK);
	rig_install(r, "1.0.0", 5, IMG_LEN);
	assert_string_equal(rig_running(r), "1.0.0");
	assert_int_equal(r->stub.j.counter, 5);
	return r;
}

/* After a refusal: the device is in dfuERROR with status, and once power
 * cycled it runs 1.0.0 with counter 5; the flash rules were never broken. */
static void check_refused(rig *r, fws_err got, fws_err want, uint8_t status)
{
	uint8_t state = 0;

	assert_int_equal(got, want);
	assert_int_equal(fws_stub_last_error(&r->stub), want);
	assert_int_equal(rig_status(r, &state), status);
	assert_int_equal(state, FWS_DFU_ERROR);
	assert_int_equal(rig_req(r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
	assert_int_equal(rig_status(r, &state), FWS_DFU_OK);
	assert_int_equal(state, FWS_DFU_IDLE);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "1.0.0");
	assert_int_equal(r->stub.j.counter, 5);
	assert_int_equal(r->dev.flash.violations, 0);
}

/* Send a whole (bad) package and return the first refusal. */
static fws_err push(rig *r, const uint8_t *p, size_t len)
{
	return rig_download(r, p, len, 1000);
}

static void fresh_device_waits_in_stub(void **state)
{
	rig *r = rig_new(FLASH);
	fws_devinfo info;

	(void)state;
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_int_equal(r->boot.action, FWS_BOOT_STAY);
	fws_stub_info(&r->stub, &info);
	assert_int_equal(info.boot_state, FWS_BOOT_STUB);
	assert_int_equal(info.slots[0].state, FWS_SLOT_EMPTY);
	assert_string_equal(info.model, RIG_MODEL);
	/* nothing runs, so no image digest; the rig is not flagged a simulator */
	assert_false(info.has_image_sha256);
	assert_false(info.simulator);
	assert_string_equal(info.crypto_lib, fws_crypto_lib());
	rig_free(r);
}

static void update_and_info(void **state)
{
	rig *r = with_v1();
	uint8_t *img = test_image(IMG_LEN, 99);
	uint8_t rec[FWS_DEVINFO_MAX];
	size_t n = 0;
	fws_devinfo info;
	test_pkg p;

	(void)state;
	rig_pkg(&p, &r->key, "2.0.0", 6, img, IMG_LEN, 1024);
	/* Odd chunking: the device takes the stream in any pieces. */
	assert_int_equal(rig_download(r, p.data, p.len, 77), FWS_OK);
	/* Committed, not yet running; counter not raised before confirm. */
	assert_string_equal(rig_running(r), "1.0.0");
	assert_int_equal(r->stub.j.counter, 5);
	assert_int_equal(rig_power_on(r, false), FWS_OK);
	assert_true(r->boot.trial);
	assert_string_equal(rig_running(r), "2.0.0");
	assert_int_equal(r->stub.j.counter, 5);
	assert_int_equal(fws_stub_confirm(&r->stub), FWS_OK);
	assert_int_equal(r->stub.j.counter, 6);
	/* INFO answers the encoded record. */
	assert_int_equal(rig_req(r, FWS_REQ_INFO, 0, NULL, 0, rec, sizeof rec, &n), FWS_OK);
	assert_int_equal(fws_devinfo_decode(rec, n, &info), FWS_OK);
	assert_string_equal(info.fw_version, "2.0.0");
	assert_int_equal(info.security_counter, 6);
	assert_int_equal(info.boot_state, FWS_BOOT_APP);
	assert_int_equal(info.key_count, 2);
	assert_int_equal(info.keys[1].flags, FWS_TRUST_REVOKED);
	assert_int_equal(info.max_block, 4096);
	/* the running image's digest, from its verified manifest: the SHA-256
	 * of exactly the image bytes that were packed */
	{
		uint8_t want[FWS_SHA256_LEN];

		assert_int_equal(fws_sha256(img, IMG_LEN, want), FWS_OK);
		assert_true(info.has_image_sha256);
		assert_memory_equal(info.image_sha256, want, FWS_SHA256_LEN);
	}
	/* UPLOAD on the info alt setting gives the same record. */
	{
		uint8_t up[FWS_DEVINFO_MAX];
		size_t m = 0;

		assert_int_equal(rig_req(r, FWS_DFU_UPLOAD, FWS_ALT_INFO, NULL, 0, up, sizeof up, &m),
		                 FWS_OK);
		assert_int_equal(m, n);
		assert_memory_equal(up, rec, n);
	}
	assert_int_equal(r->dev.flash.violations, 0);
	test_pkg_free(&p);
	free(img);
	rig_free(r);
}

static void unconfirmed_update_reverts(void **state)
{
	rig *r = with_v1();
	uint8_t *img = test_image(IMG_LEN, 98);
	test_pkg p;

	(void)state;
	rig_pkg(&p, &r->key, "2.0.0", 6, img, IMG_LEN, 1024);
	assert_int_equal(rig_download(r, p.data, p.len, 4096), FWS_OK);
	assert_int_equal(rig_power_on(r, false), FWS_OK);
	assert_string_equal(rig_running(r), "2.0.0");
	/* A download while the test boot is unconfirmed is refused. */
	assert_int_equal(push(r, p.data, p.len), FWS_E_STATE);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_true(r->boot.reverted);
	assert_string_equal(rig_running(r), "1.0.0");
	assert_int_equal(r->stub.j.counter, 5);
	test_pkg_free(&p);
	free(img);
	rig_free(r);
}

/* A first install that never confirms is reverted, and the fallback rule
 * does not pick it up again at the next reset; a new download clears it. */
static void reverted_first_install_stays_rejected(void **state)
{
	rig *r = rig_new(FLASH);
	uint8_t *img = test_image(IMG_LEN, 90);
	test_pkg p;

	(void)state;
	assert_int_equal(rig_power_on(r, false), FWS_OK);
	rig_pkg(&p, &r->key, "1.0.0", 1, img, IMG_LEN, 1024);
	assert_int_equal(rig_download(r, p.data, p.len, 4096), FWS_OK);
	assert_int_equal(rig_power_on(r, false), FWS_OK);
	assert_true(r->boot.trial);
	assert_int_equal(rig_power_on(r, false), FWS_OK);
	assert_true(r->boot.reverted);
	assert_int_equal(r->boot.action, FWS_BOOT_STAY);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_int_equal(r->boot.action, FWS_BOOT_STAY);
	assert_int_equal(r->stub.slot[0].state, FWS_SLOT_INVALID);
	assert_int_equal(rig_download(r, p.data, p.len, 4096), FWS_OK);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "1.0.0");
	assert_int_equal(r->stub.j.counter, 1);
	test_pkg_free(&p);
	free(img);
	rig_free(r);
}

/* Block 2 of the stream is altered: refused before it is programmed, and
 * the staging slot never holds it. */
static void tampered_block_never_written(void **state)
{
	rig *r = with_v1();
	uint8_t *img = test_image(IMG_LEN, 97);
	uint8_t *seen = malloc(1024);
	uint8_t staging;
	uint32_t where;
	test_pkg p;

	(void)state;
	rig_pkg(&p, &r->key, "2.0.0", 6, img, IMG_LEN, 1024);
	p.data[rig_block_off(p.prefix_len, 1024, 2) + 10] ^= 0x01;
	staging = (uint8_t)(r->stub.running ^ 1u);
	check_refused(r, push(r, p.data, p.len), FWS_E_BLOCK_DIGEST, FWS_DFU_ERR_VERIFY);
	where = r->dev.hal.geom.slot[staging].off + r->stub.meta_len + 2u * 1024u;
	assert_int_equal(fws_simflash_read(&r->dev.flash, where, seen, 1024), FWS_OK);
	assert_memory_not_equal(seen, p.data + rig_block_off(p.prefix_len, 1024, 2), 1024);
	for (unsigned i = 0; i < 1024; i++)
		assert_int_equal(seen[i], 0xFF);
	test_pkg_free(&p);
	free(seen);
	free(img);
	rig_free(r);
}

static void prefix_refusals(void **state)
{
	uint8_t *img = test_image(IMG_LEN, 96);
	struct {
		const char *name;
		fws_err want;
		uint8_t status;
	} cases[] = {
		{"bad signature", FWS_E_SIGNATURE, FWS_DFU_ERR_VERIFY},
		{"manifest altered", FWS_E_SIGNATURE, FWS_DFU_ERR_VERIFY},
		{"wrong key", FWS_E_UNTRUSTED_KEY, FWS_DFU_ERR_VERIFY},
		{"revoked key", FWS_E_REVOKED_KEY, FWS_DFU_ERR_VERIFY},
		{"wrong model", FWS_E_MODEL, FWS_DFU_ERR_TARGET},
		{"hw rev", FWS_E_HW_REV, FWS_DFU_ERR_TARGET},
		{"component", FWS_E_COMPONENT, FWS_DFU_ERR_TARGET},
		{"downgrade", FWS_E_DOWNGRADE, FWS_DFU_ERR_TARGET},
		{"not a package", FWS_E_MAGIC, FWS_DFU_ERR_FILE},
	};

	(void)state;
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		rig *r = with_v1();
		test_pkg_opts o;
		test_pkg p;
		uint64_t ops_before;

		memset(&o, 0, sizeof o);
		o.model = RIG_MODEL;
		o.version = "2.0.0";
		o.security_counter = 6;
		o.block_size = 1024;
		o.keys[0] = &r->key;
		switch (c) {
		case 2: o.keys[0] = &r->stranger; break;
		case 3: o.keys[0] = &r->revoked; break;
		case 4: o.model = "OTHER-MODEL"; break;
		case 5: o.hw_rev_min = 2; o.hw_rev_max = 3; break;
		case 6: o.component = "bootloader"; break;
		case 7: o.security_counter = 4; o.version = "0.9.0"; break;
		default: break;
		}
		test_pkg_build(&p, img, IMG_LEN, &o);
		if (c == 0)
			p.data[p.prefix_len - 1] ^= 0x40;          /* last byte of s */
		if (c == 1) {
			/* "2.0.0" -> "2.0.1" inside the signed manifest */
			uint8_t *v = memmem(p.data, p.prefix_len, "2.0.0", 5);

			assert_non_null(v);
			v[4] = '1';
		}
		if (c == 8)
			p.data[0] = 'X';
		print_message("refusal: %s\n", cases[c].name);
		ops_before = r->dev.flash.ops;
		{
			fws_err e = push(r, p.data, p.len);

			/* Refused before anything was written. */
			assert_int_equal(r->dev.flash.ops, ops_before);
			check_refused(r, e, cases[c].want, cases[c].status);
		}
		test_pkg_free(&p);
		rig_free(r);
	}
	free(img);
}

static void oversize_and_block_size(void **state)
{
	rig *r = with_v1();
	size_t big = rig_slot_cap(r) + 1u;
	uint8_t *img = test_image(big, 95);
	test_pkg p;
	uint64_t ops;

	(void)state;
	rig_pkg(&p, &r->key, "2.0.0", 6, img, big, 1024);
	ops = r->dev.flash.ops;
	{
		fws_err e = push(r, p.data, p.len);

		assert_int_equal(r->dev.flash.ops, ops);
		check_refused(r, e, FWS_E_TOO_BIG, FWS_DFU_ERR_ADDRESS);
	}
	test_pkg_free(&p);
	/* A block the device's buffer cannot hold. */
	rig_pkg(&p, &r->key, "2.0.0", 6, img, IMG_LEN, 8192);
	check_refused(r, push(r, p.data, p.len), FWS_E_BLOCK_SIZE, FWS_DFU_ERR_TARGET);
	test_pkg_free(&p);
	free(img);
	rig_free(r);
}

static void truncated_and_trailing(void **state)
{
	rig *r = with_v1();
	uint8_t *img = test_image(IMG_LEN, 94);
	uint8_t *longer;
	test_pkg p;

	(void)state;
	rig_pkg(&p, &r->key, "2.0.0", 6, img, IMG_LEN, 1024);
	/* Ends one byte early: the zero-length DNLOAD is refused (errNOTDONE). */
	check_refused(r, push(r, p.data, p.len - 1), FWS_E_TRUNCATED, FWS_DFU_ERR_NOTDONE);
	/* Cut at a block boundary with the rest missing. */
	check_refused(r, push(r, p.data, rig_block_off(p.prefix_len, 1024, 4)), FWS_E_TRUNCATED,
	              FWS_DFU_ERR_NOTDONE);
	/* One byte too many. */
	longer = malloc(p.len + 1);
	memcpy(longer, p.data, p.len);
	longer[p.len] = 0;
	check_refused(r, push(r, longer, p.len + 1), FWS_E_TRAILING, FWS_DFU_ERR_FILE);
	free(longer);
	test_pkg_free(&p);
	free(img);
	rig_free(r);
}

/* Requests in an order DFU 1.1 does not allow, and replays. */
static void out_of_order_and_replay(void **state)
{
	rig *r = with_v1();
	uint8_t *img = test_image(IMG_LEN, 93);
	uint8_t resume[FWS_STUB_RESUME_LEN] = {0};
	test_pkg v2, v1b;

	(void)state;
	rig_pkg(&v2, &r->key, "2.0.0", 6, img, IMG_LEN, 1024);
	/* DNLOAD, DNLOAD without the GETSTATUS between (6.1.2 dfuDNLOAD-SYNC). */
	assert_int_equal(rig_req(r, FWS_DFU_DNLOAD, 0, v2.data, 100, NULL, 0, NULL), FWS_OK);
	check_refused(r, rig_req(r, FWS_DFU_DNLOAD, 0, v2.data + 100, 100, NULL, 0, NULL),
	              FWS_E_SEQUENCE, FWS_DFU_ERR_STALLEDPKT);
	/* Zero-length DNLOAD in dfuIDLE. */
	check_refused(r, rig_req(r, FWS_DFU_DNLOAD, 0, NULL, 0, NULL, 0, NULL), FWS_E_SEQUENCE,
	              FWS_DFU_ERR_STALLEDPKT);
	/* CLRSTATUS outside dfuERROR, DETACH in DFU mode, an unknown request. */
	check_refused(r, rig_req(r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL), FWS_E_SEQUENCE,
	              FWS_DFU_ERR_STALLEDPKT);
	check_refused(r, rig_req(r, FWS_DFU_DETACH, 0, NULL, 0, NULL, 0, NULL), FWS_E_SEQUENCE,
	              FWS_DFU_ERR_STALLEDPKT);
	check_refused(r, rig_req(r, 0x77, 0, NULL, 0, NULL, 0, NULL), FWS_E_SEQUENCE,
	              FWS_DFU_ERR_STALLEDPKT);
	/* Firmware read-back (UPLOAD on the package alt) is not offered. */
	check_refused(r, rig_req(r, FWS_DFU_UPLOAD, FWS_ALT_PACKAGE, NULL, 0, NULL, 0, NULL),
	              FWS_E_STATE, FWS_DFU_ERR_STALLEDPKT);
	/* DNLOAD on the read-only info alt. */
	check_refused(r, rig_req(r, FWS_DFU_DNLOAD, FWS_ALT_INFO, v2.data, 100, NULL, 0, NULL),
	              FWS_E_STATE, FWS_DFU_ERR_STALLEDPKT);
	/* RESUME with nothing to resume, and with a bad length. */
	check_refused(r, rig_req(r, FWS_REQ_RESUME, 0, resume, sizeof resume, NULL, 0, NULL),
	              FWS_E_STATE, FWS_DFU_ERR_STALLEDPKT);
	check_refused(r, rig_req(r, FWS_REQ_RESUME, 0, resume, 3, NULL, 0, NULL), FWS_E_INVAL,
	              FWS_DFU_ERR_STALLEDPKT);
	/* Replay: the same package twice in a row is a reinstall (same
	 * counter) and fine; the old v1-signed package after v2 is a downgrade. */
	assert_int_equal(rig_download(r, v2.data, v2.len, 4096), FWS_OK);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "2.0.0");
	rig_pkg(&v1b, &r->key, "1.0.0", 5, img, IMG_LEN, 1024);
	{
		fws_err e = push(r, v1b.data, v1b.len);
		uint8_t st = 0;

		assert_int_equal(e, FWS_E_DOWNGRADE);
		assert_int_equal(rig_status(r, &st), FWS_DFU_ERR_TARGET);
	}
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "2.0.0");
	assert_int_equal(r->stub.j.counter, 6);
	/* A block replayed (sent twice) inside one stream breaks the chain. */
	{
		size_t b1 = rig_block_off(v2.prefix_len, 1024, 1), b2 = rig_block_off(v2.prefix_len, 1024, 2);
		fws_err e = rig_send(r, v2.data, 0, b2, 4096);

		assert_int_equal(e, FWS_OK);
		e = rig_send(r, v2.data, b1, b2, 4096);
		assert_int_equal(e, FWS_E_BLOCK_DIGEST);
	}
	assert_int_equal(r->dev.flash.violations, 0);
	test_pkg_free(&v2);
	test_pkg_free(&v1b);
	free(img);
	rig_free(r);
}

/* A bit error in the running image: the stub falls back to the other valid
 * image, or waits in the stub; it never runs an image that fails its check. */
static void bit_error_falls_back(void **state)
{
	rig *r = with_v1();
	uint8_t *img = test_image(IMG_LEN, 92);
	test_pkg p;
	uint8_t a;

	(void)state;
	rig_pkg(&p, &r->key, "1.1.0", 5, img, IMG_LEN, 1024);
	assert_int_equal(rig_download(r, p.data, p.len, 4096), FWS_OK);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "1.1.0");
	a = r->stub.running;
	fws_simflash_flip(&r->dev.flash, r->dev.hal.geom.slot[a].off + r->stub.meta_len + 5000u, 3);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "1.0.0"); /* same counter: a valid fallback */
	assert_int_equal(r->stub.running, a ^ 1u);
	fws_simflash_flip(&r->dev.flash, r->dev.hal.geom.slot[a ^ 1u].off + r->stub.meta_len + 7u, 0);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_int_equal(r->boot.action, FWS_BOOT_STAY);
	test_pkg_free(&p);
	free(img);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fresh_device_waits_in_stub),
		cmocka_unit_test(update_and_info),
		cmocka_unit_test(unconfirmed_update_reverts),
		cmocka_unit_test(reverted_first_install_stays_rejected),
		cmocka_unit_test(tampered_block_never_written),
		cmocka_unit_test(prefix_refusals),
		cmocka_unit_test(oversize_and_block_size),
		cmocka_unit_test(truncated_and_trailing),
		cmocka_unit_test(out_of_order_and_replay),
		cmocka_unit_test(bit_error_falls_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
