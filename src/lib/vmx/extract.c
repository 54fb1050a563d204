// SPDX-License-Identifier: MIT
/*
 * A KVM (VMX) guest inside a host dump as a struct gc_dump: guest frame ->
 * EPT -> host frame -> wherever the host dump stores it.  Registers come
 * from the guest-state area of each vCPU's VMCS.  With the guest as a
 * dump, every format-neutral layer works on it: reads, the kernel layer
 * (VMCOREINFO found in guest memory), the shared vmcore writers and their
 * verification (gc_convert / gc_convert_verify).
 *
 * Frames the EPT maps but the host dump does not hold are ABSENT in the
 * guest view (so a writer never invents zeroes for them) and listed as
 * gaps with the host's reason.  Not in the format registry: the way in is
 * gc_vmx_guest_open().
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump_internal.h"
#include "guestcore/kernel.h"
#include "guestcore/vmx.h"
#include "vmx_internal.h"

#define PAGE 4096ull
#define CR3_ROOT_MASK 0x000fffffffffe000ull
/* Guest frames probed one by one when the view is built (1 TiB). */
#define MAX_PROBE_FRAMES (1ull << 28)

struct vguest {
	struct gc_dump *host;            /* not owned */
	struct gc_hostmem mem;
	struct gc_ept_space *ept;
	const struct gc_ept_map *maps;   /* owned by ept */
	size_t nr_maps;
	struct gc_frame_run *runs;       /* frames with data */
	size_t nr_runs, cap_runs;
	struct gc_vcpu *vcpus;
	struct gc_vmx_guest_vcpu *vinfo;
	struct gc_vmx_gap *gaps;
	size_t nr_gaps, cap_gaps;
	struct gc_vmx_guest_info info;
	size_t ept_first;                /* first EPT finding in d->findings */
};

static const struct gc_vmx_guest_info *info_of(const struct gc_dump *d);

/* Host location of host frame HFN; *STATE as the host dump says. */
static struct gc_error *host_loc(struct vguest *g, uint64_t hfn,
				 struct gc_page_loc *loc)
{
	struct gc_dump *h = g->host;
	return h->ops->locate(h, GC_SPACE_PHYS, hfn, loc);
}

static struct gc_error *vg_locate(struct gc_dump *d, enum gc_space space,
				  uint64_t frame, struct gc_page_loc *loc)
{
	struct vguest *g = d->priv;
	memset(loc, 0, sizeof(*loc));
	loc->state = GC_PAGE_ABSENT;
	if (space != GC_SPACE_PHYS)
		return NULL;
	const struct gc_ept_map *m = gc_ept_space_find(g->ept, frame);
	if (!m)
		return NULL;
	uint64_t hfn = m->hfn + (frame - m->gfn);
	struct gc_page_loc hl;
	struct gc_error *err = host_loc(g, hfn, &hl);
	if (err)
		return gc_error_context(err, "host frame 0x%" PRIx64
					" of guest frame 0x%" PRIx64, hfn,
					frame);
	if (hl.state == GC_PAGE_ZERO) {
		loc->state = GC_PAGE_ZERO;
		return NULL;
	}
	if (hl.state != GC_PAGE_PRESENT)
		return NULL;   /* listed as a gap; never zero-filled */
	*loc = hl;
	if (!loc->stream)   /* the host's bytes, whatever their container */
		loc->stream = g->host->stream;
	return NULL;
}

static struct gc_error *vg_frame_runs(struct gc_dump *d, enum gc_space space,
				      struct gc_frame_run **runs, size_t *nr)
{
	const struct vguest *g = d->priv;
	*nr = 0;
	*runs = malloc((g->nr_runs ? g->nr_runs : 1) * sizeof(**runs));
	if (!*runs)
		return &gc_error_nomem;
	if (space != GC_SPACE_PHYS)
		return NULL;
	if (g->nr_runs)
		memcpy(*runs, g->runs, g->nr_runs * sizeof(**runs));
	*nr = g->nr_runs;
	return NULL;
}

static struct gc_error *vg_vcpu(struct gc_dump *d, unsigned int index,
				struct gc_vcpu *out)
{
	const struct vguest *g = d->priv;
	if (index >= g->info.nr_vcpus)
		return gc_error_new(GC_ERR_INVALID_ARG, "vcpu", "no vCPU %u",
				    index);
	*out = g->vcpus[index];
	return NULL;
}

static struct gc_error *vg_check(struct gc_dump *d, unsigned int flags,
				 struct gc_report *report)
{
	(void)flags;
	const struct vguest *g = d->priv;
	for (size_t i = 0; i < g->nr_gaps; i++) {
		const struct gc_vmx_gap *x = &g->gaps[i];
		if (x->host_state == GC_PAGE_ABSENT)
			continue;
		struct gc_error *err = gc_report_add(
			report, GC_SEV_WARNING, "guest-frames-missing", false,
			0, "guest frames 0x%" PRIx64 "-0x%" PRIx64 " (host 0x%"
			PRIx64 "...) are %s in the host dump", x->gfn,
			x->gfn + x->count - 1, x->hfn << 12,
			x->host_state == GC_PAGE_EXCLUDED ? "excluded" :
			"truncated");
		if (err)
			return err;
	}
	return NULL;
}

static void vg_close(struct gc_dump *d)
{
	struct vguest *g = d->priv;
	if (!g)
		return;
	gc_ept_space_close(g->ept);
	free(g->runs);
	free(g->vcpus);
	free(g->vinfo);
	free(g->gaps);
	free(g);
}

static struct gc_error *vg_open(struct gc_dump *d)
{
	(void)d;
	return gc_error_new(GC_ERR_UNSUPPORTED, "KVM guest",
			    "open the guest with gc_vmx_guest_open()");
}

static const struct gc_format_ops vg_ops_elf = {
	.format = GC_FORMAT_ELF_VMCORE,
	.open = vg_open, .close = vg_close, .locate = vg_locate,
	.frame_runs = vg_frame_runs, .vcpu = vg_vcpu, .check = vg_check,
};
static const struct gc_format_ops vg_ops_kdump = {
	.format = GC_FORMAT_KDUMP,
	.open = vg_open, .close = vg_close, .locate = vg_locate,
	.frame_runs = vg_frame_runs, .vcpu = vg_vcpu, .check = vg_check,
};
static const struct gc_format_ops vg_ops_flat = {
	.format = GC_FORMAT_KDUMP_FLAT,
	.open = vg_open, .close = vg_close, .locate = vg_locate,
	.frame_runs = vg_frame_runs, .vcpu = vg_vcpu, .check = vg_check,
};
static const struct gc_format_ops vg_ops_other = {
	.format = GC_FORMAT_UNKNOWN,
	.open = vg_open, .close = vg_close, .locate = vg_locate,
	.frame_runs = vg_frame_runs, .vcpu = vg_vcpu, .check = vg_check,
};

static bool is_guest(const struct gc_dump *d)
{
	return d && (d->ops == &vg_ops_elf || d->ops == &vg_ops_kdump ||
		     d->ops == &vg_ops_flat || d->ops == &vg_ops_other);
}

static const struct gc_vmx_guest_info *info_of(const struct gc_dump *d)
{
	if (!is_guest(d))
		return NULL;
	struct vguest *g = d->priv;
	/* the findings array may have moved since the view was built */
	g->info.ept_problems = d->findings.items && g->info.nr_ept_problems ?
				       d->findings.items + g->ept_first : NULL;
	return &g->info;
}

const struct gc_vmx_guest_info *gc_vmx_guest_info(const struct gc_dump *d)
{
	return info_of(d);
}

/* ---- building the view ------------------------------------------------ */

static struct gc_error *add_run(struct vguest *g, uint64_t gfn)
{
	if (g->nr_runs && g->runs[g->nr_runs - 1].start +
				  g->runs[g->nr_runs - 1].count == gfn) {
		g->runs[g->nr_runs - 1].count++;
		return NULL;
	}
	if (g->nr_runs == g->cap_runs) {
		size_t cap = g->cap_runs ? g->cap_runs * 2 : 16;
		void *n = realloc(g->runs, cap * sizeof(*g->runs));
		if (!n)
			return &gc_error_nomem;
		g->runs = n;
		g->cap_runs = cap;
	}
	g->runs[g->nr_runs++] = (struct gc_frame_run){ gfn, 1 };
	return NULL;
}

static struct gc_error *add_gap(struct vguest *g, uint64_t gfn, uint64_t hfn,
				enum gc_page_state st)
{
	if (g->nr_gaps) {
		struct gc_vmx_gap *p = &g->gaps[g->nr_gaps - 1];
		if (p->gfn + p->count == gfn && p->hfn + p->count == hfn &&
		    p->host_state == st) {
			p->count++;
			return NULL;
		}
	}
	if (g->nr_gaps == g->cap_gaps) {
		size_t cap = g->cap_gaps ? g->cap_gaps * 2 : 16;
		void *n = realloc(g->gaps, cap * sizeof(*g->gaps));
		if (!n)
			return &gc_error_nomem;
		g->gaps = n;
		g->cap_gaps = cap;
	}
	g->gaps[g->nr_gaps++] = (struct gc_vmx_gap){ gfn, 1, hfn, st };
	return NULL;
}

static struct gc_error *classify(struct vguest *g)
{
	uint64_t total = 0;
	for (size_t i = 0; i < g->nr_maps; i++)
		total += g->maps[i].count;
	if (total > MAX_PROBE_FRAMES)
		return gc_error_new(GC_ERR_UNSUPPORTED, "EPT",
				    "maps %" PRIu64 " guest frames (more than "
				    "the %llu this version handles)", total,
				    (unsigned long long)MAX_PROBE_FRAMES);
	g->info.frames_mapped = total;
	for (size_t i = 0; i < g->nr_maps; i++) {
		const struct gc_ept_map *m = &g->maps[i];
		for (uint64_t k = 0; k < m->count; k++) {
			struct gc_page_loc hl;
			struct gc_error *err = host_loc(g, m->hfn + k, &hl);
			if (err)
				return gc_error_context(
					err, "host frame 0x%" PRIx64,
					m->hfn + k);
			if (hl.state == GC_PAGE_PRESENT ||
			    hl.state == GC_PAGE_ZERO) {
				g->info.frames_present++;
				err = add_run(g, m->gfn + k);
			} else {
				enum gc_page_state st =
					hl.state == GC_PAGE_EXCLUDED ||
							hl.state ==
								GC_PAGE_TRUNCATED ?
						hl.state :
						GC_PAGE_ABSENT;
				if (st == GC_PAGE_ABSENT)
					g->info.frames_not_ram++;
				else
					g->info.frames_missing++;
				err = add_gap(g, m->gfn + k, m->hfn + k, st);
			}
			if (err)
				return err;
		}
	}
	return NULL;
}

struct vfield {
	uint32_t enc;
	enum gc_vcpu_reg reg;
};
static const struct vfield vfields[] = {
	{ GC_VMCS_GUEST_RIP, GC_REG_RIP },
	{ GC_VMCS_GUEST_RSP, GC_REG_RSP },
	{ GC_VMCS_GUEST_RFLAGS, GC_REG_RFLAGS },
	{ 0x0800, GC_REG_ES }, { 0x0802, GC_REG_CS }, { 0x0804, GC_REG_SS },
	{ 0x0806, GC_REG_DS }, { 0x0808, GC_REG_FS }, { 0x080a, GC_REG_GS },
	{ GC_VMCS_GUEST_FS_BASE, GC_REG_FS_BASE },
	{ GC_VMCS_GUEST_GS_BASE, GC_REG_GS_BASE },
	{ GC_VMCS_GUEST_CR0, GC_REG_CR0 },
	{ GC_VMCS_GUEST_CR3, GC_REG_CR3 },
	{ GC_VMCS_GUEST_CR4, GC_REG_CR4 },
	{ GC_VMCS_GUEST_EFER, GC_REG_EFER },
	{ 0x6816, GC_REG_GDT_BASE }, { 0x4810, GC_REG_GDT_LIMIT },
	{ 0x6818, GC_REG_IDT_BASE }, { 0x4812, GC_REG_IDT_LIMIT },
};

/* Read and validate the VMCS at PADDR; fill vCPU I. */
static struct gc_error *read_vcpu(struct vguest *g,
				  const struct gc_vmx_guest_opts *o,
				  unsigned int i)
{
	uint64_t paddr = o->vmcs[i];
	uint8_t head[8];
	struct gc_error *err = g->mem.read(g->mem.ctx, paddr, head, 8);
	if (err)
		return gc_error_context(err, "VMCS at 0x%" PRIx64, paddr);
	uint32_t rev = gc_get32(head, false) & 0x7fffffffu;
	const struct gc_vmcs_layout *l = gc_vmcs_db_find(o->db, rev);
	if (!l)
		return gc_error_addr(GC_ERR_UNSUPPORTED, GC_SPACE_PHYS, paddr,
				     "VMCS", "no layout for revision 0x%x "
				     "(give one with --layout)", rev);
	uint8_t *r = malloc(l->region_size ? l->region_size : 1);
	if (!r)
		return &gc_error_nomem;
	err = g->mem.read(g->mem.ctx, paddr, r, l->region_size);
	struct gc_vmcs_hit hit;
	memset(&hit, 0, sizeof(hit));
	struct gc_vmcs_scan_opts so = { .text_start = o->text_start,
					.text_end = o->text_end };
	if (!err)
		err = gc_vmcs_check_region(l, r, l->region_size, paddr,
					   g->mem.max_paddr, &so, &hit);
	if (!err && !hit.valid)
		err = gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_PHYS, paddr,
				    "VMCS", "not a usable VMCS: %s",
				    hit.reason ? hit.reason : "?");
	if (!err && !hit.ept_enabled)
		err = gc_error_addr(GC_ERR_UNSUPPORTED, GC_SPACE_PHYS, paddr,
				    "VMCS", "the vCPU runs without EPT (guest "
				    "memory is then not described by the VMCS)");
	if (!err && i > 0 && hit.st.eptp != g->info.eptp)
		err = gc_error_addr(GC_ERR_INVALID_ARG, GC_SPACE_PHYS, paddr,
				    "VMCS", "EPTP 0x%" PRIx64 ", but VMCS 0x%"
				    PRIx64 " has 0x%" PRIx64 ": not the same "
				    "guest", hit.st.eptp, o->vmcs[0],
				    g->info.eptp);
	if (err) {
		free(hit.reason);
		free(r);
		return err;
	}
	if (i == 0)
		g->info.eptp = hit.st.eptp;
	struct gc_vcpu *v = &g->vcpus[i];
	memset(v, 0, sizeof(*v));
	v->id = i;
	v->source = "VMCS guest-state area";
	for (size_t k = 0; k < GC_ARRAY_SIZE(vfields); k++) {
		uint64_t val;
		if (gc_vmcs_get(l, r, l->region_size, hit.high_first,
				vfields[k].enc, &val)) {
			v->regs[vfields[k].reg] = val;
			v->valid |= 1ull << vfields[k].reg;
		}
	}
	/* CR0/CR4 as the guest sees them: bits the host owns (guest/host
	 * mask) read from the read shadow (e.g. CR4.VMXE, set in the real
	 * register while the guest runs, clear in its own view). */
	static const uint32_t masks[2][3] = {
		{ GC_VMCS_GUEST_CR0, 0x6000, 0x6004 },
		{ GC_VMCS_GUEST_CR4, 0x6002, 0x6006 },
	};
	for (size_t k = 0; k < 2; k++) {
		enum gc_vcpu_reg reg = k ? GC_REG_CR4 : GC_REG_CR0;
		uint64_t mask, shadow;
		if (!(v->valid & (1ull << reg)) ||
		    !gc_vmcs_get(l, r, l->region_size, hit.high_first,
				 masks[k][1], &mask) ||
		    !gc_vmcs_get(l, r, l->region_size, hit.high_first,
				 masks[k][2], &shadow))
			continue;
		v->regs[reg] = (v->regs[reg] & ~mask) | (shadow & mask);
	}
	if (v->valid & (1ull << GC_REG_CR3)) {
		uint64_t mask = CR3_ROOT_MASK;
		if ((v->regs[GC_REG_CS] & 3) != 3)
			mask |= 1ull << 12;
		v->pgd_addr = v->regs[GC_REG_CR3] & mask;
		v->pgd_space = GC_SPACE_PHYS;
	}
	struct gc_vmx_guest_vcpu *vi = &g->vinfo[i];
	vi->vmcs = paddr;
	vi->revision = rev;
	vi->high_first = hit.high_first;
	vi->order_decided = hit.order_decided;
	vi->layout = l->source ? l->source : "?";
	vi->vpid = hit.st.vpid;
	vi->efer = v->regs[GC_REG_EFER];
	free(hit.reason);
	free(r);
	return NULL;
}

static const char *const unknown_regs =
	"rax,rbx,rcx,rdx,rsi,rdi,rbp,r8-r15,orig_rax,cr2,kernel_gs_base";

/* The provenance lines the writer copies into its GUESTCORE note (the
 * "provenance" field, "key=value" lines). */
static struct gc_error *provenance(struct gc_dump *d, struct vguest *g)
{
	struct gc_strbuf sb;
	gc_strbuf_init(&sb);
	gc_strbuf_printf(&sb, "extracted_from=host dump %s (%s)\n",
			 g->host->file->path,
			 gc_format_name(g->host->ops->format));
	gc_strbuf_printf(&sb, "vmcs=");
	for (size_t i = 0; i < g->info.nr_vcpus; i++)
		gc_strbuf_printf(&sb, "%s0x%" PRIx64, i ? "," : "",
				 g->vinfo[i].vmcs);
	gc_strbuf_printf(&sb, "\neptp=0x%" PRIx64 " (%u-level)\n",
			 g->info.eptp, g->info.ept_levels);
	for (size_t i = 0; i < g->info.nr_vcpus; i++) {
		const struct gc_vmx_guest_vcpu *v = &g->vinfo[i];
		gc_strbuf_printf(&sb, "vcpu%zu=vmcs 0x%" PRIx64 " revision 0x%x"
				 " layout \"%s\" chunk order %s%s vpid %" PRIu64
				 " efer 0x%" PRIx64 "\n", i, v->vmcs,
				 v->revision, v->layout,
				 v->high_first ? "high-first" : "low-first",
				 v->order_decided ? "" : " (not verifiable)",
				 v->vpid, v->efer);
	}
	gc_strbuf_printf(&sb, "registers=from the VMCS guest-state area; "
			 "unknown (stored as 0): %s\n", unknown_regs);
	gc_strbuf_printf(&sb, "guest_frames=%" PRIu64 " mapped, %" PRIu64
			 " with data, %" PRIu64 " missing in the host dump, %"
			 PRIu64 " outside the host dump's memory",
			 g->info.frames_mapped, g->info.frames_present,
			 g->info.frames_missing, g->info.frames_not_ram);
	char *text = gc_strbuf_steal(&sb);
	if (!text)
		return &gc_error_nomem;
	struct gc_error *err = gc_dump_add_field(d, "guest_type", false, 0,
						 "kvm-vmx");
	if (!err)
		err = gc_dump_add_field(d, "provenance", false, 0, "%s", text);
	free(text);
	return err;
}

struct gc_error *gc_vmx_guest_open(struct gc_dump *host,
				   const struct gc_vmx_guest_opts *o,
				   struct gc_dump **out)
{
	*out = NULL;
	if (!o->db || !o->nr_vmcs)
		return gc_error_new(GC_ERR_INVALID_ARG, "KVM guest",
				    "no VMCS address given");
	if (o->nr_vmcs > 4096)
		return gc_error_new(GC_ERR_INVALID_ARG, "KVM guest",
				    "%zu VMCS addresses (at most 4096)",
				    o->nr_vmcs);
	if (gc_dump_page_size(host) != PAGE)
		return gc_error_new(GC_ERR_UNSUPPORTED, "host dump",
				    "page size %u (only 4096 is supported)",
				    gc_dump_page_size(host));
	struct vguest *g = calloc(1, sizeof(*g));
	if (!g)
		return &gc_error_nomem;
	const struct gc_format_ops *ops;
	switch (host->ops->format) {
	case GC_FORMAT_ELF_VMCORE: ops = &vg_ops_elf; break;
	case GC_FORMAT_KDUMP: ops = &vg_ops_kdump; break;
	case GC_FORMAT_KDUMP_FLAT: ops = &vg_ops_flat; break;
	default: ops = &vg_ops_other; break;
	}
	g->host = host;
	g->info.host_path = host->file->path;
	struct gc_dump *d;
	struct gc_error *err = gc_dump_view_new(host->file->path, ops, g,
						(uint32_t)PAGE, &d);
	if (err)
		return err;
	g->vcpus = calloc(o->nr_vmcs, sizeof(*g->vcpus));
	g->vinfo = calloc(o->nr_vmcs, sizeof(*g->vinfo));
	if (!g->vcpus || !g->vinfo) {
		err = &gc_error_nomem;
		goto fail;
	}
	if ((err = gc_hostmem_dump(host, &g->mem)))
		goto fail;
	for (size_t i = 0; i < o->nr_vmcs && !err; i++)
		for (size_t k = 0; k < i && !err; k++)
			if (o->vmcs[k] == o->vmcs[i])
				err = gc_error_new(GC_ERR_INVALID_ARG, "VMCS",
						   "0x%" PRIx64 " given twice",
						   o->vmcs[i]);
	for (unsigned int i = 0; i < o->nr_vmcs && !err; i++)
		err = read_vcpu(g, o, i);
	if (err)
		goto fail;
	g->info.nr_vcpus = o->nr_vmcs;
	g->info.vcpus = g->vinfo;
	d->nr_vcpus = (unsigned int)o->nr_vmcs;
	struct gc_eptp_info ei;
	if ((err = gc_eptp_decode(g->info.eptp, g->mem.max_paddr, &ei)))
		goto fail;
	g->info.ept_levels = ei.levels;
	size_t before = d->findings.count;
	if ((err = gc_ept_space_open(&g->mem, g->info.eptp, NULL, &d->findings,
				     &g->ept)))
		goto fail;
	g->info.nr_ept_problems = d->findings.count - before;
	g->ept_first = before;
	g->maps = gc_ept_space_maps(g->ept, &g->nr_maps);
	g->info.nr_maps = g->nr_maps;
	if ((err = classify(g)))
		goto fail;
	g->info.gaps = g->gaps;
	g->info.nr_gaps = g->nr_gaps;
	d->nr_frames = g->info.frames_present;
	if (!err)
		err = gc_dump_add_field(d, "source", false, 0,
					"KVM guest in host dump %s, EPTP 0x%"
					PRIx64, host->file->path, g->info.eptp);
	if (!err)
		err = provenance(d, g);
	if (err)
		goto fail;
	*out = d;
	return NULL;
fail:
	gc_dump_close(d);
	return err;
}

/* ---- finding guests ----------------------------------------------------- */

void gc_vmx_guest_groups_free(struct gc_vmx_guest_group *g, size_t nr)
{
	for (size_t i = 0; g && i < nr; i++)
		free(g[i].vmcs);
	free(g);
}

struct order {
	uint64_t vpid, paddr;
};
static int cmp_order(const void *a, const void *b)
{
	const struct order *x = a, *y = b;
	if (x->vpid != y->vpid)
		return x->vpid < y->vpid ? -1 : 1;
	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

struct gc_error *gc_vmx_find_guests(struct gc_dump *host,
				    const struct gc_vmcs_db *db,
				    const struct gc_vmcs_scan_opts *opts,
				    struct gc_vmx_guest_group **out,
				    size_t *nr)
{
	*out = NULL;
	*nr = 0;
	struct gc_hostmem mem;
	struct gc_error *err = gc_hostmem_dump(host, &mem);
	if (err)
		return err;
	struct gc_vmcs_scan s;
	if ((err = gc_vmcs_scan(&mem, db, opts, &s)))
		return err;
	struct gc_vmx_guest_group *g = NULL;
	size_t n = 0;
	struct order *ord = malloc((s.nr_hits ? s.nr_hits : 1) * sizeof(*ord));
	if (!ord)
		err = &gc_error_nomem;
	for (size_t i = 0; i < s.nr_hits && !err; i++) {
		const struct gc_vmcs_hit *h = &s.hits[i];
		if (!h->valid || !h->ept_enabled)
			continue;
		bool seen = false;
		for (size_t k = 0; k < n; k++)
			seen |= g[k].eptp == h->st.eptp;
		if (seen)
			continue;
		size_t c = 0;
		for (size_t k = i; k < s.nr_hits; k++)
			if (s.hits[k].valid && s.hits[k].ept_enabled &&
			    s.hits[k].st.eptp == h->st.eptp)
				ord[c++] = (struct order){ s.hits[k].st.vpid,
							   s.hits[k].paddr };
		qsort(ord, c, sizeof(*ord), cmp_order);
		void *ng = realloc(g, (n + 1) * sizeof(*g));
		if (!ng) {
			err = &gc_error_nomem;
			break;
		}
		g = ng;
		g[n].eptp = h->st.eptp;
		g[n].nr_vmcs = c;
		g[n].vmcs = malloc(c * sizeof(uint64_t));
		if (!g[n].vmcs) {
			err = &gc_error_nomem;
			break;
		}
		for (size_t k = 0; k < c; k++)
			g[n].vmcs[k] = ord[k].paddr;
		n++;
	}
	free(ord);
	gc_vmcs_scan_free(&s);
	if (err) {
		gc_vmx_guest_groups_free(g, n);
		return err;
	}
	*out = g;
	*nr = n;
	return NULL;
}

/* ---- writing ------------------------------------------------------------ */

void gc_vmx_extract_result_free(struct gc_vmx_extract_result *r)
{
	if (!r)
		return;
	free(r->vmcoreinfo_status);
	memset(r, 0, sizeof(*r));
}

struct gc_error *gc_vmx_extract(struct gc_dump *guest, const char *out_path,
				const struct gc_convert_opts *opts,
				struct gc_vmx_extract_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!info_of(guest))
		return gc_error_new(GC_ERR_INVALID_ARG, "extract",
				    "not a guest view (gc_vmx_guest_open)");
	if (!guest->nr_frames)
		return gc_error_new(GC_ERR_NOT_PRESENT, "guest memory",
				    "none of the %" PRIu64 " guest frames the "
				    "EPT maps is in the host dump",
				    info_of(guest)->frames_mapped);
	struct gc_convert_opts o = *opts;
	struct gc_kernel *k = NULL;
	struct gc_error *kerr = gc_kernel_open(guest, NULL, &k);
	const struct gc_vmcoreinfo *vi = k ? gc_kernel_vmcoreinfo(k) : NULL;
	if (vi && !o.kernel.vmcoreinfo) {
		o.kernel.vmcoreinfo = gc_vmcoreinfo_text(vi,
							 &o.kernel.vmcoreinfo_len);
		gc_convert_kernel_from_vmcoreinfo(&o.kernel,
						  o.kernel.vmcoreinfo,
						  o.kernel.vmcoreinfo_len);
		r->vmcoreinfo_status = gc_asprintf(
			"%s", gc_kernel_vmcoreinfo_source(k));
	} else if (o.kernel.vmcoreinfo) {
		r->vmcoreinfo_status = gc_asprintf("given by the caller");
	} else {
		r->vmcoreinfo_status =
			kerr ? gc_asprintf("not stored: the kernel layer found "
					   "no Linux kernel in guest memory "
					   "(%s)", gc_error_string(kerr)) :
			       gc_asprintf("not stored: no VMCOREINFO found in "
					   "guest memory");
	}
	gc_error_free(kerr);
	struct gc_error *err = r->vmcoreinfo_status ? NULL : &gc_error_nomem;
	if (!err)
		err = gc_convert(guest, out_path, &o, &r->stats);
	if (!err && r->stats.pages_missing)
		err = gc_error_new(GC_ERR_CORRUPT, "writer",
				   "%" PRIu64 " guest pages listed present "
				   "could not be read", r->stats.pages_missing);
	gc_kernel_close(k);
	return err;
}
