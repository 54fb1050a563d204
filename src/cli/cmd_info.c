// SPDX-License-Identifier: MIT
/* guestcore info: what a dump is and what its headers say. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_TEXT_RUNS 16

static void print_runs(const char *label, const struct gc_frame_run *r,
		       size_t n)
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += r[i].count;
	if (!n) {
		printf("%-14s (none)\n", label);
		return;
	}
	printf("%-14s 0x%" PRIx64 "-0x%" PRIx64 ": %" PRIu64
	       " frames in %zu run%s\n", label, r[0].start,
	       r[n - 1].start + r[n - 1].count - 1, total, n,
	       n == 1 ? "" : "s");
	for (size_t i = 0; i < n && i < MAX_TEXT_RUNS; i++)
		printf("%-14s   0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64 ")\n",
		       "", r[i].start, r[i].start + r[i].count - 1,
		       r[i].count);
	if (n > MAX_TEXT_RUNS)
		printf("%-14s   ... %zu more runs (--json lists all)\n", "",
		       n - MAX_TEXT_RUNS);
}

static void json_runs(struct gc_json *j, const char *key,
		      const struct gc_frame_run *r, size_t n)
{
	gc_json_key(j, key);
	gc_json_array_begin(j);
	for (size_t i = 0; i < n; i++) {
		gc_json_object_begin(j);
		gc_json_key(j, "start");
		gc_json_hex(j, r[i].start);
		gc_json_key(j, "end");
		gc_json_hex(j, r[i].start + r[i].count - 1);
		gc_json_key(j, "count");
		gc_json_u64(j, r[i].count);
		gc_json_object_end(j);
	}
	gc_json_array_end(j);
}

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	struct gc_kernel_opts ko;
	if (!cli_take_kernel_opts(&argc, argv, &ko))
		return EXIT_ERROR;
	cli_vmcoreinfo_search(&ko, GC_VMCOREINFO_SEARCH_BOUNDED);
	if (argc != 2)
		return cli_usage(&cmd_info);
	struct gc_dump *d = cli_open(argv[1]);
	if (!d)
		return EXIT_ERROR;
	struct gc_frame_run *pr = NULL, *mr = NULL;
	size_t npr = 0, nmr = 0;
	struct gc_error *err = gc_dump_frame_runs(d, GC_SPACE_PHYS, &pr, &npr);
	if (err) { /* legacy PV: no pfn column; not fatal for info */
		gc_error_free(err);
		pr = NULL;
		npr = 0;
	}
	bool mach = gc_dump_has_space(d, GC_SPACE_MACH);
	if (mach) {
		err = gc_dump_frame_runs(d, GC_SPACE_MACH, &mr, &nmr);
		if (err) {
			free(pr);
			gc_dump_close(d);
			return cli_error(err);
		}
	}
	struct gc_report *rep = cli_report_new();
	err = gc_dump_check(d, 0, rep);
	if (err) {
		gc_report_free(rep);
		free(pr);
		free(mr);
		gc_dump_close(d);
		return cli_error(err);
	}
	size_t problems = gc_report_problems(rep);
	if (json) {
		struct gc_json j;
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "file");
		gc_json_string(&j, gc_dump_path(d));
		gc_json_key(&j, "format");
		gc_json_string(&j, gc_format_name(gc_dump_format(d)));
		gc_json_key(&j, "container");
		gc_json_string(&j, gc_dump_container(d));
		gc_json_key(&j, "file_size");
		gc_json_u64(&j, gc_dump_file_size(d));
		gc_json_key(&j, "page_size");
		gc_json_u64(&j, gc_dump_page_size(d));
		gc_json_key(&j, "nr_vcpus");
		gc_json_u64(&j, gc_dump_nr_vcpus(d));
		gc_json_key(&j, "pages");
		gc_json_u64(&j, gc_dump_nr_frames(d));
		gc_json_key(&j, "machine_space");
		gc_json_bool(&j, mach);
		gc_json_key(&j, "header");
		gc_json_object_begin(&j);
		for (size_t i = 0; i < gc_dump_nr_fields(d); i++) {
			const struct gc_field *f = gc_dump_field(d, i);
			/* the field's name as a key: no spaces or dashes
			 * ("vmcoreinfo OSRELEASE" -> "vmcoreinfo_OSRELEASE") */
			char key[128];
			snprintf(key, sizeof(key), "%s", f->name);
			for (char *p = key; *p; p++)
				if (*p == ' ' || *p == '-')
					*p = '_';
			gc_json_key(&j, key);
			gc_json_object_begin(&j);
			gc_json_key(&j, "text");
			gc_json_string(&j, f->value);
			if (f->has_number) {
				/* exact as a number only below 2^53; always as
				 * a hex string */
				if (f->number < (1ull << 53)) {
					gc_json_key(&j, "value");
					gc_json_u64(&j, f->number);
				}
				gc_json_key(&j, "hex");
				gc_json_hex(&j, f->number);
			}
			gc_json_object_end(&j);
		}
		gc_json_object_end(&j);
		json_runs(&j, "pfn_runs", pr, npr);
		if (mach)
			json_runs(&j, "mfn_runs", mr, nmr);
		cli_kernel_info(d, &ko, &j);
		gc_json_key(&j, "problems");
		gc_json_u64(&j, problems);
		gc_json_object_end(&j);
		gc_json_end(&j);
	} else {
		printf("%-14s %s\n", "file:", gc_dump_path(d));
		printf("%-14s %s\n", "format:",
		       gc_format_name(gc_dump_format(d)));
		if (strcmp(gc_dump_container(d), "plain"))
			printf("%-14s %s\n", "container:",
			       gc_dump_container(d));
		printf("%-14s %" PRIu64 " bytes\n", "size:",
		       gc_dump_file_size(d));
		const struct gc_field *gt = gc_dump_field_by_name(d,
								   "guest_type");
		const struct gc_field *gw = gc_dump_field_by_name(d,
								   "guest_width");
		if (gt)
			printf("%-14s %s %s\n", "guest:", gt->value,
			       gw ? gw->value : "");
		printf("%-14s %u\n", "page size:", gc_dump_page_size(d));
		printf("%-14s %u\n", "vcpus:", gc_dump_nr_vcpus(d));
		printf("%-14s %" PRIu64 "\n", "pages:", gc_dump_nr_frames(d));
		const struct gc_field *xv = gc_dump_field_by_name(d,
								  "xen_version");
		if (xv)
			printf("%-14s %s\n", "xen version:", xv->value);
		printf("header:\n");
		for (size_t i = 0; i < gc_dump_nr_fields(d); i++) {
			const struct gc_field *f = gc_dump_field(d, i);
			printf("%25s: %s\n", f->name, f->value);
		}
		print_runs(mach ? "pfn runs:" : "frame runs:", pr, npr);
		if (mach)
			print_runs("mfn runs:", mr, nmr);
		cli_kernel_info(d, &ko, NULL);
		if (problems)
			printf("%-14s %zu (run `guestcore check %s`)\n",
			       "problems:", problems, gc_dump_path(d));
		else
			printf("%-14s none found\n", "problems:");
	}
	gc_report_free(rep);
	free(pr);
	free(mr);
	gc_dump_close(d);
	return EXIT_OK;
}

const struct cli_command cmd_info = {
	.name = "info",
	.run = run,
	.summary = "format, guest type, vCPUs, pages, every header field, "
		   "frame ranges",
	.usage = "info DUMP [--json]",
	.opts = cli_json_only,
	.kernel = true,
};
