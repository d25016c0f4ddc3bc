/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exit codes of the fwseal CLI. They are a contract with scripts (factory
 * lines): documented in the README, the man page and docs/messages.md
 * (tests/unit/test_cli_msg.c checks all three against this list); never
 * renumber.
 */
#ifndef FWSEAL_EXITCODES_H
#define FWSEAL_EXITCODES_H

enum fws_exit {
	FWS_EXIT_OK = 0,          /* success */
	FWS_EXIT_FAILURE = 1,     /* any other failure */
	FWS_EXIT_USAGE = 2,       /* bad command line */
	FWS_EXIT_BAD_PACKAGE = 3, /* package malformed, tampered or untrusted */
	FWS_EXIT_POLICY = 4,      /* package authentic but refused by policy
	                             (model, hardware revision, downgrade, size) */
	FWS_EXIT_IO = 5,          /* file or OS error (read, write, permission) */
	FWS_EXIT_DEVICE = 6,      /* device not found, not responding, or reported an error */
	FWS_EXIT_INTERRUPTED = 7, /* update interrupted; the device kept a bootable
	                             image; run the same command again to resume */
	FWS_EXIT_PARTIAL = 8,     /* several devices: some succeeded, some failed */
	FWS_EXIT_CANCELLED = 9,   /* the user declined or cancelled; nothing changed */
	FWS_EXIT_RECORDS = 10,    /* production records: a unit's attempt could not be
	                             recorded (nothing was sent to it) or its record
	                             could not be completed (failed-to-record) */
	FWS_EXIT_UNCONFIRMED = 11, /* installed and running, but the new firmware did not
	                              confirm itself in time: it is still on trial and
	                              the device goes back to the old one at its next
	                              restart (record result "unconfirmed") */
	FWS_EXIT_EVIDENCE_FAIL = 12,         /* evidence: at least one check or test FAILed
	                                        (the pack is written) */
	FWS_EXIT_EVIDENCE_INCONCLUSIVE = 13, /* evidence: no FAIL, but at least one
	                                        INCONCLUSIVE (the pack is written) */
};

#endif /* FWSEAL_EXITCODES_H */
