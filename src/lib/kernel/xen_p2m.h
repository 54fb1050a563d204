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
 * from and how many pages of it could not be read (their entries are
 * unmapped). */
struct gc_error *gc_xen_p2m_rebuild(struct gc_kernel *k, struct gc_xlat **out,
				    char **source);

/* TABLE[pfn] (mfn, ~0 = no frame, FOREIGN/IDENTITY bits ignored) for pfn
 * < COUNT as an xlat of coalesced runs, pages of 1 << PAGE_SHIFT bytes.
 * Implausible counts (over 2^28) fail before TABLE is read. */
struct gc_error *gc_xen_p2m_table_xlat(const uint64_t *table, uint64_t count,
				       unsigned int page_shift,
				       struct gc_xlat **out);

#endif
