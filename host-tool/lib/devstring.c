/* SPDX-License-Identifier: Apache-2.0 */
/* devstring.c - device strings: serial:PATH[@BAUD], usb[:VID:PID[:SERIAL]],
 * usb:@BUSPATH, and the same for hid (fwseal-host/transport.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal-host/transport.h"
#include "i18n.h"

static bool parse_hex16(const char *s, size_t n, uint16_t *out)
{
	if (n == 0 || n > 4)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		v = v * 16 + d;
	}
	*out = (uint16_t)v;
	return true;
}

/* why: an English msgid (N_()), translated in err->text */
static fws_err bad(fwh_error *err, const char *s, const char *why)
{
#define BAD N_("'%s' is not a valid device: %s. Use serial:PATH[@BAUD], " \
               "usb[:VID:PID[:SERIAL]], usb:@BUSPATH or the same with hid.")
	char en[FWH_ERROR_MSG_MAX], tr[FWH_ERROR_MSG_MAX];
	snprintf(en, sizeof en, BAD, s, why);
	snprintf(tr, sizeof tr, fwh_tr(BAD), s, fwh_tr(why));
#undef BAD
	return fwh_error_put(err, FWS_E_INVAL, en, tr);
}

static fws_err parse_serial(const char *s, const char *rest, fwh_dev_id *out, fwh_error *err)
{
	const char *at = strrchr(rest, '@');
	size_t plen = at ? (size_t)(at - rest) : strlen(rest);
	if (plen == 0)
		return bad(err, s, N_("the serial port path is missing"));
	if (plen >= sizeof out->path)
		return bad(err, s, N_("the path is too long"));
	memcpy(out->path, rest, plen);
	out->path[plen] = '\0';
	if (at) {
		char *end;
		unsigned long b = strtoul(at + 1, &end, 10);
		if (at[1] < '0' || at[1] > '9' || *end != '\0' || b < 50 || b > 4000000)
			return bad(err, s, N_("the baud rate after '@' must be a number from 50 to 4000000"));
		out->baud = (uint32_t)b;
	}
	return FWS_OK;
}

static fws_err parse_usb(const char *s, const char *rest, fwh_dev_id *out, fwh_error *err)
{
	if (*rest == '\0')
		return FWS_OK; /* bare usb / hid: the only device of that kind */
	if (*rest != ':')
		return bad(err, s, N_("expected ':' after the transport name"));
	rest++;
	if (*rest == '@') {
		/* usb:@BUS-PORT[.PORT...]: the device on that physical port */
		size_t n = strlen(rest + 1);
		if (n == 0 || n >= sizeof out->path || strspn(rest + 1, "0123456789-.") != n)
			return bad(err, s, N_("a bus path after '@' looks like 1-1.2"));
		memcpy(out->path, rest + 1, n + 1);
		return FWS_OK;
	}
	const char *c1 = strchr(rest, ':');
	if (c1 == NULL)
		return bad(err, s, N_("expected VID:PID in hex, e.g. 1209:5ea1"));
	const char *c2 = strchr(c1 + 1, ':');
	size_t pid_len = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
	if (!parse_hex16(rest, (size_t)(c1 - rest), &out->vid) ||
	    !parse_hex16(c1 + 1, pid_len, &out->pid))
		return bad(err, s, N_("VID and PID must be 1 to 4 hex digits, e.g. 1209:5ea1"));
	out->has_vid_pid = true;
	if (c2) {
		size_t n = strlen(c2 + 1);
		if (n == 0 || n > FWS_SERIAL_MAX)
			return bad(err, s, N_("the serial number must be 1 to 32 characters"));
		memcpy(out->serial, c2 + 1, n + 1);
	}
	return FWS_OK;
}

fws_err fwh_dev_id_parse(const char *s, fwh_dev_id *out, fwh_error *err)
{
	memset(out, 0, sizeof *out);
	if (s == NULL || *s == '\0')
		return bad(err, "", N_("it is empty"));
	if (strncmp(s, "serial:", 7) == 0) {
		out->kind = FWH_KIND_SERIAL;
		return parse_serial(s, s + 7, out, err);
	}
	if (strncmp(s, "usb", 3) == 0 && (s[3] == '\0' || s[3] == ':')) {
		out->kind = FWH_KIND_USB;
		return parse_usb(s, s + 3, out, err);
	}
	if (strncmp(s, "hid", 3) == 0 && (s[3] == '\0' || s[3] == ':')) {
		out->kind = FWH_KIND_HID;
		return parse_usb(s, s + 3, out, err);
	}
	if (s[0] == '/')
		return bad(err, s, N_("a serial port needs the prefix 'serial:', e.g. serial:/dev/ttyUSB0"));
	return bad(err, s, N_("unknown transport"));
}

void fwh_dev_id_format(const fwh_dev_id *id, char *buf, size_t cap)
{
	const char *name = id->kind == FWH_KIND_USB ? "usb" : "hid";
	switch (id->kind) {
	case FWH_KIND_SERIAL:
		if (id->baud)
			snprintf(buf, cap, "serial:%s@%u", id->path, (unsigned)id->baud);
		else
			snprintf(buf, cap, "serial:%s", id->path);
		return;
	case FWH_KIND_USB:
	case FWH_KIND_HID:
		if (id->path[0])
			snprintf(buf, cap, "%s:@%s", name, id->path);
		else if (!id->has_vid_pid)
			snprintf(buf, cap, "%s", name);
		else if (id->serial[0])
			snprintf(buf, cap, "%s:%04x:%04x:%s", name, id->vid, id->pid, id->serial);
		else
			snprintf(buf, cap, "%s:%04x:%04x", name, id->vid, id->pid);
		return;
	}
	snprintf(buf, cap, "unknown");
}
