// SPDX-License-Identifier: MIT
/*
 * The "kvm" guest source: a KVM guest found through the host kernel's own
 * KVM structures in a host dump (docs/kvm.md).  The VM comes from the
 * structure walk (walk.c, layouts from the host's BTF, layout.c); its
 * physical space is its address-space-0 memory slots (guest frame ->
 * the VMM's virtual address, a table xlat) composed with the VMM's page
 * tables (virtual -> host physical: 4 KiB pages, 2 MiB THP, 1 GiB
 * hugetlbfs leaves).  A page the VMM's page tables do not map is zero
 * only when the guest would read zero (anonymous private memory never
 * touched, a shmem/memfd/hugetlbfs hole); in a VMA with a vm_file it is
 * looked up in the file's page cache (pcache.c); anything else (swapped
 * out, a file page not cached, no VMA) is a gap with its reason, never
 * zero-filled.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/kernel.h"
#include "guestcore/kvm.h"
#include "guestcore/svm.h"
#include "guests/guest.h"
#include "guests/kvm/kvm_internal.h"
#include "guestcore/vmx.h"
#include "util/report.h"
#include "util/vec.h"

extern const struct gc_guest_source gc_guest_source_kvm;


/* The error of something this source can do without (it then says so or
 * answers a gap): dropped, unless it is out of memory, which is returned. */
static struct gc_error *optional(struct gc_error *err)
{
	if (err == &gc_error_nomem)
		return err;
	gc_error_free(err);
	return NULL;
}

/* ---- reading through the host kernel ------------------------------------ */

static struct gc_error *k_read(void *ctx, uint64_t va, void *buf, size_t len)
{
	return gc_kernel_read(ctx, va, buf, len);
}

static struct gc_error *k_vtop(void *ctx, uint64_t va, uint64_t *pa)
{
	return gc_kernel_vtop(ctx, va, pa);
}

static struct gc_error *k_read_user(void *ctx, uint64_t pgd, uint64_t va,
				    void *buf, size_t len)
{
	struct gc_kernel *k = ctx;
	uint8_t *p = buf;
	while (len) {
		struct gc_walk w;
		struct gc_error *err = gc_kernel_walk(k, va, true, pgd, &w);
		if (err)
			return gc_error_context(err, "VMM address 0x%" PRIx64,
						va);
		size_t n = (size_t)GC_MIN(len, w.page_size -
						       (va & (w.page_size - 1)));
		n = (size_t)GC_MIN(n, 4096 - (w.phys & 0xfff));
		err = gc_dump_read(gc_kernel_dump(k), GC_SPACE_PHYS, w.phys, p,
				   n);
		if (err)
			return gc_error_context(err, "VMM address 0x%" PRIx64,
						va);
		p += n;
		va += n;
		len -= n;
	}
	return NULL;
}

struct gc_error *gc_kvm_list(struct gc_kernel *k, struct gc_kvm_vm **out,
			     size_t *nr)
{
	*out = NULL;
	*nr = 0;
	uint64_t head;
	struct gc_error *err = gc_kernel_module_symbol(k, "kvm", "vm_list",
						       &head);
	if (err)
		return gc_error_context(err, "KVM's vm_list (is kvm loaded?)");
	const struct gc_types *t;
	struct kvm_layout l;
	if ((err = gc_kernel_types(k, &t)) ||
	    (err = kvm_layout_from_types(t, &l)))
		return err;
	struct kvm_mem m = { .ctx = k, .read = k_read, .vtop = k_vtop,
			     .read_user = k_read_user };
	/* Intel: the VMCS through the built-in, published (and the host
	 * dump's VMCSINFO) layouts */
	struct gc_vmcs_db *db = NULL;
	if (l.vendor == GC_KVM_VMX) {
		err = gc_vmcs_db_new(true, &db);
		if (!err)
			err = gc_vmcs_db_add_published(db);
		struct gc_vmcs_layout *note = NULL;
		struct gc_error *e2 = err ? NULL : gc_vmcsinfo_from_dump(
			gc_kernel_dump(k), NULL, &note);
		if (!e2 && note)
			err = gc_vmcs_db_add(db, note);
		gc_error_free(e2);
		if (err) {
			gc_vmcs_db_free(db);
			return err;
		}
		l.vmcs_db = db;
	}
	err = kvm_walk(&l, &m, head, out, nr);
	gc_vmcs_db_free(db);
	return err;
}

char *gc_kvm_dump_level_note(const struct gc_dump *host)
{
	const struct gc_field *f = gc_dump_field_by_name(host, "dump_level");
	if (!f || !f->has_number || !(f->number & 8))
		return NULL;
	return gc_asprintf("host dump_level %" PRIu64 " excluded user pages "
			   "(makedumpfile -d bit 8): no guest RAM in this dump "
			   "(it is the VMM's user memory); the KVM structures, "
			   "memory slots and vCPU registers survived; a level "
			   "without bit 8 (e.g. -d 17) keeps guests",
			   f->number);
}

/* *YES: some address-space-0 slot of VM lies (partly) in a VMA with a
 * vm_file (at most 64 VMAs looked at per slot; VMAs that cannot be read
 * end the look).  Out of memory is returned. */
static struct gc_error *vm_file_backed(struct gc_kernel *k,
				       const struct gc_kvm_vm *vm, bool *yes)
{
	*yes = false;
	const struct gc_types *t;
	struct kvm_layout l;
	struct gc_error *err = gc_kernel_types(k, &t);
	if (!err)
		err = kvm_layout_from_types(t, &l);
	if (err)
		return optional(err);
	struct kvm_mem m = { .ctx = k, .read = k_read };
	for (size_t i = 0; i < vm->nr_slots; i++) {
		const struct gc_kvm_slot *s = &vm->slots[i];
		uint64_t va = s->userspace_addr, end = va + (s->npages << 12);
		for (unsigned int n = 0; !s->as_id && va < end && n < 64; n++) {
			struct kvm_vma v;
			bool found = false;
			err = kvm_vma_at(&l, &m, vm->mm, va, &v, &found);
			if (err)
				return optional(err);
			if (!found)
				break;
			if (v.file) {
				*yes = true;
				return NULL;
			}
			va = v.end;
		}
	}
	return NULL;
}

/* A VM whose RAM is (partly) a file's: the page-cache counts of opening
 * it (the guest's kvm-page-cache finding). */
static struct gc_error *check_page_cache(struct gc_kernel *k, size_t i,
					 const struct gc_kvm_vm *vm,
					 struct gc_report *rep)
{
	bool file = false;
	struct gc_error *err = vm->pgd_phys ? vm_file_backed(k, vm, &file) :
					      NULL;
	if (err || !file)
		return err;
	struct gc_guest_args a = { .host = gc_kernel_dump(k), .kernel = k,
				   .vm = (unsigned int)i };
	struct gc_guest *g = NULL;
	err = gc_guest_open("kvm", &a, &g);
	if (err == &gc_error_nomem)
		return err;
	if (err) {
		struct gc_error *e2 = gc_report_add(
			rep, GC_SEV_WARNING, "kvm-page-cache", false, 0,
			"KVM VM %zu: its file-backed RAM could not be "
			"classified: %s", i, gc_error_string(err));
		gc_error_free(err);
		return e2;
	}
	const struct gc_report *f = gc_guest_findings(g);
	for (size_t j = 0; j < gc_report_count(f) && !err; j++) {
		const struct gc_finding *x = gc_report_finding(f, j);
		if (!strcmp(x->code, "kvm-page-cache"))
			err = gc_report_add(rep, x->severity, x->code, false,
					    0, "KVM VM %zu: %s", i,
					    x->message);
	}
	gc_guest_close(g);
	return err;
}

struct gc_error *gc_kvm_check(struct gc_kernel *k, struct gc_report *rep)
{
	uint64_t head;
	struct gc_error *err = gc_kernel_module_symbol(k, "kvm", "vm_list",
						       &head);
	if (err) {
		gc_error_free(err);  /* not a KVM host: nothing to say */
		return NULL;
	}
	struct gc_kvm_vm *vms = NULL;
	size_t nr = 0;
	err = gc_kvm_list(k, &vms, &nr);
	if (err == &gc_error_nomem)
		return err;
	if (err) {
		struct gc_error *e2 = gc_report_add(
			rep, GC_SEV_WARNING, "kvm-structures", false, 0,
			"KVM is loaded but its VMs cannot be listed: %s",
			gc_error_string(err));
		gc_error_free(err);
		/* the VMCB scan then says which CPU was in a guest */
		char **in = NULL;
		unsigned int nin = 0;
		if (!e2)
			e2 = gc_host_cpus_in_guest(gc_kernel_dump(k), k, true,
						   &in, &nin);
		for (unsigned int c = 0; c < nin && !e2; c++)
			if (in[c])
				e2 = gc_report_add(rep, GC_SEV_NOTE,
						   "kvm-cpu-in-guest", false, 0,
						   "%s", in[c]);
		gc_host_cpus_in_guest_free(in, nin);
		return e2;
	}
	err = gc_report_add(rep, GC_SEV_NOTE, "kvm-guests", false, 0,
			    "KVM host: %zu VM%s on vm_list (guestcore guests "
			    "lists them, extract --vm N writes one)", nr,
			    nr == 1 ? "" : "s");
	for (size_t i = 0; i < nr && !err; i++) {
		const struct gc_kvm_vm *vm = &vms[i];
		if (vm->problems && vm->problems[0])
			err = gc_report_add(rep, GC_SEV_WARNING,
					    "kvm-structures", false, 0, "KVM VM "
					    "%zu (struct kvm 0x%" PRIx64 "): %s",
					    i, vm->kvm, vm->problems);
		for (unsigned int c = 0; c < vm->nr_vcpus && !err; c++) {
			const struct gc_kvm_vcpu *v = &vm->vcpus[c];
			if (v->mode != 1)
				continue;
			uint64_t rip = 0;
			gc_vcpu_get_reg(&v->regs, GC_REG_RIP, &rip);
			err = gc_report_add(
				rep, GC_SEV_NOTE, "kvm-cpu-in-guest", false, 0,
				"host CPU %d was executing KVM guest %zu "
				"(VMM pid %" PRIu32 " %s) vCPU %d when the dump "
				"was taken: the dump's register note for CPU %d "
				"holds the guest's registers (guest rip 0x%"
				PRIx64 "), not the host's", v->cpu, i, vm->pid,
				vm->comm, v->vcpu_id, v->cpu, rip);
		}
	}
	for (size_t i = 0; i < nr && !err; i++) {
		char *hn = gc_kvm_hugetlb_level_note(k, &vms[i]);
		if (hn)
			err = gc_report_add(rep, GC_SEV_WARNING,
					    "kvm-dump-level", false, 0, "KVM VM "
					    "%zu: %s", i, hn);
		free(hn);
	}
	for (size_t i = 0; i < nr && !err; i++)
		err = check_page_cache(k, i, &vms[i], rep);
	char *note = err ? NULL : gc_kvm_dump_level_note(gc_kernel_dump(k));
	if (note)
		err = gc_report_add(rep, GC_SEV_WARNING, "kvm-dump-level", false,
				    0, "%s", note);
	free(note);
	gc_kvm_vms_free(vms, nr);
	return err;
}

/* ---- the VMM's page tables as an xlat ----------------------------------- */

struct vmm_pt {
	struct gc_kernel *k;
	uint64_t pgd, mm;
	struct kvm_layout l;
	struct kvm_vma last;      /* the last VMA found (a cache) */
	bool has_last;
	struct kvm_mem mem;       /* VMA and page-cache reads */
	uint64_t vmemmap;         /* vmemmap_base (0: unknown) */
	unsigned int backings;    /* bit per enum kvm_pc_backing seen */
	char *pc_error;           /* the first page-cache lookup error */
};

/* VA has no page-table entry (the entry that stopped the walk is 0: not a
 * swap or migration entry): *FOUND when its VMA is found (p->last; a VMA
 * that cannot be read is none: the page is then a gap).  Out of memory
 * is returned. */
static struct gc_error *vma_of_empty(struct vmm_pt *p,
				     const struct gc_walk *w, uint64_t va,
				     bool *found)
{
	*found = false;
	if (!w->nr || !w->lvl[w->nr - 1].read || w->lvl[w->nr - 1].entry)
		return NULL;
	if (!p->has_last || va < p->last.start || va >= p->last.end) {
		bool f = false;
		struct gc_error *err = kvm_vma_at(&p->l, &p->mem, p->mm, va,
						  &p->last, &f);
		p->has_last = !err && f;
		if ((err = optional(err)))
			return err;
	}
	*found = p->has_last;
	return NULL;
}

/* VA of a VMA with a vm_file, no page-table entry: its file's page cache
 * (pcache.c) answers one page (a huge page on hugetlbfs); one it cannot
 * read is a gap whose reason the first such error gives.  Out of memory
 * is returned. */
static struct gc_error *pcache_answer(struct vmm_pt *p, uint64_t va,
				      struct gc_xlat_run *out)
{
	struct kvm_pc_page pc;
	struct gc_error *err = kvm_pcache_lookup(&p->l, &p->mem, p->vmemmap,
						 &p->last, va, &pc);
	uint64_t v = va & KVM_VA_MASK;
	out->len = 4096 - (va & 4095);
	if (err == &gc_error_nomem)
		return err;
	if (err) {
		if (!p->pc_error) {
			struct gc_strbuf sb;
			gc_strbuf_init(&sb);
			gc_strbuf_error(&sb, err);
			if (!(p->pc_error = gc_strbuf_steal(&sb))) {
				gc_error_free(err);
				return &gc_error_nomem;
			}
		}
		gc_error_free(err);
		out->target = KVM_NOPTE | KVM_KIND(KVM_NOPTE_PC_ERROR) | v;
		return NULL;
	}
	p->backings |= 1u << pc.backing;
	uint64_t len = GC_MIN(pc.len, p->last.end - va);
	switch (pc.state) {
	case KVM_PC_PAGE:
		out->target = KVM_PCACHE | (pc.pfn << 12) | (va & 4095);
		out->len = len;
		break;
	case KVM_PC_HOLE:
		out->target = KVM_ZERO | KVM_KIND(KVM_ZERO_HOLE) | v;
		out->len = len;
		break;
	case KVM_PC_SWAPPED:
		out->target = KVM_NOPTE | KVM_KIND(KVM_NOPTE_SWAPPED) | v;
		break;
	case KVM_PC_UFFD:
		out->target = KVM_NOPTE | KVM_KIND(KVM_NOPTE_UFFD) | v;
		out->len = len;
		break;
	default:
		out->target = KVM_NOPTE | KVM_KIND(KVM_NOPTE_NOT_CACHED) | v;
		break;
	}
	return NULL;
}

static struct gc_error *pt_lookup(struct gc_xlat *x, uint64_t va,
				  struct gc_xlat_run *out)
{
	struct vmm_pt *p = x->priv;
	if (va & KVM_SLOT_GMEM) {
		/* a guest_memfd slot's (kvm_slots_table): not read */
		uint64_t v = va & KVM_VA_MASK;
		out->status = GC_XLAT_MAPPED;
		out->target = KVM_NOPTE | KVM_KIND(KVM_NOPTE_GMEM) | v;
		out->len = KVM_VA_MASK + 1 - v;
		return NULL;
	}
	struct gc_walk w;
	struct gc_error *err = gc_kernel_walk(p->k, va, true, p->pgd, &w);
	if (!err) {
		out->status = GC_XLAT_MAPPED;
		out->target = w.phys;
		out->len = w.page_size - (va & (w.page_size - 1));
		return NULL;
	}
	if ((err = optional(err)))
		return err;
	/* the span of the entry that stopped the walk (a table that could
	 * not be read, a non-present entry, a non-canonical address) */
	unsigned int lvl = w.nr ? w.nr - 1 : 0;
	unsigned int top = w.levels == 5 ? 0 : 1;
	unsigned int shift = 12 + 9 * (4 - (top + lvl));
	uint64_t span = shift >= 63 ? (1ull << 47) : 1ull << shift;
	if (!w.nr)
		span = 4096;
	out->status = GC_XLAT_MAPPED;
	out->target = KVM_NOPTE | (va & ((1ull << 57) - 1));
	out->len = span - (va & (span - 1));
	bool found;
	if ((err = vma_of_empty(p, &w, va, &found)) || !found)
		return err;
	if (p->last.file)
		return pcache_answer(p, va, out);
	if (p->last.flags & KVM_VM_UFFD_MISSING) {
		/* not zero: the VMM supplies it when it is first touched */
		out->target = KVM_NOPTE | KVM_KIND(KVM_NOPTE_UFFD) |
			      (va & KVM_VA_MASK);
		out->len = GC_MIN(out->len, p->last.end - va);
	} else if (!(p->last.flags & KVM_VM_SHARED)) {
		out->target = KVM_ZERO | (va & KVM_VA_MASK);
		out->len = GC_MIN(out->len, p->last.end - va);
	}
	return NULL;
}

static void pt_destroy(struct gc_xlat *x)
{
	struct vmm_pt *p = x->priv;
	free(p->pc_error);
	free(p);
}

static const struct gc_xlat_ops pt_ops = { pt_lookup, pt_destroy };

struct gc_error *kvm_vmm_xlat_new(struct gc_kernel *k, uint64_t pgd_phys,
				  uint64_t mm, const struct kvm_mem *mem,
				  struct gc_xlat **out)
{
	struct vmm_pt *p = calloc(1, sizeof(*p));
	if (!p)
		return &gc_error_nomem;
	p->k = k;
	p->mem = mem ? *mem : (struct kvm_mem){ .ctx = k, .read = k_read };
	p->pgd = pgd_phys;
	p->mm = mm;
	const struct gc_types *types;
	struct gc_error *err = gc_kernel_types(k, &types);
	if (!err)
		err = kvm_layout_from_types(types, &p->l);
	if (err) {
		free(p);
		return err;
	}
	/* the struct page array, for page-cache entries (0: unknown, those
	 * pages are then refused) */
	struct gc_symbol sym;
	err = gc_kernel_symbol(k, "vmemmap_base", &sym);
	if (!err)
		err = gc_kernel_read_u64(k, sym.addr, &p->vmemmap);
	if (err)
		p->vmemmap = 0;
	if ((err = optional(err))) {
		free(p);
		return err;
	}
	return gc_xlat_new(&pt_ops, p, "vmm-page-tables", GC_SPACE_NONE,
			   GC_SPACE_PHYS, ~0ull, out);
}

/* ---- the source ----------------------------------------------------------- */

struct kguest {
	struct gc_dump *host;            /* not owned */
	struct gc_kernel *k;
	bool own_k;
	struct gc_kvm_vm *vms;
	size_t nr_vms;
	const struct gc_kvm_vm *vm;
	uint64_t nopte_frames;
	struct vmm_pt *pt;               /* the walk's, not owned */
};

static struct gc_error *kg_locate(struct gc_guest *gg, uint64_t hpa,
				  struct gc_page_loc *loc)
{
	struct kguest *g = gg->priv;
	memset(loc, 0, sizeof(*loc));
	if (hpa >= KVM_ZERO) {
		loc->state = GC_PAGE_ZERO;
		return NULL;
	}
	if (hpa >= KVM_NOPTE) {
		loc->state = GC_PAGE_ABSENT;
		return NULL;
	}
	if (hpa >= KVM_PCACHE)
		hpa -= KVM_PCACHE;  /* a page of the VMM's page cache */
	return gc_guest_locate_host(g->host, hpa, loc);
}

static const char *kg_gap_reason(enum gc_page_state s)
{
	switch (s) {
	case GC_PAGE_EXCLUDED: return "excluded in the host dump";
	case GC_PAGE_TRUNCATED: return "truncated in the host dump";
	default: return "not mapped by the VMM's page tables and not "
			"anonymous private memory nor a file's page cache "
			"(swapped out, migrating, or no VMA; host address "
			"0x4000000000000000 + VMM virtual) or not in the host "
			"dump's memory";
	}
}

static const char *kg_gap_reason_at(struct gc_guest *gg, uint64_t t,
				    enum gc_page_state s)
{
	(void)gg;
	if (t >= KVM_NOPTE && t < KVM_ZERO) {
		switch (KVM_KIND_OF(t)) {
		case KVM_NOPTE_SWAPPED:
			return "shared memory swapped out (a swap entry in "
			       "the page cache of the VMM's shmem/memfd "
			       "file; host address 0x4200000000000000 + VMM "
			       "virtual)";
		case KVM_NOPTE_NOT_CACHED:
			return "file page not in the page cache (its content "
			       "is in the file on disk, not in the dump; host "
			       "address 0x4400000000000000 + VMM virtual)";
		case KVM_NOPTE_PC_ERROR:
			return "the page cache of the VMM's file could not be "
			       "read (the kvm-page-cache finding says why; "
			       "host address 0x4600000000000000 + VMM "
			       "virtual)";
		case KVM_NOPTE_GMEM:
			return "a page of a guest_memfd memory slot "
			       "(KVM_MEM_GUEST_MEMFD, Linux >= 6.8): its "
			       "private pages are in the guest_memfd, not in "
			       "the VMM's mapping, and which pages are private "
			       "is not read (host address 0x4a00000000000000 "
			       "+ VMM virtual)";
		case KVM_NOPTE_UFFD:
			return "no page yet in a VMM mapping with userfaultfd "
			       "missing-page tracking (VM_UFFD_MISSING, e.g. "
			       "the destination of a postcopy migration): the "
			       "VMM supplies it when first touched, its "
			       "content is not in the dump (host address "
			       "0x4800000000000000 + VMM virtual)";
		default:
			return NULL;
		}
	}
	if (t >= KVM_PCACHE && t < KVM_NOPTE)
		return s == GC_PAGE_EXCLUDED ?
			       "a page of the VMM's page cache, excluded in "
			       "the host dump" :
		       s == GC_PAGE_TRUNCATED ?
			       "a page of the VMM's page cache, truncated in "
			       "the host dump" :
			       "a page of the VMM's page cache outside the "
			       "host dump's memory (host address "
			       "0x2000000000000000 + physical)";
	return NULL;
}

/* Which guest frames the page cache answered (after classify): the
 * provenance line and a finding. */
static struct gc_error *pcache_counts(struct gc_guest *gg, struct kguest *g,
				      struct gc_strbuf *sb)
{
	uint64_t cached = 0, holes = 0, swapped = 0, uncached = 0, bad = 0,
		 uffd = 0;
	for (size_t i = 0; i < gg->nr_map; i++) {
		uint64_t t = gg->map[i].to;
		if (t >= KVM_PCACHE && t < KVM_NOPTE)
			cached += gg->map[i].len >> 12;
		else if (t >= KVM_ZERO && KVM_KIND_OF(t) == KVM_ZERO_HOLE)
			holes += gg->map[i].len >> 12;
	}
	for (size_t i = 0; i < gg->nr_gaps; i++) {
		uint64_t t = gg->gaps[i].target;
		if (t < KVM_NOPTE || t >= KVM_ZERO)
			continue;
		unsigned int kind = KVM_KIND_OF(t);
		if (kind == KVM_NOPTE_SWAPPED)
			swapped += gg->gaps[i].count;
		else if (kind == KVM_NOPTE_NOT_CACHED)
			uncached += gg->gaps[i].count;
		else if (kind == KVM_NOPTE_PC_ERROR)
			bad += gg->gaps[i].count;
		else if (kind == KVM_NOPTE_UFFD)
			uffd += gg->gaps[i].count;
	}
	struct gc_error *err;
	if (uffd) {
		gc_strbuf_printf(sb, "userfaultfd=%" PRIu64 " guest pages not "
				 "yet supplied by the VMM\n", uffd);
		if ((err = gc_report_add(
			     &gg->findings, GC_SEV_WARNING, "kvm-userfaultfd",
			     false, 0, "%" PRIu64 " guest pages have no page "
			     "yet in a VMM mapping with userfaultfd missing-"
			     "page tracking (VM_UFFD_MISSING, e.g. the "
			     "destination of a postcopy migration): the VMM "
			     "supplies them when first touched, so they are "
			     "gaps, not zeros", uffd)))
			return err;
	}
	if (!cached && !holes && !swapped && !uncached && !bad)
		return NULL;
	char kinds[64] = "";
	for (unsigned int b = 0; g->pt && b < KVM_PC_NR_BACKING; b++)
		if (g->pt->backings & (1u << b))
			snprintf(kinds + strlen(kinds),
				 sizeof(kinds) - strlen(kinds), "%s%s",
				 kinds[0] ? "," : "", kvm_pc_backing_name(b));
	char *line = gc_asprintf(
		"%" PRIu64 " guest pages from the VMM's page cache (%s), %"
		PRIu64 " read as zero (a shmem/memfd/hugetlbfs hole: the "
		"guest would read zero), %" PRIu64 " shared memory swapped "
		"out, %" PRIu64 " file pages not in the page cache, %" PRIu64
		" unreadable%s%s", cached, kinds[0] ? kinds : "-", holes,
		swapped, uncached, bad,
		g->pt && g->pt->pc_error ? " (first: " : "",
		g->pt && g->pt->pc_error ? g->pt->pc_error : "");
	if (!line)
		return &gc_error_nomem;
	gc_strbuf_printf(sb, "page_cache=%s%s\n", line,
			 g->pt && g->pt->pc_error ? ")" : "");
	err = gc_report_add(
		&gg->findings, bad || swapped || uncached ? GC_SEV_WARNING :
							    GC_SEV_NOTE,
		"kvm-page-cache", false, 0, "%s%s", line,
		g->pt && g->pt->pc_error ? ")" : "");
	free(line);
	return err;
}

static struct gc_error *kg_provenance(struct gc_guest *gg,
				      struct gc_strbuf *sb)
{
	struct kguest *g = gg->priv;
	const struct gc_kvm_vm *vm = g->vm;
	gc_strbuf_printf(sb, "extracted_from=host dump %s (%s)\n",
			 g->host->file->path,
			 gc_format_name(gc_dump_format(g->host)));
	gc_strbuf_printf(sb, "kvm=0x%" PRIx64 " vmm_pid=%" PRIu32 " comm=%s"
			 " name=%s mm=0x%" PRIx64 " pgd=0x%" PRIx64 "\n",
			 vm->kvm, vm->pid, vm->comm, vm->name, vm->mm,
			 vm->pgd_phys);
	for (size_t i = 0; i < vm->nr_slots; i++) {
		const struct gc_kvm_slot *s = &vm->slots[i];
		gc_strbuf_printf(sb, "slot=as %u id %d gpa 0x%" PRIx64 " pages %"
				 PRIu64 " vmm 0x%" PRIx64 " flags 0x%" PRIx32
				 "%s\n", s->as_id, s->id, s->base_gfn << 12,
				 s->npages, s->userspace_addr, s->flags,
				 s->as_id ? " (SMM, not in the output)" : "");
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		const struct gc_kvm_vcpu *c = &vm->vcpus[i];
		gc_strbuf_printf(sb, "vcpu%u=kvm_vcpu 0x%" PRIx64 " id %d "
				 "thread %" PRIu32 " vmcb 0x%" PRIx64
				 " regs_avail 0x%" PRIx32 " regs_dirty 0x%"
				 PRIx32 "%s\n", i, c->addr, c->vcpu_id, c->pid,
				 c->vmcb_pa, c->regs_avail, c->regs_dirty,
				 c->mode == 1 ? " in guest mode" : "");
	}
	if (vm->nr_vcpus)
		gc_strbuf_printf(sb, "registers=%s\n", vm->vcpus[0].regs_note);
	return pcache_counts(gg, g, sb);
}

static void kg_close(struct gc_guest *gg)
{
	struct kguest *g = gg->priv;
	if (!g)
		return;
	gc_kvm_vms_free(g->vms, g->nr_vms);
	if (g->own_k)
		gc_kernel_close(g->k);
	free(g);
	gg->priv = NULL;
}

const struct gc_kvm_vm *gc_kvm_guest_vm(const struct gc_guest *gg)
{
	if (!gg || gg->src != &gc_guest_source_kvm)
		return NULL;
	const struct kguest *g = gg->priv;
	return g->vm;
}

/* ---- the nested page tables as a cross-check ------------------------------ */

#define NPT_MAX_STEPS (1u << 22)

/* How one vendor's second-level tables translate a guest-physical
 * address: *MAPPED with *HPA when GPA is mapped (a walk that fails is not
 * mapped); *LEN the bytes from GPA to the end of the leaf (mapped) or of
 * the span the entry that stopped the walk covers (not mapped).  Only out
 * of memory is an error. */
struct slot_xcheck {
	const char *name;        /* "NPT", "EPT": the step-limit note */
	const char *tag;         /* the finding's tag */
	struct gc_error *(*translate)(void *ctx, uint64_t gpa, bool *mapped,
				      uint64_t *hpa, uint64_t *len);
	void *ctx;
};

struct slot_xcheck_counts {
	uint64_t agree, absent, differ, vmm_unmapped, first_diff;
};

/* Walk every address-space-0 slot of the VM through X and compare each
 * piece with the VMM's page tables (gg->walk).  *DONE false when the walk
 * did not finish: the step limit (a note is added) or a piece the guest's
 * own walk could not translate (nothing is added).  Out of memory, or a
 * note that cannot be added, is returned. */
static struct gc_error *slots_xcheck(struct gc_guest *gg,
				     const struct gc_kvm_vm *vm,
				     const struct slot_xcheck *x,
				     struct slot_xcheck_counts *c, bool *done)
{
	unsigned int steps = 0;
	memset(c, 0, sizeof(*c));
	*done = false;
	for (size_t i = 0; i < vm->nr_slots; i++) {
		const struct gc_kvm_slot *s = &vm->slots[i];
		if (s->as_id)
			continue;
		uint64_t a = s->base_gfn << 12, end = a + (s->npages << 12);
		while (a < end) {
			if (++steps > NPT_MAX_STEPS)
				return gc_report_add(&gg->findings, GC_SEV_NOTE,
						     x->tag, false, 0, "%s "
						     "cross-check stopped after "
						     "%u pieces", x->name,
						     NPT_MAX_STEPS);
			struct gc_xlat_run r;
			struct gc_error *err = gc_xlat_lookup(gg->walk, a, &r);
			if (err || r.status != GC_XLAT_MAPPED)
				return optional(err);
			uint64_t len = GC_MIN(r.len, end - a), hpa = 0, tlen = 0;
			bool mapped = false;
			if ((err = x->translate(x->ctx, a, &mapped, &hpa,
						&tlen)))
				return err;
			len = GC_MIN(len, tlen);
			if (!mapped) {
				c->absent += len >> 12;
			} else if (r.target >= KVM_NOPTE) {
				c->vmm_unmapped += len >> 12;
			} else if (hpa == (r.target & ~KVM_PCACHE)) {
				/* a page of the VMM's page cache is host
				 * memory like any other */
				c->agree += len >> 12;
			} else {
				if (!c->differ)
					c->first_diff = a;
				c->differ += len >> 12;
			}
			if (!len)
				len = 4096;
			a += len;
		}
	}
	*done = true;
	return NULL;
}

struct npt_ctx {
	struct gc_kernel *k;
	uint64_t ncr3;
};

/* AMD: the NPT is in the host's own page-table format, walked by the host
 * kernel's walker from nested_cr3 (a host-physical root). */
static struct gc_error *npt_translate(void *ctx, uint64_t gpa, bool *mapped,
				      uint64_t *hpa, uint64_t *len)
{
	struct npt_ctx *n = ctx;
	struct gc_walk w;
	struct gc_error *err = gc_kernel_walk(n->k, gpa, true, n->ncr3, &w);
	*mapped = !err;
	if (!err) {
		*hpa = w.phys;
		*len = w.page_size - (gpa & (w.page_size - 1));
		return NULL;
	}
	unsigned int lvl = w.nr ? w.nr - 1 : 0;
	unsigned int top = w.levels == 5 ? 0 : 1;
	unsigned int sh = 12 + 9 * (4 - (top + lvl));
	uint64_t span = w.nr && sh < 48 ? 1ull << sh : 4096;
	*len = span - (gpa & (span - 1));
	return optional(err);
}

/* Walk every address-space-0 slot through the NPT of vCPU 0's VMCB
 * (nested_cr3) and compare each piece with the VMM's page tables; the
 * counts become a finding (a warning when they disagree). */
static struct gc_error *npt_check(struct gc_guest *gg, struct kguest *g)
{
	const struct gc_kvm_vm *vm = g->vm;
	if (vm->vendor != GC_KVM_SVM || !vm->nr_vcpus ||
	    !vm->vcpus[0].nested_cr3)
		return NULL;
	uint64_t ncr3 = vm->vcpus[0].nested_cr3;
	struct npt_ctx n = { g->k, ncr3 };
	const struct slot_xcheck x = { "NPT", "kvm-npt", npt_translate, &n };
	struct slot_xcheck_counts c;
	bool done;
	struct gc_error *err = slots_xcheck(gg, vm, &x, &c, &done);
	if (err || !done)
		return err;
	if (c.differ)
		return gc_report_add(&gg->findings, GC_SEV_WARNING, "kvm-npt",
				     false, 0, "NPT cross-check (nested_cr3 0x%"
				     PRIx64 "): %" PRIu64 " guest pages map to "
				     "other host pages than through the VMM's "
				     "page tables (first at guest 0x%" PRIx64
				     "); %" PRIu64 " agree, %" PRIu64 " not in "
				     "the NPT", ncr3, c.differ, c.first_diff,
				     c.agree, c.absent);
	return gc_report_add(&gg->findings, GC_SEV_NOTE, "kvm-npt", false, 0,
			     "NPT cross-check (nested_cr3 0x%" PRIx64 "): %"
			     PRIu64 " guest pages agree with the VMM's page "
			     "tables, %" PRIu64 " not in the NPT (not touched "
			     "by the guest yet), %" PRIu64 " in the NPT but "
			     "not mapped by the VMM", ncr3, c.agree, c.absent,
			     c.vmm_unmapped);
}

struct ept_ctx {
	struct gc_hostmem mem;
	uint64_t eptp;
};

/* Intel: gc_ept_translate over the host dump; a page it cannot translate
 * counts alone (4 KiB). */
static struct gc_error *ept_translate(void *ctx, uint64_t gpa, bool *mapped,
				      uint64_t *hpa, uint64_t *len)
{
	struct ept_ctx *e = ctx;
	struct gc_ept_walk w;
	struct gc_error *err = gc_ept_translate(&e->mem, e->eptp, gpa, &w);
	*mapped = !err;
	if (!err) {
		*hpa = w.hpa;
		*len = w.page_size - (gpa & (w.page_size - 1));
		return NULL;
	}
	*len = 4096 - (gpa & 4095);
	return optional(err);
}

/* Intel: the same cross-check through the EPT of vCPU 0's VMCS (the
 * EPTP read through its layout). */
static struct gc_error *ept_check(struct gc_guest *gg, struct kguest *g,
				  const struct gc_guest_args *a)
{
	const struct gc_kvm_vm *vm = g->vm;
	if (vm->vendor != GC_KVM_VMX || !vm->nr_vcpus)
		return NULL;
	struct ept_ctx e = { .eptp = vm->vcpus[0].eptp };
	if (!e.eptp)
		return gc_report_add(&gg->findings, GC_SEV_NOTE, "kvm-ept",
				     false, 0, "EPT cross-check not done: vCPU "
				     "0's VMCS %s", vm->vcpus[0].vmcs_layout[0] ?
				     "layout has no EPT_POINTER" :
				     "could not be decoded (no usable layout)");
	struct gc_error *err = gc_hostmem_dump(a->host, &e.mem);
	if (err == &gc_error_nomem)
		return err;
	if (err) {
		struct gc_error *e2 = gc_report_add(
			&gg->findings, GC_SEV_NOTE, "kvm-ept", false, 0,
			"EPT cross-check not done: the host dump's memory: %s",
			gc_error_string(err));
		gc_error_free(err);
		return e2;
	}
	const struct slot_xcheck x = { "EPT", "kvm-ept", ept_translate, &e };
	struct slot_xcheck_counts c;
	bool done;
	if ((err = slots_xcheck(gg, vm, &x, &c, &done)) || !done)
		return err;
	return gc_report_add(&gg->findings,
			     c.differ ? GC_SEV_WARNING : GC_SEV_NOTE, "kvm-ept",
			     false, 0, "EPT cross-check (EPTP 0x%" PRIx64 ", "
			     "layout %s): %" PRIu64 " guest pages agree with "
			     "the VMM's page tables, %" PRIu64 " map elsewhere "
			     "(first at guest 0x%" PRIx64 "), %" PRIu64 " not "
			     "in the EPT, %" PRIu64 " in the EPT but not mapped "
			     "by the VMM", e.eptp, vm->vcpus[0].vmcs_layout,
			     c.agree, c.differ, c.first_diff, c.absent,
			     c.vmm_unmapped);
}

struct gc_error *kvm_slots_table(const struct gc_kvm_vm *vm,
				 struct gc_xlat_entry **out, size_t *nr,
				 uint64_t *limit)
{
	struct gc_xlat_entry *t = NULL;
	size_t n = 0, cap = 0;
	*out = NULL;
	*nr = 0;
	*limit = 0;
	for (size_t i = 0; i < vm->nr_slots; i++) {
		const struct gc_kvm_slot *s = &vm->slots[i];
		if (s->as_id || !s->npages)
			continue;
		struct gc_xlat_entry e = { s->base_gfn << 12,
					   s->userspace_addr, s->npages << 12 };
		if (s->flags & KVM_MEM_GUEST_MEMFD)
			e.to |= KVM_SLOT_GMEM;
		if (n && t[n - 1].from + t[n - 1].len > e.from) {
			free(t);
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					     s->addr, "kvm_memory_slot",
					     "slot %d overlaps the one before",
					     s->id);
		}
		if (!gc_vec_push(&t, &n, &cap, &e)) {
			free(t);
			return &gc_error_nomem;
		}
		*limit = e.from + e.len;
	}
	if (!n)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, vm->kvm,
				     "KVM guest", "no memory slot in address "
				     "space 0");
	*out = t;
	*nr = n;
	return NULL;
}

static struct gc_error *kg_open(struct gc_guest *gg,
				const struct gc_guest_args *a)
{
	if (!a->host)
		return gc_error_new(GC_ERR_INVALID_ARG, "KVM guest",
				    "no host dump given");
	if (gc_dump_page_size(a->host) != GC_GUEST_PAGE)
		return gc_error_new(GC_ERR_UNSUPPORTED, "host dump",
				    "page size %u (only 4096 is supported)",
				    gc_dump_page_size(a->host));
	struct kguest *g = calloc(1, sizeof(*g));
	if (!g)
		return &gc_error_nomem;
	gg->priv = g;
	g->host = a->host;
	gg->path = a->host->file->path;
	gg->guest_type = "kvm";
	struct gc_error *err = NULL;
	g->k = a->kernel;
	if (!g->k) {
		err = gc_kernel_open(a->host, NULL, &g->k);
		if (err)
			return gc_error_context(err, "the host kernel");
		g->own_k = true;
	}
	if ((err = gc_kvm_list(g->k, &g->vms, &g->nr_vms)))
		return err;
	if (a->vm >= g->nr_vms)
		return gc_error_new(GC_ERR_NOT_PRESENT, "KVM guest",
				    "no VM %u: the host's vm_list has %zu",
				    a->vm, g->nr_vms);
	const struct gc_kvm_vm *vm = g->vm = &g->vms[a->vm];
	if (!vm->pgd_phys)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, vm->kvm,
				     "KVM guest", "the VMM's page tables are "
				     "unknown (%s)", vm->problems);
	if (vm->problems[0] &&
	    (err = gc_report_add(&gg->findings, GC_SEV_WARNING,
				 "kvm-structures", false, 0, "VM %u (struct "
				 "kvm 0x%" PRIx64 "): %s", a->vm, vm->kvm,
				 vm->problems)))
		return err;
	/* guest frames of address space 0 -> VMM virtual addresses */
	struct gc_xlat_entry *t = NULL;
	size_t n = 0;
	uint64_t limit = 0;
	if ((err = kvm_slots_table(vm, &t, &n, &limit)))
		return err;
	for (size_t i = 0; i < vm->nr_slots; i++) {
		const struct gc_kvm_slot *s = &vm->slots[i];
		if (s->as_id || !(s->flags & KVM_MEM_GUEST_MEMFD) ||
		    !(err = gc_report_add(
			      &gg->findings, GC_SEV_WARNING, "kvm-guest-memfd",
			      false, 0, "memory slot %d (guest 0x%" PRIx64
			      ", %" PRIu64 " pages) is backed by a guest_memfd "
			      "(KVM_MEM_GUEST_MEMFD, Linux >= 6.8): its private "
			      "pages are not in the VMM's mapping and which "
			      "pages are private (kvm.mem_attr_array) is not "
			      "read, so none of its pages are read (gaps)",
			      s->id, s->base_gfn << 12, s->npages)))
			continue;
		free(t);
		return err;
	}
	struct gc_xlat *slots = NULL, *pt = NULL;
	err = gc_xlat_table(t, n, "kvm-memslots", GC_SPACE_PHYS,
			    GC_SPACE_NONE, "not in any KVM memory slot",
			    &slots);
	free(t);
	if (err)
		return err;
	slots->limit = limit;
	if ((err = kvm_vmm_xlat_new(g->k, vm->pgd_phys, vm->mm, NULL, &pt))) {
		gc_xlat_free(slots);
		return err;
	}
	g->pt = pt->priv;
	if ((err = gc_xlat_compose(slots, pt, &gg->walk)))
		return err;
	gg->walk->limit = limit;
	gg->vcpus = calloc(vm->nr_vcpus ? vm->nr_vcpus : 1,
			   sizeof(*gg->vcpus));
	if (!gg->vcpus)
		return &gc_error_nomem;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		const struct gc_kvm_vcpu *c = &vm->vcpus[i];
		gg->vcpus[i] = c->regs;
		if (c->mode == 1 &&
		    (err = gc_report_add(&gg->findings, GC_SEV_NOTE,
					 "kvm-vcpu-in-guest", false, 0, "vCPU %d "
					 "was executing in guest mode on host "
					 "CPU %d: the host dump's register note "
					 "for CPU %d holds this guest's "
					 "registers, not the host's",
					 c->vcpu_id, c->cpu, c->cpu)))
			return err;
	}
	gg->nr_vcpus = vm->nr_vcpus;
	if ((err = npt_check(gg, g)) || (err = ept_check(gg, g, a)))
		return err;
	gg->summary = gc_asprintf("KVM guest in host dump %s: struct kvm 0x%"
				  PRIx64 ", VMM pid %" PRIu32 " (%s)",
				  a->host->file->path, vm->kvm, vm->pid,
				  vm->comm);
	return gg->summary ? NULL : &gc_error_nomem;
}

const struct gc_guest_source gc_guest_source_kvm = {
	.name = "kvm",
	.description = "KVM guest through the host kernel's KVM structures "
		       "(vm_list, memory slots, the VMM's page tables, vCPU "
		       "registers from kvm_vcpu and the VMCB)",
	.open = kg_open,
	.locate = kg_locate,
	.gap_reason = kg_gap_reason,
	.gap_reason_at = kg_gap_reason_at,
	.provenance = kg_provenance,
	.where = "host dump",
	.target = "host",
	.mapper = "KVM memory slots and the VMM's page tables",
	.close = kg_close,
};
