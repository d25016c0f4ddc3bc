/* SPDX-License-Identifier: Apache-2.0 */
/*
 * atomic_out.h - a streamed output file that appears complete or not at all:
 * written to a temp file in the target's folder, fsync'ed, then renamed.
 * Any failure (or atomic_out_abort) removes the temp file.
 */
#ifndef FWSEAL_ATOMIC_OUT_H
#define FWSEAL_ATOMIC_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct atomic_out {
	int fd;
	char *path;
	char *tmp;
	uint8_t *buf; /* write-behind buffer */
	size_t fill;
	int err;      /* first errno, sticky */
};

/* false with errno set if the temp file cannot be created */
bool atomic_out_open(struct atomic_out *o, const char *path);
void atomic_out_write(struct atomic_out *o, const void *p, size_t n);
/* Positional access to the temp file (after the streamed bytes are out):
 * for an output whose parts are known out of order. Errors are sticky in
 * o->err; pread returns false on one (or a short read). */
void atomic_out_pwrite(struct atomic_out *o, const void *p, size_t n, uint64_t off);
bool atomic_out_pread(struct atomic_out *o, void *p, size_t n, uint64_t off);
/* flush, fsync, rename; false with o->err set on failure (temp removed) */
bool atomic_out_commit(struct atomic_out *o);
void atomic_out_abort(struct atomic_out *o);

#endif /* FWSEAL_ATOMIC_OUT_H */
