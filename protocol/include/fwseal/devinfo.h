/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal/devinfo.h - the device-info record: what a device tells a host about
 * itself (answer to FWS_REQ_INFO on serial/HID, UPLOAD on the read-only USB
 * alt setting). docs/serial-protocol.md describes the layout; keep in step.
 *
 *   0  4  magic "FWDI"
 *   4  1  version = 1
 *   5  1  reserved, 0
 *   6  2  TLV bytes that follow (u16 LE)
 *   8  .. TLV: tag u16 LE, length u16 LE, value
 *
 * As in the package manifest (pkg.h): tags in ascending order, a tag with
 * bit 15 set is non-critical and skipped when unknown, an unknown critical
 * tag is rejected. Only KEY and SLOT repeat. Text is printable ASCII
 * (0x20..0x7E) without terminator: the host prints it, so a device must not
 * be able to send terminal control sequences.
 *
 * The encoder runs on the device (no allocation), the decoder on the host;
 * the decoder treats the record as hostile input with hard limits.
 */
#ifndef FWSEAL_DEVINFO_H
#define FWSEAL_DEVINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/crypto.h"
#include "fwseal/err.h"
#include "fwseal/pkg.h"
#include "fwseal/trust.h"

#define FWS_DEVINFO_MAGIC    "FWDI"
#define FWS_DEVINFO_VERSION  1u
#define FWS_DEVINFO_HDR_LEN  8u
#define FWS_DEVINFO_MAX      1024u /* whole record; fits one frame/transfer */
/* The most a valid version-1 record encodes to: every optional field present
 * and every text at its longest. A device sizes its answer buffer by this;
 * hosts accept up to FWS_DEVINFO_MAX, which leaves room for later fields.
 * (8 header; 5 u16, 3 u32, 1 i64, 2 u8 fields; model, serial, component,
 * fw_version; 8 keys; 2 slots; stub_version; resume; image SHA-256;
 * crypto_lib; dl_window; trust state; encodings; 4 bytes TLV header each.) */
#define FWS_DEVINFO_ENCODED_MAX 607u
#define FWS_SERIAL_MAX       32u
#define FWS_STUB_VERSION_MAX 32u
#define FWS_CRYPTO_LIB_MAX   32u
#define FWS_DEVINFO_SLOTS    2u

enum fws_devinfo_tag {
	FWS_DI_VENDOR_ID        = 0x0001, /* u16 */
	FWS_DI_CLASS_ID         = 0x0002, /* u16 */
	FWS_DI_MODEL            = 0x0003, /* text 1..32, required */
	FWS_DI_HW_REV           = 0x0004, /* u16, required */
	FWS_DI_SERIAL           = 0x0005, /* text 1..32, required */
	FWS_DI_COMPONENT        = 0x0006, /* text 1..16 */
	FWS_DI_FW_VERSION       = 0x0007, /* text 0..32: running firmware, empty in the stub */
	FWS_DI_SECURITY_COUNTER = 0x0008, /* u32: stored anti-rollback counter, required */
	FWS_DI_SUPPORT_END      = 0x0009, /* i64: support end of the running firmware */
	FWS_DI_KEY              = 0x000A, /* key id (8) | flags u8 (bit0 revoked, bit1 root,
	                                     bit2 release: roles only with TRUST_STATE);
	                                     repeats */
	FWS_DI_SLOT             = 0x000B, /* index u8 | state u8 | flags u8 | counter u32 |
	                                     version text 0..32; repeats, one per slot */
	FWS_DI_MAX_BLOCK        = 0x000C, /* u32: largest package block size accepted */
	FWS_DI_XFER_SIZE        = 0x000D, /* u16: largest DNLOAD/UPLOAD data per request */
	FWS_DI_SLOT_SIZE        = 0x000E, /* u32: largest image a slot holds */
	FWS_DI_STUB_VERSION     = 0x000F, /* text 1..32, required */
	FWS_DI_BOOT_STATE       = 0x0010, /* u8 enum fws_boot_state, required */
	FWS_DI_LAST_ERROR       = 0x0011, /* i16: fws_err of the last failed update, 0 none */
	FWS_DI_RESUME           = 0x0012, /* u32 stream offset | 32-byte SHA-256 of the
	                                     package prefix: an interrupted download */
	/* Non-critical (bit 15): added after version 1 shipped; older hosts
	 * skip them. */
	FWS_DI_IMAGE_SHA256     = 0x8001, /* 32 bytes: SHA-256 of the running image, as
	                                     its verified manifest states it; absent in the stub */
	FWS_DI_SIMULATOR        = 0x8002, /* u8 = 1: this is a simulated device (the posix
	                                     port), not hardware; absent on real devices */
	FWS_DI_CRYPTO_LIB       = 0x8003, /* text 1..32: the crypto library the device
	                                     verifies with, and its version */
	FWS_DI_DL_WINDOW        = 0x8004, /* u8 window | u8 flags (FWS_DL_*): DNLOADs the
	                                     device takes in flight on serial / HID
	                                     (FWS_FRAME_REQ_WINDOW); absent = 1. Later
	                                     versions may append bytes. */
	FWS_DI_TRUST_STATE      = 0x8005, /* u32 trust version | 32-byte SHA-256 of the
	                                     trust store in force | u8 its root
	                                     threshold (docs/trust.md) */
	FWS_DI_ENCODINGS        = 0x8006, /* u32 largest block size of an encoded package |
	                                     u8 payload encodings it decodes, ascending
	                                     (fwseal/encoding.h); absent: none */
};
#define FWS_DI_KEY_ROOT    0x02u /* FWS_TRUST_ROOT */
#define FWS_DI_KEY_RELEASE 0x04u /* FWS_TRUST_RELEASE */

/* FWS_DI_DL_WINDOW flags */
#define FWS_DL_UNIT_CHUNKS 0x01u /* the device receives DNLOAD data straight into
                                    its block buffer: a DNLOAD must not carry bytes
                                    of two package units (the prefix; one block
                                    with its next digest), docs/serial-protocol.md */

enum fws_slot_state {
	FWS_SLOT_EMPTY = 0,     /* erased / nothing */
	FWS_SLOT_RECEIVING = 1, /* a download is being written here */
	FWS_SLOT_STAGED = 2,    /* verified, waiting to be committed / test-booted */
	FWS_SLOT_TESTING = 3,   /* booted once, not yet confirmed */
	FWS_SLOT_CONFIRMED = 4, /* verified and confirmed */
	FWS_SLOT_INVALID = 5,   /* failed verification or reverted */
};
#define FWS_SLOT_FLAG_ACTIVE 0x01u /* the slot the device boots / runs */

enum fws_boot_state {
	FWS_BOOT_APP = 0,  /* running the application */
	FWS_BOOT_STUB = 1, /* waiting in the stub for an update */
};

typedef struct fws_devinfo_key {
	uint8_t id[FWS_KEY_ID_LEN];
	uint8_t flags; /* FWS_TRUST_REVOKED | FWS_DI_KEY_ROOT | FWS_DI_KEY_RELEASE */
} fws_devinfo_key;

typedef struct fws_devinfo_slot {
	bool present;
	uint8_t state;   /* enum fws_slot_state */
	uint8_t flags;   /* FWS_SLOT_FLAG_* */
	uint32_t security_counter;
	char version[FWS_VERSION_MAX + 1];
} fws_devinfo_slot;

/* Decoded record; the encoder takes the same struct. Strings are NUL
 * terminated; an empty string means "absent" for optional text. */
typedef struct fws_devinfo {
	uint16_t vendor_id;
	uint16_t class_id;
	char model[FWS_MODEL_MAX + 1];
	uint16_t hw_rev;
	char serial[FWS_SERIAL_MAX + 1];
	char component[FWS_COMPONENT_MAX + 1];
	char fw_version[FWS_VERSION_MAX + 1];
	uint32_t security_counter;
	int64_t support_end;  /* 0: unknown */
	fws_devinfo_key keys[FWS_TRUST_MAX];
	uint8_t key_count;
	fws_devinfo_slot slots[FWS_DEVINFO_SLOTS]; /* by slot index */
	uint32_t max_block;   /* 0: unknown */
	uint16_t xfer_size;   /* 0: unknown */
	uint32_t slot_size;   /* 0: unknown */
	char stub_version[FWS_STUB_VERSION_MAX + 1];
	uint8_t boot_state;   /* enum fws_boot_state */
	int16_t last_error;   /* fws_err */
	bool has_resume;
	uint32_t resume_offset;
	uint8_t resume_prefix_sha256[FWS_SHA256_LEN];
	bool has_image_sha256;  /* the device runs a verified image */
	uint8_t image_sha256[FWS_SHA256_LEN];
	bool simulator;         /* the device says it is a simulation */
	char crypto_lib[FWS_CRYPTO_LIB_MAX + 1]; /* "": not reported */
	uint8_t dl_window;      /* 0: not reported (one DNLOAD at a time) */
	uint8_t dl_flags;       /* FWS_DL_* */
	bool has_trust_state; /* a device with trust updates (docs/trust.md) */
	uint32_t trust_version;
	uint8_t trust_sha256[FWS_SHA256_LEN];
	uint8_t trust_threshold; /* root keys a trust update must carry */
	uint32_t encodings;     /* bit e: decodes encoding e (1..31); 0: none or unknown */
	uint32_t enc_max_block; /* largest block size of an encoded package it takes */
} fws_devinfo;

/* Encode (device side). Checks every limit (text lengths and characters,
 * counts); FWS_E_NOMEM if cap is too small, FWS_E_INVAL / FWS_E_LIMIT on a
 * bad field. FWS_DEVINFO_MAX always suffices for a valid record. */
fws_err fws_devinfo_encode(const fws_devinfo *in, uint8_t *out, size_t cap, size_t *out_len);

/* Decode (host side). len may not exceed FWS_DEVINFO_MAX. Errors:
 * FWS_E_MAGIC, FWS_E_FORMAT_VERSION, FWS_E_TRUNCATED, FWS_E_TRAILING,
 * FWS_E_MANIFEST (malformed TLV: order, length, text), FWS_E_CRITICAL,
 * FWS_E_LIMIT, FWS_E_MISSING_FIELD. */
fws_err fws_devinfo_decode(const uint8_t *buf, size_t len, fws_devinfo *out);

const char *fws_slot_state_name(uint8_t state);  /* "empty", ..., "unknown" */
const char *fws_boot_state_name(uint8_t state);  /* "application", "stub", "unknown" */

#endif /* FWSEAL_DEVINFO_H */
