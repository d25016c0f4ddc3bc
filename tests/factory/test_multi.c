/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_multi.c - several devices at once through libfwseal-host
 * (fwseal-host/multi.h) against eight simulated devices on ptys:
 * six good units, one of another model, one unplugged midway (its simulator
 * is killed once a third of the package went over). The six succeed, the
 * wrong model is refused before a byte is sent, the unplugged one is
 * interrupted, and then resumes to success once plugged back in; the
 * production records hold exactly one complete row per attempt.
 *
 * Environment: FWSEAL_SIM = path of fwseal-sim (set by meson).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "factory_fixture.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/multi.h"

#define UNITS  8
#define GOOD   6
#define WRONG  6 /* index of the unit of another model */
#define VICTIM 7 /* index of the unit unplugged midway */
#define IMAGE  (24u * 1024u + 5u)

struct watch {
	fx_sim *victim;
	atomic_int inside;  /* the callback is never entered twice at once */
	int overlaps;
	int starts[UNITS], infos[UNITS], dones[UNITS];
	bool killed;
	uint64_t killed_at;
};

static void on_event(void *user, enum fwh_unit_event ev, const fwh_unit *u)
{
	struct watch *w = user;
	if (atomic_exchange(&w->inside, 1))
		w->overlaps++;
	size_t i = u->index;
	if (i < UNITS) {
		if (ev == FWH_UNIT_START)
			w->starts[i]++;
		if (ev == FWH_UNIT_INFO)
			w->infos[i]++;
		if (ev == FWH_UNIT_DONE)
			w->dones[i]++;
	}
	/* unplug: the victim's device goes away with a third of the package sent */
	if (ev == FWH_UNIT_PROGRESS && i == VICTIM && !w->killed &&
	    u->progress.phase == FWH_PHASE_DOWNLOAD && u->progress.done * 3 >= u->progress.total) {
		kill(w->victim->pid, SIGKILL);
		w->killed = true;
		w->killed_at = u->progress.done;
	}
	atomic_store(&w->inside, 0);
}

struct rows {
	fwh_record r[32];
	size_t n;
};

static int collect(const fwh_record *r, void *user)
{
	struct rows *rows = user;
	if (rows->n < 32)
		rows->r[rows->n++] = *r;
	return 0;
}

static const fwh_record *row_of(const struct rows *rows, const char *serial, size_t nth)
{
	for (size_t i = 0; i < rows->n; i++)
		if (!strcmp(rows->r[i].serial, serial) && nth-- == 0)
			return &rows->r[i];
	return NULL;
}

static void check_row(const fx *f, const fwh_record *r, const char *model,
                      enum fwh_rec_result result, const char *error_code)
{
	assert_non_null(r);
	assert_string_equal(r->station, "test-station");
	assert_string_equal(r->model, model);
	assert_int_equal(r->hw_rev, 1);
	assert_string_equal(r->from_version, "");
	assert_string_equal(r->to_version, FX_VERSION);
	assert_string_equal(r->package_sha256, f->digest_hex);
	assert_int_equal(r->result, result);
	assert_string_equal(r->error_code, error_code);
	assert_true(r->duration_ms >= 0 && r->duration_ms < 60000);
	assert_memory_equal(r->device, "serial:/dev/pts/", 16);
	if (result != FWH_REC_OK)
		assert_true(strlen(r->error) > 20); /* a sentence */
}

static void read_info(const char *device, fws_devinfo *info)
{
	fwh_link *l = NULL;
	fwh_error err;
	fwh_error_clear(&err);
	assert_int_equal(fwh_open(device, NULL, &l, &err), FWS_OK);
	assert_int_equal(fwh_dfu_info(l, info, &err), FWS_OK);
	fwh_close(l);
}

static void eight_at_once(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, IMAGE);
	fx_sim sims[UNITS];
	char name[16], serial[32];
	for (int i = 0; i < UNITS; i++) {
		snprintf(name, sizeof name, "u%d", i);
		snprintf(serial, sizeof serial, i == WRONG ? "SN-WRONG" : i == VICTIM ? "SN-VICTIM"
		                                                                      : "SN-%d",
		         i);
		/* the victim is paced like a UART so that there is a "midway" */
		fx_sim_start(&f, &sims[i], name, i == WRONG ? "OTHER-MODEL" : FX_MODEL, serial,
		             i == VICTIM ? 115200u : 0u);
	}

	fws_trust trust;
	fwh_package pkg;
	fwh_error err;
	fwh_error_clear(&err);
	assert_int_equal(fwh_trust_load(f.trust, &trust, &err), FWS_OK);
	assert_int_equal(fwh_package_open(&pkg, f.pkg, &trust, &err), FWS_OK);
	fwh_records *db = NULL;
	assert_int_equal(fwh_records_open(f.records, &db, &err), FWS_OK);

	struct watch w;
	memset(&w, 0, sizeof w);
	w.victim = &sims[VICTIM];
	fwh_multi m = {.pkg = &pkg, .records = db, .station = "test-station",
	               .event = on_event, .user = &w};
	fwh_multi_init(&m);
	fwh_unit units[UNITS];
	memset(units, 0, sizeof units);
	for (int i = 0; i < UNITS; i++)
		snprintf(units[i].device, sizeof units[i].device, "%s", sims[i].device);

	assert_int_equal(fwh_multi_run(&m, units, UNITS, &err), FWS_OK);

	assert_int_equal(w.overlaps, 0);
	assert_true(w.killed);
	for (int i = 0; i < UNITS; i++) {
		assert_int_equal(w.starts[i], 1);
		assert_int_equal(w.infos[i], 1);
		assert_int_equal(w.dones[i], 1);
	}
	for (int i = 0; i < GOOD; i++) {
		assert_int_equal(units[i].result, FWH_REC_OK);
		assert_string_equal(units[i].to_version, FX_VERSION);
		assert_true(units[i].record_id > 0);
		assert_int_equal(units[i].record, FWH_UNIT_REC_OK);
	}
	assert_int_equal(units[WRONG].result, FWH_REC_REFUSED);
	assert_int_equal(units[WRONG].err.code, FWS_E_MODEL);
	assert_false(units[WRONG].sent_any); /* pre-flight: nothing went out */
	assert_int_equal(units[VICTIM].result, FWH_REC_INTERRUPTED);
	assert_true(units[VICTIM].sent_any);

	/* the good units run the new firmware; the refused one holds nothing */
	fws_devinfo info;
	for (int i = 0; i < GOOD; i++) {
		read_info(sims[i].device, &info);
		assert_string_equal(info.fw_version, FX_VERSION);
		assert_int_equal(info.boot_state, FWS_BOOT_APP);
	}
	read_info(sims[WRONG].device, &info);
	assert_false(info.has_resume);
	for (unsigned s = 0; s < FWS_DEVINFO_SLOTS; s++)
		assert_true(!info.slots[s].present || info.slots[s].state == FWS_SLOT_EMPTY);

	/* plugged back in (same flash), the victim resumes and succeeds */
	fx_sim_start(&f, &sims[VICTIM], "u7", FX_MODEL, "SN-VICTIM", 0);
	fwh_unit again;
	memset(&again, 0, sizeof again);
	again.index = VICTIM;
	snprintf(again.device, sizeof again.device, "%s", sims[VICTIM].device);
	assert_int_equal(fwh_unit_run(&m, &again), FWH_REC_OK);
	assert_true(again.progress.resumed);

	/* the records: exactly one complete row per attempt */
	struct rows rows;
	memset(&rows, 0, sizeof rows);
	assert_int_equal(fwh_records_foreach(db, INT64_MIN, collect, &rows, &err), FWS_OK);
	assert_int_equal(rows.n, UNITS + 1);
	for (int i = 0; i < GOOD; i++) {
		snprintf(serial, sizeof serial, "SN-%d", i);
		const fwh_record *r = row_of(&rows, serial, 0);
		check_row(&f, r, FX_MODEL, FWH_REC_OK, "");
		assert_null(row_of(&rows, serial, 1));
		assert_int_equal(r ? r->id : 0, units[i].record_id);
	}
	check_row(&f, row_of(&rows, "SN-WRONG", 0), "OTHER-MODEL", FWH_REC_REFUSED,
	          fws_err_name(FWS_E_MODEL));
	check_row(&f, row_of(&rows, "SN-VICTIM", 0), FX_MODEL, FWH_REC_INTERRUPTED,
	          fws_err_name(units[VICTIM].err.code));
	check_row(&f, row_of(&rows, "SN-VICTIM", 1), FX_MODEL, FWH_REC_OK, "");
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts"
	                                       " WHERE result = 'in-progress'"),
	                 0);

	fwh_multi_destroy(&m);
	fwh_records_close(db);
	fwh_package_close(&pkg);
	for (int i = 0; i < UNITS; i++)
		fx_sim_kill(&sims[i], SIGTERM);
	fx_teardown(&f);
}

/* A device string that leads nowhere is one failed attempt, recorded, and
 * does not hold the others up. */
static void unreachable_unit(void **state)
{
	(void)state;
	fx f;
	fx_setup(&f, 2000);
	fx_sim sim;
	fx_sim_start(&f, &sim, "ok", FX_MODEL, "SN-OK", 0);
	fws_trust trust;
	fwh_package pkg;
	fwh_error err;
	fwh_error_clear(&err);
	assert_int_equal(fwh_trust_load(f.trust, &trust, &err), FWS_OK);
	assert_int_equal(fwh_package_open(&pkg, f.pkg, &trust, &err), FWS_OK);
	fwh_records *db = NULL;
	assert_int_equal(fwh_records_open(f.records, &db, &err), FWS_OK);
	fwh_multi m = {.pkg = &pkg, .records = db, .station = "test-station"};
	fwh_multi_init(&m);
	fwh_unit units[2];
	memset(units, 0, sizeof units);
	snprintf(units[0].device, sizeof units[0].device, "serial:%s/no-such-tty", f.dir);
	snprintf(units[1].device, sizeof units[1].device, "%s", sim.device);
	assert_int_equal(fwh_multi_run(&m, units, 2, &err), FWS_OK);
	assert_int_equal(units[0].result, FWH_REC_FAILED);
	assert_false(units[0].have_info);
	assert_int_equal(units[1].result, FWH_REC_OK);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result = 'failed'"
	                                       " AND serial = '' AND hw_rev IS NULL"
	                                       " AND device LIKE '%no-such-tty'"),
	                 1);
	assert_int_equal(fx_sql_int(f.records, "SELECT count(*) FROM attempts WHERE result = 'ok'"),
	                 1);
	fwh_multi_destroy(&m);
	fwh_records_close(db);
	fwh_package_close(&pkg);
	fx_sim_kill(&sim, SIGTERM);
	fx_teardown(&f);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(eight_at_once),
		cmocka_unit_test(unreachable_unit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
