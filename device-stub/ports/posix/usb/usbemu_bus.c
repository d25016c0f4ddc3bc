/* SPDX-License-Identifier: Apache-2.0 */
/* usbemu_bus.c - one testbed change at a time (usbemu_bus.h). */
#include "usbemu_bus.h"

#include <string.h>

#define BUS_LOCK_KEY "fws-usbemu-bus-lock"

/* G_LOCK guards only the creation of a testbed's lock: two devices made at
 * once on a new testbed must not both attach one. */
G_LOCK_DEFINE_STATIC(bus_lock_make);

static void lock_free(gpointer p)
{
	g_mutex_clear(p);
	g_free(p);
}

static GMutex *bus_lock(UMockdevTestbed *tb)
{
	G_LOCK(bus_lock_make);
	GMutex *m = g_object_get_data(G_OBJECT(tb), BUS_LOCK_KEY);
	if (!m) {
		m = g_new0(GMutex, 1);
		g_mutex_init(m);
		g_object_set_data_full(G_OBJECT(tb), BUS_LOCK_KEY, m, lock_free);
	}
	G_UNLOCK(bus_lock_make);
	return m;
}

static gboolean under_preload(void)
{
	const char *p = g_getenv("LD_PRELOAD");
	return p && strstr(p, "libumockdev-preload");
}

gboolean fws_usbemu_bus_add(UMockdevTestbed *tb, const gchar *rec, const gchar *syspath,
                            GError **error)
{
	GMutex *m = bus_lock(tb);

	g_mutex_lock(m);
	gboolean ok = umockdev_testbed_add_from_string(tb, rec, error);
	/* under the preload add_from_string sends "add" itself; outside it
	 * cannot, so we do */
	if (ok && !under_preload())
		umockdev_testbed_uevent(tb, syspath, "add");
	g_mutex_unlock(m);
	return ok;
}

void fws_usbemu_bus_remove(UMockdevTestbed *tb, const gchar *syspath, gboolean drop)
{
	GMutex *m = bus_lock(tb);

	g_mutex_lock(m);
	umockdev_testbed_uevent(tb, syspath, "remove");
	if (drop)
		umockdev_testbed_remove_device(tb, syspath);
	g_mutex_unlock(m);
}

void fws_usbemu_bus_uevent(UMockdevTestbed *tb, const gchar *syspath, const gchar *action)
{
	GMutex *m = bus_lock(tb);

	g_mutex_lock(m);
	umockdev_testbed_uevent(tb, syspath, action);
	g_mutex_unlock(m);
}
