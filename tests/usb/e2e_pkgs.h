/* SPDX-License-Identifier: Apache-2.0 */
/*
 * e2e_pkgs.h - the hostile packages of test_usb_e2e, built at test time next
 * to the fixture's (usb_fixture.h), plus a trust store in which the
 * fixture's key is trusted and a second key is revoked. Every package is
 * version 3.0.0 / counter 3 for FW-TEST-1 (an upgrade from the fixture's v2)
 * unless its name says what is wrong with it.
 */
#ifndef FWSEAL_TEST_E2E_PKGS_H
#define FWSEAL_TEST_E2E_PKGS_H

#include <stddef.h>
#include <stdint.h>

#include "usb_fixture.h"

#define E2E_BLOCK 1024u           /* test_pkg's default block size */
#define E2E_TAMPERED_BLOCK 12u    /* the block with a flipped byte (of 25) */

struct e2e_pkgs {
	char trust[USB_FIX_PATH_MAX];     /* fixture key trusted + E2E revoked key */
	char v3[USB_FIX_PATH_MAX];        /* valid: the base of the hostile sequences */
	char tampered[USB_FIX_PATH_MAX];  /* a byte of block E2E_TAMPERED_BLOCK flipped */
	char bad_sig[USB_FIX_PATH_MAX];   /* a bit of the signature flipped */
	char wrong_key[USB_FIX_PATH_MAX]; /* signed by a key the device does not know */
	char revoked[USB_FIX_PATH_MAX];   /* signed by the revoked key */
	char hw_rev[USB_FIX_PATH_MAX];    /* for hardware revisions 2..3 (device: 1) */
	char oversize[USB_FIX_PATH_MAX];  /* image larger than a slot of the 4 MiB flash */
	char trailing[USB_FIX_PATH_MAX];  /* v3 with bytes after its last block */
	uint8_t tampered_block[E2E_BLOCK]; /* the block as tampered (must never be in flash) */
	uint8_t good_block[E2E_BLOCK];     /* the block before it (reached flash) */
};

/* Write them all into dir (the fixture's folder). Aborts on failure. */
void e2e_pkgs_make(struct e2e_pkgs *p, const char *dir);

#endif
