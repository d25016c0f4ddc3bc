/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mech.h - the update mechanisms (IXIT 7-UpdMech) fwseal implements, with
 * the facts each IXIT entry needs. The table in mech.c is the single place
 * where these facts are written down; it cites the headers and documents
 * they come from, and the constants it prints are the real ones.
 */
#ifndef FWSEAL_EV_MECH_H
#define FWSEAL_EV_MECH_H

#include <stdbool.h>
#include <stdint.h>

enum ev_mech {
	EV_MECH_USB_DFU = 0,
	EV_MECH_HID = 1,
	EV_MECH_SERIAL = 2,
	EV_MECH_COUNT
};

struct ev_mech_info {
	const char *id;          /* "UM-USB-DFU": IXIT entry id */
	const char *key;         /* "usb-dfu": the name in product files */
	const char *name;        /* "USB DFU 1.1" */
	const char *device_prefix; /* "usb:" - the --device string of this transport */
	const char *description;
	const char *transport_integrity; /* what the link adds (not a security guarantee) */
	const char *initiation;
	const char *configuration;
	const char *update_checking;
	const char *user_notification;
	const char *documented_in; /* fwseal's documents the texts above describe */
};

const struct ev_mech_info *ev_mech_get(enum ev_mech m);

/* Mechanisms this build of fwseal can deliver through (bit per enum ev_mech). */
uint32_t ev_mech_built(void);

/* Product-file key -> mechanism; -1 if unknown. */
int ev_mech_from_key(const char *key);

/* Mechanism of a --device string ("serial:/dev/pts/3" -> serial); -1 if unknown. */
int ev_mech_from_device(const char *dev);

#endif
