// SPDX-License-Identifier: MIT
/* Helpers shared by the vmx modules. */
#ifndef GC_VMX_INTERNAL_H
#define GC_VMX_INTERNAL_H

#include "guestcore/vmx.h"

/* Add a warning to R (no-op when R is NULL); nomem on failure. */
struct gc_error *gc_vmx_warn(struct gc_report *r, const char *code,
			     bool has_off, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Sort L's locs by encoding. */
void gc_vmx_layout_sort(struct gc_vmcs_layout *l);

#endif
