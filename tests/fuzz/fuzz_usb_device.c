/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_usb_device.c - a malicious device behind a transport: every answer
 * the host gets (DFU status, device-info record, refusals, vanishing) comes
 * from the fuzz input, and libfwseal-host runs GETSTATUS, INFO and a whole
 * flashing session (fwh_flash) against it. This is what the USB and HID
 * transports hand up from a device: raw answer bytes up to wLength.
 *
 * Input: a sequence of answers, each
 *   kind u8 (0 answer, 1 STALL, 2 no answer in time, 3 device gone) |
 *   length u16 LE | that many answer bytes
 * and the device is gone once the input ends.
 *
 * Invariants: the host never crashes or reads out of bounds; every failure
 * comes with its code and a sentence; success is claimed only when the
 * device reported the package's version running.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwseal/dfu.h"
#include "fwseal/le.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/package.h"
#include "fwseal-host/session.h"
#include "fwseal-host/transport.h"
#include "testkey.h"
#include "testpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in;
static size_t in_left;

static fws_err fake_request(fwh_link *l, fwh_request *req, fwh_error *err)
{
	(void)l;
	req->answer_len = 0;
	req->stalled = false;
	if (in_left < 3)
		return fwh_error_set(err, FWS_E_DISCONNECTED, "The device went away.");
	uint8_t kind = in[0];
	size_t n = fws_get_le16(in + 1);
	in += 3;
	in_left -= 3;
	if (n > in_left)
		n = in_left;
	const uint8_t *ans = in;
	in += n;
	in_left -= n;
	switch (kind & 3u) {
	case 1:
		req->stalled = true;
		return FWS_OK;
	case 2:
		return fwh_error_set(err, FWS_E_TIMEOUT, "The device did not answer.");
	case 3:
		return fwh_error_set(err, FWS_E_DISCONNECTED, "The device went away.");
	default:
		break;
	}
	/* a transport never hands up more than wLength (libusb, frame checks) */
	if (n > req->answer_cap)
		n = req->answer_cap;
	if (n)
		memcpy(req->answer, ans, n);
	req->answer_len = n;
	/* bwPollTimeout is honoured up to 5 s per poll (tested elsewhere); zero it
	 * so the fuzzer explores parsing instead of sleeping */
	if (req->request == FWS_DFU_GETSTATUS && n >= 4)
		memset(req->answer + 1, 0, 3);
	return FWS_OK;
}

static fws_err fake_open(const fwh_dev_id *id, const fwh_link_opts *opts, fwh_link **out,
                         fwh_error *err);
static void fake_close(fwh_link *l)
{
	free(l);
}
static void fake_describe(const fwh_link *l, char *buf, size_t cap)
{
	(void)l;
	snprintf(buf, cap, "usb:1209:f5ea:FUZZ");
}
static size_t fake_max_transfer(const fwh_link *l)
{
	(void)l;
	return 256;
}
static fws_err fake_enumerate(fwh_found_cb found, fwh_unusable_cb unusable, void *user,
                                   fwh_error *err)
{
	(void)found;
	(void)unusable;
	(void)user;
	(void)err;
	return FWS_OK;
}

static const fwh_transport_ops fake_ops = {
	.name = "fuzz", .kind = FWH_KIND_USB, .enumerate = fake_enumerate, .open = fake_open,
	.close = fake_close, .describe = fake_describe, .max_transfer = fake_max_transfer,
	.request = fake_request,
};

static fws_err fake_open(const fwh_dev_id *id, const fwh_link_opts *opts, fwh_link **out,
                         fwh_error *err)
{
	if (in_left < 3)
		return fwh_error_set(err, FWS_E_NO_DEVICE, "No device.");
	fwh_link *l = calloc(1, sizeof *l);
	if (!l)
		abort();
	l->ops = &fake_ops;
	l->id = *id;
	l->opts = *opts;
	*out = l;
	return FWS_OK;
}

static fwh_package pkg;
static bool have_pkg;

/* One small signed package (two 256-byte blocks), verified once. */
static void init_pkg(void)
{
	test_key k;
	fws_trust t;
	test_pkg p;
	char path[] = "/tmp/fuzz-usb-device-XXXXXX";
	uint8_t *img = test_image(400, 7);
	test_pkg_opts o = { .block_size = 256, .with_suffix = 1, .keys = { &k } };

	test_key_generate(&k, 77);
	test_trust_one(&t, &k, 0);
	test_pkg_build(&p, img, 400, &o);
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, p.data, p.len) != (ssize_t)p.len)
		abort();
	close(fd);
	if (fwh_package_open(&pkg, path, &t, NULL) != FWS_OK)
		abort();
	unlink(path); /* the package keeps its fd */
	test_pkg_free(&p);
	test_key_free(&k);
	free(img);
	have_pkg = true;
}

static void check_error(fws_err e, const fwh_error *err)
{
	if (e != FWS_OK && (err->code != e || err->msg[0] == '\0'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fwh_dev_id id = { .kind = FWH_KIND_USB };
	fwh_link *l = NULL;
	fwh_error err;
	fwh_dfu_status st;
	fws_devinfo info;
	static fwh_flash_result res;
	fwh_flash_opts o = { .restart_timeout_ms = 1 };

	if (!have_pkg)
		init_pkg();
	in = data;
	in_left = size;
	if (fake_open(&id, &(fwh_link_opts){ 0 }, &l, NULL) != FWS_OK)
		return 0;

	memset(&err, 0, sizeof err);
	check_error(fwh_dfu_getstatus(l, &st, &err), &err);
	memset(&err, 0, sizeof err);
	check_error(fwh_dfu_info(l, &info, &err), &err);

	memset(&err, 0, sizeof err);
	fws_err e = fwh_flash(&l, &pkg, &o, &res, &err);
	check_error(e, &err);
	if (e == FWS_OK && strcmp(res.after.fw_version, pkg.manifest.version) != 0)
		abort();
	fwh_close(l);
	return 0;
}
