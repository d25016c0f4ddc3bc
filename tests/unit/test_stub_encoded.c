/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core with compressed and delta packages (fwseal/encoding.h),
 * on the real posix flash, driven like a hostile host that skips every host
 * check:
 *   - compressed and delta updates install and boot; the base slot is not
 *     written by a delta update;
 *   - refused before any flash operation: a delta for another base (or for
 *     a device that runs nothing), an encoding on a port that cannot map its
 *     flash, wrong model, downgrade, a changed signature;
 *   - a changed unit fails at that unit, before any byte of it is written;
 *     so does a unit that is correctly signed but breaks the unit rules;
 *   - the cable pulled in every unit, then RESUME at the offset the device
 *     recorded (units vary in length, so only it knows);
 *   - a power cut at every flash operation of a compressed and of a delta
 *     update, plain and torn: the device boots the old or the new image, and the update then
 *     resumes (or starts over) and completes;
 *   - the device-info record lists the encodings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fwseal/le.h"
#include "test_stub_rig.h"

#define FLASH (256u * 1024u)
#define BASE_LEN (40u * 1024u + 200u)
/* The loops that repeat a whole update per step (every unit, every flash
 * operation) use a smaller image: 11 units of 1 KiB over 3 sectors still
 * cross sector boundaries and resume points, and the suite stays quick
 * under valgrind. */
#define SMALL_LEN (10u * 1024u + 100u)

/* A device running 1.0.0 (image *base of len bytes), for deltas. */
static rig *device_with_base_len(uint8_t **base, size_t len)
{
	rig *r = rig_new(FLASH);

	*base = test_image_code(len, 41);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	rig_install_image(r, "1.0.0", 1, *base, len);
	return r;
}

static rig *device_with_base(uint8_t **base)
{
	return device_with_base_len(base, BASE_LEN);
}

static void assert_image(const rig *r, const uint8_t *img, size_t len)
{
	unsigned s = r->stub.running;

	assert_true(s < FWS_HAL_SLOTS);
	assert_memory_equal(r->dev.flash.mem + r->dev.hal.geom.slot[s].off + r->stub.meta_len, img,
	                    len);
}

static void test_compressed_installs(void **state)
{
	(void)state;
	static const size_t lens[] = {1, 4096, 40000};
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		rig *r = rig_new(FLASH);
		uint8_t *img = test_image_code(lens[i], 50 + (uint32_t)i);
		test_pkg p;
		assert_int_equal(rig_power_on(r, true), FWS_OK);
		rig_pkg_enc(&p, &r->key, "1.0.0", 1, img, lens[i], 4096, FWS_ENC_LZ4, NULL, 0, NULL);
		assert_int_equal(rig_download(r, p.data, p.len, 1000), FWS_OK);
		assert_int_equal(rig_power_on(r, true), FWS_OK);
		assert_string_equal(rig_running(r), "1.0.0");
		assert_image(r, img, lens[i]);
		assert_int_equal(r->dev.flash.violations, 0);
		test_pkg_free(&p);
		free(img);
		rig_free(r);
	}
}

static void test_delta_installs_base_untouched(void **state)
{
	(void)state;
	uint8_t *base;
	rig *r = device_with_base(&base);
	size_t len;
	uint8_t *img = test_image_fix(base, BASE_LEN, 42, &len);
	unsigned bslot = r->stub.running;
	const fws_flash_area *a = &r->dev.hal.geom.slot[bslot];
	uint8_t *before = malloc(a->size);
	memcpy(before, r->dev.flash.mem + a->off, a->size);

	test_pkg p, full;
	rig_pkg_enc(&p, &r->key, "1.1.0", 2, img, len, 4096, FWS_ENC_LZ4_DELTA, base, BASE_LEN,
	            "1.0.0");
	rig_pkg(&full, &r->key, "1.1.0", 2, img, len, 4096);
	assert_true(p.len * 5 < full.len); /* a small fix, a small package */
	assert_int_equal(rig_download(r, p.data, p.len, 1000), FWS_OK);
	/* staged, not yet started: the base slot is exactly as it was */
	assert_memory_equal(r->dev.flash.mem + a->off, before, a->size);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "1.1.0");
	assert_int_not_equal(r->stub.running, bslot);
	assert_image(r, img, len);
	assert_memory_equal(r->dev.flash.mem + a->off, before, a->size);
	assert_int_equal(r->dev.flash.violations, 0);

	/* the next delta applies to 1.1.0, not to 1.0.0 any more */
	size_t len2;
	uint8_t *img2 = test_image_fix(img, len, 43, &len2);
	test_pkg p2, stale;
	rig_pkg_enc(&p2, &r->key, "1.2.0", 3, img2, len2, 4096, FWS_ENC_LZ4_DELTA, img, len,
	            "1.1.0");
	rig_pkg_enc(&stale, &r->key, "1.2.0", 3, img2, len2, 4096, FWS_ENC_LZ4_DELTA, base,
	            BASE_LEN, "1.0.0");
	r->dev.flash.ops = 0;
	assert_int_equal(rig_send(r, stale.data, 0, stale.len, 1000), FWS_E_BASE);
	assert_int_equal(r->dev.flash.ops, 0);
	assert_int_equal(rig_req(r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
	assert_int_equal(rig_download(r, p2.data, p2.len, 1000), FWS_OK);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), "1.2.0");
	assert_image(r, img2, len2);

	test_pkg_free(&p);
	test_pkg_free(&p2);
	test_pkg_free(&stale);
	test_pkg_free(&full);
	free(img);
	free(img2);
	free(before);
	free(base);
	rig_free(r);
}

/* Send a package whole; it must be refused with want before any flash
 * operation, the device keeps running what it ran. */
static void refused_before_write(rig *r, const test_pkg *p, fws_err want)
{
	const char *was = rig_running(r);
	char v[FWS_VERSION_MAX + 1];
	snprintf(v, sizeof v, "%s", was);
	r->dev.flash.ops = 0;
	fws_err e = rig_send(r, p->data, 0, p->len, 1000);
	assert_int_equal(e, want);
	assert_int_equal(r->dev.flash.ops, 0);
	assert_int_equal(fws_stub_last_error(&r->stub), want);
	uint8_t state;
	assert_int_not_equal(rig_status(r, &state), FWS_DFU_OK);
	assert_int_equal(state, FWS_DFU_ERROR);
	assert_int_equal(rig_req(r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL), FWS_OK);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	assert_string_equal(rig_running(r), v);
}

static void test_refused_before_any_write(void **state)
{
	(void)state;
	uint8_t *base;
	rig *r = device_with_base(&base);
	size_t len;
	uint8_t *img = test_image_fix(base, BASE_LEN, 44, &len);
	uint8_t *other = test_image_code(BASE_LEN, 45);
	test_pkg p;

	/* made against another image (same size, same version text) */
	rig_pkg_enc(&p, &r->key, "1.1.0", 2, img, len, 4096, FWS_ENC_LZ4_DELTA, other, BASE_LEN,
	            "1.0.0");
	refused_before_write(r, &p, FWS_E_BASE);
	test_pkg_free(&p);
	/* the right base, but a downgrade, another model, a stranger's key */
	rig_pkg_enc(&p, &r->key, "0.9.0", 0, img, len, 4096, FWS_ENC_LZ4_DELTA, base, BASE_LEN,
	            "1.0.0");
	refused_before_write(r, &p, FWS_E_DOWNGRADE);
	test_pkg_free(&p);
	rig_pkg_enc(&p, &r->stranger, "1.1.0", 2, img, len, 4096, FWS_ENC_LZ4_DELTA, base,
	            BASE_LEN, "1.0.0");
	refused_before_write(r, &p, FWS_E_UNTRUSTED_KEY);
	test_pkg_free(&p);
	test_pkg_opts o = {0};
	o.model = "OTHER-MODEL";
	o.version = "1.1.0";
	o.security_counter = 2;
	o.block_size = 4096;
	o.keys[0] = &r->key;
	o.encoding = FWS_ENC_LZ4_DELTA;
	o.base = base;
	o.base_len = BASE_LEN;
	test_pkg_build(&p, img, len, &o);
	refused_before_write(r, &p, FWS_E_MODEL);
	test_pkg_free(&p);
	/* a signature changed in transit */
	rig_pkg_enc(&p, &r->key, "1.1.0", 2, img, len, 4096, FWS_ENC_LZ4, NULL, 0, NULL);
	p.data[p.prefix_len - 5] ^= 0x01;
	refused_before_write(r, &p, FWS_E_SIGNATURE);
	test_pkg_free(&p);

	/* a device that runs nothing has no base */
	rig *blank = rig_new(FLASH);
	assert_int_equal(rig_power_on(blank, true), FWS_OK);
	rig_pkg_enc(&p, &blank->key, "1.1.0", 2, img, len, 4096, FWS_ENC_LZ4_DELTA, base, BASE_LEN,
	            "1.0.0");
	refused_before_write(blank, &p, FWS_E_BASE);
	test_pkg_free(&p);
	rig_free(blank);

	/* a port that cannot map its flash decodes nothing, and says so */
	r->dev.hal.flash_map = NULL;
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	fws_devinfo info;
	fws_stub_info(&r->stub, &info);
	assert_int_equal(info.encodings, 0);
	rig_pkg_enc(&p, &r->key, "1.1.0", 2, img, len, 4096, FWS_ENC_LZ4, NULL, 0, NULL);
	refused_before_write(r, &p, FWS_E_ENCODING_UNSUPPORTED);
	test_pkg_free(&p);
	rig_pkg_enc(&p, &r->key, "1.1.0", 2, img, len, 4096, FWS_ENC_LZ4_DELTA, base, BASE_LEN,
	            "1.0.0");
	refused_before_write(r, &p, FWS_E_ENCODING_UNSUPPORTED);
	test_pkg_free(&p);

	free(img);
	free(other);
	free(base);
	rig_free(r);
}

static void test_info_lists_encodings(void **state)
{
	(void)state;
	rig *r = rig_new(FLASH);
	fws_devinfo info, back;
	uint8_t rec[FWS_DEVINFO_MAX];
	size_t n;
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	fws_stub_info(&r->stub, &info);
	assert_int_equal(info.encodings, (1u << FWS_ENC_LZ4) | (1u << FWS_ENC_LZ4_DELTA));
	assert_int_equal(info.enc_max_block, 4096);
	assert_int_equal(info.max_block, 4096);
	assert_int_equal(fws_devinfo_encode(&info, rec, sizeof rec, &n), FWS_OK);
	assert_int_equal(fws_devinfo_decode(rec, n, &back), FWS_OK);
	assert_int_equal(back.encodings, info.encodings);
	assert_int_equal(back.enc_max_block, 4096);
	/* a package whose blocks the buffer cannot decode in place */
	uint8_t *img = test_image_code(20000, 46);
	test_pkg p;
	rig_pkg_enc(&p, &r->key, "1.0.0", 1, img, 20000, 8192, FWS_ENC_LZ4, NULL, 0, NULL);
	refused_before_write(r, &p, FWS_E_BLOCK_SIZE);
	test_pkg_free(&p);
	free(img);
	rig_free(r);
}

/* A changed byte anywhere in unit k's header or data fails at unit k:
 * units before it were written, nothing of unit k is. */
static void test_changed_unit_caught_before_write(void **state)
{
	(void)state;
	uint8_t *base;
	rig *r = device_with_base(&base);
	size_t len;
	uint8_t *img = test_image_fix(base, BASE_LEN, 47, &len);
	test_pkg p;
	rig_pkg_enc(&p, &r->key, "1.1.0", 2, img, len, 4096, FWS_ENC_LZ4_DELTA, base, BASE_LEN,
	            "1.0.0");
	uint8_t *flash0 = malloc(FLASH);
	memcpy(flash0, r->dev.flash.mem, FLASH);
	fws_stub ram = r->stub;
	unsigned dl = r->stub.running ^ 1u; /* the staging slot */
	uint32_t img_off = r->dev.hal.geom.slot[dl].off + r->stub.meta_len;

	for (uint32_t k = 0; k < p.block_count; k++) {
		size_t ulen = p.block_off[k + 1] - p.block_off[k] - FWS_SHA256_LEN;
		size_t picks[] = {1, 8, 12, ulen - 1}; /* header, length, data */
		for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++) {
			size_t at = p.block_off[k] + picks[i];
			memcpy(r->dev.flash.mem, flash0, FLASH);
			r->stub = ram;
			p.data[at] ^= 0x20;
			fws_err e = rig_send(r, p.data, 0, p.len, 1000);
			/* a last unit made longer waits for bytes that never come */
			if (e == FWS_OK && k + 1u == p.block_count)
				e = rig_finish(r) == FWS_E_TRUNCATED ? FWS_E_BLOCK_DIGEST : FWS_E_STATE;
			p.data[at] ^= 0x20;
			if (e != FWS_E_BLOCK_DIGEST)
				fail_msg("unit %u byte %zu: %s", k, picks[i], fws_err_name(e));
			/* nothing from block k on was programmed */
			uint32_t from = k * 4096u;
			for (uint32_t b = from; b < len; b++)
				if (r->dev.flash.mem[img_off + b] != 0xFF &&
				    r->dev.flash.mem[img_off + b] != flash0[img_off + b])
					fail_msg("unit %u byte %zu: image byte %u written", k, picks[i], b);
			assert_int_equal(rig_req(r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL),
			                 FWS_OK);
			assert_int_equal(rig_power_on(r, true), FWS_OK);
			assert_string_equal(rig_running(r), "1.0.0");
		}
	}
	test_pkg_free(&p);
	free(flash0);
	free(img);
	free(base);
	rig_free(r);
}

/* Units of p that take their reference from source. */
static unsigned units_from(const test_pkg *p, uint8_t source)
{
	unsigned n = 0;
	for (uint32_t k = 0; k < p->block_count; k++) {
		fws_unit u;
		fws_unit_hdr_parse(p->data + p->block_off[k], &u);
		n += u.source == source;
	}
	return n;
}

/* A unit of a correctly chained and signed package that breaks the unit
 * rules (fwseal/encoding.h): what a faulty encoder, or a signer who means
 * harm, could send. */
enum { BAD_METHOD, BAD_REFERENCE, BAD_DATA, BAD_KINDS };
struct bad_unit {
	uint32_t k;
	int kind;
	uint8_t method; /* what unit k was */
};

static void break_unit(uint32_t k, uint8_t *unit, size_t len, void *ctx)
{
	struct bad_unit *b = ctx;
	if (k != b->k)
		return;
	b->method = unit[0];
	switch (b->kind) {
	case BAD_METHOD:
		unit[0] = 3;
		break;
	case BAD_REFERENCE: /* past the end of any source */
		fws_put_le32(unit + 4, 0xFFFFFFF0u);
		break;
	case BAD_DATA: /* lz4: a literal run longer than the data; lz4-add: 255 runs */
		memset(unit + FWS_UNIT_HDR_LEN, 0xFF, len - FWS_UNIT_HDR_LEN);
		break;
	}
}

/* The device checks each unit against the rules before it decodes, and
 * what it decodes against exactly its block: a unit that breaks them is
 * refused (bad-encoding) at that unit, none of its block is written, and
 * the device keeps its image. */
static void test_signed_unit_that_does_not_decode(void **state)
{
	(void)state;
	for (int enc = FWS_ENC_LZ4; enc <= FWS_ENC_LZ4_DELTA; enc++) {
		for (int kind = 0; kind < BAD_KINDS; kind++) {
			uint8_t *base;
			rig *r = device_with_base(&base);
			size_t len;
			uint8_t *img = test_image_fix(base, BASE_LEN, 51, &len);
			struct bad_unit b = { 4, kind, 0 };
			test_pkg_opts o = { .model = RIG_MODEL, .version = "1.1.0",
			                    .security_counter = 2, .block_size = 4096,
			                    .keys = { &r->key }, .encoding = (uint8_t)enc,
			                    .base = enc == FWS_ENC_LZ4_DELTA ? base : NULL,
			                    .base_len = enc == FWS_ENC_LZ4_DELTA ? BASE_LEN : 0,
			                    .base_version = "1.0.0",
			                    .unit_edit = break_unit, .unit_edit_ctx = &b };
			test_pkg p;
			test_pkg_build(&p, img, len, &o);
			/* a unit with a reference and data to break */
			assert_int_not_equal(b.method, FWS_UNIT_RAW);
			unsigned dl = r->stub.running ^ 1u;
			uint32_t img_off = r->dev.hal.geom.slot[dl].off + r->stub.meta_len;
			fws_err e = rig_send(r, p.data, 0, p.len, 1000);
			if (e != FWS_E_ENCODING)
				fail_msg("%s, kind %d: %s", fws_encoding_name((uint8_t)enc), kind,
				         fws_err_name(e));
			assert_int_equal(fws_stub_last_error(&r->stub), FWS_E_ENCODING);
			for (uint32_t i = b.k * 4096u; i < len; i++)
				if (r->dev.flash.mem[img_off + i] != 0xFF)
					fail_msg("kind %d: image byte %u written", kind, i);
			assert_int_equal(rig_req(r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL),
			                 FWS_OK);
			assert_int_equal(rig_power_on(r, true), FWS_OK);
			assert_string_equal(rig_running(r), "1.0.0");
			assert_image(r, base, BASE_LEN);
			assert_int_equal(r->dev.flash.violations, 0);
			test_pkg_free(&p);
			free(img);
			free(base);
			rig_free(r);
		}
	}
}

static void resume_req(uint8_t out[FWS_STUB_RESUME_LEN], uint32_t off, const test_pkg *p)
{
	fws_put_le32(out, off);
	assert_int_equal(fws_sha256(p->data, p->prefix_len, out + 4), FWS_OK);
}

/* After an interruption: resume where the device says, or start over. */
static void resume_or_restart(rig *r, const test_pkg *p)
{
	fws_devinfo info;
	fws_stub_info(&r->stub, &info);
	if (info.has_resume) {
		uint8_t req[FWS_STUB_RESUME_LEN];
		bool at_unit = false;
		for (uint32_t k = 0; k <= p->block_count; k++)
			at_unit |= p->block_off[k] == info.resume_offset;
		assert_true(at_unit); /* a unit boundary the device worked out itself */
		resume_req(req, info.resume_offset, p);
		fws_err e = rig_req(r, FWS_REQ_RESUME, 0, req, sizeof req, NULL, 0, NULL);
		if (e != FWS_OK && info.resume_offset == p->prefix_len) {
			/* cut while the prefix was being stored (missing or torn:
			 * the device checks it again and refuses): nothing of the
			 * image is there to resume; a host starts over */
			assert_int_equal(rig_req(r, FWS_DFU_CLRSTATUS, 0, NULL, 0, NULL, 0, NULL),
			                 FWS_OK);
			assert_int_equal(rig_download(r, p->data, p->len, 700), FWS_OK);
			return;
		}
		assert_int_equal(e, FWS_OK);
		assert_int_equal(rig_send(r, p->data, info.resume_offset, p->len, 700), FWS_OK);
		assert_int_equal(rig_finish(r), FWS_OK);
	} else {
		assert_int_equal(rig_download(r, p->data, p->len, 700), FWS_OK);
	}
}

static void test_pull_in_every_unit(void **state)
{
	(void)state;
	for (int enc = FWS_ENC_LZ4; enc <= FWS_ENC_LZ4_DELTA; enc++) {
		uint8_t *base;
		rig *r = device_with_base_len(&base, SMALL_LEN);
		size_t len;
		uint8_t *img = test_image_fix(base, SMALL_LEN, 48, &len);
		test_pkg p;
		/* 1 KiB blocks: four units per sector, so most pulls resume
		 * units behind the last resume point */
		rig_pkg_enc(&p, &r->key, "1.1.0", 2, img, len, 1024, (uint8_t)enc,
		            enc == FWS_ENC_LZ4_DELTA ? base : NULL,
		            enc == FWS_ENC_LZ4_DELTA ? SMALL_LEN : 0, "1.0.0");
		uint8_t *flash0 = malloc(FLASH);
		memcpy(flash0, r->dev.flash.mem, FLASH);
		fws_stub ram = r->stub;
		unsigned resumed = 0;
		for (uint32_t k = 0; k < p.block_count; k++) {
			size_t mid = (p.block_off[k] + p.block_off[k + 1]) / 2;
			/* the device restarted, or only the host reconnected */
			for (int cycle = (int)(k & 1u); cycle < 2; cycle += 2) {
				memcpy(r->dev.flash.mem, flash0, FLASH);
				r->stub = ram;
				assert_int_equal(rig_send(r, p.data, 0, mid, 700), FWS_OK);
				if (cycle) {
					assert_int_equal(rig_power_on(r, true), FWS_OK);
					assert_string_equal(rig_running(r), "1.0.0");
				} else {
					assert_int_equal(rig_req(r, FWS_DFU_ABORT, 0, NULL, 0, NULL, 0, NULL),
					                 FWS_OK);
				}
				resumed += fws_stub_resume_offset(&r->stub) != 0u;
				resume_or_restart(r, &p);
				assert_int_equal(rig_power_on(r, true), FWS_OK);
				assert_string_equal(rig_running(r), "1.1.0");
				assert_image(r, img, len);
				assert_int_equal(r->dev.flash.violations, 0);
			}
		}
		assert_true(resumed * 2u > p.block_count); /* most pulls did resume */
		test_pkg_free(&p);
		free(flash0);
		free(img);
		free(base);
		rig_free(r);
	}
}

/* A power cut at every flash operation of a compressed or a delta update
 * (download, commit, test boot, confirm), plain and torn. A compressed
 * unit's references are the staging slot's own earlier blocks, a delta's
 * the base slot: after the cut both must still be what the resumed units
 * expect. */
static void power_cut_everywhere(uint8_t enc)
{
	uint8_t *base;
	rig *r = device_with_base_len(&base, SMALL_LEN);
	size_t len;
	uint8_t *img = test_image_fix(base, SMALL_LEN, 49, &len);
	test_pkg p;
	rig_pkg_enc(&p, &r->key, "1.1.0", 2, img, len, 1024, enc,
	            enc == FWS_ENC_LZ4_DELTA ? base : NULL,
	            enc == FWS_ENC_LZ4_DELTA ? SMALL_LEN : 0, "1.0.0");
	/* the references this is about are there */
	assert_true(units_from(&p, enc == FWS_ENC_LZ4 ? FWS_SRC_IMAGE : FWS_SRC_BASE) * 2u >
	            p.block_count);
	uint8_t *flash0 = malloc(FLASH);
	memcpy(flash0, r->dev.flash.mem, FLASH);
	fws_simflash_repower(&r->dev.flash);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	fws_stub ram = r->stub;

	/* operations of an uninterrupted update */
	r->dev.flash.ops = 0;
	assert_int_equal(rig_download(r, p.data, p.len, 700), FWS_OK);
	assert_int_equal(rig_power_on(r, true), FWS_OK);
	uint64_t total = r->dev.flash.ops;
	assert_true(total > 20u);
	unsigned resumed = 0, cuts = 0;

	for (uint64_t n = 0; n < total; n++) {
		for (int torn = 0; torn < 2; torn++) {
			memcpy(r->dev.flash.mem, flash0, FLASH);
			fws_simflash_repower(&r->dev.flash);
			r->stub = ram;
			fws_simflash_arm_cut(&r->dev.flash, n, torn != 0);
			if (rig_download(r, p.data, p.len, 700) == FWS_OK)
				(void)rig_power_on(r, true);
			assert_true(r->dev.flash.dead);
			cuts++;
			fws_simflash_repower(&r->dev.flash);
			assert_int_equal(rig_power_on(r, true), FWS_OK);
			assert_int_equal(r->boot.action, FWS_BOOT_RUN);
			const char *v = rig_running(r);
			if (strcmp(v, "1.0.0") != 0 && strcmp(v, "1.1.0") != 0)
				fail_msg("cut %u%s: running '%s'", (unsigned)n, torn ? " torn" : "", v);
			if (strcmp(v, "1.0.0") == 0) {
				assert_image(r, base, SMALL_LEN);
				resumed += fws_stub_resume_offset(&r->stub) != 0u;
				resume_or_restart(r, &p);
				assert_int_equal(rig_power_on(r, true), FWS_OK);
				assert_string_equal(rig_running(r), "1.1.0");
			}
			assert_image(r, img, len);
			assert_int_equal(r->dev.flash.violations, 0);
		}
	}
	printf("%s: %u power-cut points, %u resumed\n", fws_encoding_name(enc), cuts, resumed);
	assert_true(resumed > 0);
	test_pkg_free(&p);
	free(flash0);
	free(img);
	free(base);
	rig_free(r);
}

static void test_power_cut_everywhere_lz4(void **state)
{
	(void)state;
	power_cut_everywhere(FWS_ENC_LZ4);
}

static void test_power_cut_everywhere_delta(void **state)
{
	(void)state;
	power_cut_everywhere(FWS_ENC_LZ4_DELTA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compressed_installs),
		cmocka_unit_test(test_delta_installs_base_untouched),
		cmocka_unit_test(test_refused_before_any_write),
		cmocka_unit_test(test_info_lists_encodings),
		cmocka_unit_test(test_changed_unit_caught_before_write),
		cmocka_unit_test(test_signed_unit_that_does_not_decode),
		cmocka_unit_test(test_pull_in_every_unit),
		cmocka_unit_test(test_power_cut_everywhere_lz4),
		cmocka_unit_test(test_power_cut_everywhere_delta),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
