/* SPDX-License-Identifier: Apache-2.0 */
/* util.c - error names and messages, key id hex, random source. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "keys_int.h"

const char *fws_key_err_name(fws_key_err e)
{
	switch (e) {
	case FWS_KEY_OK: return "ok";
	case FWS_KEY_E_IO: return "io";
	case FWS_KEY_E_EXISTS: return "exists";
	case FWS_KEY_E_FORMAT: return "key-format";
	case FWS_KEY_E_PASSPHRASE: return "passphrase";
	case FWS_KEY_E_CRYPTO: return "crypto";
	case FWS_KEY_E_TOKEN: return "token";
	case FWS_KEY_E_USAGE: return "usage";
	case FWS_KEY_E_EXPOSED: return "key-exposed";
	}
	return "unknown";
}

fws_key_err fws_key_fail(fws_key_msg *msg, fws_key_err e, const char *fmt, ...)
{
	if (msg) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg->text, sizeof(msg->text), fmt, ap);
		va_end(ap);
	}
	return e;
}

void fws_key_id_hex(const uint8_t id[FWS_KEY_ID_LEN], char out[2 * FWS_KEY_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < FWS_KEY_ID_LEN; i++) {
		out[2 * i] = hex[id[i] >> 4];
		out[2 * i + 1] = hex[id[i] & 15];
	}
	out[2 * FWS_KEY_ID_LEN] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool fws_key_id_parse(const char *s, uint8_t id[FWS_KEY_ID_LEN])
{
	if (strlen(s) != 2 * FWS_KEY_ID_LEN)
		return false;
	for (size_t i = 0; i < FWS_KEY_ID_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		id[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

int fws_sysrng_init(fws_sysrng *r, const char *personalisation)
{
	mbedtls_entropy_init(&r->entropy);
	mbedtls_ctr_drbg_init(&r->drbg);
	return mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy,
	                             (const unsigned char *)personalisation,
	                             strlen(personalisation));
}

void fws_sysrng_free(fws_sysrng *r)
{
	mbedtls_ctr_drbg_free(&r->drbg);
	mbedtls_entropy_free(&r->entropy);
}
