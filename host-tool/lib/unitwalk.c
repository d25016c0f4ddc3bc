/* SPDX-License-Identifier: Apache-2.0 */
/* unitwalk.c - see fwseal-host/unitwalk.h. */
#include "fwseal-host/unitwalk.h"

#include "fwseal/encoding.h"

fws_err fwh_unit_end(const fwh_package *pkg, fwh_unit_walk *w, uint64_t off, uint64_t *end,
                     fwh_error *err)
{
	const fws_manifest *m = &pkg->manifest;

	if (off >= pkg->stream_len)
		return fwh_error_set(err, FWS_E_INVAL, "Read past the package stream; this is a bug.");
	if (off < pkg->prefix_len) {
		*end = pkg->prefix_len;
		return FWS_OK;
	}
	if (m->encoding == FWS_ENC_NONE) {
		uint64_t unit = (uint64_t)m->block_size + FWS_SHA256_LEN;
		uint64_t e = pkg->prefix_len + ((off - pkg->prefix_len) / unit + 1u) * unit;
		*end = e < pkg->stream_len ? e : pkg->stream_len;
		return FWS_OK;
	}
	if (w->end == 0u || off < w->start)
		w->start = w->end = pkg->prefix_len;
	while (off >= w->end) {
		uint8_t hdr[FWS_UNIT_HDR_LEN];
		fws_unit u;

		w->start = w->end;
		if (pkg->stream_len - w->start < FWS_UNIT_HDR_LEN + 1u + FWS_SHA256_LEN)
			goto changed;
		fws_err e = fwh_package_read(pkg, w->start, hdr, sizeof hdr, err);
		if (e != FWS_OK)
			return e;
		fws_unit_hdr_parse(hdr, &u);
		if (u.data_len == 0u || u.data_len > m->block_size)
			goto changed;
		w->end = w->start + FWS_UNIT_HDR_LEN + u.data_len + FWS_SHA256_LEN;
		if (w->end > pkg->stream_len)
			goto changed;
	}
	*end = w->end;
	return FWS_OK;
changed:
	w->start = w->end = 0;
	return fwh_error_set(err, FWS_E_BLOCK_DIGEST,
	                     "The package changed since it was checked (a unit header is not what "
	                     "it was); check it again and run the same command again.");
}
