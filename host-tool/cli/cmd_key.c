/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_key.c - `fwseal key generate` and `fwseal key export-trust`.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "cli_i18n.h"
#include "commands.h"
#include "fwseal/keys.h"

static const char usage[] =
	N_("Usage: fwseal key generate --out PREFIX [--passphrase-file FILE] [--json]\n"
	"       fwseal key export-trust --out TRUST PUB... [--revoke PUB_OR_KEYID]... [--json]\n\n"
	"generate      Make an ECDSA P-256 signing key: PREFIX.key (private, mode 0600,\n"
	"              never overwritten) and PREFIX.pub. Prints the key id.\n"
	"  --out PREFIX             where to write PREFIX.key and PREFIX.pub\n"
	"  --passphrase-file FILE   encrypt the private key with the first line of FILE\n"
	"                           (PBKDF2-HMAC-SHA256 + AES-256-GCM)\n\n"
	"export-trust  Write the device trust store TRUST (binary, fwseal/trust.h) and\n"
	"              TRUST.h (a C header for firmware builds) from public keys.\n"
	"  --out TRUST              output file\n"
	"  --revoke PUB_OR_KEYID    mark a key revoked (a .pub file or a 16-digit key id);\n"
	"                           the key must also be listed as PUB\n\n"
	"Common: --json (machine-readable output), --help.\n");

int cmd_key_exit(int key_err)
{
	switch ((fws_key_err)key_err) {
	case FWS_KEY_OK: return FWS_EXIT_OK;
	case FWS_KEY_E_IO:
	case FWS_KEY_E_EXPOSED: /* file permissions */
	case FWS_KEY_E_EXISTS: return FWS_EXIT_IO;
	case FWS_KEY_E_USAGE: return FWS_EXIT_USAGE;
	case FWS_KEY_E_FORMAT:
	case FWS_KEY_E_PASSPHRASE:
	case FWS_KEY_E_CRYPTO:
	case FWS_KEY_E_TOKEN: return FWS_EXIT_FAILURE;
	}
	return FWS_EXIT_FAILURE;
}

static const struct option generate_opts[] = {
	{"out", required_argument, NULL, 'o'},
	{"passphrase-file", required_argument, NULL, 'p'},
	{NULL, 0, NULL, 0},
};

static int key_generate(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct option *opts = generate_opts;
	const char *out = NULL, *pass_file = NULL;
	int c;
	while ((c = cli_getopt(ctx, argc, argv, "o:p:", opts)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'p': pass_file = optarg; break;
		default: return FWS_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage(ctx, "Unexpected argument '%s'.", argv[optind]);
	if (!out)
		return cli_usage(ctx, "key generate needs --out PREFIX.");

	fws_key_msg msg;
	char *pass = NULL;
	fws_key_err e;
	if (pass_file) {
		e = fws_secret_file_read(pass_file, &pass, &msg);
		if (e) {
			cli_error("%s", msg.text);
			return cmd_key_exit(e);
		}
		if (!*pass) {
			fws_secret_free(pass);
			cli_error("The passphrase file %s is empty. Put the passphrase on its first line.",
			          pass_file);
			return FWS_EXIT_USAGE;
		}
	}
	fws_keypair *kp = NULL;
	e = fws_keypair_generate(&kp, NULL, NULL, &msg);
	if (!e)
		e = fws_keypair_write(kp, out, pass, 0, &msg);
	fws_secret_free(pass); /* wipes the whole buffer, not just the first line */
	if (e) {
		fws_keypair_free(kp);
		cli_error("%s", msg.text);
		return cmd_key_exit(e);
	}
	uint8_t pub[FWS_P256_PUB_LEN], id[FWS_KEY_ID_LEN];
	char hex[2 * FWS_KEY_ID_LEN + 1];
	fws_keypair_pub(kp, pub);
	fws_keypair_free(kp);
	if (fws_key_id(pub, id) != FWS_OK) {
		cli_error("Cannot compute the key id: %s", fws_err_describe(FWS_E_CRYPTO));
		return cmd_key_exit(FWS_KEY_E_CRYPTO);
	}
	fws_key_id_hex(id, hex);
	if (ctx->json) {
		struct cli_json j;
		size_t n = strlen(out) + 5;
		char *kpath = malloc(n), *ppath = malloc(n);
		if (kpath && ppath) {
			snprintf(kpath, n, "%s.key", out);
			snprintf(ppath, n, "%s.pub", out);
			cli_json_begin(&j, stdout);
			cli_json_str(&j, "key_id", hex);
			cli_json_str(&j, "private_key", kpath);
			cli_json_str(&j, "public_key", ppath);
			cli_json_bool(&j, "encrypted", pass_file != NULL);
			cli_json_end(&j);
		}
		free(kpath);
		free(ppath);
	} else {
		printf(_("Wrote %s.key (private: keep it secret%s) and %s.pub.\nkey id: %s\n"), out,
		       pass_file ? _(", passphrase-protected") : "", out, hex);
	}
	return FWS_EXIT_OK;
}

static const struct option export_opts[] = {
	{"out", required_argument, NULL, 'o'},
	{"revoke", required_argument, NULL, 'r'},
	{NULL, 0, NULL, 0},
};

static int key_export_trust(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct option *opts = export_opts;
	const char *out = NULL;
	const char *revoke[FWS_TRUST_MAX + 1];
	unsigned nrevoke = 0;
	int c;
	while ((c = cli_getopt(ctx, argc, argv, "o:r:", opts)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'r':
			if (nrevoke > FWS_TRUST_MAX)
				return cli_usage(ctx, "Too many --revoke options.");
			revoke[nrevoke++] = optarg;
			break;
		default: return FWS_EXIT_USAGE;
		}
	}
	if (!out)
		return cli_usage(ctx, "key export-trust needs --out TRUST.");
	if (optind >= argc)
		return cli_usage(ctx, "key export-trust needs at least one public key file.");

	fws_trust t;
	memset(&t, 0, sizeof(t));
	const char *src[FWS_TRUST_MAX];
	fws_key_msg msg;
	for (int i = optind; i < argc; i++) {
		uint8_t pub[FWS_P256_PUB_LEN];
		fws_key_err e = fws_pub_load(argv[i], pub, &msg);
		if (!e) {
			src[t.count] = argv[i];
			e = fws_trust_add(&t, pub, &msg);
		}
		if (e) {
			cli_error("%s", msg.text);
			return cmd_key_exit(e);
		}
	}
	for (unsigned i = 0; i < nrevoke; i++) {
		uint8_t id[FWS_KEY_ID_LEN];
		if (access(revoke[i], F_OK) == 0) {
			uint8_t pub[FWS_P256_PUB_LEN];
			fws_key_err e = fws_pub_load(revoke[i], pub, &msg);
			if (e) {
				cli_error("%s", msg.text);
				return cmd_key_exit(e);
			}
			if (fws_key_id(pub, id) != FWS_OK) {
				cli_error("Cannot compute the key id: %s", fws_err_describe(FWS_E_CRYPTO));
				return cmd_key_exit(FWS_KEY_E_CRYPTO);
			}
		} else if (!fws_key_id_parse(revoke[i], id)) {
			return cli_usage(ctx, "--revoke %s is neither a public key file nor a 16-digit hex key id.",
			                 revoke[i]);
		}
		fws_key_err e = fws_trust_revoke(&t, id, &msg);
		if (e) {
			cli_error("%s", msg.text);
			return cmd_key_exit(e);
		}
	}
	fws_key_err e = fws_trust_write(&t, out, &msg);
	if (e) {
		cli_error("%s", msg.text);
		return cmd_key_exit(e);
	}
	struct cli_json j;
	if (ctx->json) {
		cli_json_begin(&j, stdout);
		cli_json_str(&j, "trust_store", out);
		cli_json_arr(&j, "keys");
	}
	for (unsigned i = 0; i < t.count; i++) {
		char hex[2 * FWS_KEY_ID_LEN + 1];
		bool revoked = t.keys[i].flags & FWS_TRUST_REVOKED;
		fws_key_id_hex(t.keys[i].id, hex);
		if (ctx->json) {
			cli_json_obj(&j, NULL);
			cli_json_str(&j, "key_id", hex);
			cli_json_bool(&j, "revoked", revoked);
			cli_json_str(&j, "source", src[i]);
			cli_json_obj_end(&j);
		} else {
			/* Translators: a key's state in 'fwseal key export-trust' */
			printf("%s  %-8s %s\n", hex, revoked ? _("revoked") : _("trusted"), src[i]);
		}
	}
	if (ctx->json) {
		cli_json_arr_end(&j);
		cli_json_end(&j);
	} else {
		printf(P_("Wrote %s and %s.h (%u key).\n", "Wrote %s and %s.h (%u keys).\n", t.count),
		       out, out, t.count);
	}
	return FWS_EXIT_OK;
}

/* The subcommands, in the shape of commands (completion reads them). */
static const struct cli_cmd key_generate_cmd = {
	.name = "generate",
	.summary = N_("make an ECDSA P-256 signing key pair"),
	.usage = usage,
	.json = true,
	.run = key_generate,
	.opts = generate_opts,
};

static const struct cli_opt_hint export_hints[] = {
	{"revoke", CLI_VAL_FILE},
	{NULL, NULL},
};

static const struct cli_cmd key_export_cmd = {
	.name = "export-trust",
	.summary = N_("write the device trust store from public keys"),
	.usage = usage,
	.json = true,
	.run = key_export_trust,
	.opts = export_opts,
	.hints = export_hints,
	.operands = CLI_VAL_FILE,
};

static const struct cli_cmd *const key_subs[] = { &key_generate_cmd, &key_export_cmd, NULL };

static int run_key(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(ctx, "key needs a subcommand: generate or export-trust.");
	for (const struct cli_cmd *const *s = key_subs; *s; s++)
		if (!strcmp(argv[1], (*s)->name))
			return (*s)->run(ctx, argc - 1, argv + 1);
	const char *names[] = { "generate", "export-trust" };
	int rc = cli_usage(ctx, "'%s' is not a key subcommand; use generate or export-trust.",
	                   argv[1]);
	cli_hint_did_you_mean(cli_suggest(argv[1], names, 2));
	return rc;
}

const struct cli_cmd cli_cmd_key = {
	.name = "key",
	.summary = N_("generate signing keys, export the device trust store"),
	.usage = usage,
	.json = true,
	.run = run_key,
	.subs = key_subs,
};
