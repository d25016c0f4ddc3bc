/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkg_print.h - show what a package says (for people and as JSON) and load a
 * trust store file; shared by inspect, verify and the device commands.
 */
#ifndef FWSEAL_PKG_PRINT_H
#define FWSEAL_PKG_PRINT_H

#include "cli_util.h"
#include "fwseal-host/pkgcheck.h"

/* Every manifest field, signer ids, digests and sizes. */
void pkg_print_text(FILE *f, const fwh_pkg_check *c);
void pkg_print_json(struct cli_json *j, const fwh_pkg_check *c);

/* The problem the package verifier found, as one sentence on stderr. */
void pkg_print_error(const char *path, const fwh_pkg_check *c);

/* Read and parse a trust store file; returns -1 on success or an exit code
 * after printing the error. */
int pkg_load_trust(const char *path, fws_trust *t);

#endif /* FWSEAL_PKG_PRINT_H */
