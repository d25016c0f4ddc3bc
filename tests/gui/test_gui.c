/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_gui.c - the desktop app, in a real window under Xvfb, against the
 * simulated device over a pty: what a person sees and presses.
 *
 *   update     device found -> package appears in the watched folder ->
 *              security notice -> Install -> progress -> done -> new version
 *   refused    a tampered package, one for another model and the version
 *              already installed are refused with a sentence why; nothing
 *              is sent, the device keeps 1.0.0; unplugged, it leaves the list
 *   unplug     automatic install (default on) -> cable pulled half-way ->
 *              "disconnected" with Resume -> plugged back -> resumed -> done
 *   cancel     Cancel while sending (safe): the device keeps 1.0.0; Continue
 *              later resumes where it stopped
 *   settings   technician details (record, manifest, log, clipboard); the
 *              preferences are on by default, can be turned off and
 *              postponed, and are written to disk
 *   usb        the whole update of a new device on emulated USB (fwseal-sim
 *              --usb runs this program again inside its emulation)
 *   keys       a security key update (docs/trust.md) in the folder, with a
 *              firmware only the new key signed: the app follows the chain,
 *              offers the key update first in plain words, the same Install,
 *              then the firmware
 *   revoked    the device revoked key2 (trust version 3), the app's store
 *              (following the folder to version 2) still trusts it: a
 *              package only key2 signed is refused in its own words
 *
 * Usage: test-gui SCENARIO (one scenario per process, so a failure cannot
 * leave a half-run application behind for the next one).
 * Screenshots go to $FWG_SCREENSHOT_DIR when set (see gui/meson.build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "fwg-application.h"
#include "fwg-details-window.h"
#include "fwg-window.h"
#include "gui_fixture.h"
#include "gui_harness.h"

#define FOUND_MS   15000u  /* device scan every second, two misses to drop */
#define INSTALL_MS 60000u

static GuiFixture fx;
static const char *self_path; /* argv[0] */

typedef void (*Scenario)(FwgApplication *app, GtkWindow *win);

typedef struct {
	Scenario scenario;
	gboolean ran;
} RunCtx;

static gboolean window_ready(gpointer data)
{
	GtkWindow *w = gtk_application_get_active_window(GTK_APPLICATION(data));
	return w && gtk_widget_get_mapped(GTK_WIDGET(w));
}

static void on_activate(GApplication *app, gpointer data)
{
	RunCtx *ctx = data;
	if (ctx->ran)
		return;
	ctx->ran = TRUE;
	assert_true(gh_wait(window_ready, app, 10000));
	GtkWindow *win = gtk_application_get_active_window(GTK_APPLICATION(app));
	/* No cross-fades: what is asserted and photographed is the end state. */
	g_object_set(gtk_widget_get_settings(GTK_WIDGET(win)), "gtk-enable-animations", FALSE, NULL);
	ctx->scenario(FWG_APPLICATION(app), win);
	gtk_window_destroy(win);
}

/* Run the app as `fwseal-gui --trust T --folder F [--serial-port P]`. */
static gboolean with_serial = TRUE;

static void run_app(Scenario scenario)
{
	g_autoptr(FwgApplication) app = fwg_application_new();
	RunCtx ctx = {scenario, FALSE};
	g_signal_connect_after(app, "activate", G_CALLBACK(on_activate), &ctx);
	g_auto(GStrv) argv = g_new0(char *, 8);
	const char *args[] = {"fwseal-gui", "--trust", fx.trust, "--folder", fx.folder,
	                      "--serial-port", fx.port};
	int argc = with_serial ? 7 : 5;
	for (int i = 0; i < argc; i++)
		argv[i] = g_strdup(args[i]);
	int rc = g_application_run(G_APPLICATION(app), argc, argv);
	assert_int_equal(rc, 0);
	assert_true(ctx.ran);
}

static void settings_set(const char *key, gboolean value)
{
	/* The memory backend is shared inside the process: what is set here is
	 * what the app reads (as if the user had set it earlier). */
	g_autoptr(GSettings) s = g_settings_new("io.github.fwseal.Fwseal");
	g_settings_set_boolean(s, key, value);
}

static void expect(GtkWindow *win, const char *text, guint ms)
{
	if (gh_wait_shows(GTK_WIDGET(win), text, ms))
		return;
	g_autofree char *screen = gh_dump_text(GTK_WIDGET(win));
	fail_msg("expected \"%s\" on screen; it shows:\n%s", text, screen);
}

static void expect_not(GtkWindow *win, const char *text)
{
	if (!gh_shows(GTK_WIDGET(win), text))
		return;
	g_autofree char *screen = gh_dump_text(GTK_WIDGET(win));
	fail_msg("did not expect \"%s\" on screen; it shows:\n%s", text, screen);
}

static GtkWidget *button(GtkWindow *win, const char *text)
{
	GtkWidget *b = gh_find_button(GTK_WIDGET(win), text);
	if (!b) {
		g_autofree char *screen = gh_dump_text(GTK_WIDGET(win));
		fail_msg("no button \"%s\" on screen; it shows:\n%s", text, screen);
	}
	return b;
}

static double progress(GtkWindow *win)
{
	GtkWidget *bar = gh_find(GTK_WIDGET(win), GTK_TYPE_PROGRESS_BAR, NULL, TRUE);
	return bar ? gtk_progress_bar_get_fraction(GTK_PROGRESS_BAR(bar)) : -1.0;
}

typedef struct {
	GtkWindow *win;
	double at_least;
} ProgressArgs;

static gboolean progress_reached(gpointer data)
{
	ProgressArgs *a = data;
	return progress(a->win) >= a->at_least;
}

static gboolean action_enabled(GtkWindow *win, const char *name)
{
	GAction *a = g_action_map_lookup_action(G_ACTION_MAP(win), name);
	return a && g_action_get_enabled(a);
}

/* ---- update: the whole flow ------------------------------------------- */

static void scenario_update(FwgApplication *app, GtkWindow *win)
{
	(void)app;
	/* The device, found by itself: model (5.3-16), serial, version,
	 * support period (5.3-13), no update yet. */
	expect(win, GF_MODEL, FOUND_MS);
	expect(win, "Serial number " GF_SERIAL, 1000);
	expect(win, "Version 1.0.0", 1000);
	expect(win, "Receives security updates until 31 December 2029", 1000);
	expect(win, "No update found for this device", 5000);
	gh_screenshot(win, "device-found");

	/* A package lands in the watched folder (a USB stick, a download):
	 * the app checks by itself (5.3-5) and says what the update does. */
	gf_put_in_folder(&fx, fx.pkg_security);
	expect(win, "Security update available", 10000);
	expect(win, "Version 1.0.0 → 1.4.2", 1000);
	expect(win, "Severity: High", 1000);                          /* 5.3-11 */
	expect(win, "take over the thermostat", 1000);
	expect(win, "CVE-2026-31337, CVE-2026-31338", 1000);
	expect(win, "restarts at the end and does not work for about 30 seconds", 1000); /* 5.3-12 */
	expect(win, "receives security updates until 31 March 2031", 1000);             /* 5.3-13 */
	gh_screenshot(win, "security-notice");

	/* One button installs. */
	gh_click(button(win, "Install Update"));
	expect(win, "Installing Security Update", 5000);
	expect(win, "Version 1.4.2 on the " GF_MODEL " (serial number " GF_SERIAL ")", 1000);
	ProgressArgs pa = {win, 0.3};
	assert_true(gh_wait(progress_reached, &pa, INSTALL_MS));
	/* While bytes flow: do not unplug, time left, cancelling is safe. */
	if (progress(win) < 0.9) {
		expect(win, "Do not unplug the device", 1000);
		expect(win, "left", 2000);
		assert_true(gtk_widget_is_sensitive(button(win, "Cancel")));
		gh_screenshot(win, "installing");
	}
	expect(win, "Update Installed", INSTALL_MS);
	expect(win, "now runs version 1.4.2", 1000);
	expect_not(win, "Do not unplug");
	gh_screenshot(win, "done");

	gh_click(button(win, "Done"));
	expect(win, "Version 1.4.2", 5000);
	/* The installed package is not offered again. */
	expect(win, "No update found for this device", 10000);
}

static void test_update(void **state)
{
	(void)state;
	gf_plug(&fx, 0);
	gf_cli_flash(&fx, fx.pkg_old);
	gf_unplug(&fx);
	/* A slow link (about 9 s for the package) so "time left" has a number. */
	gf_plug(&fx, 57600);
	settings_set("auto-install", FALSE);
	run_app(scenario_update);
}

/* ---- keys: a security key update, then the firmware it makes possible --- */

static void scenario_keys(FwgApplication *app, GtkWindow *win)
{
	(void)app;
	expect(win, "Version 1.0.0", FOUND_MS);
	expect(win, "No update found for this device", 5000);
	/* Firmware signed by a key neither the app nor the device knows yet,
	 * and the key update that adds it: the app's store follows the chain
	 * when the folder is read again; the key update comes first. */
	gf_put_in_folder(&fx, fx.pkg_key2);
	gf_put_in_folder(&fx, fx.pkg_keys);
	{	/* the folder chosen again (as after plugging a stick): read anew */
		g_autoptr(GSettings) st = g_settings_new("io.github.fwseal.Fwseal");
		g_settings_set_string(st, "package-folder", "");
		g_settings_set_string(st, "package-folder", fx.folder);
	}
	expect(win, "Security key update available", 15000);
	expect(win, "Renews the keys the " GF_MODEL " uses to recognise genuine updates", 1000);
	expect(win, "Your firmware and settings stay as they are", 1000);
	gh_click(button(win, "Install Update"));
	expect(win, "now recognises updates by its new security keys (key list 2)", INSTALL_MS);
	gh_click(button(win, "Done"));
	/* Now the firmware the new key signed is offered, and installs. */
	expect(win, "Version 1.0.0 → 1.5.0", 15000);
	gh_click(button(win, "Install Update"));
	expect(win, "now runs version 1.5.0", INSTALL_MS);
}

static void test_keys(void **state)
{
	(void)state;
	gf_plug(&fx, 0);
	gf_cli_flash(&fx, fx.pkg_old);
	settings_set("auto-install", FALSE);
	run_app(scenario_keys);
}

/* ---- revoked: a package signed only by a key the device revoked -------- */

static void scenario_revoked(FwgApplication *app, GtkWindow *win)
{
	(void)app;
	expect(win, "Version 1.0.0", FOUND_MS);
	/* The app trusts key2 (its store followed thermo-keys-2 in the
	 * folder); the device has revoked it since (trust version 3). */
	g_autoptr(GFile) pkg = g_file_new_for_path(fx.pkg_key2);
	fwg_window_open_file(FWG_WINDOW(win), pkg);
	expect(win, "This package cannot be installed", 10000);
	expect(win, "signed only with a key the device no longer trusts", 1000);
	expect_not(win, "Install Update");
	assert_false(action_enabled(win, "install"));
	expect(win, "Version 1.0.0", 1000);
}

static void test_revoked(void **state)
{
	(void)state;
	gf_plug(&fx, 0);
	gf_cli_flash(&fx, fx.pkg_old);
	gf_cli_flash(&fx, fx.pkg_keys);
	gf_cli_flash(&fx, fx.pkg_keys3);
	gf_put_in_folder(&fx, fx.pkg_keys);
	settings_set("auto-install", FALSE);
	run_app(scenario_revoked);
}

/* ---- refused: tampered and wrong-model packages ------------------------ */

/* What GTK does when a file is dropped on the window: the window's
 * GtkDropTarget emits "drop" with the file. */
static void drop_file(GtkWindow *win, GFile *file)
{
	g_autoptr(GListModel) controllers = gtk_widget_observe_controllers(GTK_WIDGET(win));
	GtkDropTarget *target = NULL;
	for (guint i = 0; i < g_list_model_get_n_items(controllers) && !target; i++) {
		g_autoptr(GObject) c = g_list_model_get_item(controllers, i);
		if (GTK_IS_DROP_TARGET(c))
			target = GTK_DROP_TARGET(c);
	}
	assert_non_null(target);
	GValue v = G_VALUE_INIT;
	g_value_init(&v, G_TYPE_FILE);
	g_value_set_object(&v, file);
	gboolean accepted = FALSE;
	g_signal_emit_by_name(target, "drop", &v, 100.0, 100.0, &accepted);
	g_value_unset(&v);
	assert_true(accepted);
}

static void scenario_refused(FwgApplication *app, GtkWindow *win)
{
	(void)app;
	expect(win, "Version 1.0.0", FOUND_MS);

	/* As if dropped on the window or picked in the file chooser. */
	g_autoptr(GFile) other = g_file_new_for_path(fx.pkg_other);
	fwg_window_open_file(FWG_WINDOW(win), other);
	expect(win, "This package cannot be installed", 10000);
	expect(win, "This package is for a OTHER-MODEL, but the connected device is a " GF_MODEL,
	       1000);
	assert_false(action_enabled(win, "install"));

	/* Dropped on the window: the window's own drop target takes it. */
	g_autoptr(GFile) bad = g_file_new_for_path(fx.pkg_tampered);
	drop_file(win, bad);
	expect(win, "changed or damaged", 10000);
	expect(win, "Nothing was sent to the device", 1000);
	expect(win, "thermo-1.4.2-tampered.fwseal", 1000);
	expect_not(win, "Install Update");
	assert_false(action_enabled(win, "install"));
	gh_screenshot(win, "refused");

	/* The device is untouched. */
	expect(win, "Version 1.0.0", 1000);

	/* What the device already runs is not offered again. */
	g_autoptr(GFile) same = g_file_new_for_path(fx.pkg_old);
	fwg_window_open_file(FWG_WINDOW(win), same);
	expect(win, "The device already runs version 1.0.0. There is nothing to install.", 10000);
	assert_false(action_enabled(win, "install"));

	/* The genuine package is accepted right after. */
	g_autoptr(GFile) good = g_file_new_for_path(fx.pkg_security);
	fwg_window_open_file(FWG_WINDOW(win), good);
	expect(win, "Security update available", 10000);
	assert_true(action_enabled(win, "install"));

	/* Unplugged: the device leaves the list by itself. */
	gf_unplug(&fx);
	expect(win, "Connect a Device", FOUND_MS);
	assert_string_equal(fwg_window_get_page(FWG_WINDOW(win)), "empty");
	expect_not(win, "Serial number");
	/* The chosen package waits for its device. */
	expect(win, "Plug in the " GF_MODEL " to install version 1.4.2.", 1000);
	gh_screenshot(win, "connect");
}

static void test_refused(void **state)
{
	(void)state;
	gf_plug(&fx, 0);
	gf_cli_flash(&fx, fx.pkg_old);
	run_app(scenario_refused);
}

/* ---- unplug mid-update, plug back, resume ------------------------------ */

/* The session log first (it can be long), then the failure. */
static void fail_log(const char *log, const char *what)
{
	g_printerr("%s", log);
	fail_msg("%s", what);
}

static gboolean no_devices(gpointer app)
{
	GListModel *devices =
		fwg_device_monitor_get_devices(fwg_application_get_monitor(FWG_APPLICATION(app)));
	return g_list_model_get_n_items(devices) == 0;
}

static gboolean install_enabled(gpointer win)
{
	return action_enabled(win, "install");
}

static void scenario_unplug(FwgApplication *app, GtkWindow *win)
{
	/* Defaults on (5.3-6): found at connect, installed by itself (5.3-4). */
	expect(win, "Installing Security Update", FOUND_MS + 10000);
	ProgressArgs pa = {win, 0.25};
	assert_true(gh_wait(progress_reached, &pa, INSTALL_MS));
	assert_true(progress(win) < 0.9);
	expect(win, "Do not unplug the device", 1000);

	gf_unplug(&fx); /* the cable is pulled */
	expect(win, "The Device Was Disconnected", 30000);
	expect(win, "still has version 1.0.0", 1000);
	expect(win, "plug the device back in", 1000);
	GtkWidget *resume = button(win, "Resume Update");
	gh_screenshot(win, "unplugged");

	/* The app notices the device is gone... */
	assert_true(gh_wait(no_devices, app, FOUND_MS));
	gf_plug(&fx, 115200); /* ...and plugged back in */
	/* Resume becomes possible once the device is seen again. */
	assert_true(gh_wait(install_enabled, win, FOUND_MS));
	gh_click(resume);
	expect(win, "Update Installed", INSTALL_MS);
	expect(win, "now runs version 1.4.2", 1000);
	/* It continued where it stopped rather than starting over. */
	const char *log = fwg_log_get_text(fwg_application_get_log(app));
	if (!strstr(log, "resuming an interrupted download"))
		fail_log(log, "the update did not resume (log above)");
	/* Seen going (its port vanished) and coming back (hotplug). */
	if (!strstr(log, "device disconnected: serial:") || !strstr(log, "plugged in: serial:"))
		fail_log(log, "expected the unplug and the plug-in in the log");
}

static void test_unplug(void **state)
{
	(void)state;
	gf_plug(&fx, 0);
	gf_cli_flash(&fx, fx.pkg_old);
	gf_unplug(&fx);
	gf_put_in_folder(&fx, fx.pkg_security);
	gf_plug(&fx, 115200);
	run_app(scenario_unplug);
}

/* ---- cancel while it is safe, continue later --------------------------- */

static void scenario_cancel(FwgApplication *app, GtkWindow *win)
{
	expect(win, "Security update available", FOUND_MS);
	gh_click(button(win, "Install Update"));
	ProgressArgs pa = {win, 0.2};
	assert_true(gh_wait(progress_reached, &pa, INSTALL_MS));
	assert_true(progress(win) < 0.9);
	expect(win, "Cancelling now is safe", 1000);
	gh_click(button(win, "Cancel"));
	expect(win, "Update Cancelled", 30000);
	expect(win, "still runs version 1.0.0 and works as before", 1000);
	/* Later: it continues where it stopped. */
	gh_click(button(win, "Continue Update"));
	expect(win, "Update Installed", INSTALL_MS);
	const char *log = fwg_log_get_text(fwg_application_get_log(app));
	if (!strstr(log, "cancel requested") || !strstr(log, "resuming an interrupted download"))
		fail_log(log, "expected a cancel and a resumed download (log above)");
}

static void test_cancel(void **state)
{
	(void)state;
	gf_plug(&fx, 0);
	gf_cli_flash(&fx, fx.pkg_old);
	gf_unplug(&fx);
	gf_put_in_folder(&fx, fx.pkg_security);
	gf_plug(&fx, 115200);
	settings_set("auto-install", FALSE);
	run_app(scenario_cancel);
}

/* ---- settings and technician details ----------------------------------- */

static GtkWindow *other_window(GtkWindow *main_win, GType type)
{
	GListModel *tops = gtk_window_get_toplevels(); /* not owned */
	for (guint i = 0; i < g_list_model_get_n_items(tops); i++) {
		g_autoptr(GtkWindow) w = g_list_model_get_item(tops, i);
		if (w != main_win && G_TYPE_CHECK_INSTANCE_TYPE(w, type) &&
		    gtk_widget_get_mapped(GTK_WIDGET(w)))
			return w; /* still referenced by the toplevel list */
	}
	return NULL;
}

typedef struct {
	GtkWindow *main_win;
	GType type;
} OtherArgs;

static gboolean other_shown(gpointer data)
{
	OtherArgs *a = data;
	return other_window(a->main_win, a->type) != NULL;
}

static GtkWindow *wait_window(GtkWindow *main_win, GType type)
{
	OtherArgs a = {main_win, type};
	assert_true(gh_wait(other_shown, &a, 5000));
	return other_window(main_win, type);
}

typedef struct {
	gboolean done;
	char *text;
} ClipRead;

static void clip_read_done(GObject *source, GAsyncResult *res, gpointer data)
{
	ClipRead *c = data;
	g_autoptr(GError) error = NULL;
	c->text = gdk_clipboard_read_text_finish(GDK_CLIPBOARD(source), res, &error);
	if (!c->text)
		g_printerr("clipboard: %s\n", error->message);
	c->done = TRUE;
}

static gboolean clip_done(gpointer data)
{
	return ((ClipRead *)data)->done;
}

static void scenario_settings(FwgApplication *app, GtkWindow *win)
{
	expect(win, "Version 1.0.0", FOUND_MS);
	g_autoptr(GFile) pkg = g_file_new_for_path(fx.pkg_security);
	fwg_window_open_file(FWG_WINDOW(win), pkg);
	expect(win, "Security update available", 10000);

	/* Technician details: the device-info record, the manifest, the log,
	 * and all of it on the clipboard. */
	gtk_widget_activate_action(GTK_WIDGET(win), "win.details", NULL);
	GtkWindow *details = wait_window(win, ADW_TYPE_WINDOW);
	g_autofree char *all = fwg_details_window_dup_text(FWG_DETAILS_WINDOW(details));
	assert_non_null(strstr(all, "serial number      " GF_SERIAL));
	assert_non_null(strstr(all, "security counter   3"));
	assert_non_null(strstr(all, "check              ok (signature, every block, suffix)"));
	assert_non_null(strstr(all, "cve                CVE-2026-31337"));
	assert_non_null(strstr(all, "device connected: serial:"));
	gh_click(gh_find_id(GTK_WIDGET(details), "copy_button"));
	/* Read it back through the X clipboard, as another program would. */
	ClipRead clip = {0};
	gdk_clipboard_read_text_async(gtk_widget_get_clipboard(GTK_WIDGET(details)), NULL,
	                              clip_read_done, &clip);
	assert_true(gh_wait(clip_done, &clip, 5000));
	assert_non_null(clip.text);
	assert_non_null(strstr(clip.text, "== device =="));
	assert_non_null(strstr(clip.text, "version            1.4.2"));
	g_free(clip.text);
	gh_screenshot(details, "technician-details");
	gtk_window_destroy(details);

	/* Preferences: on by default (5.3-6); each can be turned off or
	 * postponed, and that is written to disk (keyfile backend here). */
	GSettings *settings = fwg_application_get_settings(app);
	assert_true(g_settings_get_boolean(settings, "check-on-connect"));
	assert_true(g_settings_get_boolean(settings, "check-on-folder-change"));
	assert_true(g_settings_get_boolean(settings, "notify"));
	assert_true(g_settings_get_boolean(settings, "auto-install"));
	g_action_group_activate_action(G_ACTION_GROUP(app), "preferences", NULL);
	GtkWindow *prefs = wait_window(win, ADW_TYPE_PREFERENCES_WINDOW);
	GtkWidget *sw = gh_find_row_switch(GTK_WIDGET(prefs), "Install automatically");
	assert_non_null(sw);
	assert_true(gtk_switch_get_active(GTK_SWITCH(sw)));
	gh_click(sw);
	gh_settle(50);
	assert_false(g_settings_get_boolean(settings, "auto-install"));
	gh_click(button(prefs, "Postpone 1 Day"));
	expect(prefs, "Postponed until", 2000);
	assert_true(fwg_application_is_postponed(app));
	gh_screenshot(prefs, "preferences");
	gh_click(button(prefs, "Resume Now"));
	expect(prefs, "Automatic checks and installs are active", 2000);
	assert_false(fwg_application_is_postponed(app));
	g_settings_sync();
	g_autofree char *keyfile = g_build_filename(g_getenv("XDG_CONFIG_HOME"), "glib-2.0",
	                                            "settings", "keyfile", NULL);
	g_autofree char *saved = NULL;
	assert_true(g_file_get_contents(keyfile, &saved, NULL, NULL));
	assert_non_null(strstr(saved, "auto-install=false"));
	gtk_window_destroy(prefs);

	/* The rest of the menu opens cleanly: keyboard shortcuts, about. */
	gtk_widget_activate_action(GTK_WIDGET(win), "win.show-help-overlay", NULL);
	GtkWindow *keys = wait_window(win, GTK_TYPE_SHORTCUTS_WINDOW);
	expect(keys, "Install the update", 2000);
	gtk_window_destroy(keys);
	g_action_group_activate_action(G_ACTION_GROUP(app), "about", NULL);
	GtkWindow *about = wait_window(win, ADW_TYPE_ABOUT_WINDOW);
	expect(about, "Firmware Updater", 2000);
	gtk_window_destroy(about);
}

static void test_settings(void **state)
{
	(void)state;
	g_setenv("GSETTINGS_BACKEND", "keyfile", TRUE);
	gf_plug(&fx, 0);
	gf_cli_flash(&fx, fx.pkg_old);
	run_app(scenario_settings);
}

/* ---- the same over emulated USB ---------------------------------------- */

static guint visible_rows(GtkWindow *win)
{
	GtkWidget *list = gh_find(GTK_WIDGET(win), GTK_TYPE_LIST_BOX, NULL, TRUE);
	guint n = 0;
	for (GtkWidget *c = list ? gtk_widget_get_first_child(list) : NULL; c;
	     c = gtk_widget_get_next_sibling(c))
		n += GTK_IS_LIST_BOX_ROW(c) && gtk_widget_get_visible(c);
	return n;
}

static void scenario_usb(FwgApplication *app, GtkWindow *win)
{
	(void)app;
	/* Found by itself on USB (DFU and HID interfaces: one device). */
	expect(win, GF_MODEL, FOUND_MS);
	expect(win, "Serial number " GF_SERIAL " · USB", 1000);
	expect(win, "No firmware installed yet", 1000);
	assert_int_equal(visible_rows(win), 1);
	gf_put_in_folder(&fx, fx.pkg_security);
	expect(win, "Installs version 1.4.2", 10000);
	expect(win, "Severity: High", 1000);
	gh_click(button(win, "Install Update"));
	expect(win, "Update Installed", INSTALL_MS);
	expect(win, "now runs version 1.4.2", 1000);
	gh_click(button(win, "Done"));
	expect(win, "Version 1.4.2", 5000);
}

static void test_usb(void **state)
{
	(void)state;
	if (!g_getenv("FWG_TEST_INNER")) {
		/* Run this very test again as the program fwseal-sim serves
		 * an emulated USB device to. */
		const char *argv[] = {self_path, "usb", NULL};
		g_setenv("FWG_TEST_INNER", gh_tmpdir(), TRUE);
		int rc = gf_run_on_usb(&fx, argv);
		g_unsetenv("FWG_TEST_INNER");
		if (rc == 77)
			skip();
		assert_int_equal(rc, 0);
		return;
	}
	with_serial = FALSE;
	settings_set("auto-install", FALSE);
	run_app(scenario_usb);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		g_printerr("usage: %s update|refused|unplug|cancel|usb|settings|keys|revoked\n", argv[0]);
		return 2;
	}
	self_path = argv[0];
	const char *inner = g_getenv("FWG_TEST_INNER");
	if (inner) {
		gh_setup_inner(inner);
		g_autofree char *dir = g_build_filename(inner, "fixture", NULL);
		gf_open(&fx, dir);
	} else {
		if (!gh_setup()) {
			gh_teardown();
			return 77; /* no X server: skip */
		}
		g_autofree char *dir = g_build_filename(gh_tmpdir(), "fixture", NULL);
		if (!gf_setup(&fx, dir)) {
			gh_teardown();
			return 1;
		}
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_revoked),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_unplug),
		cmocka_unit_test(test_usb),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_cancel),
	};
	g_autofree char *filter = g_strconcat("test_", argv[1], NULL);
	cmocka_set_test_filter(filter);
	int rc = cmocka_run_group_tests_name(argv[1], tests, NULL, NULL);
	gf_teardown(&fx);
	gh_teardown();
	return rc;
}
