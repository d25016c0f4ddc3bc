/* SPDX-License-Identifier: Apache-2.0 */
/* usbemu_run.c - run a program against emulated USB devices (usbemu_run.h). */
#include "usbemu_run.h"

#include <gio/gio.h>

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PRELOAD_LIB "libumockdev-preload.so.0"

static gboolean under_preload(void)
{
	const char *p = g_getenv("LD_PRELOAD");
	return p && strstr(p, "libumockdev-preload") != NULL;
}

gboolean fws_usbemu_available(void)
{
	static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	                                    "/usr/lib64", "/usr/lib", "/usr/local/lib" };

	if (under_preload())
		return TRUE;
	for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
		g_autofree gchar *p = g_build_filename(dirs[i], PRELOAD_LIB, NULL);
		if (g_file_test(p, G_FILE_TEST_EXISTS))
			return TRUE;
	}
	return FALSE;
}

gboolean fws_usbemu_reexec_under_preload(char **argv, GError **error)
{
	if (under_preload())
		return TRUE;
	if (!fws_usbemu_available()) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
		            "umockdev is not installed; install the Debian packages umockdev and libumockdev0");
		return FALSE;
	}
	const char *old = g_getenv("LD_PRELOAD");
	g_autofree gchar *pre = old && *old ? g_strdup_printf(PRELOAD_LIB ":%s", old)
	                                    : g_strdup(PRELOAD_LIB);
	const char *asan = g_getenv("ASAN_OPTIONS");
	g_autofree gchar *asan_new = asan && *asan
		? g_strdup_printf("%s:verify_asan_link_order=0", asan)
		: g_strdup("verify_asan_link_order=0");

	g_setenv("LD_PRELOAD", pre, TRUE);
	g_setenv("ASAN_OPTIONS", asan_new, TRUE);
	execv("/proc/self/exe", argv);
	g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
	            "cannot restart under the umockdev preload: %s", g_strerror(errno));
	return FALSE;
}

int fws_usbemu_run_command(char **argv, gchar **out, GError **error)
{
	gint status = 0;
	GSpawnFlags flags = G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN;

	if (!g_spawn_sync(NULL, argv, NULL, flags, NULL, NULL, out, NULL, &status, error))
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}
