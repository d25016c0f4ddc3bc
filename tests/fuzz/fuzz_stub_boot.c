/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_stub_boot.c - start-up on damaged flash: journal decoding (records,
 * sequence numbers, torn records, sector switch) and the boot decision with
 * its check of each slot's stored prefix (signature, policy) and image, as
 * fws_stub_init + fws_stub_boot run them after a power cut, a bit error or
 * anything else that writes flash behind the stub's back.
 *
 * The device starts from one of four states made once (fuzz_device.h):
 *   0 1.0.0 running, confirmed    2 2.0.0 committed and test-booted once
 *   1 2.0.0 committed (trial)     3 a download of 2.0.0 cut half-way
 * Input: state u8, then patches, each
 *   where u8 | offset u16 LE | len u8 | bytes[len]
 * where: 0 journal sector 0, 1 journal sector 1, 2/3 slot 0/1 metadata
 * (stored prefix), 4/5 slot 0/1 image; offset within that area; a patch
 * with len 0 flips bit (offset & 7) of the byte at offset >> 3.
 *
 * Invariants (abort = a finding): init and boot never crash or read out of
 * bounds; the device runs only an image that is byte for byte one of the
 * packages signed by its trusted key (never one signed by another key, nor
 * an image nobody signed); a boot that finds nothing to run stays in the
 * stub; and the flash rules hold while boot writes its journal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/le.h"
#include "fuzz_device.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fuzz_device F;
static uint8_t *state[4];
static bool ready;

static void dnload(const uint8_t *p, size_t n)
{
	uint8_t resp[16];
	size_t rn;
	fws_stub_req q = { .request = FWS_DFU_DNLOAD, .alt = FWS_ALT_PACKAGE, .data = p, .len = n,
	                  .dir = FWS_REQ_DIR_ANY };
	(void)fws_stub_handle(&F.stub, &q, resp, sizeof resp, &rn);
	q.request = FWS_DFU_GETSTATUS;
	q.data = NULL;
	q.len = 0;
	(void)fws_stub_handle(&F.stub, &q, resp, sizeof resp, &rn);
	if (n == 0)
		(void)fws_stub_handle(&F.stub, &q, resp, sizeof resp, &rn);
}

static uint8_t *snapshot(void)
{
	uint8_t *s = malloc(FUZZ_FLASH);
	if (s == NULL)
		abort();
	memcpy(s, F.dev.flash.mem, FUZZ_FLASH);
	return s;
}

static void setup(void)
{
	const test_pkg *v2;
	fws_boot_result b;

	fuzz_device_setup(&F);
	v2 = &F.pkg[FUZZ_PKG_V2];
	state[0] = snapshot();
	for (size_t at = 0; at < v2->len; at += 1024)
		dnload(v2->data + at, v2->len - at < 1024 ? v2->len - at : 1024);
	dnload(NULL, 0);
	state[1] = snapshot();
	if (fws_stub_init(&F.stub, &F.cfg) != FWS_OK || fws_stub_boot(&F.stub, &b) != FWS_OK)
		abort(); /* the test boot, not confirmed */
	state[2] = snapshot();
	fuzz_device_restore(&F);
	dnload(v2->data, v2->len / 2);
	state[3] = snapshot();
	ready = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fws_boot_result b;

	if (!ready)
		setup();
	if (size < 1)
		return 0;
	memcpy(F.dev.flash.mem, state[data[0] & 3u], FUZZ_FLASH);
	fws_simflash_repower(&F.dev.flash);
	data++;
	size--;

	const fws_flash_geom *g = &F.dev.hal.geom;
	const uint32_t meta = F.stub.meta_len; /* the stored prefix's area */
	for (unsigned patches = 0; size >= 4u && patches < 64u; patches++) {
		uint32_t base, area;
		switch (data[0] % 6u) {
		case 0: base = g->journal[0]; area = g->sector_size; break;
		case 1: base = g->journal[1]; area = g->sector_size; break;
		case 2: base = g->slot[0].off; area = meta; break;
		case 3: base = g->slot[1].off; area = meta; break;
		case 4: base = g->slot[0].off + meta; area = g->slot[0].size - meta; break;
		default: base = g->slot[1].off + meta; area = g->slot[1].size - meta; break;
		}
		uint32_t off = fws_get_le16(data + 1);
		size_t len = data[3];
		data += 4;
		size -= 4;
		if (len > size)
			len = size;
		if (len == 0) {
			off >>= 3;
			if (off < area)
				fws_simflash_flip(&F.dev.flash, base + off, data[-3] & 7u);
		} else if (off < area) {
			size_t k = len < area - off ? len : area - off;
			memcpy(F.dev.flash.mem + base + off, data, k);
		}
		data += len;
		size -= len;
	}

	/* a power cycle on that flash */
	if (fws_stub_init(&F.stub, &F.cfg) != FWS_OK)
		return 0; /* e.g. unreadable: the port stays in its loader */
	fws_err e = fws_stub_boot(&F.stub, &b);
	if (F.dev.flash.violations != 0u)
		abort();
	if (e != FWS_OK || b.action != FWS_BOOT_RUN) {
		if (e == FWS_OK && b.action != FWS_BOOT_STAY)
			abort();
		return 0;
	}
	/* whatever runs was signed by the trusted key, byte for byte; (a
	 * downgrade can run when flash lost the counter: not a host's doing) */
	unsigned slot = F.stub.running;
	uint32_t img = g->slot[slot].off + F.stub.meta_len;
	if (slot >= FWS_HAL_SLOTS || b.image_len != FUZZ_IMG)
		abort();
	for (int i = 0; i < FUZZ_PKG_COUNT; i++)
		if (i != FUZZ_PKG_ALIEN && memcmp(F.dev.flash.mem + img, F.img[i], FUZZ_IMG) == 0)
			return 0;
	abort();
}
