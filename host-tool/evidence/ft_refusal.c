/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_refusal.c - the functional tests whose package the DUT must refuse:
 * tampered block, bad signature, unknown key, revoked key, truncated package
 * (5.3-9), downgrade, other model, other hardware revisions, other
 * component (5.3-2, 5.3-16). Packages come from variants.c.
 *
 * Each starts from the known state "runs the release" (ft_start_on_release:
 * the release is installed first when the device runs anything else; a
 * device that cannot be brought there is tested as it is, and the log says
 * so). A refusal only
 * counts where the design puts it, and for the reason the device gives: a
 * tampered block at the DNLOAD that carries it (verify before write), a
 * truncated package at the end of the download, the others at the package
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
	AT_END,     /* at the zero-length DNLOAD that ends the download */
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

static uint64_t place(const struct expect *x, size_t len)
{
	return x->where == AT_PREFIX ? x->prefix_len : x->where == AT_MARK ? x->unit_end : len;
}

/* Send a variant that must be refused; judge where, why, and whether
 * anything became bootable. */
static void refusal(struct ft *f, const struct ev_variant *v, const struct expect *x,
                    const char *what)
{
	if (!ft_start_on_release(f)) {
		ft_verdict(f, EV_INCONCLUSIVE, "The device did not return its device-info record.");
		return;
	}
	fws_devinfo before = f->info;
	struct dut_result r;
	dut_send(&f->d, v->data, v->len, 0, UINT64_MAX, &r);
	if (r.outcome == DUT_LINK_ERROR) {
		ft_verdict(f, EV_INCONCLUSIVE, "The link failed before the device decided: %s.", r.msg);
		return;
	}
	/* after: nothing staged, the same image active */
	bool info_ok = ft_read_info(f, "after");
	fws_devinfo after = f->info;
	fws_devinfo boot;
	bool restarted = dut_restart(&f->d, &boot);
	if (restarted) {
		dut_log_info(&f->d, "after a restart", &boot);
		snprintf(f->serial, sizeof(f->serial), "%s", boot.serial);
	}
	if (r.outcome == DUT_ACCEPTED) {
		char *now = restarted ? ft_describe(&boot) : ev_xstrdup("(not readable)");
		ft_verdict(f, EV_FAIL, "The device accepted %s and installed it; after a restart it "
		           "runs %s.", what, now);
		free(now);
		return;
	}
	uint64_t end = r.at + r.len;
	uint64_t want = place(x, v->len);
	bool in_place = x->where == AT_PREFIX ? r.at < x->prefix_len && end >= x->prefix_len
	                : x->where == AT_MARK ? r.len > 0 && r.at < x->unit_end && end >= x->unit_end
	                                      : r.len == 0 && r.at == v->len;
	if (!in_place) {
		ft_verdict(f, EV_FAIL, "The device refused %s %s (%s), not at the DNLOAD carrying the "
		           "offending bytes (stream offset %llu): it took data it had not verified.",
		           what, r.len ? "only at a later DNLOAD" : "only at the end of the download",
		           fws_err_name(r.detail), (unsigned long long)want);
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
	int p = ft_pending_slot(&after);
	if (p >= 0) {
		ft_verdict(f, EV_FAIL, "After refusing %s the device holds slot %d in state %s, ready "
		           "to boot.", what, p, fws_slot_state_name(after.slots[p].state));
		return;
	}
	char *diff = ft_same_state(&before, &boot);
	if (diff) {
		ft_verdict(f, EV_FAIL, "After refusing %s and restarting, %s.", what, diff);
		free(diff);
		return;
	}
	char *d = ft_describe(&boot);
	ft_verdict(f, EV_PASS, "The device refused %s with %s at stream offset %llu and, after a "
	           "restart, runs what it ran before (%s).", what, fws_err_name(r.detail),
	           (unsigned long long)r.at, d);
	free(d);
}

void ft_tampered(struct ft *f)
{
	ft_begin(f, "FT-04-tampered-block");
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
	ft_begin(f, "FT-05-bad-signature");
	const struct ev_pkgfacts *g = f->pk->pkg;
	struct ev_variant v;
	ev_variant_bad_signature(g, &v);
	struct expect x = {{FWS_E_SIGNATURE, FWS_OK}, AT_PREFIX, 0, g->prefix_len};
	ft_note(f, "release with one bit of its signature flipped (stream offset %llu)",
	        (unsigned long long)v.mark);
	refusal(f, &v, &x, "a package whose signature does not verify");
	ev_variant_free(&v);
}

void ft_truncated(struct ft *f)
{
	ft_begin(f, "FT-15-truncated-package");
	const struct ev_pkgfacts *g = f->pk->pkg;
	struct ev_variant v;
	ev_variant_truncated(g, &v);
	struct expect x = {{FWS_E_TRUNCATED, FWS_OK}, AT_END, 0, g->prefix_len};
	ft_note(f, "release cut short: %zu of %zu stream bytes, ending inside the last block",
	        v.len, g->stream_len);
	refusal(f, &v, &x, "a truncated package");
	ev_variant_free(&v);
}

static size_t prefix_len_of(const struct ev_variant *v, const struct ev_pkgfacts *g)
{
	return v->len - (g->stream_len - g->prefix_len);
}

void ft_wrong_key(struct ft *f)
{
	ft_begin(f, "FT-06-wrong-key");
	fws_keypair *kp = NULL;
	fws_key_msg msg;
	if (fws_keypair_generate(&kp, NULL, NULL, &msg) != FWS_KEY_OK) {
		ft_verdict(f, EV_INCONCLUSIVE, "No throwaway key could be generated: %s", msg.text);
		return;
	}
	struct ev_variant v;
	char err[300];
	struct ev_variant_change c = {0};
	bool ok = ev_variant_resign(f->pk->pkg, kp, &c, &v, err, sizeof(err));
	fws_keypair_free(kp);
	if (!ok) {
		ft_verdict(f, EV_INCONCLUSIVE, "%s.", err);
		return;
	}
	char *id = ev_hex(v.key_id, FWS_KEY_ID_LEN);
	ft_note(f, "release manifest re-signed by key %s, generated for this run (in no trust store)",
	        id);
	free(id);
	struct expect x = {{FWS_E_UNTRUSTED_KEY, FWS_OK}, AT_PREFIX, 0,
	                   prefix_len_of(&v, f->pk->pkg)};
	refusal(f, &v, &x, "a package signed by an untrusted key");
	ev_variant_free(&v);
}

/* Does the device (as it last reported) list key id, and is it revoked? */
static bool device_has_key(const struct ft *f, const uint8_t id[FWS_KEY_ID_LEN], bool *revoked)
{
	for (unsigned i = 0; i < f->info.key_count; i++)
		if (!memcmp(f->info.keys[i].id, id, FWS_KEY_ID_LEN)) {
			*revoked = (f->info.keys[i].flags & FWS_TRUST_REVOKED) != 0;
			return true;
		}
	return false;
}

/* A variant re-signed by the key file at path, which the device must list
 * (revoked or not, as want_revoked). false with the reason in why. */
static bool signed_variant(struct ft *f, const char *path, bool want_revoked,
                           const struct ev_variant_change *c, struct ev_variant *v, char *why,
                           size_t cap)
{
	fws_keypair *kp = NULL;
	fws_key_msg msg;
	if (fws_keypair_load(path, NULL, &kp, &msg) != FWS_KEY_OK) {
		snprintf(why, cap, "the key %s cannot be used: %s", path, msg.text);
		return false;
	}
	char err[300];
	bool ok = ev_variant_resign(f->pk->pkg, kp, c, v, err, sizeof(err));
	fws_keypair_free(kp);
	if (!ok) {
		snprintf(why, cap, "%s", err);
		return false;
	}
	char *id = ev_hex(v->key_id, FWS_KEY_ID_LEN);
	bool revoked = false;
	if (!ft_read_info(f, "device keys") || !device_has_key(f, v->key_id, &revoked) ||
	    revoked != want_revoked) {
		snprintf(why, cap, "the device does not list key %s%s", id,
		         want_revoked ? " as revoked" : " as trusted");
		free(id);
		ev_variant_free(v);
		return false;
	}
	ft_note(f, "signed by %s key %s, which the device lists%s", want_revoked ? "the revoked" :
	        "the lab test", id, want_revoked ? " as revoked" : "");
	free(id);
	return true;
}

/* The lab test key variant, or INCONCLUSIVE with the reason. */
static bool lab_variant(struct ft *f, const struct ev_variant_change *c, struct ev_variant *v,
                        const char *what)
{
	char why[400];
	if (!f->o->test_key_path) {
		ft_verdict(f, EV_INCONCLUSIVE, "Not run: %s that the device would otherwise accept "
		           "must be signed by a key it trusts; give a lab test key (--test-key or "
		           "test_signing_key) that only lab builds trust.", what);
		return false;
	}
	if (!signed_variant(f, f->o->test_key_path, false, c, v, why, sizeof(why))) {
		ft_verdict(f, EV_INCONCLUSIVE, "Not run: %s.", why);
		return false;
	}
	return true;
}

void ft_downgrade(struct ft *f)
{
	ft_begin(f, "FT-07-downgrade");
	const struct ev_pkgfacts *g = f->pk->pkg;
	struct ev_variant v;
	memset(&v, 0, sizeof(v));
	const char *source = NULL;
	struct expect x = {{FWS_E_DOWNGRADE, FWS_OK}, AT_PREFIX, 0, 0};
	if (f->have_prev) {
		v.len = f->prev.stream_len;
		v.data = ev_xmalloc(v.len);
		memcpy(v.data, f->prev.data, v.len);
		x.prefix_len = f->prev.prefix_len;
		ft_note(f, "previous release %s: version %s, counter %u (release: counter %u)",
		        f->prev.file_name, f->prev.m.version, (unsigned)f->prev.m.security_counter,
		        (unsigned)g->m.security_counter);
		source = "an older release";
	} else {
		ft_note(f, "no previous release: %s", f->prev_why);
		struct ev_variant_change c = {.counter_delta = -1};
		if (g->m.security_counter == 0) {
			ft_verdict(f, EV_INCONCLUSIVE, "Not run: the release's security counter is 0, so "
			           "there is no lower one, and no previous release was given.");
			return;
		}
		if (!lab_variant(f, &c, &v, "a package with a lower security counter"))
			return;
		ft_note(f, "release manifest with security counter %u", (unsigned)g->m.security_counter
		        - 1u);
		x.prefix_len = prefix_len_of(&v, g);
		source = "a package with a lower security counter";
	}
	refusal(f, &v, &x, source);
	ev_variant_free(&v);
}

void ft_wrong_model(struct ft *f)
{
	ft_begin(f, "FT-08-wrong-model");
	const struct ev_pkgfacts *g = f->pk->pkg;
	char other[FWS_MODEL_MAX + 1];
	snprintf(other, sizeof(other), "%.26s-OTHER", g->m.model);
	struct ev_variant_change c = {.model = other};
	struct ev_variant v;
	if (!lab_variant(f, &c, &v, "a package for another model"))
		return;
	ft_note(f, "release manifest with model '%s'", other);
	struct expect x = {{FWS_E_MODEL, FWS_OK}, AT_PREFIX, 0, prefix_len_of(&v, g)};
	refusal(f, &v, &x, "a package for another model");
	ev_variant_free(&v);
}

void ft_wrong_hw_rev(struct ft *f)
{
	ft_begin(f, "FT-13-wrong-hw-revision");
	const struct ev_pkgfacts *g = f->pk->pkg;
	uint16_t hw = f->pk->product->hw_rev;
	/* a range that excludes the device's revision */
	struct ev_variant_change c = {.hw = true};
	c.hw_min = c.hw_max = hw < 0xFFFFu ? (uint16_t)(hw + 1u) : (uint16_t)(hw - 1u);
	struct ev_variant v;
	if (!lab_variant(f, &c, &v, "a package for other hardware revisions"))
		return;
	ft_note(f, "release manifest for hardware revisions %u..%u (the device is revision %u)",
	        (unsigned)c.hw_min, (unsigned)c.hw_max, (unsigned)hw);
	struct expect x = {{FWS_E_HW_REV, FWS_OK}, AT_PREFIX, 0, prefix_len_of(&v, g)};
	refusal(f, &v, &x, "a package for other hardware revisions");
	ev_variant_free(&v);
}

void ft_wrong_component(struct ft *f)
{
	ft_begin(f, "FT-14-wrong-component");
	const struct ev_pkgfacts *g = f->pk->pkg;
	char other[FWS_COMPONENT_MAX + 1];
	snprintf(other, sizeof(other), "%.10s-other", g->m.component);
	struct ev_variant_change c = {.component = other};
	struct ev_variant v;
	if (!lab_variant(f, &c, &v, "a package for another component"))
		return;
	ft_note(f, "release manifest for component '%s' (the release updates '%s')", other,
	        g->m.component);
	struct expect x = {{FWS_E_COMPONENT, FWS_OK}, AT_PREFIX, 0, prefix_len_of(&v, g)};
	refusal(f, &v, &x, "a package for another component");
	ev_variant_free(&v);
}

void ft_revoked_key(struct ft *f)
{
	ft_begin(f, "FT-12-revoked-key");
	const struct ev_pkgfacts *g = f->pk->pkg;
	char why[400];
	if (!f->o->revoked_key_path) {
		ft_verdict(f, EV_INCONCLUSIVE, "Not run: a package signed by a revoked key needs that "
		           "key; give one the device lists as revoked (--revoked-key or "
		           "revoked_test_key).");
		return;
	}
	struct ev_variant_change c = {0};
	struct ev_variant v;
	if (!signed_variant(f, f->o->revoked_key_path, true, &c, &v, why, sizeof(why))) {
		ft_verdict(f, EV_INCONCLUSIVE, "Not run: %s.", why);
		return;
	}
	struct expect x = {{FWS_E_REVOKED_KEY, FWS_OK}, AT_PREFIX, 0, prefix_len_of(&v, g)};
	refusal(f, &v, &x, "a package signed by a revoked key");
	ev_variant_free(&v);
}
