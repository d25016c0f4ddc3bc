/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the device stub's request handler (fws_stub_handle) as seen
 * by a hostile host, on the real core and the real simulated flash
 * (fuzz_device.h: 1.0.0 installed, restored before every input). Each input
 * is a script of records
 *
 *   op u8 | flags u8 | len u16 LE | data[len]
 *
 * op is a request code (any byte, including unknown ones) with data as its
 * payload, or
 *   FUZZ_POWER (0xF0): power cycle; flags bit0: the application confirms;
 *   FUZZ_PKG   (0xF1): a DNLOAD of a piece of a ready-made package: flags
 *                      bits 0-2 pick it (fuzz_device.h, modulo its count),
 *                      data = offset u32 LE | length u16 LE (clamped to
 *                      the package and 4096);
 *   FUZZ_TIME  (0xF2): data = u32 LE milliseconds pass (the back-off clock).
 * For requests, flags bit0 is the alternate setting, bit6 sends the request
 * the wrong way (USB direction), bit7 asks for a 6-byte answer buffer.
 *
 * Invariants checked (abort = a finding): the flash rules are never broken
 * (erase-before-write, alignment), an error state says why, and after the
 * script a power cycle boots a verified image of a trusted key, never a
 * downgrade: no sequence of requests leaves the device unbootable.
 * tests/fuzz/gen_stub_requests_corpus.c writes the seeds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/le.h"
#include "fwseal/stub.h"
#include "fuzz_device.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fuzz_device F;
static bool ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t resp[FWS_DEVINFO_MAX + 64];
	unsigned records = 0;

	if (!ready) {
		fuzz_device_setup(&F);
		ready = true;
	}
	fuzz_device_restore(&F);

	while (size >= 4u && records++ < FUZZ_RECORDS_MAX) {
		uint8_t op = data[0], flags = data[1];
		size_t len = fws_get_le16(data + 2);
		fws_stub_req q;
		size_t n = 0;

		data += 4;
		size -= 4;
		if (len > size)
			len = size;
		memset(&q, 0, sizeof q);
		q.request = op;
		q.alt = flags & 1u;
		q.value = (uint16_t)records;
		q.data = len > 0u ? data : NULL;
		q.len = len;
		if (flags & 0x40u) /* the wrong direction */
			q.dir = fws_stub_request_dir(op) == FWS_REQ_DIR_IN ? FWS_REQ_DIR_OUT : FWS_REQ_DIR_IN;
		if (op == FUZZ_POWER) {
			fuzz_device_power_on(&F, flags & 1u);
			goto next;
		}
		if (op == FUZZ_TIME) {
			F.dev.clock_skew_ms += len >= 4u ? fws_get_le32(data) : 1000u;
			goto next;
		}
		if (op == FUZZ_PKG) {
			const test_pkg *p = &F.pkg[(flags & 7u) % FUZZ_PKG_COUNT];
			size_t off = len >= 4u ? fws_get_le32(data) % (p->len + 1u) : 0u;
			size_t k = len >= 6u ? fws_get_le16(data + 4) : 4096u;
			if (k > p->len - off)
				k = p->len - off;
			if (k > 4096u)
				k = 4096u;
			q.request = FWS_DFU_DNLOAD;
			q.alt = FWS_ALT_PACKAGE;
			q.data = k ? p->data + off : NULL;
			q.len = k;
		}
		(void)fws_stub_handle(&F.stub, &q, resp, (flags & 0x80u) ? 6u : sizeof resp, &n);
		if (n > sizeof resp)
			abort();
		if (F.stub.state == FWS_DFU_ERROR && F.stub.status == FWS_DFU_OK)
			abort(); /* an error state must say why */
		if (fws_stub_reset_pending(&F.stub))
			fuzz_device_power_on(&F, true);
next:
		if (F.dev.flash.violations != 0u)
			abort(); /* programmed unerased or misaligned flash */
		data += len;
		size -= len;
	}
	fuzz_device_power_on(&F, true);
	return 0;
}
