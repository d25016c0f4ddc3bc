/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwg-log.h - the session log a technician reads (and copies) from the
 * details window: one time-stamped line per thing that happened. Main thread
 * only; worker threads report through the main loop.
 */
#ifndef FWG_LOG_H
#define FWG_LOG_H

#include <glib-object.h>

G_BEGIN_DECLS

#define FWG_TYPE_LOG (fwg_log_get_type())
G_DECLARE_FINAL_TYPE(FwgLog, fwg_log, FWG, LOG, GObject)

FwgLog *fwg_log_new(void);

/* Append one line; emits "changed". Also sent to g_debug. */
void fwg_log_add(FwgLog *self, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* The whole log, one line per entry. */
const char *fwg_log_get_text(FwgLog *self);

G_END_DECLS

#endif /* FWG_LOG_H */
