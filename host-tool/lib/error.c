/* SPDX-License-Identifier: Apache-2.0 */
/* error.c - error sentences with context, in English and in the user's
 * language (fwseal-host/error.h). */
#include "fwseal-host/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"

fws_err fwh_error_set(fwh_error *err, fws_err code, const char *fmt, ...)
{
	if (err == NULL)
		return code;
	memset(err, 0, sizeof *err);
	err->code = code;
	if (fmt == NULL) {
		const char *d = fws_err_describe(code);
		snprintf(err->msg, sizeof err->msg, "%s", d);
		snprintf(err->text, sizeof err->text, "%s", fwh_tr(d));
		return code;
	}
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	vsnprintf(err->text, sizeof err->text, fwh_tr(fmt), ap2);
	va_end(ap2);
	va_end(ap);
	return code;
}

fws_err fwh_error_put(fwh_error *err, fws_err code, const char *msg, const char *text)
{
	if (err == NULL)
		return code;
	memset(err, 0, sizeof *err);
	err->code = code;
	snprintf(err->msg, sizeof err->msg, "%s", msg);
	snprintf(err->text, sizeof err->text, "%s", text);
	return code;
}

/* dst = head + dst, cut to the buffer (always terminated). */
static void put_in_front(char *dst, const char *head)
{
	char old[FWH_ERROR_MSG_MAX];
	memcpy(old, dst, sizeof old);
	size_t h = strnlen(head, FWH_ERROR_MSG_MAX - 1);
	memcpy(dst, head, h);
	size_t o = strnlen(old, FWH_ERROR_MSG_MAX - 1 - h);
	memcpy(dst + h, old, o);
	dst[h + o] = '\0';
}

void fwh_error_prefix(fwh_error *err, const char *fmt, ...)
{
	if (err == NULL || fmt == NULL)
		return;
	/* a sentence a caller wrote into msg alone: text starts as the same */
	if (err->text[0] == '\0')
		memcpy(err->text, err->msg, sizeof err->text);
	char head[FWH_ERROR_MSG_MAX];
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	vsnprintf(head, sizeof head, fmt, ap);
	put_in_front(err->msg, head);
	vsnprintf(head, sizeof head, fwh_tr(fmt), ap2);
	put_in_front(err->text, head);
	va_end(ap2);
	va_end(ap);
}

void fwh_error_clear(fwh_error *err)
{
	if (err)
		memset(err, 0, sizeof *err);
}
