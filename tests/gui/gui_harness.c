/* SPDX-License-Identifier: Apache-2.0 */
/* gui_harness.c - see gui_harness.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gui_harness.h"

static GPid xvfb_pid;
static char *tmpdir;

const char *gh_tmpdir(void)
{
	return tmpdir;
}

/* GTK reports inconsistent size requests with the widget's address only;
 * name its ancestors so the fix is obvious (the message is fatal under
 * G_DEBUG=fatal-criticals, so say it before GLib aborts). */
static void explain_widget(const char *message)
{
	const char *at = strstr(message, " 0x");
	if (!at || !strstr(message, "Expect overlapping widgets"))
		return;
	GtkWidget *w = (GtkWidget *)(gintptr)g_ascii_strtoull(at + 3, NULL, 16);
	for (; w; w = gtk_widget_get_parent(w)) {
		const char *id = gtk_buildable_get_buildable_id(GTK_BUILDABLE(w));
		g_printerr("    in %s%s%s%s%s\n", G_OBJECT_TYPE_NAME(w), id ? " id=" : "", id ? id : "",
		           GTK_IS_LABEL(w) ? " text=" : "",
		           GTK_IS_LABEL(w) ? gtk_label_get_text(GTK_LABEL(w)) : "");
	}
}

static GLogWriterOutput log_writer(GLogLevelFlags level, const GLogField *fields, gsize n,
                                   gpointer data)
{
	if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) {
		for (gsize i = 0; i < n; i++)
			if (g_str_equal(fields[i].key, "MESSAGE") && fields[i].length < 0)
				explain_widget(fields[i].value);
	}
	return g_log_writer_default(level, fields, n, data);
}

/* In the child before exec: the server goes when the test goes, also when
 * a failed assertion aborts it before gh_teardown(). */
static void die_with_parent(gpointer data)
{
	(void)data;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean start_xvfb(void)
{
	char *argv[] = {g_strdup("Xvfb"), NULL};
	g_auto(GStrv) args = NULL;
	{
		const char *rest[] = {"-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten",
		                      "tcp", "-noreset"};
		args = g_new0(char *, G_N_ELEMENTS(rest) + 2);
		args[0] = argv[0];
		for (gsize i = 0; i < G_N_ELEMENTS(rest); i++)
			args[i + 1] = g_strdup(rest[i]);
	}
	int out = -1;
	g_autoptr(GError) error = NULL;
	if (!g_spawn_async_with_pipes(NULL, args, NULL,
	                              G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
	                              G_SPAWN_STDERR_TO_DEV_NULL,
	                              die_with_parent, NULL, &xvfb_pid, NULL, &out, NULL, &error)) {
		g_printerr("cannot start Xvfb: %s\n", error->message);
		return FALSE;
	}
	char buf[32] = {0};
	size_t len = 0;
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (len < sizeof(buf) - 1 && !memchr(buf, '\n', len)) {
		struct pollfd p = {.fd = out, .events = POLLIN};
		int left = (int)((deadline - g_get_monotonic_time()) / 1000);
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		ssize_t r = read(out, buf + len, sizeof(buf) - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(out);
	int display = atoi(buf);
	if (len == 0 || !memchr(buf, '\n', len)) {
		g_printerr("Xvfb did not report a display\n");
		return FALSE;
	}
	g_autofree char *name = g_strdup_printf(":%d", display);
	g_setenv("DISPLAY", name, TRUE);
	return TRUE;
}

gboolean gh_setup(void)
{
	g_log_set_writer_func(log_writer, NULL, NULL);
	tmpdir = g_dir_make_tmp("fwseal-gui-test-XXXXXX", NULL);
	g_assert_nonnull(tmpdir);
	if (!start_xvfb())
		return FALSE;
	/* A private home laid out like a real one (the XDG defaults): no
	 * settings, trust store or folders of the user. */
	g_autofree char *config = g_build_filename(tmpdir, ".config", NULL);
	g_autofree char *data = g_build_filename(tmpdir, ".local", "share", NULL);
	g_autofree char *cache = g_build_filename(tmpdir, ".cache", NULL);
	g_setenv("HOME", tmpdir, TRUE);
	g_setenv("XDG_CONFIG_HOME", config, TRUE);
	g_setenv("XDG_DATA_HOME", data, TRUE);
	g_setenv("XDG_CACHE_HOME", cache, TRUE);
	g_setenv("XDG_RUNTIME_DIR", tmpdir, TRUE);
	g_unsetenv("WAYLAND_DISPLAY");
	g_unsetenv("FWSEAL_TRUST");
	g_unsetenv("FWSEAL_SERIAL_PORTS");
	g_setenv("GDK_BACKEND", "x11", TRUE);
	/* The cairo renderer: no GL needed under Xvfb, same pixels each run. */
	g_setenv("GSK_RENDERER", "cairo", TRUE);
	g_setenv("GDK_DEBUG", "gl-disable", TRUE);
	g_setenv("GTK_A11Y", "none", TRUE);
	g_setenv("NO_AT_BRIDGE", "1", TRUE);
	g_setenv("GSETTINGS_BACKEND", "memory", TRUE);
	g_setenv("LANGUAGE", "C", TRUE);
	return TRUE;
}

static gboolean inner;

void gh_setup_inner(const char *dir)
{
	g_log_set_writer_func(log_writer, NULL, NULL);
	tmpdir = g_strdup(dir);
	inner = TRUE;
}

static void rm_rf(const char *path)
{
	g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
	if (d) {
		const char *name;
		while ((name = g_dir_read_name(d))) {
			g_autofree char *child = g_build_filename(path, name, NULL);
			if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
			    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
				rm_rf(child);
			else
				unlink(child);
		}
	}
	rmdir(path);
}

void gh_teardown(void)
{
	if (xvfb_pid > 0) {
		kill(xvfb_pid, SIGTERM);
		waitpid(xvfb_pid, NULL, 0);
		xvfb_pid = 0;
	}
	if (tmpdir && !inner)
		rm_rf(tmpdir);
	g_clear_pointer(&tmpdir, g_free);
}

static gboolean wake(gpointer data)
{
	(void)data;
	return G_SOURCE_CONTINUE;
}

gboolean gh_wait(GhCond cond, gpointer data, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	guint tick = g_timeout_add(10, wake, NULL);
	gboolean ok;
	while (!(ok = cond(data)) && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(tick);
	return ok;
}

static gboolean never(gpointer data)
{
	(void)data;
	return FALSE;
}

void gh_settle(guint ms)
{
	gh_wait(never, NULL, ms);
}

static const char *text_of(GtkWidget *w)
{
	if (GTK_IS_LABEL(w))
		return gtk_label_get_text(GTK_LABEL(w));
	if (GTK_IS_BUTTON(w))
		return gtk_button_get_label(GTK_BUTTON(w));
	return NULL;
}

GtkWidget *gh_find(GtkWidget *root, GType type, const char *text, gboolean mapped_only)
{
	if (!root || (mapped_only && !gtk_widget_get_mapped(root)))
		return NULL;
	if (type == G_TYPE_NONE || G_TYPE_CHECK_INSTANCE_TYPE(root, type)) {
		const char *t = text_of(root);
		if (!text || (t && strstr(t, text)))
			return root;
	}
	for (GtkWidget *c = gtk_widget_get_first_child(root); c; c = gtk_widget_get_next_sibling(c)) {
		GtkWidget *hit = gh_find(c, type, text, mapped_only);
		if (hit)
			return hit;
	}
	return NULL;
}

GtkWidget *gh_find_id(GtkWidget *root, const char *id)
{
	if (!root)
		return NULL;
	const char *bid = gtk_buildable_get_buildable_id(GTK_BUILDABLE(root));
	if (bid && g_str_equal(bid, id))
		return root;
	for (GtkWidget *c = gtk_widget_get_first_child(root); c; c = gtk_widget_get_next_sibling(c)) {
		GtkWidget *hit = gh_find_id(c, id);
		if (hit)
			return hit;
	}
	return NULL;
}

GtkWidget *gh_find_row_switch(GtkWidget *root, const char *title)
{
	GtkWidget *label = gh_find(root, GTK_TYPE_LABEL, title, TRUE);
	GtkWidget *row = label ? gtk_widget_get_ancestor(label, GTK_TYPE_LIST_BOX_ROW) : NULL;
	return row ? gh_find(row, GTK_TYPE_SWITCH, NULL, TRUE) : NULL;
}

GtkWidget *gh_find_button(GtkWidget *root, const char *text)
{
	/* A button's text is a label inside it (also with mnemonics). */
	GtkWidget *b = gh_find(root, GTK_TYPE_BUTTON, text, TRUE);
	if (b)
		return b;
	GtkWidget *label = gh_find(root, GTK_TYPE_LABEL, text, TRUE);
	return label ? gtk_widget_get_ancestor(label, GTK_TYPE_BUTTON) : NULL;
}

gboolean gh_shows(GtkWidget *root, const char *text)
{
	return gh_find(root, GTK_TYPE_LABEL, text, TRUE) != NULL;
}

typedef struct {
	GtkWidget *root;
	const char *text;
} ShowsArgs;

static gboolean shows_cond(gpointer data)
{
	ShowsArgs *a = data;
	return gh_shows(a->root, a->text);
}

gboolean gh_wait_shows(GtkWidget *root, const char *text, guint timeout_ms)
{
	ShowsArgs a = {root, text};
	return gh_wait(shows_cond, &a, timeout_ms);
}

void gh_click(GtkWidget *button)
{
	g_assert_nonnull(button);
	g_assert_true(gtk_widget_get_mapped(button));
	g_assert_true(gtk_widget_is_sensitive(button));
	/* The keyboard path (Enter / Space): GtkButton shows itself pressed
	 * for a moment and emits "clicked" after that. */
	gtk_widget_activate(button);
	if (GTK_IS_BUTTON(button))
		gh_settle(300);
}

static void dump(GtkWidget *w, GString *out)
{
	if (!gtk_widget_get_mapped(w))
		return;
	if (GTK_IS_LABEL(w) && *gtk_label_get_text(GTK_LABEL(w)))
		g_string_append_printf(out, "  | %s\n", gtk_label_get_text(GTK_LABEL(w)));
	for (GtkWidget *c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c))
		dump(c, out);
}

char *gh_dump_text(GtkWidget *root)
{
	GString *s = g_string_new(NULL);
	dump(root, s);
	return g_string_free(s, FALSE);
}

void gh_screenshot(GtkWindow *window, const char *name)
{
	const char *dir = g_getenv("FWG_SCREENSHOT_DIR");
	if (!dir || !*dir)
		return;
	gh_settle(150); /* layout, redraw, no spinner half-way */
	GtkWidget *w = GTK_WIDGET(window);
	g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new(w);
	GskRenderNode *node = NULL;
	int width = 0, height = 0;
	/* A window that has just been mapped may not have drawn yet (slow
	 * under the sanitizers): it has nothing to show until it has. */
	for (guint tries = 0; !node && tries < 50; tries++) {
		if (tries)
			gh_settle(100);
		width = gtk_widget_get_width(w);
		height = gtk_widget_get_height(w);
		if (width <= 0 || height <= 0)
			continue;
		GtkSnapshot *snap = gtk_snapshot_new();
		gdk_paintable_snapshot(paintable, snap, width, height);
		node = gtk_snapshot_free_to_node(snap);
	}
	g_assert_nonnull(node);
	GskRenderer *renderer = gtk_native_get_renderer(GTK_NATIVE(window));
	graphene_rect_t area = GRAPHENE_RECT_INIT(0, 0, (float)width, (float)height);
	GdkTexture *texture = gsk_renderer_render_texture(renderer, node, &area);
	g_mkdir_with_parents(dir, 0755);
	g_autofree char *file = g_strconcat(name, ".png", NULL);
	g_autofree char *path = g_build_filename(dir, file, NULL);
	g_assert_true(gdk_texture_save_to_png(texture, path));
	g_object_unref(texture);
	gsk_render_node_unref(node);
}
