// SPDX-License-Identifier: MIT
/*
 * A Xen PV guest's own pfn -> mfn map, read from guest memory through the
 * kernel object's public reads (symbols, kernel-virtual memory): checked
 * against a dump's index, or rebuilt as a translation (spaces/xlat.h) for
 * dumps without a pfn column.  Depends on nothing of the kernel object's
 * insides, so kernel.c uses it without a cycle.
 */
#ifndef GC_KERNEL_XEN_P2M_H
#define GC_KERNEL_XEN_P2M_H

#include "guestcore/kernel.h"
#include "spaces/xlat.h"

/* Compare the guest's p2m (shared_info's frame-list-list, the linear
 * list or the 3-level tree) with D's pfn -> mfn answers; findings in REP. */
struct gc_error *gc_xen_p2m_check(struct gc_kernel *k, struct gc_dump *d,
				  struct gc_report *rep);

/* The guest's pfn -> mfn map read from guest memory (the linear list,
 * xen_p2m_addr, or the p2m_top tree) as an xlat over 4 KiB pages whose
 * limit is the number of entries.  *SOURCE (malloc'ed) says where it came
 * from, how many pages of it could not be read (their entries are
 * unmapped) and which entries were left out (gc_xen_p2m_table_xlat).  A
 * map naming more frames than the dump could hold (DUMP_FRAMES) is
 * refused, as there. */
struct gc_error *gc_xen_p2m_rebuild(struct gc_kernel *k, uint64_t dump_frames,
				    struct gc_xlat **out, char **source);

/* What gc_xen_p2m_table_xlat left out of the map. */
struct gc_xen_p2m_stats {
	uint64_t mapped;    /* entries that became pfn -> mfn */
	uint64_t identity;  /* IDENTITY_FRAME_BIT (62) set: I/O, not RAM */
	uint64_t foreign;   /* FOREIGN_FRAME_BIT (63) set: another domain's */
	uint64_t wild;      /* mfn past the 52-bit machine address space */
};

/* TABLE[pfn] (mfn, ~0 = no frame) for pfn < COUNT as an xlat of coalesced
 * runs, pages of 1 << PAGE_SHIFT bytes.  Entries with the IDENTITY or
 * FOREIGN bit name no frame of the guest's RAM and are left unmapped, as
 * are mfns past the 52-bit machine address space; *ST (may be NULL) counts
 * them.  Implausible counts (over 2^28) fail before TABLE is read, and a
 * table with more than 2 * DUMP_FRAMES + 1024 entries naming a frame
 * (~0: no bound) is refused before it costs more memory than that: a
 * guest's p2m names each of its frames once. */
struct gc_error *gc_xen_p2m_table_xlat(const uint64_t *table, uint64_t count,
				       unsigned int page_shift,
				       uint64_t dump_frames,
				       struct gc_xen_p2m_stats *st,
				       struct gc_xlat **out);

/* "IDENTITY"/"FOREIGN" for an entry with that bit set, else NULL. */
const char *gc_xen_p2m_flag_name(uint64_t entry);

#endif
