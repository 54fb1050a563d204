// SPDX-License-Identifier: MIT
/*
 * The guest object (guest.h): what every guest source shares.  After the
 * source's open, the guest-physical space is walked run by run through
 * the source's translation (g->walk); each mapped page is located in the
 * source (present, zero, or a gap with its reason).  Frames with data
 * become a table xlat (g->phys) and frame runs; reads of the view go
 * guest frame -> g->phys -> source locate.
 *
 * The view is a gc_dump of format GC_FORMAT_GUEST, whatever the host's
 * format: nothing that looks at a dump's format (the writer's probe for
 * excluded frames of kdump inputs) takes a guest for its host.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/report.h"
#include "guests/guest.h"
#include "util/vec.h"

/* ---- the dump view --------------------------------------------------- */

struct gc_error *gc_guest_locate_host(struct gc_dump *host, uint64_t hpa,
				      struct gc_page_loc *loc)
{
	struct gc_page_loc hl;
	memset(loc, 0, sizeof(*loc));
	struct gc_error *err = host->ops->locate(host, GC_SPACE_PHYS, hpa >> 12,
						 &hl);
	if (err)
		return err;
	if (hl.state != GC_PAGE_PRESENT) {
		loc->state = hl.state;
		return NULL;
	}
	/* the host's location, in the host's stream (a flattened or split
	 * host's logical bytes, not the file's) */
	*loc = hl;
	if (!loc->stream)
		loc->stream = host->stream;
	return NULL;
}

const char *gc_guest_host_gap_reason(enum gc_page_state s)
{
	switch (s) {
	case GC_PAGE_EXCLUDED: return "excluded in the host dump";
	case GC_PAGE_TRUNCATED: return "truncated in the host dump";
	default: return "not in the host dump's memory";
	}
}

static struct gc_error *view_locate(struct gc_dump *d, enum gc_space space,
				    uint64_t frame, struct gc_page_loc *loc)
{
	struct gc_guest *g = d->priv;
	memset(loc, 0, sizeof(*loc));
	loc->state = GC_PAGE_ABSENT;
	if (space != GC_SPACE_PHYS || frame > (UINT64_MAX >> 12))
		return NULL;
	struct gc_xlat_run r;
	struct gc_error *err = gc_xlat_lookup(g->phys, frame << 12, &r);
	if (err || r.status != GC_XLAT_MAPPED)
		return err;
	err = g->src->locate(g, r.target, loc);
	if (err)
		return gc_error_context(err, "%s address 0x%" PRIx64
					" of guest frame 0x%" PRIx64,
					g->src->where, r.target, frame);
	/* a frame with data when classified; anything else now is a gap */
	if (loc->state != GC_PAGE_PRESENT && loc->state != GC_PAGE_ZERO)
		loc->state = GC_PAGE_ABSENT;
	return NULL;
}

static struct gc_error *view_frame_runs(struct gc_dump *d,
					enum gc_space space,
					struct gc_frame_run **runs, size_t *nr)
{
	const struct gc_guest *g = d->priv;
	*nr = 0;
	*runs = malloc((g->nr_runs ? g->nr_runs : 1) * sizeof(**runs));
	if (!*runs)
		return &gc_error_nomem;
	if (space != GC_SPACE_PHYS)
		return NULL;
	if (g->nr_runs)
		memcpy(*runs, g->runs, g->nr_runs * sizeof(**runs));
	*nr = g->nr_runs;
	return NULL;
}

static struct gc_error *view_vcpu(struct gc_dump *d, unsigned int index,
				  struct gc_vcpu *out)
{
	return gc_guest_vcpu(d->priv, index, out);
}

static struct gc_error *view_check(struct gc_dump *d, unsigned int flags,
				   struct gc_report *report)
{
	(void)flags;
	const struct gc_guest *g = d->priv;
	struct gc_error *err = NULL;
	for (size_t i = 0; i < g->findings.count && !err; i++) {
		const struct gc_finding *f = &g->findings.items[i];
		err = gc_report_add(report, f->severity, f->code,
				    f->has_offset, f->offset, "%s",
				    f->message);
	}
	for (size_t i = 0; i < g->nr_gaps && !err; i++) {
		const struct gc_guest_gap *x = &g->gaps[i];
		if (x->state == GC_PAGE_ABSENT)
			continue;
		err = gc_report_add(
			report, GC_SEV_WARNING, "guest-frames-missing", false,
			0, "guest frames 0x%" PRIx64 "-0x%" PRIx64 " (%s 0x%"
			PRIx64 "...) are %s in the %s", x->gfn,
			x->gfn + x->count - 1,
			g->src->target,
			x->target, x->state == GC_PAGE_EXCLUDED ? "excluded" :
			"truncated", g->src->where);
	}
	return err;
}

static void view_close(struct gc_dump *d)
{
	(void)d;  /* the guest owns the view, not the other way round */
}

static struct gc_error *view_open(struct gc_dump *d)
{
	(void)d;
	return gc_error_new(GC_ERR_UNSUPPORTED, "guest",
			    "open guests with gc_guest_open()");
}

static const struct gc_format_ops view_ops = {
	.format = GC_FORMAT_GUEST,
	.open = view_open, .close = view_close, .locate = view_locate,
	.frame_runs = view_frame_runs, .vcpu = view_vcpu,
	.check = view_check,
};

/* ---- classifying the guest's frames ------------------------------------ */

static struct gc_error *add_data(struct gc_guest *g, uint64_t gfn,
				 uint64_t target)
{
	g->counts.frames_present++;
	struct gc_xlat_entry *m = g->nr_map ? &g->map[g->nr_map - 1] : NULL;
	if (m && m->from + m->len == gfn << 12 && m->to + m->len == target) {
		m->len += GC_GUEST_PAGE;
	} else {
		struct gc_xlat_entry e = { gfn << 12, target, GC_GUEST_PAGE };
		if (!gc_vec_push(&g->map, &g->nr_map, &g->cap_map, &e))
			return &gc_error_nomem;
	}
	struct gc_frame_run *r = g->nr_runs ? &g->runs[g->nr_runs - 1] : NULL;
	if (r && r->start + r->count == gfn) {
		r->count++;
		return NULL;
	}
	struct gc_frame_run nr = { gfn, 1 };
	return gc_vec_push(&g->runs, &g->nr_runs, &g->cap_runs, &nr) ?
		       NULL : &gc_error_nomem;
}

static struct gc_error *add_gap(struct gc_guest *g, uint64_t gfn,
				uint64_t target, enum gc_page_state st)
{
	if (st == GC_PAGE_ABSENT)
		g->counts.frames_not_ram++;
	else
		g->counts.frames_missing++;
	const char *why = g->src->gap_reason_at ?
				  g->src->gap_reason_at(g, target, st) : NULL;
	if (!why)
		why = g->src->gap_reason(st);
	if (g->nr_gaps) {
		struct gc_guest_gap *p = &g->gaps[g->nr_gaps - 1];
		if (p->gfn + p->count == gfn &&
		    p->target + p->count * GC_GUEST_PAGE == target &&
		    p->state == st && p->reason == why) {
			p->count++;
			return NULL;
		}
	}
	struct gc_guest_gap x = { gfn, 1, target, st, why };
	return gc_vec_push(&g->gaps, &g->nr_gaps, &g->cap_gaps, &x) ?
		       NULL : &gc_error_nomem;
}

/* Walk the guest-physical space through g->walk, run by run: an unmapped
 * hole costs one lookup however large. */
static struct gc_error *classify(struct gc_guest *g)
{
	uint64_t addr = 0, limit = g->walk->limit, lookups = 0;
	while (addr < limit) {
		if (++lookups > GC_GUEST_MAX_LOOKUPS)
			return gc_error_new(
				GC_ERR_UNSUPPORTED, g->src->mapper,
				"more than %llu runs in the guest-physical "
				"space (tables shared in a loop?)",
				(unsigned long long)GC_GUEST_MAX_LOOKUPS);
		struct gc_xlat_run r;
		struct gc_error *err = gc_xlat_lookup(g->walk, addr, &r);
		if (err)
			return err;
		uint64_t len = GC_MIN(r.len, limit - addr);
		if (r.status == GC_XLAT_MAPPED) {
			g->nr_walk_runs++;
			/* whole pages of the run */
			uint64_t first = (addr + GC_GUEST_PAGE - 1) >> 12;
			uint64_t end = (addr + len) >> 12;
			if (end > first)
				g->counts.frames_mapped += end - first;
			if (g->counts.frames_mapped > GC_GUEST_MAX_FRAMES)
				return gc_error_new(
					GC_ERR_UNSUPPORTED, g->src->mapper,
					"maps more than %llu guest frames "
					"(more than this version handles)",
					(unsigned long long)GC_GUEST_MAX_FRAMES);
			for (uint64_t f = first; f < end; f++) {
				uint64_t t = r.target + ((f << 12) - addr);
				struct gc_page_loc loc;
				err = g->src->locate(g, t, &loc);
				if (err)
					return gc_error_context(
						err, "%s address 0x%" PRIx64,
						g->src->where, t);
				if (loc.state == GC_PAGE_PRESENT ||
				    loc.state == GC_PAGE_ZERO)
					err = add_data(g, f, t);
				else
					err = add_gap(g, f, t,
						      loc.state ==
								      GC_PAGE_EXCLUDED ||
							      loc.state ==
								      GC_PAGE_TRUNCATED ?
							      loc.state :
							      GC_PAGE_ABSENT);
				if (err)
					return err;
			}
		}
		if (len >= limit - addr)
			break;
		addr += len;
	}
	return NULL;
}

static struct gc_error *make_provenance(struct gc_guest *g)
{
	struct gc_strbuf sb;
	gc_strbuf_init(&sb);
	struct gc_error *err = NULL;
	if (g->src->provenance)
		err = g->src->provenance(g, &sb);
	const struct gc_guest_counts *c = &g->counts;
	gc_strbuf_printf(&sb, "guest_frames=%" PRIu64 " mapped, %" PRIu64
			 " with data, %" PRIu64 " missing in the %s, %" PRIu64
			 " outside the %s's memory", c->frames_mapped,
			 c->frames_present, c->frames_missing, g->src->where,
			 c->frames_not_ram, g->src->where);
	g->provenance = gc_strbuf_steal(&sb);
	if (err) {
		free(g->provenance);
		g->provenance = NULL;
		return err;
	}
	return g->provenance ? NULL : &gc_error_nomem;
}

/* ---- open / close ------------------------------------------------------ */

const char *gc_guest_source_at(size_t i, const char **description)
{
	for (size_t k = 0; gc_guest_sources[k]; k++)
		if (k == i) {
			if (description)
				*description = gc_guest_sources[k]->description;
			return gc_guest_sources[k]->name;
		}
	return NULL;
}

void gc_guest_close(struct gc_guest *g)
{
	if (!g)
		return;
	gc_dump_close(g->view);
	if (g->src && g->src->close)
		g->src->close(g);
	gc_xlat_free(g->walk);
	gc_xlat_free(g->phys);
	free(g->vcpus);
	gc_report_clear(&g->findings);
	free(g->gaps);
	free(g->map);
	free(g->runs);
	free(g->provenance);
	free(g->summary);
	free(g);
}

struct gc_error *gc_guest_open(const char *source,
			       const struct gc_guest_args *args,
			       struct gc_guest **out)
{
	*out = NULL;
	const struct gc_guest_source *src = NULL;
	for (size_t k = 0; gc_guest_sources[k] && !src; k++)
		if (source && !strcmp(gc_guest_sources[k]->name, source))
			src = gc_guest_sources[k];
	if (!src) {
		struct gc_strbuf sb;
		gc_strbuf_init(&sb);
		for (size_t k = 0; gc_guest_sources[k]; k++)
			gc_strbuf_printf(&sb, "%s%s", k ? ", " : "",
					 gc_guest_sources[k]->name);
		char *names = gc_strbuf_steal(&sb);
		struct gc_error *err = gc_error_new(
			GC_ERR_INVALID_ARG, "guest source",
			"no source '%s' (known: %s)", source ? source : "",
			names ? names : "?");
		free(names);
		return err;
	}
	struct gc_guest *g = calloc(1, sizeof(*g));
	if (!g)
		return &gc_error_nomem;
	g->src = src;
	struct gc_error *err = src->open(g, args);
	if (!err && (!g->walk || !g->path))
		err = gc_error_new(GC_ERR_INVALID_ARG, src->name,
				   "the source set no translation");
	if (!err)
		err = classify(g);
	if (!err)
		err = gc_xlat_table(g->map, g->nr_map, "guest frames",
				    GC_SPACE_PHYS, g->walk->to,
				    "no data in the source", &g->phys);
	if (!err)
		err = make_provenance(g);
	if (!err)
		err = gc_dump_view_new(g->path, &view_ops, g,
				       (uint32_t)GC_GUEST_PAGE, &g->view);
	if (!err) {
		g->view->nr_vcpus = g->nr_vcpus;
		g->view->nr_frames = g->counts.frames_present;
		if (g->guest_type)
			err = gc_dump_add_field(g->view, "guest_type", false,
						0, "%s", g->guest_type);
	}
	if (!err && g->summary)
		err = gc_dump_add_field(g->view, "source", false, 0, "%s",
					g->summary);
	if (!err)
		err = gc_dump_add_field(g->view, "provenance", false, 0, "%s",
					g->provenance);
	if (err) {
		gc_guest_close(g);
		return err;
	}
	*out = g;
	return NULL;
}

/* ---- accessors --------------------------------------------------------- */

const char *gc_guest_source(const struct gc_guest *g)
{
	return g->src->name;
}

struct gc_dump *gc_guest_dump(struct gc_guest *g)
{
	return g->view;
}

unsigned int gc_guest_nr_vcpus(const struct gc_guest *g)
{
	return g->nr_vcpus;
}

struct gc_error *gc_guest_vcpu(const struct gc_guest *g, unsigned int i,
			       struct gc_vcpu *out)
{
	if (i >= g->nr_vcpus)
		return gc_error_new(GC_ERR_INVALID_ARG, "vcpu", "no vCPU %u",
				    i);
	*out = g->vcpus[i];
	return NULL;
}

const struct gc_guest_gap *gc_guest_gaps(const struct gc_guest *g,
					 size_t *nr)
{
	*nr = g->nr_gaps;
	return g->gaps;
}

const struct gc_guest_counts *gc_guest_counts(const struct gc_guest *g)
{
	return &g->counts;
}

const struct gc_report *gc_guest_findings(const struct gc_guest *g)
{
	return &g->findings;
}

const char *gc_guest_provenance(const struct gc_guest *g)
{
	return g->provenance;
}

struct gc_error *gc_guest_translate(struct gc_guest *g, uint64_t gpa,
				    uint64_t *target, uint64_t *len)
{
	struct gc_xlat_run r;
	struct gc_error *err = gc_xlat_lookup(g->walk, gpa, &r);
	if (err)
		return err;
	if (r.status != GC_XLAT_MAPPED)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_PHYS, gpa,
				     "guest-physical address", "%s",
				     r.reason);
	*target = r.target;
	*len = r.len;
	return NULL;
}
