/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core built without the decoder (FWS_STUB_ENCODINGS=0, what the
 * mps2-an385 port's -Dencodings=false compiles), on the real posix flash
 * whose HAL does offer flash_map:
 *   - the device-info record lists no encodings;
 *   - a compressed and a delta package (for the right base) are refused at
 *     their prefix with encoding-unsupported: no flash operation, the device
 *     keeps booting what it ran;
 *   - a plain package still installs.
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

#define FLASH (256u * 1024u)
#define BASE_LEN (12u * 1024u + 300u)

static void refused_before_write(rig *r, const test_pkg *p, fws_err want)
{
	r->dev.flash.ops = 0;
	assert_int_equal(rig_send(r, p->data, 0, p->len, 1000), want);
	assert_int_equal(r->dev.flash.ops, 0);
	assert_int_equal(fws_stub_last_error(&r->stub), want);
	assert_int_equal(rig_req(r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "1.0.0");
}

static void test_no_decoder(void **state)
{
	(void)state;
	rig *r = rig_new(FLASH);
	uint8_t *base = test_image_code(BASE_LEN, 61);
	size_t len;
	uint8_t *img;
	fws_devinfo info;
	test_pkg p;

	assert_int_equal(rig_power_on(r, true), FWS_OK);
	rig_install_image(r, "1.0.0", 1, base, BASE_LEN);
	assert_non_null(r->dev.hal.flash_map); /* the port could map: the build says no */
	fws_stub_info(&r->stub, &info);
	assert_int_equal(info.encodings, 0);
	assert_int_equal(info.enc_max_block, 0);

	img = test_image_fix(base, BASE_LEN, 62, &len);
	rig_pkg_enc(&p, &r->key, "1.1.0", 2, img, len, 4096, FWS_ENC_LZ4, NULL, 0, NULL);
	refused_before_write(r, &p, FWS_E_ENCODING_UNSUPPORTED);
	test_pkg_free(&p);
	rig_pkg_enc(&p, &r->key, "1.1.0", 2, img, len, 4096, FWS_ENC_LZ4_DELTA, base, BASE_LEN,
	            "1.0.0");
	refused_before_write(r, &p, FWS_E_ENCODING_UNSUPPORTED);
	test_pkg_free(&p);

	/* the plain package of the same release installs */
	rig_pkg(&p, &r->key, "1.1.0", 2, img, len, 4096);
	assert_int_equal(rig_download(r, p.data, p.len, 1000), FWS_OK);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "1.1.0");
	assert_int_equal(r->dev.flash.violations, 0);
	test_pkg_free(&p);

	free(img);
	free(base);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_decoder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
