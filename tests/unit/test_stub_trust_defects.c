/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The trust update checks matter: the simulator's core with a planted
 * defect (FWS_STUB_DEFECTS, `fwseal-sim --defect trust-...`) that skips one
 * check takes exactly the update test-stub_trust sees refused, and the
 * damage shows from outside (the device's own report, or it no longer runs
 * its image). This executable links the defect-enabled core; the firmware
 * core has none of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fwseal/crc.h"
#include "fwseal/le.h"
#include "trust_rig.h"

#define FLASH  (256u * 1024u)
#define SECTOR 4096u

static uint32_t version_of(trig *t)
{
	uint8_t d[FWS_SHA256_LEN];
	uint32_t v = 0;

	trig_state(t, &v, d);
	return v;
}

/* Threshold not met, a revoked root counted, release keys only: all taken. */
static void skip_roots_takes_what_roots_did_not_sign(void **state)
{
	uint8_t v[FWS_TRUST_BLOB_MAX];
	size_t n;
	(void)state;
	{
		trig *t = trig_new(FLASH, SECTOR, FWS_DEFECT_TRUST_SKIP_ROOTS);
		const test_key *one[] = { &t->a, &t->d };

		n = trig_store_attacker(t, v);
		assert_int_equal(trig_apply(t, v, n, 2, one, 2), FWS_OK);
		assert_int_equal(version_of(t), 2);
		trig_free(t);
	}
	{
		trig *t = trig_new(FLASH, SECTOR, FWS_DEFECT_TRUST_SKIP_ROOTS);
		const test_key *with_revoked[] = { &t->a, &t->c, &t->d };

		n = trig_store_attacker(t, v);
		assert_int_equal(trig_apply(t, v, n, 2, with_revoked, 3), FWS_OK);
		assert_int_equal(version_of(t), 2);
		trig_free(t);
	}
	{
		trig *t = trig_new(FLASH, SECTOR, FWS_DEFECT_TRUST_SKIP_ROOTS);
		const test_key *rel[] = { t->rel1, &t->d };

		n = trig_store_attacker(t, v);
		assert_int_equal(trig_apply(t, v, n, 2, rel, 2), FWS_OK);
		assert_int_equal(version_of(t), 2);
		trig_free(t);
	}
}

static void skip_new_roots_takes_unproven_roots(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, FWS_DEFECT_TRUST_SKIP_NEW_ROOTS);
	uint8_t v[FWS_TRUST_BLOB_MAX];
	const test_key *keys[] = { &t->d, &t->e, t->rel1 };
	const uint8_t flags[] = { TR_ROOT, TR_ROOT, TR_RELEASE };
	const test_key *old_only[] = { &t->a, &t->b };
	size_t n = trig_store(v, 2, 2, keys, flags, 3);

	(void)state;
	assert_int_equal(trig_apply(t, v, n, 2, old_only, 2), FWS_OK);
	assert_int_equal(version_of(t), 2);
	trig_free(t);
}

static void rollback_takes_old_and_replayed_updates(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, FWS_DEFECT_TRUST_ROLLBACK);
	uint8_t v2[FWS_TRUST_BLOB_MAX], v3[FWS_TRUST_BLOB_MAX];
	size_t n2 = trig_store_add_rel2(t, v2, 2), n3 = trig_store_revoke_rel1(t, v3, 3);
	const test_key *roots[] = { &t->a, &t->b };
	const test_key *both[] = { t->rel1, &t->rel2 };
	test_pkg u2;

	(void)state;
	/* the same version again */
	{
		uint8_t v1[FWS_TRUST_BLOB_MAX];
		size_t n1 = trig_store_add_rel2(t, v1, 1);

		assert_int_equal(trig_apply(t, v1, n1, 1, roots, 2), FWS_OK);
	}
	test_trust_update(&u2, v2, n2, 2, roots, 2, NULL);
	assert_int_equal(trig_send(t, &u2), FWS_OK);
	assert_int_equal(trig_install(t, "2.0.0", 2, both, 2), FWS_OK);
	assert_int_equal(trig_apply(t, v3, n3, 3, roots, 2), FWS_OK);
	/* the replay brings the revoked key back */
	assert_int_equal(trig_send(t, &u2), FWS_OK);
	assert_int_equal(version_of(t), 2);
	test_pkg_free(&u2);
	trig_free(t);
}

static void skip_usable_takes_store_without_release_key(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, FWS_DEFECT_TRUST_SKIP_USABLE);
	uint8_t v[FWS_TRUST_BLOB_MAX];
	const test_key *keys[] = { &t->a, &t->b, t->rel1 };
	const uint8_t flags[] = { TR_ROOT, TR_ROOT, TR_RELEASE | TR_REVOKED };
	const test_key *roots[] = { &t->a, &t->b };
	size_t n = trig_store(v, 2, 2, keys, flags, 3);

	(void)state;
	/* the skipped image check would also refuse it: skip that too, as a
	 * device without either rule would */
	t->r->defects |= FWS_DEFECT_TRUST_SKIP_IMAGE;
	assert_int_equal(rig_power_on(t->r, true), FWS_OK);
	assert_int_equal(trig_apply(t, v, n, 2, roots, 2), FWS_OK);
	assert_int_equal(version_of(t), 2);
	trig_free(t);
}

/* The harm the rule prevents: the device no longer runs its own image. */
static void skip_image_check_strands_device_in_stub(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, FWS_DEFECT_TRUST_SKIP_IMAGE);
	uint8_t v2[FWS_TRUST_BLOB_MAX], v3[FWS_TRUST_BLOB_MAX];
	size_t n2 = trig_store_add_rel2(t, v2, 2), n3 = trig_store_revoke_rel1(t, v3, 3);
	const test_key *roots[] = { &t->a, &t->b };

	(void)state;
	assert_int_equal(trig_apply(t, v2, n2, 2, roots, 2), FWS_OK);
	assert_int_equal(trig_apply(t, v3, n3, 3, roots, 2), FWS_OK);
	assert_int_equal(rig_power_on(t->r, true), FWS_OK);
	assert_int_equal(t->r->boot.action, FWS_BOOT_STAY);
	assert_string_equal(rig_running(t->r), "");
	trig_free(t);
}

static void skip_payload_check_takes_tampered_store(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, FWS_DEFECT_TRUST_SKIP_PAYLOAD);
	uint8_t v2[FWS_TRUST_BLOB_MAX], rec[FWS_DEVINFO_MAX];
	size_t n = trig_store_revoke_rel1(t, v2, 2), len = 0;
	const test_key *roots[] = { &t->a, &t->b };
	fws_devinfo info;
	test_pkg p;

	(void)state;
	/* the image check would refuse the signed store (it revokes rel1) */
	t->r->defects |= FWS_DEFECT_TRUST_SKIP_IMAGE;
	assert_int_equal(rig_power_on(t->r, true), FWS_OK);
	test_trust_update(&p, v2, n, 2, roots, 2, NULL);
	{
		uint8_t *blob = p.data + p.prefix_len;
		size_t entry = 12 + 3 * 76;

		blob[entry + 8] &= (uint8_t)~FWS_TRUST_REVOKED;
		fws_put_le32(blob + n - 4, fws_crc32(0, blob, n - 4));
	}
	assert_int_equal(trig_send(t, &p), FWS_OK);
	test_pkg_free(&p);
	/* the device now trusts rel1, which the signed store revokes */
	assert_int_equal(rig_req(t->r, FWS_REQ_INFO, 0, NULL, 0, rec, sizeof rec, &len), FWS_OK);
	assert_int_equal(fws_devinfo_decode(rec, len, &info), FWS_OK);
	assert_int_equal(info.trust_version, 2);
	assert_memory_equal(info.keys[3].id, t->rel1->id, 8);
	assert_int_equal(info.keys[3].flags & FWS_TRUST_REVOKED, 0);
	trig_free(t);
}

/* After a rotation (v3 revokes rel1), a package rel1 alone signed installs
 * on a device that ignores revocations: test-stub_trust's "the revoked
 * key's package is refused" is what catches it. */
static void ignore_revoked_takes_revoked_signer(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, FWS_DEFECT_IGNORE_REVOKED);
	uint8_t v2[FWS_TRUST_BLOB_MAX], v3[FWS_TRUST_BLOB_MAX];
	size_t n2 = trig_store_add_rel2(t, v2, 2), n3 = trig_store_revoke_rel1(t, v3, 3);
	const test_key *roots[] = { &t->a, &t->b };
	const test_key *both[] = { t->rel1, &t->rel2 };
	const test_key *old[] = { t->rel1 };

	(void)state;
	assert_int_equal(trig_apply(t, v2, n2, 2, roots, 2), FWS_OK);
	assert_int_equal(trig_install(t, "2.0.0", 2, both, 2), FWS_OK);
	assert_int_equal(trig_apply(t, v3, n3, 3, roots, 2), FWS_OK);
	assert_int_equal(version_of(t), 3);
	assert_int_equal(trig_install(t, "3.0.0", 3, old, 1), FWS_OK);
	assert_string_equal(rig_running(t->r), "3.0.0");
	trig_free(t);
}

/* A device that writes a trust update over the store in force: some power
 * cut leaves it with neither store (it then boots nothing), which
 * test-stub_trust_powercut's "old or new, never neither" catches. */
static void in_place_update_loses_both_stores_on_a_cut(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, FWS_DEFECT_TRUST_IN_PLACE);
	uint8_t v2[FWS_TRUST_BLOB_MAX], v3[FWS_TRUST_BLOB_MAX], *base = malloc(FLASH);
	size_t n2 = trig_store_add_rel2(t, v2, 2), n3 = trig_store_add_rel2(t, v3, 3);
	const test_key *roots[] = { &t->a, &t->b };
	unsigned neither = 0;
	uint64_t total;
	fws_stub ram;

	(void)state;
	assert_non_null(base);
	/* v2 goes to a trust area; v3 is then written over it */
	assert_int_equal(trig_apply(t, v2, n2, 2, roots, 2), FWS_OK);
	memcpy(base, t->r->dev.flash.mem, FLASH);
	ram = t->r->stub;
	t->r->dev.flash.ops = 0;
	assert_int_equal(trig_apply(t, v3, n3, 3, roots, 2), FWS_OK);
	total = t->r->dev.flash.ops;
	for (uint64_t cut = 0; cut < total; cut++) {
		memcpy(t->r->dev.flash.mem, base, FLASH);
		fws_simflash_repower(&t->r->dev.flash);
		t->r->stub = ram;
		fws_simflash_arm_cut(&t->r->dev.flash, cut, false);
		assert_int_not_equal(trig_apply(t, v3, n3, 3, roots, 2), FWS_OK);
		fws_simflash_repower(&t->r->dev.flash);
		(void)rig_power_on(t->r, true);
		if (!t->r->stub.trust_ok)
			neither++;
	}
	assert_true(neither > 0u);
	free(base);
	trig_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(skip_roots_takes_what_roots_did_not_sign),
		cmocka_unit_test(skip_new_roots_takes_unproven_roots),
		cmocka_unit_test(rollback_takes_old_and_replayed_updates),
		cmocka_unit_test(skip_usable_takes_store_without_release_key),
		cmocka_unit_test(skip_image_check_strands_device_in_stub),
		cmocka_unit_test(skip_payload_check_takes_tampered_store),
		cmocka_unit_test(ignore_revoked_takes_revoked_signer),
		cmocka_unit_test(in_place_update_loses_both_stores_on_a_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
