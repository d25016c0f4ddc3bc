/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-window.c - see fwg-window.h. */
#include "fwg-config.h"

#include <string.h>

#include "fwg-i18n.h"

#include "fwg-details-window.h"
#include "fwg-device-row.h"
#include "fwg-installer.h"
#include "fwg-progress-page.h"
#include "fwg-result-page.h"
#include "fwg-update-page.h"
#include "fwg-window.h"

struct _FwgWindow {
	AdwApplicationWindow parent_instance;

	/* template */
	AdwToastOverlay *toast_overlay;
	GtkStack *stack;
	GtkListBox *device_list;
	FwgUpdatePage *update_page;
	FwgProgressPage *progress_page;
	FwgResultPage *result_page;
	AdwStatusPage *empty_page;

	FwgApplication *app;        /* not owned: the app outlives its windows */
	FwgDevice *selected;
	char *selected_id;          /* to select the same device after a replug */
	FwgPackage *chosen;         /* a package the user picked (over the catalog's) */
	GCancellable *load_cancellable;
	gboolean loading;

	FwgInstaller *installer;    /* the running or last update */
	GCancellable *install_cancellable;
	gboolean installing;
	gboolean showing_result;
	char *last_device_id;       /* for Resume / Try Again */
	FwgPackage *last_package;

	/* The countdown of an automatic security update (on the update page). */
	guint countdown_timer;
	gint64 countdown_deadline;  /* monotonic, us */
	FwgDevice *countdown_device;
	FwgPackage *countdown_package;

	GtkFileChooserNative *chooser;
	GtkWidget *details;         /* weak */
};

G_DEFINE_FINAL_TYPE(FwgWindow, fwg_window, ADW_TYPE_APPLICATION_WINDOW)

static void refresh(FwgWindow *self);
static void install(FwgWindow *self, FwgDevice *device, FwgPackage *package);

static FwgLog *log_of(FwgWindow *self)
{
	return fwg_application_get_log(self->app);
}

static FwgDeviceMonitor *monitor_of(FwgWindow *self)
{
	return fwg_application_get_monitor(self->app);
}

void fwg_window_toast(FwgWindow *self, const char *text)
{
	/* Toast titles are Pango markup; text may carry a device's name. */
	g_autofree char *markup = g_markup_escape_text(text, -1);
	AdwToast *t = adw_toast_new(markup);
	adw_toast_set_timeout(t, 5);
	adw_toast_overlay_add_toast(self->toast_overlay, t);
}

const char *fwg_window_get_page(FwgWindow *self)
{
	return gtk_stack_get_visible_child_name(self->stack);
}

gboolean fwg_window_shows_device(FwgWindow *self, FwgDevice *device)
{
	return self->selected == device && g_str_equal(fwg_window_get_page(self), "devices") &&
	       gtk_widget_get_mapped(GTK_WIDGET(self));
}

static void enable(FwgWindow *self, const char *name, gboolean on)
{
	GAction *a = g_action_map_lookup_action(G_ACTION_MAP(self), name);
	g_simple_action_set_enabled(G_SIMPLE_ACTION(a), on);
}

/* The package the update page is about for the selected device. */
static FwgPackage *current_package(FwgWindow *self)
{
	if (self->chosen)
		return self->chosen;
	return self->selected ? fwg_device_get_update(self->selected) : NULL;
}

static gboolean can_install_now(FwgWindow *self, FwgDevice **dev, FwgPackage **pkg)
{
	if (self->installing)
		return FALSE;
	if (self->showing_result) {
		/* Resume / Try Again: the same package on the same device,
		 * which may have been unplugged and plugged back in. */
		FwgDevice *d = self->last_device_id
			? fwg_device_monitor_find(monitor_of(self), self->last_device_id)
			: NULL;
		if (!d || !self->last_package)
			return FALSE;
		*dev = d;
		*pkg = self->last_package;
		return TRUE;
	}
	FwgPackage *p = current_package(self);
	if (!self->selected || !p || self->loading || fwg_device_get_problem(self->selected) ||
	    !fwg_package_check_fits(p, fwg_device_get_info(self->selected), NULL))
		return FALSE;
	*dev = self->selected;
	*pkg = p;
	return TRUE;
}

static void refresh_update_page(FwgWindow *self)
{
	FwgCatalog *catalog = fwg_application_get_catalog(self->app);
	if (self->loading) {
		fwg_update_page_show_checking(self->update_page);
		return;
	}
	if (!self->selected) {
		fwg_update_page_show_none(self->update_page, fwg_catalog_get_folder(catalog));
		return;
	}
	if (fwg_device_get_problem(self->selected)) {
		/* Seen, not opened: why, and what fixes it (a chosen package
		 * waits for a device that can be opened). */
		fwg_update_page_show_unusable(self->update_page, self->selected);
		return;
	}
	if (self->chosen) {
		g_autoptr(GError) why = NULL;
		if (fwg_package_check_fits(self->chosen, fwg_device_get_info(self->selected), &why))
			fwg_update_page_show_ready(self->update_page, self->selected, self->chosen);
		else
			fwg_update_page_show_refused(self->update_page, self->chosen, why);
		return;
	}
	FwgPackage *update = fwg_device_get_update(self->selected);
	if (update)
		fwg_update_page_show_ready(self->update_page, self->selected, update);
	else
		fwg_update_page_show_none(self->update_page, fwg_catalog_get_folder(catalog));
}

/* No device connected: say what to do, and about a package already chosen. */
static void refresh_empty_page(FwgWindow *self)
{
	g_autofree char *text = NULL;
	if (self->loading) {
		text = g_strdup(_("Checking the update package…"));
	} else if (self->chosen && fwg_package_get_problem(self->chosen)) {
		text = g_strdup_printf(_("The package you chose cannot be installed. %s"),
		                       fwg_package_get_problem(self->chosen)->message);
	} else if (self->chosen) {
		const fws_manifest *m = fwg_package_get_manifest(self->chosen);
		text = g_strdup_printf(_("Plug in the %s to install version %s. It appears here by "
		                         "itself."), m->model, m->version);
	} else {
		text = g_strdup(_("Plug the device in with its USB or serial cable. It appears here "
		                  "by itself."));
	}
	/* The description is Pango markup; the text may carry a device's or a
	 * file's name. */
	g_autofree char *text_markup = g_markup_escape_text(text, -1);
	adw_status_page_set_description(self->empty_page, text_markup);
}

/* ---- the countdown of an automatic security update ---------------------- */

static void stop_countdown(FwgWindow *self)
{
	if (!self->countdown_timer)
		return;
	g_clear_handle_id(&self->countdown_timer, g_source_remove);
	g_clear_object(&self->countdown_device);
	g_clear_object(&self->countdown_package);
	fwg_update_page_set_countdown(self->update_page, -1);
}

static guint countdown_left(FwgWindow *self)
{
	gint64 us = self->countdown_deadline - g_get_monotonic_time();
	return us <= 0 ? 0 : (guint)((us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

static gboolean on_countdown_tick(gpointer data)
{
	FwgWindow *self = data;
	guint left = countdown_left(self);
	if (left > 0) {
		fwg_update_page_set_countdown(self->update_page, (int)left);
		return G_SOURCE_CONTINUE;
	}
	self->countdown_timer = 0;
	g_autoptr(FwgDevice) device = g_steal_pointer(&self->countdown_device);
	g_autoptr(FwgPackage) package = g_steal_pointer(&self->countdown_package);
	fwg_update_page_set_countdown(self->update_page, -1);
	fwg_log_add(log_of(self), "installing automatically: the countdown on the update page "
	            "ran out (setting “install security updates automatically”)");
	install(self, device, package);
	return G_SOURCE_REMOVE;
}

/* Runs exactly while the update page shows a security update that may
 * install by itself: the page is on screen, nothing else is going on, the
 * package is the one the app found for the device (not one the user just
 * picked: that one waits for the user's own click). */
static void update_countdown(FwgWindow *self, const char *page)
{
	FwgDevice *d = self->selected;
	FwgPackage *p = d && !self->chosen ? fwg_device_get_update(d) : NULL;
	FwgDevice *dev = NULL;
	FwgPackage *pkg = NULL;
	gboolean eligible = p && g_str_equal(page, "devices") && !self->installing &&
	                    !self->showing_result && !self->loading &&
	                    gtk_widget_get_mapped(GTK_WIDGET(self)) &&
	                    g_str_equal(fwg_update_page_get_state(self->update_page), "ready") &&
	                    can_install_now(self, &dev, &pkg) && dev == d && pkg == p &&
	                    fwg_application_auto_install_allowed(self->app, d, p);
	if (!eligible) {
		if (self->countdown_timer)
			fwg_log_add(log_of(self), "countdown stopped: the update page is no longer "
			            "shown or automatic installation is no longer allowed");
		stop_countdown(self);
		return;
	}
	if (self->countdown_timer && self->countdown_device == d && self->countdown_package == p)
		return; /* running */
	stop_countdown(self);
	guint delay = fwg_application_get_auto_delay(self->app);
	self->countdown_deadline = g_get_monotonic_time() + (gint64)delay * G_USEC_PER_SEC;
	self->countdown_device = g_object_ref(d);
	self->countdown_package = g_object_ref(p);
	self->countdown_timer = g_timeout_add(250, on_countdown_tick, self);
	fwg_update_page_set_countdown(self->update_page, (int)delay);
	fwg_log_add(log_of(self), "security update %s for %s shown; installs by itself in %u s "
	            "unless postponed", fwg_package_get_manifest(p)->version, fwg_device_get_id(d),
	            delay);
}

static void refresh(FwgWindow *self)
{
	guint n = g_list_model_get_n_items(fwg_device_monitor_get_devices(monitor_of(self)));
	const char *page;
	if (self->installing)
		page = "progress";
	else if (self->showing_result)
		page = "result";
	else if (n == 0)
		page = "empty";
	else
		page = "devices";
	if (g_str_equal(page, "result"))
		fwg_result_page_set_device_present(
			self->result_page,
			self->last_device_id &&
				fwg_device_monitor_find(monitor_of(self), self->last_device_id));
	if (g_str_equal(page, "devices"))
		refresh_update_page(self);
	else if (g_str_equal(page, "empty"))
		refresh_empty_page(self);
	gtk_widget_set_visible(GTK_WIDGET(self->device_list), n > 0);
	gtk_stack_set_visible_child_name(self->stack, page);

	FwgDevice *d = NULL;
	FwgPackage *p = NULL;
	enable(self, "install", can_install_now(self, &d, &p));
	enable(self, "open", !self->installing);
	enable(self, "cancel", self->installing && fwg_installer_get_can_cancel(self->installer));
	enable(self, "done", self->showing_result);
	update_countdown(self, page);
	enable(self, "postpone", self->countdown_timer != 0);
	if (self->details)
		fwg_details_window_set_subject(FWG_DETAILS_WINDOW(self->details),
		                               self->installing ? fwg_installer_get_device(self->installer)
		                                                : self->selected,
		                               self->installing ? fwg_installer_get_package(self->installer)
		                                                : current_package(self));
}

/* ---- device list ------------------------------------------------------- */

static GtkWidget *create_row(gpointer item, gpointer data)
{
	(void)data;
	return fwg_device_row_new(FWG_DEVICE(item));
}

static void select_device(FwgWindow *self, FwgDevice *device)
{
	if (self->selected == device)
		return;
	if (self->selected)
		g_signal_handlers_disconnect_by_data(self->selected, self);
	g_set_object(&self->selected, device);
	if (device) {
		g_free(self->selected_id);
		self->selected_id = g_strdup(fwg_device_get_id(device));
		g_signal_connect_swapped(device, "notify::info", G_CALLBACK(refresh), self);
		g_signal_connect_swapped(device, "notify::update", G_CALLBACK(refresh), self);
	}
	/* Keep the list's selection in step. */
	GListModel *model = fwg_device_monitor_get_devices(monitor_of(self));
	for (guint i = 0; device && i < g_list_model_get_n_items(model); i++) {
		g_autoptr(FwgDevice) d = g_list_model_get_item(model, i);
		if (d == device) {
			GtkListBoxRow *row = gtk_list_box_get_row_at_index(self->device_list, (int)i);
			if (row && gtk_list_box_get_selected_row(self->device_list) != row)
				gtk_list_box_select_row(self->device_list, row);
		}
	}
}

static void on_row_selected(GtkListBox *box, GtkListBoxRow *row, gpointer data)
{
	(void)box;
	FwgWindow *self = data;
	if (!row)
		return;
	select_device(self, fwg_device_row_get_device(FWG_DEVICE_ROW(row)));
	refresh(self);
}

static void on_devices_changed(GListModel *model, guint pos, guint removed, guint added,
                               gpointer data)
{
	(void)pos;
	(void)removed;
	(void)added;
	FwgWindow *self = data;
	FwgDevice *keep = NULL;
	guint n = g_list_model_get_n_items(model);
	for (guint i = 0; i < n && !keep; i++) {
		g_autoptr(FwgDevice) d = g_list_model_get_item(model, i);
		if (d == self->selected ||
		    (self->selected_id && strcmp(fwg_device_get_id(d), self->selected_id) == 0))
			keep = d;
	}
	if (!keep && n > 0) {
		g_autoptr(FwgDevice) first = g_list_model_get_item(model, 0);
		keep = first;
	}
	if (keep) {
		select_device(self, keep);
	} else if (self->selected) {
		g_signal_handlers_disconnect_by_data(self->selected, self);
		g_clear_object(&self->selected);
	}
	refresh(self);
}

/* ---- opening a package ------------------------------------------------- */

static FwgDevice *device_for(FwgWindow *self, FwgPackage *pkg)
{
	if (self->selected && fwg_package_check_fits(pkg, fwg_device_get_info(self->selected), NULL))
		return self->selected;
	GListModel *model = fwg_device_monitor_get_devices(monitor_of(self));
	for (guint i = 0; i < g_list_model_get_n_items(model); i++) {
		g_autoptr(FwgDevice) d = g_list_model_get_item(model, i);
		if (fwg_package_check_fits(pkg, fwg_device_get_info(d), NULL))
			return d;
	}
	return NULL;
}

static void load_done(GObject *source, GAsyncResult *res, gpointer data)
{
	(void)source;
	FwgWindow *self = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(FwgPackage) pkg = fwg_package_load_finish(res, &error);
	if (!pkg) {
		/* Cancelled: a newer choice replaced this one, or the window
		 * closed. */
		g_object_unref(self);
		return;
	}
	self->loading = FALSE;
	g_set_object(&self->chosen, pkg);
	g_autofree char *path = g_file_get_path(fwg_package_get_file(pkg));
	const GError *problem = fwg_package_get_problem(pkg);
	if (problem) {
		fwg_log_add(log_of(self), "package %s refused: %s", path, problem->message);
	} else {
		const fws_manifest *m = fwg_package_get_manifest(pkg);
		fwg_log_add(log_of(self), "package %s verified: %s version %s", path, m->model,
		            m->version);
		FwgDevice *d = device_for(self, pkg);
		if (d)
			select_device(self, d);
	}
	refresh(self);
	g_object_unref(self);
}

void fwg_window_open_file(FwgWindow *self, GFile *file)
{
	g_return_if_fail(FWG_IS_WINDOW(self));
	if (self->installing)
		return;
	g_cancellable_cancel(self->load_cancellable);
	g_clear_object(&self->load_cancellable);
	self->load_cancellable = g_cancellable_new();
	self->loading = TRUE;
	self->showing_result = FALSE;
	g_autofree char *path = g_file_get_path(file);
	fwg_log_add(log_of(self), "opening package %s", path ? path : "(not a local file)");
	refresh(self);
	fwg_package_load_async(file, fwg_application_get_trust(self->app), self->load_cancellable,
	                       load_done, g_object_ref(self));
}

static void on_chooser_response(GtkNativeDialog *d, int response, gpointer data)
{
	FwgWindow *self = data;
	if (response == GTK_RESPONSE_ACCEPT) {
		g_autoptr(GFile) f = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(d));
		if (f)
			fwg_window_open_file(self, f);
	}
	g_clear_object(&self->chooser);
}

static void on_open(GSimpleAction *a, GVariant *p, gpointer data)
{
	(void)a;
	(void)p;
	FwgWindow *self = data;
	if (self->chooser)
		return;
	self->chooser = gtk_file_chooser_native_new(_("Open Update Package"), GTK_WINDOW(self),
	                                            GTK_FILE_CHOOSER_ACTION_OPEN, NULL, NULL);
	g_autoptr(GtkFileFilter) filter = gtk_file_filter_new();
	gtk_file_filter_set_name(filter, _("Update packages"));
	gtk_file_filter_add_pattern(filter, "*.fwseal");
	gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(self->chooser), filter);
	GFile *folder = fwg_catalog_get_folder(fwg_application_get_catalog(self->app));
	if (folder)
		gtk_file_chooser_set_current_folder(GTK_FILE_CHOOSER(self->chooser), folder, NULL);
	gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(self->chooser), TRUE);
	g_signal_connect(self->chooser, "response", G_CALLBACK(on_chooser_response), self);
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(self->chooser));
}

static gboolean on_drop(GtkDropTarget *t, const GValue *value, double x, double y,
                        gpointer data)
{
	(void)t;
	(void)x;
	(void)y;
	FwgWindow *self = data;
	if (!G_VALUE_HOLDS(value, G_TYPE_FILE) || self->installing)
		return FALSE;
	fwg_window_open_file(self, g_value_get_object(value));
	return TRUE;
}

/* ---- installing -------------------------------------------------------- */

static void on_install_progress(FwgInstaller *in, gpointer data)
{
	(void)in;
	FwgWindow *self = data;
	enable(self, "cancel", self->installing && fwg_installer_get_can_cancel(self->installer));
}

static void install_done(GObject *source, GAsyncResult *res, gpointer data)
{
	FwgWindow *self = data;
	FwgInstaller *in = FWG_INSTALLER(source);
	g_autoptr(GError) error = NULL;
	gboolean ok = fwg_installer_run_finish(in, res, &error);
	FwgDevice *dev = fwg_installer_get_device(in);
	self->installing = FALSE;
	fwg_device_set_busy(dev, FALSE);
	fwg_device_monitor_release(monitor_of(self));
	g_signal_handlers_disconnect_by_data(in, self);
	fwg_progress_page_set_installer(self->progress_page, NULL);
	if (ok) {
		fwg_device_set_info(dev, fwg_installer_get_after(in));
		if (self->chosen == fwg_installer_get_package(in))
			g_clear_object(&self->chosen);
		fwg_result_page_show_success(self->result_page, in);
	} else {
		fwg_result_page_show_failure(self->result_page, in, error);
	}
	self->showing_result = TRUE;
	refresh(self);
	fwg_device_monitor_rescan(monitor_of(self));
	g_object_unref(self);
}

static gboolean start_install(gpointer data)
{
	FwgWindow *self = data;
	fwg_installer_run_async(self->installer, self->install_cancellable, install_done,
	                        g_object_ref(self));
	return G_SOURCE_REMOVE;
}

static void install(FwgWindow *self, FwgDevice *device, FwgPackage *package)
{
	if (self->installing)
		return;
	g_clear_object(&self->installer);
	self->installer = fwg_installer_new(device, package, log_of(self));
	g_clear_object(&self->install_cancellable);
	self->install_cancellable = g_cancellable_new();
	g_free(self->last_device_id);
	self->last_device_id = g_strdup(fwg_device_get_id(device));
	g_set_object(&self->last_package, package);
	stop_countdown(self);
	fwg_application_note_install(self->app, device, package);
	self->installing = TRUE;
	self->showing_result = FALSE;
	fwg_device_set_busy(device, TRUE);
	g_signal_connect(self->installer, "progress", G_CALLBACK(on_install_progress), self);
	fwg_progress_page_set_installer(self->progress_page, self->installer);
	refresh(self);
	/* Wait until no device scan is probing the port, then start. */
	fwg_device_monitor_hold(monitor_of(self), start_install, self);
}

static void on_install(GSimpleAction *a, GVariant *p, gpointer data)
{
	(void)a;
	(void)p;
	FwgWindow *self = data;
	FwgDevice *d = NULL;
	FwgPackage *pkg = NULL;
	if (can_install_now(self, &d, &pkg))
		install(self, d, pkg);
}

void fwg_window_offer_update(FwgWindow *self, FwgDevice *device, FwgPackage *package)
{
	if (self->installing || self->showing_result || self->loading || self->chosen ||
	    (self->countdown_timer && self->countdown_device != device)) {
		fwg_log_add(log_of(self), "security update for %s: the window is busy; its countdown "
		            "starts when its page is shown", fwg_device_get_id(device));
		return;
	}
	(void)package; /* the device's update; refresh() finds it there */
	select_device(self, device);
	refresh(self);
}

void fwg_window_refresh(FwgWindow *self)
{
	g_return_if_fail(FWG_IS_WINDOW(self));
	refresh(self);
}

static void on_postpone(GSimpleAction *a, GVariant *p, gpointer data)
{
	(void)a;
	(void)p;
	FwgWindow *self = data;
	if (!self->countdown_timer)
		return;
	fwg_log_add(log_of(self), "automatic updates postponed by the user (countdown stopped)");
	stop_countdown(self);
	fwg_application_postpone(self->app); /* the setting change refreshes the page */
	fwg_window_toast(self, _("Automatic updates are postponed for a day. You can still "
	                         "install this update yourself."));
}

static void on_cancel(GSimpleAction *a, GVariant *p, gpointer data)
{
	(void)a;
	(void)p;
	FwgWindow *self = data;
	if (!self->installing || !fwg_installer_get_can_cancel(self->installer))
		return;
	fwg_log_add(log_of(self), "cancel requested");
	g_cancellable_cancel(self->install_cancellable);
	fwg_progress_page_set_cancelling(self->progress_page);
	enable(self, "cancel", FALSE);
}

static void on_done(GSimpleAction *a, GVariant *p, gpointer data)
{
	(void)a;
	(void)p;
	FwgWindow *self = data;
	self->showing_result = FALSE;
	refresh(self);
}

static void on_details_destroyed(gpointer data, GObject *where)
{
	(void)where;
	FwgWindow *self = data;
	self->details = NULL;
}

static void on_details(GSimpleAction *a, GVariant *p, gpointer data)
{
	(void)a;
	(void)p;
	FwgWindow *self = data;
	if (!self->details) {
		self->details = fwg_details_window_new(GTK_WINDOW(self), log_of(self));
		g_object_weak_ref(G_OBJECT(self->details), on_details_destroyed, self);
	}
	FwgDevice *d = self->installer && !self->selected ? fwg_installer_get_device(self->installer)
	                                                  : self->selected;
	FwgPackage *pkg = current_package(self);
	if (!pkg && self->installer)
		pkg = fwg_installer_get_package(self->installer);
	fwg_details_window_set_subject(FWG_DETAILS_WINDOW(self->details), d, pkg);
	gtk_window_present(GTK_WINDOW(self->details));
}

static const GActionEntry win_actions[] = {
	{.name = "open", .activate = on_open},
	{.name = "install", .activate = on_install},
	{.name = "postpone", .activate = on_postpone},
	{.name = "cancel", .activate = on_cancel},
	{.name = "done", .activate = on_done},
	{.name = "details", .activate = on_details},
};

static gboolean on_close_request(GtkWindow *w, gpointer data)
{
	(void)w;
	FwgWindow *self = data;
	if (!self->installing)
		return FALSE;
	fwg_window_toast(self, _("Wait until the update has finished, or cancel it first."));
	return TRUE;
}

/* ---- life cycle -------------------------------------------------------- */

static void on_mapped(GtkWidget *w, gpointer data)
{
	(void)data;
	FwgWindow *self = FWG_WINDOW(w);
	if (self->app && !gtk_widget_in_destruction(w))
		refresh(self);
}

static void fwg_window_dispose(GObject *object)
{
	FwgWindow *self = FWG_WINDOW(object);
	g_cancellable_cancel(self->load_cancellable);
	g_clear_object(&self->load_cancellable);
	g_clear_handle_id(&self->countdown_timer, g_source_remove);
	g_clear_object(&self->countdown_device);
	g_clear_object(&self->countdown_package);
	if (self->app) {
		g_signal_handlers_disconnect_by_data(
			fwg_device_monitor_get_devices(monitor_of(self)), self);
		g_signal_handlers_disconnect_by_data(fwg_application_get_catalog(self->app), self);
	}
	if (self->selected)
		g_signal_handlers_disconnect_by_data(self->selected, self);
	g_clear_object(&self->selected);
	g_clear_object(&self->chosen);
	if (self->installer)
		g_signal_handlers_disconnect_by_data(self->installer, self);
	g_clear_object(&self->installer);
	g_clear_object(&self->install_cancellable);
	g_clear_object(&self->last_package);
	if (self->chooser)
		gtk_native_dialog_destroy(GTK_NATIVE_DIALOG(self->chooser));
	g_clear_object(&self->chooser);
	if (self->details) {
		g_object_weak_unref(G_OBJECT(self->details), on_details_destroyed, self);
		gtk_window_destroy(GTK_WINDOW(self->details));
		self->details = NULL;
	}
	gtk_widget_dispose_template(GTK_WIDGET(self), FWG_TYPE_WINDOW);
	G_OBJECT_CLASS(fwg_window_parent_class)->dispose(object);
}

static void fwg_window_finalize(GObject *object)
{
	FwgWindow *self = FWG_WINDOW(object);
	g_free(self->selected_id);
	g_free(self->last_device_id);
	G_OBJECT_CLASS(fwg_window_parent_class)->finalize(object);
}

static void fwg_window_class_init(FwgWindowClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	oc->dispose = fwg_window_dispose;
	oc->finalize = fwg_window_finalize;
	/* The child widget types must exist before the template is parsed. */
	g_type_ensure(FWG_TYPE_UPDATE_PAGE);
	g_type_ensure(FWG_TYPE_PROGRESS_PAGE);
	g_type_ensure(FWG_TYPE_RESULT_PAGE);
	gtk_widget_class_set_template_from_resource(wc, "/io/github/fwseal/Fwseal/fwg-window.ui");
	gtk_widget_class_bind_template_child(wc, FwgWindow, toast_overlay);
	gtk_widget_class_bind_template_child(wc, FwgWindow, stack);
	gtk_widget_class_bind_template_child(wc, FwgWindow, device_list);
	gtk_widget_class_bind_template_child(wc, FwgWindow, update_page);
	gtk_widget_class_bind_template_child(wc, FwgWindow, progress_page);
	gtk_widget_class_bind_template_child(wc, FwgWindow, result_page);
	gtk_widget_class_bind_template_child(wc, FwgWindow, empty_page);
}

static void fwg_window_init(FwgWindow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	g_action_map_add_action_entries(G_ACTION_MAP(self), win_actions, G_N_ELEMENTS(win_actions),
	                                self);
	g_signal_connect(self->device_list, "row-selected", G_CALLBACK(on_row_selected), self);
	g_signal_connect(self, "close-request", G_CALLBACK(on_close_request), self);
	/* A countdown runs only on screen: shown -> it may start; hidden -> it
	 * stops. */
	g_signal_connect(self, "map", G_CALLBACK(on_mapped), NULL);
	g_signal_connect(self, "unmap", G_CALLBACK(on_mapped), NULL);
	GtkDropTarget *drop = gtk_drop_target_new(G_TYPE_FILE, GDK_ACTION_COPY);
	g_signal_connect(drop, "drop", G_CALLBACK(on_drop), self);
	gtk_widget_add_controller(GTK_WIDGET(self), GTK_EVENT_CONTROLLER(drop));
}

FwgWindow *fwg_window_new(FwgApplication *app)
{
	FwgWindow *self = g_object_new(FWG_TYPE_WINDOW, "application", app, NULL);
	self->app = app;
	GListModel *devices = fwg_device_monitor_get_devices(monitor_of(self));
	gtk_list_box_bind_model(self->device_list, devices, create_row, self, NULL);
	g_signal_connect(devices, "items-changed", G_CALLBACK(on_devices_changed), self);
	g_signal_connect_swapped(fwg_application_get_catalog(app), "refreshed",
	                         G_CALLBACK(refresh), self);
	on_devices_changed(devices, 0, 0, 0, self);
	return self;
}
