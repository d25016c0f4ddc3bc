/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_crc.c - fws_crc32 (protocol/src/crc.c) in both its builds, the
 * slicing-by-8 default and the firmware's FWS_CRC32_SMALL nibble table
 * (compiled here as fws_crc32_small), against zlib's crc32() on every length
 * up to 300 at every alignment, chained in pieces, and on 1 MiB.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <zlib.h>

#include "fwseal/crc.h"

uint32_t fws_crc32_small(uint32_t crc, const uint8_t *p, size_t n);

static uint8_t data[1u << 20];

static void test_against_zlib(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 13);
	for (size_t off = 0; off < 8; off++) {
		for (size_t n = 0; n <= 300; n++) {
			uint32_t z = (uint32_t)crc32(0, data + off, (uInt)n);
			assert_int_equal(fws_crc32(0, data + off, n), z);
			assert_int_equal(fws_crc32_small(0, data + off, n), z);
		}
	}
	/* chained, in uneven pieces */
	uint32_t a = 0, b = 0;
	for (size_t at = 0, k = 1; at < 100000; at += k, k = k * 7 % 301 + 1) {
		a = fws_crc32(a, data + at, k);
		b = fws_crc32_small(b, data + at, k);
		assert_int_equal(a, (uint32_t)crc32(0, data, (uInt)(at + k)));
		assert_int_equal(b, a);
	}
	assert_int_equal(fws_crc32(0, data, sizeof data), (uint32_t)crc32(0, data, sizeof data));
	/* the check value of CRC-32 */
	assert_int_equal(fws_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
	assert_int_equal(fws_crc32_small(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_zlib),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
