/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core: a power cut at EVERY flash operation (program or erase),
 * plain and torn, during download, commit, test boot, confirm and revert.
 * After each cut the device powers up again and must boot a verified image,
 * old or new, with the anti-rollback counter never ahead of the image it
 * runs; then the same update, started again, must complete. The loop also
 * runs across journal sector switches (small sectors fill the journal fast).
 * MCUboot's sim does the same (sim/src/image.rs); this is the fwseal form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_stub_rig.h"

#define FLASH  (64u * 1024u)
#define SECTOR 1024u
#define IMG    (5u * 1024u + 100u)

enum scenario {
	UPDATE_CONFIRM, /* download, test boot, confirm */
	UPDATE_REVERT,  /* download, test boot without confirm, reset: revert */
};

static unsigned cut_points;
/* Milestones acknowledged before the cut. */
static bool committed;     /* the download's commit */
static bool trial_started; /* the test boot was recorded (a cut now reverts) */
static bool confirmed;

/* Run the scenario until done or until the power fails. */
static void run(rig *r, enum scenario sc, const test_pkg *p)
{
	committed = trial_started = confirmed = false;
	if (rig_download(r, p->data, p->len, 700) != FWS_OK)
		return;
	committed = true;
	if (sc == UPDATE_CONFIRM) {
		if (rig_power_on(r, false) != FWS_OK)
			return;
		trial_started = r->boot.trial;
		confirmed = fws_stub_confirm(&r->stub) == FWS_OK;
		return;
	}
	if (rig_power_on(r, false) != FWS_OK)
		return;
	(void)rig_power_on(r, true);
}

static void check_alive(rig *r, const char *old_v, uint32_t old_c, const char *new_v,
                        uint32_t new_c)
{
	const char *v;

	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_int_equal(r->boot.action, FWS_BOOT_RUN);
	v = rig_running(r);
	if (strcmp(v, old_v) != 0 && strcmp(v, new_v) != 0)
		fail_msg("running '%s', neither %s nor %s", v, old_v, new_v);
	/* Never ahead of the running image, and the running image is never
	 * below it. */
	assert_true(r->stub.j.counter <= r->stub.running_counter);
	assert_true(r->stub.j.counter == old_c || r->stub.j.counter == new_c);
	if (strcmp(v, old_v) == 0)
		assert_int_equal(r->stub.j.counter, old_c);
	assert_int_equal(r->dev.flash.violations, 0);
}

static void cut_loop(enum scenario sc, unsigned rounds)
{
	rig *r = rig_new_geom(FLASH, SECTOR);
	uint8_t *base = malloc(FLASH);
	char old_v[16], new_v[16];

	assert_int_equal(rig_power_on(r, true), FWS_OK);
	rig_install(r, "1.0.0", 1, IMG);
	for (unsigned round = 1; round <= rounds; round++) {
		uint32_t old_c = round, new_c = round + 1u;
		uint8_t *img = test_image(IMG, 1000u + round);
		uint64_t total;
		fws_stub ram;
		test_pkg p;

		snprintf(old_v, sizeof old_v, "%u.0.0", round);
		snprintf(new_v, sizeof new_v, "%u.0.0", round + 1u);
		rig_pkg(&p, &r->key, new_v, new_c, img, IMG, 1024);
		memcpy(base, r->dev.flash.mem, FLASH);

		/* Count the operations of an uninterrupted run. */
		fws_simflash_repower(&r->dev.flash);
		assert_int_equal(rig_power_on(r, true), FWS_OK);
		ram = r->stub; /* the device's RAM, running old_v: restored per cut */
		r->dev.flash.ops = 0;
		run(r, sc, &p);
		total = r->dev.flash.ops;
		assert_true(total > 10u);

		for (uint64_t n = 0; n < total; n++) {
			for (int torn = 0; torn < 2; torn++) {
				memcpy(r->dev.flash.mem, base, FLASH);
				fws_simflash_repower(&r->dev.flash);
				r->stub = ram;
				assert_string_equal(rig_running(r), old_v);
				fws_simflash_arm_cut(&r->dev.flash, n, torn != 0);
				run(r, sc, &p);
				assert_true(r->dev.flash.dead);
				cut_points++;

				fws_simflash_repower(&r->dev.flash);
				check_alive(r, old_v, old_c, new_v, new_c);
				/* Durability: an acknowledged commit survives the cut
				 * (unless its test boot had started: then a reset
				 * before the confirm reverts, by design); an
				 * acknowledged confirm survives too. */
				if (sc == UPDATE_CONFIRM && ((committed && !trial_started) || confirmed))
					assert_string_equal(rig_running(r), new_v);
				/* Not wedged: the update, started over, completes. */
				if (sc == UPDATE_CONFIRM && strcmp(rig_running(r), new_v) != 0) {
					run(r, sc, &p);
					assert_string_equal(rig_running(r), new_v);
					assert_int_equal(r->stub.j.counter, new_c);
				}
			}
		}
		/* Next round starts from the finished update. */
		memcpy(r->dev.flash.mem, base, FLASH);
		fws_simflash_repower(&r->dev.flash);
		assert_int_equal(rig_power_on(r, true), FWS_OK);
		run(r, UPDATE_CONFIRM, &p);
		assert_string_equal(rig_running(r), new_v);
		test_pkg_free(&p);
		free(img);
	}
	free(base);
	rig_free(r);
}

static void cut_during_update_and_confirm(void **state)
{
	(void)state;
	cut_loop(UPDATE_CONFIRM, 2); /* each round crosses a journal sector switch */
}

static void cut_during_revert(void **state)
{
	(void)state;
	cut_loop(UPDATE_REVERT, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cut_during_update_and_confirm),
		cmocka_unit_test(cut_during_revert),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	printf("power-cut points tested: %u (each plain and torn counted once)\n", cut_points);
	return rc;
}
