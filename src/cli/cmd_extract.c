// SPDX-License-Identifier: MIT
/*
 * guestcore extract: a KVM (VMX) guest out of a host dump as a vmcore --
 * gc_guest_open("vmx") (src/lib/guests/vmx/) written by the guest
 * pipeline (gc_guest_extract, src/lib/writers/guest_extract.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cmd_vmx.h"
#include "guestcore/guest.h"
#include "guestcore/kernel.h"
#include "guestcore/kvm.h"
#include "guestcore/svm.h"
#include "guestcore/vmx.h"
#include "guestcore/writer.h"
#include "progress.h"

#define MAX_LAYOUTS 16
#define MAX_VMCS 4096
#define MAX_LISTED 64

struct xopts {
	bool json, verify, all, vmcb_scan;
	struct gc_convert_opts conv;
	struct gc_vmcs_scan_opts scan;
};

static bool parse_vmcs_list(const char *s, uint64_t **out, size_t *nr)
{
	char *copy = strdup(s);
	if (!copy)
		return false;
	bool ok = true;
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t && ok;
	     t = strtok_r(NULL, ",", &save)) {
		uint64_t v;
		if (!cli_parse_hex(t, &v) || (v & 0xfff) || *nr >= MAX_VMCS) {
			ok = false;
			break;
		}
		uint64_t *n = realloc(*out, (*nr + 1) * sizeof(**out));
		if (!n) {
			ok = false;
			break;
		}
		*out = n;
		(*out)[(*nr)++] = v;
	}
	free(copy);
	return ok && *nr;
}

/* Layout database: built-ins, the host's VMCSINFO note, --layout files
 * (these win). */
static struct gc_error *make_db(struct gc_dump *d, char **layouts, size_t nl,
				bool json, struct gc_vmcs_db **out)
{
	struct gc_vmcs_db *db;
	struct gc_error *err = gc_vmcs_db_new(true, &db);
	if (!err)
		err = gc_vmcs_db_add_published(db);
	if (err) {
		gc_vmcs_db_free(db);
		return err;
	}
	struct gc_report *w = cli_report_new();
	struct gc_vmcs_layout *note;
	err = vmx_layout_from_dump(d, 0, 0, w, &note);
	if (!err) {
		err = gc_vmcs_db_add(db, note);
	} else if (gc_error_code(err) == GC_ERR_NOT_PRESENT) {
		gc_error_free(err);
		err = NULL;
	} else {
		fprintf(stderr, "guestcore: warning: %s\n",
			gc_error_string(err));
		gc_error_free(err);
		err = NULL;
	}
	for (size_t i = 0; i < nl && !err; i++) {
		struct gc_vmcs_layout *l;
		err = vmx_load_layout_file(layouts[i], w, &l);
		if (!err)
			err = gc_vmcs_db_add(db, l);
	}
	if (!json)
		vmx_print_warnings(w, stderr);
	gc_report_free(w);
	if (err) {
		gc_vmcs_db_free(db);
		return err;
	}
	*out = db;
	return NULL;
}

/* Register N of C (NULL: none known) printed WIDTH hex digits wide, or
 * "unknown": a register the source did not give is never shown as 0. */
static const char *reg_text(const struct gc_vcpu *c, unsigned int n,
			    int width, char buf[24])
{
	uint64_t v;
	if (!c || !gc_vcpu_get_reg(c, n, &v))
		return "unknown";
	snprintf(buf, 24, "%0*" PRIx64, width, v);
	return buf;
}

/* "NAME": register N of C, or null when it is not known. */
static void json_reg(struct gc_json *j, const char *name,
		     const struct gc_vcpu *c, unsigned int n)
{
	uint64_t v;
	gc_json_key(j, name);
	if (c && gc_vcpu_get_reg(c, n, &v))
		gc_json_hex(j, v);
	else
		gc_json_null(j);
}

static void print_guest(const char *out, struct gc_guest *guest,
			const struct gc_guest_extract_result *r,
			const struct gc_verify_stats *vs, bool verify,
			bool verify_ok, bool kdump)
{
	const struct gc_vmx_guest_info *gi = gc_vmx_guest_info(guest);
	printf("guest: EPTP 0x%" PRIx64 " (%u-level EPT), %zu vCPU%s\n",
	       gi->eptp, gi->ept_levels, gi->nr_vcpus,
	       gi->nr_vcpus == 1 ? "" : "s");
	for (size_t i = 0; i < gi->nr_vcpus; i++) {
		const struct gc_vmx_guest_vcpu *v = &gi->vcpus[i];
		struct gc_vcpu c;
		struct gc_error *err = gc_guest_vcpu(guest, (unsigned int)i, &c);
		const struct gc_vcpu *cp = err ? NULL : &c;
		char b[6][24];
		printf("  vCPU %zu: VMCS 0x%" PRIx64 " revision 0x%x, VPID %"
		       PRIu64 ", layout %s (chunk order %s%s)\n", i, v->vmcs,
		       v->revision, v->vpid, v->layout,
		       v->high_first ? "high-first" : "low-first",
		       v->order_decided ? "" : ", not verifiable");
		if (err) {
			printf("    registers unreadable: %s\n",
			       gc_error_string(err));
			gc_error_free(err);
			continue;
		}
		printf("    RIP %s  RSP %s  RFLAGS %s\n",
		       reg_text(cp, GC_REG_RIP, 16, b[0]),
		       reg_text(cp, GC_REG_RSP, 16, b[1]),
		       reg_text(cp, GC_REG_RFLAGS, 8, b[2]));
		printf("    CR0 %s  CR3 %s  CR4 %s  EFER %s\n",
		       reg_text(cp, GC_REG_CR0, 16, b[0]),
		       reg_text(cp, GC_REG_CR3, 16, b[1]),
		       reg_text(cp, GC_REG_CR4, 8, b[2]),
		       reg_text(cp, GC_REG_EFER, 1, b[3]));
	}
	printf("  general registers (rax..r15 but rsp), cr2 and "
	       "kernel_gs_base are not in a VMCS: stored as 0, marked "
	       "unknown in the GUESTCORE note\n");
	printf("EPT: %" PRIu64 " guest frames mapped in %zu pieces: %" PRIu64
	       " with data, %" PRIu64 " missing, %" PRIu64 " outside the host "
	       "dump's memory\n", gi->frames_mapped, gi->nr_maps,
	       gi->frames_present, gi->frames_missing, gi->frames_not_ram);
	size_t listed = 0, nr_gaps;
	const struct gc_guest_gap *gaps = gc_guest_gaps(guest, &nr_gaps);
	for (size_t i = 0; i < nr_gaps; i++) {
		const struct gc_guest_gap *g = &gaps[i];
		if (listed++ == MAX_LISTED) {
			printf("... %zu more ranges (--json lists all)\n",
			       nr_gaps - MAX_LISTED);
			break;
		}
		printf("%s: guest 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64
		       " pages, host 0x%" PRIx64 "): %s; left out of the "
		       "output\n",
		       g->state == GC_PAGE_ABSENT ? "outside host memory" :
						    "missing",
		       g->gfn << 12, ((g->gfn + g->count) << 12) - 1, g->count,
		       g->target, g->reason);
	}
	for (size_t i = 0; i < gi->nr_ept_problems; i++)
		printf("EPT problem: %s\n", gi->ept_problems[i].message);
	printf("wrote %s: %" PRIu64 " pages of guest memory, %" PRIu64
	       " bytes", out, r->stats.pages_written, r->stats.out_bytes);
	if (!kdump)
		printf(", %" PRIu64 " PT_LOAD(s)", r->stats.segments);
	printf(", %u vCPU note(s)\n", r->stats.nr_vcpus);
	printf("VMCOREINFO: %s%s\n", r->stats.has_vmcoreinfo ? "stored, " : "",
	       r->vmcoreinfo_status ? r->vmcoreinfo_status : "?");
	if (verify) {
		printf("verify: %s: %" PRIu64 " pages compared, %" PRIu64
		       " differ, %" PRIu64 " extra in the output\n",
		       verify_ok ? "ok" : "FAILED", vs->compared,
		       vs->mismatches, vs->extra);
		if (vs->has_first_mismatch)
			printf("verify: first differing page at guest 0x%"
			       PRIx64 "\n", vs->first_mismatch_pfn << 12);
	}
}

static void json_guest(struct gc_json *j, const char *out,
		       struct gc_guest *guest,
		       const struct gc_guest_extract_result *r,
		       const struct gc_verify_stats *vs, bool verify,
		       bool verify_ok)
{
	const struct gc_vmx_guest_info *gi = gc_vmx_guest_info(guest);
	gc_json_object_begin(j);
	gc_json_key(j, "output");
	gc_json_string(j, out);
	gc_json_key(j, "eptp");
	gc_json_hex(j, gi->eptp);
	gc_json_key(j, "ept_levels");
	gc_json_u64(j, gi->ept_levels);
	gc_json_key(j, "vcpus");
	gc_json_array_begin(j);
	for (size_t i = 0; i < gi->nr_vcpus; i++) {
		const struct gc_vmx_guest_vcpu *v = &gi->vcpus[i];
		struct gc_vcpu c;
		struct gc_error *err = gc_guest_vcpu(guest, (unsigned int)i, &c);
		const struct gc_vcpu *cp = err ? NULL : &c;
		gc_json_object_begin(j);
		if (err)
			cli_json_error(j, err);
		gc_error_free(err);
		gc_json_key(j, "vmcs");
		gc_json_hex(j, v->vmcs);
		gc_json_key(j, "revision");
		gc_json_hex(j, v->revision);
		gc_json_key(j, "layout");
		gc_json_string(j, v->layout);
		gc_json_key(j, "vpid");
		gc_json_u64(j, v->vpid);
		static const struct {
			const char *name;
			enum gc_vcpu_reg reg;
		} regs[] = {
			{ "rip", GC_REG_RIP }, { "rsp", GC_REG_RSP },
			{ "rflags", GC_REG_RFLAGS }, { "cr0", GC_REG_CR0 },
			{ "cr3", GC_REG_CR3 }, { "cr4", GC_REG_CR4 },
			{ "efer", GC_REG_EFER }, { "cs", GC_REG_CS },
			{ "fs_base", GC_REG_FS_BASE },
			{ "gs_base", GC_REG_GS_BASE },
			{ "gdt_base", GC_REG_GDT_BASE },
			{ "idt_base", GC_REG_IDT_BASE },
		};
		for (size_t k = 0; k < sizeof(regs) / sizeof(regs[0]); k++)
			json_reg(j, regs[k].name, cp, regs[k].reg);
		gc_json_object_end(j);
	}
	gc_json_array_end(j);
	gc_json_key(j, "frames_mapped");
	gc_json_u64(j, gi->frames_mapped);
	gc_json_key(j, "frames_present");
	gc_json_u64(j, gi->frames_present);
	gc_json_key(j, "frames_missing");
	gc_json_u64(j, gi->frames_missing);
	gc_json_key(j, "frames_outside_host_memory");
	gc_json_u64(j, gi->frames_not_ram);
	gc_json_key(j, "gaps");
	gc_json_array_begin(j);
	size_t nr_gaps;
	const struct gc_guest_gap *gaps = gc_guest_gaps(guest, &nr_gaps);
	for (size_t i = 0; i < nr_gaps; i++) {
		const struct gc_guest_gap *g = &gaps[i];
		gc_json_object_begin(j);
		gc_json_key(j, "gpa");
		gc_json_hex(j, g->gfn << 12);
		gc_json_key(j, "pages");
		gc_json_u64(j, g->count);
		gc_json_key(j, "hpa");
		gc_json_hex(j, g->target);
		gc_json_key(j, "reason");
		gc_json_string(j, g->reason);
		gc_json_object_end(j);
	}
	gc_json_array_end(j);
	gc_json_key(j, "ept_problems");
	gc_json_array_begin(j);
	for (size_t i = 0; i < gi->nr_ept_problems; i++)
		gc_json_string(j, gi->ept_problems[i].message);
	gc_json_array_end(j);
	gc_json_key(j, "pages_written");
	gc_json_u64(j, r->stats.pages_written);
	gc_json_key(j, "pages_missing");
	gc_json_u64(j, r->stats.pages_missing);
	gc_json_key(j, "pt_loads");
	gc_json_u64(j, r->stats.segments);
	gc_json_key(j, "output_bytes");
	gc_json_u64(j, r->stats.out_bytes);
	gc_json_key(j, "vmcoreinfo");
	gc_json_bool(j, r->stats.has_vmcoreinfo);
	gc_json_key(j, "vmcoreinfo_source");
	gc_json_string(j, r->vmcoreinfo_status ? r->vmcoreinfo_status : "");
	if (verify) {
		gc_json_key(j, "verify");
		gc_json_object_begin(j);
		gc_json_key(j, "pages_compared");
		gc_json_u64(j, vs->compared);
		gc_json_key(j, "pages_differ");
		gc_json_u64(j, vs->mismatches);
		gc_json_key(j, "extra");
		gc_json_u64(j, vs->extra);
		gc_json_key(j, "ok");
		gc_json_bool(j, verify_ok);
		gc_json_object_end(j);
	}
	gc_json_object_end(j);
}

/* Write GUEST to OUT (and read it back with --verify): -1 when done,
 * otherwise the exit status of an error (GUEST is closed then). */
static int write_guest(struct gc_guest *guest, const char *out,
		       const struct xopts *x, struct gc_guest_extract_result *r,
		       struct gc_verify_stats *vs, bool *verify_ok)
{
	struct gc_convert_opts o = x->conv;
	struct cli_progress pb;
	cli_progress_init(&pb, "extract", 4096);
	o.progress = cli_progress_update;
	o.progress_arg = &pb;
	/* SIGINT/SIGTERM: stop at the next page, remove the temporary
	 * output, exit 130 (as convert and extract-qemu) */
	o.cancel = cli_cancel_flag();
	struct gc_error *err = gc_guest_extract(guest, out, &o, r);
	cli_progress_done(&pb);
	memset(vs, 0, sizeof(*vs));
	*verify_ok = true;
	if (!err && x->verify) {
		err = gc_guest_verify(guest, out, &o, vs);
		*verify_ok = !vs->mismatches && !vs->extra && !vs->missing;
	}
	if (err) {
		gc_guest_extract_result_free(r);
		gc_guest_close(guest);
		return cli_error(err);
	}
	if (r->stats.pages_missing && !x->json)
		printf("missing: %" PRIu64 " guest pages the host dump lists "
		       "could not be read; left out of the output\n",
		       r->stats.pages_missing);
	return -1;
}

/* Open, write and verify one guest; returns the exit status. */
static int one_guest(struct gc_dump *host, const struct gc_vmcs_db *db,
		     const uint64_t *vmcs, size_t nr, const char *out,
		     const struct xopts *x, struct gc_json *j)
{
	struct gc_guest_args ga = {
		.host = host, .addrs = vmcs, .nr_addrs = nr, .vmcs_db = db,
		.text_start = x->scan.text_start, .text_end = x->scan.text_end,
	};
	struct gc_guest *guest;
	struct gc_error *err = gc_guest_open("vmx", &ga, &guest);
	if (err)
		return cli_error(gc_error_set_file(err, gc_dump_path(host)));
	struct gc_guest_extract_result r;
	struct gc_verify_stats vs;
	bool verify_ok;
	int wrc = write_guest(guest, out, x, &r, &vs, &verify_ok);
	if (wrc >= 0)
		return wrc;
	const struct gc_vmx_guest_info *gi = gc_vmx_guest_info(guest);
	int rc = (gi->frames_missing || gi->nr_ept_problems || !verify_ok ||
		  r.stats.pages_missing) ?
			 EXIT_PROBLEMS : EXIT_OK;
	if (j) {
		json_guest(j, out, guest, &r, &vs, x->verify, verify_ok);
	} else if (x->json) {
		struct gc_json top;
		gc_json_init(&top, stdout, true);
		json_guest(&top, out, guest, &r, &vs, x->verify, verify_ok);
		gc_json_end(&top);
	} else
		print_guest(out, guest, &r, &vs, x->verify, verify_ok,
			    x->conv.format == GC_OUT_KDUMP);
	gc_guest_extract_result_free(&r);
	gc_guest_close(guest);
	return rc;
}

/* ---- KVM guests through the host kernel's structures (source "kvm") ---- */

/* The closing lines of a kvm or svm extraction's text report. */
static void text_written(const char *out,
			 const struct gc_guest_extract_result *r,
			 const struct gc_verify_stats *vs, bool verify,
			 bool verify_ok)
{
	printf("wrote %s: %" PRIu64 " pages of guest memory, %" PRIu64
	       " bytes, %u vCPU note(s)\n", out, r->stats.pages_written,
	       r->stats.out_bytes, r->stats.nr_vcpus);
	printf("VMCOREINFO: %s%s\n", r->stats.has_vmcoreinfo ? "stored, " : "",
	       r->vmcoreinfo_status ? r->vmcoreinfo_status : "?");
	if (verify)
		printf("verify: %s: %" PRIu64 " pages compared, %" PRIu64
		       " differ, %" PRIu64 " extra in the output\n",
		       verify_ok ? "ok" : "FAILED", vs->compared,
		       vs->mismatches, vs->extra);
}

static void print_kvm(const char *out, struct gc_guest *guest,
		      const struct gc_guest_extract_result *r,
		      const struct gc_verify_stats *vs, bool verify,
		      bool verify_ok)
{
	const struct gc_kvm_vm *vm = gc_kvm_guest_vm(guest);
	const struct gc_guest_counts *c = gc_guest_counts(guest);
	printf("guest: struct kvm 0x%" PRIx64 ", VMM pid %" PRIu32 " (%s)%s%s,"
	       " %u vCPU%s, %" PRIu64 " MiB in memory slots\n", vm->kvm,
	       vm->pid, vm->comm, vm->name[0] ? " name " : "", vm->name,
	       vm->nr_vcpus, vm->nr_vcpus == 1 ? "" : "s", vm->mem_bytes >> 20);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		const struct gc_vcpu *v = &vm->vcpus[i].regs;
		char b[3][24];
		printf("  vCPU %d: RIP %s  RSP %s  CR3 %s%s\n",
		       vm->vcpus[i].vcpu_id, reg_text(v, GC_REG_RIP, 16, b[0]),
		       reg_text(v, GC_REG_RSP, 16, b[1]),
		       reg_text(v, GC_REG_CR3, 16, b[2]),
		       vm->vcpus[i].mode == 1 ? "  (in guest mode)" : "");
	}
	printf("memory: %" PRIu64 " guest frames mapped: %" PRIu64 " with data, %"
	       PRIu64 " missing in the host dump, %" PRIu64 " not mapped by the "
	       "VMM or outside host memory\n", c->frames_mapped,
	       c->frames_present, c->frames_missing, c->frames_not_ram);
	size_t nr_gaps;
	const struct gc_guest_gap *gaps = gc_guest_gaps(guest, &nr_gaps);
	for (size_t i = 0; i < nr_gaps && i < MAX_LISTED; i++)
		printf("gap: guest 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64
		       " pages): %s; left out of the output\n",
		       gaps[i].gfn << 12, ((gaps[i].gfn + gaps[i].count) << 12) - 1,
		       gaps[i].count, gaps[i].reason);
	const struct gc_report *f = gc_guest_findings(guest);
	for (size_t i = 0; i < gc_report_count(f); i++)
		printf("note: %s\n", gc_report_finding(f, i)->message);
	text_written(out, r, vs, verify, verify_ok);
}

static void json_kvm(struct gc_json *j, const char *out,
		     struct gc_guest *guest,
		     const struct gc_guest_extract_result *r,
		     const struct gc_verify_stats *vs, bool verify,
		     bool verify_ok)
{
	const struct gc_kvm_vm *vm = gc_kvm_guest_vm(guest);
	const struct gc_guest_counts *c = gc_guest_counts(guest);
	gc_json_object_begin(j);
	gc_json_key(j, "output");
	gc_json_string(j, out);
	gc_json_key(j, "source");
	gc_json_string(j, "kvm");
	gc_json_key(j, "kvm");
	gc_json_hex(j, vm->kvm);
	gc_json_key(j, "vmm_pid");
	gc_json_u64(j, vm->pid);
	gc_json_key(j, "comm");
	gc_json_string(j, vm->comm);
	gc_json_key(j, "name");
	gc_json_string(j, vm->name);
	gc_json_key(j, "vcpus");
	gc_json_array_begin(j);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		const struct gc_vcpu *v = &vm->vcpus[i].regs;
		gc_json_object_begin(j);
		gc_json_key(j, "vcpu_id");
		gc_json_i64(j, vm->vcpus[i].vcpu_id);
		for (unsigned int n = 0; n < GC_REG_COUNT; n++) {
			uint64_t val;
			if (!gc_vcpu_get_reg(v, n, &val))
				continue;
			gc_json_key(j, gc_arch_reg_name(GC_ARCH_X86_64, n));
			gc_json_hex(j, val);
		}
		gc_json_object_end(j);
	}
	gc_json_array_end(j);
	gc_json_key(j, "frames_mapped");
	gc_json_u64(j, c->frames_mapped);
	gc_json_key(j, "frames_present");
	gc_json_u64(j, c->frames_present);
	gc_json_key(j, "frames_missing");
	gc_json_u64(j, c->frames_missing);
	gc_json_key(j, "frames_not_mapped");
	gc_json_u64(j, c->frames_not_ram);
	gc_json_key(j, "gaps");
	gc_json_array_begin(j);
	size_t nr_gaps;
	const struct gc_guest_gap *gaps = gc_guest_gaps(guest, &nr_gaps);
	for (size_t i = 0; i < nr_gaps; i++) {
		gc_json_object_begin(j);
		gc_json_key(j, "gpa");
		gc_json_hex(j, gaps[i].gfn << 12);
		gc_json_key(j, "pages");
		gc_json_u64(j, gaps[i].count);
		gc_json_key(j, "reason");
		gc_json_string(j, gaps[i].reason);
		gc_json_object_end(j);
	}
	gc_json_array_end(j);
	gc_json_key(j, "pages_written");
	gc_json_u64(j, r->stats.pages_written);
	gc_json_key(j, "pages_missing");
	gc_json_u64(j, r->stats.pages_missing);
	gc_json_key(j, "output_bytes");
	gc_json_u64(j, r->stats.out_bytes);
	gc_json_key(j, "vmcoreinfo");
	gc_json_bool(j, r->stats.has_vmcoreinfo);
	if (verify) {
		gc_json_key(j, "verify");
		gc_json_object_begin(j);
		gc_json_key(j, "pages_compared");
		gc_json_u64(j, vs->compared);
		gc_json_key(j, "pages_differ");
		gc_json_u64(j, vs->mismatches);
		gc_json_key(j, "ok");
		gc_json_bool(j, verify_ok);
		gc_json_object_end(j);
	}
	gc_json_object_end(j);
}

static int one_kvm(struct gc_dump *host, struct gc_kernel *k, unsigned int vm,
		   const char *out, const struct xopts *x, struct gc_json *j)
{
	struct gc_guest_args ga = { .host = host, .kernel = k, .vm = vm };
	struct gc_guest *guest;
	struct gc_error *err = gc_guest_open("kvm", &ga, &guest);
	if (err)
		return cli_error(gc_error_set_file(err, gc_dump_path(host)));
	if (!gc_guest_counts(guest)->frames_present) {
		char *note = gc_kvm_dump_level_note(host);
		if (note)
			fprintf(stderr, "guestcore: %s: %s\n",
				gc_dump_path(host), note);
		free(note);
	}
	if (k) {
		/* guest RAM in hugetlbfs slots filtered by the dump level */
		char *hn = gc_kvm_hugetlb_level_note(k, gc_kvm_guest_vm(guest));
		if (hn)
			fprintf(stderr, "guestcore: %s: %s\n",
				gc_dump_path(host), hn);
		free(hn);
	}
	struct gc_guest_extract_result r;
	struct gc_verify_stats vs;
	bool verify_ok;
	int wrc = write_guest(guest, out, x, &r, &vs, &verify_ok);
	if (wrc >= 0)
		return wrc;
	const struct gc_guest_counts *c = gc_guest_counts(guest);
	int rc = (c->frames_missing || c->frames_not_ram || !verify_ok ||
		  r.stats.pages_missing) ?
			 EXIT_PROBLEMS : EXIT_OK;
	if (j) {
		json_kvm(j, out, guest, &r, &vs, x->verify, verify_ok);
	} else if (x->json) {
		struct gc_json top;
		gc_json_init(&top, stdout, true);
		json_kvm(&top, out, guest, &r, &vs, x->verify, verify_ok);
		gc_json_end(&top);
	} else {
		print_kvm(out, guest, &r, &vs, x->verify, verify_ok);
	}
	gc_guest_extract_result_free(&r);
	gc_guest_close(guest);
	return rc;
}

/* ---- AMD guests of the VMCB scan (source "svm") ------------------------ */

static const enum gc_vcpu_reg svm_shown[8] = {
	GC_REG_RIP, GC_REG_RSP, GC_REG_RAX, GC_REG_RFLAGS,
	GC_REG_CR0, GC_REG_CR3, GC_REG_CR4, GC_REG_EFER
};

static void print_svm(const char *out, struct gc_guest *guest,
		      const struct gc_guest_extract_result *r,
		      const struct gc_verify_stats *vs, bool verify,
		      bool verify_ok)
{
	const struct gc_svm_guest_info *si = gc_svm_guest_info(guest);
	const struct gc_guest_counts *c = gc_guest_counts(guest);
	printf("guest: nested_cr3 0x%" PRIx64 " (%u-level NPT), %zu vCPU%s "
	       "(VMCB scan)\n", si->nested_cr3, si->levels, si->nr_vcpus,
	       si->nr_vcpus == 1 ? "" : "s");
	for (size_t i = 0; i < si->nr_vcpus; i++) {
		struct gc_vcpu vc;
		struct gc_error *err = gc_guest_vcpu(guest, (unsigned int)i, &vc);
		const struct gc_vcpu *cp = err ? NULL : &vc;
		static const int width[8] = { 16, 16, 16, 8, 16, 16, 8, 1 };
		char b[8][24];
		const char *t[8];
		for (size_t k = 0; k < 8; k++)
			t[k] = reg_text(cp, svm_shown[k], width[k], b[k]);
		printf("  vCPU %zu: VMCB 0x%" PRIx64 " ASID %" PRIu32 "  RIP %s"
		       "  RSP %s  RAX %s\n", i, si->vcpus[i].vmcb,
		       si->vcpus[i].asid, t[0], t[1], t[2]);
		if (err)
			printf("    registers unreadable: %s\n",
			       gc_error_string(err));
		else
			printf("    RFLAGS %s  CR0 %s  CR3 %s  CR4 %s  EFER %s\n",
			       t[3], t[4], t[5], t[6], t[7]);
		gc_error_free(err);
	}
	printf("  %s are not in a VMCB (KVM keeps them in kvm_vcpu.arch.regs):"
	       " stored as 0, marked unknown in the GUESTCORE note\n",
	       GC_SVM_UNKNOWN_REGS);
	printf("NPT: %" PRIu64 " guest frames mapped: %" PRIu64 " with data, %"
	       PRIu64 " missing, %" PRIu64 " outside the host dump's memory\n",
	       c->frames_mapped, c->frames_present, c->frames_missing,
	       c->frames_not_ram);
	text_written(out, r, vs, verify, verify_ok);
}

static void json_svm(struct gc_json *j, const char *out,
		     struct gc_guest *guest,
		     const struct gc_guest_extract_result *r,
		     const struct gc_verify_stats *vs, bool verify,
		     bool verify_ok, const char *why)
{
	const struct gc_svm_guest_info *si = gc_svm_guest_info(guest);
	const struct gc_guest_counts *c = gc_guest_counts(guest);
	gc_json_object_begin(j);
	gc_json_key(j, "output");
	gc_json_string(j, out);
	gc_json_key(j, "source");
	gc_json_string(j, "svm-scan");
	gc_json_key(j, "fallback_reason");
	if (why)
		gc_json_string(j, why);
	else
		gc_json_null(j);
	gc_json_key(j, "nested_cr3");
	gc_json_hex(j, si->nested_cr3);
	gc_json_key(j, "npt_levels");
	gc_json_u64(j, si->levels);
	gc_json_key(j, "vcpus");
	gc_json_array_begin(j);
	static const char *const names[] = { "rip", "rsp", "rax", "rflags",
					     "cr0", "cr3", "cr4", "efer" };
	for (size_t i = 0; i < si->nr_vcpus; i++) {
		struct gc_vcpu vc;
		struct gc_error *err = gc_guest_vcpu(guest, (unsigned int)i, &vc);
		gc_json_object_begin(j);
		if (err)
			cli_json_error(j, err);
		gc_json_key(j, "vmcb");
		gc_json_hex(j, si->vcpus[i].vmcb);
		gc_json_key(j, "asid");
		gc_json_u64(j, si->vcpus[i].asid);
		for (size_t k = 0; k < 8; k++)
			json_reg(j, names[k], err ? NULL : &vc, svm_shown[k]);
		gc_json_object_end(j);
		gc_error_free(err);
	}
	gc_json_array_end(j);
	gc_json_key(j, "unknown_registers");
	gc_json_string(j, GC_SVM_UNKNOWN_REGS);
	gc_json_key(j, "frames_mapped");
	gc_json_u64(j, c->frames_mapped);
	gc_json_key(j, "frames_present");
	gc_json_u64(j, c->frames_present);
	gc_json_key(j, "frames_missing");
	gc_json_u64(j, c->frames_missing);
	gc_json_key(j, "frames_outside_host_memory");
	gc_json_u64(j, c->frames_not_ram);
	gc_json_key(j, "pages_written");
	gc_json_u64(j, r->stats.pages_written);
	gc_json_key(j, "pages_missing");
	gc_json_u64(j, r->stats.pages_missing);
	gc_json_key(j, "output_bytes");
	gc_json_u64(j, r->stats.out_bytes);
	if (verify) {
		gc_json_key(j, "verify");
		gc_json_object_begin(j);
		gc_json_key(j, "pages_compared");
		gc_json_u64(j, vs->compared);
		gc_json_key(j, "pages_differ");
		gc_json_u64(j, vs->mismatches);
		gc_json_key(j, "ok");
		gc_json_bool(j, verify_ok);
		gc_json_object_end(j);
	}
	gc_json_object_end(j);
}

static int one_svm(struct gc_dump *host, const uint64_t *vmcb, size_t nr,
		   const char *out, const struct xopts *x, struct gc_json *j,
		   const char *why)
{
	struct gc_guest_args ga = { .host = host, .addrs = vmcb,
				    .nr_addrs = nr };
	struct gc_guest *guest;
	struct gc_error *err = gc_guest_open("svm", &ga, &guest);
	if (err)
		return cli_error(gc_error_set_file(err, gc_dump_path(host)));
	struct gc_guest_extract_result r;
	struct gc_verify_stats vs;
	bool verify_ok;
	int wrc = write_guest(guest, out, x, &r, &vs, &verify_ok);
	if (wrc >= 0)
		return wrc;
	int rc = (gc_guest_counts(guest)->frames_missing || !verify_ok ||
		  r.stats.pages_missing || why)
			 ? EXIT_PROBLEMS : EXIT_OK;
	if (j) {
		json_svm(j, out, guest, &r, &vs, x->verify, verify_ok, why);
	} else if (x->json) {
		struct gc_json top;
		gc_json_init(&top, stdout, true);
		json_svm(&top, out, guest, &r, &vs, x->verify, verify_ok, why);
		gc_json_end(&top);
	} else {
		if (why)
			printf("the host kernel's KVM structures could not be "
			       "used (%s): this guest was found by the VMCB "
			       "scan\n", why);
		print_svm(out, guest, &r, &vs, x->verify, verify_ok);
	}
	gc_guest_extract_result_free(&r);
	gc_guest_close(guest);
	return rc;
}

static char *guest_path(const char *dir, size_t i);

/* --vm N / --all from the VMCB scan (forced with --scan, or because the
 * KVM structures failed: WHY).  -1 when the scan found no VM and the
 * caller goes on (the VMCS scan, or its own error). */
static int svm_scan_extract(struct gc_dump *host, bool vm_given,
			    unsigned int vm, const char *out,
			    const struct xopts *x, const char *why)
{
	struct gc_svm_guest_group *gr = NULL;
	size_t ng = 0;
	struct gc_error *err = gc_svm_find_guests(host, &gr, &ng);
	if (err)
		return cli_error(gc_error_set_file(err, gc_dump_path(host)));
	int rc = EXIT_OK;
	if (!ng) {
		rc = -1;
	} else if (vm_given) {
		if (vm >= ng)
			rc = cli_fail("%s: --vm %u: the VMCB scan found %zu VM%s",
				      gc_dump_path(host), vm, ng,
				      ng == 1 ? "" : "s");
		else
			rc = one_svm(host, gr[vm].vmcb, gr[vm].nr_vmcb, out, x,
				     NULL, why);
	} else if (mkdir(out, 0777) && errno != EEXIST) {
		rc = cli_fail("%s: cannot create the output directory: %s", out,
			      strerror(errno));
	} else {
		struct gc_json j, *jp = NULL;
		if (x->json) {
			gc_json_init(&j, stdout, true);
			jp = &j;
			gc_json_object_begin(jp);
			gc_json_key(jp, "guests");
			gc_json_array_begin(jp);
		}
		for (size_t i = 0; i < ng; i++) {
			char *path = guest_path(out, i);
			if (!path) {
				rc = cli_error(&gc_error_nomem);
				break;
			}
			if (!jp)
				printf("%s== guest %zu: %s\n", i ? "\n" : "", i,
				       path);
			int r1 = one_svm(host, gr[i].vmcb, gr[i].nr_vmcb, path,
					 x, jp, why);
			free(path);
			if (r1 > rc)
				rc = r1;
		}
		if (jp) {
			gc_json_array_end(jp);
			gc_json_object_end(jp);
			gc_json_end(jp);
		}
	}
	gc_svm_guest_groups_free(gr, ng);
	return rc;
}

/* The host's KVM VMs (0 when the host has no usable KVM structures: the
 * VMCS scan is then the way). */
static size_t kvm_count(struct gc_dump *host, struct gc_kernel **k,
			char **why)
{
	*k = NULL;
	struct gc_error *err = gc_kernel_open(host, NULL, k);
	struct gc_kvm_vm *vms;
	size_t nr = 0;
	if (!err)
		err = gc_kvm_list(*k, &vms, &nr);
	if (err) {
		/* why the structures could not answer (for the fallback) */
		*why = strdup(gc_error_string(err));
		gc_error_free(err);
		return 0;
	}
	gc_kvm_vms_free(vms, nr);
	return nr;
}

static char *guest_path(const char *dir, size_t i)
{
	size_t plen = strlen(dir) + 40;
	char *path = malloc(plen);
	if (path)
		snprintf(path, plen, "%s/guest%zu.vmcore", dir, i);
	return path;
}

static int run(int argc, char **argv)
{
	struct xopts x;
	memset(&x, 0, sizeof(x));
	x.json = cli_take_flag(&argc, argv, "--json");
	x.verify = cli_take_flag(&argc, argv, "--verify");
	x.all = cli_take_flag(&argc, argv, "--all");
	x.vmcb_scan = cli_take_flag(&argc, argv, "--scan");
	x.conv.format = GC_OUT_ELF;
	x.conv.codec = GC_OUT_CODEC_ZSTD;
	x.conv.force = cli_take_flag(&argc, argv, "--force");
	const char *host_path = NULL, *out = NULL;
	char *layouts[MAX_LAYOUTS];
	size_t nl = 0;
	uint64_t *vmcs = NULL, *vmcb = NULL;
	size_t nr_vmcs = 0, nr_vmcb = 0;
	bool compress_given = false, vm_given = false;
	unsigned int vm = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;
		if (!strcmp(a, "-o") && has_val) {
			out = argv[++i];
		} else if (!strcmp(a, "--vmcs") && has_val) {
			if (!parse_vmcs_list(argv[++i], &vmcs, &nr_vmcs)) {
				free(vmcs);
				free(vmcb);
				return cli_fail("extract: bad --vmcs '%s' (page-"
						"aligned hex addresses, comma-"
						"separated)", argv[i]);
			}
		} else if (!strcmp(a, "--vmcb") && has_val) {
			if (!parse_vmcs_list(argv[++i], &vmcb, &nr_vmcb)) {
				free(vmcs);
				free(vmcb);
				return cli_fail("extract: bad --vmcb '%s' (page-"
						"aligned hex addresses, comma-"
						"separated)", argv[i]);
			}
		} else if (!strcmp(a, "--vm") && has_val) {
			char *end;
			unsigned long v = strtoul(argv[++i], &end, 10);
			if (*end || !*argv[i] || v > 65535) {
				free(vmcs);
				free(vmcb);
				return cli_fail("extract: bad --vm '%s' (the "
						"index `guests` shows)", argv[i]);
			}
			vm = (unsigned int)v;
			vm_given = true;
		} else if (!strcmp(a, "--layout") && has_val &&
			   nl < MAX_LAYOUTS) {
			layouts[nl++] = argv[++i];
		} else if (!strcmp(a, "--format") && has_val) {
			const char *f = argv[++i];
			if (!strcmp(f, "kdump")) {
				x.conv.format = GC_OUT_KDUMP;
			} else if (strcmp(f, "elf")) {
				free(vmcs);
				free(vmcb);
				return cli_fail("extract: --format is elf or "
						"kdump, not '%s'", f);
			}
		} else if (!strcmp(a, "--compress") && has_val) {
			compress_given = true;
			if (!gc_out_codec_parse(argv[++i], &x.conv.codec)) {
				free(vmcs);
				free(vmcb);
				return cli_fail("extract: unknown --compress "
						"'%s'", argv[i]);
			}
		} else if (a[0] == '-' && a[1]) {
			free(vmcs);
			free(vmcb);
			fprintf(stderr, "guestcore: extract: unknown or "
					"incomplete option '%s'\n", a);
			return cli_usage(&cmd_extract);
		} else if (!host_path) {
			host_path = a;
		} else {
			free(vmcs);
			free(vmcb);
			return cli_usage(&cmd_extract);
		}
	}
	if (!host_path || !out || (x.vmcb_scan && !x.all && !vm_given) ||
	    (int)x.all + (nr_vmcs > 0) + (int)vm_given + (nr_vmcb > 0) != 1) {
		free(vmcs);
		free(vmcb);
		return cli_usage(&cmd_extract);
	}
	if (compress_given && x.conv.format != GC_OUT_KDUMP) {
		free(vmcs);
		free(vmcb);
		return cli_fail("extract: --compress needs --format kdump");
	}
	/* the one output rule set, before any work: an existing OUT needs
	 * --force, never the host dump itself, a name that says the format */
	if (!x.all) {
		struct gc_error *oerr = gc_outfile_check(out, x.conv.force,
							 host_path);
		if (oerr || !cli_out_format_ok("extract", out,
					       x.conv.format == GC_OUT_KDUMP)) {
			free(vmcs);
			free(vmcb);
			return oerr ? cli_error(oerr) : EXIT_ERROR;
		}
	}
	struct gc_dump *host = cli_open(host_path);
	if (!host) {
		free(vmcs);
		free(vmcb);
		return EXIT_ERROR;
	}
	if (nr_vmcb) {
		int brc = one_svm(host, vmcb, nr_vmcb, out, &x, NULL, NULL);
		gc_dump_close(host);
		free(vmcb);
		return brc;
	}
	struct gc_kernel *k = NULL;
	char *why = NULL;
	size_t nkvm = (!x.vmcb_scan && (vm_given || x.all)) ?
			      kvm_count(host, &k, &why) : 0;
	/* the VMCB scan: forced, or the KVM structures failed (WHY) */
	if (x.vmcb_scan || (why && vm_given)) {
		gc_kernel_close(k);
		int src = svm_scan_extract(host, vm_given, vm, out, &x, why);
		if (src < 0)
			src = cli_fail("%s: %s%sno VMCB found by the scan",
				       host_path, why ? why : "",
				       why ? "; " : "");
		free(why);
		gc_dump_close(host);
		free(vmcs);
		free(vmcb);
		return src;
	}
	if (vm_given || (x.all && nkvm)) {
		free(why);
		int krc = EXIT_OK;
		if (vm_given) {
			krc = one_kvm(host, k, vm, out, &x, NULL);
		} else if (mkdir(out, 0777) && errno != EEXIST) {
			krc = cli_fail("%s: cannot create the output directory:"
				       " %s", out, strerror(errno));
		} else {
			struct gc_json kj, *kjp = NULL;
			if (x.json) {
				gc_json_init(&kj, stdout, true);
				kjp = &kj;
				gc_json_object_begin(kjp);
				gc_json_key(kjp, "guests");
				gc_json_array_begin(kjp);
			}
			for (size_t i = 0; i < nkvm; i++) {
				char *path = guest_path(out, i);
				if (!path) {
					krc = cli_error(&gc_error_nomem);
					break;
				}
				if (!kjp)
					printf("%s== guest %zu: %s\n",
					       i ? "\n" : "", i, path);
				int r1 = one_kvm(host, k, (unsigned int)i, path,
						 &x, kjp);
				free(path);
				if (r1 > krc)
					krc = r1;
			}
			if (kjp) {
				gc_json_array_end(kjp);
				gc_json_object_end(kjp);
				gc_json_end(kjp);
			}
		}
		gc_kernel_close(k);
		gc_dump_close(host);
		free(vmcs);
		free(vmcb);
		return krc;
	}
	gc_kernel_close(k);
	free(why);
	struct gc_vmcs_db *db = NULL;
	struct gc_error *err = make_db(host, layouts, nl, x.json, &db);
	if (err) {
		gc_dump_close(host);
		free(vmcs);
		free(vmcb);
		return cli_error(err);
	}
	const char *vi;
	size_t vlen;
	uint64_t voff;
	struct gc_error *verr = gc_dump_vmcoreinfo(host, &vi, &vlen, &voff);
	if (!verr)
		gc_vmcs_text_range(vi, vlen, &x.scan.text_start,
				   &x.scan.text_end);
	gc_error_free(verr);
	struct gc_json j, *jp = NULL;
	int rc = EXIT_OK;
	if (!x.all) {
		rc = one_guest(host, db, vmcs, nr_vmcs, out, &x, NULL);
		goto done;
	}
	/* --all: one vmcore per EPTP in the directory OUT */
	if (mkdir(out, 0777) && errno != EEXIST) {
		rc = cli_fail("%s: cannot create the output directory: %s", out,
			      strerror(errno));
		goto done;
	}
	struct gc_vmx_guest_group *groups = NULL;
	size_t ng = 0;
	err = gc_vmx_find_guests(host, db, &x.scan, &groups, &ng);
	if (err) {
		rc = cli_error(gc_error_set_file(err, host_path));
		goto done;
	}
	if (!ng) {
		/* no Intel guest: the AMD VMCB scan */
		rc = svm_scan_extract(host, false, 0, out, &x,
				      "no VM on the host kernel's vm_list");
		if (rc < 0)
			rc = cli_fail("%s: no VMCS region with EPT and no VMCB "
				      "found (give the VMCS layout with "
				      "--layout?)", host_path);
		goto done;
	}
	if (x.json) {
		gc_json_init(&j, stdout, true);
		jp = &j;
		gc_json_object_begin(jp);
		gc_json_key(jp, "guests");
		gc_json_array_begin(jp);
	}
	for (size_t i = 0; i < ng; i++) {
		size_t plen = strlen(out) + 40;
		char *path = malloc(plen);
		if (path)
			snprintf(path, plen, "%s/guest%zu.vmcore", out, i);
		if (!path) {
			rc = cli_error(&gc_error_nomem);
			break;
		}
		if (!jp)
			printf("%s== guest %zu: %s\n", i ? "\n" : "", i, path);
		int r = one_guest(host, db, groups[i].vmcs, groups[i].nr_vmcs,
				  path, &x, jp);
		free(path);
		if (r > rc)
			rc = r;
	}
	if (jp) {
		gc_json_array_end(jp);
		gc_json_object_end(jp);
		gc_json_end(jp);
	}
	gc_vmx_guest_groups_free(groups, ng);
done:
	gc_vmcs_db_free(db);
	gc_dump_close(host);
	free(vmcs);
	free(vmcb);
	return rc;
}

static const struct cli_opt options[] = {
	{ .name = "output", .short_name = 'o', .arg = CLI_VALUE, .metavar = "OUT", .canon = "-o", .help = "the guest vmcore to write (a directory with --all)" },
	CLI_VALUE_OPT("vmcs", 0, "PADDR[,PADDR...]", "the guest's VMCS regions (one per vCPU)"),
	CLI_VALUE_OPT("vmcb", 0, "PADDR[,PADDR...]", "the guest's VMCBs (AMD SVM; one per vCPU, the same nested_cr3)"),
	CLI_FLAG_OPT("scan", 0, "with --vm N / --all: the VMs of the VMCB scan (guests --scan) instead of the host kernel's KVM structures"),
	CLI_VALUE_OPT("vm", 0, "N", "the KVM guest N of the host kernel's vm_list (the index `guests` shows)"),
	CLI_FLAG_OPT("all", 0, "every guest, one vmcore each into the directory OUT: the host kernel's KVM VMs, else one per EPTP of the VMCS scan"),
	CLI_VALUE_OPT("layout", 0, "FILE", "a VMCS layout (VMCSINFO text or note); repeat for more"),
	CLI_VALUE_OPT("format", 0, "elf|kdump", "ELF vmcore (default) or kdump-compressed"),
	CLI_VALUE_OPT("compress", 0, "zstd|zlib|lzo|snappy|none", "kdump page codec (default zstd)"),
	CLI_FLAG_OPT("verify", 0, "compare the output with the guest page for page"),
	CLI_FLAG_OPT("force", 0, "replace an existing regular output"),
	CLI_FLAG_OPT("json", 0, "print one JSON object"),
	CLI_OPT_END,
};

const struct cli_command cmd_extract = {
	.name = "extract",
	.run = run,
	.summary = "extract a KVM guest from a host dump as a vmcore",
	.usage = "extract HOST --vm N -o GUEST.vmcore [--format elf|kdump] "
		 "[--verify] [--force] [--json]\n"
		 "       guestcore extract HOST --vmcs PADDR[,PADDR...] -o GUEST.vmcore "
		 "[--layout FILE]... [--format elf|kdump] "
		 "[--compress zstd|zlib|lzo|snappy|none] [--verify] "
		 "[--force] [--json]\n"
		 "       guestcore extract HOST --vmcb PADDR[,PADDR...] -o "
		 "GUEST.vmcore [--verify] [--force] [--json]\n"
		 "       guestcore extract HOST --all -o DIR [same options]: "
		 "DIR/guestN.vmcore per KVM VM (else per EPTP, else per "
		 "nested_cr3 of the VMCB scan); --scan with --vm/--all forces "
		 "the VMCB scan",
	.opts = options,
};
