// SPDX-License-Identifier: MIT
/*
 * One command-line grammar for every command: getopt_long over the
 * options the command declares (struct cli_opt), so that --opt=value and
 * --opt value, unambiguous prefixes, -- and options after operands work
 * the same everywhere, an unknown option is named, and --help prints the
 * command's own help.  The parsed options are handed to the command as a
 * canonical argv: its operands in order, then each option in its one
 * spelling (cli_opt.canon), so the commands' own readers stay simple.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Options of every command that reads kernel memory. */
static const struct cli_opt kernel_opts[] = {
	CLI_VALUE_OPT("vmcoreinfo", 0, "FILE", "VMCOREINFO text to use instead of the dump's own (must exist and parse)"),
	CLI_VALUE_OPT("system-map", 0, "FILE", "the kernel's System.map for symbols"),
	CLI_VALUE_OPT("vmlinux", 0, "FILE", "the kernel's vmlinux (ELF symbols) for symbols"),
	CLI_VALUE_OPT("kallsyms", 0, "auto|vmcoreinfo|search", "where kallsyms is found: VMCOREINFO pointers (Linux >= 6.0), a search of the kernel image, or either (auto; GUESTCORE_KALLSYMS sets the default)"),
	CLI_OPT_END,
};
/* The options of a command whose only own option is --json. */
const struct cli_opt cli_json_only[] = {
	CLI_FLAG_OPT("json", 0, "print one JSON object"),
	CLI_OPT_END,
};

/* Options of every command. */
static const struct cli_opt common_opts[] = {
	CLI_VALUE_OPT("split", 0, "FILE", "another part of a split kdump dump (repeat for each part)"),
	CLI_FLAG_OPT("help", 'h', "this help"),
	CLI_OPT_END,
};

static size_t count(const struct cli_opt *o)
{
	size_t n = 0;
	while (o && o[n].name)
		n++;
	return n;
}

static void print_group(FILE *out, const struct cli_opt *o)
{
	for (; o && o->name; o++) {
		char left[64];
		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name,
				 o->name, o->arg == CLI_VALUE ? " " : "",
				 o->arg == CLI_VALUE ? o->metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
				 o->arg == CLI_VALUE ? " " : "",
				 o->arg == CLI_VALUE ? o->metavar : "");
		if (strlen(left) > 28)
			fprintf(out, "  %s\n  %-28s %s\n", left, "", o->help);
		else
			fprintf(out, "  %-28s %s\n", left, o->help);
	}
}

void cli_command_help(const struct cli_command *cmd, FILE *out)
{
	fprintf(out, "usage: guestcore %s\n\n%s\n", cmd->usage, cmd->summary);
	if (cmd->opts) {
		fprintf(out, "\noptions:\n");
		print_group(out, cmd->opts);
		print_group(out, common_opts);
		if (cmd->kernel) {
			fprintf(out, "\nkernel options (for reading kernel memory):\n");
			print_group(out, kernel_opts);
		}
	}
	fprintf(out, "\nexit status: 0 answered, 1 answered with problems or "
		     "not found, 2 unusable input or usage, 130 interrupted\n");
}

static const struct cli_opt *find(const struct cli_opt *const *groups,
				  size_t ngroups, size_t index)
{
	for (size_t g = 0; g < ngroups; g++) {
		size_t n = count(groups[g]);
		if (index < n)
			return &groups[g][index];
		index -= n;
	}
	return NULL;
}

/* What the canonical argv holds lives until the command returns: kept
 * here (the process's one parse) and freed by cli_options_release. */
static char **canon_argv;
static char *canon_strs[512];
static size_t nr_canon_strs;

void cli_options_release(void)
{
	for (size_t i = 0; i < nr_canon_strs; i++)
		free(canon_strs[i]);
	nr_canon_strs = 0;
	free(canon_argv);
	canon_argv = NULL;
}

static char *keep(char *s)
{
	if (s && nr_canon_strs < sizeof(canon_strs) / sizeof(canon_strs[0]))
		canon_strs[nr_canon_strs++] = s;
	return s;
}

int cli_parse_options(const struct cli_command *cmd, int *argc, char ***argv)
{
	const struct cli_opt *groups[3] = { cmd->opts, common_opts,
					    cmd->kernel ? kernel_opts : NULL };
	size_t ngroups = cmd->kernel ? 3 : 2;
	size_t n = 0;
	for (size_t g = 0; g < ngroups; g++)
		n += count(groups[g]);
	struct option *lo = calloc(n + 1, sizeof(*lo));
	char *shorts = calloc(2 * n + 3, 1);
	char **out = calloc((size_t)*argc * 2 + 2, sizeof(*out));
	if (!lo || !shorts || !out) {
		free(lo);
		free(shorts);
		free(out);
		return cli_fail("out of memory");
	}
	char *sp = shorts;
	*sp++ = ':';  /* report a missing value as ':' */
	for (size_t i = 0; i < n; i++) {
		const struct cli_opt *o = find(groups, ngroups, i);
		lo[i] = (struct option){ o->name,
			o->arg == CLI_VALUE ? required_argument : no_argument,
			NULL, (int)(0x1000 + i) };
		if (o->short_name) {
			*sp++ = (char)o->short_name;
			if (o->arg == CLI_VALUE)
				*sp++ = ':';
		}
	}
	int rc = -1, nout = 1, nopt = 0, c, li;
	char **opts_out = calloc((size_t)*argc * 2 + 2, sizeof(*opts_out));
	if (!opts_out) {
		rc = cli_fail("out of memory");
		goto done;
	}
	out[0] = (*argv)[0];
	opterr = 0;
	optind = 0;  /* GNU: start a fresh scan */
	while ((c = getopt_long(*argc, *argv, shorts, lo, &li)) != -1) {
		const struct cli_opt *o = NULL;
		if (c >= 0x1000) {
			o = find(groups, ngroups, (size_t)(c - 0x1000));
		} else if (c != '?' && c != ':') {
			for (size_t i = 0; i < n && !o; i++) {
				const struct cli_opt *x = find(groups, ngroups, i);
				if (x->short_name == c)
					o = x;
			}
		}
		const char *tok = (*argv)[optind - 1];
		if (c == '?') {
			if (optopt && optopt < 0x1000)
				rc = cli_fail("%s: unknown option '-%c' (see "
					      "guestcore %s --help)", cmd->name,
					      optopt, cmd->name);
			else
				rc = cli_fail("%s: unknown or ambiguous option "
					      "'%s' (see guestcore %s --help)",
					      cmd->name, tok, cmd->name);
			goto done;
		}
		if (c == ':') {
			rc = cli_fail("%s: option '%s' needs a value", cmd->name,
				      tok);
			goto done;
		}
		if (!o)
			continue;
		if (!strcmp(o->name, "help")) {
			cli_command_help(cmd, stdout);
			rc = EXIT_OK;
			goto done;
		}
		const char *canon = o->canon ? o->canon : NULL;
		char buf[64];
		if (!canon) {
			snprintf(buf, sizeof(buf), "--%s", o->name);
			canon = buf;
		}
		size_t cl = strlen(canon);
		if (o->arg == CLI_VALUE && cl && canon[cl - 1] == '=') {
			char *t = malloc(cl + strlen(optarg) + 1);
			if (!t) {
				rc = cli_fail("out of memory");
				goto done;
			}
			memcpy(t, canon, cl);
			strcpy(t + cl, optarg);
			opts_out[nopt++] = keep(t);
			continue;
		}
		opts_out[nopt++] = canon == buf ? keep(strdup(buf)) : (char *)canon;
		if (!opts_out[nopt - 1]) {
			rc = cli_fail("out of memory");
			goto done;
		}
		if (o->arg == CLI_VALUE)
			opts_out[nopt++] = optarg;
	}
	for (int i = optind; i < *argc; i++)
		out[nout++] = (*argv)[i];
	for (int i = 0; i < nopt; i++)
		out[nout++] = opts_out[i];
	out[nout] = NULL;
	*argc = nout;
	*argv = canon_argv = out;
	out = NULL;
done:
	free(opts_out);
	free(out);
	free(lo);
	free(shorts);
	return rc;
}
