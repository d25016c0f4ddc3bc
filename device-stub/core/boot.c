/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device-stub/core/boot.c - start-up: configuration check, journal load, the
 * boot decision (a table, as MCUboot's boot_swap_tables), and confirm.
 */
#include <string.h>

#include "internal.h"

static bool pow2(uint32_t v)
{
	return v != 0u && (v & (v - 1u)) == 0u;
}

static bool geom_ok(const fws_flash_geom *g)
{
	uint32_t ss = g->sector_size;

	if (!pow2(ss) || ss < 256u || !pow2(g->write_size) || g->write_size > 128u)
		return false;
	if (g->slot[0].size != g->slot[1].size)
		return false;
	for (unsigned i = 0; i < FWS_HAL_SLOTS; i++) {
		if (g->slot[i].off % ss != 0u || g->slot[i].size % ss != 0u || g->slot[i].size == 0u)
			return false;
	}
	return g->journal[0] % ss == 0u && g->journal[1] % ss == 0u &&
	       g->journal[0] != g->journal[1];
}

fws_err fws_stub_init(fws_stub *s, const fws_stub_config *cfg)
{
	const fws_hal *h = cfg->hal;
	fws_err e;

	if (h == NULL || h->flash_read == NULL || h->flash_write == NULL ||
	    h->flash_erase == NULL || h->trust == NULL || h->now_ms == NULL || !geom_ok(&h->geom) ||
	    cfg->buf == NULL || cfg->buf_cap < FWS_PKG_BUF_MIN || cfg->id.model == NULL)
		return FWS_E_INVAL;
	memset(s, 0, sizeof *s);
	s->cfg = *cfg;
	s->meta_len = (FWS_STUB_META_BYTES + h->geom.sector_size - 1u) &
	              ~(h->geom.sector_size - 1u);
	if (h->geom.slot[0].size <= s->meta_len)
		return FWS_E_INVAL;
	s->running = FWS_SLOT_NONE;
	s->dl_slot = FWS_SLOT_NONE;
	s->state = FWS_DFU_IDLE;
	s->status = FWS_DFU_OK;
	for (unsigned i = 0; i < FWS_HAL_SLOTS; i++)
		s->slot[i].state = FWS_SLOT_EMPTY;
	/* the flash-wear back-off counts from boot (download.c) */
	s->last_start_ms = h->now_ms(h->ctx);
	e = stub_journal_load(s);
	if (e != FWS_OK)
		return e;
	if (h->counter_read != NULL) {
		uint32_t hw = 0;

		if (h->counter_read(h->ctx, &hw) != FWS_OK)
			return FWS_E_IO;
		/* The hardware counter cannot be rolled back by rewriting
		 * flash; the journal can be ahead after a cut (fixed at boot). */
		if (hw > s->j.counter)
			s->j.counter = hw;
	}
	return FWS_OK;
}

/* Inputs of the boot decision. */
enum {
	IN_TRIAL = 1u << 0,        /* a committed slot awaits / had its test boot */
	IN_TRIAL_BOOTED = 1u << 1, /* ... and was started without a confirm since */
	IN_TRIAL_OK = 1u << 2,     /* ... and verifies */
	IN_ACTIVE_OK = 1u << 3,    /* the confirmed slot verifies */
	IN_OTHER_OK = 1u << 4,     /* another slot (not one whose test boot was
	                              reverted) verifies */
};

enum boot_step {
	STEP_TEST_BOOT,     /* record "started once", run the trial */
	STEP_REVERT_ACTIVE, /* drop the trial, run the confirmed image */
	STEP_REVERT_STAY,   /* drop the trial, nothing else to run */
	STEP_RUN_ACTIVE,
	STEP_FALLBACK,      /* confirmed image broken: adopt the other valid slot */
	STEP_STAY,          /* nothing verifiable: wait in the stub */
};

/* First matching row wins: (inputs & mask) == want. */
static const struct {
	uint8_t mask, want, step;
} boot_table[] = {
	{IN_TRIAL | IN_TRIAL_BOOTED | IN_TRIAL_OK, IN_TRIAL | IN_TRIAL_OK, STEP_TEST_BOOT},
	{IN_TRIAL | IN_ACTIVE_OK, IN_TRIAL | IN_ACTIVE_OK, STEP_REVERT_ACTIVE},
	{IN_TRIAL, IN_TRIAL, STEP_REVERT_STAY},
	{IN_ACTIVE_OK, IN_ACTIVE_OK, STEP_RUN_ACTIVE},
	{IN_OTHER_OK, IN_OTHER_OK, STEP_FALLBACK},
	{0, 0, STEP_STAY},
};

static void slot_record(fws_stub *s, unsigned i, fws_err e, const fws_manifest *m)
{
	fws_stub_slot *sl = &s->slot[i];

	memset(sl, 0, sizeof *sl);
	if (e == FWS_OK) {
		stub_slot_describe(sl, FWS_SLOT_CONFIRMED, m);
	} else {
		sl->state = e == FWS_E_NO_IMAGE ? FWS_SLOT_EMPTY : FWS_SLOT_INVALID;
	}
}

static fws_err run(fws_stub *s, unsigned slot, bool trial, fws_boot_result *out)
{
	const fws_hal *h = s->cfg.hal;

	s->running = (uint8_t)slot;
	s->running_counter = s->slot[slot].counter;
	s->slot[slot].state = trial ? FWS_SLOT_TESTING : FWS_SLOT_CONFIRMED;
	out->action = FWS_BOOT_RUN;
	out->slot = (uint8_t)slot;
	out->trial = trial;
	out->image_off = stub_image_off(s, slot);
	out->image_len = s->slot[slot].image_len; /* verified by fws_stub_boot */
	if (h->start_image != NULL)
		h->start_image(h->ctx, slot, out->image_off, out->image_len);
	return FWS_OK;
}

fws_err fws_stub_boot(fws_stub *s, fws_boot_result *out)
{
	const fws_hal *h = s->cfg.hal;
	fws_jstate next = s->j;
	/* Each slot's manifest is verified into the package reader's, idle at
	 * boot (stub.h: init, boot, then requests): a manifest on this frame
	 * would sit under both signature checks. */
	fws_manifest *m = &s->rd.manifest;
	bool ok[FWS_HAL_SLOTS];
	unsigned in = 0, other = FWS_SLOT_NONE;
	uint8_t step = STEP_STAY;
	fws_err e;

	memset(out, 0, sizeof *out);
	out->action = FWS_BOOT_STAY;
	out->slot = FWS_SLOT_NONE;
	s->running = FWS_SLOT_NONE;

	if (h->counter_advance != NULL && h->counter_read != NULL) {
		/* Finish a counter raise a power cut interrupted after the
		 * confirm record (the journal is ahead of the hardware). */
		uint32_t hw = 0;

		if (h->counter_read(h->ctx, &hw) != FWS_OK)
			return FWS_E_IO;
		if (hw < s->j.counter && h->counter_advance(h->ctx, s->j.counter) != FWS_OK)
			return FWS_E_IO;
	}

	for (unsigned i = 0; i < FWS_HAL_SLOTS; i++) {
		if (i == s->j.dl_slot) {
			s->slot[i].state = FWS_SLOT_RECEIVING;
			ok[i] = false;
			continue;
		}
		e = stub_slot_verify(s, i, m);
		if (e == FWS_E_IO)
			return e;
		slot_record(s, i, e, m);
		ok[i] = e == FWS_OK;
		if (i == s->j.rejected)
			s->slot[i].state = FWS_SLOT_INVALID;
	}

	if (s->j.trial != FWS_SLOT_NONE && s->j.trial != s->j.active) {
		in |= IN_TRIAL;
		if (s->j.trial_booted)
			in |= IN_TRIAL_BOOTED;
		if (ok[s->j.trial])
			in |= IN_TRIAL_OK;
	}
	if (s->j.active != FWS_SLOT_NONE && ok[s->j.active])
		in |= IN_ACTIVE_OK;
	for (unsigned i = 0; i < FWS_HAL_SLOTS && other == FWS_SLOT_NONE; i++) {
		if (i != s->j.active && i != s->j.rejected && ok[i])
			other = i;
	}
	if (other != FWS_SLOT_NONE)
		in |= IN_OTHER_OK;

	for (size_t r = 0; r < sizeof boot_table / sizeof boot_table[0]; r++) {
		if ((in & boot_table[r].mask) == boot_table[r].want) {
			step = boot_table[r].step;
			break;
		}
	}

	switch ((enum boot_step)step) {
	case STEP_TEST_BOOT:
		next.trial_booted = 1;
		e = stub_journal_commit(s, &next);
		if (e != FWS_OK)
			return e;
		return run(s, s->j.trial, true, out);
	case STEP_REVERT_ACTIVE:
	case STEP_REVERT_STAY:
		s->slot[s->j.trial].state = FWS_SLOT_INVALID;
		next.rejected = s->j.trial; /* the fallback must not start it again */
		next.trial = FWS_SLOT_NONE;
		next.trial_booted = 0;
		e = stub_journal_commit(s, &next);
		if (e != FWS_OK)
			return e;
		out->reverted = true;
		if (step == STEP_REVERT_STAY)
			return FWS_OK;
		return run(s, s->j.active, false, out);
	case STEP_RUN_ACTIVE:
		return run(s, s->j.active, false, out);
	case STEP_FALLBACK:
		next.active = (uint8_t)other;
		e = stub_journal_commit(s, &next);
		if (e != FWS_OK)
			return e;
		return run(s, other, false, out);
	case STEP_STAY:
		return FWS_OK;
	}
	return FWS_OK;
}

fws_err fws_stub_confirm(fws_stub *s)
{
	const fws_hal *h = s->cfg.hal;
	fws_jstate next = s->j;
	fws_err e;

	if (s->running == FWS_SLOT_NONE)
		return FWS_E_NO_IMAGE;
	if (s->running == s->j.trial) {
		next.active = s->running;
		next.trial = FWS_SLOT_NONE;
		next.trial_booted = 0;
	}
	/* Only now, with the new image running and healthy, does the
	 * anti-rollback counter rise (architecture: device stub). */
	if (s->running == next.active && s->running_counter > next.counter)
		next.counter = s->running_counter;
	if (next.active == s->j.active && next.trial == s->j.trial &&
	    next.trial_booted == s->j.trial_booted && next.counter == s->j.counter)
		return FWS_OK;
	e = stub_journal_commit(s, &next);
	if (e != FWS_OK)
		return e;
	s->slot[s->running].state = FWS_SLOT_CONFIRMED;
	if (h->counter_advance != NULL && h->counter_advance(h->ctx, s->j.counter) != FWS_OK)
		return FWS_E_IO; /* fws_stub_boot finishes it on the next start */
	return FWS_OK;
}
