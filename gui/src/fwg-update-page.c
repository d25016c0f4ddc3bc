/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-update-page.c - see fwg-update-page.h. */
#include "fwg-config.h"

#include "fwg-i18n.h"

#include "fwg-format.h"
#include "fwg-update-page.h"

struct _FwgUpdatePage {
	GtkBox parent_instance;
	GtkStack *stack;
	GtkLabel *none_description;
	GtkSpinner *checking_spinner;
	GtkLabel *refused_reason;
	GtkLabel *refused_file;
	GtkLabel *ready_title;
	GtkLabel *versions_label;
	GtkWidget *security_box;
	GtkLabel *severity_label;
	GtkLabel *risks_label;
	GtkLabel *cves_label;
	GtkLabel *disruption_label;
	GtkLabel *support_label;
	GtkWidget *notes_box;
	GtkLabel *notes_label;
	GtkButton *install_button;
	GtkLabel *file_label;
	GtkWidget *countdown_box;
	GtkLabel *countdown_label;
	GtkButton *install_now_button;
	int countdown;            /* seconds shown, -1 none */
	GtkLabel *unusable_reason;
	GtkLabel *unusable_fix;
	GtkWidget *command_box;
	GtkLabel *command_label;
	GtkButton *copy_command_button;
};

G_DEFINE_FINAL_TYPE(FwgUpdatePage, fwg_update_page, GTK_TYPE_BOX)

static void fwg_update_page_dispose(GObject *object)
{
	gtk_widget_dispose_template(GTK_WIDGET(object), FWG_TYPE_UPDATE_PAGE);
	G_OBJECT_CLASS(fwg_update_page_parent_class)->dispose(object);
}

static void fwg_update_page_class_init(FwgUpdatePageClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = fwg_update_page_dispose;
	gtk_widget_class_set_template_from_resource(wc,
		"/io/github/fwseal/Fwseal/fwg-update-page.ui");
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, stack);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, none_description);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, checking_spinner);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, refused_reason);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, refused_file);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, ready_title);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, versions_label);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, security_box);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, severity_label);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, risks_label);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, cves_label);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, disruption_label);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, support_label);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, notes_box);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, notes_label);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, install_button);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, file_label);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, countdown_box);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, countdown_label);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, install_now_button);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, unusable_reason);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, unusable_fix);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, command_box);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, command_label);
	gtk_widget_class_bind_template_child(wc, FwgUpdatePage, copy_command_button);
}

static void on_copy_command(GtkButton *b, gpointer data)
{
	FwgUpdatePage *self = data;
	GdkClipboard *clip = gtk_widget_get_clipboard(GTK_WIDGET(b));
	gdk_clipboard_set_text(clip, gtk_label_get_text(self->command_label));
	gtk_button_set_label(b, _("Copied"));
}

static void fwg_update_page_init(FwgUpdatePage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->countdown = -1;
	g_signal_connect(self->copy_command_button, "clicked", G_CALLBACK(on_copy_command), self);
}

void fwg_update_page_set_countdown(FwgUpdatePage *self, int seconds)
{
	gboolean was = self->countdown >= 0;
	self->countdown = seconds < 0 ? -1 : seconds;
	gboolean on = self->countdown >= 0;
	gtk_widget_set_visible(self->countdown_box, on);
	/* One way to install at a time: Install Now while counting down. */
	gtk_widget_set_visible(GTK_WIDGET(self->install_button), !on);
	if (!on) {
		if (was && gtk_widget_has_focus(GTK_WIDGET(self->install_now_button)))
			gtk_widget_grab_focus(GTK_WIDGET(self->install_button));
		return;
	}
	g_autofree char *text = g_strdup_printf(
		g_dngettext(GETTEXT_PACKAGE, "Installs automatically in %d second",
		            "Installs automatically in %d seconds", seconds),
		seconds);
	gtk_label_set_text(self->countdown_label, text);
	if (!was) {
		/* Said once to assistive technology, not every second. */
		gtk_accessible_update_property(GTK_ACCESSIBLE(self->countdown_box),
		                               GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
	}
}

int fwg_update_page_get_countdown(FwgUpdatePage *self)
{
	return self->countdown;
}

static void show(FwgUpdatePage *self, const char *name)
{
	gtk_spinner_set_spinning(self->checking_spinner, g_str_equal(name, "checking"));
	gtk_stack_set_visible_child_name(self->stack, name);
}

void fwg_update_page_show_none(FwgUpdatePage *self, GFile *folder)
{
	g_autofree char *path = folder ? g_file_get_path(folder) : NULL;
	g_autofree char *where = path ? fwg_format_path(path) : NULL;
	g_autofree char *text = where
		? g_strdup_printf(_("Choose an update package, drop it on this window, or put it in "
		                    "the package folder %s."), where)
		: g_strdup(_("Choose an update package or drop it on this window."));
	gtk_label_set_text(self->none_description, text);
	show(self, "none");
}

void fwg_update_page_show_checking(FwgUpdatePage *self)
{
	show(self, "checking");
}

static char *file_name_of(FwgPackage *package)
{
	g_autofree char *base = g_file_get_basename(fwg_package_get_file(package));
	return g_strdup_printf(_("Package file: %s"), base);
}

void fwg_update_page_show_refused(FwgUpdatePage *self, FwgPackage *package, const GError *why)
{
	gtk_label_set_text(self->refused_reason, why ? why->message : "");
	if (package) {
		g_autofree char *file = file_name_of(package);
		gtk_label_set_text(self->refused_file, file);
	}
	gtk_widget_set_visible(GTK_WIDGET(self->refused_file), package != NULL);
	show(self, "refused");
}

static char *disruption_text(const fws_manifest *m)
{
	g_autofree char *how_long = fwg_format_duration(m->downtime_s);
	if (m->reboot)
		return g_strdup_printf(_("The device restarts at the end and does not work for %s. "
		                         "Plan the update for a time when you do not need it."),
		                       how_long);
	if (m->downtime_s > 0)
		return g_strdup_printf(_("The device does not work for %s while the update is "
		                         "installed."), how_long);
	return g_strdup(_("The device keeps working while the update is installed."));
}

void fwg_update_page_show_ready(FwgUpdatePage *self, FwgDevice *device, FwgPackage *package)
{
	const fws_manifest *m = fwg_package_get_manifest(package);
	const fws_devinfo *info = fwg_device_get_info(device);

	gtk_label_set_text(self->ready_title, m->security_update ? _("Security update available")
	                                                         : _("Update available"));
	g_autofree char *versions = NULL, *versions_a11y = NULL;
	if (info->fw_version[0]) {
		/* Translators: "Version 1.0.0 → 1.1.0" (the device's version, then the package's) */
		versions = g_strdup_printf(_("Version %s → %s"), info->fw_version, m->version);
		versions_a11y = g_strdup_printf(_("From version %s to version %s"), info->fw_version,
		                                m->version);
	} else {
		/* A device that runs only its update stub (new, or recovered). */
		versions = g_strdup_printf(_("Installs version %s"), m->version);
		versions_a11y = g_strdup(versions);
	}
	gtk_label_set_text(self->versions_label, versions);
	gtk_accessible_update_property(GTK_ACCESSIBLE(self->versions_label),
	                               GTK_ACCESSIBLE_PROPERTY_LABEL, versions_a11y, -1);

	/* EN 303 645 5.3-11: recognisably a security update, with the risks. */
	gtk_widget_set_visible(self->security_box, m->security_update);
	if (m->security_update) {
		g_autofree char *sev = g_strdup_printf(_("Severity: %s"),
		                                       fwg_format_severity(m->severity));
		gtk_label_set_text(self->severity_label, sev);
		const char *risks = fwg_package_get_risks(package);
		gtk_label_set_text(self->risks_label, risks);
		gtk_widget_set_visible(GTK_WIDGET(self->risks_label), risks[0] != '\0');
		const char *const *cves = fwg_package_get_cves(package);
		g_autoptr(GString) list = g_string_new(NULL);
		for (guint i = 0; cves[i]; i++)
			g_string_append_printf(list, "%s%s", i ? ", " : "", cves[i]);
		g_autofree char *cve_text = g_strdup_printf(_("Fixes: %s"), list->str);
		gtk_label_set_text(self->cves_label, cve_text);
		gtk_widget_set_visible(GTK_WIDGET(self->cves_label), cves[0] != NULL);
	}

	/* EN 303 645 5.3-12 and 5.3-13. */
	g_autofree char *disruption = disruption_text(m);
	gtk_label_set_text(self->disruption_label, disruption);
	g_autofree char *support = NULL;
	if (m->support_end > 0) {
		g_autofree char *date = fwg_format_date(m->support_end);
		support = g_strdup_printf(_("With this update, the %s receives security updates "
		                            "until %s."), m->model, date);
	} else {
		support = fwg_format_support_end(info->support_end, g_get_real_time() / G_USEC_PER_SEC);
	}
	gtk_label_set_text(self->support_label, support);
	const char *notes = fwg_package_get_notes(package);
	gtk_label_set_text(self->notes_label, notes);
	gtk_widget_set_visible(self->notes_box, notes[0] != '\0');

	g_autofree char *file = file_name_of(package);
	gtk_label_set_text(self->file_label, file);
	g_autofree char *a11y = g_strdup_printf(_("Install version %s on the %s"), m->version,
	                                        info->model);
	gtk_accessible_update_property(GTK_ACCESSIBLE(self->install_button),
	                               GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
	show(self, "ready");
}

void fwg_update_page_show_unusable(FwgUpdatePage *self, FwgDevice *device)
{
	const FwgDeviceProblem *p = fwg_device_get_problem(device);
	g_return_if_fail(p != NULL);
	g_autofree char *text = fwg_device_dup_problem_text(device);
	g_autofree char *fix = fwg_device_dup_problem_fix(device);
	gtk_label_set_text(self->unusable_reason, text);
	gtk_label_set_text(self->unusable_fix, fix);
	gtk_label_set_text(self->command_label, p->command);
	gtk_widget_set_visible(self->command_box, p->command[0] != '\0');
	gtk_button_set_label(self->copy_command_button, _("_Copy Command"));
	g_autofree char *a11y = g_strdup_printf(_("Copy the command %s"), p->command);
	gtk_accessible_update_property(GTK_ACCESSIBLE(self->copy_command_button),
	                               GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
	show(self, "unusable");
}

const char *fwg_update_page_get_state(FwgUpdatePage *self)
{
	return gtk_stack_get_visible_child_name(self->stack);
}
