/* SPDX-License-Identifier: Apache-2.0 */
/* pack_encode.c - see pack_encode.h. */
#include "pack_encode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "fwseal-host/crc32.h"
#include "exitcodes.h"

bool pack_enc_option(struct pack_enc *pe, const char *arg)
{
	if (strcmp(arg, "lz4") != 0)
		return false;
	pe->encoding = FWS_ENC_LZ4;
	return true;
}

static bool read_all(int fd, uint8_t *p, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = pread(fd, p + done, n - done, (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		done += (size_t)r;
	}
	return true;
}

/* The old package must be of the same product as the new release, and a
 * device that runs it must be able to install the new one. */
static int same_product(const struct pack_enc *pe, const fws_manifest_in *m)
{
	const fws_manifest *o = &pe->old.m;
	const char *what = NULL;
	if (strcmp(o->model, m->model) != 0)
		what = "model";
	else if (o->vendor_id != m->vendor_id || o->class_id != m->class_id)
		what = "vendor or class id";
	else if (strcmp(o->component, m->component) != 0)
		what = "component";
	if (what != NULL) {
		cli_error("%s is a package of another %s (%s %s); a delta applies only to an earlier "
		          "release of the same product. Name that release's package with --delta-from.",
		          pe->delta_from, what, o->model, o->component);
		return FWS_EXIT_USAGE;
	}
	/* A device runs the base only with a stored security counter of at
	 * least the base's, and on hardware the base supports: a delta that
	 * such a device must refuse (downgrade, hardware revision) could never
	 * install anywhere. */
	if (m->security_counter < o->security_counter) {
		cli_error("%s (version %s) has security counter %u, higher than this release's %u: "
		          "a device that runs it refuses this package as a downgrade. Make the delta "
		          "from an earlier release, or raise security_counter.",
		          pe->delta_from, o->version, (unsigned)o->security_counter,
		          (unsigned)m->security_counter);
		return FWS_EXIT_USAGE;
	}
	if (m->hw_rev_max < o->hw_rev_min || m->hw_rev_min > o->hw_rev_max) {
		cli_error("%s is for hardware revisions %u to %u, this release for %u to %u: no "
		          "device that runs it can install this package. Make the delta from a "
		          "release for the same hardware.",
		          pe->delta_from, (unsigned)o->hw_rev_min, (unsigned)o->hw_rev_max,
		          (unsigned)m->hw_rev_min, (unsigned)m->hw_rev_max);
		return FWS_EXIT_USAGE;
	}
	return -1;
}

int pack_enc_prepare(struct pack_enc *pe, int fd, uint64_t len, fws_manifest_in *m)
{
	if (pe->delta_from) {
		fwh_error err;
		fwh_error_clear(&err);
		if (fwh_pkg_image_load(&pe->old, pe->delta_from, &err) != FWS_OK) {
			cli_error("%s", err.text);
			return err.code == FWS_E_IO ? FWS_EXIT_IO
			       : err.code == FWS_E_BASE ? FWS_EXIT_USAGE
			                                : FWS_EXIT_BAD_PACKAGE;
		}
		int rc = same_product(pe, m);
		if (rc >= 0)
			return rc;
		pe->encoding = FWS_ENC_LZ4_DELTA;
		snprintf(pe->old_version, sizeof pe->old_version, "%s", pe->old.m.version);
	}
	pe->image_len = (size_t)len;
	pe->image = malloc(pe->image_len);
	if (pe->image == NULL) {
		cli_error("Out of memory for the %llu-byte image; pack it without --compress / "
		          "--delta-from.", (unsigned long long)len);
		return FWS_EXIT_FAILURE;
	}
	if (!read_all(fd, pe->image, pe->image_len)) {
		cli_error("Cannot read the image (%s). Check the file.", strerror(errno ? errno : EIO));
		return FWS_EXIT_IO;
	}
	fws_err e = fws_encode_image(pe->encoding, m->block_size, pe->image, (uint32_t)pe->image_len,
	                             pe->old.image, (uint32_t)pe->old.len, &pe->enc);
	if (e != FWS_OK) {
		cli_error("Cannot encode the image (%s); pack it without --compress / --delta-from.",
		          fws_err_describe(e));
		return FWS_EXIT_FAILURE;
	}
	m->payload_size = (uint32_t)pe->image_len;
	e = fws_sha256(pe->image, pe->image_len, pe->image_sha256);
	if (e != FWS_OK) {
		cli_error("Cannot compute the image's SHA-256 (%s); nothing was written.",
		          fws_err_describe(e));
		return FWS_EXIT_FAILURE;
	}
	memcpy(m->image_sha256, pe->image_sha256, FWS_SHA256_LEN);
	memcpy(m->chain_head, pe->enc.digests, FWS_SHA256_LEN);
	m->encoding = pe->encoding;
	m->units_len = (uint32_t)pe->enc.units_len;
	if (pe->encoding == FWS_ENC_LZ4_DELTA) {
		memcpy(m->base_sha256, pe->old.m.image_sha256, FWS_SHA256_LEN);
		m->base_size = (uint32_t)pe->old.len;
		m->base_version = pe->old_version;
	}
	return -1;
}

bool pack_enc_stream(const struct pack_enc *pe, struct atomic_out *out, struct pack_stream *ps)
{
	const fws_encoded *e = &pe->enc;
	uint64_t at = ps->at;
	uint32_t crc = 0;
	for (uint32_t i = 0; i < e->count && !out->err; i++) {
		const uint8_t *u = e->units + e->unit_off[i];
		size_t n = e->unit_off[i + 1] - e->unit_off[i];
		const uint8_t *next = e->digests + (size_t)(i + 1) * FWS_SHA256_LEN;
		atomic_out_pwrite(out, u, n, at);
		atomic_out_pwrite(out, next, FWS_SHA256_LEN, at + n);
		crc = fwh_crc32(crc, u, n);
		crc = fwh_crc32(crc, next, FWS_SHA256_LEN);
		at += n + FWS_SHA256_LEN;
	}
	if (out->err)
		return false;
	ps->len = at - ps->at;
	ps->crc = crc;
	memcpy(ps->chain_head, e->digests, FWS_SHA256_LEN); /* D(0) */
	memcpy(ps->image_sha256, pe->image_sha256, FWS_SHA256_LEN);
	return true;
}

void pack_enc_free(struct pack_enc *pe)
{
	fws_encoded_free(&pe->enc);
	fwh_pkg_image_free(&pe->old);
	free(pe->image);
	pe->image = NULL;
}
