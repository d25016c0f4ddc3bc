/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_client.c - the host side of test_usb_e2e, run by the test under
 * `fwseal-sim ... --usb -- test-usb-e2e --client DEVICE TRUST ACTION ARGS`
 * with libfwseal-host, so the same code drives usb:, hid: (and serial:)
 * devices. Actions:
 *   list                   print the device string of every device found
 *   flash PKG VERSION      the full session; the device must end up running VERSION
 *   raw PKG                send PKG with no host check (a hostile host): exit 0 if
 *                          the device took it all, 3 if it refused (detail printed)
 *   pull PKG VERSION       flash, expect the link to break (cable pull), open the
 *                          device again and flash again: must resume and end on VERSION
 * Exit: 0 as expected, 1 not as expected, 3 refused (raw).
 */
#include "usb_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fwseal/dfu.h"
#include "fwseal/pkg.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/package.h"
#include "fwseal-host/session.h"
#include "fwseal-host/transport.h"

static void on_found(void *user, const char *device, const fws_devinfo *info)
{
	(void)user;
	printf("%s %s %s %s\n", device, info->model, info->serial, info->fw_version);
}

static int fail(const char *what, const fwh_error *err)
{
	fprintf(stderr, "usb_client: %s: %s (%s)\n", what, err->msg, fws_err_name(err->code));
	return 1;
}

static int flash(const char *dev, const fws_trust *trust, const char *pkg_path, const char *want,
                 fwh_flash_result *res, fws_err *code)
{
	fwh_package pkg;
	fwh_link *l = NULL;
	fwh_error err = { 0 };
	fwh_flash_opts o = { .restart_timeout_ms = 10000 };
	int rc = 1;

	memset(res, 0, sizeof *res);
	*code = fwh_package_open(&pkg, pkg_path, trust, &err);
	if (*code != FWS_OK)
		return fail("package", &err);
	*code = fwh_open(dev, NULL, &l, &err);
	if (*code == FWS_OK)
		*code = fwh_flash(&l, &pkg, &o, res, &err);
	if (*code != FWS_OK)
		fail("flash", &err);
	else if (strcmp(res->after.fw_version, want) != 0)
		fprintf(stderr, "usb_client: runs '%s', expected '%s'\n", res->after.fw_version, want);
	else
		rc = 0;
	fwh_close(l);
	fwh_package_close(&pkg);
	return rc;
}

static fws_err wait_idle(fwh_link *l, fwh_dfu_status *st, fwh_error *err)
{
	for (int i = 0; i < 1000; i++) {
		fws_err e = fwh_dfu_getstatus(l, st, err);
		if (e != FWS_OK)
			return e;
		if (st->state != FWS_DFU_DNBUSY && st->state != FWS_DFU_DNLOAD_SYNC &&
		    st->state != FWS_DFU_MANIFEST_SYNC && st->state != FWS_DFU_MANIFEST)
			return FWS_OK;
		struct timespec t = { 0, (long)(st->poll_ms ? st->poll_ms : 1) * 1000000L };
		nanosleep(&t, NULL);
	}
	return FWS_E_TIMEOUT;
}

/* The stream of the file as any DFU host sends it: no host-side checks. */
static int raw(const char *dev, const char *pkg_path)
{
	FILE *f = fopen(pkg_path, "rb");
	fwh_link *l = NULL;
	fwh_error err = { 0 };
	fwh_dfu_status st;
	static uint8_t data[1 << 20];
	size_t n = f ? fread(data, 1, sizeof data, f) : 0;

	if (f)
		fclose(f);
	if (n <= FWS_PKG_SUFFIX_LEN)
		return 1;
	n -= FWS_PKG_SUFFIX_LEN;
	if (fwh_open(dev, NULL, &l, &err) != FWS_OK)
		return fail("open", &err);
	/* to dfuIDLE the DFU 1.1 way: CLRSTATUS only from dfuERROR, ABORT only
	 * from the idle states (anything else is a protocol error) */
	if (fwh_dfu_getstatus(l, &st, &err) != FWS_OK)
		return fail("getstatus", &err);
	if (st.state == FWS_DFU_ERROR)
		(void)fwh_dfu_clrstatus(l, NULL);
	else if (st.state == FWS_DFU_DNLOAD_IDLE || st.state == FWS_DFU_UPLOAD_IDLE)
		(void)fwh_dfu_abort(l, NULL);
	size_t chunk = l->ops->max_transfer(l), off = 0;
	uint16_t block = 0;
	int rc = 0;
	for (; off <= n && rc == 0; block++) {
		size_t k = n - off < chunk ? n - off : chunk; /* k == 0: end of download */
		fws_err e = fwh_dfu_dnload(l, block, data + off, k, &err);
		if (e == FWS_OK)
			e = wait_idle(l, &st, &err);
		if (e == FWS_OK && (st.status != FWS_DFU_OK || st.state == FWS_DFU_ERROR))
			e = fwh_dfu_status_error(&st, "the download", &err);
		if (e != FWS_OK) {
			printf("refused at %zu: %s\n", off, fws_err_name(err.detail ? err.detail : e));
			rc = err.from_device ? 3 : 1;
		}
		if (k == 0)
			break;
		off += k;
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
		return 2;
	const char *dev = argv[0], *action = argv[2];
	if (fwh_trust_load(argv[1], &trust, &err) != FWS_OK)
		return fail("trust", &err);
	if (strcmp(action, "list") == 0)
		return fwh_enumerate(on_found, NULL, &err) == FWS_OK ? 0 : fail("list", &err);
	if (strcmp(action, "flash") == 0 && argc == 5)
		return flash(dev, &trust, argv[3], argv[4], &res, &code);
	if (strcmp(action, "raw") == 0 && argc == 4)
		return raw(dev, argv[3]);
	if (strcmp(action, "pull") == 0 && argc == 5) {
		if (flash(dev, &trust, argv[3], argv[4], &res, &code) == 0 || !res.interrupted) {
			fprintf(stderr, "usb_client: the cable pull did not interrupt the flash (%s)\n",
			        fws_err_name(code));
			return 1;
		}
		/* the user plugs the cable back in and runs the command again */
		fwh_link *l = NULL;
		for (int i = 0; i < 250 && fwh_open(dev, NULL, &l, NULL) != FWS_OK; i++) {
			struct timespec t = { 0, 20 * 1000 * 1000 };
			nanosleep(&t, NULL);
		}
		fwh_close(l);
		int rc = flash(dev, &trust, argv[3], argv[4], &res, &code);
		if (rc == 0 && !res.resumed) {
			fprintf(stderr, "usb_client: the second run started over instead of resuming\n");
			return 1;
		}
		printf("resumed at %llu\n", (unsigned long long)res.resume_offset);
		return rc;
	}
	return 2;
}
