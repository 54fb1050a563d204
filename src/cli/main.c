// SPDX-License-Identifier: MIT
/* guestcore: command dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command *const commands[] = {
	&cmd_info, &cmd_check, &cmd_rd, &cmd_read, &cmd_p2m, &cmd_regs,
	&cmd_extract_qemu,
	&cmd_extract,
	&cmd_vtop, &cmd_sym, &cmd_log, &cmd_struct,
	&cmd_convert,
	&cmd_vmcsinfo, &cmd_vmcs,
};

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
		     "`guestcore COMMAND --help` shows a command's usage.\n"
		     "A split kdump dump (makedumpfile --split) is opened as "
		     "its first file\nplus --split FILE for each other part "
		     "(any command).\n"
		     "Exit status: 0 success, 1 problems found, 2 error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("guestcore %s\n", GUESTCORE_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i]->name))
			continue;
		for (int k = 2; k < argc; k++) {
			if (!strcmp(argv[k], "--"))
				break;
			if (!strcmp(argv[k], "--help") ||
			    !strcmp(argv[k], "-h")) {
				printf("usage: guestcore %s\n  %s\n",
				       commands[i]->usage,
				       commands[i]->summary);
				return EXIT_OK;
			}
		}
		if (!cli_take_split(&argc, argv))
			return EXIT_ERROR;
		return commands[i]->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "guestcore: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_ERROR;
}
