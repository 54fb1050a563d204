// SPDX-License-Identifier: MIT
/* Range maps with priority overlap resolution (see rangemap.h). */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "rangemap.h"

static int cmp_start(const void *a, const void *b)
{
	const struct gc_range_in *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->prio > y->prio ? -1 : x->prio < y->prio;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Max-heap of input pointers by priority. */
struct heap {
	const struct gc_range_in **v;
	size_t n;
};

static void heap_push(struct heap *h, const struct gc_range_in *e)
{
	size_t i = h->n++;
	h->v[i] = e;
	while (i) {
		size_t p = (i - 1) / 2;
		if (h->v[p]->prio >= h->v[i]->prio)
			break;
		const struct gc_range_in *t = h->v[p];
		h->v[p] = h->v[i];
		h->v[i] = t;
		i = p;
	}
}

static void heap_pop(struct heap *h)
{
	h->v[0] = h->v[--h->n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && h->v[l]->prio > h->v[m]->prio)
			m = l;
		if (r < h->n && h->v[r]->prio > h->v[m]->prio)
			m = r;
		if (m == i)
			break;
		const struct gc_range_in *t = h->v[m];
		h->v[m] = h->v[i];
		h->v[i] = t;
		i = m;
	}
}

static void emit(struct gc_range *o, size_t *k, uint64_t s, uint64_t e,
		 size_t idx)
{
	if (*k && o[*k - 1].end == s && o[*k - 1].idx == idx) {
		o[*k - 1].end = e;
		return;
	}
	o[(*k)++] = (struct gc_range){ s, e, idx };
}

struct gc_error *gc_range_resolve(struct gc_range_in *in, size_t n,
				  struct gc_range **out, size_t *nout,
				  size_t *overlaps)
{
	*out = NULL;
	*nout = 0;
	*overlaps = 0;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (in[i].end > in[i].start)
			in[m++] = in[i];
	n = m;
	gc_qsort(in, n, sizeof(*in), cmp_start);
	uint64_t maxend = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && in[i].start < maxend)
			(*overlaps)++;
		if (in[i].end > maxend)
			maxend = in[i].end;
	}
	/* At most 2n - 1 pieces. */
	struct gc_range *o = malloc((n ? 2 * n : 1) * sizeof(*o));
	if (!o)
		return &gc_error_nomem;
	size_t k = 0;
	if (!*overlaps) {
		for (size_t i = 0; i < n; i++)
			emit(o, &k, in[i].start, in[i].end, in[i].idx);
		*out = o;
		*nout = k;
		return NULL;
	}
	uint64_t *b = malloc(2 * n * sizeof(*b));
	struct heap h = { malloc(n * sizeof(*h.v)), 0 };
	if (!b || !h.v) {
		free(b);
		free(h.v);
		free(o);
		return &gc_error_nomem;
	}
	for (size_t i = 0; i < n; i++) {
		b[2 * i] = in[i].start;
		b[2 * i + 1] = in[i].end;
	}
	gc_qsort(b, 2 * n, sizeof(*b), cmp_u64);
	size_t nb = 0;
	for (size_t i = 0; i < 2 * n; i++)
		if (!nb || b[nb - 1] != b[i])
			b[nb++] = b[i];
	size_t next = 0;
	for (size_t j = 0; j + 1 < nb; j++) {
		while (next < n && in[next].start == b[j])
			heap_push(&h, &in[next++]);
		while (h.n && h.v[0]->end <= b[j])
			heap_pop(&h);
		if (h.n)
			emit(o, &k, b[j], b[j + 1], h.v[0]->idx);
	}
	free(b);
	free(h.v);
	*out = o;
	*nout = k;
	return NULL;
}

size_t gc_range_find(const struct gc_range *r, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x < r[mid].start)
			hi = mid;
		else if (x >= r[mid].end)
			lo = mid + 1;
		else
			return mid;
	}
	return SIZE_MAX;
}
