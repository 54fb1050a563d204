// SPDX-License-Identifier: MIT
/*
 * Host physical memory made of a fuzz input, for the targets that walk
 * second-level page tables or scan host frames (fuzz_ept, fuzz_svm): the
 * bytes after the target's own header are host physical memory from
 * address 0, one run of whole 4 KiB frames; a read past the input's end
 * fails (it is not zero-filled).
 */
#ifndef GC_FUZZ_HOSTMEM_H
#define GC_FUZZ_HOSTMEM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/vmx.h"

struct fuzz_mem {
	const uint8_t *p;
	size_t n;
};

static struct gc_error *fuzz_mem_read(void *ctx, uint64_t pa, void *buf,
				      size_t len)
{
	const struct fuzz_mem *m = ctx;
	if (pa > m->n || len > m->n - pa)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_PHYS, pa,
				     "page", "outside the input");
	memcpy(buf, m->p + pa, len);
	return NULL;
}

static struct gc_error *fuzz_mem_runs(void *ctx, struct gc_frame_run **r,
				      size_t *nr)
{
	const struct fuzz_mem *m = ctx;
	*r = malloc(sizeof(**r));
	if (!*r)
		return &gc_error_nomem;
	(*r)->start = 0;
	(*r)->count = m->n / 4096;
	*nr = 1;
	return NULL;
}

/* M as gc_hostmem with MAX_PADDR as its end (the targets differ: a
 * partial last frame counts in fuzz_ept, not in fuzz_svm). */
static inline struct gc_hostmem fuzz_hostmem(struct fuzz_mem *m,
					     uint64_t max_paddr)
{
	struct gc_hostmem hm = { .ctx = m, .read = fuzz_mem_read,
				 .runs = fuzz_mem_runs, .page_size = 4096,
				 .max_paddr = max_paddr };
	return hm;
}

/* Little-endian 64-bit value at P. */
static inline uint64_t fuzz_get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#endif
