/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A power cut at EVERY flash operation (program or erase, plain and torn)
 * of a trust update (docs/trust.md): erasing the trust area not in force,
 * storing the prefix and the new store, the one journal record that
 * switches. After each cut the device powers up with the old store or the
 * new one in force - never neither, never a mix - runs its image, and a
 * following firmware update verifies under the store in force: the key the
 * new store revokes is refused once it is in force, the other key's image
 * installs. When the old store stayed, the same trust update, sent again,
 * completes. Rounds run at different journal positions until the switching
 * record has also fallen on a journal sector change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trust_rig.h"

#define FLASH  (64u * 1024u)
#define SECTOR 1024u
#define ROUNDS_MIN 3u
#define ROUNDS_MAX 12u

static unsigned cut_points, rounds_run;

/* Store version v: the roots A, B (threshold 2); release rel1 and rel2 with
 * one of them revoked, by turns. */
static size_t store(trig *t, uint8_t *blob, uint32_t v)
{
	const test_key *keys[] = { &t->a, &t->b, t->rel1, &t->rel2 };
	uint8_t flags[] = { TR_ROOT, TR_ROOT, TR_RELEASE, TR_RELEASE };

	flags[2 + (v & 1u)] |= TR_REVOKED;
	return trig_store(blob, v, 2, keys, flags, 4);
}

/* The release key store version v revokes, and the one it keeps. */
static const test_key *revoked_by(trig *t, uint32_t v)
{
	return (v & 1u) ? &t->rel2 : t->rel1;
}

static const test_key *kept_by(trig *t, uint32_t v)
{
	return (v & 1u) ? t->rel1 : &t->rel2;
}

/* After a cut and power back: old or new store in force (never neither,
 * never a mix) and the image runs. Returns the version in force. */
static uint32_t check_after_cut(trig *t, uint32_t old_v, const uint8_t old_sha[32], uint32_t new_v,
                                const uint8_t new_sha[32], const char *running)
{
	uint8_t sha[FWS_SHA256_LEN];
	uint32_t v = 0;

	assert_int_equal(rig_power_on(t->r, true), FWS_OK);
	assert_true(t->r->stub.trust_ok);
	assert_int_equal(t->r->boot.action, FWS_BOOT_RUN);
	assert_string_equal(rig_running(t->r), running);
	trig_state(t, &v, sha);
	if (v == new_v)
		assert_memory_equal(sha, new_sha, FWS_SHA256_LEN);
	else if (v == old_v)
		assert_memory_equal(sha, old_sha, FWS_SHA256_LEN);
	else
		fail_msg("trust version %u is neither %u nor %u", v, old_v, new_v);
	assert_int_equal(t->r->dev.flash.violations, 0);
	return v;
}

/* The next firmware update is judged by the store in force (version v). */
static void firmware_under(trig *t, uint32_t v, uint32_t counter)
{
	const test_key *bad[] = { revoked_by(t, v) };
	const test_key *good[] = { kept_by(t, v) };
	char ver[16];

	snprintf(ver, sizeof ver, "%u.9.0", counter);
	assert_int_equal(trig_install(t, ver, counter, bad, 1), FWS_E_REVOKED_KEY);
	assert_int_equal(trig_install(t, ver, counter, good, 1), FWS_OK);
}

static void cut_during_trust_update(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t *base = malloc(FLASH);
	uint8_t blob[FWS_TRUST_BLOB_MAX], old_sha[32], new_sha[32];
	const test_key *roots[] = { &t->a, &t->b };
	const test_key *both[] = { t->rel1, &t->rel2 };
	bool switched = false;
	unsigned round;
	char running[16];

	(void)state;
	/* v2 trusts both release keys, so the image both sign can run */
	{
		const test_key *keys[] = { &t->a, &t->b, t->rel1, &t->rel2 };
		const uint8_t flags[] = { TR_ROOT, TR_ROOT, TR_RELEASE, TR_RELEASE };
		size_t n = trig_store(blob, 2, 2, keys, flags, 4);

		assert_int_equal(trig_apply(t, blob, n, 2, roots, 2), FWS_OK);
	}
	for (round = 1; round <= ROUNDS_MAX && (round <= ROUNDS_MIN || !switched); round++) {
		uint32_t old_v = round + 1u, new_v = round + 2u, counter = round + 1u;
		uint64_t total;
		size_t n;
		uint8_t sector_before;
		fws_stub ram;

		/* an image both keys signed runs: every store of the loop keeps it */
		snprintf(running, sizeof running, "%u.0.0", counter);
		assert_int_equal(trig_install(t, running, counter, both, 2), FWS_OK);
		trig_state(t, &old_v, old_sha);
		n = store(t, blob, new_v);
		/* an aborted start (one journal record: the flash-wear count)
		 * moves the journal position from round to round, so the
		 * switching record falls on a sector change in some round */
		{
			test_pkg u;
			uint8_t s = 0;

			test_trust_update(&u, blob, n, new_v, roots, 2, NULL);
			assert_int_equal(rig_send(t->r, u.data, 0, u.prefix_len, 1000), FWS_OK);
			(void)rig_status(t->r, &s);
			assert_int_equal(rig_req(t->r, FWS_DFU_ABORT, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
			test_pkg_free(&u);
		}
		assert_int_equal(fws_sha256(blob, n, new_sha), FWS_OK);
		memcpy(base, t->r->dev.flash.mem, FLASH);
		ram = t->r->stub;

		/* the uninterrupted update: how many flash operations */
		t->r->dev.flash.ops = 0;
		sector_before = t->r->stub.j_sector;
		assert_int_equal(trig_apply(t, blob, n, new_v, roots, 2), FWS_OK);
		total = t->r->dev.flash.ops;
		switched = switched || t->r->stub.j_sector != sector_before;
		assert_true(total >= 4u);

		for (uint64_t cut = 0; cut < total; cut++) {
			for (int torn = 0; torn < 2; torn++) {
				uint32_t v;

				memcpy(t->r->dev.flash.mem, base, FLASH);
				fws_simflash_repower(&t->r->dev.flash);
				t->r->stub = ram;
				fws_simflash_arm_cut(&t->r->dev.flash, cut, torn != 0);
				assert_int_not_equal(trig_apply(t, blob, n, new_v, roots, 2), FWS_OK);
				assert_true(t->r->dev.flash.dead);
				cut_points++;

				fws_simflash_repower(&t->r->dev.flash);
				v = check_after_cut(t, old_v, old_sha, new_v, new_sha, running);
				if (v == old_v) {
					/* not wedged: sent again, it completes */
					uint8_t d[FWS_SHA256_LEN];

					assert_int_equal(trig_apply(t, blob, n, new_v, roots, 2), FWS_OK);
					trig_state(t, &v, d);
					assert_int_equal(v, new_v);
					assert_memory_equal(d, new_sha, FWS_SHA256_LEN);
				}
				firmware_under(t, v, counter + 1u);
			}
		}
		/* the next round starts from the finished update */
		memcpy(t->r->dev.flash.mem, base, FLASH);
		fws_simflash_repower(&t->r->dev.flash);
		t->r->stub = ram;
		assert_int_equal(trig_apply(t, blob, n, new_v, roots, 2), FWS_OK);
		assert_int_equal(rig_power_on(t->r, true), FWS_OK);
	}
	rounds_run = round - 1u;
	/* the switching record also fell on a journal sector change */
	assert_true(switched);
	free(base);
	trig_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cut_during_trust_update),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	printf("trust update power-cut points tested: %u in %u rounds (plain and torn each count once)\n",
	       cut_points, rounds_run);
	return rc;
}
