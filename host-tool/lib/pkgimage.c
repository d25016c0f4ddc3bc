/* SPDX-License-Identifier: Apache-2.0 */
/* pkgimage.c - see fwseal-host/pkgimage.h. */
#include "fwseal-host/pkgimage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal-host/sha256.h"
#include "fwseal-host/unitdec.h"

#define CHUNK 65536u

static fws_err fail(fwh_pkg_image *p, fwh_error *err, fws_err e, const char *path)
{
	fwh_pkg_image_free(p);
	if (e == FWS_E_IO)
		return fwh_error_set(err, e, "Cannot read %s (%s).", path, strerror(errno ? errno : EIO));
	return fwh_error_set(err, e, "%s: %s", path, fws_err_describe(e));
}

fws_err fwh_pkg_image_load(fwh_pkg_image *p, const char *path, fwh_error *err)
{
	static uint8_t rbuf[FWS_ENC_BUF_NEED(FWS_PKG_BLOCK_MAX)];
	uint8_t chunk[CHUNK];
	fws_pkg_reader r;
	fwh_unitdec *dec = NULL;
	fws_err e = FWS_OK;
	bool done = false;

	memset(p, 0, sizeof *p);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return fwh_error_set(err, FWS_E_IO, "Cannot open %s (%s).", path, strerror(errno));
	fws_pkg_reader_init(&r, rbuf, sizeof rbuf, NULL, FWS_PKG_UNVERIFIED);
	fwh_reader_use_host_sha256(&r);
	size_t n = 0, off = 0;
	bool eof = false;
	while (!done && e == FWS_OK) {
		if (off == n && !eof) {
			n = fread(chunk, 1, sizeof chunk, f);
			off = 0;
			if (n == 0) {
				if (ferror(f)) {
					e = FWS_E_IO;
					break;
				}
				eof = true;
			}
		}
		size_t used = 0;
		enum fws_pkg_event ev;
		e = fws_pkg_reader_feed(&r, chunk + off, n - off, &used, &ev);
		off += used;
		if (e != FWS_OK)
			break;
		switch (ev) {
		case FWS_PKG_PREFIX:
			p->m = r.manifest;
			p->prefix_len = r.prefix_len;
			memcpy(p->prefix, r.buf, r.prefix_len);
			if (r.manifest.encoding == FWS_ENC_LZ4_DELTA) {
				fclose(f);
				fwh_pkg_image_free(p);
				return fwh_error_set(err, FWS_E_BASE,
				                     "%s is itself a delta package; make the delta from "
				                     "the full or the compressed package of that release.",
				                     path);
			}
			p->image = malloc(r.manifest.payload_size);
			if (r.manifest.encoding != FWS_ENC_NONE && p->image != NULL)
				dec = fwh_unitdec_new(&r.manifest, NULL, 0, p->image);
			if (p->image == NULL || (r.manifest.encoding != FWS_ENC_NONE && dec == NULL)) {
				errno = ENOMEM;
				e = FWS_E_IO;
			}
			break;
		case FWS_PKG_BLOCK:
			if (dec != NULL)
				e = fwh_unitdec_block(dec, &r);
			else
				memcpy(p->image + p->len, r.buf, r.block_len);
			p->len += r.block_len;
			break;
		case FWS_PKG_DONE:
			done = true; /* what follows is the DFU suffix */
			break;
		case FWS_PKG_NEED_MORE:
			if (eof)
				e = FWS_E_TRUNCATED;
			break;
		}
	}
	fclose(f);
	if (e == FWS_OK) {
		uint8_t h[FWS_SHA256_LEN];
		if (dec != NULL)
			(void)fwh_unitdec_image_sha256(dec, h);
		else
			fwh_sha256_engine(NULL, p->image, p->len, NULL, 0, h);
		if (memcmp(h, p->m.image_sha256, FWS_SHA256_LEN) != 0)
			e = FWS_E_IMAGE_DIGEST;
	}
	fwh_unitdec_free(dec);
	if (e != FWS_OK)
		return fail(p, err, e, path);
	return FWS_OK;
}

void fwh_pkg_image_free(fwh_pkg_image *p)
{
	free(p->image);
	p->image = NULL;
	p->len = 0;
}
