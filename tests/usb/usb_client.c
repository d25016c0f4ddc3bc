/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_client.c - the host side of test_usb_e2e, run by the test under
 * `fwseal-sim ... --usb -- test-usb-e2e --client DEVICE TRUST ACTION ARGS`
 * (or directly against the simulator's pty for serial) with libfwseal-host,
 * so the same code drives usb:, hid: and serial: devices. Actions:
 *   list                   print the device string of every device found
 *   flash PKG VERSION      the full session; the device must end up running VERSION
 *   raw PKG                send PKG with no host check (a hostile host): exit 0 if
 *                          the device took it all, 3 if it refused (detail printed)
 *   refuse PKG OLD         raw, and the device must keep OLD (usb_client_hostile.c)
 *   proto CASE PKG OLD     a hostile request sequence (usb_client_hostile.c)
 *   pull PKG VERSION AT MODE
 *                          a cable pull at the AT-th DNLOAD, then resume or start
 *                          over (usb_client_pull.c)
 *   listener               one uevent listener kept across list, open and close
 *                          (usb_client_listener.c)
 *   wrongdir               every request sent in the direction it does not take
 *                          is stalled (usb_client_wrongdir.c; usb only)
 * Exit: 0 as expected, 1 not as expected, 2 usage, 3 refused as expected.
 */
#include "usb_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fwseal/dfu.h"
#include "fwseal/pkg.h"
#include "fwseal-host/package.h"
#include "usb_client_int.h"

static void on_found(void *user, const char *device, const fws_devinfo *info)
{
	(void)user;
	printf("%s %s %s %s\n", device, info->model, info->serial, info->fw_version);
}

int client_fail(const char *what, const fwh_error *err)
{
	fprintf(stderr, "usb_client: %s: %s (%s)\n", what, err->msg, fws_err_name(err->code));
	return CLIENT_FAIL;
}

static void sleep_ms(unsigned ms)
{
	struct timespec t = { (time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L };
	nanosleep(&t, NULL);
}

const uint8_t *client_read_stream(const char *path, size_t *len)
{
	static uint8_t data[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(data, 1, sizeof data, f) : 0;

	if (f)
		fclose(f);
	if (n <= FWS_PKG_SUFFIX_LEN)
		return NULL;
	/* a file cut at the buffer has no suffix left in it: keep every byte */
	*len = n == sizeof data ? n : n - FWS_PKG_SUFFIX_LEN;
	return data;
}

fws_err client_wait_idle(fwh_link *l, fwh_dfu_status *st, fwh_error *err)
{
	for (int i = 0; i < 1000; i++) {
		fws_err e = fwh_dfu_getstatus(l, st, err);
		if (e != FWS_OK)
			return e;
		if (st->state != FWS_DFU_DNBUSY && st->state != FWS_DFU_DNLOAD_SYNC &&
		    st->state != FWS_DFU_MANIFEST_SYNC && st->state != FWS_DFU_MANIFEST)
			return FWS_OK;
		sleep_ms(st->poll_ms ? st->poll_ms : 1u);
	}
	return fwh_error_set(err, FWS_E_TIMEOUT, "The device stayed busy.");
}

fws_err client_to_idle(fwh_link *l, fwh_error *err)
{
	fwh_dfu_status st;
	fws_err e = fwh_dfu_getstatus(l, &st, err);

	if (e != FWS_OK)
		return e;
	if (st.state == FWS_DFU_ERROR)
		return fwh_dfu_clrstatus(l, err);
	if (st.state == FWS_DFU_DNLOAD_IDLE || st.state == FWS_DFU_UPLOAD_IDLE)
		return fwh_dfu_abort(l, err);
	return FWS_OK;
}

fws_err client_reopen(const char *dev, fwh_link **l, fws_devinfo *info, unsigned timeout_ms)
{
	fwh_error err = { 0 };
	fws_err e = FWS_E_NO_DEVICE;

	for (unsigned waited = 0; waited <= timeout_ms; waited += 20u) {
		fwh_close(*l);
		*l = NULL;
		e = fwh_open(dev, NULL, l, &err);
		if (e == FWS_OK)
			e = fwh_dfu_info(*l, info, &err);
		if (e == FWS_OK)
			return FWS_OK;
		sleep_ms(20);
	}
	client_fail("reopen", &err);
	return e;
}

int client_flash(const char *dev, const fws_trust *trust, const char *pkg_path, const char *want,
                 const fwh_flash_opts *opts, fwh_flash_result *res, fws_err *code)
{
	fwh_package pkg;
	fwh_link *l = NULL;
	fwh_error err = { 0 };
	fwh_flash_opts o = { .restart_timeout_ms = 10000 };
	int rc = CLIENT_FAIL;

	if (opts)
		o = *opts;
	memset(res, 0, sizeof *res);
	*code = fwh_package_open(&pkg, pkg_path, trust, &err);
	if (*code != FWS_OK)
		return client_fail("package", &err);
	*code = fwh_open(dev, NULL, &l, &err);
	if (*code == FWS_OK)
		*code = fwh_flash(&l, &pkg, &o, res, &err);
	if (*code != FWS_OK)
		client_fail("flash", &err);
	else if (strcmp(res->after.fw_version, want) != 0)
		fprintf(stderr, "usb_client: runs '%s', expected '%s'\n", res->after.fw_version, want);
	else
		rc = CLIENT_OK;
	fwh_close(l);
	fwh_package_close(&pkg);
	return rc;
}

fws_err client_send_stream(fwh_link *l, const uint8_t *data, size_t n, size_t *at,
                           fwh_error *err)
{
	fwh_dfu_status st;
	size_t chunk = l->ops->max_transfer(l), off = 0;
	uint16_t block = 0;

	for (;; block++) {
		size_t k = n - off < chunk ? n - off : chunk; /* k == 0: end of download */
		fws_err e = fwh_dfu_dnload(l, block, data + off, k, err);
		*at = off;
		if (e == FWS_OK)
			e = client_wait_idle(l, &st, err);
		if (e == FWS_OK && (st.status != FWS_DFU_OK || st.state == FWS_DFU_ERROR))
			e = fwh_dfu_status_error(&st, "the download", err);
		if (e != FWS_OK || k == 0)
			return e;
		off += k;
	}
}

/* The stream of the file as any DFU host sends it: no host-side checks. */
static int raw(const char *dev, const char *pkg_path)
{
	fwh_link *l = NULL;
	fwh_error err = { 0 };
	size_t n = 0, at = 0;
	const uint8_t *data = client_read_stream(pkg_path, &n);

	if (!data)
		return CLIENT_FAIL;
	if (fwh_open(dev, NULL, &l, &err) != FWS_OK)
		return client_fail("open", &err);
	int rc = CLIENT_OK;
	fws_err e = client_to_idle(l, &err);
	if (e != FWS_OK)
		rc = client_fail("to dfuIDLE", &err);
	else if ((e = client_send_stream(l, data, n, &at, &err)) != FWS_OK) {
		printf("refused at %zu: %s\n", at, fws_err_name(err.detail ? err.detail : e));
		rc = err.from_device ? CLIENT_REFUSED : CLIENT_FAIL;
	}
	fwh_close(l);
	return rc;
}

int usb_client_main(int argc, char **argv)
{
	fwh_error err = { 0 };
	fws_trust trust;
	fwh_flash_result res;
	fws_err code;

	if (argc < 3)
		return CLIENT_USAGE;
	const char *dev = argv[0], *action = argv[2];
	if (fwh_trust_load(argv[1], &trust, &err) != FWS_OK)
		return client_fail("trust", &err);
	if (strcmp(action, "list") == 0)
		return fwh_enumerate(on_found, NULL, &err) == FWS_OK ? CLIENT_OK
		                                                     : client_fail("list", &err);
	if (strcmp(action, "flash") == 0 && argc == 5)
		return client_flash(dev, &trust, argv[3], argv[4], NULL, &res, &code);
	if (strcmp(action, "raw") == 0 && argc == 4)
		return raw(dev, argv[3]);
	if (strcmp(action, "refuse") == 0)
		return client_refuse(dev, argc - 3, argv + 3);
	if (strcmp(action, "proto") == 0)
		return client_proto(dev, argc - 3, argv + 3);
	if (strcmp(action, "pull") == 0)
		return client_pull(dev, &trust, argc - 3, argv + 3);
	if (strcmp(action, "listener") == 0 && argc == 3)
		return client_listener(dev);
	if (strcmp(action, "wrongdir") == 0 && argc == 3)
		return client_wrongdir();
	return CLIENT_USAGE;
}
