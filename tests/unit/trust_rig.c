/* SPDX-License-Identifier: Apache-2.0 */
/* trust_rig.c - see trust_rig.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trust_rig.h"

#define IMG_LEN (6u * 1024u + 10u)

size_t trig_store(uint8_t blob[FWS_TRUST_BLOB_MAX], uint32_t version, uint8_t threshold,
                  const test_key *const keys[], const uint8_t flags[], unsigned n)
{
	return test_trust_v2(blob, NULL, version, threshold, keys, flags, n);
}

size_t trig_store_add_rel2(trig *t, uint8_t blob[FWS_TRUST_BLOB_MAX], uint32_t version)
{
	const test_key *keys[] = { &t->a, &t->b, &t->c, t->rel1, &t->rel2 };
	const uint8_t flags[] = { TR_ROOT, TR_ROOT, TR_ROOT | TR_REVOKED, TR_RELEASE, TR_RELEASE };

	return trig_store(blob, version, 2, keys, flags, 5);
}

size_t trig_store_revoke_rel1(trig *t, uint8_t blob[FWS_TRUST_BLOB_MAX], uint32_t version)
{
	const test_key *keys[] = { &t->a, &t->b, &t->c, t->rel1, &t->rel2 };
	const uint8_t flags[] = { TR_ROOT, TR_ROOT, TR_ROOT | TR_REVOKED, TR_RELEASE | TR_REVOKED,
	                          TR_RELEASE };

	return trig_store(blob, version, 2, keys, flags, 5);
}

size_t trig_store_attacker(trig *t, uint8_t blob[FWS_TRUST_BLOB_MAX])
{
	const test_key *keys[] = { &t->d, t->rel1, &t->rel2 };
	const uint8_t flags[] = { TR_ROOT, TR_RELEASE, TR_RELEASE };

	return trig_store(blob, 2, 1, keys, flags, 3);
}

trig *trig_new(uint32_t flash_size, uint32_t sector_size, uint32_t defects)
{
	trig *t = calloc(1, sizeof *t);
	fws_trust parsed;

	assert_non_null(t);
	t->r = rig_new_geom(flash_size, sector_size);
	t->r->defects = defects;
	test_key_generate(&t->a, 101);
	test_key_generate(&t->b, 102);
	test_key_generate(&t->c, 103);
	test_key_generate(&t->d, 104);
	test_key_generate(&t->e, 105);
	test_key_generate(&t->rel2, 106);
	t->rel1 = &t->r->key;
	t->stranger = &t->r->stranger;
	{
		const test_key *keys[] = { &t->a, &t->b, &t->c, t->rel1 };
		const uint8_t flags[] = { TR_ROOT, TR_ROOT, TR_ROOT | TR_REVOKED, TR_RELEASE };

		t->len = trig_store(t->blob, 1, 2, keys, flags, 4);
	}
	assert_int_equal(fws_trust_parse(t->blob, t->len, &parsed), FWS_OK);
	assert_int_equal(fws_posix_set_trust(&t->r->dev, &parsed), FWS_OK);
	assert_int_equal(rig_power_on(t->r, true), FWS_OK);
	{
		const test_key *keys[] = { t->rel1 };

		assert_int_equal(trig_install(t, "1.0.0", 1, keys, 1), FWS_OK);
	}
	return t;
}

void trig_free(trig *t)
{
	if (t == NULL)
		return;
	test_key_free(&t->a);
	test_key_free(&t->b);
	test_key_free(&t->c);
	test_key_free(&t->d);
	test_key_free(&t->e);
	test_key_free(&t->rel2);
	rig_free(t->r);
	free(t);
}

fws_err trig_send(trig *t, const test_pkg *p)
{
	fws_err e = rig_download(t->r, p->data, p->len, 333);
	uint8_t state = 0;

	if (e != FWS_OK) {
		/* a refusal leaves dfuERROR: clear it as a host would */
		(void)rig_status(t->r, &state);
		if (state == FWS_DFU_ERROR)
			assert_int_equal(rig_req(t->r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
		else
			assert_int_equal(rig_req(t->r, FWS_DFU_ABORT, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
	}
	return e;
}

fws_err trig_apply(trig *t, const uint8_t *blob, size_t len, uint32_t version,
                   const test_key *const signers[], unsigned n)
{
	test_pkg p;
	fws_err e;

	test_trust_update(&p, blob, len, version, signers, n, NULL);
	e = trig_send(t, &p);
	test_pkg_free(&p);
	return e;
}

void trig_fw(test_pkg *p, const char *version, uint32_t counter, const test_key *const keys[],
             unsigned n)
{
	uint8_t *img = test_image(IMG_LEN, counter * 13u + (uint32_t)n);
	test_pkg_opts o;

	memset(&o, 0, sizeof o);
	o.model = RIG_MODEL;
	o.version = version;
	o.security_counter = counter;
	o.block_size = 1024;
	for (unsigned i = 0; i < n; i++)
		o.keys[i] = keys[i];
	o.nkeys = n;
	test_pkg_build(p, img, IMG_LEN, &o);
	free(img);
}

fws_err trig_install(trig *t, const char *version, uint32_t counter,
                     const test_key *const keys[], unsigned n)
{
	test_pkg p;
	fws_err e;

	trig_fw(&p, version, counter, keys, n);
	e = trig_send(t, &p);
	test_pkg_free(&p);
	if (e != FWS_OK)
		return e;
	e = rig_power_on(t->r, true);
	if (e == FWS_OK && strcmp(rig_running(t->r), version) != 0)
		e = FWS_E_REVERTED;
	return e;
}

void trig_state(trig *t, uint32_t *version, uint8_t sha[FWS_SHA256_LEN])
{
	uint8_t rec[FWS_DEVINFO_MAX];
	fws_devinfo info;
	size_t n = 0;

	assert_int_equal(rig_req(t->r, FWS_REQ_INFO, 0, NULL, 0, rec, sizeof rec, &n), FWS_OK);
	assert_int_equal(fws_devinfo_decode(rec, n, &info), FWS_OK);
	assert_true(info.has_trust_state);
	*version = info.trust_version;
	memcpy(sha, info.trust_sha256, FWS_SHA256_LEN);
}

void trig_expect(trig *t, const char *running, uint32_t version, const uint8_t sha[FWS_SHA256_LEN])
{
	uint8_t now[FWS_SHA256_LEN];
	uint32_t v = 0;

	for (int cycle = 0; cycle < 2; cycle++) {
		assert_string_equal(rig_running(t->r), running);
		trig_state(t, &v, now);
		assert_int_equal(v, version);
		assert_memory_equal(now, sha, FWS_SHA256_LEN);
		assert_int_equal(t->r->dev.flash.violations, 0);
		assert_int_equal(rig_power_on(t->r, true), FWS_OK);
	}
}
