/* SPDX-License-Identifier: Apache-2.0 */
/* trust2.h - the trust store parser for both formats and the format-2
 * encoder (fwseal/trust.h), inside protocol/. */
#ifndef FWSEAL_TRUST2_H
#define FWSEAL_TRUST2_H

#include "fwseal/trust.h"

fws_err fws_trust2_parse(const uint8_t *blob, size_t len, fws_trust *out);
size_t fws_trust2_encode(const fws_trust *t, uint8_t *out, size_t cap);

#endif
