/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal/stub.h - the portable device stub core: the DFU 1.1 device state
 * machine as one transport-neutral request handler, verify-before-write
 * staging, an atomic journal, test-boot / confirm / revert and the boot
 * decision. No OS calls, no allocation, no globals: the platform comes in
 * through fws_hal (fwseal/hal.h), RAM through fws_stub_config.buf.
 *
 * Lifecycle of a port:
 *
 *   fws_stub s;                       // static; sizeof(fws_stub) is all RAM
 *   fws_stub_init(&s, &cfg);          // reads the journal, never writes
 *   fws_stub_boot(&s, &boot);         // verifies and picks the image to run
 *   ... the application runs, calls fws_stub_confirm(&s) once healthy ...
 *   loop: map transport requests onto fws_stub_handle(); when
 *         fws_stub_reset_pending() after an answer, call hal->reset.
 *
 * Transport mapping (docs/device-stub.md, "Requests"):
 *   USB DFU:  bRequest -> req.request, wValue -> req.value, the interface's
 *             alternate setting -> req.alt, OUT data -> req.data/len, wLength
 *             -> cap, bmRequestType bit 7 -> req.dir. A handler error (FWS_E_SEQUENCE etc.) means: STALL the
 *             control pipe. USB bus reset -> treat like FWS_REQ_RESET.
 *   Serial:   fws_stub_serial (fwseal/stub_serial.h) does this itself with
 *             the frames of fwseal/frame.h; its GETSTATUS answers carry the
 *             detail code (fws_err, i32 LE) after the 6 DFU bytes.
 *
 * The handler does the work of a DNLOAD (verify, program) before it returns,
 * so a GETSTATUS that follows reports the outcome; bwPollTimeout tells a
 * host how long the next request may take.
 */
#ifndef FWSEAL_STUB_H
#define FWSEAL_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/devinfo.h"
#include "fwseal/dfu.h"
#include "fwseal/err.h"
#include "fwseal/hal.h"
#include "fwseal/pkg.h"

#define FWS_STUB_VERSION      "0.1.0"
#define FWS_SLOT_NONE         0xFFu

/* Bytes reserved at the start of each slot for the stored, signed package
 * prefix (it states its own length), rounded up to whole sectors by the
 * core; the image starts after it. */
#define FWS_STUB_META_BYTES   (4u + FWS_PKG_PREFIX_MAX)

/* The largest DNLOAD the stub takes on any transport (DFU wTransferSize;
 * usbfs limits a control transfer to 4096 bytes). A DNLOAD longer than
 * fws_stub_xfer_size() is refused (errSTALLEDPKT). */
#define FWS_STUB_XFER_MAX     4096u

/* The DFU functional descriptor bmAttributes this stub implements (DFU 1.1
 * 4.1.3): download, upload of the info record, manifestation tolerant (it
 * answers GETSTATUS after manifestation; a reset then boots the image). */
#define FWS_STUB_DFU_ATTRS (FWS_DFU_ATTR_CAN_DNLOAD | FWS_DFU_ATTR_CAN_UPLOAD | \
                            FWS_DFU_ATTR_MANIFEST_TOLERANT)

/* Alternate settings (interfaces) of the DFU function. */
enum fws_stub_alt {
	FWS_ALT_PACKAGE = 0,  /* DNLOAD takes the package stream */
	FWS_ALT_INFO = 1,     /* read-only: UPLOAD returns the device-info record */
};

/* Planted defects for testing the tests. Honoured only when the core is built
 * with FWS_STUB_DEFECTS (the simulator); a firmware build ignores them. */
enum fws_stub_defect {
	FWS_DEFECT_ACCEPT_DOWNGRADE = 1u << 0, /* skip the security-counter check */
	FWS_DEFECT_SKIP_BLOCK_CHECK = 1u << 1, /* program a block before its check passes */
	FWS_DEFECT_SKIP_HW_REV_CHECK = 1u << 2, /* take any hardware revision range */
	FWS_DEFECT_SKIP_COMPONENT_CHECK = 1u << 3, /* take a package for any component */
	FWS_DEFECT_WRITE_IN_PLACE = 1u << 4,   /* download over the running image (one
	                                          slot, as naive updaters do): any
	                                          interruption leaves nothing to boot */
};

typedef struct fws_stub_identity {
	uint16_t vendor_id;      /* 0: any vendor id accepted */
	uint16_t class_id;       /* 0: any class id accepted */
	const char *model;       /* model designation, must equal the manifest's */
	uint16_t hw_rev;         /* must lie in the manifest's range */
	const char *serial;      /* reported in the device-info record */
	const char *component;   /* NULL or "": any component accepted */
	int64_t now_hint;        /* 0, or seconds since 1970 if the port knows */
	bool simulator;          /* a simulation, not hardware: said in the
	                            device-info record (FWS_DI_SIMULATOR) so no
	                            report can present it as the real device */
} fws_stub_identity;

typedef struct fws_stub_config {
	const fws_hal *hal;
	fws_stub_identity id;
	/* Block buffer: >= max(FWS_PKG_BUF_MIN, largest block + 32). It bounds
	 * the block sizes the device accepts (FWS_E_BLOCK_SIZE otherwise). */
	uint8_t *buf;
	size_t buf_cap;
	uint32_t poll_timeout_ms; /* bwPollTimeout reported while busy */
	uint16_t xfer_size;       /* largest DNLOAD/UPLOAD data per request of the
	                             transport (info record); 0: FWS_STUB_XFER_MAX */
	/* Serial / HID (fwseal/stub_serial.h): the device-info DL_WINDOW field,
	 * 0 to leave it out (a host then sends one DNLOAD at a time). */
	uint8_t dl_window;        /* DNLOADs the link takes in flight, <=
	                             FWS_STUB_SERIAL_WINDOW */
	uint8_t dl_flags;         /* FWS_DL_* (devinfo.h) */
	uint32_t defects;         /* enum fws_stub_defect bits */
} fws_stub_config;

typedef struct fws_stub_slot {
	uint8_t state;                    /* enum fws_slot_state (devinfo.h) */
	uint32_t counter;                 /* security counter, when verified */
	uint32_t image_len;               /* payload bytes, when verified */
	int64_t support_end;
	char version[FWS_VERSION_MAX + 1];
	uint8_t image_sha256[FWS_SHA256_LEN]; /* from the verified manifest */
} fws_stub_slot;

/* Persistent state: one journal record (docs/device-stub.md, "Journal"). */
typedef struct fws_jstate {
	uint32_t seq;
	uint8_t active;          /* confirmed slot, or FWS_SLOT_NONE */
	uint8_t trial;           /* committed slot to test-boot, or FWS_SLOT_NONE */
	uint8_t trial_booted;    /* 1: the trial was started and not confirmed */
	uint8_t dl_slot;         /* slot of an interrupted download, or NONE */
	uint8_t rejected;        /* slot whose test boot was reverted, or NONE:
	                            never adopted by the fallback rule */
	uint32_t counter;        /* anti-rollback counter (security counter) */
	uint32_t dl_block;       /* next block to receive */
	uint32_t dl_prefix_len;
	uint32_t dl_offset;      /* stream offset of block dl_block */
	uint8_t dl_expect[FWS_SHA256_LEN];        /* D(dl_block) */
	uint8_t dl_prefix_digest[FWS_SHA256_LEN]; /* SHA-256 of the prefix */
	uint8_t dl_starts;       /* download starts that may erase flash since the
	                            last completed download (saturates): the
	                            back-off of download.c ("Flash wear") */
} fws_jstate;

enum fws_boot_action {
	FWS_BOOT_RUN = 0,   /* start the image in .slot */
	FWS_BOOT_STAY = 1,  /* nothing verifiable: stay in the stub, wait for update */
};

typedef struct fws_boot_result {
	uint8_t action;      /* enum fws_boot_action */
	uint8_t slot;        /* when RUN */
	bool trial;          /* a test boot: the image must confirm itself */
	bool reverted;       /* an unconfirmed test boot was rolled back */
	uint32_t image_off;  /* flash offset of the image, when RUN */
	uint32_t image_len;
} fws_boot_result;

typedef struct fws_stub {
	fws_stub_config cfg;

	/* journal */
	fws_jstate j;
	uint8_t j_sector;         /* 0/1: sector holding the newest record */
	uint32_t j_next;          /* byte offset of the next free record in it */

	/* slots and the running image */
	fws_stub_slot slot[FWS_HAL_SLOTS];
	uint8_t running;          /* slot started by fws_stub_boot, or NONE */
	uint32_t running_counter;
	uint32_t meta_len;        /* bytes of the metadata area (whole sectors) */

	/* DFU state machine (DFU 1.1 6.1.2) */
	uint8_t state;            /* enum fws_dfu_state */
	uint8_t status;           /* enum fws_dfu_status */
	fws_err last_error;       /* detail of the last failure */
	bool reset_pending;
	uint32_t upload_off;

	/* download in progress */
	fws_pkg_reader rd;
	uint8_t dl_slot;
	bool dl_started;          /* prefix accepted, staging begun */
	bool dl_done;             /* reader reported FWS_PKG_DONE */
	uint32_t erased_upto;     /* image bytes of the staging slot erased (or
	                             holding this download's blocks) */
	uint8_t prefix_digest[FWS_SHA256_LEN];

	/* flash wear (download.c, docs/device-stub.md "Flash wear"): what this
	 * boot already erased for the download the journal names, so starting
	 * it again erases nothing; when the last start that may erase was */
	uint8_t wear;             /* 0: nothing known this boot; 1: wear_erased is
	                             about the journal's download */
	uint32_t wear_erased;     /* its image bytes erased in this boot */
	uint32_t last_start_ms;   /* hal->now_ms() at boot or that start */
	uint32_t backoff_ms;      /* the wait a FWS_E_BUSY refusal asked for */
} fws_stub;

/* Read the journal and set up the state machine (dfuIDLE). Writes nothing.
 * FWS_E_INVAL on a bad configuration (geometry, buffer). */
fws_err fws_stub_init(fws_stub *s, const fws_stub_config *cfg);

/* The boot decision (docs/device-stub.md, "Boot decision"): verify the
 * candidate images, pick one, record test-boot / revert / fallback in the
 * journal, call hal->start_image if set. Never selects an image it could not
 * verify (stored prefix signature + policy + SHA-256 over the flash). */
fws_err fws_stub_boot(fws_stub *s, fws_boot_result *out);

/* Called by (or for) the running image once it is healthy: ends a test boot,
 * makes the slot the active one and only then raises the anti-rollback
 * counter. No-op if the running image is already confirmed. */
fws_err fws_stub_confirm(fws_stub *s);

/* Direction of a request as the transport saw it (USB: bmRequestType bit
 * 7). Serial frames have none: FWS_REQ_DIR_ANY. Every request has one
 * direction (fws_stub_request_dir); one that came the other way is refused
 * (STALL), so an UPLOAD never runs without an answer buffer and a DNLOAD
 * never without its data. */
enum fws_stub_dir {
	FWS_REQ_DIR_ANY = 0, /* the transport has no direction (serial) */
	FWS_REQ_DIR_OUT = 1, /* host to device */
	FWS_REQ_DIR_IN = 2,  /* device to host */
};

/* One request, transport-neutral. */
typedef struct fws_stub_req {
	uint8_t request;     /* enum fws_dfu_request */
	uint8_t alt;         /* enum fws_stub_alt */
	uint16_t value;      /* wValue (block number; ignored by this stub) */
	const uint8_t *data; /* OUT data (DNLOAD, RESUME) */
	size_t len;
	uint8_t dir;         /* enum fws_stub_dir; 0 (ANY) when not given */
	/* DNLOAD only: more data after data[0 .. len), for a transport that
	 * received one request's data in two pieces (fws_frame.payload2) */
	const uint8_t *data2;
	size_t len2;
} fws_stub_req;

/* The direction request takes: FWS_REQ_DIR_IN for those that answer with
 * data (GETSTATUS, GETSTATE, UPLOAD, INFO), FWS_REQ_DIR_OUT for the others. */
uint8_t fws_stub_request_dir(uint8_t request);

/* Handle a request; the answer goes to resp[0 .. *resp_len) (cap = the most
 * the host accepts, wLength). Returns FWS_OK, or the error that made the
 * request fail: the transport then STALLs / answers with an error; the DFU
 * state and status (GETSTATUS) and fws_stub_last_error() say the rest.
 *
 * Answers: GETSTATUS 6 bytes (DFU 1.1 6.1.2); GETSTATE 1 byte; UPLOAD on
 * FWS_ALT_INFO and FWS_REQ_INFO the device-info record (devinfo.h); RESUME
 * with data u32 LE stream offset || SHA-256 of the package prefix (36 bytes,
 * the FWS_DI_RESUME pair of the device-info record), no answer; DNLOADs then
 * carry the stream from that offset on. */
fws_err fws_stub_handle(fws_stub *s, const fws_stub_req *req, uint8_t *resp, size_t cap,
                        size_t *resp_len);

/* Where the data of the next DNLOAD may be received, so it need not be
 * copied (fws_pkg_reader_room): inside the block buffer, after whatever a
 * download in progress holds there; *cap is the room. A transport that
 * receives a DNLOAD's data there passes that pointer as req.data. The room
 * is scratch until the DNLOAD is handled: data of a request that is then
 * refused, repeated or dropped harms nothing. NULL (*cap 0) when a DNLOAD
 * would find no room (the transport then uses its own buffer). */
uint8_t *fws_stub_dnload_room(fws_stub *s, size_t *cap);

/* True once a FWS_REQ_RESET was answered: the port calls hal->reset. */
bool fws_stub_reset_pending(const fws_stub *s);

/* Detail of the last failure: kept after CLRSTATUS so a host can still ask
 * (device-info LAST_ERROR); cleared when the next download starts and at
 * power-on. FWS_OK if none. */
fws_err fws_stub_last_error(const fws_stub *s);

/* Stream offset where an interrupted download can continue (0: none). */
uint32_t fws_stub_resume_offset(const fws_stub *s);

/* Fill the device-info record (what FWS_REQ_INFO encodes). */
void fws_stub_info(const fws_stub *s, fws_devinfo *out);

#define FWS_STUB_RESUME_LEN (4u + FWS_SHA256_LEN)

/* The largest DNLOAD data this device takes per request: cfg.xfer_size as
 * the device-info record reports it (a serial link with FWS_DL_UNIT_CHUNKS
 * takes a whole frame, 4160 bytes), FWS_STUB_XFER_MAX when it is 0. */
uint16_t fws_stub_xfer_size(const fws_stub *s);

/* Map a detail error onto a DFU 1.1 bStatus. */
uint8_t fws_stub_dfu_status(fws_err e);

#endif /* FWSEAL_STUB_H */
