// SPDX-License-Identifier: MIT
/* x86-64 page-table walks: native and Xen PV, 4 and 5 levels (moved from
 * spaces/x86_64.c). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86_64/x86_64.h"
#include "util/util.h"

static const char *const level_names5[] = {"PML5", "PGD", "PUD", "PMD",
					   "PTE"};

bool gc_x86_canonical(uint64_t vaddr, unsigned int levels)
{
	unsigned int top = levels == 5 ? 56 : 47;
	uint64_t hi = vaddr >> top;
	uint64_t all = (1ull << (64 - top)) - 1;
	return hi == 0 || hi == all;
}

void gc_x86_flags(uint64_t e, bool large, char *buf, size_t len)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} f[] = {
		{GC_X86_PTE_PRESENT, "PRESENT"}, {GC_X86_PTE_RW, "RW"},
		{GC_X86_PTE_USER, "USER"}, {GC_X86_PTE_PWT, "PWT"},
		{GC_X86_PTE_PCD, "PCD"}, {GC_X86_PTE_ACCESSED, "ACCESSED"},
		{GC_X86_PTE_DIRTY, "DIRTY"}, {GC_X86_PTE_PSE, "PSE"},
		{GC_X86_PTE_GLOBAL, "GLOBAL"}, {GC_X86_PTE_NX, "NX"},
	};
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < GC_ARRAY_SIZE(f); i++) {
		if (!(e & f[i].bit))
			continue;
		const char *name = f[i].name;
		/* Bit 7 of a 4 KiB PTE is PAT, not PSE. */
		if (f[i].bit == GC_X86_PTE_PSE && !large)
			name = "PAT";
		int n = snprintf(buf + used, len - used, "%s%s",
				 used ? "|" : "", name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	/* A large page's PAT bit is bit 12. */
	if (large && (e & (1ull << 12)) && used + 5 < len)
		snprintf(buf + used, len - used, "%sPAT", used ? "|" : "");
}

static struct gc_error *stop(struct gc_walk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static struct gc_error *stop(struct gc_walk *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	w->ok = false;
	return gc_error_addr(GC_ERR_TRANSLATION, GC_SPACE_KVIRT, w->vaddr,
			     "page-table walk", "%s", w->why);
}

struct gc_error *gc_x86_walk(const struct gc_arch_paging *pg,
			     const struct gc_arch_mem *mem, uint64_t root,
			     enum gc_space root_space, uint64_t vaddr,
			     struct gc_walk *w)
{
	memset(w, 0, sizeof(*w));
	w->vaddr = vaddr;
	w->levels = pg->levels == 5 ? 5 : 4;
	w->xen_pv = pg->xen_pv;
	if (!gc_x86_canonical(vaddr, w->levels))
		return stop(w, "0x%" PRIx64 " is not a canonical %u-level "
			    "address", vaddr, w->levels);
	uint64_t mask = GC_X86_ADDR_MASK & ~pg->sme_mask;
	uint64_t table = root & mask;
	enum gc_space space = root_space;
	unsigned int first = w->levels == 5 ? 0 : 1;
	for (unsigned int l = first; l < 5; l++) {
		unsigned int shift = 12 + 9 * (4 - l);
		struct gc_walk_level *lv = &w->lvl[w->nr++];
		lv->name = level_names5[l];
		lv->table = table;
		lv->index = (unsigned int)((vaddr >> shift) & 511);
		if (space == GC_SPACE_PHYS) {
			lv->table_phys = table;
			lv->has_table_phys = true;
		} else if (mem->m2p) {
			uint64_t pfn;
			struct gc_error *e = mem->m2p(mem->ctx, table >> 12,
						      &pfn);
			if (!e) {
				lv->table_phys = pfn << 12;
				lv->has_table_phys = true;
			}
			gc_error_free(e);
		}
		uint64_t ea = table + (uint64_t)lv->index * 8;
		struct gc_error *e = mem->read_u64(mem->ctx, space, ea,
						   &lv->entry);
		if (e) {
			char buf[160];
			snprintf(buf, sizeof(buf), "%s",
				 gc_error_string(e));
			gc_error_free(e);
			return stop(w, "cannot read the %s table at %s "
				    "0x%" PRIx64 ": %s", lv->name,
				    space == GC_SPACE_MACH ? "machine address"
							   : "physical address",
				    table, buf);
		}
		lv->read = true;
		uint64_t ent = lv->entry;
		if (!(ent & GC_X86_PTE_PRESENT))
			return stop(w, "%s entry %u at 0x%" PRIx64 " is not "
				    "present (0x%" PRIx64 ")", lv->name,
				    lv->index, ea, ent);
		bool large = l >= 2 && l <= 3 && (ent & GC_X86_PTE_PSE);
		if (l < 2 && (ent & GC_X86_PTE_PSE))
			return stop(w, "%s entry %u = 0x%" PRIx64 " sets the "
				    "reserved PS bit", lv->name, lv->index,
				    ent);
		uint64_t frame_addr = ent & mask;
		uint64_t size = 1ull << shift;
		if (large)
			frame_addr &= ~(size - 1);
		uint64_t pseudo = frame_addr;
		bool have_pseudo = !pg->xen_pv;
		if (pg->xen_pv && mem->m2p) {
			uint64_t pfn;
			e = mem->m2p(mem->ctx, frame_addr >> 12, &pfn);
			if (!e) {
				pseudo = pfn << 12;
				have_pseudo = true;
				lv->entry_pseudo = pseudo | (ent & 0xfff);
				lv->has_entry_pseudo = true;
			}
			gc_error_free(e);
		}
		if (large || l == 4) {
			uint64_t off = vaddr & (size - 1);
			w->page_size = size;
			w->ok = true;
			w->leaf = pg->xen_pv ? lv->entry_pseudo : ent;
			if (pg->xen_pv) {
				w->mach = frame_addr + off;
				if (!have_pseudo && pg->mach_only)
					pseudo = frame_addr;
				else if (!have_pseudo)
					return stop(w, "machine frame 0x%" PRIx64
						    " of the page is not in the "
						    "dump's pfn index",
						    frame_addr >> 12);
				w->phys = pseudo + off;
			} else {
				w->phys = frame_addr + off;
				w->mach = w->phys;
			}
			w->why[0] = '\0';
			return NULL;
		}
		table = frame_addr;
		space = pg->xen_pv ? GC_SPACE_MACH : GC_SPACE_PHYS;
	}
	return stop(w, "walk ended without a leaf"); /* not reached */
}
