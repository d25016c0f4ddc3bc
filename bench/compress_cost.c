/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/compress_cost.c - what a compressed or delta package costs the
 * device stub, on the real core over the posix simulated flash (in-process,
 * like bench/stub_cost.c). bench/compress runs it under callgrind:
 *
 *   compress_cost take KIND BASE NEW
 *       installs BASE (a file: the image the device runs), builds a package
 *       of NEW (KIND: full, lz4, delta from BASE) with the encoder
 *       `fwseal pack` uses, then has the stub take it inside bench_take():
 *       every unit verified, decoded and written, the staged image read
 *       back and checked, the commit. Prints the package's stream bytes.
 *
 * Counting only bench_take (--toggle-collect=bench_take) leaves out the
 * install and the packing; the decoder alone is fws_unit_decode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_stub_rig.h"

#define FLASH (8u * 1024u * 1024u)

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (p = malloc((size_t)n)) == NULL ||
	    fread(p, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "compress_cost: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* The measured part: not inlined, so callgrind can toggle on it. */
__attribute__((noinline)) fws_err bench_take(rig *r, const test_pkg *p);
__attribute__((noinline)) fws_err bench_take(rig *r, const test_pkg *p)
{
	return rig_download(r, p->data, p->len, 4096);
}

int main(int argc, char **argv)
{
	size_t blen, nlen;
	uint8_t enc;
	test_pkg p;

	if (argc != 5 || strcmp(argv[1], "take") != 0) {
		fprintf(stderr, "usage: compress_cost take full|lz4|delta BASE NEW\n");
		return 2;
	}
	if (strcmp(argv[2], "full") == 0)
		enc = 0;
	else if (strcmp(argv[2], "lz4") == 0)
		enc = FWS_ENC_LZ4;
	else if (strcmp(argv[2], "delta") == 0)
		enc = FWS_ENC_LZ4_DELTA;
	else
		return 2;
	uint8_t *base = slurp(argv[3], &blen), *img = slurp(argv[4], &nlen);
	rig *r = rig_new(FLASH);
	if (rig_power_on(r, true) != FWS_OK)
		return 1;
	rig_install_image(r, "1.0.0", 1, base, blen);
	rig_pkg_enc(&p, &r->key, "2.0.0", 2, img, nlen, 4096, enc,
	            enc == FWS_ENC_LZ4_DELTA ? base : NULL, enc == FWS_ENC_LZ4_DELTA ? blen : 0,
	            "1.0.0");
	fws_err e = bench_take(r, &p);
	if (e != FWS_OK || rig_power_on(r, true) != FWS_OK || strcmp(rig_running(r), "2.0.0") != 0) {
		fprintf(stderr, "compress_cost: the stub did not take the %s package (%s)\n", argv[2],
		        fws_err_name(e));
		return 1;
	}
	printf("image=%zu stream=%zu\n", nlen, p.len - p.prefix_len);
	test_pkg_free(&p);
	rig_free(r);
	free(base);
	free(img);
	return 0;
}
