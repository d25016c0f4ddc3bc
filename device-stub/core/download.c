/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/download.c - the download path in the order of the
 * architecture: prefix -> signature (reader) -> policy -> prefix stored in the
 * staging slot's metadata area -> each block verified by the reader BEFORE it
 * is programmed -> read-back of the whole staged image against the full-image
 * SHA-256 -> atomic commit (one journal record). Resume points are recorded
 * in the journal at sector boundaries of the image (docs/device-stub.md,
 * "Resume").
 *
 * Flash wear (docs/device-stub.md, "Flash wear"): a host may start and
 * abort downloads as often as it likes, and a NOR sector takes 10k..100k
 * erases. So nothing is erased twice for one download: starting again the
 * download the journal names (same prefix, same slot) keeps the stored
 * prefix and every block below the resume point (compared, not written),
 * and what this boot already erased for it is not erased again. A start
 * that may erase (a new download, or the first start again in a boot) is
 * counted in the journal record it writes anyway; past STUB_FREE_STARTS of
 * them without a completed download each one waits longer (FWS_E_BUSY).
 */
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal/le.h"
#include "internal.h"

#define STUB_FREE_STARTS    8u      /* starts that may erase, no wait */
#define STUB_BACKOFF_MS     1000u   /* then 1 s, 2 s, 4 s ... after the last */
#define STUB_BACKOFF_MAX_MS 300000u /* ... at most 5 min */
_Static_assert((STUB_BACKOFF_MS << 8) < STUB_BACKOFF_MAX_MS &&
               (STUB_BACKOFF_MS << 9) >= STUB_BACKOFF_MAX_MS &&
               STUB_BACKOFF_MAX_MS <= 0xFFFFFFu, "the back-off steps, and bwPollTimeout's 24 bits");

uint8_t stub_staging_slot(const fws_stub *s)
{
	/* Planted defect (simulator only): the running image is overwritten. */
	if (STUB_DEFECT(s, FWS_DEFECT_WRITE_IN_PLACE) && s->running != FWS_SLOT_NONE)
		return s->running;
	if (s->running != FWS_SLOT_NONE)
		return (uint8_t)(s->running ^ 1u);
	if (s->j.active != FWS_SLOT_NONE)
		return (uint8_t)(s->j.active ^ 1u);
	return 0;
}

void stub_dl_reset(fws_stub *s)
{
	s->dl_started = false;
	s->dl_done = false;
	s->dl_slot = FWS_SLOT_NONE;
	s->erased_upto = 0;
	s->dl_trust = false;
}

static bool testing(const fws_stub *s)
{
	/* A test boot must be confirmed (or reverted) first: the staging slot
	 * would be the only confirmed image. */
	return s->running != FWS_SLOT_NONE && s->running == s->j.trial;
}

fws_err stub_dl_start(fws_stub *s)
{
	stub_dl_reset(s);
	if (testing(s))
		return FWS_E_STATE;
	if (!s->trust_ok)
		return FWS_E_TRUST_STORE;
	if (fws_pkg_reader_init(&s->rd, s->cfg.buf, s->cfg.buf_cap, &s->trust,
	                        FWS_PKG_NO_IMAGE_HASH) != FWS_OK)
		return FWS_E_INVAL;
	s->dl_slot = stub_staging_slot(s);
	s->last_error = FWS_OK;
	return FWS_OK;
}

/* Record the download's resume point: block (at stream offset off) comes
 * next and must hash to expect. The first record (block 0) starts the
 * download; the later ones find trial, rejected and the prefix fields
 * already so. counted: this record is for a start that may erase flash
 * (the back-off counts it). Out of line: the journal state is not to be on
 * the stack under the reader's signature check (internal.h, STUB_NOINLINE). */
static STUB_NOINLINE fws_err record_dl(fws_stub *s, uint32_t block, uint32_t off,
                                       const uint8_t expect[FWS_SHA256_LEN], bool counted)
{
	fws_jstate next = s->j;

	if (counted && next.dl_starts < 0xFFu)
		next.dl_starts++;

	if (next.trial == s->dl_slot) {
		next.trial = FWS_SLOT_NONE; /* its committed image is about to go */
		next.trial_booted = 0;
	}
	if (next.rejected == s->dl_slot)
		next.rejected = FWS_SLOT_NONE; /* a new image replaces the rejected one */
	next.dl_slot = s->dl_slot;
	next.dl_block = block;
	next.dl_prefix_len = (uint32_t)s->rd.prefix_len;
	next.dl_offset = off;
	memcpy(next.dl_expect, expect, FWS_SHA256_LEN);
	memcpy(next.dl_prefix_digest, s->prefix_digest, FWS_SHA256_LEN);
	return stub_journal_commit(s, &next);
}

/* May a start that may erase flash go ahead now? Past STUB_FREE_STARTS of
 * them since the last completed download, the n-th more waits
 * STUB_BACKOFF_MS << n (at most STUB_BACKOFF_MAX_MS) after the previous
 * one, or after boot. A refusal says how long (bwPollTimeout of the
 * GETSTATUS answer, dfu.c). On success the start is timed. */
static fws_err may_erase(fws_stub *s)
{
	const fws_hal *h = s->cfg.hal;
	uint32_t n = s->j.dl_starts, wait, now = h->now_ms(h->ctx);

	if (n >= STUB_FREE_STARTS) {
		n -= STUB_FREE_STARTS;
		/* 1 s << 8 = 256 s is the last step below the 5 min cap */
		wait = n < 9u ? STUB_BACKOFF_MS << n : STUB_BACKOFF_MAX_MS;
		if (now - s->last_start_ms < wait) { /* wraps at 2^32: fine */
			s->backoff_ms = wait - (now - s->last_start_ms);
			return FWS_E_BUSY;
		}
	}
	s->last_start_ms = now;
	return FWS_OK;
}

/* A trust update's start erases the trust area not in force
 * (trust_update.c): it waits like any other start that may erase, and
 * counts the same way, in a journal record that changes nothing else (the
 * store in force stays). Out of line: a journal state on the stack. */
STUB_NOINLINE fws_err stub_dl_may_erase(fws_stub *s)
{
	fws_jstate next = s->j;
	fws_err e = may_erase(s);

	if (e != FWS_OK)
		return e;
	if (next.dl_starts < 0xFFu)
		next.dl_starts++;
	return stub_journal_commit(s, &next);
}

/* Does the staging slot hold this very prefix, stored by the download the
 * journal names? Compared with the verified prefix in the block buffer
 * (which still holds it for begin()). */
static bool prefix_stored(const fws_stub *s)
{
	return s->j.dl_slot == s->dl_slot &&
	       s->j.trial != s->dl_slot && s->j.dl_prefix_len == s->rd.prefix_len &&
	       fws_ct_equal(s->j.dl_prefix_digest, s->prefix_digest, FWS_SHA256_LEN) &&
	       stub_flash_cmp(s, s->cfg.hal->geom.slot[s->dl_slot].off, s->cfg.buf,
	                      s->rd.prefix_len) == FWS_OK;
}

/* What flash holds of the download the journal names is not what it wrote
 * (its read-back failed, or a stored block differs when it comes again): one
 * record forgets it, so the next start begins afresh instead of failing the
 * same way, in this boot or after a restart. Best effort: if the record
 * cannot be written, the next start finds the same and tries again. */
static void no_download(fws_jstate *n)
{
	n->dl_slot = FWS_SLOT_NONE;
	n->dl_block = 0;
	n->dl_offset = 0;
	n->dl_prefix_len = 0;
	memset(n->dl_expect, 0, FWS_SHA256_LEN);
	memset(n->dl_prefix_digest, 0, FWS_SHA256_LEN);
}

static STUB_NOINLINE void forget_download(fws_stub *s)
{
	fws_jstate next = s->j;

	no_download(&next);
	(void)stub_journal_commit(s, &next);
	s->wear = STUB_WEAR_UNKNOWN;
}

/* Go on with the download the journal names (from block 0, or RESUME at
 * its resume point) without erasing or writing again what it stored: the
 * blocks below the resume point are compared as they come (write_block),
 * and sectors this boot erased for it are not erased twice. The first such
 * start in a boot counts (it may erase the sector at the resume point, which
 * a power cut may have left torn) and is recorded; later ones are free. */
static STUB_NOINLINE fws_err continue_download(fws_stub *s)
{
	uint32_t kept = s->j.dl_block * s->rd.manifest.block_size;
	fws_err e;

	if (s->wear != STUB_WEAR_KNOWN) {
		e = may_erase(s);
		if (e == FWS_OK)
			e = record_dl(s, s->j.dl_block, s->j.dl_offset, s->j.dl_expect, true);
		if (e != FWS_OK)
			return e;
		s->wear = STUB_WEAR_KNOWN;
		s->wear_erased = kept;
	}
	s->erased_upto = s->wear_erased > kept ? s->wear_erased : kept;
	s->slot[s->dl_slot].state = FWS_SLOT_RECEIVING;
	s->dl_started = true;
	return FWS_OK;
}

/* The prefix verified (signature) and passed policy: record the download,
 * then store the prefix. Nothing of the package was written before this. */
static fws_err begin(fws_stub *s)
{
	const fws_flash_geom *g = &s->cfg.hal->geom;
	fws_err e;

	e = fws_sha256(s->cfg.buf, s->rd.prefix_len, s->prefix_digest);
	if (e != FWS_OK)
		return e;
	if (prefix_stored(s))
		return continue_download(s); /* the same package again: reuse */
	e = may_erase(s);
	if (e != FWS_OK)
		return e;
	e = record_dl(s, 0, (uint32_t)s->rd.prefix_len, s->rd.manifest.chain_head, true);
	if (e != FWS_OK)
		return e;
	s->wear = STUB_WEAR_KNOWN; /* a new download: nothing of it erased yet */
	s->wear_erased = 0;
	memset(&s->slot[s->dl_slot], 0, sizeof s->slot[s->dl_slot]);
	s->slot[s->dl_slot].state = FWS_SLOT_RECEIVING;
	e = stub_flash_erase_range(s, g->slot[s->dl_slot].off, s->meta_len);
	if (e != FWS_OK)
		return e;
	e = stub_flash_program(s, g->slot[s->dl_slot].off, s->cfg.buf, s->rd.prefix_len);
	if (e != FWS_OK)
		return e;
	s->erased_upto = 0;
	s->dl_started = true;
	return FWS_OK;
}

/* Program block k (len bytes at data) into the staging slot, erasing the
 * sectors it reaches first, unless flash already holds it (the same
 * download started again: flash wear). */
static fws_err write_block(fws_stub *s, uint32_t k, const uint8_t *data, size_t len)
{
	uint32_t ss = s->cfg.hal->geom.sector_size;
	uint32_t ws = s->cfg.hal->geom.write_size;
	uint32_t img = stub_image_off(s, s->dl_slot);
	uint32_t at = k * s->rd.manifest.block_size;
	uint32_t end = at + (((uint32_t)len + ws - 1u) & ~(ws - 1u));
	fws_err e;

	assert(end <= stub_image_cap(s, s->dl_slot)); /* policy checked the size */
	while (s->erased_upto < end) {
		e = stub_flash_erase_range(s, img + s->erased_upto, ss);
		if (e != FWS_OK)
			return e;
		s->erased_upto += ss;
	}
	if (s->wear_erased < s->erased_upto)
		s->wear_erased = s->erased_upto;
	e = stub_flash_put(s, img + at, data, len);
	if (e == FWS_E_FLASH_VERIFY)
		forget_download(s); /* not what it left there: start over next time */
	return e;
}

/* After block k: record a resume point when block k+1 starts a sector, so a
 * resume never has to program into a sector that may hold a torn write. */
static fws_err resume_point(fws_stub *s, uint32_t k)
{
	uint32_t nextk = k + 1u;
	uint32_t ss = s->cfg.hal->geom.sector_size;

	/* (a download started again passes resume points it recorded before) */
	if (nextk >= s->rd.block_count || nextk <= s->j.dl_block ||
	    (((uint64_t)nextk * s->rd.manifest.block_size) & (ss - 1u)) != 0u)
		return FWS_OK;
	/* The reader has consumed exactly through block k: its offset is
	 * where block k+1 starts (units of an encoded package vary in length). */
	return record_dl(s, nextk, (uint32_t)s->rd.offset, s->rd.expect, false);
}

fws_err stub_dl_feed(fws_stub *s, const uint8_t *data, size_t len)
{
	size_t off = 0;

	for (;;) {
		enum fws_pkg_event ev;
		size_t used = 0;
		fws_err e = fws_pkg_reader_feed(&s->rd, data + off, len - off, &used, &ev);

		off += used;
		if (e != FWS_OK && stub_tu_defect(s, e)) {
			/* planted defect (simulator only): trust_update.c */
			if (s->dl_done)
				return FWS_OK;
			continue;
		}
		if (e == FWS_E_BLOCK_DIGEST && !s->dl_trust &&
		    STUB_DEFECT(s, FWS_DEFECT_SKIP_BLOCK_CHECK)) {
			/* Planted defect (simulator only): program the block that
			 * failed its check and carry on with the next one, so the
			 * damage is visible from outside (refused late or never). */
			uint32_t k = s->rd.block_index;
			uint8_t next[FWS_SHA256_LEN];

			memcpy(next, s->rd.buf + s->rd.unit_len, FWS_SHA256_LEN);
			e = stub_dec_block(s, data + off, len - off);
			if (e == FWS_OK)
				e = write_block(s, k, s->rd.buf, s->rd.block_len);
			if (e == FWS_OK && k + 1u < s->rd.block_count) {
				e = fws_pkg_reader_resume_at(&s->rd, &s->rd.manifest,
				                             s->rd.prefix_len, k + 1u, next,
				                             s->rd.offset);
				if (e == FWS_OK)
					continue;
			} else if (e == FWS_OK) {
				s->dl_done = true;
				return FWS_OK;
			}
		}
		if (e != FWS_OK)
			return e;
		switch (ev) {
		case FWS_PKG_NEED_MORE:
			assert(off == len);
			return FWS_OK;
		case FWS_PKG_PREFIX:
			if (s->rd.manifest.kind == FWS_KIND_TRUST) {
				/* a trust update (trust_update.c) is never encoded */
				e = s->rd.manifest.encoding != FWS_ENC_NONE ? FWS_E_ENCODING_UNSUPPORTED
				                                            : stub_tu_prefix(s);
				break;
			}
			e = stub_policy(s, &s->rd.manifest);
			if (e == FWS_OK)
				e = stub_dec_begin(s, &s->rd.manifest);
			if (e == FWS_OK)
				e = begin(s);
			break;
		case FWS_PKG_BLOCK:
			assert(s->dl_started);
			if (s->dl_trust) {
				e = stub_tu_block(s);
				break;
			}
			/* verified: now decode (encoded packages), unless the rest of
			 * this DNLOAD was received into the block buffer the decoder
			 * is about to overwrite */
			e = stub_dec_block(s, data + off, len - off);
			if (e == FWS_OK)
				e = write_block(s, s->rd.block_index, s->rd.buf, s->rd.block_len);
			if (e == FWS_OK)
				e = resume_point(s, s->rd.block_index);
			break;
		case FWS_PKG_DONE:
			s->dl_done = true;
			break;
		}
		if (e != FWS_OK)
			return e;
	}
}

/* Point the reader at block dl_block of the manifest it holds. The reader
 * copies the manifest it is given into itself, so it gets a copy, not its
 * own field; this frame holds that copy, never live during a verify. */
static STUB_NOINLINE fws_err reader_resume(fws_stub *s, size_t plen)
{
	fws_manifest m = s->rd.manifest;

	return fws_pkg_reader_resume_at(&s->rd, &m, plen, s->j.dl_block, s->j.dl_expect,
	                                s->j.dl_offset);
}

fws_err stub_dl_resume(fws_stub *s, const uint8_t *data, size_t len)
{
	const fws_hal *h = s->cfg.hal;
	uint32_t ss = h->geom.sector_size;
	/* The stored prefix is verified into the reader's own manifest (the
	 * reader is idle until resumed below): no manifest on the stack under
	 * the signature check. */
	const fws_manifest *m = &s->rd.manifest;
	size_t plen = 0;
	fws_err e;

	if (len != FWS_STUB_RESUME_LEN)
		return FWS_E_INVAL;
	e = stub_dl_start(s);
	if (e != FWS_OK)
		return e;
	if (s->j.dl_slot == FWS_SLOT_NONE || s->j.dl_slot != s->dl_slot)
		return FWS_E_STATE;
	if (fws_get_le32(data) != s->j.dl_offset ||
	    !fws_ct_equal(data + 4, s->j.dl_prefix_digest, FWS_SHA256_LEN))
		return FWS_E_SEQUENCE;
	/* The stored prefix is flash content: verify it again, signature and
	 * policy included, and that it is the one the journal names. */
	e = stub_slot_prefix(s, s->dl_slot, &s->rd.manifest, &plen);
	if (e != FWS_OK)
		return e;
	/* prefix_digest is only believed once dl_started is set (below). */
	e = fws_sha256(s->cfg.buf, plen, s->prefix_digest);
	if (e != FWS_OK)
		return e;
	if (plen != s->j.dl_prefix_len ||
	    !fws_ct_equal(s->prefix_digest, s->j.dl_prefix_digest, FWS_SHA256_LEN))
		return FWS_E_JOURNAL;
	/* ss is a power of two (geometry check): a mask, not a 64-bit division
	 * (which would pull libgcc's __udivmoddi4 into a Cortex-M build).
	 * A plain stream's offset follows from the block; an encoded one's
	 * only has a floor (every unit has a header, a data byte and a digest). */
	if ((((uint64_t)s->j.dl_block * m->block_size) & (ss - 1u)) != 0u ||
	    (m->encoding == 0u
	         ? fws_pkg_block_offset(plen, m, s->j.dl_block) != s->j.dl_offset
	         : (uint64_t)plen + (uint64_t)s->j.dl_block * (FWS_UNIT_HDR_LEN + 1u + FWS_SHA256_LEN) >
	               s->j.dl_offset))
		return FWS_E_JOURNAL;
	/* the package must still be one this device can decode onto this base */
	e = stub_dec_begin(s, m);
	if (e != FWS_OK)
		return e;
	if (reader_resume(s, plen) != FWS_OK)
		return FWS_E_JOURNAL;
	return continue_download(s);
}

/* The end of a firmware download. Out of line: only the end of a download
 * takes this path, and its frame would otherwise be part of
 * fws_stub_handle's (and of a trust update's, below). */
static STUB_NOINLINE fws_err firmware_manifest(fws_stub *s)
{
	const fws_manifest *m = &s->rd.manifest;
	uint8_t slot = s->dl_slot;
	uint8_t digest[FWS_SHA256_LEN];
	fws_jstate next = s->j;
	fws_err e;

	assert(s->dl_started && s->dl_done && slot < FWS_HAL_SLOTS);
	/* Read back what flash really holds (architecture: verify again after
	 * writing): the stored prefix, then the whole image. */
	e = stub_flash_sha256(s, s->cfg.hal->geom.slot[slot].off, (uint32_t)s->rd.prefix_len, digest);
	if (e == FWS_OK && !fws_ct_equal(digest, s->prefix_digest, FWS_SHA256_LEN))
		e = FWS_E_FLASH_VERIFY;
	if (e == FWS_OK)
		e = stub_flash_sha256(s, stub_image_off(s, slot), m->payload_size, digest);
	if (e == FWS_OK && !fws_ct_equal(digest, m->image_sha256, FWS_SHA256_LEN))
		e = FWS_E_IMAGE_DIGEST;
	if (e != FWS_OK) {
		forget_download(s); /* not to be continued: start afresh next time */
		return e;
	}
	/* The commit: one record makes the staged image the trial. */
	next.trial = slot;
	next.trial_booted = 0;
	no_download(&next);
	next.dl_starts = 0; /* completed: the back-off starts afresh */
	e = stub_journal_commit(s, &next);
	if (e != FWS_OK)
		return e;
	s->wear = STUB_WEAR_UNKNOWN;
	stub_slot_describe(&s->slot[slot], FWS_SLOT_STAGED, m);
	stub_dl_reset(s);
	return FWS_OK;
}

STUB_NOINLINE fws_err stub_dl_manifest(fws_stub *s)
{
	/* a trust update: trust_update.c */
	return s->dl_trust ? stub_tu_manifest(s) : firmware_manifest(s);
}
