/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_usb.c - the simulated device on emulated USB (sim_usb.h).
 *
 * DFU interface: every class request goes unchanged to fws_stub_handle()
 * (DFU 1.1 section 3 requests, plus fwseal's INFO/RESUME/RESET above the DFU
 * range), with the interface's current alternate setting; an error STALLs
 * the control pipe, as DFU 1.1 6.1.2 expects. A USB reset restarts the
 * device (the port's restart: boot decision, application confirms) and it
 * re-enumerates, as does a FWS_REQ_RESET.
 *
 * With --runtime the device starts as an application with a DFU runtime
 * interface (protocol 1): it answers DFU_DETACH, GETSTATUS and GETSTATE
 * itself (appIDLE / appDETACH, DFU 1.1 6.1.1) and comes back in DFU mode
 * after the USB reset that follows a detach (5.1).
 *
 * HID interface: reports carry the serial byte stream (docs/usb.md):
 *   byte 0: number of stream bytes that follow (1..63), bytes 1..63: stream
 * so the frames of fwseal/frame.h cross HID unchanged.
 */
#include "sim_usb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fwseal/le.h"
#include "fwseal/stub_serial.h"

#include "usbemu.h"
#include "usbemu_run.h"

#define HID_PAYLOAD (FWS_USB_HID_REPORT - 1u)
#define USB_CTRL_MAX 4096u /* usbfs limits one control transfer to a page */

const char fws_sim_usb_usage[] =
	"USB options (after --usb, before -- COMMAND):\n"
	"  --no-hid            DFU interface only\n"
	"  --runtime           start in DFU runtime mode; DETACH + reset bring it into\n"
	"                      DFU mode, where it stays\n"
	"  --transfer-size N   DFU wTransferSize (64..4096, default 4096)\n"
	"  --pull-after N      pull the cable at the N-th DNLOAD request\n"
	"  --pull-unit K       only device K (1 = the first, 2 = after the first --and)\n"
	"                      is pulled (default: every device)\n"
	"  --replug-ms MS      plug it back after MS ms (default 300, -1: never)\n";

struct sim_usb {
	const struct fws_sim_usb_port *port;
	fws_usbemu *emu;
	fws_stub_serial ser;      /* the HID face's frame server */
	uint8_t alt;
	bool runtime, detached;   /* runtime mode; DFU_DETACH seen (appDETACH) */
	struct fws_usb_model dfu_model;
	unsigned dnloads, pull_after;
	int replug_ms;
	int off_ms;               /* the puller's pause: replug_ms, or a power cut's */
	GThread *puller;
	GThread *controller;      /* serves port->ctl */
	gint stop;                /* the controller ends (atomic) */
};

static gpointer controller(gpointer p);

static void restart_device(struct sim_usb *d)
{
	d->alt = 0;
	if (d->port->restart)
		d->port->restart(d->port->ctx);
	/* a restarted device has forgotten the last frame it answered */
	fws_stub_serial_init(&d->ser, d->port->stub);
}

static gpointer cable_pull(gpointer p)
{
	struct sim_usb *d = p;

	fws_usbemu_unplug(d->emu);
	if (d->off_ms < 0)
		return NULL;
	g_usleep((gulong)d->off_ms * 1000);
	/* a real device loses power with the cable: it boots again */
	fws_usbemu_lock(d->emu);
	restart_device(d);
	fws_usbemu_unlock(d->emu);
	g_autoptr(GError) err = NULL;
	if (!fws_usbemu_plug(d->emu, &err))
		g_printerr("fwseal-sim: cannot plug the USB device back: %s\n", err->message);
	return NULL;
}

/* Runtime mode: the application's DFU interface (DFU 1.1 5.1, 6.1.1). */
static int runtime_control(struct sim_usb *d, const struct fws_usbemu_setup *s, uint8_t *data)
{
	uint8_t state = d->detached ? FWS_DFU_APP_DETACH : FWS_DFU_APP_IDLE;

	switch (s->request) {
	case FWS_DFU_DETACH:
		d->detached = true;
		return 0;
	case FWS_DFU_GETSTATUS:
		if (s->length < FWS_DFU_STATUS_LEN)
			return -1;
		memset(data, 0, FWS_DFU_STATUS_LEN);
		data[4] = state;
		return FWS_DFU_STATUS_LEN;
	case FWS_DFU_GETSTATE:
		if (s->length < 1)
			return -1;
		data[0] = state;
		return 1;
	default:
		return -1;
	}
}

/* The device lost its power (a cut from the control socket): it leaves the
 * bus now and comes back after the off time (cable_pull). true if so. */
static bool power_gone(struct sim_usb *d)
{
	int off = d->port->power_lost ? d->port->power_lost(d->port->ctx) : -1;

	if (off < 0)
		return false;
	if (d->puller)
		g_thread_join(d->puller);
	d->off_ms = off;
	d->puller = g_thread_new("usb-power-cut", cable_pull, d);
	return true;
}

static int dfu_control(void *ctx, const struct fws_usbemu_setup *s, uint8_t *data)
{
	struct sim_usb *d = ctx;
	bool in = (s->request_type & 0x80) != 0;
	fws_stub_req req = {
		.request = s->request,
		.alt = d->alt,
		.value = s->value,
		.data = in ? NULL : data,
		.len = in ? 0 : s->length,
		.dir = in ? FWS_REQ_DIR_IN : FWS_REQ_DIR_OUT,
	};
	size_t n = 0;

	if (d->runtime)
		return runtime_control(d, s, data);
	if (!in && s->request == FWS_DFU_DNLOAD && d->pull_after && ++d->dnloads == d->pull_after) {
		/* the cable goes while this transfer is on the wire: it never
		 * reaches the device */
		if (d->puller)
			g_thread_join(d->puller);
		d->off_ms = d->replug_ms;
		d->puller = g_thread_new("usb-cable-pull", cable_pull, d);
		return FWS_USBEMU_GONE;
	}
	fws_err he = fws_stub_handle(d->port->stub, &req, in ? data : NULL, in ? s->length : 0, &n);
	if (power_gone(d))
		return FWS_USBEMU_GONE; /* no answer from a device without power */
	if (he != FWS_OK)
		return -1;
	/* fwseal hosts ask GETSTATUS with wLength >= 10 and get the detail code
	 * (i32 LE) after the 6 DFU bytes, as on serial; DFU hosts ask for 6 */
	if (s->request == FWS_DFU_GETSTATUS && n == FWS_DFU_STATUS_LEN &&
	    s->length >= FWS_DFU_STATUS_LEN + 4u) {
		fws_put_le32(data + n, (uint32_t)(int32_t)fws_stub_last_error(d->port->stub));
		n += 4;
	}
	if (fws_stub_reset_pending(d->port->stub)) {
		restart_device(d);
		fws_usbemu_reenumerate(d->emu);
	}
	return in ? (int)n : 0;
}

static int set_alt(void *ctx, uint8_t alt)
{
	struct sim_usb *d = ctx;

	if (alt > FWS_ALT_INFO)
		return -1;
	d->alt = alt;
	return 0;
}

/* The serial server's answers, read back from the link, as input reports. */
static void flush_answers(struct sim_usb *d)
{
	uint8_t rep[FWS_USB_HID_REPORT];
	ssize_t n;

	for (;;) {
		memset(rep, 0, sizeof rep);
		n = read(d->port->link_fd, rep + 1, HID_PAYLOAD);
		if (n <= 0)
			return; /* EAGAIN: nothing more */
		rep[0] = (uint8_t)n;
		fws_usbemu_hid_input(d->emu, rep, sizeof rep);
	}
}

static void hid_output(void *ctx, const uint8_t *report, size_t len)
{
	struct sim_usb *d = ctx;

	if (len < 1 || report[0] == 0 || report[0] > HID_PAYLOAD || report[0] > len - 1)
		return; /* not a stream report: a real device ignores it */
	fws_stub_serial_input(&d->ser, report + 1, report[0]);
	if (power_gone(d))
		return;
	flush_answers(d);
	if (fws_stub_reset_pending(d->port->stub)) {
		restart_device(d);
		fws_usbemu_reenumerate(d->emu);
	}
}

static void usb_reset(void *ctx)
{
	struct sim_usb *d = ctx;

	if (d->runtime && d->detached) {
		/* the reset after DFU_DETACH: come back in DFU mode */
		d->runtime = false;
		d->detached = false;
		if (!fws_usbemu_set_model(d->emu, &d->dfu_model, NULL))
			g_printerr("fwseal-sim: cannot switch to DFU mode\n");
	}
	restart_device(d);
}

static const struct fws_usbemu_ops sim_ops = {
	.dfu_control = dfu_control,
	.set_alt = set_alt,
	.hid_output = hid_output,
	.reset = usb_reset,
};

int fws_sim_usb_link(int *host_end)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	/* the host end is drained without blocking after every request */
	if (fcntl(sv[1], F_SETFL, O_NONBLOCK) != 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	*host_end = sv[1];
	return sv[0];
}

int fws_sim_usb_begin(int argc, char **argv, int *usb_at)
{
	g_autoptr(GError) err = NULL;

	*usb_at = argc;
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--usb") == 0) {
			*usb_at = i;
			break;
		}
	}
	if (*usb_at == argc)
		return 0;
	if (!fws_usbemu_reexec_under_preload(argv, &err)) {
		fprintf(stderr, "fwseal-sim: %s\n", err->message);
		return 2;
	}
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

struct usb_opts {
	bool hid;
	bool runtime;
	unsigned long xfer;
	unsigned pull_after;
	unsigned long pull_unit; /* 1-based; 0: every device */
	int replug_ms;
	int cmd;         /* index of COMMAND in argv */
};

static int parse_opts(int argc, char **argv, struct usb_opts *u)
{
	unsigned long v;
	int i = 1;

	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *o = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(o, "--no-hid") == 0) {
			u->hid = false;
		} else if (strcmp(o, "--runtime") == 0) {
			u->runtime = true;
		} else if (strcmp(o, "--transfer-size") == 0 && a && !parse_uint(a, USB_CTRL_MAX, &v) &&
		           v >= 64) {
			u->xfer = v;
			i++;
		} else if (strcmp(o, "--pull-after") == 0 && a && !parse_uint(a, 1u << 30, &v)) {
			u->pull_after = (unsigned)v;
			i++;
		} else if (strcmp(o, "--pull-unit") == 0 && a && !parse_uint(a, 64, &v) && v >= 1) {
			u->pull_unit = v;
			i++;
		} else if (strcmp(o, "--replug-ms") == 0 && a && strcmp(a, "-1") == 0) {
			u->replug_ms = -1;
			i++;
		} else if (strcmp(o, "--replug-ms") == 0 && a && !parse_uint(a, 60000, &v)) {
			u->replug_ms = (int)v;
			i++;
		} else {
			return -1;
		}
	}
	if (i + 1 >= argc)
		return -1;
	u->cmd = i + 1;
	return 0;
}

/* Create device d (index i on the bus) in tb. Returns FALSE with *error set. */
static gboolean add_device(struct sim_usb *d, UMockdevTestbed *tb, const struct usb_opts *u,
                           unsigned i, GError **error)
{
	const struct fws_sim_usb_port *port = d->port;
	const fws_stub_identity *id = &port->stub->cfg.id;
	unsigned long xfer = u->xfer;
	fws_devinfo info;

	fws_stub_info(port->stub, &info);
	if (info.xfer_size && info.xfer_size < xfer)
		xfer = info.xfer_size;
	struct fws_usb_model m = {
		/* pid.codes test VID/PID unless the device has its own */
		.vid = port->vid ? port->vid : id->vendor_id ? id->vendor_id : 0x1209,
		.pid = port->pid ? port->pid : id->class_id ? id->class_id : 0x0001,
		.bcd_device = 0x0100,
		.manufacturer = port->manufacturer ? port->manufacturer : "fwseal",
		.product = id->model,
		.serial = id->serial && *id->serial ? id->serial : "0",
		/* bitCanUpload stays clear although the info alt answers UPLOAD: the
		 * package alt cannot be read back (the device does not keep the
		 * stream), and hosts that see the bit verify a download by reading it
		 * back (fwupd), which would fail every update. docs/usb.md. */
		.dfu_attributes = FWS_STUB_DFU_ATTRS & ~FWS_DFU_ATTR_CAN_UPLOAD,
		.dfu_detach_timeout_ms = 1000,
		.dfu_transfer_size = (uint16_t)xfer,
		.dfu_alt_names = { "fwseal package", "fwseal device info" },
		.dfu_alt_count = 2,
		.hid = u->hid && port->link_fd > 0,
		.hid_name = "fwseal frames",
	};
	struct fws_usb_model rt = m;
	/* one hub: device 2, 3, ... on bus 1, ports 1-1, 1-2, ... */
	g_autofree gchar *sysname = g_strdup_printf("1-%u", i + 1);
	struct fws_usbemu_location loc = { .busnum = 1, .devnum = 2 + i, .sysname = sysname };

	/* runtime mode: one DFU interface (protocol 1) next to the application's */
	rt.dfu_runtime = true;
	rt.dfu_alt_count = 1;
	rt.dfu_alt_names[0] = "fwseal runtime";
	rt.dfu_attributes = FWS_DFU_ATTR_CAN_DNLOAD;
	d->dfu_model = m;
	d->runtime = u->runtime;
	d->pull_after = u->pull_unit == 0 || u->pull_unit == i + 1 ? u->pull_after : 0;
	d->replug_ms = u->replug_ms;
	d->emu = fws_usbemu_new(tb, u->runtime ? &rt : &m, &loc, &sim_ops, d, error);
	if (!d->emu)
		return FALSE;
	fws_stub_serial_init(&d->ser, port->stub);
	if (port->ctl && port->ctl->fd >= 0 && port->control && port->power_lost)
		d->controller = g_thread_new("sim-control", controller, d);
	return TRUE;
}

/* Serve the control socket of one device until d->stop. */
static gpointer controller(gpointer p)
{
	struct sim_usb *d = p;

	while (!g_atomic_int_get(&d->stop)) {
		sim_ctl_req r;
		bool cut_now = false;

		if (!sim_ctl_next(d->port->ctl, 200, &r))
			continue;
		fws_usbemu_lock(d->emu);
		d->port->control(d->port->ctx, &r, &cut_now);
		fws_usbemu_unlock(d->emu);
		if (!cut_now)
			continue;
		/* the cut, made now: off the bus, off for a while, back (as
		 * cable_pull, but waited for, so the answer says it is done) */
		fws_usbemu_lock(d->emu);
		int off = d->port->power_lost(d->port->ctx);
		if (d->puller)
			g_thread_join(d->puller);
		d->puller = NULL;
		fws_usbemu_unlock(d->emu);
		d->off_ms = off < 0 ? 0 : off;
		cable_pull(d);
		sim_ctl_reply(&r, "ok power-cut");
	}
	return NULL;
}

static void remove_device(struct sim_usb *d)
{
	if (d->controller) {
		g_atomic_int_set(&d->stop, 1);
		g_thread_join(d->controller);
		d->controller = NULL;
	}
	if (d->puller)
		g_thread_join(d->puller);
	d->puller = NULL;
	if (!d->emu)
		return;
	if (fws_usbemu_plugged(d->emu))
		fws_usbemu_unplug(d->emu);
	fws_usbemu_free(d->emu);
	d->emu = NULL;
}

static int serve(struct sim_usb *devs, size_t n, const struct usb_opts *u, char **cmd)
{
	GError *err = NULL;
	UMockdevTestbed *tb = umockdev_testbed_new();
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!add_device(&devs[i], tb, u, (unsigned)i, &err)) {
			fprintf(stderr, "fwseal-sim: cannot create the USB device: %s\n", err->message);
			g_clear_error(&err);
			rc = 1;
		}
	}
	if (rc == 0) {
		rc = fws_usbemu_run_command(cmd, NULL, &err);
		if (rc < 0) {
			fprintf(stderr, "fwseal-sim: cannot run %s: %s\n", cmd[0], err->message);
			g_clear_error(&err);
			rc = 127;
		}
	}
	for (size_t i = 0; i < n; i++)
		remove_device(&devs[i]);
	g_object_unref(tb);
	return rc;
}

int fws_sim_usb_main(const struct fws_sim_usb_port *ports, size_t n, int argc, char **argv)
{
	struct usb_opts u = { .hid = true, .xfer = USB_CTRL_MAX, .replug_ms = 300 };

	if (parse_opts(argc, argv, &u) != 0) {
		fprintf(stderr, "fwseal-sim: usage: fwseal-sim [device options] [--and [device options]]... "
		                "--usb [USB options] -- COMMAND [ARGS...]\n%s", fws_sim_usb_usage);
		return 2;
	}
	struct sim_usb *devs = g_new0(struct sim_usb, n);
	for (size_t i = 0; i < n; i++)
		devs[i].port = &ports[i];
	int rc = serve(devs, n, &u, argv + u.cmd);
	g_free(devs);
	return rc;
}
