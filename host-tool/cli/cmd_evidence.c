/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_evidence.c - `fwseal evidence --product FILE --package PKG --trust TRUST
 * [--device DEV] --out DIR`: the EN 303 645 clause 5.3 / TS 103 701 evidence
 * pack of one release (docs/evidence.md), built by host-tool/evidence/.
 */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "evidence.h"

static const char usage[] =
	N_("Usage: fwseal evidence --product FILE --package PKG --trust TRUST\n"
	"                       [--device DEV] [--previous PKG] [--test-key KEY]\n"
	"                       --out DIR [--json]\n\n"
	"Write the EN 303 645 clause 5.3 evidence pack of a release to DIR: DUT\n"
	"identification, ICS for 5.3-1..5.3-16, IXIT 2-UserInfo, 6-SoftComp,\n"
	"7-UpdMech, 8-UpdProc, and, with --device, functional tests against the device\n"
	"(evidence.md for people, evidence.json for machines, logs/). The pack is\n"
	"Supplier input for a Test Laboratory; it does not claim conformance.\n\n"
	"  --product FILE   product description (docs/product-description.md)\n"
	"  --package PKG    the release package\n"
	"  --trust TRUST    the trust store the devices carry\n"
	"  --device DEV     run the functional tests on this device (serial:PATH,\n"
	"                   usb:VID:PID[:SERIAL], hid:...); it runs the release afterwards\n"
	"  --previous PKG   an older release (lower security counter) for the downgrade test\n"
	"  --test-key KEY   lab builds: a key the device trusts, to sign wrong-model and\n"
	"                   downgrade test packages\n"
	"  --out DIR        output folder; a pack for another package digest there is\n"
	"                   reported as stale and replaced\n"
	"  --json           print a summary as JSON\n\n"
	"Exit codes: 0 pack written, no functional test failed; 1 a test FAILED (pack\n"
	"written) or the product description is incomplete; 2 usage; 3 the package does\n"
	"not verify; 5 file error; 6 device not reachable.\n");

/* A path from the product file is relative to the product file's folder. */
static char *beside(const char *product, const char *path)
{
	if (!path)
		return NULL;
	if (path[0] == '/')
		return strdup(path);
	char *copy = strdup(product);
	if (!copy)
		return NULL;
	const char *dir = dirname(copy);
	size_t n = strlen(dir) + strlen(path) + 2;
	char *out = malloc(n);
	if (out)
		snprintf(out, n, "%s/%s", dir, path);
	free(copy);
	return out;
}

static void progress(void *user, const char *line)
{
	(void)user;
	fprintf(stderr, "  %s\n", line);
}

struct args {
	const char *product, *package, *trust, *device, *out, *previous, *test_key;
};

static const struct option opts[] = {
	{"product", required_argument, NULL, 'p'},
	{"package", required_argument, NULL, 'k'},
	{"trust", required_argument, NULL, 't'},
	{"device", required_argument, NULL, 'd'},
	{"out", required_argument, NULL, 'o'},
	{"previous", required_argument, NULL, 'P'},
	{"test-key", required_argument, NULL, 'K'},
	{NULL, 0, NULL, 0},
};

static const struct cli_opt_hint hints[] = {
	{"device", CLI_VAL_DEVICE},
	{"out", CLI_VAL_DIR},
	{NULL, NULL},
};

static int parse(struct cli_ctx *ctx, int argc, char **argv, struct args *a)
{
	int c;
	memset(a, 0, sizeof(*a));
	while ((c = cli_getopt(ctx, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'p': a->product = optarg; break;
		case 'k': a->package = optarg; break;
		case 't': a->trust = optarg; break;
		case 'd': a->device = optarg; break;
		case 'o': a->out = optarg; break;
		case 'P': a->previous = optarg; break;
		case 'K': a->test_key = optarg; break;
		default: return FWS_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage(ctx, "unexpected argument '%s'.", argv[optind]);
	if (!a->product || !a->package || !a->trust || !a->out)
		return cli_usage(ctx, "--product, --package, --trust and --out are all needed.");
	return -1;
}

static void print_json(const struct ev_pack *pk, const char *out, const char *stale)
{
	struct cli_json j;
	unsigned n[3] = {0, 0, 0};
	for (size_t i = 0; i < pk->ntests; i++)
		n[pk->tests[i].verdict]++;
	cli_json_begin(&j, stdout);
	cli_json_str(&j, "out", out);
	cli_json_hex(&j, "package_sha256", pk->pkg->sha256, FWS_SHA256_LEN);
	cli_json_str(&j, "firmware_version", pk->pkg->m.version);
	if (stale)
		cli_json_str(&j, "stale", stale);
	else
		cli_json_null(&j, "stale");
	cli_json_obj(&j, "summary");
	cli_json_u64(&j, "PASS", n[EV_PASS]);
	cli_json_u64(&j, "FAIL", n[EV_FAIL]);
	cli_json_u64(&j, "INCONCLUSIVE", n[EV_INCONCLUSIVE]);
	cli_json_obj_end(&j);
	cli_json_end(&j);
}

static int run_evidence(struct cli_ctx *ctx, int argc, char **argv)
{
	struct args a;
	int rc = parse(ctx, argc, argv, &a);
	if (rc >= 0)
		return rc;

	char err[1024];
	struct ev_product prod;
	struct ev_trustfacts trust;
	struct ev_pkgfacts pkg;
	if (!ev_product_load(&prod, a.product, err, sizeof(err))) {
		cli_error("%s", err);
		return FWS_EXIT_FAILURE;
	}
	if (!ev_trust_load(&trust, a.trust, err, sizeof(err))) {
		cli_error("%s", err);
		ev_product_free(&prod);
		return FWS_EXIT_IO;
	}
	if (!ev_pkg_load(&pkg, a.package, &trust.trust, err, sizeof(err))) {
		cli_error("%s", err);
		ev_trust_free(&trust);
		ev_product_free(&prod);
		return FWS_EXIT_BAD_PACKAGE;
	}
	rc = FWS_EXIT_OK;
	struct ev_pack pk;
	char *prev = a.previous ? strdup(a.previous) : beside(a.product, prod.previous_package);
	char *tkey = a.test_key ? strdup(a.test_key) : beside(a.product, prod.test_signing_key);
	if (!ev_pack_build(&pk, &prod, &pkg, &trust, a.device, (int64_t)time(NULL), err,
	                   sizeof(err))) {
		cli_error("%s", err);
		rc = FWS_EXIT_FAILURE;
		goto out;
	}
	if (a.device) {
		int m = ev_mech_from_device(a.device);
		if (m < 0 || !(prod.interfaces & (1u << m))) {
			rc = cli_usage(ctx, "--device %s is not reached over an interface %s lists "
			               "(interfaces: usb-dfu, hid, serial).", a.device, prod.file_name);
			goto out_pack;
		}
		fprintf(stderr, _("fwseal: functional tests on %s\n"), a.device);
		struct ev_ft_opts fo = {
			.device = a.device, .package_path = a.package, .previous_path = prev,
			.test_key_path = tkey, .progress = progress,
		};
		if (!ev_functional_run(&pk, &fo, err, sizeof(err))) {
			cli_error("%s", err);
			rc = FWS_EXIT_DEVICE;
			goto out_pack;
		}
	}
	char *stale = NULL;
	if (!ev_pack_write(&pk, a.out, &stale, err, sizeof(err))) {
		cli_error("%s", err);
		rc = FWS_EXIT_IO;
		goto out_pack;
	}
	if (stale)
		fprintf(stderr, _("fwseal: note: %s\n"), stale);
	unsigned fails = 0;
	for (size_t i = 0; i < pk.ntests; i++)
		if (pk.tests[i].verdict == EV_FAIL) {
			fails++;
			fprintf(stderr, _("fwseal: %s FAILED: %s\n"), pk.tests[i].id, pk.tests[i].reason);
		}
	if (ctx->json)
		print_json(&pk, a.out, stale);
	else
		printf(_("Evidence pack for %s %s written to %s (evidence.md, evidence.json, logs/).\n"),
		       pkg.m.model, pkg.m.version, a.out);
	free(stale);
	if (fails)
		rc = FWS_EXIT_FAILURE;
out_pack:
	ev_pack_free(&pk);
out:
	free(prev);
	free(tkey);
	ev_pkg_free(&pkg);
	ev_trust_free(&trust);
	ev_product_free(&prod);
	return rc;
}

const struct cli_cmd cli_cmd_evidence = {
	.name = "evidence",
	.summary = N_("write the EN 303 645 5.3 evidence pack of a release"),
	.usage = usage,
	.json = true,
	.run = run_evidence,
	.opts = opts,
	.hints = hints,
};
