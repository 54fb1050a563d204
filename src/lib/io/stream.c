// SPDX-License-Identifier: MIT
/* Streams: the logical bytes of a dump in its container (stream.h). */
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"
#include "../util/util.h"
#include "../util/vec.h"

#define FLAT_HDR_SIZE 4096u
#define FLAT_REC_HDR 16u

/* One resolved piece of a flattened stream: logical [start, end) is
 * stored at PHYS in the base stream. */
struct flat_ext {
	uint64_t start, end, phys;
};

struct gc_stream {
	enum gc_container kind;
	uint64_t size;
	char *path;                 /* concat only (else the file's) */
	/* plain */
	struct gc_file *file;
	bool own_file;
	/* window, flat: the stream underneath */
	struct gc_stream *base;
	bool own_base;
	uint64_t start;             /* window */
	struct flat_ext *ext;       /* flat: sorted, disjoint */
	size_t next;
	struct gc_stream_flat_info flat;
	struct gc_stream **parts;   /* concat */
	uint64_t *part_start;       /* concat: logical start of each part */
	size_t nparts;
	/* the owner's access history (GC_ACCESS_AUTO) */
	bool have_last;
	uint64_t last_end;
};

const char *gc_container_name(enum gc_container c)
{
	switch (c) {
	case GC_CONTAINER_PLAIN: return "plain";
	case GC_CONTAINER_FLAT: return "flattened";
	case GC_CONTAINER_WINDOW: return "window";
	case GC_CONTAINER_CONCAT: return "concatenated";
	}
	return "?";
}

/* ---- opening ---------------------------------------------------------- */

struct gc_error *gc_stream_from_file(struct gc_file *f, bool own,
				     struct gc_stream **out)
{
	*out = NULL;
	struct gc_stream *s = calloc(1, sizeof(*s));
	if (!s) {
		if (own)
			gc_file_close(f);
		return &gc_error_nomem;
	}
	s->kind = GC_CONTAINER_PLAIN;
	s->file = f;
	s->own_file = own;
	s->size = f->size;
	*out = s;
	return NULL;
}

struct gc_error *gc_stream_open_file(const char *path, struct gc_stream **out)
{
	*out = NULL;
	struct gc_file *f;
	struct gc_error *err = gc_file_open(path, &f);
	if (err)
		return err;
	return gc_stream_from_file(f, true, out);
}

bool gc_stream_flat_probe(const uint8_t *head, size_t len)
{
	return len >= 32 && !memcmp(head, "makedumpfile", 12) &&
	       head[12] == 0 && gc_get64(head + 16, true) == 1;
}

struct gc_error *gc_stream_open(const char *path, struct gc_report *findings,
				struct gc_stream **out)
{
	*out = NULL;
	struct gc_stream *s;
	struct gc_error *err = gc_stream_open_file(path, &s);
	if (err)
		return err;
	uint8_t h[32];
	if (s->size >= sizeof(h) &&
	    (err = gc_stream_read(s, 0, h, sizeof(h), "file header"))) {
		gc_stream_close(s);
		return err;
	}
	if (s->size < sizeof(h) || !gc_stream_flat_probe(h, sizeof(h))) {
		*out = s;
		return NULL;
	}
	return gc_stream_flat_new(s, true, findings, out);
}

/* A finding at OFF (UINT64_MAX: about no offset). */
static struct gc_error *finding(struct gc_report *r, enum gc_severity sev,
				const char *code, uint64_t off,
				const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct gc_error *finding(struct gc_report *r, enum gc_severity sev,
				const char *code, uint64_t off,
				const char *fmt, ...)
{
	if (!r)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	char *msg = gc_vasprintf(fmt, ap);
	va_end(ap);
	if (!msg)
		return &gc_error_nomem;
	struct gc_error *err = gc_report_add(r, sev, code, off != UINT64_MAX,
					     off != UINT64_MAX ? off : 0, "%s",
					     msg);
	free(msg);
	return err;
}

/* A record as read: logical [start, end) at PHYS; I its order. */
struct flat_rec {
	uint64_t start, end, phys;
	size_t i;
};

/* Sweep events: a record starts or ends at POS. */
struct flat_ev {
	uint64_t pos;
	size_t rec;
	bool start;
};

static int cmp_ev(const void *a, const void *b)
{
	const struct flat_ev *x = a, *y = b;
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	/* ends before starts at one position */
	return (int)x->start - (int)y->start;
}

/* A max-heap of record indices (later records win). */
static void heap_push(size_t *h, size_t *n, size_t v)
{
	size_t i = (*n)++;
	h[i] = v;
	while (i && h[(i - 1) / 2] < h[i]) {
		size_t p = (i - 1) / 2, t = h[p];
		h[p] = h[i];
		h[i] = t;
		i = p;
	}
}

static void heap_pop(size_t *h, size_t *n)
{
	h[0] = h[--(*n)];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < *n && h[l] > h[m])
			m = l;
		if (r < *n && h[r] > h[m])
			m = r;
		if (m == i)
			break;
		size_t t = h[m];
		h[m] = h[i];
		h[i] = t;
		i = m;
	}
}

/*
 * Resolve the records into disjoint sorted extents: where records
 * overlap, the later one wins.  A sweep over start/end events with a heap
 * of the records covering the current position: O(n log n) whatever the
 * overlaps.
 */
static struct gc_error *flat_resolve(struct gc_stream *s,
				     const struct flat_rec *recs, size_t n)
{
	bool sorted = true;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = recs[i].start >= recs[i - 1].end;
	if (sorted) {   /* the usual case: no overlap, in order */
		s->ext = malloc((n ? n : 1) * sizeof(*s->ext));
		if (!s->ext)
			return &gc_error_nomem;
		for (size_t i = 0; i < n; i++)
			s->ext[i] = (struct flat_ext){ recs[i].start,
						       recs[i].end,
						       recs[i].phys };
		s->next = n;
		return NULL;
	}
	struct flat_ev *ev = malloc(2 * n * sizeof(*ev));
	size_t *heap = malloc(n * sizeof(*heap));
	bool *active = calloc(n, 1);
	bool *lost = calloc(n, 1);
	size_t cap = 0, nh = 0;
	struct gc_error *err = NULL;
	if (!ev || !heap || !active || !lost) {
		err = &gc_error_nomem;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ev[2 * i] = (struct flat_ev){ recs[i].start, i, true };
		ev[2 * i + 1] = (struct flat_ev){ recs[i].end, i, false };
	}
	gc_qsort(ev, 2 * n, sizeof(*ev), cmp_ev);
	for (size_t e = 0; e < 2 * n;) {
		uint64_t pos = ev[e].pos;
		for (; e < 2 * n && ev[e].pos == pos; e++) {
			size_t r = ev[e].rec;
			if (ev[e].start) {
				/* every active record but the top one is
				 * marked lost: keep it so */
				while (nh && !active[heap[0]])
					heap_pop(heap, &nh);
				if (nh)
					lost[r > heap[0] ? heap[0] : r] = true;
				active[r] = true;
				heap_push(heap, &nh, r);
			} else {
				active[r] = false;
			}
		}
		while (nh && !active[heap[0]])
			heap_pop(heap, &nh);
		if (!nh || e == 2 * n)
			continue;
		const struct flat_rec *w = &recs[heap[0]];
		uint64_t end = ev[e].pos;
		uint64_t phys = w->phys + (pos - w->start);
		struct flat_ext *last = s->next ? &s->ext[s->next - 1] : NULL;
		if (last && last->end == pos &&
		    last->phys + (last->end - last->start) == phys) {
			last->end = end;
			continue;
		}
		struct flat_ext x = { pos, end, phys };
		if (!gc_vec_push(&s->ext, &s->next, &cap, &x)) {
			err = &gc_error_nomem;
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++)
		s->flat.overlaps += lost[i];
out:
	free(ev);
	free(heap);
	free(active);
	free(lost);
	return err;
}

static struct gc_error *flat_index(struct gc_stream *s,
				   struct gc_report *findings)
{
	struct gc_stream *b = s->base;
	const char *path = gc_stream_path(b);
	uint8_t h[32];
	struct gc_error *err = gc_stream_read(b, 0, h, 32, "flattened header");
	if (err)
		return err;
	s->flat.version = gc_get64(h + 24, true);
	if (s->flat.version != 1)
		err = finding(findings, GC_SEV_WARNING, "flat-version", 24,
			      "%s: flattened header version %" PRIu64
			      " (only 1 is known)", path, s->flat.version);
	struct flat_rec *recs = NULL;
	size_t nrec = 0, cap = 0;
	uint64_t pos = FLAT_HDR_SIZE;
	while (!err) {
		uint8_t r[FLAT_REC_HDR];
		if (!gc_range_ok(pos, FLAT_REC_HDR, b->size)) {
			err = finding(findings, GC_SEV_ERROR, "flat-truncated",
				      pos, "%s: the flattened stream ends at "
				      "0x%" PRIx64 " without its end marker "
				      "(offset -1); %zu records were read",
				      path, pos, nrec);
			break;
		}
		err = gc_stream_read(b, pos, r, FLAT_REC_HDR,
				     "flattened record header");
		if (err)
			break;
		uint64_t lo = gc_get64(r, true), sz = gc_get64(r + 8, true);
		if (lo == UINT64_MAX) {
			s->flat.end_marker = true;
			break;
		}
		uint64_t lend;
		if ((int64_t)lo < 0 || (int64_t)sz < 0 ||
		    !gc_add_ok(lo, sz, &lend) ||
		    !gc_range_ok(pos + FLAT_REC_HDR, sz, b->size)) {
			err = finding(findings, GC_SEV_ERROR, "flat-record", pos,
				      "%s: flattened record %zu (offset 0x%"
				      PRIx64 ", size 0x%" PRIx64 ") runs past "
				      "the end of the stream (size 0x%" PRIx64
				      ") or is negative; records from here on "
				      "are ignored", path, nrec, lo, sz,
				      b->size);
			break;
		}
		if (sz) {
			struct flat_rec x = { lo, lend, pos + FLAT_REC_HDR,
					      nrec };
			if (!gc_vec_push(&recs, &nrec, &cap, &x)) {
				free(recs);
				return &gc_error_nomem;
			}
			if (lend > s->size)
				s->size = lend;
		}
		pos += FLAT_REC_HDR + sz;
	}
	s->flat.records = nrec;
	if (!err)
		err = flat_resolve(s, recs, nrec);
	free(recs);
	if (!err && s->flat.overlaps)
		err = finding(findings, GC_SEV_NOTE, "flat-overlap", UINT64_MAX,
			      "%s: %zu flattened records overwrite earlier "
			      "ones (later records win)", path,
			      s->flat.overlaps);
	return err;
}

struct gc_error *gc_stream_flat_new(struct gc_stream *base, bool own,
				    struct gc_report *findings,
				    struct gc_stream **out)
{
	*out = NULL;
	struct gc_stream *s = calloc(1, sizeof(*s));
	if (!s) {
		if (own)
			gc_stream_close(base);
		return &gc_error_nomem;
	}
	s->kind = GC_CONTAINER_FLAT;
	s->base = base;
	s->own_base = own;
	struct gc_error *err = flat_index(s, findings);
	if (err) {
		gc_stream_close(s);
		return err;
	}
	*out = s;
	return NULL;
}

struct gc_error *gc_stream_window_new(struct gc_stream *base, bool own,
				      uint64_t start, uint64_t len,
				      struct gc_stream **out)
{
	*out = NULL;
	if (len == UINT64_MAX)
		len = start <= base->size ? base->size - start : 0;
	struct gc_error *err = gc_stream_check_range(base, start, len,
						     "window");
	if (err) {
		if (own)
			gc_stream_close(base);
		return err;
	}
	struct gc_stream *s = calloc(1, sizeof(*s));
	if (!s) {
		if (own)
			gc_stream_close(base);
		return &gc_error_nomem;
	}
	s->kind = GC_CONTAINER_WINDOW;
	s->base = base;
	s->own_base = own;
	s->start = start;
	s->size = len;
	*out = s;
	return NULL;
}

struct gc_error *gc_stream_concat_new(struct gc_stream *const *parts,
				      size_t n, const char *path,
				      struct gc_stream **out)
{
	*out = NULL;
	struct gc_stream *s = calloc(1, sizeof(*s));
	struct gc_error *err = NULL;
	if (!s || !n) {
		err = s ? gc_error_new(GC_ERR_INVALID_ARG, "concatenation",
				       "no parts") : &gc_error_nomem;
		free(s);
		for (size_t i = 0; i < n; i++)
			gc_stream_close(parts[i]);
		return err;
	}
	s->kind = GC_CONTAINER_CONCAT;
	s->parts = malloc(n * sizeof(*s->parts));
	s->part_start = malloc(n * sizeof(*s->part_start));
	s->path = strdup(path ? path : gc_stream_path(parts[0]));
	if (!s->parts || !s->part_start || !s->path) {
		for (size_t i = 0; i < n; i++)
			gc_stream_close(parts[i]);
		gc_stream_close(s);
		return &gc_error_nomem;
	}
	s->nparts = n;
	for (size_t i = 0; i < n; i++) {
		s->parts[i] = parts[i];
		s->part_start[i] = s->size;
		if (!err && !gc_add_ok(s->size, parts[i]->size, &s->size))
			err = gc_error_new(GC_ERR_INVALID_ARG, "concatenation",
					   "the parts add up to more than "
					   "2^64 bytes");
	}
	if (err) {
		gc_stream_close(s);
		return err;
	}
	*out = s;
	return NULL;
}

void gc_stream_close(struct gc_stream *s)
{
	if (!s)
		return;
	if (s->own_file)
		gc_file_close(s->file);
	if (s->own_base)
		gc_stream_close(s->base);
	if (s->parts)
		for (size_t i = 0; i < s->nparts; i++)
			gc_stream_close(s->parts[i]);
	free(s->parts);
	free(s->part_start);
	free(s->ext);
	free(s->path);
	free(s);
}

/* ---- what it is ------------------------------------------------------- */

uint64_t gc_stream_size(const struct gc_stream *s) { return s->size; }

uint64_t gc_stream_stored(const struct gc_stream *s)
{
	uint64_t n = 0;
	switch (s->kind) {
	case GC_CONTAINER_PLAIN:
		return s->size;
	case GC_CONTAINER_WINDOW:
		return GC_MIN(s->size, gc_stream_stored(s->base));
	case GC_CONTAINER_FLAT:
		for (size_t i = 0; i < s->next; i++)
			n += s->ext[i].end - s->ext[i].start;
		return n;
	case GC_CONTAINER_CONCAT:
		for (size_t i = 0; i < s->nparts; i++)
			n += gc_stream_stored(s->parts[i]);
		return n;
	}
	return s->size;
}

const char *gc_stream_path(const struct gc_stream *s)
{
	while (s->base)
		s = s->base;
	return s->file ? s->file->path : s->path;
}

enum gc_container gc_stream_container(const struct gc_stream *s)
{
	return s->kind;
}

struct gc_file *gc_stream_file(const struct gc_stream *s)
{
	while (s->base)
		s = s->base;
	return s->file;
}

bool gc_stream_flat_info(const struct gc_stream *s,
			 struct gc_stream_flat_info *out)
{
	for (; s; s = s->base)
		if (s->kind == GC_CONTAINER_FLAT) {
			*out = s->flat;
			return true;
		}
	return false;
}

const uint8_t *gc_stream_map(const struct gc_stream *s)
{
	if (s->kind == GC_CONTAINER_PLAIN)
		return s->file->map;
	if (s->kind == GC_CONTAINER_WINDOW) {
		const uint8_t *m = gc_stream_map(s->base);
		return m ? m + s->start : NULL;
	}
	return NULL;
}

/* ---- reading ---------------------------------------------------------- */

struct gc_error *gc_stream_check_range(const struct gc_stream *s, uint64_t off,
				       uint64_t len, const char *what)
{
	if (gc_range_ok(off, len, s->size))
		return NULL;
	if (s->kind == GC_CONTAINER_PLAIN)
		return gc_file_check_range(s->file, off, len, what);
	return gc_error_at(GC_ERR_TRUNCATED, off, what,
			   "needs 0x%" PRIx64 " bytes but the %s stream ends "
			   "at 0x%" PRIx64, len, gc_container_name(s->kind),
			   s->size);
}

/*
 * The first contiguous piece of logical [OFF, OFF+LEN) (inside S): the
 * file and offset it starts at and its length *N (<= LEN).  Fails only
 * on a hole of a flattened stream.
 */
static struct gc_error *piece(const struct gc_stream *s, uint64_t off,
			      uint64_t len, const char *what,
			      struct gc_file **file, uint64_t *foff,
			      uint64_t *n)
{
	for (;;) {
		switch (s->kind) {
		case GC_CONTAINER_PLAIN:
			*file = s->file;
			*foff = off;
			*n = len;
			return NULL;
		case GC_CONTAINER_WINDOW:
			off += s->start;
			s = s->base;
			continue;
		case GC_CONTAINER_FLAT: {
			size_t lo = 0, hi = s->next;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (s->ext[mid].end <= off)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo == s->next || s->ext[lo].start > off)
				return gc_error_at(GC_ERR_TRUNCATED, off, what,
						   "no flattened record holds "
						   "logical offset 0x%" PRIx64
						   " (%s)", off,
						   gc_stream_path(s));
			const struct flat_ext *x = &s->ext[lo];
			len = GC_MIN(len, x->end - off);
			off = x->phys + (off - x->start);
			s = s->base;
			continue;
		}
		case GC_CONTAINER_CONCAT: {
			size_t lo = 0, hi = s->nparts;
			while (hi - lo > 1) {
				size_t mid = lo + (hi - lo) / 2;
				if (s->part_start[mid] <= off)
					lo = mid;
				else
					hi = mid;
			}
			/* empty parts share a start: take the last */
			const struct gc_stream *p = s->parts[lo];
			len = GC_MIN(len, p->size - (off - s->part_start[lo]));
			off -= s->part_start[lo];
			s = p;
			continue;
		}
		}
		return gc_error_new(GC_ERR_INVALID_ARG, what, "bad stream");
	}
}

/* How to read: true when the policy reads the file with pread. */
static bool use_pread(const struct gc_file *f, bool random,
		      uint64_t map_random_max)
{
	return !f->map || (random && f->size > map_random_max);
}

static struct gc_error *read_pieces(struct gc_stream *s, uint64_t off,
				    void *buf, size_t len, bool random,
				    uint64_t map_random_max, const char *what)
{
	struct gc_error *err = gc_stream_check_range(s, off, len, what);
	uint8_t *out = buf;
	while (!err && len) {
		struct gc_file *f;
		uint64_t foff, n;
		err = piece(s, off, len, what, &f, &foff, &n);
		if (!err && !n)   /* cannot happen: parts are never empty
				   * where a read lands */
			err = gc_error_at(GC_ERR_INVALID_ARG, off, what,
					  "no progress reading the stream");
		if (err)
			break;
		if (use_pread(f, random, map_random_max))
			err = random ? gc_file_pread_random(f, foff, out,
							    (size_t)n, what) :
				       gc_file_pread(f, foff, out, (size_t)n,
						     what);
		else
			err = gc_file_read(f, foff, out, (size_t)n, what);
		out += n;
		off += n;
		len -= (size_t)n;
	}
	return err;
}

struct gc_error *gc_stream_read(struct gc_stream *s, uint64_t off, void *buf,
				size_t len, const char *what)
{
	if (s->kind == GC_CONTAINER_PLAIN)
		return gc_file_read(s->file, off, buf, len, what);
	return read_pieces(s, off, buf, len, false, UINT64_MAX, what);
}

struct gc_error *gc_stream_view(struct gc_stream *s, uint64_t off, size_t len,
				void *tmp, const void **out, const char *what)
{
	return gc_stream_view_data(s, off, len, tmp, out, GC_ACCESS_SEQ,
				   UINT64_MAX, what);
}

/* Whether a read at OFF is random; AUTO consults and updates S's
 * history (the owner's thread only). */
static bool is_random(struct gc_stream *s, uint64_t off, size_t len,
		      enum gc_access how)
{
	if (how != GC_ACCESS_AUTO)
		return how == GC_ACCESS_RANDOM;
	bool seq = s->have_last && off >= s->last_end &&
		   off - s->last_end <= GC_STREAM_SEQ_GAP;
	s->have_last = true;
	s->last_end = off + len;
	return !seq;
}

struct gc_error *gc_stream_view_data(struct gc_stream *s, uint64_t off,
				     size_t len, void *tmp, const void **out,
				     enum gc_access how,
				     uint64_t map_random_max, const char *what)
{
	bool random = is_random(s, off, len, how);
	struct gc_error *err = gc_stream_check_range(s, off, len, what);
	if (err)
		return err;
	struct gc_file *f;
	uint64_t foff, n;
	err = piece(s, off, len, what, &f, &foff, &n);
	if (err)
		return err;
	if (n == len && !use_pread(f, random, map_random_max)) {
		err = gc_file_check_range(f, foff, len, what);
		if (!err)
			*out = f->map + foff;
		return err;
	}
	if (!tmp)
		return gc_error_at(GC_ERR_INVALID_ARG, off, what,
				   "0x%zx bytes are not contiguous in a "
				   "mapping and there is no buffer", len);
	*out = tmp;
	return read_pieces(s, off, tmp, len, random, map_random_max, what);
}

struct gc_error *gc_stream_read_data(struct gc_stream *s, uint64_t off,
				     void *buf, size_t len, enum gc_access how,
				     uint64_t map_random_max, const char *what)
{
	bool random = is_random(s, off, len, how);
	return read_pieces(s, off, buf, len, random, map_random_max, what);
}

bool gc_stream_extent(const struct gc_stream *s, uint64_t off, uint64_t len,
		      struct gc_file **file, uint64_t *file_off)
{
	if (!gc_range_ok(off, len, s->size))
		return false;
	uint64_t n;
	struct gc_error *err = piece(s, off, len, "extent", file, file_off,
				     &n);
	if (err) {
		gc_error_free(err);
		return false;
	}
	return n == len && gc_range_ok(*file_off, len, (*file)->size);
}
