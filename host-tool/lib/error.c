/* SPDX-License-Identifier: Apache-2.0 */
/* error.c - error sentences with context (fwseal-host/error.h). */
#include "fwseal-host/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

fws_err fwh_error_set(fwh_error *err, fws_err code, const char *fmt, ...)
{
	if (err == NULL)
		return code;
	memset(err, 0, sizeof *err);
	err->code = code;
	if (fmt == NULL) {
		snprintf(err->msg, sizeof err->msg, "%s", fws_err_describe(code));
		return code;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return code;
}

void fwh_error_prefix(fwh_error *err, const char *fmt, ...)
{
	if (err == NULL)
		return;
	char head[FWH_ERROR_MSG_MAX], old[FWH_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	size_t h = strnlen(head, sizeof err->msg - 1);
	memcpy(err->msg, head, h);
	size_t o = strnlen(old, sizeof err->msg - 1 - h);
	memcpy(err->msg + h, old, o);
	err->msg[h + o] = '\0';
}

void fwh_error_clear(fwh_error *err)
{
	if (err)
		memset(err, 0, sizeof *err);
}
