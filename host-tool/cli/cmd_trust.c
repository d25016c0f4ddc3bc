/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_trust.c - `fwseal trust-update` (make a security key update: a package
 * whose payload is the new trust store) and `fwseal key import-trust`
 * (advance a host's trust store through a chain of them). docs/trust.md.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomic_out.h"
#include "cli_i18n.h"
#include "commands.h"
#include "fwseal-host/trustchain.h"
#include "fwseal/keys.h"
#include "fwseal/pkg.h"
#include "signers.h"

static const char usage[] =
	N_("Usage: fwseal trust-update --current OLD.trust --new NEW.trust --key ROOTKEY\n"
	"                           [--key ROOTKEY]... --out UPD.fwseal [--json]\n"
	"                           [--model M] [--vendor-id ID] [--class-id ID]\n"
	"                           [--severity LEVEL] [--risks TEXT]\n"
	"                           [--passphrase-file FILE] [--pin-file FILE] [--pkcs11-module SO]\n\n"
	"Make a security key update: a package whose payload is NEW.trust, for devices\n"
	"that have OLD.trust in force (docs/trust.md). It must be signed by OLD's root\n"
	"threshold of OLD's root keys and by NEW's root threshold of NEW's root keys;\n"
	"NEW must be a format-2 store with a higher trust version and usable keys.\n"
	"All of it is checked before the file is written, and the file is verified\n"
	"against OLD afterwards.\n\n"
	"  --current OLD.trust  the trust store the devices have now\n"
	"  --new NEW.trust      the trust store they get ('fwseal key export-trust --version N ...')\n"
	"  --key KEY            a root key (key file or pkcs11: URI); repeat, up to 4\n"
	"  --out UPD.fwseal     the package to write (replaced atomically)\n"
	"  --model M            only for devices of this model (default: any model)\n"
	"  --vendor-id ID       --class-id ID   only for devices with these USB ids\n"
	"  --severity LEVEL     none, low, medium, high or critical (default high)\n"
	"  --risks TEXT         the risk it mitigates, in plain words (default: what changes)\n"
	"  --passphrase-file FILE, --pin-file FILE, --pkcs11-module SO   as for 'fwseal pack'\n\n"
	"Exit codes: 0 written, 2 usage or a rule not met, 5 file error, 1 other.\n");

/* ---------------------------------------------------------------------- */
/* Signers                                                                 */

struct signers {
	fws_signer *s[FWS_PKG_SIG_MAX];
	uint8_t id[FWS_PKG_SIG_MAX][FWS_KEY_ID_LEN];
	unsigned n;
};

static void signers_close(struct signers *g)
{
	for (unsigned i = 0; i < g->n; i++)
		fws_signer_close(g->s[i]);
	g->n = 0;
}

/* Open every key; on failure nothing stays open. -1 or an exit code. */
static int signers_open(struct signers *g, const char *const keys[], unsigned n,
                        const char *pass_file, const char *pin_file, const char *module)
{
	int rc = cli_signers_open(keys, n, pass_file, pin_file, module, g->s);

	g->n = 0;
	if (rc >= 0)
		return rc;
	g->n = n;
	rc = cli_signers_ids(g->s, g->n, g->id);
	if (rc >= 0)
		signers_close(g);
	return rc;
}

/* Unrevoked root keys of t among the signers. */
static unsigned roots_among(const fws_trust *t, const struct signers *g)
{
	unsigned n = 0;
	for (unsigned i = 0; i < g->n; i++) {
		const fws_trust_key *k = fws_trust_find(t, g->id[i]);
		n += k && !(k->flags & FWS_TRUST_REVOKED) && (fws_trust_roles(t, k) & FWS_TRUST_ROOT);
	}
	return n;
}

/* "a, b" of t's unrevoked root key ids, for messages. */
static void root_list(const fws_trust *t, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < t->count; i++) {
		const fws_trust_key *k = &t->keys[i];
		char hex[2 * FWS_KEY_ID_LEN + 1];
		if ((k->flags & FWS_TRUST_REVOKED) || !(fws_trust_roles(t, k) & FWS_TRUST_ROOT))
			continue;
		cli_hex(k->id, FWS_KEY_ID_LEN, hex);
		o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%s%s", o ? ", " : "", hex);
	}
}

/* ---------------------------------------------------------------------- */
/* trust-update                                                            */

struct tu_args {
	const char *current, *next, *out, *model, *risks;
	const char *keys[FWS_PKG_SIG_MAX];
	unsigned nkeys;
	uint16_t vendor_id, class_id;
	uint8_t severity;
	const char *pass_file, *pin_file, *module;
};

static const struct option tu_opts[] = {
	{"current", required_argument, NULL, 'c'},
	{"new", required_argument, NULL, 'n'},
	{"key", required_argument, NULL, 'k'},
	{"out", required_argument, NULL, 'o'},
	{"model", required_argument, NULL, 'm'},
	{"vendor-id", required_argument, NULL, 'V'},
	{"class-id", required_argument, NULL, 'C'},
	{"severity", required_argument, NULL, 's'},
	{"risks", required_argument, NULL, 'r'},
	{"passphrase-file", required_argument, NULL, 'P'},
	{"pin-file", required_argument, NULL, 'N'},
	{"pkcs11-module", required_argument, NULL, 'M'},
	{NULL, 0, NULL, 0},
};

static const struct cli_opt_hint tu_hints[] = {
	{"model", CLI_VAL_TEXT},
	{"vendor-id", CLI_VAL_TEXT},
	{"class-id", CLI_VAL_TEXT},
	{"severity", "none low medium high critical"},
	{"risks", CLI_VAL_TEXT},
	{NULL, NULL},
};

static int tu_parse(struct cli_ctx *ctx, int argc, char **argv, struct tu_args *a)
{
	const struct option *opts = tu_opts;
	int c;
	a->severity = FWS_SEVERITY_HIGH;
	while ((c = cli_getopt(ctx, argc, argv, "c:n:k:o:", opts)) != -1) {
		switch (c) {
		case 'c': a->current = optarg; break;
		case 'n': a->next = optarg; break;
		case 'o': a->out = optarg; break;
		case 'm': a->model = optarg; break;
		case 'r': a->risks = optarg; break;
		case 'P': a->pass_file = optarg; break;
		case 'N': a->pin_file = optarg; break;
		case 'M': a->module = optarg; break;
		case 'k':
			if (a->nkeys >= FWS_PKG_SIG_MAX)
				return cli_usage(ctx, "A package carries at most %u signatures. Give --key at most %u times.",
				                 FWS_PKG_SIG_MAX, FWS_PKG_SIG_MAX);
			a->keys[a->nkeys++] = optarg;
			break;
		case 'V':
		case 'C':
			if (!cli_parse_u16(optarg, c == 'V' ? &a->vendor_id : &a->class_id))
				return cli_usage(ctx, "--%s '%s' is not a number from 0 to 65535.",
				                 c == 'V' ? "vendor-id" : "class-id", optarg);
			break;
		case 's': {
			uint8_t v = 0;
			while (v <= FWS_SEVERITY_CRITICAL && strcmp(optarg, fws_severity_name(v)) != 0)
				v++;
			if (v > FWS_SEVERITY_CRITICAL)
				return cli_usage(ctx, "--severity must be none, low, medium, high or critical, not '%s'.",
				                 optarg);
			a->severity = v;
			break;
		}
		default: return FWS_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage(ctx, "Unexpected argument '%s'.", argv[optind]);
	if (!a->current || !a->next || !a->nkeys || !a->out)
		return cli_usage(ctx, "trust-update needs --current, --new, --key and --out.");
	return -1;
}

struct phrases {
	char text[FWS_RISKS_MAX + 1];
	size_t len;
	unsigned n;
};

static void add_phrase(void *user, const char *p)
{
	struct phrases *ph = user;
	size_t need = strlen(p) + 2;
	if (ph->len + need + 1 >= sizeof ph->text)
		return;
	ph->len += (size_t)snprintf(ph->text + ph->len, sizeof ph->text - ph->len, "%s%s",
	                            ph->n++ ? "; " : "", p);
}

static void print_phrase(void *user, const char *p)
{
	(void)user;
	printf("  %s\n", p);
}

struct json_phrase {
	struct cli_json *j;
};

static void json_phrase(void *user, const char *p)
{
	cli_json_str(((struct json_phrase *)user)->j, NULL, p);
}

struct mem {
	const uint8_t *p;
	size_t n;
};

static fws_err mem_read(void *ctx, uint64_t off, uint8_t *dst, size_t len)
{
	const struct mem *m = ctx;
	if (off > m->n || len > m->n - off)
		return FWS_E_IO;
	memcpy(dst, m->p + off, len);
	return FWS_OK;
}

/* The checks of docs/trust.md a package maker can make: -1 or exit code. */
static int tu_rules(const fwh_trust_file *old, const fwh_trust_file *nw, const struct tu_args *a,
                    const struct signers *g)
{
	char list[256];
	fws_key_msg msg;

	if (nw->t.format != 2)
		return cli_error("%s is a format-1 store (trust version 1); export the new store with "
		                 "--version N and its --root and --release keys.", a->next),
		       FWS_EXIT_USAGE;
	if (fws_trust_version(&nw->t) <= fws_trust_version(&old->t))
		return cli_error("%s has trust version %u, not above %s's %u; a device only moves to a "
		                 "higher version. Export it with a higher --version.",
		                 a->next, (unsigned)fws_trust_version(&nw->t), a->current,
		                 (unsigned)fws_trust_version(&old->t)),
		       FWS_EXIT_USAGE;
	if (fws_trust_check_usable(&nw->t, &msg) != FWS_KEY_OK)
		return cli_error("%s: %s", a->next, msg.text), FWS_EXIT_USAGE;
	for (unsigned i = 0; i < g->n; i++) {
		char hex[2 * FWS_KEY_ID_LEN + 1];
		cli_hex(g->id[i], FWS_KEY_ID_LEN, hex);
		const fws_trust_key *ko = fws_trust_find(&old->t, g->id[i]);
		const fws_trust_key *kn = fws_trust_find(&nw->t, g->id[i]);
		bool root_o = ko && !(ko->flags & FWS_TRUST_REVOKED) &&
		              (fws_trust_roles(&old->t, ko) & FWS_TRUST_ROOT);
		bool root_n = kn && !(kn->flags & FWS_TRUST_REVOKED) &&
		              (fws_trust_roles(&nw->t, kn) & FWS_TRUST_ROOT);
		if (!root_o && !root_n)
			return cli_error("Key %s (--key %s) is not an unrevoked root key of %s or %s, so "
			                 "its signature would not count. Sign with root keys.",
			                 hex, a->keys[i], a->current, a->next),
			       FWS_EXIT_USAGE;
	}
	if (roots_among(&old->t, g) < fws_trust_threshold(&old->t)) {
		root_list(&old->t, list, sizeof list);
		return cli_error("The devices need %u signature%s by root keys of %s and the keys given "
		                 "are %u of them. Add --key for more of: %s.",
		                 fws_trust_threshold(&old->t), fws_trust_threshold(&old->t) == 1 ? "" : "s",
		                 a->current, roots_among(&old->t, g), list),
		       FWS_EXIT_USAGE;
	}
	if (roots_among(&nw->t, g) < fws_trust_threshold(&nw->t)) {
		root_list(&nw->t, list, sizeof list);
		return cli_error("The new root keys must prove possession: %u signature%s by root keys "
		                 "of %s are needed and the keys given are %u of them. Add --key for "
		                 "more of: %s.",
		                 fws_trust_threshold(&nw->t), fws_trust_threshold(&nw->t) == 1 ? "" : "s",
		                 a->next, roots_among(&nw->t, g), list),
		       FWS_EXIT_USAGE;
	}
	return -1;
}

static int run_trust_update(struct cli_ctx *ctx, int argc, char **argv)
{
	struct tu_args a;
	memset(&a, 0, sizeof a);
	int rc = tu_parse(ctx, argc, argv, &a);
	if (rc >= 0)
		return rc;

	static fwh_trust_file old, nw;
	fwh_error err;
	fwh_error_clear(&err);
	if (fwh_trust_file_load(a.current, &old, &err) != FWS_OK ||
	    fwh_trust_file_load(a.next, &nw, &err) != FWS_OK) {
		cli_error("%s", err.msg);
		return err.code == FWS_E_IO ? FWS_EXIT_IO : FWS_EXIT_USAGE;
	}
	struct signers g;
	rc = signers_open(&g, a.keys, a.nkeys, a.pass_file, a.pin_file, a.module);
	if (rc >= 0)
		return rc;
	rc = tu_rules(&old, &nw, &a, &g);
	if (rc >= 0)
		goto done;

	/* the manifest: kind trust, counter = the new trust version, "any"
	 * device unless narrowed (docs/package-format.md, trust updates) */
	struct phrases ph = {.len = 0};
	if (!a.risks) {
		ph.len = (size_t)snprintf(ph.text, sizeof ph.text,
		                          "Updates the keys this device trusts to trust version %u: ",
		                          (unsigned)nw.t.version);
		fwh_trust_diff(&old.t, &nw.t, add_phrase, &ph);
		if (ph.n == 0)
			snprintf(ph.text + ph.len, sizeof ph.text - ph.len, "no key changes");
	}
	char version[FWS_VERSION_MAX + 1];
	snprintf(version, sizeof version, "trust-%u", (unsigned)nw.t.version);
	fws_manifest_in m;
	memset(&m, 0, sizeof m);
	m.vendor_id = a.vendor_id;
	m.class_id = a.class_id;
	m.model = a.model ? a.model : "*";
	m.hw_rev_min = 0;
	m.hw_rev_max = 0xFFFF;
	m.component = "trust";
	m.version = version;
	m.security_counter = nw.t.version;
	m.payload_size = (uint32_t)nw.len;
	m.block_size = FWS_PKG_BLOCK_MIN;
	while (m.block_size < nw.len)
		m.block_size *= 2u;
	m.release_date = (int64_t)time(NULL);
	m.support_end = 0;
	m.security_update = true;
	m.severity = a.severity;
	m.risks = a.risks ? a.risks : ph.text;
	m.reboot = false;
	m.downtime_s = 0;
	m.kind = FWS_KIND_TRUST;
	uint8_t digests[2 * FWS_SHA256_LEN], block[FWS_TRUST_BLOB_MAX];
	struct mem src = {nw.blob, nw.len};
	if (fws_chain_compute(mem_read, &src, m.payload_size, m.block_size, block, digests,
	                      m.image_sha256) != FWS_OK) {
		cli_error("Cannot hash %s; this is a bug.", a.next);
		rc = FWS_EXIT_FAILURE;
		goto done;
	}
	memcpy(m.chain_head, digests, FWS_SHA256_LEN);
	static uint8_t prefix[FWS_PKG_PREFIX_MAX];
	size_t mlen = 0;
	fws_err fe = fws_manifest_encode(&m, prefix + FWS_PKG_HEADER_LEN, FWS_PKG_MANIFEST_MAX, &mlen);
	if (fe != FWS_OK) {
		cli_error("The update's description does not fit the package format (%s). Shorten --model or --risks.",
		          fws_err_describe(fe));
		rc = FWS_EXIT_USAGE;
		goto done;
	}
	size_t plen = 0;
	rc = cli_signers_sign_prefix(g.s, (const uint8_t(*)[FWS_KEY_ID_LEN])g.id, g.n, prefix, mlen,
	                             &plen);
	if (rc >= 0)
		goto done;

	/* prefix | the store | D(1) = zeros | DFU suffix ("any" ids: 0xFFFF) */
	static const uint8_t zero[FWS_SHA256_LEN];
	fws_dfu_suffix sfx = {
		.bcd_device = 0xFFFF,
		.id_product = m.class_id ? m.class_id : 0xFFFF,
		.id_vendor = m.vendor_id ? m.vendor_id : 0xFFFF,
		.bcd_dfu = 0x0100,
	};
	uint8_t sb[FWS_PKG_SUFFIX_LEN];
	uint32_t crc = cli_crc32(0, prefix, plen);
	crc = cli_crc32(crc, nw.blob, nw.len);
	crc = cli_crc32(crc, zero, sizeof zero);
	fws_dfu_suffix_encode(&sfx, sb);
	sfx.crc = ~cli_crc32(crc, sb, FWS_PKG_SUFFIX_LEN - 4);
	fws_dfu_suffix_encode(&sfx, sb);
	struct atomic_out out = {.fd = -1};
	if (!atomic_out_open(&out, a.out)) {
		cli_error("Cannot create %s (%s). Check that the folder exists and is writable.", a.out,
		          strerror(errno));
		rc = FWS_EXIT_IO;
		goto done;
	}
	atomic_out_write(&out, prefix, plen);
	atomic_out_write(&out, nw.blob, nw.len);
	atomic_out_write(&out, zero, sizeof zero);
	atomic_out_write(&out, sb, sizeof sb);
	if (!atomic_out_commit(&out)) {
		cli_error("Cannot write %s (%s). Check free space and permissions; nothing was written.",
		          a.out, strerror(out.err ? out.err : EIO));
		rc = FWS_EXIT_IO;
		goto done;
	}
	/* what was written checks as a device would check it */
	static fwh_trust_update u;
	if (fwh_trust_update_check(a.out, &old.t, &u, &err) != FWS_OK) {
		remove(a.out);
		cli_error("The written update does not verify against %s (%s); it was removed. This is a bug.",
		          a.current, err.msg);
		rc = FWS_EXIT_FAILURE;
		goto done;
	}

	if (ctx->json) {
		struct cli_json j;
		struct json_phrase jp = {&j};
		cli_json_begin(&j, stdout);
		cli_json_str(&j, "package", a.out);
		cli_json_str(&j, "kind", "trust-update");
		cli_json_u64(&j, "from_trust_version", fws_trust_version(&old.t));
		cli_json_u64(&j, "trust_version", nw.t.version);
		cli_json_hex(&j, "trust_store_sha256", u.manifest.image_sha256, FWS_SHA256_LEN);
		cli_json_str(&j, "model", m.model);
		cli_json_arr(&j, "signers");
		for (unsigned i = 0; i < g.n; i++)
			cli_json_hex(&j, NULL, g.id[i], FWS_KEY_ID_LEN);
		cli_json_arr_end(&j);
		cli_json_arr(&j, "changes");
		fwh_trust_diff(&old.t, &nw.t, json_phrase, &jp);
		cli_json_arr_end(&j);
		cli_json_end(&j);
	} else {
		char hex[2 * FWS_SHA256_LEN + 1];
		printf(_("Wrote %s: security key update, trust version %u -> %u, for %s.\n"), a.out,
		       (unsigned)fws_trust_version(&old.t), (unsigned)nw.t.version,
		       a.model ? a.model : _("any model"));
		fwh_trust_diff(&old.t, &nw.t, print_phrase, NULL);
		cli_hex(u.manifest.image_sha256, FWS_SHA256_LEN, hex);
		printf(_("new trust store sha256: %s\n"), hex);
		for (unsigned i = 0; i < g.n; i++) {
			cli_hex(g.id[i], FWS_KEY_ID_LEN, hex);
			printf(_("signed by root key id: %s\n"), hex);
		}
	}
	rc = FWS_EXIT_OK;
done:
	signers_close(&g);
	return rc;
}

const struct cli_cmd cli_cmd_trust_update = {
	.name = "trust-update",
	.summary = N_("make a security key update (new trust store signed by root keys)"),
	.usage = usage,
	.json = true,
	.run = run_trust_update,
	.opts = tu_opts,
	.hints = tu_hints,
};

/* ---------------------------------------------------------------------- */
/* key import-trust                                                        */

const struct option cmd_key_import_opts[] = {
	{"trust", required_argument, NULL, 't'},
	{NULL, 0, NULL, 0},
};

int cmd_key_import_trust(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct option *opts = cmd_key_import_opts;
	const char *trust_path = NULL;
	int c;
	while ((c = cli_getopt(ctx, argc, argv, "t:", opts)) != -1) {
		if (c == 't')
			trust_path = optarg;
		else
			return FWS_EXIT_USAGE;
	}
	if (!trust_path)
		return cli_usage(ctx, "key import-trust needs --trust HOST.trust (the store to advance).");
	if (optind >= argc)
		return cli_usage(ctx, "key import-trust needs at least one trust update package.");

	static fwh_trust_file cur;
	static fwh_trust_update u;
	fwh_error err;
	fwh_error_clear(&err);
	if (fwh_trust_file_load(trust_path, &cur, &err) != FWS_OK) {
		cli_error("%s", err.msg);
		return err.code == FWS_E_IO ? FWS_EXIT_IO : FWS_EXIT_USAGE;
	}
	uint32_t start = fws_trust_version(&cur.t);
	struct cli_json j;
	if (ctx->json) {
		cli_json_begin(&j, stdout);
		cli_json_str(&j, "trust_store", trust_path);
		cli_json_u64(&j, "from_trust_version", start);
		cli_json_arr(&j, "updates");
	}
	/* each update against the store before it; nothing is written unless
	 * all of them check */
	for (int i = optind; i < argc; i++) {
		fws_err e = fwh_trust_update_check(argv[i], &cur.t, &u, &err);
		bool skip = e == FWS_E_TRUST_ROLLBACK;
		if (e != FWS_OK && !skip) {
			if (ctx->json) {
				cli_json_arr_end(&j);
				cli_json_bool(&j, "ok", false);
				cli_json_str(&j, "error", fws_err_name(e));
				cli_json_str(&j, "message", err.msg);
				cli_json_end(&j);
			}
			cli_error("%s Nothing was changed in %s.", err.msg, trust_path);
			return cli_exit_for_err(e);
		}
		if (ctx->json) {
			struct json_phrase jp = {&j};
			cli_json_obj(&j, NULL);
			cli_json_str(&j, "package", argv[i]);
			cli_json_bool(&j, "applied", !skip);
			if (!skip) {
				cli_json_u64(&j, "trust_version", u.next.t.version);
				cli_json_arr(&j, "changes");
				fwh_trust_diff(&cur.t, &u.next.t, json_phrase, &jp);
				cli_json_arr_end(&j);
			}
			cli_json_obj_end(&j);
		} else if (skip) {
			printf(_("%s: skipped, not newer than trust version %u.\n"), argv[i],
			       (unsigned)fws_trust_version(&cur.t));
		} else {
			printf(_("%s: trust version %u -> %u, verified against the store before it.\n"),
			       argv[i], (unsigned)fws_trust_version(&cur.t), (unsigned)u.next.t.version);
			fwh_trust_diff(&cur.t, &u.next.t, print_phrase, NULL);
		}
		if (!skip)
			cur = u.next;
	}
	bool changed = fws_trust_version(&cur.t) != start;
	if (changed) {
		fws_key_msg msg;
		fws_key_err ke = fws_file_write_atomic(trust_path, cur.blob, cur.len, 0644, false, &msg);
		if (ke) {
			if (ctx->json) {
				cli_json_arr_end(&j);
				cli_json_bool(&j, "ok", false);
				cli_json_str(&j, "error", "io");
				cli_json_str(&j, "message", msg.text);
				cli_json_end(&j);
			}
			cli_error("%s", msg.text);
			return cmd_key_exit(ke);
		}
	}
	if (ctx->json) {
		cli_json_arr_end(&j);
		cli_json_bool(&j, "ok", true);
		cli_json_u64(&j, "trust_version", fws_trust_version(&cur.t));
		cli_json_bool(&j, "changed", changed);
		cli_json_end(&j);
	} else if (changed) {
		printf(_("Wrote %s: trust version %u.\n"), trust_path, (unsigned)fws_trust_version(&cur.t));
	} else {
		printf(_("%s stays at trust version %u.\n"), trust_path, (unsigned)fws_trust_version(&cur.t));
	}
	return FWS_EXIT_OK;
}
