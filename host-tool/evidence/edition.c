/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edition.c - the edition tables (edition.h). Paraphrases, never quotes:
 * fwseal does not ship the standards' text. What each table rests on, and
 * what was not checked against the standard, is its 'basis', which every
 * pack prints on its first page (docs/evidence.md, "Editions").
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "edition.h"

#define TC(n) "5.3-" #n "-1", "5.3-" #n "-2"
#define TC_CONCEPTUAL(n) "5.3-" #n "-1", NULL

/* Clause 5.3 as EN 303 645 V2.1.1 has it (fwseal's trace:
 * en303645-5.3.md of the design notes). */
static const struct ev_provision_info v2_prov[EV_PROVISIONS] = {
	{"R", "-", "All software components are securely updateable.", TC_CONCEPTUAL(1)},
	{"M", "C(12)", "An update mechanism for the secure installation of updates exists.", TC(2)},
	{"M", "C(12)", "Updates are simple for the user to apply.", TC(3)},
	{"R", "C(12)", "Automatic mechanisms are used for software updates.", TC_CONCEPTUAL(4)},
	{"R", "C(12)", "The device checks after initialisation, and then periodically, whether "
	               "security updates are available.", TC_CONCEPTUAL(5)},
	{"R", "C(9,12)", "Automatic updates and/or update notifications are enabled in the "
	                 "initialised state and the user can enable, disable or postpone them.",
	 TC_CONCEPTUAL(6)},
	{"M", "C(12)", "The update mechanism uses best-practice cryptography.", TC_CONCEPTUAL(7)},
	{"M", "C(12)", "Security updates are timely.", TC_CONCEPTUAL(8)},
	{"R", "C(12)", "The device verifies the authenticity and integrity of software updates.",
	 TC(9)},
	{"M", "C(11)", "Updates delivered over a network interface are verified through a trust "
	               "relationship.", TC_CONCEPTUAL(10)},
	{"R", "C(12)", "The user is told, recognisably, that a security update is required, with "
	               "the risks it mitigates.", TC(11)},
	{"R", "C(12)", "The user is notified when an update will disrupt basic functioning.", TC(12)},
	{"M", "-", "The defined support period is published clearly and accessibly.", TC(13)},
	{"R", "C(3)", "For constrained devices that cannot be updated: rationale, replacement "
	              "support and support period are published.", TC_CONCEPTUAL(14)},
	{"R", "C(3)", "For constrained devices that cannot be updated: the device is isolable and "
	              "its hardware replaceable.", TC_CONCEPTUAL(15)},
	{"M", "-", "The model designation is clearly recognisable (label or physical interface).",
	 TC(16)},
};

static const struct ev_condition conditions[] = {
	{"C(3)", "the device's software components cannot be updated (a constrained device)"},
	{"C(9)", "automatic updates and/or update notifications are supported"},
	{"C(11)", "updates are delivered over a network interface"},
	{"C(12)", "an update mechanism is implemented"},
	{NULL, NULL},
};

#define TC_NOTE \
	" TS 103 701 organises clause 5.3 in test groups 5.3-N with conceptual and functional " \
	"test cases; fwseal numbers the conceptual case 5.3-N-1 and the functional case " \
	"5.3-N-2. These numbers and the test purposes are fwseal's reading, not checked " \
	"against the TS text (which fwseal does not ship): the laboratory maps them to the " \
	"test cases of its edition."

static const struct ev_edition editions[] = {
	{
		"en303645-v2.1.1",
		"ETSI EN 303 645 V2.1.1 (2020-06)",
		"ETSI TS 103 701 V1.1.1 (2021-08)",
		v2_prov,
		conditions,
		"Provisions 5.3-1 to 5.3-16 with their M/R status and conditions as EN 303 645 V2.1.1 "
		"states them, paraphrased (not quoted)." TC_NOTE,
	},
	{
		"en303645-v3.1.3",
		"ETSI EN 303 645 V3.1.3 (2024-09)",
		"ETSI TS 103 701 V2.1.1 (2025-05)",
		v2_prov,
		conditions,
		"Clause 5.3 keeps the numbering 5.3-1 to 5.3-16 in V3.1.3. The M/R status, "
		"conditions and paraphrases of this table are carried over from V2.1.1 and were NOT "
		"checked against the V3.1.3 text: the laboratory checks each row against it."
		TC_NOTE,
	},
};
#define NEDITIONS (sizeof(editions) / sizeof(editions[0]))

const struct ev_edition *ev_edition_find(const char *id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < NEDITIONS; i++) {
		const char *v = strrchr(editions[i].id, '-') + 1; /* "v2.1.1" */
		if (!strcmp(id, editions[i].id) || !strcasecmp(id, v) || !strcmp(id, v + 1))
			return &editions[i];
	}
	return NULL;
}

const char *ev_edition_ids(void)
{
	static char ids[NEDITIONS * 24];
	if (!ids[0])
		for (size_t i = 0, n = 0; i < NEDITIONS; i++)
			n += (size_t)snprintf(ids + n, sizeof(ids) - n, "%s%s", i ? ", " : "",
			                      editions[i].id);
	return ids;
}

const struct ev_provision_info *ev_edition_provision(const struct ev_edition *e, unsigned n)
{
	return e && n >= 1 && n <= EV_PROVISIONS ? &e->prov[n - 1] : NULL;
}
