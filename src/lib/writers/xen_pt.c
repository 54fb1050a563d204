// SPDX-License-Identifier: MIT
/*
 * Xen PV page-table rewrite for pfn-space output.  A PV guest's page
 * tables hold machine frames; crash and drgn walk an ELF/kdump vmcore's
 * tables as guest-physical.  Starting from every root (each vCPU's
 * ctrlreg[3] and ctrlreg[1], plus the kernel's top-level table when the
 * kernel layer names it), walk the 4 levels, and for each table page
 * make a copy whose present entries point at pfns (gc_dump_mfn_to_pfn).
 * 2 MiB / 1 GiB leaves are rewritten but not descended; L4 slots 256-271
 * (the hypervisor hole, Xen's own frames) are cleared; an entry whose mfn
 * is not in the dump is made non-present (zeroed) and counted.  Each
 * table page is rewritten once, at the first level it is reached at.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dump_internal.h"
#include "writers/writer_internal.h"

#define ADDR_MASK 0x000FFFFFFFFFF000ull
#define PS_BIT (1ull << 7)

struct ov_slot {
	uint64_t pfn;    /* UINT64_MAX = empty */
	uint32_t idx;    /* page index in pages */
	uint8_t level;
};

struct gc_pt_overlay {
	struct ov_slot *slots;
	size_t cap;      /* power of two */
	size_t count;
	uint8_t **pages;
	size_t pages_cap;
	uint32_t page_size;
};

static size_t hash(uint64_t pfn, size_t cap)
{
	return (size_t)((pfn * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
}

static struct ov_slot *find(const struct gc_pt_overlay *o, uint64_t pfn)
{
	if (!o->cap)
		return NULL;
	for (size_t i = hash(pfn, o->cap);; i = (i + 1) & (o->cap - 1)) {
		if (o->slots[i].pfn == pfn)
			return &o->slots[i];
		if (o->slots[i].pfn == UINT64_MAX)
			return NULL;
	}
}

static struct gc_error *grow(struct gc_pt_overlay *o)
{
	size_t cap = o->cap ? o->cap * 2 : 1024;
	struct ov_slot *s = malloc(cap * sizeof(*s));
	if (!s)
		return &gc_error_nomem;
	for (size_t i = 0; i < cap; i++)
		s[i].pfn = UINT64_MAX;
	for (size_t i = 0; i < o->cap; i++) {
		if (o->slots[i].pfn == UINT64_MAX)
			continue;
		size_t j = hash(o->slots[i].pfn, cap);
		while (s[j].pfn != UINT64_MAX)
			j = (j + 1) & (cap - 1);
		s[j] = o->slots[i];
	}
	free(o->slots);
	o->slots = s;
	o->cap = cap;
	return NULL;
}

static struct gc_error *insert(struct gc_pt_overlay *o, uint64_t pfn,
			       uint8_t level, uint8_t *page)
{
	if ((o->count + 1) * 2 > o->cap) {
		struct gc_error *err = grow(o);
		if (err)
			return err;
	}
	if (o->count == o->pages_cap) {
		size_t cap = o->pages_cap ? o->pages_cap * 2 : 256;
		uint8_t **p = realloc(o->pages, cap * sizeof(*p));
		if (!p)
			return &gc_error_nomem;
		o->pages = p;
		o->pages_cap = cap;
	}
	size_t j = hash(pfn, o->cap);
	while (o->slots[j].pfn != UINT64_MAX)
		j = (j + 1) & (o->cap - 1);
	o->slots[j].pfn = pfn;
	o->slots[j].idx = (uint32_t)o->count;
	o->slots[j].level = level;
	o->pages[o->count++] = page;
	return NULL;
}

const uint8_t *gc_pt_overlay_get(const struct gc_pt_overlay *o, uint64_t pfn)
{
	if (!o)
		return NULL;
	const struct ov_slot *s = find(o, pfn);
	return s ? o->pages[s->idx] : NULL;
}

void gc_pt_overlay_free(struct gc_pt_overlay *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->count; i++)
		free(o->pages[i]);
	free(o->pages);
	free(o->slots);
	free(o);
}

struct gc_error *gc_pt_overlay_patch(struct gc_pt_overlay **op,
				     struct gc_dump *d, uint64_t paddr,
				     const void *bytes, size_t len)
{
	uint32_t ps = gc_dump_page_size(d);
	if (!len || (paddr & (ps - 1)) + len > ps)
		return gc_error_addr(GC_ERR_INVALID_ARG, GC_SPACE_PHYS, paddr,
				     "patch", "%zu bytes cross a page boundary",
				     len);
	if (!*op) {
		*op = calloc(1, sizeof(**op));
		if (!*op)
			return &gc_error_nomem;
		(*op)->page_size = ps;
	}
	struct gc_pt_overlay *o = *op;
	uint64_t pfn = paddr / ps;
	struct ov_slot *slot = find(o, pfn);
	uint8_t *page;
	if (slot) {
		page = o->pages[slot->idx];
	} else {
		page = malloc(ps);
		if (!page)
			return &gc_error_nomem;
		struct gc_error *err = gc_dump_read(d, GC_SPACE_PHYS,
						    pfn * ps, page, ps);
		if (!err)
			err = insert(o, pfn, 0, page);
		if (err) {
			free(page);
			return gc_error_context(err, "patching 0x%" PRIx64,
						paddr);
		}
	}
	memcpy(page + (paddr & (ps - 1)), bytes, len);
	return NULL;
}

struct todo {
	uint64_t pfn;
	uint8_t level;
};

struct walker {
	struct gc_dump *d;
	struct gc_pt_overlay *o;
	struct gc_convert_stats *st;
	struct todo *stack;
	size_t n, cap;
};

static struct gc_error *push(struct walker *w, uint64_t pfn, uint8_t level)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 512;
		struct todo *s = realloc(w->stack, cap * sizeof(*s));
		if (!s)
			return &gc_error_nomem;
		w->stack = s;
		w->cap = cap;
	}
	w->stack[w->n].pfn = pfn;
	w->stack[w->n].level = level;
	w->n++;
	return NULL;
}

/* mfn -> pfn, or false when the mfn is not in the dump. */
static struct gc_error *m2p(struct gc_dump *d, uint64_t mfn, uint64_t *pfn,
			    bool *found)
{
	struct gc_error *err = gc_dump_mfn_to_pfn(d, mfn, pfn);
	*found = !err;
	if (err && gc_error_code(err) == GC_ERR_NOT_PRESENT) {
		gc_error_free(err);
		return NULL;
	}
	return err;
}

static struct gc_error *rewrite_table(struct walker *w, uint64_t pfn,
				      uint8_t level)
{
	struct ov_slot *seen = find(w->o, pfn);
	if (seen) {
		if (seen->level != level)
			w->st->pt_conflicts++;
		return NULL;
	}
	uint32_t ps = w->o->page_size;
	uint8_t *page = malloc(ps);
	if (!page)
		return &gc_error_nomem;
	struct gc_error *err = gc_dump_read(w->d, GC_SPACE_PHYS, pfn << 12,
					    page, ps);
	if (err) {
		free(page);
		if (gc_error_code(err) == GC_ERR_NOT_PRESENT ||
		    gc_error_code(err) == GC_ERR_EXCLUDED) {
			gc_error_free(err);
			w->st->pt_roots_missing += level == 4;
			return NULL;
		}
		return err;
	}
	err = insert(w->o, pfn, level, page);
	if (err) {
		free(page);
		return err;
	}
	w->st->pt_pages++;
	for (unsigned int i = 0; i < ps / 8; i++) {
		uint64_t e = gc_get64(page + 8 * i, false);
		if (level == 4 && i >= 256 && i < 272) {
			if (e) {
				gc_put64(page + 8 * i, 0, false);
				w->st->pt_hole++;
			}
			continue;
		}
		if (!(e & 1))
			continue;
		bool leaf = level == 1 || ((level == 2 || level == 3) &&
					   (e & PS_BIT));
		/* Large leaves: the frame starts at bit 21 / 30; bit 12 is
		 * PAT there. */
		uint64_t mask = ADDR_MASK;
		if (leaf && level == 2)
			mask = ADDR_MASK & ~((1ull << 21) - 1);
		else if (leaf && level == 3)
			mask = ADDR_MASK & ~((1ull << 30) - 1);
		uint64_t mfn = (e & mask) >> 12, p = 0;
		bool found;
		err = m2p(w->d, mfn, &p, &found);
		if (err)
			return err;
		uint64_t align = leaf && level == 2 ? 511 :
				 leaf && level == 3 ? (1ull << 18) - 1 : 0;
		/* a large leaf maps 512 (or 262144) machine frames: every
		 * one must be the pfn after the one before, or the output's
		 * tables would translate into other pages */
		for (uint64_t k = 1; found && !(p & align) && k <= align; k++) {
			uint64_t pk = 0;
			err = m2p(w->d, mfn + k, &pk, &found);
			if (err)
				return err;
			if (found && pk != p + k)
				found = false;
		}
		if (!found || (p & align)) {
			gc_put64(page + 8 * i, 0, false);
			w->st->pt_dropped++;
			continue;
		}
		gc_put64(page + 8 * i, (e & ~mask) | (p << 12), false);
		w->st->pt_entries++;
		if (!leaf) {
			err = push(w, p, (uint8_t)(level - 1));
			if (err)
				return err;
		}
	}
	return NULL;
}

static struct gc_error *walk_root(struct walker *w, uint64_t pfn)
{
	w->st->pt_roots++;
	struct gc_error *err = push(w, pfn, 4);
	while (!err && w->n) {
		struct todo t = w->stack[--w->n];
		err = rewrite_table(w, t.pfn, t.level);
	}
	return err;
}

/*
 * Every Linux top-level table shares the kernel half (L4 slots 272-511)
 * with init_top_pgt.  Take the kernel half of a root already walked and
 * look for pages whose kernel half is identical: init_top_pgt itself and
 * the pgd of every process, found without symbols.  At least 4 present
 * kernel-half entries are required so that an empty table matches
 * nothing.
 */
enum { KH_FIRST = 272, KH_COUNT = 512 - 272 };

static struct gc_error *find_pgds(struct walker *w)
{
	/* The reference: a walked root with a populated kernel half (a
	 * user-mode top-level table, ctrlreg[1], has none). */
	uint64_t ref[KH_COUNT], cur[KH_COUNT];
	bool have_ref = false;
	struct gc_error *err = NULL;
	for (size_t i = 0; i < w->o->cap && !have_ref; i++) {
		if (w->o->slots[i].pfn == UINT64_MAX ||
		    w->o->slots[i].level != 4)
			continue;
		err = gc_dump_read(w->d, GC_SPACE_PHYS,
				   (w->o->slots[i].pfn << 12) + KH_FIRST * 8,
				   ref, sizeof(ref));
		if (err)
			return err;
		unsigned int present = 0;
		for (unsigned int k = 0; k < KH_COUNT; k++)
			present += ref[k] & 1;
		have_ref = present >= 4;
	}
	if (!have_ref)
		return NULL;
	struct gc_frame_run *runs;
	size_t nr;
	err = gc_dump_frame_runs(w->d, GC_SPACE_PHYS, &runs, &nr);
	if (err)
		return err;
	for (size_t r = 0; r < nr && !err; r++) {
		for (uint64_t f = 0; f < runs[r].count && !err; f++) {
			uint64_t pfn = runs[r].start + f;
			if (find(w->o, pfn))
				continue;
			err = gc_dump_read(w->d, GC_SPACE_PHYS,
					   (pfn << 12) + KH_FIRST * 8, cur,
					   sizeof(cur));
			if (err) {
				if (gc_error_code(err) != GC_ERR_NOT_PRESENT &&
				    gc_error_code(err) != GC_ERR_EXCLUDED)
					break;
				gc_error_free(err);
				err = NULL;
				continue;
			}
			if (memcmp(cur, ref, sizeof(ref)))
				continue;
			w->st->pt_pgds_found++;
			err = walk_root(w, pfn);
		}
	}
	free(runs);
	return err;
}

struct gc_error *gc_xen_pt_rewrite(struct gc_dump *d,
				   const struct gc_convert_kernel *k,
				   struct gc_pt_overlay **out,
				   struct gc_convert_stats *st)
{
	*out = NULL;
	if (gc_dump_page_size(d) != 4096)
		return gc_error_new(GC_ERR_UNSUPPORTED, "page-table rewrite",
				    "page size %u (only 4096 is handled)",
				    gc_dump_page_size(d));
	struct gc_pt_overlay *o = calloc(1, sizeof(*o));
	if (!o)
		return &gc_error_nomem;
	o->page_size = 4096;
	struct walker w = { .d = d, .o = o, .st = st };
	struct gc_error *err = NULL;
	/* The kernel's own top-level table first, so its pages are
	 * classified from the right root. */
	for (size_t i = 0; k && i < k->nr_pgd_pfns && !err; i++)
		err = walk_root(&w, k->pgd_pfns[i]);
	for (unsigned int c = 0; c < gc_dump_nr_vcpus(d) && !err; c++) {
		struct gc_vcpu v;
		err = gc_dump_vcpu(d, c, &v);
		if (err)
			break;
		if (v.is_32bit) {
			err = gc_error_new(GC_ERR_UNSUPPORTED,
					   "page-table rewrite",
					   "vcpu %u is a 32-bit PV context; "
					   "only 64-bit PV guests are handled",
					   c);
			break;
		}
		uint64_t roots[2];
		size_t nr = 0;
		if (v.pgd_space == GC_SPACE_MACH)
			roots[nr++] = v.pgd_addr >> 12;
		if ((v.valid & (1ull << GC_REG_CR1)) && v.regs[GC_REG_CR1])
			roots[nr++] = v.regs[GC_REG_CR1] >> 12;
		for (size_t r = 0; r < nr && !err; r++) {
			uint64_t pfn;
			bool found;
			err = m2p(d, roots[r], &pfn, &found);
			if (err)
				break;
			if (!found) {
				st->pt_roots++;
				st->pt_roots_missing++;
				continue;
			}
			err = walk_root(&w, pfn);
		}
	}
	if (!err)
		err = find_pgds(&w);
	free(w.stack);
	if (err) {
		gc_pt_overlay_free(o);
		return err;
	}
	*out = o;
	return NULL;
}
