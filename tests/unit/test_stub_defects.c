/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The planted defects of the simulator's core (FWS_STUB_DEFECTS, `fwseal-sim
 * --defect NAME`) really are defects, and the checks in test_stub.c catch
 * them: with skip-block-check a tampered block DOES reach the staging slot;
 * with accept-downgrade a lower security counter IS taken. This executable
 * links the defect-enabled core; the firmware core never has them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_stub_rig.h"

#define FLASH (256u * 1024u)
#define IMG   (10u * 1024u)

static void skip_block_check_writes_tampered_block(void **state)
{
	rig *r = rig_new(FLASH);
	uint8_t *img = test_image(IMG, 11);
	uint8_t *seen = malloc(1024);
	test_pkg p;
	size_t at;
	uint8_t staging;

	(void)state;
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	rig_install(r, "1.0.0", 5, IMG);
	r->defects = FWS_DEFECT_SKIP_BLOCK_CHECK;
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	rig_pkg(&p, &r->key, "2.0.0", 6, img, IMG, 1024);
	at = rig_block_off(p.prefix_len, 1024, 2);
	p.data[at + 10] ^= 0x01;
	staging = (uint8_t)(r->stub.running ^ 1u);
	/* The defective device takes the bad block and goes on; only the
	 * read-back of the whole image at the end notices. */
	assert_int_equal(rig_download(r, p.data, p.len, 1000), FWS_E_IMAGE_DIGEST);
	assert_int_equal(fws_simflash_read(&r->dev.flash,
	                                   r->dev.hal.geom.slot[staging].off + r->stub.meta_len + 2048u,
	                                   seen, 1024), FWS_OK);
	/* The check test_stub.c makes would fail here. */
	assert_memory_equal(seen, p.data + at, 1024);
	test_pkg_free(&p);
	free(seen);
	free(img);
	rig_free(r);
}

static void accept_downgrade_takes_lower_counter(void **state)
{
	rig *r = rig_new(FLASH);
	uint8_t *img = test_image(IMG, 12);
	test_pkg p;

	(void)state;
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	rig_install(r, "1.0.0", 5, IMG);
	r->defects = FWS_DEFECT_ACCEPT_DOWNGRADE;
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	rig_pkg(&p, &r->key, "0.9.0", 4, img, IMG, 1024);
	assert_int_equal(rig_download(r, p.data, p.len, 4096), FWS_OK);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "0.9.0");
	test_pkg_free(&p);
	free(img);
	rig_free(r);
}

/* skip-hw-rev-check / skip-component-check: a package for another hardware
 * revision range or another component IS taken (test_stub.c: refused). */
static void skip_identity_checks_take_foreign_packages(void **state)
{
	static const struct {
		uint32_t defect;
		uint16_t hw_min, hw_max;
		const char *component;
		fws_err sound;
	} cases[] = {
		{FWS_DEFECT_SKIP_HW_REV_CHECK, 7, 9, "app", FWS_E_HW_REV},
		{FWS_DEFECT_SKIP_COMPONENT_CHECK, 1, 1, "radio", FWS_E_COMPONENT},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		rig *r = rig_new(FLASH);
		uint8_t *img = test_image(IMG, 13);
		test_pkg p;
		test_pkg_opts o;

		assert_int_equal(rig_power_on(r, true), FWS_OK);
		rig_install(r, "1.0.0", 5, IMG);
		memset(&o, 0, sizeof o);
		o.model = RIG_MODEL;
		o.version = "2.0.0";
		o.security_counter = 6;
		o.hw_rev_min = cases[i].hw_min;
		o.hw_rev_max = cases[i].hw_max;
		o.component = cases[i].component;
		o.keys[0] = &r->key;
		test_pkg_build(&p, img, IMG, &o);
		/* the sound core refuses it at the prefix ... */
		assert_int_equal(rig_download(r, p.data, p.len, 4096), cases[i].sound);
		/* ... the defective one installs it */
		r->defects = cases[i].defect;
		assert_int_equal(rig_power_on(r, true), FWS_OK);
		assert_int_equal(rig_download(r, p.data, p.len, 4096), FWS_OK);
		assert_int_equal(rig_power_on(r, true), FWS_OK);
		assert_string_equal(rig_running(r), "2.0.0");
		test_pkg_free(&p);
		free(img);
		rig_free(r);
	}
}

/* write-in-place: the download goes over the running image, so a power cut
 * in the middle leaves nothing that verifies (the sound core downloads into
 * the other slot: test_stub_powercut.c). */
static void write_in_place_cut_leaves_nothing_to_boot(void **state)
{
	rig *r = rig_new(FLASH);
	uint8_t *img = test_image(IMG, 14);
	test_pkg p;
	const fws_flash_geom *g;

	(void)state;
	r->defects = FWS_DEFECT_WRITE_IN_PLACE;
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	rig_install(r, "1.0.0", 5, IMG);
	g = &r->dev.hal.geom;
	rig_pkg(&p, &r->key, "2.0.0", 6, img, IMG, 1024);
	/* half the package, then the power fails at the next image write */
	assert_int_equal(rig_send(r, p.data, 0, p.len / 2u, 1024), FWS_OK);
	fws_simflash_arm_cut_in(&r->dev.flash, g->slot[0].off, (uint32_t)r->dev.flash.size, true);
	assert_int_not_equal(rig_send(r, p.data, p.len / 2u, p.len, 1024), FWS_OK);
	fws_simflash_repower(&r->dev.flash);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_int_equal(r->boot.action, FWS_BOOT_STAY); /* 1.0.0 is gone */
	test_pkg_free(&p);
	free(img);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(skip_identity_checks_take_foreign_packages),
		cmocka_unit_test(write_in_place_cut_leaves_nothing_to_boot),
		cmocka_unit_test(skip_block_check_writes_tampered_block),
		cmocka_unit_test(accept_downgrade_takes_lower_counter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
