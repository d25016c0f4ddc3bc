/* SPDX-License-Identifier: Apache-2.0 */
/* fwg-log.c - see fwg-log.h. */
#include <string.h>

#include "fwg-log.h"

/* Bound the log so a long-running session cannot grow without limit. */
#define FWG_LOG_MAX_BYTES (256u * 1024u)

struct _FwgLog {
	GObject parent_instance;
	GString *text;
};

G_DEFINE_FINAL_TYPE(FwgLog, fwg_log, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void fwg_log_finalize(GObject *object)
{
	FwgLog *self = FWG_LOG(object);
	g_string_free(self->text, TRUE);
	G_OBJECT_CLASS(fwg_log_parent_class)->finalize(object);
}

static void fwg_log_class_init(FwgLogClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = fwg_log_finalize;
	signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass),
	                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
	                                       G_TYPE_NONE, 0);
}

static void fwg_log_init(FwgLog *self)
{
	self->text = g_string_new(NULL);
}

FwgLog *fwg_log_new(void)
{
	return g_object_new(FWG_TYPE_LOG, NULL);
}

void fwg_log_add(FwgLog *self, const char *format, ...)
{
	g_return_if_fail(FWG_IS_LOG(self));
	va_list ap;
	va_start(ap, format);
	g_autofree char *line = g_strdup_vprintf(format, ap);
	va_end(ap);
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *stamp = g_date_time_format(now, "%H:%M:%S");
	g_debug("%s", line);
	if (self->text->len > FWG_LOG_MAX_BYTES) {
		/* Drop the oldest half, at a line boundary. */
		const char *cut = strchr(self->text->str + self->text->len / 2, '\n');
		gsize drop = cut ? (gsize)(cut + 1 - self->text->str) : self->text->len;
		g_string_erase(self->text, 0, (gssize)drop);
	}
	g_string_append_printf(self->text, "%s.%03d  %s\n", stamp,
	                       g_date_time_get_microsecond(now) / 1000, line);
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

const char *fwg_log_get_text(FwgLog *self)
{
	g_return_val_if_fail(FWG_IS_LOG(self), "");
	return self->text->str;
}
