// SPDX-License-Identifier: MIT
/*
 * The "vmx" guest source: a KVM guest on Intel VMX inside a host dump.
 * Its physical space is the EPT of its VMCS regions (gc_ept_xlat_new) over
 * the host dump's physical space; registers come from the guest-state
 * area of each vCPU's VMCS.  Host frames the host dump lacks are gaps
 * with the host's reason.  Also here: finding guests by scanning the
 * host (gc_vmx_find_guests).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/guest.h"
#include "guestcore/vmx.h"
#include "vmx_internal.h"

#define CR3_ROOT_MASK 0x000fffffffffe000ull

extern const struct gc_guest_source gc_guest_source_vmx;

struct vguest {
	struct gc_dump *host;            /* not owned */
	struct gc_hostmem mem;
	struct gc_ept_space *ept;        /* the full walk: pieces, problems */
	struct gc_vmx_guest_vcpu *vinfo;
	struct gc_vmx_guest_info info;
	size_t ept_first;                /* first EPT finding in findings */
};

static struct gc_error *vx_locate(struct gc_guest *gg, uint64_t hpa,
				  struct gc_page_loc *loc)
{
	struct vguest *g = gg->priv;
	return gc_guest_locate_host(g->host, hpa, loc);
}

static void vx_close(struct gc_guest *gg)
{
	struct vguest *g = gg->priv;
	if (!g)
		return;
	gc_ept_space_close(g->ept);
	free(g->vinfo);
	free(g);
	gg->priv = NULL;
}

const struct gc_vmx_guest_info *gc_vmx_guest_info(const struct gc_guest *gg)
{
	if (!gg || gg->src != &gc_guest_source_vmx)
		return NULL;
	struct vguest *g = gg->priv;
	const struct gc_guest_counts *c = &gg->counts;
	g->info.frames_mapped = c->frames_mapped;
	g->info.frames_present = c->frames_present;
	g->info.frames_missing = c->frames_missing;
	g->info.frames_not_ram = c->frames_not_ram;
	g->info.ept_problems = g->info.nr_ept_problems ?
				       gg->findings.items + g->ept_first : NULL;
	return &g->info;
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
static struct gc_error *read_vcpu(struct gc_guest *gg, struct vguest *g,
				  const struct gc_guest_args *o,
				  unsigned int i)
{
	uint64_t paddr = o->addrs[i];
	uint8_t head[8];
	struct gc_error *err = g->mem.read(g->mem.ctx, paddr, head, 8);
	if (err)
		return gc_error_context(err, "VMCS at 0x%" PRIx64, paddr);
	uint32_t rev = gc_get32(head, false) & 0x7fffffffu;
	/* every candidate layout of the revision (a synthetic built-in,
	 * then the published ones) is tried; the first valid one is used */
	size_t rs = 0;
	const struct gc_vmcs_layout *cl;
	for (size_t k = 0; (cl = gc_vmcs_db_candidate(o->vmcs_db, rev, k)); k++)
		rs = GC_MAX(rs, (size_t)cl->region_size);
	if (!rs)
		return gc_error_addr(GC_ERR_UNSUPPORTED, GC_SPACE_PHYS, paddr,
				     "VMCS", "no layout for revision 0x%x "
				     "(give one with --layout)", rev);
	uint8_t *r = malloc(rs);
	if (!r)
		return &gc_error_nomem;
	err = g->mem.read(g->mem.ctx, paddr, r, rs);
	struct gc_vmcs_hit hit;
	memset(&hit, 0, sizeof(hit));
	struct gc_vmcs_scan_opts so = { .text_start = o->text_start,
					.text_end = o->text_end };
	if (!err)
		err = gc_vmcs_check_db(o->vmcs_db, r, rs, paddr,
				       g->mem.max_paddr, &so, &hit);
	const struct gc_vmcs_layout *l = hit.layout;
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
				    "guest", hit.st.eptp, o->addrs[0],
				    g->info.eptp);
	if (err) {
		free(hit.reason);
		free(r);
		return err;
	}
	if (i == 0)
		g->info.eptp = hit.st.eptp;
	struct gc_vcpu *v = &gg->vcpus[i];
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

/* The provenance lines the writer copies into its GUESTCORE note. */
static struct gc_error *vx_provenance(struct gc_guest *gg,
				      struct gc_strbuf *sb)
{
	struct vguest *g = gg->priv;
	gc_strbuf_printf(sb, "extracted_from=host dump %s (%s)\n",
			 g->host->file->path,
			 gc_format_name(gc_dump_format(g->host)));
	gc_strbuf_printf(sb, "vmcs=");
	for (size_t i = 0; i < g->info.nr_vcpus; i++)
		gc_strbuf_printf(sb, "%s0x%" PRIx64, i ? "," : "",
				 g->vinfo[i].vmcs);
	gc_strbuf_printf(sb, "\neptp=0x%" PRIx64 " (%u-level)\n",
			 g->info.eptp, g->info.ept_levels);
	for (size_t i = 0; i < g->info.nr_vcpus; i++) {
		const struct gc_vmx_guest_vcpu *v = &g->vinfo[i];
		gc_strbuf_printf(sb, "vcpu%zu=vmcs 0x%" PRIx64 " revision 0x%x"
				 " layout \"%s\" chunk order %s%s vpid %" PRIu64
				 " efer 0x%" PRIx64 "\n", i, v->vmcs,
				 v->revision, v->layout,
				 v->high_first ? "high-first" : "low-first",
				 v->order_decided ? "" : " (not verifiable)",
				 v->vpid, v->efer);
	}
	gc_strbuf_printf(sb, "registers=from the VMCS guest-state area; "
			 "unknown (stored as 0): %s\n", unknown_regs);
	return NULL;
}

static struct gc_error *vx_open(struct gc_guest *gg,
				const struct gc_guest_args *o)
{
	struct gc_dump *host = o->host;
	if (!host)
		return gc_error_new(GC_ERR_INVALID_ARG, "KVM guest",
				    "no host dump given");
	if (!o->vmcs_db || !o->nr_addrs)
		return gc_error_new(GC_ERR_INVALID_ARG, "KVM guest",
				    "no VMCS address given");
	if (o->nr_addrs > 4096)
		return gc_error_new(GC_ERR_INVALID_ARG, "KVM guest",
				    "%zu VMCS addresses (at most 4096)",
				    o->nr_addrs);
	if (gc_dump_page_size(host) != GC_GUEST_PAGE)
		return gc_error_new(GC_ERR_UNSUPPORTED, "host dump",
				    "page size %u (only 4096 is supported)",
				    gc_dump_page_size(host));
	struct vguest *g = calloc(1, sizeof(*g));
	if (!g)
		return &gc_error_nomem;
	gg->priv = g;
	g->host = host;
	gg->path = host->file->path;
	gg->guest_type = "kvm-vmx";
	g->info.host_path = host->file->path;
	gg->vcpus = calloc(o->nr_addrs, sizeof(*gg->vcpus));
	g->vinfo = calloc(o->nr_addrs, sizeof(*g->vinfo));
	if (!gg->vcpus || !g->vinfo)
		return &gc_error_nomem;
	struct gc_error *err = gc_hostmem_dump(host, &g->mem);
	if (err)
		return err;
	for (size_t i = 0; i < o->nr_addrs && !err; i++)
		for (size_t k = 0; k < i && !err; k++)
			if (o->addrs[k] == o->addrs[i])
				err = gc_error_new(GC_ERR_INVALID_ARG, "VMCS",
						   "0x%" PRIx64 " given twice",
						   o->addrs[i]);
	for (unsigned int i = 0; i < o->nr_addrs && !err; i++)
		err = read_vcpu(gg, g, o, i);
	if (err)
		return err;
	g->info.nr_vcpus = o->nr_addrs;
	g->info.vcpus = g->vinfo;
	gg->nr_vcpus = (unsigned int)o->nr_addrs;
	struct gc_eptp_info ei;
	if ((err = gc_eptp_decode(g->info.eptp, g->mem.max_paddr, &ei)))
		return err;
	g->info.ept_levels = ei.levels;
	/* The full walk lists misconfigured entries and unreadable tables
	 * (the xlat skips them) and counts the pieces. */
	size_t before = gg->findings.count;
	if ((err = gc_ept_space_open(&g->mem, g->info.eptp, NULL,
				     &gg->findings, &g->ept)))
		return err;
	g->info.nr_ept_problems = gg->findings.count - before;
	g->ept_first = before;
	gc_ept_space_maps(g->ept, &g->info.nr_maps);
	if ((err = gc_ept_xlat_new(&g->mem, g->info.eptp, &gg->walk)))
		return err;
	gg->summary = gc_asprintf("KVM guest in host dump %s, EPTP 0x%" PRIx64,
				  host->file->path, g->info.eptp);
	return gg->summary ? NULL : &gc_error_nomem;
}

const struct gc_guest_source gc_guest_source_vmx = {
	.name = "vmx",
	.description = "KVM guest on Intel VMX in a host dump: VMCS regions "
		       "(registers) and their EPT (memory)",
	.open = vx_open,
	.locate = vx_locate,
	.gap_reason = gc_guest_host_gap_reason,
	.provenance = vx_provenance,
	.where = "host dump",
	.target = "host",
	.mapper = "EPT",
	.close = vx_close,
};

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
		gc_qsort(ord, c, sizeof(*ord), cmp_order);
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
