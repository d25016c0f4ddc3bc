/* SPDX-License-Identifier: Apache-2.0 */
/* protocol/src/trust.c: the device trust store blob. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fwseal/crc.h"
#include "fwseal/le.h"
#include "fwseal/trust.h"
#include "testkey.h"

static test_key k1, k2;

static int setup(void **state)
{
	(void)state;
	test_key_generate(&k1, 11);
	test_key_generate(&k2, 12);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_key_free(&k1);
	test_key_free(&k2);
	return 0;
}

static void make(fws_trust *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->keys[0].id, k1.id, 8);
	memcpy(t->keys[0].pub, k1.pub, 65);
	memcpy(t->keys[1].id, k2.id, 8);
	memcpy(t->keys[1].pub, k2.pub, 65);
	t->keys[1].flags = FWS_TRUST_REVOKED;
	t->count = 2;
}

static void test_roundtrip(void **state)
{
	fws_trust t, back;
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	size_t n;
	(void)state;

	make(&t);
	n = fws_trust_encode(&t, blob, sizeof(blob));
	assert_int_equal(n, 8 + 2 * 76 + 4);
	assert_int_equal(fws_trust_parse(blob, n, &back), FWS_OK);
	assert_int_equal(back.count, 2);
	assert_memory_equal(&back.keys[0], &t.keys[0], sizeof(fws_trust_key));
	assert_memory_equal(&back.keys[1], &t.keys[1], sizeof(fws_trust_key));
	assert_ptr_equal(fws_trust_find(&back, k2.id), &back.keys[1]);
	assert_true(fws_trust_find(&back, k2.id)->flags & FWS_TRUST_REVOKED);
	assert_null(fws_trust_find(&back, (const uint8_t *)"\0\0\0\0\0\0\0\0"));
	assert_int_equal(fws_trust_encode(&t, blob, n - 1), 0);
}

static void test_every_flip_rejected(void **state)
{
	fws_trust t, back;
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	size_t n;
	(void)state;

	make(&t);
	n = fws_trust_encode(&t, blob, sizeof(blob));
	for (size_t i = 0; i < n; i++) {
		blob[i] ^= 0x01;
		assert_int_equal(fws_trust_parse(blob, n, &back), FWS_E_TRUST_STORE);
		blob[i] ^= 0x01;
	}
	for (size_t len = 0; len < n; len++)
		assert_int_equal(fws_trust_parse(blob, len, &back), FWS_E_TRUST_STORE);
}

static void test_id_must_match_key(void **state)
{
	fws_trust t, back;
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	size_t n;
	(void)state;

	/* A blob with a valid CRC whose key id was swapped is still refused:
	 * the id is derived from the key, never taken on trust. */
	make(&t);
	memcpy(t.keys[0].id, k2.id, 8);
	n = fws_trust_encode(&t, blob, sizeof(blob));
	assert_int_equal(fws_trust_parse(blob, n, &back), FWS_E_TRUST_STORE);
}

/* One key listed twice, once revoked and once not: the store is refused
 * (order must not decide whether a key is trusted), by the encoder too. */
static void test_duplicate_id_refused(void **state)
{
	fws_trust t, back;
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	size_t n;
	(void)state;

	for (unsigned first_revoked = 0; first_revoked < 2; first_revoked++) {
		make(&t);
		t.keys[1] = t.keys[0];
		t.keys[first_revoked].flags = FWS_TRUST_REVOKED;
		t.keys[first_revoked ^ 1u].flags = 0;
		assert_int_equal(fws_trust_encode(&t, blob, sizeof(blob)), 0);
		/* written by hand, as another tool might */
		t.count = 1;
		n = fws_trust_encode(&t, blob, sizeof(blob));
		assert_int_equal(n, 8 + 76 + 4);
		memcpy(blob + 8 + 76, blob + 8, 76);
		blob[8 + 76 + 8] = first_revoked ? 0 : FWS_TRUST_REVOKED;
		blob[8 + 8] = first_revoked ? FWS_TRUST_REVOKED : 0;
		blob[5] = 2;
		n = 8 + 2 * 76 + 4;
		fws_put_le32(blob + n - 4, fws_crc32(0, blob, n - 4));
		assert_int_equal(fws_trust_parse(blob, n, &back), FWS_E_TRUST_STORE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_every_flip_rejected),
		cmocka_unit_test(test_id_must_match_key),
		cmocka_unit_test(test_duplicate_id_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
