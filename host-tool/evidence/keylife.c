/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keylife.c - the key lifecycle of 5.3-7, from what the device reports
 * (its device-info record: TRUST_STATE and the KEY fields, docs/trust.md),
 * added to the ICS entry once the functional tests have read it. Unknown is
 * said as unknown: a device that reports no trust state gets exactly that.
 */
#include <stdlib.h>
#include <string.h>

#include "ev_util.h"
#include "evidence.h"

static char *key_list(const fws_devinfo *d, uint8_t role, bool want_revoked)
{
	struct ev_buf b = {0};
	unsigned n = 0;
	for (unsigned i = 0; i < d->key_count; i++) {
		const fws_devinfo_key *k = &d->keys[i];
		bool revoked = (k->flags & FWS_TRUST_REVOKED) != 0;
		if (!(k->flags & role) || revoked != want_revoked)
			continue;
		char *id = ev_hex(k->id, FWS_KEY_ID_LEN);
		ev_buf_printf(&b, "%s%s", n++ ? ", " : "", id);
		free(id);
	}
	if (n == 0)
		ev_buf_add(&b, "none");
	return ev_buf_take(&b);
}

void ev_key_lifecycle(struct ev_pack *pk, const fws_devinfo *d)
{
	struct ev_ics *i = &pk->ics[7 - 1];
	char *text;

	if (!d->has_trust_state) {
		text = ev_xasprintf(
		    "Key lifecycle, as the device reports it: the device reports no trust store "
		    "version (its update stub has no security key updates), so whether its keys can "
		    "be rotated or revoked in the field is unknown from this run; it lists %u trusted "
		    "key(s).", (unsigned)d->key_count);
	} else {
		char *sha = ev_hex(d->trust_sha256, FWS_SHA256_LEN);
		char *roots = key_list(d, FWS_DI_KEY_ROOT, false);
		char *rels = key_list(d, FWS_DI_KEY_RELEASE, false);
		char *revoked_r = key_list(d, FWS_DI_KEY_ROOT, true);
		char *revoked_l = key_list(d, FWS_DI_KEY_RELEASE, true);
		text = ev_xasprintf(
		    "Key lifecycle, as the device reports it (device-info record of serial %s): trust "
		    "store version %u, SHA-256 %s, root threshold %u; root keys (sign security key "
		    "updates): %s; release keys (sign firmware): %s; revoked: root %s, release %s. "
		    "Signing keys are added, rotated and revoked in the field by security key updates "
		    "signed by the root threshold of the store in force and of the new store; the "
		    "device itself refuses an update that is older than its store, under-signed, "
		    "leaves no usable key or would refuse the firmware it runs, and switches stores "
		    "atomically (docs/trust.md).",
		    d->serial, (unsigned)d->trust_version, sha, (unsigned)d->trust_threshold, roots,
		    rels, revoked_r, revoked_l);
		free(sha);
		free(roots);
		free(rels);
		free(revoked_r);
		free(revoked_l);
	}
	char *all = ev_xasprintf("%s%s%s", i->detail ? i->detail : "",
	                         i->detail && i->detail[0] ? " " : "", text);
	free(i->detail);
	free(text);
	i->detail = all;
	/* the entry's other statements stay (product description [keys]) */
	i->source = "package signature + protocol constants (fwseal/pkg.h, fwseal/crypto.h) + "
	            "product description [keys] + device-info records (TRUST_STATE, KEY)";
}
