/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes the seed corpus of fuzz_unit.c: units the encoder makes, one of
 * each kind (raw; lz4 without, with the image's, with the base's
 * dictionary; lz4-add), at two block sizes, framed as the target reads them.
 *   gen-unit-corpus DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal/le.h"
#include "testpkg.h"

static void save(const char *dir, const char *name, uint8_t enc, unsigned bs_exp, uint32_t done,
                 uint32_t base_len, const uint8_t *unit, size_t ulen)
{
	char path[512];
	uint8_t hdr[7];
	hdr[0] = enc == FWS_ENC_LZ4 ? 1u : 0u;
	hdr[1] = (uint8_t)bs_exp;
	fws_put_le16(hdr + 2, (uint16_t)done);
	fws_put_le16(hdr + 4, (uint16_t)(base_len ? base_len - 1u : 0u));
	hdr[6] = 1; /* full blocks, seed 1 */
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(hdr, 1, sizeof hdr, f) != sizeof hdr ||
	    fwrite(unit, 1, ulen, f) != ulen || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
}

/* The first unit of each method and source in e into DIR. */
static void pick(const char *dir, const char *tag, const fws_encoded *e, unsigned bs_exp,
                 uint32_t base_len)
{
	bool seen[3][3] = {{false}};
	for (uint32_t k = 0; k < e->count; k++) {
		fws_unit u;
		const uint8_t *p = e->units + e->unit_off[k];
		size_t n = e->unit_off[k + 1] - e->unit_off[k];
		fws_unit_hdr_parse(p, &u);
		if (u.method > 2 || u.source > 2 || seen[u.method][u.source])
			continue;
		seen[u.method][u.source] = true;
		char name[64];
		static const char *const m[] = {"raw", "lz4", "lz4add"};
		static const char *const s[] = {"none", "image", "base"};
		snprintf(name, sizeof name, "%s-%s-%s", tag, m[u.method], s[u.source]);
		save(dir, name, e->encoding, bs_exp, k * e->block_size, base_len, p, n);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (unsigned bs_exp = 0; bs_exp <= 4; bs_exp += 4) {
		uint32_t bs = 256u << bs_exp;
		size_t base_len = 30000, n;
		uint8_t *base = test_image_code(base_len, 77);
		uint8_t *img = test_image_fix(base, base_len, 78, &n);
		uint8_t *rnd = test_image(3 * bs, 79);
		memcpy(img + 2 * bs, rnd, bs); /* one incompressible block: raw */
		fws_encoded e;
		char tag[16];
		snprintf(tag, sizeof tag, "bs%u-lz4", bs);
		if (fws_encode_image(FWS_ENC_LZ4, bs, img, (uint32_t)n, NULL, 0, &e) != FWS_OK)
			return 1;
		pick(argv[1], tag, &e, bs_exp, 0);
		fws_encoded_free(&e);
		snprintf(tag, sizeof tag, "bs%u-delta", bs);
		if (fws_encode_image(FWS_ENC_LZ4_DELTA, bs, img, (uint32_t)n, base, (uint32_t)base_len,
		                     &e) != FWS_OK)
			return 1;
		pick(argv[1], tag, &e, bs_exp, (uint32_t)base_len);
		fws_encoded_free(&e);
		/* addresses that moved: every 40th byte one more (lz4-add) */
		uint8_t *moved = malloc(base_len);
		memcpy(moved, base, base_len);
		for (size_t i = 0; i < base_len; i += 40)
			moved[i]++;
		snprintf(tag, sizeof tag, "bs%u-moved", bs);
		if (fws_encode_image(FWS_ENC_LZ4_DELTA, bs, moved, (uint32_t)base_len, base,
		                     (uint32_t)base_len, &e) != FWS_OK)
			return 1;
		pick(argv[1], tag, &e, bs_exp, (uint32_t)base_len);
		fws_encoded_free(&e);
		/* the same, 24 bytes inserted in a block: two runs (lz4-add) */
		size_t sn;
		uint8_t *split = test_image_fix(moved, base_len, 80, &sn);
		snprintf(tag, sizeof tag, "bs%u-split", bs);
		if (fws_encode_image(FWS_ENC_LZ4_DELTA, bs, split, (uint32_t)sn, base,
		                     (uint32_t)base_len, &e) != FWS_OK)
			return 1;
		pick(argv[1], tag, &e, bs_exp, (uint32_t)base_len);
		for (uint32_t k = 0; k < e.count; k++) {
			const uint8_t *p = e.units + e.unit_off[k];
			if (p[0] == FWS_UNIT_LZ4_ADD && p[FWS_UNIT_HDR_LEN] > 0) {
				save(argv[1], bs == 256 ? "bs256-split-lz4add-runs" : "bs4096-split-lz4add-runs",
				     e.encoding, bs_exp, k * e.block_size, (uint32_t)base_len, p,
				     e.unit_off[k + 1] - e.unit_off[k]);
				break;
			}
		}
		fws_encoded_free(&e);
		free(split);
		free(moved);
		free(base);
		free(img);
		free(rnd);
	}
	return 0;
}
