/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_client_wrongdir.c - the test client's `wrongdir` action: every DFU
 * and fwseal request sent to the device in the direction it does not take
 * (bmRequestType 0x21 for a request that answers, 0xA1 for one that does
 * not), on both alternate settings, with plain libusb control transfers as
 * a hostile host writes them from docs/usb.md alone. Each must STALL and
 * leave the device in dfuERROR / errSTALLEDPKT, from which CLRSTATUS brings
 * it back; nothing is reset, and the info record still names the same
 * firmware, counter and boot state afterwards. The case that started it (issue 16): UPLOAD host-to-device on
 * the info alternate setting was ACKed and ran memcpy(NULL, ..., 0).
 * Exit CLIENT_OK when all of that holds.
 */
#include <stdio.h>
#include <string.h>

#include <libusb.h>

#include "fwseal/devinfo.h"
#include "fwseal/dfu.h"
#include "usb_client_int.h"

/* provided by the host library (usb_dev.c): the process's libusb context */
libusb_context *fws_usb_context(void);

#define TIMEOUT_MS 2000u

struct dfu_dev {
	libusb_device_handle *h;
	uint8_t iface;
};

/* The first device with a DFU-mode interface (class FE/01, protocol 2). */
static int open_dfu(struct dfu_dev *d)
{
	libusb_context *ctx = fws_usb_context();
	libusb_device **list = NULL;
	ssize_t n = ctx ? libusb_get_device_list(ctx, &list) : -1;
	int rc = CLIENT_FAIL;

	for (ssize_t i = 0; i < n && rc != CLIENT_OK; i++) {
		struct libusb_config_descriptor *cfg = NULL;
		if (libusb_get_active_config_descriptor(list[i], &cfg) != 0)
			continue;
		for (int k = 0; k < cfg->bNumInterfaces && rc != CLIENT_OK; k++) {
			const struct libusb_interface_descriptor *a = &cfg->interface[k].altsetting[0];
			if (a->bInterfaceClass != FWS_DFU_CLASS || a->bInterfaceSubClass != FWS_DFU_SUBCLASS ||
			    a->bInterfaceProtocol != FWS_DFU_PROTO_DFU_MODE)
				continue;
			if (libusb_open(list[i], &d->h) == 0) {
				d->iface = a->bInterfaceNumber;
				rc = CLIENT_OK;
			}
		}
		libusb_free_config_descriptor(cfg);
	}
	if (list)
		libusb_free_device_list(list, 1);
	if (rc != CLIENT_OK) {
		fprintf(stderr, "usb_client: no DFU-mode device to open\n");
		return rc;
	}
	(void)libusb_set_auto_detach_kernel_driver(d->h, 1);
	if (libusb_claim_interface(d->h, d->iface) != 0) {
		fprintf(stderr, "usb_client: cannot claim the DFU interface\n");
		libusb_close(d->h);
		return CLIENT_FAIL;
	}
	return CLIENT_OK;
}

static int ctl(struct dfu_dev *d, uint8_t type, uint8_t req, uint8_t *buf, uint16_t len)
{
	return libusb_control_transfer(d->h, type, req, 0, d->iface, buf, len, TIMEOUT_MS);
}

/* GETSTATUS the right way; -1 if it fails. */
static int state_of(struct dfu_dev *d, uint8_t *status)
{
	uint8_t st[FWS_DFU_STATUS_LEN];
	if (ctl(d, 0xA1, FWS_DFU_GETSTATUS, st, sizeof st) != (int)sizeof st)
		return -1;
	*status = st[0];
	return st[4];
}

static int check_one(struct dfu_dev *d, uint8_t alt, uint8_t req, bool answers)
{
	uint8_t buf[64] = { 0 }, status = 0;
	/* the wrong way: OUT (with data) for a request that answers, IN for one
	 * that does not */
	uint8_t type = answers ? 0x21 : 0xA1;
	int r = ctl(d, type, req, buf, answers ? 0 : sizeof buf);
	int r_data = answers ? ctl(d, type, req, buf, 8) : LIBUSB_ERROR_PIPE;

	if (r != LIBUSB_ERROR_PIPE || r_data != LIBUSB_ERROR_PIPE) {
		fprintf(stderr, "usb_client: request %u sent as 0x%02x on alt %u: %s, not a STALL\n",
		        req, type, alt, r < 0 ? libusb_error_name(r) : "accepted");
		return CLIENT_FAIL;
	}
	int state = state_of(d, &status);
	if (state != FWS_DFU_ERROR || status != FWS_DFU_ERR_STALLEDPKT) {
		fprintf(stderr, "usb_client: after request %u the wrong way: state %d status %u, "
		                "expected dfuERROR / errSTALLEDPKT\n", req, state, status);
		return CLIENT_FAIL;
	}
	if (ctl(d, 0x21, FWS_DFU_CLRSTATUS, NULL, 0) != 0 || state_of(d, &status) != FWS_DFU_IDLE) {
		fprintf(stderr, "usb_client: CLRSTATUS did not bring the device back to dfuIDLE\n");
		return CLIENT_FAIL;
	}
	return CLIENT_OK;
}

int client_wrongdir(void)
{
	static const struct { uint8_t req; bool answers; } reqs[] = {
		{ FWS_DFU_DETACH, false },    { FWS_DFU_DNLOAD, false },    { FWS_DFU_UPLOAD, true },
		{ FWS_DFU_GETSTATUS, true },  { FWS_DFU_CLRSTATUS, false }, { FWS_DFU_GETSTATE, true },
		{ FWS_DFU_ABORT, false },     { FWS_REQ_INFO, true },       { FWS_REQ_RESUME, false },
		{ FWS_REQ_RESET, false },
	};
	struct dfu_dev d;
	uint8_t before[512], after[512], status = 0;
	int rc = open_dfu(&d);

	if (rc != CLIENT_OK)
		return rc;
	int nb = ctl(&d, 0xA1, FWS_REQ_INFO, before, sizeof before);
	if (nb <= 0 || state_of(&d, &status) != FWS_DFU_IDLE) {
		fprintf(stderr, "usb_client: the device is not in dfuIDLE with an info record\n");
		rc = CLIENT_FAIL;
	}
	for (uint8_t alt = 0; alt <= 1 && rc == CLIENT_OK; alt++) {
		if (libusb_set_interface_alt_setting(d.h, d.iface, alt) != 0) {
			fprintf(stderr, "usb_client: cannot select alternate setting %u\n", alt);
			rc = CLIENT_FAIL;
		}
		for (size_t i = 0; i < sizeof reqs / sizeof reqs[0] && rc == CLIENT_OK; i++)
			rc = check_one(&d, alt, reqs[i].req, reqs[i].answers);
	}
	/* the right way still works: UPLOAD of the info record on alt 1, and
	 * the device is the one it was (LAST_ERROR now names the refusal) */
	if (rc == CLIENT_OK) {
		fws_devinfo a, b;
		int na = ctl(&d, 0xA1, FWS_DFU_UPLOAD, after, sizeof after);
		if (na <= 0 || fws_devinfo_decode(before, (size_t)nb, &b) != FWS_OK ||
		    fws_devinfo_decode(after, (size_t)na, &a) != FWS_OK ||
		    strcmp(a.fw_version, b.fw_version) != 0 || a.security_counter != b.security_counter ||
		    a.boot_state != b.boot_state || a.last_error != FWS_E_INVAL) {
			fprintf(stderr, "usb_client: the info record changed or cannot be read\n");
			rc = CLIENT_FAIL;
		}
	}
	if (rc == CLIENT_OK)
		printf("every request sent the wrong way was stalled\n");
	libusb_release_interface(d.h, d.iface);
	libusb_close(d.h);
	return rc;
}
