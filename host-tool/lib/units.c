/* SPDX-License-Identifier: Apache-2.0 */
/* units.c - interfaces of one USB device grouped as one unit
 * (fwseal-host/units.h). */
#include <stdlib.h>
#include <string.h>

#include "fwseal-host/units.h"

typedef struct unit_entry {
	char device[FWH_DEVSTR_MAX];
	char also[FWH_DEVSTR_MAX];
	fws_devinfo info;
} unit_entry;

typedef struct group_ctx {
	unit_entry *e;
	size_t n, cap;
	bool oom;
} group_ctx;

/* The unit key of a USB or HID device string: false for serial ports and
 * for strings that do not name VID:PID (nothing to group them by). */
static bool unit_key(const char *device, const fws_devinfo *info, fwh_dev_id *id)
{
	if (fwh_dev_id_parse(device, id, NULL) != FWS_OK)
		return false;
	if (id->kind == FWH_KIND_SERIAL || !id->has_vid_pid)
		return false;
	if (id->serial[0] == '\0' && info != NULL && info->serial[0] != '\0') {
		size_t n = strnlen(info->serial, sizeof id->serial - 1);
		memcpy(id->serial, info->serial, n);
		id->serial[n] = '\0';
	}
	return id->serial[0] != '\0';
}

bool fwh_same_unit(const char *a, const fws_devinfo *ia, const char *b, const fws_devinfo *ib)
{
	fwh_dev_id x, y;
	if (strcmp(a, b) == 0)
		return true;
	if (!unit_key(a, ia, &x) || !unit_key(b, ib, &y))
		return false;
	return x.vid == y.vid && x.pid == y.pid && strcmp(x.serial, y.serial) == 0;
}

static void on_found(void *user, const char *device, const fws_devinfo *info)
{
	group_ctx *g = user;
	for (size_t i = 0; i < g->n; i++) {
		unit_entry *u = &g->e[i];
		if (!fwh_same_unit(u->device, &u->info, device, info))
			continue;
		if (u->also[0] != '\0')
			return; /* a third interface of the unit: nothing to choose */
		fwh_dev_id id;
		bool dfu = fwh_dev_id_parse(device, &id, NULL) == FWS_OK && id.kind == FWH_KIND_USB;
		if (dfu) {
			/* DFU is preferred: it becomes the unit's string */
			memcpy(u->also, u->device, sizeof u->also);
			memcpy(u->device, device, strnlen(device, sizeof u->device - 1) + 1);
			u->info = *info;
		} else {
			memcpy(u->also, device, strnlen(device, sizeof u->also - 1) + 1);
		}
		u->device[sizeof u->device - 1] = '\0';
		u->also[sizeof u->also - 1] = '\0';
		return;
	}
	if (g->n == g->cap) {
		size_t ncap = g->cap ? 2 * g->cap : 8;
		unit_entry *ne = realloc(g->e, ncap * sizeof *ne);
		if (ne == NULL) {
			g->oom = true;
			return;
		}
		g->e = ne;
		g->cap = ncap;
	}
	unit_entry *u = &g->e[g->n++];
	memset(u, 0, sizeof *u);
	memcpy(u->device, device, strnlen(device, sizeof u->device - 1));
	u->info = *info;
}

/* What the library's enumeration calls: found devices are grouped here,
 * unusable candidates go straight to the caller. */
typedef struct both_ctx {
	group_ctx *g;
	fwh_unusable_cb unusable;
	void *user;
} both_ctx;

static void both_found(void *user, const char *device, const fws_devinfo *info)
{
	on_found(((both_ctx *)user)->g, device, info);
}

static void both_unusable(void *user, const fwh_unusable *u)
{
	both_ctx *b = user;
	b->unusable(b->user, u);
}

fws_err fwh_enumerate_grouped_all(fwh_unit_found_cb found, fwh_unusable_cb unusable, void *user,
                                  fwh_error *err)
{
	group_ctx g = { .e = NULL };
	both_ctx b = { .g = &g, .unusable = unusable, .user = user };
	fws_err e = fwh_enumerate_all(both_found, unusable ? both_unusable : NULL, &b, err);
	if (e == FWS_OK && g.oom)
		e = fwh_error_set(err, FWS_E_IO, "Out of memory listing devices; close other programs "
		                                 "and try again.");
	for (size_t i = 0; e == FWS_OK && i < g.n; i++) {
		fwh_found_unit u = { .device = g.e[i].device, .also = g.e[i].also,
		                     .info = &g.e[i].info };
		found(user, &u);
	}
	free(g.e);
	return e;
}

fws_err fwh_enumerate_grouped(fwh_unit_found_cb found, void *user, fwh_error *err)
{
	return fwh_enumerate_grouped_all(found, NULL, user, err);
}

typedef struct plain_ctx {
	fwh_found_cb found;
	void *user;
} plain_ctx;

static void plain(void *user, const fwh_found_unit *u)
{
	plain_ctx *p = user;
	p->found(p->user, u->device, u->info);
}

fws_err fwh_enumerate_units(fwh_found_cb found, void *user, fwh_error *err)
{
	plain_ctx p = { .found = found, .user = user };
	return fwh_enumerate_grouped(plain, &p, err);
}
