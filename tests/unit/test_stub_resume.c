/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core: resume. The cable is pulled in the middle of every
 * block (and the device keeps power, or is power cycled); the host reads the
 * resume point from the device-info record, sends RESUME(offset, prefix
 * digest) and the rest of the stream, and the update completes. A fresh
 * start from byte 0 after a pull completes too. RESUME with the wrong
 * offset or prefix is refused.
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
#define IMG   (20u * 1024u + 300u)

enum after_pull {
	KEEP_POWER,    /* host reconnects; the device was never reset */
	POWER_CYCLE,   /* the device restarted in between */
	START_OVER,    /* host ignores the resume point, sends from byte 0 */
};

static unsigned pulls;

static void resume_req(uint8_t out[FWS_STUB_RESUME_LEN], uint32_t off, const test_pkg *p)
{
	fws_put_le32(out, off);
	assert_int_equal(fws_sha256(p->data, p->prefix_len, out + 4), FWS_OK);
}

static void pull_at(uint32_t bs, size_t pull, enum after_pull how, const test_pkg *p, rig *r,
                    const uint8_t *base, const fws_stub *ram)
{
	uint8_t req[FWS_STUB_RESUME_LEN];
	fws_devinfo info;
	uint8_t state = 0;

	/* The device as it was, running 1.0.0: flash and RAM. */
	memcpy(r->dev.flash.mem, base, FLASH);
	r->stub = *ram;
	assert_int_equal(rig_send(r, p->data, 0, pull, 1000), FWS_OK);
	pulls++;
	if (how == POWER_CYCLE) {
		assert_int_equal(rig_power_on(r, true), FWS_OK);
		assert_string_equal(rig_running(r), "1.0.0");
	} else {
		/* Reconnected host: the device is mid-download. */
		(void)rig_status(r, &state);
		assert_int_equal(state, FWS_DFU_DNLOAD_IDLE);
		assert_int_equal(rig_req(r, FWS_DFU_ABORT, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
	}
	if (how == START_OVER) {
		assert_int_equal(rig_download(r, p->data, p->len, 1000), FWS_OK);
	} else {
		fws_stub_info(&r->stub, &info);
		assert_true(info.has_resume);
		assert_true(info.resume_offset <= pull);
		assert_int_equal((info.resume_offset - p->prefix_len) % (bs + 32u), 0);
		assert_int_equal(info.resume_offset, fws_stub_resume_offset(&r->stub));
		/* Wrong offset, then wrong prefix digest: refused. */
		resume_req(req, info.resume_offset + bs + 32u, p);
		assert_int_equal(rig_req(r, FWS_REQ_RESUME, 0, req, sizeof req, NULL, 0, NULL),
		                 FWS_E_SEQUENCE);
		assert_int_equal(rig_req(r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
		resume_req(req, info.resume_offset, p);
		req[10] ^= 1;
		assert_int_equal(rig_req(r, FWS_REQ_RESUME, 0, req, sizeof req, NULL, 0, NULL),
		                 FWS_E_SEQUENCE);
		assert_int_equal(rig_req(r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
		/* The real one. */
		resume_req(req, info.resume_offset, p);
		assert_int_equal(rig_req(r, FWS_REQ_RESUME, 0, req, sizeof req, NULL, 0, NULL), FWS_OK);
		assert_int_equal(rig_send(r, p->data, info.resume_offset, p->len, 1000), FWS_OK);
		assert_int_equal(rig_finish(r), FWS_OK);
	}
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "2.0.0");
	assert_int_equal(r->stub.j.counter, 2);
	assert_int_equal(r->dev.flash.violations, 0);
	fws_stub_info(&r->stub, &info);
	assert_false(info.has_resume);
}

static void pull_every_block(uint32_t bs)
{
	rig *r = rig_new(FLASH);
	uint8_t *base = malloc(FLASH);
	uint8_t *img = test_image(IMG, 5);
	test_pkg p;
	fws_stub ram;

	assert_int_equal(rig_power_on(r, true), FWS_OK);
	rig_install(r, "1.0.0", 1, IMG);
	memcpy(base, r->dev.flash.mem, FLASH);
	ram = r->stub;
	rig_pkg(&p, &r->key, "2.0.0", 2, img, IMG, bs);
	for (uint32_t k = 0; k < p.block_count; k++) {
		size_t at = rig_block_off(p.prefix_len, bs, k);
		size_t mid = at + (k + 1u == p.block_count ? (IMG % bs) / 2u : bs / 2u);

		for (int how = KEEP_POWER; how <= START_OVER; how++)
			pull_at(bs, mid, (enum after_pull)how, &p, r, base, &ram);
		if (k > 0u)
			pull_at(bs, at, KEEP_POWER, &p, r, base, &ram); /* exactly at a boundary */
	}
	test_pkg_free(&p);
	free(img);
	free(base);
	rig_free(r);
}

static void pull_every_block_1k(void **state)
{
	(void)state;
	pull_every_block(1024); /* four blocks per sector: resume from sector starts */
}

static void pull_every_block_4k(void **state)
{
	(void)state;
	pull_every_block(4096); /* one block per sector: resume from every block */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pull_every_block_1k),
		cmocka_unit_test(pull_every_block_4k),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	print_message("cable pulls tested: %u\n", pulls);
	return rc;
}
