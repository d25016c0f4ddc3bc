/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gui_fixture.h - what the GUI tests update: a signing key and its trust
 * store, packages made with the real `fwseal pack` (an installed 1.0.0, a
 * 1.4.2 security update with risks and CVE ids, a tampered copy, one for
 * another model), and the simulated device (fwseal-sim on a pty, reached
 * through a stable symlink so that "unplug" and "plug back in" keep the
 * device string, like /dev/ttyUSB0 on a real machine).
 *
 * Programs come from the environment (set by meson): FWSEAL_CLI, FWSEAL_SIM.
 */
#ifndef FWSEAL_GUI_FIXTURE_H
#define FWSEAL_GUI_FIXTURE_H

#include <glib.h>

#define GF_MODEL   "ACME-THERMO-2"
#define GF_SERIAL  "TH-000123"

typedef struct {
	char *dir;          /* everything lives here */
	char *trust;        /* trust store, at the default place ($XDG_CONFIG_HOME/fwseal) */
	char *folder;       /* the watched package folder: ~/Downloads, the default */
	char *store;        /* packages not in the folder */
	char *pkg_old;      /* 1.0.0, counter 3, not a security update */
	char *pkg_security; /* 1.4.2, counter 7, security update, reboot 30 s */
	char *pkg_tampered; /* pkg_security with one payload byte flipped */
	char *pkg_other;    /* 1.4.2 for model OTHER-MODEL */
	char *pkg_feature;  /* 1.1.0, counter 4, not a security update */
	char *state;        /* the device's flash */
	char *port;         /* symlink to the device's pty, named ttyUSB0 */
	GPid sim_pid;
	gboolean no_confirm;  /* gf_plug: the new firmware never confirms itself */
} GuiFixture;

/* Make keys and packages; FALSE with a message if a program is missing. */
gboolean gf_setup(GuiFixture *f, const char *dir);
/* The same fixture, already made in dir by gf_setup() in a parent process. */
void gf_open(GuiFixture *f, const char *dir);
void gf_teardown(GuiFixture *f);

/* Run argv with the device on emulated USB instead of a pty:
 * fwseal-sim ... --usb -- argv. Returns the exit status of argv (77 when
 * USB cannot be emulated here). */
int gf_run_on_usb(GuiFixture *f, const char *const *argv);

/* Plug the device in: start fwseal-sim on f->state (pacing the link at
 * baud, 0 = unpaced) and point f->port at its pty. */
void gf_plug(GuiFixture *f, guint baud);
/* Pull the cable: the port goes away and the simulator is killed at once
 * (SIGKILL, no clean-up). */
void gf_unplug(GuiFixture *f);

/* Install a package with the CLI (to give the device a version to start
 * from). */
void gf_cli_flash(GuiFixture *f, const char *package);

/* Copy a package into the watched folder. */
void gf_put_in_folder(GuiFixture *f, const char *package);

#endif
