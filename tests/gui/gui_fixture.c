/* SPDX-License-Identifier: Apache-2.0 */
/* gui_fixture.c - see gui_fixture.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>

#include "gui_fixture.h"

static const char release_security[] =
	"vendor_id = 0x1209\n"
	"class_id = 0x0001\n"
	"model = " GF_MODEL "\n"
	"hw_rev_min = 1\n"
	"hw_rev_max = 3\n"
	"version = 1.4.2\n"
	"security_counter = 7\n"
	"block_size = 1024\n"
	"release_date = 2026-10-01\n"
	"support_end = 2031-03-31\n"
	"security_update = yes\n"
	"severity = high\n"
	"risks = A crafted Bluetooth pairing request could let someone nearby take over the "
	"thermostat.\n"
	"cves = CVE-2026-31337, CVE-2026-31338\n"
	"reboot = yes\n"
	"downtime_s = 30\n"
	"release_notes = Fixes the Bluetooth pairing problem. Improves temperature accuracy "
	"below 0 degrees C.\n";

static const char release_old[] =
	"vendor_id = 0x1209\n"
	"class_id = 0x0001\n"
	"model = " GF_MODEL "\n"
	"hw_rev_min = 1\n"
	"hw_rev_max = 3\n"
	"version = 1.0.0\n"
	"security_counter = 3\n"
	"block_size = 1024\n"
	"release_date = 2025-05-01\n"
	"support_end = 2029-12-31\n"
	"security_update = no\n"
	"reboot = yes\n"
	"downtime_s = 20\n";

static const char release_feature[] =
	"vendor_id = 0x1209\n"
	"class_id = 0x0001\n"
	"model = " GF_MODEL "\n"
	"hw_rev_min = 1\n"
	"hw_rev_max = 3\n"
	"version = 1.1.0\n"
	"security_counter = 4\n"
	"block_size = 1024\n"
	"release_date = 2026-02-01\n"
	"support_end = 2030-06-30\n"
	"security_update = no\n"
	"reboot = yes\n"
	"downtime_s = 20\n"
	"release_notes = Adds a holiday schedule.\n";

/* GLib's spawn API takes char **; copy rather than cast constness away. */
static GStrv copyv(const char *const *v)
{
	gsize n = 0;
	while (v[n])
		n++;
	GStrv r = g_new0(char *, n + 1);
	for (gsize i = 0; i < n; i++)
		r[i] = g_strdup(v[i]);
	return r;
}

static void run(const char *const *cargv)
{
	g_auto(GStrv) argv = copyv(cargv);
	g_autofree char *out = NULL, *err = NULL;
	int status = 0;
	g_autoptr(GError) error = NULL;
	gboolean ok = g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
	                           &out, &err, &status, &error);
	if (!ok || !g_spawn_check_wait_status(status, NULL)) {
		g_autofree char *cmd = g_strjoinv(" ", argv);
		g_error("%s failed: %s%s", cmd, error ? error->message : "", err ? err : "");
	}
}

static void pack(GuiFixture *f, const char *release_text, const char *out, const char *image,
                 const char *model)
{
	const char *cli = g_getenv("FWSEAL_CLI");
	g_autofree char *rel = g_build_filename(f->dir, "release.ini", NULL);
	g_autofree char *key = g_build_filename(f->dir, "vendor.key", NULL);
	g_assert_true(g_file_set_contents(rel, release_text, -1, NULL));
	g_autofree char *set_model = g_strdup_printf("model=%s", model);
	const char *argv[] = {cli, "pack", "--image", image, "--release", rel, "--key", key,
	                      "--out", out, "--set", set_model, NULL};
	run(argv);
}

static char *image(GuiFixture *f, const char *name, gsize len, guint32 seed)
{
	g_autofree guint8 *buf = g_malloc(len);
	GRand *r = g_rand_new_with_seed(seed);
	for (gsize i = 0; i < len; i++)
		buf[i] = (guint8)g_rand_int(r);
	g_rand_free(r);
	char *path = g_build_filename(f->dir, name, NULL);
	g_assert_true(g_file_set_contents(path, (const char *)buf, (gssize)len, NULL));
	return path;
}

void gf_open(GuiFixture *f, const char *dir)
{
	memset(f, 0, sizeof(*f));
	f->dir = g_strdup(dir);
	/* Where the app looks by default (no --trust, no --folder): the
	 * user's trust store and Downloads folder, as on a real desktop (the
	 * screenshots in the README show the defaults). */
	f->trust = g_build_filename(g_get_user_config_dir(), "fwseal", "trust.fwst", NULL);
	f->folder = g_build_filename(g_get_home_dir(), "Downloads", NULL);
	f->store = g_build_filename(dir, "store", NULL);
	f->state = g_build_filename(dir, "device", NULL);
	/* The name a USB serial adapter gets (the link lives in dir). */
	f->port = g_build_filename(dir, "ttyUSB0", NULL);
	f->pkg_old = g_build_filename(f->store, "thermo-1.0.0.fwseal", NULL);
	f->pkg_security = g_build_filename(f->store, "thermo-1.4.2.fwseal", NULL);
	f->pkg_tampered = g_build_filename(f->store, "thermo-1.4.2-tampered.fwseal", NULL);
	f->pkg_other = g_build_filename(f->store, "other-1.4.2.fwseal", NULL);
	f->pkg_feature = g_build_filename(f->store, "thermo-1.1.0.fwseal", NULL);
}

gboolean gf_setup(GuiFixture *f, const char *dir)
{
	const char *cli = g_getenv("FWSEAL_CLI"), *sim = g_getenv("FWSEAL_SIM");
	if (!cli || !sim) {
		g_printerr("FWSEAL_CLI and FWSEAL_SIM must name the fwseal and fwseal-sim programs\n");
		return FALSE;
	}
	gf_open(f, dir);
	g_mkdir_with_parents(f->folder, 0755);
	g_autofree char *trust_dir = g_path_get_dirname(f->trust);
	g_mkdir_with_parents(trust_dir, 0755);
	/* xdg-user-dirs' file, which names the Downloads folder for GLib */
	g_autofree char *user_dirs = g_build_filename(g_get_user_config_dir(), "user-dirs.dirs",
	                                              NULL);
	g_assert_true(g_file_set_contents(user_dirs, "XDG_DOWNLOAD_DIR=\"$HOME/Downloads\"\n", -1,
	                                  NULL));
	g_mkdir_with_parents(f->store, 0755);
	g_mkdir_with_parents(f->state, 0755);

	g_autofree char *prefix = g_build_filename(dir, "vendor", NULL);
	g_autofree char *pub = g_build_filename(dir, "vendor.pub", NULL);
	const char *gen[] = {cli, "key", "generate", "--out", prefix, NULL};
	run(gen);
	const char *exp[] = {cli, "key", "export-trust", "--out", f->trust, pub, NULL};
	run(exp);

	/* 48 KiB: about 4 s over a 115200-baud link, long enough to watch
	 * (and to pull the cable half-way). */
	g_autofree char *img_old = image(f, "thermo-1.0.0.bin", 24 * 1024, 1);
	g_autofree char *img_new = image(f, "thermo-1.4.2.bin", 48 * 1024, 2);
	pack(f, release_old, f->pkg_old, img_old, GF_MODEL);
	pack(f, release_feature, f->pkg_feature, img_old, GF_MODEL);
	pack(f, release_security, f->pkg_security, img_new, GF_MODEL);
	pack(f, release_security, f->pkg_other, img_new, "OTHER-MODEL");

	/* Tampered: one bit of the payload flipped, well inside block 10
	 * (the signature still verifies; the hash chain does not). */
	g_autofree char *data = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(f->pkg_security, &data, &len, NULL));
	g_assert_cmpuint(len, >, 20000);
	data[len - 20000] ^= 0x10;
	g_assert_true(g_file_set_contents(f->pkg_tampered, data, (gssize)len, NULL));
	return TRUE;
}

/* In the child before exec: no simulator outlives an aborted test. */
static void die_with_parent(gpointer data)
{
	(void)data;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

void gf_plug(GuiFixture *f, guint baud)
{
	g_assert_cmpint(f->sim_pid, ==, 0);
	g_autofree char *baud_s = g_strdup_printf("%u", baud);
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_strv_builder_add_many(b, g_getenv("FWSEAL_SIM"), "--state", f->state, "--trust", f->trust,
	                        "--model", GF_MODEL, "--vendor-id", "0x1209", "--class-id",
	                        "0x0001", "--serial-number", GF_SERIAL, "--hw-rev", "2", NULL);
	if (baud)
		g_strv_builder_add_many(b, "--baud", baud_s, NULL);
	if (f->no_confirm)
		g_strv_builder_add(b, "--no-confirm");
	g_auto(GStrv) argv = g_strv_builder_end(b);
	int out = -1;
	g_autoptr(GError) error = NULL;
	if (!g_spawn_async_with_pipes(NULL, argv, NULL,
	                              G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
	                              die_with_parent, NULL, &f->sim_pid, NULL, &out, NULL, &error))
		g_error("cannot start fwseal-sim: %s", error->message);
	/* It prints "serial:/dev/pts/N" when it is ready. */
	char line[256] = {0};
	size_t n = 0;
	while (n < sizeof(line) - 1 && !strchr(line, '\n')) {
		struct pollfd p = {.fd = out, .events = POLLIN};
		if (poll(&p, 1, 10000) <= 0)
			g_error("fwseal-sim did not say where it listens");
		ssize_t r = read(out, line + n, sizeof(line) - 1 - n);
		if (r <= 0)
			g_error("fwseal-sim exited before it was ready");
		n += (size_t)r;
	}
	close(out);
	*strchr(line, '\n') = '\0';
	g_assert_true(g_str_has_prefix(line, "serial:"));
	unlink(f->port);
	g_assert_cmpint(symlink(line + strlen("serial:"), f->port), ==, 0);
}

void gf_unplug(GuiFixture *f)
{
	if (f->sim_pid <= 0)
		return;
	/* The port disappears first, as /dev/ttyUSB0 does when the adapter is
	 * pulled: the pty number is free for reuse once the simulator is gone,
	 * and a dangling link could lead the app to another test's device. */
	unlink(f->port);
	kill(f->sim_pid, SIGKILL);
	waitpid(f->sim_pid, NULL, 0);
	f->sim_pid = 0;
}

void gf_cli_flash(GuiFixture *f, const char *package)
{
	g_autofree char *device = g_strconcat("serial:", f->port, NULL);
	const char *argv[] = {g_getenv("FWSEAL_CLI"), "flash", "--yes", "--device", device,
	                      "--trust", f->trust, package, NULL};
	run(argv);
}

void gf_put_in_folder(GuiFixture *f, const char *package)
{
	g_autoptr(GFile) src = g_file_new_for_path(package);
	g_autofree char *base = g_file_get_basename(src);
	g_autofree char *tmp = g_build_filename(f->dir, base, NULL);
	g_autofree char *dst_path = g_build_filename(f->folder, base, NULL);
	/* Copy beside, then rename in: the folder sees one complete file. */
	g_autoptr(GFile) t = g_file_new_for_path(tmp);
	g_autoptr(GFile) dst = g_file_new_for_path(dst_path);
	g_assert_true(g_file_copy(src, t, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
	g_assert_true(g_file_move(t, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
}

void gf_teardown(GuiFixture *f)
{
	gf_unplug(f);
	g_free(f->dir);
	g_free(f->trust);
	g_free(f->folder);
	g_free(f->store);
	g_free(f->pkg_old);
	g_free(f->pkg_security);
	g_free(f->pkg_tampered);
	g_free(f->pkg_other);
	g_free(f->pkg_feature);
	g_free(f->state);
	g_free(f->port);
	memset(f, 0, sizeof(*f));
}

int gf_run_on_usb(GuiFixture *f, const char *const *argv)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	const char *head[] = {g_getenv("FWSEAL_SIM"), "--state", f->state, "--trust", f->trust,
	                      "--model", GF_MODEL, "--vendor-id", "0x1209", "--class-id", "0x0001",
	                      "--serial-number", GF_SERIAL, "--hw-rev", "2", "--usb",
	                      "--"};
	for (guint i = 0; i < G_N_ELEMENTS(head); i++)
		g_ptr_array_add(a, g_strdup(head[i]));
	for (guint i = 0; argv[i]; i++)
		g_ptr_array_add(a, g_strdup(argv[i]));
	g_ptr_array_add(a, NULL);
	int status = 0;
	g_autoptr(GError) error = NULL;
	gboolean ok = g_spawn_sync(NULL, (char **)a->pdata, NULL, G_SPAWN_CHILD_INHERITS_STDIN,
	                           NULL, NULL, NULL, NULL, &status, &error);
	g_ptr_array_unref(a);
	if (!ok)
		g_error("cannot start fwseal-sim --usb: %s", error->message);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
