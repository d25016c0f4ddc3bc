/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-details-window.c - see fwg-details-window.h. */
#include "fwg-config.h"

#include "fwg-i18n.h"

#include "fwg-details-window.h"

struct _FwgDetailsWindow {
	AdwWindow parent_instance;
	FwgLog *log;
	FwgDevice *device;
	FwgPackage *package;
	GtkTextView *device_view;
	GtkTextView *package_view;
	GtkTextView *log_view;
	GtkButton *copy_button;
	AdwToastOverlay *toast_overlay;
};

G_DEFINE_FINAL_TYPE(FwgDetailsWindow, fwg_details_window, ADW_TYPE_WINDOW)

static void set_text(GtkTextView *view, const char *text)
{
	gtk_text_buffer_set_text(gtk_text_view_get_buffer(view), text, -1);
}

static char *device_text(FwgDetailsWindow *self)
{
	if (self->device)
		return fwg_device_describe(self->device);
	return g_strdup(_("No device is connected."));
}

static char *package_text(FwgDetailsWindow *self)
{
	if (self->package)
		return fwg_package_describe(self->package);
	return g_strdup(_("No package is chosen."));
}

static void on_log_changed(FwgLog *log, gpointer data)
{
	FwgDetailsWindow *self = data;
	set_text(self->log_view, fwg_log_get_text(log));
	GtkTextBuffer *buf = gtk_text_view_get_buffer(self->log_view);
	GtkTextIter end;
	gtk_text_buffer_get_end_iter(buf, &end);
	GtkTextMark *mark = gtk_text_buffer_create_mark(buf, NULL, &end, FALSE);
	gtk_text_view_scroll_mark_onscreen(self->log_view, mark);
	gtk_text_buffer_delete_mark(buf, mark);
}

void fwg_details_window_set_subject(FwgDetailsWindow *self, FwgDevice *device,
                                    FwgPackage *package)
{
	g_set_object(&self->device, device);
	g_set_object(&self->package, package);
	g_autofree char *d = device_text(self);
	g_autofree char *p = package_text(self);
	set_text(self->device_view, d);
	set_text(self->package_view, p);
}

char *fwg_details_window_dup_text(FwgDetailsWindow *self)
{
	g_autofree char *d = device_text(self);
	g_autofree char *p = package_text(self);
	return g_strdup_printf("== device ==\n%s\n== package ==\n%s\n== log ==\n%s", d, p,
	                       fwg_log_get_text(self->log));
}

static void on_copy(GtkButton *b, gpointer data)
{
	(void)b;
	FwgDetailsWindow *self = data;
	g_autofree char *text = fwg_details_window_dup_text(self);
	gdk_clipboard_set_text(gtk_widget_get_clipboard(GTK_WIDGET(self)), text);
	adw_toast_overlay_add_toast(self->toast_overlay, adw_toast_new(_("Copied to the clipboard")));
}

static void fwg_details_window_dispose(GObject *object)
{
	FwgDetailsWindow *self = FWG_DETAILS_WINDOW(object);
	if (self->log)
		g_signal_handlers_disconnect_by_data(self->log, self);
	g_clear_object(&self->log);
	g_clear_object(&self->device);
	g_clear_object(&self->package);
	gtk_widget_dispose_template(GTK_WIDGET(object), FWG_TYPE_DETAILS_WINDOW);
	G_OBJECT_CLASS(fwg_details_window_parent_class)->dispose(object);
}

static void fwg_details_window_class_init(FwgDetailsWindowClass *klass)
{
	GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
	G_OBJECT_CLASS(klass)->dispose = fwg_details_window_dispose;
	gtk_widget_class_set_template_from_resource(wc,
		"/io/github/fwseal/Fwseal/fwg-details-window.ui");
	gtk_widget_class_bind_template_child(wc, FwgDetailsWindow, device_view);
	gtk_widget_class_bind_template_child(wc, FwgDetailsWindow, package_view);
	gtk_widget_class_bind_template_child(wc, FwgDetailsWindow, log_view);
	gtk_widget_class_bind_template_child(wc, FwgDetailsWindow, copy_button);
	gtk_widget_class_bind_template_child(wc, FwgDetailsWindow, toast_overlay);
	gtk_widget_class_add_binding_action(wc, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void fwg_details_window_init(FwgDetailsWindow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	g_signal_connect(self->copy_button, "clicked", G_CALLBACK(on_copy), self);
}

GtkWidget *fwg_details_window_new(GtkWindow *parent, FwgLog *log)
{
	FwgDetailsWindow *self = g_object_new(FWG_TYPE_DETAILS_WINDOW, "transient-for", parent,
	                                      NULL);
	self->log = g_object_ref(log);
	g_signal_connect(log, "changed", G_CALLBACK(on_log_changed), self);
	on_log_changed(log, self);
	fwg_details_window_set_subject(self, NULL, NULL);
	return GTK_WIDGET(self);
}
