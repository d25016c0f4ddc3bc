/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_gui.c - the desktop app, in a real window under Xvfb, against the
 * simulated device over a pty: what a person sees and presses.
 *
 *   update     (the defaults) first-run question kept "automatic" -> device
 *              found -> package appears in the watched folder -> security
 *              notice with a 60 s countdown -> Install Now -> progress ->
 *              done -> new version
 *   refused    a tampered package, one for another model and the version
 *              already installed are refused with a sentence why; nothing
 *              is sent, the device keeps 1.0.0; unplugged, it leaves the list
 *   unplug     automatic install (countdown runs out) -> cable pulled half-way ->
 *              "disconnected" with Resume -> plugged back -> resumed -> done
 *   cancel     Cancel while sending (safe): the device keeps 1.0.0; Continue
 *              later resumes where it stopped
 *   settings   technician details (record, manifest, log, clipboard); the
 *              preferences are on by default, can be turned off and
 *              postponed, and are written to disk
 *   usb        the whole update of a new device on emulated USB (fwseal-sim
 *              --usb runs this program again inside its emulation)
 *   changed    the package file is rewritten in place (size and time kept)
 *              after the app checked it: Install sends nothing of the
 *              change, says so, and the device keeps 1.0.0 (issue 16)
 *   consent    the real defaults: nothing installs while the first-run
 *              question is open (the old app installed within 6 s); then
 *              the countdown with Install Now and Postpone; Postpone, the
 *              end of a postponement, the setting turned off mid-countdown
 *   ask        first-run "Always Ask Me": no countdown, nothing installs
 *   automatic  a feature-only update never installs by itself; a security
 *              update counts down on its page and then installs
 *   missing    a device on a port the user may not open (run as nobody with
 *              setpriv; the pty given to root:dialout 0660): listed with
 *              why and the command that fixes it; with the group, the device
 *   missing-usb the same for an emulated USB device whose usbfs node no group
 *              may open (the simulator and the app run as nobody): the udev
 *              rule is the fix
 *   notify     the desktop notification, on a private session bus with a
 *              notification server of the test's own: a feature update's
 *              words promise nothing automatic, a security update's say
 *              countdown and postpone; none while postponed or turned off
 *   unconfirmed the new firmware runs but never confirms itself: "Installed,
 *              Not Yet Confirmed" and what happens next, not "Update Installed"
 *   german     LANG=de_DE.UTF-8 (a locale made with localedef): the first
 *              run, the device, the notice and the result in German, and no
 *              text on screen the catalogue would translate
 *   load       every CPU busy (stress-ng) and the device silent for 6 s
 *              mid-transfer: the update completes (it once ended at 38 %
 *              with "The Device Was Disconnected")
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

#include <fcntl.h>
#include <grp.h>
#include <libintl.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "fwg-application.h"
#include "fwg-details-window.h"
#include "fwg-update-page.h"
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

/* Run the app as `fwseal-gui [--serial-port P]`: the trust store and the
 * package folder are the defaults (the fixture puts them there); with
 * with_options as `fwseal-gui --trust T --folder F ...`. */
static gboolean with_serial = TRUE;
static gboolean with_options = FALSE;
static const char *serial_port; /* instead of fx.port */

static void run_app(Scenario scenario)
{
	g_autoptr(FwgApplication) app = fwg_application_new();
	RunCtx ctx = {scenario, FALSE};
	g_signal_connect_after(app, "activate", G_CALLBACK(on_activate), &ctx);
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_strv_builder_add(b, "fwseal-gui");
	if (with_options)
		g_strv_builder_add_many(b, "--trust", fx.trust, "--folder", fx.folder, NULL);
	if (with_serial)
		g_strv_builder_add_many(b, "--serial-port", serial_port ? serial_port : fx.port, NULL);
	g_auto(GStrv) argv = g_strv_builder_end(b);
	int argc = (int)g_strv_length(argv);
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

static void settings_set_uint(const char *key, guint value)
{
	g_autoptr(GSettings) s = g_settings_new("io.github.fwseal.Fwseal");
	g_settings_set_uint(s, key, value);
}

/* As if the first-run question had been answered earlier, keeping the
 * default (automatic security updates on). */
static void settings_first_run_done(void)
{
	settings_set("first-run-done", TRUE);
}

/* The device runs 1.0.0, the 1.4.2 security update waits in the package
 * folder, and the device is plugged in again with its link paced at baud
 * (0: unpaced). */
static void device_with_update(guint baud)
{
	gf_plug(&fx, 0);
	gf_cli_flash(&fx, fx.pkg_old);
	gf_unplug(&fx);
	gf_put_in_folder(&fx, fx.pkg_security);
	gf_plug(&fx, baud);
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

/* The first-run question about automatic security updates: answer it like
 * the user (its buttons), after checking that it explains the setting. */
static void answer_first_run(GtkWindow *win, const char *answer, guint delay,
                             const char *screenshot)
{
	GtkWindow *d = wait_window(win, ADW_TYPE_MESSAGE_DIALOG);
	expect(d, "Install Security Updates Automatically?", 2000);
	g_autofree char *when = g_strdup_printf("installs it after %u seconds, unless you choose "
	                                        "Postpone", delay);
	expect(d, when, 1000);
	expect(d, "Updates that fix no security problem always wait for you", 1000);
	if (screenshot)
		gh_screenshot(d, screenshot);
	gh_click(button(d, answer));
	gh_settle(100);
}

static int countdown(GtkWindow *win)
{
	GtkWidget *page = gh_find(GTK_WIDGET(win), FWG_TYPE_UPDATE_PAGE, NULL, TRUE);
	return page ? fwg_update_page_get_countdown(FWG_UPDATE_PAGE(page)) : -1;
}

static gboolean countdown_running(gpointer win)
{
	return countdown(win) >= 0;
}

static gboolean not_on_devices_page(gpointer win)
{
	return !g_str_equal(fwg_window_get_page(FWG_WINDOW(win)), "devices");
}

/* Walk the Tab chain of the window like a keyboard user: text (selectable
 * or not) is never a stop on the way to the buttons. */
static void expect_no_text_tab_stops(GtkWindow *win)
{
	gtk_window_set_focus(win, NULL);
	GtkWidget *first = NULL;
	guint stops = 0;
	for (guint i = 0; i < 60; i++) {
		if (!gtk_widget_child_focus(GTK_WIDGET(win), GTK_DIR_TAB_FORWARD))
			break; /* wrapped: GTK starts again from the top next time */
		GtkWidget *f = gtk_window_get_focus(win);
		if (!f || f == first)
			break;
		if (!first)
			first = f;
		stops++;
		if (GTK_IS_LABEL(f) || gtk_widget_get_ancestor(f, GTK_TYPE_LABEL))
			fail_msg("Tab stops on the text \"%s\"", gtk_label_get_text(GTK_LABEL(
				GTK_IS_LABEL(f) ? f : gtk_widget_get_ancestor(f, GTK_TYPE_LABEL))));
	}
	assert_true(stops > 0); /* the buttons are reached */
	gtk_window_set_focus(win, NULL);
}

/* ---- update: the whole flow ------------------------------------------- */

static void scenario_update(FwgApplication *app, GtkWindow *win)
{
	(void)app;
	/* First start: automatic security updates explained once; kept on. */
	answer_first_run(win, "Install Automatically", 60, "first-run");
	/* The device, found by itself: model (5.3-16), serial, version,
	 * support period (5.3-13), no update yet. */
	expect(win, GF_MODEL, FOUND_MS);
	expect(win, "Serial number " GF_SERIAL, 1000);
	expect(win, "Version 1.0.0", 1000);
	expect(win, "Receives security updates until 31 December 2029", 1000);
	expect(win, "No update found for this device", 5000);
	/* The default package folder: Downloads. */
	expect(win, "put it in the package folder ~/Downloads.", 1000);
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
	/* The defaults: it would install by itself in 60 s (5.3-4), and says
	 * so, with the two ways out. */
	expect(win, "Installs automatically in", 1000);
	assert_true(countdown(win) > 50);
	button(win, "Postpone");
	gh_screenshot(win, "security-notice");

	/* One button installs. */
	gh_click(button(win, "Install Now"));
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
	run_app(scenario_update); /* the defaults */
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
	settings_first_run_done();
	settings_set("auto-install-security", FALSE);
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
	settings_first_run_done();
	settings_set("auto-install-security", FALSE);
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
	expect_no_text_tab_stops(win);
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
	settings_first_run_done();
	run_app(scenario_refused);
}

/* ---- changed: the file is rewritten after the app checked it ----------- */

static char *changed_path;

static void scenario_changed(FwgApplication *app, GtkWindow *win)
{
	(void)app;
	expect(win, "Version 1.0.0", FOUND_MS);
	g_autoptr(GFile) f = g_file_new_for_path(changed_path);
	fwg_window_open_file(FWG_WINDOW(win), f);
	expect(win, "Security update available", 10000);

	/* Rewritten in place with the tampered copy (one payload byte), size
	 * and modification time as before: a change the app cannot see from
	 * the outside, found when the bytes are read again to be sent. */
	GStatBuf st;
	assert_int_equal(g_stat(changed_path, &st), 0);
	gchar *bad = NULL;
	gsize n = 0;
	assert_true(g_file_get_contents(fx.pkg_tampered, &bad, &n, NULL));
	FILE *out = fopen(changed_path, "r+b");
	assert_non_null(out);
	assert_int_equal(fwrite(bad, 1, n, out), n);
	assert_int_equal(fclose(out), 0);
	g_free(bad);
	struct timespec times[2] = { st.st_atim, st.st_mtim };
	assert_int_equal(utimensat(AT_FDCWD, changed_path, times, 0), 0);

	gh_click(button(win, "Install Update"));
	expect(win, "changed since it was checked", INSTALL_MS);
	expect(win, "The device still runs version 1.0.0", 1000);
	expect_not(win, "Update Installed");
	gf_unplug(&fx);
}

static void test_changed(void **state)
{
	(void)state;
	gf_plug(&fx, 0);
	gf_cli_flash(&fx, fx.pkg_old);
	settings_first_run_done();
	settings_set("auto-install-security", FALSE);
	changed_path = g_build_filename(fx.folder, "..", "changed.fwseal", NULL);
	gchar *data = NULL;
	gsize n = 0;
	assert_true(g_file_get_contents(fx.pkg_security, &data, &n, NULL));
	assert_true(g_file_set_contents(changed_path, data, (gssize)n, NULL));
	g_free(data);
	run_app(scenario_changed);
	/* after a power cycle too: nothing of the change reached the device */
	gf_plug(&fx, 0);
	g_autofree char *device = g_strconcat("serial:", fx.port, NULL);
	g_auto(GStrv) argv = g_new0(char *, 4);
	argv[0] = g_strdup(g_getenv("FWSEAL_CLI"));
	argv[1] = g_strdup("info");
	argv[2] = g_strdup(device);
	g_autofree char *out = NULL;
	int status = -1;
	assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
	                         &status, NULL));
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "1.0.0 (running)"));
	gf_unplug(&fx);
	g_free(changed_path);
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
	/* Defaults on (5.3-6): found at connect, shown with a countdown, then
	 * installed by itself (5.3-4). */
	expect(win, "Installs automatically in", FOUND_MS);
	expect(win, "Installing Security Update", 10000);
	ProgressArgs pa = {win, 0.25};
	assert_true(gh_wait(progress_reached, &pa, INSTALL_MS));
	assert_true(progress(win) < 0.9);
	expect(win, "Do not unplug the device", 1000);

	gf_unplug(&fx); /* the cable is pulled */
	expect(win, "The Device Was Disconnected", 30000);
	expect(win, "still has version 1.0.0", 1000);
	expect(win, "plug the device back in", 1000);
	GtkWidget *resume = button(win, "Resume Update");

	/* The app notices the device is gone... */
	assert_true(gh_wait(no_devices, app, FOUND_MS));
	assert_false(action_enabled(win, "install"));
	gh_screenshot(win, "unplugged");
	gf_plug(&fx, 115200); /* ...and plugged back in */
	/* Resume becomes possible once the device is seen again, and the page
	 * says so instead of "disconnected". */
	assert_true(gh_wait(install_enabled, win, FOUND_MS));
	expect(win, "The Device Is Connected Again", 1000);
	expect(win, "Choose Resume Update", 1000);
	expect_not(win, "Disconnected");
	expect_not(win, "plug the device back in");
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
	device_with_update(115200);
	settings_first_run_done();
	settings_set_uint("auto-install-delay", 5);
	run_app(scenario_unplug);
}

/* ---- consent: with the real defaults nothing installs unseen ------------ */

static void scenario_consent(FwgApplication *app, GtkWindow *win)
{
	GSettings *settings = fwg_application_get_settings(app);
	/* The defaults (README, schema): security updates install by
	 * themselves after a 60 s countdown; first the question, once. */
	assert_true(g_settings_get_boolean(settings, "auto-install-security"));
	assert_int_equal(g_settings_get_uint(settings, "auto-install-delay"), 60);
	assert_false(g_settings_get_boolean(settings, "first-run-done"));
	assert_true(g_settings_get_boolean(settings, "notify"));

	/* A security update found at start-up is shown with what it changes,
	 * and nothing happens while the first-run question is open. */
	expect(win, "Security update available", FOUND_MS);
	expect(win, "Severity: High", 1000);
	/* The old app had started installing within 6 s by itself. */
	gh_settle(8000);
	const char *log = fwg_log_get_text(fwg_application_get_log(app));
	if (strstr(log, "update started") || !g_str_equal(fwg_window_get_page(FWG_WINDOW(win)),
	                                                   "devices"))
		fail_log(log, "an update started before the user saw and accepted it (log above)");
	assert_int_equal(countdown(win), -1);

	/* Kept on: now the page counts down, with Install Now and Postpone. */
	answer_first_run(win, "Install Automatically", 60, NULL);
	assert_true(g_settings_get_boolean(settings, "first-run-done"));
	assert_true(gh_wait(countdown_running, win, 2000));
	expect(win, "Installs automatically in", 1000);
	assert_true(countdown(win) >= 55 && countdown(win) <= 60);
	expect(win, "Security notice", 1000);
	assert_true(action_enabled(win, "postpone"));
	GtkWidget *now = button(win, "Install Now");
	assert_true(gtk_widget_is_sensitive(now));

	/* Postpone: no countdown, nothing installs, the update stays offered. */
	gh_click(button(win, "Postpone"));
	assert_int_equal(countdown(win), -1);
	assert_true(fwg_application_is_postponed(app));
	expect_not(win, "Installs automatically");
	assert_true(gtk_widget_is_sensitive(button(win, "Install Update")));
	gh_settle(3000);
	assert_string_equal(fwg_window_get_page(FWG_WINDOW(win)), "devices");

	/* The postponement ends (here: the user resumes in Preferences): the
	 * countdown starts again, from the full time. */
	g_settings_set_int64(settings, "postpone-until", 0);
	assert_true(gh_wait(countdown_running, win, 2000));
	assert_true(countdown(win) >= 55);

	/* Turned off in Preferences while counting: it stops at once. */
	g_settings_set_boolean(settings, "auto-install-security", FALSE);
	gh_settle(100);
	assert_int_equal(countdown(win), -1);
	g_settings_set_boolean(settings, "auto-install-security", TRUE);
	assert_true(gh_wait(countdown_running, win, 2000));

	/* Install Now does not wait for the countdown. */
	gh_click(button(win, "Install Now"));
	expect(win, "Installing Security Update", 5000);
	expect(win, "Update Installed", INSTALL_MS);
	log = fwg_log_get_text(fwg_application_get_log(app));
	if (strstr(log, "countdown on the update page ran out"))
		fail_log(log, "the countdown, not the user, started the update (log above)");
}

static void test_consent(void **state)
{
	(void)state;
	device_with_update(115200);
	run_app(scenario_consent); /* no setting changed: the defaults */
}

/* ---- ask: the first-run choice "Always Ask Me" ---------------------------- */

static void scenario_ask(FwgApplication *app, GtkWindow *win)
{
	answer_first_run(win, "Always Ask Me", 5, NULL);
	GSettings *settings = fwg_application_get_settings(app);
	assert_false(g_settings_get_boolean(settings, "auto-install-security"));
	assert_true(g_settings_get_boolean(settings, "first-run-done"));
	expect(win, "Security update available", FOUND_MS);
	/* Longer than the countdown would be (set to 5 s here): still waiting. */
	gh_settle(7000);
	assert_int_equal(countdown(win), -1);
	expect_not(win, "Installs automatically");
	assert_string_equal(fwg_window_get_page(FWG_WINDOW(win)), "devices");
	assert_true(gtk_widget_is_sensitive(button(win, "Install Update")));
	const char *log = fwg_log_get_text(fwg_application_get_log(app));
	if (strstr(log, "update started"))
		fail_log(log, "an update started although the user chose to be asked (log above)");
}

static void test_ask(void **state)
{
	(void)state;
	device_with_update(0);
	settings_set_uint("auto-install-delay", 5);
	run_app(scenario_ask);
}

/* ---- automatic: feature updates wait, security updates count down -------- */

static void scenario_automatic(FwgApplication *app, GtkWindow *win)
{
	/* A feature-only update: shown, never installed by itself. */
	expect(win, "Version 1.0.0 → 1.1.0", FOUND_MS);
	expect(win, "Update available", 1000);
	expect_not(win, "Security notice");
	gh_settle(7000); /* longer than the 5 s countdown a security update gets */
	assert_int_equal(countdown(win), -1);
	expect_not(win, "Installs automatically");
	assert_string_equal(fwg_window_get_page(FWG_WINDOW(win)), "devices");

	/* A security update arrives: its page counts down and then installs
	 * by itself, without a click. */
	gf_put_in_folder(&fx, fx.pkg_security);
	expect(win, "Security update available", 10000);
	expect(win, "Version 1.0.0 → 1.4.2", 1000);
	expect(win, "Installs automatically in 5 seconds", 2000);
	assert_true(gh_wait(not_on_devices_page, win, 10000));
	expect(win, "Installing Security Update", 1000);
	expect(win, "Update Installed", INSTALL_MS);
	expect(win, "now runs version 1.4.2", 1000);
	const char *log = fwg_log_get_text(fwg_application_get_log(app));
	if (!strstr(log, "installs by itself in 5 s") ||
	    !strstr(log, "countdown on the update page ran out"))
		fail_log(log, "expected the countdown to be shown and to run out (log above)");
	/* Done: the feature update (older than what runs now) is not offered. */
	gh_click(button(win, "Done"));
	expect(win, "No update found for this device", 10000);
}

static void test_automatic(void **state)
{
	(void)state;
	gf_plug(&fx, 0);
	gf_cli_flash(&fx, fx.pkg_old);
	gf_unplug(&fx);
	gf_put_in_folder(&fx, fx.pkg_feature);
	gf_plug(&fx, 0);
	settings_first_run_done();
	settings_set_uint("auto-install-delay", 5);
	run_app(scenario_automatic);
}

/* ---- notify: the desktop notification of an update ------------------------ */

/* A notification server of our own on a private session bus (GTestDBus
 * starts dbus-daemon): GLib's freedesktop backend calls Notify on it, as it
 * would on the desktop's. */
typedef struct {
	GPtrArray *summaries; /* "summary\nbody" of each Notify */
	guint next_id;
} NotifyServer;

static NotifyServer notify_server;

static void notify_method(GDBusConnection *c, const char *sender, const char *path,
                          const char *iface, const char *method, GVariant *params,
                          GDBusMethodInvocation *inv, gpointer user)
{
	(void)c, (void)sender, (void)path, (void)iface;
	NotifyServer *ns = user;
	if (g_str_equal(method, "Notify")) {
		const char *summary = NULL, *body = NULL;
		g_variant_get_child(params, 3, "&s", &summary);
		g_variant_get_child(params, 4, "&s", &body);
		g_ptr_array_add(ns->summaries, g_strdup_printf("%s\n%s", summary, body));
		g_dbus_method_invocation_return_value(inv, g_variant_new("(u)", ++ns->next_id));
	} else if (g_str_equal(method, "GetCapabilities")) {
		const char *caps[] = {"body", "actions", NULL};
		g_dbus_method_invocation_return_value(inv, g_variant_new("(^as)", caps));
	} else if (g_str_equal(method, "GetServerInformation")) {
		g_dbus_method_invocation_return_value(
			inv, g_variant_new("(ssss)", "fwseal-test", "fwseal", "1", "1.2"));
	} else {
		g_dbus_method_invocation_return_value(inv, NULL); /* CloseNotification */
	}
}

static const char notify_xml[] =
	"<node><interface name='org.freedesktop.Notifications'>"
	"<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
	"<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
	"<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
	"<arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
	"<method name='CloseNotification'><arg type='u' direction='in'/></method>"
	"<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
	"<method name='GetServerInformation'><arg type='s' direction='out'/>"
	"<arg type='s' direction='out'/><arg type='s' direction='out'/>"
	"<arg type='s' direction='out'/></method>"
	"<signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
	"<signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
	"</interface></node>";

static gboolean notified(gpointer data)
{
	return notify_server.summaries->len >= GPOINTER_TO_UINT(data);
}

static gboolean window_inactive(gpointer win)
{
	return !gtk_window_is_active(GTK_WINDOW(win));
}

/* The n-th notification (from 1) is title and body. */
static void expect_notification(FwgApplication *app, guint n, const char *title,
                                const char *body_part)
{
	if (!gh_wait(notified, GUINT_TO_POINTER(n), 10000))
		fail_log(fwg_log_get_text(fwg_application_get_log(app)),
		         "no desktop notification of the update (log above)");
	const char *got = g_ptr_array_index(notify_server.summaries, n - 1);
	g_autofree char *want = g_strdup_printf("%s\n", title);
	if (!g_str_has_prefix(got, want) || !strstr(got, body_part))
		fail_msg("notification %u is \"%s\", expected \"%s\" with \"%s\"", n, got, title,
		         body_part);
}

static void scenario_notify(FwgApplication *app, GtkWindow *win)
{
	GSettings *settings = fwg_application_get_settings(app);
	expect(win, GF_MODEL, FOUND_MS);
	expect(win, "No update found for this device", 5000);
	/* For a user who is not looking at the window: another window has the
	 * focus (there is no window manager under Xvfb to switch it). */
	GtkWidget *other = gtk_window_new();
	gtk_window_present(GTK_WINDOW(other));
	assert_true(gh_wait(window_inactive, win, 5000));

	/* A feature update: notified, and the words promise nothing automatic
	 * (it waits for a click). */
	gf_put_in_folder(&fx, fx.pkg_feature);
	expect_notification(app, 1, "Update for the " GF_MODEL, "Version 1.1.0 is ready to install.");
	if (strstr(g_ptr_array_index(notify_server.summaries, 0), "countdown"))
		fail_msg("a feature update's notification speaks of a countdown");

	/* Postponed: the security update is found and shown, but no
	 * notification comes. */
	g_settings_set_int64(settings, "postpone-until",
	                     g_get_real_time() / G_USEC_PER_SEC + 3600);
	gf_put_in_folder(&fx, fx.pkg_security);
	expect(win, "Version 1.0.0 → 1.4.2", 10000);
	gh_settle(2000);
	assert_int_equal(notify_server.summaries->len, 1);

	/* Not postponed: the security update, taken out of the folder and put
	 * back, is notified with what will happen (the countdown, postpone). */
	g_settings_set_int64(settings, "postpone-until", 0);
	g_autofree char *base = g_path_get_basename(fx.pkg_security);
	g_autofree char *copy = g_build_filename(fx.folder, base, NULL);
	assert_int_equal(g_unlink(copy), 0);
	expect_notification(app, 2, "Update for the " GF_MODEL, "Version 1.1.0");
	gf_put_in_folder(&fx, fx.pkg_security);
	expect_notification(app, 3, "Security update for the " GF_MODEL,
	                    "installs it after a countdown of 60 seconds, unless you postpone it");

	/* Notifications turned off: none, even for a new update. */
	g_settings_set_boolean(settings, "notify", FALSE);
	assert_int_equal(g_unlink(copy), 0);
	expect(win, "Version 1.0.0 → 1.1.0", 10000);
	gh_settle(2000);
	assert_int_equal(notify_server.summaries->len, 3);
	gtk_window_destroy(GTK_WINDOW(other));
}

static void test_notify(void **state)
{
	(void)state;
	g_autofree char *daemon = g_find_program_in_path("dbus-daemon");
	if (!daemon) {
		g_printerr("dbus-daemon not found: no session bus to notify on\n");
		skip();
	}
	g_autoptr(GStrvBuilder) db = g_strv_builder_new();
	g_strv_builder_add_many(db, daemon, "--session", "--nofork", "--print-address=1", NULL);
	g_auto(GStrv) dargv = g_strv_builder_end(db);
	GPid bus_pid = 0;
	int bus_out = -1;
	g_autoptr(GError) error = NULL;
	if (!g_spawn_async_with_pipes(NULL, dargv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
	                              NULL, &bus_pid, NULL, &bus_out, NULL, &error))
		fail_msg("cannot start dbus-daemon: %s", error->message);
	char address[512];
	ssize_t got = 0;
	for (ssize_t r; got < (ssize_t)sizeof address - 1 &&
	                (r = read(bus_out, address + got, sizeof address - 1 - (size_t)got)) > 0;) {
		got += r;
		if (memchr(address, '\n', (size_t)got))
			break;
	}
	close(bus_out);
	address[got > 0 ? got : 0] = '\0';
	address[strcspn(address, "\n")] = '\0';
	assert_true(address[0] != '\0');
	g_setenv("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
	g_autoptr(GDBusConnection) conn = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, NULL);
	assert_non_null(conn);
	g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml(notify_xml, NULL);
	assert_non_null(node);
	static const GDBusInterfaceVTable vtable = {notify_method, NULL, NULL, {0}};
	notify_server.summaries = g_ptr_array_new_with_free_func(g_free);
	guint reg = g_dbus_connection_register_object(conn, "/org/freedesktop/Notifications",
	                                              node->interfaces[0], &vtable, &notify_server,
	                                              NULL, NULL);
	assert_true(reg > 0);
	guint own = g_bus_own_name_on_connection(conn, "org.freedesktop.Notifications",
	                                         G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL);
	gf_plug(&fx, 0);
	gf_cli_flash(&fx, fx.pkg_old);
	gf_unplug(&fx);
	gf_plug(&fx, 0);
	settings_first_run_done();
	run_app(scenario_notify);
	g_bus_unown_name(own);
	g_dbus_connection_unregister_object(conn, reg);
	g_clear_pointer(&notify_server.summaries, g_ptr_array_unref);
	kill(bus_pid, SIGTERM);
	waitpid(bus_pid, NULL, 0);
	g_spawn_close_pid(bus_pid);
	g_unsetenv("DBUS_SESSION_BUS_ADDRESS");
}

/* ---- load: a device silent for seconds under a saturated CPU ------------ */

/* Saturate every CPU with stress-ng (Debian package) while the update runs;
 * 0 if stress-ng is not installed (the stall below still reproduces). */
static GPid start_cpu_hog(void)
{
	g_autofree char *prog = g_find_program_in_path("stress-ng");
	if (!prog) {
		g_printerr("stress-ng not found: running without the CPU load\n");
		return 0;
	}
	g_autofree char *workers = g_strdup_printf("%u", 2 * g_get_num_processors());
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_strv_builder_add_many(b, prog, "--cpu", workers, "--timeout", "90s", "--quiet", NULL);
	g_auto(GStrv) argv = g_strv_builder_end(b);
	GPid pid = 0;
	g_autoptr(GError) error = NULL;
	if (!g_spawn_async(NULL, argv, NULL,
	                   G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
	                   G_SPAWN_STDERR_TO_DEV_NULL,
	                   NULL, NULL, &pid, &error))
		g_error("cannot start stress-ng: %s", error->message);
	return pid;
}

static void stop_cpu_hog(GPid pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static void scenario_load(FwgApplication *app, GtkWindow *win)
{
	GPid hog = start_cpu_hog();
	expect(win, "Security update available", FOUND_MS);
	/* Starved while idle: it does not answer the scans for 8 s, but its
	 * port is there; it must not drop out of the list. */
	kill(fx.sim_pid, SIGSTOP);
	gh_settle(8000);
	kill(fx.sim_pid, SIGCONT);
	const char *early = fwg_log_get_text(fwg_application_get_log(app));
	if (strstr(early, "device disconnected"))
		fail_log(early, "a device that was only slow left the list (log above)");
	expect(win, "Security update available", 1000);
	gh_click(button(win, "Install Update"));
	ProgressArgs pa = {win, 0.25};
	assert_true(gh_wait(progress_reached, &pa, INSTALL_MS));
	assert_true(progress(win) < 0.9);
	/* The device is starved for 6 s (what a saturated machine did to it
	 * once, at 38 %): nothing was unplugged, so the update must go on. */
	kill(fx.sim_pid, SIGSTOP);
	gh_settle(6000);
	kill(fx.sim_pid, SIGCONT);
	expect(win, "Update Installed", INSTALL_MS);
	stop_cpu_hog(hog);
	expect(win, "now runs version 1.4.2", 1000);
	const char *log = fwg_log_get_text(fwg_application_get_log(app));
	if (strstr(log, "update failed"))
		fail_log(log, "the stall was reported as a failure (log above)");
}

static void test_load(void **state)
{
	(void)state;
	device_with_update(115200);
	settings_first_run_done();
	settings_set("auto-install-security", FALSE);
	run_app(scenario_load);
}

/* ---- unconfirmed: the new firmware runs but never confirms itself -------- */

static void scenario_unconfirmed(FwgApplication *app, GtkWindow *win)
{
	expect(win, "Security update available", FOUND_MS);
	gh_click(button(win, "Install Update"));
	/* The library waits up to 30 s for the new firmware to confirm. */
	expect(win, "Installed, Not Yet Confirmed", 90000);
	expect(win, "has not confirmed that it works", 1000);
	expect(win, "goes back to version 1.0.0 by itself", 1000);
	expect_not(win, "Update Installed");
	expect_not(win, "You can unplug the device now");
	const char *log = fwg_log_get_text(fwg_application_get_log(app));
	if (!strstr(log, "not confirmed by the firmware"))
		fail_log(log, "the log does not say the firmware did not confirm");
}

static void test_unconfirmed(void **state)
{
	(void)state;
	gf_plug(&fx, 0);
	gf_cli_flash(&fx, fx.pkg_old);
	gf_unplug(&fx);
	gf_put_in_folder(&fx, fx.pkg_security);
	fx.no_confirm = TRUE;
	gf_plug(&fx, 0);
	settings_first_run_done();
	settings_set("auto-install-security", FALSE);
	run_app(scenario_unconfirmed);
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
	device_with_update(115200);
	settings_first_run_done();
	settings_set("auto-install-security", FALSE);
	with_options = TRUE; /* --trust and --folder given, as a technician would */
	run_app(scenario_cancel);
}

/* ---- settings and technician details ----------------------------------- */

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
	/* Picked from the Downloads folder, where a user would have it. */
	gf_put_in_folder(&fx, fx.pkg_security);
	g_autofree char *picked = g_build_filename(fx.folder, "thermo-1.4.2.fwseal", NULL);
	g_autoptr(GFile) pkg = g_file_new_for_path(picked);
	fwg_window_open_file(FWG_WINDOW(win), pkg);
	expect(win, "Security update available", 10000);
	expect(win, "CVE-2026-31337", 1000);
	expect_no_text_tab_stops(win); /* the CVE line took the focus once */

	/* Technician details: the device-info record, the manifest, the log,
	 * and all of it on the clipboard. */
	gtk_widget_activate_action(GTK_WIDGET(win), "win.details", NULL);
	GtkWindow *details = wait_window(win, ADW_TYPE_WINDOW);
	g_autofree char *all = fwg_details_window_dup_text(FWG_DETAILS_WINDOW(details));
	assert_non_null(strstr(all, "serial number      " GF_SERIAL));
	assert_non_null(strstr(all, "security counter   3"));
	assert_non_null(strstr(all, "check              ok (signature, every block, suffix)"));
	assert_non_null(strstr(all, "cve                CVE-2026-31337"));
	assert_non_null(strstr(all, "device connected: serial:/dev/pts/"));
	assert_non_null(strstr(all, "file               ~/Downloads/thermo-1.4.2.fwseal"));
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
	assert_true(g_settings_get_boolean(settings, "auto-install-security"));
	assert_int_equal(g_settings_get_uint(settings, "auto-install-delay"), 60);
	g_action_group_activate_action(G_ACTION_GROUP(app), "preferences", NULL);
	GtkWindow *prefs = wait_window(win, ADW_TYPE_PREFERENCES_WINDOW);
	/* What is used without a setting: the defaults (the picture in the
	 * README shows them, before anything is changed below). */
	expect(prefs, "~/Downloads", 1000);
	expect(prefs, "~/.config/fwseal/trust.fwst", 1000);
	expect(prefs, "Automatic installs and notifications are active", 1000);
	gh_screenshot(prefs, "preferences");
	GtkWidget *sw = gh_find_row_switch(GTK_WIDGET(prefs),
	                                    "Install security updates automatically");
	assert_non_null(sw);
	assert_true(gtk_switch_get_active(GTK_SWITCH(sw)));
	gh_click(sw);
	gh_settle(50);
	assert_false(g_settings_get_boolean(settings, "auto-install-security"));
	gh_click(button(prefs, "Postpone 1 Day"));
	expect(prefs, "Postponed until", 2000);
	assert_true(fwg_application_is_postponed(app));
	gh_click(button(prefs, "Resume Now"));
	expect(prefs, "Automatic installs and notifications are active", 2000);
	assert_false(fwg_application_is_postponed(app));
	g_settings_sync();
	g_autofree char *keyfile = g_build_filename(g_getenv("XDG_CONFIG_HOME"), "glib-2.0",
	                                            "settings", "keyfile", NULL);
	g_autofree char *saved = NULL;
	assert_true(g_file_get_contents(keyfile, &saved, NULL, NULL));
	assert_non_null(strstr(saved, "auto-install-security=false"));
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
	settings_first_run_done();
	/* The simulator's own port, as the README's tour names it (the
	 * technician details show the device string). */
	g_autofree char *pty = g_file_read_link(fx.port, NULL);
	serial_port = pty;
	run_app(scenario_settings);
	serial_port = NULL;
}

/* ---- missing: a device the user may not open ------------------------------ */

/* Not "Connect a Device": the device is listed as title, with why and the
 * fix (the NULL-terminated lines), nothing can be installed on it, and its
 * text is no Tab stop. */
static void expect_cannot_open(GtkWindow *win, const char *title, const char *const *lines)
{
	expect(win, title, FOUND_MS);
	assert_string_equal(fwg_window_get_page(FWG_WINDOW(win)), "devices");
	expect_not(win, "Connect a Device");
	expect(win, "Cannot open", 1000);
	expect(win, "This device cannot be used yet", 1000);
	for (guint i = 0; lines[i]; i++)
		expect(win, lines[i], 1000);
	assert_false(action_enabled(win, "install"));
	expect_no_text_tab_stops(win);
}

static void scenario_missing(FwgApplication *app, GtkWindow *win)
{
	(void)app;
	const char *const lines[] = {"only members of the group “dialout” may open it",
	                             "then log out and back in", "sudo usermod -aG dialout nobody",
	                             NULL};
	expect_cannot_open(win, "Device on serial port pts/", lines);
	gh_screenshot(win, "missing");
	/* The command goes to the clipboard, for a terminal. */
	gh_click(button(win, "Copy Command"));
	ClipRead clip = {0};
	gdk_clipboard_read_text_async(gtk_widget_get_clipboard(GTK_WIDGET(win)), NULL,
	                              clip_read_done, &clip);
	assert_true(gh_wait(clip_done, &clip, 5000));
	assert_string_equal(clip.text, "sudo usermod -aG dialout nobody");
	g_free(clip.text);
	const char *log = fwg_log_get_text(fwg_application_get_log(app));
	if (!strstr(log, "device seen but not opened: serial:/dev/pts/"))
		fail_log(log, "the log does not record the device it could not open");
}

static void scenario_missing_fixed(FwgApplication *app, GtkWindow *win)
{
	(void)app;
	/* With the group: the device itself. */
	expect(win, GF_MODEL, FOUND_MS);
	expect(win, "No firmware installed yet", 1000);
	expect_not(win, "Cannot open");
}

/* Run this test again as the user nobody (setpriv), with or without the
 * group dialout: the enumerating process really lacks the permission. */
static int run_as_nobody(const char *port, gboolean with_group, const char *shots)
{
	g_autofree char *groups = g_strdup(with_group ? "--groups=dialout" : "--clear-groups");
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_strv_builder_add_many(b, "setpriv", "--reuid=nobody", "--regid=nogroup", groups, "--",
	                        self_path, "missing", NULL);
	g_auto(GStrv) argv = g_strv_builder_end(b);
	g_auto(GStrv) env = g_get_environ();
	env = g_environ_setenv(env, "FWG_TEST_INNER", gh_tmpdir(), TRUE);
	env = g_environ_setenv(env, "FWG_TEST_PORT", port, TRUE);
	env = g_environ_setenv(env, "FWG_TEST_GROUP", with_group ? "1" : "0", TRUE);
	env = g_environ_setenv(env, "FWG_SCREENSHOT_DIR", shots, TRUE);
	int status = 0;
	g_autoptr(GError) error = NULL;
	if (!g_spawn_sync(NULL, argv, env, G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN, NULL,
	                  NULL, NULL, NULL, &status, &error))
		fail_msg("cannot run setpriv: %s", error->message);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static void test_missing(void **state)
{
	(void)state;
	const char *inner = g_getenv("FWG_TEST_INNER");
	if (inner) {
		serial_port = g_getenv("FWG_TEST_PORT");
		settings_first_run_done();
		run_app(g_str_equal(g_getenv("FWG_TEST_GROUP"), "1") ? scenario_missing_fixed
		                                                      : scenario_missing);
		return;
	}
	g_autofree char *setpriv = g_find_program_in_path("setpriv");
	if (geteuid() != 0 || !setpriv) {
		g_printerr("needs root and setpriv to make a permission problem\n");
		skip();
	}
	gf_plug(&fx, 0);
	/* The pty as udev leaves /dev/ttyUSB0: root:dialout, 0660. */
	g_autofree char *port = g_file_read_link(fx.port, NULL);
	assert_non_null(port);
	struct group *dialout = getgrnam("dialout");
	if (!dialout || !getpwnam("nobody")) {
		g_printerr("needs the group dialout and the user nobody\n");
		skip();
	}
	assert_int_equal(chown(port, 0, dialout->gr_gid), 0);
	assert_int_equal(chmod(port, 0660), 0);
	/* nobody reads the fixture, writes caches and screenshots here */
	g_autofree char *shots = g_build_filename(gh_tmpdir(), "shots", NULL);
	g_autofree char *cache = g_build_filename(gh_tmpdir(), ".cache", NULL);
	g_mkdir_with_parents(shots, 0777);
	g_mkdir_with_parents(cache, 0777);
	assert_int_equal(chmod(shots, 0777), 0);
	assert_int_equal(chmod(cache, 0777), 0);
	assert_int_equal(chmod(gh_tmpdir(), 0755), 0);
	assert_int_equal(chmod(fx.dir, 0755), 0);
	int rc = run_as_nobody(port, FALSE, shots);
	if (rc == 77)
		skip();
	assert_int_equal(rc, 0);
	assert_int_equal(run_as_nobody(port, TRUE, shots), 0);
	/* The picture to where the other scenarios put theirs. */
	const char *dir = g_getenv("FWG_SCREENSHOT_DIR");
	g_autofree char *png = g_build_filename(shots, "missing.png", NULL);
	if (dir && *dir && g_file_test(png, G_FILE_TEST_EXISTS)) {
		g_autofree char *dst = g_build_filename(dir, "missing.png", NULL);
		g_autoptr(GFile) from = g_file_new_for_path(png);
		g_autoptr(GFile) to = g_file_new_for_path(dst);
		g_mkdir_with_parents(dir, 0755);
		assert_true(g_file_copy(from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
	}
}

/* ---- missing-usb: a USB device the user may not open ----------------------- */

static void scenario_missing_usb(FwgApplication *app, GtkWindow *win)
{
	/* Its usbfs node is no group's: the udev rule is the fix. */
	const char *const lines[] = {"No permission to open the USB device at ", "70-fwseal.rules",
	                             "sudo udevadm control --reload", NULL};
	expect_cannot_open(win, "USB device", lines);
	const char *log = fwg_log_get_text(fwg_application_get_log(app));
	if (!strstr(log, "device seen but not opened: usb:"))
		fail_log(log, "the log does not record the USB device it could not open");
}

static void test_missing_usb(void **state)
{
	(void)state;
	if (g_getenv("FWG_TEST_INNER")) {
		/* As nobody, inside fwseal-sim --usb (which runs as nobody too, so
		 * the emulation's files are nobody's): its usbfs nodes made
		 * unreadable, as they are without fwseal's udev rule. */
		const char *um = g_getenv("UMOCKDEV_DIR");
		assert_non_null(um);
		g_autofree char *bus = g_build_filename(um, "dev", "bus", "usb", NULL);
		g_autoptr(GDir) d = g_dir_open(bus, 0, NULL);
		assert_non_null(d);
		guint nodes = 0;
		for (const char *b; (b = g_dir_read_name(d));) {
			g_autofree char *bdir = g_build_filename(bus, b, NULL);
			g_autoptr(GDir) dd = g_dir_open(bdir, 0, NULL);
			for (const char *n; dd && (n = g_dir_read_name(dd));) {
				g_autofree char *node = g_build_filename(bdir, n, NULL);
				assert_int_equal(chmod(node, 0), 0);
				nodes++;
			}
		}
		assert_true(nodes > 0);
		with_serial = FALSE;
		settings_first_run_done();
		run_app(scenario_missing_usb);
		return;
	}
	g_autofree char *setpriv = g_find_program_in_path("setpriv");
	if (geteuid() != 0 || !setpriv) {
		g_printerr("needs root and setpriv to make a permission problem\n");
		skip();
	}
	struct passwd *nobody = getpwnam("nobody");
	if (!nobody) {
		g_printerr("needs the user nobody\n");
		skip();
	}
	/* nobody runs the simulator (its state and the trust store) and the app */
	g_autofree char *cache = g_build_filename(gh_tmpdir(), ".cache", NULL);
	g_mkdir_with_parents(cache, 0777);
	assert_int_equal(chmod(cache, 0777), 0);
	assert_int_equal(chmod(gh_tmpdir(), 0755), 0);
	assert_int_equal(chmod(fx.dir, 0755), 0);
	assert_int_equal(chown(fx.state, nobody->pw_uid, nobody->pw_gid), 0);
	assert_int_equal(chmod(fx.trust, 0644), 0);
	const char *as_nobody[] = {setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups",
	                           "--", NULL};
	const char *argv[] = {self_path, "missing-usb", NULL};
	g_setenv("FWG_TEST_INNER", gh_tmpdir(), TRUE);
	int rc = gf_run_on_usb(&fx, as_nobody, argv);
	g_unsetenv("FWG_TEST_INNER");
	if (rc == 77)
		skip();
	assert_int_equal(rc, 0);
}

/* ---- german: the app starts and speaks German under LANG=de_DE.UTF-8 ------- */

/* Fail if anything on screen is English text the catalogue translates: a
 * label (with its mnemonic) equal to a msgid with a translation. */
static void expect_no_english(GtkWidget *w)
{
	if (!gtk_widget_get_mapped(w))
		return;
	if (GTK_IS_LABEL(w)) {
		const char *label = gtk_label_get_label(GTK_LABEL(w));
		const char *text = gtk_label_get_text(GTK_LABEL(w));
		if ((*label && g_dgettext("fwseal", label) != label) ||
		    (*text && g_dgettext("fwseal", text) != text))
			fail_msg("untranslated text on screen: \"%s\"", label);
	}
	for (GtkWidget *c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c))
		expect_no_english(c);
}

static void scenario_german(FwgApplication *app, GtkWindow *win)
{
	(void)app;
	GtkWindow *d = wait_window(win, ADW_TYPE_MESSAGE_DIALOG);
	expect(d, "Sicherheitsaktualisierungen automatisch installieren?", 2000);
	expect(d, "installiert sie nach 60 Sekunden", 1000);
	expect_no_english(GTK_WIDGET(d));
	gh_click(button(d, "Automatisch installieren"));
	gh_settle(100);

	expect(win, "Seriennummer " GF_SERIAL " · Serieller Anschluss ttyUSB0", FOUND_MS);
	expect(win, "Erhält Sicherheitsaktualisierungen bis 31. Dezember 2029.", 1000);
	expect(win, "Keine Aktualisierung für dieses Gerät gefunden", 5000);
	expect_no_english(GTK_WIDGET(win));

	gf_put_in_folder(&fx, fx.pkg_security);
	expect(win, "Sicherheitsaktualisierung verfügbar", 10000);
	expect(win, "Schweregrad: Hoch", 1000);
	expect(win, "Sekunden automatisch installiert", 2000);
	expect(win, "startet am Ende neu und funktioniert etwa 30 Sekunden lang nicht", 1000);
	expect_no_english(GTK_WIDGET(win));
	gh_screenshot(win, "de-security-notice");

	gh_click(button(win, "Jetzt installieren"));
	expect(win, "Aktualisierung installiert", INSTALL_MS);
	expect(win, "Auf " GF_MODEL " läuft jetzt Version 1.4.2.", 1000);
	expect_no_english(GTK_WIDGET(win));
}

static void test_german(void **state)
{
	(void)state;
	/* The device first: its programs do not get the German environment
	 * (glibc's setlocale keeps a LOCPATH string for good, which LSan in
	 * the ASan build would count against them). */
	gf_plug(&fx, 0);
	gf_cli_flash(&fx, fx.pkg_old);
	/* A German locale without root: compiled into the test's folder. */
	g_autofree char *locales = g_build_filename(gh_tmpdir(), "locale", NULL);
	g_autofree char *de = g_build_filename(locales, "de_DE.UTF-8", NULL);
	g_mkdir_with_parents(locales, 0755);
	const char *argv[] = {"localedef", "-i", "de_DE", "-f", "UTF-8", de, NULL};
	int status = 1;
	if (!g_spawn_sync(NULL, (char **)(uintptr_t)argv, NULL,
	                  G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
	                  G_SPAWN_STDERR_TO_DEV_NULL,
	                  NULL, NULL, NULL, NULL, &status, NULL) ||
	    !g_spawn_check_wait_status(status, NULL)) {
		g_printerr("localedef cannot make de_DE.UTF-8 (Debian package 'locales')\n");
		skip();
	}
	g_setenv("LOCPATH", locales, TRUE);
	g_setenv("LANG", "de_DE.UTF-8", TRUE);
	g_setenv("LC_ALL", "de_DE.UTF-8", TRUE);
	g_unsetenv("LANGUAGE");
	assert_non_null(setlocale(LC_ALL, ""));
	/* What main() does: the build's catalogues (FWSEAL_LOCALEDIR). */
	const char *dir = g_getenv("FWSEAL_LOCALEDIR");
	assert_non_null(dir);
	bindtextdomain("fwseal", dir);
	bind_textdomain_codeset("fwseal", "UTF-8");
	assert_string_equal(g_dgettext("fwseal", "Connect a Device"), "Ein Gerät anschließen");
	run_app(scenario_german); /* the defaults, as a German user starts it */
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
		int rc = gf_run_on_usb(&fx, NULL, argv);
		g_unsetenv("FWG_TEST_INNER");
		if (rc == 77)
			skip();
		assert_int_equal(rc, 0);
		return;
	}
	with_serial = FALSE;
	settings_first_run_done();
	settings_set("auto-install-security", FALSE);
	run_app(scenario_usb);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		g_printerr("usage: %s update|refused|unplug|cancel|usb|settings|consent|ask|automatic|load|"
		           "missing|missing-usb|notify|german|unconfirmed|changed|keys|revoked\n",
		           argv[0]);
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
		cmocka_unit_test(test_changed),
		cmocka_unit_test(test_consent),
		cmocka_unit_test(test_ask),
		cmocka_unit_test(test_automatic),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_missing_usb),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_german),
		cmocka_unit_test(test_unconfirmed),
	};
	g_autofree char *filter = g_strconcat("test_", argv[1], NULL);
	g_strdelimit(filter, "-", '_'); /* missing-usb: test_missing_usb */
	cmocka_set_test_filter(filter);
	int rc = cmocka_run_group_tests_name(argv[1], tests, NULL, NULL);
	gf_teardown(&fx);
	gh_teardown();
	return rc;
}
