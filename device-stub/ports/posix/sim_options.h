/* SPDX-License-Identifier: Apache-2.0 */
/* sim_options.h - command line of fwseal-sim (docs/device-stub.md). */
#ifndef FWSEAL_SIM_OPTIONS_H
#define FWSEAL_SIM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sim_options {
	const char *state_dir;
	const char *trust;
	const char *model;
	const char *serial_number;
	const char *component;
	const char *tty;          /* serve this tty instead of a new pty */
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
	bool ram;                 /* print the stub's RAM use and exit */
} sim_options;

/* Parse argv (and FWSEAL_SIM_CUT_AFTER / FWSEAL_SIM_TORN from the
 * environment). Returns 0 on success, 1 after --help, 2 on a usage error
 * (message on stderr). */
int sim_options_parse(sim_options *o, int argc, char **argv);

#endif /* FWSEAL_SIM_OPTIONS_H */
