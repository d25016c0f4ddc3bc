/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_pack.c - `fwseal pack`: image + release description + key(s) -> package.
 *
 * The image is never held in memory: the hash chain is computed by reading
 * it last block to first (fws_chain_compute keeps only the n+1 digests), then
 * the file is streamed out block by block with its next-digest appended
 * (docs/package-format.md). While writing, the image is hashed again and
 * compared with the signed digest, so an image that changed in between is
 * never packed. The output appears atomically (temp file + fsync + rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "atomic_out.h"
#include "commands.h"
#include "fwseal/keys.h"
#include "fwseal/pkg.h"
#include "pack_encode.h"
#include "release_desc.h"

static const char usage[] =
	N_("Usage: fwseal pack --image IMG --release REL --key KEY --out PKG\n"
	"                   [--key KEY]... [--set FIELD=VALUE]... [--json]\n"
	"                   [--passphrase-file FILE] [--pin-file FILE] [--pkcs11-module SO]\n"
	"                   [--compress lz4 | --delta-from OLD.fwseal]\n\n"
	"Build a signed update package from a firmware image and a release\n"
	"description (see docs/release-description.md).\n\n"
	"  --image IMG            the firmware image (1 byte to 1 GiB)\n"
	"  --release REL          release description file (release*.ini)\n"
	"  --key KEY              PREFIX.key from 'fwseal key generate', or a PKCS#11 URI\n"
	"                         pkcs11:token=NAME;object=LABEL[?pin-value=PIN];\n"
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

struct image {
	int fd;
	const char *path;
};

static fws_err image_read(void *ctx, uint64_t off, uint8_t *dst, size_t len)
{
	struct image *im = ctx;
	while (len > 0) {
		ssize_t n = pread(im->fd, dst, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FWS_E_IO;
		dst += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return FWS_OK;
}

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
	return -1;
}

/* Open every signer; on failure close the ones opened. */
static int open_signers(const struct pack_args *a, fws_signer **s)
{
	fws_signer_opts so = {.pkcs11_module = a->module};
	char *pass = NULL, *pin = NULL;
	fws_key_msg msg;
	fws_key_err e = FWS_KEY_OK;
	if (a->passphrase_file)
		e = fws_secret_file_read(a->passphrase_file, &pass, &msg);
	if (!e && a->pin_file)
		e = fws_secret_file_read(a->pin_file, &pin, &msg);
	so.passphrase = pass;
	so.pin = pin;
	unsigned i = 0;
	for (; !e && i < a->nkeys; i++)
		e = fws_signer_open(a->keys[i], &so, &s[i], &msg);
	if (pass) {
		mbedtls_platform_zeroize(pass, strlen(pass));
		free(pass);
	}
	if (pin) {
		mbedtls_platform_zeroize(pin, strlen(pin));
		free(pin);
	}
	if (e) {
		cli_error("%s", msg.text);
		for (unsigned k = 0; k + 1 < i; k++)
			fws_signer_close(s[k]);
		return cmd_key_exit(e);
	}
	return -1;
}

/* DFU 1.1 appendix B: bcdDevice 0xFFFF = any; the CRC covers every byte
 * before dwCRC (dfu-util: init 0xFFFFFFFF, no final xor = ~zlib crc). */
static void write_suffix(struct atomic_out *out, uint32_t crc, const fws_manifest_in *m)
{
	fws_dfu_suffix s = {
		.bcd_device = 0xFFFF,
		.id_product = m->class_id,
		.id_vendor = m->vendor_id,
		.bcd_dfu = 0x0100,
		.crc = 0,
	};
	uint8_t sfx[FWS_PKG_SUFFIX_LEN];
	fws_dfu_suffix_encode(&s, sfx);
	s.crc = ~cli_crc32(crc, sfx, FWS_PKG_SUFFIX_LEN - 4);
	fws_dfu_suffix_encode(&s, sfx);
	atomic_out_write(out, sfx, sizeof(sfx));
}

/* An encoded package: prefix, the units with their next-digests, suffix. */
static bool write_encoded(struct atomic_out *out, const struct pack_enc *pe, const uint8_t *prefix,
                          size_t prefix_len, const fws_manifest_in *m)
{
	uint32_t crc = cli_crc32(0, prefix, prefix_len);
	atomic_out_write(out, prefix, prefix_len);
	pack_enc_write(pe, out, &crc);
	write_suffix(out, crc, m);
	return !out->err;
}

/* Stream header, manifest, signatures, blocks with next-digests and the DFU
 * suffix into out; re-hash the image to catch a change since chaining. */
static bool write_package(struct atomic_out *out, struct image *im, const uint8_t *prefix,
                          size_t prefix_len, const fws_manifest_in *m, const uint8_t *digests,
                          uint8_t *buf, bool *changed)
{
	uint32_t crc = 0;
	fws_sha256_ctx sha;
	fws_sha256_init(&sha);
	atomic_out_write(out, prefix, prefix_len);
	crc = cli_crc32(crc, prefix, prefix_len);
	uint32_t n = (uint32_t)(((uint64_t)m->payload_size + m->block_size - 1) / m->block_size);
	for (uint32_t i = 0; i < n && !out->err; i++) {
		uint64_t off = (uint64_t)i * m->block_size;
		size_t len = m->payload_size - off < m->block_size ? (size_t)(m->payload_size - off)
		                                                   : m->block_size;
		if (image_read(im, off, buf, len) != FWS_OK) {
			out->err = errno ? errno : EIO;
			return false;
		}
		fws_sha256_update(&sha, buf, len);
		const uint8_t *next = digests + (size_t)(i + 1) * FWS_SHA256_LEN;
		atomic_out_write(out, buf, len);
		atomic_out_write(out, next, FWS_SHA256_LEN);
		crc = cli_crc32(crc, buf, len);
		crc = cli_crc32(crc, next, FWS_SHA256_LEN);
	}
	uint8_t d[FWS_SHA256_LEN];
	fws_sha256_final(&sha, d);
	if (memcmp(d, m->image_sha256, FWS_SHA256_LEN) != 0) {
		*changed = true;
		return false;
	}
	write_suffix(out, crc, m);
	return !out->err;
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

	struct image im = {.fd = open(a.image, O_RDONLY | O_CLOEXEC), .path = a.image};
	struct stat st;
	if (im.fd < 0 || fstat(im.fd, &st) != 0) {
		cli_error("Cannot open the image %s (%s). Check the path.", a.image, strerror(errno));
		if (im.fd >= 0)
			close(im.fd);
		return FWS_EXIT_IO;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > FWS_PKG_PAYLOAD_MAX) {
		cli_error("The image %s must be a regular file of 1 byte to 1 GiB. Check the file.",
		          a.image);
		close(im.fd);
		return FWS_EXIT_USAGE;
	}
	fws_signer *signers[FWS_PKG_SIG_MAX] = {NULL};
	rc = open_signers(&a, signers);
	if (rc >= 0) {
		close(im.fd);
		return rc;
	}

	fws_manifest_in *m = &rd.m;
	m->payload_size = (uint32_t)st.st_size;
	uint32_t nblocks = (uint32_t)(((uint64_t)m->payload_size + m->block_size - 1) / m->block_size);
	uint8_t *digests = malloc(((size_t)nblocks + 1) * FWS_SHA256_LEN);
	uint8_t *buf = malloc(m->block_size);
	static uint8_t prefix[FWS_PKG_PREFIX_MAX];
	uint8_t ids[FWS_PKG_SIG_MAX][FWS_KEY_ID_LEN];
	struct atomic_out out = {.fd = -1};
	bool out_open = false, changed = false;
	rc = FWS_EXIT_FAILURE;
	if (!digests || !buf) {
		cli_error("Out of memory for %u blocks. Use a larger block_size.", nblocks);
		goto done;
	}
	fws_err fe = FWS_OK;
	if (a.enc.encoding || a.enc.delta_from) {
		/* units instead of blocks: the chain runs over them */
		int erc = pack_enc_prepare(&a.enc, im.fd, (uint64_t)st.st_size, m);
		if (erc >= 0) {
			rc = erc;
			goto done;
		}
	} else {
		fe = fws_chain_compute(image_read, &im, m->payload_size, m->block_size, buf,
		                       digests, m->image_sha256);
		if (fe != FWS_OK) {
			cli_error("Cannot read the image %s. Check the file.", a.image);
			rc = FWS_EXIT_IO;
			goto done;
		}
		memcpy(m->chain_head, digests, FWS_SHA256_LEN);
	}

	size_t mlen = 0;
	fe = fws_manifest_encode(m, prefix + FWS_PKG_HEADER_LEN, FWS_PKG_MANIFEST_MAX, &mlen);
	if (fe != FWS_OK) {
		cli_error("The release description does not fit the package format (%s). Shorten the texts (docs/package-format.md lists the limits).",
		          fws_err_describe(fe));
		rc = FWS_EXIT_USAGE;
		goto done;
	}
	fws_pkg_header_encode(prefix, (uint8_t)a.nkeys, (uint32_t)mlen);
	uint8_t digest[FWS_SHA256_LEN];
	fws_pkg_signed_digest(prefix, prefix + FWS_PKG_HEADER_LEN, mlen, digest);
	size_t prefix_len = FWS_PKG_HEADER_LEN + mlen;
	for (unsigned i = 0; i < a.nkeys; i++) {
		uint8_t pub[FWS_P256_PUB_LEN], sig[FWS_ECDSA_SIG_LEN];
		fws_key_msg msg;
		fws_signer_pub(signers[i], pub);
		fws_key_id(pub, ids[i]);
		for (unsigned k = 0; k < i; k++) {
			if (!memcmp(ids[k], ids[i], FWS_KEY_ID_LEN)) {
				cli_error("The same key is given twice with --key. Give each key once.");
				rc = FWS_EXIT_USAGE;
				goto done;
			}
		}
		fws_key_err ke = fws_signer_sign(signers[i], digest, sig, &msg);
		if (ke) {
			cli_error("%s", msg.text);
			rc = cmd_key_exit(ke);
			goto done;
		}
		fws_pkg_sig_encode(prefix + prefix_len, ids[i], sig);
		prefix_len += FWS_PKG_SIG_LEN;
	}

	if (!atomic_out_open(&out, a.out)) {
		cli_error("Cannot create %s (%s). Check that the folder exists and is writable.", a.out,
		          strerror(errno));
		rc = FWS_EXIT_IO;
		goto done;
	}
	out_open = true;
	if (!(a.enc.encoding ? write_encoded(&out, &a.enc, prefix, prefix_len, m)
	                     : write_package(&out, &im, prefix, prefix_len, m, digests, buf, &changed)) ||
	    !atomic_out_commit(&out)) {
		if (changed)
			cli_error("The image %s changed while it was being packed. Pack again once it is stable.",
			          a.image);
		else
			cli_error("Cannot write %s (%s). Check free space and permissions; nothing was written.",
			          a.out, strerror(out.err ? out.err : EIO));
		rc = changed ? FWS_EXIT_FAILURE : FWS_EXIT_IO;
		goto done;
	}
	out_open = false;
	uint64_t size = prefix_len + FWS_PKG_SUFFIX_LEN +
	                (a.enc.encoding ? pack_enc_stream_len(&a.enc)
	                                : (uint64_t)m->payload_size + (uint64_t)nblocks * FWS_SHA256_LEN);
	report(ctx, a.out, &rd, (const uint8_t(*)[FWS_KEY_ID_LEN])ids, a.nkeys, size);
	rc = FWS_EXIT_OK;
done:
	if (out_open)
		atomic_out_abort(&out);
	for (unsigned i = 0; i < a.nkeys; i++)
		fws_signer_close(signers[i]);
	free(digests);
	free(buf);
	close(im.fd);
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
