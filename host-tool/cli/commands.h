/* SPDX-License-Identifier: Apache-2.0 */
/* commands.h - the subcommands main.c dispatches to (one per cmd_*.c). */
#ifndef FWSEAL_COMMANDS_H
#define FWSEAL_COMMANDS_H

#include "cli_util.h"

extern const struct cli_cmd cli_cmd_key;
extern const struct cli_cmd cli_cmd_pack;
extern const struct cli_cmd cli_cmd_inspect;
extern const struct cli_cmd cli_cmd_verify;
extern const struct cli_cmd cli_cmd_list;
extern const struct cli_cmd cli_cmd_info;
extern const struct cli_cmd cli_cmd_flash;
extern const struct cli_cmd cli_cmd_records;
extern const struct cli_cmd cli_cmd_watch;
extern const struct cli_cmd cli_cmd_evidence;
extern const struct cli_cmd cli_cmd_completion;
extern const struct cli_cmd cli_cmd_trust_update;

/* The table main.c dispatches through (what `completion` reads too). */
const struct cli_cmd *const *cli_commands(size_t *count);

/* `fwseal key import-trust` (cmd_trust.c); argv[0] is "import-trust". */
int cmd_key_import_trust(struct cli_ctx *ctx, int argc, char **argv);
extern const struct option cmd_key_import_opts[];

/* Exit code for a keys/ error (cmd_key.c); shared by the signing commands. */
int cmd_key_exit(int key_err);

#endif /* FWSEAL_COMMANDS_H */
