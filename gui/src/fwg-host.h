/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwg-host.h - the app's only door to libfwseal-host. Everything here blocks
 * (bounded in time by the library) and is called from worker threads
 * (GTask); results come back to the main loop. Library errors (fwh_error)
 * become GErrors in FWG_ERROR with the fws_err code.
 */
#ifndef FWG_HOST_H
#define FWG_HOST_H

#include <gio/gio.h>

#include "fwseal/devinfo.h"
#include "fwseal/trust.h"

G_BEGIN_DECLS

/* A device the library can see but not open, and what fixes it
 * (fwseal-host/transport.h, fwh_unusable). */
typedef struct {
	int why;           /* enum fwh_unusable_why */
	int fix_kind;      /* enum fwh_unusable_fix */
	char *message;     /* the library's sentences (English; the log) */
	char *fix;
	char *command;     /* "" if none */
	char *group;       /* "" if none */
} FwgDeviceProblem;

typedef struct {
	char *id;          /* device string, e.g. serial:/dev/ttyUSB0 */
	fws_devinfo info;  /* zeroed when problem is set */
	FwgDeviceProblem *problem; /* NULL: it answered */
} FwgFoundDevice;

FwgDeviceProblem *fwg_device_problem_copy(const FwgDeviceProblem *p);
void fwg_device_problem_free(FwgDeviceProblem *p);

void fwg_found_device_free(FwgFoundDevice *d);

/* Every device on every transport that answers like a fwseal device (one
 * per unit), and every candidate that could not be opened, with why. */
GPtrArray *fwg_host_enumerate(GError **error);

/* Load the trust store: path, or when NULL/empty the library's default
 * ($FWSEAL_TRUST, $XDG_CONFIG_HOME/fwseal/trust.fwst, /etc/fwseal/trust.fwst).
 * *used_path (may be NULL) gets the file actually read. */
gboolean fwg_host_load_trust(const char *path, fws_trust *out, char **used_path,
                             GError **error);

G_END_DECLS

#endif /* FWG_HOST_H */
