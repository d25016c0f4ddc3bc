/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_client_int.h - what the parts of the test client share (usb_client.c:
 * list / flash / raw; usb_client_hostile.c: refusals and hostile request
 * sequences; usb_client_pull.c: cable pulls). Test code only.
 */
#ifndef FWSEAL_TEST_USB_CLIENT_INT_H
#define FWSEAL_TEST_USB_CLIENT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/trust.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/session.h"
#include "fwseal-host/transport.h"

/* Exit codes of the client (the test asserts on them). */
enum {
	CLIENT_OK = 0,       /* as expected */
	CLIENT_FAIL = 1,     /* not as expected (reason on stderr) */
	CLIENT_USAGE = 2,
	CLIENT_REFUSED = 3,  /* raw / refuse / proto: the device refused */
};

/* Print what failed with the error's sentence; returns CLIENT_FAIL. */
int client_fail(const char *what, const fwh_error *err);

/* The package stream of a .fwseal file without its DFU suffix, as every DFU
 * host sends it (static buffer, 1 MiB: larger files are cut, which is
 * enough for the refusals, all of which come before that). NULL on error. */
const uint8_t *client_read_stream(const char *path, size_t *len);

/* GETSTATUS until the device leaves the busy / sync states (bounded). */
fws_err client_wait_idle(fwh_link *l, fwh_dfu_status *st, fwh_error *err);

/* The device to dfuIDLE the DFU 1.1 way: CLRSTATUS only from dfuERROR, ABORT
 * only from the idle states (anything else is itself a protocol error). */
fws_err client_to_idle(fwh_link *l, fwh_error *err);

/* Send a whole stream as DNLOADs of max_transfer bytes, GETSTATUS after
 * each, and the zero-length DNLOAD at the end. *at: stream offset of the
 * last DNLOAD. The first refusal ends it (err->from_device set). */
fws_err client_send_stream(fwh_link *l, const uint8_t *data, size_t n, size_t *at,
                           fwh_error *err);

/* Open dev, retrying for up to timeout_ms (a device re-enumerating after a
 * reset or a replug is briefly absent), and read its info record. */
fws_err client_reopen(const char *dev, fwh_link **l, fws_devinfo *info, unsigned timeout_ms);

/* The full host session (fwh_flash) with pkg_path; CLIENT_OK when the device
 * ends up running want. opts may be NULL. */
int client_flash(const char *dev, const fws_trust *trust, const char *pkg_path, const char *want,
                 const fwh_flash_opts *opts, fwh_flash_result *res, fws_err *code);

/* Actions (argv after ACTION; see usb_client.c for the list). */
int client_refuse(const char *dev, int argc, char **argv);
int client_proto(const char *dev, int argc, char **argv);
int client_pull(const char *dev, const fws_trust *trust, int argc, char **argv);
/* Every request sent the wrong way must STALL (usb_client_wrongdir.c). */
int client_wrongdir(void);
int client_listener(const char *dev);

#endif
