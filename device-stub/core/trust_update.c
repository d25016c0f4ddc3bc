/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/trust_update.c - the trust store in force and trust
 * updates (docs/trust.md).
 *
 * The store in force is the provisioned one (hal->trust_provisioned) until a
 * trust update is applied; from then on it is the trust area the journal
 * names. A trust update is a package of kind trust whose payload is the new
 * store. It arrives through the same download path as firmware:
 *
 *   prefix   the reader has checked the root threshold of the store in force;
 *            here: identity, trust version above the stored one (anti-
 *            rollback and replay), payload size; then the trust area NOT in
 *            force is erased and the prefix stored in it;
 *   block    the one payload block, checked by the reader against the hash
 *            chain, is programmed at the start of that area;
 *   manifest the area is read back (prefix and payload digests), the new store
 *            parsed and checked: same version as the manifest's counter,
 *            usable keys, the new store's root threshold over the signatures
 *            of the stored prefix, and every image the device could boot still
 *            verifying under it; then ONE journal record names the area.
 *
 * Power-safe because nothing the store in force depends on is written until
 * that one record, and a torn record is ignored (journal.c): a cut at any
 * flash operation leaves the old store or the new one in force, never
 * neither. RAM: the candidate store is parsed into s->trust itself (the store
 * in force is not needed while it is checked) and the store in force is
 * loaded again from flash if the candidate is refused, so a second store
 * never sits in RAM.
 */
#include <string.h>

#include "fwseal/le.h"
#include "internal.h"

/* ---------------------------------------------------------------------- */
/* The store in force                                                      */

/* Read a store blob at off (a trust area) into the block buffer; *len = its
 * length. The header says how long it is; nothing past the area is read. */
static fws_err area_blob(const fws_stub *s, const fws_flash_area *a, size_t *len)
{
	size_t n;

	if (stub_flash_read(s, a->off, s->cfg.buf, FWS_TRUST_V2_HDR_LEN) != FWS_OK)
		return FWS_E_IO;
	n = fws_trust_blob_len(s->cfg.buf, FWS_TRUST_V2_HDR_LEN);
	if (n == 0 || n > FWS_TRUST_BLOB_MAX)
		return FWS_E_TRUST_STORE;
	if (stub_flash_read(s, a->off, s->cfg.buf, n) != FWS_OK)
		return FWS_E_IO;
	*len = n;
	return FWS_OK;
}

fws_err stub_trust_load(fws_stub *s)
{
	const fws_hal *h = s->cfg.hal;
	size_t len = 0;
	fws_err e;

	/* s->trust: the parser clears it, the failure below too */
	s->trust_ok = false;
	memset(s->trust_sha256, 0, FWS_SHA256_LEN);
	if (s->j.trust_area == FWS_SLOT_NONE) {
		e = h->trust_provisioned(h->ctx, s->cfg.buf, s->cfg.buf_cap, &len);
		if (e == FWS_OK && (len == 0 || len > FWS_TRUST_BLOB_MAX))
			e = FWS_E_TRUST_STORE;
	} else {
		e = area_blob(s, &h->geom.trust[s->j.trust_area], &len);
	}
	if (e == FWS_OK)
		e = fws_trust_parse(s->cfg.buf, len, &s->trust);
	/* The journal names the area and its version together: a store that
	 * is not the one committed is not believed (fail closed, never an
	 * older store in its place). */
	if (e == FWS_OK && s->j.trust_area != FWS_SLOT_NONE &&
	    (s->trust.format != 2u || s->trust.version != s->j.trust_version))
		e = FWS_E_TRUST_STORE;
	if (e != FWS_OK) {
		memset(&s->trust, 0, sizeof s->trust);
		return e == FWS_E_IO ? e : FWS_E_TRUST_STORE;
	}
	if (fws_sha256(s->cfg.buf, len, s->trust_sha256) != FWS_OK) {
		memset(&s->trust, 0, sizeof s->trust);
		return FWS_E_CRYPTO; /* no digest: the store is not believed */
	}
#if defined(FWS_STUB_DEFECTS)
	if (STUB_DEFECT(s, FWS_DEFECT_IGNORE_REVOKED)) {
		/* planted defect (simulator only): revocations mean nothing */
		for (unsigned i = 0; i < s->trust.count; i++)
			s->trust.keys[i].flags &= (uint8_t)~FWS_TRUST_REVOKED;
	}
#endif
	s->trust_ok = true;
	return FWS_OK;
}

/* ---------------------------------------------------------------------- */
/* Receiving a trust update                                                */

/* A trust update's policy: the device's identity ("*" / 0 in the manifest
 * mean any model / id), a higher version, one store in one block. */
static fws_err tu_policy(const fws_stub *s, const fws_manifest *m)
{
	fws_err e = stub_identity(s, m, true);

	if (e != FWS_OK)
		return e;
	/* The trust version only ever rises: an older or the same update,
	 * replayed, changes nothing. */
	if (m->security_counter <= fws_trust_version(&s->trust) &&
	    !STUB_DEFECT(s, FWS_DEFECT_TRUST_ROLLBACK))
		return FWS_E_TRUST_ROLLBACK;
	/* One block holding one store: all a trust update ever needs. */
	if (m->payload_size > FWS_TRUST_BLOB_MAX)
		return FWS_E_TOO_BIG;
	if (m->payload_size < FWS_TRUST_V2_HDR_LEN + FWS_TRUST_ENTRY_LEN + 4u)
		return FWS_E_TRUST_STORE;
	if (m->block_size < m->payload_size)
		return FWS_E_BLOCK_SIZE;
	return FWS_OK;
}

fws_err stub_tu_prefix(fws_stub *s)
{
	const fws_hal *h = s->cfg.hal;
	const fws_flash_area *a;
	fws_err e;

	e = tu_policy(s, &s->rd.manifest);
	if (e == FWS_OK)
		e = stub_dl_may_erase(s); /* flash wear: download.c */
	if (e != FWS_OK)
		return e;
	/* Nothing was written before this point. Into the area not in force
	 * (area 0 while the provisioned store is): the store in force is never
	 * touched, whatever happens from here on. */
	s->tu_area = s->j.trust_area == FWS_SLOT_NONE ? 0u : (uint8_t)(s->j.trust_area ^ 1u);
	if (s->j.trust_area != FWS_SLOT_NONE && STUB_DEFECT(s, FWS_DEFECT_TRUST_IN_PLACE))
		s->tu_area = s->j.trust_area; /* planted defect (simulator only) */
	a = &h->geom.trust[s->tu_area];
	s->dl_trust = true;
	e = fws_sha256(s->cfg.buf, s->rd.prefix_len, s->prefix_digest);
	if (e != FWS_OK)
		return e;
	e = stub_flash_erase_range(s, a->off, a->size);
	if (e != FWS_OK)
		return e;
	e = stub_flash_program(s, a->off + FWS_HAL_TRUST_PREFIX_OFF, s->cfg.buf, s->rd.prefix_len);
	if (e != FWS_OK)
		return e;
	s->dl_started = true;
	return FWS_OK;
}

fws_err stub_tu_block(fws_stub *s)
{
	/* tu_policy allowed exactly one block */
	assert(s->rd.block_index == 0u && s->rd.block_len <= FWS_TRUST_BLOB_MAX);
	return stub_flash_program(s, s->cfg.hal->geom.trust[s->tu_area].off, s->rd.buf,
	                          s->rd.block_len);
}

/* The steps of a trust update's manifestation, each out of line
 * (internal.h, STUB_NOINLINE): the deepest of them verifies a signature
 * under the GETSTATUS that triggered it, so no step's locals may sit on the
 * stack under another's verify (docs/firmware.md, "Stack"). */

/* Read back what the area holds: the prefix that was verified and the
 * payload the signed manifest describes. */
static STUB_NOINLINE fws_err tu_readback(fws_stub *s, const fws_flash_area *a, size_t plen,
                                         uint32_t len)
{
	uint8_t digest[FWS_SHA256_LEN];
	fws_err e;

	e = stub_flash_sha256(s, a->off + FWS_HAL_TRUST_PREFIX_OFF, (uint32_t)plen, digest);
	if (e != FWS_OK)
		return e;
	if (!fws_ct_equal(digest, s->prefix_digest, FWS_SHA256_LEN))
		return FWS_E_FLASH_VERIFY;
	e = stub_flash_sha256(s, a->off, len, digest);
	if (e != FWS_OK)
		return e;
	if (!fws_ct_equal(digest, s->rd.manifest.image_sha256, FWS_SHA256_LEN) &&
	    !STUB_DEFECT(s, FWS_DEFECT_TRUST_SKIP_PAYLOAD))
		return FWS_E_IMAGE_DIGEST;
	return FWS_OK;
}

/* The candidate, parsed where the store in force lives: a store of format 2
 * whose version is the one the signed manifest announced (above the stored
 * one), with usable keys. */
static STUB_NOINLINE fws_err tu_candidate(fws_stub *s, const fws_flash_area *a, uint32_t len,
                                          uint32_t old_version, uint32_t version)
{
	fws_err e;

	if (stub_flash_read(s, a->off, s->cfg.buf, len) != FWS_OK)
		return FWS_E_IO;
	e = fws_trust_parse(s->cfg.buf, len, &s->trust);
	if (e != FWS_OK)
		return e;
	if (s->trust.format != 2u || s->trust.version != version)
		return FWS_E_TRUST_STORE;
	if (version <= old_version && !STUB_DEFECT(s, FWS_DEFECT_TRUST_ROLLBACK))
		return FWS_E_TRUST_ROLLBACK;
	if (fws_trust_usable(&s->trust) != FWS_OK && !STUB_DEFECT(s, FWS_DEFECT_TRUST_SKIP_USABLE))
		return FWS_E_TRUST_UNUSABLE;
	return FWS_OK;
}

/* The new root keys prove possession: the signatures of the stored prefix
 * meet the candidate's root threshold too. */
static STUB_NOINLINE fws_err tu_new_roots(fws_stub *s, const fws_flash_area *a, size_t plen)
{
	uint8_t digest[FWS_SHA256_LEN];
	/* the reader's header of this prefix, which tu_readback found stored
	 * as it was verified (its digest) */
	size_t mlen = s->rd.header.manifest_len;

	if (STUB_DEFECT(s, FWS_DEFECT_TRUST_SKIP_NEW_ROOTS))
		return FWS_OK;
	if (stub_flash_read(s, a->off + FWS_HAL_TRUST_PREFIX_OFF, s->cfg.buf, plen) != FWS_OK)
		return FWS_E_IO;
	if (fws_pkg_signed_digest(s->cfg.buf, s->cfg.buf + FWS_PKG_HEADER_LEN, mlen, digest) != FWS_OK)
		return FWS_E_CRYPTO;
	return fws_trust_check_sigs(&s->trust, s->cfg.buf + FWS_PKG_HEADER_LEN + mlen,
	                            s->rd.header.sig_count, digest, FWS_TRUST_ROOT,
	                            fws_trust_threshold(&s->trust), NULL);
}

/* Does every image the device could boot now verify under s->trust (the
 * candidate)? The boot decision would otherwise refuse the running image
 * at the next start and leave the device in the stub: a store may revoke a
 * key only once an image signed by another one runs (docs/trust.md). */
static STUB_NOINLINE fws_err tu_images_survive(fws_stub *s)
{
	/* the reader's manifest: what the checks needed of it was taken */
	fws_manifest *m = &s->rd.manifest;
	size_t plen;

	if (STUB_DEFECT(s, FWS_DEFECT_TRUST_SKIP_IMAGE))
		return FWS_OK;
	for (unsigned i = 0; i < FWS_HAL_SLOTS; i++) {
		uint8_t st = s->slot[i].state;

		/* what the boot decision could start: verified at boot (or
		 * staged since), and not below the anti-rollback counter, which
		 * may have risen with a confirm since boot */
		if ((st != FWS_SLOT_CONFIRMED && st != FWS_SLOT_TESTING && st != FWS_SLOT_STAGED) ||
		    s->slot[i].counter < s->j.counter)
			continue;
		if (stub_slot_prefix(s, i, m, &plen) != FWS_OK)
			return FWS_E_TRUST_ORPHAN;
	}
	return FWS_OK;
}

/* The switch: one journal record names the area and its version. */
static STUB_NOINLINE fws_err tu_commit(fws_stub *s, uint32_t version)
{
	fws_jstate next = s->j;

	next.trust_area = s->tu_area;
	next.trust_version = version;
	next.dl_starts = 0; /* completed: the back-off starts afresh */
	return stub_journal_commit(s, &next);
}

STUB_NOINLINE fws_err stub_tu_manifest(fws_stub *s)
{
	const fws_flash_area *a = &s->cfg.hal->geom.trust[s->tu_area];
	/* What the steps need from the manifest, before the reader's manifest
	 * and the block buffer are reused. */
	uint32_t version = s->rd.manifest.security_counter;
	uint32_t len = s->rd.manifest.payload_size;
	uint32_t old_version = fws_trust_version(&s->trust);
	size_t plen = s->rd.prefix_len;
	fws_err e, le;

	assert(s->dl_started && s->dl_done && s->dl_trust && s->tu_area < 2u);
	e = tu_readback(s, a, plen, len);
	if (e == FWS_OK)
		e = tu_candidate(s, a, len, old_version, version);
	if (e == FWS_OK)
		e = tu_new_roots(s, a, plen);
	if (e == FWS_OK)
		e = tu_images_survive(s);
	if (e == FWS_OK)
		e = tu_commit(s, version);
	/* From flash, whatever happened: the new store after the commit, the
	 * old one after a refusal or a failed commit. */
	le = stub_trust_load(s);
	if (e == FWS_OK && (le != FWS_OK || fws_trust_version(&s->trust) != version))
		e = le != FWS_OK ? le : FWS_E_JOURNAL;
	stub_dl_reset(s);
	return e;
}

/* ---------------------------------------------------------------------- */
/* Planted defects (FWS_STUB_DEFECTS, simulator only)                      */

#if defined(FWS_STUB_DEFECTS)
/* Continue the reader as if its check had passed: block 0 follows the
 * prefix (root signatures) or the rejected block was the last (payload). */
static STUB_NOINLINE bool defect_go_on(fws_stub *s, fws_err e)
{
	fws_manifest m = s->rd.manifest;

	if (s->rd.manifest.kind != FWS_KIND_TRUST)
		return false;
	if (STUB_DEFECT(s, FWS_DEFECT_TRUST_SKIP_ROOTS) && !s->dl_started &&
	    (e == FWS_E_THRESHOLD || e == FWS_E_REVOKED_KEY || e == FWS_E_UNTRUSTED_KEY ||
	     e == FWS_E_SIGNATURE) && s->rd.prefix_len != 0u) {
		if (fws_pkg_reader_resume(&s->rd, &m, s->rd.prefix_len, 0, m.chain_head) != FWS_OK)
			return false;
		/* the prefix is still at the start of the buffer */
		return stub_tu_prefix(s) == FWS_OK;
	}
	if (STUB_DEFECT(s, FWS_DEFECT_TRUST_SKIP_PAYLOAD) && s->dl_trust && s->dl_started &&
	    e == FWS_E_BLOCK_DIGEST && s->rd.block_index == 0u) {
		if (stub_tu_block(s) != FWS_OK)
			return false;
		s->dl_done = true;
		return true;
	}
	return false;
}
#endif

bool stub_tu_defect(fws_stub *s, fws_err e)
{
#if defined(FWS_STUB_DEFECTS)
	return s->cfg.defects != 0u && defect_go_on(s, e);
#else
	(void)s;
	(void)e;
	return false;
#endif
}
