/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host's package verifier (host-tool/lib/pkgcheck.c) compiled for the
 * pkgcheck fuzz target with 4 KiB chunks and 2 slots instead of 1 MiB and
 * 8: the same code, but a package of a few KiB crosses many chunk
 * boundaries (prefix, blocks and suffix split everywhere), and a check does
 * not allocate 8 MiB, which under ASan made the target run ~20 inputs/s.
 * The target links this object, so the library's copy is not used.
 */
#define CHUNK 4096u
#define NSLOT 2u
#include "../../host-tool/lib/pkgcheck.c"
