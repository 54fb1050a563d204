// SPDX-License-Identifier: MIT
/* guestcore convert: any dump -> ELF vmcore or kdump-compressed file. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "guestcore/kernel.h"
#include "guestcore/writer.h"
#include "progress.h"

static void print_text(const char *in, const char *out, struct gc_dump *d,
		       const struct gc_convert_opts *o,
		       const struct gc_convert_stats *s)
{
	printf("converted %s (%s) -> %s (%s", in,
	       gc_format_name(gc_dump_format(d)), out,
	       o->format == GC_OUT_ELF ? "elf" : "kdump");
	if (o->format == GC_OUT_KDUMP)
		printf(", %s", gc_out_codec_name(o->codec));
	printf(")\n");
	printf("  pages: %" PRIu64 " in source, %" PRIu64 " written, %" PRIu64
	       " excluded (zero), %" PRIu64 " missing in source\n",
	       s->pages_total, s->pages_written, s->pages_excluded,
	       s->pages_missing);
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
	printf("  output: %" PRIu64 " bytes\n", s->out_bytes);
}

static void json_stats(struct gc_json *j, const struct gc_convert_stats *s)
{
	gc_json_key(j, "pages_total"); gc_json_u64(j, s->pages_total);
	gc_json_key(j, "pages_written"); gc_json_u64(j, s->pages_written);
	gc_json_key(j, "pages_excluded"); gc_json_u64(j, s->pages_excluded);
	gc_json_key(j, "pages_missing"); gc_json_u64(j, s->pages_missing);
	gc_json_key(j, "segments"); gc_json_u64(j, s->segments);
	gc_json_key(j, "vcpus"); gc_json_u64(j, s->nr_vcpus);
	gc_json_key(j, "vmcoreinfo"); gc_json_bool(j, s->has_vmcoreinfo);
	gc_json_key(j, "out_bytes"); gc_json_u64(j, s->out_bytes);
	gc_json_key(j, "xen_pv"); gc_json_bool(j, s->xen_pv);
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

/* First "0x..." (or bare hex) number in a fact's value. */
static bool fact_hex(struct gc_kernel *k, const char *name, uint64_t *out,
		     const char **text)
{
	const struct gc_kernel_fact *f = gc_kernel_fact_by_name(k, name);
	if (!f || !f->value)
		return false;
	if (text)
		*text = f->value;
	const char *p = strstr(f->value, "0x");
	char *end;
	if (!p)
		p = f->value;
	*out = strtoull(p, &end, 16);
	return end != p;
}

/*
 * What the kernel layer knows and the writers use: VMCOREINFO (also when
 * found in guest memory), PAGE_OFFSET, the kernel's top-level table (an
 * extra root for the Xen PV rewrite) and phys_base.  Returns a line
 * saying what was used, or NULL.
 */
/*
 * Xen PV: crash decides that a kernel is a Xen PV guest from a non-NULL
 * xen_start_info, and then translates page-table entries as machine
 * frames.  The output's tables hold pfns, so the pointer is cleared (the
 * old value goes into the GUESTCORE note).
 */
static void pv_patch(struct gc_dump *d, struct gc_kernel *k,
		     struct gc_convert_patch *p, char *what, size_t what_len,
		     size_t *n)
{
	struct gc_symbol sym;
	uint64_t pa, old;
	if (!gc_dump_has_space(d, GC_SPACE_MACH))
		return;
	struct gc_error *err = gc_kernel_symbol(k, "xen_start_info", &sym);
	if (!err)
		err = gc_kernel_vtop(k, sym.addr, &pa);
	if (!err)
		err = gc_kernel_read_u64(k, sym.addr, &old);
	if (err) {
		gc_error_free(err);
		return;
	}
	if (!old)
		return;
	memset(p, 0, sizeof(*p));
	p->paddr = pa;
	p->len = 8;
	snprintf(what, what_len, "xen_start_info (symbol from %s) set to NULL, "
		 "was 0x%" PRIx64 ", so that crash reads the pfn-space page "
		 "tables natively", sym.source ? sym.source : "?", old);
	p->what = what;
	*n = 1;
}

static void kernel_facts(struct gc_dump *d, struct gc_kernel *k,
			 struct gc_convert_kernel *ck, uint64_t *pgd_pfn,
			 char *used, size_t cap)
{
	size_t n = 0;
	used[0] = '\0';
	const struct gc_vmcoreinfo *vi = gc_kernel_vmcoreinfo(k);
	if (vi) {
		size_t len;
		const char *t = gc_vmcoreinfo_text(vi, &len);
		if (t && len) {
			ck->vmcoreinfo = t;
			ck->vmcoreinfo_len = len;
			n += (size_t)snprintf(used + n, cap - n, "VMCOREINFO "
					      "(%s)",
					      gc_kernel_vmcoreinfo_source(k));
		}
	}
	uint64_t v;
	if (!ck->has_page_offset && n < cap &&
	    fact_hex(k, "page_offset", &v, NULL)) {
		ck->has_page_offset = true;
		ck->page_offset = v;
		n += (size_t)snprintf(used + n, cap - n, "%spage_offset 0x%"
				      PRIx64, n ? ", " : "", v);
	}
	const char *txt = NULL;
	if (n < cap && fact_hex(k, "page_table", &v, &txt)) {
		uint64_t pfn = v >> 12;
		bool ok = true;
		if (!strncmp(txt, "machine", 7)) {
			struct gc_error *err = gc_dump_mfn_to_pfn(d, pfn, &pfn);
			ok = !err;
			gc_error_free(err);
		}
		if (ok) {
			*pgd_pfn = pfn;
			ck->pgd_pfns = pgd_pfn;
			ck->nr_pgd_pfns = 1;
			n += (size_t)snprintf(used + n, cap - n,
					      "%stop-level table pfn 0x%" PRIx64,
					      n ? ", " : "", pfn);
		}
	}
	const struct gc_kernel_fact *f = gc_kernel_fact_by_name(k, "release");
	if (f && f->value && f->value[0])
		ck->uts_release = f->value;
	if ((f = gc_kernel_fact_by_name(k, "version")) && f->value)
		ck->uts_version = f->value;
	if ((f = gc_kernel_fact_by_name(k, "nodename")) && f->value)
		ck->uts_nodename = f->value;
	f = gc_kernel_fact_by_name(k, "phys_base");
	if (f && f->value && n < cap) {
		/* "0x..." (two's complement when negative) or decimal. */
		char *end;
		const char *p = f->value;
		bool neg = *p == '-';
		uint64_t pb = strtoull(p + neg, &end, 0);
		if (end != p + neg) {
			ck->has_phys_base = true;
			ck->phys_base = neg ? -(int64_t)pb : (int64_t)pb;
			snprintf(used + n, cap - n, "%sphys_base %s",
				 n ? ", " : "", f->value);
		}
	}
}

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	bool verify = cli_take_flag(&argc, argv, "--verify");
	bool force = cli_take_flag(&argc, argv, "--force");
	bool no_kernel = cli_take_flag(&argc, argv, "--no-kernel");
	struct gc_kernel_opts kopts;
	if (!cli_take_kernel_opts(&argc, argv, &kopts))
		return EXIT_ERROR;
	struct gc_convert_opts o;
	memset(&o, 0, sizeof(o));
	o.format = GC_OUT_ELF;
	o.codec = GC_OUT_CODEC_ZSTD;
	o.force = force;
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
	if (o.exclude_zero && o.format != GC_OUT_KDUMP)
		return cli_fail("convert: --exclude zero needs --format kdump "
				"(an ELF vmcore stores every page)");

	struct gc_dump *d = cli_open(in);
	if (!d)
		return EXIT_ERROR;
	struct gc_kernel *kern = NULL;
	uint64_t pgd_pfn = 0;
	struct gc_convert_patch patch;
	char patch_what[256];
	size_t nr_patch = 0;
	char used[512] = "";
	if (!no_kernel) {
		struct gc_error *kerr = gc_kernel_open(d, &kopts, &kern);
		if (kerr) {
			snprintf(used, sizeof(used), "none (%s)",
				 gc_error_string(kerr));
			gc_error_free(kerr);
			kern = NULL;
		} else {
			kernel_facts(d, kern, &o.kernel, &pgd_pfn, used,
				     sizeof(used));
			pv_patch(d, kern, &patch, patch_what,
				 sizeof(patch_what), &nr_patch);
			o.kernel.patches = &patch;
			o.kernel.nr_patches = nr_patch;
		}
	}
	struct cli_progress pb;
	cli_progress_init(&pb, "convert", gc_dump_page_size(d));
	o.progress = cli_progress_update;
	o.progress_arg = &pb;
	o.cancel = cli_cancel_flag();
	struct gc_convert_stats st;
	struct gc_error *err = gc_convert(d, out, &o, &st);
	cli_progress_done(&pb);
	if (err) {
		gc_kernel_close(kern);
		gc_dump_close(d);
		return cli_error(err);
	}
	struct gc_verify_stats vs;
	int rc = EXIT_OK;
	if (verify) {
		err = gc_convert_verify(d, out, &o, &vs);
		if (err) {
			gc_kernel_close(kern);
			gc_dump_close(d);
			return cli_error(err);
		}
		if (vs.mismatches)
			rc = EXIT_PROBLEMS;
	}
	if (json) {
		struct gc_json j;
		gc_json_init(&j, stdout, true);
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
		if (nr_patch)
			gc_json_string(&j, patch_what);
		gc_json_array_end(&j);
		json_stats(&j, &st);
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
		print_text(in, out, d, &o, &st);
		if (!no_kernel)
			printf("  kernel facts used: %s\n",
			       used[0] ? used : "none");
		if (nr_patch)
			printf("  patched: %s\n", patch_what);
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
	gc_kernel_close(kern);
	gc_dump_close(d);
	return rc;
}

const struct cli_command cmd_convert = {
	.name = "convert",
	.run = run,
	.summary = "write any dump as an ELF vmcore or kdump-compressed file "
		   "(pfn space) that crash, drgn and gdb open",
	.usage = "convert IN -o OUT [--format elf|kdump] "
		 "[--compress zstd|zlib|lzo|snappy|none] [--exclude zero] "
		 "[--verify] [--force] [--threads N] [--page-offset ADDR] "
		 "[--no-kernel] [--vmcoreinfo F] [--system-map F] "
		 "[--vmlinux F] [--json]\n  (--compress/--exclude need --format kdump, "
		 "default zstd; exit 1 if --verify finds a mismatch)",
};
