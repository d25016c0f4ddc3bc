/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fwseal-host/log.h - the diagnostic log of libfwseal-host: what it probed,
 * opened, sent and got back, for a technician's -v and a bug report.
 *
 * Off by default. Levels, as `fwseal -v`, `-vv`, `-vvv` set them:
 *   FWH_LOG_INFO  (1) what the tool decides: devices probed and found,
 *                     transports opened, session phases, outcomes
 *   FWH_LOG_DEBUG (2) every request to the device and its answer, timings
 *   FWH_LOG_TRACE (3) also the first bytes of every request and answer
 * The environment variable FWSEAL_DEBUG turns it on for any program built on
 * the library (the GUI too): "info" is INFO, "trace" or "3" is TRACE, any
 * other value but "0" ("1", "yes") is DEBUG (fwh_log_init_env()).
 *
 * Like LIBUSB_DEBUG, the level is one process-wide setting (an atomic);
 * lines go to stderr unless the program installs a sink (the GUI's session
 * log does). Never for messages to the user: those are fwh_error sentences.
 */
#ifndef FWSEAL_HOST_LOG_H
#define FWSEAL_HOST_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "fwseal-host/error.h"

enum fwh_log_level {
	FWH_LOG_OFF = 0,
	FWH_LOG_INFO = 1,
	FWH_LOG_DEBUG = 2,
	FWH_LOG_TRACE = 3,
};

#define FWH_LOG_ENV "FWSEAL_DEBUG"

/* Set the level (clamped to OFF..TRACE). Until a program sets it, the
 * level is what FWSEAL_DEBUG says (read once, on first use). */
void fwh_log_set_level(int level);
int fwh_log_level(void);

/* Raise the level to what FWSEAL_DEBUG asks for: unset, empty or "0": no
 * change; "info": INFO; "trace" or a number >= 3: TRACE; a number 1 or 2
 * or any other text: DEBUG. Returns the level now in force. */
int fwh_log_init_env(void);

static inline bool fwh_log_on(int level)
{
	return fwh_log_level() >= level;
}

/* One line "fwseal[+S.mmm] DOMAIN: text" (seconds since the first line). */
void fwh_log(int level, const char *domain, const char *fmt, ...) FWH_PRINTF(3, 4);

/* "xx xx xx ..." of up to 32 bytes (and "... (N bytes)"), for TRACE lines. */
const char *fwh_log_hex(const void *p, size_t n, char *buf, size_t cap);

/* Lines go to sink(user, level, line) instead of stderr (NULL: stderr). */
typedef void (*fwh_log_sink)(void *user, int level, const char *line);
void fwh_log_set_sink(fwh_log_sink sink, void *user);

#endif /* FWSEAL_HOST_LOG_H */
