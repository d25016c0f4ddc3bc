/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pack_stream.c - host-tool/cli/pack_stream.c, the one-read packer,
 * against the protocol's reference (fws_chain_compute, mbedTLS's SHA-256,
 * the chain last block first) and zlib's CRC-32 over the whole file: every
 * byte of the stream, the digests and the suffix's CRC, for images of one
 * byte to several chunks with a short last block, at the smallest, the
 * usual and the largest block size; an image shorter than announced; and
 * the CRC algebra the packer combines its pieces with.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "atomic_out.h"
#include "fwseal-host/crc32.h"
#include "fwseal/crypto.h"
#include "fwseal/pkg.h"
#include "pack_stream.h"

static char dir[] = "/tmp/fwseal-pack-stream-XXXXXX";

/* deterministic bytes, different for every offset and seed */
static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1u;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = malloc((size_t)n + 1u);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

struct mem {
	const uint8_t *p;
	size_t n;
};

static fws_err mem_read(void *ctx, uint64_t off, uint8_t *dst, size_t len)
{
	const struct mem *m = ctx;
	if (off + len > m->n)
		return FWS_E_IO;
	memcpy(dst, m->p + off, len);
	return FWS_OK;
}

/* Pack image_len bytes in block_size blocks behind a prefix of prefix_len
 * bytes and check the file against the reference, byte for byte. */
static void check_one(size_t image_len, uint32_t block_size, size_t prefix_len)
{
	char img_path[64], out_path[64];
	snprintf(img_path, sizeof img_path, "%s/img", dir);
	snprintf(out_path, sizeof out_path, "%s/out", dir);
	uint8_t *img = malloc(image_len);
	uint8_t *prefix = malloc(prefix_len);
	assert_non_null(img);
	assert_non_null(prefix);
	fill(img, image_len, (uint32_t)image_len ^ block_size);
	fill(prefix, prefix_len, 7u);
	FILE *f = fopen(img_path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(img, 1, image_len, f), image_len);
	fclose(f);

	/* the reference: every D(i), and the image digest */
	uint32_t n = (uint32_t)((image_len + block_size - 1u) / block_size);
	uint8_t *digests = malloc(((size_t)n + 1u) * FWS_SHA256_LEN);
	uint8_t *buf = malloc(block_size);
	uint8_t want_sha[FWS_SHA256_LEN];
	struct mem src = {img, image_len};
	assert_non_null(digests);
	assert_non_null(buf);
	assert_int_equal(fws_chain_compute(mem_read, &src, (uint32_t)image_len, block_size, buf,
	                                   digests, want_sha),
	                 FWS_OK);

	int fd = open(img_path, O_RDONLY);
	assert_true(fd >= 0);
	struct atomic_out out;
	assert_true(atomic_out_open(&out, out_path));
	struct pack_stream ps = {.at = prefix_len};
	assert_int_equal(pack_stream_blocks(&out, fd, (uint32_t)image_len, block_size, &ps),
	                 PACK_STREAM_OK);
	close(fd);
	assert_int_equal(ps.len, image_len + (size_t)n * FWS_SHA256_LEN);
	assert_memory_equal(ps.chain_head, digests, FWS_SHA256_LEN);
	assert_memory_equal(ps.image_sha256, want_sha, FWS_SHA256_LEN);
	pack_stream_finish(&out, prefix, prefix_len, &ps, 0x1209, 0xf5ea);
	assert_int_equal(out.err, 0);
	assert_true(atomic_out_commit(&out));

	size_t got_len;
	uint8_t *got = read_all(out_path, &got_len);
	assert_int_equal(got_len, prefix_len + ps.len + FWS_PKG_SUFFIX_LEN);
	assert_memory_equal(got, prefix, prefix_len);
	size_t at = prefix_len;
	for (uint32_t i = 0; i < n; i++) {
		size_t len = i + 1u < n ? block_size : image_len - (size_t)i * block_size;
		assert_memory_equal(got + at, img + (size_t)i * block_size, len);
		assert_memory_equal(got + at + len, digests + (size_t)(i + 1u) * FWS_SHA256_LEN,
		                    FWS_SHA256_LEN);
		at += len + FWS_SHA256_LEN;
	}
	assert_int_equal(ps.crc, (uint32_t)crc32(0, got + prefix_len, (uInt)ps.len));
	fws_dfu_suffix s;
	assert_int_equal(fws_dfu_suffix_parse(got + at, &s), FWS_OK);
	assert_int_equal(s.id_vendor, 0x1209);
	assert_int_equal(s.id_product, 0xf5ea);
	assert_int_equal(s.bcd_device, 0xFFFF);
	/* dfu-util's CRC: ~zlib crc32 over everything before dwCRC */
	assert_int_equal(s.crc, ~(uint32_t)crc32(0, got, (uInt)(got_len - 4u)));

	free(got);
	free(digests);
	free(buf);
	free(img);
	free(prefix);
	unlink(out_path);
	unlink(img_path);
}

static void test_sizes(void **state)
{
	(void)state;
	/* one chunk is 256 KiB of image: 1024, 64 or 4 blocks at these sizes */
	static const uint32_t block_sizes[] = {FWS_PKG_BLOCK_MIN, 4096, FWS_PKG_BLOCK_MAX};
	for (size_t b = 0; b < sizeof block_sizes / sizeof block_sizes[0]; b++) {
		uint32_t bs = block_sizes[b];
		const size_t sizes[] = {1, bs - 1u, bs, bs + 1u, 256u * 1024u, 256u * 1024u - 1u,
		                        256u * 1024u + bs, 3u * 256u * 1024u + 5u * bs + 17u};
		for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
			check_one(sizes[i], bs, 300u + i);
	}
}

static void test_image_shorter_than_announced(void **state)
{
	(void)state;
	char img_path[64], out_path[64];
	snprintf(img_path, sizeof img_path, "%s/short", dir);
	snprintf(out_path, sizeof out_path, "%s/short.out", dir);
	uint8_t img[5000];
	fill(img, sizeof img, 3u);
	FILE *f = fopen(img_path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(img, 1, sizeof img, f), sizeof img);
	fclose(f);
	int fd = open(img_path, O_RDONLY);
	assert_true(fd >= 0);
	struct atomic_out out;
	assert_true(atomic_out_open(&out, out_path));
	struct pack_stream ps = {.at = 100};
	assert_int_equal(pack_stream_blocks(&out, fd, 300u * 1024u, 4096, &ps),
	                 PACK_STREAM_IMAGE_SHORT);
	assert_int_equal(pack_stream_blocks(&out, fd, 5000, 1000, &ps), PACK_STREAM_INVAL);
	assert_int_equal(pack_stream_blocks(&out, fd, 0, 4096, &ps), PACK_STREAM_INVAL);
	close(fd);
	atomic_out_abort(&out);
	assert_int_equal(access(out_path, F_OK), -1);
	unlink(img_path);
}

/* crc(A || B) from crc(A), crc(B) and |B|, for lengths around the bits of
 * the shift's square-and-multiply, and shifts of sums. */
static void test_crc_concat(void **state)
{
	(void)state;
	static uint8_t buf[70000];
	fill(buf, sizeof buf, 11u);
	const size_t lens[] = {0, 1, 2, 3, 7, 8, 63, 64, 65, 255, 4128, 65535, 69999};
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		size_t a = lens[i], b = sizeof buf - a;
		uint32_t ca = fwh_crc32(0, buf, a), cb = fwh_crc32(0, buf + a, b);
		assert_int_equal(fwh_crc32_concat(ca, cb, fwh_crc32_shift(b)),
		                 (uint32_t)crc32(0, buf, sizeof buf));
		assert_int_equal(fwh_crc32_shift_add(fwh_crc32_shift(a), fwh_crc32_shift(b)),
		                 fwh_crc32_shift(sizeof buf));
	}
	/* beyond 32 bits of length: x^(8 (2^32 + 5)) = x^(8 2^32) x^40 */
	assert_int_equal(fwh_crc32_shift((1ull << 32) + 5u),
	                 fwh_crc32_shift_add(fwh_crc32_shift(1ull << 32), fwh_crc32_shift(5)));
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_image_shorter_than_announced),
		cmocka_unit_test(test_crc_concat),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
