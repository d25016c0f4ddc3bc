/* SPDX-License-Identifier: Apache-2.0 */
/* main.c - fwseal-gui: the desktop app (see fwg-application.h). */
#include "fwg-config.h"

#include "fwg-i18n.h"
#include <locale.h>

#include "fwg-application.h"

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	/* FWSEAL_LOCALEDIR: the catalogues of an uninstalled build (BUILD/po),
	 * as for the CLI */
	const char *dir = g_getenv("FWSEAL_LOCALEDIR");
	bindtextdomain(GETTEXT_PACKAGE, dir && *dir ? dir : FWG_LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);

	g_autoptr(FwgApplication) app = fwg_application_new();
	return g_application_run(G_APPLICATION(app), argc, argv);
}
