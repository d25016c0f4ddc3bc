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
#include "fwseal/text.h"

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

/* Long text (risks, notes) is UTF-8 with newline and tab and no control
 * character at all: not C0, not DEL, not C1 (U+0080..U+009F; U+009B is the
 * one-byte CSI that starts terminal escape sequences), and no byte that is
 * not part of valid UTF-8 (a raw 0x9B is CSI to an 8-bit terminal). */
static void test_long_text_controls(void **state)
{
	static const char *const bad[] = {
		("csi \xc2\x9b" "31m red"), /* U+009B, CSI */
		"nel \xc2\x85",             /* U+0085 */
		"c1 \xc2\x80 and \xc2\x9f", /* both ends of C1 */
		("raw \x9b" "31m"),         /* a lone continuation byte */
		"overlong \xc0\xaf",        /* '/' in two bytes */
		"overlong \xe0\x80\xaf",
		"surrogate \xed\xa0\x80",
		"beyond \xf4\x90\x80\x80",  /* above U+10FFFF */
		"cut \xe2\x82",             /* a sequence cut short */
		"del \x7f",
		"cr \r",
		"esc \x1b[2J",
	};
	static const char *const good[] = {
		"line one\nline two\twith tab",
		("Works below 0 \xc2\xb0" "C, \xe2\x82\xac 5, \xf0\x9f\x94\x92"),
		"\xc2\xa0 no-break space is not a control",
	};
	fws_manifest_in in;
	fws_manifest m;
	uint8_t buf[FWS_PKG_MANIFEST_MAX];
	size_t len;
	(void)state;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		base(&in);
		in.notes = bad[i];
		assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_MANIFEST);
		base(&in);
		in.risks = bad[i];
		assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_E_MANIFEST);
		/* a manifest written by another tool: the parser refuses it too */
		base(&in);
		in.notes = "x";
		assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_OK);
		assert_int_equal(fws_manifest_parse(buf, len, &m), FWS_OK);
		size_t n = strlen(bad[i]);
		assert_true(len + n - 1 <= sizeof buf);
		memcpy(buf + m.notes.off, bad[i], n); /* notes are the last field */
		fws_put_le16(buf + m.notes.off - 2, (uint16_t)n);
		assert_int_equal(fws_manifest_parse(buf, len - 1 + n, &m), FWS_E_MANIFEST);
	}
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		base(&in);
		in.notes = good[i];
		in.risks = good[i];
		assert_int_equal(fws_manifest_encode(&in, buf, sizeof(buf), &len), FWS_OK);
	}
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

/* fws_text_ok (the compact form the device runs) says exactly what
 * fws_utf8_next + fws_text_is_control (the host's form) say: every 1- and
 * 2-byte string, every 3-byte one with a 3-byte lead, and 4-byte ones with
 * each lead and every second byte against edge values. */
static bool text_ok_slow(const uint8_t *p, size_t n, bool multiline)
{
	for (size_t i = 0, k; i < n; i += k) {
		uint32_t cp;
		k = fws_utf8_next(p + i, n - i, &cp);
		if (k == 0 || (fws_text_is_control(cp) && !(multiline && (cp == '\n' || cp == '\t'))))
			return false;
	}
	return true;
}

static void check_agree(const uint8_t *p, size_t n)
{
	for (int ml = 0; ml < 2; ml++)
		if (fws_text_ok(p, n, ml) != text_ok_slow(p, n, ml))
			fail_msg("text rules disagree on %zu bytes %02x %02x %02x %02x (multiline %d)", n,
			         p[0], n > 1 ? p[1] : 0, n > 2 ? p[2] : 0, n > 3 ? p[3] : 0, ml);
}

static void test_text_rules_agree(void **state)
{
	(void)state;
	static const uint8_t edges[] = { 0x00, 0x0a, 0x1f, 0x20, 0x7f, 0x80, 0x8f, 0x90,
	                                 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xe0, 0xf4, 0xff };
	uint8_t b[4];
	for (unsigned x = 0; x < 0x10000u; x++) {
		b[0] = (uint8_t)(x >> 8);
		b[1] = (uint8_t)x;
		check_agree(b, 1);
		check_agree(b, 2);
		if (b[0] >= 0xe0 && b[0] <= 0xef)
			for (unsigned z = 0; z < 0x100u; z++) {
				b[2] = (uint8_t)z;
				check_agree(b, 3);
			}
		if (b[0] >= 0xf0)
			for (size_t i = 0; i < sizeof edges; i++)
				for (size_t j = 0; j < sizeof edges; j++) {
					b[2] = edges[i];
					b[3] = edges[j];
					check_agree(b, 4);
				}
	}
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
		cmocka_unit_test(test_long_text_controls),
		cmocka_unit_test(test_text_rules_agree),
		cmocka_unit_test(test_truncated_everywhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
