// SPDX-License-Identifier: MIT
/*
 * gc_dump_set_p2m: a guest pfn -> mfn map from outside the dump (the
 * kernel layer rebuilds it from guest memory) for formats without a pfn
 * column of their own (legacy PV xc_core).  The format does the work.
 */
#include "dump_internal.h"

struct gc_error *gc_dump_set_p2m(struct gc_dump *d, const uint64_t *p2m,
				 uint64_t count, const char *source)
{
	if (!d->ops->set_p2m || !gc_dump_needs_p2m(d))
		return gc_error_new(GC_ERR_UNSUPPORTED, "set p2m",
				    "this %s dump has its own pfn index",
				    gc_format_name(d->ops->format));
	return d->ops->set_p2m(d, p2m, count, source ? source : "unknown");
}

bool gc_dump_needs_p2m(const struct gc_dump *d)
{
	return d->ops->needs_p2m && d->ops->needs_p2m(d);
}
