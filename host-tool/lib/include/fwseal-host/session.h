/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/session.h - updating one device, written once for every
 * transport:
 *
 *   fwh_package_open()    verify the package on the host (package.h)
 *   fwh_dfu_info()        read the device-info record (dfu_client.h)
 *   fwh_preflight()       package vs. device: model, hardware revision,
 *                         vendor/class, component, security counter, size,
 *                         block size, signing key; no byte is sent if it fails
 *   fwh_plan_make()       what will change (for a confirmation prompt)
 *   fwh_flash()           download (resuming an interrupted one of the same
 *                         package), manifest, reset, wait until the device
 *                         runs the new version
 *
 * Every wait is bounded; progress and cancellation go through fwh_flash_opts.
 * The library never prints and never exits.
 */
#ifndef FWSEAL_HOST_SESSION_H
#define FWSEAL_HOST_SESSION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "fwseal/devinfo.h"
#include "fwseal-host/error.h"
#include "fwseal-host/package.h"
#include "fwseal-host/transport.h"

/* Check the package against the device before anything is sent. Returns
 * the first refusal (FWS_E_MODEL, FWS_E_HW_REV, FWS_E_VENDOR,
 * FWS_E_COMPONENT, FWS_E_DOWNGRADE, FWS_E_TOO_BIG, FWS_E_BLOCK_SIZE,
 * FWS_E_UNTRUSTED_KEY, FWS_E_REVOKED_KEY) with a sentence naming both sides. */
fws_err fwh_preflight(const fwh_package *pkg, const fws_devinfo *dev, fwh_error *err);

/* The same checks but the signing key, on a manifest alone: `fwseal verify
 * --model/--hw-rev/--min-counter` passes a record with only those fields set
 * (an empty vendor, class, component, version or zero size is not checked),
 * so both commands refuse in one wording (docs/messages.md). */
fws_err fwh_policy_check(const fws_manifest *m, const fws_devinfo *dev, fwh_error *err);

/* The part of fwh_preflight for compressed and delta packages: the device
 * lists the encoding (FWS_E_ENCODING_UNSUPPORTED), decodes its block size
 * (FWS_E_BLOCK_SIZE), and for a delta runs the version it was made from
 * (FWS_E_BASE). FWS_OK for a plain package. */
fws_err fwh_preflight_encoding(const fwh_package *pkg, const fws_devinfo *dev, fwh_error *err);

/* FWS_E_BASE as people need it: "This update needs version X on the device
 * (it runs Y); install the full package." dev may be NULL. */
fws_err fwh_base_refusal(const fwh_package *pkg, const fws_devinfo *dev, fwh_error *err);

typedef struct fwh_plan {
	char from_version[FWS_VERSION_MAX + 1]; /* "" when the device runs nothing */
	char to_version[FWS_VERSION_MAX + 1];
	bool same_version;       /* re-installing what runs */
	bool resume;             /* an interrupted download of this package continues */
	uint64_t resume_offset;
	uint64_t bytes;          /* stream bytes still to send */
} fwh_plan;

void fwh_plan_make(const fwh_package *pkg, const fws_devinfo *dev, fwh_plan *plan);

enum fwh_phase {
	FWH_PHASE_PREPARE = 0,   /* bringing the device to dfuIDLE, resume check */
	FWH_PHASE_DOWNLOAD,      /* sending the package */
	FWH_PHASE_MANIFEST,      /* device checks the whole image and commits */
	FWH_PHASE_RESTART,       /* device restarting */
	FWH_PHASE_WAIT,          /* waiting for the new firmware to report */
	FWH_PHASE_DONE,
};
const char *fwh_phase_name(enum fwh_phase p); /* "prepare", "download", ... */

typedef struct fwh_progress {
	enum fwh_phase phase;
	uint64_t done;           /* stream bytes the device has taken (incl. resumed) */
	uint64_t total;          /* stream bytes in all */
	double rate;             /* bytes/s sent in this run, 0 until known */
	double eta;              /* seconds left, < 0 when unknown */
	bool resumed;
	uint64_t resume_offset;
} fwh_progress;

typedef void (*fwh_progress_fn)(void *user, const fwh_progress *p);

typedef struct fwh_flash_opts {
	fwh_progress_fn progress;      /* may be NULL; called at most ~10 times/s in
	                                  DOWNLOAD, and at every phase change */
	void *user;
	const atomic_int *cancel;      /* non-zero: stop at the next request boundary
	                                  (FWS_E_CANCELLED; the device keeps its resume
	                                  point and its old firmware) */
	uint32_t restart_timeout_ms;   /* for the device to come back; 0 = 30 s */
	bool no_resume;                /* always start from the beginning */
	const fws_devinfo *info;       /* the device's record as the caller just read
	                                  it on this link (saves a round trip), or
	                                  NULL: the session reads it */
} fwh_flash_opts;

typedef struct fwh_flash_result {
	bool resumed;
	uint64_t resume_offset;
	uint64_t sent;                 /* stream bytes sent in this run */
	double seconds;                /* whole run */
	bool interrupted;              /* link lost or cancelled mid-way: run again to resume */
	bool confirmed;                /* the new firmware confirmed itself */
	fws_devinfo after;             /* the record after the restart (on success) */
	bool sent_all;                 /* the whole stream went out (package_sha256 set) */
	uint8_t package_sha256[FWS_SHA256_LEN]; /* of the package as sent: every stream
	                                  byte re-read and re-verified while sending
	                                  (fwh_pkg_stream), plus the checked DFU
	                                  suffix; equals pkg->file_sha256, or the
	                                  session stops before the device installs */
} fwh_flash_result;

/* Flash pkg to the device on *link. The link is closed and reopened around
 * the device's restart, so *link may change (it is NULL if reopening
 * failed). Success means the device reported the package's version running.
 * Link failures during the transfer set result->interrupted. Every byte sent
 * is re-read from the file and verified against the prefix checked by
 * fwh_package_open first (fwh_pkg_stream); a file changed since is an error
 * (FWS_E_BLOCK_DIGEST / FWS_E_TRUNCATED) and nothing of the change is sent. */
fws_err fwh_flash(fwh_link **link, const fwh_package *pkg, const fwh_flash_opts *opts,
                  fwh_flash_result *result, fwh_error *err);

#endif /* FWSEAL_HOST_SESSION_H */
