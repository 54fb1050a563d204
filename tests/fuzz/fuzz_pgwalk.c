// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the x86-64 page-table walker over a memory image made
 * of the input (cycles, absurd entries, missing frames), native and Xen PV,
 * 4 and 5 levels.  The first 16 bytes choose the address and the mode.
 */
#include <stdint.h>
#include <string.h>

#include "arch/x86_64/x86_64.h"
#include "util/util.h"

struct img {
	const uint8_t *p;
	size_t n;
};

static struct gc_error *rd(void *ctx, enum gc_space sp, uint64_t addr,
			   uint64_t *out)
{
	struct img *im = ctx;
	if (sp == GC_SPACE_MACH)
		addr ^= 0x5000; /* a machine space that is a permutation */
	if (addr > im->n || im->n - addr < 8)
		return gc_error_addr(GC_ERR_NOT_PRESENT, sp, addr, "read",
				     "outside the image");
	*out = gc_get64(im->p + addr, false);
	return NULL;
}

static struct gc_error *m2p(void *ctx, uint64_t mfn, uint64_t *pfn)
{
	(void)ctx;
	if (mfn > (1ull << 40))
		return gc_error_new(GC_ERR_NOT_PRESENT, "mfn", "absurd");
	*pfn = mfn ^ 5;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 16)
		return 0;
	uint64_t va = gc_get64(data, false);
	uint64_t mode = gc_get64(data + 8, false);
	struct img im = {data + 16, size - 16};
	struct gc_arch_paging pg = {
		.levels = (mode & 1) ? 5 : 4,
		.xen_pv = (mode & 2) != 0,
		.sme_mask = (mode & 4) ? 1ull << 47 : 0,
	};
	struct gc_arch_mem m = {&im, rd, pg.xen_pv ? m2p : NULL};
	struct gc_walk w;
	uint64_t root = (mode >> 8) & 0xfffff000ull;
	struct gc_error *err = gc_x86_walk(&pg, &m, root,
					   pg.xen_pv ? GC_SPACE_MACH :
						       GC_SPACE_PHYS, va, &w);
	gc_error_free(err);
	char fl[160];
	gc_x86_flags(w.leaf, w.page_size > 4096, fl, sizeof(fl));
	return 0;
}
