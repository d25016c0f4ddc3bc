/* SPDX-License-Identifier: Apache-2.0 */
/* trust_follow.c - see trust_follow.h. */
#include "trust_follow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_i18n.h"
#include "fwseal-host/pkgcheck.h"
#include "fwseal/keys.h"

bool trust_follow_add(const struct cli_ctx *ctx, trust_follow *f, const char *path)
{
	if (f->ngiven >= TRUST_FOLLOW_MAX) {
		cli_usage(ctx, "At most %u --trust-update files.", TRUST_FOLLOW_MAX);
		return false;
	}
	f->given[f->ngiven++] = path;
	return true;
}

void trust_follow_free(trust_follow *f)
{
	for (unsigned i = 0; i < f->nnear; i++)
		free(f->near[i]);
	f->nnear = 0;
}

/* Every candidate: the given files first, then those next to the package. */
static unsigned candidates(trust_follow *f, const char *pkg_path, const char **out)
{
	unsigned n = 0;
	if (!f->near_done) {
		f->nnear = fwh_trust_updates_near(pkg_path, f->near, TRUST_FOLLOW_MAX);
		f->near_done = true;
	}
	for (unsigned i = 0; i < f->ngiven; i++)
		out[n++] = f->given[i];
	for (unsigned i = 0; i < f->nnear && n < 2 * TRUST_FOLLOW_MAX; i++)
		out[n++] = f->near[i];
	return n;
}

/* Key ids of pkg_path's signatures, read without trusting them. */
static unsigned signers_of(const char *pkg_path, uint8_t ids[][FWS_KEY_ID_LEN])
{
	fwh_pkg_check *c = calloc(1, sizeof *c);
	unsigned n = 0;
	if (c == NULL)
		return 0;
	fwh_pkg_check_file(c, pkg_path);
	if (c->have_prefix) {
		n = c->sig_count;
		memcpy(ids, c->sig_key_ids, (size_t)n * FWS_KEY_ID_LEN);
	}
	free(c);
	return n;
}

static bool release_in(const fws_trust *t, const uint8_t id[FWS_KEY_ID_LEN])
{
	const fws_trust_key *k = fws_trust_find(t, id);
	return k && !(k->flags & FWS_TRUST_REVOKED) && (fws_trust_roles(t, k) & FWS_TRUST_RELEASE);
}

/* The candidate with the lowest version above `above` whose store trusts
 * one of ids for firmware; NULL if none. Named only, nothing trusted. */
static const char *adds_signer(const char *const cand[], unsigned n, uint32_t above,
                               const uint8_t ids[][FWS_KEY_ID_LEN], unsigned nids,
                               uint32_t *version, uint8_t key[FWS_KEY_ID_LEN])
{
	static fwh_trust_file s;
	const char *best = NULL;
	uint32_t best_v = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!fwh_trust_update_peek(cand[i], &s) || fws_trust_version(&s.t) <= above ||
		    (best && fws_trust_version(&s.t) >= best_v))
			continue;
		for (unsigned k = 0; k < nids; k++) {
			if (release_in(&s.t, ids[k])) {
				best = cand[i];
				best_v = fws_trust_version(&s.t);
				memcpy(key, ids[k], FWS_KEY_ID_LEN);
				break;
			}
		}
	}
	*version = best_v;
	return best;
}

/* The package's signer is unknown to the host store and no chain of trust
 * updates leads to one that knows it: the error stays the package's
 * (untrusted-key, threshold), the hint names the update that is missing. */
static int missing_update(trust_follow *f, const char *pkg_path, const fwh_trust_file *host,
                          const char *host_path, fws_err e)
{
	uint8_t ids[FWS_PKG_SIG_MAX][FWS_KEY_ID_LEN], key[FWS_KEY_ID_LEN];
	const char *cand[2 * TRUST_FOLLOW_MAX];
	unsigned n = candidates(f, pkg_path, cand), nids = signers_of(pkg_path, ids);
	unsigned have = (unsigned)fws_trust_version(&host->t);
	uint32_t v = 0;
	char hex[2 * FWS_KEY_ID_LEN + 1];
	const char *upd;

	if (e == FWS_E_THRESHOLD) {
		snprintf(f->hint, sizeof f->hint,
		         _("No chain of the security key updates given or found next to it leads from "
		           "your trust store %s (version %u) to this one: an earlier update is missing, "
		           "or it is not from this manufacturer. Get the earlier updates and pass them "
		           "with --trust-update."),
		         host_path, have);
		return TRUST_FOLLOW_ERROR;
	}
	cli_hex(nids ? ids[0] : (const uint8_t *)"\0\0\0\0\0\0\0\0", FWS_KEY_ID_LEN, hex);
	upd = adds_signer(cand, n, have, (const uint8_t(*)[FWS_KEY_ID_LEN])ids, nids, &v, key);
	if (upd) {
		cli_hex(key, FWS_KEY_ID_LEN, hex);
		snprintf(f->hint, sizeof f->hint,
		         _("Your trust store %s (version %u) does not know key %s yet. The security key "
		           "update %s (trust version %u) adds it, but it does not verify against your "
		           "store: an update before it is missing. Get the updates in between and pass "
		           "them with --trust-update, or run 'fwseal key import-trust UPD.fwseal... "
		           "--trust %s'."),
		         host_path, have, hex, upd, (unsigned)v, host_path);
		return TRUST_FOLLOW_ERROR;
	}
	snprintf(f->hint, sizeof f->hint,
	         _("Your trust store %s (version %u) does not know key %s yet. If the manufacturer "
	           "rotated its keys, the package needs the security key update (a trust version "
	           "above %u) that adds it: get it from the manufacturer and pass it with "
	           "--trust-update, or run 'fwseal key import-trust UPD.fwseal --trust %s'."),
	         host_path, have, hex, have, host_path);
	return TRUST_FOLLOW_ERROR;
}

void trust_follow_say_hint(const trust_follow *f)
{
	if (f->hint[0])
		fprintf(stderr, "  %s\n", f->hint);
}

int trust_follow_open(const struct cli_ctx *ctx, trust_follow *f, fwh_package *pkg,
                      const char *pkg_path, fwh_trust_file *host, const char *host_path,
                      fwh_trust_update *tu, fwh_error *err, struct cli_report *rep)
{
	fws_err e;

	(void)ctx;
	f->hint[0] = '\0';
	fwh_error_clear(err);
	e = fwh_package_open(pkg, pkg_path, &host->t, err);
	if (e == FWS_E_UNTRUSTED_KEY || e == FWS_E_THRESHOLD) {
		/* walk the chain of trust updates from the host's store */
		static fwh_trust_file next;
		const char *cand[2 * TRUST_FOLLOW_MAX];
		unsigned applied[2 * TRUST_FOLLOW_MAX];
		unsigned n = candidates(f, pkg_path, cand), taken;

		next = *host;
		taken = fwh_trust_walk(&next, cand, n, applied);
		if (taken == 0)
			return missing_update(f, pkg_path, host, host_path, e);
		fwh_error_clear(err);
		e = fwh_package_open(pkg, pkg_path, &next.t, err);
		if (e == FWS_E_UNTRUSTED_KEY || e == FWS_E_THRESHOLD)
			return missing_update(f, pkg_path, &next, host_path, e);
		if (e != FWS_OK)
			return TRUST_FOLLOW_ERROR;
		/* the tool promised to follow: the advanced store is saved before
		 * anything is sent, or nothing is */
		fws_key_msg msg;
		if (fws_file_write_atomic(host_path, next.blob, next.len, 0644, false, &msg) != FWS_KEY_OK) {
			fwh_package_close(pkg);
			return cli_fail_to(rep, MSG_TRUST_STORE_UNSAVED, msg.text,
			                   (unsigned)fws_trust_version(&next.t));
		}
		fprintf(stderr, _("Trust store %s advanced from version %u to %u through:"),
		        host_path, (unsigned)fws_trust_version(&host->t),
		        (unsigned)fws_trust_version(&next.t));
		for (unsigned i = 0; i < taken; i++)
			fprintf(stderr, " %s", cand[applied[i]]);
		fprintf(stderr, "%s\n", _(" (each verified against the store before it)."));
		*host = next;
	} else if (e != FWS_OK) {
		return TRUST_FOLLOW_ERROR;
	}
	if (pkg->manifest.kind == FWS_KIND_TRUST) {
		/* its new store must be a good one; the device compares the
		 * version with its own (preflight) */
		fwh_error_clear(err);
		e = fwh_trust_update_payload(pkg->fd, pkg->prefix, pkg->prefix_len, &pkg->manifest,
		                             &host->t, false, tu, err);
		if (e != FWS_OK) {
			fwh_error_prefix(err, "%s: ", pkg_path);
			fwh_package_close(pkg);
			return TRUST_FOLLOW_ERROR;
		}
	}
	return -1;
}

void trust_follow_device_hint(trust_follow *f, const char *pkg_path, const fwh_package *pkg,
                              const fws_devinfo *d, const char *device, fwh_error *err)
{
	const char *cand[2 * TRUST_FOLLOW_MAX];
	uint8_t ids[FWS_PKG_SIG_MAX][FWS_KEY_ID_LEN], key[FWS_KEY_ID_LEN];
	unsigned n, nids;
	uint32_t v = 0;
	const char *upd = NULL;
	char add[FWH_ERROR_MSG_MAX];
	size_t len;

	if (!d->has_trust_state ||
	    (err->code != FWS_E_UNTRUSTED_KEY && err->code != FWS_E_THRESHOLD))
		return;
	n = candidates(f, pkg_path, cand);
	if (err->code == FWS_E_UNTRUSTED_KEY) {
		nids = signers_of(pkg_path, ids);
		upd = adds_signer(cand, n, d->trust_version, (const uint8_t(*)[FWS_KEY_ID_LEN])ids, nids,
		                  &v, key);
	} else {
		/* the earliest update between the device's version and this one */
		static fwh_trust_file s;
		for (unsigned i = 0; i < n; i++) {
			uint32_t cv = 0;
			if (!fwh_is_trust_update(cand[i], &cv) || cv <= d->trust_version ||
			    cv >= pkg->manifest.security_counter || (upd && cv >= v) ||
			    !fwh_trust_update_peek(cand[i], &s))
				continue;
			upd = cand[i];
			v = cv;
		}
	}
	if (upd)
		snprintf(add, sizeof add,
		         " Install the security key update %s (trust version %u) on it first: "
		         "fwseal flash %s --device %s",
		         upd, (unsigned)v, upd, device);
	else
		snprintf(add, sizeof add,
		         " The device has trust version %u: it needs the manufacturer's security key "
		         "update%s first; none was found next to %s.",
		         (unsigned)d->trust_version,
		         err->code == FWS_E_UNTRUSTED_KEY ? " that adds the signing key" : "s in between",
		         pkg_path);
	/* both sentences: msg for --json and logs, text for people */
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof err->msg - len, "%s", add);
	if (err->text[0]) {
		len = strlen(err->text);
		snprintf(err->text + len, sizeof err->text - len, "%s", add);
	}
}
