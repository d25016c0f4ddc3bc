/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_stub_rig.h - an in-process device for the stub tests: the REAL core
 * (device-stub/core) on the REAL posix simulated flash in a temp dir, driven
 * through fws_stub_handle like a hostile host that skips every host check.
 */
#ifndef FWSEAL_TEST_STUB_RIG_H
#define FWSEAL_TEST_STUB_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/encoding.h"
#include "fwseal/stub.h"
#include "posix_hal.h"
#include "testpkg.h"

#define RIG_MODEL "FW-TEST-1"

typedef struct rig {
	char dir[64];
	char path[96];
	fws_posix_dev dev;
	fws_stub stub;
	fws_stub_config cfg;
	uint8_t buf[FWS_ENC_BUF_NEED(4096)]; /* as the firmware: 4 KiB blocks, encoded too */
	test_key key;          /* trusted */
	test_key stranger;     /* not in the trust store */
	test_key revoked;      /* in the trust store, revoked */
	fws_boot_result boot;
	uint32_t defects;
	uint16_t xfer_size;     /* 0: 4096; the serial face takes FWS_FRAME_PAYLOAD_MAX */
	uint8_t dl_flags;       /* FWS_DL_* the device reports */
} rig;

/* A fresh device (erased flash of flash_size bytes) holding only the stub. */
rig *rig_new(uint32_t flash_size);
/* The same with another sector size (small sectors: more erases, more
 * journal sector switches per update). */
rig *rig_new_geom(uint32_t flash_size, uint32_t sector_size);
void rig_free(rig *r);

/* Power on: init + boot; the application confirms itself if confirm. */
fws_err rig_power_on(rig *r, bool confirm);

/* One request. */
fws_err rig_req(rig *r, uint8_t request, uint8_t alt, const void *data, size_t len,
                uint8_t *resp, size_t cap, size_t *rlen);
/* GETSTATUS: returns bStatus, *state gets bState. */
uint8_t rig_status(rig *r, uint8_t *state);

/* Send bytes [from, to) of a stream as DNLOADs of chunk bytes, each followed
 * by GETSTATUS (DFU 1.1 order). Returns the first failure. */
fws_err rig_send(rig *r, const uint8_t *pkg, size_t from, size_t to, size_t chunk);
/* Zero-length DNLOAD + GETSTATUS until dfuIDLE (manifestation). */
fws_err rig_finish(rig *r);
/* Whole download: send everything, then finish. */
fws_err rig_download(rig *r, const uint8_t *pkg, size_t len, size_t chunk);

/* Build a package signed by k for image (model RIG_MODEL, hw rev 1). */
void rig_pkg(test_pkg *p, const test_key *k, const char *version, uint32_t counter,
             const uint8_t *image, size_t len, uint32_t block_size);

/* The same, encoded (fwseal/encoding.h): FWS_ENC_LZ4, or FWS_ENC_LZ4_DELTA
 * against base (base_len bytes, released as base_version). */
void rig_pkg_enc(test_pkg *p, const test_key *k, const char *version, uint32_t counter,
                 const uint8_t *image, size_t len, uint32_t block_size, uint8_t encoding,
                 const uint8_t *base, size_t base_len, const char *base_version);

/* Stream offset of block i; image bytes a slot holds. */
size_t rig_block_off(size_t prefix_len, uint32_t bs, uint32_t i);
uint32_t rig_slot_cap(const rig *r);

/* Running version ("" in the stub). */
const char *rig_running(const rig *r);

/* Install version with counter on r and confirm it (test precondition). */
void rig_install(rig *r, const char *version, uint32_t counter, size_t image_len);
/* The same with a given image. */
void rig_install_image(rig *r, const char *version, uint32_t counter, const uint8_t *img,
                       size_t len);

#endif /* FWSEAL_TEST_STUB_RIG_H */
