/* SPDX-License-Identifier: Apache-2.0 */
/* test_devinfo.c - device-info record (protocol/src/devinfo.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fwseal/devinfo.h"
#include "fwseal/encoding.h"
#include "fwseal/le.h"

static uint8_t rec[FWS_DEVINFO_MAX];

static void full_info(fws_devinfo *d)
{
	memset(d, 0, sizeof *d);
	d->vendor_id = 0x1209;
	d->class_id = 0x5EA1;
	strcpy(d->model, "THERMO-7");
	d->hw_rev = 3;
	strcpy(d->serial, "SN-000123");
	strcpy(d->component, "main");
	strcpy(d->fw_version, "1.2.3");
	d->security_counter = 42;
	d->support_end = 1893456000; /* 2030-01-01 */
	for (unsigned i = 0; i < FWS_TRUST_MAX; i++) {
		memset(d->keys[i].id, (int)(0x10 + i), FWS_KEY_ID_LEN);
		d->keys[i].flags = (i == 1) ? FWS_TRUST_REVOKED : 0;
	}
	d->keys[2].flags = FWS_DI_KEY_ROOT;
	d->keys[3].flags = FWS_DI_KEY_RELEASE | FWS_TRUST_REVOKED;
	d->key_count = FWS_TRUST_MAX;
	/* field by field: the struct was zeroed, so its padding stays zero */
	d->slots[0].present = true;
	d->slots[0].state = FWS_SLOT_CONFIRMED;
	d->slots[0].flags = FWS_SLOT_FLAG_ACTIVE;
	d->slots[0].security_counter = 42;
	strcpy(d->slots[0].version, "1.2.3");
	d->slots[1].present = true;
	d->slots[1].state = FWS_SLOT_RECEIVING;
	d->max_block = 4096;
	d->xfer_size = 4096;
	d->slot_size = 256 * 1024;
	strcpy(d->stub_version, "0.1.0");
	d->boot_state = FWS_BOOT_APP;
	d->last_error = -33;
	d->has_resume = true;
	d->resume_offset = 0x12345;
	memset(d->resume_prefix_sha256, 0xAB, FWS_SHA256_LEN);
	d->has_image_sha256 = true;
	memset(d->image_sha256, 0xCD, FWS_SHA256_LEN);
	d->simulator = true;
	strcpy(d->crypto_lib, "mbed TLS 2.28.3");
	d->encodings = (1u << FWS_ENC_LZ4) | (1u << FWS_ENC_LZ4_DELTA);
	d->enc_max_block = 4096;
	d->dl_window = 4;
	d->dl_flags = FWS_DL_UNIT_CHUNKS;
	d->has_trust_state = true;
	d->trust_version = 0x01020304;
	memset(d->trust_sha256, 0xCD, FWS_SHA256_LEN);
	d->trust_threshold = 2;
}

static void min_info(fws_devinfo *d)
{
	memset(d, 0, sizeof *d);
	strcpy(d->model, "M");
	strcpy(d->serial, "S");
	strcpy(d->stub_version, "1");
	d->boot_state = FWS_BOOT_STUB;
}

static void assert_same(const fws_devinfo *a, const fws_devinfo *b)
{
	/* both were zeroed before being filled, so padding compares equal too */
	assert_memory_equal(a, b, sizeof *a);
}

static void test_roundtrip_full(void **state)
{
	(void)state;
	fws_devinfo in, out;
	full_info(&in);
	size_t len;
	assert_int_equal(fws_devinfo_encode(&in, rec, sizeof rec, &len), FWS_OK);
	assert_memory_equal(rec, "FWDI\x01\x00", 6);
	assert_int_equal(fws_get_le16(rec + 6), len - FWS_DEVINFO_HDR_LEN);
	assert_int_equal(fws_devinfo_decode(rec, len, &out), FWS_OK);
	assert_same(&in, &out);
	assert_int_equal(out.keys[1].flags, FWS_TRUST_REVOKED);
	assert_int_equal(out.keys[3].flags, FWS_DI_KEY_RELEASE | FWS_TRUST_REVOKED);
	assert_true(out.has_trust_state);
	assert_int_equal(out.trust_version, 0x01020304);
	assert_int_equal(out.last_error, -33);
	assert_int_equal(out.support_end, 1893456000);

	/* the longest possible strings still fit FWS_DEVINFO_MAX */
	memset(in.model, 'M', FWS_MODEL_MAX);
	memset(in.serial, 'S', FWS_SERIAL_MAX);
	memset(in.component, 'C', FWS_COMPONENT_MAX);
	memset(in.fw_version, 'V', FWS_VERSION_MAX);
	memset(in.stub_version, 'T', FWS_STUB_VERSION_MAX);
	memset(in.crypto_lib, 'L', FWS_CRYPTO_LIB_MAX);
	memset(in.slots[0].version, 'A', FWS_VERSION_MAX);
	memset(in.slots[1].version, 'B', FWS_VERSION_MAX);
	in.vendor_id = in.class_id = in.xfer_size = 0xFFFF;
	assert_int_equal(fws_devinfo_encode(&in, rec, sizeof rec, &len), FWS_OK);
	assert_int_equal(fws_devinfo_decode(rec, len, &out), FWS_OK);
	assert_same(&in, &out);
	/* every field present, every text at its longest: exactly the bound a
	 * device sizes its answer buffer by, and one byte less is refused */
	assert_int_equal(len, FWS_DEVINFO_ENCODED_MAX);
	assert_int_equal(fws_devinfo_encode(&in, rec, FWS_DEVINFO_ENCODED_MAX, &len), FWS_OK);
	assert_int_equal(fws_devinfo_encode(&in, rec, FWS_DEVINFO_ENCODED_MAX - 1u, &len),
	                 FWS_E_NOMEM);
}

static void test_roundtrip_min(void **state)
{
	(void)state;
	fws_devinfo in, out;
	min_info(&in);
	size_t len;
	assert_int_equal(fws_devinfo_encode(&in, rec, sizeof rec, &len), FWS_OK);
	assert_int_equal(fws_devinfo_decode(rec, len, &out), FWS_OK);
	assert_same(&in, &out);
	assert_false(out.has_resume);
	assert_false(out.slots[0].present);
	/* a record without the later, non-critical fields says "not reported",
	 * never "hardware" or a digest of zeros */
	assert_false(out.has_image_sha256);
	assert_false(out.simulator);
	assert_string_equal(out.crypto_lib, "");
}


static void test_encode_refuses(void **state)
{
	(void)state;
	fws_devinfo in;
	size_t len;
	min_info(&in);
	in.model[0] = '\0';
	assert_int_equal(fws_devinfo_encode(&in, rec, sizeof rec, &len), FWS_E_INVAL);
	min_info(&in);
	strcpy(in.serial, "bad\033[2J"); /* a terminal escape */
	assert_int_equal(fws_devinfo_encode(&in, rec, sizeof rec, &len), FWS_E_INVAL);
	min_info(&in);
	in.key_count = FWS_TRUST_MAX + 1;
	assert_int_equal(fws_devinfo_encode(&in, rec, sizeof rec, &len), FWS_E_LIMIT);
	full_info(&in);
	assert_int_equal(fws_devinfo_encode(&in, rec, 40, &len), FWS_E_NOMEM);
}

/* Build a record from raw TLV bytes. */
static size_t raw_record(const uint8_t *tlv, size_t n)
{
	memcpy(rec, "FWDI\x01\x00", 6);
	fws_put_le16(rec + 6, (uint16_t)n);
	memcpy(rec + 8, tlv, n);
	return 8 + n;
}

static size_t put_tlv(uint8_t *p, uint16_t tag, const void *v, uint16_t n)
{
	fws_put_le16(p, tag);
	fws_put_le16(p + 2, n);
	memcpy(p + 4, v, n);
	return 4u + n;
}

/* The required fields, with one optional tag inserted at its place in order. */
static size_t build(uint16_t extra_tag, const void *extra, uint16_t extra_len, uint8_t *out)
{
	static const uint8_t hw[2] = { 1, 0 }, ctr[4] = { 5, 0, 0, 0 }, boot[1] = { 1 };
	struct { uint16_t tag; const void *v; uint16_t n; } f[] = {
		{ FWS_DI_MODEL, "M", 1 },
		{ FWS_DI_HW_REV, hw, 2 },
		{ FWS_DI_SERIAL, "S", 1 },
		{ FWS_DI_SECURITY_COUNTER, ctr, 4 },
		{ FWS_DI_STUB_VERSION, "1", 1 },
		{ FWS_DI_BOOT_STATE, boot, 1 },
	};
	size_t n = 0;
	bool done = extra == NULL;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (!done && extra_tag < f[i].tag) {
			n += put_tlv(out + n, extra_tag, extra, extra_len);
			done = true;
		}
		n += put_tlv(out + n, f[i].tag, f[i].v, f[i].n);
	}
	if (!done)
		n += put_tlv(out + n, extra_tag, extra, extra_len);
	return n;
}

static void test_unknown_tags(void **state)
{
	(void)state;
	uint8_t tlv[256];
	fws_devinfo out;
	static const uint8_t x[3] = { 1, 2, 3 };
	size_t n = build(0, NULL, 0, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_OK);
	assert_int_equal(out.security_counter, 5);
	assert_int_equal(out.boot_state, FWS_BOOT_STUB);
	/* unknown non-critical: skipped */
	n = build(0x8077, x, 3, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_OK);
	/* unknown critical: refused */
	n = build(0x0077, x, 3, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_CRITICAL);
}

static void test_malformed(void **state)
{
	(void)state;
	uint8_t tlv[256];
	fws_devinfo out;
	size_t n;
	/* control character in text */
	n = build(FWS_DI_COMPONENT, "a\nb", 3, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_MANIFEST);
	/* text over its limit */
	static const char longv[40] = "0123456789012345678901234567890123456789";
	n = build(FWS_DI_FW_VERSION, longv, 33, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_LIMIT);
	/* wrong fixed length */
	static const uint8_t three[3] = { 0 };
	n = build(FWS_DI_VENDOR_ID, three, 3, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_MANIFEST);
	/* slot index out of range */
	static const uint8_t slot[7] = { 2, 0, 0, 0, 0, 0, 0 };
	n = build(FWS_DI_SLOT, slot, 7, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_LIMIT);
	/* tags out of order */
	n = build(0, NULL, 0, tlv);
	n += put_tlv(tlv + n, FWS_DI_MODEL, "M", 1);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_MANIFEST);
	/* a required field missing */
	n = put_tlv(tlv, FWS_DI_MODEL, "M", 1);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_MISSING_FIELD);
	/* more keys than any trust store holds */
	uint8_t many[512];
	static const uint8_t key[9] = { 0 };
	n = 0;
	n += put_tlv(many + n, FWS_DI_MODEL, "M", 1);
	for (unsigned i = 0; i <= FWS_TRUST_MAX; i++)
		n += put_tlv(many + n, FWS_DI_KEY, key, 9);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(many, n), &out), FWS_E_LIMIT);
}

/* DL_WINDOW (0x8004, non-critical): window and flags, bytes after them
 * skipped (later versions), a window of 0 or a short value refused. */
static void test_dl_window(void **state)
{
	(void)state;
	uint8_t tlv[256];
	fws_devinfo out;
	static const uint8_t w[4] = { 3, FWS_DL_UNIT_CHUNKS, 0xEE, 0xEE };
	static const uint8_t zero[2] = { 0, 0 };
	size_t n = build(FWS_DI_DL_WINDOW, w, 2, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_OK);
	assert_int_equal(out.dl_window, 3);
	assert_int_equal(out.dl_flags, FWS_DL_UNIT_CHUNKS);
	n = build(FWS_DI_DL_WINDOW, w, 4, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_OK);
	assert_int_equal(out.dl_window, 3);
	n = build(FWS_DI_DL_WINDOW, w, 1, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_MANIFEST);
	n = build(FWS_DI_DL_WINDOW, zero, 2, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_MANIFEST);
	/* absent: 0, one DNLOAD at a time */
	n = build(0, NULL, 0, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_OK);
	assert_int_equal(out.dl_window, 0);
}

/* The fields added after version 1 (non-critical, bit 15): what each value
 * decodes to, and what a malformed one is refused as. */
static void test_later_fields(void **state)
{
	(void)state;
	uint8_t tlv[256];
	fws_devinfo out;
	uint8_t digest[FWS_SHA256_LEN];
	size_t n;

	memset(digest, 0x5A, sizeof digest);
	n = build(FWS_DI_IMAGE_SHA256, digest, sizeof digest, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_OK);
	assert_true(out.has_image_sha256);
	assert_memory_equal(out.image_sha256, digest, sizeof digest);
	n = build(FWS_DI_IMAGE_SHA256, digest, 31, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_MANIFEST);

	static const uint8_t one = 1, two = 2;
	n = build(FWS_DI_SIMULATOR, &one, 1, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_OK);
	assert_true(out.simulator);
	n = build(FWS_DI_SIMULATOR, &two, 1, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_MANIFEST);

	n = build(FWS_DI_CRYPTO_LIB, "mbed TLS 2.28.3", 15, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_OK);
	assert_string_equal(out.crypto_lib, "mbed TLS 2.28.3");
	n = build(FWS_DI_CRYPTO_LIB, "", 0, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_LIMIT);
	n = build(FWS_DI_CRYPTO_LIB, "a\x1b[2J", 5, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_MANIFEST);
}

static void test_header_and_lengths(void **state)
{
	(void)state;
	fws_devinfo in, out;
	full_info(&in);
	size_t len;
	assert_int_equal(fws_devinfo_encode(&in, rec, sizeof rec, &len), FWS_OK);
	/* every truncation fails cleanly */
	for (size_t cut = 0; cut < len; cut++)
		assert_int_not_equal(fws_devinfo_decode(rec, cut, &out), FWS_OK);
	/* trailing byte */
	assert_int_equal(fws_devinfo_decode(rec, len + 1, &out), FWS_E_TRAILING);
	/* over the hard limit */
	assert_int_equal(fws_devinfo_decode(rec, FWS_DEVINFO_MAX + 1, &out), FWS_E_LIMIT);
	rec[4] = 2;
	assert_int_equal(fws_devinfo_decode(rec, len, &out), FWS_E_FORMAT_VERSION);
	rec[4] = 1;
	rec[0] = 'X';
	assert_int_equal(fws_devinfo_decode(rec, len, &out), FWS_E_MAGIC);
}

/* ENCODINGS (0x8006): max block, then ascending ids; ids this host does
 * not know are kept as bits and never chosen; out of order is malformed. */
static void test_encodings(void **state)
{
	(void)state;
	uint8_t tlv[256];
	fws_devinfo out, in;
	size_t n, len;
	static const uint8_t v[] = {0x00, 0x10, 0, 0, 1, 2, 9};
	n = build(FWS_DI_ENCODINGS, v, sizeof v, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_OK);
	assert_int_equal(out.enc_max_block, 4096);
	assert_int_equal(out.encodings, (1u << 1) | (1u << 2) | (1u << 9));
	static const uint8_t big[] = {0, 0x10, 0, 0, 1, 200};
	n = build(FWS_DI_ENCODINGS, big, sizeof big, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_OK);
	assert_int_equal(out.encodings, 1u << 1);
	static const uint8_t unordered[] = {0, 0x10, 0, 0, 2, 1};
	n = build(FWS_DI_ENCODINGS, unordered, sizeof unordered, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_MANIFEST);
	static const uint8_t zero[] = {0, 0x10, 0, 0, 0};
	n = build(FWS_DI_ENCODINGS, zero, sizeof zero, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_MANIFEST);
	n = build(FWS_DI_ENCODINGS, zero, 3, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_E_MANIFEST);
	/* absent: none */
	n = build(0, NULL, 0, tlv);
	assert_int_equal(fws_devinfo_decode(rec, raw_record(tlv, n), &out), FWS_OK);
	assert_int_equal(out.encodings, 0);
	/* a device encodes only the encodings it can know */
	min_info(&in);
	in.encodings = 1u << (FWS_ENC_MAX + 1u);
	assert_int_equal(fws_devinfo_encode(&in, rec, sizeof rec, &len), FWS_E_LIMIT);
	in.encodings = 1u; /* bit 0 is "none", not an encoding */
	assert_int_equal(fws_devinfo_encode(&in, rec, sizeof rec, &len), FWS_E_LIMIT);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(fws_slot_state_name(FWS_SLOT_CONFIRMED), "confirmed");
	assert_string_equal(fws_slot_state_name(99), "unknown");
	assert_string_equal(fws_boot_state_name(FWS_BOOT_STUB), "stub");
	assert_string_equal(fws_boot_state_name(7), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_full),
		cmocka_unit_test(test_roundtrip_min),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_unknown_tags),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_later_fields),
		cmocka_unit_test(test_dl_window),
		cmocka_unit_test(test_header_and_lengths),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
