/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-application.c - see fwg-application.h. */
#include "fwg-config.h"

#include "fwg-i18n.h"

#include "fwg-application.h"
#include "fwg-host.h"
#include "fwseal-host/trustchain.h"
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
	return FWG_IS_WINDOW(w) ? FWG_WINDOW(w) : NULL;
}

/* ---- settings that need a reaction ------------------------------------ */

static char *folder_path(FwgApplication *self)
{
	g_autofree char *setting = g_settings_get_string(self->settings, "package-folder");
	const char *path = self->opt_folder ? self->opt_folder
	                   : setting[0]     ? setting
	                                    : g_get_user_special_dir(G_USER_DIRECTORY_DOWNLOAD);
	return g_strdup(path);
}

/* The app's store follows the rotation (docs/trust.md): the security key
 * updates in the package folder that chain from it, each verified against
 * the store before it, advance it for this run. */
static void follow_trust(FwgApplication *self)
{
	g_autofree char *dir = folder_path(self);
	char *found[32];
	const char *paths[32];
	unsigned applied[32];
	static fwh_trust_file store;

	if (!self->have_trust || !dir)
		return;
	g_autofree char *probe = g_build_filename(dir, "x", NULL);
	unsigned n = fwh_trust_updates_near(probe, found, G_N_ELEMENTS(found));
	if (n == 0)
		return;
	memset(&store, 0, sizeof store);
	store.t = self->trust;
	store.len = fws_trust_encode(&self->trust, store.blob, sizeof store.blob);
	for (unsigned i = 0; i < n; i++)
		paths[i] = found[i];
	unsigned taken = fwh_trust_walk(&store, paths, n, applied);
	if (taken > 0) {
		fwg_log_add(self->log, "trust store advanced from version %u to %u through %u "
		            "security key update(s) in %s", (unsigned)fws_trust_version(&self->trust),
		            (unsigned)fws_trust_version(&store.t), taken, dir);
		self->trust = store.t;
	}
	for (unsigned i = 0; i < n; i++)
		free(found[i]);
}

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
	follow_trust(self);
	fwg_catalog_set_trust(self->catalog, fwg_application_get_trust(self));
}

static void load_folder(FwgApplication *self)
{
	g_autofree char *path = folder_path(self);
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
		load_trust(self); /* the updates the new folder holds */
		check_for_updates(self, "package folder changed");
	} else {
		g_autoptr(GVariant) v = g_settings_get_value(self->settings, key);
		g_autofree char *text = g_variant_print(v, FALSE);
		fwg_log_add(self->log, "setting %s = %s", key, text);
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
	g_autofree char *body = g_strdup_printf(_("Version %s is ready to install."), m->version);
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
		if (fwg_device_get_busy(d))
			continue;
		FwgPackage *best = fwg_catalog_best_for(self->catalog, fwg_device_get_info(d));
		FwgPackage *old = fwg_device_get_update(d);
		if (best == old)
			continue;
		fwg_device_set_update(d, best);
		if (!best)
			continue;
		announce(self, d, best);
		/* EN 303 645 5.3-4: install by itself when allowed. */
		FwgWindow *win = main_window(self);
		if (win && g_settings_get_boolean(self->settings, "auto-install") &&
		    !fwg_application_is_postponed(self))
			fwg_window_install_automatically(win, d, best);
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
}

static void fwg_application_shutdown(GApplication *app)
{
	FwgApplication *self = FWG_APPLICATION(app);
	if (self->settings)
		g_signal_handlers_disconnect_by_data(self->settings, self);
	if (self->monitor)
		fwg_device_monitor_stop(self->monitor);
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
