/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-device-row.c - see fwg-device-row.h. */
#include "fwg-config.h"

#include "fwg-i18n.h"

#include "fwg-device-row.h"
#include "fwg-format.h"
#include "fwseal-host/transport.h"

struct _FwgDeviceRow {
	GtkListBoxRow parent_instance;
	FwgDevice *device;
	GtkImage *icon;
	GtkLabel *model_label;
	GtkLabel *identity_label;
	GtkLabel *version_label;
	GtkLabel *support_label;
	GtkLabel *status_label;
};

G_DEFINE_FINAL_TYPE(FwgDeviceRow, fwg_device_row, GTK_TYPE_LIST_BOX_ROW)

/* A device that could not be opened: where it is, why, what fixes it. */
static void refresh_unusable(FwgDeviceRow *self, const FwgDeviceProblem *problem)
{
	g_autofree char *title = fwg_device_dup_title(self->device);
	gtk_label_set_text(self->model_label, title);
	/* The row says it short; the page below says why and the fix. */
	const char *why = problem->why == FWH_UNUSABLE_PERMISSION ? _("No permission to open it")
	                  : problem->why == FWH_UNUSABLE_BUSY     ? _("In use by another program")
	                                                          : _("It could not be opened");
	gtk_label_set_text(self->identity_label, "");
	gtk_label_set_text(self->version_label, why);
	gtk_widget_set_visible(GTK_WIDGET(self->identity_label), FALSE);
	gtk_widget_set_visible(GTK_WIDGET(self->support_label), FALSE);
	gtk_label_set_text(self->status_label, _("Cannot open"));
	gtk_widget_remove_css_class(GTK_WIDGET(self->status_label), "accent");
	gtk_widget_remove_css_class(GTK_WIDGET(self->status_label), "dim-label");
	gtk_widget_add_css_class(GTK_WIDGET(self->status_label), "error");
	gtk_image_set_from_icon_name(self->icon, "dialog-warning-symbolic");
	g_autofree char *text = fwg_device_dup_problem_text(self->device);
	g_autofree char *fix = fwg_device_dup_problem_fix(self->device);
	g_autofree char *a11y = g_strdup_printf("%s, %s. %s %s", title, _("Cannot open"), text,
	                                        fix);
	gtk_accessible_update_property(GTK_ACCESSIBLE(self), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
}

static void refresh(FwgDeviceRow *self)
{
	const FwgDeviceProblem *problem = fwg_device_get_problem(self->device);
	if (problem) {
		refresh_unusable(self, problem);
		return;
	}
	gtk_widget_set_visible(GTK_WIDGET(self->identity_label), TRUE);
	gtk_widget_set_visible(GTK_WIDGET(self->support_label), TRUE);
	const fws_devinfo *info = fwg_device_get_info(self->device);
	FwgPackage *update = fwg_device_get_update(self->device);
	g_autofree char *conn = fwg_device_dup_connection_label(self->device);
	/* Translators: model designation of a device (EN 303 645 5.3-16) */
	gtk_label_set_text(self->model_label, info->model);
	/* Translators: "Serial number SN123 · Serial port /dev/ttyUSB0" */
	g_autofree char *identity = g_strdup_printf(_("Serial number %s · %s"), info->serial, conn);
	gtk_label_set_text(self->identity_label, identity);
	g_autofree char *version = info->fw_version[0]
		? g_strdup_printf(_("Version %s"), info->fw_version)
		: g_strdup(_("No firmware installed yet"));
	gtk_label_set_text(self->version_label, version);
	g_autofree char *support = fwg_format_support_end(info->support_end,
	                                                  g_get_real_time() / G_USEC_PER_SEC);
	gtk_label_set_text(self->support_label, support);
	gboolean ended = info->support_end > 0 &&
	                 info->support_end < g_get_real_time() / G_USEC_PER_SEC;
	if (ended)
		gtk_widget_add_css_class(GTK_WIDGET(self->support_label), "warning");
	else
		gtk_widget_remove_css_class(GTK_WIDGET(self->support_label), "warning");

	const char *status;
	if (fwg_device_get_busy(self->device))
		status = _("Updating");
	else if (update && fwg_package_get_manifest(update)->security_update)
		status = _("Security update");
	else if (update)
		status = _("Update available");
	else
		status = _("No update found");
	gtk_label_set_text(self->status_label, status);
	gtk_widget_remove_css_class(GTK_WIDGET(self->status_label), "accent");
	gtk_widget_remove_css_class(GTK_WIDGET(self->status_label), "error");
	gtk_widget_remove_css_class(GTK_WIDGET(self->status_label), "dim-label");
	if (update && fwg_package_get_manifest(update)->security_update)
		gtk_widget_add_css_class(GTK_WIDGET(self->status_label), "error");
	else if (update)
		gtk_widget_add_css_class(GTK_WIDGET(self->status_label), "accent");
	else
		gtk_widget_add_css_class(GTK_WIDGET(self->status_label), "dim-label");

	gtk_image_set_from_icon_name(self->icon, g_str_has_prefix(fwg_device_get_id(self->device),
	                                                          "serial:")
	                                         ? "network-wired-symbolic"
	                                         : "drive-harddisk-usb-symbolic");
	g_autofree char *a11y = g_strdup_printf("%s, %s, %s, %s. %s", info->model, identity,
	                                        version, status, support);
	gtk_accessible_update_property(GTK_ACCESSIBLE(self), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
}

static void on_changed(GObject *obj, GParamSpec *pspec, gpointer data)
{
	(void)obj;
	(void)pspec;
	refresh(FWG_DEVICE_ROW(data));
}

static void fwg_device_row_dispose(GObject *object)
{
	FwgDeviceRow *self = FWG_DEVICE_ROW(object);
	if (self->device)
		g_signal_handlers_disconnect_by_data(self->device, self);
	g_clear_object(&self->device);
	gtk_widget_dispose_template(GTK_WIDGET(self), FWG_TYPE_DEVICE_ROW);
	G_OBJECT_CLASS(fwg_device_row_parent_class)->dispose(object);
}

static void fwg_device_row_class_init(FwgDeviceRowClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = fwg_device_row_dispose;
	gtk_widget_class_set_template_from_resource(wc, "/io/github/fwseal/Fwseal/fwg-device-row.ui");
	gtk_widget_class_bind_template_child(wc, FwgDeviceRow, icon);
	gtk_widget_class_bind_template_child(wc, FwgDeviceRow, model_label);
	gtk_widget_class_bind_template_child(wc, FwgDeviceRow, identity_label);
	gtk_widget_class_bind_template_child(wc, FwgDeviceRow, version_label);
	gtk_widget_class_bind_template_child(wc, FwgDeviceRow, support_label);
	gtk_widget_class_bind_template_child(wc, FwgDeviceRow, status_label);
}

static void fwg_device_row_init(FwgDeviceRow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

GtkWidget *fwg_device_row_new(FwgDevice *device)
{
	FwgDeviceRow *self = g_object_new(FWG_TYPE_DEVICE_ROW, NULL);
	self->device = g_object_ref(device);
	g_signal_connect(device, "notify::info", G_CALLBACK(on_changed), self);
	g_signal_connect(device, "notify::update", G_CALLBACK(on_changed), self);
	g_signal_connect(device, "notify::busy", G_CALLBACK(on_changed), self);
	refresh(self);
	return GTK_WIDGET(self);
}

FwgDevice *fwg_device_row_get_device(FwgDeviceRow *self)
{
	return self->device;
}
