/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sign_p11.c - sign with an ECDSA P-256 key on a PKCS#11 token, named by an
 * RFC 7512 "pkcs11:" URI (token=, object=, id=, pin-value=, pin-source=).
 *
 * The module is the one given (--pkcs11-module, or module-path= in the URI),
 * else every module registered with p11-kit (what the p11-kit proxy offers).
 * CKM_ECDSA on a SHA-256 digest returns r || s (PKCS#11 v2.40 section 2.3.1),
 * which is exactly the package's signature field. The public key (for the key
 * id) is the token's CKO_PUBLIC_KEY with the same CKA_ID, or label.
 */
#include <stdlib.h>
#include <string.h>

#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>
#include <p11-kit/uri.h>

#include "keys_int.h"

struct fws_p11 {
	CK_FUNCTION_LIST **modules; /* NULL-terminated; from p11-kit */
	CK_FUNCTION_LIST *single;   /* or one module loaded by path */
	CK_FUNCTION_LIST *fn;       /* the module holding the key */
	CK_SESSION_HANDLE session;
	CK_OBJECT_HANDLE key;
};

static fws_key_err p11_fail(fws_key_msg *msg, const char *what, CK_RV rv)
{
	return fws_key_fail(msg, FWS_KEY_E_TOKEN, "PKCS#11 %s failed (%s). Check the token URI, PIN and module.",
	                    what, p11_kit_strerror(rv));
}

static fws_key_err load_modules(fws_p11 *p, const char *module, fws_key_msg *msg)
{
	if (module) {
		p->single = p11_kit_module_load(module, 0);
		if (!p->single)
			return fws_key_fail(msg, FWS_KEY_E_TOKEN,
			                    "Cannot load the PKCS#11 module %s (%s). Check --pkcs11-module.",
			                    module, p11_kit_message() ? p11_kit_message() : "no detail");
		CK_RV rv = p11_kit_module_initialize(p->single);
		if (rv != CKR_OK) {
			p11_kit_module_release(p->single);
			p->single = NULL;
			return p11_fail(msg, "module initialisation", rv);
		}
		return FWS_KEY_OK;
	}
	p->modules = p11_kit_modules_load_and_initialize(0);
	if (!p->modules)
		return fws_key_fail(msg, FWS_KEY_E_TOKEN,
		                    "No PKCS#11 module is registered with p11-kit. Give one with --pkcs11-module.");
	return FWS_KEY_OK;
}

/* Find the token matching the URI; opens a session on it. */
static fws_key_err open_token(fws_p11 *p, P11KitUri *uri, fws_key_msg *msg)
{
	CK_FUNCTION_LIST *one[2] = {p->single, NULL};
	CK_FUNCTION_LIST **mods = p->single ? one : p->modules;
	for (size_t m = 0; mods[m]; m++) {
		CK_FUNCTION_LIST *fn = mods[m];
		CK_INFO minfo;
		if (fn->C_GetInfo(&minfo) != CKR_OK || !p11_kit_uri_match_module_info(uri, &minfo))
			continue;
		CK_ULONG n = 0;
		if (fn->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK || n == 0)
			continue;
		CK_SLOT_ID *slots = calloc(n, sizeof(*slots));
		if (!slots)
			return fws_key_fail(msg, FWS_KEY_E_TOKEN, "Out of memory.");
		if (fn->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
			n = 0;
		for (CK_ULONG i = 0; i < n; i++) {
			CK_TOKEN_INFO tinfo;
			if (fn->C_GetTokenInfo(slots[i], &tinfo) != CKR_OK ||
			    !p11_kit_uri_match_token_info(uri, &tinfo))
				continue;
			CK_RV rv = fn->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL, &p->session);
			free(slots);
			if (rv != CKR_OK)
				return p11_fail(msg, "C_OpenSession", rv);
			p->fn = fn;
			return FWS_KEY_OK;
		}
		free(slots);
	}
	return fws_key_fail(msg, FWS_KEY_E_TOKEN,
	                    "No PKCS#11 token matches the URI. Check token= in the URI (list tokens with 'p11tool --list-tokens' or 'softhsm2-util --show-slots').");
}

/* Find exactly one object of class cls matching the URI's object attributes. */
static fws_key_err find_one(fws_p11 *p, P11KitUri *uri, CK_OBJECT_CLASS cls,
                            const CK_ATTRIBUTE *extra, CK_OBJECT_HANDLE *out, fws_key_msg *msg)
{
	CK_ATTRIBUTE tmpl[8];
	CK_ULONG nt = 0;
	tmpl[nt++] = (CK_ATTRIBUTE){CKA_CLASS, &cls, sizeof(cls)};
	if (extra) {
		tmpl[nt++] = *extra;
	} else {
		CK_ULONG na = 0;
		CK_ATTRIBUTE *a = p11_kit_uri_get_attributes(uri, &na);
		for (CK_ULONG i = 0; i < na && nt < 8; i++)
			if (a[i].type == CKA_LABEL || a[i].type == CKA_ID)
				tmpl[nt++] = a[i];
	}
	CK_RV rv = p->fn->C_FindObjectsInit(p->session, tmpl, nt);
	if (rv != CKR_OK)
		return p11_fail(msg, "C_FindObjectsInit", rv);
	CK_OBJECT_HANDLE found[2];
	CK_ULONG n = 0;
	rv = p->fn->C_FindObjects(p->session, found, 2, &n);
	p->fn->C_FindObjectsFinal(p->session);
	if (rv != CKR_OK)
		return p11_fail(msg, "C_FindObjects", rv);
	const char *what = cls == CKO_PRIVATE_KEY ? "private" : "public";
	if (n == 0)
		return fws_key_fail(msg, FWS_KEY_E_TOKEN,
		                    "The token has no %s key matching the URI. Check object= or id= in the URI.",
		                    what);
	if (n > 1)
		return fws_key_fail(msg, FWS_KEY_E_TOKEN,
		                    "Several %s keys on the token match the URI. Add object= or id= to name one.",
		                    what);
	*out = found[0];
	return FWS_KEY_OK;
}

/* CKA_EC_POINT is a DER OCTET STRING holding the uncompressed point (some
 * tokens give the bare point). */
static fws_key_err read_pub(fws_p11 *p, P11KitUri *uri, uint8_t pub[FWS_P256_PUB_LEN],
                            fws_key_msg *msg)
{
	uint8_t id[256];
	CK_ATTRIBUTE a = {CKA_ID, id, sizeof(id)};
	CK_OBJECT_HANDLE pubh;
	fws_key_err e;
	if (p->fn->C_GetAttributeValue(p->session, p->key, &a, 1) == CKR_OK && a.ulValueLen > 0 &&
	    a.ulValueLen != CK_UNAVAILABLE_INFORMATION)
		e = find_one(p, uri, CKO_PUBLIC_KEY, &a, &pubh, msg);
	else
		e = find_one(p, uri, CKO_PUBLIC_KEY, NULL, &pubh, msg);
	if (e)
		return e;
	uint8_t pt[80];
	CK_ATTRIBUTE ec = {CKA_EC_POINT, pt, sizeof(pt)};
	CK_RV rv = p->fn->C_GetAttributeValue(p->session, pubh, &ec, 1);
	if (rv != CKR_OK)
		return p11_fail(msg, "reading the public key", rv);
	if (ec.ulValueLen == FWS_P256_PUB_LEN + 2 && pt[0] == 0x04 && pt[1] == FWS_P256_PUB_LEN)
		memcpy(pub, pt + 2, FWS_P256_PUB_LEN);
	else if (ec.ulValueLen == FWS_P256_PUB_LEN && pt[0] == 0x04)
		memcpy(pub, pt, FWS_P256_PUB_LEN);
	else
		return fws_key_fail(msg, FWS_KEY_E_TOKEN,
		                    "The token key is not an uncompressed ECDSA P-256 key. Create a P-256 (prime256v1) key.");
	return FWS_KEY_OK;
}

static char *pin_from_source(const char *src)
{
	if (strncmp(src, "file:", 5) == 0)
		src += 5;
	char *pin = NULL;
	return fws_secret_file_read(src, &pin, NULL) == FWS_KEY_OK ? pin : NULL;
}

fws_key_err fws_p11_open(const char *uri_str, const char *pin, const char *module, fws_p11 **out,
                         uint8_t pub[FWS_P256_PUB_LEN], fws_key_msg *msg)
{
	P11KitUri *uri = p11_kit_uri_new();
	fws_p11 *p = calloc(1, sizeof(*p));
	char *src_pin = NULL;
	fws_key_err e = FWS_KEY_OK;
	if (!uri || !p) {
		e = fws_key_fail(msg, FWS_KEY_E_TOKEN, "Out of memory.");
		goto fail;
	}
	int rc = p11_kit_uri_parse(uri_str, P11_KIT_URI_FOR_ANY, uri);
	if (rc != P11_KIT_URI_OK) {
		e = fws_key_fail(msg, FWS_KEY_E_USAGE,
		                 "The PKCS#11 URI is not valid (%s). Write it as pkcs11:token=NAME;object=LABEL.",
		                 p11_kit_uri_message(rc));
		goto fail;
	}
	if (!module)
		module = p11_kit_uri_get_module_path(uri);
	if ((e = load_modules(p, module, msg)) || (e = open_token(p, uri, msg)))
		goto fail;
	const char *the_pin = p11_kit_uri_get_pin_value(uri);
	if (!the_pin && p11_kit_uri_get_pin_source(uri)) {
		src_pin = pin_from_source(p11_kit_uri_get_pin_source(uri));
		if (!src_pin) {
			e = fws_key_fail(msg, FWS_KEY_E_TOKEN,
			                 "Cannot read the PIN from pin-source in the URI. Check the file.");
			goto fail;
		}
		the_pin = src_pin;
	}
	if (!the_pin)
		the_pin = pin;
	if (the_pin) {
		CK_RV rv = p->fn->C_Login(p->session, CKU_USER, (CK_UTF8CHAR *)(uintptr_t)the_pin,
		                          strlen(the_pin));
		if (rv == CKR_PIN_INCORRECT) {
			e = fws_key_fail(msg, FWS_KEY_E_TOKEN,
			                 "The token refused the PIN. Check pin-value in the URI or the --pin-file.");
			goto fail;
		}
		if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
			e = p11_fail(msg, "login", rv);
			goto fail;
		}
	}
	if ((e = find_one(p, uri, CKO_PRIVATE_KEY, NULL, &p->key, msg)))
		goto fail;
	if ((e = read_pub(p, uri, pub, msg)))
		goto fail;
	p11_kit_uri_free(uri);
	fws_secret_free(src_pin);
	*out = p;
	return FWS_KEY_OK;
fail:
	if (uri)
		p11_kit_uri_free(uri);
	fws_secret_free(src_pin);
	fws_p11_close(p);
	return e;
}

fws_key_err fws_p11_sign(fws_p11 *p, const uint8_t digest[FWS_SHA256_LEN],
                         uint8_t sig[FWS_ECDSA_SIG_LEN], fws_key_msg *msg)
{
	CK_MECHANISM mech = {CKM_ECDSA, NULL, 0};
	CK_RV rv = p->fn->C_SignInit(p->session, &mech, p->key);
	if (rv != CKR_OK)
		return p11_fail(msg, "C_SignInit", rv);
	CK_ULONG len = FWS_ECDSA_SIG_LEN;
	rv = p->fn->C_Sign(p->session, (CK_BYTE *)(uintptr_t)digest, FWS_SHA256_LEN, sig, &len);
	if (rv != CKR_OK)
		return p11_fail(msg, "C_Sign", rv);
	if (len != FWS_ECDSA_SIG_LEN)
		return fws_key_fail(msg, FWS_KEY_E_TOKEN,
		                    "The token returned a %lu-byte signature, not a P-256 r||s. Use a P-256 key.",
		                    (unsigned long)len);
	return FWS_KEY_OK;
}

void fws_p11_close(fws_p11 *p)
{
	if (!p)
		return;
	if (p->fn && p->session)
		p->fn->C_CloseSession(p->session);
	if (p->single) {
		p11_kit_module_finalize(p->single);
		p11_kit_module_release(p->single);
	}
	if (p->modules)
		p11_kit_modules_finalize_and_release(p->modules);
	free(p);
}
