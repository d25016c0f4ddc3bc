/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trust_rig.h - a device for the trust update tests (docs/trust.md): the
 * in-process rig (test_stub_rig.h) provisioned with a format-2 store
 *
 *   trust version 1, root threshold 2: roots A and B, root C revoked,
 *   release key rel1 (the rig's own key, which signs rig_install's images)
 *
 * and running firmware 1.0.0 (counter 1) signed by rel1. Keys D and E are
 * root keys of nobody yet, rel2 a release key of nobody yet, stranger a key
 * of nobody ever.
 */
#ifndef FWSEAL_TEST_TRUST_RIG_H
#define FWSEAL_TEST_TRUST_RIG_H

#include "test_stub_rig.h"

#define TR_ROOT    FWS_TRUST_ROOT
#define TR_RELEASE FWS_TRUST_RELEASE
#define TR_REVOKED FWS_TRUST_REVOKED

typedef struct trig {
	rig *r;
	test_key a, b, c, d, e, rel2;
	const test_key *rel1;    /* = &r->key */
	const test_key *stranger;
	uint8_t blob[FWS_TRUST_BLOB_MAX]; /* the provisioned store */
	size_t len;
} trig;

/* flash_size bytes with sector_size sectors; defects for the core (only
 * honoured by the simulator's core, test-stub_trust_defects). */
trig *trig_new(uint32_t flash_size, uint32_t sector_size, uint32_t defects);
void trig_free(trig *t);

/* A format-2 store of the keys keys[0..n) with their flags into blob. */
size_t trig_store(uint8_t blob[FWS_TRUST_BLOB_MAX], uint32_t version, uint8_t threshold,
                  const test_key *const keys[], const uint8_t flags[], unsigned n);

/* The stores the tests rotate through (all with roots A, B at threshold 2
 * and the revoked root C): rel1 and rel2 release keys (add), rel1 revoked
 * and rel2 kept (revoke); and an attacker's: its own root D (which signs, so
 * the new store's threshold holds) and its own release key next to rel1. */
size_t trig_store_add_rel2(trig *t, uint8_t blob[FWS_TRUST_BLOB_MAX], uint32_t version);
size_t trig_store_revoke_rel1(trig *t, uint8_t blob[FWS_TRUST_BLOB_MAX], uint32_t version);
size_t trig_store_attacker(trig *t, uint8_t blob[FWS_TRUST_BLOB_MAX]);

/* Send the trust update (blob as store version `version`, signed by
 * signers[0..n)) as a hostile host would, and return the device's answer:
 * FWS_OK or its refusal (the device is then back in dfuIDLE). */
fws_err trig_apply(trig *t, const uint8_t *blob, size_t len, uint32_t version,
                   const test_key *const signers[], unsigned n);
/* The same for a package already built. */
fws_err trig_send(trig *t, const test_pkg *p);

/* Firmware `version` with counter, signed by keys[0..n). */
void trig_fw(test_pkg *p, const char *version, uint32_t counter, const test_key *const keys[],
             unsigned n);
/* Install it: download, power cycle, confirm. FWS_OK only if it then runs. */
fws_err trig_install(trig *t, const char *version, uint32_t counter,
                     const test_key *const keys[], unsigned n);

/* What the device reports (its device-info record): trust version and the
 * SHA-256 of its store in force. */
void trig_state(trig *t, uint32_t *version, uint8_t sha[FWS_SHA256_LEN]);

/* The device runs `running` under trust version `version` whose store has
 * SHA-256 sha; also after a power cycle. */
void trig_expect(trig *t, const char *running, uint32_t version, const uint8_t sha[FWS_SHA256_LEN]);

#endif
