// SPDX-License-Identifier: MIT
#include "spaces/xlat.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

struct gc_error *gc_xlat_new(const struct gc_xlat_ops *ops, void *priv,
			     const char *name, enum gc_space from,
			     enum gc_space to, uint64_t limit,
			     struct gc_xlat **out)
{
	struct gc_xlat *x = calloc(1, sizeof(*x));
	*out = NULL;
	if (!x) {
		struct gc_xlat tmp = { .ops = ops, .priv = priv };
		if (ops->destroy)
			ops->destroy(&tmp);
		return &gc_error_nomem;
	}
	x->ops = ops;
	x->priv = priv;
	x->name = name;
	x->from = from;
	x->to = to;
	x->limit = limit;
	*out = x;
	return NULL;
}

void gc_xlat_free(struct gc_xlat *x)
{
	if (!x)
		return;
	if (x->ops->destroy)
		x->ops->destroy(x);
	free(x);
}

struct gc_error *gc_xlat_lookup(struct gc_xlat *x, uint64_t addr,
				struct gc_xlat_run *out)
{
	if (addr >= x->limit) {
		*out = (struct gc_xlat_run){ .status = GC_XLAT_UNMAPPED,
			.len = 0 - addr,
			.reason = "beyond the end of the space" };
		if (!out->len)
			out->len = UINT64_MAX;
		return NULL;
	}
	struct gc_error *err = x->ops->lookup(x, addr, out);
	if (err)
		return gc_error_context(err, "translating %s address 0x%llx (%s)",
					gc_space_name(x->from),
					(unsigned long long)addr, x->name);
	if (out->len == 0)
		out->len = 1;
	if (out->len > x->limit - addr)
		out->len = x->limit - addr;
	if (out->status != GC_XLAT_MAPPED && !out->reason)
		out->reason = "unmapped";
	return NULL;
}

/* ---- composition ------------------------------------------------------ */

struct compose {
	struct gc_xlat *a, *b;
};

static struct gc_error *compose_lookup(struct gc_xlat *x, uint64_t addr,
				       struct gc_xlat_run *out)
{
	struct compose *c = x->priv;
	struct gc_xlat_run ra, rb;
	struct gc_error *err = gc_xlat_lookup(c->a, addr, &ra);
	if (err)
		return err;
	if (ra.status != GC_XLAT_MAPPED) {
		*out = ra;
		return NULL;
	}
	err = gc_xlat_lookup(c->b, ra.target, &rb);
	if (err)
		return err;
	*out = rb;
	out->len = GC_MIN(ra.len, rb.len);
	return NULL;
}

static void compose_destroy(struct gc_xlat *x)
{
	struct compose *c = x->priv;
	if (!c)
		return;
	gc_xlat_free(c->a);
	gc_xlat_free(c->b);
	free(c);
}

static const struct gc_xlat_ops compose_ops = {
	.lookup = compose_lookup,
	.destroy = compose_destroy,
};

struct gc_error *gc_xlat_compose(struct gc_xlat *a, struct gc_xlat *b,
				 struct gc_xlat **out)
{
	struct compose *c = calloc(1, sizeof(*c));
	*out = NULL;
	if (!c) {
		gc_xlat_free(a);
		gc_xlat_free(b);
		return &gc_error_nomem;
	}
	c->a = a;
	c->b = b;
	return gc_xlat_new(&compose_ops, c, "composed", a->from, b->to,
			   a->limit, out);
}

/* ---- tables ----------------------------------------------------------- */

struct table {
	struct gc_xlat_entry *e;
	size_t n;
	const char *reason;
};

static struct gc_error *table_lookup(struct gc_xlat *x, uint64_t addr,
				     struct gc_xlat_run *out)
{
	const struct table *t = x->priv;
	size_t lo = 0, hi = t->n;
	while (lo < hi) {  /* first entry with from + len > addr */
		size_t mid = lo + (hi - lo) / 2;
		if (t->e[mid].from + t->e[mid].len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->n && t->e[lo].from <= addr) {
		const struct gc_xlat_entry *e = &t->e[lo];
		*out = (struct gc_xlat_run){ .status = GC_XLAT_MAPPED,
			.target = e->to + (addr - e->from),
			.len = e->from + e->len - addr };
		return NULL;
	}
	*out = (struct gc_xlat_run){ .status = GC_XLAT_UNMAPPED,
		.len = lo < t->n ? t->e[lo].from - addr : UINT64_MAX - addr + 1,
		.reason = t->reason };
	if (!out->len)
		out->len = UINT64_MAX;
	return NULL;
}

static void table_destroy(struct gc_xlat *x)
{
	struct table *t = x->priv;
	if (t)
		free(t->e);
	free(t);
}

static const struct gc_xlat_ops table_ops = {
	.lookup = table_lookup,
	.destroy = table_destroy,
};

struct gc_error *gc_xlat_table(const struct gc_xlat_entry *runs, size_t n,
			       const char *name, enum gc_space from,
			       enum gc_space to, const char *reason,
			       struct gc_xlat **out)
{
	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		uint64_t end;
		if (!runs[i].len || !gc_add_ok(runs[i].from, runs[i].len, &end) ||
		    !gc_add_ok(runs[i].to, runs[i].len - 1, &end) ||
		    (i && runs[i].from < runs[i - 1].from + runs[i - 1].len))
			return gc_error_new(GC_ERR_INVALID_ARG, "translation table",
					    "run %zu is empty, wraps, or is out of order", i);
	}
	struct table *t = calloc(1, sizeof(*t));
	if (!t || (n && !(t->e = malloc(n * sizeof(*runs))))) {
		free(t);
		return &gc_error_nomem;
	}
	if (n)
		memcpy(t->e, runs, n * sizeof(*runs));
	t->n = n;
	t->reason = reason ? reason : "not in the translation table";
	return gc_xlat_new(&table_ops, t, name, from, to, UINT64_MAX, out);
}

struct gc_error *gc_xlat_identity(enum gc_space space, uint64_t limit,
				  struct gc_xlat **out)
{
	struct gc_xlat_entry e = { 0, 0, limit };
	struct gc_error *err = gc_xlat_table(&e, limit ? 1 : 0, "identity",
					     space, space, NULL, out);
	if (!err)
		(*out)->limit = limit;
	return err;
}
