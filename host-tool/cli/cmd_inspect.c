/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_inspect.c - `fwseal inspect PKG [--trust TRUST] [--json]`: show what a
 * package is for and what it changes. Without --trust the signature is not
 * checked (and it says so); the block chain, image digest and DFU suffix are
 * checked either way, so a damaged file is reported.
 */
#include <string.h>

#include "cli_msg.h"
#include "commands.h"
#include "pkg_print.h"

static const char usage[] =
	N_("Usage: fwseal inspect PKG [--trust TRUST] [--json]\n\n"
	"Show everything a package says: model, vendor and class id, hardware\n"
	"revisions, component, version, security counter, security notice, disruption,\n"
	"release date, end of security support, release notes, signer key ids,\n"
	"digests and sizes. The package's integrity is checked; its signature only\n"
	"with --trust (use 'fwseal verify' to decide whether to install it).\n\n"
	"  --trust TRUST   also check the signature against this trust store\n"
	"  --json          machine-readable output\n");

static const struct option opts[] = {
	{"trust", required_argument, NULL, 't'},
	{NULL, 0, NULL, 0},
};

static int run_inspect(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *trust_path = NULL;
	int c;
	while ((c = cli_getopt(ctx, argc, argv, "t:", opts)) != -1) {
		if (c == 't')
			trust_path = optarg;
		else
			return FWS_EXIT_USAGE;
	}
	if (optind + 1 != argc)
		return cli_usage(ctx, "inspect needs exactly one package file.");
	const char *path = argv[optind];

	static fws_trust trust;
	char used[4096] = "";
	if (trust_path) {
		int rc = cli_trust_load(trust_path, false, &trust, used, sizeof used, NULL);
		if (rc >= 0)
			return rc;
	}
	static fwh_pkg_check chk;
	memset(&chk, 0, sizeof(chk));
	chk.want_file_sha256 = true;
	fwh_pkg_check_file(&chk, path);
	if (chk.err == FWS_E_IO) {
		pkg_print_error(path, &chk, NULL, NULL);
		return FWS_EXIT_IO;
	}
	/* Signature: checked on the prefix captured by the stream pass. */
	fws_err sig_err = FWS_OK;
	if (trust_path && chk.have_prefix) {
		fws_manifest m;
		sig_err = fws_pkg_prefix_verify(chk.prefix, chk.prefix_len, &trust, &m, chk.signer);
		chk.authentic = sig_err == FWS_OK;
	}
	const char *sig_state = !trust_path ? _("not checked (no --trust given)")
	                        : chk.authentic ? _("valid, key trusted")
	                                        : sig_err == FWS_E_REVOKED_KEY ? _("NOT valid: signed by a revoked key")
	                                        : sig_err == FWS_E_UNTRUSTED_KEY ? _("NOT valid: signed by a key the trust store does not hold")
	                                        : _("NOT valid: the signature does not verify");
	if (ctx->json) {
		struct cli_json j;
		cli_json_begin(&j, stdout);
		cli_json_str(&j, "package", path);
		cli_json_bool(&j, "intact", chk.err == FWS_OK);
		cli_json_bool(&j, "image_checked", chk.image_checked);
		if (chk.err != FWS_OK) {
			cli_json_str(&j, "error", fws_err_name(chk.err));
			cli_json_str(&j, "message", fws_err_describe(chk.err));
		}
		if (trust_path)
			cli_json_bool(&j, "signature_valid", chk.authentic);
		else
			cli_json_null(&j, "signature_valid");
		if (chk.authentic)
			cli_json_hex(&j, "verified_signer", chk.signer, FWS_KEY_ID_LEN);
		if (chk.have_prefix)
			pkg_print_json(&j, &chk);
		cli_json_end(&j);
	} else if (chk.have_prefix) {
		printf(_("Package:            %s\n"), path);
		pkg_print_text(stdout, &chk);
		if (chk.err != FWS_OK) /* the sentence follows (pkg_print_error) */
			printf(_("Integrity:          damaged (%s)\n"), fws_err_name(chk.err));
		else if (chk.image_checked)
			printf("%s", _("Integrity:          ok (every block, image digest, DFU suffix)\n"));
		else
			printf("%s", _("Integrity:          ok (every unit, DFU suffix; the image digest "
			               "needs the base image: the device checks it)\n"));
		printf(_("Signature:          %s\n"), sig_state);
	}
	if (chk.err != FWS_OK) {
		pkg_print_error(path, &chk, NULL, NULL);
		return cli_exit_for_fws(chk.err, false);
	}
	if (trust_path && !chk.authentic) {
		cli_error("%s: %s", path, _(fws_err_describe(sig_err)));
		if (sig_err == FWS_E_UNTRUSTED_KEY || sig_err == FWS_E_REVOKED_KEY)
			pkg_print_key_detail(path, &trust, used);
		return cli_exit_for_fws(sig_err, false);
	}
	return FWS_EXIT_OK;
}

const struct cli_cmd cli_cmd_inspect = {
	.name = "inspect",
	.summary = N_("show what a package contains (model, version, security notice, signers)"),
	.usage = usage,
	.json = true,
	.run = run_inspect,
	.opts = opts,
	.operands = CLI_VAL_FILE,
};
