/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_client_hostile.c - the test client as a hostile host (no host checks),
 * the same code over usb:, hid: and serial: links:
 *
 *   refuse PKG OLD        the whole stream of PKG, as any DFU host sends it;
 *                         the device must refuse it
 *   proto CASE PKG OLD    a request sequence DFU 1.1 forbids (DNLOAD without
 *                         GETSTATUS, replayed or skipped chunks, ...) built
 *                         from the valid package PKG; its last request must
 *                         be refused and every earlier one accepted, so the
 *                         case tests what its name says
 *
 * Before: the device runs OLD. After the refusal: it still reports OLD with
 * the same security counter, and after a restart (FWS_REQ_RESET: the boot
 * decision runs again) it still runs OLD. Exit 3 when all of that holds and
 * the refusal detail is printed ("refused: NAME"), 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "fwseal/dfu.h"
#include "usb_client_int.h"

/* What the device runs: version and counter; CLIENT_OK if it runs want. */
static int runs(const fws_devinfo *info, const char *want, uint32_t counter, const char *when)
{
	if (info->boot_state == FWS_BOOT_APP && strcmp(info->fw_version, want) == 0 &&
	    info->security_counter == counter)
		return CLIENT_OK;
	fprintf(stderr, "usb_client: %s the device %s '%s' (counter %u); expected '%s' (counter %u)\n",
	        when, info->boot_state == FWS_BOOT_APP ? "runs" : "waits in the stub, last ran",
	        info->fw_version, (unsigned)info->security_counter, want, (unsigned)counter);
	return CLIENT_FAIL;
}

/* After the refusal: the old image, reported now and run after a restart. */
static int keeps(const char *dev, fwh_link **l, const char *old, uint32_t counter)
{
	fws_devinfo info;
	fwh_error err = { 0 };

	if (fwh_dfu_info(*l, &info, &err) != FWS_OK)
		return client_fail("info after the refusal", &err);
	if (runs(&info, old, counter, "after the refusal") != CLIENT_OK)
		return CLIENT_FAIL;
	/* the answer may be lost when the device goes away at once */
	fws_err e = fwh_dfu_reset(*l, &err);
	if (e != FWS_OK && e != FWS_E_DISCONNECTED && e != FWS_E_TIMEOUT)
		return client_fail("reset", &err);
	if (client_reopen(dev, l, &info, 5000) != FWS_OK)
		return CLIENT_FAIL;
	if (runs(&info, old, counter, "after the restart") != CLIENT_OK)
		return CLIENT_FAIL;
	printf("keeps %s after a restart\n", old);
	return CLIENT_OK;
}

/* Open the device; it must run old (*counter: its security counter). */
static int begin(const char *dev, fwh_link **l, const char *old, uint32_t *counter)
{
	fws_devinfo info;

	if (client_reopen(dev, l, &info, 2000) != FWS_OK)
		return CLIENT_FAIL;
	*counter = info.security_counter;
	return runs(&info, old, info.security_counter, "before the test");
}

int client_refuse(const char *dev, int argc, char **argv)
{
	fwh_link *l = NULL;
	fwh_error err = { 0 };
	size_t n = 0, at = 0;
	uint32_t counter = 0;

	if (argc != 2)
		return CLIENT_USAGE;
	const uint8_t *data = client_read_stream(argv[0], &n);
	if (!data)
		return CLIENT_FAIL;
	int rc = begin(dev, &l, argv[1], &counter);
	if (rc == CLIENT_OK && client_to_idle(l, &err) != FWS_OK)
		rc = client_fail("to dfuIDLE", &err);
	if (rc == CLIENT_OK) {
		fws_err e = client_send_stream(l, data, n, &at, &err);
		if (e == FWS_OK) {
			fprintf(stderr, "usb_client: the device took the whole package\n");
			rc = CLIENT_FAIL;
		} else if (!err.from_device) {
			rc = client_fail("the download failed on the host side", &err);
		} else {
			printf("refused at %zu: %s\n", at, fws_err_name(err.detail ? err.detail : e));
			rc = keeps(dev, &l, argv[1], counter) == CLIENT_OK ? CLIENT_REFUSED : CLIENT_FAIL;
		}
	}
	fwh_close(l);
	return rc;
}

/* One request of a hostile sequence. DN/END carry a chunk index (chunks of
 * max_transfer bytes of the stream); the RESUME ops take the device's own
 * resume point from its info record and spoil one half of it. */
enum op { OP_DN, OP_GS, OP_ABORT, OP_END, OP_RESUME_OFF, OP_RESUME_SHA };

struct step {
	enum op op;
	unsigned chunk;
};

struct proto_case {
	const char *name;
	struct step steps[8];
	unsigned n;
};

#define DN(k) { OP_DN, (k) }
#define GS { OP_GS, 0 }

/* DFU 1.1 7.1.1: every DNLOAD is followed by GETSTATUS before the next;
 * 7.1.2: a zero-length DNLOAD ends a download; 6.1.4: ABORT returns to
 * dfuIDLE and a new download starts from the beginning. */
static const struct proto_case cases[] = {
	/* DNLOAD in dfuDNLOAD-SYNC: the host skipped GETSTATUS */
	{ "no-getstatus", { DN(0), DN(1) }, 2 },
	/* after ABORT the device starts over: chunk 1 is not a package start */
	{ "after-abort", { DN(0), GS, { OP_ABORT, 0 }, DN(1) }, 4 },
	/* end of download in dfuIDLE: there is nothing to manifest */
	{ "zero-length-idle", { { OP_END, 0 } }, 1 },
	/* end of download before the whole stream came */
	{ "early-end", { DN(0), GS, { OP_END, 1 } }, 3 },
	/* the same chunk again (a replayed request): the hash chain breaks */
	{ "replayed", { DN(0), GS, DN(1), GS, DN(1) }, 5 },
	/* a chunk out of order */
	{ "skipped", { DN(0), GS, DN(2) }, 3 },
	/* RESUME at another offset than the device's resume point */
	{ "resume-offset", { DN(0), GS, DN(1), GS, { OP_ABORT, 0 }, { OP_RESUME_OFF, 0 } }, 6 },
	/* RESUME naming another package prefix */
	{ "resume-digest", { DN(0), GS, DN(1), GS, { OP_ABORT, 0 }, { OP_RESUME_SHA, 0 } }, 6 },
};

static fws_err resume_spoiled(fwh_link *l, bool offset, fwh_error *err)
{
	fws_devinfo info;
	fws_err e = fwh_dfu_info(l, &info, err);

	if (e != FWS_OK)
		return e;
	if (!info.has_resume)
		return fwh_error_set(err, FWS_E_STATE, "The device recorded no resume point to spoil.");
	if (offset)
		info.resume_offset += 1024u; /* the next block: still a block boundary */
	else
		info.resume_prefix_sha256[0] ^= 0x01u;
	return fwh_dfu_resume(l, info.resume_offset, info.resume_prefix_sha256, err);
}

static fws_err step(fwh_link *l, const struct step *s, const uint8_t *data, size_t n,
                    fwh_dfu_status *st, fwh_error *err)
{
	size_t chunk = l->ops->max_transfer(l), off = (size_t)s->chunk * chunk;

	switch (s->op) {
	case OP_DN:
		if (off >= n)
			return fwh_error_set(err, FWS_E_INVAL, "The package has no chunk %u.", s->chunk);
		return fwh_dfu_dnload(l, (uint16_t)s->chunk, data + off,
		                      n - off < chunk ? n - off : chunk, err);
	case OP_GS: {
		fws_err e = client_wait_idle(l, st, err);
		if (e == FWS_OK && (st->status != FWS_DFU_OK || st->state == FWS_DFU_ERROR))
			e = fwh_dfu_status_error(st, "a request", err);
		return e;
	}
	case OP_ABORT:
		return fwh_dfu_abort(l, err);
	case OP_END:
		return fwh_dfu_dnload(l, (uint16_t)s->chunk, NULL, 0, err);
	case OP_RESUME_OFF:
	case OP_RESUME_SHA:
		return resume_spoiled(l, s->op == OP_RESUME_OFF, err);
	}
	return FWS_E_INVAL;
}

/* Run the sequence: CLIENT_REFUSED if only its last request was refused. */
static int run_case(fwh_link *l, const struct proto_case *c, const uint8_t *data, size_t n)
{
	fwh_dfu_status st;
	fwh_error err = { 0 };

	for (unsigned i = 0; i < c->n; i++) {
		fws_err e = step(l, &c->steps[i], data, n, &st, &err);
		bool last = i + 1 == c->n;
		/* a request the device answered may still have failed: its status says */
		if (e == FWS_OK && last && c->steps[i].op != OP_GS) {
			e = fwh_dfu_getstatus(l, &st, &err);
			if (e == FWS_OK && (st.status != FWS_DFU_OK || st.state == FWS_DFU_ERROR))
				e = fwh_dfu_status_error(&st, "the request", &err);
		}
		if (e == FWS_OK && !last)
			continue;
		if (e == FWS_OK) {
			fprintf(stderr, "usb_client: %s: the device accepted the last request\n", c->name);
			return CLIENT_FAIL;
		}
		if (!last || !err.from_device) {
			fprintf(stderr, "usb_client: %s: request %u of %u: ", c->name, i + 1, c->n);
			return client_fail(last ? "host-side failure" : "refused too early", &err);
		}
		printf("refused: %s\n", fws_err_name(err.detail ? err.detail : e));
	}
	return CLIENT_REFUSED;
}

int client_proto(const char *dev, int argc, char **argv)
{
	const struct proto_case *c = NULL;
	fwh_link *l = NULL;
	fwh_error err = { 0 };
	size_t n = 0;
	uint32_t counter = 0;

	if (argc != 3)
		return CLIENT_USAGE;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (strcmp(cases[i].name, argv[0]) == 0)
			c = &cases[i];
	const uint8_t *data = client_read_stream(argv[1], &n);
	if (!c || !data)
		return CLIENT_USAGE;
	int rc = begin(dev, &l, argv[2], &counter);
	if (rc == CLIENT_OK && client_to_idle(l, &err) != FWS_OK)
		rc = client_fail("to dfuIDLE", &err);
	if (rc == CLIENT_OK)
		rc = run_case(l, c, data, n);
	if (rc == CLIENT_REFUSED && keeps(dev, &l, argv[2], counter) != CLIENT_OK)
		rc = CLIENT_FAIL;
	fwh_close(l);
	return rc;
}
