/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_pack.c - `fwseal pack`: image + release description + key(s) -> package.
 *
 * One read of the image, memory flat in its size: pack_stream.c writes the
 * block stream (blocks and hash chain) behind the place of the prefix,
 * which is written last, once the chain head is known and signed; the
 * manifest's length does not depend on the digests it carries, so every
 * offset is known before the first byte. The output appears atomically
 * (temp file + fsync + rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_out.h"
#include "cli_msg.h"
#include "commands.h"
#include "fwseal/keys.h"
#include "fwseal/pkg.h"
#include "pack_encode.h"
#include "pack_stream.h"
#include "release_desc.h"
#include "sbom.h"
#include "signers.h"

static const char usage[] =
	N_("Usage: fwseal pack --image IMG --release REL --key KEY --out PKG\n"
	"                   [--key KEY]... [--set FIELD=VALUE]... [--json]\n"
	"                   [--passphrase-file FILE] [--pin-file FILE] [--pkcs11-module SO]\n"
	"                   [--compress lz4 | --delta-from OLD.fwseal]\n\n"
	"Build a signed update package from a firmware image and a release\n"
	"description (see docs/release-description.md).\n\n"
	"  --image IMG            the firmware image (1 byte to 1 GiB)\n"
	"  --release REL          release description file (release*.ini)\n"
	"  --key KEY              PREFIX.key from 'fwseal key generate' (mode 600), or a\n"
	"                         PKCS#11 URI pkcs11:token=NAME;object=LABEL, PIN from\n"
	"                         --pin-file or ?pin-source=FILE in the URI;\n"
	"                         repeat (up to 4) to sign with several keys (rotation)\n"
	"  --out PKG              the package to write (replaced atomically)\n"
	"  --set FIELD=VALUE      override a field of the release description,\n"
	"                         e.g. --set version=1.2.4 --set security_counter=7\n"
	"  --passphrase-file FILE passphrase of encrypted key files (first line)\n"
	"  --pin-file FILE        PKCS#11 user PIN (first line), if the URI has none\n"
	"  --pkcs11-module SO     PKCS#11 module; default: the modules registered with p11-kit\n"
	"  --compress lz4         a compressed package: less to send over a slow link\n"
	"  --delta-from OLD.fwseal  a delta package: only what changed since the release\n"
	"                         in OLD (a full or compressed package); it installs only\n"
	"                         on a device that runs exactly that release\n"
	"                         (docs/package-format.md, \"Encoded payloads\")\n");

struct pack_args {
	const char *image, *release, *out;
	const char *keys[FWS_PKG_SIG_MAX];
	unsigned nkeys;
	const char *sets[64];
	unsigned nsets;
	const char *passphrase_file, *pin_file, *module;
	struct pack_enc enc;
};

static const struct option opts[] = {
	{"image", required_argument, NULL, 'i'},
	{"release", required_argument, NULL, 'r'},
	{"key", required_argument, NULL, 'k'},
	{"out", required_argument, NULL, 'o'},
	{"set", required_argument, NULL, 's'},
	{"passphrase-file", required_argument, NULL, 'P'},
	{"pin-file", required_argument, NULL, 'N'},
	{"pkcs11-module", required_argument, NULL, 'M'},
	{"compress", required_argument, NULL, 'z'},
	{"delta-from", required_argument, NULL, 'D'},
	{NULL, 0, NULL, 0},
};

static const struct cli_opt_hint hints[] = {
	{"set", CLI_VAL_TEXT},
	{"compress", "lz4"},
	{NULL, NULL},
};

static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct pack_args *a)
{
	int c;
	while ((c = cli_getopt(ctx, argc, argv, "i:r:k:o:s:", opts)) != -1) {
		switch (c) {
		case 'i': a->image = optarg; break;
		case 'r': a->release = optarg; break;
		case 'o': a->out = optarg; break;
		case 'k':
			if (a->nkeys >= FWS_PKG_SIG_MAX)
				return cli_usage(ctx, "A package carries at most %u signatures. Give --key at most %u times.",
				                 FWS_PKG_SIG_MAX, FWS_PKG_SIG_MAX);
			a->keys[a->nkeys++] = optarg;
			break;
		case 's':
			if (a->nsets >= sizeof(a->sets) / sizeof(a->sets[0]))
				return cli_usage(ctx, "Too many --set options.");
			a->sets[a->nsets++] = optarg;
			break;
		case 'P': a->passphrase_file = optarg; break;
		case 'N': a->pin_file = optarg; break;
		case 'M': a->module = optarg; break;
		case 'z':
			if (!pack_enc_option(&a->enc, optarg))
				return cli_usage(ctx, "--compress takes lz4, not '%s'.", optarg);
			break;
		case 'D': a->enc.delta_from = optarg; break;
		default: return FWS_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage(ctx, "Unexpected argument '%s'.", argv[optind]);
	if (!a->image || !a->release || !a->nkeys || !a->out)
		return cli_usage(ctx, "pack needs --image, --release, --key and --out.");
	if (a->enc.encoding && a->enc.delta_from)
		return cli_usage(ctx, "Give --compress or --delta-from, not both: a delta package is "
		                      "compressed too.");
	/* still honoured (RFC 7512), but a PIN on the command line is visible
	 * to every user of the machine (ps, /proc/PID/cmdline) */
	for (unsigned i = 0; i < a->nkeys; i++)
		if (!strncmp(a->keys[i], "pkcs11:", 7) && strstr(a->keys[i], "pin-value="))
			cli_error("warning: the PIN in pin-value= of --key can be read by every user of "
			          "this computer while pack runs. Put it in a file readable only by you and "
			          "use --pin-file FILE or pin-source=FILE instead.");
	return -1;
}

/* The SBOM the release names: its SHA-256 goes into the manifest (0x8013). A
 * path in the file is relative to the file's folder. -1 or an exit code. */
static int sbom_digest(const rel_desc *rd, const char *release, uint8_t out[FWS_SHA256_LEN],
                       sbom_info *info)
{
	char path[2048], err[1400];
	const char *slash = strrchr(release, '/');
	if (rd->sbom[0] == '/' || rd->sbom_from_option || !slash)
		snprintf(path, sizeof path, "%s", rd->sbom);
	else
		snprintf(path, sizeof path, "%.*s/%s", (int)(slash - release), release, rd->sbom);
	if (!sbom_load(path, info, out, err, sizeof err)) {
		cli_error("%s", err);
		return info->kind == SBOM_UNKNOWN && access(path, R_OK) == 0 ? FWS_EXIT_USAGE
		                                                             : FWS_EXIT_IO;
	}
	return -1;
}

static void report(const struct cli_ctx *ctx, const char *out, const rel_desc *rd,
                   const uint8_t ids[][FWS_KEY_ID_LEN], unsigned nkeys, uint64_t size)
{
	const fws_manifest_in *m = &rd->m;
	char hex[2 * FWS_SHA256_LEN + 1];
	if (ctx->json) {
		struct cli_json j;
		cli_json_begin(&j, stdout);
		cli_json_str(&j, "package", out);
		cli_json_str(&j, "model", m->model);
		cli_json_str(&j, "version", m->version);
		cli_json_u64(&j, "security_counter", m->security_counter);
		cli_json_u64(&j, "payload_size", m->payload_size);
		cli_json_u64(&j, "package_size", size);
		cli_json_hex(&j, "chain_head", m->chain_head, FWS_SHA256_LEN);
		cli_json_hex(&j, "image_sha256", m->image_sha256, FWS_SHA256_LEN);
		cli_json_str(&j, "encoding", fws_encoding_name(m->encoding));
		if (m->encoding == FWS_ENC_LZ4_DELTA) {
			cli_json_str(&j, "base_version", m->base_version);
			cli_json_hex(&j, "base_sha256", m->base_sha256, FWS_SHA256_LEN);
		}
		if (m->sbom_sha256)
			cli_json_hex(&j, "sbom_sha256", m->sbom_sha256, FWS_SHA256_LEN);
		else
			cli_json_null(&j, "sbom_sha256");
		cli_json_arr(&j, "signers");
		for (unsigned i = 0; i < nkeys; i++)
			cli_json_hex(&j, NULL, ids[i], FWS_KEY_ID_LEN);
		cli_json_arr_end(&j);
		cli_json_end(&j);
		return;
	}
	printf(_("Wrote %s (%llu bytes): %s %s, security counter %u, %u-byte image.\n"), out,
	       (unsigned long long)size, m->model, m->version, m->security_counter, m->payload_size);
	cli_hex(m->image_sha256, FWS_SHA256_LEN, hex);
	printf(_("image sha256: %s\n"), hex);
	if (m->encoding == FWS_ENC_LZ4)
		printf(_("compressed (lz4): %.2f image bytes per package byte.\n"),
		       (double)m->payload_size / (double)size);
	else if (m->encoding == FWS_ENC_LZ4_DELTA)
		printf(_("delta (lz4-delta) from version %s: %.2f image bytes per package byte; it "
		         "installs only on a device that runs %s.\n"),
		       m->base_version, (double)m->payload_size / (double)size, m->base_version);
	if (m->sbom_sha256) {
		cli_hex(m->sbom_sha256, FWS_SHA256_LEN, hex);
		printf(_("sbom sha256:  %s (%s)\n"), hex, rd->sbom);
	}
	for (unsigned i = 0; i < nkeys; i++) {
		cli_hex(ids[i], FWS_KEY_ID_LEN, hex);
		printf(_("signed by key id: %s\n"), hex);
	}
}

static int run_pack(struct cli_ctx *ctx, int argc, char **argv)
{
	struct pack_args a;
	memset(&a, 0, sizeof(a));
	int rc = parse_args(ctx, argc, argv, &a);
	if (rc >= 0)
		return rc;

	static rel_desc rd;
	rel_error rerr;
	rel_init(&rd);
	if (!rel_parse_file(&rd, a.release, &rerr))
		goto bad_release;
	for (unsigned i = 0; i < a.nsets; i++)
		if (!rel_set(&rd, a.sets[i], &rerr))
			goto bad_release;
	if (!rel_finish(&rd, a.release, &rerr))
		goto bad_release;
	static uint8_t sbom_sha[FWS_SHA256_LEN];
	rd.m.sbom_sha256 = NULL;
	if (rd.sbom[0]) {
		sbom_info si;
		rc = sbom_digest(&rd, a.release, sbom_sha, &si);
		if (rc >= 0)
			return rc;
		rd.m.sbom_sha256 = sbom_sha;
	}

	int image_fd = open(a.image, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (image_fd < 0 || fstat(image_fd, &st) != 0) {
		cli_error("Cannot open the image %s (%s). Check the path.", a.image, strerror(errno));
		if (image_fd >= 0)
			close(image_fd);
		return FWS_EXIT_IO;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > FWS_PKG_PAYLOAD_MAX) {
		cli_error("The image %s must be a regular file of 1 byte to 1 GiB. Check the file.",
		          a.image);
		close(image_fd);
		return FWS_EXIT_USAGE;
	}
	fws_signer *signers[FWS_PKG_SIG_MAX] = {NULL};
	rc = cli_signers_open(a.keys, a.nkeys, a.passphrase_file, a.pin_file, a.module, signers);
	if (rc >= 0) {
		close(image_fd);
		return rc;
	}

	fws_manifest_in *m = &rd.m;
	m->payload_size = (uint32_t)st.st_size;
	static uint8_t prefix[FWS_PKG_PREFIX_MAX];
	uint8_t ids[FWS_PKG_SIG_MAX][FWS_KEY_ID_LEN];
	struct atomic_out out = {.fd = -1};
	bool out_open = false;
	rc = FWS_EXIT_FAILURE;
	bool encoded = a.enc.encoding || a.enc.delta_from;
	if (encoded) {
		/* units instead of blocks, and the chain runs over them: the image
		 * (for a delta also OLD's) is read once, into memory, and encoded
		 * before the manifest, whose encoding and base fields it sets */
		int erc = pack_enc_prepare(&a.enc, image_fd, (uint64_t)st.st_size, m);
		if (erc >= 0) {
			rc = erc;
			goto done;
		}
	}
	rc = cli_signers_ids(signers, a.nkeys, ids);
	if (rc >= 0)
		goto done;
	rc = FWS_EXIT_FAILURE;

	/* The manifest's length does not depend on the digests it carries: an
	 * encoding with zeros places everything before the image is read. */
	size_t mlen = 0, mlen_final = 0;
	memset(m->chain_head, 0, FWS_SHA256_LEN);
	memset(m->image_sha256, 0, FWS_SHA256_LEN);
	fws_err fe = fws_manifest_encode(m, prefix + FWS_PKG_HEADER_LEN, FWS_PKG_MANIFEST_MAX, &mlen);
	if (fe != FWS_OK) {
		cli_error("The release description does not fit the package format (%s). Shorten the texts (docs/package-format.md lists the limits).",
		          fws_err_describe(fe));
		rc = FWS_EXIT_USAGE;
		goto done;
	}
	size_t prefix_len = FWS_PKG_HEADER_LEN + mlen + (size_t)a.nkeys * FWS_PKG_SIG_LEN;

	if (!atomic_out_open(&out, a.out)) {
		cli_error("Cannot create %s (%s). Check that the folder exists and is writable.", a.out,
		          strerror(errno));
		rc = FWS_EXIT_IO;
		goto done;
	}
	out_open = true;
	struct pack_stream ps = {.at = prefix_len};
	enum pack_stream_err pse =
		encoded ? (pack_enc_stream(&a.enc, &out, &ps) ? PACK_STREAM_OK : PACK_STREAM_OUT)
		        : pack_stream_blocks(&out, image_fd, m->payload_size, m->block_size, &ps);
	switch (pse) {
	case PACK_STREAM_OK:
		break;
	case PACK_STREAM_NOMEM:
		rc = cli_fail(MSG_OUT_OF_MEMORY);
		goto done;
	case PACK_STREAM_INVAL: /* rel_finish and the manifest encoder check block_size */
		cli_error("Cannot pack a block size of %u bytes; this is a bug, please report it.",
		          m->block_size);
		goto done;
	case PACK_STREAM_IMAGE_READ:
		cli_error("Cannot read the image %s (%s). Check the file.", a.image, strerror(errno));
		rc = FWS_EXIT_IO;
		goto done;
	case PACK_STREAM_IMAGE_SHORT:
		cli_error("The image %s changed (it got shorter) while it was being packed. Pack again once it is stable.",
		          a.image);
		goto done;
	case PACK_STREAM_OUT:
		cli_error("Cannot write %s (%s). Check free space and permissions; nothing was written.",
		          a.out, strerror(out.err ? out.err : EIO));
		rc = FWS_EXIT_IO;
		goto done;
	}
	memcpy(m->chain_head, ps.chain_head, FWS_SHA256_LEN);
	memcpy(m->image_sha256, ps.image_sha256, FWS_SHA256_LEN);

	fe = fws_manifest_encode(m, prefix + FWS_PKG_HEADER_LEN, FWS_PKG_MANIFEST_MAX, &mlen_final);
	if (fe != FWS_OK || mlen_final != mlen) {
		cli_error("The manifest changed length once its digests were in (%zu, then %zu bytes); this is a bug, please report it.",
		          mlen, mlen_final);
		goto done;
	}
	size_t signed_len = 0;
	rc = cli_signers_sign_prefix(signers, (const uint8_t(*)[FWS_KEY_ID_LEN])ids, a.nkeys, prefix,
	                             mlen, &signed_len);
	if (rc >= 0)
		goto done;
	rc = FWS_EXIT_FAILURE;
	pack_stream_finish(&out, prefix, prefix_len, &ps, m->vendor_id, m->class_id);
	if (out.err || !atomic_out_commit(&out)) {
		cli_error("Cannot write %s (%s). Check free space and permissions; nothing was written.",
		          a.out, strerror(out.err ? out.err : EIO));
		rc = FWS_EXIT_IO;
		goto done;
	}
	out_open = false;
	uint64_t size = prefix_len + ps.len + FWS_PKG_SUFFIX_LEN;
	report(ctx, a.out, &rd, (const uint8_t(*)[FWS_KEY_ID_LEN])ids, a.nkeys, size);
	rc = FWS_EXIT_OK;
done:
	if (out_open)
		atomic_out_abort(&out);
	for (unsigned i = 0; i < a.nkeys; i++)
		fws_signer_close(signers[i]);
	close(image_fd);
	pack_enc_free(&a.enc);
	return rc;

bad_release:
	cli_error("%s", rerr.text);
	return FWS_EXIT_USAGE;
}

const struct cli_cmd cli_cmd_pack = {
	.name = "pack",
	.summary = N_("build a signed update package from an image and a release description"),
	.usage = usage,
	.json = true,
	.run = run_pack,
	.opts = opts,
	.hints = hints,
};
