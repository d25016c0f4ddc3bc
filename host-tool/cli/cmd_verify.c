/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_verify.c - `fwseal verify PKG --trust TRUST [--model M] [--hw-rev R]
 * [--min-counter N]`: exit 0 only for a package that is authentic (a trusted,
 * unrevoked key signed it), intact (every block against the hash chain, the
 * whole-image digest, the DFU suffix) and acceptable to the given policy -
 * the same checks, in the same order, as the device stub.
 */
#include <inttypes.h>
#include <string.h>

#include "cli_msg.h"
#include "commands.h"
#include "dev_common.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal/encoding.h"
#include "fwseal-host/pkgimage.h"
#include "fwseal-host/session.h"
#include "fwseal-host/trustchain.h"
#include "pkg_print.h"

static const char usage[] =
	N_("Usage: fwseal verify PKG [--trust TRUST] [--model M] [--hw-rev R]\n"
	"                     [--min-counter N] [--device DEVICE] [--base OLD.fwseal]\n"
	"                     [--json]\n\n"
	"Check a package as a device would. Exit 0: authentic, intact and allowed by\n"
	"the policy; 3: malformed, tampered or not signed by a trusted key; 4: refused\n"
	"by the policy.\n\n"
	"  --trust TRUST     trust store from 'fwseal key export-trust'. Default: the\n"
	"                    file named by $FWSEAL_TRUST, else\n"
	"                    $XDG_CONFIG_HOME/fwseal/trust.fwst, else /etc/fwseal/trust.fwst\n"
	"  --model M         the device's model designation must equal the package's\n"
	"  --hw-rev R        the device's hardware revision must be in the package's range\n"
	"  --min-counter N   the package's security counter must be at least N\n"
	"  --device DEVICE   also check it against what that device reports: its model,\n"
	"                    revision, counter and the keys it trusts now (says when the\n"
	"                    package is signed only by a key the device has revoked)\n"
	"  --base OLD.fwseal for a delta package: the package of the release it was\n"
	"                    made from, so the image it builds is checked here too\n"
	"                    (without it, only the device can check that image)\n"
	"  --json            machine-readable result\n"
	"A security key update (docs/trust.md) is checked as a device with TRUST in\n"
	"force would check it: the root thresholds of both stores, a higher version,\n"
	"usable keys.\n");

struct policy {
	const char *model;
	bool have_hw;
	uint16_t hw_rev;
	bool have_counter;
	uint32_t min_counter;
};

/* The policy options as the device-info record they stand in for, so the
 * refusal reads as `flash` would say it (fwh_policy_check). */
static fws_err check_policy(const struct policy *p, const fws_manifest *m, fwh_error *err)
{
	fws_devinfo d;
	memset(&d, 0, sizeof d);
	snprintf(d.model, sizeof d.model, "%s", p->model ? p->model : m->model);
	d.hw_rev = p->have_hw ? p->hw_rev : m->hw_rev_min;
	d.security_counter = p->have_counter ? p->min_counter : 0;
	return fwh_policy_check(m, &d, err);
}

static const struct option opts[] = {
	{"trust", required_argument, NULL, 't'},
	{"model", required_argument, NULL, 'm'},
	{"hw-rev", required_argument, NULL, 'r'},
	{"min-counter", required_argument, NULL, 'c'},
	{"device", required_argument, NULL, 'd'},
	{"base", required_argument, NULL, 'b'},
	{NULL, 0, NULL, 0},
};

static const struct cli_opt_hint hints[] = {
	{"model", CLI_VAL_TEXT},
	{"hw-rev", CLI_VAL_TEXT},
	{"min-counter", CLI_VAL_TEXT},
	{"device", CLI_VAL_DEVICE},
	{NULL, NULL},
};

/* The package against what a device reports (--device): the same checks
 * `fwseal flash` makes before it sends a byte; one sentence in why. */
static fws_err against_device(const char *path, const char *device, const fws_trust *trust,
                              fwh_error *why)
{
	static fwh_package pkg;
	fwh_link *l = NULL;
	fws_devinfo d;
	fws_err e;

	fwh_error_clear(why);
	e = fwh_package_open(&pkg, path, trust, why);
	if (e != FWS_OK)
		return e;
	e = fwh_open(device, NULL, &l, why);
	if (e == FWS_OK)
		e = fwh_dfu_info(l, &d, why);
	fwh_close(l);
	if (e != FWS_OK) {
		fwh_package_close(&pkg);
		fwh_error_prefix(why, "Cannot read the device %s: ", device);
		return e;
	}
	e = fwh_preflight(&pkg, &d, why);
	fwh_package_close(&pkg);
	if (e != FWS_OK)
		fwh_error_prefix(why, "On %s: ", device);
	return e;
}

static int run_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *trust_path = NULL, *device = NULL, *base_path = NULL;
	struct policy pol = {0};
	int c;
	while ((c = cli_getopt(ctx, argc, argv, "t:m:r:c:b:", opts)) != -1) {
		switch (c) {
		case 't': trust_path = optarg; break;
		case 'd': device = optarg; break;
		case 'b': base_path = optarg; break;
		case 'm': pol.model = optarg; break;
		case 'r':
			if (!cli_parse_u16(optarg, &pol.hw_rev))
				return cli_usage(ctx, "--hw-rev '%s' is not a number from 0 to 65535.", optarg);
			pol.have_hw = true;
			break;
		case 'c':
			if (!cli_parse_u32(optarg, &pol.min_counter))
				return cli_usage(ctx, "--min-counter '%s' is not a number from 0 to 4294967295.",
				                 optarg);
			pol.have_counter = true;
			break;
		default: return FWS_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return cli_usage(ctx, "verify needs exactly one package file.");
	const char *path = argv[optind];

	static fws_trust trust;
	char used[4096];
	int rc = cli_trust_load(trust_path, true, &trust, used, sizeof used, NULL);
	if (rc >= 0)
		return rc;
	static fwh_pkg_check chk;
	memset(&chk, 0, sizeof(chk));
	chk.trust = &trust;
	static fwh_pkg_image base;
	if (base_path) {
		fwh_error berr;
		fwh_error_clear(&berr);
		if (fwh_pkg_image_load(&base, base_path, &berr) != FWS_OK) {
			cli_error("--base: %s", berr.text);
			return berr.code == FWS_E_IO ? FWS_EXIT_IO : FWS_EXIT_BAD_PACKAGE;
		}
		chk.base = base.image;
		chk.base_len = base.len;
	}
	fws_err e = fwh_pkg_check_file(&chk, path);
	fwh_pkg_image_free(&base);
	/* a refusal: msg (English) for --json, text for people */
	static fwh_error why;
	fwh_error_clear(&why);
	static fwh_trust_update tu;
	bool is_trust = chk.have_prefix && chk.manifest.kind == FWS_KIND_TRUST;
	if (e == FWS_OK && is_trust) /* the new store's rules, as a device with TRUST in force */
		e = fwh_trust_update_check(path, &trust, &tu, &why);
	if (e == FWS_OK && !is_trust)
		e = check_policy(&pol, &chk.manifest, &why);
	if (e == FWS_OK && device)
		e = against_device(path, device, &trust, &why);
	/* FWS_E_BASE here: --base named another release */
	rc = e == FWS_E_BASE ? FWS_EXIT_USAGE : cli_exit_for_fws(e, false);

	if (ctx->json) {
		struct cli_json j;
		cli_json_begin(&j, stdout);
		cli_json_str(&j, "package", path);
		cli_json_bool(&j, "ok", e == FWS_OK);
		cli_json_u64(&j, "exit_code", (uint64_t)rc);
		if (e != FWS_OK) {
			cli_json_str(&j, "error", fws_err_name(e));
			cli_json_str(&j, "message", why.msg[0] ? why.msg : fws_err_describe(e));
			if (e == FWS_E_BLOCK_DIGEST)
				cli_json_u64(&j, "block", chk.failed_block);
		}
		cli_json_str(&j, "kind", is_trust ? "trust-update" : "firmware");
		if (device)
			cli_json_str(&j, "device", device);
		cli_json_bool(&j, "authentic", chk.authentic);
		if (chk.authentic)
			cli_json_hex(&j, "signer_key_id", chk.signer, FWS_KEY_ID_LEN);
		cli_json_u64(&j, "blocks_checked", chk.blocks_ok);
		cli_json_bool(&j, "image_checked", chk.image_checked);
		if (chk.have_prefix && chk.authentic) {
			cli_json_obj(&j, "manifest");
			pkg_print_json(&j, &chk);
			cli_json_obj_end(&j);
		}
		cli_json_end(&j);
	}
	if (e != FWS_OK) {
		if (why.text[0])
			cli_error("%s: %s", path, why.text);
		else
			pkg_print_error(path, &chk, &trust, used);
		return rc;
	}
	if (!ctx->json && is_trust) {
		printf(_("%s: OK. A security key update to trust version %" PRIu32 ", signed by %u root "
		         "key%s of the trust store and by the new store's own roots, intact (payload "
		         "digest, DFU suffix)%s.\n"),
		       path, chk.manifest.security_counter, chk.sig_count, chk.sig_count == 1 ? "" : "s",
		       device ? "; the device would take it" : "");
	} else if (!ctx->json) {
		char hex[2 * FWS_KEY_ID_LEN + 1];
		cli_hex(chk.signer, FWS_KEY_ID_LEN, hex);
		const fws_manifest *m = &chk.manifest;
		if (m->encoding == FWS_ENC_NONE)
			printf(P_("%s: OK. Authentic (key id %s) and intact (%" PRIu32 " block, image digest, DFU suffix): %s %s, security counter %" PRIu32 ".\n",
			          "%s: OK. Authentic (key id %s) and intact (%" PRIu32 " blocks, image digest, DFU suffix): %s %s, security counter %" PRIu32 ".\n",
			          chk.blocks_ok),
			       path, hex, chk.blocks_ok, m->model, m->version, m->security_counter);
		else if (chk.image_checked)
			printf(P_("%s: OK. Authentic (key id %s) and intact (%" PRIu32 " %s unit decoded, image digest, DFU suffix): %s %s, security counter %" PRIu32 ".\n",
			          "%s: OK. Authentic (key id %s) and intact (%" PRIu32 " %s units decoded, image digest, DFU suffix): %s %s, security counter %" PRIu32 ".\n",
			          chk.blocks_ok),
			       path, hex, chk.blocks_ok, fws_encoding_name(m->encoding), m->model,
			       m->version, m->security_counter);
		else
			printf(P_("%s: OK. Authentic (key id %s) and intact (%" PRIu32 " %s unit, DFU suffix): %s %s, security counter %" PRIu32 ". The image digest was not checked: the image is built on version %.*s, which the device checks; give --base with that release's package to check it here.\n",
			          "%s: OK. Authentic (key id %s) and intact (%" PRIu32 " %s units, DFU suffix): %s %s, security counter %" PRIu32 ". The image digest was not checked: the image is built on version %.*s, which the device checks; give --base with that release's package to check it here.\n",
			          chk.blocks_ok),
			       path, hex, chk.blocks_ok, fws_encoding_name(m->encoding), m->model,
			       m->version, m->security_counter, (int)m->base_version.len,
			       fwh_pkg_check_span(&chk, m->base_version));
	}
	return FWS_EXIT_OK;
}

const struct cli_cmd cli_cmd_verify = {
	.name = "verify",
	.summary = N_("check that a package is authentic, intact and fits a device (exit 0/3/4)"),
	.usage = usage,
	.json = true,
	.run = run_verify,
	.opts = opts,
	.hints = hints,
	.operands = CLI_VAL_FILE,
};
