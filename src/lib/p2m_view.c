// SPDX-License-Identifier: MIT
/*
 * The physical view of a dump that lists machine frames only (legacy PV
 * xc_core): a dump object whose pfns are the guest's own p2m (an xlat the
 * kernel layer rebuilt from guest memory) composed over the base dump's
 * machine space.  The base dump is never changed; everything but the pfn
 * space (machine frames, registers, fields, notes, checks) is the base's.
 *
 * Built once: the p2m is walked run by run, every frame it names is looked
 * up in the base's machine space, and what is dumped becomes two tables of
 * coalesced runs, pfn -> mfn (the view's p2m: reads by pfn, frame runs)
 * and mfn -> pfn (its m2p).  A dumped frame that several pfns name is in
 * neither (which pfn is right is unknown; check says so), and a p2m naming
 * dumped frames more than twice as often as there are frames is refused.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dump_internal.h"
#include "util/vec.h"

/* Entries of a p2m the view accepts: a 1 TiB guest of 4 KiB pages. */
#define P2M_VIEW_MAX (1ull << 28)

struct p2m_view {
	struct gc_format_ops ops;   /* the base's format, the view's ops */
	struct gc_dump *base;
	bool own_base;
	/* pfn -> mfn runs of dumped frames (frame numbers), by pfn */
	struct gc_xlat_entry *runs;
	size_t nr_runs;
	uint64_t count;             /* p2m entries */
	uint64_t mapped;            /* dumped frames that got a pfn */
	uint64_t undumped;          /* p2m entries naming undumped mfns */
	/* pfns naming a dumped frame another pfn names too (left unmapped),
	 * how many frames, and the first such frame with two of its pfns */
	uint64_t many_to_one, contested, dup_mfn, dup_pfn[2];
	char *p2m_reason, *m2p_reason;
};

static struct p2m_view *PV(struct gc_dump *d) { return d->priv; }

static void view_close(struct gc_dump *d)
{
	struct p2m_view *v = d->priv;
	if (!v)
		return;
	if (v->own_base)
		gc_dump_close(v->base);
	free(v->runs);
	free(v->p2m_reason);
	free(v->m2p_reason);
	free(v);
	d->priv = NULL;
}

static struct gc_error *base_locate(struct p2m_view *v, uint64_t mfn,
				    struct gc_page_loc *loc)
{
	struct gc_error *err = v->base->ops->locate(v->base, GC_SPACE_MACH,
						    mfn, loc);
	if (!err && !loc->stream)
		loc->stream = v->base->stream;
	return err;
}

static struct gc_error *view_locate(struct gc_dump *d, enum gc_space space,
				    uint64_t frame, struct gc_page_loc *loc)
{
	struct p2m_view *v = PV(d);
	if (space == GC_SPACE_MACH)
		return base_locate(v, frame, loc);
	memset(loc, 0, sizeof(*loc));
	loc->state = GC_PAGE_ABSENT;
	if (frame > (UINT64_MAX >> d->page_shift))
		return NULL;
	struct gc_xlat_run r;
	struct gc_error *err = gc_xlat_lookup(d->p2m, frame << d->page_shift,
					      &r);
	if (err || r.status != GC_XLAT_MAPPED)
		return err;
	return base_locate(v, r.target >> d->page_shift, loc);
}

static struct gc_error *view_frame_runs(struct gc_dump *d,
					enum gc_space space,
					struct gc_frame_run **runs, size_t *nr)
{
	struct p2m_view *v = PV(d);
	if (space == GC_SPACE_MACH)
		return gc_dump_frame_runs(v->base, space, runs, nr);
	struct gc_frame_run *r = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < v->nr_runs; i++) {
		const struct gc_xlat_entry *e = &v->runs[i];
		if (n && r[n - 1].start + r[n - 1].count == e->from) {
			r[n - 1].count += e->len;
			continue;
		}
		struct gc_frame_run one = { e->from, e->len };
		if (!gc_vec_push(&r, &n, &cap, &one)) {
			free(r);
			return &gc_error_nomem;
		}
	}
	*runs = r;
	*nr = n;
	return NULL;
}

static struct gc_error *view_vcpu(struct gc_dump *d, unsigned int i,
				  struct gc_vcpu *out)
{
	return gc_dump_vcpu(PV(d)->base, i, out);
}

static struct gc_error *view_vmcoreinfo(struct gc_dump *d, const char **text,
					size_t *len, uint64_t *offset)
{
	return gc_dump_vmcoreinfo(PV(d)->base, text, len, offset);
}

static struct gc_error *view_check(struct gc_dump *d, unsigned int flags,
				   struct gc_report *r)
{
	struct p2m_view *v = PV(d);
	struct gc_error *err = gc_dump_check(v->base, flags, r);
	if (!err && v->many_to_one)
		err = gc_report_add(r, GC_SEV_WARNING, "p2m-many-to-one", false,
				    0, "%" PRIu64 " pfns of the guest's p2m "
				    "name %" PRIu64 " dumped frame%s that "
				    "another pfn names too (the first: mfn 0x%"
				    PRIx64 ", named by pfn 0x%" PRIx64 " and "
				    "pfn 0x%" PRIx64 "); which of them is right "
				    "is unknown, so all are left unmapped",
				    v->many_to_one, v->contested,
				    v->contested == 1 ? "" : "s", v->dup_mfn,
				    v->dup_pfn[0], v->dup_pfn[1]);
	if (err)
		return err;
	return gc_report_add(r, v->undumped ? GC_SEV_WARNING : GC_SEV_OK,
			     "p2m-legacy", false, 0, "reads by pfn use the "
			     "guest's p2m (%" PRIu64 " entries): %" PRIu64
			     " of %" PRIu64 " dumped frames have a pfn; %"
			     PRIu64 " mfns it names are not in the dump",
			     v->count, v->mapped, v->base->nr_frames,
			     v->undumped);
}

struct pair {
	uint64_t pfn, mfn;
};

static int cmp_by_mfn(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	if (x->mfn != y->mfn)
		return x->mfn < y->mfn ? -1 : 1;
	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static int cmp_by_pfn(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

/* Append FROM -> TO (frames) to a run table, extending its last run. */
static bool add_run(struct gc_xlat_entry **e, size_t *n, size_t *cap,
		    uint64_t from, uint64_t to)
{
	if (*n) {
		struct gc_xlat_entry *l = &(*e)[*n - 1];
		if (l->from + l->len == from && l->to + l->len == to) {
			l->len++;
			return true;
		}
	}
	struct gc_xlat_entry one = { from, to, 1 };
	return gc_vec_push(e, n, cap, &one);
}

/* Frame tables -> byte-address xlat table (shift every field). */
static struct gc_error *frame_table_xlat(const struct gc_xlat_entry *runs,
					 size_t n, unsigned int shift,
					 const char *name, enum gc_space from,
					 enum gc_space to, const char *reason,
					 struct gc_xlat **out)
{
	struct gc_xlat_entry *b = malloc((n ? n : 1) * sizeof(*b));
	if (!b)
		return &gc_error_nomem;
	for (size_t i = 0; i < n; i++)
		b[i] = (struct gc_xlat_entry){ runs[i].from << shift,
					       runs[i].to << shift,
					       runs[i].len << shift };
	struct gc_error *err = gc_xlat_table(b, n, name, from, to, reason,
					     out);
	free(b);
	return err;
}

/* Walk P2M over [0, count) pages: the dumped pairs, by pfn. */
static struct gc_error *collect(struct p2m_view *v, struct gc_xlat *p2m,
				unsigned int shift, struct pair **pairs,
				size_t *nr_pairs)
{
	struct gc_dump *b = v->base;
	size_t n = 0, cap = 0;
	struct pair *p = NULL;
	uint64_t psize = 1ull << shift, end = v->count << shift;
	uint64_t mfn_max = UINT64_MAX >> shift;
	/* A p2m names each dumped frame once: more pairs than twice the
	 * frames (plus slack) is no p2m of this dump, and must not cost
	 * memory by its entries (2^28 naming one frame). */
	uint64_t max_pairs = b->nr_frames > (UINT64_MAX - 1024) / 2 ?
			     UINT64_MAX : 2 * b->nr_frames + 1024;
	uint64_t addr = 0;
	while (addr < end) {
		struct gc_xlat_run r;
		struct gc_error *err = gc_xlat_lookup(p2m, addr, &r);
		if (err) {
			free(p);
			return err;
		}
		uint64_t len = GC_MIN(r.len, end - addr);
		if (r.status != GC_XLAT_MAPPED) {
			addr += len;
			/* keep to page boundaries */
			addr = (addr + psize - 1) & ~(psize - 1);
			continue;
		}
		uint64_t pages = GC_MAX(len >> shift, 1);
		for (uint64_t k = 0; k < pages && addr < end;
		     k++, addr += psize) {
			uint64_t pfn = addr >> shift;
			uint64_t mfn = (r.target >> shift) + k;
			if (mfn > mfn_max) {
				v->undumped++;
				continue;
			}
			struct gc_page_loc loc;
			err = b->ops->locate(b, GC_SPACE_MACH, mfn, &loc);
			if (err) {
				free(p);
				return err;
			}
			if (loc.state == GC_PAGE_ABSENT) {
				v->undumped++;
				continue;
			}
			if (n == max_pairs) {
				free(p);
				return gc_error_new(
					GC_ERR_CORRUPT, "guest p2m", "more than "
					"%" PRIu64 " of its entries name dumped "
					"frames, but the dump holds %" PRIu64
					" frames: refused", max_pairs,
					b->nr_frames);
			}
			struct pair one = { pfn, mfn };
			if (!gc_vec_push(&p, &n, &cap, &one)) {
				free(p);
				return &gc_error_nomem;
			}
		}
	}
	*pairs = p;
	*nr_pairs = n;
	return NULL;
}

/* The view's p2m and m2p tables from the dumped pairs (by pfn).  A frame
 * that two pfns name cannot be both: which one is right is unknown, so
 * every pfn naming it is left unmapped and counted (reading one of them
 * gave another pfn's page). */
static struct gc_error *build_tables(struct gc_dump *d, struct pair *p,
				     size_t n)
{
	struct p2m_view *v = PV(d);
	unsigned int shift = d->page_shift;
	if (n > 1)
		gc_qsort(p, n, sizeof(*p), cmp_by_mfn);
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && p[j].mfn == p[i].mfn)
			j++;
		if (j - i == 1) {
			p[k++] = p[i];
		} else {
			if (!v->contested) {
				v->dup_mfn = p[i].mfn;
				v->dup_pfn[0] = p[i].pfn;
				v->dup_pfn[1] = p[i + 1].pfn;
			}
			v->contested++;
			v->many_to_one += j - i;
		}
		i = j;
	}
	n = k;
	/* m2p: by mfn, each dumped frame's one pfn */
	struct gc_xlat_entry *inv = NULL;
	size_t ni = 0, capi = 0;
	for (size_t i = 0; i < n; i++) {
		v->mapped++;
		if (!add_run(&inv, &ni, &capi, p[i].mfn, p[i].pfn)) {
			free(inv);
			return &gc_error_nomem;
		}
	}
	struct gc_error *err = frame_table_xlat(inv, ni, shift,
						"xen-guest-m2p", GC_SPACE_MACH,
						GC_SPACE_PHYS, v->m2p_reason,
						&d->m2p);
	free(inv);
	if (err)
		return err;
	/* p2m: by pfn */
	if (n > 1)
		gc_qsort(p, n, sizeof(*p), cmp_by_pfn);
	size_t cap = 0;
	for (size_t i = 0; i < n; i++)
		if (!add_run(&v->runs, &v->nr_runs, &cap, p[i].pfn, p[i].mfn))
			return &gc_error_nomem;
	return frame_table_xlat(v->runs, v->nr_runs, shift, "xen-guest-p2m",
				GC_SPACE_PHYS, GC_SPACE_MACH, v->p2m_reason,
				&d->p2m);
}

static struct gc_error *copy_base(struct gc_dump *d, const char *source)
{
	struct p2m_view *v = PV(d);
	struct gc_dump *b = v->base;
	d->opts = b->opts;
	d->has_mach = true;
	d->nr_vcpus = b->nr_vcpus;
	d->nr_frames = b->nr_frames;
	d->map_random_max = b->map_random_max;
	if (b->nr_notes) {
		d->notes = malloc(b->nr_notes * sizeof(*d->notes));
		if (!d->notes)
			return &gc_error_nomem;
		memcpy(d->notes, b->notes, b->nr_notes * sizeof(*d->notes));
		d->nr_notes = b->nr_notes;
	}
	for (size_t i = 0; i < b->nr_fields; i++) {
		const struct gc_field *f = &b->fields[i];
		struct gc_error *err = gc_dump_add_field(
			d, f->name, f->has_number, f->number, "%s", f->value);
		if (err)
			return err;
	}
	return gc_dump_add_field(d, "p2m_source", false, 0, "%s (%" PRIu64
				 " entries; %" PRIu64 " of %" PRIu64 " dumped "
				 "frames get a pfn)", source, v->count,
				 v->mapped, b->nr_frames);
}

struct gc_error *gc_p2m_view_new(struct gc_dump *base, struct gc_xlat *p2m,
				 const char *source, bool own_base,
				 struct gc_dump **out)
{
	*out = NULL;
	if (!base->has_mach || base->p2m) {
		gc_xlat_free(p2m);
		return gc_error_new(GC_ERR_UNSUPPORTED, "guest p2m",
				    base->has_mach ?
					    "this %s dump has its own pfn index" :
					    "this %s dump has no machine space",
				    gc_format_name(base->ops->format));
	}
	unsigned int shift = base->page_shift;
	uint64_t count = p2m->limit == UINT64_MAX ? UINT64_MAX :
			 (p2m->limit + (1ull << shift) - 1) >> shift;
	if (p2m->from != GC_SPACE_PHYS || p2m->to != GC_SPACE_MACH ||
	    count > P2M_VIEW_MAX) {
		gc_xlat_free(p2m);
		return gc_error_new(GC_ERR_CORRUPT, "guest p2m",
				    "%" PRIu64 " entries is implausible", count);
	}
	struct p2m_view *v = calloc(1, sizeof(*v));
	if (!v) {
		gc_xlat_free(p2m);
		return &gc_error_nomem;
	}
	v->ops = (struct gc_format_ops){
		.format = base->ops->format,
		.close = view_close,
		.locate = view_locate,
		.frame_runs = view_frame_runs,
		.vcpu = view_vcpu,
		.vmcoreinfo = base->ops->vmcoreinfo ? view_vmcoreinfo : NULL,
		.check = view_check,
	};
	v->base = base;
	v->count = count;
	v->p2m_reason = gc_asprintf("has no dumped frame in the guest's p2m "
				    "(%" PRIu64 " entries)", count);
	v->m2p_reason = strdup("the guest's p2m maps no pfn to it");
	struct gc_dump *d;
	struct gc_error *err = NULL;
	if (!v->p2m_reason || !v->m2p_reason) {
		view_close(&(struct gc_dump){ .priv = v });
		err = &gc_error_nomem;
	} else {
		err = gc_dump_view_new(gc_dump_path(base), &v->ops, v,
				       base->page_size, &d);
	}
	if (err) {
		gc_xlat_free(p2m);
		return err;
	}
	struct pair *pairs = NULL;
	size_t n = 0;
	err = collect(v, p2m, shift, &pairs, &n);
	gc_xlat_free(p2m);
	if (!err)
		err = build_tables(d, pairs, n);
	free(pairs);
	if (!err)
		err = copy_base(d, source ? source : "unknown");
	if (err) {
		gc_dump_close(d);
		return err;
	}
	v->own_base = own_base;
	*out = d;
	return NULL;
}

struct gc_dump *gc_p2m_view_base(struct gc_dump *d)
{
	return d->ops->close == view_close ? PV(d)->base : NULL;
}

void gc_p2m_view_own_base(struct gc_dump *d)
{
	if (d->ops->close == view_close)
		PV(d)->own_base = true;
}
