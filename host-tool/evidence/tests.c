/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests.c - the catalogue of the pack's tests (evidence.h, struct
 * ev_test_def): id, what it supports, and its test purpose. The code that
 * runs a test looks its entry up here, so a test's description and its
 * implementation cannot drift apart in two places. docs/evidence.md lists
 * the same table.
 */
#include <string.h>

#include "evidence.h"

static const struct ev_test_def defs[] = {
	{"CK-08-timeliness", "Security update published within the Supplier's target time",
	 "5.3-8", 8, EV_KIND_DOCUMENT,
	 "The days from the confirmation of the vulnerability this security release fixes to "
	 "the release's publication are within the target time frame the Supplier states for "
	 "its severity."},
	{"CK-13-support-period", "Support period current and published as signed", "5.3-13", 13,
	 EV_KIND_DOCUMENT,
	 "The support-period end signed into the release lies after the day of this run and "
	 "is the end date the Supplier publishes to users."},
	{"FT-00-interface-tested", "Functional tests run over this declared interface",
	 "5.3-2, 5.3-9", 2, EV_KIND_DEVICE,
	 "Every update interface the product declares is exercised by the functional tests."},
	{"FT-01-model-readable", "Model designation readable over the update interface", "5.3-16",
	 16, EV_KIND_DEVICE,
	 "The device reports the model designation and hardware revision the package and the "
	 "product description name, over its update interface."},
	{"FT-02-authentic-update", "Authentic release installed by an N-1 to N upgrade",
	 "5.3-2, 5.3-3", 2, EV_KIND_DEVICE,
	 "One fwseal command, as a user runs it, upgrades a device running the previous release "
	 "to this release; the device restarts into it, confirms it and stores its security "
	 "counter."},
	{"FT-03-support-period-readable", "Support period readable from the device", "5.3-13", 13,
	 EV_KIND_DEVICE,
	 "The device running the release reports the release's support-period end."},
	{"FT-04-tampered-block", "Tampered block refused before it is written", "5.3-9", 9,
	 EV_KIND_DEVICE,
	 "A package with one byte of a middle block changed is refused with block-digest at the "
	 "request that carries that block, and nothing refused becomes bootable."},
	{"FT-05-bad-signature", "Package with a broken signature refused", "5.3-9", 9,
	 EV_KIND_DEVICE,
	 "A package whose signature does not verify is refused with bad-signature before any "
	 "block is taken."},
	{"FT-06-wrong-key", "Package signed by a key the device does not trust refused", "5.3-9",
	 9, EV_KIND_DEVICE,
	 "A package signed by a key in no trust store is refused with untrusted-key before any "
	 "block is taken."},
	{"FT-07-downgrade", "Package with a lower security counter refused (anti-rollback)",
	 "5.3-2", 2, EV_KIND_DEVICE,
	 "A trusted package with a lower security counter than the device stores is refused "
	 "with downgrade before any block is taken."},
	{"FT-08-wrong-model", "Package for another model refused", "5.3-2, 5.3-16", 2,
	 EV_KIND_DEVICE,
	 "A trusted package for another model designation is refused with wrong-model before "
	 "any block is taken."},
	{"FT-09-notices-in-package", "Security notice and disruption notice signed into the package",
	 "5.3-11, 5.3-12", 11, EV_KIND_PACKAGE,
	 "The signed manifest carries the security notice (flag, severity, risks, CVE ids) and "
	 "the disruption notice (restart, downtime) a host shows."},
	{"FT-10-cable-pull", "Link broken mid-update: the device keeps its firmware", "5.3-2", 2,
	 EV_KIND_DEVICE,
	 "When the link is broken half way through an update (the host stops and closes it, as "
	 "when the data cable is pulled), the device restarts into the firmware it ran before "
	 "and nothing partial becomes bootable."},
	{"FT-11-power-cut", "Power cut mid-update: the device keeps its firmware", "5.3-2", 2,
	 EV_KIND_DEVICE,
	 "When the device's power is cut while it writes an update, it boots the firmware it "
	 "ran before, with the same security counter, and nothing partial becomes bootable."},
	{"FT-12-revoked-key", "Package signed by a revoked key refused", "5.3-9", 9, EV_KIND_DEVICE,
	 "A package signed only by a key the device lists as revoked is refused with "
	 "revoked-key before any block is taken."},
	{"FT-13-wrong-hw-revision", "Package for other hardware revisions refused", "5.3-2", 2,
	 EV_KIND_DEVICE,
	 "A trusted package whose hardware-revision range excludes the device is refused with "
	 "wrong-hw-revision before any block is taken."},
	{"FT-14-wrong-component", "Package for another component refused", "5.3-2", 2,
	 EV_KIND_DEVICE,
	 "A trusted package for another software component is refused with wrong-component "
	 "before any block is taken."},
	{"FT-15-truncated-package", "Truncated package refused", "5.3-9", 9, EV_KIND_DEVICE,
	 "A package cut short inside its last block is refused at the end of the download, and "
	 "nothing of it becomes bootable."},
	{"FT-16-trust-store", "Keys the device trusts are the Supplier's trust store",
	 "5.3-7, 5.3-9", 9, EV_KIND_DEVICE,
	 "The key ids (and revocations) the device reports are exactly those of the trust store "
	 "the pack describes."},
	{"FT-17-notices-shown", "Security and disruption notices shown to the user before install",
	 "5.3-11, 5.3-12", 11, EV_KIND_DEVICE,
	 "What fwseal shows the user before it installs the release names the risks mitigated, "
	 "every CVE id and the expected disruption."},
	{NULL, NULL, NULL, 0, EV_KIND_DEVICE, NULL},
};

const struct ev_test_def *ev_test_def(const char *id)
{
	for (const struct ev_test_def *d = defs; d->id; d++)
		if (!strcmp(d->id, id))
			return d;
	return NULL;
}
