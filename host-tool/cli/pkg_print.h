/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkg_print.h - show what a package says (for people and as JSON) and load a
 * trust store file; shared by inspect, verify and the device commands.
 */
#ifndef FWSEAL_PKG_PRINT_H
#define FWSEAL_PKG_PRINT_H

#include "cli_msg.h"
#include "cli_util.h"
#include "fwseal-host/pkgcheck.h"

/* Every manifest field, signer ids, digests and sizes. */
void pkg_print_text(FILE *f, const fwh_pkg_check *c);

/* A severity for people, translated (--json keeps fws_severity_name). */
const char *pkg_severity_words(uint8_t severity);
void pkg_print_json(struct cli_json *j, const fwh_pkg_check *c);

/* The problem the package verifier found, as one sentence on stderr
 * (docs/messages.md); for a key the trust store does not accept, the
 * signer's and the trusted key ids follow (trust may be NULL). */
void pkg_print_error(const char *path, const fwh_pkg_check *c, const fws_trust *trust,
                     const char *trust_path);

/* "  signed by key ...; the trust store T holds ..." on stderr: why the
 * package at path is not accepted by trust. */
void pkg_print_key_detail(const char *path, const fws_trust *trust, const char *trust_path);

/* The trust store: `given`, else when use_default the first of
 * $FWSEAL_TRUST, ~/.config/fwseal/trust.fwst, /etc/fwseal/trust.fwst
 * (fwh_trust_default_path). -1 with *t and used (the path, cap bytes)
 * filled; else the exit code after printing the one message of the cause:
 * no-trust-store (2), trust-store-unreadable (5), trust-store-invalid (5). */
int cli_trust_load(const char *given, bool use_default, fws_trust *t, char *used, size_t cap,
                   struct cli_report *rep);

#endif /* FWSEAL_PKG_PRINT_H */
