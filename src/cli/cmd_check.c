// SPDX-License-Identifier: MIT
/* guestcore check: validate everything checkable, explain each finding. */
#include <inttypes.h>
#include <string.h>

#include "cli.h"

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	struct gc_kernel_opts ko;
	if (!cli_take_kernel_opts(&argc, argv, &ko))
		return EXIT_ERROR;
	cli_vmcoreinfo_search(&ko, GC_VMCOREINFO_SEARCH_BOUNDED);
	bool deep = cli_take_flag(&argc, argv, "--deep");
	bool quiet = cli_take_flag(&argc, argv, "--quiet");
	if (argc != 2)
		return cli_usage(&cmd_check);
	struct gc_dump *d = cli_open(argv[1]);
	if (!d)
		return EXIT_ERROR;
	struct gc_report *rep = cli_report_new();
	struct gc_error *err = gc_dump_check(d, deep ? GC_CHECK_DEEP : 0,
					     rep);
	if (!err)
		err = cli_kernel_check(d, &ko, rep);
	if (err) {
		gc_report_free(rep);
		gc_dump_close(d);
		return cli_error(err);
	}
	size_t problems = gc_report_problems(rep);
	size_t nerr = 0, nwarn = 0;
	for (size_t i = 0; i < gc_report_count(rep); i++) {
		nerr += gc_report_finding(rep, i)->severity == GC_SEV_ERROR;
		nwarn += gc_report_finding(rep, i)->severity == GC_SEV_WARNING;
	}
	if (json) {
		struct gc_json j;
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "file");
		gc_json_string(&j, gc_dump_path(d));
		gc_json_key(&j, "format");
		gc_json_string(&j, gc_format_name(gc_dump_format(d)));
		gc_json_key(&j, "findings");
		gc_json_array_begin(&j);
		for (size_t i = 0; i < gc_report_count(rep); i++) {
			const struct gc_finding *f = gc_report_finding(rep, i);
			gc_json_object_begin(&j);
			gc_json_key(&j, "severity");
			gc_json_string(&j, gc_severity_name(f->severity));
			gc_json_key(&j, "code");
			gc_json_string(&j, f->code);
			gc_json_key(&j, "message");
			gc_json_string(&j, f->message);
			if (f->has_offset) {
				gc_json_key(&j, "offset");
				gc_json_hex(&j, f->offset);
			}
			gc_json_object_end(&j);
		}
		gc_json_array_end(&j);
		gc_json_key(&j, "nr_errors");
		gc_json_u64(&j, nerr);
		gc_json_key(&j, "nr_warnings");
		gc_json_u64(&j, nwarn);
		gc_json_key(&j, "clean");
		gc_json_bool(&j, problems == 0);
		gc_json_object_end(&j);
		gc_json_end(&j);
	} else {
		printf("%s: %s, %" PRIu64 " page%s, %u vCPU%s\n",
		       gc_dump_path(d), gc_format_name(gc_dump_format(d)),
		       gc_dump_nr_frames(d), gc_dump_nr_frames(d) == 1 ? "" : "s",
		       gc_dump_nr_vcpus(d), gc_dump_nr_vcpus(d) == 1 ? "" : "s");
		for (size_t i = 0; i < gc_report_count(rep); i++) {
			const struct gc_finding *f = gc_report_finding(rep, i);
			if (quiet && f->severity < GC_SEV_WARNING)
				continue;
			printf("  %-8s %s", gc_severity_name(f->severity),
			       f->message);
			if (f->has_offset && f->severity >= GC_SEV_WARNING)
				printf(" [offset 0x%" PRIx64 "]", f->offset);
			printf("\n");
		}
		if (problems)
			printf("result: %zu problem%s (%zu error%s, %zu "
			       "warning%s)\n", problems,
			       problems == 1 ? "" : "s", nerr,
			       nerr == 1 ? "" : "s", nwarn,
			       nwarn == 1 ? "" : "s");
		else
			printf("result: clean\n");
	}
	gc_report_free(rep);
	gc_dump_close(d);
	return problems ? EXIT_PROBLEMS : EXIT_OK;
}

static const struct cli_opt options[] = {
	CLI_FLAG_OPT("deep", 0, "read (and decompress) every page"),
	{ .name = "quiet", .short_name = 'q', .arg = CLI_FLAG, .canon = "--quiet", .help = "list only problems (warnings and errors)" },
	CLI_FLAG_OPT("json", 0, "print one JSON object"),
	CLI_OPT_END,
};

const struct cli_command cmd_check = {
	.name = "check",
	.run = run,
	.summary = "validate the dump and explain every problem found "
		   "(exit 0 clean, 1 problems, 2 unreadable)",
	.usage = "check DUMP [--deep] [--quiet] [--json]",
	.opts = options,
	.kernel = true,
};
