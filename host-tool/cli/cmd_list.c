/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_list.c - `fwseal list [--json]`: every device that answers on every
 * transport (serial ports: see FWSEAL_SERIAL_PORTS in fwseal-host/transport.h). */
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
	"  --json   one JSON object: {\"devices\": [...], \"count\": N}, each device\n"
	"           with the fields of 'fwseal info --json' and \"interfaces\" (its\n"
	"           device strings, preferred first)\n\n"
	"Exit codes: 0 (also when no device is found), 6 enumeration failed.\n");

typedef struct list_state {
	bool json;
	unsigned count;
	struct cli_json j;
} list_state;

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
	const char *fw = d->boot_state == FWS_BOOT_APP ? d->fw_version : "(in update stub)";
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
		printf("%-32s %-16s %-16s %s\n", "DEVICE", "MODEL", "SERIAL", "FIRMWARE");
	}
	fwh_error err;
	fwh_error_clear(&err);
	fws_err e = fwh_enumerate_grouped(found, &s, &err);
	if (s.json) {
		cli_json_arr_end(&s.j);
		cli_json_u64(&s.j, "count", s.count);
		cli_json_end(&s.j);
	}
	if (e != FWS_OK) {
		dev_error(&err);
		return FWS_EXIT_DEVICE;
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
