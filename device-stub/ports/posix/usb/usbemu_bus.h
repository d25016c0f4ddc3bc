/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usbemu_bus.h - changes to one umockdev testbed (sysfs entries, uevents),
 * one at a time, whichever device and thread makes them.
 *
 * Each emulated device changes the shared testbed from several threads:
 * umockdev's ioctl worker (a device that resets itself leaves the bus),
 * its re-enumeration thread, the simulator's cable-pull thread. umockdev's
 * testbed is not thread-safe, and its uevent sender (0.17, Debian 12) ends
 * the whole process when two sends race on a listener socket that has
 * gone: one unlinks it (ECONNREFUSED), the other's connect() then fails
 * with ENOENT ("sendmsg_one: cannot connect to client's event socket").
 * The lock is the testbed's own (object data, freed with it): devices on
 * different testbeds do not wait for each other.
 */
#ifndef FWS_USBEMU_BUS_H
#define FWS_USBEMU_BUS_H

#include <glib.h>
#include <umockdev.h>

/* The device record rec (umockdev's text format) enters sysfs and "add"
 * is sent once it is complete. */
gboolean fws_usbemu_bus_add(UMockdevTestbed *tb, const gchar *rec, const gchar *syspath,
                            GError **error);

/* "remove" is sent; with drop, the sysfs entry goes too. */
void fws_usbemu_bus_remove(UMockdevTestbed *tb, const gchar *syspath, gboolean drop);

/* One uevent (e.g. "add" for an entry still in sysfs). */
void fws_usbemu_bus_uevent(UMockdevTestbed *tb, const gchar *syspath, const gchar *action);

#endif /* FWS_USBEMU_BUS_H */
