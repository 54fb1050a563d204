// SPDX-License-Identifier: MIT
/*
 * The "svm" guest source: a KVM guest on AMD SVM inside a host dump, found
 * without the host kernel's KVM structures.  Its physical space is the NPT
 * rooted at its VMCBs' nested_cr3 (gc_npt_xlat_new) over the host dump's
 * physical space; registers come from each vCPU's VMCB state save area.
 * The general registers a VMCB does not hold are unknown and the
 * provenance says so.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/guest.h"
#include "guestcore/svm.h"
#include "svm_internal.h"
#include "util/util.h"

#define SAVE 0x400u
#define CR3_ROOT 0x000ffffffffff000ull

extern const struct gc_guest_source gc_guest_source_svm;

struct sguest {
	struct gc_dump *host;          /* not owned */
	struct gc_hostmem mem;
	struct gc_svm_guest_vcpu *vinfo;
	struct gc_svm_guest_info info;
	uint64_t (*msrs)[4];           /* star, lstar, cstar, sfmask */
};

static struct gc_error *sv_locate(struct gc_guest *gg, uint64_t hpa,
				  struct gc_page_loc *loc)
{
	struct sguest *g = gg->priv;
	return gc_guest_locate_host(g->host, hpa, loc);
}

static void sv_close(struct gc_guest *gg)
{
	struct sguest *g = gg->priv;
	if (!g)
		return;
	free(g->vinfo);
	free(g->msrs);
	free(g);
	gg->priv = NULL;
}

const struct gc_svm_guest_info *gc_svm_guest_info(const struct gc_guest *gg)
{
	if (!gg || gg->src != &gc_guest_source_svm)
		return NULL;
	const struct sguest *g = gg->priv;
	return &g->info;
}

/* Registers from the VMCB's state save area (APM vol. 2, table B-2). */
static void vcpu_from_vmcb(struct gc_vcpu *v, const uint8_t *p)
{
	const uint8_t *s = p + SAVE;
	static const struct {
		unsigned int off;
		enum gc_vcpu_reg reg;
	} r64[] = {
		{ 0x178, GC_REG_RIP }, { 0x1d8, GC_REG_RSP },
		{ 0x1f8, GC_REG_RAX }, { 0x170, GC_REG_RFLAGS },
		{ 0x158, GC_REG_CR0 }, { 0x240, GC_REG_CR2 },
		{ 0x150, GC_REG_CR3 }, { 0x148, GC_REG_CR4 },
		{ 0x48, GC_REG_FS_BASE }, { 0x58, GC_REG_GS_BASE },
		{ 0x68, GC_REG_GDT_BASE }, { 0x88, GC_REG_IDT_BASE },
		{ 0x220, GC_REG_GS_BASE_KERNEL },
	};
	for (size_t i = 0; i < GC_ARRAY_SIZE(r64); i++)
		gc_vcpu_set_reg(v, r64[i].reg, gc_get64(s + r64[i].off, false));
	static const struct {
		unsigned int off;
		enum gc_vcpu_reg reg;
	} segs[] = {
		{ 0x00, GC_REG_ES }, { 0x10, GC_REG_CS }, { 0x20, GC_REG_SS },
		{ 0x30, GC_REG_DS }, { 0x40, GC_REG_FS }, { 0x50, GC_REG_GS },
	};
	for (size_t i = 0; i < GC_ARRAY_SIZE(segs); i++)
		gc_vcpu_set_reg(v, segs[i].reg, gc_get16(s + segs[i].off, false));
	gc_vcpu_set_reg(v, GC_REG_GDT_LIMIT, gc_get32(s + 0x64, false));
	gc_vcpu_set_reg(v, GC_REG_IDT_LIMIT, gc_get32(s + 0x84, false));
	/* EFER.SVME is KVM's (set in every VMCB it runs), not the guest's */
	gc_vcpu_set_reg(v, GC_REG_EFER, gc_get64(s + 0xd0, false) &
					       ~(1ull << 12));
}

static struct gc_error *read_vcpu(struct gc_guest *gg, struct sguest *g,
				  uint64_t paddr, unsigned int i)
{
	uint8_t *p = malloc(4096);
	if (!p)
		return &gc_error_nomem;
	struct gc_error *err = g->mem.read(g->mem.ctx, paddr, p, 4096);
	if (err) {
		free(p);
		return gc_error_context(err, "VMCB at 0x%" PRIx64, paddr);
	}
	struct gc_vmcb_hit hit;
	gc_vmcb_check(p, 4096, paddr, g->mem.max_paddr, &hit);
	if (!hit.valid) {
		free(p);
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_PHYS, paddr,
				     "VMCB", "not a usable VMCB: %s", hit.reason);
	}
	if (i > 0 && hit.st.nested_cr3 != g->info.nested_cr3) {
		free(p);
		return gc_error_addr(GC_ERR_INVALID_ARG, GC_SPACE_PHYS, paddr,
				     "VMCB", "nested_cr3 0x%" PRIx64 ", but the "
				     "first VMCB has 0x%" PRIx64 ": not the "
				     "same guest", hit.st.nested_cr3,
				     g->info.nested_cr3);
	}
	g->info.nested_cr3 = hit.st.nested_cr3;
	struct gc_vcpu *v = &gg->vcpus[i];
	memset(v, 0, sizeof(*v));
	v->id = i;
	v->source = "VMCB state save area";
	vcpu_from_vmcb(v, p);
	/* bits 11:0 are PCD/PWT or, with CR4.PCIDE, the PCID */
	v->pgd_addr = hit.st.cr3 & CR3_ROOT;
	v->pgd_space = GC_SPACE_PHYS;
	struct gc_svm_guest_vcpu *vi = &g->vinfo[i];
	vi->vmcb = paddr;
	vi->asid = hit.st.asid;
	vi->exit_code = hit.st.exit_code;
	vi->efer_vmcb = hit.st.efer;
	vi->cr4_vmcb = hit.st.cr4;
	for (unsigned int k = 0; k < 4; k++)
		g->msrs[i][k] = gc_get64(p + SAVE + 0x200 + 8 * k, false);
	free(p);
	return NULL;
}

static struct gc_error *sv_provenance(struct gc_guest *gg,
				      struct gc_strbuf *sb)
{
	struct sguest *g = gg->priv;
	gc_strbuf_printf(sb, "extracted_from=host dump %s (%s)\n",
			 g->host->file->path,
			 gc_format_name(gc_dump_format(g->host)));
	gc_strbuf_printf(sb, "found_by=VMCB page scan (the host kernel's KVM "
			 "structures were not used)\nvmcb=");
	for (size_t i = 0; i < g->info.nr_vcpus; i++)
		gc_strbuf_printf(sb, "%s0x%" PRIx64, i ? "," : "",
				 g->vinfo[i].vmcb);
	gc_strbuf_printf(sb, "\nnested_cr3=0x%" PRIx64 " (%u-level NPT)\n",
			 g->info.nested_cr3, g->info.levels);
	for (size_t i = 0; i < g->info.nr_vcpus; i++) {
		const struct gc_svm_guest_vcpu *v = &g->vinfo[i];
		gc_strbuf_printf(sb, "vcpu%zu=vmcb 0x%" PRIx64 " asid %" PRIu32
				 " exit_code 0x%" PRIx64 " vmcb_efer 0x%" PRIx64
				 " vmcb_cr4 0x%" PRIx64 " star 0x%" PRIx64
				 " lstar 0x%" PRIx64 " cstar 0x%" PRIx64
				 " sfmask 0x%" PRIx64 "\n", i, v->vmcb, v->asid,
				 v->exit_code, v->efer_vmcb, v->cr4_vmcb,
				 g->msrs[i][0], g->msrs[i][1], g->msrs[i][2],
				 g->msrs[i][3]);
	}
	gc_strbuf_printf(sb, "vcpu_order=ascending VMCB address (the scan "
			 "cannot know vcpu_id)\n");
	gc_strbuf_printf(sb, "registers=rip,rsp,rax,rflags,cr0,cr2,cr3,cr4,"
			 "efer,segments,gdt,idt,fs/gs base,kernel_gs_base from"
			 " the VMCB state save area (the values of the last "
			 "VMRUN/#VMEXIT: KVM's newer copies in "
			 "kvm_vcpu.arch were not read; efer without the SVME "
			 "bit KVM forces; cr4 as the CPU ran the guest); "
			 "unknown, written as 0 in PRSTATUS and not the "
			 "guest's values: " GC_SVM_UNKNOWN_REGS
			 " (KVM keeps them in kvm_vcpu.arch.regs, not in the "
			 "VMCB)\n");
	return NULL;
}

static struct gc_error *sv_open(struct gc_guest *gg,
				const struct gc_guest_args *o)
{
	struct gc_dump *host = o->host;
	if (!host)
		return gc_error_new(GC_ERR_INVALID_ARG, "SVM guest",
				    "no host dump given");
	if (!o->nr_addrs)
		return gc_error_new(GC_ERR_INVALID_ARG, "SVM guest",
				    "no VMCB address given");
	if (o->nr_addrs > 4096)
		return gc_error_new(GC_ERR_INVALID_ARG, "SVM guest",
				    "%zu VMCB addresses (at most 4096)",
				    o->nr_addrs);
	if (gc_dump_page_size(host) != GC_GUEST_PAGE)
		return gc_error_new(GC_ERR_UNSUPPORTED, "host dump",
				    "page size %u (only 4096 is supported)",
				    gc_dump_page_size(host));
	struct sguest *g = calloc(1, sizeof(*g));
	if (!g)
		return &gc_error_nomem;
	gg->priv = g;
	g->host = host;
	gg->path = host->file->path;
	gg->guest_type = "kvm-svm";
	gg->vcpus = calloc(o->nr_addrs, sizeof(*gg->vcpus));
	g->vinfo = calloc(o->nr_addrs, sizeof(*g->vinfo));
	g->msrs = calloc(o->nr_addrs, sizeof(*g->msrs));
	if (!gg->vcpus || !g->vinfo || !g->msrs)
		return &gc_error_nomem;
	struct gc_error *err = gc_hostmem_dump(host, &g->mem);
	if (err)
		return err;
	for (size_t i = 0; i < o->nr_addrs && !err; i++) {
		if (o->addrs[i] & 0xfff)
			err = gc_error_new(GC_ERR_INVALID_ARG, "VMCB", "0x%"
					   PRIx64 " not page aligned",
					   o->addrs[i]);
		for (size_t k = 0; k < i && !err; k++)
			if (o->addrs[k] == o->addrs[i])
				err = gc_error_new(GC_ERR_INVALID_ARG, "VMCB",
						   "0x%" PRIx64 " given twice",
						   o->addrs[i]);
	}
	for (unsigned int i = 0; i < o->nr_addrs && !err; i++)
		err = read_vcpu(gg, g, o->addrs[i], i);
	if (err)
		return err;
	g->info.nr_vcpus = o->nr_addrs;
	g->info.vcpus = g->vinfo;
	g->info.levels = gc_svm_host_levels(host);
	gg->nr_vcpus = (unsigned int)o->nr_addrs;
	if ((err = gc_npt_xlat_new(&g->mem, g->info.nested_cr3,
				   g->info.levels, &gg->walk)))
		return gc_error_context(err, "VMCB 0x%" PRIx64, o->addrs[0]);
	if ((err = gc_report_add(&gg->findings, GC_SEV_NOTE, "svm-scan", false,
				 0, "registers from the VMCB only: %s unknown "
				 "(KVM keeps them in kvm_vcpu.arch.regs, not in "
				 "the VMCB); vCPUs in VMCB address order",
				 GC_SVM_UNKNOWN_REGS)))
		return err;
	gg->summary = gc_asprintf("KVM guest (SVM) in host dump %s, "
				  "nested_cr3 0x%" PRIx64, host->file->path,
				  g->info.nested_cr3);
	return gg->summary ? NULL : &gc_error_nomem;
}

const struct gc_guest_source gc_guest_source_svm = {
	.name = "svm",
	.description = "KVM guest on AMD SVM in a host dump: VMCB pages "
		       "(registers) and their nested page tables (memory)",
	.open = sv_open,
	.locate = sv_locate,
	.gap_reason = gc_guest_host_gap_reason,
	.provenance = sv_provenance,
	.where = "host dump",
	.target = "host",
	.mapper = "NPT",
	.close = sv_close,
};
