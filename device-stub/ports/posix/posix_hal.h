/* SPDX-License-Identifier: Apache-2.0 */
/*
 * posix_hal.h - the fws_hal of the posix port: simulated flash (simflash.h),
 * a trust store file, a file descriptor as the UART (optionally paced to a
 * baud rate), a monotonic clock, and reset / start_image recorded as flags
 * for the simulator's main loop. Also used in-process by the tests.
 */
#ifndef FWSEAL_POSIX_HAL_H
#define FWSEAL_POSIX_HAL_H

#include <stdbool.h>
#include <stdint.h>

#include "fwseal/hal.h"
#include "fwseal/trust.h"
#include "simflash.h"

/* Geometry of the simulated part (docs/device-stub.md): 4 KiB sectors and
 * 8-byte program granularity, as on an STM32L4 / nRF52-class MCU. */
#define FWS_SIM_SECTOR     4096u
#define FWS_SIM_WRITE      8u
#define FWS_SIM_FLASH_DEFAULT (4u * 1024u * 1024u)

typedef struct fws_posix_dev {
	fws_simflash flash;
	/* the provisioned trust store (hal->trust_provisioned), as its bytes */
	uint8_t trust_blob[FWS_TRUST_BLOB_MAX];
	size_t trust_len;       /* 0: none */
	int fd;                 /* transport, -1 if none */
	uint32_t baud;          /* 0: no pacing */
	uint64_t tx_free_ns;    /* pacing: when the line is free again */
	uint64_t rx_free_ns;
	bool mute_when_off;     /* a cut from the control socket: a device without
	                           power sends and takes no bytes (sim_control.h) */
	bool reset_requested;
	int started_slot;       /* last start_image slot, -1 none */
	uint32_t clock_skew_ms; /* added to now_ms: tests let time pass at once */
	bool clock_frozen;      /* now_ms is clock_skew_ms alone: a test decides how
	                           time passes, whatever the machine's load */
	fws_hal hal;
} fws_posix_dev;

/* Journal in sectors 0 and 1, then the two trust areas (each the fewest
 * sectors that hold FWS_HAL_TRUST_AREA_MIN bytes), then two equal slots. */
void fws_posix_layout(fws_flash_geom *g, uint32_t flash_size, uint32_t sector_size,
                      uint32_t write_size);

/* Fill d->hal for d (flash must be open; trust and fd set by the caller). */
void fws_posix_hal_init(fws_posix_dev *d);

/* Read a trust store file as d's provisioned store (it must parse). */
fws_err fws_posix_load_trust(fws_posix_dev *d, const char *path);

/* Make t (encoded) d's provisioned store; NULL: none. For tests. */
fws_err fws_posix_set_trust(fws_posix_dev *d, const fws_trust *t);

uint64_t fws_posix_now_ns(void);

#endif /* FWSEAL_POSIX_HAL_H */
