// SPDX-License-Identifier: MIT
/* Guest RAM maps of QEMU processes (ram.c; the map itself is public in
 * include/guestcore/qemu.h). */
#ifndef GC_GUESTS_QEMU_RAM_H
#define GC_GUESTS_QEMU_RAM_H

#include "guestcore/qemu.h"

/* The range of RANGES (N, sorted by gpa, disjoint) holding GPA, or NULL. */
const struct gc_qemu_ram_range *gc_qemu_ram_range_find(
	const struct gc_qemu_ram_range *ranges, size_t n, uint64_t gpa);

#endif
