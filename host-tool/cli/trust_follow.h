/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trust_follow.h - `fwseal flash` and security key updates (docs/trust.md,
 * "Hosts follow the rotation"): open a package with the host's trust store,
 * advancing that store through the trust updates given (--trust-update) or
 * lying next to the package when the package's signer is not known yet; and
 * messages that name the missing trust update instead of a bare "untrusted
 * key", for the host and for a device that is behind.
 */
#ifndef FWSEAL_TRUST_FOLLOW_H
#define FWSEAL_TRUST_FOLLOW_H

#include <stdbool.h>

#include "cli_msg.h"
#include "cli_util.h"
#include "fwseal/devinfo.h"
#include "fwseal-host/package.h"
#include "fwseal-host/trustchain.h"

#define TRUST_FOLLOW_MAX 32u

typedef struct trust_follow {
	const char *given[TRUST_FOLLOW_MAX]; /* --trust-update FILE */
	unsigned ngiven;
	char *near[TRUST_FOLLOW_MAX];        /* found next to the package */
	unsigned nnear;
	bool near_done;
	char hint[1024];                     /* which trust update is missing */
} trust_follow;

/* Collect --trust-update FILE; false (after a usage message) when too many. */
bool trust_follow_add(const struct cli_ctx *ctx, trust_follow *f, const char *path);
void trust_follow_free(trust_follow *f);

/* Open and verify pkg_path with *host (loaded from host_path). If its signer
 * is unknown to *host, walk the trust updates and, if that leads to a store
 * that verifies it, save that store to host_path (atomically; if it cannot
 * be saved nothing goes on) and open the package with it. For a trust
 * update also check its payload (fwseal-host/trustchain.h) into *tu.
 * Returns -1 with pkg open; TRUST_FOLLOW_ERROR when the package (or the
 * update's payload) is bad or its signer unknown: *err says why, nothing
 * was printed (trust_follow_say_hint() then names the missing update, if
 * that is what it is); else the exit code after saying that the advanced
 * store cannot be saved (also into rep, for --json). */
#define TRUST_FOLLOW_ERROR (-2)
int trust_follow_open(const struct cli_ctx *ctx, trust_follow *f, fwh_package *pkg,
                      const char *pkg_path, fwh_trust_file *host, const char *host_path,
                      fwh_trust_update *tu, fwh_error *err, struct cli_report *rep);

/* "  <which security key update is missing>" on stderr, after the error's
 * own lines, when trust_follow_open() found that; nothing otherwise. */
void trust_follow_say_hint(const trust_follow *f);

/* After the device refused pkg in preflight (err): if it is behind (a
 * firmware signer it does not trust, a trust update it cannot take yet),
 * add which security key update it needs first to err's message. */
void trust_follow_device_hint(trust_follow *f, const char *pkg_path, const fwh_package *pkg,
                              const fws_devinfo *d, const char *device, fwh_error *err);

#endif
