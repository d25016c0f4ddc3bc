/* SPDX-License-Identifier: Apache-2.0 */
/* sim_options.h - command line of fwseal-sim (docs/device-stub.md). */
#ifndef FWSEAL_SIM_OPTIONS_H
#define FWSEAL_SIM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

/* DNLOADs in flight a simulated serial device takes: a pty (and the UART
 * model in front of it) buffers more than that, and two already keep the
 * line busy while the device answers (docs/serial-protocol.md). */
#define SIM_DL_WINDOW_DEFAULT 4u

typedef struct sim_options {
	const char *state_dir;
	const char *trust;
	const char *model;
	const char *serial_number;
	const char *component;
	const char *tty;          /* serve this tty instead of a new pty */
	const char *control;      /* control socket path; NULL: STATE/control.sock */
	bool no_control;
	uint16_t hw_rev;
	uint16_t vendor_id;
	uint16_t class_id;
	uint32_t baud;
	uint32_t flash_size;
	uint32_t max_block;
	bool no_confirm;
	bool no_encodings;   /* no flash map: the stub decodes no encodings */
	bool cut_armed;
	uint64_t cut_after;
	bool torn;
	bool flip;
	uint32_t flip_off;
	unsigned flip_bit;
	uint32_t defects;         /* enum fws_stub_defect */
	uint8_t dl_window;        /* serial: device-info DL_WINDOW, 0 = not reported */
	bool ram;                 /* print the stub's RAM use and exit */
} sim_options;

/* Parse argv (and FWSEAL_SIM_CUT_AFTER / FWSEAL_SIM_TORN from the
 * environment). Returns 0 on success, 1 after --help, 2 on a usage error
 * (message on stderr). */
int sim_options_parse(sim_options *o, int argc, char **argv);

#endif /* FWSEAL_SIM_OPTIONS_H */
