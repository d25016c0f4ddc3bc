/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the device stub's request handler (fws_stub_handle) as seen
 * by a hostile host, on the real core and the real simulated flash. Each
 * input is a script of records
 *
 *   op u8 | flags u8 | len u16 LE | data[len]
 *
 * op is a request code (any byte, including unknown ones) or FUZZ_POWER
 * (power cycle; flags bit0: the application confirms). flags bit0 is the
 * alternate setting, bit7 asks for a 6-byte answer buffer. Every input
 * starts from the same device: 1.0.0 installed and confirmed.
 *
 * Invariants checked (abort = a finding): the flash rules are never broken
 * (erase-before-write, alignment), and after the script a power cycle boots
 * a verified image: no sequence of requests leaves the device unbootable.
 * tests/fuzz/gen_stub_requests_corpus.c writes the seeds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwseal/le.h"
#include "fwseal/stub.h"
#include "fuzz_stub_requests.h"
#include "posix_hal.h"
#include "testpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct {
	bool ready;
	fws_posix_dev dev;
	fws_stub stub;
	fws_stub_config cfg;
	uint8_t buf[4096 + 32];
	uint8_t *base;
	fws_stub base_stub; /* RAM of the device running 1.0.0 after power-on */
	test_key key;
} F;

static void power_on(bool confirm)
{
	fws_boot_result b;

	if (fws_stub_init(&F.stub, &F.cfg) != FWS_OK || fws_stub_boot(&F.stub, &b) != FWS_OK)
		abort();
	if (b.action != FWS_BOOT_RUN)
		abort(); /* bricked: a host made the device lose every valid image */
	if (confirm && fws_stub_confirm(&F.stub) != FWS_OK)
		abort();
}

static void setup(void)
{
	char path[] = "/tmp/fwseal-fuzz-stub-XXXXXX";
	int fd = mkstemp(path);
	uint8_t *img;
	test_pkg p;
	fws_stub_req q = {FWS_DFU_DNLOAD, 0, 0, NULL, 0};
	uint8_t resp[16];
	size_t n;

	if (fd < 0)
		abort();
	close(fd);
	unlink(path); /* simflash re-creates it; removed again once mapped */
	if (fws_simflash_open(&F.dev.flash, path, FUZZ_FLASH, FUZZ_SECTOR, 8) != FWS_OK)
		abort();
	unlink(path);
	F.dev.fd = -1;
	fws_posix_hal_init(&F.dev);
	test_key_generate(&F.key, FUZZ_KEY_SEED);
	{
		fws_trust t;

		test_trust_one(&t, &F.key, 0);
		if (fws_posix_set_trust(&F.dev, &t) != FWS_OK)
			abort();
	}
	F.cfg.hal = &F.dev.hal;
	F.cfg.id.model = FUZZ_MODEL;
	F.cfg.id.hw_rev = 1;
	F.cfg.id.serial = "FUZZ";
	F.cfg.buf = F.buf;
	F.cfg.buf_cap = sizeof F.buf;
	if (fws_stub_init(&F.stub, &F.cfg) != FWS_OK)
		abort();
	/* Install 1.0.0 once; every input starts from this flash. */
	img = fuzz_image(1);
	fuzz_pkg(&p, &F.key, "1.0.0", 1, img);
	q.data = p.data;
	q.len = p.len;
	if (fws_stub_handle(&F.stub, &q, resp, sizeof resp, &n) != FWS_OK)
		abort();
	q.request = FWS_DFU_GETSTATUS;
	q.len = 0;
	(void)fws_stub_handle(&F.stub, &q, resp, sizeof resp, &n);
	q.request = FWS_DFU_DNLOAD;
	(void)fws_stub_handle(&F.stub, &q, resp, sizeof resp, &n);
	q.request = FWS_DFU_GETSTATUS;
	(void)fws_stub_handle(&F.stub, &q, resp, sizeof resp, &n);
	power_on(true);
	if (strcmp(F.stub.slot[F.stub.running].version, "1.0.0") != 0)
		abort();
	F.base = malloc(FUZZ_FLASH);
	if (F.base == NULL)
		abort();
	memcpy(F.base, F.dev.flash.mem, FUZZ_FLASH);
	F.base_stub = F.stub;
	test_pkg_free(&p);
	free(img);
	F.ready = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t resp[FWS_DEVINFO_MAX + 64];
	unsigned records = 0;

	if (!F.ready)
		setup();
	/* The same device every time: flash and RAM as after power-on. */
	memcpy(F.dev.flash.mem, F.base, FUZZ_FLASH);
	fws_simflash_repower(&F.dev.flash);
	F.stub = F.base_stub;

	while (size >= 4u && records++ < FUZZ_RECORDS_MAX) {
		uint8_t op = data[0], flags = data[1];
		size_t len = fws_get_le16(data + 2);
		fws_stub_req q;
		size_t n = 0;

		data += 4;
		size -= 4;
		if (len > size)
			len = size;
		if (op == FUZZ_POWER) {
			power_on(flags & 1u);
		} else {
			memset(&q, 0, sizeof q);
			q.request = op;
			q.alt = flags & 1u;
			q.value = (uint16_t)records;
			q.data = len > 0u ? data : NULL;
			q.len = len;
			(void)fws_stub_handle(&F.stub, &q, resp, (flags & 0x80u) ? 6u : sizeof resp, &n);
			if (n > sizeof resp)
				abort();
			if (F.stub.state == FWS_DFU_ERROR && F.stub.status == FWS_DFU_OK)
				abort(); /* an error state must say why */
			if (fws_stub_reset_pending(&F.stub))
				power_on(true);
		}
		if (F.dev.flash.violations != 0u)
			abort(); /* programmed unerased or misaligned flash */
		data += len;
		size -= len;
	}
	power_on(true);
	return 0;
}
