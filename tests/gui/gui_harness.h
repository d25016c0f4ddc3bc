/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gui_harness.h - run the real desktop app in-process in a real window on a
 * private Xvfb server, and look at it the way a person would: find the
 * label that says something, the button with a given text, whether it is
 * on screen (mapped) and can be pressed (sensitive); press it; wait for
 * the screen to change; save a screenshot of the window.
 *
 * Nothing is mocked: the widgets are the app's own (libfwseal_gui), talking
 * to libfwseal-host, talking to fwseal-sim over a pty.
 */
#ifndef FWSEAL_GUI_HARNESS_H
#define FWSEAL_GUI_HARNESS_H

#include <gtk/gtk.h>

/* Start Xvfb on a free display (-displayfd), point GTK at it, isolate the
 * user's settings and files in a temporary home, make rendering and text
 * deterministic. Call before gtk_init(). Returns FALSE (with a message)
 * when Xvfb cannot run: the caller skips. */
gboolean gh_setup(void);
/* In a child process started by a parent that ran gh_setup() (the same
 * display, home and settings; the parent cleans up). */
void gh_setup_inner(const char *tmpdir);
void gh_teardown(void);

/* The temporary home (for fixtures). */
const char *gh_tmpdir(void);

/* Iterate the main loop until cond(data) holds or timeout_ms passes;
 * returns whether it holds. */
typedef gboolean (*GhCond)(gpointer data);
gboolean gh_wait(GhCond cond, gpointer data, guint timeout_ms);
/* Let pending redraws and idles run. */
void gh_settle(guint ms);

/* The first widget under root of type (G_TYPE_NONE: any) whose text
 * contains text (labels: their text; buttons: their label; NULL: any),
 * optionally only among widgets that are on screen. */
GtkWidget *gh_find(GtkWidget *root, GType type, const char *text, gboolean mapped_only);
/* The widget a .ui file names id (template children keep their ids). */
GtkWidget *gh_find_id(GtkWidget *root, const char *id);
/* The switch in the preferences row titled title. */
GtkWidget *gh_find_row_switch(GtkWidget *root, const char *title);
/* A button (or any GtkButton subclass) showing text on screen. */
GtkWidget *gh_find_button(GtkWidget *root, const char *text);
/* Whether a label containing text is on screen. */
gboolean gh_shows(GtkWidget *root, const char *text);
/* Wait until a label containing text is on screen. */
gboolean gh_wait_shows(GtkWidget *root, const char *text, guint timeout_ms);

/* Press a button like a user (it must be on screen and sensitive). */
void gh_click(GtkWidget *button);

/* All text on screen under root, one label per line (for failure messages). */
char *gh_dump_text(GtkWidget *root);

/* Save the window as PNG to $FWG_SCREENSHOT_DIR/name.png (no-op when the
 * variable is not set). */
void gh_screenshot(GtkWindow *window, const char *name);

#endif
