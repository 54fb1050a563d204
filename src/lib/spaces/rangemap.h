// SPDX-License-Identifier: MIT
/*
 * Sorted, non-overlapping range maps built from possibly overlapping
 * inputs (ELF PT_LOADs by physical address, flattened-format records by
 * file offset).  Where inputs overlap the one with the highest priority
 * wins.  Building is O(n log n); lookups are binary searches.
 */
#ifndef GC_SPACES_RANGEMAP_H
#define GC_SPACES_RANGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guestcore/error.h"

struct gc_range_in {
	uint64_t start, end;  /* [start, end) */
	uint64_t prio;        /* higher wins */
	size_t idx;           /* caller's index */
};

struct gc_range {
	uint64_t start, end;
	size_t idx;
};

/*
 * Resolve IN (N entries; reordered) into *OUT (malloc'ed, sorted by
 * start, adjacent pieces of one input merged).  *OVERLAPS counts the
 * input pairs found overlapping (0 = disjoint input).
 */
struct gc_error *gc_range_resolve(struct gc_range_in *in, size_t n,
				  struct gc_range **out, size_t *nout,
				  size_t *overlaps);

/* Index of the range holding X, or SIZE_MAX. */
size_t gc_range_find(const struct gc_range *r, size_t n, uint64_t x);

#endif
