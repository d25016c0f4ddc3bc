/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli_msg.h - the CLI's own messages: one id, one exit code and one wording
 * per cause, whichever command meets it. docs/messages.md is the table of
 * these and of the package, policy and device causes (fwseal/err.h);
 * tests/unit/test_cli_msg.c checks that table against this catalogue and
 * tests/cli/test_messages.sh checks the real commands against the table.
 *
 * A message is a macro that expands to its three fields, so the call site
 * keeps a literal format the compiler checks:
 *     return cli_fail(MSG_TRUST_STORE_INVALID, path);
 * The id is what `--json` prints as "error"; it never changes once released.
 * Add a message here, to the list in cli_msg.c and to docs/messages.md.
 */
#ifndef FWSEAL_CLI_MSG_H
#define FWSEAL_CLI_MSG_H

#include <stdbool.h>
#include <stddef.h>

#include "cli_i18n.h"
#include "cli_util.h"

/* --- the command line itself (exit 2) --------------------------------- */
#define MSG_NO_COMMAND "no-command", FWS_EXIT_USAGE, \
	N_("No command given. Run 'fwseal --help' for the list of commands.")
#define MSG_UNKNOWN_COMMAND "unknown-command", FWS_EXIT_USAGE, \
	N_("'%s' is not a fwseal command. Run 'fwseal --help' for the list of commands.")
#define MSG_UNKNOWN_OPTION "unknown-option", FWS_EXIT_USAGE, \
	N_("Unknown option '%s'. Run 'fwseal %s --help' for usage.")
#define MSG_OPTION_NEEDS_VALUE "option-needs-value", FWS_EXIT_USAGE, \
	N_("Option '%s' needs a value. Run 'fwseal %s --help' for usage.")
#define MSG_NO_TERMINAL "no-terminal", FWS_EXIT_USAGE, \
	N_("Cannot ask for confirmation because standard input is not a terminal; add --yes to install without asking.")
#define MSG_NO_TRUST_STORE "no-trust-store", FWS_EXIT_USAGE, \
	N_("No trust store: give --trust TRUST (from 'fwseal key export-trust'), or put one at $FWSEAL_TRUST, ~/.config/fwseal/trust.fwst or /etc/fwseal/trust.fwst.")
#define MSG_SEVERAL_DEVICES "several-devices", FWS_EXIT_USAGE, \
	N_("%u devices were found (%s); choose one with --device.")

/* --- files (exit 5) ----------------------------------------------------- */
#define MSG_TRUST_STORE_UNREADABLE "trust-store-unreadable", FWS_EXIT_IO, \
	N_("Cannot read the trust store %s (%s). Check the path given with --trust or $FWSEAL_TRUST.")
/* the id and sentence of FWS_E_TRUST_STORE (fwseal/err.h), as the library says it */
#define MSG_TRUST_STORE_INVALID "bad-trust-store", FWS_EXIT_IO, \
	N_("%s: This is not a fwseal trust store; export it again with 'fwseal key export-trust'.")
#define MSG_PACKAGE_UNREADABLE "package-unreadable", FWS_EXIT_IO, \
	N_("Cannot read the package %s (%s). Check the path and permissions.")
/* no device was given, none answered, and one was seen but not opened
 * (fwseal-host/transport.h, fwh_unusable): why is what 'fwseal list' prints */
#define MSG_DEVICE_UNUSABLE "device-unusable", FWS_EXIT_IO, \
	N_("%s may be a fwseal device but cannot be opened (%s); 'fwseal list' says why and what fixes it.")
/* flash advanced the host's store through trust updates (docs/trust.md);
 * the first %s is the file error's own sentence */
#define MSG_TRUST_STORE_UNSAVED "trust-store-unsaved", FWS_EXIT_IO, \
	N_("%s Your trust store would advance to version %u through the security key updates found, but it cannot be saved; nothing was sent. Make it writable, or name a writable copy with --trust.")

/* --- the user said no (exit 9) ------------------------------------------ */
#define MSG_DECLINED "declined", FWS_EXIT_CANCELLED, \
	N_("Nothing was changed; the installation was declined.")

/* --- production records (exit 10) --------------------------------------- */
/* device, serial, what happened to the unit, the records' own sentence */
#define MSG_FAILED_TO_RECORD "failed-to-record", FWS_EXIT_RECORDS, \
	N_("%s (serial %s) is failed-to-record: %s. %s")

/* --- installed, not confirmed (exit 11) --------------------------------- */
#define MSG_UNCONFIRMED "unconfirmed", FWS_EXIT_UNCONFIRMED, \
	N_("%s runs firmware %s, but the new firmware did not confirm within %u s that it works. The device goes back to its previous firmware at its next restart unless the new one confirms itself; check the device, then run 'fwseal info %s'.")

/* device, version: an earlier install is on trial; nothing was sent */
#define MSG_ON_TRIAL "on-trial", FWS_EXIT_UNCONFIRMED, \
	N_("%s runs firmware %s on trial: it has not confirmed itself, and the device goes back to its previous firmware at its next restart. Nothing was sent; check the device, restart it, then run the same command again.")

/* --- everything else (exit 1) ------------------------------------------- */
#define MSG_OUT_OF_MEMORY "out-of-memory", FWS_EXIT_FAILURE, \
	N_("Out of memory. Close other programs and try again.")

struct cli_msg {
	const char *id;
	int exit;
	const char *fmt; /* untranslated */
};

/* Print "fwseal: " + the translated sentence on stderr; returns exit. */
int cli_fail(const char *id, int exit, const char *fmt, ...) CLI_PRINTF(3, 4);

/* What a failure was, for a caller that reports it again (flash --json):
 * msg in English, as every JSON field (docs/translating.md). */
struct cli_report {
	const char *id;
	int exit;
	char msg[512];
};

/* cli_fail that also fills rep (may be NULL). */
int cli_fail_to(struct cli_report *rep, const char *id, int exit, const char *fmt, ...)
	CLI_PRINTF(4, 5);

/* The same, formatted into buf in English (for JSON "message" fields). */
void cli_msg_format(char *buf, size_t cap, const char *id, int exit, const char *fmt, ...)
	CLI_PRINTF(5, 6);

/* Every message of the catalogue, for tests and `fwseal --list-messages`. */
const struct cli_msg *cli_msg_table(size_t *count);

/* Short meaning of an exit code (as in the README, fwseal(1) and
 * docs/messages.md), NULL for a number that is not one. */
const char *cli_exit_meaning(int code);

/* The exit code of a library or protocol error (docs/messages.md), whether
 * the device reported it or the host found it. */
int cli_exit_for_fws(fws_err e, bool from_device);

#endif /* FWSEAL_CLI_MSG_H */
