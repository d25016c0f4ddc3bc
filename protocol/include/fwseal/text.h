/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal/text.h - the one definition of "text" the package format allows in
 * its human-readable fields (docs/package-format.md, "Text rules"), shared
 * by the manifest parser (host and device), `fwseal pack` and the host's
 * printers: UTF-8 as RFC 3629 has it (no overlong forms, no surrogates,
 * nothing above U+10FFFF) without control characters, i.e. without C0
 * (U+0000..U+001F), DEL (U+007F) and C1 (U+0080..U+009F, among them U+009B,
 * the one-character CSI that starts a terminal escape sequence).
 */
#ifndef FWSEAL_TEXT_H
#define FWSEAL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1..4) of the UTF-8 sequence at p (left > 0 bytes available), and
 * its code point in *cp; 0 if the bytes there are not valid UTF-8. */
size_t fws_utf8_next(const uint8_t *p, size_t left, uint32_t *cp);

/* C0, DEL or C1. */
bool fws_text_is_control(uint32_t cp);

/* n bytes of valid UTF-8 without control characters; with multiline,
 * newline and tab are allowed. */
bool fws_text_ok(const uint8_t *p, size_t n, bool multiline);

#endif /* FWSEAL_TEXT_H */
