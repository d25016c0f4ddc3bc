/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_refusal.c - the functional tests whose package the DUT must refuse:
 * tampered block, bad signature, unknown key (5.3-9), downgrade (5.3-2),
 * other model (5.3-2, 5.3-16). Packages come from variants.c.
 *
 * A refusal only counts where the design puts it: a tampered block at the
 * DNLOAD that carries it (verify before write), the others at the package
 * prefix, before any block is taken; and afterwards the device must still
 * boot what it ran before (nothing refused became bootable).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ft_int.h"
#include "variants.h"

/* Where a refusal must happen. */
enum where {
	AT_PREFIX,  /* at the DNLOAD that completes the package prefix */
	AT_MARK,    /* at the DNLOAD that completes the unit holding byte `mark` */
};

struct expect {
	fws_err codes[2];
	enum where where;
	uint64_t unit_end;  /* AT_MARK: stream offset just past the tampered unit */
	size_t prefix_len;
};

static bool code_ok(const struct expect *x, fws_err e)
{
	return e == x->codes[0] || (x->codes[1] != FWS_OK && e == x->codes[1]);
}

/* Send a variant that must be refused; judge where and whether anything
 * became bootable. */
static void refusal(struct ft *f, const struct ev_variant *v, const struct expect *x,
                    const char *what)
{
	if (!ft_read_info(f, "before")) {
		ft_verdict(f, EV_INCONCLUSIVE, "The device did not return its device-info record.");
		return;
	}
	fws_devinfo before = f->info;
	int slot_before = dut_active_slot(&before);
	struct dut_result r;
	dut_send(&f->d, v->data, v->len, UINT64_MAX, &r);
	if (r.outcome == DUT_LINK_ERROR) {
		ft_verdict(f, EV_INCONCLUSIVE, "The link failed before the device decided: %s.", r.msg);
		return;
	}
	/* after: nothing staged, the same image active */
	bool info_ok = ft_read_info(f, "after");
	fws_devinfo boot;
	bool restarted = dut_restart(&f->d, &boot);
	if (restarted) {
		dut_log_info(&f->d, "after restart", &boot);
		snprintf(f->serial, sizeof(f->serial), "%s", boot.serial);
	}
	if (r.outcome == DUT_ACCEPTED) {
		ft_verdict(f, EV_FAIL, "The device accepted %s and installed it%s.", what,
		        restarted && strcmp(boot.fw_version, before.fw_version) == 0 &&
		        dut_active_slot(&boot) != slot_before ? " (it now boots it)" : "");
		return;
	}
	uint64_t end = r.at + r.len;
	bool in_place = x->where == AT_PREFIX ? r.at < x->prefix_len && end >= x->prefix_len
	                                      : r.len > 0 && r.at < x->unit_end && end >= x->unit_end;
	if (!in_place) {
		ft_verdict(f, EV_FAIL, "The device refused %s only %s (%s), not at the DNLOAD carrying "
		        "the offending bytes (up to stream offset %llu): it took data it had not "
		        "verified.", what, r.len ? "at a later DNLOAD" : "at the end of the download",
		        fws_err_name(r.detail),
		        (unsigned long long)(x->where == AT_PREFIX ? x->prefix_len : x->unit_end));
		return;
	}
	if (!code_ok(x, r.detail)) {
		ft_verdict(f, EV_FAIL, "The device refused %s, but for the wrong reason: %s (expected %s).",
		        what, fws_err_name(r.detail), fws_err_name(x->codes[0]));
		return;
	}
	if (!info_ok || !restarted) {
		ft_verdict(f, EV_INCONCLUSIVE, "The device refused %s as designed, but its state after "
		        "the refusal could not be read.", what);
		return;
	}
	for (unsigned i = 0; i < FWS_DEVINFO_SLOTS; i++) {
		uint8_t s = f->info.slots[i].state;
		if (f->info.slots[i].present && (s == FWS_SLOT_STAGED || s == FWS_SLOT_TESTING)) {
			ft_verdict(f, EV_FAIL, "After refusing %s the device holds slot %u in state %s, "
			        "ready to boot.", what, i, fws_slot_state_name(s));
			return;
		}
	}
	if (dut_active_slot(&boot) != slot_before || strcmp(boot.fw_version, before.fw_version) ||
	    boot.security_counter != before.security_counter || boot.boot_state != before.boot_state) {
		ft_verdict(f, EV_FAIL, "After refusing %s and restarting, the device no longer runs what "
		        "it ran before (firmware '%s', counter %u).", what, boot.fw_version,
		        (unsigned)boot.security_counter);
		return;
	}
	ft_verdict(f, EV_PASS, "The device refused %s with %s at stream offset %llu and, after a "
	        "restart, still runs firmware %s from the same slot.", what, fws_err_name(r.detail),
	        (unsigned long long)r.at, boot.fw_version[0] ? boot.fw_version : "(none)");
}

void ft_tampered(struct ft *f)
{
	ft_begin(f, "FT-04-tampered-block", "Tampered block refused before it is written", "5.3-9");
	const struct ev_pkgfacts *g = f->pk->pkg;
	struct ev_variant v;
	ev_variant_tampered(g, &v);
	struct expect x = {{FWS_E_BLOCK_DIGEST, FWS_OK}, AT_MARK, 0, g->prefix_len};
	x.unit_end = fws_pkg_block_offset(g->prefix_len, &g->m, v.block + 1u);
	if (x.unit_end > g->stream_len)
		x.unit_end = g->stream_len;
	ft_note(f, "release with one byte of block %u of %u flipped (stream offset %llu)",
	     (unsigned)v.block, (unsigned)g->block_count, (unsigned long long)v.mark);
	refusal(f, &v, &x, "a package with a tampered block");
	ev_variant_free(&v);
}

void ft_bad_signature(struct ft *f)
{
	ft_begin(f, "FT-05-bad-signature", "Package with a broken signature refused", "5.3-9");
	const struct ev_pkgfacts *g = f->pk->pkg;
	struct ev_variant v;
	ev_variant_bad_signature(g, &v);
	struct expect x = {{FWS_E_SIGNATURE, FWS_OK}, AT_PREFIX, 0, g->prefix_len};
	ft_note(f, "release with one bit of its signature flipped (stream offset %llu)",
	     (unsigned long long)v.mark);
	refusal(f, &v, &x, "a package whose signature does not verify");
	ev_variant_free(&v);
}

static size_t prefix_len_of(const struct ev_variant *v, const struct ev_pkgfacts *g)
{
	return v->len - (g->stream_len - g->prefix_len);
}

void ft_wrong_key(struct ft *f)
{
	ft_begin(f, "FT-06-wrong-key", "Package signed by a key the device does not trust refused",
	      "5.3-9");
	fws_keypair *kp = NULL;
	fws_key_msg msg;
	if (fws_keypair_generate(&kp, NULL, NULL, &msg) != FWS_KEY_OK) {
		ft_verdict(f, EV_INCONCLUSIVE, "No throwaway key could be generated: %s", msg.text);
		return;
	}
	struct ev_variant v;
	char err[300];
	bool ok = ev_variant_resign(f->pk->pkg, kp, NULL, 0, &v, err, sizeof(err));
	fws_keypair_free(kp);
	if (!ok) {
		ft_verdict(f, EV_INCONCLUSIVE, "%s.", err);
		return;
	}
	ft_note(f, "release manifest re-signed by a throwaway key generated for this run (not in "
	     "any trust store)");
	struct expect x = {{FWS_E_UNTRUSTED_KEY, FWS_E_SIGNATURE}, AT_PREFIX, 0,
	                   prefix_len_of(&v, f->pk->pkg)};
	refusal(f, &v, &x, "a package signed by an untrusted key");
	ev_variant_free(&v);
}

static bool key_trusted(const struct ft *f, const uint8_t id[FWS_KEY_ID_LEN])
{
	const fws_trust_key *k = fws_trust_find(&f->pk->trust->trust, id);
	return k && !(k->flags & FWS_TRUST_REVOKED);
}

/* A lab test key variant, or INCONCLUSIVE with the reason. */
static bool lab_variant(struct ft *f, const char *model, int64_t delta, struct ev_variant *v)
{
	if (!f->o->test_key_path)
		return false;
	fws_keypair *kp = NULL;
	fws_key_msg msg;
	if (fws_keypair_load(f->o->test_key_path, NULL, &kp, &msg) != FWS_KEY_OK) {
		ft_note(f, "test key: %s", msg.text);
		return false;
	}
	char err[300];
	bool ok = ev_variant_resign(f->pk->pkg, kp, model, delta, v, err, sizeof(err));
	fws_keypair_free(kp);
	if (!ok) {
		ft_note(f, "%s", err);
		return false;
	}
	if (!key_trusted(f, v->key_id)) {
		char *id = ev_hex(v->key_id, FWS_KEY_ID_LEN);
		ft_note(f, "the test key %s is not a trusted key of the trust store", id);
		free(id);
		ev_variant_free(v);
		return false;
	}
	return true;
}

void ft_downgrade(struct ft *f)
{
	ft_begin(f, "FT-07-downgrade", "Package with a lower security counter refused (anti-rollback)",
	      "5.3-2");
	const struct ev_pkgfacts *g = f->pk->pkg;
	struct ev_variant v;
	memset(&v, 0, sizeof(v));
	const char *source = NULL;
	if (f->o->previous_path) {
		char err[600];
		struct ev_pkgfacts prev;
		if (!ev_pkg_load(&prev, f->o->previous_path, &f->pk->trust->trust, err, sizeof(err))) {
			ft_verdict(f, EV_INCONCLUSIVE, "The previous release cannot be used: %s", err);
			return;
		}
		if (prev.m.security_counter >= g->m.security_counter || strcmp(prev.m.model, g->m.model)) {
			ft_verdict(f, EV_INCONCLUSIVE, "The previous release %s (model %s, counter %u) is not "
			        "an older release of this model (counter %u).", prev.file_name,
			        prev.m.model, (unsigned)prev.m.security_counter,
			        (unsigned)g->m.security_counter);
			ev_pkg_free(&prev);
			return;
		}
		v.len = prev.stream_len;
		v.data = ev_xmalloc(v.len);
		memcpy(v.data, prev.data, v.len);
		ft_note(f, "previous release %s: version %s, counter %u (release: counter %u)",
		     prev.file_name, prev.m.version, (unsigned)prev.m.security_counter,
		     (unsigned)g->m.security_counter);
		ev_pkg_free(&prev);
		source = "an older release";
	} else if (g->m.security_counter > 0 && lab_variant(f, NULL, -1, &v)) {
		ft_note(f, "release manifest with security counter %u, signed by the lab test key",
		     (unsigned)g->m.security_counter - 1u);
		source = "a package with a lower security counter";
	} else {
		ft_verdict(f, EV_INCONCLUSIVE, "Not run: a downgrade needs an older release signed by a "
		        "trusted key (--previous or previous_package) or a lab build whose trust store "
		        "holds a test key (--test-key or test_signing_key).");
		return;
	}
	struct expect x = {{FWS_E_DOWNGRADE, FWS_OK}, AT_PREFIX, 0, 0};
	x.prefix_len = f->o->previous_path ? FWS_PKG_HEADER_LEN : prefix_len_of(&v, g);
	if (f->o->previous_path) {
		/* the previous package's own prefix length */
		fws_pkg_header h;
		if (fws_pkg_header_parse(v.data, v.len, &h) == FWS_OK)
			x.prefix_len = FWS_PKG_HEADER_LEN + h.manifest_len + (size_t)h.sig_count *
			               FWS_PKG_SIG_LEN;
	}
	refusal(f, &v, &x, source);
	ev_variant_free(&v);
}

void ft_wrong_model(struct ft *f)
{
	ft_begin(f, "FT-08-wrong-model", "Package for another model refused", "5.3-2, 5.3-16");
	const struct ev_pkgfacts *g = f->pk->pkg;
	char other[FWS_MODEL_MAX + 1];
	snprintf(other, sizeof(other), "%.26s-OTHER", g->m.model);
	struct ev_variant v;
	if (!lab_variant(f, other, 0, &v)) {
		ft_verdict(f, EV_INCONCLUSIVE, "Not run: a package for another model that the device "
		        "would otherwise accept needs a lab build whose trust store holds a test key "
		        "(--test-key or test_signing_key).");
		return;
	}
	ft_note(f, "release manifest with model '%s', signed by the lab test key", other);
	struct expect x = {{FWS_E_MODEL, FWS_OK}, AT_PREFIX, 0, prefix_len_of(&v, g)};
	refusal(f, &v, &x, "a package for another model");
	ev_variant_free(&v);
}

