/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lz4_port.h - included ahead of Debian's lib/lz4.c in the firmware build
 * (meson.build: -include): lz4's decoder moves its last literals with
 * LZ4_memmove (so it can decode in place); here that is a loop of a few
 * bytes instead of newlib's 250-byte memmove (lz4_port.c).
 */
#ifndef FWSEAL_MPS2_LZ4_PORT_H
#define FWSEAL_MPS2_LZ4_PORT_H

#include <stddef.h>

void *fws_lz4_memmove(void *dst, const void *src, size_t n);
#define LZ4_memmove fws_lz4_memmove

#endif /* FWSEAL_MPS2_LZ4_PORT_H */
