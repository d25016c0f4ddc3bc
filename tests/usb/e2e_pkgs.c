/* SPDX-License-Identifier: Apache-2.0 */
/* e2e_pkgs.c - see e2e_pkgs.h. */
#include "e2e_pkgs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fwseal/trust.h"
#include "testkey.h"
#include "testpkg.h"

/* usb_fixture.c signs with this seed's key; the revoked and the unknown
 * signer are new keys */
#define FIXTURE_KEY_SEED 4242u
#define REVOKED_KEY_SEED 4343u
#define UNKNOWN_KEY_SEED 4444u

#define V3_LEN 25000u
#define OVERSIZE_LEN (3u * 1024u * 1024u) /* a slot of 4 MiB flash is < 2 MiB */

static void put(const char *path, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t *all = malloc(alen + blen);

	if (!all)
		abort();
	memcpy(all, a, alen);
	if (blen)
		memcpy(all + alen, b, blen);
	if (!g_file_set_contents(path, (const gchar *)all, (gssize)(alen + blen), NULL)) {
		fprintf(stderr, "e2e_pkgs: cannot write %s\n", path);
		abort();
	}
	free(all);
}

static void build(test_pkg *p, const uint8_t *img, size_t len, const test_key *k,
                  uint16_t hw_min, uint16_t hw_max)
{
	test_pkg_opts o = { .version = "3.0.0", .security_counter = 3, .with_suffix = 1,
	                    .keys = { k }, .hw_rev_min = hw_min, .hw_rev_max = hw_max };
	test_pkg_build(p, img, len, &o);
}

static void trust_file(const char *path, const test_key *good, const test_key *revoked)
{
	fws_trust t;
	uint8_t blob[FWS_TRUST_BLOB_MAX];

	memset(&t, 0, sizeof t);
	memcpy(t.keys[0].id, good->id, FWS_KEY_ID_LEN);
	memcpy(t.keys[0].pub, good->pub, FWS_P256_PUB_LEN);
	memcpy(t.keys[1].id, revoked->id, FWS_KEY_ID_LEN);
	memcpy(t.keys[1].pub, revoked->pub, FWS_P256_PUB_LEN);
	t.keys[1].flags = FWS_TRUST_REVOKED;
	t.count = 2;
	size_t n = fws_trust_encode(&t, blob, sizeof blob);
	if (n == 0)
		abort();
	put(path, blob, n, NULL, 0);
}

void e2e_pkgs_make(struct e2e_pkgs *p, const char *dir)
{
	test_key k, rk, uk;
	test_pkg pkg;
	uint8_t *img = test_image(V3_LEN, 33);

	test_key_generate(&k, FIXTURE_KEY_SEED);
	test_key_generate(&rk, REVOKED_KEY_SEED);
	test_key_generate(&uk, UNKNOWN_KEY_SEED);
#define PATH(field, name) snprintf(p->field, sizeof p->field, "%s/e2e-%s", dir, name)
	PATH(trust, "trust.fwst");
	PATH(v3, "v3.fwseal");
	PATH(tampered, "tampered.fwseal");
	PATH(bad_sig, "bad-signature.fwseal");
	PATH(wrong_key, "wrong-key.fwseal");
	PATH(revoked, "revoked-key.fwseal");
	PATH(hw_rev, "hw-rev.fwseal");
	PATH(oversize, "oversize.fwseal");
	PATH(trailing, "trailing.fwseal");
#undef PATH
	trust_file(p->trust, &k, &rk);

	build(&pkg, img, V3_LEN, &k, 0, 0);
	put(p->v3, pkg.data, pkg.len, NULL, 0);
	/* bytes after the last block, before the DFU suffix (which hosts strip) */
	static const uint8_t junk[100] = { 0x5a };
	size_t body = pkg.len - FWS_PKG_SUFFIX_LEN;
	uint8_t *t = malloc(pkg.len + sizeof junk);
	if (!t)
		abort();
	memcpy(t, pkg.data, body);
	memcpy(t + body, junk, sizeof junk);
	memcpy(t + body + sizeof junk, pkg.data + body, FWS_PKG_SUFFIX_LEN);
	put(p->trailing, t, pkg.len + sizeof junk, NULL, 0);
	free(t);
	/* the last byte of the signature's s */
	pkg.data[pkg.prefix_len - 1] ^= 0x01;
	put(p->bad_sig, pkg.data, pkg.len, NULL, 0);
	pkg.data[pkg.prefix_len - 1] ^= 0x01;
	/* a payload byte in the middle block: the blocks before it are fine and
	 * written, this one must be refused before it reaches flash */
	size_t at = pkg.prefix_len + E2E_TAMPERED_BLOCK * (E2E_BLOCK + FWS_SHA256_LEN) + 100u;
	pkg.data[at] ^= 0x01;
	put(p->tampered, pkg.data, pkg.len, NULL, 0);
	memcpy(p->tampered_block, pkg.data + at - 100u, E2E_BLOCK);
	memcpy(p->good_block, img + (E2E_TAMPERED_BLOCK - 1u) * E2E_BLOCK, E2E_BLOCK);
	test_pkg_free(&pkg);

	build(&pkg, img, V3_LEN, &uk, 0, 0);
	put(p->wrong_key, pkg.data, pkg.len, NULL, 0);
	test_pkg_free(&pkg);
	build(&pkg, img, V3_LEN, &rk, 0, 0);
	put(p->revoked, pkg.data, pkg.len, NULL, 0);
	test_pkg_free(&pkg);
	build(&pkg, img, V3_LEN, &k, 2, 3);
	put(p->hw_rev, pkg.data, pkg.len, NULL, 0);
	test_pkg_free(&pkg);
	free(img);

	img = test_image(OVERSIZE_LEN, 34);
	build(&pkg, img, OVERSIZE_LEN, &k, 0, 0);
	put(p->oversize, pkg.data, pkg.len, NULL, 0);
	test_pkg_free(&pkg);
	free(img);
	test_key_free(&k);
	test_key_free(&rk);
	test_key_free(&uk);
}
