/* SPDX-License-Identifier: Apache-2.0 */
/* protocol/src/manifest.c: TLV encoding, canonical form, limits, text rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fwseal/le.h"
#include "fwseal/pkg.h"

static void base(fws_manifest_in *in)
{
	memset(in, 0, sizeof(*in));
	in->vendor_id = 0x1209;
	in->class_id = 0xf5ea;
	in->model = "Acme Thermo T2";
	in->hw_rev_min = 2;
	in->hw_rev_max = 5;
	in->component = "app";
	in->version = "2.4.1";
	in->security_counter = 7;
	in->payload_size = 100000;
	in->block_size = 4096;
	memset(in->chain_head, 0xAB, 32);
	memset(in->image_sha256, 0xCD, 32);
	in->release_date = 1767225600;
	in->support_end = 1956528000;
	in->security_update = true;
	in->severity = FWS_SEVERITY_CRITICAL;
	in->risks = "Lets a nearby attacker pair without the PIN.";
	in->cves[0] = "CVE-2026-0001";
	in->cves[1] = "CVE-2026-123456";
	in->cve_count = 2;
	in->reboot = true;
	in->downtime_s = 45;
	in->notes = "Fixes pairing.\nImproves battery life.";
}

static void test_roundtrip(void **state)
{
	fws_manifest_in in;
	fws_manifest m;
	uint8_t buf[FWS_PKG_MANIFEST_MAX];
	size_t len;
	(void)state;

	base(&in);
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_OK);
	/* the bytes shown in docs/package-format.md, "Example" */
	{
		static const uint8_t doc[] = { 0x01, 0x00, 0x02, 0x00, 0x09, 0x12,
		                               0x02, 0x00, 0x02, 0x00, 0xea, 0xf5,
		                               0x03, 0x00, 0x0e, 0x00, 'A', 'c', 'm', 'e' };
		assert_memory_equal(buf, doc, sizeof(doc));
	}
	assert_int_equal(fws_manifest_parse(buf, len, &m), FWS_OK);
	assert_int_equal(m.vendor_id, 0x1209);
	assert_int_equal(m.class_id, 0xf5ea);
	assert_string_equal(m.model, "Acme Thermo T2");
	assert_int_equal(m.hw_rev_min, 2);
	assert_int_equal(m.hw_rev_max, 5);
	assert_string_equal(m.component, "app");
	assert_string_equal(m.version, "2.4.1");
	assert_int_equal(m.security_counter, 7);
	assert_int_equal(m.payload_size, 100000);
	assert_int_equal(m.block_size, 4096);
	assert_memory_equal(m.chain_head, in.chain_head, 32);
	assert_memory_equal(m.image_sha256, in.image_sha256, 32);
	assert_true(m.release_date == 1767225600);
	assert_true(m.support_end == 1956528000);
	assert_true(m.security_update);
	assert_int_equal(m.severity, FWS_SEVERITY_CRITICAL);
	assert_true(m.reboot);
	assert_int_equal(m.downtime_s, 45);
	assert_int_equal(m.risks.len, strlen(in.risks));
	assert_memory_equal(buf + m.risks.off, in.risks, m.risks.len);
	assert_int_equal(m.cve_count, 2);
	assert_memory_equal(buf + m.cves[1].off, "CVE-2026-123456", m.cves[1].len);
	assert_memory_equal(buf + m.notes.off, in.notes, m.notes.len);
	assert_int_equal(fws_manifest_block_count(&m), 25);
	assert_int_equal(fws_manifest_stream_len(&m), 100000 + 25 * 32);
	assert_string_equal(fws_severity_name(m.severity), "critical");
}

/* Optional fields may be left out; required ones may not. */
static void test_optional_and_required(void **state)
{
	fws_manifest_in in;
	fws_manifest m;
	uint8_t buf[FWS_PKG_MANIFEST_MAX];
	size_t len;
	(void)state;

	base(&in);
	in.risks = NULL;
	in.cve_count = 0;
	in.notes = NULL;
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_OK);
	assert_int_equal(fws_manifest_parse(buf, len, &m), FWS_OK);
	assert_int_equal(m.cve_count, 0);
	assert_int_equal(m.risks.len, 0);

	/* Drop the first TLV (vendor id): a required field is missing. */
	assert_int_equal(fws_manifest_parse(buf + 6, len - 6, &m), FWS_E_MISSING_FIELD);
}

static size_t encode(fws_manifest_in *in, uint8_t *buf)
{
	size_t len = 0;
	assert_int_equal(fws_manifest_encode(in, buf, FWS_PKG_MANIFEST_MAX, &len), FWS_OK);
	return len;
}

/* Appending a TLV with a given tag after the last one (notes, 0x8012). */
static size_t append(uint8_t *buf, size_t len, uint16_t tag, const char *v)
{
	size_t n = strlen(v);
	fws_put_le16(buf + len, tag);
	fws_put_le16(buf + len + 2, (uint16_t)n);
	memcpy(buf + len + 4, v, n);
	return len + 4 + n;
}

static void test_unknown_fields(void **state)
{
	fws_manifest_in in;
	fws_manifest m;
	uint8_t buf[FWS_PKG_MANIFEST_MAX];
	size_t len;
	(void)state;

	base(&in);
	len = encode(&in, buf);
	/* unknown non-critical (bit 15) after the last known tag: skipped */
	assert_int_equal(fws_manifest_parse(buf, append(buf, len, 0x9000, "future"), &m), FWS_OK);
	/* unknown critical: rejected */
	in.notes = NULL;
	len = encode(&in, buf);
	assert_int_equal(fws_manifest_parse(buf, append(buf, len, 0x0100, "x"), &m), FWS_E_CRITICAL);
}

/* 0x8013: the SBOM's SHA-256, a span of exactly 32 bytes, after the notes. */
static void test_sbom_digest(void **state)
{
	fws_manifest_in in;
	fws_manifest m;
	uint8_t buf[FWS_PKG_MANIFEST_MAX], sbom[FWS_SHA256_LEN];
	size_t len;
	(void)state;

	base(&in);
	len = encode(&in, buf);
	assert_int_equal(fws_manifest_parse(buf, len, &m), FWS_OK);
	assert_int_equal(m.sbom_sha256.len, 0); /* absent unless given */
	for (unsigned i = 0; i < sizeof(sbom); i++)
		sbom[i] = (uint8_t)(0xA0 + i);
	in.sbom_sha256 = sbom;
	len = encode(&in, buf);
	assert_int_equal(fws_manifest_parse(buf, len, &m), FWS_OK);
	assert_int_equal(m.sbom_sha256.len, FWS_SHA256_LEN);
	assert_memory_equal(buf + m.sbom_sha256.off, sbom, FWS_SHA256_LEN);
	/* it is the last field: its TLV header names tag 0x8013 */
	assert_int_equal(fws_get_le16(buf + len - FWS_SHA256_LEN - 4), FWS_TAG_SBOM_SHA256);
	/* a wrong length is refused, not skipped: the tag is known */
	buf[len - FWS_SHA256_LEN - 2] = FWS_SHA256_LEN - 1;
	assert_int_equal(fws_manifest_parse(buf, len - 1, &m), FWS_E_MANIFEST);
}

static void test_canonical_order(void **state)
{
	fws_manifest_in in;
	fws_manifest m;
	uint8_t buf[FWS_PKG_MANIFEST_MAX];
	size_t len;
	(void)state;

	base(&in);
	in.notes = NULL;
	len = encode(&in, buf);
	/* a second model field after the disruption field: out of order */
	assert_int_equal(fws_manifest_parse(buf, append(buf, len, FWS_TAG_MODEL, "X"), &m),
	                 FWS_E_MANIFEST);
	/* a duplicate disruption field */
	{
		uint8_t d[5] = { 0 };
		size_t l2 = len;
		fws_put_le16(buf + l2, FWS_TAG_DISRUPTION);
		fws_put_le16(buf + l2 + 2, 5);
		memcpy(buf + l2 + 4, d, 5);
		assert_int_equal(fws_manifest_parse(buf, l2 + 9, &m), FWS_E_MANIFEST);
	}
}

static void test_limits(void **state)
{
	fws_manifest_in in;
	uint8_t buf[FWS_PKG_MANIFEST_MAX];
	size_t len;
	char big[FWS_NOTES_MAX + 2];
	(void)state;

	base(&in);
	in.model = "0123456789012345678901234567890123"; /* 34 > 32 */
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_LIMIT);

	base(&in);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	in.notes = big;
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_LIMIT);

	base(&in);
	in.block_size = 3000; /* not a power of two */
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_LIMIT);
	in.block_size = 128;  /* below minimum */
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_LIMIT);
	in.block_size = 4096;
	in.payload_size = 0;
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_LIMIT);
	in.payload_size = FWS_PKG_PAYLOAD_MAX + 1u;
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_LIMIT);

	base(&in);
	in.severity = 9;
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_MANIFEST);
	base(&in);
	in.hw_rev_min = 6; /* min > max */
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_MANIFEST);

	/* a manifest longer than the format allows is refused before parsing */
	{
		fws_manifest m;
		static uint8_t huge[FWS_PKG_MANIFEST_MAX + 1];
		assert_int_equal(fws_manifest_parse(huge, sizeof(huge), &m), FWS_E_LIMIT);
	}
	/* small cap: encoder reports, never overflows */
	base(&in);
	assert_int_equal(fws_manifest_encode(&in, buf, 40, &len), FWS_E_LIMIT);
}

static void test_text_rules(void **state)
{
	fws_manifest_in in;
	uint8_t buf[FWS_PKG_MANIFEST_MAX];
	size_t len;
	(void)state;

	base(&in);
	in.version = "1.0\x1b[2J"; /* terminal escape in a short identifier */
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_MANIFEST);
	base(&in);
	in.risks = "bad\x07" "bell";
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_MANIFEST);
	base(&in);
	in.cves[0] = "CVE-26-1";
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_MANIFEST);
	base(&in);
	in.model = " padded";
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_MANIFEST);
	base(&in);
	in.cve_count = FWS_CVE_COUNT_MAX + 1;
	assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_INVAL);
}

static void test_truncated_everywhere(void **state)
{
	fws_manifest_in in;
	fws_manifest m;
	uint8_t buf[FWS_PKG_MANIFEST_MAX];
	size_t len;
	(void)state;

	base(&in);
	/* only required fields, so no cut can end on a complete manifest */
	in.risks = NULL;
	in.cve_count = 0;
	in.notes = NULL;
	len = encode(&in, buf);
	for (size_t cut = 0; cut < len; cut++)
		assert_int_not_equal(fws_manifest_parse(buf, cut, &m), FWS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_optional_and_required),
		cmocka_unit_test(test_unknown_fields),
		cmocka_unit_test(test_sbom_digest),
		cmocka_unit_test(test_canonical_order),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_text_rules),
		cmocka_unit_test(test_truncated_everywhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
