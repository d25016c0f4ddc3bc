/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/error.h - how libfwseal-host reports a failure.
 *
 * Every fallible function returns an fws_err (the one error enum, fwseal/err.h)
 * and, if the caller passes an fwh_error, fills it with the same code plus a
 * sentence a person can act on. Callers add context in front, like fwupd's
 * g_prefix_error ("Cannot flash /dev/ttyUSB0: " + "The device did not ...").
 * When the device itself reported the failure, `detail` is its detail code
 * and `dfu_status` its DFU bStatus (DFU 1.1 6.1.2).
 *
 * The sentence comes twice (docs/translating.md):
 *   - msg:  in English, always: for logs, production records, evidence and
 *           the "message" fields of --json, which read the same everywhere;
 *   - text: the same sentence in the language of the program's locale
 *           (LC_MESSAGES), from the gettext domain "fwseal", for people.
 *           The library never sets a locale or binds the domain: the program
 *           does (the CLI's cli_i18n_init, the app's main()). Without a
 *           translation, or built with -Dnls=disabled, text equals msg.
 * Values put into a sentence (paths, names, the system's strerror text) are
 * the same in both.
 */
#ifndef FWSEAL_HOST_ERROR_H
#define FWSEAL_HOST_ERROR_H

#include <stdbool.h>
#include <stdint.h>

#include "fwseal/err.h"

#if defined(__GNUC__)
#define FWH_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FWH_PRINTF(a, b)
#endif

#define FWH_ERROR_MSG_MAX 512u

typedef struct fwh_error {
	fws_err code;
	bool from_device;   /* the device reported it (detail/dfu_status valid) */
	fws_err detail;     /* device detail code */
	uint8_t dfu_status; /* device bStatus */
	uint32_t poll_ms;   /* device bwPollTimeout with it: how long it asks to
	                       wait (FWS_E_BUSY: before a download may start) */
	char msg[FWH_ERROR_MSG_MAX];  /* English */
	char text[FWH_ERROR_MSG_MAX]; /* the user's language (see above) */
} fwh_error;

/* Set err (may be NULL) to code with a formatted message; returns code.
 * With fmt NULL the message is fws_err_describe(code). fmt is an English
 * msgid of the domain "fwseal" (xgettext keyword fwh_error_set:3, po/). */
fws_err fwh_error_set(fwh_error *err, fws_err code, const char *fmt, ...) FWH_PRINTF(3, 4);

/* Put context in front of the message: "Cannot open X: " + old message
 * (fmt: a msgid, as for fwh_error_set; keyword fwh_error_prefix:2). */
void fwh_error_prefix(fwh_error *err, const char *fmt, ...) FWH_PRINTF(2, 3);

void fwh_error_clear(fwh_error *err);

#endif /* FWSEAL_HOST_ERROR_H */
