/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core: flash wear is bounded by design (issue 16, item 3).
 *
 * A hostile host starts a validly signed package (the installed one, or a
 * newer one) 1,000 times and aborts it: after the prefix, or after a few
 * blocks; the same package, or two packages by turns; with a power cycle
 * (or a RESET) between the restarts or without. Time passes as it would
 * (STEP_MS per restart, on the simulator's clock; suite 'wear' runs the
 * 1,000, suite 'stub' 60 of them). The simulated flash
 * counts every erase per sector; none may exceed WEAR_BOUND, and after the
 * attack a legitimate update, waiting only as long as the device says
 * (bwPollTimeout of the refusal), still installs.
 *
 * The bound: the same download started again erases nothing it erased
 * before; only a start that may erase counts (a new download, or the first
 * restart in a boot), 8 of them are free and the n-th after those waits
 * 2^n s (at most 5 min) after the previous one. In 1,000 restarts over
 * 1,000 x 50 ms = 50 s that is 8 + 5 such starts (1 + 2 + 4 + 8 + 16 s fit,
 * 32 s more do not), each erasing a sector at most once: 13, plus the
 * install before the attack and the legitimate update after it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fwseal/le.h"
#include "test_stub_rig.h"

#define FLASH      (256u * 1024u)
#define IMG        (20u * 1024u + 300u) /* six sectors of 4 KiB */
#define STEP_MS    50u
#define WEAR_BOUND 16u

/* 1,000 in suite 'wear' (one test per pattern, so they run in parallel);
 * 60 in suite 'stub' (past the 8 free starts and into the back-off, short
 * enough for valgrind). */
static unsigned restarts = 60;

enum pattern {
	SAME_PREFIX_ONLY,   /* the installed package's prefix, ABORT (the report) */
	SAME_SOME_BLOCKS,   /* a newer package's prefix and 6 KiB of blocks */
	TWO_BY_TURNS,       /* the installed and a newer package, by turns */
	SAME_POWER_CYCLED,  /* the same, the device power cycled in between */
	TWO_POWER_CYCLED,   /* by turns, power cycled in between */
	SAME_RESET,         /* the same, RESET request in between */
};

static const char *const names[] = { "same prefix only", "same, some blocks", "two by turns",
                                     "same, power cycled", "two, power cycled", "same, RESET" };

static void let_time_pass(rig *r, uint32_t ms)
{
	r->dev.clock_skew_ms += ms;
}

/* The device's answer to a refused request: bStatus, bwPollTimeout. */
static uint32_t refusal_wait(rig *r)
{
	uint8_t st[FWS_DFU_STATUS_LEN];
	size_t n = 0;

	assert_int_equal(rig_req(r, FWS_DFU_GETSTATUS, 0, NULL, 0, st, sizeof st, &n), FWS_OK);
	assert_int_equal(st[4], FWS_DFU_ERROR);
	assert_int_equal(fws_stub_last_error(&r->stub), FWS_E_BUSY);
	return (uint32_t)st[1] | (uint32_t)st[2] << 8 | (uint32_t)st[3] << 16;
}

/* A legitimate host: the whole download; when the device asks it to wait
 * (FWS_E_BUSY), it waits that long and starts again. */
static void legit_update(rig *r, const test_pkg *p, const char *version)
{
	unsigned waits = 0;
	uint8_t state = 0;

	(void)rig_status(r, &state);
	if (state == FWS_DFU_ERROR)
		assert_int_equal(rig_req(r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
	else if (state != FWS_DFU_IDLE)
		assert_int_equal(rig_req(r, FWS_DFU_ABORT, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
	for (;;) {
		fws_err e = rig_download(r, p->data, p->len, 1000);
		if (e == FWS_OK)
			break;
		assert_int_equal(e, FWS_E_BUSY);
		uint32_t wait = refusal_wait(r);
		assert_true(wait > 0 && wait <= 300000u); /* at most 5 minutes */
		assert_true(++waits <= 1);                /* one wait is enough */
		let_time_pass(r, wait);
		assert_int_equal(rig_req(r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
	}
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), version);
}

static void start_and_abort(rig *r, const test_pkg *p, size_t bytes)
{
	uint8_t state = 0;
	fws_err e = rig_send(r, p->data, 0, bytes, 1000);

	/* accepted, or refused by the back-off: both end in dfuIDLE */
	if (e != FWS_OK)
		assert_int_equal(e, FWS_E_BUSY);
	(void)rig_status(r, &state);
	if (state == FWS_DFU_ERROR)
		assert_int_equal(rig_req(r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
	else
		assert_int_equal(rig_req(r, FWS_DFU_ABORT, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
}

static uint32_t most_erased(const rig *r, uint32_t *where)
{
	uint32_t most = 0;

	for (uint32_t off = 0; off < FLASH; off += FWS_SIM_SECTOR) {
		uint32_t n = fws_simflash_erases(&r->dev.flash, off);
		if (n > most) {
			most = n;
			*where = off;
		}
	}
	return most;
}

static void attack(enum pattern pat)
{
	rig *r = rig_new(FLASH);
	uint8_t *img2 = test_image(IMG, 22), *img3 = test_image(IMG, 33);
	test_pkg v2, v3, v1;
	uint32_t before[FLASH / FWS_SIM_SECTOR], where = 0;

	assert_int_equal(rig_power_on(r, true), FWS_OK);
	rig_install(r, "1.0.0", 1, IMG);
	/* the installed package again (rig_install made it from this image) */
	uint8_t *img1 = test_image(IMG, 1u * 7u + 1u);
	rig_pkg(&v1, &r->key, "1.0.0", 1, img1, IMG, 1024);
	rig_pkg(&v2, &r->key, "2.0.0", 2, img2, IMG, 1024);
	rig_pkg(&v3, &r->key, "3.0.0", 3, img3, IMG, 1024);
	for (uint32_t i = 0; i < FLASH / FWS_SIM_SECTOR; i++)
		before[i] = fws_simflash_erases(&r->dev.flash, i * FWS_SIM_SECTOR);

	for (unsigned i = 0; i < restarts; i++) {
		bool other = (pat == TWO_BY_TURNS || pat == TWO_POWER_CYCLED) && (i & 1u);
		const test_pkg *p = pat == SAME_PREFIX_ONLY ? &v1 : other ? &v3 : &v2;
		size_t bytes = pat == SAME_PREFIX_ONLY ? p->prefix_len : p->prefix_len + 6u * 1056u;

		start_and_abort(r, p, bytes);
		if (pat == SAME_POWER_CYCLED || pat == TWO_POWER_CYCLED)
			assert_int_equal(rig_power_on(r, true), FWS_OK);
		if (pat == SAME_RESET) {
			assert_int_equal(rig_req(r, FWS_REQ_RESET, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
			assert_true(fws_stub_reset_pending(&r->stub));
			assert_int_equal(rig_power_on(r, true), FWS_OK);
		}
		let_time_pass(r, STEP_MS);
		assert_string_equal(rig_running(r), "1.0.0");
	}
	uint32_t attack_most = 0;
	for (uint32_t i = 0; i < FLASH / FWS_SIM_SECTOR; i++) {
		uint32_t n = fws_simflash_erases(&r->dev.flash, i * FWS_SIM_SECTOR) - before[i];
		if (n > attack_most)
			attack_most = n;
	}
	/* the same package, no reboot: nothing is erased a second time */
	if (pat == SAME_PREFIX_ONLY || pat == SAME_SOME_BLOCKS)
		assert_true(attack_most <= 1u);

	/* a legitimate update afterwards: the one the host tried, then another */
	legit_update(r, &v2, "2.0.0");
	legit_update(r, &v3, "3.0.0");
	uint32_t most = most_erased(r, &where);
	print_message("%-20s %u restarts: at most %u erases of one sector in the attack, %u in all "
	              "(sector at 0x%05x)\n", names[pat], restarts, attack_most, most,
	              (unsigned)where);
	assert_true(most <= WEAR_BOUND);
	assert_int_equal(r->dev.flash.violations, 0);

	test_pkg_free(&v1);
	test_pkg_free(&v2);
	test_pkg_free(&v3);
	free(img1);
	free(img2);
	free(img3);
	rig_free(r);
}

static void attack_test(void **state)
{
	attack(*(const enum pattern *)*state);
}

/* The same package started again really continues: after the first
 * attempt wrote three sectors, the restart writes nothing it wrote, and
 * the resume point the journal holds is not moved back. */
static void restart_reuses_what_is_stored(void **state)
{
	(void)state;
	rig *r = rig_new(FLASH);
	uint8_t *img = test_image(IMG, 44);
	test_pkg p;
	uint32_t e0[FLASH / FWS_SIM_SECTOR];

	assert_int_equal(rig_power_on(r, true), FWS_OK);
	rig_install(r, "1.0.0", 1, IMG);
	rig_pkg(&p, &r->key, "2.0.0", 2, img, IMG, 1024);
	size_t some = rig_block_off(p.prefix_len, 1024, 13); /* 13 blocks: 3 sectors + 1 */
	assert_int_equal(rig_send(r, p.data, 0, some, 1000), FWS_OK);
	assert_int_equal(rig_req(r, FWS_DFU_ABORT, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
	uint32_t resume = r->stub.j.dl_block, seq = r->stub.j.seq;
	assert_int_equal(resume, 12);
	for (uint32_t i = 0; i < FLASH / FWS_SIM_SECTOR; i++)
		e0[i] = fws_simflash_erases(&r->dev.flash, i * FWS_SIM_SECTOR);
	/* in the same boot: no erase, no journal record until past block 12 */
	assert_int_equal(rig_send(r, p.data, 0, some, 1000), FWS_OK);
	for (uint32_t i = 0; i < FLASH / FWS_SIM_SECTOR; i++)
		assert_int_equal(fws_simflash_erases(&r->dev.flash, i * FWS_SIM_SECTOR), e0[i]);
	assert_int_equal(r->stub.j.seq, seq);
	assert_int_equal(r->stub.j.dl_block, resume);
	assert_int_equal(rig_send(r, p.data, some, p.len, 1000), FWS_OK);
	assert_int_equal(rig_finish(r), FWS_OK);
	assert_int_equal(r->stub.j.dl_starts, 0); /* completed: the count starts afresh */
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "2.0.0");
	assert_int_equal(r->dev.flash.violations, 0);
	test_pkg_free(&p);
	free(img);
	rig_free(r);
}

/* Flash that does not hold what the journal says (a bit error below the
 * resume point, or in the staged image when it is read back at the end) is
 * not trusted: that attempt fails, the journal forgets the download, and
 * the next start, in this boot or after a restart, begins afresh and
 * installs. */
static void damaged_stored_block_starts_over(void **state)
{
	(void)state;
	rig *r = rig_new(FLASH);
	uint8_t *img = test_image(IMG, 45);
	test_pkg p;

	assert_int_equal(rig_power_on(r, true), FWS_OK);
	rig_install(r, "1.0.0", 1, IMG);
	rig_pkg(&p, &r->key, "2.0.0", 2, img, IMG, 1024);
	size_t some = rig_block_off(p.prefix_len, 1024, 9);
	assert_int_equal(rig_send(r, p.data, 0, some, 1000), FWS_OK);
	assert_int_equal(rig_req(r, FWS_DFU_ABORT, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
	uint32_t img_off = r->dev.hal.geom.slot[r->stub.j.dl_slot].off + r->stub.meta_len;
	fws_simflash_flip(&r->dev.flash, img_off + 100, 3);
	assert_int_equal(rig_download(r, p.data, p.len, 1000), FWS_E_FLASH_VERIFY);
	assert_int_equal(r->stub.j.dl_slot, FWS_SLOT_NONE); /* forgotten */
	assert_int_equal(rig_power_on(r, true), FWS_OK);  /* also after a restart */
	assert_int_equal(rig_download(r, p.data, p.len, 1000), FWS_OK);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "2.0.0");

	/* read back wrong at the end (a bit error in the staged image): the
	 * manifestation fails, and the same package next time starts afresh */
	uint8_t *img3 = test_image(IMG, 46);
	test_pkg p3;
	rig_pkg(&p3, &r->key, "3.0.0", 3, img3, IMG, 1024);
	assert_int_equal(rig_send(r, p3.data, 0, p3.len, 1000), FWS_OK);
	img_off = r->dev.hal.geom.slot[r->stub.dl_slot].off + r->stub.meta_len;
	fws_simflash_flip(&r->dev.flash, img_off + 5000, 6);
	assert_int_equal(rig_finish(r), FWS_E_IMAGE_DIGEST);
	assert_int_equal(r->stub.j.dl_slot, FWS_SLOT_NONE);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "2.0.0");
	assert_int_equal(rig_download(r, p3.data, p3.len, 1000), FWS_OK);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "3.0.0");
	test_pkg_free(&p3);
	free(img3);
	assert_int_equal(r->dev.flash.violations, 0);
	test_pkg_free(&p);
	free(img);
	rig_free(r);
}

/* Usage: test-stub_wear [RESTARTS [TEST]] */
int main(int argc, char **argv)
{
	if (argc > 1)
		restarts = (unsigned)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		cmocka_set_test_filter(argv[2]);
	static enum pattern pats[] = { SAME_PREFIX_ONLY, SAME_SOME_BLOCKS, TWO_BY_TURNS,
	                               SAME_POWER_CYCLED, TWO_POWER_CYCLED, SAME_RESET };
	const struct CMUnitTest tests[] = {
		{ "same_prefix_only", attack_test, NULL, NULL, &pats[0] },
		{ "same_some_blocks", attack_test, NULL, NULL, &pats[1] },
		{ "two_by_turns", attack_test, NULL, NULL, &pats[2] },
		{ "same_power_cycled", attack_test, NULL, NULL, &pats[3] },
		{ "two_power_cycled", attack_test, NULL, NULL, &pats[4] },
		{ "same_reset", attack_test, NULL, NULL, &pats[5] },
		cmocka_unit_test(restart_reuses_what_is_stored),
		cmocka_unit_test(damaged_stored_block_starts_over),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
