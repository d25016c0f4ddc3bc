/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/journal.c - the persistent state as an append-only log of
 * fixed 128-byte records in two alternating sectors (docs/device-stub.md,
 * "Journal").
 *
 * Why it survives a power cut: a record is only believed if its magic and
 * CRC-32 are right, so a torn record is ignored and the previous one stays
 * in force. The other sector is erased only when the current one is full,
 * and the newest record lives in the current sector while that happens.
 * The record with the highest sequence number wins.
 */
#include <string.h>

#include "fwseal/crc.h"
#include "fwseal/le.h"
#include "internal.h"

/* j with sequence number seq (the caller's copy is not changed). */
static void jrec_encode(const fws_jstate *j, uint32_t seq, uint8_t r[STUB_JREC_LEN])
{
	memset(r, 0, STUB_JREC_LEN);
	fws_put_le32(r + 0, STUB_JREC_MAGIC);
	fws_put_le32(r + 4, seq);
	r[8] = j->active;
	r[9] = j->trial;
	r[10] = j->trial_booted;
	r[11] = j->dl_slot;
	fws_put_le32(r + 12, j->counter);
	fws_put_le32(r + 16, j->dl_block);
	fws_put_le32(r + 20, j->dl_prefix_len);
	memcpy(r + 24, j->dl_expect, FWS_SHA256_LEN);
	memcpy(r + 56, j->dl_prefix_digest, FWS_SHA256_LEN);
	fws_put_le32(r + 88, j->dl_offset);
	/* 0 = none, so the reserved zero bytes of older records read right */
	r[92] = j->rejected == FWS_SLOT_NONE ? 0u : (uint8_t)(j->rejected + 1u);
	r[93] = j->dl_starts; /* reserved (0) in older records: no back-off */
	fws_put_le32(r + STUB_JREC_LEN - 4u, fws_crc32(0, r, STUB_JREC_LEN - 4u));
}

static bool slot_ok(uint8_t v)
{
	return v < FWS_HAL_SLOTS || v == FWS_SLOT_NONE;
}

/* Decode a record; false if it is not a whole, well-formed record. */
static bool jrec_decode(const uint8_t r[STUB_JREC_LEN], fws_jstate *j)
{
	if (fws_get_le32(r) != STUB_JREC_MAGIC ||
	    fws_get_le32(r + STUB_JREC_LEN - 4u) != fws_crc32(0, r, STUB_JREC_LEN - 4u))
		return false;
	j->seq = fws_get_le32(r + 4);
	j->active = r[8];
	j->trial = r[9];
	j->trial_booted = r[10];
	j->dl_slot = r[11];
	j->counter = fws_get_le32(r + 12);
	j->dl_block = fws_get_le32(r + 16);
	j->dl_prefix_len = fws_get_le32(r + 20);
	memcpy(j->dl_expect, r + 24, FWS_SHA256_LEN);
	memcpy(j->dl_prefix_digest, r + 56, FWS_SHA256_LEN);
	j->dl_offset = fws_get_le32(r + 88);
	j->rejected = r[92] == 0u ? FWS_SLOT_NONE : (uint8_t)(r[92] - 1u);
	j->dl_starts = r[93];
	return slot_ok(j->active) && slot_ok(j->trial) && slot_ok(j->dl_slot) &&
	       slot_ok(j->rejected) && j->trial_booted <= 1u;
}

static bool all_erased(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != FWS_FLASH_ERASED)
			return false;
	}
	return true;
}

static void jstate_fresh(fws_jstate *j)
{
	memset(j, 0, sizeof *j);
	j->active = FWS_SLOT_NONE;
	j->trial = FWS_SLOT_NONE;
	j->dl_slot = FWS_SLOT_NONE;
	j->rejected = FWS_SLOT_NONE;
}

fws_err stub_journal_load(fws_stub *s)
{
	const fws_flash_geom *g = &s->cfg.hal->geom;
	uint32_t per = g->sector_size / STUB_JREC_LEN;
	uint32_t used[2] = {0, 0};
	bool found = false;
	uint8_t r[STUB_JREC_LEN];

	jstate_fresh(&s->j);
	s->j_sector = 0;
	for (uint8_t sec = 0; sec < 2u; sec++) {
		for (uint32_t i = 0; i < per; i++) {
			fws_jstate j;

			if (stub_flash_read(s, g->journal[sec] + i * STUB_JREC_LEN, r, sizeof r) != FWS_OK)
				return FWS_E_IO;
			if (all_erased(r, sizeof r))
				continue;
			/* Any non-erased bytes use up the position, torn or not:
			 * flash cannot be programmed twice. */
			used[sec] = i + 1u;
			if (jrec_decode(r, &j) && (!found || j.seq > s->j.seq)) {
				s->j = j;
				s->j_sector = sec;
				found = true;
			}
		}
	}
	s->j_next = used[s->j_sector] * STUB_JREC_LEN;
	return FWS_OK;
}

/* Is r what flash holds at off? Read back in small pieces: a second whole
 * record on the stack would cost 128 bytes for nothing. */
#define JREC_PIECE 32u
_Static_assert(STUB_JREC_LEN % JREC_PIECE == 0u, "the record is read back in whole pieces");

static fws_err jrec_check(const fws_stub *s, uint32_t off, const uint8_t r[STUB_JREC_LEN])
{
	uint8_t back[JREC_PIECE];

	for (uint32_t i = 0; i < STUB_JREC_LEN; i += sizeof back) {
		if (stub_flash_read(s, off + i, back, sizeof back) != FWS_OK)
			return FWS_E_IO;
		if (memcmp(back, r + i, sizeof back) != 0)
			return FWS_E_FLASH_VERIFY;
	}
	return FWS_OK;
}

fws_err stub_journal_commit(fws_stub *s, const fws_jstate *next)
{
	const fws_flash_geom *g = &s->cfg.hal->geom;
	uint32_t seq = s->j.seq + 1u;
	uint8_t r[STUB_JREC_LEN];
	uint8_t sec = s->j_sector;
	uint32_t at = s->j_next;
	fws_err e;

	jrec_encode(next, seq, r);
	if (at + STUB_JREC_LEN > g->sector_size) {
		/* Current sector full: the newest record stays there while the
		 * other one is erased, so a cut during the erase loses nothing. */
		sec = (uint8_t)(sec ^ 1u);
		at = 0;
		e = stub_flash_erase_range(s, g->journal[sec], g->sector_size);
		if (e != FWS_OK)
			return e;
		s->j_sector = sec;
		s->j_next = 0;
	}
	/* The position is used from here on, whatever happens. */
	s->j_next = at + STUB_JREC_LEN;
	e = stub_flash_program(s, g->journal[sec] + at, r, sizeof r);
	if (e != FWS_OK)
		return e;
	e = jrec_check(s, g->journal[sec] + at, r);
	if (e != FWS_OK)
		return e;
	s->j = *next;
	s->j.seq = seq;
	return FWS_OK;
}
