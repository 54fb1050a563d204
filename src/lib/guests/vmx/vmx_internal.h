// SPDX-License-Identifier: MIT
/* Helpers shared by the vmx modules. */
#ifndef GC_VMX_INTERNAL_H
#define GC_VMX_INTERNAL_H

#include "guestcore/vmx.h"
#include "spaces/xlat.h"

/* Add a warning to R (no-op when R is NULL); nomem on failure. */
struct gc_error *gc_vmx_warn(struct gc_report *r, const char *code,
			     bool has_off, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Sort L's locs by encoding. */
void gc_vmx_layout_sort(struct gc_vmcs_layout *l);

/* The EPT of EPTP over MEM as an xlat (guest-physical -> host-physical):
 * each lookup walks the tables and answers for the leaf's page (4 KiB,
 * 2 MiB, 1 GiB) or for the whole span of the entry that stops the walk
 * (not present, misconfigured: UNMAPPED; table unreadable: NOT_READABLE).
 * MEM must outlive the xlat. */
struct gc_error *gc_ept_xlat_new(const struct gc_hostmem *mem, uint64_t eptp,
				 struct gc_xlat **out);

#endif
