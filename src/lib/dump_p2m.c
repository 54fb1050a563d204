// SPDX-License-Identifier: MIT
/*
 * pfn <-> mfn on top of the dump's translations (struct gc_dump p2m/m2p,
 * spaces/xlat.h).  A format never translates: xc_core hands the dump its
 * index's pfn/mfn pairs as two xlats; a physical view (p2m_view.c) has
 * the guest's own p2m instead.
 */
#include <inttypes.h>

#include "dump_internal.h"

static struct gc_error *no_machine(const struct gc_dump *d, const char *what)
{
	return gc_error_new(GC_ERR_UNSUPPORTED, what,
			    "this %s dump records no machine frames (the "
			    "guest is not paravirtualized)",
			    gc_format_name(d->ops->format));
}

struct gc_error *gc_dump_xlat(struct gc_dump *d, enum gc_space from,
			      enum gc_space to, struct gc_xlat **out)
{
	*out = NULL;
	bool p2m = from == GC_SPACE_PHYS && to == GC_SPACE_MACH;
	bool m2p = from == GC_SPACE_MACH && to == GC_SPACE_PHYS;
	if (!p2m && !m2p)
		return gc_error_new(GC_ERR_INVALID_ARG, "translation",
				    "a dump translates only between physical "
				    "and machine addresses, not %s -> %s",
				    gc_space_name(from), gc_space_name(to));
	if (!d->has_mach)
		return no_machine(d, p2m ? "pfn to mfn" : "mfn to pfn");
	*out = p2m ? d->p2m : d->m2p;
	if (!*out)
		return gc_error_new(GC_ERR_UNSUPPORTED,
				    p2m ? "pfn to mfn" : "mfn to pfn",
				    "legacy PV dumps have no pfn column (the "
				    "guest's p2m, rebuilt by the kernel layer, "
				    "gives a physical view)");
	return NULL;
}

bool gc_dump_needs_p2m(const struct gc_dump *d)
{
	return d->has_mach && !d->p2m;
}

struct gc_error *gc_dump_pfn_to_mfn(struct gc_dump *d, uint64_t pfn,
				    uint64_t *mfn)
{
	struct gc_xlat *x;
	struct gc_error *err = gc_dump_xlat(d, GC_SPACE_PHYS, GC_SPACE_MACH,
					    &x);
	if (err)
		return err;
	if (pfn > (UINT64_MAX >> d->page_shift))
		return gc_error_new(GC_ERR_NOT_PRESENT, "pfn to mfn",
				    "pfn 0x%" PRIx64 " has no physical "
				    "address", pfn);
	uint64_t addr = pfn << d->page_shift;
	struct gc_xlat_run r;
	err = gc_xlat_lookup(x, addr, &r);
	if (err)
		return err;
	if (r.status != GC_XLAT_MAPPED)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_PHYS, addr,
				     "pfn to mfn", "pfn 0x%" PRIx64 " %s", pfn,
				     r.reason);
	*mfn = r.target >> d->page_shift;
	return NULL;
}

struct gc_error *gc_dump_mfn_to_pfn(struct gc_dump *d, uint64_t mfn,
				    uint64_t *pfn)
{
	if (!d->has_mach)
		return no_machine(d, "mfn to pfn");
	if (mfn > (UINT64_MAX >> d->page_shift))
		return gc_error_new(GC_ERR_NOT_PRESENT, "mfn to pfn",
				    "mfn 0x%" PRIx64 " has no machine "
				    "address", mfn);
	uint64_t addr = mfn << d->page_shift;
	struct gc_xlat_run r = { .status = GC_XLAT_UNMAPPED };
	if (d->m2p) {
		struct gc_error *err = gc_xlat_lookup(d->m2p, addr, &r);
		if (err)
			return err;
		if (r.status == GC_XLAT_MAPPED) {
			*pfn = r.target >> d->page_shift;
			return NULL;
		}
	}
	/* Not translated: a frame the dump does not hold, or (legacy PV,
	 * a guest p2m with holes) a dumped frame no pfn maps to. */
	enum gc_page_state st;
	struct gc_error *err = gc_dump_page_state(d, GC_SPACE_MACH, mfn, &st);
	if (err)
		return err;
	if (st == GC_PAGE_ABSENT)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_MACH, addr,
				     "mfn to pfn", "mfn 0x%" PRIx64 " is not "
				     "among the %" PRIu64 " dumped frames", mfn,
				     d->nr_frames);
	if (!d->m2p)
		return gc_error_new(GC_ERR_UNSUPPORTED, "mfn to pfn",
				    "legacy PV dumps have no pfn column (mfn "
				    "0x%" PRIx64 " is in the dump)", mfn);
	return gc_error_addr(GC_ERR_UNSUPPORTED, GC_SPACE_MACH, addr,
			     "mfn to pfn", "mfn 0x%" PRIx64 " is in the dump, "
			     "but %s (%s)", mfn, r.reason, d->m2p->name);
}
