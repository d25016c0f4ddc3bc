/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/pk.h>
#include <mbedtls/version.h>

#include "ev_fixture.h"
#include "evidence.h"
#include "fwseal/trust.h"

static void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

void ev_fixture_write_pkg(const char *path, const test_pkg_opts *opts, uint32_t image_seed)
{
	uint8_t *img = test_image(20000, image_seed);
	test_pkg p;
	test_pkg_build(&p, img, 20000, opts);
	write_bytes(path, p.data, p.len);
	test_pkg_free(&p);
	free(img);
}

/* The lab key as a PEM private key file, as `fwseal key generate` writes. */
static void write_key_pem(const char *path, const test_key *k)
{
	mbedtls_pk_context pk;
	mbedtls_pk_init(&pk);
	assert_int_equal(mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
	mbedtls_ecp_keypair *kp = mbedtls_pk_ec(pk);
	const mbedtls_ecdsa_context *src = k->priv;
	assert_int_equal(mbedtls_ecp_group_copy(&kp->grp, &src->grp), 0);
	assert_int_equal(mbedtls_mpi_copy(&kp->d, &src->d), 0);
	assert_int_equal(mbedtls_ecp_copy(&kp->Q, &src->Q), 0);
	unsigned char buf[1024];
	assert_int_equal(mbedtls_pk_write_key_pem(&pk, buf, sizeof(buf)), 0);
	write_bytes(path, buf, strlen((char *)buf));
	assert_int_equal(chmod(path, 0600), 0); /* private keys: owner only */
	chmod(path, 0600);
	mbedtls_pk_free(&pk);
}

void ev_fixture_setup(struct ev_fixture *f, uint32_t counter)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/fwseal-ev-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->pkg, sizeof(f->pkg), "%s/release.fwseal", f->dir);
	snprintf(f->pkg_prev, sizeof(f->pkg_prev), "%s/previous.fwseal", f->dir);
	snprintf(f->trust, sizeof(f->trust), "%s/device.trust", f->dir);
	snprintf(f->test_key, sizeof(f->test_key), "%s/lab-test.key", f->dir);
	snprintf(f->revoked_key, sizeof(f->revoked_key), "%s/lab-revoked.key", f->dir);
	snprintf(f->evidence_key, sizeof(f->evidence_key), "%s/evidence.key", f->dir);
	snprintf(f->release_key, sizeof(f->release_key), "%s/release.key", f->dir);
	snprintf(f->trust_release, sizeof(f->trust_release), "%s/release.trust", f->dir);
	test_key_generate(&f->release, 1);
	test_key_generate(&f->lab, 2);
	test_key_generate(&f->revoked, 3);
	test_key_generate(&f->evidence, 4);

	fws_trust t;
	memset(&t, 0, sizeof(t));
	const test_key *keys[] = {&f->release, &f->lab, &f->revoked};
	for (unsigned i = 0; i < 3; i++) {
		memcpy(t.keys[i].id, keys[i]->id, FWS_KEY_ID_LEN);
		memcpy(t.keys[i].pub, keys[i]->pub, FWS_P256_PUB_LEN);
	}
	t.keys[2].flags = FWS_TRUST_REVOKED;
	t.count = 3;
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	size_t n = fws_trust_encode(&t, blob, sizeof(blob));
	assert_true(n > 0);
	write_bytes(f->trust, blob, n);
	t.count = 1;
	n = fws_trust_encode(&t, blob, sizeof(blob));
	assert_true(n > 0);
	write_bytes(f->trust_release, blob, n);
	write_key_pem(f->test_key, &f->lab);
	write_key_pem(f->revoked_key, &f->revoked);
	write_key_pem(f->evidence_key, &f->evidence);
	write_key_pem(f->release_key, &f->release);

	test_pkg_opts o = {0};
	o.model = EV_FIX_MODEL;
	o.version = "1.4.2";
	o.security_counter = counter;
	o.hw_rev_min = 1;
	o.hw_rev_max = 3;
	o.with_suffix = 1;
	o.release_date = EV_FIX_RELEASE_DATE;
	o.support_end = EV_FIX_SUPPORT_END;
	o.keys[0] = &f->release;
	ev_fixture_write_pkg(f->pkg, &o, 7);
	o.version = "1.4.1";
	o.security_counter = counter - 1;
	o.counter_zero = counter == 1;
	ev_fixture_write_pkg(f->pkg_prev, &o, 6);
}

void ev_fixture_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char p[1024];
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			ev_fixture_rmtree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

const struct ev_test *ev_fixture_test(const struct ev_pack *pk, const char *id)
{
	for (size_t i = 0; i < pk->ntests; i++)
		if (!strcmp(pk->tests[i].id, id))
			return &pk->tests[i];
	fail_msg("no test %s", id);
	abort();
}

void ev_fixture_release(struct ev_release *r)
{
	memset(r, 0, sizeof(*r));
	static char name[] = "release-example.ini";
	r->file_name = name;
	memset(r->sha256, 0xab, sizeof(r->sha256));
	r->vuln_confirmed = 1734652800; /* 2024-12-20 */
	r->fix_available = 1736467200;  /* 2025-01-10 */
}

void ev_fixture_teardown(struct ev_fixture *f)
{
	test_key_free(&f->release);
	test_key_free(&f->lab);
	test_key_free(&f->revoked);
	test_key_free(&f->evidence);
	if (!getenv("FWSEAL_KEEP_TMP"))
		ev_fixture_rmtree(f->dir);
}

char *ev_fixture_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot read %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

char *ev_fixture_src(const char *rel)
{
	const char *src = getenv("FWSEAL_SRCDIR");
	assert_non_null(src);
	size_t n = strlen(src) + strlen(rel) + 2;
	char *p = malloc(n);
	assert_non_null(p);
	snprintf(p, n, "%s/%s", src, rel);
	return p;
}

char *ev_fixture_replace(const char *text, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	for (const char *p = strstr(text, from); p; p = strstr(p + fl, from))
		n++;
	char *out = malloc(strlen(text) + n * tl + 1);
	assert_non_null(out);
	char *o = out;
	for (const char *p = text;;) {
		const char *q = strstr(p, from);
		if (!q) {
			strcpy(o, p);
			break;
		}
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, to, tl);
		o += tl;
		p = q + fl;
	}
	return out;
}

void ev_fixture_golden(const char *name, const char *text_in, const char *tool_version)
{
	char *t1 = ev_fixture_replace(text_in, tool_version, "fwseal VERSION");
	char *text = ev_fixture_replace(t1, MBEDTLS_VERSION_STRING_FULL, "mbed TLS VERSION");
	free(t1);
	char rel[256];
	snprintf(rel, sizeof(rel), "tests/evidence/golden/%s", name);
	char *path = ev_fixture_src(rel);
	if (getenv("FWSEAL_UPDATE_GOLDEN")) {
		write_bytes(path, text, strlen(text));
		free(path);
		free(text);
		return;
	}
	char *want = ev_fixture_read(path);
	if (strcmp(want, text) != 0) {
		/* show the first difference, then fail */
		size_t i = 0, line = 1;
		while (want[i] && want[i] == text[i]) {
			if (want[i] == '\n')
				line++;
			i++;
		}
		print_error("golden %s differs at line %zu:\n want: %.120s\n got:  %.120s\n"
		            "(FWSEAL_UPDATE_GOLDEN=1 rewrites it after a deliberate change)\n",
		            name, line, want + i, text + i);
		free(want);
		free(path);
		free(text);
		fail();
	}
	free(want);
	free(path);
	free(text);
}
