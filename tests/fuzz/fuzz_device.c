/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_device.c - see fuzz_device.h. */
#include "fuzz_device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwseal/encoding.h"

static void install_v1(fuzz_device *d)
{
	const test_pkg *p = &d->pkg[FUZZ_PKG_V1];
	uint8_t resp[16];
	size_t n;
	fws_stub_req q = { .request = FWS_DFU_DNLOAD, .alt = FWS_ALT_PACKAGE, .dir = FWS_REQ_DIR_ANY };

	for (size_t at = 0; at < p->len; at += 1024) {
		q.request = FWS_DFU_DNLOAD;
		q.data = p->data + at;
		q.len = p->len - at < 1024 ? p->len - at : 1024;
		if (fws_stub_handle(&d->stub, &q, resp, sizeof resp, &n) != FWS_OK)
			abort();
		q.request = FWS_DFU_GETSTATUS;
		(void)fws_stub_handle(&d->stub, &q, resp, sizeof resp, &n);
	}
	q.request = FWS_DFU_DNLOAD;
	q.data = NULL;
	q.len = 0;
	(void)fws_stub_handle(&d->stub, &q, resp, sizeof resp, &n);
	q.request = FWS_DFU_GETSTATUS;
	(void)fws_stub_handle(&d->stub, &q, resp, sizeof resp, &n);
	(void)fws_stub_handle(&d->stub, &q, resp, sizeof resp, &n);
}

void fuzz_device_setup(fuzz_device *d)
{
	static const char *const versions[FUZZ_PKG_ALIEN + 1] = { "1.0.0", "2.0.0", "0.9.0", "3.0.0" };
	static const uint32_t counters[FUZZ_PKG_ALIEN + 1] = { 1, 2, 0, 3 };
	char path[] = "/tmp/fwseal-fuzz-dev-XXXXXX";
	int fd = mkstemp(path);

	memset(d, 0, sizeof *d);
	if (fd < 0)
		abort();
	close(fd);
	unlink(path); /* simflash re-creates it; removed again once mapped */
	if (fws_simflash_open(&d->dev.flash, path, FUZZ_FLASH, FUZZ_SECTOR, 8) != FWS_OK)
		abort();
	unlink(path);
	d->dev.fd = -1;
	fws_posix_hal_init(&d->dev);
	test_key_generate(&d->key, FUZZ_KEY_SEED);
	test_key_generate(&d->alien, FUZZ_KEY_SEED + 1);
	{
		fws_trust t;

		test_trust_one(&t, &d->key, 0);
		if (fws_posix_set_trust(&d->dev, &t) != FWS_OK)
			abort();
	}
	for (int i = 0; i <= FUZZ_PKG_ALIEN; i++) {
		d->img[i] = fuzz_image((uint32_t)i + 1u);
		fuzz_pkg(&d->pkg[i], i == FUZZ_PKG_ALIEN ? &d->alien : &d->key, versions[i],
		         counters[i], d->img[i]);
	}
	/* issue 18: compressed and delta packages of one small fix (the image
	 * tests/fuzz/gen_stub_requests_corpus.c's seeds install too) */
	for (int i = FUZZ_PKG_LZ4; i <= FUZZ_PKG_DELTA; i++) {
		d->img[i] = fuzz_image(1);
		memcpy(d->img[i] + 700, "a small fix", 11);
	}
	fuzz_pkg_enc(&d->pkg[FUZZ_PKG_LZ4], &d->key, "2.0.0", 2, d->img[FUZZ_PKG_LZ4], FWS_ENC_LZ4,
	             NULL);
	fuzz_pkg_enc(&d->pkg[FUZZ_PKG_DELTA], &d->key, "2.0.0", 2, d->img[FUZZ_PKG_DELTA],
	             FWS_ENC_LZ4_DELTA, d->img[FUZZ_PKG_V1]);
	d->cfg.hal = &d->dev.hal;
	d->cfg.id.model = FUZZ_MODEL;
	d->cfg.id.hw_rev = 1;
	d->cfg.id.serial = "FUZZ";
	d->cfg.buf = d->buf;
	d->cfg.buf_cap = sizeof d->buf;
	d->cfg.xfer_size = 4096;
	if (fws_stub_init(&d->stub, &d->cfg) != FWS_OK)
		abort();
	install_v1(d);
	fuzz_device_power_on(d, true);
	if (fuzz_device_running_pkg(d) != FUZZ_PKG_V1)
		abort();
	d->base = malloc(FUZZ_FLASH);
	if (d->base == NULL)
		abort();
	memcpy(d->base, d->dev.flash.mem, FUZZ_FLASH);
	d->base_stub = d->stub;
}

void fuzz_device_restore(fuzz_device *d)
{
	memcpy(d->dev.flash.mem, d->base, FUZZ_FLASH);
	fws_simflash_repower(&d->dev.flash);
	d->dev.clock_skew_ms = 0;
	d->stub = d->base_stub;
	/* just powered on, now: only FUZZ_TIME moves the back-off clock on, so
	 * an input does the same on every run */
	d->stub.last_start_ms = d->dev.hal.now_ms(d->dev.hal.ctx);
}

void fuzz_device_power_on(fuzz_device *d, bool confirm)
{
	fws_boot_result b;

	if (fws_stub_init(&d->stub, &d->cfg) != FWS_OK || fws_stub_boot(&d->stub, &b) != FWS_OK)
		abort();
	if (b.action != FWS_BOOT_RUN)
		abort(); /* bricked: a host made the device lose every valid image */
	(void)fuzz_device_running_pkg(d);
	if (confirm && fws_stub_confirm(&d->stub) != FWS_OK)
		abort();
	if (d->base != NULL && d->stub.j.counter < 1u)
		abort(); /* the anti-rollback counter went back below 1.0.0's */
}

int fuzz_device_running_pkg(const fuzz_device *d)
{
	unsigned slot = d->stub.running;

	if (slot >= FWS_HAL_SLOTS)
		abort();
	uint32_t off = d->dev.hal.geom.slot[slot].off + d->stub.meta_len;
	for (int i = 0; i < FUZZ_PKG_COUNT; i++)
		if (d->stub.slot[slot].image_len == FUZZ_IMG &&
		    memcmp(d->dev.flash.mem + off, d->img[i], FUZZ_IMG) == 0) {
			if (i == FUZZ_PKG_ALIEN || i == FUZZ_PKG_V0)
				abort(); /* untrusted signer, or a downgrade */
			return i;
		}
	abort(); /* runs an image nobody signed */
}
