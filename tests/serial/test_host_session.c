/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_host_session.c - the flashing session of libfwseal-host
 * (host-tool/lib/session.c, preflight.c, dfu_client.c, package.c) against
 * the REAL device stub core on the REAL simulated flash, in-process: a
 * loopback transport hands each request to fws_stub_handle the way the
 * serial layer does (STALL on a refusal, detail code after GETSTATUS) and
 * can pull the cable after N downloads. Nothing on the device side is faked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fwseal/le.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/session.h"
#include "test_stub_rig.h"
#include "testproc.h"

/* ---------------------------------------------------------------------- */
/* Loopback transport: the device is the rig of the current test.          */

static rig *g_rig;
static int g_pull_after;     /* pull the cable at this DNLOAD (0: never) */
static int g_dnloads;
static bool g_confirm = true; /* the application confirms itself after boot */
static uint32_t g_restart_ms = 2000; /* how long the session waits for the restart */
static bool g_req_status;    /* answer DNLOADs with their status (FWS_FRAME_REQ_STATUS) */
static int g_getstatus;      /* explicit GETSTATUS requests seen */
static void (*g_on_dnload)(int n); /* called at each DNLOAD with data (n: its count) */

typedef struct loop_link {
	fwh_link base;
	bool dead;
} loop_link;

static const fwh_transport_ops loop_ops;

static fws_err loop_open(const fwh_dev_id *id, const fwh_link_opts *opts, fwh_link **out,
                         fwh_error *err)
{
	(void)err;
	loop_link *l = calloc(1, sizeof *l);
	assert_non_null(l);
	l->base.ops = &loop_ops;
	l->base.id = *id;
	l->base.opts = *opts;
	*out = &l->base;
	return FWS_OK;
}

static void loop_close(fwh_link *l)
{
	free(l);
}

static void loop_describe(const fwh_link *l, char *buf, size_t cap)
{
	(void)l;
	snprintf(buf, cap, "loopback");
}

static size_t loop_max_transfer(const fwh_link *l)
{
	(void)l;
	return 4096;
}

static fws_err loop_request(fwh_link *base, fwh_request *req, fwh_error *err)
{
	loop_link *l = (loop_link *)base;
	if (l->dead)
		return fwh_error_set(err, FWS_E_DISCONNECTED, "cable pulled");
	if (req->request == FWS_DFU_DNLOAD && req->len && ++g_dnloads == g_pull_after) {
		l->dead = true; /* the request never reaches the device */
		return fwh_error_set(err, FWS_E_DISCONNECTED, "cable pulled");
	}
	if (req->request == FWS_DFU_DNLOAD && req->len && g_on_dnload)
		g_on_dnload(g_dnloads);
	static uint8_t ans[FWS_DEVINFO_MAX + 8];
	fws_stub_req q = { .request = req->request, .alt = FWS_ALT_PACKAGE, .value = req->value,
	                  .data = req->data, .len = req->len };
	size_t n = 0;
	size_t cap = req->answer_cap < sizeof ans ? req->answer_cap : sizeof ans;
	req->stalled = fws_stub_handle(&g_rig->stub, &q, ans, cap, &n) != FWS_OK;
	if (req->request == FWS_DFU_GETSTATUS)
		g_getstatus++;
	if (!req->stalled && req->request == FWS_DFU_DNLOAD && req->want_status && g_req_status) {
		/* what the serial layer does for FWS_FRAME_REQ_STATUS: the status
		 * of the same real stub, as if GETSTATUS followed */
		fws_stub_req g = { .request = FWS_DFU_GETSTATUS };
		assert_int_equal(fws_stub_handle(&g_rig->stub, &g, ans, cap, &n), FWS_OK);
		q.request = FWS_DFU_GETSTATUS;
	}
	if (!req->stalled && q.request == FWS_DFU_GETSTATUS && n + 2 <= cap) {
		/* the serial layer's detail code (docs/serial-protocol.md) */
		fws_put_le16(ans + n, (uint16_t)(int16_t)fws_stub_last_error(&g_rig->stub));
		n += 2;
	}
	req->answer_len = req->stalled ? 0 : n;
	if (req->answer_len)
		memcpy(req->answer, ans, n);
	if (fws_stub_reset_pending(&g_rig->stub))
		assert_int_equal(rig_power_on(g_rig, g_confirm), FWS_OK); /* reboot */
	return FWS_OK;
}

static fws_err loop_enumerate(fwh_found_cb found, fwh_unusable_cb unusable, void *user,
                                   fwh_error *err)
{
	(void)found, (void)unusable, (void)user, (void)err;
	return FWS_OK;
}

static const fwh_transport_ops loop_ops = {
	.name = "loopback",
	.kind = FWH_KIND_SERIAL,
	.enumerate = loop_enumerate,
	.open = loop_open,
	.close = loop_close,
	.describe = loop_describe,
	.max_transfer = loop_max_transfer,
	.request = loop_request,
};

/* ---------------------------------------------------------------------- */

static char g_dir[64];
static fws_trust g_host_trust; /* the host trusts key and revoked (unrevoked) */

static const char *write_pkg(const char *name, const test_key *k, const char *model,
                             const char *version, uint32_t counter, size_t image_len)
{
	static char path[160];
	uint8_t *img = test_image(image_len, counter * 7u + (uint32_t)image_len);
	test_pkg_opts o = { .model = model, .version = version, .security_counter = counter,
	                    .block_size = 1024, .with_suffix = 1, .keys = { k } };
	test_pkg p;
	test_pkg_build(&p, img, image_len, &o);
	snprintf(path, sizeof path, "%s/%s", g_dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p.data, 1, p.len, f), p.len);
	fclose(f);
	test_pkg_free(&p);
	free(img);
	return path;
}

static int setup(void **state)
{
	(void)state;
	assert_true(test_tmpdir(g_dir, sizeof g_dir, "hs"));
	g_rig = rig_new(1024 * 1024);
	assert_int_equal(rig_power_on(g_rig, true), FWS_OK);
	memset(&g_host_trust, 0, sizeof g_host_trust);
	fws_trust one;
	test_trust_one(&one, &g_rig->key, 0);
	g_host_trust.keys[0] = one.keys[0];
	test_trust_one(&one, &g_rig->revoked, 0);
	g_host_trust.keys[1] = one.keys[0];
	test_trust_one(&one, &g_rig->stranger, 0);
	g_host_trust.keys[2] = one.keys[0];
	g_host_trust.count = 3;
	g_pull_after = 0;
	g_dnloads = 0;
	g_confirm = true;
	g_restart_ms = 2000;
	g_req_status = false;
	g_getstatus = 0;
	g_on_dnload = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rig_free(g_rig);
	assert_int_equal(test_rmtree(g_dir), 0);
	return 0;
}

static fwh_link *open_loop(void)
{
	fwh_dev_id id = { .kind = FWH_KIND_SERIAL };
	fwh_link_opts o = { 0 };
	fwh_link *l;
	assert_int_equal(loop_open(&id, &o, &l, NULL), FWS_OK);
	return l;
}

typedef struct seen {
	int calls;
	enum fwh_phase last_phase;
	uint64_t last_done;
	bool monotonic;
	int cancel_at_done; /* set the cancel flag once done >= this (0: never) */
	atomic_int cancel;
} seen;

static void on_progress(void *user, const fwh_progress *p)
{
	seen *s = user;
	if (s->calls && (p->phase < s->last_phase || p->done < s->last_done))
		s->monotonic = false;
	s->calls++;
	s->last_phase = p->phase;
	s->last_done = p->done;
	if (s->cancel_at_done && p->phase == FWH_PHASE_DOWNLOAD &&
	    p->done >= (uint64_t)s->cancel_at_done)
		atomic_store(&s->cancel, 1);
}

static fws_err flash(const char *path, bool preflight, seen *s, fwh_flash_result *res,
                     fwh_error *err)
{
	fwh_package pkg;
	fws_err e = fwh_package_open(&pkg, path, &g_host_trust, err);
	if (e != FWS_OK)
		return e;
	fwh_link *l = open_loop();
	fws_devinfo d;
	e = fwh_dfu_info(l, &d, err);
	if (e == FWS_OK && preflight)
		e = fwh_preflight(&pkg, &d, err);
	if (e == FWS_OK) {
		fwh_flash_opts o = { .progress = on_progress, .user = s, .cancel = &s->cancel,
		                     .restart_timeout_ms = g_restart_ms };
		e = fwh_flash(&l, &pkg, &o, res, err);
	}
	fwh_close(l);
	fwh_package_close(&pkg);
	return e;
}

/* A fresh device takes v1, then v2; progress is monotonic and complete. */
static void test_flash_fresh_then_update(void **state)
{
	(void)state;
	fwh_error err;
	fwh_flash_result res;
	seen s = { .monotonic = true };
	assert_string_equal(rig_running(g_rig), "");
	const char *v1 = write_pkg("v1.fwseal", &g_rig->key, RIG_MODEL, "1.0.0", 1, 20000);
	assert_int_equal(flash(v1, true, &s, &res, &err), FWS_OK);
	assert_string_equal(res.after.fw_version, "1.0.0");
	assert_string_equal(rig_running(g_rig), "1.0.0");
	assert_true(res.confirmed);
	assert_false(res.resumed);
	assert_true(s.monotonic);
	assert_int_equal(s.last_phase, FWH_PHASE_DONE);

	assert_true(g_getstatus >= 6); /* one per 4 KiB chunk (~21 KiB) and more */

	/* the same with the status in the DNLOAD answer: no GETSTATUS per chunk */
	seen s2 = { .monotonic = true };
	const char *v2 = write_pkg("v2.fwseal", &g_rig->key, RIG_MODEL, "2.0.0", 2, 30000);
	g_req_status = true;
	g_getstatus = 0;
	assert_int_equal(flash(v2, true, &s2, &res, &err), FWS_OK);
	assert_true(g_getstatus <= 4); /* prepare, manifestation */
	assert_string_equal(rig_running(g_rig), "2.0.0");
	assert_int_equal(res.after.security_counter, 2);
	fwh_package pkg;
	assert_int_equal(fwh_package_open(&pkg, v2, &g_host_trust, &err), FWS_OK);
	assert_int_equal(s2.last_done, pkg.stream_len);
	assert_int_equal(res.sent, pkg.stream_len);
	fwh_package_close(&pkg);
}

/* Pre-flight refuses before a byte is sent, each with its own code. */
static void test_preflight_refusals(void **state)
{
	(void)state;
	rig_install(g_rig, "2.0.0", 2, 8000);
	struct {
		const char *name;
		const test_key *k;
		const char *model;
		uint32_t counter;
		fws_err want;
	} cases[] = {
		{ "down.fwseal", &g_rig->key, RIG_MODEL, 1, FWS_E_DOWNGRADE },
		{ "model.fwseal", &g_rig->key, "OTHER-MODEL", 3, FWS_E_MODEL },
		{ "stranger.fwseal", &g_rig->stranger, RIG_MODEL, 3, FWS_E_UNTRUSTED_KEY },
		{ "revoked.fwseal", &g_rig->revoked, RIG_MODEL, 3, FWS_E_REVOKED_KEY },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fwh_error err;
		fwh_flash_result res;
		seen s = { .monotonic = true };
		const char *p = write_pkg(cases[i].name, cases[i].k, cases[i].model, "3.0.0",
		                          cases[i].counter, 8000);
		g_dnloads = 0;
		assert_int_equal(flash(p, true, &s, &res, &err), cases[i].want);
		assert_int_equal(err.code, cases[i].want);
		assert_true(strlen(err.msg) > 20);
		assert_int_equal(g_dnloads, 0); /* nothing was sent */
		assert_int_equal(s.calls, 0);
		assert_string_equal(rig_running(g_rig), "2.0.0");
	}
}

/* Without the host's pre-flight the device itself refuses the downgrade: the
 * error carries the device's detail code, and the device is left in dfuIDLE
 * (CLRSTATUS) still running its firmware. */
static void test_device_refusal_reported(void **state)
{
	(void)state;
	rig_install(g_rig, "2.0.0", 2, 8000);
	fwh_error err;
	fwh_flash_result res;
	seen s = { .monotonic = true };
	const char *p = write_pkg("down.fwseal", &g_rig->key, RIG_MODEL, "1.5.0", 1, 8000);
	assert_int_equal(flash(p, false, &s, &res, &err), FWS_E_DOWNGRADE);
	assert_true(err.from_device);
	assert_int_equal(err.detail, FWS_E_DOWNGRADE);
	assert_false(res.interrupted);
	assert_non_null(strstr(err.msg, "downgrade"));
	uint8_t st;
	rig_status(g_rig, &st);
	assert_int_equal(st, FWS_DFU_IDLE);
	assert_string_equal(rig_running(g_rig), "2.0.0");
}

/* A delta package (fwseal/encoding.h) made from another build of the
 * version the device runs: the pre-flight compares the device's
 * IMAGE_SHA256 and refuses with the version it needs; without the
 * pre-flight the device refuses it before writing, and the session says the
 * same. Made from the image the device runs, it installs. */
static void test_delta_base(void **state)
{
	(void)state;
	size_t len = 12000, nlen;
	uint8_t *base = test_image_code(len, 61), *other = test_image_code(len, 62);
	uint8_t *img = test_image_fix(base, len, 63, &nlen);
	rig_install_image(g_rig, "1.0.0", 1, base, len);
	const char *paths[2] = { NULL, NULL };
	const uint8_t *bases[2] = { other, base };
	for (int i = 0; i < 2; i++) {
		test_pkg_opts o = { .model = RIG_MODEL, .version = "1.1.0", .security_counter = 2,
		                    .block_size = 1024, .with_suffix = 1, .keys = { &g_rig->key },
		                    .encoding = FWS_ENC_LZ4_DELTA, .base = bases[i], .base_len = len,
		                    .base_version = "1.0.0" };
		test_pkg p;
		test_pkg_build(&p, img, nlen, &o);
		static char path[2][160];
		snprintf(path[i], sizeof path[i], "%s/delta%d.fwseal", g_dir, i);
		FILE *f = fopen(path[i], "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(p.data, 1, p.len, f), p.len);
		fclose(f);
		test_pkg_free(&p);
		paths[i] = path[i];
	}
	fwh_error err;
	fwh_flash_result res;
	seen s = { .monotonic = true };
	g_dnloads = 0;
	assert_int_equal(flash(paths[0], true, &s, &res, &err), FWS_E_BASE);
	assert_int_equal(g_dnloads, 0);
	assert_non_null(strstr(err.msg, "This update needs version 1.0.0 on the device (it runs "
	                                "another build of 1.0.0); install the full package."));
	assert_int_equal(flash(paths[0], false, &s, &res, &err), FWS_E_BASE);
	assert_true(err.from_device);
	assert_int_equal(err.detail, FWS_E_BASE);
	assert_non_null(strstr(err.msg, "needs version 1.0.0 on the device"));
	assert_string_equal(rig_running(g_rig), "1.0.0");
	seen s2 = { .monotonic = true };
	assert_int_equal(flash(paths[1], true, &s2, &res, &err), FWS_OK);
	assert_string_equal(rig_running(g_rig), "1.1.0");
	free(base);
	free(other);
	free(img);
}

/* The cable is pulled mid-transfer: interrupted; after the device restarts
 * the same package resumes where the device stopped and completes. */
static void test_interrupt_then_resume(void **state)
{
	(void)state;
	fwh_error err;
	fwh_flash_result res;
	seen s = { .monotonic = true };
	const char *p = write_pkg("v1.fwseal", &g_rig->key, RIG_MODEL, "1.0.0", 1, 60000);
	g_pull_after = 8;
	assert_int_equal(flash(p, true, &s, &res, &err), FWS_E_DISCONNECTED);
	assert_true(res.interrupted);
	assert_non_null(strstr(err.msg, "interrupted"));
	g_pull_after = 0;
	assert_int_equal(rig_power_on(g_rig, true), FWS_OK); /* plugged back, restarted */

	fwh_package pkg;
	assert_int_equal(fwh_package_open(&pkg, p, &g_host_trust, &err), FWS_OK);
	fwh_link *l = open_loop();
	fws_devinfo d;
	assert_int_equal(fwh_dfu_info(l, &d, &err), FWS_OK);
	fwh_plan plan;
	fwh_plan_make(&pkg, &d, &plan);
	assert_true(plan.resume);
	assert_true(plan.resume_offset > pkg.prefix_len);
	fwh_close(l);

	seen s2 = { .monotonic = true };
	assert_int_equal(flash(p, true, &s2, &res, &err), FWS_OK);
	assert_true(res.resumed);
	assert_int_equal(res.resume_offset, plan.resume_offset);
	assert_int_equal(res.sent, pkg.stream_len - plan.resume_offset);
	assert_string_equal(rig_running(g_rig), "1.0.0");
	fwh_package_close(&pkg);
}

/* The cable is pulled at every DNLOAD in turn; after each pull the device
 * restarts and the next run completes, resuming (or, with no_resume,
 * starting over). */
static void test_pull_at_every_chunk(void **state)
{
	(void)state;
	for (int resume = 1; resume >= 0; resume--) {
		for (int k = 1;; k++) {
			const char *p = write_pkg("v1.fwseal", &g_rig->key, RIG_MODEL, "1.0.0", 1,
			                          20000);
			fwh_package pkg;
			fwh_error err;
			assert_int_equal(fwh_package_open(&pkg, p, &g_host_trust, &err), FWS_OK);
			uint64_t chunks = (pkg.stream_len + 4095) / 4096;
			fwh_package_close(&pkg);
			if ((uint64_t)k > chunks)
				break;
			fwh_flash_result res;
			seen s = { .monotonic = true };
			g_dnloads = 0;
			g_pull_after = k;
			assert_int_equal(flash(p, true, &s, &res, &err), FWS_E_DISCONNECTED);
			assert_true(res.interrupted);
			g_pull_after = 0;
			assert_int_equal(rig_power_on(g_rig, true), FWS_OK);
			assert_string_equal(rig_running(g_rig), "");

			assert_int_equal(fwh_package_open(&pkg, p, &g_host_trust, &err), FWS_OK);
			fwh_link *l = open_loop();
			fwh_flash_opts o = { .restart_timeout_ms = 2000, .no_resume = !resume };
			assert_int_equal(fwh_flash(&l, &pkg, &o, &res, &err), FWS_OK);
			/* a pull at the first chunk leaves nothing to resume */
			assert_int_equal(res.resumed, resume && k > 1);
			assert_int_equal(res.sent + res.resume_offset, pkg.stream_len);
			assert_string_equal(rig_running(g_rig), "1.0.0");
			fwh_close(l);
			fwh_package_close(&pkg);
			/* back to a fresh device for the next cut point */
			teardown(NULL);
			setup(NULL);
		}
	}
}

/* Cancel mid-transfer: FWS_E_CANCELLED, nothing installed, and the next run
 * resumes. */
static void test_cancel(void **state)
{
	(void)state;
	fwh_error err;
	fwh_flash_result res;
	seen s = { .monotonic = true, .cancel_at_done = 20000 };
	const char *p = write_pkg("v1.fwseal", &g_rig->key, RIG_MODEL, "1.0.0", 1, 60000);
	assert_int_equal(flash(p, true, &s, &res, &err), FWS_E_CANCELLED);
	assert_true(res.interrupted);
	assert_string_equal(rig_running(g_rig), "");
	seen s2 = { .monotonic = true };
	assert_int_equal(flash(p, true, &s2, &res, &err), FWS_OK);
	assert_true(res.resumed);
	assert_string_equal(rig_running(g_rig), "1.0.0");
}

/* A tampered package is refused on the host, before any device is touched. */
static void test_tampered_package(void **state)
{
	(void)state;
	fwh_error err;
	const char *p = write_pkg("t.fwseal", &g_rig->key, RIG_MODEL, "1.0.0", 1, 20000);
	FILE *f = fopen(p, "r+b");
	assert_non_null(f);
	fseek(f, 12000, SEEK_SET);
	int c = fgetc(f);
	fseek(f, 12000, SEEK_SET);
	fputc(c ^ 0x40, f);
	fclose(f);
	fwh_package pkg;
	assert_int_equal(fwh_package_open(&pkg, p, &g_host_trust, &err), FWS_E_BLOCK_DIGEST);
	assert_non_null(strstr(err.msg, "block"));
	/* a trust store without the signer: untrusted */
	fws_trust other;
	test_trust_one(&other, &g_rig->stranger, 0);
	p = write_pkg("u.fwseal", &g_rig->key, RIG_MODEL, "1.0.0", 1, 20000);
	fws_err e = fwh_package_open(&pkg, p, &other, &err);
	assert_true(e == FWS_E_UNTRUSTED_KEY || e == FWS_E_SIGNATURE);
}

/* Unit 2 of a package breaks the unit rules, correctly chained and signed
 * (a faulty encoder): its reference lies past the end of any source. */
static void bad_reference(uint32_t k, uint8_t *unit, size_t len, void *ctx)
{
	(void)len;
	(void)ctx;
	if (k == 2u)
		fws_put_le32(unit + 4, 0xFFFFFFF0u);
}

/* The host decodes (compressed) or checks the structure of (delta without
 * its base) every unit as it verifies the package: such a package is
 * refused as bad-encoding before the device is even asked. */
static void test_undecodable_unit(void **state)
{
	(void)state;
	size_t len = 12000, nlen;
	uint8_t *base = test_image_code(len, 64);
	uint8_t *img = test_image_fix(base, len, 65, &nlen);
	rig_install_image(g_rig, "1.0.0", 1, base, len);
	for (int enc = FWS_ENC_LZ4; enc <= FWS_ENC_LZ4_DELTA; enc++) {
		test_pkg_opts o = { .model = RIG_MODEL, .version = "1.1.0", .security_counter = 2,
		                    .block_size = 1024, .with_suffix = 1, .keys = { &g_rig->key },
		                    .encoding = (uint8_t)enc,
		                    .base = enc == FWS_ENC_LZ4_DELTA ? base : NULL,
		                    .base_len = enc == FWS_ENC_LZ4_DELTA ? len : 0,
		                    .base_version = "1.0.0", .unit_edit = bad_reference };
		test_pkg p;
		test_pkg_build(&p, img, nlen, &o);
		char path[160];
		snprintf(path, sizeof path, "%s/bad-unit%d.fwseal", g_dir, enc);
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(p.data, 1, p.len, f), p.len);
		fclose(f);
		test_pkg_free(&p);
		fwh_error err;
		fwh_flash_result res;
		seen s = { .monotonic = true };
		g_dnloads = 0;
		assert_int_equal(flash(path, true, &s, &res, &err), FWS_E_ENCODING);
		assert_int_equal(g_dnloads, 0);
		assert_false(err.from_device);
		assert_non_null(strstr(err.msg, "does not decode"));
	}
	assert_string_equal(rig_running(g_rig), "1.0.0");
	free(base);
	free(img);
}

/* The new firmware runs but does not confirm itself in time: success is not
 * claimed as confirmed. */
static void test_unconfirmed(void **state)
{
	(void)state;
	fwh_error err;
	fwh_flash_result res;
	seen s = { .monotonic = true };
	g_confirm = false;
	g_restart_ms = 400;
	const char *p = write_pkg("v1.fwseal", &g_rig->key, RIG_MODEL, "1.0.0", 1, 8000);
	assert_int_equal(flash(p, true, &s, &res, &err), FWS_OK);
	assert_false(res.confirmed);
	assert_string_equal(res.after.fw_version, "1.0.0");
}

/* ---------------------------------------------------------------------- */
/* Send what was verified (issue 16, item 1): the file is rewritten in      */
/* place (same inode, so the session's open file sees it) between the check */
/* and the send, or during the send.                                        */

static void read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	*data = malloc(*len);
	assert_non_null(*data);
	assert_int_equal(fread(*data, 1, *len, f), *len);
	fclose(f);
}

/* Overwrite len bytes at off of path in place (no new file, no truncation). */
static void rewrite_in_place(const char *path, size_t off, const uint8_t *p, size_t len)
{
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, (long)off, SEEK_SET), 0);
	assert_int_equal(fwrite(p, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void flip_in_place(const char *path, size_t off)
{
	uint8_t *d;
	size_t n;
	read_file(path, &d, &n);
	assert_true(off < n);
	d[off] ^= 0x5A;
	rewrite_in_place(path, off, d + off, 1);
	free(d);
}

/* The device runs old and has installed nothing else. */
static void still_runs(const char *old)
{
	assert_int_equal(rig_power_on(g_rig, true), FWS_OK);
	assert_string_equal(rig_running(g_rig), old);
	assert_int_equal(g_rig->dev.flash.violations, 0);
}

/* Another valid package of the same size is written over the checked one:
 * not a byte of it is sent, the session stops with a sentence naming the
 * file, and the device keeps its firmware. */
static void test_rewritten_between_check_and_send(void **state)
{
	(void)state;
	rig_install(g_rig, "1.0.0", 1, 8000);
	char a[160];
	snprintf(a, sizeof a, "%s", write_pkg("a.fwseal", &g_rig->key, RIG_MODEL, "2.0.0", 2, 30000));
	const char *b = write_pkg("b.fwseal", &g_rig->key, RIG_MODEL, "3.0.0", 3, 30000);
	uint8_t *bd, *ad;
	size_t bn, an;
	read_file(b, &bd, &bn);
	read_file(a, &ad, &an);
	assert_int_equal(an, bn);

	fwh_package pkg;
	fwh_error err;
	assert_int_equal(fwh_package_open(&pkg, a, &g_host_trust, &err), FWS_OK); /* the check */
	rewrite_in_place(a, 0, bd, bn);                                              /* the swap */
	fwh_link *l = open_loop();
	fwh_flash_opts o = { .restart_timeout_ms = 2000 };
	fwh_flash_result res;
	g_dnloads = 0;
	assert_int_equal(fwh_flash(&l, &pkg, &o, &res, &err), FWS_E_BLOCK_DIGEST);
	assert_non_null(strstr(err.msg, a));
	assert_non_null(strstr(err.msg, "changed since it was checked"));
	assert_int_equal(g_dnloads, 0); /* nothing of the new file went out */
	assert_false(res.interrupted);
	fwh_close(l);
	fwh_package_close(&pkg);
	still_runs("1.0.0");
	/* the same file checked again is the other package, and installs */
	fwh_flash_result res2;
	seen s = { .monotonic = true };
	assert_int_equal(flash(a, true, &s, &res2, &err), FWS_OK);
	assert_string_equal(rig_running(g_rig), "3.0.0");
	uint8_t d[FWS_SHA256_LEN];
	assert_int_equal(fws_sha256(bd, bn, d), FWS_OK);
	assert_memory_equal(res2.package_sha256, d, FWS_SHA256_LEN); /* what was sent */
	free(bd);
	free(ad);
}

/* One byte of a late block changes after the check: the blocks before it
 * were sent (they were the checked ones), the changed one is not, the
 * device keeps its firmware, and once the file is put back the next run
 * resumes and completes. */
static void test_block_changed_after_check(void **state)
{
	(void)state;
	const char *p = write_pkg("v1.fwseal", &g_rig->key, RIG_MODEL, "1.0.0", 1, 60000);
	uint8_t *orig;
	size_t n;
	read_file(p, &orig, &n);
	fwh_package pkg;
	fwh_error err;
	assert_int_equal(fwh_package_open(&pkg, p, &g_host_trust, &err), FWS_OK);
	size_t at = 45000;
	char which[32]; /* the unit (block + next digest) holding byte at */
	snprintf(which, sizeof which, "block %zu ", (at - pkg.prefix_len) / (1024u + 32u));
	flip_in_place(p, at);
	fwh_link *l = open_loop();
	fwh_flash_opts o = { .restart_timeout_ms = 2000 };
	fwh_flash_result res;
	assert_int_equal(fwh_flash(&l, &pkg, &o, &res, &err), FWS_E_BLOCK_DIGEST);
	assert_non_null(strstr(err.msg, "changed since it was checked"));
	assert_non_null(strstr(err.msg, which));
	assert_true(res.sent > 0 && res.sent < at);
	fwh_close(l);
	fwh_package_close(&pkg);
	still_runs("");
	rewrite_in_place(p, at, orig + at, 1);
	fwh_flash_result res2;
	seen s = { .monotonic = true };
	assert_int_equal(flash(p, true, &s, &res2, &err), FWS_OK);
	assert_true(res2.resumed);
	assert_string_equal(rig_running(g_rig), "1.0.0");
	uint8_t d[FWS_SHA256_LEN];
	assert_int_equal(fws_sha256(orig, n, d), FWS_OK);
	assert_memory_equal(res2.package_sha256, d, FWS_SHA256_LEN);
	free(orig);
}

/* The file is cut short after the check. */
static void test_truncated_after_check(void **state)
{
	(void)state;
	const char *p = write_pkg("v1.fwseal", &g_rig->key, RIG_MODEL, "1.0.0", 1, 30000);
	fwh_package pkg;
	fwh_error err;
	assert_int_equal(fwh_package_open(&pkg, p, &g_host_trust, &err), FWS_OK);
	assert_int_equal(truncate(p, 20000), 0);
	fwh_link *l = open_loop();
	fwh_flash_opts o = { .restart_timeout_ms = 2000 };
	fwh_flash_result res;
	assert_int_equal(fwh_flash(&l, &pkg, &o, &res, &err), FWS_E_TRUNCATED);
	assert_non_null(strstr(err.msg, "changed since it was checked"));
	assert_false(res.interrupted);
	fwh_close(l);
	fwh_package_close(&pkg);
	still_runs("");
}

/* The file changes while it is being sent (flash and watch keep a checked
 * package for hours): the session stops at the changed block. */
static const char *g_change_path;
static bool g_changed;

static void change_at_fifth_dnload(int n)
{
	if (n == 5 && !g_changed) {
		flip_in_place(g_change_path, 50000); /* well after 5 x 4 KiB */
		g_changed = true;
	}
}

static void test_changed_during_send(void **state)
{
	(void)state;
	g_change_path = write_pkg("v1.fwseal", &g_rig->key, RIG_MODEL, "1.0.0", 1, 60000);
	g_changed = false;
	fwh_package pkg;
	fwh_error err;
	assert_int_equal(fwh_package_open(&pkg, g_change_path, &g_host_trust, &err), FWS_OK);
	fwh_link *l = open_loop();
	fwh_flash_opts o = { .restart_timeout_ms = 2000 };
	fwh_flash_result res;
	g_dnloads = 0;
	g_on_dnload = change_at_fifth_dnload;
	assert_int_equal(fwh_flash(&l, &pkg, &o, &res, &err), FWS_E_BLOCK_DIGEST);
	assert_true(g_changed);
	/* the host stopped (the device would have refused the block too, but
	 * it is never sent) */
	assert_false(err.from_device);
	assert_non_null(strstr(err.msg, "changed since it was checked"));
	assert_true(res.sent >= 5u * 4096u && res.sent < 50000);
	assert_false(res.sent_all);
	fwh_close(l);
	fwh_package_close(&pkg);
	still_runs("");
}

/* Resuming checks the bytes before the resume point too (they are not
 * sent again, but the digest the record names covers them). */
static void test_resume_checks_what_came_before(void **state)
{
	(void)state;
	const char *p = write_pkg("v1.fwseal", &g_rig->key, RIG_MODEL, "1.0.0", 1, 60000);
	fwh_error err;
	fwh_flash_result res;
	seen s = { .monotonic = true };
	g_pull_after = 10;
	assert_int_equal(flash(p, true, &s, &res, &err), FWS_E_DISCONNECTED);
	g_pull_after = 0;
	assert_int_equal(rig_power_on(g_rig, true), FWS_OK);
	fwh_package pkg;
	assert_int_equal(fwh_package_open(&pkg, p, &g_host_trust, &err), FWS_OK);
	flip_in_place(p, 5000); /* a block the device already has */
	fwh_link *l = open_loop();
	fwh_flash_opts o = { .restart_timeout_ms = 2000 };
	g_dnloads = 0;
	assert_int_equal(fwh_flash(&l, &pkg, &o, &res, &err), FWS_E_BLOCK_DIGEST);
	assert_int_equal(g_dnloads, 0);
	fwh_close(l);
	fwh_package_close(&pkg);
	still_runs("");
}

/* After many aborted starts the device asks a new download to wait
 * (flash wear, FWS_E_BUSY with bwPollTimeout): the session waits as long as
 * the device says and then installs; nothing is sent before. */
static void test_waits_for_flash_wear_backoff(void **state)
{
	(void)state;
	rig_install(g_rig, "1.0.0", 1, 8000);
	test_pkg a, b;
	uint8_t *ia = test_image(8000, 71), *ib = test_image(8000, 72);
	rig_pkg(&a, &g_rig->key, "2.0.0", 2, ia, 8000, 1024);
	rig_pkg(&b, &g_rig->key, "2.1.0", 2, ib, 8000, 1024);
	/* a hostile host starts two packages by turns until the device waits */
	for (int i = 0; i < 9; i++) {
		uint8_t st;
		(void)rig_send(g_rig, (i & 1 ? &b : &a)->data, 0, a.prefix_len, 1000);
		(void)rig_status(g_rig, &st);
		assert_int_equal(rig_req(g_rig, st == FWS_DFU_ERROR ? FWS_DFU_CLRSTATUS : FWS_DFU_ABORT,
		                         0, NULL, 0, NULL, 0, NULL), FWS_OK);
	}
	assert_true(g_rig->stub.j.dl_starts >= 8);
	const char *p = write_pkg("v3.fwseal", &g_rig->key, RIG_MODEL, "3.0.0", 3, 8000);
	fwh_error err;
	fwh_flash_result res;
	seen s = { .monotonic = true };
	uint64_t t0 = (uint64_t)time(NULL);
	assert_int_equal(flash(p, true, &s, &res, &err), FWS_OK);
	assert_true((uint64_t)time(NULL) - t0 >= 1); /* it waited (1 s is the first step) */
	assert_string_equal(rig_running(g_rig), "3.0.0");
	assert_int_equal(g_rig->stub.j.dl_starts, 0);
	test_pkg_free(&a);
	test_pkg_free(&b);
	free(ia);
	free(ib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_waits_for_flash_wear_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewritten_between_check_and_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_changed_after_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_after_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_during_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_checks_what_came_before, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flash_fresh_then_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preflight_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_refusal_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delta_base, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_then_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pull_at_every_chunk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_package, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undecodable_unit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unconfirmed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
