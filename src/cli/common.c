// SPDX-License-Identifier: MIT
/* Shared command-line helpers. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* --json given to the running command (main sets it): errors are then
 * also one JSON object on stdout, unless the command's object has begun. */
static bool json_mode;

void cli_set_json_mode(bool on)
{
	json_mode = on;
}

static const char *code_name(enum gc_error_code c)
{
	switch (c) {
	case GC_ERR_NOMEM: return "nomem";
	case GC_ERR_IO: return "io";
	case GC_ERR_FORMAT: return "format";
	case GC_ERR_TRUNCATED: return "truncated";
	case GC_ERR_NOT_PRESENT: return "not_present";
	case GC_ERR_EXCLUDED: return "excluded";
	case GC_ERR_INVALID_ARG: return "invalid_arg";
	case GC_ERR_UNSUPPORTED: return "unsupported";
	case GC_ERR_TRANSLATION: return "translation";
	case GC_ERR_CORRUPT: return "corrupt";
	case GC_ERR_CANCELLED: return "cancelled";
	}
	return "unknown";
}

static void error_member(struct gc_json *j, const char *message,
			 struct gc_error *err)
{
	gc_json_key(j, "error");
	gc_json_object_begin(j);
	gc_json_key(j, "message");
	gc_json_string(j, message);
	if (err) {
		uint64_t v;
		enum gc_space sp;
		const char *s;
		gc_json_key(j, "code");
		gc_json_string(j, code_name(gc_error_code(err)));
		if ((s = gc_error_file(err))) {
			gc_json_key(j, "file");
			gc_json_string(j, s);
		}
		if (gc_error_offset(err, &v)) {
			gc_json_key(j, "offset");
			gc_json_hex(j, v);
		}
		if (gc_error_address(err, &v, &sp)) {
			gc_json_key(j, "address");
			gc_json_hex(j, v);
			gc_json_key(j, "space");
			gc_json_string(j, gc_space_name(sp));
		}
		if ((s = gc_error_what(err))) {
			gc_json_key(j, "what");
			gc_json_string(j, s);
		}
		if ((s = gc_error_why(err))) {
			gc_json_key(j, "why");
			gc_json_string(j, s);
		}
		if ((s = gc_error_context_string(err))) {
			gc_json_key(j, "context");
			gc_json_string(j, s);
		}
	}
	gc_json_object_end(j);
}

void cli_json_error(struct gc_json *j, struct gc_error *err)
{
	error_member(j, gc_error_string(err), err);
}

/* {"schema":..., "error": {...}, "exit_code": RC} on stdout. */
static void json_error(const char *message, struct gc_error *err, int rc)
{
	if (!json_mode || gc_json_started())
		return;
	struct gc_json j;
	gc_json_init(&j, stdout, true);
	gc_json_object_begin(&j);
	error_member(&j, message, err);
	gc_json_key(&j, "exit_code");
	gc_json_i64(&j, rc);
	gc_json_object_end(&j);
	gc_json_end(&j);
}

static int error_rc(struct gc_error *err, int rc)
{
	const char *msg = gc_error_string(err);
	fprintf(stderr, "guestcore: %s\n", msg);
	/* Stopped by SIGINT/SIGTERM: the shell's convention, 128 + 2. */
	if (gc_error_code(err) == GC_ERR_CANCELLED)
		rc = 130;
	json_error(msg, err, rc);
	gc_error_free(err);
	return rc;
}

int cli_error(struct gc_error *err)
{
	return error_rc(err, EXIT_ERROR);
}

int cli_lookup_error(struct gc_error *err)
{
	switch (gc_error_code(err)) {
	case GC_ERR_NOT_PRESENT:
	case GC_ERR_EXCLUDED:
	case GC_ERR_TRANSLATION:
		return error_rc(err, EXIT_PROBLEMS);
	default:
		return error_rc(err, EXIT_ERROR);
	}
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	char msg[1024];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "guestcore: %s\n", msg);
	json_error(msg, NULL, EXIT_ERROR);
	return EXIT_ERROR;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcasecmp(s + n - m, suffix);
}

bool cli_out_format_ok(const char *cmd, const char *out, bool kdump)
{
	if (kdump && ends_with(out, ".elf")) {
		cli_fail("%s: -o %s is named as an ELF vmcore but --format kdump "
			 "writes kdump-compressed; rename it or use --format elf",
			 cmd, out);
		return false;
	}
	if (!kdump && ends_with(out, ".kdump")) {
		cli_fail("%s: -o %s is named as a kdump-compressed dump but the "
			 "output is an ELF vmcore (the default --format elf); give "
			 "--format kdump or rename it", cmd, out);
		return false;
	}
	return true;
}

int cli_usage(const struct cli_command *cmd)
{
	fprintf(stderr, "usage: guestcore %s\n", cmd->usage);
	char msg[512];
	snprintf(msg, sizeof(msg), "usage: guestcore %s", cmd->usage);
	json_error(msg, NULL, EXIT_ERROR);
	return EXIT_ERROR;
}

bool cli_parse_hex(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!isxdigit((unsigned char)*p))
			return false;
	if (strlen(s) > 16)
		return false;
	errno = 0;
	*out = strtoull(s, NULL, 16);
	return errno == 0;
}

bool cli_parse_count(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	if (s[0] == '-')
		return false;
	*out = strtoull(s, &end, 0);
	return errno == 0 && *end == '\0';
}

/* Extra files of a split kdump dump (--split FILE, any command). */
#define MAX_SPLIT 64
static const char *split_files[MAX_SPLIT + 1];

bool cli_take_split(int *argc, char **argv)
{
	size_t n = 0;
	int j = 0;
	for (int i = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < *argc)
				argv[j++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--split")) {
			argv[j++] = argv[i];
			continue;
		}
		if (i + 1 >= *argc) {
			cli_fail("--split needs a file name");
			return false;
		}
		if (n == MAX_SPLIT) {
			cli_fail("at most %d --split files", MAX_SPLIT);
			return false;
		}
		split_files[n++] = argv[++i];
	}
	split_files[n] = NULL;
	*argc = j;
	argv[j] = NULL;
	return true;
}

struct gc_dump *cli_open(const char *path)
{
	struct gc_dump *d;
	struct gc_open_opts opts = { .split_files = split_files };
	struct gc_error *err = gc_dump_open(path, split_files[0] ? &opts :
						  NULL, &d);
	if (err) {
		cli_error(err);
		return NULL;
	}
	/* Legacy PV xc_core has no pfn column: read through the physical
	 * view the kernel layer builds from the guest's own p2m, so reads by
	 * pfn work (without it, reads by mfn still do). */
	if (gc_dump_needs_p2m(d)) {
		struct gc_dump *view;
		err = gc_kernel_phys_view(d, NULL, &view);
		if (!err)
			d = view;
		gc_error_free(err);
	}
	return d;
}

bool cli_take_flag(int *argc, char **argv, const char *flag)
{
	bool found = false;
	int j = 0;
	for (int i = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < *argc)
				argv[j++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], flag))
			found = true;
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	argv[j] = NULL;
	return found;
}

/* The CLI's one piece of process state: set by a signal handler. */
static volatile sig_atomic_t cancel_requested;

static void on_cancel_signal(int sig)
{
	(void)sig;
	cancel_requested = 1;
}

const volatile sig_atomic_t *cli_cancel_flag(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_cancel_signal;
	/* A second signal takes the default action (ends the process). */
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return &cancel_requested;
}

struct gc_report *cli_report_new(void)
{
	struct gc_report *r = gc_report_new();
	if (!r) {
		fprintf(stderr, "guestcore: out of memory\n");
		exit(EXIT_ERROR);
	}
	return r;
}

/* C as itself, or as \xNN when it could drive a terminal (or is the
 * escape character itself); the bytes written to OUT[5], NUL included. */
static void escape_byte(unsigned char c, char out[5])
{
	if (c >= 0x20 && c < 0x7f && c != '\\')
		out[0] = (char)c, out[1] = '\0';
	else
		snprintf(out, 5, "\\x%02x", c);
}

void cli_escape(const char *s, char *out, size_t len)
{
	size_t o = 0;
	for (; *s && o + 5 < len; s++) {
		escape_byte((unsigned char)*s, out + o);
		o += strlen(out + o);
	}
	out[o] = '\0';
}

void cli_print_escaped(FILE *f, const char *s)
{
	char b[5];
	for (; *s; s++) {
		escape_byte((unsigned char)*s, b);
		fputs(b, f);
	}
}
