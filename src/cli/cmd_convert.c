// SPDX-License-Identifier: MIT
/* guestcore convert: any dump -> ELF vmcore or kdump-compressed file. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "guestcore/check.h"
#include "guestcore/kernel.h"
#include "guestcore/writer.h"
#include "progress.h"

static void print_text(FILE *f, const char *in, const char *out,
		       struct gc_dump *d, const struct gc_convert_opts *o,
		       const struct gc_convert_stats *s)
{
#define printf(...) fprintf(f, __VA_ARGS__)
	printf("converted %s (%s) -> %s (%s", in,
	       gc_format_name(gc_dump_format(d)), out,
	       o->format == GC_OUT_ELF ? "elf" : "kdump");
	if (o->format == GC_OUT_KDUMP)
		printf(", %s", gc_out_codec_name(o->codec));
	printf(")\n");
	printf("  pages: %" PRIu64 " in source, %" PRIu64 " written, %" PRIu64
	       " zero (%s), %" PRIu64 " missing in source\n",
	       s->pages_total, s->pages_written, s->pages_excluded,
	       o->format == GC_OUT_ELF ? "p_memsz tails" : "one shared page",
	       s->pages_missing);
	if (o->format == GC_OUT_ELF && s->pages_missing)
		printf("  missing in source: %" PRIu64 " left out (no PT_LOAD "
		       "covers them), %" PRIu64 " written as zeroes (runs "
		       "shorter than 256 pages, as makedumpfile -E)\n",
		       s->pages_missing - s->pages_missing_zeroed,
		       s->pages_missing_zeroed);
	if (o->missing != GC_MISSING_REFUSE)
		printf("  undecodable in source: %" PRIu64 " (%s)\n",
		       s->pages_undecodable, o->missing == GC_MISSING_ZERO ?
		       "written as zeroes" : "left out, read as missing");
	if (o->format == GC_OUT_ELF)
		printf("  PT_LOAD segments: %" PRIu64 "\n", s->segments);
	printf("  vcpus: %u, VMCOREINFO: %s\n", s->nr_vcpus,
	       s->has_vmcoreinfo ? "yes" : "no");
	if (s->xen_pv) {
		printf("  xen pv: page-table entries rewritten mfn->pfn in %"
		       PRIu64 " pages (%" PRIu64 " entries)\n", s->pt_pages,
		       s->pt_entries);
		printf("  xen pv: %" PRIu64 " entries made non-present (mfn "
		       "not in the dump), %" PRIu64 " hypervisor-hole L4 "
		       "entries cleared\n", s->pt_dropped, s->pt_hole);
		printf("  xen pv: roots walked %" PRIu64 " (%" PRIu64
		       " missing), other top-level tables found %" PRIu64
		       ", level conflicts %" PRIu64 "\n", s->pt_roots,
		       s->pt_roots_missing, s->pt_pgds_found,
		       s->pt_conflicts);
	}
	printf("  output: %" PRIu64 " bytes%s\n", s->out_bytes,
	       o->flatten ? " (flattened)" : "");
#undef printf
}

static void json_stats(struct gc_json *j, const struct gc_convert_stats *s)
{
	gc_json_key(j, "pages_total"); gc_json_u64(j, s->pages_total);
	gc_json_key(j, "pages_written"); gc_json_u64(j, s->pages_written);
	gc_json_key(j, "pages_excluded"); gc_json_u64(j, s->pages_excluded);
	gc_json_key(j, "pages_missing"); gc_json_u64(j, s->pages_missing);
	gc_json_key(j, "pages_missing_zeroed");
	gc_json_u64(j, s->pages_missing_zeroed);
	gc_json_key(j, "pages_undecodable");
	gc_json_u64(j, s->pages_undecodable);
	gc_json_key(j, "segments"); gc_json_u64(j, s->segments);
	gc_json_key(j, "nr_vcpus"); gc_json_u64(j, s->nr_vcpus);
	gc_json_key(j, "vmcoreinfo"); gc_json_bool(j, s->has_vmcoreinfo);
	gc_json_key(j, "output_bytes"); gc_json_u64(j, s->out_bytes);
	gc_json_key(j, "xen_pv"); gc_json_bool(j, s->xen_pv);
	gc_json_key(j, "one_pass"); gc_json_bool(j, s->one_pass);
	gc_json_key(j, "piped"); gc_json_bool(j, s->piped);
	if (s->xen_pv) {
		gc_json_key(j, "pt_pages"); gc_json_u64(j, s->pt_pages);
		gc_json_key(j, "pt_entries"); gc_json_u64(j, s->pt_entries);
		gc_json_key(j, "pt_dropped"); gc_json_u64(j, s->pt_dropped);
		gc_json_key(j, "pt_hole"); gc_json_u64(j, s->pt_hole);
		gc_json_key(j, "pt_roots"); gc_json_u64(j, s->pt_roots);
		gc_json_key(j, "pt_roots_missing");
		gc_json_u64(j, s->pt_roots_missing);
		gc_json_key(j, "pt_pgds_found");
		gc_json_u64(j, s->pt_pgds_found);
		gc_json_key(j, "pt_conflicts"); gc_json_u64(j, s->pt_conflicts);
	}
}

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	bool verify = cli_take_flag(&argc, argv, "--verify");
	bool force = cli_take_flag(&argc, argv, "--force");
	bool no_kernel = cli_take_flag(&argc, argv, "--no-kernel");
	bool flatten = cli_take_flag(&argc, argv, "--flatten");
	struct gc_kernel_opts kopts;
	if (!cli_take_kernel_opts(&argc, argv, &kopts))
		return EXIT_ERROR;
	struct gc_convert_opts o;
	memset(&o, 0, sizeof(o));
	o.format = GC_OUT_ELF;
	o.codec = GC_OUT_CODEC_ZSTD;
	o.force = force;
	o.flatten = flatten;
	const char *in = NULL, *out = NULL;
	bool codec_given = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (!v)
				return cli_usage(&cmd_convert);
			out = v;
			i++;
		} else if (!strcmp(a, "--format")) {
			if (v && !strcmp(v, "elf"))
				o.format = GC_OUT_ELF;
			else if (v && !strcmp(v, "kdump"))
				o.format = GC_OUT_KDUMP;
			else
				return cli_fail("convert: --format takes elf "
						"or kdump");
			i++;
		} else if (!strcmp(a, "--compress")) {
			if (!gc_out_codec_parse(v, &o.codec))
				return cli_fail("convert: --compress takes "
						"zstd, zlib, lzo, snappy or "
						"none");
			codec_given = true;
			i++;
		} else if (!strcmp(a, "--exclude")) {
			if (!v || strcmp(v, "zero"))
				return cli_fail("convert: --exclude takes "
						"'zero'");
			o.exclude_zero = true;
			i++;
		} else if (!strcmp(a, "--missing")) {
			if (v && !strcmp(v, "zero"))
				o.missing = GC_MISSING_ZERO;
			else if (v && !strcmp(v, "skip"))
				o.missing = GC_MISSING_SKIP;
			else
				return cli_fail("convert: --missing takes "
						"zero or skip");
			i++;
		} else if (!strcmp(a, "--threads")) {
			uint64_t n;
			if (!cli_parse_count(v, &n) || n < 1 || n > 16)
				return cli_fail("convert: --threads takes "
						"1..16");
			o.threads = (unsigned int)n;
			i++;
		} else if (!strcmp(a, "--page-offset")) {
			if (!cli_parse_hex(v, &o.kernel.page_offset))
				return cli_fail("convert: --page-offset takes "
						"a hexadecimal address");
			o.kernel.has_page_offset = true;
			i++;
		} else if (a[0] == '-' && a[1]) {
			return cli_fail("convert: unknown option '%s'", a);
		} else if (!in) {
			in = a;
		} else {
			return cli_usage(&cmd_convert);
		}
	}
	if (!in || !out)
		return cli_usage(&cmd_convert);
	if (codec_given && o.format != GC_OUT_KDUMP)
		return cli_fail("convert: --compress needs --format kdump");
	bool to_stdout = !strcmp(out, "-");
	if (to_stdout && !o.flatten)
		return cli_fail("convert: -o - (standard output) needs "
				"--flatten: the plain formats are written with "
				"seeks");
	if (to_stdout && isatty(STDOUT_FILENO))
		return cli_fail("convert: standard output is a terminal; "
				"redirect it to a file or a pipe");
	if (to_stdout && verify)
		return cli_fail("convert: --verify cannot read back standard "
				"output");
	/* the summary goes to stderr when the dump goes to stdout */
	FILE *txt = to_stdout ? stderr : stdout;
	if (!to_stdout &&
	    !cli_out_format_ok("convert", out, o.format == GC_OUT_KDUMP))
		return EXIT_ERROR;

	uint64_t page_offset = o.kernel.page_offset;
	bool has_page_offset = o.kernel.has_page_offset;
	/* A raw QEMU migration stream to an ELF file: pages are written
	 * while the stream is indexed (one read of the input); else NULL. */
	struct gc_convert_stream *cs = NULL;
	struct gc_dump *d = NULL;
	struct cli_progress pb;
	cli_progress_init(&pb, "convert", 4096);
	o.progress = cli_progress_update;
	o.progress_arg = &pb;
	o.cancel = cli_cancel_flag();
	struct gc_error *oerr = gc_convert_stream_open(in, out, &o, &d, &cs);
	if (oerr) {
		cli_progress_done(&pb);
		return cli_error(oerr);
	}
	if (!d && !(d = cli_open(in)))
		return EXIT_ERROR;
	pb.unit = gc_dump_page_size(d);
	/* What the kernel layer knows and the writers use comes through
	 * the library's one bridge, gc_kernel_writer_hints, so that a
	 * library caller converting the same dump writes the same bytes. */
	struct gc_kernel *kern = NULL;
	char used[512] = "";
	if (!no_kernel) {
		struct gc_error *kerr = gc_kernel_open(d, &kopts, &kern);
		if (!kerr) {
			const char *u;
			kerr = gc_kernel_writer_hints(kern, &o.kernel, &u);
			if (!kerr)
				snprintf(used, sizeof(used), "%s", u);
		}
		if (kerr) {
			snprintf(used, sizeof(used), "none (%s)",
				 gc_error_string(kerr));
			gc_error_free(kerr);
			gc_kernel_close(kern);
			kern = NULL;
			memset(&o.kernel, 0, sizeof(o.kernel));
			o.kernel.page_offset = page_offset;
			o.kernel.has_page_offset = has_page_offset;
		}
	}
	size_t nr_patch = o.kernel.nr_patches;
	struct gc_convert_stats st;
	struct gc_error *err = cs ? gc_convert_stream_finish(cs, d, &o, &st) :
				    gc_convert(d, out, &o, &st);
	cli_progress_done(&pb);
	if (err) {
		gc_kernel_close(kern);
		gc_dump_close(d);
		return cli_error(err);
	}
	struct gc_verify_stats vs;
	/* undecodable pages written as zeroes or left out: answered, with
	 * problems */
	int rc = st.pages_undecodable ? EXIT_PROBLEMS : EXIT_OK;
	/* A damaged source converts as far as it goes (a cut migration
	 * stream, a truncated vmcore), but the answer is not a clean one:
	 * say how many problems `check` finds in it, name the first, and
	 * exit 1.  These are the format's own checks (what `info` counts),
	 * not the kernel-level ones. */
	struct gc_report *srep = cli_report_new();
	err = gc_dump_check(d, 0, srep);
	if (err) {
		gc_report_free(srep);
		gc_kernel_close(kern);
		gc_dump_close(d);
		return cli_error(err);
	}
	size_t src_problems = gc_report_problems(srep);
	const struct gc_finding *first_problem = NULL;
	for (size_t i = 0; !first_problem && i < gc_report_count(srep); i++)
		if (gc_report_finding(srep, i)->severity >= GC_SEV_WARNING)
			first_problem = gc_report_finding(srep, i);
	if (src_problems)
		rc = EXIT_PROBLEMS;
	if (verify) {
		/* a piped dump reads its pages back from the output: compare
		 * the output with the input opened again (its cache) */
		struct gc_dump *dv = st.piped ? cli_open(in) : d;
		if (!dv) {
			gc_report_free(srep);
			gc_kernel_close(kern);
			gc_dump_close(d);
			return EXIT_ERROR;
		}
		err = gc_convert_verify(dv, out, &o, &vs);
		if (dv != d)
			gc_dump_close(dv);
		if (err) {
			gc_report_free(srep);
			gc_kernel_close(kern);
			gc_dump_close(d);
			return cli_error(err);
		}
		if (vs.mismatches)
			rc = EXIT_PROBLEMS;
	}
	if (json) {
		struct gc_json j;
		gc_json_init(&j, txt, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "input"); gc_json_string(&j, in);
		gc_json_key(&j, "input_format");
		gc_json_string(&j, gc_format_name(gc_dump_format(d)));
		gc_json_key(&j, "output"); gc_json_string(&j, out);
		gc_json_key(&j, "format");
		gc_json_string(&j, o.format == GC_OUT_ELF ? "elf" : "kdump");
		gc_json_key(&j, "compress");
		if (o.format == GC_OUT_KDUMP)
			gc_json_string(&j, gc_out_codec_name(o.codec));
		else
			gc_json_null(&j);
		gc_json_key(&j, "kernel_facts_used");
		gc_json_string(&j, used);
		gc_json_key(&j, "patched");
		gc_json_array_begin(&j);
		for (size_t i = 0; i < nr_patch; i++)
			gc_json_string(&j, o.kernel.patches[i].what);
		gc_json_array_end(&j);
		json_stats(&j, &st);
		gc_json_key(&j, "source_problems");
		gc_json_u64(&j, src_problems);
		gc_json_key(&j, "source_first_problem");
		if (first_problem) {
			gc_json_object_begin(&j);
			gc_json_key(&j, "severity");
			gc_json_string(&j,
				gc_severity_name(first_problem->severity));
			gc_json_key(&j, "code");
			gc_json_string(&j, first_problem->code);
			gc_json_key(&j, "message");
			gc_json_string(&j, first_problem->message);
			gc_json_key(&j, "offset");
			if (first_problem->has_offset)
				gc_json_hex(&j, first_problem->offset);
			else
				gc_json_null(&j);
			gc_json_object_end(&j);
		} else {
			gc_json_null(&j);
		}
		/* the pages came from a decompressed cache file */
		gc_json_key(&j, "cache");
		gc_json_bool(&j, !st.piped && gc_dump_field_by_name(d,
					"decompressed_cache") != NULL);
		if (verify) {
			gc_json_key(&j, "verify");
			gc_json_object_begin(&j);
			gc_json_key(&j, "compared"); gc_json_u64(&j, vs.compared);
			gc_json_key(&j, "excluded"); gc_json_u64(&j, vs.excluded);
			gc_json_key(&j, "missing"); gc_json_u64(&j, vs.missing);
			gc_json_key(&j, "mismatches");
			gc_json_u64(&j, vs.mismatches);
			gc_json_key(&j, "extra"); gc_json_u64(&j, vs.extra);
			gc_json_key(&j, "first_mismatch_pfn");
			if (vs.has_first_mismatch)
				gc_json_hex(&j, vs.first_mismatch_pfn);
			else
				gc_json_null(&j);
			gc_json_object_end(&j);
		}
		gc_json_object_end(&j);
		gc_json_end(&j);
	} else {
		print_text(txt, in, out, d, &o, &st);
		if (!no_kernel)
			fprintf(txt, "  kernel facts used: %s\n",
				used[0] ? used : "none");
		for (size_t i = 0; i < nr_patch; i++)
			fprintf(txt, "  patched: %s\n",
				o.kernel.patches[i].what);
		if (first_problem) {
			fprintf(txt, "  source problems: %zu (`guestcore check "
				"%s` lists them); the first: %s", src_problems,
				in, first_problem->message);
			if (first_problem->has_offset)
				fprintf(txt, " [offset 0x%" PRIx64 "]",
					first_problem->offset);
			fprintf(txt, "\n");
		}
		if (verify) {
			printf("verify: %" PRIu64 " pages identical, %" PRIu64
			       " excluded (zero), %" PRIu64 " missing in the "
			       "source, %" PRIu64 " mismatches, %" PRIu64
			       " extra frames in the output\n", vs.compared,
			       vs.excluded, vs.missing, vs.mismatches,
			       vs.extra);
			if (vs.has_first_mismatch)
				printf("verify: first mismatch at pfn 0x%"
				       PRIx64 "\n", vs.first_mismatch_pfn);
		}
	}
	gc_report_free(srep);
	gc_kernel_close(kern);
	gc_dump_close(d);
	return rc;
}

static const struct cli_opt options[] = {
	{ .name = "output", .short_name = 'o', .arg = CLI_VALUE, .metavar = "OUT", .canon = "-o", .help = "the file to write (never an existing one without --force)" },
	CLI_VALUE_OPT("format", 0, "elf|kdump", "ELF vmcore (default) or kdump-compressed"),
	CLI_VALUE_OPT("compress", 0, "zstd|zlib|lzo|snappy|none", "kdump page codec (default zstd)"),
	CLI_VALUE_OPT("exclude", 0, "zero", "store zero pages once, as makedumpfile -d 1 (kdump: one shared zero page; ELF: long zero runs as p_memsz tails); they stay readable"),
	CLI_VALUE_OPT("missing", 0, "zero|skip", "source pages that cannot be decoded: write zeroes or leave them out (default: refuse, naming the page)"),
	CLI_FLAG_OPT("flatten", 0, "write makedumpfile's flattened form (-F), no seeks; with -o - to standard output"),
	CLI_FLAG_OPT("verify", 0, "re-read the output and compare every page with the input"),
	CLI_FLAG_OPT("force", 0, "replace an existing regular OUT"),
	CLI_VALUE_OPT("threads", 0, "N", "compression threads (1..16; default the CPUs, at most 8)"),
	CLI_VALUE_OPT("page-offset", 0, "ADDR", "the kernel's direct-map base, when it cannot be found"),
	CLI_FLAG_OPT("no-kernel", 0, "skip the kernel layer (no VMCOREINFO search, no Xen PV page-table rewrite)"),
	CLI_FLAG_OPT("json", 0, "print one JSON object"),
	CLI_OPT_END,
};

const struct cli_command cmd_convert = {
	.name = "convert",
	.run = run,
	.summary = "write any dump as an ELF vmcore or kdump-compressed file "
		   "(pfn space) that crash, drgn and gdb open",
	.usage = "convert IN -o OUT [--format elf|kdump] "
		 "[--compress zstd|zlib|lzo|snappy|none] [--exclude zero] "
		 "[--missing zero|skip] [--flatten] [--verify] [--force] [--threads N] [--page-offset ADDR] "
		 "[--no-kernel] [--vmcoreinfo F] [--system-map F] "
		 "[--vmlinux F] [--json]\n  (--compress needs --format kdump, "
		 "default zstd; -o - writes a flattened stream to standard "
		 "output; exit 1 if --verify finds a mismatch, --missing "
		 "met undecodable pages, or the source has problems that "
		 "`check` reports)",
	.opts = options,
	.kernel = true,
};
