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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(skip_block_check_writes_tampered_block),
		cmocka_unit_test(accept_downgrade_takes_lower_counter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
