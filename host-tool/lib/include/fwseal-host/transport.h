/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/transport.h - one ops table per way of reaching a device
 * (serial now; USB DFU and HID add theirs), libusb style: the flashing
 * session, progress, resume and error handling above it are written once.
 *
 * A transport moves DFU requests (fwseal/dfu.h, including the fwseal
 * extensions INFO / RESUME / RESET) and their answers; it knows nothing of
 * packages or of the DFU state machine. Every wait inside a transport is
 * bounded.
 *
 * Device strings (what users type, what `fwseal list` prints):
 *   serial:PATH[@BAUD]       a serial port, e.g. serial:/dev/ttyUSB0@921600
 *   usb[:VID:PID[:SERIAL]]   USB DFU (hex VID/PID); bare `usb` = the only one
 *   usb:@BUSPATH             USB DFU on a physical port, e.g. usb:@1-1.2
 *   hid[:VID:PID[:SERIAL]]   USB HID carrying serial frames (also hid:@BUSPATH)
 */
#ifndef FWSEAL_HOST_TRANSPORT_H
#define FWSEAL_HOST_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/devinfo.h"
#include "fwseal/err.h"
#include "fwseal-host/error.h"

enum fwh_kind {
	FWH_KIND_SERIAL = 0,
	FWH_KIND_USB = 1,
	FWH_KIND_HID = 2,
};

#define FWH_PATH_MAX        256u
#define FWH_DEVSTR_MAX      320u
#define FWH_SERIAL_BAUD_DEFAULT 115200u

/* A parsed device string. */
typedef struct fwh_dev_id {
	enum fwh_kind kind;
	char path[FWH_PATH_MAX];          /* serial: the tty; usb/hid: bus path, "" = any */
	uint32_t baud;                    /* serial: 0 = FWH_SERIAL_BAUD_DEFAULT */
	bool has_vid_pid;                 /* usb/hid: VID:PID given */
	uint16_t vid, pid;
	char serial[FWS_SERIAL_MAX + 1];  /* usb/hid: "" = any */
} fwh_dev_id;

/* Parse a device string; FWS_E_INVAL with a sentence on a malformed one. */
fws_err fwh_dev_id_parse(const char *s, fwh_dev_id *out, fwh_error *err);

/* Canonical device string of id (cap >= FWH_DEVSTR_MAX is always enough). */
void fwh_dev_id_format(const fwh_dev_id *id, char *buf, size_t cap);

/* How to talk to a device; zero-initialised means "defaults". */
typedef struct fwh_link_opts {
	bool rtscts;          /* serial: hardware flow control (default off) */
	uint32_t timeout_ms;  /* answer timeout per attempt; 0 = derived from the
	                         baud rate (docs/serial-protocol.md, "Timeouts"),
	                         and then a request also waits out up to 10 s of
	                         silence (serial, HID) before FWS_E_TIMEOUT; set,
	                         the request takes (retries + 1) x timeout_ms */
	unsigned retries;     /* retransmissions after the first try; 0 = 4 */
} fwh_link_opts;

/* One request and its answer. */
typedef struct fwh_request {
	uint8_t request;          /* enum fws_dfu_request */
	uint16_t value;           /* wValue (DNLOAD/UPLOAD block number) */
	const uint8_t *data;      /* host-to-device data (DNLOAD, RESUME) */
	size_t len;
	bool want_status;         /* DNLOAD: ask for the status in the answer
	                             (serial FWS_FRAME_REQ_STATUS; others ignore it) */
	uint8_t *answer;          /* device-to-host data buffer, or NULL */
	size_t answer_cap;        /* = wLength */
	/* results */
	size_t answer_len;
	bool stalled;             /* the device refused the request (STALL) */
} fwh_request;

typedef struct fwh_link fwh_link;
typedef struct fwh_transport_ops fwh_transport_ops;

/* Called by enumerate for each device that answered; info is its record. */
typedef void (*fwh_found_cb)(void *user, const char *device, const fws_devinfo *info);

/* Why enumerate could see a candidate but not talk to it. */
enum fwh_unusable_why {
	FWH_UNUSABLE_PERMISSION = 1, /* no access: a group membership or a udev rule */
	FWH_UNUSABLE_BUSY = 2,       /* another program holds it */
	FWH_UNUSABLE_OTHER = 3,      /* it could not be opened for another reason */
};

/* What fixes it (so a program can word it in its own language). */
enum fwh_unusable_fix {
	FWH_FIX_JOIN_GROUP = 1,  /* join `group` (command), then log in again */
	FWH_FIX_LOG_IN_AGAIN = 2, /* already in `group`: this session is older */
	FWH_FIX_UDEV_RULE = 3,   /* install fwseal's udev rule, plug in again */
	FWH_FIX_CLOSE_OTHER = 4, /* close the program that holds it */
	FWH_FIX_REPLUG = 5,      /* unplug and plug in again */
};

/* A candidate that may be a fwseal device but could not be opened: a serial
 * port in the probed set, or a USB device with a DFU interface. Whether it
 * is a fwseal device is unknown (nothing could be asked). */
typedef struct fwh_unusable {
	const char *device;          /* its device string (serial:PATH, usb:@BUSPATH) */
	enum fwh_unusable_why why;
	fws_err code;                /* what opening it returns (FWS_E_IO) */
	const char *message;         /* one sentence: what is wrong, for people */
	const char *fix;             /* what fixes it, one sentence, never "" */
	const char *command;         /* the command that fixes it, or ""
	                                ("sudo usermod -aG dialout alice") */
	const char *group;           /* permission: the group that may open it, or "" */
	enum fwh_unusable_fix fix_kind;
	const char *node;            /* the device node that could not be opened */
	const char *user;            /* the user who could not open it, or "" */
} fwh_unusable;

typedef void (*fwh_unusable_cb)(void *user, const fwh_unusable *u);

struct fwh_transport_ops {
	const char *name;     /* "serial", "usb", "hid" */
	enum fwh_kind kind;

	/* Find devices of this kind and call found() for each one that answers
	 * like a fwseal device (with its device-info record). Candidates that
	 * do not answer are skipped silently; the whole call is bounded in time
	 * (a few hundred ms per candidate). Returns FWS_OK even when nothing
	 * was found; an error only when enumeration itself failed.
	 * Candidates it can see but not open (permission, in use) go to
	 * unusable() when it is not NULL, with the reason and the fix. */
	fws_err (*enumerate)(fwh_found_cb found, fwh_unusable_cb unusable, void *user,
	                     fwh_error *err);

	/* Open the device id names (id->kind == kind). The device is not talked
	 * to yet. *out is freed by close(). FWS_E_IO with a sentence that names
	 * the fix (permissions: group or udev rule) when it cannot be opened,
	 * FWS_E_NO_DEVICE when nothing matches. */
	fws_err (*open)(const fwh_dev_id *id, const fwh_link_opts *opts, fwh_link **out,
	                fwh_error *err);

	/* Release everything; l may be NULL. */
	void (*close)(fwh_link *l);

	/* The canonical device string of an open link. */
	void (*describe)(const fwh_link *l, char *buf, size_t cap);

	/* Largest DNLOAD / UPLOAD data per request this link carries. */
	size_t (*max_transfer)(const fwh_link *l);

	/* Send one request and wait for its answer (bounded; retransmits where
	 * the link can lose messages). Returns FWS_OK when the device answered,
	 * whether it accepted (req->stalled false, answer in req->answer) or
	 * refused the request (req->stalled true: ask GETSTATUS why).
	 * FWS_E_TIMEOUT when it never answered, FWS_E_DISCONNECTED when the
	 * device went away, FWS_E_PROTOCOL for a malformed answer, FWS_E_IO. */
	fws_err (*request)(fwh_link *l, fwh_request *req, fwh_error *err);

	/* Optional, both or neither (NULL: one request at a time): several
	 * requests in flight, for a device that takes them (the serial
	 * window, docs/serial-protocol.md). post() sends req and returns
	 * without waiting for its answer; at most FWH_WINDOW_MAX are in flight,
	 * and req (with its data) must stay valid until reap() hands it back.
	 * reap() waits for the answer to the oldest request in flight and
	 * returns that request with its results set, as request() would. A
	 * lost request or answer is recovered inside (bounded); an error from
	 * reap() means the device did not answer and every request in flight
	 * is given up. Callers use fwh_post() / fwh_reap(), which fall back
	 * to request() for links without these. */
	fws_err (*post)(fwh_link *l, fwh_request *req, fwh_error *err);
	fws_err (*reap)(fwh_link *l, fwh_request **req, fwh_error *err);

	/* Optional (NULL: the caller just sleeps): wait up to ms for a device
	 * of this kind to appear (USB: a hotplug arrival), returning early when
	 * one may have. Used while a device restarts and re-enumerates; the
	 * caller then tries open() again. */
	void (*await)(const fwh_dev_id *id, uint32_t ms);
};

/* Most requests one link keeps in flight (fwh_post). */
#define FWH_WINDOW_MAX 8u

/* Every link starts with this; transports extend it. */
struct fwh_link {
	const fwh_transport_ops *ops;
	fwh_dev_id id;
	fwh_link_opts opts;
	fwh_request *done;    /* fwh_post() on a link without post(): the
	                         request already answered, for fwh_reap() */
	fws_err done_err;
};

/* How many requests the link keeps in flight: FWH_WINDOW_MAX with post(),
 * else 1. A session sends min(this, the device's DL_WINDOW). */
unsigned fwh_window(const fwh_link *l);

/* Send req without waiting (ops->post), or, on a link without it, carry it
 * out now and keep the outcome for fwh_reap(). */
fws_err fwh_post(fwh_link *l, fwh_request *req, fwh_error *err);

/* The oldest request posted, with its answer (ops->reap, or the request
 * fwh_post() carried out). FWS_E_INVAL if none is in flight. */
fws_err fwh_reap(fwh_link *l, fwh_request **req, fwh_error *err);

/* Transports built into this library (serial always; usb, hid when built). */
extern const fwh_transport_ops fwh_serial_ops;
extern const fwh_transport_ops fwh_usb_ops;   /* usb_dfu.c, when built with USB */
extern const fwh_transport_ops fwh_hid_ops;   /* hid.c, when built with USB */
const fwh_transport_ops *const *fwh_transports(size_t *count);
const fwh_transport_ops *fwh_transport_for(enum fwh_kind kind);

/* Parse and open a device string. */
fws_err fwh_open(const char *device, const fwh_link_opts *opts, fwh_link **out,
                 fwh_error *err);
fws_err fwh_open_id(const fwh_dev_id *id, const fwh_link_opts *opts, fwh_link **out,
                    fwh_error *err);
void fwh_close(fwh_link *l);

/* Every device on every transport (see ops->enumerate). */
fws_err fwh_enumerate(fwh_found_cb found, void *user, fwh_error *err);
/* The same, and every candidate that could not be opened, with why
 * (unusable may be NULL). */
fws_err fwh_enumerate_all(fwh_found_cb found, fwh_unusable_cb unusable, void *user,
                          fwh_error *err);

/* Serial candidates probed by enumerate: the links in /dev/serial/by-id
 * (resolved, no duplicates), /dev/ttyUSB<n>, /dev/ttyACM<n>, plus the paths
 * listed in the environment variable FWSEAL_SERIAL_PORTS (colon-separated;
 * how the simulator's pty or a /dev/ttyS<n> port is found). Other ttys
 * (pseudo-terminals, /dev/ttyS<n>) are never probed unasked: writing frames
 * to them could disturb a terminal or a modem. */
#define FWH_SERIAL_PORTS_ENV "FWSEAL_SERIAL_PORTS"

#endif /* FWSEAL_HOST_TRANSPORT_H */
