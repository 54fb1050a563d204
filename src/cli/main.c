// SPDX-License-Identifier: MIT
/* guestcore: command dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command *const commands[] = {
	&cmd_info, &cmd_check, &cmd_rd, &cmd_read, &cmd_p2m, &cmd_regs,
	&cmd_extract_qemu,
	&cmd_extract,
	&cmd_guests,
	&cmd_vtop, &cmd_sym, &cmd_log, &cmd_struct,
	&cmd_mod,
	&cmd_ps, &cmd_sys,
	&cmd_convert,
	&cmd_vmcsinfo, &cmd_vmcs,
	&cmd_bt,
};

#define GC_CLI_NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"guestcore %s: read, check and translate virtual machine "
		"crash dumps\n\nusage: guestcore COMMAND [ARGS...]\n\n"
		"commands:\n", GUESTCORE_VERSION);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(out, "\nEvery reporting command takes --json.  "
		     "`guestcore help COMMAND` or `guestcore COMMAND --help` "
		     "shows a command's options.\n"
		     "A split kdump dump (makedumpfile --split) is opened as "
		     "its first file\nplus --split FILE for each other part "
		     "(any command).\n"
		     "Exit status: 0 answered, 1 answered with problems or not "
		     "found, 2 unusable input or usage, 130 interrupted.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "help") && argc == 3) {
		for (size_t i = 0; i < GC_CLI_NCOMMANDS; i++)
			if (!strcmp(argv[2], commands[i]->name)) {
				cli_command_help(commands[i], stdout);
				return EXIT_OK;
			}
		fprintf(stderr, "guestcore: unknown command '%s'\n", argv[2]);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("guestcore %s\n", gc_version());
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i]->name))
			continue;
		static char schema[64];
		snprintf(schema, sizeof(schema), "guestcore.%s/1",
			 commands[i]->name);
		cli_json_schema = schema;
		int cargc = argc - 1;
		char **cargv = argv + 1;
		for (int k = 1; k < cargc; k++) {
			if (!strcmp(cargv[k], "--"))
				break;
			if (!strcmp(cargv[k], "--json"))
				cli_set_json_mode(true);
		}
		if (commands[i]->opts) {
			int rc = cli_parse_options(commands[i], &cargc, &cargv);
			if (rc >= 0) {
				cli_options_release();
				return rc;
			}
		} else {
			for (int k = 1; k < cargc; k++) {
				if (!strcmp(cargv[k], "--"))
					break;
				if (!strcmp(cargv[k], "--help") ||
				    !strcmp(cargv[k], "-h")) {
					cli_command_help(commands[i], stdout);
					return EXIT_OK;
				}
			}
		}
		int rc = cli_take_split(&cargc, cargv) ?
			commands[i]->run(cargc, cargv) : EXIT_ERROR;
		cli_options_release();
		return rc;
	}
	fprintf(stderr, "guestcore: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_ERROR;
}
