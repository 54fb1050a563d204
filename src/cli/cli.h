// SPDX-License-Identifier: MIT
/* The guestcore command line: shared helpers; one file per command. */
#ifndef GC_CLI_H
#define GC_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "guestcore/guestcore.h"
#include "guestcore/kernel.h"
#include "json.h"

enum {
	EXIT_OK = 0,
	EXIT_PROBLEMS = 1,  /* check found problems; partial results */
	EXIT_ERROR = 2,     /* unreadable input, bad usage */
};

/* An option a command takes (src/cli/options.c parses them). */
enum cli_arg { CLI_FLAG, CLI_VALUE };
struct cli_opt {
	const char *name;      /* long name, without "--" */
	int short_name;        /* 'o' for -o, or 0 */
	enum cli_arg arg;
	const char *metavar;   /* CLI_VALUE: "FILE", "ADDR", ... */
	const char *help;
	/* The spelling the command reads (default "--NAME"); ending in '='
	 * joins the value into one token ("--missing=zero"). */
	const char *canon;
};

#define CLI_FLAG_OPT(n, s, h) { .name = n, .short_name = s, .arg = CLI_FLAG, .help = h }
#define CLI_VALUE_OPT(n, s, m, h) \
	{ .name = n, .short_name = s, .arg = CLI_VALUE, .metavar = m, .help = h }
#define CLI_OPT_END { .name = NULL }

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *usage;
	/* Declared options (NULL-terminated).  Commands that declare them
	 * are parsed by cli_parse_options before run. */
	const struct cli_opt *opts;
	bool kernel;           /* also the kernel options */
};

/* The option table of a command whose only own option is --json. */
extern const struct cli_opt cli_json_only[];

/* Parse ARGV (the command's, argv[0] = its name) against CMD's options;
 * on success replace it by operands followed by canonical options and
 * return -1; otherwise print and return the exit code (0 for --help). */
int cli_parse_options(const struct cli_command *cmd, int *argc, char ***argv);
/* Free what cli_parse_options made (after the command has run). */
void cli_options_release(void);
void cli_command_help(const struct cli_command *cmd, FILE *out);

extern const struct cli_command cmd_info, cmd_check, cmd_rd, cmd_read,
	cmd_p2m, cmd_regs;
extern const struct cli_command cmd_extract_qemu;
extern const struct cli_command cmd_extract;
extern const struct cli_command cmd_guests;
extern const struct cli_command cmd_vtop, cmd_sym, cmd_log, cmd_struct;
extern const struct cli_command cmd_mod;
extern const struct cli_command cmd_ps, cmd_sys;
extern const struct cli_command cmd_convert;
extern const struct cli_command cmd_vmcsinfo, cmd_vmcs;
extern const struct cli_command cmd_bt;

/*
 * SIGINT, SIGTERM and SIGHUP set a flag instead of killing the process,
 * so that long writers (convert, extract) stop cleanly and remove their
 * temporary output.  Returns the flag for gc_convert_opts.cancel.
 */
const volatile sig_atomic_t *cli_cancel_flag(void);
/* Print "guestcore: <error>" (and, with --json, an error object on
 * stdout) and return EXIT_ERROR (130 when cancelled); frees ERR. */
int cli_error(struct gc_error *err);
/* An output named *.kdump or *.elf must be what --format writes (KDUMP:
 * kdump-compressed); prints and returns false when it is not.  CMD names
 * the command in the message. */
bool cli_out_format_ok(const char *cmd, const char *out, bool kdump);
/* A lookup that found nothing (NOT_PRESENT, EXCLUDED, TRANSLATION: exit 1)
 * or failed (anything else: exit 2); prints as cli_error. */
int cli_lookup_error(struct gc_error *err);
/* "error": {message, code, file, offset, address, space, what, why,
 * context} as a member of J's current object (the accessors' values). */
void cli_json_error(struct gc_json *j, struct gc_error *err);
/* --json was given: errors are also a JSON object on stdout. */
void cli_set_json_mode(bool on);
/* Print "guestcore: <fmt>" and return EXIT_ERROR. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_usage(const struct cli_command *cmd);
/* Hex with or without 0x, as crash takes addresses. */
bool cli_parse_hex(const char *s, uint64_t *out);
/* Decimal, or hex with 0x. */
bool cli_parse_count(const char *s, uint64_t *out);
/* Open a dump or print the error; NULL on failure. */
struct gc_dump *cli_open(const char *path);
/* A new empty check report; out of memory ends the program (exit 2). */
struct gc_report *cli_report_new(void);
/* Removes every "--split FILE" (parts of a split kdump dump) from argv
 * and remembers them for cli_open; false (message printed) on misuse. */
bool cli_take_split(int *argc, char **argv);
/* Common option scan: removes --json / -h from argv. */
bool cli_take_flag(int *argc, char **argv, const char *flag);
/* Kernel-layer options: --vmcoreinfo, --system-map, --vmlinux. */
bool cli_take_kernel_opts(int *argc, char **argv,
			  struct gc_kernel_opts *opts);
/* S (a task's comm, a name from the dump) into OUT with control,
 * backslash and non-ASCII bytes as \xNN, so that it cannot drive the
 * terminal; LEN of 4 x strlen(S) + 1 holds it all. */
void cli_escape(const char *s, char *out, size_t len);
/* The same, of any length, straight to F. */
void cli_print_escaped(FILE *f, const char *s);
/* Open the kernel view of D or print the error; NULL on failure. */
struct gc_kernel *cli_open_kernel(struct gc_dump *d,
				  const struct gc_kernel_opts *opts);
/* info: the kernel facts with their sources (J NULL = text). */
/* How VMCOREINFO is searched for (GUESTCORE_VMCOREINFO_SCAN overrides
 * DFLT): info and check use the bounded search only, so that they answer
 * without reading every page of a big dump; the commands that need the
 * kernel (log, sym, vtop, ...) fall back to the every-page scan. */
void cli_vmcoreinfo_search(struct gc_kernel_opts *opts,
			   enum gc_vmcoreinfo_search dflt);
void cli_kernel_info(struct gc_dump *d, const struct gc_kernel_opts *ko,
		     struct gc_json *j);
/* check: kernel-level findings (Xen PV p2m cross-check, fallbacks). */
struct gc_error *cli_kernel_check(struct gc_dump *d,
				  const struct gc_kernel_opts *ko,
				  struct gc_report *rep);

#endif
