/* SPDX-License-Identifier: Apache-2.0 */
/* usb_fixture.c - see usb_fixture.h. */
#include "usb_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "fwseal/devinfo.h"
#include "fwseal/encoding.h"
#include "fwseal/pkg.h"
#include "fwseal/trust.h"
#include "testkey.h"
#include "testpkg.h"

static void put_file(const char *path, const uint8_t *data, size_t len)
{
	if (!g_file_set_contents(path, (const gchar *)data, (gssize)len, NULL)) {
		fprintf(stderr, "usb_fixture: cannot write %s\n", path);
		abort();
	}
}

/* An encoded package's options: none (plain), lz4, or a delta from base. */
struct enc_opt {
	uint8_t encoding;
	const uint8_t *base;
	size_t base_len;
	const char *base_version;
};

static void make_pkg_enc(const char *path, const uint8_t *img, size_t len, const char *version,
                         uint32_t counter, const char *model, const test_key *k, long flip,
                         const struct enc_opt *enc)
{
	test_pkg p;
	test_pkg_opts o = { .model = model, .version = version, .security_counter = counter,
	                    .with_suffix = 1, .keys = { k } };

	if (enc != NULL) {
		o.encoding = enc->encoding;
		o.base = enc->base;
		o.base_len = enc->base_len;
		o.base_version = enc->base_version;
	}
	test_pkg_build(&p, img, len, &o);
	if (flip >= 0) {
		p.data[p.prefix_len + (size_t)flip] ^= 0x01;
		/* A tamperer keeps the file's DFU suffix consistent (DFU 1.1
		 * appendix B): its CRC is over the file as it is now, so
		 * third-party hosts send it without a warning and the refusal
		 * that follows is the stub's own. */
		uint8_t *suf = p.data + p.len - FWS_PKG_SUFFIX_LEN;
		fws_dfu_suffix s;
		if (fws_dfu_suffix_parse(suf, &s) != FWS_OK) {
			fprintf(stderr, "usb_fixture: the package has no DFU suffix\n");
			abort();
		}
		s.crc = fws_dfu_crc_update(0xffffffffu, p.data, p.len - 4u);
		fws_dfu_suffix_encode(&s, suf);
	}
	put_file(path, p.data, p.len);
	test_pkg_free(&p);
}

/* A security key update to `version` (root k, release keys k and k2: the
 * fixture's images keep verifying), signed by signer, with a DFU suffix. */
static void make_trust_update(const char *path, uint32_t version, const test_key *k,
                              const test_key *k2, const test_key *signer)
{
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	const test_key *keys[] = { k, k2 };
	const uint8_t flags[] = { FWS_TRUST_ROOT | FWS_TRUST_RELEASE, FWS_TRUST_RELEASE };
	size_t n = test_trust_v2(blob, NULL, version, 1, keys, flags, 2);
	test_pkg_opts o = { .model = "*", .version = "trust", .security_counter = version,
	                    .block_size = 1024, .hw_rev_min = 0, .hw_rev_max = 0xffff,
	                    .component = "trust", .with_suffix = 1, .keys = { signer },
	                    .kind = FWS_KIND_TRUST };
	test_pkg p;

	test_pkg_build(&p, blob, n, &o);
	put_file(path, p.data, p.len);
	test_pkg_free(&p);
}

static void make_pkg(const char *path, const uint8_t *img, size_t len, const char *version,
                     uint32_t counter, const char *model, const test_key *k, long flip)
{
	make_pkg_enc(path, img, len, version, counter, model, k, flip, NULL);
}

bool usb_fix_setup(struct usb_fix *f)
{
	test_key k;
	fws_trust t;
	uint8_t blob[4096];

	memset(f, 0, sizeof *f);
	f->sim = getenv("FWSEAL_SIM");
	if (!f->sim) {
		fprintf(stderr, "usb_fixture: FWSEAL_SIM is not set (run through meson test)\n");
		return false;
	}
	gchar *dir = g_dir_make_tmp("fwseal-usb-XXXXXX", NULL);
	g_strlcpy(f->dir, dir, sizeof f->dir);
	g_free(dir);
	snprintf(f->trust, sizeof f->trust, "%s/trust.fwst", f->dir);
	snprintf(f->v1, sizeof f->v1, "%s/v1.fwseal", f->dir);
	snprintf(f->v2, sizeof f->v2, "%s/v2.fwseal", f->dir);
	snprintf(f->tampered, sizeof f->tampered, "%s/tampered.fwseal", f->dir);
	snprintf(f->wrong_model, sizeof f->wrong_model, "%s/wrong-model.fwseal", f->dir);
	snprintf(f->v2_image, sizeof f->v2_image, "%s/v2.bin", f->dir);
	snprintf(f->trust_v2, sizeof f->trust_v2, "%s/trust-v2.fwseal", f->dir);
	snprintf(f->trust_v3, sizeof f->trust_v3, "%s/trust-v3.fwseal", f->dir);
	snprintf(f->trust_bad, sizeof f->trust_bad, "%s/trust-bad.fwseal", f->dir);
	snprintf(f->v3_delta, sizeof f->v3_delta, "%s/v3-delta.fwseal", f->dir);
	snprintf(f->v3_delta_tampered, sizeof f->v3_delta_tampered, "%s/v3-delta-tampered.fwseal",
	         f->dir);
	snprintf(f->v3_delta_v1, sizeof f->v3_delta_v1, "%s/v3-delta-v1.fwseal", f->dir);
	snprintf(f->v4_lz4, sizeof f->v4_lz4, "%s/v4-lz4.fwseal", f->dir);

	test_key_generate(&k, 4242);
	test_trust_one(&t, &k, 0);
	size_t n = fws_trust_encode(&t, blob, sizeof blob);
	put_file(f->trust, blob, n);

	uint8_t *i1 = test_image(20000, 1), *i2 = test_image(30000, 2), *i3 = test_image(25000, 3);
	make_pkg(f->v1, i1, 20000, "1.0.0", 1, USB_FIX_MODEL, &k, -1);
	make_pkg(f->v2, i2, 30000, "2.0.0", 2, USB_FIX_MODEL, &k, -1);
	put_file(f->v2_image, i2, 30000);
	/* a byte in block 3: the prefix and the first blocks are fine, so the
	 * device must catch it at that block, before writing it */
	make_pkg(f->tampered, i3, 25000, "3.0.0", 3, USB_FIX_MODEL, &k, 3 * (1024 + 32) + 100);
	make_pkg(f->wrong_model, i3, 25000, "3.0.0", 3, "OTHER-1", &k, -1);

	/* v3 as a small fix of v2, and v4 compressed */
	size_t n3;
	uint8_t *d3 = test_image_fix(i2, 30000, 7, &n3), *i4 = test_image_code(40000, 4);
	struct enc_opt from_v2 = { FWS_ENC_LZ4_DELTA, i2, 30000, "2.0.0" };
	struct enc_opt from_v1 = { FWS_ENC_LZ4_DELTA, i1, 20000, "1.0.0" };
	struct enc_opt lz4 = { FWS_ENC_LZ4, NULL, 0, NULL };
	make_pkg_enc(f->v3_delta, d3, n3, "3.0.0", 3, USB_FIX_MODEL, &k, -1, &from_v2);
	make_pkg_enc(f->v3_delta_v1, d3, n3, "3.0.0", 3, USB_FIX_MODEL, &k, -1, &from_v1);
	/* unit 0 is at the prefix; unit 1 at least 12 + 1 + 32 bytes on: a
	 * byte 100 bytes in lies in unit 1 or 2, after a unit the device wrote */
	make_pkg_enc(f->v3_delta_tampered, d3, n3, "3.0.0", 3, USB_FIX_MODEL, &k, 100, &from_v2);
	make_pkg_enc(f->v4_lz4, i4, 40000, "4.0.0", 4, USB_FIX_MODEL, &k, -1, &lz4);
	free(d3);
	free(i4);
	free(i1);
	free(i2);
	free(i3);
	{
		test_key k2, nobody;

		test_key_generate(&k2, 4646);
		test_key_generate(&nobody, 4747);
		make_trust_update(f->trust_v2, 2, &k, &k2, &k);
		make_trust_update(f->trust_v3, 3, &k, &k2, &k);
		make_trust_update(f->trust_bad, 4, &k, &k2, &nobody);
		test_key_free(&k2);
		test_key_free(&nobody);
	}
	test_key_free(&k);
	usb_fix_fresh_device(f);
	return true;
}

void usb_fix_fresh_device(struct usb_fix *f)
{
	snprintf(f->state, sizeof f->state, "%s/device%u", f->dir, f->state_gen++);
}

void usb_fix_teardown(struct usb_fix *f)
{
	gchar *argv[] = { g_strdup("rm"), g_strdup("-rf"), g_strdup(f->dir), NULL };
	g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
	for (size_t i = 0; argv[i]; i++)
		g_free(argv[i]);
}

int usb_fix_run(const struct usb_fix *f, const char *const *usb_opts, const char *const *argv,
                char **out)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	gint status = 0;
	GError *err = NULL;

	const char *head[] = { f->sim, "--state", f->state, "--trust", f->trust, "--model",
	                       USB_FIX_MODEL, "--serial-number", USB_FIX_SERIAL, "--vendor-id",
	                       "0x1209", "--class-id", "0xf5ea", "--usb" };
	for (size_t i = 0; i < G_N_ELEMENTS(head); i++)
		g_ptr_array_add(a, g_strdup(head[i]));
	for (; usb_opts && *usb_opts; usb_opts++)
		g_ptr_array_add(a, g_strdup(*usb_opts));
	g_ptr_array_add(a, g_strdup("--"));
	for (; *argv; argv++)
		g_ptr_array_add(a, g_strdup(*argv));
	g_ptr_array_add(a, NULL);
	if (out)
		*out = NULL;
	if (!g_spawn_sync(NULL, (gchar **)a->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, NULL,
	                  &status, &err)) {
		fprintf(stderr, "usb_fixture: cannot run %s: %s\n", f->sim, err->message);
		g_error_free(err);
		g_ptr_array_free(a, TRUE);
		return -1;
	}
	g_ptr_array_free(a, TRUE);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int usb_fix_run_serial(const struct usb_fix *f, const char *const *argv, char **out)
{
	const char *sim_argv[] = { f->sim, "--state", f->state, "--trust", f->trust, "--model",
	                           USB_FIX_MODEL, "--serial-number", USB_FIX_SERIAL, "--vendor-id",
	                           "0x1209", "--class-id", "0xf5ea", NULL };
	GPid pid;
	gint sim_out = -1, status = 0;
	GError *err = NULL;
	char line[256] = "";
	size_t n = 0;

	if (out)
		*out = NULL;
	if (!g_spawn_async_with_pipes(NULL, (gchar **)(void *)sim_argv, NULL,
	                              G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, NULL, &sim_out,
	                              NULL, &err)) {
		fprintf(stderr, "usb_fixture: cannot run %s: %s\n", f->sim, err->message);
		g_error_free(err);
		return -1;
	}
	/* the simulator prints one line "serial:/dev/pts/N" when it is ready */
	while (n + 1 < sizeof line && read(sim_out, line + n, 1) == 1 && line[n] != '\n')
		n++;
	line[n] = '\0';
	close(sim_out);

	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	for (; *argv; argv++)
		g_ptr_array_add(a, g_strdup(strcmp(*argv, USB_FIX_DEVICE) == 0 ? line : *argv));
	g_ptr_array_add(a, NULL);
	int rc = -1;
	if (strncmp(line, "serial:", 7) != 0)
		fprintf(stderr, "usb_fixture: the simulator did not start (%s)\n", line);
	else if (g_spawn_sync(NULL, (gchar **)a->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out,
	                      NULL, &status, NULL))
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	g_ptr_array_free(a, TRUE);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	g_spawn_close_pid(pid);
	return rc;
}

static bool read_info(const struct usb_fix *f, fws_devinfo *info)
{
	char path[USB_FIX_PATH_MAX + 16];
	gchar *rec = NULL;
	gsize len = 0;

	snprintf(path, sizeof path, "%s/info.bin", f->dir);
	g_unlink(path);
	const char *argv[] = { "dfu-util", "-d", USB_FIX_VIDPID, "-a", "1", "-U", path, NULL };
	if (usb_fix_run(f, NULL, argv, NULL) != 0 || !g_file_get_contents(path, &rec, &len, NULL))
		return false;
	bool ok = fws_devinfo_decode((const uint8_t *)rec, len, info) == FWS_OK;
	g_free(rec);
	return ok;
}

bool usb_fix_trust_version(const struct usb_fix *f, unsigned *version)
{
	static fws_devinfo info;

	if (!read_info(f, &info))
		return false;
	*version = info.has_trust_state ? info.trust_version : 0u;
	return true;
}

bool usb_fix_running_version(const struct usb_fix *f, char *out, size_t cap)
{
	static fws_devinfo info;
	bool ok = read_info(f, &info);

	if (ok)
		g_strlcpy(out, info.fw_version, cap);
	return ok;
}
