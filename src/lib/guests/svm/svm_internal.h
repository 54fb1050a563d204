// SPDX-License-Identifier: MIT
/* Helpers shared by the svm modules. */
#ifndef GC_SVM_INTERNAL_H
#define GC_SVM_INTERNAL_H

#include "guestcore/svm.h"
#include "spaces/xlat.h"

/* The NPT rooted at NCR3 (LEVELS 4/5) over MEM as an xlat (guest-physical
 * -> host-physical): each lookup answers for the leaf's page (4 KiB,
 * 2 MiB, 1 GiB) or for the whole span of the entry that stops the walk.
 * MEM must outlive the xlat. */
struct gc_error *gc_npt_xlat_new(const struct gc_hostmem *mem, uint64_t ncr3,
				 unsigned int levels, struct gc_xlat **out);

#endif
