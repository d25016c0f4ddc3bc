/* SPDX-License-Identifier: Apache-2.0 */
/*
 * preflight.c - package against device-info record, before any byte is
 * sent (the device checks all of it again; this only turns a refusal that
 * would come after the transfer into a clear sentence before it).
 */
#include <stdio.h>
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal-host/log.h"
#include "fwseal-host/session.h"

/* A refusal reads "<what is wrong>. <the cause's sentence>": the caller sets
 * the cause (fwh_error_set with NULL) and puts what is wrong in front with
 * fwh_error_prefix, so both come in English and in the user's language. */
static fws_err refused(fwh_error *err, fws_err code)
{
	(void)err;
	fwh_log(FWH_LOG_INFO, "preflight", "refused: %s", fws_err_name(code));
	return code;
}

/* The key ids of the package's signatures; returns how many. */
static unsigned signer_ids(const fwh_package *pkg, const uint8_t **ids)
{
	fws_pkg_header h;
	if (fws_pkg_header_parse(pkg->prefix, pkg->prefix_len, &h) != FWS_OK)
		return 0;
	const uint8_t *sigs = pkg->prefix + FWS_PKG_HEADER_LEN + h.manifest_len;
	if ((size_t)(sigs - pkg->prefix) + (size_t)h.sig_count * FWS_PKG_SIG_LEN > pkg->prefix_len)
		return 0;
	*ids = sigs;
	return h.sig_count;
}

/* The roles a device gives key k: reported with TRUST_STATE; a device
 * without it has every key in both roles (a format-1 store). */
static uint8_t dev_roles(const fws_devinfo *dev, unsigned k)
{
	return dev->has_trust_state ? (uint8_t)(dev->keys[k].flags & (FWS_DI_KEY_ROOT | FWS_DI_KEY_RELEASE))
	                            : (uint8_t)(FWS_DI_KEY_ROOT | FWS_DI_KEY_RELEASE);
}

/* A security key update against the device's trust state (docs/trust.md):
 * the device takes one only with its own root threshold of signatures. */
static fws_err check_trust_roots(const fwh_package *pkg, const fws_devinfo *dev, fwh_error *err)
{
	const fws_manifest *m = &pkg->manifest;
	const uint8_t *ids = NULL;
	unsigned n = signer_ids(pkg, &ids), roots = 0;

	for (unsigned i = 0; i < n; i++) {
		bool dup = false;
		for (unsigned j = 0; j < i; j++)
			dup = dup || memcmp(ids + (size_t)j * FWS_PKG_SIG_LEN, ids + (size_t)i * FWS_PKG_SIG_LEN,
			                    FWS_KEY_ID_LEN) == 0;
		for (unsigned k = 0; k < dev->key_count && !dup; k++) {
			if (memcmp(dev->keys[k].id, ids + (size_t)i * FWS_PKG_SIG_LEN, FWS_KEY_ID_LEN) == 0 &&
			    !(dev->keys[k].flags & FWS_TRUST_REVOKED) && (dev_roles(dev, k) & FWS_DI_KEY_ROOT))
				roots++;
		}
	}
	if (dev->key_count && roots < (dev->trust_threshold ? dev->trust_threshold : 1u))
		return fwh_error_set(err, FWS_E_THRESHOLD,
		                     "The device (trust version %u) takes a security key update only "
		                     "with %u signature%s by its root keys; this one (version %u) carries "
		                     "%u. It needs an earlier security key update first.",
		                     (unsigned)dev->trust_version, dev->trust_threshold,
		                     dev->trust_threshold == 1 ? "" : "s", (unsigned)m->security_counter,
		                     roots);
	return FWS_OK;
}

/* The device accepts firmware if any of its signatures is by a key the
 * device trusts for firmware (release role) and has not revoked. */
static fws_err check_keys(const fwh_package *pkg, const fws_devinfo *dev, fwh_error *err)
{
	if (dev->key_count == 0)
		return FWS_OK; /* the record does not list keys: leave it to the device */
	const uint8_t *sigs = NULL;
	unsigned count = signer_ids(pkg, &sigs);
	bool revoked = false;
	for (unsigned i = 0; i < count; i++) {
		const uint8_t *id = sigs + (size_t)i * FWS_PKG_SIG_LEN;
		for (unsigned k = 0; k < dev->key_count; k++) {
			if (memcmp(dev->keys[k].id, id, FWS_KEY_ID_LEN) != 0 ||
			    !(dev_roles(dev, k) & FWS_DI_KEY_RELEASE))
				continue;
			if (dev->keys[k].flags & FWS_TRUST_REVOKED)
				revoked = true;
			else
				return FWS_OK;
		}
	}
	fws_err code = revoked ? FWS_E_REVOKED_KEY : FWS_E_UNTRUSTED_KEY;
	fwh_error_set(err, code, NULL);
	if (revoked)
		fwh_error_prefix(err, "The device has revoked the key this package is signed with. ");
	else
		fwh_error_prefix(err, "The device does not trust the key this package is signed "
		                      "with. ");
	return refused(err, code);
}

/* What the device has: its running version, else the version of its
 * active slot (a device waiting in its stub), else "" */
static const char *device_version(const fws_devinfo *dev)
{
	if (dev->boot_state == FWS_BOOT_APP && dev->fw_version[0])
		return dev->fw_version;
	for (unsigned i = 0; i < FWS_DEVINFO_SLOTS; i++)
		if (dev->slots[i].present && (dev->slots[i].flags & FWS_SLOT_FLAG_ACTIVE) &&
		    dev->slots[i].version[0])
			return dev->slots[i].version;
	return "";
}

/* A security key update: "*" and 0 in it mean any device (docs/trust.md),
 * and the device takes only a higher trust version. */
static fws_err trust_policy(const fws_manifest *m, const fws_devinfo *dev, fwh_error *err)
{
	if (!dev->has_trust_state)
		return fwh_error_set(err, FWS_E_CRITICAL,
		                     "The device does not take security key updates (its update stub "
		                     "predates them); it would refuse this package.");
	if (m->vendor_id && dev->vendor_id && m->vendor_id != dev->vendor_id) {
		fwh_error_set(err, FWS_E_VENDOR, NULL);
		fwh_error_prefix(err, "The security key update is for vendor id %04x, not %04x. ",
		                 m->vendor_id, dev->vendor_id);
		return refused(err, FWS_E_VENDOR);
	}
	if ((strcmp(m->model, "*") != 0 && strcmp(m->model, dev->model) != 0) ||
	    (m->class_id && dev->class_id && m->class_id != dev->class_id)) {
		fwh_error_set(err, FWS_E_MODEL, NULL);
		fwh_error_prefix(err, "The security key update is for model %s, not %s. ", m->model,
		                 dev->model);
		return refused(err, FWS_E_MODEL);
	}
	if (dev->hw_rev < m->hw_rev_min || dev->hw_rev > m->hw_rev_max) {
		fwh_error_set(err, FWS_E_HW_REV, NULL);
		fwh_error_prefix(err, "The security key update is for hardware revisions %u to %u, "
		                 "not %u. ", m->hw_rev_min, m->hw_rev_max, dev->hw_rev);
		return refused(err, FWS_E_HW_REV);
	}
	if (m->security_counter <= dev->trust_version) {
		if (m->security_counter == dev->trust_version &&
		    fws_ct_equal(m->image_sha256, dev->trust_sha256, FWS_SHA256_LEN))
			return fwh_error_set(err, FWS_E_TRUST_ROLLBACK,
			                     "The device already has this trust store (version %u); "
			                     "nothing to do.", (unsigned)dev->trust_version);
		fwh_error_set(err, FWS_E_TRUST_ROLLBACK, NULL);
		fwh_error_prefix(err, "The security key update brings trust version %u, the device "
		                 "already has version %u. ", (unsigned)m->security_counter,
		                 (unsigned)dev->trust_version);
		return refused(err, FWS_E_TRUST_ROLLBACK);
	}
	return FWS_OK;
}

fws_err fwh_policy_check(const fws_manifest *m, const fws_devinfo *dev, fwh_error *err)
{
	if (m->kind == FWS_KIND_TRUST)
		return trust_policy(m, dev, err);

	if (m->vendor_id && dev->vendor_id && m->vendor_id != dev->vendor_id) {
		fwh_error_set(err, FWS_E_VENDOR, NULL);
		fwh_error_prefix(err, "The package is for vendor id %04x, not %04x. ", m->vendor_id,
		                 dev->vendor_id);
		return refused(err, FWS_E_VENDOR);
	}
	if ((dev->model[0] && strcmp(m->model, dev->model) != 0) ||
	    (m->class_id && dev->class_id && m->class_id != dev->class_id)) {
		fwh_error_set(err, FWS_E_MODEL, NULL);
		fwh_error_prefix(err, "The package is for model %s, not %s. ", m->model, dev->model);
		return refused(err, FWS_E_MODEL);
	}
	if (dev->hw_rev < m->hw_rev_min || dev->hw_rev > m->hw_rev_max) {
		fwh_error_set(err, FWS_E_HW_REV, NULL);
		fwh_error_prefix(err, "The package supports hardware revisions %u to %u, not %u. ",
		                 m->hw_rev_min, m->hw_rev_max, dev->hw_rev);
		return refused(err, FWS_E_HW_REV);
	}
	if (dev->component[0] && m->component[0] && strcmp(m->component, dev->component) != 0) {
		fwh_error_set(err, FWS_E_COMPONENT, NULL);
		fwh_error_prefix(err, "The package updates component %s, not %s. ", m->component,
		                 dev->component);
		return refused(err, FWS_E_COMPONENT);
	}
	if (m->security_counter < dev->security_counter) {
		const char *have = device_version(dev);
		fwh_error_set(err, FWS_E_DOWNGRADE, NULL);
		if (have[0])
			fwh_error_prefix(err, "Version %s (security counter %u) is older than version %s "
			                 "on the device (security counter %u). ",
			                 m->version, (unsigned)m->security_counter, have,
			                 (unsigned)dev->security_counter);
		else
			fwh_error_prefix(err, "Version %s (security counter %u) is older than the "
			                 "required security counter %u. ",
			                 m->version, (unsigned)m->security_counter,
			                 (unsigned)dev->security_counter);
		return refused(err, FWS_E_DOWNGRADE);
	}
	if (dev->slot_size && m->payload_size > dev->slot_size) {
		fwh_error_set(err, FWS_E_TOO_BIG, NULL);
		fwh_error_prefix(err, "The image has %u bytes, the device holds at most %u. ",
		                 (unsigned)m->payload_size, (unsigned)dev->slot_size);
		return refused(err, FWS_E_TOO_BIG);
	}
	if (dev->max_block && m->block_size > dev->max_block) {
		fwh_error_set(err, FWS_E_BLOCK_SIZE, NULL);
		fwh_error_prefix(err, "The package uses %u-byte blocks, the device takes at most %u. ",
		                 (unsigned)m->block_size, (unsigned)dev->max_block);
		return refused(err, FWS_E_BLOCK_SIZE);
	}
	return FWS_OK;
}

fws_err fwh_preflight(const fwh_package *pkg, const fws_devinfo *dev, fwh_error *err)
{
	fws_err e = fwh_policy_check(&pkg->manifest, dev, err);
	if (e == FWS_OK)
		e = fwh_preflight_encoding(pkg, dev, err); /* FWS_OK for a plain package */
	if (e != FWS_OK)
		return e;
	if (pkg->manifest.kind == FWS_KIND_TRUST)
		return check_trust_roots(pkg, dev, err);
	return check_keys(pkg, dev, err);
}

fws_err fwh_preflight_encoding(const fwh_package *pkg, const fws_devinfo *dev, fwh_error *err)
{
	const fws_manifest *m = &pkg->manifest;
	char base[FWS_VERSION_MAX + 1];

	if (m->encoding == FWS_ENC_NONE)
		return FWS_OK;
	if (!((dev->encodings >> m->encoding) & 1u))
		return fwh_error_set(err, FWS_E_ENCODING_UNSUPPORTED,
		                     "The device cannot decode %s packages (it %s); install the full "
		                     "package.",
		                     m->encoding == FWS_ENC_LZ4 ? "compressed" : "delta",
		                     dev->encodings ? "lists other encodings"
		                                    : "lists no compressed or delta encodings");
	if (dev->enc_max_block && m->block_size > dev->enc_max_block)
		return fwh_error_set(err, FWS_E_BLOCK_SIZE,
		                     "The package uses %u-byte blocks, the device decodes at most %u; "
		                     "repack it with block_size = %u, or install the full package.",
		                     (unsigned)m->block_size, (unsigned)dev->enc_max_block,
		                     (unsigned)dev->enc_max_block);
	if (m->encoding != FWS_ENC_LZ4_DELTA)
		return FWS_OK;
	fwh_package_text(pkg, m->base_version, base, sizeof base);
	/* The device compares the SHA-256 of the image it runs with the base's.
	 * A device that reports that digest (IMAGE_SHA256) lets the host do the
	 * same; for one that does not, its version tells: another version
	 * cannot be the base, the same one may be (the device then decides). */
	if (dev->boot_state != FWS_BOOT_APP)
		return fwh_base_refusal(pkg, dev, err);
	if (dev->has_image_sha256 ? memcmp(dev->image_sha256, m->base_sha256, FWS_SHA256_LEN) != 0
	                          : strcmp(dev->fw_version, base) != 0)
		return fwh_base_refusal(pkg, dev, err);
	return FWS_OK;
}

fws_err fwh_base_refusal(const fwh_package *pkg, const fws_devinfo *dev, fwh_error *err)
{
	char base[FWS_VERSION_MAX + 1];
	char runs[FWS_VERSION_MAX + 40];

	fwh_package_text(pkg, pkg->manifest.base_version, base, sizeof base);
	if (dev == NULL)
		snprintf(runs, sizeof runs, "it runs another build");
	else if (dev->boot_state != FWS_BOOT_APP)
		snprintf(runs, sizeof runs, "it runs no firmware");
	else if (strcmp(dev->fw_version, base) == 0)
		snprintf(runs, sizeof runs, "it runs another build of %s", base);
	else
		snprintf(runs, sizeof runs, "it runs %s", dev->fw_version);
	fws_err e = fwh_error_set(err, FWS_E_BASE,
	                          "This update needs version %s on the device (%s); install the "
	                          "full package.",
	                          base, runs);
	return e;
}

void fwh_plan_make(const fwh_package *pkg, const fws_devinfo *dev, fwh_plan *plan)
{
	memset(plan, 0, sizeof *plan);
	if (dev->boot_state == FWS_BOOT_APP)
		snprintf(plan->from_version, sizeof plan->from_version, "%s", dev->fw_version);
	snprintf(plan->to_version, sizeof plan->to_version, "%s", pkg->manifest.version);
	plan->same_version = strcmp(plan->from_version, plan->to_version) == 0;
	plan->bytes = pkg->stream_len;
	if (dev->has_resume && dev->resume_offset >= pkg->prefix_len &&
	    dev->resume_offset < pkg->stream_len &&
	    memcmp(dev->resume_prefix_sha256, pkg->prefix_sha256, FWS_SHA256_LEN) == 0) {
		plan->resume = true;
		plan->resume_offset = dev->resume_offset;
		plan->bytes = pkg->stream_len - dev->resume_offset;
	}
}
