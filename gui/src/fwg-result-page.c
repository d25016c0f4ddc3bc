/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-result-page.c - see fwg-result-page.h. */
#include "fwg-config.h"

#include <adwaita.h>
#include "fwg-i18n.h"

#include "fwg-format.h"
#include "fwg-result-page.h"

struct _FwgResultPage {
	GtkBox parent_instance;
	AdwStatusPage *status;
	GtkLabel *next_label;
	GtkButton *retry_button;
	GtkButton *done_button;
	GtkButton *details_button;
	/* the failure shown, to describe it again when the device comes and goes */
	gboolean failed;
	gboolean present;
	gboolean restarting;
	gboolean resumable;
	gboolean changed_on_host;
	int code;           /* fws_err */
	char *old_version;
};

G_DEFINE_FINAL_TYPE(FwgResultPage, fwg_result_page, GTK_TYPE_BOX)

static void fwg_result_page_finalize(GObject *object)
{
	FwgResultPage *self = FWG_RESULT_PAGE(object);
	g_free(self->old_version);
	G_OBJECT_CLASS(fwg_result_page_parent_class)->finalize(object);
}

static void fwg_result_page_dispose(GObject *object)
{
	gtk_widget_dispose_template(GTK_WIDGET(object), FWG_TYPE_RESULT_PAGE);
	G_OBJECT_CLASS(fwg_result_page_parent_class)->dispose(object);
}

static void fwg_result_page_class_init(FwgResultPageClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = fwg_result_page_dispose;
	G_OBJECT_CLASS(klass)->finalize = fwg_result_page_finalize;
	gtk_widget_class_set_template_from_resource(wc,
		"/io/github/fwseal/Fwseal/fwg-result-page.ui");
	gtk_widget_class_bind_template_child(wc, FwgResultPage, status);
	gtk_widget_class_bind_template_child(wc, FwgResultPage, next_label);
	gtk_widget_class_bind_template_child(wc, FwgResultPage, retry_button);
	gtk_widget_class_bind_template_child(wc, FwgResultPage, done_button);
	gtk_widget_class_bind_template_child(wc, FwgResultPage, details_button);
}

static void fwg_result_page_init(FwgResultPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

static void set_style(FwgResultPage *self, const char *style)
{
	static const char *const all[] = {"result-success", "result-failure", "result-stopped"};
	for (guint i = 0; i < G_N_ELEMENTS(all); i++)
		gtk_widget_remove_css_class(GTK_WIDGET(self->status), all[i]);
	gtk_widget_add_css_class(GTK_WIDGET(self->status), style);
}

void fwg_result_page_show_success(FwgResultPage *self, FwgInstaller *installer)
{
	const fws_devinfo *after = fwg_installer_get_after(installer);
	FwgDevice *dev = fwg_installer_get_device(installer);
	self->failed = FALSE;
	set_style(self, "result-success");
	const char *model = after->model[0] ? after->model : fwg_device_get_info(dev)->model;
	const char *version = after->fw_version[0]
		? after->fw_version
		: fwg_package_get_manifest(fwg_installer_get_package(installer))->version;
	const char *old = fwg_format_version(fwg_installer_get_before(installer)->fw_version);
	gboolean confirmed = fwg_installer_get_confirmed(installer);
	const fws_manifest *m = fwg_package_get_manifest(fwg_installer_get_package(installer));
	g_autofree char *desc = NULL, *next = NULL;
	if (m->kind == FWS_KIND_TRUST) {
		/* a security key update is in force once the device reports it */
		adw_status_page_set_icon_name(self->status, "fwg-success-symbolic");
		adw_status_page_set_title(self->status, _("Update Installed"));
		desc = g_strdup_printf(_("The %s now recognises updates by its new security keys (key "
		                         "list %u)."), model, (unsigned)after->trust_version);
	} else if (confirmed) {
		adw_status_page_set_icon_name(self->status, "fwg-success-symbolic");
		adw_status_page_set_title(self->status, _("Update Installed"));
		desc = g_strdup_printf(_("The %s now runs version %s."), model, version);
	} else {
		/* The image runs on trial (EN 303 645 5.3-2: never left
		 * unbootable); say what that means rather than "done". */
		set_style(self, "result-stopped");
		adw_status_page_set_icon_name(self->status, "dialog-warning-symbolic");
		adw_status_page_set_title(self->status, _("Installed, Not Yet Confirmed"));
		desc = g_strdup_printf(_("The %s runs version %s, but the new firmware has not "
		                         "confirmed that it works. If it does not, the device goes "
		                         "back to version %s by itself when it restarts next."),
		                       model, version, old);
	}
	/* The description is Pango markup; the text may carry a device's or a
	 * file's name. */
	g_autofree char *desc_markup = g_markup_escape_text(desc, -1);
	adw_status_page_set_description(self->status, desc_markup);
	if (!confirmed) {
		next = g_strdup(_("Leave the device connected and switched on for a few minutes, "
		                  "then check its version again. If it went back, send the "
		                  "technician details to the maker of the device."));
	} else if (after->support_end > 0) {
		g_autofree char *date = fwg_format_date(after->support_end);
		next = g_strdup_printf(_("You can unplug the device now. It receives security "
		                         "updates until %s."), date);
	} else {
		next = g_strdup(_("You can unplug the device now."));
	}
	gtk_label_set_text(self->next_label, next);
	gtk_widget_set_visible(GTK_WIDGET(self->retry_button), FALSE);
	gtk_widget_add_css_class(GTK_WIDGET(self->done_button), "suggested-action");
	gtk_widget_grab_focus(GTK_WIDGET(self->done_button));
}

/* How a failed update is described depends on whether its device is
 * connected right now: the page follows unplugging and plugging back in. */
static void render_failure(FwgResultPage *self)
{
	const char *old = fwg_format_version(self->old_version);
	const char *title, *retry, *icon = "dialog-error-symbolic";
	g_autofree char *desc = NULL, *next = NULL;
	gboolean present = self->present;

	switch (self->code) {
	case FWS_E_CANCELLED:
		set_style(self, "result-stopped");
		icon = "process-stop-symbolic";
		title = _("Update Cancelled");
		desc = g_strdup_printf(_("You stopped the update. The device still runs version %s "
		                         "and works as before."), old);
		next = present ? g_strdup(_("You can install the update later; it continues where "
		                            "it stopped."))
		               : g_strdup(_("Plug the device in to continue the update later; it "
		                            "continues where it stopped."));
		retry = _("_Continue Update");
		break;
	case FWS_E_DISCONNECTED:
		set_style(self, "result-failure");
		if (self->restarting) {
			/* Lost while it restarted: the new version may already run. */
			title = present ? _("The Device Is Connected Again")
			                : _("The Device Was Disconnected");
			desc = g_strdup(_("The connection to the device was lost while it restarted. "
			                  "It starts normally, with the new version or, if that did "
			                  "not check out, with the previous one."));
		} else if (present) {
			icon = "view-refresh-symbolic";
			title = _("The Device Is Connected Again");
			desc = g_strdup_printf(_("The update stopped before it finished. The device "
			                         "still has version %s and will start normally."), old);
		} else {
			title = _("The Device Was Disconnected");
			desc = g_strdup_printf(_("The connection to the device was lost before the "
			                         "update finished. The device still has version %s "
			                         "and will start normally."), old);
		}
		next = present ? g_strdup(_("Choose Resume Update: the update continues where it "
		                            "stopped."))
		               : g_strdup(_("Check the cable and plug the device back in, then "
		                            "choose Resume Update. The update continues where it "
		                            "stopped."));
		retry = _("_Resume Update");
		break;
	case FWS_E_TIMEOUT:
	case FWS_E_IO:
		/* The port was still there: not a cable pull. */
		set_style(self, "result-failure");
		title = _("The Device Stopped Answering");
		if (self->restarting)
			desc = g_strdup(_("The device did not answer after it restarted. It starts "
			                  "normally, with the new version or, if that did not check "
			                  "out, with the previous one."));
		else
			desc = g_strdup_printf(_("The device did not answer for a while, so the update "
			                         "stopped before it finished. The device still has "
			                         "version %s and will start normally."), old);
		next = present ? g_strdup(_("Choose Resume Update: the update continues where it "
		                            "stopped. If this happens again, unplug the device, plug "
		                            "it back in and resume."))
		               : g_strdup(_("Plug the device back in, then choose Resume Update. The "
		                            "update continues where it stopped."));
		retry = _("_Resume Update");
		break;
	default:
		set_style(self, "result-failure");
		title = _("The Update Was Not Installed");
		if (self->code == FWS_E_NO_IMAGE)
			desc = g_strdup(fwg_format_failure(self->code));
		else if (self->changed_on_host)
			desc = g_strdup_printf(_("The package file changed since it was checked, so "
			                         "nothing more was sent. The device still runs version "
			                         "%s."), old);
		else
			desc = g_strdup_printf(_("%s The device still runs version %s."),
			                       fwg_format_failure(self->code), old);
		next = present ? g_strdup(_("If this happens again, open the technician details "
		                            "and send them to the maker of the device."))
		               : g_strdup(_("Plug the device in to try again. If this happens again, "
		                            "open the technician details and send them to the maker "
		                            "of the device."));
		retry = self->resumable ? _("_Resume Update") : _("_Try Again");
		break;
	}
	adw_status_page_set_icon_name(self->status, icon);
	adw_status_page_set_title(self->status, title);
	/* The description is Pango markup; the text may carry a device's or a
	 * file's name. */
	g_autofree char *desc_markup = g_markup_escape_text(desc, -1);
	adw_status_page_set_description(self->status, desc_markup);
	gtk_label_set_text(self->next_label, next);
	gtk_button_set_label(self->retry_button, retry);
}

void fwg_result_page_show_failure(FwgResultPage *self, FwgInstaller *installer,
                                  const GError *error)
{
	const fws_devinfo *before = fwg_installer_get_before(installer);
	self->failed = TRUE;
	self->present = FALSE;
	self->code = error->code;
	self->restarting = fwg_installer_get_step(installer) >= FWG_STEP_RESTART;
	self->resumable = fwg_installer_get_resumable(installer);
	self->changed_on_host = fwg_installer_get_changed_on_host(installer);
	g_free(self->old_version);
	self->old_version = g_strdup(before->fw_version);
	render_failure(self);
	gtk_widget_set_visible(GTK_WIDGET(self->retry_button), TRUE);
	gtk_widget_remove_css_class(GTK_WIDGET(self->done_button), "suggested-action");
	gtk_widget_grab_focus(GTK_WIDGET(self->retry_button));
}

void fwg_result_page_set_device_present(FwgResultPage *self, gboolean present)
{
	if (!self->failed || self->present == !!present)
		return;
	self->present = !!present;
	render_failure(self);
}
