/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the fwseal command line: a table of subcommands and the options
 * every one of them shares (--help, --json, -v/--verbose; global --version,
 * help). A command is added with one line in the table below (see
 * cli_util.h); its option array in the cli_cmd entry is what its parser
 * reads and what `fwseal completion` turns into shell completions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_i18n.h"
#include "cli_msg.h"
#include "cli_util.h"
#include "commands.h"
#include "fwseal-host/log.h"

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
	&cli_cmd_completion,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct cli_cmd *const *cli_commands(size_t *count)
{
	*count = N_COMMANDS;
	return commands;
}

static void print_help(FILE *f)
{
	fputs(_("Usage: fwseal [-v]... COMMAND [OPTIONS]\n"
	        "       fwseal COMMAND --help\n"
	        "       fwseal --version\n\n"
	        "Signed firmware updates for devices without a network.\n\nCommands:\n"),
	      f);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, _(commands[i]->summary));
	fputs(_("\nOptions of every command:\n"
	        "  -v, --verbose  say what fwseal does; -vv also every request to the\n"
	        "                 device, -vvv its bytes (or set FWSEAL_DEBUG=1)\n"
	        "  --help         the command's usage\n"
	        "  --json         machine-readable output, where the command has it\n"),
	      f);
	fputs(_("\nExit codes: 0 ok, 1 failure, 2 usage, 3 bad or untrusted package,\n"
	        "4 refused by policy, 5 file error, 6 device error, 7 interrupted,\n"
	        "8 partial (several devices), 9 cancelled, 10 a unit's production record\n"
	        "could not be written or completed, 11 installed but not confirmed by the\n"
	        "new firmware. See fwseal(1) and docs/messages.md.\n"),
	      f);
}

static const struct cli_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	const char *names[N_COMMANDS + 1];
	for (size_t i = 0; i < N_COMMANDS; i++)
		names[i] = commands[i]->name;
	names[N_COMMANDS] = "help";
	int rc = cli_fail(MSG_UNKNOWN_COMMAND, name);
	cli_hint_did_you_mean(cli_suggest(name, names, N_COMMANDS + 1));
	return rc;
}

/* -v, -vv, -vvv, --verbose: how many */
static int verbose_count(const char *a)
{
	if (!strcmp(a, "--verbose"))
		return 1;
	if (a[0] != '-' || a[1] != 'v')
		return 0;
	int n = 0;
	for (const char *p = a + 1; *p; p++) {
		if (*p != 'v')
			return 0;
		n++;
	}
	return n;
}

/* Handle the shared options of a subcommand: --help prints its usage, --json
 * is taken out of argv when the command supports it, -v/--verbose anywhere
 * before "--". Returns -1 to go on. */
static int common_options(const struct cli_cmd *cmd, struct cli_ctx *ctx, int *argc, char **argv)
{
	int out = 1;
	bool after_dashdash = false;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		if (!after_dashdash && !strcmp(a, "--"))
			after_dashdash = true;
		if (!after_dashdash && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
			fputs(_(cmd->usage), stdout);
			return FWS_EXIT_OK;
		}
		if (!after_dashdash && cmd->json && !strcmp(a, "--json")) {
			ctx->json = true;
			continue;
		}
		int v = after_dashdash ? 0 : verbose_count(a);
		if (v > 0) {
			ctx->verbose += v;
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
	cli_i18n_init();
	struct cli_ctx ctx = { .json = false, .name = NULL, .verbose = 0 };
	int first = 1;
	for (; first < argc; first++) {
		int v = verbose_count(argv[first]);
		if (v == 0)
			break;
		ctx.verbose += v;
	}
	if (first >= argc)
		return cli_fail(MSG_NO_COMMAND);
	const char *name = argv[first];
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		printf("fwseal %s (package format 1)\n", FWSEAL_VERSION);
		return FWS_EXIT_OK;
	}
	if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
		print_help(stdout);
		return FWS_EXIT_OK;
	}
	if (!strcmp(name, "help")) {
		const struct cli_cmd *c = first + 1 < argc ? find_command(argv[first + 1]) : NULL;
		if (first + 1 < argc && c == NULL)
			return unknown_command(argv[first + 1]);
		if (c)
			fputs(_(c->usage), stdout);
		else
			print_help(stdout);
		return FWS_EXIT_OK;
	}
	const struct cli_cmd *cmd = find_command(name);
	if (!cmd)
		return unknown_command(name);
	ctx.name = cmd->name;
	int sub_argc = argc - first;
	char **sub_argv = argv + first;
	int rc = common_options(cmd, &ctx, &sub_argc, sub_argv);
	if (rc >= 0)
		return rc;
	/* -v raises the library's log level; FWSEAL_DEBUG may raise it further */
	fwh_log_set_level(ctx.verbose);
	ctx.verbose = fwh_log_init_env();
	fwh_log(FWH_LOG_INFO, "cli", "fwseal %s: %s, log level %d", FWSEAL_VERSION, cmd->name,
	        ctx.verbose);
	optind = 0; /* GNU getopt: full re-initialisation for the subcommand */
	return cmd->run(&ctx, sub_argc, sub_argv);
}
