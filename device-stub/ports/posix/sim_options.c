/* SPDX-License-Identifier: Apache-2.0 */
/* sim_options.c - see sim_options.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/stub.h"
#include "fwseal/stub_serial.h"
#include "sim_options.h"

static const char usage[] =
	"usage: fwseal-sim --state DIR --trust TRUST --model MODEL [--hw-rev R]\n"
	"                  [--serial-number SN] [--baud N] [options]\n"
	"Simulates a device running the fwseal stub; serves the serial protocol on a new\n"
	"pty (prints 'serial:/dev/pts/N') and runs until SIGINT/SIGTERM.\n"
	"  --state DIR          flash and counters live in DIR/flash.bin (created if missing)\n"
	"  --trust FILE         trust store from 'fwseal key export-trust'\n"
	"  --model MODEL        model designation the device accepts packages for\n"
	"  --hw-rev R           hardware revision (default 1)\n"
	"  --serial-number SN   serial number (default SIM-0001)\n"
	"  --baud N             pace the link like a UART at N baud (8N1)\n"
	"  --tty PATH           serve this tty instead of a new pty\n"
	"  --dl-window N        serial: DNLOADs taken in flight (device-info DL_WINDOW;\n"
	"                       default 4, 1 = one at a time, 0 = do not report it)\n"
	"  --vendor-id ID       --class-id ID  --component NAME   identity checks\n"
	"  --flash-size BYTES   flash size (default 4M; K/M suffix)\n"
	"  --max-block BYTES    largest package block accepted (default 4096)\n"
	"  --no-confirm         the application never confirms itself (test revert)\n"
	"  --no-encodings       a port that cannot map its flash: no compressed or delta\n"
	"                       packages (fws_hal.flash_map NULL)\n"
	"  --cut-after N        power cut after N flash operations (env FWSEAL_SIM_CUT_AFTER)\n"
	"  --torn               the cut operation is half done (env FWSEAL_SIM_TORN=1)\n"
	"  --bitflip OFF[:BIT]  flip one flash bit at start (a bit error)\n"
	"  --defect NAME        planted defect (repeatable): accept-downgrade,\n"
	"                       skip-block-check, skip-hw-rev-check, skip-component-check,\n"
	"                       write-in-place, trust-skip-roots, trust-skip-new-roots,\n"
	"                       trust-accept-rollback, trust-skip-usable,\n"
	"                       trust-skip-image-check, trust-skip-payload-check,\n"
	"                       trust-in-place, ignore-revoked (docs/device-stub.md)\n"
	"  --control PATH       control socket (power cuts; docs/device-stub.md); default\n"
	"                       STATE/control.sock. --no-control: none\n"
	"  --usb [USB options] -- COMMAND...  instead of a pty: run COMMAND against the\n"
	"                       device on emulated USB (DFU + HID), exit with its code;\n"
	"                       see docs/usb.md (needs umockdev)\n"
	"  --and [device options]  before --usb: one more device on the same emulated\n"
	"                       USB bus (its own --state, --serial-number, --model, ...)\n"
	"  --ram                print the stub's static RAM (bytes) and exit\n"
	"fwseal-sim --ask SOCKET REQUEST...  send one request to a running simulator's\n"
	"                       control socket (e.g. power-cut now) and print the answer\n"
	"Exit: 0 after a signal, 2 usage or setup error, 3 power cut (restart to continue).\n";

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-')
		return false;
	v = strtoull(s, &end, 0);
	if (*end == 'K' || *end == 'k') {
		v *= 1024u;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		v *= 1024u * 1024u;
		end++;
	}
	if (*end != '\0')
		return false;
	*out = v;
	return true;
}

static int bad(const char *what, const char *arg)
{
	fprintf(stderr, "fwseal-sim: invalid %s '%s'; see --help.\n", what, arg ? arg : "");
	return 2;
}

enum {
	OPT_STATE = 256, OPT_TRUST, OPT_MODEL, OPT_HWREV, OPT_SN, OPT_BAUD, OPT_TTY, OPT_VID,
	OPT_CID, OPT_COMPONENT, OPT_FLASH, OPT_MAXBLOCK, OPT_NOCONFIRM, OPT_NOENC, OPT_CUT, OPT_TORN,
	OPT_FLIP, OPT_DEFECT, OPT_RAM, OPT_HELP, OPT_CONTROL, OPT_NO_CONTROL, OPT_WINDOW,
};

int sim_options_parse(sim_options *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"state", required_argument, NULL, OPT_STATE},
		{"trust", required_argument, NULL, OPT_TRUST},
		{"model", required_argument, NULL, OPT_MODEL},
		{"hw-rev", required_argument, NULL, OPT_HWREV},
		{"serial-number", required_argument, NULL, OPT_SN},
		{"baud", required_argument, NULL, OPT_BAUD},
		{"tty", required_argument, NULL, OPT_TTY},
		{"dl-window", required_argument, NULL, OPT_WINDOW},
		{"vendor-id", required_argument, NULL, OPT_VID},
		{"class-id", required_argument, NULL, OPT_CID},
		{"component", required_argument, NULL, OPT_COMPONENT},
		{"flash-size", required_argument, NULL, OPT_FLASH},
		{"max-block", required_argument, NULL, OPT_MAXBLOCK},
		{"no-confirm", no_argument, NULL, OPT_NOCONFIRM},
		{"no-encodings", no_argument, NULL, OPT_NOENC},
		{"cut-after", required_argument, NULL, OPT_CUT},
		{"torn", no_argument, NULL, OPT_TORN},
		{"bitflip", required_argument, NULL, OPT_FLIP},
		{"defect", required_argument, NULL, OPT_DEFECT},
		{"control", required_argument, NULL, OPT_CONTROL},
		{"no-control", no_argument, NULL, OPT_NO_CONTROL},
		{"ram", no_argument, NULL, OPT_RAM},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *env;
	uint64_t v;
	int c;

	memset(o, 0, sizeof *o);
	o->hw_rev = 1;
	o->serial_number = "SIM-0001";
	o->flash_size = 4u * 1024u * 1024u;
	o->max_block = 4096;
	o->dl_window = SIM_DL_WINDOW_DEFAULT;
	env = getenv("FWSEAL_SIM_CUT_AFTER");
	if (env != NULL && *env != '\0') {
		if (!parse_u64(env, &o->cut_after))
			return bad("FWSEAL_SIM_CUT_AFTER", env);
		o->cut_armed = true;
	}
	env = getenv("FWSEAL_SIM_TORN");
	o->torn = env != NULL && strcmp(env, "1") == 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_STATE: o->state_dir = optarg; break;
		case OPT_TRUST: o->trust = optarg; break;
		case OPT_MODEL: o->model = optarg; break;
		case OPT_SN: o->serial_number = optarg; break;
		case OPT_TTY: o->tty = optarg; break;
		case OPT_COMPONENT: o->component = optarg; break;
		case OPT_NOCONFIRM: o->no_confirm = true; break;
		case OPT_NOENC: o->no_encodings = true; break;
		case OPT_TORN: o->torn = true; break;
		case OPT_HWREV:
			if (!parse_u64(optarg, &v) || v > 0xFFFFu)
				return bad("hardware revision", optarg);
			o->hw_rev = (uint16_t)v;
			break;
		case OPT_VID:
		case OPT_CID:
			if (!parse_u64(optarg, &v) || v > 0xFFFFu)
				return bad("id", optarg);
			if (c == OPT_VID)
				o->vendor_id = (uint16_t)v;
			else
				o->class_id = (uint16_t)v;
			break;
		case OPT_BAUD:
			if (!parse_u64(optarg, &v) || v == 0u || v > 100000000u)
				return bad("baud rate", optarg);
			o->baud = (uint32_t)v;
			break;
		case OPT_FLASH:
			if (!parse_u64(optarg, &v) || v < 64u * 1024u || v > 512u * 1024u * 1024u ||
			    v % 4096u != 0u)
				return bad("flash size (64K..512M, whole 4K sectors)", optarg);
			o->flash_size = (uint32_t)v;
			break;
		case OPT_WINDOW:
			if (!parse_u64(optarg, &v) || v > FWS_STUB_SERIAL_WINDOW)
				return bad("--dl-window (0 to FWS_STUB_SERIAL_WINDOW)", optarg);
			o->dl_window = (uint8_t)v;
			break;
		case OPT_MAXBLOCK:
			if (!parse_u64(optarg, &v) || v < FWS_PKG_BLOCK_MIN || v > FWS_PKG_BLOCK_MAX)
				return bad("max block size", optarg);
			o->max_block = (uint32_t)v;
			break;
		case OPT_CUT:
			if (!parse_u64(optarg, &o->cut_after))
				return bad("--cut-after count", optarg);
			o->cut_armed = true;
			break;
		case OPT_FLIP: {
			char *colon = strchr(optarg, ':');
			uint64_t bit = 0;

			if (colon != NULL) {
				*colon = '\0';
				if (!parse_u64(colon + 1, &bit) || bit > 7u)
					return bad("bit number", colon + 1);
			}
			if (!parse_u64(optarg, &v) || v > UINT32_MAX)
				return bad("bit flip offset", optarg);
			o->flip = true;
			o->flip_off = (uint32_t)v;
			o->flip_bit = (unsigned)bit;
			break;
		}
		case OPT_DEFECT: {
			static const struct {
				const char *name;
				uint32_t bit;
			} defects[] = {
				{"accept-downgrade", FWS_DEFECT_ACCEPT_DOWNGRADE},
				{"skip-block-check", FWS_DEFECT_SKIP_BLOCK_CHECK},
				{"skip-hw-rev-check", FWS_DEFECT_SKIP_HW_REV_CHECK},
				{"skip-component-check", FWS_DEFECT_SKIP_COMPONENT_CHECK},
				{"write-in-place", FWS_DEFECT_WRITE_IN_PLACE},
				{"trust-skip-roots", FWS_DEFECT_TRUST_SKIP_ROOTS},
				{"trust-skip-new-roots", FWS_DEFECT_TRUST_SKIP_NEW_ROOTS},
				{"trust-accept-rollback", FWS_DEFECT_TRUST_ROLLBACK},
				{"trust-skip-usable", FWS_DEFECT_TRUST_SKIP_USABLE},
				{"trust-skip-image-check", FWS_DEFECT_TRUST_SKIP_IMAGE},
				{"trust-skip-payload-check", FWS_DEFECT_TRUST_SKIP_PAYLOAD},
				{"trust-in-place", FWS_DEFECT_TRUST_IN_PLACE},
				{"ignore-revoked", FWS_DEFECT_IGNORE_REVOKED},
			};
			size_t i = 0;

			while (i < sizeof defects / sizeof defects[0] && strcmp(optarg, defects[i].name) != 0)
				i++;
			if (i == sizeof defects / sizeof defects[0])
				return bad("defect (see --help)", optarg);
			o->defects |= defects[i].bit;
			break;
		}
		case OPT_CONTROL: o->control = optarg; break;
		case OPT_NO_CONTROL: o->no_control = true; break;
		case OPT_RAM:
			o->ram = true;
			return 0;
		case OPT_HELP:
			fputs(usage, stdout);
			return 1;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc)
		return bad("argument", argv[optind]);
	if (o->state_dir == NULL || o->trust == NULL || o->model == NULL) {
		fprintf(stderr, "fwseal-sim: --state, --trust and --model are required; see --help.\n");
		return 2;
	}
	return 0;
}
