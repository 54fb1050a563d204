// SPDX-License-Identifier: MIT
/*
 * x86-64 page-table walks (4- and 5-level, 2 MiB / 1 GiB pages, Xen PV
 * tables holding machine frames).  The walker reads entries through a
 * callback so it can run on a dump, a test image or fuzz input alike.
 */
#ifndef GC_SPACES_X86_64_H
#define GC_SPACES_X86_64_H

#include <stdbool.h>
#include <stdint.h>

#include "guestcore/error.h"
#include "guestcore/kernel.h"

#define GC_X86_PTE_PRESENT  (1ull << 0)
#define GC_X86_PTE_RW       (1ull << 1)
#define GC_X86_PTE_USER     (1ull << 2)
#define GC_X86_PTE_PWT      (1ull << 3)
#define GC_X86_PTE_PCD      (1ull << 4)
#define GC_X86_PTE_ACCESSED (1ull << 5)
#define GC_X86_PTE_DIRTY    (1ull << 6)
#define GC_X86_PTE_PSE      (1ull << 7)
#define GC_X86_PTE_GLOBAL   (1ull << 8)
#define GC_X86_PTE_NX       (1ull << 63)
/* Physical-address bits of a table pointer (MAXPHYADDR <= 52). */
#define GC_X86_ADDR_MASK    0x000FFFFFFFFFF000ull

struct gc_x86_mem {
	void *ctx;
	/* Read the 8-byte entry at ADDR of SPACE (PHYS, or MACH for PV). */
	struct gc_error *(*read_u64)(void *ctx, enum gc_space space,
				     uint64_t addr, uint64_t *out);
	/* Xen PV only: machine frame -> pseudo-physical frame. */
	struct gc_error *(*m2p)(void *ctx, uint64_t mfn, uint64_t *pfn);
};

struct gc_x86_paging {
	unsigned int levels;  /* 4 or 5 */
	bool xen_pv;          /* entries hold mfns */
	uint64_t sme_mask;    /* AMD SME C-bit (and similar) to strip */
	/* Xen PV without any mfn -> pfn map yet (legacy xc_core before the
	 * guest's p2m is rebuilt): a leaf whose frame has no pfn still
	 * translates, with phys set to the machine address.  Only for
	 * reading the p2m itself; never shown to users. */
	bool mach_only;
};

/*
 * Walk VADDR from the top-level table at ROOT (in ROOT_SPACE: PHYS, or
 * MACH for a Xen PV cr3).  Fills W completely in every case; returns NULL
 * when the address translated, else a GC_ERR_TRANSLATION error whose text
 * is W->why.
 */
struct gc_error *gc_x86_walk(const struct gc_x86_paging *pg,
			     const struct gc_x86_mem *mem, uint64_t root,
			     enum gc_space root_space, uint64_t vaddr,
			     struct gc_walk *w);

/* Is VADDR canonical for LEVELS-level paging? */
bool gc_x86_canonical(uint64_t vaddr, unsigned int levels);

#endif
