/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host-tool/cli/sbom.c: which SBOM format a file is (top-level members only)
 * and sbom_load's refusals. The same inputs are the fuzz corpus
 * (tests/corpus/sbom/).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sbom.h"

static void detect(const char *text, enum sbom_kind kind, const char *version)
{
	sbom_info i;
	sbom_detect((const uint8_t *)text, strlen(text), &i);
	if (i.kind != kind || strcmp(i.version, version) != 0)
		fail_msg("'%s': %s '%s', expected %s '%s'", text, sbom_kind_name(i.kind), i.version,
		         sbom_kind_name(kind), version);
}

static void test_formats(void **state)
{
	(void)state;
	detect("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"components\": []}",
	       SBOM_CYCLONEDX, "1.5");
	detect("{\"components\": [{\"x\": \"}\"}], \"specVersion\":\"1.6\",\"bomFormat\":\"CycloneDX\"}",
	       SBOM_CYCLONEDX, "1.6");
	detect("\xef\xbb\xbf{\"spdxVersion\": \"SPDX-2.3\", \"a\": -1.5e3, \"b\": true, \"c\": null}",
	       SBOM_SPDX, "SPDX-2.3");
	/* nested or not an object: not an SBOM of either kind */
	detect("{\"components\": [{\"bomFormat\": \"CycloneDX\"}]}", SBOM_UNKNOWN, "");
	detect("[{\"bomFormat\": \"CycloneDX\"}]", SBOM_UNKNOWN, "");
	detect("{\"bomFormat\": \"cyclonedx\"}", SBOM_UNKNOWN, "");
	detect("{\"spdxVersion\": \"2.3\"}", SBOM_UNKNOWN, "");
	/* broken JSON before the decisive member: unknown */
	detect("{\"x\": [1, 2, {\"a\": \"\\\"}\"}], \"bomFormat\": \"CycloneDX\"", SBOM_UNKNOWN, "");
	detect("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\x01\"}", SBOM_UNKNOWN, "");
	detect("", SBOM_UNKNOWN, "");
	detect("{", SBOM_UNKNOWN, "");
}

static void test_load(void **state)
{
	(void)state;
	char dir[] = "/tmp/fwseal-sbom-XXXXXX", path[64], err[512];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/app.cdx.json", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\"}\n", f);
	fclose(f);
	sbom_info i;
	uint8_t d[FWS_SHA256_LEN], want[FWS_SHA256_LEN];
	assert_true(sbom_load(path, &i, d, err, sizeof(err)));
	assert_int_equal(i.kind, SBOM_CYCLONEDX);
	const char *text = "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\"}\n";
	assert_int_equal(fws_sha256((const uint8_t *)text, strlen(text), want), FWS_OK);
	assert_memory_equal(d, want, FWS_SHA256_LEN);
	/* not an SBOM: the message says what is expected */
	f = fopen(path, "w");
	fputs("firmware image bytes", f);
	fclose(f);
	assert_false(sbom_load(path, &i, d, err, sizeof(err)));
	assert_non_null(strstr(err, "not a CycloneDX or SPDX JSON SBOM"));
	unlink(path);
	assert_false(sbom_load(path, &i, d, err, sizeof(err)));
	assert_non_null(strstr(err, "Cannot read the SBOM"));
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
