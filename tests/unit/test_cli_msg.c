/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CLI's messages against their documentation (issue 15): every cause of
 * host-tool/cli/cli_msg.h and every protocol error (fwseal/err.h) has its row
 * in docs/messages.md with the same exit code and the same wording; every
 * other row is exercised by a CLI test script; the exit codes of
 * exitcodes.h are the same in docs/messages.md, the README and fwseal(1);
 * the host library says the trust store and package problems in the
 * catalogue's words. Also the "did you mean" matcher.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_msg.h"
#include "fwseal-host/package.h"

#define MAX_ROWS 256

struct row {
	char id[64];
	int exit;
	char msg[512];
};

static struct row rows[MAX_ROWS];
static size_t nrows;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	static char buf[256 * 1024];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

/* "| `id` | 5 | `message` |" rows of the cause tables */
static void load_rows(void)
{
	if (nrows)
		return;
	char *text = slurp(DOCS_MESSAGES);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "| `", 3) != 0)
			continue;
		struct row r;
		char *id = line + 3, *e = strchr(id, '`');
		assert_non_null(e);
		*e = '\0';
		snprintf(r.id, sizeof r.id, "%s", id);
		char *p = strstr(e + 1, "| ");
		assert_non_null(p);
		r.exit = atoi(p + 2);
		char *m = strstr(p + 2, "| `");
		if (!m)
			fail_msg("row %s has no message in backticks", r.id);
		m += 3;
		char *end = strstr(m, "` |");
		assert_non_null(end);
		*end = '\0';
		snprintf(r.msg, sizeof r.msg, "%s", m);
		for (size_t i = 0; i < nrows; i++)
			if (!strcmp(rows[i].id, r.id))
				fail_msg("docs/messages.md lists %s twice", r.id);
		assert_true(nrows < MAX_ROWS);
		rows[nrows++] = r;
	}
	free(text);
	assert_true(nrows > 40);
}

static const struct row *row_of(const char *id)
{
	for (size_t i = 0; i < nrows; i++)
		if (!strcmp(rows[i].id, id))
			return &rows[i];
	return NULL;
}

/* Placeholders out: printf conversions and <names> both become "<>". */
static void normalize(const char *in, bool printf_fmt, char *out, size_t cap)
{
	size_t o = 0;
	for (const char *p = in; *p && o + 3 < cap;) {
		if (printf_fmt && p[0] == '%' && p[1] == '%') {
			out[o++] = '%';
			p += 2;
		} else if (printf_fmt && p[0] == '%') {
			p++;
			while (*p && strchr("0123456789.-+ #lhzjt", *p))
				p++;
			if (*p)
				p++;
			out[o++] = '<';
			out[o++] = '>';
		} else if (!printf_fmt && p[0] == '<' && strchr(p, '>')) {
			const char *gt = strchr(p, '>');
			p = gt ? gt + 1 : p + 1;
			out[o++] = '<';
			out[o++] = '>';
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
}

static void test_catalogue_is_documented(void **state)
{
	(void)state;
	load_rows();
	size_t n;
	const struct cli_msg *t = cli_msg_table(&n);
	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = row_of(t[i].id);
		if (!r) {
			fail_msg("message %s is not in docs/messages.md", t[i].id);
			return;
		}
		if (r->exit != t[i].exit)
			fail_msg("%s: exit %d in the code, %d in docs/messages.md", t[i].id, t[i].exit,
			         r->exit);
		char a[1024], b[1024];
		normalize(t[i].fmt, true, a, sizeof a);
		normalize(r->msg, false, b, sizeof b);
		if (strcmp(a, b) != 0)
			fail_msg("%s reads differently:\n  code: %s\n  docs: %s", t[i].id, a, b);
		assert_non_null(cli_exit_meaning(t[i].exit));
		for (size_t k = 0; k < i; k++)
			if (!strcmp(t[k].id, t[i].id))
				fail_msg("two messages share the id %s", t[i].id);
	}
}

static void test_protocol_errors_are_documented(void **state)
{
	(void)state;
	load_rows();
	unsigned seen = 0;
	for (int c = -200; c < 0; c++) {
		const char *name = fws_err_name((fws_err)c);
		if (!strcmp(name, "unknown-error"))
			continue;
		seen++;
		const struct row *r = row_of(name);
		if (!r) {
			fail_msg("error %s (%d) is not in docs/messages.md", name, c);
			return;
		}
		if (r->exit != cli_exit_for_fws((fws_err)c, false))
			fail_msg("%s: exit %d in the code, %d in docs/messages.md", name,
			         cli_exit_for_fws((fws_err)c, false), r->exit);
		/* an id of the catalogue that is also an error's name is "<file>: "
		 * and the error's sentence (its row is checked as a message) */
		size_t n;
		const struct cli_msg *t = cli_msg_table(&n);
		bool in_catalogue = false;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(t[i].id, name) != 0)
				continue;
			char want[1024];
			snprintf(want, sizeof want, "%%s: %s", fws_err_describe((fws_err)c));
			assert_string_equal(t[i].fmt, want);
			assert_int_equal(t[i].exit, cli_exit_for_fws((fws_err)c, false));
			in_catalogue = true;
		}
		if (!in_catalogue && strcmp(r->msg, fws_err_describe((fws_err)c)) != 0)
			fail_msg("%s reads differently:\n  code: %s\n  docs: %s", name,
			         fws_err_describe((fws_err)c), r->msg);
	}
	assert_true(seen >= 40);
}

/* Rows that are neither in the catalogue nor protocol errors are checked by
 * running the CLI: each must be a scenario of a test script. */
static void test_other_rows_are_tested(void **state)
{
	(void)state;
	load_rows();
	char *scripts[2] = { slurp(TEST_MESSAGES_SH), slurp(TEST_CLI_DEVICE_SH) };
	size_t n;
	const struct cli_msg *t = cli_msg_table(&n);
	for (size_t i = 0; i < nrows; i++) {
		bool known = false;
		for (size_t k = 0; k < n && !known; k++)
			known = !strcmp(t[k].id, rows[i].id);
		for (int c = -200; c < 0 && !known; c++)
			known = !strcmp(fws_err_name((fws_err)c), rows[i].id);
		if (known)
			continue;
		char needle[sizeof rows[i].id + 16];
		snprintf(needle, sizeof needle, "scenario %.63s ", rows[i].id);
		if (!strstr(scripts[0], needle) && !strstr(scripts[1], needle))
			fail_msg("docs/messages.md row %s is neither a catalogue message nor an error, "
			         "and no test script has a scenario for it",
			         rows[i].id);
	}
	free(scripts[0]);
	free(scripts[1]);
}

/* The codes of a table: lines "| N | ..." (markdown) */
static void md_codes(const char *path, const char *after, bool seen[256])
{
	char *text = slurp(path);
	char *p = strstr(text, after);
	if (!p)
		fail_msg("%s has no '%s'", path, after);
	for (char *line = strtok(p, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strncmp(line, "## ", 3) || !strncmp(line, "### ", 4))
			if (line != p)
				break;
		int code;
		if (sscanf(line, "| %d |", &code) == 1 && code >= 0 && code < 256)
			seen[code] = true;
	}
	free(text);
}

static void test_exit_codes_everywhere(void **state)
{
	(void)state;
	bool docs[256] = { false }, readme[256] = { false }, man[256] = { false };
	md_codes(DOCS_MESSAGES, "## Exit codes", docs);
	md_codes(README_MD, "### Exit codes", readme);
	/* fwseal(1): ".B N" lines of the EXIT STATUS section (.TP items) */
	char *text = slurp(MAN_FWSEAL);
	char *p = strstr(text, ".SH EXIT STATUS");
	assert_non_null(p);
	char *end = strstr(p + 4, "\n.SH ");
	if (end)
		*end = '\0';
	for (char *line = strtok(p, "\n"); line; line = strtok(NULL, "\n")) {
		int code;
		if (sscanf(line, ".B %d", &code) == 1 && code >= 0 && code < 256)
			man[code] = true;
	}
	free(text);
	for (int c = 0; c < 256; c++) {
		bool want = cli_exit_meaning(c) != NULL;
		if (docs[c] != want)
			fail_msg("exit code %d: %s in exitcodes.h, %s in docs/messages.md", c,
			         want ? "defined" : "not defined", docs[c] ? "listed" : "not listed");
		if (readme[c] != want)
			fail_msg("exit code %d: %s in exitcodes.h, %s in README.md", c,
			         want ? "defined" : "not defined", readme[c] ? "listed" : "not listed");
		if (man[c] != want)
			fail_msg("exit code %d: %s in exitcodes.h, %s in fwseal(1)", c,
			         want ? "defined" : "not defined", man[c] ? "listed" : "not listed");
	}
	/* the meaning in docs/messages.md is the code's own */
	char *d = slurp(DOCS_MESSAGES);
	for (int c = 0; c < 256; c++) {
		const char *m = cli_exit_meaning(c);
		if (!m)
			continue;
		char line[256];
		snprintf(line, sizeof line, "| %d | %s |", c, m);
		if (!strstr(d, line))
			fail_msg("docs/messages.md lacks '%s'", line);
	}
	free(d);
}

/* The host library says the trust store and package problems the way the
 * catalogue does (the CLI prints the library's sentence in `flash`). */
static void test_library_uses_the_same_words(void **state)
{
	(void)state;
	char dir[] = "/tmp/fwseal-msg-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char missing[128], garbage[128], want[1024];
	snprintf(missing, sizeof missing, "%s/missing.fwst", dir);
	snprintf(garbage, sizeof garbage, "%s/garbage.fwst", dir);
	FILE *f = fopen(garbage, "wb");
	assert_non_null(f);
	fputs("not a trust store, not even close", f);
	fclose(f);

	fws_trust t;
	fwh_error err;
	assert_int_equal(fwh_trust_load(missing, &t, &err), FWS_E_IO);
	cli_msg_format(want, sizeof want, MSG_TRUST_STORE_UNREADABLE, missing, strerror(ENOENT));
	assert_string_equal(err.msg, want);
	assert_int_equal(fwh_trust_load(garbage, &t, &err), FWS_E_TRUST_STORE);
	cli_msg_format(want, sizeof want, MSG_TRUST_STORE_INVALID, garbage);
	assert_string_equal(err.msg, want);

	static fwh_package pkg;
	snprintf(missing, sizeof missing, "%s/missing.fwseal", dir);
	assert_int_equal(fwh_package_open(&pkg, missing, &t, &err), FWS_E_IO);
	cli_msg_format(want, sizeof want, MSG_PACKAGE_UNREADABLE, missing, strerror(ENOENT));
	assert_string_equal(err.msg, want);
	/* a raw image is "not a fwseal package", as inspect says, not a bad suffix */
	assert_int_equal(fwh_package_open(&pkg, garbage, &t, &err), FWS_E_MAGIC);
	assert_non_null(strstr(err.msg, fws_err_describe(FWS_E_MAGIC)));

	unlink(garbage);
	rmdir(dir);
}

static void test_did_you_mean(void **state)
{
	(void)state;
	static const char *const cmds[] = { "key", "pack", "inspect", "verify", "list", "info",
	                                    "flash", "records", "watch", "evidence", "completion" };
	const size_t n = sizeof cmds / sizeof cmds[0];
	assert_string_equal(cli_suggest("flsh", cmds, n), "flash");
	assert_string_equal(cli_suggest("falsh", cmds, n), "flash");   /* a swap */
	assert_string_equal(cli_suggest("verfy", cmds, n), "verify");
	assert_string_equal(cli_suggest("recrods", cmds, n), "records");
	assert_string_equal(cli_suggest("insp", cmds, n), "inspect"); /* a prefix */
	assert_null(cli_suggest("frobnicate", cmds, n));
	assert_null(cli_suggest("flash", cmds, n)); /* not a typo */
	assert_null(cli_suggest("x", cmds, n));
	static const char *const opts[] = { "device", "trust", "yes", "flow", "no-resume" };
	assert_string_equal(cli_suggest("trsut", opts, 5), "trust");
	assert_string_equal(cli_suggest("devcie", opts, 5), "device");
	assert_null(cli_suggest("colour", opts, 5));
	static const char *const tie[] = { "list", "lost" };
	assert_null(cli_suggest("last", tie, 2)); /* two equally close: say nothing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue_is_documented),
		cmocka_unit_test(test_protocol_errors_are_documented),
		cmocka_unit_test(test_other_rows_are_tested),
		cmocka_unit_test(test_exit_codes_everywhere),
		cmocka_unit_test(test_library_uses_the_same_words),
		cmocka_unit_test(test_did_you_mean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
