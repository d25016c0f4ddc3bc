/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the fwseal command line: a table of subcommands and the options
 * every one of them shares (--help, --json; global --version, help).
 * A command is added with one line in the table below (see cli_util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"

#ifndef FWSEAL_VERSION
#define FWSEAL_VERSION "unknown"
#endif

static const struct cli_cmd *const commands[] = {
	&cli_cmd_key,
	&cli_cmd_pack,
	&cli_cmd_inspect,
	&cli_cmd_verify,
	&cli_cmd_list,
	&cli_cmd_info,
	&cli_cmd_flash,
	&cli_cmd_records,
	&cli_cmd_watch,
	&cli_cmd_evidence,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_help(FILE *f)
{
	fputs("Usage: fwseal COMMAND [OPTIONS]\n"
	      "       fwseal COMMAND --help\n"
	      "       fwseal --version\n\n"
	      "Signed firmware updates for devices without a network.\n\nCommands:\n",
	      f);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fputs("\nExit codes: 0 ok, 1 failure, 2 usage, 3 bad or untrusted package,\n"
	      "4 refused by policy, 5 file error, 6 device error, 7 interrupted,\n"
	      "8 partial (several devices), 9 cancelled. See fwseal(1).\n",
	      f);
}

static const struct cli_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

/* Handle the shared options of a subcommand: --help prints its usage, --json
 * is taken out of argv when the command supports it. Returns -1 to go on. */
static int common_options(const struct cli_cmd *cmd, struct cli_ctx *ctx, int *argc, char **argv)
{
	int out = 1;
	bool after_dashdash = false;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		if (!after_dashdash && !strcmp(a, "--"))
			after_dashdash = true;
		if (!after_dashdash && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
			fputs(cmd->usage, stdout);
			return FWS_EXIT_OK;
		}
		if (!after_dashdash && cmd->json && !strcmp(a, "--json")) {
			ctx->json = true;
			continue;
		}
		argv[out++] = argv[i];
	}
	*argc = out;
	argv[out] = NULL;
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		cli_error("No command given. Run 'fwseal --help' for the list of commands.");
		return FWS_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		printf("fwseal %s (package format 1)\n", FWSEAL_VERSION);
		return FWS_EXIT_OK;
	}
	if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
		print_help(stdout);
		return FWS_EXIT_OK;
	}
	if (!strcmp(name, "help")) {
		const struct cli_cmd *c = argc > 2 ? find_command(argv[2]) : NULL;
		if (c)
			fputs(c->usage, stdout);
		else
			print_help(stdout);
		return FWS_EXIT_OK;
	}
	const struct cli_cmd *cmd = find_command(name);
	if (!cmd) {
		cli_error("'%s' is not a fwseal command. Run 'fwseal --help' for the list.", name);
		return FWS_EXIT_USAGE;
	}
	struct cli_ctx ctx = {.json = false, .name = cmd->name};
	int sub_argc = argc - 1;
	char **sub_argv = argv + 1;
	int rc = common_options(cmd, &ctx, &sub_argc, sub_argv);
	if (rc >= 0)
		return rc;
	optind = 0; /* GNU getopt: full re-initialisation for the subcommand */
	return cmd->run(&ctx, sub_argc, sub_argv);
}
