/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_list.c - `fwseal list [--json]`: every device that answers on every
 * transport (serial ports: see FWSEAL_SERIAL_PORTS in fwseal-host/transport.h). */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dev_common.h"
#include "fwseal-host/units.h"

static const char usage[] =
	N_("Usage: fwseal list [--json]\n\n"
	"List every connected fwseal device with its model, serial number and\n"
	"firmware version. Serial ports probed: /dev/serial/by-id/*, /dev/ttyUSB*,\n"
	"/dev/ttyACM*, and the ports named in $FWSEAL_SERIAL_PORTS (colon-separated,\n"
	"e.g. FWSEAL_SERIAL_PORTS=/dev/ttyS0:/dev/pts/5@921600).\n\n"
	"A USB device with both a DFU and a HID interface is one device: the HID\n"
	"string is shown under the DFU one (\"the same unit\").\n\n"
	"A port or USB device that may be a fwseal device but cannot be opened (no\n"
	"permission, in use) is listed too, with why and what fixes it.\n\n"
	"  --json   one JSON object: {\"devices\": [...], \"count\": N,\n"
	"           \"unusable\": [...]}, each device with the fields of 'fwseal info\n"
	"           --json' and \"interfaces\" (its device strings, preferred first),\n"
	"           each unusable one with \"device\", \"reason\" (permission, busy,\n"
	"           error), \"message\", \"fix\", \"command\" and \"group\"\n\n"
	"Exit codes: 0 (also when no device is found), 5 a device was seen but\n"
	"could not be opened (why is printed), 6 enumeration failed.\n");

/* A candidate seen but not opened (copied: the library's strings live only
 * as long as its callback). */
typedef struct unusable_entry {
	char device[FWH_DEVSTR_MAX];
	enum fwh_unusable_why why;
	fws_err code;
	char message[320];
	char fix[320];
	char command[160];
	char group[64];
	enum fwh_unusable_fix fix_kind;
} unusable_entry;

typedef struct list_state {
	bool json;
	unsigned count;
	struct cli_json j;
	unusable_entry *bad;
	size_t n_bad, cap_bad;
} list_state;

static void unusable(void *user, const fwh_unusable *u)
{
	list_state *s = user;
	if (s->n_bad == s->cap_bad) {
		size_t cap = s->cap_bad ? 2 * s->cap_bad : 4;
		unusable_entry *n = realloc(s->bad, cap * sizeof *n);
		if (n == NULL)
			return; /* out of memory: this one goes unsaid */
		s->bad = n;
		s->cap_bad = cap;
	}
	unusable_entry *e = &s->bad[s->n_bad++];
	snprintf(e->device, sizeof e->device, "%s", u->device);
	e->why = u->why;
	e->code = u->code;
	snprintf(e->message, sizeof e->message, "%s", u->message);
	snprintf(e->fix, sizeof e->fix, "%s", u->fix);
	snprintf(e->command, sizeof e->command, "%s", u->command);
	snprintf(e->group, sizeof e->group, "%s", u->group);
	e->fix_kind = u->fix_kind;
}

static const char *why_name(enum fwh_unusable_why why)
{
	switch (why) {
	case FWH_UNUSABLE_PERMISSION: return "permission";
	case FWH_UNUSABLE_BUSY: return "busy";
	case FWH_UNUSABLE_OTHER: return "error";
	}
	return "error";
}

static const char *why_words(enum fwh_unusable_why why)
{
	switch (why) {
	case FWH_UNUSABLE_PERMISSION: return _("(cannot open: no permission)");
	case FWH_UNUSABLE_BUSY: return _("(cannot open: in use)");
	case FWH_UNUSABLE_OTHER: return _("(cannot open)");
	}
	return _("(cannot open)");
}

/* What is wrong and what fixes it, in the user's language (the library's
 * sentences, in English, go to --json). */
static void say_unusable(const unusable_entry *e)
{
	bool serial = strncmp(e->device, "serial:", 7) == 0;
	const char *where = strchr(e->device, ':');
	char at[FWH_DEVSTR_MAX];
	snprintf(at, sizeof at, "%s", where ? where + 1 + (where[1] == '@') : e->device);
	char *baud = serial ? strchr(at, '@') : NULL;
	if (baud)
		*baud = '\0';
	switch (e->fix_kind) {
	case FWH_FIX_JOIN_GROUP:
		printf(serial ? _("  No permission to open the serial port %s: only members of the "
		                  "group '%s' may open it.\n")
		              : _("  No permission to open the USB device at %s: only members of the "
		                  "group '%s' may open it.\n"), at, e->group);
		printf(_("  Add yourself to the group with '%s', then log out and back in.\n"),
		       e->command);
		break;
	case FWH_FIX_LOG_IN_AGAIN:
		printf(serial ? _("  No permission to open the serial port %s: you were added to the "
		                  "group '%s' that may open it, but this session started before "
		                  "that.\n")
		              : _("  No permission to open the USB device at %s: you were added to "
		                  "the group '%s' that may open it, but this session started before "
		                  "that.\n"), at, e->group);
		printf(_("  Log out and back in (or run 'newgrp %s' in this terminal).\n"), e->group);
		break;
	case FWH_FIX_UDEV_RULE:
		printf(serial ? _("  No permission to open the serial port %s.\n")
		              : _("  No permission to open the USB device at %s.\n"), at);
		printf(_("  Install fwseal's udev rule (70-fwseal.rules, put in place by 'meson "
		         "install'), run '%s' and plug the device in again.\n"), e->command);
		break;
	case FWH_FIX_CLOSE_OTHER:
		printf(serial ? _("  The serial port %s is in use by another program.\n")
		              : _("  The USB device at %s is in use by another program.\n"), at);
		printf("%s", _("  Close the program that uses it (a serial terminal, another "
		               "fwseal), then try again.\n"));
		break;
	case FWH_FIX_REPLUG:
	default:
		printf(serial ? _("  The serial port %s could not be opened.\n")
		              : _("  The USB device at %s could not be opened.\n"), at);
		printf("%s", _("  Unplug it, plug it in again and try again.\n"));
		break;
	}
}

static void print_unusable(list_state *s)
{
	for (size_t i = 0; i < s->n_bad; i++) {
		const unusable_entry *e = &s->bad[i];
		if (s->json) {
			cli_json_obj(&s->j, NULL);
			cli_json_str(&s->j, "device", e->device);
			cli_json_str(&s->j, "reason", why_name(e->why));
			cli_json_str(&s->j, "message", e->message);
			cli_json_str(&s->j, "fix", e->fix);
			cli_json_str(&s->j, "command", e->command);
			cli_json_str(&s->j, "group", e->group);
			cli_json_obj_end(&s->j);
			continue;
		}
		printf("%-32s %s\n", e->device, why_words(e->why));
		say_unusable(e);
	}
}

/* One unit per entry (fwseal-host/units.h): a USB device's HID interface
 * is shown under its DFU interface, not as another device. */
static void found(void *user, const fwh_found_unit *u)
{
	list_state *s = user;
	const fws_devinfo *d = u->info;
	s->count++;
	if (s->json) {
		cli_json_obj(&s->j, NULL);
		dev_print_json(&s->j, u->device, d);
		cli_json_arr(&s->j, "interfaces");
		cli_json_str(&s->j, NULL, u->device);
		if (u->also[0])
			cli_json_str(&s->j, NULL, u->also);
		cli_json_arr_end(&s->j);
		cli_json_obj_end(&s->j);
		return;
	}
	const char *fw = d->boot_state == FWS_BOOT_APP ? d->fw_version : _("(in update stub)");
	printf("%-32s %-16s %-16s %s\n", u->device, d->model, d->serial, fw);
	if (u->also[0])
		printf(_("  %-30s (the same unit)\n"), u->also);
}

static const struct option opts[] = { { NULL, 0, NULL, 0 } };

static int run_list(struct cli_ctx *ctx, int argc, char **argv)
{
	int c;
	while ((c = cli_getopt(ctx, argc, argv, "", opts)) != -1)
		return FWS_EXIT_USAGE;
	if (optind < argc)
		return cli_usage(ctx, "list takes no arguments, not '%s'.", argv[optind]);

	list_state s = { .json = ctx->json };
	if (s.json) {
		cli_json_begin(&s.j, stdout);
		cli_json_arr(&s.j, "devices");
	} else {
		/* Translators: column headings of 'fwseal list' */
		cli_put_padded(stdout, _("DEVICE"), 33);
		cli_put_padded(stdout, _("MODEL"), 17);
		cli_put_padded(stdout, _("SERIAL"), 17);
		printf("%s\n", _("FIRMWARE"));
	}
	fwh_error err;
	fwh_error_clear(&err);
	fws_err e = fwh_enumerate_grouped_all(found, unusable, &s, &err);
	if (s.json) {
		cli_json_arr_end(&s.j);
		cli_json_u64(&s.j, "count", s.count);
		cli_json_arr(&s.j, "unusable");
	}
	print_unusable(&s);
	if (s.json) {
		cli_json_arr_end(&s.j);
		cli_json_end(&s.j);
	}
	size_t n_bad = s.n_bad;
	fwh_error first = { .code = n_bad ? s.bad[0].code : FWS_OK };
	free(s.bad);
	if (e != FWS_OK) {
		dev_error(&err);
		return FWS_EXIT_DEVICE;
	}
	if (n_bad > 0) {
		/* The same exit as 'fwseal info' on that device would give. */
		if (!s.json)
			fprintf(stderr, P_("%zu device could not be opened; the reason and the fix are "
			                   "above.\n",
			                   "%zu devices could not be opened; the reasons and the fixes "
			                   "are above.\n", n_bad), n_bad);
		return dev_exit_for(&first, false);
	}
	if (!s.json && s.count == 0)
		fprintf(stderr, _("No fwseal device found.\n"));
	return FWS_EXIT_OK;
}

const struct cli_cmd cli_cmd_list = {
	.name = "list",
	.summary = N_("list connected devices"),
	.usage = usage,
	.json = true,
	.run = run_list,
	.opts = opts,
};
