/* SPDX-License-Identifier: Apache-2.0 */
/* dev_common.c - see dev_common.h. */
#include "dev_common.h"

#include <inttypes.h>
#include <string.h>

#include "fwseal-host/dfu_client.h"
#include "fwseal-host/units.h"

static void key_hex(const uint8_t *id, char *out)
{
	cli_hex(id, FWS_KEY_ID_LEN, out);
}

void dev_print_text(FILE *f, const char *device, const fws_devinfo *d)
{
	char date[32];
	fprintf(f, "Device            %s\n", device);
	fprintf(f, "Model             %s, hardware revision %u\n", d->model, d->hw_rev);
	fprintf(f, "Serial number     %s\n", d->serial);
	if (d->vendor_id || d->class_id)
		fprintf(f, "Vendor:class id   %04x:%04x\n", d->vendor_id, d->class_id);
	if (d->component[0])
		fprintf(f, "Component         %s\n", d->component);
	if (d->boot_state == FWS_BOOT_APP)
		fprintf(f, "Firmware          %s (running)\n", d->fw_version[0] ? d->fw_version : "unknown");
	else
		fprintf(f, "Firmware          none running: waiting in the update stub\n");
	if (d->has_image_sha256) {
		char hex[2 * FWS_SHA256_LEN + 1];
		cli_hex(d->image_sha256, FWS_SHA256_LEN, hex);
		fprintf(f, "Image SHA-256     %s\n", hex);
	}
	fprintf(f, "Security counter  %" PRIu32 "\n", d->security_counter);
	if (d->support_end) {
		cli_format_date(d->support_end, date, sizeof date);
		fprintf(f, "Security support  until %s\n", date);
	}
	for (unsigned i = 0; i < FWS_DEVINFO_SLOTS; i++) {
		const fws_devinfo_slot *s = &d->slots[i];
		if (!s->present)
			continue;
		fprintf(f, "Slot %u            %s%s%s%s\n", i, fws_slot_state_name(s->state),
		        s->version[0] ? ", version " : "", s->version,
		        (s->flags & FWS_SLOT_FLAG_ACTIVE) ? " (active)" : "");
	}
	for (unsigned i = 0; i < d->key_count; i++) {
		char hex[2 * FWS_KEY_ID_LEN + 1];
		key_hex(d->keys[i].id, hex);
		fprintf(f, "%s  %s%s\n", i == 0 ? "Trusted keys    " : "                ", hex,
		        (d->keys[i].flags & FWS_TRUST_REVOKED) ? " (revoked)" : "");
	}
	if (d->max_block || d->slot_size)
		fprintf(f, "Limits            image up to %" PRIu32 " bytes, blocks up to %" PRIu32 " bytes\n",
		        d->slot_size, d->max_block);
	fprintf(f, "Update stub       %s\n", d->stub_version);
	if (d->crypto_lib[0])
		fprintf(f, "Crypto library    %s\n", d->crypto_lib);
	if (d->simulator)
		fprintf(f, "Simulated         yes: this is fwseal's simulated device, not hardware\n");
	if (d->has_resume)
		fprintf(f, "Interrupted update can resume at byte %" PRIu32
		           " (run the same 'fwseal flash' again)\n",
		        d->resume_offset);
	if (d->last_error)
		fprintf(f, "Last update error %s: %s\n", fws_err_name((fws_err)d->last_error),
		        fws_err_describe((fws_err)d->last_error));
}

void dev_print_json(struct cli_json *j, const char *device, const fws_devinfo *d)
{
	cli_json_str(j, "device", device);
	cli_json_str(j, "model", d->model);
	cli_json_u64(j, "hw_rev", d->hw_rev);
	cli_json_str(j, "serial", d->serial);
	cli_json_u64(j, "vendor_id", d->vendor_id);
	cli_json_u64(j, "class_id", d->class_id);
	cli_json_str(j, "component", d->component);
	cli_json_str(j, "boot_state", fws_boot_state_name(d->boot_state));
	if (d->boot_state == FWS_BOOT_APP)
		cli_json_str(j, "firmware_version", d->fw_version);
	else
		cli_json_null(j, "firmware_version");
	if (d->has_image_sha256)
		cli_json_hex(j, "image_sha256", d->image_sha256, FWS_SHA256_LEN);
	else
		cli_json_null(j, "image_sha256");
	cli_json_u64(j, "security_counter", d->security_counter);
	if (d->support_end)
		cli_json_i64(j, "support_end", d->support_end);
	else
		cli_json_null(j, "support_end");
	cli_json_arr(j, "slots");
	for (unsigned i = 0; i < FWS_DEVINFO_SLOTS; i++) {
		const fws_devinfo_slot *s = &d->slots[i];
		if (!s->present)
			continue;
		cli_json_obj(j, NULL);
		cli_json_u64(j, "index", i);
		cli_json_str(j, "state", fws_slot_state_name(s->state));
		cli_json_str(j, "version", s->version);
		cli_json_u64(j, "security_counter", s->security_counter);
		cli_json_bool(j, "active", (s->flags & FWS_SLOT_FLAG_ACTIVE) != 0);
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	cli_json_arr(j, "keys");
	for (unsigned i = 0; i < d->key_count; i++) {
		cli_json_obj(j, NULL);
		cli_json_hex(j, "id", d->keys[i].id, FWS_KEY_ID_LEN);
		cli_json_bool(j, "revoked", (d->keys[i].flags & FWS_TRUST_REVOKED) != 0);
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	cli_json_u64(j, "max_block", d->max_block);
	cli_json_u64(j, "transfer_size", d->xfer_size);
	cli_json_u64(j, "slot_size", d->slot_size);
	cli_json_str(j, "stub_version", d->stub_version);
	if (d->crypto_lib[0])
		cli_json_str(j, "crypto_lib", d->crypto_lib);
	else
		cli_json_null(j, "crypto_lib");
	cli_json_bool(j, "simulator", d->simulator);
	if (d->has_resume)
		cli_json_u64(j, "resume_offset", d->resume_offset);
	else
		cli_json_null(j, "resume_offset");
	cli_json_str(j, "last_error", d->last_error ? fws_err_name((fws_err)d->last_error) : "");
}

typedef struct pick_state {
	char first[FWH_DEVSTR_MAX];
	unsigned count;
	char names[1024];
} pick_state;

static void pick_found(void *user, const char *device, const fws_devinfo *info)
{
	(void)info;
	pick_state *p = user;
	if (p->count == 0)
		snprintf(p->first, sizeof p->first, "%s", device);
	size_t n = strlen(p->names);
	snprintf(p->names + n, sizeof p->names - n, "%s%s", n ? ", " : "", device);
	p->count++;
}

int dev_pick(const char *given, char *out, size_t cap)
{
	if (given) {
		snprintf(out, cap, "%s", given);
		return -1;
	}
	pick_state p = { .count = 0 };
	fwh_error err;
	fwh_error_clear(&err);
	/* by unit: a USB device's DFU and HID interfaces are one device (units.h) */
	if (fwh_enumerate_units(pick_found, &p, &err) != FWS_OK) {
		dev_error(&err);
		return FWS_EXIT_DEVICE;
	}
	if (p.count == 0) {
		cli_error("No fwseal device was found; connect the device and check that it is in "
		          "update mode, or name it with --device (e.g. --device serial:/dev/ttyUSB0).");
		return FWS_EXIT_DEVICE;
	}
	if (p.count > 1) {
		cli_error("%u devices were found (%s); choose one with --device.", p.count, p.names);
		return FWS_EXIT_USAGE;
	}
	snprintf(out, cap, "%s", p.first);
	return -1;
}

void dev_error(const fwh_error *err)
{
	cli_error("%s", err->msg[0] ? err->msg : fws_err_describe(err->code));
}

int dev_exit_for(const fwh_error *err, bool interrupted)
{
	fws_err e = err->code;
	if (interrupted)
		return FWS_EXIT_INTERRUPTED;
	if (e == FWS_OK)
		return FWS_EXIT_OK;
	if (e <= FWS_E_MODEL && e >= FWS_E_VENDOR)
		return FWS_EXIT_POLICY;
	if (e <= FWS_E_MAGIC && e >= FWS_E_TRUST_STORE)
		return FWS_EXIT_BAD_PACKAGE;
	if (e == FWS_E_IO && !err->from_device)
		return FWS_EXIT_IO;
	if (e == FWS_E_INVAL)
		return FWS_EXIT_USAGE;
	if (e == FWS_E_CANCELLED)
		return FWS_EXIT_CANCELLED;
	return FWS_EXIT_DEVICE;
}

/* ---------------------------------------------------------------------- */

static void ev_name(dev_event *e, const char *name)
{
	fputc(',', e->f);
	cli_json_escape(e->f, name, strlen(name));
	fputc(':', e->f);
}

void ev_begin(dev_event *e, FILE *f, const char *event)
{
	e->f = f;
	fputs("{\"event\":", f);
	cli_json_escape(f, event, strlen(event));
}

void ev_str(dev_event *e, const char *name, const char *v)
{
	ev_name(e, name);
	cli_json_escape(e->f, v, strlen(v));
}

void ev_u64(dev_event *e, const char *name, uint64_t v)
{
	ev_name(e, name);
	fprintf(e->f, "%" PRIu64, v);
}

void ev_i64(dev_event *e, const char *name, int64_t v)
{
	ev_name(e, name);
	fprintf(e->f, "%" PRId64, v);
}

void ev_num(dev_event *e, const char *name, double v)
{
	ev_name(e, name);
	fprintf(e->f, "%.3f", v);
}

void ev_bool(dev_event *e, const char *name, bool v)
{
	ev_name(e, name);
	fputs(v ? "true" : "false", e->f);
}

void ev_end(dev_event *e)
{
	fputs("}\n", e->f);
	fflush(e->f);
}
