/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-progress-page.c - see fwg-progress-page.h. */
#include "fwg-config.h"

#include "fwg-i18n.h"

#include "fwg-format.h"
#include "fwg-progress-page.h"

struct _FwgProgressPage {
	GtkBox parent_instance;
	FwgInstaller *installer;
	gboolean cancelling;
	GtkLabel *title_label;
	GtkLabel *subtitle_label;
	GtkProgressBar *progress_bar;
	GtkLabel *step_label;
	GtkLabel *time_left_label;
	GtkWidget *unplug_box;
	GtkButton *cancel_button;
	GtkLabel *cancel_hint;
};

G_DEFINE_FINAL_TYPE(FwgProgressPage, fwg_progress_page, GTK_TYPE_BOX)

static const char *step_text(FwgStep step)
{
	switch (step) {
	case FWG_STEP_PREPARE: return _("Getting the device ready…");
	case FWG_STEP_SEND: return _("Sending the update to the device…");
	case FWG_STEP_CHECK: return _("The device is checking and installing the update…");
	case FWG_STEP_RESTART: return _("The device is restarting…");
	case FWG_STEP_DONE: return _("Done");
	default: return "";
	}
}

static void refresh(FwgProgressPage *self)
{
	FwgInstaller *in = self->installer;
	if (!in)
		return;
	FwgStep step = fwg_installer_get_step(in);
	double fraction = fwg_installer_get_fraction(in);
	gtk_progress_bar_set_fraction(self->progress_bar, fraction);
	g_autofree char *pct = g_strdup_printf(_("%d %%"), (int)(fraction * 100.0));
	gtk_progress_bar_set_text(self->progress_bar, pct);
	gtk_label_set_text(self->step_label, self->cancelling ? _("Stopping safely…")
	                                                      : step_text(step));
	if (step == FWG_STEP_SEND) {
		g_autofree char *left = fwg_format_time_left(fwg_installer_get_eta(in));
		gtk_label_set_text(self->time_left_label, left);
	} else {
		gtk_label_set_text(self->time_left_label, "");
	}
	gtk_widget_set_visible(self->unplug_box, fwg_installer_get_keep_plugged(in));
	gboolean can_cancel = fwg_installer_get_can_cancel(in) && !self->cancelling;
	gtk_widget_set_sensitive(GTK_WIDGET(self->cancel_button), can_cancel);
	if (self->cancelling)
		gtk_label_set_text(self->cancel_hint, _("The update stops at the next safe point. "
		                                        "The device keeps its current firmware."));
	else if (can_cancel)
		gtk_label_set_text(self->cancel_hint, _("Cancelling now is safe: the device keeps "
		                                        "its current firmware."));
	else
		gtk_label_set_text(self->cancel_hint, _("The device is installing the update and "
		                                        "can no longer be stopped. This takes only a "
		                                        "moment."));
}

static void on_progress(FwgInstaller *in, gpointer data)
{
	(void)in;
	refresh(FWG_PROGRESS_PAGE(data));
}

void fwg_progress_page_set_installer(FwgProgressPage *self, FwgInstaller *installer)
{
	if (self->installer)
		g_signal_handlers_disconnect_by_data(self->installer, self);
	g_set_object(&self->installer, installer);
	self->cancelling = FALSE;
	if (!installer)
		return;
	g_signal_connect(installer, "progress", G_CALLBACK(on_progress), self);
	FwgDevice *dev = fwg_installer_get_device(installer);
	FwgPackage *pkg = fwg_installer_get_package(installer);
	const fws_manifest *m = fwg_package_get_manifest(pkg);
	gtk_label_set_text(self->title_label, m->security_update ? _("Installing Security Update")
	                                                         : _("Installing Update"));
	/* Translators: "Version 1.1.0 on the Acme Sensor (serial number 123)" */
	g_autofree char *sub = g_strdup_printf(_("Version %s on the %s (serial number %s)"),
	                                       m->version, fwg_device_get_info(dev)->model,
	                                       fwg_device_get_info(dev)->serial);
	gtk_label_set_text(self->subtitle_label, sub);
	refresh(self);
}

void fwg_progress_page_set_cancelling(FwgProgressPage *self)
{
	self->cancelling = TRUE;
	refresh(self);
}

static void fwg_progress_page_dispose(GObject *object)
{
	FwgProgressPage *self = FWG_PROGRESS_PAGE(object);
	fwg_progress_page_set_installer(self, NULL);
	gtk_widget_dispose_template(GTK_WIDGET(object), FWG_TYPE_PROGRESS_PAGE);
	G_OBJECT_CLASS(fwg_progress_page_parent_class)->dispose(object);
}

static void fwg_progress_page_class_init(FwgProgressPageClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = fwg_progress_page_dispose;
	gtk_widget_class_set_template_from_resource(wc,
		"/io/github/fwseal/Fwseal/fwg-progress-page.ui");
	gtk_widget_class_bind_template_child(wc, FwgProgressPage, title_label);
	gtk_widget_class_bind_template_child(wc, FwgProgressPage, subtitle_label);
	gtk_widget_class_bind_template_child(wc, FwgProgressPage, progress_bar);
	gtk_widget_class_bind_template_child(wc, FwgProgressPage, step_label);
	gtk_widget_class_bind_template_child(wc, FwgProgressPage, time_left_label);
	gtk_widget_class_bind_template_child(wc, FwgProgressPage, unplug_box);
	gtk_widget_class_bind_template_child(wc, FwgProgressPage, cancel_button);
	gtk_widget_class_bind_template_child(wc, FwgProgressPage, cancel_hint);
}

static void fwg_progress_page_init(FwgProgressPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}
