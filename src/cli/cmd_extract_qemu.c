// SPDX-License-Identifier: MIT
/* guestcore extract-qemu: a guest vmcore from a QEMU process core. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "progress.h"
#include "guestcore/qemu.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n < cap) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		if (cap >= (64u << 20)) { /* monitor text is small */
			free(buf);
			buf = NULL;
			break;
		}
		cap *= 2;
		char *nb = realloc(buf, cap + 1);
		if (!nb)
			free(buf);
		buf = nb;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

static void hr_size(uint64_t v, char *out, size_t n)
{
	if (v >= (1ull << 30) && !(v % (1ull << 20)))
		snprintf(out, n, "%.2f GiB", (double)v / (1ull << 30));
	else if (v >= (1ull << 20))
		snprintf(out, n, "%.2f MiB", (double)v / (1ull << 20));
	else
		snprintf(out, n, "%" PRIu64 " KiB", v >> 10);
}

static void print_text(struct gc_qemu_core *core, const struct gc_qemu_ram_map *map)
{
	const char *const *argv;
	const char *src;
	size_t argc = gc_qemu_core_argv(core, &argv, &src);
	printf("core: %s (%zu segments, %zu threads, %zu mapped files)\n", gc_qemu_core_path(core),
	       gc_qemu_core_nr_segments(core), gc_qemu_core_nr_threads(core), gc_qemu_core_nr_files(core));
	for (size_t i = 0; i < gc_qemu_core_nr_problems(core); i++)
		printf("core problem: %s\n", gc_qemu_core_problem(core, i));
	/* the executable and command line are bytes of the process: escaped */
	printf("executable: ");
	cli_print_escaped(stdout, gc_qemu_core_exe(core)[0] ? gc_qemu_core_exe(core) : "(unknown)");
	printf("\n");
	if (argc) {
		printf("command line (%s):", src);
		for (size_t i = 0; i < argc; i++) {
			printf(" ");
			cli_print_escaped(stdout, argv[i]);
		}
		printf("\n");
	} else {
		printf("command line: not recovered\n");
	}
	printf("guest RAM: method %s: %s\n", gc_qemu_ram_method_name(map->method), map->why);
	for (size_t i = 0; i < map->nr_ranges; i++) {
		const struct gc_qemu_ram_range *r = &map->ranges[i];
		char sz[32];
		hr_size(r->size, sz, sizeof(sz));
		printf("  GPA 0x%" PRIx64 "-0x%" PRIx64 " (%s) <- HVA 0x%" PRIx64 "%s%s\n", r->gpa,
		       r->gpa + r->size - 1, sz, r->hva, r->name[0] ? " " : "", r->name);
	}
	for (size_t i = 0; i < map->nr_notes; i++)
		printf("note: %s\n", map->notes[i]);
}

static void json_map(struct gc_json *j, struct gc_qemu_core *core, const struct gc_qemu_ram_map *map)
{
	const char *const *argv;
	const char *src;
	size_t argc = gc_qemu_core_argv(core, &argv, &src);
	gc_json_key(j, "core");
	gc_json_string(j, gc_qemu_core_path(core));
	gc_json_key(j, "segments");
	gc_json_u64(j, gc_qemu_core_nr_segments(core));
	gc_json_key(j, "threads");
	gc_json_u64(j, gc_qemu_core_nr_threads(core));
	gc_json_key(j, "mapped_files");
	gc_json_u64(j, gc_qemu_core_nr_files(core));
	gc_json_key(j, "core_problems");
	gc_json_array_begin(j);
	for (size_t i = 0; i < gc_qemu_core_nr_problems(core); i++)
		gc_json_string(j, gc_qemu_core_problem(core, i));
	gc_json_array_end(j);
	gc_json_key(j, "executable");
	gc_json_string(j, gc_qemu_core_exe(core));
	gc_json_key(j, "command_line");
	if (argc) {
		gc_json_array_begin(j);
		for (size_t i = 0; i < argc; i++)
			gc_json_string(j, argv[i]);
		gc_json_array_end(j);
		gc_json_key(j, "command_line_source");
		gc_json_string(j, src);
	} else {
		gc_json_null(j);
	}
	gc_json_key(j, "method");
	gc_json_string(j, gc_qemu_ram_method_name(map->method));
	gc_json_key(j, "why");
	gc_json_string(j, map->why);
	gc_json_key(j, "machine");
	if (map->machine)
		gc_json_string(j, map->machine);
	else
		gc_json_null(j);
	gc_json_key(j, "ram_size");
	gc_json_u64(j, map->ram_size);
	gc_json_key(j, "ranges");
	gc_json_array_begin(j);
	for (size_t i = 0; i < map->nr_ranges; i++) {
		gc_json_object_begin(j);
		gc_json_key(j, "gpa");
		gc_json_hex(j, map->ranges[i].gpa);
		gc_json_key(j, "size");
		gc_json_hex(j, map->ranges[i].size);
		gc_json_key(j, "hva");
		gc_json_hex(j, map->ranges[i].hva);
		gc_json_key(j, "block");
		gc_json_string(j, map->ranges[i].name);
		gc_json_object_end(j);
	}
	gc_json_array_end(j);
	gc_json_key(j, "notes");
	gc_json_array_begin(j);
	for (size_t i = 0; i < map->nr_notes; i++)
		gc_json_string(j, map->notes[i]);
	gc_json_array_end(j);
}

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	bool verify = cli_take_flag(&argc, argv, "--verify");
	bool dry = cli_take_flag(&argc, argv, "--dry-run");
	bool force = cli_take_flag(&argc, argv, "--force");
	const char *core_path = NULL, *out = NULL, *mtree = NULL, *machine = NULL;
	uint64_t ram_size = 0;
	bool kdump = false;
	enum gc_out_codec codec = GC_OUT_CODEC_ZSTD;
	struct gc_qemu_ram_range *ram = NULL;
	size_t nr_ram = 0;
	int rc = EXIT_ERROR;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;
		if (!strcmp(a, "-o") && has_val) {
			out = argv[++i];
		} else if (!strcmp(a, "--mtree") && has_val) {
			mtree = argv[++i];
		} else if (!strcmp(a, "--format") && has_val) {
			const char *f = argv[++i];
			if (!strcmp(f, "kdump"))
				kdump = true;
			else if (strcmp(f, "elf")) {
				free(ram);
				return cli_fail("extract-qemu: --format is elf or kdump, not '%s'", f);
			}
		} else if (!strcmp(a, "--compress") && has_val) {
			if (!gc_out_codec_parse(argv[++i], &codec)) {
				free(ram);
				return cli_fail("extract-qemu: unknown --compress '%s'", argv[i]);
			}
		} else if (!strcmp(a, "--machine") && has_val) {
			machine = argv[++i];
		} else if (!strcmp(a, "--ram-size") && has_val) {
			struct gc_qemu_ram_range tmp;
			char buf[96];
			snprintf(buf, sizeof(buf), "0:%s@0", argv[++i]);
			struct gc_error *err = gc_qemu_parse_ram_arg(buf, &tmp);
			if (err) {
				gc_error_free(err);
				free(ram);
				return cli_fail("extract-qemu: bad --ram-size '%s'", argv[i]);
			}
			ram_size = tmp.size;
		} else if (!strcmp(a, "--ram") && has_val) {
			void *n = realloc(ram, (nr_ram + 1) * sizeof(*ram));
			if (!n) {
				free(ram);
				return cli_fail("out of memory");
			}
			ram = n;
			struct gc_error *err = gc_qemu_parse_ram_arg(argv[++i], &ram[nr_ram]);
			if (err) {
				free(ram);
				return cli_error(err);
			}
			nr_ram++;
		} else if (a[0] == '-' && a[1]) {
			free(ram);
			fprintf(stderr, "guestcore: extract-qemu: unknown or incomplete option '%s'\n", a);
			return cli_usage(&cmd_extract_qemu);
		} else if (!core_path) {
			core_path = a;
		} else {
			free(ram);
			return cli_usage(&cmd_extract_qemu);
		}
	}
	if (!core_path || (!out && !dry)) {
		free(ram);
		return cli_usage(&cmd_extract_qemu);
	}
	/* the one output rule set (as convert and extract), before any work:
	 * an existing OUT needs --force and must be a regular file, never
	 * the core itself; a name that says the format */
	if (out && !dry) {
		struct gc_error *oerr = gc_outfile_check(out, force, core_path);
		if (oerr || !cli_out_format_ok("extract-qemu", out, kdump)) {
			free(ram);
			return oerr ? cli_error(oerr) : EXIT_ERROR;
		}
	}
	size_t mtree_len = 0;
	char *mtree_text = NULL;
	if (mtree && !(mtree_text = slurp(mtree, &mtree_len))) {
		free(ram);
		return cli_fail("%s: cannot read --mtree file", mtree);
	}
	struct gc_qemu_core *core = NULL;
	struct gc_qemu_ram_map map = { 0 };
	struct gc_qemu_extract_result res = { 0 };
	struct gc_qemu_verify_result ver = { 0 };
	struct gc_error *err = gc_qemu_core_open(core_path, &core);
	if (err) {
		rc = cli_error(err);
		goto done;
	}
	struct gc_qemu_ram_opts o = { ram, nr_ram, mtree_text, mtree_len, machine, ram_size };
	struct gc_convert_opts copts = { .format = kdump ? GC_OUT_KDUMP : GC_OUT_ELF,
					 .codec = codec, .force = force };
	struct cli_progress pb;
	cli_progress_init(&pb, "extract", 4096);
	copts.progress = cli_progress_update;
	copts.progress_arg = &pb;
	copts.cancel = cli_cancel_flag();
	if ((err = gc_qemu_ram_map_build(core, &o, &map))) {
		rc = cli_error(gc_error_set_file(err, core_path));
		goto done;
	}
	err = dry ? NULL : gc_qemu_extract(core, &map, out, &copts, &res);
	cli_progress_done(&pb);
	if (err) {
		rc = cli_error(err);
		goto done;
	}
	if (!dry && verify && (err = gc_qemu_verify(core, &map, out, &ver))) {
		rc = cli_error(err);
		goto done;
	}
	bool bad_verify = verify && !dry && (ver.pages_differ || ver.pages_outside_map || ver.pages_not_in_output);
	rc = (res.pages_missing || bad_verify || gc_qemu_core_nr_problems(core)) ? EXIT_PROBLEMS : EXIT_OK;
	if (json) {
		struct gc_json j;
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		json_map(&j, core, &map);
		if (!dry) {
			gc_json_key(&j, "output");
			gc_json_string(&j, out);
			gc_json_key(&j, "writer");
			gc_json_string(&j, res.writer);
			gc_json_key(&j, "pt_loads");
			gc_json_u64(&j, res.nr_loads);
			gc_json_key(&j, "pages_written");
			gc_json_u64(&j, res.pages_written);
			gc_json_key(&j, "pages_missing");
			gc_json_u64(&j, res.pages_missing);
			gc_json_key(&j, "missing");
			gc_json_array_begin(&j);
			for (size_t i = 0; i < res.nr_gaps; i++) {
				gc_json_object_begin(&j);
				gc_json_key(&j, "gpa");
				gc_json_hex(&j, res.gaps[i].gpa);
				gc_json_key(&j, "size");
				gc_json_hex(&j, res.gaps[i].size);
				gc_json_key(&j, "hva");
				gc_json_hex(&j, res.gaps[i].hva);
				gc_json_key(&j, "reason");
				gc_json_string(&j, gc_hva_state_name(res.gaps[i].state));
				gc_json_object_end(&j);
			}
			gc_json_array_end(&j);
			gc_json_key(&j, "vcpu_registers");
			gc_json_string(&j, res.vcpu_status);
			gc_json_key(&j, "vmcoreinfo");
			gc_json_bool(&j, res.has_vmcoreinfo);
			gc_json_key(&j, "vmcoreinfo_source");
			gc_json_string(&j, res.vmcoreinfo_status);
			gc_json_key(&j, "output_bytes");
			gc_json_u64(&j, res.file_size);
			if (verify) {
				gc_json_key(&j, "verify");
				gc_json_object_begin(&j);
				gc_json_key(&j, "pages_compared");
				gc_json_u64(&j, ver.pages_compared);
				gc_json_key(&j, "pages_differ");
				gc_json_u64(&j, ver.pages_differ);
				gc_json_key(&j, "pages_outside_map");
				gc_json_u64(&j, ver.pages_outside_map);
				gc_json_key(&j, "pages_not_in_output");
				gc_json_u64(&j, ver.pages_not_in_output);
				gc_json_key(&j, "ok");
				gc_json_bool(&j, !bad_verify);
				gc_json_object_end(&j);
			}
		}
		gc_json_object_end(&j);
		gc_json_end(&j);
		goto done;
	}
	print_text(core, &map);
	if (dry)
		goto done;
	char sz[32];
	hr_size(res.pages_written * 4096, sz, sizeof(sz));
	printf("wrote %s: %" PRIu64 " pages (%s) of guest RAM, %" PRIu64 " bytes", out,
	       res.pages_written, sz, res.file_size);
	if (!kdump)
		printf(", %" PRIu64 " PT_LOAD(s)", res.nr_loads);
	printf("\n");
	printf("writer: %s\n", res.writer);
	for (size_t i = 0; i < res.nr_gaps; i++)
		printf("missing: GPA 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64 " pages, HVA 0x%" PRIx64
		       "): %s in the process core; left out of the output\n",
		       res.gaps[i].gpa, res.gaps[i].gpa + res.gaps[i].size - 1, res.gaps[i].size / 4096,
		       res.gaps[i].hva, gc_hva_state_name(res.gaps[i].state));
	if (res.pages_missing)
		printf("partial: %" PRIu64 " of %" PRIu64 " guest pages were not in the core\n",
		       res.pages_missing, res.pages_missing + res.pages_written);
	printf("vCPU registers: %s\n", res.vcpu_status);
	printf("VMCOREINFO: %s%s\n", res.has_vmcoreinfo ? "stored, " : "", res.vmcoreinfo_status);
	if (verify)
		printf("verify: %s: %" PRIu64 " pages compared, %" PRIu64 " differ%s, %" PRIu64
		       " outside the map, %" PRIu64 " in the core but not in the output\n",
		       bad_verify ? "FAILED" : "ok", ver.pages_compared, ver.pages_differ,
		       ver.pages_differ ? "" : "", ver.pages_outside_map, ver.pages_not_in_output);
	if (verify && ver.pages_differ)
		printf("verify: first differing page at GPA 0x%" PRIx64 "\n", ver.first_differ_gpa);
done:
	gc_qemu_extract_result_free(&res);
	gc_qemu_ram_map_free(&map);
	gc_qemu_core_close(core);
	free(mtree_text);
	free(ram);
	return rc;
}

static const struct cli_opt options[] = {
	{ .name = "output", .short_name = 'o', .arg = CLI_VALUE, .metavar = "OUT", .canon = "-o", .help = "the guest vmcore to write" },
	CLI_VALUE_OPT("ram", 0, "GPA:SIZE@HVA", "a guest RAM range and the process address holding it; repeat"),
	CLI_VALUE_OPT("mtree", 0, "FILE", "saved `info mtree -f` / `info ramblock` monitor text"),
	CLI_VALUE_OPT("machine", 0, "pc|q35|TYPE", "the machine type, when the core's command line does not say"),
	CLI_VALUE_OPT("ram-size", 0, "SIZE", "the guest's RAM size, when the core's command line does not say"),
	CLI_VALUE_OPT("format", 0, "elf|kdump", "ELF vmcore (default) or kdump-compressed"),
	CLI_FLAG_OPT("force", 0, "replace an existing regular OUT"),
	CLI_VALUE_OPT("compress", 0, "zstd|zlib|lzo|snappy|none", "kdump page codec (default zstd)"),
	CLI_FLAG_OPT("verify", 0, "compare the output with the guest page for page"),
	CLI_FLAG_OPT("dry-run", 0, "only print the RAM placement"),
	CLI_FLAG_OPT("json", 0, "print one JSON object"),
	CLI_OPT_END,
};

const struct cli_command cmd_extract_qemu = {
	.name = "extract-qemu",
	.run = run,
	.summary = "extract a guest vmcore from a QEMU process core",
	.usage = "extract-qemu CORE -o GUEST.vmcore [--ram GPA:SIZE@HVA ...] [--mtree FILE] "
		 "[--machine pc|q35|TYPE] [--ram-size SIZE] [--format elf|kdump] [--compress zstd|zlib|lzo|snappy|none] [--force] "
		 "[--verify] [--dry-run] [--json]",
	.opts = options,
};
