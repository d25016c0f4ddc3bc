/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_unit_walk.c - fwh_pkg_stream_unit_end (fwseal-host/package.h): for
 * plain, compressed and delta package files, every stream offset maps to
 * the end of the unit that holds it, exactly where test_pkg put the units,
 * from the checked stream (a fresh stream per pass: it never goes back); a
 * file whose unit header changed after it was checked is refused, not
 * walked past.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fwseal/encoding.h"
#include "fwseal/le.h"
#include "fwseal-host/package.h"
#include "testpkg.h"
#include "testproc.h"

static char g_dir[256];

static void check_walk(uint8_t enc, uint32_t bs)
{
	test_key k;
	fws_trust t;
	test_key_generate(&k, 77);
	test_trust_one(&t, &k, 0);
	size_t len = 30000, nlen;
	uint8_t *base = test_image_code(len, 1), *img = test_image_fix(base, len, 2, &nlen);
	test_pkg_opts o = { .block_size = bs, .with_suffix = 1, .keys = { &k }, .encoding = enc,
	                    .base = enc == FWS_ENC_LZ4_DELTA ? base : NULL,
	                    .base_len = enc == FWS_ENC_LZ4_DELTA ? len : 0 };
	test_pkg p;
	test_pkg_build(&p, img, nlen, &o);
	char path[300];
	snprintf(path, sizeof path, "%s/p%u-%u.fwseal", g_dir, enc, bs);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p.data, 1, p.len, f), p.len);
	fclose(f);

	fwh_package pkg;
	fwh_error err;
	assert_int_equal(fwh_package_open(&pkg, path, &t, &err), FWS_OK);
	fwh_pkg_stream *st;
	uint64_t end;
	/* every 7th offset, and every unit start (offsets 1..6 after a start
	 * too, by the stride) */
	assert_int_equal(fwh_pkg_stream_open(&pkg, &st, &err), FWS_OK);
	for (uint64_t off = 0; off < pkg.stream_len; off += 7) {
		assert_int_equal(fwh_pkg_stream_unit_end(st, off, &end, &err), FWS_OK);
		uint64_t want = p.prefix_len;
		for (uint32_t i = 0; i < p.block_count; i++)
			if (off >= p.block_off[i] && off < p.block_off[i + 1])
				want = p.block_off[i + 1];
		if (end != want)
			fail_msg("enc %u bs %u off %llu: %llu, want %llu", enc, bs, (unsigned long long)off,
			         (unsigned long long)end, (unsigned long long)want);
	}
	assert_int_equal(fwh_pkg_stream_unit_end(st, pkg.stream_len, &end, &err), FWS_E_INVAL);
	fwh_pkg_stream_close(st);
	/* a fresh stream asked past units it has not read yet reads them */
	assert_int_equal(fwh_pkg_stream_open(&pkg, &st, &err), FWS_OK);
	assert_int_equal(fwh_pkg_stream_unit_end(st, p.block_off[1], &end, &err), FWS_OK);
	assert_int_equal(end, p.block_off[2]);
	/* and then the bytes it cut at are the checked ones */
	uint8_t *got = malloc(end - p.block_off[1]);
	assert_non_null(got);
	assert_int_equal(fwh_pkg_stream_read(st, p.block_off[1], got, end - p.block_off[1], &err),
	                 FWS_OK);
	assert_memory_equal(got, p.data + p.block_off[1], end - p.block_off[1]);
	free(got);
	fwh_pkg_stream_close(st);
	fwh_package_close(&pkg);

	if (enc != FWS_ENC_NONE) {
		/* the file changes after the check: unit 1's length grows past
		 * what a block can hold */
		assert_int_equal(fwh_package_open(&pkg, path, &t, &err), FWS_OK);
		uint8_t big[4];
		fws_put_le32(big, bs + 1u);
		f = fopen(path, "r+b");
		assert_non_null(f);
		fseek(f, (long)p.block_off[1] + 8, SEEK_SET);
		fwrite(big, 1, 4, f);
		fclose(f);
		assert_int_equal(fwh_pkg_stream_open(&pkg, &st, &err), FWS_OK);
		assert_int_equal(fwh_pkg_stream_unit_end(st, p.block_off[0], &end, &err), FWS_OK);
		assert_int_equal(fwh_pkg_stream_unit_end(st, p.block_off[1], &end, &err),
		                 FWS_E_BLOCK_DIGEST);
		assert_non_null(strstr(err.msg, "changed since it was checked"));
		fwh_pkg_stream_close(st);
		fwh_package_close(&pkg);
	}
	test_pkg_free(&p);
	free(base);
	free(img);
	test_key_free(&k);
}

static void test_plain(void **state)
{
	(void)state;
	check_walk(FWS_ENC_NONE, 1024);
	check_walk(FWS_ENC_NONE, 4096);
}

static void test_compressed(void **state)
{
	(void)state;
	check_walk(FWS_ENC_LZ4, 1024);
	check_walk(FWS_ENC_LZ4, 4096);
}

static void test_delta(void **state)
{
	(void)state;
	check_walk(FWS_ENC_LZ4_DELTA, 1024);
	check_walk(FWS_ENC_LZ4_DELTA, 4096);
}

int main(void)
{
	if (!test_tmpdir(g_dir, sizeof g_dir, "walk"))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_delta),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	test_rmtree(g_dir);
	return rc;
}
