/* SPDX-License-Identifier: Apache-2.0 */
/* cli_msg.c - the message catalogue of the CLI (cli_msg.h). */
#include "cli_msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fwseal-host/log.h"

static const struct cli_msg messages[] = {
	{ MSG_NO_COMMAND },
	{ MSG_UNKNOWN_COMMAND },
	{ MSG_UNKNOWN_OPTION },
	{ MSG_OPTION_NEEDS_VALUE },
	{ MSG_NO_TERMINAL },
	{ MSG_NO_TRUST_STORE },
	{ MSG_SEVERAL_DEVICES },
	{ MSG_TRUST_STORE_UNREADABLE },
	{ MSG_TRUST_STORE_INVALID },
	{ MSG_PACKAGE_UNREADABLE },
	{ MSG_DEVICE_UNUSABLE },
	{ MSG_TRUST_STORE_UNSAVED },
	{ MSG_DECLINED },
	{ MSG_FAILED_TO_RECORD },
	{ MSG_UNCONFIRMED },
	{ MSG_ON_TRIAL },
	{ MSG_OUT_OF_MEMORY },
};

const struct cli_msg *cli_msg_table(size_t *count)
{
	*count = sizeof messages / sizeof messages[0];
	return messages;
}

static int vfail(struct cli_report *rep, const char *id, int exit, const char *fmt, va_list ap)
{
	char msg[sizeof rep->msg];
	va_list en;
	va_copy(en, ap);
	vsnprintf(msg, sizeof msg, _(fmt), ap);
	flockfile(stderr);
	fputs("fwseal: ", stderr);
	fputs(msg, stderr);
	fputc('\n', stderr);
	funlockfile(stderr);
	fwh_log(FWH_LOG_INFO, "cli", "error %s, exit %d", id, exit);
	if (rep) {
		/* for --json: English, whatever the user's language */
		rep->id = id;
		rep->exit = exit;
		vsnprintf(rep->msg, sizeof rep->msg, fmt, en);
	}
	va_end(en);
	return exit;
}

int cli_fail(const char *id, int exit, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfail(NULL, id, exit, fmt, ap);
	va_end(ap);
	return rc;
}

int cli_fail_to(struct cli_report *rep, const char *id, int exit, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfail(rep, id, exit, fmt, ap);
	va_end(ap);
	return rc;
}

void cli_msg_format(char *buf, size_t cap, const char *id, int exit, const char *fmt, ...)
{
	(void)id;
	(void)exit;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, cap, fmt, ap); /* English: JSON is never translated */
	va_end(ap);
}

const char *cli_exit_meaning(int code)
{
	/* a switch over the enum: -Wswitch-enum names a code added without words */
	switch ((enum fws_exit)code) {
	case FWS_EXIT_OK: return "success";
	case FWS_EXIT_FAILURE: return "any other failure";
	case FWS_EXIT_USAGE: return "bad command line";
	case FWS_EXIT_BAD_PACKAGE: return "package malformed, tampered or not signed by a trusted key";
	case FWS_EXIT_POLICY: return "package refused by policy";
	case FWS_EXIT_IO: return "file or OS error";
	case FWS_EXIT_DEVICE: return "device not found, not responding, or reported an error";
	case FWS_EXIT_INTERRUPTED: return "update interrupted";
	case FWS_EXIT_PARTIAL: return "several devices: some succeeded, some failed";
	case FWS_EXIT_CANCELLED: return "declined or cancelled by the user";
	case FWS_EXIT_RECORDS: return "a unit's production record could not be written or completed";
	case FWS_EXIT_UNCONFIRMED: return "installed, but the new firmware did not confirm itself";
	case FWS_EXIT_EVIDENCE_FAIL: return "evidence pack written: a check or test FAILed";
	case FWS_EXIT_EVIDENCE_INCONCLUSIVE:
		return "evidence pack written: no FAIL, but a check or test is INCONCLUSIVE";
	}
	return NULL;
}

int cli_exit_for_fws(fws_err e, bool from_device)
{
	switch (e) {
	case FWS_OK: return FWS_EXIT_OK;
	case FWS_E_INVAL: return FWS_EXIT_USAGE;
	case FWS_E_NOMEM: return FWS_EXIT_FAILURE;
	case FWS_E_IO:
	case FWS_E_TRUST_STORE:
		/* the host's own files; the device's flash or trust store is the device */
		return from_device ? FWS_EXIT_DEVICE : FWS_EXIT_IO;
	case FWS_E_MAGIC:
	case FWS_E_FORMAT_VERSION:
	case FWS_E_HEADER:
	case FWS_E_MANIFEST:
	case FWS_E_CRITICAL:
	case FWS_E_LIMIT:
	case FWS_E_MISSING_FIELD:
	case FWS_E_TRUNCATED:
	case FWS_E_TRAILING:
	case FWS_E_SUFFIX:
	case FWS_E_SIGNATURE:
	case FWS_E_UNTRUSTED_KEY:
	case FWS_E_REVOKED_KEY:
	case FWS_E_BLOCK_DIGEST:
	case FWS_E_IMAGE_DIGEST:
	case FWS_E_CHAIN_END:
	case FWS_E_THRESHOLD: /* a security key update's root signatures (docs/trust.md) */
	case FWS_E_ENCODING:
		return FWS_EXIT_BAD_PACKAGE;
	case FWS_E_MODEL:
	case FWS_E_HW_REV:
	case FWS_E_COMPONENT:
	case FWS_E_DOWNGRADE:
	case FWS_E_TOO_BIG:
	case FWS_E_BLOCK_SIZE:
	case FWS_E_VENDOR:
	case FWS_E_TRUST_ROLLBACK: /* the rules a security key update must meet */
	case FWS_E_TRUST_UNUSABLE:
	case FWS_E_TRUST_ORPHAN:
	case FWS_E_BASE:
	case FWS_E_ENCODING_UNSUPPORTED:
		return FWS_EXIT_POLICY;
	case FWS_E_CRYPTO:
		/* the crypto library failed: no verdict on the package either way */
		return from_device ? FWS_EXIT_DEVICE : FWS_EXIT_FAILURE;
	case FWS_E_CANCELLED: return FWS_EXIT_CANCELLED;
	case FWS_E_STATE:
	case FWS_E_FLASH_WRITE:
	case FWS_E_FLASH_ERASE:
	case FWS_E_FLASH_VERIFY:
	case FWS_E_NO_IMAGE:
	case FWS_E_JOURNAL:
	case FWS_E_SEQUENCE:
	case FWS_E_BUSY:
	case FWS_E_FRAME:
	case FWS_E_TIMEOUT:
	case FWS_E_PROTOCOL:
	case FWS_E_DISCONNECTED:
	case FWS_E_NO_DEVICE:
	case FWS_E_REVERTED:
		return FWS_EXIT_DEVICE;
	}
	return FWS_EXIT_FAILURE; /* a code this build does not know */
}
