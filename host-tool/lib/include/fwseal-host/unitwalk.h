/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/unitwalk.h - where the units of a package's stream end: the
 * prefix, then one block and its next digest per unit; in a compressed or
 * delta package each unit's length is in its header (fwseal/encoding.h), so
 * its ends are found by walking the headers. A host that must not send a
 * DNLOAD across a unit (a device that decodes a unit in the buffer it
 * received it in) cuts its chunks there.
 */
#ifndef FWSEAL_HOST_UNITWALK_H
#define FWSEAL_HOST_UNITWALK_H

#include <stdint.h>

#include "fwseal-host/error.h"
#include "fwseal-host/package.h"

/* The walk so far (zero it to start). Offsets asked in increasing order cost
 * one header read per unit; an earlier offset starts the walk again. */
typedef struct fwh_unit_walk {
	uint64_t start, end; /* the unit found last: [start, end), 0 0 none */
} fwh_unit_walk;

/* *end = the stream offset where the unit holding stream offset off ends
 * (off < pkg->stream_len). FWS_E_IO if the file cannot be read,
 * FWS_E_BLOCK_DIGEST if a unit header is not what the verified package had
 * (the file changed since it was opened). */
fws_err fwh_unit_end(const fwh_package *pkg, fwh_unit_walk *w, uint64_t off, uint64_t *end,
                     fwh_error *err);

#endif /* FWSEAL_HOST_UNITWALK_H */
