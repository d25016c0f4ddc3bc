/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/trustchain.h - trust updates on the host (docs/trust.md): check
 * one against a store exactly as a device does (its rules 1-3; rule 4, the
 * images a device runs, is the device's own), and advance a host's store
 * only through a chain of them, each verified against the store before it,
 * as a TUF client walks root metadata.
 */
#ifndef FWSEAL_HOST_TRUSTCHAIN_H
#define FWSEAL_HOST_TRUSTCHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/pkg.h"
#include "fwseal/trust.h"
#include "fwseal-host/error.h"

/* A store with the bytes it was read from (its SHA-256 identifies it). */
typedef struct fwh_trust_file {
	fws_trust t;
	uint8_t blob[FWS_TRUST_BLOB_MAX];
	size_t len;
} fwh_trust_file;

/* Read and check a trust store file. FWS_E_IO (cannot read it) or
 * FWS_E_TRUST_STORE, each with a sentence naming the file. */
fws_err fwh_trust_file_load(const char *path, fwh_trust_file *out, fwh_error *err);

/* A trust update checked against a store. */
typedef struct fwh_trust_update {
	fwh_trust_file next;          /* the new store, as the update carries it */
	uint32_t from_version;        /* of the store it was checked against */
	fws_manifest manifest;
	unsigned sig_count;
	uint8_t signers[FWS_PKG_SIG_MAX][FWS_KEY_ID_LEN]; /* key ids of the signatures */
} fwh_trust_update;

/* Check the trust update package at path against cur: the package itself
 * (the root threshold of cur, every block, the payload digest, the DFU
 * suffix), then the new store: format 2, its version the manifest's
 * counter and above cur's (FWS_E_TRUST_ROLLBACK), usable
 * (FWS_E_TRUST_UNUSABLE), and signed by its own root threshold
 * (FWS_E_THRESHOLD). Not a trust update: FWS_E_CRITICAL. Every error
 * names the file and what is missing. */
fws_err fwh_trust_update_check(const char *path, const fws_trust *cur, fwh_trust_update *out,
                               fwh_error *err);

/* The payload rules on a package file already open and verified against cur
 * (fwseal-host/package.h): the payload is read from fd at prefix_len and
 * checked against the signed digest again before it is used. With
 * newer_than_cur false the version is not compared with cur's: flashing
 * compares it with the device's instead (cur then only vouches for the
 * update's root signatures). */
fws_err fwh_trust_update_payload(int fd, const uint8_t *prefix, size_t prefix_len,
                                 const fws_manifest *m, const fws_trust *cur, bool newer_than_cur,
                                 fwh_trust_update *out, fwh_error *err);

/* Is path a package of kind trust? Looks at its manifest only, trusting
 * nothing (to find candidates); *version = the trust version it claims. */
bool fwh_is_trust_update(const char *path, uint32_t *version);

/* The trust update files (kind trust) in the folder of path, up to cap,
 * as malloc'd paths; returns how many. */
unsigned fwh_trust_updates_near(const char *path, char **out, unsigned cap);

/* The store a trust update package carries and the version it claims,
 * read WITHOUT any check: only to name an update in a message. */
bool fwh_trust_update_peek(const char *path, fwh_trust_file *store);

/* Advance *store through the updates at paths[0..n) taken in any order:
 * again and again, the one with the lowest version above the store's that
 * checks against it. applied[] (n entries) gets the indexes taken, in order;
 * returns how many. Updates that do not check are left, not errors. */
unsigned fwh_trust_walk(fwh_trust_file *store, const char *const paths[], unsigned n,
                        unsigned applied[]);

/* Differences from store a to store b, one short phrase each ("adds release
 * key X", "revokes key Y", "root threshold 1 -> 2", ...). */
typedef void (*fwh_trust_diff_fn)(void *user, const char *phrase);
void fwh_trust_diff(const fws_trust *a, const fws_trust *b, fwh_trust_diff_fn fn, void *user);

/* "root", "release", "root+release" for flags with FWS_TRUST_ROOT/RELEASE. */
const char *fwh_trust_roles_name(uint8_t roles);

#endif /* FWSEAL_HOST_TRUSTCHAIN_H */
