/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/trust_update.c: trust updates as a hostile host sends
 * them (fws_stub_handle, no host check in between). A rotation that meets
 * every rule is taken; each rule of docs/trust.md ("The device decides") is
 * shown to refuse what breaks it, and after every refusal the device runs
 * the same image with the same trust store, also after a power cycle.
 * test-stub_trust_defects shows a device that skips each check takes what
 * is refused here.
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

static void sha(const uint8_t *p, size_t n, uint8_t out[FWS_SHA256_LEN])
{
	assert_int_equal(fws_sha256(p, n, out), FWS_OK);
}

/* The state the device starts in, to compare with after a refusal. */
typedef struct before {
	uint32_t version;
	uint8_t sha[FWS_SHA256_LEN];
	char running[FWS_VERSION_MAX + 1];
} before;

static void remember(trig *t, before *b)
{
	trig_state(t, &b->version, b->sha);
	strcpy(b->running, rig_running(t->r));
}

static void unchanged(trig *t, const before *b)
{
	trig_expect(t, b->running, b->version, b->sha);
}

static void provisioned_store_reported(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t want[FWS_SHA256_LEN], rec[FWS_DEVINFO_MAX];
	fws_devinfo info;
	size_t n = 0;

	(void)state;
	sha(t->blob, t->len, want);
	trig_expect(t, "1.0.0", 1, want);
	assert_int_equal(rig_req(t->r, FWS_REQ_INFO, 0, NULL, 0, rec, sizeof rec, &n), FWS_OK);
	assert_int_equal(fws_devinfo_decode(rec, n, &info), FWS_OK);
	assert_int_equal(info.key_count, 4);
	/* each key with its roles and revoked flag */
	assert_memory_equal(info.keys[0].id, t->a.id, 8);
	assert_int_equal(info.keys[0].flags, FWS_DI_KEY_ROOT);
	assert_int_equal(info.keys[2].flags, FWS_DI_KEY_ROOT | FWS_TRUST_REVOKED);
	assert_int_equal(info.keys[3].flags, FWS_DI_KEY_RELEASE);
	trig_free(t);
}

/* The whole rotation of docs/trust.md: add rel2 (v2), firmware signed by
 * both, revoke rel1 (v3); then rel1 alone is refused, rel2 alone installs. */
static void rotation(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t v2[FWS_TRUST_BLOB_MAX], v3[FWS_TRUST_BLOB_MAX], d[FWS_SHA256_LEN];
	size_t n2 = trig_store_add_rel2(t, v2, 2), n3 = trig_store_revoke_rel1(t, v3, 3);
	const test_key *roots[] = { &t->a, &t->b };
	const test_key *both[] = { t->rel1, &t->rel2 };
	const test_key *old[] = { t->rel1 }, *new[] = { &t->rel2 };
	test_pkg p;

	(void)state;
	/* a firmware signed by rel2 only is not trusted yet */
	assert_int_equal(trig_install(t, "1.1.0", 2, new, 1), FWS_E_UNTRUSTED_KEY);
	assert_int_equal(trig_apply(t, v2, n2, 2, roots, 2), FWS_OK);
	sha(v2, n2, d);
	trig_expect(t, "1.0.0", 2, d); /* in force at once, and after a power cycle */
	assert_int_equal(trig_install(t, "2.0.0", 2, both, 2), FWS_OK);
	assert_int_equal(trig_apply(t, v3, n3, 3, roots, 2), FWS_OK);
	sha(v3, n3, d);
	trig_expect(t, "2.0.0", 3, d);
	/* the revoked key's package is refused by the device ... */
	trig_fw(&p, "3.0.0", 3, old, 1);
	assert_int_equal(trig_send(t, &p), FWS_E_REVOKED_KEY);
	test_pkg_free(&p);
	trig_expect(t, "2.0.0", 3, d);
	/* ... the new key's installs */
	assert_int_equal(trig_install(t, "3.0.0", 3, new, 1), FWS_OK);
	/* the provisioned store never comes back, even if it changes */
	{
		fws_trust other;

		test_trust_one(&other, t->rel1, 0);
		assert_int_equal(fws_posix_set_trust(&t->r->dev, &other), FWS_OK);
	}
	trig_expect(t, "3.0.0", 3, d);
	trig_free(t);
}

/* New root keys D, E replace A, B: the current roots sign (the old
 * threshold) and so do the new ones (possession). */
static void root_rotation_needs_both_thresholds(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t v2[FWS_TRUST_BLOB_MAX], d[FWS_SHA256_LEN];
	const test_key *keys[] = { &t->d, &t->e, t->rel1 };
	const uint8_t flags[] = { TR_ROOT, TR_ROOT, TR_RELEASE };
	size_t n = trig_store(v2, 2, 2, keys, flags, 3);
	const test_key *old_only[] = { &t->a, &t->b };
	const test_key *new_only[] = { &t->d, &t->e };
	const test_key *one_new[] = { &t->a, &t->b, &t->d };
	const test_key *all[] = { &t->a, &t->d, &t->b, &t->e };
	before b;

	(void)state;
	remember(t, &b);
	/* the new roots not signing: refused */
	assert_int_equal(trig_apply(t, v2, n, 2, old_only, 2), FWS_E_THRESHOLD);
	unchanged(t, &b);
	/* one new root short of the new threshold */
	assert_int_equal(trig_apply(t, v2, n, 2, one_new, 3), FWS_E_THRESHOLD);
	unchanged(t, &b);
	/* only the new roots: the device's own threshold not met */
	assert_int_equal(trig_apply(t, v2, n, 2, new_only, 2), FWS_E_THRESHOLD);
	unchanged(t, &b);
	assert_int_equal(trig_apply(t, v2, n, 2, all, 4), FWS_OK);
	sha(v2, n, d);
	trig_expect(t, "1.0.0", 2, d);
	trig_free(t);
}

static void refused_threshold_not_met(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t v2[FWS_TRUST_BLOB_MAX], va[FWS_TRUST_BLOB_MAX];
	size_t n = trig_store_add_rel2(t, v2, 2), na = trig_store_attacker(t, va);
	const test_key *one[] = { &t->a };
	const test_key *twice[] = { &t->a, &t->a };
	const test_key *one_and_own[] = { &t->a, &t->d };
	uint64_t ops;
	before b;

	(void)state;
	remember(t, &b);
	ops = t->r->dev.flash.ops;
	assert_int_equal(trig_apply(t, v2, n, 2, one, 1), FWS_E_THRESHOLD);
	assert_int_equal(t->r->dev.flash.ops, ops); /* refused before any write */
	unchanged(t, &b);
	assert_int_equal(trig_apply(t, va, na, 2, one_and_own, 2), FWS_E_THRESHOLD);
	unchanged(t, &b);
	/* one root's signature twice still counts once */
	assert_int_equal(trig_apply(t, v2, n, 2, twice, 2), FWS_E_THRESHOLD);
	unchanged(t, &b);
	trig_free(t);
}

static void refused_revoked_root(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t v2[FWS_TRUST_BLOB_MAX];
	size_t n = trig_store_add_rel2(t, v2, 2);
	const test_key *with_revoked[] = { &t->a, &t->c };
	const test_key *revoked_only[] = { &t->c };
	uint8_t va[FWS_TRUST_BLOB_MAX];
	size_t na = trig_store_attacker(t, va);
	const test_key *attack[] = { &t->a, &t->c, &t->d };
	before b;

	(void)state;
	remember(t, &b);
	assert_int_equal(trig_apply(t, va, na, 2, attack, 3), FWS_E_THRESHOLD);
	unchanged(t, &b);
	/* A and the revoked C would be two roots, if C counted */
	assert_int_equal(trig_apply(t, v2, n, 2, with_revoked, 2), FWS_E_THRESHOLD);
	unchanged(t, &b);
	assert_int_equal(trig_apply(t, v2, n, 2, revoked_only, 1), FWS_E_REVOKED_KEY);
	unchanged(t, &b);
	trig_free(t);
}

static void refused_release_keys_only(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t v2[FWS_TRUST_BLOB_MAX];
	size_t n = trig_store_add_rel2(t, v2, 2);
	const test_key *rel[] = { t->rel1 };
	const test_key *rel_and_root[] = { t->rel1, &t->a };
	uint8_t va[FWS_TRUST_BLOB_MAX];
	size_t na = trig_store_attacker(t, va);
	const test_key *attack[] = { t->rel1, &t->d };
	before b;

	(void)state;
	remember(t, &b);
	assert_int_equal(trig_apply(t, va, na, 2, attack, 2), FWS_E_THRESHOLD);
	unchanged(t, &b);
	assert_int_equal(trig_apply(t, v2, n, 2, rel, 1), FWS_E_THRESHOLD);
	unchanged(t, &b);
	assert_int_equal(trig_apply(t, v2, n, 2, rel_and_root, 2), FWS_E_THRESHOLD);
	unchanged(t, &b);
	/* and a root key cannot sign firmware */
	{
		const test_key *root[] = { &t->a };

		assert_int_equal(trig_install(t, "9.0.0", 9, root, 1), FWS_E_UNTRUSTED_KEY);
		unchanged(t, &b);
	}
	trig_free(t);
}

static void refused_version_not_newer(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t v[FWS_TRUST_BLOB_MAX];
	const test_key *roots[] = { &t->a, &t->b };
	size_t n;
	before b;

	uint64_t ops;

	(void)state;
	remember(t, &b);
	/* the same version as the device's */
	n = trig_store_add_rel2(t, v, 1);
	ops = t->r->dev.flash.ops;
	assert_int_equal(trig_apply(t, v, n, 1, roots, 2), FWS_E_TRUST_ROLLBACK);
	assert_int_equal(t->r->dev.flash.ops, ops); /* refused before any write */
	unchanged(t, &b);
	/* move to 5, then 4 and 5 are refused */
	n = trig_store_add_rel2(t, v, 5);
	assert_int_equal(trig_apply(t, v, n, 5, roots, 2), FWS_OK);
	remember(t, &b);
	n = trig_store_add_rel2(t, v, 4);
	assert_int_equal(trig_apply(t, v, n, 4, roots, 2), FWS_E_TRUST_ROLLBACK);
	unchanged(t, &b);
	n = trig_store_add_rel2(t, v, 5);
	assert_int_equal(trig_apply(t, v, n, 5, roots, 2), FWS_E_TRUST_ROLLBACK);
	unchanged(t, &b);
	trig_free(t);
}

/* An older update that was valid when it was made, replayed later. */
static void refused_replay_of_older_update(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t v2[FWS_TRUST_BLOB_MAX], v3[FWS_TRUST_BLOB_MAX];
	size_t n2 = trig_store_add_rel2(t, v2, 2), n3;
	const test_key *roots[] = { &t->a, &t->b };
	const test_key *both[] = { t->rel1, &t->rel2 };
	test_pkg u2;
	before b;

	(void)state;
	test_trust_update(&u2, v2, n2, 2, roots, 2, NULL);
	assert_int_equal(trig_send(t, &u2), FWS_OK);
	assert_int_equal(trig_install(t, "2.0.0", 2, both, 2), FWS_OK);
	n3 = trig_store_revoke_rel1(t, v3, 3);
	assert_int_equal(trig_apply(t, v3, n3, 3, roots, 2), FWS_OK);
	remember(t, &b);
	/* u2 would bring rel1 back */
	assert_int_equal(trig_send(t, &u2), FWS_E_TRUST_ROLLBACK);
	unchanged(t, &b);
	test_pkg_free(&u2);
	trig_free(t);
}

/* Revoking rel1 while the device runs an image only rel1 signed would
 * leave it refusing its own firmware at the next start. */
static void refused_revoking_running_images_only_signer(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t v2[FWS_TRUST_BLOB_MAX], v3[FWS_TRUST_BLOB_MAX], d[FWS_SHA256_LEN];
	size_t n2 = trig_store_add_rel2(t, v2, 2), n3 = trig_store_revoke_rel1(t, v3, 3);
	const test_key *roots[] = { &t->a, &t->b };
	const test_key *new[] = { &t->rel2 };
	before b;

	(void)state;
	assert_int_equal(trig_apply(t, v2, n2, 2, roots, 2), FWS_OK);
	remember(t, &b);
	assert_int_equal(trig_apply(t, v3, n3, 3, roots, 2), FWS_E_TRUST_ORPHAN);
	unchanged(t, &b);
	/* once an image signed by rel2 runs, the same update is taken */
	assert_int_equal(trig_install(t, "2.0.0", 2, new, 1), FWS_OK);
	assert_int_equal(trig_apply(t, v3, n3, 3, roots, 2), FWS_OK);
	sha(v3, n3, d);
	trig_expect(t, "2.0.0", 3, d);
	trig_free(t);
}

/* The fallback counts too: an image the boot decision could still start
 * (a committed trial here) must verify under the new store. */
static void refused_orphaning_committed_trial(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t v2[FWS_TRUST_BLOB_MAX], v3[FWS_TRUST_BLOB_MAX];
	size_t n2 = trig_store_add_rel2(t, v2, 2), n3 = trig_store_revoke_rel1(t, v3, 3);
	const test_key *roots[] = { &t->a, &t->b };
	const test_key *new[] = { &t->rel2 }, *old[] = { t->rel1 };
	test_pkg p;
	before b;

	(void)state;
	assert_int_equal(trig_apply(t, v2, n2, 2, roots, 2), FWS_OK);
	assert_int_equal(trig_install(t, "2.0.0", 2, new, 1), FWS_OK);
	/* 2.0.1 by rel1 downloaded and committed, not yet booted */
	trig_fw(&p, "2.0.1", 2, old, 1);
	assert_int_equal(trig_send(t, &p), FWS_OK);
	test_pkg_free(&p);
	trig_state(t, &b.version, b.sha);
	assert_int_equal(trig_apply(t, v3, n3, 3, roots, 2), FWS_E_TRUST_ORPHAN);
	assert_int_equal(rig_power_on(t->r, true), FWS_OK);
	assert_string_equal(rig_running(t->r), "2.0.1"); /* its test boot, then confirmed */
	strcpy(b.running, "2.0.1");
	unchanged(t, &b);
	trig_free(t);
}

static void refused_no_usable_key(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t v[FWS_TRUST_BLOB_MAX];
	const test_key *roots[] = { &t->a, &t->b };
	before b;
	size_t n;

	(void)state;
	remember(t, &b);
	{	/* every release key revoked */
		const test_key *keys[] = { &t->a, &t->b, t->rel1 };
		const uint8_t flags[] = { TR_ROOT, TR_ROOT, TR_RELEASE | TR_REVOKED };

		n = trig_store(v, 2, 2, keys, flags, 3);
		assert_int_equal(trig_apply(t, v, n, 2, roots, 2), FWS_E_TRUST_UNUSABLE);
		unchanged(t, &b);
	}
	{	/* a root threshold its roots cannot meet: never updatable again */
		const test_key *keys[] = { &t->a, &t->b, t->rel1 };
		const uint8_t flags[] = { TR_ROOT, TR_ROOT | TR_REVOKED, TR_RELEASE };

		n = trig_store(v, 2, 2, keys, flags, 3);
		assert_int_equal(trig_apply(t, v, n, 2, roots, 2), FWS_E_TRUST_UNUSABLE);
		unchanged(t, &b);
	}
	trig_free(t);
}

static void refused_tampered_payload(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t v2[FWS_TRUST_BLOB_MAX];
	size_t n = trig_store_revoke_rel1(t, v2, 2);
	const test_key *roots[] = { &t->a, &t->b };
	test_pkg p;
	before b;

	(void)state;
	remember(t, &b);
	test_trust_update(&p, v2, n, 2, roots, 2, NULL);
	/* the payload is block 0, right after the prefix: un-revoke rel1 in
	 * it and mend the store's own CRC, so only the signed digests can tell */
	{
		uint8_t *blob = p.data + p.prefix_len;
		size_t entry = 12 + 3 * 76;

		assert_memory_equal(blob + entry, t->rel1->id, 8);
		blob[entry + 8] &= (uint8_t)~FWS_TRUST_REVOKED;
		fws_put_le32(blob + n - 4, fws_crc32(0, blob, n - 4));
	}
	assert_int_equal(trig_send(t, &p), FWS_E_BLOCK_DIGEST);
	unchanged(t, &b);
	test_pkg_free(&p);
	trig_free(t);
}

static void refused_other_model_and_test_boot(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t v2[FWS_TRUST_BLOB_MAX], d[FWS_SHA256_LEN];
	size_t n = trig_store_add_rel2(t, v2, 2);
	const test_key *roots[] = { &t->a, &t->b };
	const test_key *rel[] = { t->rel1 };
	test_pkg p;
	before b;

	(void)state;
	remember(t, &b);
	test_trust_update(&p, v2, n, 2, roots, 2, "OTHER-MODEL");
	assert_int_equal(trig_send(t, &p), FWS_E_MODEL);
	test_pkg_free(&p);
	unchanged(t, &b);
	/* during a test boot nothing is taken: the trial must confirm first */
	trig_fw(&p, "1.1.0", 1, rel, 1);
	assert_int_equal(trig_send(t, &p), FWS_OK);
	test_pkg_free(&p);
	assert_int_equal(rig_power_on(t->r, false), FWS_OK);
	assert_true(t->r->boot.trial);
	assert_int_equal(trig_apply(t, v2, n, 2, roots, 2), FWS_E_STATE);
	assert_int_equal(fws_stub_confirm(&t->r->stub), FWS_OK);
	/* for this model by name, after the confirm: taken */
	test_trust_update(&p, v2, n, 2, roots, 2, RIG_MODEL);
	assert_int_equal(trig_send(t, &p), FWS_OK);
	test_pkg_free(&p);
	sha(v2, n, d);
	trig_expect(t, "1.1.0", 2, d);
	trig_free(t);
}

/* A device waiting in the stub takes a trust update too (nothing runs that
 * could be orphaned), and a format-1 store is read as roles both. */
static void stub_only_device_and_format1(void **state)
{
	rig *r = rig_new(FLASH);
	uint8_t v2[FWS_TRUST_BLOB_MAX], d[FWS_SHA256_LEN], rec[FWS_DEVINFO_MAX];
	test_key rel2;
	fws_devinfo info;
	size_t n, len = 0;
	test_pkg p;

	(void)state;
	test_key_generate(&rel2, 106);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_int_equal(r->boot.action, FWS_BOOT_STAY);
	{	/* the rig's format-1 store: r->key is root and release */
		const test_key *keys[] = { &r->key, &rel2 };
		const uint8_t flags[] = { TR_ROOT, TR_RELEASE };

		n = trig_store(v2, 2, 1, keys, flags, 2);
	}
	{
		const test_key *s[] = { &r->key };

		test_trust_update(&p, v2, n, 2, s, 1, NULL);
	}
	/* r->key must sign as a new root too: it is one */
	assert_int_equal(rig_download(r, p.data, p.len, 4096), FWS_OK);
	test_pkg_free(&p);
	assert_int_equal(rig_req(r, FWS_REQ_INFO, 0, NULL, 0, rec, sizeof rec, &len), FWS_OK);
	assert_int_equal(fws_devinfo_decode(rec, len, &info), FWS_OK);
	sha(v2, n, d);
	assert_int_equal(info.trust_version, 2);
	assert_memory_equal(info.trust_sha256, d, 32);
	assert_int_equal(info.boot_state, FWS_BOOT_STUB);
	/* r->key is no release key any more: its firmware is refused */
	rig_pkg(&p, &r->key, "1.0.0", 1, v2, n, 1024);
	assert_int_equal(rig_download(r, p.data, p.len, 4096), FWS_E_UNTRUSTED_KEY);
	test_pkg_free(&p);
	test_key_free(&rel2);
	rig_free(r);
}

/* A damaged store in force is not replaced by an older one: the device
 * refuses everything and boots nothing (fail closed, docs/trust.md). */
static void damaged_store_fails_closed(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t v2[FWS_TRUST_BLOB_MAX];
	size_t n = trig_store_add_rel2(t, v2, 2);
	const test_key *roots[] = { &t->a, &t->b };
	const test_key *rel[] = { t->rel1 };
	uint8_t area;

	(void)state;
	assert_int_equal(trig_apply(t, v2, n, 2, roots, 2), FWS_OK);
	area = t->r->stub.j.trust_area;
	assert_true(area < 2);
	fws_simflash_flip(&t->r->dev.flash, t->r->dev.hal.geom.trust[area].off + 40, 2);
	assert_int_equal(rig_power_on(t->r, true), FWS_OK);
	assert_false(t->r->stub.trust_ok);
	assert_int_equal(t->r->boot.action, FWS_BOOT_STAY);
	assert_int_equal(trig_install(t, "2.0.0", 2, rel, 1), FWS_E_TRUST_STORE);
	trig_free(t);
}

/* Flash wear (issue 16's bound, docs/device-stub.md "Flash wear"): a host
 * that starts one valid trust update and aborts it after the prefix, 60
 * times 50 ms apart, erases the trust area at most as often as the back-off
 * allows (8 free starts, then 1 s, 2 s: 10 in 3 s); the device then says how
 * long to wait, and after that wait the update is taken. */
static void restarted_update_backs_off(void **state)
{
	trig *t = trig_new(FLASH, SECTOR, 0);
	uint8_t v2[FWS_TRUST_BLOB_MAX], st[FWS_DFU_STATUS_LEN];
	size_t n = trig_store_add_rel2(t, v2, 2), len = 0;
	const test_key *roots[] = { &t->a, &t->b };
	const fws_flash_area *area = &t->r->dev.hal.geom.trust[0];
	uint32_t erases_before, erases, wait;
	unsigned busy = 0;
	test_pkg u;

	(void)state;
	test_trust_update(&u, v2, n, 2, roots, 2, NULL);
	/* the device's clock moves only as the test says (50 ms a restart):
	 * under valgrind or load real time would add allowed starts */
	t->r->dev.clock_skew_ms = t->r->dev.hal.now_ms(t->r->dev.hal.ctx);
	t->r->dev.clock_frozen = true;
	erases_before = fws_simflash_erases(&t->r->dev.flash, area->off);
	for (unsigned i = 0; i < 60; i++) {
		uint8_t s = 0;
		fws_err e = rig_send(t->r, u.data, 0, u.prefix_len, 1000);

		if (e != FWS_OK) {
			assert_int_equal(e, FWS_E_BUSY);
			busy++;
		}
		(void)rig_status(t->r, &s);
		assert_int_equal(rig_req(t->r, s == FWS_DFU_ERROR ? FWS_DFU_CLRSTATUS : FWS_DFU_ABORT,
		                         0, NULL, 0, NULL, 0, NULL), FWS_OK);
		t->r->dev.clock_skew_ms += 50u;
	}
	erases = fws_simflash_erases(&t->r->dev.flash, area->off) - erases_before;
	print_message("60 restarts of a trust update: %u erases of the trust area, %u refused\n",
	              erases, busy);
	assert_true(erases >= 8u && erases <= 10u);
	assert_true(busy >= 50u);
	/* the legitimate host waits as long as the device says */
	assert_int_equal(rig_send(t->r, u.data, 0, u.prefix_len, 1000), FWS_E_BUSY);
	assert_int_equal(rig_req(t->r, FWS_DFU_GETSTATUS, 0, NULL, 0, st, sizeof st, &len), FWS_OK);
	wait = (uint32_t)st[1] | (uint32_t)st[2] << 8 | (uint32_t)st[3] << 16;
	assert_true(wait > 0u);
	assert_int_equal(rig_req(t->r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
	t->r->dev.clock_skew_ms += wait;
	assert_int_equal(trig_send(t, &u), FWS_OK);
	trig_state(t, &erases_before, v2);
	assert_int_equal(erases_before, 2);
	test_pkg_free(&u);
	trig_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(provisioned_store_reported),
		cmocka_unit_test(rotation),
		cmocka_unit_test(root_rotation_needs_both_thresholds),
		cmocka_unit_test(refused_threshold_not_met),
		cmocka_unit_test(refused_revoked_root),
		cmocka_unit_test(refused_release_keys_only),
		cmocka_unit_test(refused_version_not_newer),
		cmocka_unit_test(refused_replay_of_older_update),
		cmocka_unit_test(refused_revoking_running_images_only_signer),
		cmocka_unit_test(refused_orphaning_committed_trial),
		cmocka_unit_test(refused_no_usable_key),
		cmocka_unit_test(refused_tampered_payload),
		cmocka_unit_test(refused_other_model_and_test_boot),
		cmocka_unit_test(stub_only_device_and_format1),
		cmocka_unit_test(damaged_store_fails_closed),
		cmocka_unit_test(restarted_update_backs_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
