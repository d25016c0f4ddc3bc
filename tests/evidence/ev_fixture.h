/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ev_fixture.h - what the evidence tests share: a temp folder with a release
 * package (deterministic test keys, so golden files are stable), its trust
 * store, and golden-file comparison (FWSEAL_UPDATE_GOLDEN=1 rewrites them).
 */
#ifndef FWSEAL_TEST_EV_FIXTURE_H
#define FWSEAL_TEST_EV_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "testkey.h"
#include "testpkg.h"

#define EV_FIX_MODEL "ACME-THERMO-2"
#define EV_FIX_NOW   1767312000 /* 2026-01-02T00:00:00Z: fixed generation time */
/* The dates of examples/release-example.ini, so the example product's
 * published support-period end (2028-12-31) matches. */
#define EV_FIX_RELEASE_DATE 1736899200 /* 2025-01-15 */
#define EV_FIX_SUPPORT_END  1861833600 /* 2028-12-31 */

struct ev_fixture {
	char dir[256];        /* temp folder */
	char pkg[300];        /* release package path */
	char pkg_prev[300];   /* older release (lower counter) */
	char trust[300];      /* trust store: release key, lab test key, revoked key (revoked) */
	char trust_release[300]; /* the release key only */
	char test_key[300];   /* lab test key file (PEM), in the DUT's trust store */
	char revoked_key[300];/* a key the DUT's trust store lists as revoked (PEM) */
	char evidence_key[300]; /* a key only for signing evidence (PEM) */
	char release_key[300];  /* the release key (PEM): must be refused as a lab key */
	test_key release, lab, revoked, evidence;
};

/* The test id in a pack (fails the test when there is none). */
struct ev_pack;
struct ev_test;
const struct ev_test *ev_fixture_test(const struct ev_pack *pk, const char *id);

/* The release facts of examples/release-example.ini (5.3-8 record). */
struct ev_release;
void ev_fixture_release(struct ev_release *r);

/* counter: security counter of the release (the previous one gets counter-1). */
void ev_fixture_setup(struct ev_fixture *f, uint32_t counter);
void ev_fixture_teardown(struct ev_fixture *f);

/* Write a package built with opts (signed by keys in opts) to path. */
void ev_fixture_write_pkg(const char *path, const test_pkg_opts *opts, uint32_t image_seed);

/* Read a file into a NUL-terminated malloc'd string. */
char *ev_fixture_read(const char *path);

/* Compare text with tests/evidence/golden/NAME; with FWSEAL_UPDATE_GOLDEN=1
 * rewrite it instead. The generator's and mbedTLS's version strings are
 * replaced by placeholders first, so a version bump needs no new golden. */
void ev_fixture_golden(const char *name, const char *text, const char *tool_version);

/* malloc'd copy of text with every from replaced by to. */
char *ev_fixture_replace(const char *text, const char *from, const char *to);

/* Path of a file in the source tree (FWSEAL_SRCDIR). */
char *ev_fixture_src(const char *rel);

/* Remove a folder tree the tests made. */
void ev_fixture_rmtree(const char *dir);

#endif
