/* SPDX-License-Identifier: Apache-2.0 */
/* choose.c - see fwseal-host/choose.h. */
#include "fwseal-host/choose.h"

#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal-host/session.h"

fws_err fwh_same_release(const fwh_package *const *pkgs, size_t n, size_t *bad, fwh_error *err)
{
	const fws_manifest *a = &pkgs[0]->manifest;

	for (size_t i = 1; i < n; i++) {
		const fws_manifest *b = &pkgs[i]->manifest;
		const char *what = NULL;

		if (strcmp(a->model, b->model) != 0 || a->vendor_id != b->vendor_id ||
		    a->class_id != b->class_id)
			what = "model";
		else if (strcmp(a->component, b->component) != 0)
			what = "component";
		else if (strcmp(a->version, b->version) != 0 ||
		         a->security_counter != b->security_counter)
			what = "version";
		else if (memcmp(a->image_sha256, b->image_sha256, FWS_SHA256_LEN) != 0)
			what = "firmware image";
		if (what != NULL) {
			*bad = i;
			return fwh_error_set(err, FWS_E_INVAL,
			                     "The packages are not one release: the %zu. has another %s "
			                     "than the first (%s %s). Give the full, compressed and delta "
			                     "packages of one release.",
			                     i + 1, what, a->model, a->version);
		}
	}
	return FWS_OK;
}

fws_err fwh_choose(const fwh_package *const *pkgs, size_t n, const fws_devinfo *dev,
                   size_t *pick, fwh_error *err)
{
	size_t best = n, first_refused = n, full = n;
	fwh_error e_first, e_full, e;

	fwh_error_clear(&e_first);
	fwh_error_clear(&e_full);
	for (size_t i = 0; i < n; i++) {
		fwh_plan plan;

		fwh_error_clear(&e);
		if (fwh_preflight(pkgs[i], dev, &e) != FWS_OK) {
			if (pkgs[i]->manifest.encoding == FWS_ENC_NONE && full == n) {
				full = i;
				e_full = e;
			}
			if (first_refused == n || pkgs[i]->stream_len < pkgs[first_refused]->stream_len) {
				first_refused = i;
				e_first = e;
			}
			continue;
		}
		fwh_plan_make(pkgs[i], dev, &plan);
		if (plan.resume) {
			best = i;
			break;
		}
		if (best == n || pkgs[i]->stream_len < pkgs[best]->stream_len)
			best = i;
	}
	if (best < n) {
		*pick = best;
		return FWS_OK;
	}
	if (err != NULL)
		*err = full < n ? e_full : e_first;
	return full < n ? e_full.code : (first_refused < n ? e_first.code : FWS_E_INVAL);
}
