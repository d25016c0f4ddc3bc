/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-device.c - see fwg-device.h. */
#include "fwg-config.h"

#include <string.h>

#include "fwg-i18n.h"

#include "fwg-device.h"
#include "fwg-format.h"
#include "fwseal-host/transport.h"

struct _FwgDevice {
	GObject parent_instance;
	char *id;
	fws_devinfo info;
	FwgPackage *update;
	gboolean busy;
	FwgDeviceProblem *problem;
};

G_DEFINE_FINAL_TYPE(FwgDevice, fwg_device, G_TYPE_OBJECT)

enum { PROP_0, PROP_INFO, PROP_UPDATE, PROP_BUSY, N_PROPS };
static GParamSpec *props[N_PROPS];

static void fwg_device_finalize(GObject *object)
{
	FwgDevice *self = FWG_DEVICE(object);
	g_free(self->id);
	fwg_device_problem_free(self->problem);
	g_clear_object(&self->update);
	G_OBJECT_CLASS(fwg_device_parent_class)->finalize(object);
}

static void fwg_device_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
	FwgDevice *self = FWG_DEVICE(object);
	switch (id) {
	case PROP_INFO: g_value_set_pointer(value, &self->info); break;
	case PROP_UPDATE: g_value_set_object(value, self->update); break;
	case PROP_BUSY: g_value_set_boolean(value, self->busy); break;
	default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
	}
}

static void fwg_device_class_init(FwgDeviceClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	oc->finalize = fwg_device_finalize;
	oc->get_property = fwg_device_get_property;
	props[PROP_INFO] = g_param_spec_pointer("info", NULL, NULL,
	                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	props[PROP_UPDATE] = g_param_spec_object("update", NULL, NULL, FWG_TYPE_PACKAGE,
	                                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	props[PROP_BUSY] = g_param_spec_boolean("busy", NULL, NULL, FALSE,
	                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties(oc, N_PROPS, props);
}

static void fwg_device_init(FwgDevice *self)
{
	(void)self;
}

FwgDevice *fwg_device_new(const char *device_string, const fws_devinfo *info)
{
	FwgDevice *self = g_object_new(FWG_TYPE_DEVICE, NULL);
	self->id = g_strdup(device_string);
	self->info = *info;
	return self;
}

FwgDevice *fwg_device_new_unusable(const char *device_string, const FwgDeviceProblem *problem)
{
	FwgDevice *self = g_object_new(FWG_TYPE_DEVICE, NULL);
	self->id = g_strdup(device_string);
	self->problem = fwg_device_problem_copy(problem);
	return self;
}

const FwgDeviceProblem *fwg_device_get_problem(FwgDevice *self) { return self->problem; }
const char *fwg_device_get_id(FwgDevice *self) { return self->id; }
const fws_devinfo *fwg_device_get_info(FwgDevice *self) { return &self->info; }
FwgPackage *fwg_device_get_update(FwgDevice *self) { return self->update; }
gboolean fwg_device_get_busy(FwgDevice *self) { return self->busy; }

void fwg_device_set_info(FwgDevice *self, const fws_devinfo *info)
{
	g_return_if_fail(FWG_IS_DEVICE(self));
	if (memcmp(&self->info, info, sizeof(*info)) == 0)
		return;
	self->info = *info;
	g_object_notify_by_pspec(G_OBJECT(self), props[PROP_INFO]);
}

void fwg_device_set_update(FwgDevice *self, FwgPackage *package)
{
	g_return_if_fail(FWG_IS_DEVICE(self));
	if (g_set_object(&self->update, package))
		g_object_notify_by_pspec(G_OBJECT(self), props[PROP_UPDATE]);
}

void fwg_device_set_busy(FwgDevice *self, gboolean busy)
{
	g_return_if_fail(FWG_IS_DEVICE(self));
	if (self->busy == !!busy)
		return;
	self->busy = !!busy;
	g_object_notify_by_pspec(G_OBJECT(self), props[PROP_BUSY]);
}

/* The short name of a serial device's port ("ttyUSB0", "pts/3"); the full
 * path is in the technician details. NULL for other kinds. */
static char *port_name(FwgDevice *self)
{
	if (!g_str_has_prefix(self->id, "serial:"))
		return NULL;
	g_autofree char *path = g_strdup(self->id + strlen("serial:"));
	char *at = strchr(path, '@');
	if (at)
		*at = '\0';
	if (g_str_has_prefix(path, "/dev/") && !g_str_has_prefix(path, "/dev/serial/"))
		return g_strdup(path + strlen("/dev/"));
	return g_path_get_basename(path);
}

char *fwg_device_dup_connection_label(FwgDevice *self)
{
	g_autofree char *name = port_name(self);
	if (name)
		/* Translators: %s is a serial port name such as ttyUSB0 */
		return g_strdup_printf(_("Serial port %s"), name);
	if (g_str_has_prefix(self->id, "hid"))
		return g_strdup(_("USB (HID)"));
	if (g_str_has_prefix(self->id, "usb"))
		return g_strdup(_("USB"));
	return g_strdup(self->id);
}

char *fwg_device_dup_title(FwgDevice *self)
{
	if (!self->problem)
		return g_strdup(self->info.model);
	g_autofree char *name = port_name(self);
	if (name)
		/* Translators: a device on a serial port that could not be asked
		 * what it is, e.g. "Device on serial port ttyUSB0" */
		return g_strdup_printf(_("Device on serial port %s"), name);
	return g_strdup(_("USB device"));
}

/* Where the problem device is, for the sentences below: the port's path,
 * or the USB bus path. */
static char *where(FwgDevice *self)
{
	const char *s = strchr(self->id, ':');
	g_autofree char *rest = g_strdup(s ? s + 1 : self->id);
	char *at = g_str_has_prefix(self->id, "serial:") ? strchr(rest, '@') : NULL;
	if (at)
		*at = '\0';
	return g_strdup(rest[0] == '@' ? rest + 1 : rest);
}

char *fwg_device_dup_problem_text(FwgDevice *self)
{
	const FwgDeviceProblem *p = self->problem;
	g_return_val_if_fail(p != NULL, NULL);
	g_autofree char *at = where(self);
	gboolean serial = g_str_has_prefix(self->id, "serial:");
	switch (p->fix_kind) {
	case FWH_FIX_JOIN_GROUP:
		return serial ? g_strdup_printf(_("No permission to open the serial port %s: only "
		                                  "members of the group “%s” may open it."),
		                                at, p->group)
		              : g_strdup_printf(_("No permission to open the USB device at %s: only "
		                                  "members of the group “%s” may open it."),
		                                at, p->group);
	case FWH_FIX_LOG_IN_AGAIN:
		return serial ? g_strdup_printf(_("No permission to open the serial port %s: you were "
		                                  "added to the group “%s” that may open it, but "
		                                  "this session started before that."), at, p->group)
		              : g_strdup_printf(_("No permission to open the USB device at %s: you "
		                                  "were added to the group “%s” that may open it, "
		                                  "but this session started before that."),
		                                at, p->group);
	case FWH_FIX_UDEV_RULE:
		return serial ? g_strdup_printf(_("No permission to open the serial port %s."), at)
		              : g_strdup_printf(_("No permission to open the USB device at %s."), at);
	case FWH_FIX_CLOSE_OTHER:
		return serial ? g_strdup_printf(_("The serial port %s is in use by another program."),
		                                at)
		              : g_strdup_printf(_("The USB device at %s is in use by another program."),
		                                at);
	default:
		return serial ? g_strdup_printf(_("The serial port %s could not be opened."), at)
		              : g_strdup_printf(_("The USB device at %s could not be opened."), at);
	}
}

char *fwg_device_dup_problem_fix(FwgDevice *self)
{
	const FwgDeviceProblem *p = self->problem;
	g_return_val_if_fail(p != NULL, NULL);
	switch (p->fix_kind) {
	case FWH_FIX_JOIN_GROUP:
		return g_strdup(_("Add yourself to the group with the command below, then log out and "
		                  "back in."));
	case FWH_FIX_LOG_IN_AGAIN:
		return g_strdup(_("Log out and back in."));
	case FWH_FIX_UDEV_RULE:
		return g_strdup(_("Install the udev rule that comes with this app (70-fwseal.rules), "
		                  "run the command below and plug the device in again."));
	case FWH_FIX_CLOSE_OTHER:
		return g_strdup(_("Close the program that uses it (a serial terminal, another "
		                  "firmware tool), then try again."));
	default:
		return g_strdup(_("Unplug it, plug it in again and try again."));
	}
}

char *fwg_device_describe(FwgDevice *self)
{
	const fws_devinfo *i = &self->info;
	GString *s = g_string_new(NULL);
	g_string_append_printf(s, "%-18s %s\n", "device", self->id);
	if (self->problem) {
		g_string_append_printf(s, "%-18s %s\n", "cannot open", self->problem->message);
		g_string_append_printf(s, "%-18s %s\n", "fix", self->problem->fix);
		if (self->problem->command[0])
			g_string_append_printf(s, "%-18s %s\n", "command", self->problem->command);
		return g_string_free(s, FALSE);
	}
	g_string_append_printf(s, "%-18s 0x%04x\n", "vendor id", i->vendor_id);
	g_string_append_printf(s, "%-18s 0x%04x\n", "class id", i->class_id);
	g_string_append_printf(s, "%-18s %s\n", "model", i->model);
	g_string_append_printf(s, "%-18s %u\n", "hardware revision", i->hw_rev);
	g_string_append_printf(s, "%-18s %s\n", "serial number", i->serial);
	g_string_append_printf(s, "%-18s %s\n", "component", i->component[0] ? i->component : "-");
	g_string_append_printf(s, "%-18s %s\n", "firmware version",
	                       i->fw_version[0] ? i->fw_version : "- (stub only)");
	g_string_append_printf(s, "%-18s %u\n", "security counter", i->security_counter);
	if (i->support_end > 0) {
		g_autoptr(GDateTime) d = g_date_time_new_from_unix_utc(i->support_end);
		g_autofree char *iso = d ? g_date_time_format_iso8601(d) : g_strdup("?");
		g_string_append_printf(s, "%-18s %s\n", "support end", iso);
	} else {
		g_string_append_printf(s, "%-18s -\n", "support end");
	}
	for (guint k = 0; k < i->key_count; k++) {
		g_autofree char *id = fwg_format_hex(i->keys[k].id, FWS_KEY_ID_LEN);
		g_string_append_printf(s, "%-18s %s%s\n", "trusted key", id,
		                       (i->keys[k].flags & FWS_TRUST_REVOKED) ? " (revoked)" : "");
	}
	for (guint k = 0; k < FWS_DEVINFO_SLOTS; k++) {
		const fws_devinfo_slot *sl = &i->slots[k];
		if (!sl->present)
			continue;
		g_string_append_printf(s, "slot %u             %s%s, counter %u, version %s\n", k,
		                       fws_slot_state_name(sl->state),
		                       (sl->flags & FWS_SLOT_FLAG_ACTIVE) ? " (active)" : "",
		                       sl->security_counter, sl->version[0] ? sl->version : "-");
	}
	g_string_append_printf(s, "%-18s %u\n", "max block", i->max_block);
	g_string_append_printf(s, "%-18s %u\n", "transfer size", i->xfer_size);
	g_string_append_printf(s, "%-18s %u\n", "slot size", i->slot_size);
	g_string_append_printf(s, "%-18s %s\n", "stub version", i->stub_version);
	g_string_append_printf(s, "%-18s %s\n", "boot state", fws_boot_state_name(i->boot_state));
	g_string_append_printf(s, "%-18s %s\n", "last error",
	                       i->last_error ? fws_err_name((fws_err)i->last_error) : "-");
	if (i->has_resume)
		g_string_append_printf(s, "%-18s at stream offset %u\n", "interrupted update",
		                       i->resume_offset);
	return g_string_free(s, FALSE);
}
