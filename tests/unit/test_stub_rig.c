/* SPDX-License-Identifier: Apache-2.0 */
/* test_stub_rig.c - see test_stub_rig.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_stub_rig.h"

static void die(const char *what)
{
	fprintf(stderr, "rig: %s\n", what);
	abort();
}

rig *rig_new(uint32_t flash_size)
{
	return rig_new_geom(flash_size, FWS_SIM_SECTOR);
}

rig *rig_new_geom(uint32_t flash_size, uint32_t sector_size)
{
	rig *r = calloc(1, sizeof *r);

	if (r == NULL)
		die("out of memory");
	snprintf(r->dir, sizeof r->dir, "/tmp/fwseal-stub-XXXXXX");
	if (mkdtemp(r->dir) == NULL)
		die("mkdtemp");
	snprintf(r->path, sizeof r->path, "%s/flash.bin", r->dir);
	if (fws_simflash_open(&r->dev.flash, r->path, flash_size, sector_size, FWS_SIM_WRITE) != FWS_OK)
		die("simflash_open");
	/* The file only backs the mapping; remove it now so no test leaves
	 * anything behind, whatever happens. */
	unlink(r->path);
	rmdir(r->dir);
	r->dev.fd = -1;
	fws_posix_hal_init(&r->dev);
	test_key_generate(&r->key, 1);
	test_key_generate(&r->stranger, 2);
	test_key_generate(&r->revoked, 3);
	{
		fws_trust t;

		memset(&t, 0, sizeof t);
		memcpy(t.keys[0].id, r->key.id, FWS_KEY_ID_LEN);
		memcpy(t.keys[0].pub, r->key.pub, FWS_P256_PUB_LEN);
		memcpy(t.keys[1].id, r->revoked.id, FWS_KEY_ID_LEN);
		memcpy(t.keys[1].pub, r->revoked.pub, FWS_P256_PUB_LEN);
		t.keys[1].flags = FWS_TRUST_REVOKED;
		t.count = 2;
		if (fws_posix_set_trust(&r->dev, &t) != FWS_OK)
			die("trust store");
	}
	return r;
}

void rig_free(rig *r)
{
	if (r == NULL)
		return;
	fws_simflash_close(&r->dev.flash);
	test_key_free(&r->key);
	test_key_free(&r->stranger);
	test_key_free(&r->revoked);
	free(r);
}

fws_err rig_power_on(rig *r, bool confirm)
{
	fws_err e;

	memset(&r->cfg, 0, sizeof r->cfg);
	r->cfg.hal = &r->dev.hal;
	r->cfg.id.model = RIG_MODEL;
	r->cfg.id.hw_rev = 1;
	r->cfg.id.serial = "RIG-0001";
	r->cfg.id.component = "app";
	r->cfg.buf = r->buf;
	r->cfg.buf_cap = sizeof r->buf;
	r->cfg.xfer_size = r->xfer_size ? r->xfer_size : 4096;
	r->cfg.dl_flags = r->dl_flags;
	r->cfg.defects = r->defects;
	e = fws_stub_init(&r->stub, &r->cfg);
	if (e != FWS_OK)
		return e;
	e = fws_stub_boot(&r->stub, &r->boot);
	if (e != FWS_OK)
		return e;
	if (confirm && r->boot.action == FWS_BOOT_RUN)
		e = fws_stub_confirm(&r->stub);
	return e;
}

fws_err rig_req(rig *r, uint8_t request, uint8_t alt, const void *data, size_t len,
                uint8_t *resp, size_t cap, size_t *rlen)
{
	fws_stub_req q = { .request = request, .alt = alt, .data = data, .len = len };
	uint8_t scratch[FWS_DEVINFO_MAX];
	size_t n = 0;

	if (resp == NULL) {
		resp = scratch;
		cap = sizeof scratch;
	}
	fws_err e = fws_stub_handle(&r->stub, &q, resp, cap, &n);
	if (rlen != NULL)
		*rlen = n;
	return e;
}

uint8_t rig_status(rig *r, uint8_t *state)
{
	uint8_t st[FWS_DFU_STATUS_LEN];
	size_t n = 0;

	if (rig_req(r, FWS_DFU_GETSTATUS, 0, NULL, 0, st, sizeof st, &n) != FWS_OK ||
	    n != FWS_DFU_STATUS_LEN)
		die("GETSTATUS failed");
	if (state != NULL)
		*state = st[4];
	return st[0];
}

fws_err rig_send(rig *r, const uint8_t *pkg, size_t from, size_t to, size_t chunk)
{
	for (size_t at = from; at < to;) {
		size_t n = to - at < chunk ? to - at : chunk;
		fws_err e = rig_req(r, FWS_DFU_DNLOAD, FWS_ALT_PACKAGE, pkg + at, n, NULL, 0, NULL);

		if (e != FWS_OK)
			return e;
		if (rig_status(r, NULL) != FWS_DFU_OK)
			return fws_stub_last_error(&r->stub);
		at += n;
	}
	return FWS_OK;
}

fws_err rig_finish(rig *r)
{
	uint8_t state = 0;
	fws_err e = rig_req(r, FWS_DFU_DNLOAD, FWS_ALT_PACKAGE, NULL, 0, NULL, 0, NULL);

	if (e != FWS_OK)
		return e;
	for (int i = 0; i < 4; i++) {
		if (rig_status(r, &state) != FWS_DFU_OK)
			return fws_stub_last_error(&r->stub);
		if (state == FWS_DFU_IDLE)
			return FWS_OK;
	}
	return FWS_E_STATE;
}

fws_err rig_download(rig *r, const uint8_t *pkg, size_t len, size_t chunk)
{
	fws_err e = rig_send(r, pkg, 0, len, chunk);

	return e != FWS_OK ? e : rig_finish(r);
}

void rig_pkg(test_pkg *p, const test_key *k, const char *version, uint32_t counter,
             const uint8_t *image, size_t len, uint32_t block_size)
{
	rig_pkg_enc(p, k, version, counter, image, len, block_size, 0, NULL, 0, NULL);
}

void rig_pkg_enc(test_pkg *p, const test_key *k, const char *version, uint32_t counter,
                 const uint8_t *image, size_t len, uint32_t block_size, uint8_t encoding,
                 const uint8_t *base, size_t base_len, const char *base_version)
{
	test_pkg_opts o;

	memset(&o, 0, sizeof o);
	o.model = RIG_MODEL;
	o.version = version;
	o.security_counter = counter;
	o.counter_zero = counter == 0u;
	o.block_size = block_size;
	o.keys[0] = k;
	o.encoding = encoding;
	o.base = base;
	o.base_len = base_len;
	o.base_version = base_version;
	test_pkg_build(p, image, len, &o);
}

const char *rig_running(const rig *r)
{
	return r->stub.running == FWS_SLOT_NONE ? "" : r->stub.slot[r->stub.running].version;
}

void rig_install_image(rig *r, const char *version, uint32_t counter, const uint8_t *img,
                       size_t len)
{
	test_pkg p;

	rig_pkg(&p, &r->key, version, counter, img, len, 1024);
	if (rig_download(r, p.data, p.len, 4096) != FWS_OK)
		die("install: download failed");
	if (rig_power_on(r, true) != FWS_OK || strcmp(rig_running(r), version) != 0)
		die("install: new version does not run");
	test_pkg_free(&p);
}

void rig_install(rig *r, const char *version, uint32_t counter, size_t image_len)
{
	uint8_t *img = test_image(image_len, counter * 7u + 1u);

	rig_install_image(r, version, counter, img, image_len);
	free(img);
}

size_t rig_block_off(size_t prefix_len, uint32_t bs, uint32_t i)
{
	return prefix_len + (size_t)i * (bs + FWS_SHA256_LEN);
}

uint32_t rig_slot_cap(const rig *r)
{
	return r->dev.hal.geom.slot[0].size - r->stub.meta_len;
}
