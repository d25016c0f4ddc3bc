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
	/* The rules of fws_utf8_next + fws_text_is_control in a form small
	 * enough for a device (test_manifest checks the two agree): a control
	 * character is one byte (C0, DEL) or, for C1, 0xC2 then 0x80..0x9F, so
	 * after 0xC2 only 0xA0..0xBF may follow. */
	for (size_t i = 0; i < n;) {
		uint8_t c = p[i++], lo = 0x80u, hi = 0xBFu;
		size_t k = c >= 0xF0u ? 3u : c >= 0xE0u ? 2u : 1u;

		if (c < 0x80u) {
			if ((c < 0x20u && !(multiline && (c == '\n' || c == '\t'))) || c == 0x7Fu)
				return false;
			continue;
		}
		if (c < 0xC2u || c > 0xF4u || n - i < k)
			return false;
		if (c == 0xC2u || c == 0xE0u)
			lo = 0xA0u;
		else if (c == 0xF0u)
			lo = 0x90u;
		else if (c == 0xEDu)
			hi = 0x9Fu;
		else if (c == 0xF4u)
			hi = 0x8Fu;
		if (p[i] < lo || p[i] > hi)
			return false;
		for (size_t j = 1; j < k; j++)
			if ((p[i + j] & 0xC0u) != 0x80u)
				return false;
		i += k;
	}
	return true;
}
