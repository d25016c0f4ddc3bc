/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_info.c - `fwseal info [DEVICE] [--json]`: what a device says about
 * itself (its device-info record, docs/serial-protocol.md). */
#include <string.h>

#include "commands.h"
#include "dev_common.h"
#include "fwseal-host/dfu_client.h"

static const char usage[] =
	N_("Usage: fwseal info [DEVICE] [--json]\n\n"
	"Show a device's model, hardware revision, serial number, running firmware,\n"
	"security counter, support period, trusted keys and update slots.\n"
	"DEVICE is serial:PATH[@BAUD] (USB: usb[:VID:PID[:SERIAL]], hid[:...]);\n"
	"it may be left out when exactly one device is connected ('fwseal list').\n\n"
	"  --json   one JSON object\n\n"
	"Exit codes: 0 ok, 2 usage, 5 no access to the port, 6 device not found or\n"
	"not answering.\n");

static const struct option opts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli_opt_hint hints[] = {
	{ "device", CLI_VAL_DEVICE },
	{ NULL, NULL },
};

static int run_info(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *given = NULL;
	int c;
	while ((c = cli_getopt(ctx, argc, argv, "d:", opts)) != -1) {
		if (c == 'd')
			given = optarg;
		else
			return FWS_EXIT_USAGE;
	}
	if (optind < argc)
		given = argv[optind++];
	if (optind < argc)
		return cli_usage(ctx, "info takes one device, not '%s'.", argv[optind]);

	char device[FWH_DEVSTR_MAX];
	int rc = dev_pick(given, device, sizeof device, NULL);
	if (rc >= 0)
		return rc;

	fwh_error err;
	fwh_error_clear(&err);
	fwh_link *l = NULL;
	fws_devinfo d;
	if (fwh_open(device, NULL, &l, &err) != FWS_OK || fwh_dfu_info(l, &d, &err) != FWS_OK) {
		fwh_close(l);
		dev_error(&err);
		return dev_exit_for(&err, false);
	}
	char canon[FWH_DEVSTR_MAX];
	l->ops->describe(l, canon, sizeof canon);
	fwh_close(l);
	if (ctx->json) {
		struct cli_json j;
		cli_json_begin(&j, stdout);
		dev_print_json(&j, canon, &d);
		cli_json_end(&j);
	} else {
		dev_print_text(stdout, canon, &d);
	}
	return FWS_EXIT_OK;
}

const struct cli_cmd cli_cmd_info = {
	.name = "info",
	.summary = N_("show what a device reports about itself"),
	.usage = usage,
	.json = true,
	.run = run_info,
	.opts = opts,
	.hints = hints,
	.operands = CLI_VAL_DEVICE,
};
