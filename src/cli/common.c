// SPDX-License-Identifier: MIT
/* Shared command-line helpers. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_error(struct gc_error *err)
{
	fprintf(stderr, "guestcore: %s\n", gc_error_string(err));
	/* Stopped by SIGINT/SIGTERM: the shell's convention, 128 + 2. */
	int rc = gc_error_code(err) == GC_ERR_CANCELLED ? 130 : EXIT_ERROR;
	gc_error_free(err);
	return rc;
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("guestcore: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_ERROR;
}

int cli_usage(const struct cli_command *cmd)
{
	fprintf(stderr, "usage: guestcore %s\n", cmd->usage);
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
