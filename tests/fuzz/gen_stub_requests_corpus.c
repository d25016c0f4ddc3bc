/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes the seed corpus of fuzz_stub_requests.c (scripts of requests that
 * reach deep states: a whole valid update, a tampered block, a resume after
 * a power cycle, a downgrade, odd requests). The packages are signed with the
 * fuzz target's deterministic test key, so the seeds stay valid.
 *   gen-stub-requests-corpus DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_stub_requests.h"
#include "fwseal/dfu.h"
#include "fwseal/encoding.h"
#include "fwseal/le.h"
#include "fwseal/stub.h"

static uint8_t out[1 << 16];
static size_t len;

static void rec(uint8_t op, uint8_t flags, const uint8_t *data, size_t n)
{
	out[len++] = op;
	out[len++] = flags;
	fws_put_le16(out + len, (uint16_t)n);
	len += 2;
	if (n)
		memcpy(out + len, data, n);
	len += n;
}

static void stream(const uint8_t *p, size_t from, size_t to, size_t chunk)
{
	for (size_t at = from; at < to; at += chunk) {
		size_t n = to - at < chunk ? to - at : chunk;

		rec(FWS_DFU_DNLOAD, 0, p + at, n);
		rec(FWS_DFU_GETSTATUS, 0, NULL, 0);
	}
}

static void finish(void)
{
	rec(FWS_DFU_DNLOAD, 0, NULL, 0);
	rec(FWS_DFU_GETSTATUS, 0, NULL, 0);
	rec(FWS_DFU_GETSTATUS, 0, NULL, 0);
}

/* Unit 2's reference past the end of any source, in a package chained and
 * signed over the changed unit (test_pkg's unit_edit). */
static void bad_reference(uint32_t k, uint8_t *unit, size_t n, void *ctx)
{
	(void)n;
	(void)ctx;
	if (k == 2u)
		fws_put_le32(unit + 4, 0xFFFFFFF0u);
}

static void save(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(out, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
	len = 0;
}

int main(int argc, char **argv)
{
	test_key key;
	test_pkg v2, v0;
	uint8_t *img2, *img0;
	uint8_t r[FWS_STUB_RESUME_LEN];

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	test_key_generate(&key, FUZZ_KEY_SEED);
	img2 = fuzz_image(2);
	img0 = fuzz_image(3);
	fuzz_pkg(&v2, &key, "2.0.0", 2, img2);
	fuzz_pkg(&v0, &key, "0.9.0", 0, img0);

	stream(v2.data, 0, v2.len, 1024);
	finish();
	rec(FWS_REQ_RESET, 0, NULL, 0);
	rec(FWS_REQ_INFO, 0, NULL, 0);
	save(argv[1], "update");

	stream(v2.data, 0, v2.len, 700);
	finish();
	rec(FUZZ_POWER, 0, NULL, 0);   /* test boot, no confirm */
	rec(FUZZ_POWER, 1, NULL, 0);   /* revert */
	save(argv[1], "revert");

	v2.data[v2.prefix_len + 300] ^= 1;
	stream(v2.data, 0, v2.len, 512);
	rec(FWS_DFU_CLRSTATUS, 0, NULL, 0);
	save(argv[1], "tampered-block");
	v2.data[v2.prefix_len + 300] ^= 1;

	stream(v2.data, 0, v2.prefix_len + 5u * (FUZZ_BLOCK + 32u), 4096);
	rec(FUZZ_POWER, 1, NULL, 0);
	rec(FWS_REQ_INFO, 0, NULL, 0);
	fws_put_le32(r, (uint32_t)v2.prefix_len);
	if (fws_sha256(v2.data, v2.prefix_len, r + 4) != FWS_OK)
		abort();
	rec(FWS_REQ_RESUME, 0, r, sizeof r);
	stream(v2.data, v2.prefix_len, v2.len, 1024);
	finish();
	save(argv[1], "resume");

	stream(v0.data, 0, v0.len, 4096);
	rec(FWS_DFU_GETSTATUS, 0x80, NULL, 0);
	save(argv[1], "downgrade");

	rec(FWS_DFU_GETSTATE, 0, NULL, 0);
	rec(FWS_DFU_UPLOAD, 1, NULL, 0);
	rec(FWS_DFU_UPLOAD, 1, NULL, 0);
	rec(FWS_DFU_UPLOAD, 0, NULL, 0);
	rec(FWS_DFU_CLRSTATUS, 0, NULL, 0);
	rec(FWS_DFU_ABORT, 0, NULL, 0);
	rec(FWS_DFU_DETACH, 0, NULL, 0);
	rec(0x77, 0, NULL, 0);
	rec(FWS_DFU_DNLOAD, 0, NULL, 0);
	rec(FWS_DFU_GETSTATUS, 0x80, NULL, 0);
	save(argv[1], "odd-requests");

	/* a security key update (docs/trust.md): the fuzz key stays root and
	 * release, a second release key joins; then firmware; and its replay */
	{
		test_key k2;
		test_pkg u2;
		uint8_t blob[FWS_TRUST_BLOB_MAX];
		const test_key *keys[] = { &key, &k2 };
		const uint8_t flags[] = { FWS_TRUST_ROOT | FWS_TRUST_RELEASE, FWS_TRUST_RELEASE };
		const test_key *signers[] = { &key };

		test_key_generate(&k2, FUZZ_KEY_SEED + 1u);
		size_t n = test_trust_v2(blob, NULL, 2, 1, keys, flags, 2);
		test_trust_update(&u2, blob, n, 2, signers, 1, NULL);
		stream(u2.data, 0, u2.len, 1024);
		finish();
		rec(FWS_REQ_INFO, 0, NULL, 0);
		stream(v2.data, 0, v2.len, 1024);
		finish();
		rec(FUZZ_POWER, 1, NULL, 0);
		stream(u2.data, 0, u2.len, 300);
		finish();
		rec(FWS_DFU_CLRSTATUS, 0, NULL, 0);
		save(argv[1], "trust-update");
		test_pkg_free(&u2);
		test_key_free(&k2);
	}

	/* compressed and delta packages (issue 18): the device's 1.0.0 is
	 * fuzz_image(1); v2's image is a small fix of it */
	uint8_t *img1 = fuzz_image(1);
	uint8_t *fix = malloc(FUZZ_IMG);
	memcpy(fix, img1, FUZZ_IMG);
	memcpy(fix + 700, "a small fix", 11);
	test_pkg lz, delta, other;
	fuzz_pkg_enc(&lz, &key, "2.0.0", 2, fix, FWS_ENC_LZ4, NULL);
	fuzz_pkg_enc(&delta, &key, "2.0.0", 2, fix, FWS_ENC_LZ4_DELTA, img1);
	fuzz_pkg_enc(&other, &key, "2.0.0", 2, fix, FWS_ENC_LZ4_DELTA, img0);

	stream(lz.data, 0, lz.len, 1024);
	finish();
	rec(FWS_REQ_RESET, 0, NULL, 0);
	save(argv[1], "lz4-update");

	stream(delta.data, 0, delta.len, 300);
	finish();
	rec(FWS_REQ_RESET, 0, NULL, 0);
	rec(FWS_REQ_INFO, 0, NULL, 0);
	save(argv[1], "delta-update");

	stream(other.data, 0, other.len, 4096); /* made against another image */
	rec(FWS_DFU_GETSTATUS, 0, NULL, 0);
	rec(FWS_DFU_CLRSTATUS, 0, NULL, 0);
	save(argv[1], "delta-wrong-base");

	delta.data[delta.block_off[2] + 5] ^= 1; /* a byte of unit 2's header */
	stream(delta.data, 0, delta.len, 512);
	rec(FWS_DFU_CLRSTATUS, 0, NULL, 0);
	save(argv[1], "delta-tampered-unit");
	delta.data[delta.block_off[2] + 5] ^= 1;

	stream(delta.data, 0, delta.block_off[3] + 7u, 4096);
	rec(FUZZ_POWER, 1, NULL, 0);
	rec(FWS_REQ_INFO, 0, NULL, 0);
	fws_put_le32(r, (uint32_t)delta.prefix_len);
	if (fws_sha256(delta.data, delta.prefix_len, r + 4) != FWS_OK)
		abort();
	rec(FWS_REQ_RESUME, 0, r, sizeof r);
	stream(delta.data, delta.prefix_len, delta.len, 1024);
	finish();
	save(argv[1], "delta-resume");

	/* a signed compressed package whose unit 2 breaks the unit rules: the
	 * device refuses it there (bad-encoding) and keeps booting 1.0.0 */
	test_pkg bad;
	test_pkg_opts o;
	memset(&o, 0, sizeof o);
	o.model = FUZZ_MODEL;
	o.version = "2.0.0";
	o.security_counter = 2;
	o.block_size = FUZZ_BLOCK;
	o.keys[0] = &key;
	o.encoding = FWS_ENC_LZ4;
	o.unit_edit = bad_reference;
	test_pkg_build(&bad, fix, FUZZ_IMG, &o);
	stream(bad.data, 0, bad.len, 1024);
	rec(FWS_DFU_CLRSTATUS, 0, NULL, 0);
	rec(FWS_REQ_RESET, 0, NULL, 0);
	rec(FWS_REQ_INFO, 0, NULL, 0);
	save(argv[1], "lz4-bad-unit");

	test_pkg_free(&bad);
	test_pkg_free(&lz);
	test_pkg_free(&delta);
	test_pkg_free(&other);
	free(fix);
	free(img1);
	test_pkg_free(&v2);
	test_pkg_free(&v0);
	free(img2);
	free(img0);
	test_key_free(&key);
	return 0;
}
