/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host-tool/cli/cli_util.c: what every subcommand relies on - number parsing
 * (no sign, no junk, range), JSON output (escaping, commas, nesting), hex,
 * the DFU CRC helper (must equal fws_crc32), exit codes of protocol errors,
 * columns of translated (UTF-8) text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_util.h"
#include "fwseal/crc.h"

static void test_numbers(void **state)
{
	(void)state;
	uint32_t v32;
	uint16_t v16;
	uint64_t v64;
	assert_true(cli_parse_u32("0", &v32) && v32 == 0);
	assert_true(cli_parse_u32("4294967295", &v32) && v32 == UINT32_MAX);
	assert_true(cli_parse_u32("0x1209", &v32) && v32 == 0x1209);
	assert_true(cli_parse_u16("0XFFFF", &v16) && v16 == 0xFFFF);
	assert_false(cli_parse_u32("4294967296", &v32));
	assert_false(cli_parse_u16("65536", &v16));
	assert_false(cli_parse_u32("-1", &v32));
	assert_false(cli_parse_u32("+1", &v32));
	assert_false(cli_parse_u32(" 1", &v32));
	assert_false(cli_parse_u32("1 ", &v32));
	assert_false(cli_parse_u32("12abc", &v32));
	assert_false(cli_parse_u32("0x", &v32));
	assert_false(cli_parse_u32("", &v32));
	assert_false(cli_parse_u64("99999999999999999999999", UINT64_MAX, &v64));
}

static void test_hex_and_exit_codes(void **state)
{
	(void)state;
	char out[9];
	cli_hex((const uint8_t[]){0x00, 0xab, 0x10, 0xff}, 4, out);
	assert_string_equal(out, "00ab10ff");
	assert_int_equal(cli_exit_for_err(FWS_OK), FWS_EXIT_OK);
	assert_int_equal(cli_exit_for_err(FWS_E_BLOCK_DIGEST), FWS_EXIT_BAD_PACKAGE);
	assert_int_equal(cli_exit_for_err(FWS_E_SIGNATURE), FWS_EXIT_BAD_PACKAGE);
	assert_int_equal(cli_exit_for_err(FWS_E_MODEL), FWS_EXIT_POLICY);
	assert_int_equal(cli_exit_for_err(FWS_E_VENDOR), FWS_EXIT_POLICY);
	assert_int_equal(cli_exit_for_err(FWS_E_DOWNGRADE), FWS_EXIT_POLICY);
	assert_int_equal(cli_exit_for_err(FWS_E_IO), FWS_EXIT_IO);
}

static void test_crc_matches_protocol(void **state)
{
	(void)state;
	uint8_t buf[4099];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131u + 7u);
	/* chained in uneven pieces, as the helper thread does */
	uint32_t a = cli_crc32(0, buf, 1000);
	a = cli_crc32(a, buf + 1000, sizeof(buf) - 1000);
	assert_int_equal(a, fws_crc32(0, buf, sizeof(buf)));
	assert_int_equal(cli_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
}

static char *json_of(void (*fill)(struct cli_json *j))
{
	static char text[4096];
	FILE *f = fmemopen(text, sizeof(text), "w");
	assert_non_null(f);
	struct cli_json j;
	cli_json_begin(&j, f);
	fill(&j);
	cli_json_end(&j);
	fclose(f);
	return text;
}

static void fill_escapes(struct cli_json *j)
{
	cli_json_str(j, "q", "a\"b\\c\nd\te\x01" "f\x7f");
	cli_json_str(j, "utf8", "0 \xc2\xb0" "C");
	cli_json_strn(j, "n", "abcdef", 3);
}

static void fill_nested(struct cli_json *j)
{
	cli_json_u64(j, "u", UINT64_MAX);
	cli_json_i64(j, "i", -5);
	cli_json_bool(j, "b", false);
	cli_json_null(j, "z");
	cli_json_arr(j, "empty");
	cli_json_arr_end(j);
	cli_json_arr(j, "a");
	cli_json_hex(j, NULL, (const uint8_t[]){1, 2}, 2);
	cli_json_obj(j, NULL);
	cli_json_str(j, "k", "v");
	cli_json_obj_end(j);
	cli_json_arr_end(j);
}

/* Whitespace-free form, to compare structure only. */
static char *squeeze(const char *s)
{
	static char out[4096];
	size_t o = 0;
	bool in_str = false;
	for (; *s && o + 1 < sizeof(out); s++) {
		if (*s == '"' && (o == 0 || out[o - 1] != '\\'))
			in_str = !in_str;
		if (!in_str && (*s == ' ' || *s == '\n'))
			continue;
		out[o++] = *s;
	}
	out[o] = '\0';
	return out;
}

static void test_json(void **state)
{
	(void)state;
	assert_string_equal(squeeze(json_of(fill_escapes)),
	                    "{\"q\":\"a\\\"b\\\\c\\nd\\te\\u0001f\\u007f\",\"utf8\":\"0 \xc2\xb0" "C\",\"n\":\"abc\"}");
	assert_string_equal(squeeze(json_of(fill_nested)),
	                    "{\"u\":18446744073709551615,\"i\":-5,\"b\":false,\"z\":null,\"empty\":[],"
	                    "\"a\":[\"0102\",{\"k\":\"v\"}]}");
}

/* f's output as a NUL-terminated string (one helper for the two below). */
static const char *captured(void (*put)(FILE *, const char *, size_t, bool), const char *s,
                            bool flag)
{
	static char out[512];
	FILE *f = fmemopen(out, sizeof out, "w");
	assert_non_null(f);
	put(f, s, strlen(s), flag);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void json_put(FILE *f, const char *s, size_t n, bool unused)
{
	(void)unused;
	cli_json_escape(f, s, n);
}

/* Text the CLI did not produce (package notes, device strings) never
 * reaches a terminal or a JSON reader as a control character or as bytes
 * that are not UTF-8. */
static void test_text_escaped(void **state)
{
	(void)state;
	const char *in = "a\x1b[2J b\xc2\x9b" "31m c\x9b d\x7f e\xc2\xb0 f\n\tg";
	assert_string_equal(captured(cli_text, in, false),
	                    "a\\x1b[2J b\\u009b31m c\\x9b d\\x7f e\xc2\xb0 f\\x0a\\x09g");
	assert_string_equal(captured(cli_text, in, true),
	                    "a\\x1b[2J b\\u009b31m c\\x9b d\\x7f e\xc2\xb0 f\n\tg");
	assert_string_equal(captured(json_put, in, false),
	                    "\"a\\u001b[2J b\\u009b31m c\\ufffd d\\u007f e\xc2\xb0 f\\n\\tg\"");
}

static void test_date(void **state)
{
	(void)state;
	char d[32];
	cli_format_date(0, d, sizeof(d));
	assert_string_equal(d, "1970-01-01");
	cli_format_date(1709164800, d, sizeof(d));
	assert_string_equal(d, "2024-02-29");
}

/* A German line is cut to the terminal's width by characters, never inside
 * one: "ä" is two bytes and one column. */
static void test_columns(void **state)
{
	(void)state;
	assert_int_equal(cli_columns(""), 0);
	assert_int_equal(cli_columns("Vorber."), 7);
	assert_int_equal(cli_columns("l\xc3\xa4uft"), 5);       /* läuft */
	assert_int_equal(cli_columns("\xe2\x82\xac 1"), 3);    /* € 1 */

	char s[32];
	strcpy(s, "l\xc3\xa4uft");
	cli_cut_columns(s, 2); /* "lä", the ä whole */
	assert_string_equal(s, "l\xc3\xa4");
	strcpy(s, "l\xc3\xa4uft");
	cli_cut_columns(s, 1);
	assert_string_equal(s, "l");
	strcpy(s, "l\xc3\xa4uft");
	cli_cut_columns(s, 5); /* fits: unchanged */
	assert_string_equal(s, "l\xc3\xa4uft");
	cli_cut_columns(s, 0);
	assert_string_equal(s, "");

	char out[64];
	FILE *f = fmemopen(out, sizeof out, "w");
	assert_non_null(f);
	cli_put_padded(f, "GER\xc3\x84T", 8); /* GERÄT: 5 columns, 3 spaces */
	cli_put_padded(f, "|", 0);
	fclose(f);
	assert_string_equal(out, "GER\xc3\x84T   |");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_hex_and_exit_codes),
		cmocka_unit_test(test_crc_matches_protocol),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_text_escaped),
		cmocka_unit_test(test_columns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
