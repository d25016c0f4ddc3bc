/* SPDX-License-Identifier: Apache-2.0 */
/* dev_common.c - see dev_common.h. */
#include "dev_common.h"

#include <inttypes.h>
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal-host/dfu_client.h"
#include "fwseal-host/log.h"
#include "fwseal-host/units.h"

static void key_hex(const uint8_t *id, char *out)
{
	cli_hex(id, FWS_KEY_ID_LEN, out);
}

/* A slot's state for people (--json keeps fws_slot_state_name: ids). */
static const char *slot_words(uint8_t state)
{
	switch (state) {
	/* Translators: the state of a firmware slot in 'fwseal info' */
	case FWS_SLOT_EMPTY: return _("empty");
	case FWS_SLOT_RECEIVING: return _("receiving an update");
	case FWS_SLOT_STAGED: return _("verified, waiting to start");
	case FWS_SLOT_TESTING: return _("on trial, not yet confirmed");
	case FWS_SLOT_CONFIRMED: return _("confirmed");
	case FWS_SLOT_INVALID: return _("invalid");
	default: return _("unknown");
	}
}

static const char *key_roles(uint8_t roles)
{
	return roles == (FWS_DI_KEY_ROOT | FWS_DI_KEY_RELEASE) ? "root+release"
	       : roles == FWS_DI_KEY_ROOT ? "root"
	       : roles == FWS_DI_KEY_RELEASE ? "release" : "no role";
}

void dev_print_text(FILE *f, const char *device, const fws_devinfo *d)
{
	char date[32];
	fprintf(f, _("Device            %s\n"), device);
	fprintf(f, _("Model             %s, hardware revision %u\n"), d->model, d->hw_rev);
	fprintf(f, _("Serial number     %s\n"), d->serial);
	if (d->vendor_id || d->class_id)
		fprintf(f, _("Vendor:class id   %04x:%04x\n"), d->vendor_id, d->class_id);
	if (d->component[0])
		fprintf(f, _("Component         %s\n"), d->component);
	if (d->boot_state == FWS_BOOT_APP)
		fprintf(f, _("Firmware          %s (running)\n"),
		        d->fw_version[0] ? d->fw_version : _("unknown"));
	else
		fprintf(f, _("Firmware          none running: waiting in the update stub\n"));
	if (d->has_image_sha256) {
		char hex[2 * FWS_SHA256_LEN + 1];
		cli_hex(d->image_sha256, FWS_SHA256_LEN, hex);
		fprintf(f, _("Image SHA-256     %s\n"), hex);
	}
	fprintf(f, _("Security counter  %" PRIu32 "\n"), d->security_counter);
	if (d->support_end) {
		cli_format_date(d->support_end, date, sizeof date);
		fprintf(f, _("Security support  until %s\n"), date);
	}
	for (unsigned i = 0; i < FWS_DEVINFO_SLOTS; i++) {
		const fws_devinfo_slot *s = &d->slots[i];
		if (!s->present)
			continue;
		bool active = (s->flags & FWS_SLOT_FLAG_ACTIVE) != 0;
		const char *state = slot_words(s->state);
		if (s->version[0] && active)
			fprintf(f, _("Slot %u            %s, version %s (active)\n"), i, state, s->version);
		else if (s->version[0])
			fprintf(f, _("Slot %u            %s, version %s\n"), i, state, s->version);
		else if (active)
			fprintf(f, _("Slot %u            %s (active)\n"), i, state);
		else
			fprintf(f, _("Slot %u            %s\n"), i, state);
	}
	if (d->has_trust_state) {
		char sha[2 * FWS_SHA256_LEN + 1];
		cli_hex(d->trust_sha256, FWS_SHA256_LEN, sha);
		fprintf(f, _("Trust store       version %" PRIu32 ", root threshold %u, sha256 %s\n"),
		        d->trust_version, d->trust_threshold, sha);
	}
	for (unsigned i = 0; i < d->key_count; i++) {
		char hex[2 * FWS_KEY_ID_LEN + 1];
		uint8_t roles = d->keys[i].flags & (FWS_DI_KEY_ROOT | FWS_DI_KEY_RELEASE);
		key_hex(d->keys[i].id, hex);
		const char *mark = (d->keys[i].flags & FWS_TRUST_REVOKED) ? _(" (revoked)") : "";
		const char *role = d->has_trust_state ? key_roles(roles) : "";
		if (i == 0)
			fprintf(f, _("Trusted keys      %s%s%s%s\n"), hex, role[0] ? " " : "", role, mark);
		else /* under the first, in the same column */
			fprintf(f, "                  %s%s%s%s\n", hex, role[0] ? " " : "", role, mark);
	}
	if (d->max_block || d->slot_size)
		fprintf(f, _("Limits            image up to %" PRIu32 " bytes, blocks up to %" PRIu32 " bytes\n"),
		        d->slot_size, d->max_block);
	if (d->encodings) {
		fputs(_("Decodes           "), f);
		for (unsigned e = 1, n = 0; e <= FWS_ENC_MAX; e++)
			if ((d->encodings >> e) & 1u)
				fprintf(f, "%s%s", n++ ? ", " : "", fws_encoding_name((uint8_t)e));
		fprintf(f, _(" packages (blocks up to %" PRIu32 " bytes)\n"), d->enc_max_block);
	}
	fprintf(f, _("Update stub       %s\n"), d->stub_version);
	if (d->crypto_lib[0])
		fprintf(f, _("Crypto library    %s\n"), d->crypto_lib);
	if (d->simulator)
		fprintf(f, _("Simulated         yes: this is fwseal's simulated device, not hardware\n"));
	if (d->has_resume)
		fprintf(f, _("Interrupted update can resume at byte %" PRIu32
		           " (run the same 'fwseal flash' again)\n"),
		        d->resume_offset);
	if (d->last_error)
		fprintf(f, _("Last update error %s: %s\n"), fws_err_name((fws_err)d->last_error),
		        fws_err_describe((fws_err)d->last_error));
}

void dev_print_json(struct cli_json *j, const char *device, const fws_devinfo *d)
{
	cli_json_str(j, "device", device);
	cli_json_str(j, "model", d->model);
	cli_json_u64(j, "hw_rev", d->hw_rev);
	cli_json_str(j, "serial", d->serial);
	/* what the device does not report is null, never a made-up 0 or "" */
	if (d->vendor_id || d->class_id) {
		cli_json_u64(j, "vendor_id", d->vendor_id);
		cli_json_u64(j, "class_id", d->class_id);
	} else {
		cli_json_null(j, "vendor_id");
		cli_json_null(j, "class_id");
	}
	if (d->component[0])
		cli_json_str(j, "component", d->component);
	else
		cli_json_null(j, "component");
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
	cli_json_date(j, "support_end", d->support_end);
	cli_json_arr(j, "slots");
	for (unsigned i = 0; i < FWS_DEVINFO_SLOTS; i++) {
		const fws_devinfo_slot *s = &d->slots[i];
		if (!s->present)
			continue;
		cli_json_obj(j, NULL);
		cli_json_u64(j, "index", i);
		cli_json_str(j, "state", fws_slot_state_name(s->state));
		if (s->version[0])
			cli_json_str(j, "version", s->version);
		else
			cli_json_null(j, "version");
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
		if (d->has_trust_state) {
			cli_json_bool(j, "root", (d->keys[i].flags & FWS_DI_KEY_ROOT) != 0);
			cli_json_bool(j, "release", (d->keys[i].flags & FWS_DI_KEY_RELEASE) != 0);
		}
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	if (d->has_trust_state) {
		cli_json_obj(j, "trust");
		cli_json_u64(j, "version", d->trust_version);
		cli_json_u64(j, "root_threshold", d->trust_threshold);
		cli_json_hex(j, "sha256", d->trust_sha256, FWS_SHA256_LEN);
		cli_json_obj_end(j);
	} else {
		cli_json_null(j, "trust");
	}
	cli_json_u64(j, "max_block", d->max_block);
	cli_json_u64(j, "transfer_size", d->xfer_size);
	if (d->dl_window) /* DNLOADs the device takes in flight (serial window) */
		cli_json_u64(j, "dl_window", d->dl_window);
	else
		cli_json_null(j, "dl_window");
	cli_json_u64(j, "slot_size", d->slot_size);
	cli_json_arr(j, "encodings");
	for (unsigned e = 1; e <= FWS_ENC_MAX; e++)
		if ((d->encodings >> e) & 1u)
			cli_json_str(j, NULL, fws_encoding_name((uint8_t)e));
	cli_json_arr_end(j);
	cli_json_u64(j, "encoded_max_block", d->enc_max_block);
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
	if (d->last_error)
		cli_json_str(j, "last_error", fws_err_name((fws_err)d->last_error));
	else
		cli_json_null(j, "last_error");
}

typedef struct pick_state {
	char first[FWH_DEVSTR_MAX];
	unsigned count;
	char names[1024];
	char unusable[FWH_DEVSTR_MAX]; /* the first device seen but not opened */
	enum fwh_unusable_why why;
} pick_state;

static void pick_unusable(void *user, const fwh_unusable *u)
{
	pick_state *p = user;
	if (p->unusable[0] == '\0') {
		snprintf(p->unusable, sizeof p->unusable, "%s", u->device);
		p->why = u->why;
	}
}

static void pick_found(void *user, const fwh_found_unit *u)
{
	pick_state *p = user;
	const char *device = u->device;
	if (p->count == 0)
		snprintf(p->first, sizeof p->first, "%s", device);
	size_t n = strlen(p->names);
	snprintf(p->names + n, sizeof p->names - n, "%s%s", n ? ", " : "", device);
	p->count++;
}

int dev_pick(const char *given, char *out, size_t cap, struct cli_report *rep)
{
	if (given) {
		snprintf(out, cap, "%s", given);
		return -1;
	}
	pick_state p = { .count = 0 };
	fwh_error err;
	fwh_error_clear(&err);
	/* by unit: a USB device's DFU and HID interfaces are one device (units.h) */
	if (fwh_enumerate_grouped_all(pick_found, pick_unusable, &p, &err) != FWS_OK) {
		dev_error(&err);
		if (rep) {
			rep->id = fws_err_name(err.code);
			rep->exit = dev_exit_for(&err, false);
			snprintf(rep->msg, sizeof rep->msg, "%s", err.msg);
		}
		return dev_exit_for(&err, false);
	}
	if (p.count == 0 && p.unusable[0]) {
		/* not "no device": there is one, this user cannot open it */
		const char *why = p.why == FWH_UNUSABLE_PERMISSION ? N_("no permission")
		                  : p.why == FWH_UNUSABLE_BUSY     ? N_("in use by another program")
		                                                   : N_("it could not be opened");
		int rc = cli_fail_to(rep, MSG_DEVICE_UNUSABLE, p.unusable, _(why));
		if (rep) /* --json: English, the reason too */
			cli_msg_format(rep->msg, sizeof rep->msg, MSG_DEVICE_UNUSABLE, p.unusable, why);
		return rc;
	}
	if (p.count == 0) {
		int rc = cli_fail_to(rep, "no-device", FWS_EXIT_DEVICE, "%s",
		                     _(fws_err_describe(FWS_E_NO_DEVICE)));
		if (rep)
			snprintf(rep->msg, sizeof rep->msg, "%s", fws_err_describe(FWS_E_NO_DEVICE));
		return rc;
	}
	if (p.count > 1)
		return cli_fail_to(rep, MSG_SEVERAL_DEVICES, p.count, p.names);
	snprintf(out, cap, "%s", p.first);
	return -1;
}

void dev_error(const fwh_error *err)
{
	cli_error("%s", err->text[0] ? err->text : _(fws_err_describe(err->code)));
	fwh_log(FWH_LOG_INFO, "cli", "error %s%s", fws_err_name(err->code),
	        err->from_device ? " (reported by the device)" : "");
}

int dev_exit_for(const fwh_error *err, bool interrupted)
{
	if (interrupted)
		return FWS_EXIT_INTERRUPTED;
	return cli_exit_for_fws(err->code, err->from_device);
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

void ev_null(dev_event *e, const char *name)
{
	ev_name(e, name);
	fputs("null", e->f);
}

void ev_version(dev_event *e, const char *name, const char *v)
{
	if (v && v[0])
		ev_str(e, name, v);
	else
		ev_null(e, name);
}

void ev_iso_date(dev_event *e, const char *name, int64_t t)
{
	char date[32];
	if (t == 0 || !cli_format_date(t, date, sizeof date)) {
		ev_null(e, name);
		return;
	}
	ev_str(e, name, date);
}

void ev_end(dev_event *e)
{
	fputs("}\n", e->f);
	fflush(e->f);
}
