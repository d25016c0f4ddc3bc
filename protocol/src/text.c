/* SPDX-License-Identifier: Apache-2.0 */
/* text.c - see fwseal/text.h. */
#include "fwseal/text.h"

size_t fws_utf8_next(const uint8_t *p, size_t left, uint32_t *cp)
{
	uint8_t c = p[0];
	size_t n;
	uint32_t v;

	if (c < 0x80u) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2u && c <= 0xDFu) {
		n = 2;
		v = c & 0x1Fu;
	} else if (c >= 0xE0u && c <= 0xEFu) {
		n = 3;
		v = c & 0x0Fu;
	} else if (c >= 0xF0u && c <= 0xF4u) {
		n = 4;
		v = c & 0x07u;
	} else {
		return 0; /* a continuation byte, 0xC0/0xC1 (overlong) or 0xF5.. */
	}
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0u) != 0x80u)
			return 0;
		v = (v << 6) | (p[i] & 0x3Fu);
	}
	/* RFC 3629: the shortest form only, no surrogates, at most U+10FFFF */
	if ((n == 3 && v < 0x800u) || (n == 4 && v < 0x10000u) || v > 0x10FFFFu ||
	    (v >= 0xD800u && v <= 0xDFFFu))
		return 0;
	*cp = v;
	return n;
}

bool fws_text_is_control(uint32_t cp)
{
	return cp < 0x20u || (cp >= 0x7Fu && cp <= 0x9Fu);
}

bool fws_text_ok(const uint8_t *p, size_t n, bool multiline)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = fws_utf8_next(p + i, n - i, &cp);

		if (k == 0)
			return false;
		if (fws_text_is_control(cp) && !(multiline && (cp == '\n' || cp == '\t')))
			return false;
		i += k;
	}
	return true;
}
