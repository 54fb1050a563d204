// SPDX-License-Identifier: MIT
/*
 * The VMCOREINFO type provider: the SIZE(), OFFSET(), SYMBOL(), NUMBER()
 * and LENGTH() lines the kernel writes for makedumpfile.  It answers flat
 * queries only (no type graph): sizeof(page) = SIZE(page),
 * offsetof(page, flags) = OFFSET(page.flags).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/kernel.h"
#include "types/types_internal.h"
#include "util/util.h"

struct vi_provider {
	struct gc_type_provider p;
	const struct gc_vmcoreinfo *vi;
};

static const struct gc_vmcoreinfo *vi_of(const struct gc_type_provider *p)
{
	return ((const struct vi_provider *)p)->vi;
}

static void vi_destroy(struct gc_type_provider *p)
{
	gc_type_provider_fini(p);
	free(p);
}

static bool vi_size(const struct gc_type_provider *p, const char *name,
		    uint64_t *out)
{
	return gc_vmcoreinfo_size(vi_of(p), name, out);
}

static bool vi_offset(const struct gc_type_provider *p, const char *name,
		      const char *path, uint64_t *out)
{
	char key[256];
	int n = snprintf(key, sizeof(key), "%s.%s", name, path);
	if (n < 0 || (size_t)n >= sizeof(key))
		return false;
	return gc_vmcoreinfo_offset(vi_of(p), key, out);
}

static bool vi_symbol(const struct gc_type_provider *p, const char *name,
		      uint64_t *out)
{
	return gc_vmcoreinfo_symbol(vi_of(p), name, out);
}

static bool vi_number(const struct gc_type_provider *p, const char *name,
		      int64_t *out)
{
	uint64_t v;
	if (gc_vmcoreinfo_number(vi_of(p), name, out))
		return true;
	/* LENGTH(name) is a count too (LENGTH(node_data)) */
	if (gc_vmcoreinfo_length(vi_of(p), name, &v) && v <= INT64_MAX) {
		*out = (int64_t)v;
		return true;
	}
	return false;
}

static const struct gc_type_provider_ops vi_ops = {
	.kind = "VMCOREINFO",
	.destroy = vi_destroy,
	.size = vi_size,
	.offset = vi_offset,
	.symbol = vi_symbol,
	.number = vi_number,
};

struct gc_error *gc_vmcoreinfo_provider_new(const struct gc_vmcoreinfo *vi,
					    const char *source,
					    struct gc_type_provider **out)
{
	*out = NULL;
	if (!vi)
		return gc_error_new(GC_ERR_INVALID_ARG, "VMCOREINFO provider",
				    "no VMCOREINFO");
	struct vi_provider *v = calloc(1, sizeof(*v));
	if (!v)
		return &gc_error_nomem;
	v->vi = vi;
	if (!gc_type_provider_init(&v->p, &vi_ops,
				   source ? source : "VMCOREINFO")) {
		free(v);
		return &gc_error_nomem;
	}
	*out = &v->p;
	return NULL;
}
