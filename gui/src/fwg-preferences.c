/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-preferences.c - see fwg-preferences.h. */
#include "fwg-config.h"

#include "fwg-i18n.h"

#include "fwg-format.h"
#include "fwg-preferences.h"

struct _FwgPreferences {
	AdwPreferencesWindow parent_instance;
	GSettings *settings;
	GtkSwitch *check_connect_switch;
	GtkSwitch *check_folder_switch;
	GtkSwitch *notify_switch;
	GtkSwitch *auto_switch;
	AdwActionRow *folder_row;
	AdwActionRow *postpone_row;
	AdwActionRow *trust_row;
	GtkButton *folder_button;
	GtkButton *postpone_button;
	GtkButton *trust_button;
	GtkFileChooserNative *chooser;
	const char *choosing;   /* the settings key the open chooser is for */
	char *folder_in_use;
	char *trust_in_use;
};

G_DEFINE_FINAL_TYPE(FwgPreferences, fwg_preferences, ADW_TYPE_PREFERENCES_WINDOW)

static gint64 now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static void refresh(FwgPreferences *self)
{
	g_autofree char *folder = g_settings_get_string(self->settings, "package-folder");
	const char *shown = self->folder_in_use ? self->folder_in_use : folder;
	g_autofree char *folder_text = shown && *shown ? fwg_format_path(shown) : NULL;
	adw_action_row_set_subtitle(self->folder_row, folder_text ? folder_text : _("None"));
	g_autofree char *trust = g_settings_get_string(self->settings, "trust-file");
	const char *tshown = self->trust_in_use ? self->trust_in_use : trust;
	g_autofree char *trust_text = tshown && *tshown ? fwg_format_path(tshown) : NULL;
	adw_action_row_set_subtitle(self->trust_row, trust_text ? trust_text : _("None installed"));

	gint64 until = g_settings_get_int64(self->settings, "postpone-until");
	gboolean postponed = until > now_s();
	if (postponed) {
		g_autoptr(GDateTime) t = g_date_time_new_from_unix_local(until);
		g_autofree char *when = g_date_time_format(t, _("%-d %B %Y, %H:%M"));
		g_autofree char *sub = g_strdup_printf(_("Postponed until %s"), when);
		adw_action_row_set_subtitle(self->postpone_row, sub);
		gtk_button_set_label(self->postpone_button, _("_Resume Now"));
		gtk_accessible_update_property(GTK_ACCESSIBLE(self->postpone_button),
		                               GTK_ACCESSIBLE_PROPERTY_LABEL,
		                               _("Resume automatic updates now"), -1);
	} else {
		adw_action_row_set_subtitle(self->postpone_row,
		                            _("Automatic installs and notifications are active"));
		gtk_button_set_label(self->postpone_button, _("_Postpone 1 Day"));
		gtk_accessible_update_property(GTK_ACCESSIBLE(self->postpone_button),
		                               GTK_ACCESSIBLE_PROPERTY_LABEL,
		                               _("Postpone automatic updates for one day"), -1);
	}
}

static void on_setting_changed(GSettings *s, const char *key, gpointer data)
{
	(void)s;
	(void)key;
	refresh(FWG_PREFERENCES(data));
}

static void on_postpone(GtkButton *b, gpointer data)
{
	(void)b;
	FwgPreferences *self = data;
	gint64 until = g_settings_get_int64(self->settings, "postpone-until");
	g_settings_set_int64(self->settings, "postpone-until",
	                     until > now_s() ? 0 : now_s() + FWG_POSTPONE_SECONDS);
}

static void on_chosen(GtkNativeDialog *d, int response, gpointer data)
{
	FwgPreferences *self = data;
	const char *key = self->choosing;
	if (response == GTK_RESPONSE_ACCEPT) {
		g_autoptr(GFile) f = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(d));
		g_autofree char *path = f ? g_file_get_path(f) : NULL;
		if (path) {
			/* What is chosen here is what is used from now on. */
			if (g_str_equal(key, "package-folder"))
				g_clear_pointer(&self->folder_in_use, g_free);
			else
				g_clear_pointer(&self->trust_in_use, g_free);
			g_settings_set_string(self->settings, key, path);
		}
	}
	g_clear_object(&self->chooser);
}

static void choose(FwgPreferences *self, const char *key, GtkFileChooserAction action,
                   const char *title)
{
	if (self->chooser)
		return;
	self->chooser = gtk_file_chooser_native_new(title, GTK_WINDOW(self), action, NULL, NULL);
	self->choosing = key;
	gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(self->chooser), TRUE);
	g_signal_connect(self->chooser, "response", G_CALLBACK(on_chosen), self);
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(self->chooser));
}

static void on_folder(GtkButton *b, gpointer data)
{
	(void)b;
	choose(FWG_PREFERENCES(data), "package-folder", GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
	       _("Choose the Package Folder"));
}

static void on_trust(GtkButton *b, gpointer data)
{
	(void)b;
	choose(FWG_PREFERENCES(data), "trust-file", GTK_FILE_CHOOSER_ACTION_OPEN,
	       _("Choose the Trust Store"));
}

static void fwg_preferences_dispose(GObject *object)
{
	FwgPreferences *self = FWG_PREFERENCES(object);
	if (self->chooser)
		gtk_native_dialog_destroy(GTK_NATIVE_DIALOG(self->chooser));
	g_clear_object(&self->chooser);
	if (self->settings)
		g_signal_handlers_disconnect_by_data(self->settings, self);
	g_clear_object(&self->settings);
	g_clear_pointer(&self->folder_in_use, g_free);
	g_clear_pointer(&self->trust_in_use, g_free);
	gtk_widget_dispose_template(GTK_WIDGET(object), FWG_TYPE_PREFERENCES);
	G_OBJECT_CLASS(fwg_preferences_parent_class)->dispose(object);
}

static void fwg_preferences_class_init(FwgPreferencesClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = fwg_preferences_dispose;
	gtk_widget_class_set_template_from_resource(wc,
		"/io/github/fwseal/Fwseal/fwg-preferences.ui");
	gtk_widget_class_bind_template_child(wc, FwgPreferences, check_connect_switch);
	gtk_widget_class_bind_template_child(wc, FwgPreferences, check_folder_switch);
	gtk_widget_class_bind_template_child(wc, FwgPreferences, notify_switch);
	gtk_widget_class_bind_template_child(wc, FwgPreferences, auto_switch);
	gtk_widget_class_bind_template_child(wc, FwgPreferences, folder_row);
	gtk_widget_class_bind_template_child(wc, FwgPreferences, postpone_row);
	gtk_widget_class_bind_template_child(wc, FwgPreferences, trust_row);
	gtk_widget_class_bind_template_child(wc, FwgPreferences, folder_button);
	gtk_widget_class_bind_template_child(wc, FwgPreferences, postpone_button);
	gtk_widget_class_bind_template_child(wc, FwgPreferences, trust_button);
}

static void fwg_preferences_init(FwgPreferences *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	g_signal_connect(self->postpone_button, "clicked", G_CALLBACK(on_postpone), self);
	g_signal_connect(self->folder_button, "clicked", G_CALLBACK(on_folder), self);
	g_signal_connect(self->trust_button, "clicked", G_CALLBACK(on_trust), self);
}

GtkWidget *fwg_preferences_new(GtkWindow *parent, GSettings *settings, const char *folder_in_use,
                               const char *trust_in_use)
{
	FwgPreferences *self = g_object_new(FWG_TYPE_PREFERENCES, "transient-for", parent,
	                                    "modal", TRUE, NULL);
	self->settings = g_object_ref(settings);
	self->folder_in_use = g_strdup(folder_in_use);
	self->trust_in_use = g_strdup(trust_in_use);
	g_settings_bind(settings, "check-on-connect", self->check_connect_switch, "active",
	                G_SETTINGS_BIND_DEFAULT);
	g_settings_bind(settings, "check-on-folder-change", self->check_folder_switch, "active",
	                G_SETTINGS_BIND_DEFAULT);
	g_settings_bind(settings, "notify", self->notify_switch, "active", G_SETTINGS_BIND_DEFAULT);
	g_settings_bind(settings, "auto-install-security", self->auto_switch, "active",
	                G_SETTINGS_BIND_DEFAULT);
	g_signal_connect(settings, "changed", G_CALLBACK(on_setting_changed), self);
	refresh(self);
	return GTK_WIDGET(self);
}
