/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_evidence.c - `fwseal evidence`: the EN 303 645 clause 5.3 / TS 103 701
 * evidence pack of one release (docs/evidence.md), built by
 * host-tool/evidence/; and `fwseal evidence verify DIR --key PUB`, which
 * checks a signed pack.
 *
 * Everything that can be wrong with the inputs is found before any device is
 * touched: the edition, the product description, the package against the
 * trust store, the release description against the package, and keys that
 * must not be release signers (the lab test keys, the evidence key).
 */
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "evidence.h"
#include "fwseal/keys.h"
#include "release_desc.h"
#include "sbom.h"

#define MAX_DEVICES 3 /* one per interface: usb-dfu, hid, serial */

static const char usage[] =
	N_("Usage: fwseal evidence --product FILE --package PKG --trust TRUST --out DIR\n"
	"                       [--edition ED] [--release REL] [--device DEV]...\n"
	"                       [--previous PKG] [--test-key KEY] [--revoked-key KEY]\n"
	"                       [--power-cut CMD] [--sign-key KEY] [--json]\n"
	"       fwseal evidence verify DIR --key PUB [--json]\n\n"
	"Write the EN 303 645 clause 5.3 evidence pack of a release to DIR: DUT\n"
	"identification, ICS for 5.3-1..5.3-16, conceptual-assessment input, IXIT\n"
	"2-UserInfo, 6-SoftComp, 7-UpdMech, 8-UpdProc, the Supplier's checks and, with\n"
	"--device, functional tests against each device, and a CRA table (evidence.md,\n"
	"evidence.json, logs/, evidence.sha256, evidence.sig). The pack is Supplier\n"
	"input for a Test Laboratory; it does not claim conformance. docs/evidence.md\n\n"
	"  --product FILE    product description (docs/product-description.md)\n"
	"  --package PKG     the release package\n"
	"  --trust TRUST     the trust store the devices carry\n"
	"  --out DIR         output folder; a pack for another package digest there is\n"
	"                    reported as stale and replaced\n"
	"  --edition ED      en303645-v2.1.1 or en303645-v3.1.3 (or 'edition' in the\n"
	"                    product description)\n"
	"  --release REL     the release description the package was made from: the\n"
	"                    5.3-8 dates and the SBOM file\n"
	"  --device DEV      run the functional tests on this device (serial:PATH,\n"
	"                    usb:VID:PID[:SERIAL], hid:...); once per interface the\n"
	"                    product declares; each runs the release afterwards\n"
	"  --previous PKG    the previous release (N-1): installed first for the\n"
	"                    upgrade test, sent for the downgrade test\n"
	"  --test-key KEY    lab builds: a key the device trusts and no release is\n"
	"                    signed with, for the re-signed test packages\n"
	"  --revoked-key KEY lab builds: a key the device lists as revoked\n"
	"  --power-cut CMD   a command that cuts the device's power and restores it\n"
	"                    (run with sh -c; FWSEAL_DEVICE, FWSEAL_DEVICE_SERIAL set)\n"
	"  --sign-key KEY    sign evidence.sha256 with this evidence key (PREFIX.key or a\n"
	"                    PKCS#11 URI); refused if it signs releases or devices trust it\n"
	"  --key PUB         verify: the evidence key's public key\n"
	"  --json            print a summary as JSON\n\n"
	"Exit codes: 0 pack written and every verdict PASS; 12 at least one FAIL;\n"
	"13 no FAIL but at least one INCONCLUSIVE; 1 product or release description\n"
	"incomplete or inconsistent (no pack written); 2 usage; 3 the package does not\n"
	"verify; 5 file error; 6 a device cannot be opened.\n"
	"verify: 0 signature and every file hold; 3 tampered or not signed; 5 file error.\n");

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
	const char *product, *package, *trust, *out, *previous, *test_key, *revoked_key;
	const char *edition, *release, *power_cut, *sign_key;
	const char *devices[MAX_DEVICES];
	unsigned ndevices;
};

static const struct option opts[] = {
	{"product", required_argument, NULL, 'p'},
	{"package", required_argument, NULL, 'k'},
	{"trust", required_argument, NULL, 't'},
	{"device", required_argument, NULL, 'd'},
	{"out", required_argument, NULL, 'o'},
	{"previous", required_argument, NULL, 'P'},
	{"test-key", required_argument, NULL, 'K'},
	{"revoked-key", required_argument, NULL, 'R'},
	{"edition", required_argument, NULL, 'e'},
	{"release", required_argument, NULL, 'r'},
	{"power-cut", required_argument, NULL, 'C'},
	{"sign-key", required_argument, NULL, 'S'},
	{"key", required_argument, NULL, 'y'}, /* evidence verify */
	{NULL, 0, NULL, 0},
};

static const struct cli_opt_hint hints[] = {
	{"device", CLI_VAL_DEVICE},
	{"out", CLI_VAL_DIR},
	{"edition", "en303645-v2.1.1 en303645-v3.1.3"},
	{"power-cut", CLI_VAL_TEXT},
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
		case 'd':
			if (a->ndevices == MAX_DEVICES)
				return cli_usage(ctx, "at most %d devices: one --device per interface.",
				                 MAX_DEVICES);
			a->devices[a->ndevices++] = optarg;
			break;
		case 'o': a->out = optarg; break;
		case 'P': a->previous = optarg; break;
		case 'K': a->test_key = optarg; break;
		case 'R': a->revoked_key = optarg; break;
		case 'e': a->edition = optarg; break;
		case 'r': a->release = optarg; break;
		case 'C': a->power_cut = optarg; break;
		case 'S': a->sign_key = optarg; break;
		case 'y':
			return cli_usage(ctx, "--key belongs to 'fwseal evidence verify DIR --key PUB'.");
		default: return FWS_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage(ctx, "unexpected argument '%s'.", argv[optind]);
	if (!a->product || !a->package || !a->trust || !a->out)
		return cli_usage(ctx, "--product, --package, --trust and --out are all needed.");
	return -1;
}

static void print_json(const struct ev_pack *pk, const char *out, const char *stale, int rc)
{
	struct cli_json j;
	unsigned n[3];
	ev_pack_count(pk, n);
	cli_json_begin(&j, stdout);
	cli_json_str(&j, "out", out);
	cli_json_hex(&j, "package_sha256", pk->pkg->sha256, FWS_SHA256_LEN);
	cli_json_str(&j, "firmware_version", pk->pkg->m.version);
	cli_json_str(&j, "edition", pk->edition->id);
	if (stale)
		cli_json_str(&j, "stale", stale);
	else
		cli_json_null(&j, "stale");
	cli_json_obj(&j, "summary");
	cli_json_u64(&j, "PASS", n[EV_PASS]);
	cli_json_u64(&j, "FAIL", n[EV_FAIL]);
	cli_json_u64(&j, "INCONCLUSIVE", n[EV_INCONCLUSIVE]);
	cli_json_obj_end(&j);
	cli_json_u64(&j, "exit_code", (uint64_t)rc);
	cli_json_end(&j);
}

/* Is id one of the key ids that signed g? */
static bool signed_by(const struct ev_pkgfacts *g, const uint8_t id[FWS_KEY_ID_LEN])
{
	for (unsigned i = 0; g && i < g->sig_count; i++)
		if (!memcmp(g->sig_key_ids[i], id, FWS_KEY_ID_LEN))
			return true;
	return false;
}

/* The id of a key file (private) or PKCS#11 URI; -1 or an exit code. */
static int key_id_of(const char *what, const char *path, uint8_t id[FWS_KEY_ID_LEN])
{
	fws_signer *s = NULL;
	fws_signer_opts so = {0};
	fws_key_msg msg;
	fws_key_err e = fws_signer_open(path, &so, &s, &msg);
	if (e) {
		cli_error("%s %s: %s", what, path, msg.text);
		return cmd_key_exit(e);
	}
	uint8_t pub[FWS_P256_PUB_LEN];
	fws_signer_pub(s, pub);
	fws_err ie = fws_key_id(pub, id);
	fws_signer_close(s);
	if (ie != FWS_OK) {
		cli_error("%s %s: its key id cannot be computed", what, path);
		return FWS_EXIT_FAILURE;
	}
	return -1;
}

/* A lab key must not be a release signer: a package "signed by the lab test
 * key" would be a real release. Its id goes into the pack. */
static int lab_key(const char *what, const char *path, const struct ev_pkgfacts *pkg,
                   const struct ev_pkgfacts *prev, char hex[2 * FWS_KEY_ID_LEN + 1])
{
	uint8_t id[FWS_KEY_ID_LEN];
	int rc = key_id_of(what, path, id);
	if (rc >= 0)
		return rc;
	cli_hex(id, FWS_KEY_ID_LEN, hex);
	const struct ev_pkgfacts *by = signed_by(pkg, id) ? pkg : signed_by(prev, id) ? prev : NULL;
	if (by) {
		cli_error("the %s %s (key id %s) signed the release %s: a lab key must be a separate "
		          "key that no release is signed with and only lab builds trust. Make one with "
		          "'fwseal key generate --out lab' and add lab.pub to the lab trust store.", what,
		          path, hex, by->file_name);
		return FWS_EXIT_USAGE;
	}
	return -1;
}

/* The release description: hashed, checked against the signed manifest, its
 * 5.3-8 dates and SBOM. -1 or an exit code. */
static int load_release(const char *path, const struct ev_pkgfacts *pkg, struct ev_release *r)
{
	static rel_desc rd;
	rel_error rerr;
	rel_init(&rd);
	if (!rel_parse_file(&rd, path, &rerr) || !rel_finish(&rd, path, &rerr)) {
		cli_error("%s", rerr.text);
		return FWS_EXIT_FAILURE;
	}
	const fws_manifest *m = &pkg->m;
	const char *diff = strcmp(rd.m.model, m->model) ? "model"
	                   : strcmp(rd.m.version, m->version) ? "version"
	                   : strcmp(rd.m.component, m->component) ? "component"
	                   : rd.m.security_counter != m->security_counter ? "security_counter"
	                   : rd.m.release_date != m->release_date ? "release_date"
	                   : rd.m.support_end != m->support_end ? "support_end"
	                   : rd.m.security_update != m->security_update ? "security_update"
	                   : rd.m.severity != m->severity ? "severity" : NULL;
	if (diff) {
		cli_error("the release description %s does not describe the package %s: their '%s' "
		          "differ. Give the release description the package was made from (with the "
		          "same --set values).", path, pkg->file_name, diff);
		return FWS_EXIT_FAILURE;
	}
	uint8_t *data;
	size_t len;
	char err[1500];
	if (!ev_read_file(path, 64u * 1024u, &data, &len, err, sizeof(err))) {
		cli_error("%s", err);
		return FWS_EXIT_IO;
	}
	fws_err he = fws_sha256(data, len, r->sha256);
	free(data);
	if (he != FWS_OK) {
		cli_error("%s: cannot compute its SHA-256", path);
		return FWS_EXIT_FAILURE;
	}
	const char *base = strrchr(path, '/');
	r->file_name = strdup(base ? base + 1 : path);
	r->vuln_confirmed = rd.vuln_confirmed;
	r->fix_available = rd.fix_available;
	if (rd.sbom[0]) {
		char *sp = beside(path, rd.sbom);
		sbom_info si;
		r->sbom_file = strdup(rd.sbom);
		if (sp && sbom_load(sp, &si, r->sbom_sha256, err, sizeof(err))) {
			r->sbom_read = true;
			size_t n = strlen(sbom_kind_name(si.kind)) + strlen(si.version) + 2;
			r->sbom_format = malloc(n);
			if (r->sbom_format)
				snprintf(r->sbom_format, n, "%s%s%s", sbom_kind_name(si.kind),
				         si.version[0] ? " " : "", si.version);
		} else {
			fprintf(stderr, _("fwseal: note: %s\n"), err);
		}
		free(sp);
	}
	return -1;
}

static void release_free(struct ev_release *r)
{
	free(r->file_name);
	free(r->sbom_file);
	free(r->sbom_format);
	memset(r, 0, sizeof(*r));
}

/* The evidence key: not a release signer, not a key devices trust. */
static int evidence_key(const char *path, const struct ev_pkgfacts *pkg,
                        const struct ev_pkgfacts *prev, const fws_trust *t, fws_signer **out)
{
	fws_signer_opts so = {0};
	fws_key_msg msg;
	fws_key_err e = fws_signer_open(path, &so, out, &msg);
	if (e) {
		cli_error("evidence key %s: %s", path, msg.text);
		return cmd_key_exit(e);
	}
	uint8_t pub[FWS_P256_PUB_LEN], id[FWS_KEY_ID_LEN];
	char hex[2 * FWS_KEY_ID_LEN + 1];
	fws_signer_pub(*out, pub);
	if (fws_key_id(pub, id) != FWS_OK) {
		cli_error("evidence key %s: its key id cannot be computed", path);
		fws_signer_close(*out);
		*out = NULL;
		return FWS_EXIT_FAILURE;
	}
	cli_hex(id, FWS_KEY_ID_LEN, hex);
	const char *why = signed_by(pkg, id) || signed_by(prev, id) ? "signed the release"
	                  : fws_trust_find(t, id) ? "is in the trust store devices carry, so it "
	                                           "could sign firmware they accept" : NULL;
	if (why) {
		cli_error("the evidence key %s (key id %s) %s: sign evidence with a key used for "
		          "nothing else. Make one with 'fwseal key generate --out evidence'.", path, hex,
		          why);
		fws_signer_close(*out);
		*out = NULL;
		return FWS_EXIT_USAGE;
	}
	return -1;
}

static int run_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option vopts[] = {
		{"key", required_argument, NULL, 'k'},
		{NULL, 0, NULL, 0},
	};
	const char *key = NULL;
	int c;
	optind = 0;
	while ((c = cli_getopt(ctx, argc, argv, "", vopts)) != -1) {
		if (c != 'k')
			return FWS_EXIT_USAGE;
		key = optarg;
	}
	if (optind + 1 != argc || !key)
		return cli_usage(ctx, "evidence verify needs the pack folder and --key PUB.");
	const char *dir = argv[optind];
	uint8_t pub[FWS_P256_PUB_LEN];
	fws_key_msg msg;
	fws_key_err e = fws_pub_load(key, pub, &msg);
	if (e) {
		cli_error("%s", msg.text);
		return cmd_key_exit(e);
	}
	char *report = NULL;
	enum ev_verify_result r = ev_pack_verify(dir, pub, &report);
	int rc = r == EV_VERIFY_OK ? FWS_EXIT_OK : r == EV_VERIFY_IO ? FWS_EXIT_IO
	                                                              : FWS_EXIT_BAD_PACKAGE;
	if (ctx->json) {
		struct cli_json j;
		cli_json_begin(&j, stdout);
		cli_json_str(&j, "pack", dir);
		cli_json_str(&j, "result", r == EV_VERIFY_OK ? "verified" : r == EV_VERIFY_BAD ?
		             "tampered" : r == EV_VERIFY_UNSIGNED ? "unsigned" : "unreadable");
		cli_json_str(&j, "report", report);
		cli_json_end(&j);
	} else {
		fputs(report, stdout);
		if (r == EV_VERIFY_OK)
			printf(_("The pack in %s is as the holder of this evidence key signed it.\n"), dir);
		else
			cli_error("the pack in %s does not verify (%s). Do not rely on it; get the pack "
			          "again from its author.", dir, r == EV_VERIFY_BAD ? "tampered" :
			          r == EV_VERIFY_UNSIGNED ? "not signed" : "unreadable");
	}
	free(report);
	return rc;
}

static int run_evidence(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "verify"))
		return run_verify(ctx, argc - 1, argv + 1);
	struct args a;
	int rc = parse(ctx, argc, argv, &a);
	if (rc >= 0)
		return rc;

	char err[1024];
	struct ev_product prod;
	struct ev_trustfacts trust;
	struct ev_pkgfacts pkg, prevpkg;
	struct ev_release rel = {0};
	bool have_prev = false;
	fws_signer *signer = NULL;
	if (!ev_product_load(&prod, a.product, err, sizeof(err))) {
		cli_error("%s", err);
		return FWS_EXIT_FAILURE;
	}
	const char *ed_id = a.edition ? a.edition : prod.edition;
	const struct ev_edition *ed = ev_edition_find(ed_id);
	if (!ed) {
		ev_product_free(&prod);
		if (!ed_id)
			return cli_usage(ctx, "name the edition of EN 303 645 the pack follows: --edition "
			                 "(%s), or 'edition = ...' in [product] of %s.", ev_edition_ids(),
			                 a.product);
		return cli_usage(ctx, "--edition %s is not an edition fwseal knows; use one of: %s.",
		                 ed_id, ev_edition_ids());
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
	struct ev_pack pk;
	memset(&pk, 0, sizeof(pk));
	bool pack_built = false;
	char *prev = a.previous ? strdup(a.previous) : beside(a.product, prod.previous_package);
	char *tkey = a.test_key ? strdup(a.test_key) : beside(a.product, prod.test_signing_key);
	char *rkey = a.revoked_key ? strdup(a.revoked_key) : beside(a.product, prod.revoked_test_key);
	char *pdir_copy = strdup(a.product);
	const char *pdir = pdir_copy ? dirname(pdir_copy) : ".";
	char tkey_hex[2 * FWS_KEY_ID_LEN + 1], rkey_hex[2 * FWS_KEY_ID_LEN + 1];
	if (prev && ev_pkg_load(&prevpkg, prev, &trust.trust, err, sizeof(err)))
		have_prev = true;
	rc = -1;
	if (tkey)
		rc = lab_key("test key", tkey, &pkg, have_prev ? &prevpkg : NULL, tkey_hex);
	if (rc < 0 && rkey)
		rc = lab_key("revoked test key", rkey, &pkg, have_prev ? &prevpkg : NULL, rkey_hex);
	if (rc < 0 && a.sign_key)
		rc = evidence_key(a.sign_key, &pkg, have_prev ? &prevpkg : NULL, &trust.trust, &signer);
	if (rc < 0 && a.release)
		rc = load_release(a.release, &pkg, &rel);
	if (rc >= 0)
		goto out;
	for (unsigned i = 0; i < a.ndevices; i++) {
		int m = ev_mech_from_device(a.devices[i]);
		if (m < 0 || !(prod.interfaces & (1u << m))) {
			rc = cli_usage(ctx, "--device %s is not reached over an interface %s lists "
			               "(interfaces: usb-dfu, hid, serial).", a.devices[i], prod.file_name);
			goto out;
		}
	}
	struct ev_inputs in = {
		.edition = ed,
		.edition_source = a.edition ? "--edition" : "the product description's 'edition'",
		.release = a.release ? &rel : NULL,
		.test_key_id = tkey ? tkey_hex : NULL,
		.revoked_key_id = rkey ? rkey_hex : NULL,
		.product_dir = pdir,
	};
	if (!ev_pack_build(&pk, &prod, &pkg, &trust, &in, (int64_t)time(NULL), err, sizeof(err))) {
		cli_error("%s", err);
		rc = FWS_EXIT_FAILURE;
		goto out;
	}
	pack_built = true;
	char self[PATH_MAX];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl > 0)
		self[sl] = '\0';
	char *pcmd = a.power_cut ? strdup(a.power_cut) : prod.power_cut_command ?
	             strdup(prod.power_cut_command) : NULL;
	for (unsigned i = 0; i < a.ndevices; i++) {
		fprintf(stderr, _("fwseal: functional tests on %s\n"), a.devices[i]);
		struct ev_ft_opts fo = {
			.device = a.devices[i], .package_path = a.package, .trust_path = a.trust,
			.previous_path = prev, .test_key_path = tkey,
			.revoked_key_path = rkey, .cli_path = sl > 0 ? self : NULL,
			.power = {.command = pcmd, .sim_controls = getenv("FWSEAL_SIM_CONTROL")},
			.progress = progress,
		};
		if (!ev_functional_run(&pk, &fo, err, sizeof(err))) {
			cli_error("%s", err);
			rc = FWS_EXIT_DEVICE;
			free(pcmd);
			goto out;
		}
	}
	free(pcmd);
	ev_pack_finish(&pk);
	char *stale = NULL;
	if (!ev_pack_write(&pk, a.out, signer, &stale, err, sizeof(err))) {
		cli_error("%s", err);
		rc = FWS_EXIT_IO;
		goto out;
	}
	if (stale)
		fprintf(stderr, _("fwseal: note: %s\n"), stale);
	unsigned n[3];
	ev_pack_count(&pk, n);
	for (size_t i = 0; i < pk.ntests; i++) {
		const struct ev_test *t = &pk.tests[i];
		if (t->verdict != EV_PASS)
			fprintf(stderr, "fwseal: %s%s%s %s: %s\n", t->id, t->transport ? " over " : "",
			        t->transport ? t->transport : "", t->verdict == EV_FAIL ? "FAILED" :
			        "INCONCLUSIVE", t->reason); /* ids and verdicts: not translated */
	}
	rc = n[EV_FAIL] ? FWS_EXIT_EVIDENCE_FAIL
	     : n[EV_INCONCLUSIVE] ? FWS_EXIT_EVIDENCE_INCONCLUSIVE : FWS_EXIT_OK;
	if (ctx->json)
		print_json(&pk, a.out, stale, rc);
	else
		printf(signer ? _("Evidence pack for %s %s written to %s, signed: %u PASS, %u FAIL, %u "
		                  "INCONCLUSIVE.\n")
		              : _("Evidence pack for %s %s written to %s: %u PASS, %u FAIL, %u "
		                  "INCONCLUSIVE.\n"),
		       pkg.m.model, pkg.m.version, a.out, n[EV_PASS], n[EV_FAIL], n[EV_INCONCLUSIVE]);
	free(stale);
out:
	if (pack_built)
		ev_pack_free(&pk);
	if (signer)
		fws_signer_close(signer);
	if (have_prev)
		ev_pkg_free(&prevpkg);
	release_free(&rel);
	free(prev);
	free(tkey);
	free(rkey);
	free(pdir_copy);
	ev_pkg_free(&pkg);
	ev_trust_free(&trust);
	ev_product_free(&prod);
	return rc;
}

const struct cli_cmd cli_cmd_evidence = {
	.name = "evidence",
	.summary = N_("write (or verify) the EN 303 645 5.3 evidence pack of a release"),
	.usage = usage,
	.json = true,
	.run = run_evidence,
	.opts = opts,
	.hints = hints,
};
