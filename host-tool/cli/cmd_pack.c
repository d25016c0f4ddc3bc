/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_pack.c - `fwseal pack`: image + release description + key(s) -> package.
 *
 * One pass over the image, memory flat in its size (docs/package-format.md):
 * the image is read once, front to back, in chunks; each chunk's blocks go
 * to the output file at their final places (each followed by a slot for its
 * next-digest) while the whole-image SHA-256 runs over them. The hash chain
 * needs the blocks last to first (D(i) = SHA-256(block i || D(i+1))), so a
 * second pass walks the output file backwards, chunk by chunk, fills in the
 * digests and the CRC of the DFU suffix (pieces combined, fwh_crc32_concat).
 * The prefix is written last, once the chain head is known and signed. The
 * manifest's length does not depend on the digests it carries, so every
 * offset is known before the first byte. Hashing uses the host's SHA-256
 * (OpenSSL, fwseal-host/sha256.h), as `fwseal verify` does. The output
 * appears atomically (temp file + fsync + rename).
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
#include "fwseal-host/crc32.h"
#include "fwseal-host/sha256.h"
#include "fwseal/keys.h"
#include "fwseal/pkg.h"
#include "release_desc.h"

static const char usage[] =
	N_("Usage: fwseal pack --image IMG --release REL --key KEY --out PKG\n"
	"                   [--key KEY]... [--set FIELD=VALUE]... [--json]\n"
	"                   [--passphrase-file FILE] [--pin-file FILE] [--pkcs11-module SO]\n\n"
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
	"  --pkcs11-module SO     PKCS#11 module; default: the modules registered with p11-kit\n");

struct image {
	int fd;
	const char *path;
};

/* Read exactly len bytes of the image at off; false if the file ends early
 * or cannot be read. */
static bool image_read(const struct image *im, uint64_t off, uint8_t *dst, size_t len)
{
	while (len > 0) {
		ssize_t n = pread(im->fd, dst, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		dst += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return true;
}

struct pack_args {
	const char *image, *release, *out;
	const char *keys[FWS_PKG_SIG_MAX];
	unsigned nkeys;
	const char *sets[64];
	unsigned nsets;
	const char *passphrase_file, *pin_file, *module;
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
	{NULL, 0, NULL, 0},
};

static const struct cli_opt_hint hints[] = {
	{"set", CLI_VAL_TEXT},
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
		default: return FWS_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage(ctx, "Unexpected argument '%s'.", argv[optind]);
	if (!a->image || !a->release || !a->nkeys || !a->out)
		return cli_usage(ctx, "pack needs --image, --release, --key and --out.");
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

/* About this many bytes of blocks per read and write. */
#define PACK_CHUNK (256u * 1024u)

/* The block stream of the package (every block followed by its next-digest)
 * lies at prefix_len in out; every length of it follows from the manifest. */
struct layout {
	uint64_t prefix_len;
	uint32_t block_size, nblocks, payload_size;
	uint32_t per_chunk;       /* blocks per chunk */
};

static size_t block_len(const struct layout *l, uint32_t i)
{
	uint64_t at = (uint64_t)i * l->block_size;
	return l->payload_size - at < l->block_size ? (size_t)(l->payload_size - at) : l->block_size;
}

/* Stream bytes of blocks [first, first + n): blocks and their digests. */
static size_t span_len(const struct layout *l, uint32_t first, uint32_t n)
{
	size_t len = 0;
	for (uint32_t i = first; i < first + n; i++)
		len += block_len(l, i) + FWS_SHA256_LEN;
	return len;
}

static uint64_t unit_off(const struct layout *l, uint32_t i)
{
	return l->prefix_len + (uint64_t)i * ((uint64_t)l->block_size + FWS_SHA256_LEN);
}

/* Pass 1, front to back: read the image once, hash it whole, put every
 * block at its place in out (its digest slot still zero). */
static bool place_blocks(struct atomic_out *out, const struct image *im, const struct layout *l,
                         uint8_t *img, uint8_t *units, uint8_t image_sha256[FWS_SHA256_LEN],
                         bool *short_read)
{
	fwh_sha256 sha;
	fwh_sha256_init(&sha);
	for (uint32_t c = 0; c < l->nblocks && !out->err; c += l->per_chunk) {
		uint32_t n = l->nblocks - c < l->per_chunk ? l->nblocks - c : l->per_chunk;
		size_t bytes = 0, at = 0;
		for (uint32_t i = c; i < c + n; i++)
			bytes += block_len(l, i);
		if (!image_read(im, (uint64_t)c * l->block_size, img, bytes)) {
			*short_read = true;
			break;
		}
		fwh_sha256_update(&sha, img, bytes);
		for (uint32_t i = c; i < c + n; i++) {
			size_t len = block_len(l, i);
			memcpy(units + at, img + (size_t)(i - c) * l->block_size, len);
			memset(units + at + len, 0, FWS_SHA256_LEN);
			at += len + FWS_SHA256_LEN;
		}
		atomic_out_pwrite(out, units, at, unit_off(l, c));
	}
	fwh_sha256_final(&sha, image_sha256);
	return !*short_read && !out->err;
}

/* Pass 2, back to front: D(n) = 0, D(i) = SHA-256(block i || D(i+1)) into
 * the slot after block i - 1; the CRC of the stream, chunk CRCs combined. */
static bool chain_blocks(struct atomic_out *out, const struct layout *l, uint8_t *units,
                         uint8_t head[FWS_SHA256_LEN], uint32_t *crc, uint32_t *crc_shift)
{
	uint8_t next[FWS_SHA256_LEN] = {0};
	uint32_t tail_crc = 0, tail_shift = fwh_crc32_shift(0);
	fwh_sha256 sha;
	fwh_sha256_open(&sha);
	uint32_t last = (l->nblocks - 1u) / l->per_chunk * l->per_chunk;
	for (uint32_t c = last;; c -= l->per_chunk) {
		uint32_t n = l->nblocks - c < l->per_chunk ? l->nblocks - c : l->per_chunk;
		size_t bytes = span_len(l, c, n), at = bytes;
		if (!atomic_out_pread(out, units, bytes, unit_off(l, c)))
			break;
		for (uint32_t i = c + n; i-- > c;) {
			size_t len = block_len(l, i);
			at -= len + FWS_SHA256_LEN;
			memcpy(units + at + len, next, FWS_SHA256_LEN); /* D(i+1) */
			fwh_sha256_digest2(&sha, units + at, len + FWS_SHA256_LEN, NULL, 0, next);
		}
		atomic_out_pwrite(out, units, bytes, unit_off(l, c));
		tail_crc = fwh_crc32_concat(fwh_crc32(0, units, bytes), tail_crc, tail_shift);
		tail_shift = fwh_crc32_shift_add(tail_shift, fwh_crc32_shift(bytes));
		if (c == 0 || out->err)
			break;
	}
	fwh_sha256_close(&sha);
	memcpy(head, next, FWS_SHA256_LEN);
	*crc = tail_crc;
	*crc_shift = tail_shift;
	return !out->err;
}

/* The prefix at 0 and the DFU suffix after the stream; crc_stream and its
 * shift describe the stream's CRC (chain_blocks). */
static void finish_package(struct atomic_out *out, const struct layout *l, const uint8_t *prefix,
                           const fws_manifest_in *m, uint32_t crc_stream, uint32_t stream_shift)
{
	atomic_out_pwrite(out, prefix, (size_t)l->prefix_len, 0);
	uint32_t crc = fwh_crc32_concat(fwh_crc32(0, prefix, (size_t)l->prefix_len), crc_stream,
	                                stream_shift);
	/* DFU 1.1 appendix B: bcdDevice 0xFFFF = any; the CRC covers every byte
	 * before dwCRC (dfu-util: init 0xFFFFFFFF, no final xor = ~zlib crc). */
	fws_dfu_suffix s = {
		.bcd_device = 0xFFFF,
		.id_product = m->class_id,
		.id_vendor = m->vendor_id,
		.bcd_dfu = 0x0100,
		.crc = 0,
	};
	uint8_t sfx[FWS_PKG_SUFFIX_LEN];
	fws_dfu_suffix_encode(&s, sfx);
	s.crc = ~fwh_crc32(crc, sfx, FWS_PKG_SUFFIX_LEN - 4);
	fws_dfu_suffix_encode(&s, sfx);
	uint32_t last = l->nblocks - 1u;
	atomic_out_pwrite(out, sfx, sizeof sfx,
	                  unit_off(l, last) + block_len(l, last) + FWS_SHA256_LEN);
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
	struct layout l = {
		.block_size = m->block_size,
		.payload_size = m->payload_size,
		.nblocks = (uint32_t)(((uint64_t)m->payload_size + m->block_size - 1) / m->block_size),
		.per_chunk = m->block_size >= PACK_CHUNK ? 1u : PACK_CHUNK / m->block_size,
	};
	uint8_t *img = malloc((size_t)l.per_chunk * m->block_size);
	uint8_t *units = malloc((size_t)l.per_chunk * (m->block_size + FWS_SHA256_LEN));
	static uint8_t prefix[FWS_PKG_PREFIX_MAX];
	uint8_t ids[FWS_PKG_SIG_MAX][FWS_KEY_ID_LEN];
	struct atomic_out out = {.fd = -1};
	bool out_open = false, changed = false;
	rc = FWS_EXIT_FAILURE;
	if (!img || !units) {
		cli_error("Out of memory (%zu bytes). Free some memory and try again.",
		          (size_t)l.per_chunk * (2u * m->block_size + FWS_SHA256_LEN));
		goto done;
	}
	for (unsigned i = 0; i < a.nkeys; i++) {
		uint8_t pub[FWS_P256_PUB_LEN];
		fws_signer_pub(signers[i], pub);
		fws_key_id(pub, ids[i]);
		for (unsigned k = 0; k < i; k++) {
			if (!memcmp(ids[k], ids[i], FWS_KEY_ID_LEN)) {
				cli_error("The same key is given twice with --key. Give each key once.");
				rc = FWS_EXIT_USAGE;
				goto done;
			}
		}
	}

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
	l.prefix_len = prefix_len;

	if (!atomic_out_open(&out, a.out)) {
		cli_error("Cannot create %s (%s). Check that the folder exists and is writable.", a.out,
		          strerror(errno));
		rc = FWS_EXIT_IO;
		goto done;
	}
	out_open = true;
	uint32_t crc_stream = 0, stream_shift = 0;
	if (!place_blocks(&out, &im, &l, img, units, m->image_sha256, &changed) ||
	    !chain_blocks(&out, &l, units, m->chain_head, &crc_stream, &stream_shift)) {
		if (changed)
			cli_error("The image %s changed (it got shorter) while it was being packed. Pack again once it is stable.",
			          a.image);
		else
			cli_error("Cannot write %s (%s). Check free space and permissions; nothing was written.",
			          a.out, strerror(out.err ? out.err : EIO));
		rc = changed ? FWS_EXIT_FAILURE : FWS_EXIT_IO;
		goto done;
	}

	fe = fws_manifest_encode(m, prefix + FWS_PKG_HEADER_LEN, FWS_PKG_MANIFEST_MAX, &mlen_final);
	if (fe != FWS_OK || mlen_final != mlen) {
		cli_error("The manifest changed length once its digests were in (%zu, then %zu bytes); this is a bug, please report it.",
		          mlen, mlen_final);
		goto done;
	}
	fws_pkg_header_encode(prefix, (uint8_t)a.nkeys, (uint32_t)mlen);
	uint8_t digest[FWS_SHA256_LEN];
	fws_pkg_signed_digest(prefix, prefix + FWS_PKG_HEADER_LEN, mlen, digest);
	for (unsigned i = 0; i < a.nkeys; i++) {
		uint8_t sig[FWS_ECDSA_SIG_LEN];
		fws_key_msg msg;
		fws_key_err ke = fws_signer_sign(signers[i], digest, sig, &msg);
		if (ke) {
			cli_error("%s", msg.text);
			rc = cmd_key_exit(ke);
			goto done;
		}
		fws_pkg_sig_encode(prefix + FWS_PKG_HEADER_LEN + mlen + (size_t)i * FWS_PKG_SIG_LEN, ids[i],
		                   sig);
	}
	finish_package(&out, &l, prefix, m, crc_stream, stream_shift);
	if (out.err || !atomic_out_commit(&out)) {
		cli_error("Cannot write %s (%s). Check free space and permissions; nothing was written.",
		          a.out, strerror(out.err ? out.err : EIO));
		rc = FWS_EXIT_IO;
		goto done;
	}
	out_open = false;
	uint32_t nblocks = l.nblocks;
	uint64_t size = prefix_len + (uint64_t)m->payload_size +
	                (uint64_t)nblocks * FWS_SHA256_LEN + FWS_PKG_SUFFIX_LEN;
	report(ctx, a.out, &rd, (const uint8_t(*)[FWS_KEY_ID_LEN])ids, a.nkeys, size);
	rc = FWS_EXIT_OK;
done:
	if (out_open)
		atomic_out_abort(&out);
	for (unsigned i = 0; i < a.nkeys; i++)
		fws_signer_close(signers[i]);
	free(img);
	free(units);
	close(im.fd);
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
