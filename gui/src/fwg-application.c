/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-application.c - see fwg-application.h. */
#include "fwg-config.h"

#include "fwg-i18n.h"

#include "fwg-application.h"
#include "fwg-host.h"
#include "fwg-preferences.h"
#include "fwg-window.h"

struct _FwgApplication {
	AdwApplication parent_instance;
	GSettings *settings;
	FwgLog *log;
	FwgDeviceMonitor *monitor;
	FwgCatalog *catalog;
	fws_trust trust;
	gboolean have_trust;
	char *opt_folder;       /* --folder: overrides the setting for this run */
	char *opt_trust;        /* --trust: overrides the setting for this run */
	char *trust_in_use;     /* the trust store file actually loaded */
	GHashTable *auto_tried; /* "device\npackage sha256": installed once, not again by itself */
	guint postpone_timer;   /* fires when a postponement ends */
	AdwMessageDialog *first_run; /* the one-time choice, while it is open */
};

G_DEFINE_FINAL_TYPE(FwgApplication, fwg_application, ADW_TYPE_APPLICATION)

GSettings *fwg_application_get_settings(FwgApplication *self) { return self->settings; }
FwgLog *fwg_application_get_log(FwgApplication *self) { return self->log; }
FwgDeviceMonitor *fwg_application_get_monitor(FwgApplication *self) { return self->monitor; }
FwgCatalog *fwg_application_get_catalog(FwgApplication *self) { return self->catalog; }

const fws_trust *fwg_application_get_trust(FwgApplication *self)
{
	return self->have_trust ? &self->trust : NULL;
}

gboolean fwg_application_is_postponed(FwgApplication *self)
{
	return g_settings_get_int64(self->settings, "postpone-until") >
	       g_get_real_time() / G_USEC_PER_SEC;
}

static FwgWindow *main_window(FwgApplication *self)
{
	GtkWindow *w = gtk_application_get_active_window(GTK_APPLICATION(self));
	if (FWG_IS_WINDOW(w))
		return FWG_WINDOW(w);
	/* A dialog of ours (the first-run choice) may be the active one. */
	for (GList *l = gtk_application_get_windows(GTK_APPLICATION(self)); l; l = l->next)
		if (FWG_IS_WINDOW(l->data))
			return FWG_WINDOW(l->data);
	return NULL;
}

/* ---- automatic security updates (EN 303 645 5.3-4, 5.3-6; CRA) ---------- */

static char *tried_key(FwgDevice *device, FwgPackage *package)
{
	return g_strconcat(fwg_device_get_id(device), "\n", fwg_package_get_sha256(package), NULL);
}

guint fwg_application_get_auto_delay(FwgApplication *self)
{
	return g_settings_get_uint(self->settings, "auto-install-delay");
}

gboolean fwg_application_auto_install_allowed(FwgApplication *self, FwgDevice *device,
                                              FwgPackage *package)
{
	if (!device || !package || !fwg_package_get_manifest(package)->security_update)
		return FALSE; /* a feature-only update always waits for a click */
	if (!g_settings_get_boolean(self->settings, "auto-install-security") ||
	    !g_settings_get_boolean(self->settings, "first-run-done") ||
	    fwg_application_is_postponed(self))
		return FALSE;
	g_autofree char *key = tried_key(device, package);
	return !g_hash_table_contains(self->auto_tried, key);
}

void fwg_application_note_install(FwgApplication *self, FwgDevice *device, FwgPackage *package)
{
	/* Once a package was installed on a device (by itself or by a click,
	 * whatever the outcome), a failure or a cancel is never followed by
	 * another automatic attempt: Resume / Try Again are the user's. */
	g_hash_table_add(self->auto_tried, tried_key(device, package));
}

void fwg_application_postpone(FwgApplication *self)
{
	gint64 until = g_get_real_time() / G_USEC_PER_SEC + FWG_POSTPONE_SECONDS;
	g_settings_set_int64(self->settings, "postpone-until", until);
}

static void auto_state_changed(FwgApplication *self);

static gboolean on_postpone_over(gpointer data)
{
	FwgApplication *self = data;
	self->postpone_timer = 0;
	if (fwg_application_is_postponed(self)) {
		auto_state_changed(self); /* woke early: wait again */
		return G_SOURCE_REMOVE;
	}
	fwg_log_add(self->log, "automatic updates are no longer postponed");
	auto_state_changed(self);
	return G_SOURCE_REMOVE;
}

/* The window shows a countdown only while everything allows it; anything
 * that changes that (a setting, the end of a postponement) refreshes it. */
static void auto_state_changed(FwgApplication *self)
{
	g_clear_handle_id(&self->postpone_timer, g_source_remove);
	gint64 left = g_settings_get_int64(self->settings, "postpone-until") -
	              g_get_real_time() / G_USEC_PER_SEC;
	if (left > 0)
		self->postpone_timer = g_timeout_add_seconds((guint)MIN(left + 1, G_MAXUINT32 / 2),
		                                             on_postpone_over, self);
	FwgWindow *win = main_window(self);
	if (win)
		fwg_window_refresh(win);
}

/* ---- settings that need a reaction ------------------------------------ */

static void load_trust(FwgApplication *self)
{
	g_autofree char *setting = g_settings_get_string(self->settings, "trust-file");
	const char *path = self->opt_trust ? self->opt_trust : setting;
	g_autoptr(GError) error = NULL;
	g_autofree char *used = NULL;
	self->have_trust = fwg_host_load_trust(path, &self->trust, &used, &error);
	g_free(self->trust_in_use);
	self->trust_in_use = g_strdup(used);
	if (self->have_trust)
		fwg_log_add(self->log, "trust store %s: %u key(s)", used, self->trust.count);
	else
		fwg_log_add(self->log, "no trust store: %s", error->message);
	fwg_catalog_set_trust(self->catalog, fwg_application_get_trust(self));
}

static void load_folder(FwgApplication *self)
{
	g_autofree char *setting = g_settings_get_string(self->settings, "package-folder");
	const char *path = self->opt_folder ? self->opt_folder
	                   : setting[0]     ? setting
	                                    : g_get_user_special_dir(G_USER_DIRECTORY_DOWNLOAD);
	g_autoptr(GFile) folder = path ? g_file_new_for_path(path) : NULL;
	fwg_catalog_set_folder(self->catalog, folder);
}

static void check_for_updates(FwgApplication *self, const char *why)
{
	fwg_log_add(self->log, "checking for updates (%s)", why);
	fwg_catalog_refresh(self->catalog);
}

static void on_settings_changed(GSettings *s, const char *key, gpointer data)
{
	(void)s;
	FwgApplication *self = data;
	if (g_str_equal(key, "trust-file")) {
		/* Chosen in Preferences: from now on over --trust too. */
		g_clear_pointer(&self->opt_trust, g_free);
		load_trust(self);
		check_for_updates(self, "trust store changed");
	} else if (g_str_equal(key, "package-folder")) {
		g_clear_pointer(&self->opt_folder, g_free);
		load_folder(self);
		check_for_updates(self, "package folder changed");
	} else {
		g_autoptr(GVariant) v = g_settings_get_value(self->settings, key);
		g_autofree char *text = g_variant_print(v, FALSE);
		fwg_log_add(self->log, "setting %s = %s", key, text);
		if (g_str_equal(key, "auto-install-security") || g_str_equal(key, "postpone-until") ||
		    g_str_equal(key, "first-run-done") || g_str_equal(key, "auto-install-delay"))
			auto_state_changed(self);
	}
}

/* ---- update checks (EN 303 645 5.3-5) ---------------------------------- */

static void announce(FwgApplication *self, FwgDevice *device, FwgPackage *pkg)
{
	const fws_manifest *m = fwg_package_get_manifest(pkg);
	const fws_devinfo *info = fwg_device_get_info(device);
	fwg_log_add(self->log, "update for %s: %s -> %s%s", fwg_device_get_id(device),
	            info->fw_version[0] ? info->fw_version : "-", m->version,
	            m->security_update ? " (security update)" : "");
	if (!g_settings_get_boolean(self->settings, "notify") || fwg_application_is_postponed(self))
		return;
	g_autofree char *title = m->security_update
		? g_strdup_printf(_("Security update for the %s"), info->model)
		: g_strdup_printf(_("Update for the %s"), info->model);
	gboolean automatic = fwg_application_auto_install_allowed(self, device, pkg);
	guint delay = fwg_application_get_auto_delay(self);
	g_autofree char *body = automatic
		? g_strdup_printf(g_dngettext(GETTEXT_PACKAGE,
		                              "Version %s is ready. The app shows what it changes and "
		                              "installs it after a countdown of %u second, unless you "
		                              "postpone it.",
		                              "Version %s is ready. The app shows what it changes and "
		                              "installs it after a countdown of %u seconds, unless you "
		                              "postpone it.", delay),
		                  m->version, delay)
		: g_strdup_printf(_("Version %s is ready to install."), m->version);
	FwgWindow *win = main_window(self);
	/* Said once: not as a toast over the very page that shows it. */
	if (win && !fwg_window_shows_device(win, device))
		fwg_window_toast(win, title);
	/* A desktop notification needs the session bus; without one (a
	 * headless test, a bare X session) the toast is the notification. */
	if (g_application_get_dbus_connection(G_APPLICATION(self)) &&
	    !(win && gtk_window_is_active(GTK_WINDOW(win)))) {
		g_autoptr(GNotification) n = g_notification_new(title);
		g_notification_set_body(n, body);
		g_notification_set_priority(n, m->security_update ? G_NOTIFICATION_PRIORITY_HIGH
		                                                  : G_NOTIFICATION_PRIORITY_NORMAL);
		g_application_send_notification(G_APPLICATION(self), "update-available", n);
	}
}

static void match_devices(FwgApplication *self)
{
	GListModel *devices = fwg_device_monitor_get_devices(self->monitor);
	for (guint i = 0; i < g_list_model_get_n_items(devices); i++) {
		g_autoptr(FwgDevice) d = g_list_model_get_item(devices, i);
		if (fwg_device_get_busy(d) || fwg_device_get_problem(d))
			continue;
		FwgPackage *best = fwg_catalog_best_for(self->catalog, fwg_device_get_info(d));
		FwgPackage *old = fwg_device_get_update(d);
		if (best == old)
			continue;
		fwg_device_set_update(d, best);
		if (!best)
			continue;
		announce(self, d, best);
		/* EN 303 645 5.3-4: a security update may install by itself, but
		 * only from its update page, after a visible countdown. */
		FwgWindow *win = main_window(self);
		if (win && fwg_application_auto_install_allowed(self, d, best))
			fwg_window_offer_update(win, d, best);
	}
}

static void on_refreshed(FwgCatalog *c, gpointer data)
{
	(void)c;
	match_devices(FWG_APPLICATION(data));
}

static void on_folder_changed(FwgCatalog *c, gpointer data)
{
	(void)c;
	FwgApplication *self = data;
	if (g_settings_get_boolean(self->settings, "check-on-folder-change"))
		check_for_updates(self, "package folder changed");
	else
		fwg_log_add(self->log, "package folder changed; not checking (turned off)");
}

static void on_device_added(FwgDeviceMonitor *m, FwgDevice *device, gpointer data)
{
	(void)m;
	(void)device;
	FwgApplication *self = data;
	if (g_settings_get_boolean(self->settings, "check-on-connect"))
		check_for_updates(self, "device connected");
	else
		fwg_log_add(self->log, "device connected; not checking (turned off)");
}

static void on_device_info(GObject *obj, GParamSpec *pspec, gpointer data)
{
	(void)obj;
	(void)pspec;
	/* A device that changed version (after an update) may need another
	 * package, or none. */
	match_devices(FWG_APPLICATION(data));
}

static void on_devices_changed(GListModel *model, guint pos, guint removed, guint added,
                               gpointer data)
{
	(void)removed;
	for (guint i = pos; i < pos + added; i++) {
		g_autoptr(GObject) d = g_list_model_get_item(model, i);
		g_signal_connect_object(d, "notify::info", G_CALLBACK(on_device_info), data, 0);
	}
}

/* ---- actions ----------------------------------------------------------- */

static void on_quit(GSimpleAction *a, GVariant *p, gpointer data)
{
	(void)a;
	(void)p;
	FwgApplication *self = data;
	FwgWindow *win = main_window(self);
	if (win)
		gtk_window_close(GTK_WINDOW(win)); /* the window asks while updating */
	else
		g_application_quit(G_APPLICATION(self));
}

static void on_preferences(GSimpleAction *a, GVariant *p, gpointer data)
{
	(void)a;
	(void)p;
	FwgApplication *self = data;
	GFile *folder = fwg_catalog_get_folder(self->catalog);
	g_autofree char *folder_path = folder ? g_file_get_path(folder) : NULL;
	GtkWidget *prefs = fwg_preferences_new(GTK_WINDOW(main_window(self)), self->settings,
	                                       folder_path, self->trust_in_use);
	gtk_window_present(GTK_WINDOW(prefs));
}

static void on_about(GSimpleAction *a, GVariant *p, gpointer data)
{
	(void)a;
	(void)p;
	FwgApplication *self = data;
	static const char *developers[] = {"The fwseal developers", NULL};
	GtkWidget *about = adw_about_window_new();
	g_object_set(about, "transient-for", main_window(self), "application-name",
	             _("Firmware Updater"), "application-icon", FWG_APP_ID, "version",
	             FWG_VERSION, "developer-name", _("The fwseal developers"), "developers",
	             developers, "license-type", GTK_LICENSE_APACHE_2_0, "comments",
	             _("Installs signed firmware updates on devices connected by USB or serial "
	               "cable, without a network."),
	             "translator-credits", _("translator-credits"), NULL);
	gtk_window_present(GTK_WINDOW(about));
}

static const GActionEntry app_actions[] = {
	{.name = "quit", .activate = on_quit},
	{.name = "preferences", .activate = on_preferences},
	{.name = "about", .activate = on_about},
};

/* ---- life cycle -------------------------------------------------------- */

static GSettings *open_settings(void)
{
	GSettingsSchemaSource *def = g_settings_schema_source_get_default();
	g_autoptr(GSettingsSchema) schema =
		def ? g_settings_schema_source_lookup(def, FWG_APP_ID, TRUE) : NULL;
	if (schema)
		return g_settings_new_full(schema, NULL, NULL);
	/* Running from the build tree: use the schema compiled there. */
	g_autoptr(GSettingsSchemaSource) build = g_settings_schema_source_new_from_directory(
		FWG_BUILD_SCHEMA_DIR, def, FALSE, NULL);
	g_autoptr(GSettingsSchema) s2 =
		build ? g_settings_schema_source_lookup(build, FWG_APP_ID, FALSE) : NULL;
	if (s2)
		return g_settings_new_full(s2, NULL, NULL);
	return NULL;
}

static void fwg_application_startup(GApplication *app)
{
	FwgApplication *self = FWG_APPLICATION(app);
	G_APPLICATION_CLASS(fwg_application_parent_class)->startup(app);

	self->settings = open_settings();
	if (!self->settings) {
		g_printerr("%s\n", _("The settings schema io.github.fwseal.Fwseal is not installed. "
		                     "Run “meson install”, or set GSETTINGS_SCHEMA_DIR to the folder "
		                     "with the compiled schema."));
		g_application_quit(app);
		return;
	}
	self->log = fwg_log_new();
	fwg_log_add(self->log, "fwseal-gui %s started", FWG_VERSION);
	self->monitor = fwg_device_monitor_new(self->log);
	self->catalog = fwg_catalog_new(self->log);

	g_action_map_add_action_entries(G_ACTION_MAP(app), app_actions, G_N_ELEMENTS(app_actions),
	                                app);
	static const char *quit_accels[] = {"<Control>q", NULL};
	static const char *prefs_accels[] = {"<Control>comma", NULL};
	static const char *open_accels[] = {"<Control>o", NULL};
	static const char *details_accels[] = {"<Control>d", NULL};
	static const char *install_accels[] = {"<Control>Return", NULL};
	static const char *cancel_accels[] = {"Escape", NULL};
	gtk_application_set_accels_for_action(GTK_APPLICATION(app), "app.quit", quit_accels);
	gtk_application_set_accels_for_action(GTK_APPLICATION(app), "app.preferences",
	                                      prefs_accels);
	gtk_application_set_accels_for_action(GTK_APPLICATION(app), "win.open", open_accels);
	gtk_application_set_accels_for_action(GTK_APPLICATION(app), "win.details", details_accels);
	gtk_application_set_accels_for_action(GTK_APPLICATION(app), "win.install", install_accels);
	gtk_application_set_accels_for_action(GTK_APPLICATION(app), "win.cancel", cancel_accels);

	load_trust(self);
	load_folder(self);
	g_signal_connect(self->settings, "changed", G_CALLBACK(on_settings_changed), self);
	g_signal_connect(self->catalog, "refreshed", G_CALLBACK(on_refreshed), self);
	g_signal_connect(self->catalog, "folder-changed", G_CALLBACK(on_folder_changed), self);
	g_signal_connect(self->monitor, "device-added", G_CALLBACK(on_device_added), self);
	g_signal_connect(fwg_device_monitor_get_devices(self->monitor), "items-changed",
	                 G_CALLBACK(on_devices_changed), self);
	auto_state_changed(self); /* a postponement from an earlier run */
	fwg_log_add(self->log, "automatic security updates: %s, countdown %u s%s",
	            g_settings_get_boolean(self->settings, "auto-install-security") ? "on" : "off",
	            fwg_application_get_auto_delay(self),
	            fwg_application_is_postponed(self) ? ", postponed" : "");
}

/* ---- the first-run choice ---------------------------------------------- */

static void on_first_run_response(AdwMessageDialog *d, const char *response, gpointer data)
{
	(void)d;
	FwgApplication *self = data;
	gboolean automatic = !g_str_equal(response, "ask");
	fwg_log_add(self->log, "first start: automatic security updates %s",
	            automatic ? "kept on" : "turned off");
	self->first_run = NULL;
	g_settings_set_boolean(self->settings, "auto-install-security", automatic);
	g_settings_set_boolean(self->settings, "first-run-done", TRUE);
}

/* Explain automatic security updates once, and let the user keep them (the
 * default) or turn them off. Until this is answered nothing installs by
 * itself; closing it keeps the default. */
static void ask_first_run(FwgApplication *self, FwgWindow *win)
{
	if (self->first_run || g_settings_get_boolean(self->settings, "first-run-done"))
		return;
	guint delay = fwg_application_get_auto_delay(self);
	g_autofree char *body = g_strdup_printf(
		g_dngettext(GETTEXT_PACKAGE,
		            "When a security update for a connected device is found, Firmware Updater "
		            "shows what it changes and installs it after %u second, unless you choose "
		            "Postpone. Updates that fix no security problem always wait for you to "
		            "install them. You can change this at any time in Preferences.",
		            "When a security update for a connected device is found, Firmware Updater "
		            "shows what it changes and installs it after %u seconds, unless you choose "
		            "Postpone. Updates that fix no security problem always wait for you to "
		            "install them. You can change this at any time in Preferences.",
		            delay),
		delay);
	GtkWidget *d = adw_message_dialog_new(GTK_WINDOW(win), _("Install Security Updates "
	                                                         "Automatically?"), body);
	adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(d), "ask", _("_Always Ask Me"),
	                                 "auto", _("_Install Automatically"), NULL);
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(d), "auto",
	                                           ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_default_response(ADW_MESSAGE_DIALOG(d), "auto");
	adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(d), "auto");
	g_signal_connect(d, "response", G_CALLBACK(on_first_run_response), self);
	self->first_run = ADW_MESSAGE_DIALOG(d);
	gtk_window_present(GTK_WINDOW(d));
}

static void fwg_application_activate(GApplication *app)
{
	FwgApplication *self = FWG_APPLICATION(app);
	if (!self->settings)
		return;
	FwgWindow *win = main_window(self);
	if (!win) {
		win = fwg_window_new(self);
		/* First look at the folder, then look for devices: a device found
		 * a moment later is matched right away. */
		fwg_catalog_refresh(self->catalog);
		fwg_device_monitor_start(self->monitor);
	}
	gtk_window_present(GTK_WINDOW(win));
	ask_first_run(self, win);
}

static void fwg_application_shutdown(GApplication *app)
{
	FwgApplication *self = FWG_APPLICATION(app);
	if (self->settings)
		g_signal_handlers_disconnect_by_data(self->settings, self);
	g_clear_handle_id(&self->postpone_timer, g_source_remove);
	/* Work still in flight (a folder scan, a package check) keeps the
	 * catalog alive past this point and reports when it ends: nothing of
	 * the app may hear it (the monitor is gone by then). */
	if (self->catalog)
		g_signal_handlers_disconnect_by_data(self->catalog, self);
	if (self->monitor) {
		g_signal_handlers_disconnect_by_data(self->monitor, self);
		g_signal_handlers_disconnect_by_data(fwg_device_monitor_get_devices(self->monitor),
		                                     self);
		fwg_device_monitor_stop(self->monitor);
	}
	g_clear_object(&self->monitor);
	g_clear_object(&self->catalog);
	G_APPLICATION_CLASS(fwg_application_parent_class)->shutdown(app);
}

static gint fwg_application_handle_local_options(GApplication *app, GVariantDict *opts)
{
	FwgApplication *self = FWG_APPLICATION(app);
	const char *folder = NULL, *trust = NULL;
	g_autofree const char **ports = NULL;
	if (g_variant_dict_lookup(opts, "version", "b", NULL)) {
		g_print("fwseal-gui %s\n", FWG_VERSION);
		return 0;
	}
	if (g_variant_dict_lookup(opts, "folder", "^&ay", &folder))
		self->opt_folder = g_canonicalize_filename(folder, NULL);
	if (g_variant_dict_lookup(opts, "trust", "^&ay", &trust))
		self->opt_trust = g_canonicalize_filename(trust, NULL);
	if (g_variant_dict_lookup(opts, "serial-port", "^a&ay", &ports) && ports) {
		/* libfwseal-host probes only the serial ports it is told about
		 * besides USB adapters (fwseal-host/transport.h); set before any
		 * thread starts. */
		const char *env = g_getenv("FWSEAL_SERIAL_PORTS");
		g_autoptr(GString) joined = g_string_new(NULL);
		for (guint i = 0; ports[i]; i++)
			g_string_append_printf(joined, "%s%s", i ? ":" : "", ports[i]);
		g_autofree char *value = env && *env ? g_strconcat(env, ":", joined->str, NULL)
		                                     : g_strdup(joined->str);
		g_setenv("FWSEAL_SERIAL_PORTS", value, TRUE);
	}
	return -1;
}

static void fwg_application_finalize(GObject *object)
{
	FwgApplication *self = FWG_APPLICATION(object);
	g_clear_object(&self->settings);
	g_clear_object(&self->log);
	g_free(self->opt_folder);
	g_free(self->opt_trust);
	g_free(self->trust_in_use);
	g_hash_table_unref(self->auto_tried);
	G_OBJECT_CLASS(fwg_application_parent_class)->finalize(object);
}

static void fwg_application_class_init(FwgApplicationClass *klass)
{
	GApplicationClass *ac = G_APPLICATION_CLASS(klass);
	G_OBJECT_CLASS(klass)->finalize = fwg_application_finalize;
	ac->startup = fwg_application_startup;
	ac->activate = fwg_application_activate;
	ac->shutdown = fwg_application_shutdown;
	ac->handle_local_options = fwg_application_handle_local_options;
}

static void fwg_application_init(FwgApplication *self)
{
	self->auto_tried = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	static const GOptionEntry entries[] = {
		{"folder", 'f', 0, G_OPTION_ARG_FILENAME, NULL,
		 N_("Watch FOLDER for update packages (instead of the configured one)"),
		 N_("FOLDER")},
		{"trust", 't', 0, G_OPTION_ARG_FILENAME, NULL,
		 N_("Check packages against the trust store FILE"), N_("FILE")},
		{"serial-port", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, NULL,
		 N_("Also look for a device on serial port PATH (repeatable)"), N_("PATH")},
		{"version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and quit"), NULL},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	g_application_add_main_option_entries(G_APPLICATION(self), entries);
}

FwgApplication *fwg_application_new(void)
{
	return g_object_new(FWG_TYPE_APPLICATION, "application-id", FWG_APP_ID, "flags",
	                    G_APPLICATION_DEFAULT_FLAGS, "resource-base-path",
	                    "/io/github/fwseal/Fwseal", NULL);
}
