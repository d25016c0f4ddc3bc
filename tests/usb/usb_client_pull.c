/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_client_pull.c - `pull PKG VERSION AT MODE`: the cable goes while the
 * AT-th DNLOAD of a flash is on the wire (the emulated device vanishes and
 * comes back powered anew after the simulator's --replug-ms), the flash must
 * report "interrupted", and then the same command run again must
 *   MODE resume: continue at the device's resume point (or start over when
 *                the device never recorded one) and end on VERSION;
 *   MODE fresh:  start over from byte 0 (no resume) and end on VERSION.
 * Prints "interrupted: SENTENCE", "after the pull the device runs V", then
 * "resumed at N" or "started over".
 *
 * Who pulls: the simulator does, at its --pull-after N-th DFU DNLOAD control
 * transfer. Over usb: the test passes --pull-after AT. Over hid the flash
 * sends its DNLOADs in HID reports, which the simulator does not count, so
 * the test passes --pull-after 1 and this client, when its AT-th DNLOAD is
 * about to go out, sends one DFU DNLOAD on the same device's DFU interface:
 * that transfer pulls the cable (it never reaches the stub) and the HID
 * DNLOAD then meets a device that is gone, as on a real pull.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/dfu.h"
#include "fwseal-host/package.h"
#include "usb_client_int.h"

/* The HID transport with its request wrapped to count DNLOADs. */
static fwh_transport_ops pulling_ops;
static const fwh_transport_ops *real_ops;
static unsigned dnloads, pull_at;

static void pull_cable(void)
{
	fwh_link *usb = NULL;
	const uint8_t byte = 0;

	if (fwh_open("usb", NULL, &usb, NULL) != FWS_OK) {
		fprintf(stderr, "usb_client: cannot open the DFU interface to pull the cable\n");
		return;
	}
	(void)fwh_dfu_dnload(usb, 0, &byte, 1, NULL); /* fails: the device is gone */
	fwh_close(usb);
}

static fws_err pulling_request(fwh_link *l, fwh_request *req, fwh_error *err)
{
	if (req->request == FWS_DFU_DNLOAD && ++dnloads == pull_at)
		pull_cable();
	return real_ops->request(l, req, err);
}

/* The first run: must end interrupted. */
static int interrupted_run(const char *dev, const fwh_package *pkg, unsigned at)
{
	fwh_link *l = NULL;
	fwh_error err = { 0 };
	fwh_flash_opts o = { .restart_timeout_ms = 10000 };
	fwh_flash_result res;

	memset(&res, 0, sizeof res);
	if (fwh_open(dev, NULL, &l, &err) != FWS_OK)
		return client_fail("open", &err);
	if (l->ops->kind == FWH_KIND_HID) {
		real_ops = l->ops;
		pulling_ops = *real_ops;
		pulling_ops.request = pulling_request;
		pull_at = at;
		l->ops = &pulling_ops;
	}
	fws_err e = fwh_flash(&l, pkg, &o, &res, &err);
	fwh_close(l);
	if (e == FWS_OK || !res.interrupted) {
		fprintf(stderr, "usb_client: the cable pull at DNLOAD %u did not interrupt the flash "
		        "(%s: %s)\n", at, fws_err_name(e), err.msg);
		return CLIENT_FAIL;
	}
	printf("interrupted: %s\n", err.msg);
	return CLIENT_OK;
}

int client_pull(const char *dev, const fws_trust *trust, int argc, char **argv)
{
	fwh_package pkg;
	fwh_link *l = NULL;
	fwh_error err = { 0 };
	fws_devinfo info;
	fwh_flash_result res;
	fws_err code;

	if (argc != 4 || atoi(argv[2]) < 1 ||
	    (strcmp(argv[3], "resume") != 0 && strcmp(argv[3], "fresh") != 0))
		return CLIENT_USAGE;
	bool fresh = strcmp(argv[3], "fresh") == 0;
	if (fwh_package_open(&pkg, argv[0], trust, &err) != FWS_OK)
		return client_fail("package", &err);
	int rc = interrupted_run(dev, &pkg, (unsigned)atoi(argv[2]));
	fwh_package_close(&pkg);
	if (rc != CLIENT_OK)
		return rc;

	/* the user plugs the cable back in and runs the command again */
	if (client_reopen(dev, &l, &info, 5000) != FWS_OK)
		return CLIENT_FAIL;
	fwh_close(l);
	printf("after the pull the device runs %s\n", info.fw_version);
	fwh_flash_opts o = { .restart_timeout_ms = 10000, .no_resume = fresh };
	rc = client_flash(dev, trust, argv[0], argv[1], &o, &res, &code);
	if (rc != CLIENT_OK)
		return rc;
	if (res.resumed && (fresh || !info.has_resume || res.resume_offset != info.resume_offset)) {
		fprintf(stderr, "usb_client: resumed at %llu; the device's resume point: %s %u\n",
		        (unsigned long long)res.resume_offset, info.has_resume ? "offset" : "none",
		        (unsigned)info.resume_offset);
		return CLIENT_FAIL;
	}
	if (!res.resumed && !fresh && info.has_resume) {
		fprintf(stderr, "usb_client: started over although the device can resume at %u\n",
		        (unsigned)info.resume_offset);
		return CLIENT_FAIL;
	}
	if (res.resumed)
		printf("resumed at %llu\n", (unsigned long long)res.resume_offset);
	else
		printf("started over\n");
	return CLIENT_OK;
}
