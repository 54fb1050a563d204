// SPDX-License-Identifier: MIT
/* Options shared by the kernel-aware commands (vtop, sym, log, rd -v). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "guestcore/kvm.h"

static bool cli_kallsyms_mode(const char *s, struct gc_kernel_opts *opts)
{
	if (!strcmp(s, "auto"))
		opts->kallsyms = GC_KALLSYMS_AUTO;
	else if (!strcmp(s, "vmcoreinfo"))
		opts->kallsyms = GC_KALLSYMS_VMCOREINFO;
	else if (!strcmp(s, "search"))
		opts->kallsyms = GC_KALLSYMS_SEARCH;
	else
		return false;
	return true;
}

/* Defaults for every kernel-aware command, including info and check:
 * GUESTCORE_KALLSYMS=auto|vmcoreinfo|search chooses the kallsyms source. */
static void cli_default_kernel_opts(struct gc_kernel_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	const char *e = getenv("GUESTCORE_KALLSYMS");
	if (e && *e)
		cli_kallsyms_mode(e, opts);
}

/* GUESTCORE_VMCOREINFO_SCAN=auto|bounded|full overrides how VMCOREINFO
 * is searched for in guest memory (bench/ compares them); else DFLT. */
void cli_vmcoreinfo_search(struct gc_kernel_opts *opts,
			   enum gc_vmcoreinfo_search dflt)
{
	const char *e = getenv("GUESTCORE_VMCOREINFO_SCAN");
	opts->vmcoreinfo_search = dflt;
	if (e && !strcmp(e, "auto"))
		opts->vmcoreinfo_search = GC_VMCOREINFO_SEARCH_AUTO;
	else if (e && !strcmp(e, "bounded"))
		opts->vmcoreinfo_search = GC_VMCOREINFO_SEARCH_BOUNDED;
	else if (e && !strcmp(e, "full"))
		opts->vmcoreinfo_search = GC_VMCOREINFO_SEARCH_FULL;
}

bool cli_take_kernel_opts(int *argc, char **argv,
			  struct gc_kernel_opts *opts)
{
	cli_default_kernel_opts(opts);
	cli_vmcoreinfo_search(opts, GC_VMCOREINFO_SEARCH_AUTO);
	int j = 0;
	for (int i = 0; i < *argc; i++) {
		const char **slot = NULL;
		if (!strcmp(argv[i], "--kallsyms")) {
			if (i + 1 >= *argc ||
			    !cli_kallsyms_mode(argv[i + 1], opts)) {
				cli_fail("--kallsyms takes auto, vmcoreinfo or "
					 "search");
				return false;
			}
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--vmcoreinfo"))
			slot = &opts->vmcoreinfo_file;
		else if (!strcmp(argv[i], "--system-map"))
			slot = &opts->system_map;
		else if (!strcmp(argv[i], "--vmlinux"))
			slot = &opts->vmlinux;
		if (!slot) {
			argv[j++] = argv[i];
			continue;
		}
		if (i + 1 >= *argc) {
			cli_fail("%s needs a file name", argv[i]);
			return false;
		}
		*slot = argv[++i];
		/* An override the user names must be usable: never silently
		 * fall back to what the dump says. */
		FILE *f = fopen(*slot, "r");
		if (!f) {
			cli_fail("%s %s: %s", argv[i - 1], *slot, strerror(errno));
			return false;
		}
		if (slot == &opts->vmcoreinfo_file) {
			/* and parse as VMCOREINFO (info and check would
			 * otherwise only note the kernel layer's refusal) */
			static char buf[1 << 20];
			size_t n = fread(buf, 1, sizeof(buf), f);
			struct gc_error *err = gc_vmcoreinfo_text_check(buf, n,
									*slot);
			if (err) {
				fclose(f);
				cli_error(gc_error_context(err, "--vmcoreinfo"));
				return false;
			}
		}
		fclose(f);
	}
	*argc = j;
	argv[j] = NULL;
	return true;
}

struct gc_kernel *cli_open_kernel(struct gc_dump *d,
				  const struct gc_kernel_opts *opts)
{
	struct gc_kernel *k;
	struct gc_error *err = gc_kernel_open(d, opts, &k);
	if (err) {
		cli_error(gc_error_set_file(err, gc_dump_path(d)));
		return NULL;
	}
	return k;
}

void cli_kernel_info(struct gc_dump *d, const struct gc_kernel_opts *ko,
		     struct gc_json *j)
{
	struct gc_kernel *k;
	struct gc_error *err = gc_kernel_open(d, ko, &k);
	if (j) {
		gc_json_key(j, "kernel");
		gc_json_object_begin(j);
	} else {
		printf("kernel:\n");
	}
	if (err) {
		if (j) {
			cli_json_error(j, err);
		} else {
			printf("%25s: %s\n", "unavailable",
			       gc_error_string(err));
		}
		gc_error_free(err);
		if (j)
			gc_json_object_end(j);
		return;
	}
	gc_kernel_collect_facts(k);
	for (size_t i = 0; i < gc_kernel_nr_facts(k); i++) {
		const struct gc_kernel_fact *f = gc_kernel_fact(k, i);
		if (j) {
			gc_json_key(j, f->name);
			gc_json_object_begin(j);
			gc_json_key(j, "value");
			gc_json_string(j, f->value);
			gc_json_key(j, "source");
			gc_json_string(j, f->source);
			gc_json_key(j, "type");
			gc_json_string(j, gc_fact_type_name(f->type));
			gc_json_key(j, "origin");
			gc_json_string(j, gc_fact_origin_name(f->origin));
			if (f->type == GC_FACT_ADDR) {
				gc_json_key(j, "space");
				gc_json_string(j, gc_space_name(f->space));
			}
			gc_json_object_end(j);
		} else {
			printf("%25s: %s  [%s]\n", f->name, f->value,
			       f->source);
		}
	}
	if (j) {
		gc_json_key(j, "notes");
		gc_json_array_begin(j);
	}
	for (size_t i = 0; i < gc_kernel_nr_notes(k); i++) {
		if (j)
			gc_json_string(j, gc_kernel_note(k, i));
		else
			printf("%25s: %s\n", "note", gc_kernel_note(k, i));
	}
	if (j) {
		gc_json_array_end(j);
		gc_json_object_end(j);
	}
	gc_kernel_close(k);
}

struct gc_error *cli_kernel_check(struct gc_dump *d,
				  const struct gc_kernel_opts *ko,
				  struct gc_report *rep)
{
	struct gc_kernel *k;
	struct gc_error *err = gc_kernel_open(d, ko, &k);
	if (err) {
		struct gc_error *e2 = gc_report_add(
			rep, GC_SEV_NOTE, "kernel-unavailable", false, 0,
			"kernel-level checks skipped: %s",
			gc_error_string(err));
		gc_error_free(err);
		return e2;
	}
	err = gc_kernel_check(k, rep);
	if (!err)
		err = gc_kvm_check(k, rep);
	gc_kernel_close(k);
	return err;
}
