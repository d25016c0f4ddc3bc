/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_product.c - the product description parser of `fwseal evidence`
 * (host-tool/evidence/ini.c, product.c): a file a person edits, so any
 * bytes. Invariants: an accepted description has every required field, only
 * printable text (it goes into Markdown and JSON), at least one interface,
 * and a justification for every component without an update mechanism
 * (EN 303 645 clause 4); a refusal always comes with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "product.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s)
{
	if (!s)
		return;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct ev_product p;
	char err[512] = "";
	if (!ev_product_parse(&p, text, "fuzz.ini", err, sizeof(err))) {
		if (!err[0])
			abort();
		free(text);
		return 0;
	}
	if (!p.manufacturer || !p.model || !p.interfaces || !p.ncomp ||
	    !p.support_period_published || !p.model_designation_published || !p.procedure)
		abort();
	check_text(p.manufacturer);
	check_text(p.model);
	check_text(p.update_instructions);
	for (size_t i = 0; i < p.ncomp; i++) {
		check_text(p.comp[i].name);
		check_text(p.comp[i].description);
		if (!p.comp[i].updateable && !p.comp[i].justification)
			abort();
	}
	for (unsigned i = 0; i < EV_PROVISIONS; i++) {
		check_text(p.ics[i].detail);
		check_text(p.ics[i].justification);
	}
	/* [update-app]: what 5.3-4..5.3-6 are derived from names its source */
	if (p.app.present && (!p.app.name || !p.app.defaults_source))
		abort();
	check_text(p.app.name);
	check_text(p.app.defaults_source);
	check_text(p.app.defaults_file);
	check_text(p.key_storage);
	check_text(p.key_lifecycle);
	check_text(p.key_revocation);
	if (p.edition && !ev_edition_find(p.edition))
		abort();
	ev_product_free(&p);
	free(text);
	return 0;
}
