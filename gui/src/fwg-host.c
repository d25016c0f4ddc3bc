/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-host.c - see fwg-host.h. */
#include "fwg-config.h"

#include "fwg-i18n.h"

#include "fwg-host.h"
#include "fwg-package.h"
#include "fwseal-host/package.h"
#include "fwseal-host/transport.h"
#include "fwseal-host/units.h"

FwgDeviceProblem *fwg_device_problem_copy(const FwgDeviceProblem *p)
{
	if (!p)
		return NULL;
	FwgDeviceProblem *c = g_new0(FwgDeviceProblem, 1);
	c->why = p->why;
	c->fix_kind = p->fix_kind;
	c->group = g_strdup(p->group);
	c->message = g_strdup(p->message);
	c->fix = g_strdup(p->fix);
	c->command = g_strdup(p->command);
	return c;
}

void fwg_device_problem_free(FwgDeviceProblem *p)
{
	if (!p)
		return;
	g_free(p->message);
	g_free(p->group);
	g_free(p->fix);
	g_free(p->command);
	g_free(p);
}

void fwg_found_device_free(FwgFoundDevice *d)
{
	if (!d)
		return;
	g_free(d->id);
	fwg_device_problem_free(d->problem);
	g_free(d);
}

static void set_from_fwh(GError **error, const fwh_error *err)
{
	g_set_error_literal(error, FWG_ERROR, err->code,
	                    err->msg[0] ? err->msg : fws_err_describe(err->code));
}

static void on_found(void *user, const fwh_found_unit *u)
{
	GPtrArray *out = user;
	FwgFoundDevice *d = g_new0(FwgFoundDevice, 1);
	d->id = g_strdup(u->device);
	d->info = *u->info;
	g_ptr_array_add(out, d);
}

static void on_unusable(void *user, const fwh_unusable *u)
{
	GPtrArray *out = user;
	FwgFoundDevice *d = g_new0(FwgFoundDevice, 1);
	d->id = g_strdup(u->device);
	d->problem = g_new0(FwgDeviceProblem, 1);
	d->problem->why = (int)u->why;
	d->problem->fix_kind = (int)u->fix_kind;
	d->problem->group = g_strdup(u->group);
	d->problem->message = g_strdup(u->message);
	d->problem->fix = g_strdup(u->fix);
	d->problem->command = g_strdup(u->command);
	g_ptr_array_add(out, d);
}

GPtrArray *fwg_host_enumerate(GError **error)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(
		(GDestroyNotify)fwg_found_device_free);
	fwh_error err = {0};
	/* one row per unit: a USB device's DFU and HID interfaces are one device */
	if (fwh_enumerate_grouped_all(on_found, on_unusable, out, &err) != FWS_OK) {
		set_from_fwh(error, &err);
		return NULL;
	}
	return g_steal_pointer(&out);
}

gboolean fwg_host_load_trust(const char *path, fws_trust *out, char **used_path,
                             GError **error)
{
	char buf[4096];
	if (!path || !*path)
		path = fwh_trust_default_path(buf, sizeof(buf));
	if (!path) {
		g_set_error_literal(error, FWG_ERROR, FWS_E_TRUST_STORE,
		                    _("No list of trusted signing keys is installed, so packages "
		                      "cannot be checked. Choose one in Preferences or ask your "
		                      "technician."));
		return FALSE;
	}
	fwh_error err = {0};
	if (fwh_trust_load(path, out, &err) != FWS_OK) {
		set_from_fwh(error, &err);
		return FALSE;
	}
	if (used_path)
		*used_path = g_strdup(path);
	return TRUE;
}
