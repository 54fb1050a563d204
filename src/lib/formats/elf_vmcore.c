// SPDX-License-Identifier: MIT
/*
 * ELF vmcores: kdump's /proc/vmcore, makedumpfile -E, QEMU
 * dump-guest-memory (ELFCLASS64 and ELFCLASS32).  PT_LOADs are keyed on
 * p_paddr; overlapping segments are resolved once at open into a sorted
 * map (RAM segments win over the kernel-text alias), so a frame lookup is
 * one binary search.  PT_NOTEs go through notes.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../spaces/rangemap.h"
#include "../util/vec.h"
#include "elf_vmcore.h"
#include "formats.h"
#include "notes.h"

#define ET_CORE 4
#define PT_LOAD 1
#define PT_NOTE 4
#define PN_XNUM 0xffffu
#define START_KERNEL_MAP 0xffffffff80000000ull
#define MAX_NOTE_AREA (64u << 20)
#define MAX_FIELD_SEGS 16

struct elfv {
	bool be;
	int cls;
	uint16_t machine;
	uint64_t phoff, phnum;
	uint16_t phentsize;
	bool xnum;
	struct gc_elf_segment *segs;
	size_t nsegs, nnotes_seg;
	struct gc_range *map;
	size_t nmap, overlaps;
	struct gc_notes notes;
	/* The p_memsz tails of PT_LOADs are zero pages: only when our own
	 * provenance note says so (convert --exclude zero writes them); in
	 * other files (makedumpfile -E) a tail is excluded pages. */
	bool zero_tails;
	/* Pages whose first bytes are one segment's last and whose rest
	 * another segment holds (segment boundaries inside a page), sorted
	 * by frame: read whole when the two segments' data are adjacent in
	 * the file, refused otherwise (split_pages). */
	struct elf_split *split;
	size_t nsplit;
	/* pairs of overlapping segments neither of which is kernel text */
	size_t ram_overlaps;
};

struct elf_split {
	uint64_t frame;
	size_t a, b;        /* segs[]: the page's first bytes, its rest */
	bool joined;        /* the file holds the page's bytes in one run */
};

/* Does a GUESTCORE provenance note (type 1) hold the line
 * "elf_memsz_tail=zero"? */
static bool has_zero_tails(const struct gc_notes *n)
{
	static const char line[] = "elf_memsz_tail=zero\n";
	const size_t ll = sizeof(line) - 1;
	for (size_t i = 0; i < n->n; i++) {
		const struct gc_note *nt = &n->notes[i];
		if (strcmp(nt->name, "GUESTCORE") || nt->type != 1)
			continue;
		const char *t = (const char *)nt->desc;
		size_t len = (size_t)nt->size;
		for (size_t at = 0; at + ll <= len;) {
			if (!memcmp(t + at, line, ll))
				return true;
			const char *nl = memchr(t + at, '\n', len - at);
			if (!nl)
				break;
			at = (size_t)(nl - t) + 1;
		}
	}
	return false;
}

static struct elfv *EV(const struct gc_dump *d) { return d->priv; }

bool gc_elf_vmcore_probe(const uint8_t *head, size_t len, struct gc_stream *s)
{
	(void)s;
	if (len < 52 || memcmp(head, "\177ELF", 4))
		return false;
	if ((head[4] != 1 && head[4] != 2) || (head[5] != 1 && head[5] != 2))
		return false;
	bool be = head[5] == 2;
	if (gc_get16(head + 16, be) != ET_CORE)
		return false;
	if (head[4] == 2 && len < 64)
		return false;
	uint16_t phnum = head[4] == 2 ? gc_get16(head + 56, be) :
					gc_get16(head + 44, be);
	return phnum != 0;  /* xc_core has none */
}

size_t gc_elf_vmcore_segments(const struct gc_dump *d,
			      const struct gc_elf_segment **segs)
{
	*segs = NULL;
	if (!d->ops || d->ops->format != GC_FORMAT_ELF_VMCORE || !d->priv)
		return 0;
	*segs = EV(d)->segs;
	return EV(d)->nsegs;
}

static struct gc_error *read_header(struct gc_dump *d, struct elfv *e)
{
	uint8_t h[64] = {0};
	e->cls = 0;
	struct gc_error *err = gc_stream_read(d->stream, 0, h, 52, "ELF header");
	if (err)
		return err;
	e->cls = h[4] == 2 ? 64 : 32;
	e->be = h[5] == 2;
	if (e->cls == 64) {
		err = gc_stream_read(d->stream, 0, h, 64, "ELF header");
		if (err)
			return err;
	}
	bool be = e->be;
	e->machine = gc_get16(h + 18, be);
	e->notes.e_machine = e->machine;
	uint64_t shoff;
	uint16_t shentsize;
	if (e->cls == 64) {
		e->phoff = gc_get64(h + 32, be);
		shoff = gc_get64(h + 40, be);
		e->phentsize = gc_get16(h + 54, be);
		e->phnum = gc_get16(h + 56, be);
		shentsize = gc_get16(h + 58, be);
	} else {
		e->phoff = gc_get32(h + 28, be);
		shoff = gc_get32(h + 32, be);
		e->phentsize = gc_get16(h + 42, be);
		e->phnum = gc_get16(h + 44, be);
		shentsize = gc_get16(h + 46, be);
	}
	uint16_t want = e->cls == 64 ? 56 : 32;
	if (e->phentsize < want)
		return gc_error_at(GC_ERR_FORMAT, e->cls == 64 ? 54 : 42,
				   "e_phentsize",
				   "%u is smaller than an ELF%d program header "
				   "(%u)", e->phentsize, e->cls, want);
	if (e->phnum == PN_XNUM) {
		/* Extended numbering: section header 0's sh_info. */
		uint16_t smin = e->cls == 64 ? 64 : 40;
		if (shoff == 0 || shentsize < smin)
			return gc_error_at(GC_ERR_FORMAT,
					   e->cls == 64 ? 40 : 32, "e_shoff",
					   "e_phnum is PN_XNUM (0xffff) but there"
					   " is no section header 0 to hold the "
					   "real count (e_shoff 0x%" PRIx64
					   ", e_shentsize %u)", shoff, shentsize);
		uint8_t s0[64];
		err = gc_stream_read(d->stream, shoff, s0, smin,
				   "section header 0 (PN_XNUM count)");
		if (err)
			return err;
		e->phnum = gc_get32(s0 + (e->cls == 64 ? 44 : 28), be);
		e->xnum = true;
	}
	if (e->phnum == 0)
		return gc_error_at(GC_ERR_FORMAT, 0, "program headers",
				   "the ELF core has no program headers");
	uint64_t table;
	if (!gc_mul_ok(e->phnum, e->phentsize, &table) ||
	    !gc_range_ok(e->phoff, table, gc_stream_size(d->stream)))
		return gc_error_at(GC_ERR_TRUNCATED, e->phoff,
				   "program header table",
				   "%" PRIu64 " headers of %u bytes run past the "
				   "end of the file (size 0x%" PRIx64 ")",
				   e->phnum, e->phentsize, gc_stream_size(d->stream));
	return NULL;
}

static struct gc_error *read_note_area(struct gc_dump *d, struct elfv *e,
				       uint64_t off, uint64_t size,
				       size_t phdr)
{
	char what[48];
	snprintf(what, sizeof(what), "PT_NOTE (program header %zu)", phdr);
	uint64_t avail = off < gc_stream_size(d->stream) ? gc_stream_size(d->stream) - off : 0;
	struct gc_error *err = NULL;
	if (size > avail) {
		err = gc_dump_finding(d, GC_SEV_ERROR, "note-truncated", true, off,
			      "%s: %" PRIu64 " bytes at 0x%" PRIx64 " run past "
			      "the end of the file; %" PRIu64 " bytes are read",
			      what, size, off, avail);
		size = avail;
	}
	if (!err && size > MAX_NOTE_AREA) {
		err = gc_dump_finding(d, GC_SEV_ERROR, "note-size", true, off,
			      "%s: %" PRIu64 " bytes is more than the %u "
			      "bytes guestcore reads for notes", what, size,
			      MAX_NOTE_AREA);
		size = MAX_NOTE_AREA;
	}
	if (err || !size)
		return err;
	uint8_t *buf = malloc((size_t)size);
	if (!buf)
		return &gc_error_nomem;
	err = gc_stream_read(d->stream, off, buf, (size_t)size, what);
	if (err) {
		free(buf);
		return err;
	}
	return gc_notes_parse(&e->notes, buf, (size_t)size, off, e->be, what,
			      &d->findings);
}

/*
 * The program header table, entry by entry: straight from the mapping, or
 * read PH_CHUNK bytes at a time.  Never all of it at once: a flattened or
 * split file's logical size is what its records claim, so a table that
 * "fits" may be gigabytes of bytes that are not there.
 */
#define PH_CHUNK (1u << 20)
struct phtab {
	struct gc_stream *s;
	uint64_t off, n;
	uint16_t esz;
	const uint8_t *map;
	uint8_t *buf;
	uint64_t first, count; /* entries in BUF */
};

static struct gc_error *ph_entry(struct phtab *t, uint64_t i,
				 const uint8_t **p)
{
	if (t->map) {
		*p = t->map + t->off + i * t->esz;
		return NULL;
	}
	if (i < t->first || i - t->first >= t->count) {
		uint64_t per = PH_CHUNK / t->esz;
		uint64_t cnt = GC_MIN(per, t->n - i);
		struct gc_error *err = gc_stream_read(t->s, t->off + i * t->esz,
						      t->buf, (size_t)(cnt * t->esz),
						      "program header table");
		if (err)
			return err;
		t->first = i;
		t->count = cnt;
	}
	*p = t->buf + (i - t->first) * t->esz;
	return NULL;
}

static struct gc_error *read_phdrs(struct gc_dump *d, struct elfv *e)
{
	struct phtab t = { d->stream, e->phoff, e->phnum, e->phentsize,
			   gc_stream_map(d->stream), NULL, 0, 0 };
	if (!t.map && !(t.buf = malloc(PH_CHUNK)))
		return &gc_error_nomem;
	struct gc_error *err = NULL;
	const uint8_t *p;
	size_t nload = 0;
	for (uint64_t i = 0; i < e->phnum && !err; i++)
		if (!(err = ph_entry(&t, i, &p)))
			nload += gc_get32(p, e->be) == PT_LOAD;
	if (!err && nload) {
		e->segs = calloc(nload, sizeof(*e->segs));
		if (!e->segs)
			err = &gc_error_nomem;
	}
	bool be = e->be;
	for (uint64_t i = 0; i < e->phnum && !err; i++) {
		if ((err = ph_entry(&t, i, &p)))
			break;
		uint64_t hoff = e->phoff + i * e->phentsize;
		uint32_t type = gc_get32(p, be);
		struct gc_elf_segment s = { .phdr = (uint32_t)i };
		if (e->cls == 64) {
			s.flags = gc_get32(p + 4, be);
			s.offset = gc_get64(p + 8, be);
			s.vaddr = gc_get64(p + 16, be);
			s.paddr = gc_get64(p + 24, be);
			s.filesz = gc_get64(p + 32, be);
			s.memsz = gc_get64(p + 40, be);
		} else {
			s.offset = gc_get32(p + 4, be);
			s.vaddr = gc_get32(p + 8, be);
			s.paddr = gc_get32(p + 12, be);
			s.filesz = gc_get32(p + 16, be);
			s.memsz = gc_get32(p + 20, be);
			s.flags = gc_get32(p + 24, be);
		}
		if (type == PT_NOTE) {
			e->nnotes_seg++;
			err = read_note_area(d, e, s.offset, s.filesz, (size_t)i);
			continue;
		}
		if (type != PT_LOAD)
			continue;
		uint64_t end;
		if (!gc_add_ok(s.paddr, s.memsz, &end)) {
			err = gc_dump_finding(d, GC_SEV_ERROR, "segment-wraps", true,
				      hoff, "PT_LOAD %" PRIu64 ": p_paddr 0x%"
				      PRIx64 " + p_memsz 0x%" PRIx64 " wraps "
				      "around; the segment is ignored", i,
				      s.paddr, s.memsz);
			continue;
		}
		if (s.filesz > s.memsz) {
			err = gc_dump_finding(d, GC_SEV_WARNING, "segment-filesz", true,
				      hoff, "PT_LOAD %" PRIu64 ": p_filesz 0x%"
				      PRIx64 " exceeds p_memsz 0x%" PRIx64
				      "; only p_memsz bytes are used", i,
				      s.filesz, s.memsz);
			s.filesz = s.memsz;
		}
		if (!err && !gc_range_ok(s.offset, s.filesz, gc_stream_size(d->stream)))
			err = gc_dump_finding(d, GC_SEV_ERROR, "segment-truncated",
				      true, hoff, "PT_LOAD %" PRIu64 ": data at "
				      "0x%" PRIx64 "+0x%" PRIx64 " runs past "
				      "the end of the file (size 0x%" PRIx64
				      "); pages beyond it read as truncated",
				      i, s.offset, s.filesz, gc_stream_size(d->stream));
		s.text = e->cls == 64 && s.vaddr >= START_KERNEL_MAP;
		if (e->nsegs == nload) /* the table changed under us */
			return free(t.buf), gc_error_at(GC_ERR_IO, hoff,
				"program header table", "more PT_LOAD entries "
				"on the second reading than on the first");
		e->segs[e->nsegs++] = s;
	}
	free(t.buf);
	return err;
}

static struct gc_error *build_map(struct gc_dump *d, struct elfv *e)
{
	struct gc_range_in *in = malloc((e->nsegs ? e->nsegs : 1) *
					sizeof(*in));
	if (!in)
		return &gc_error_nomem;
	for (size_t i = 0; i < e->nsegs; i++) {
		const struct gc_elf_segment *s = &e->segs[i];
		/* The first byte of a page decides which segment holds it,
		 * so an unaligned start begins at the next page. */
		uint64_t start = (s->paddr + d->page_size - 1) &
				 ~(uint64_t)(d->page_size - 1);
		if (start < s->paddr)
			start = s->paddr;
		in[i] = (struct gc_range_in){
			.start = start, .end = s->paddr + s->memsz,
			.prio = ((uint64_t)!s->text << 40) |
				(uint64_t)(e->nsegs - i),
			.idx = i,
		};
	}
	struct gc_error *err = gc_range_resolve(in, e->nsegs, &e->map,
						&e->nmap, &e->overlaps);
	free(in);
	return err;
}

struct seg_key {
	uint64_t paddr;
	size_t idx;
};

static int by_paddr(const void *x, const void *y)
{
	const struct seg_key *a = x, *b = y;
	if (a->paddr != b->paddr)
		return a->paddr < b->paddr ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int by_frame(const void *x, const void *y)
{
	uint64_t a = ((const struct elf_split *)x)->frame;
	uint64_t b = ((const struct elf_split *)y)->frame;
	return a < b ? -1 : a > b;
}

static const struct elf_split *split_of(const struct elfv *e, uint64_t frame)
{
	size_t lo = 0, hi = e->nsplit;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e->split[mid].frame < frame)
			lo = mid + 1;
		else if (e->split[mid].frame > frame)
			hi = mid;
		else
			return &e->split[mid];
	}
	return NULL;
}

/*
 * Segment boundaries inside a page, with the final page size (VMCOREINFO's
 * PAGESIZE may have changed it since the headers were read).  A page is
 * read from the segment its first byte is in (build_map); when that
 * segment's data end inside the page:
 *   - another segment holding the rest, its data right after in the file
 *     (a range split in two): the page is read whole from the file;
 *   - another segment holding the rest elsewhere in the file: the page
 *     is refused (ev_locate), never read with its rest as zeros;
 *   - no segment after it (kexec's 0x9fc00, where RAM ends below 640K),
 *     or our own zero p_memsz tail: the rest reads as zero, which a
 *     finding says (not for our own zero tails).
 * A segment starting inside a page it shares with no other segment loses
 * that partial page (a warning says so).
 */
static struct gc_error *split_pages(struct gc_dump *d, struct elfv *e)
{
	uint64_t ps = d->page_size, mask = ps - 1;
	struct gc_error *err = NULL;
	if (!e->nsegs)
		return NULL;
	struct seg_key *ord = malloc(e->nsegs * sizeof(*ord));
	if (!ord)
		return &gc_error_nomem;
	for (size_t i = 0; i < e->nsegs; i++)
		ord[i] = (struct seg_key){ e->segs[i].paddr, i };
	qsort(ord, e->nsegs, sizeof(*ord), by_paddr);
	size_t cap = 0, nhole = 0, first_hole = 0, nrefused = 0;
	uint64_t hole_at = 0, hole_len = 0;
	/* RAM segments overlapping each other (not kdump's kernel-text
	 * alias): the one reaching furthest so far, by p_paddr */
	size_t far = SIZE_MAX;
	for (size_t k = 0; k < e->nsegs; k++) {
		size_t a = ord[k].idx;
		const struct gc_elf_segment *s = &e->segs[a];
		if (!s->text && s->memsz) {
			const struct gc_elf_segment *f =
				far == SIZE_MAX ? NULL : &e->segs[far];
			if (f && s->paddr < f->paddr + f->memsz &&
			    !e->ram_overlaps++) {
				const struct gc_elf_segment *w = far < a ? f : s;
				err = gc_dump_finding(d, GC_SEV_WARNING,
					"segment-overlap-ram", true,
					e->phoff + (uint64_t)s->phdr * e->phentsize,
					"PT_LOAD %u and PT_LOAD %u both hold physical "
					"addresses from 0x%" PRIx64 " (neither is "
					"kernel text); reads use PT_LOAD %u, the "
					"earlier header", f->phdr, s->phdr,
					s->paddr, w->phdr);
				if (err)
					break;
			}
			if (!f || s->paddr + s->memsz > f->paddr + f->memsz)
				far = a;
		}
		uint64_t dend = s->paddr + s->filesz;  /* no wrap: memsz checked */
		if (!s->filesz || !(dend & mask))
			continue;
		uint64_t page = dend & ~mask;
		size_t m = gc_range_find(e->map, e->nmap, page);
		if (m == SIZE_MAX || e->map[m].idx != a)
			continue;       /* another segment serves that page */
		if (e->zero_tails && dend < s->paddr + s->memsz)
			continue;       /* our own zero tail */
		/* the first segment after it (by p_paddr) holding data past
		 * DEND in this page; a crowd of them is refused unexamined */
		size_t b = SIZE_MAX, seen = 0;
		for (size_t j = k + 1; j < e->nsegs && ord[j].paddr < page + ps;
		     j++) {
			const struct gc_elf_segment *t = &e->segs[ord[j].idx];
			if (t->filesz && t->paddr + t->filesz > dend) {
				b = ord[j].idx;
				break;
			}
			if (++seen == 64) {
				b = a;
				break;
			}
		}
		if (b == SIZE_MAX) {
			if (!nhole++) {
				first_hole = a;
				hole_at = dend;
				hole_len = page + ps - dend;
			}
			continue;
		}
		const struct gc_elf_segment *t = &e->segs[b];
		bool joined = b != a && t->paddr == dend &&
			      t->offset == s->offset + s->filesz &&
			      t->paddr + t->filesz >= page + ps;
		struct elf_split sp = { page >> d->page_shift, a, b, joined };
		if (!gc_vec_push(&e->split, &e->nsplit, &cap, &sp)) {
			err = &gc_error_nomem;
			break;
		}
		if (!joined && !nrefused++)
			err = gc_dump_finding(d, GC_SEV_WARNING, "segment-split-page",
				true, e->phoff + (uint64_t)s->phdr * e->phentsize,
				"PT_LOAD %u's data end at 0x%" PRIx64 " inside "
				"the page at 0x%" PRIx64 ", whose rest PT_LOAD "
				"%u holds at another file offset: that page "
				"is refused, not read with zeros", s->phdr,
				dend, page, t->phdr);
		if (err)
			break;
	}
	if (!err && nhole)
		err = gc_dump_finding(d, GC_SEV_NOTE, "segment-partial-page",
			true, e->phoff + (uint64_t)e->segs[first_hole].phdr *
			e->phentsize, "%zu PT_LOAD segment%s end%s inside a "
			"page no other segment continues; the rest of such a "
			"page is not in the dump and reads as zero (the "
			"first: PT_LOAD %u, 0x%" PRIx64 " bytes from 0x%"
			PRIx64 ")", nhole, nhole == 1 ? "" : "s",
			nhole == 1 ? "s" : "", e->segs[first_hole].phdr,
			hole_len, hole_at);
	if (!err && e->ram_overlaps > 1)
		err = gc_dump_finding(d, GC_SEV_WARNING, "segment-overlaps-ram",
			false, 0, "%zu PT_LOAD segments that are not kernel text "
			"overlap an earlier one; each shared address is read "
			"from the earlier header", e->ram_overlaps);
	if (!err && nrefused > 1)
		err = gc_dump_finding(d, GC_SEV_WARNING, "segment-split-pages",
			false, 0, "%zu pages span two PT_LOAD segments whose "
			"data are not adjacent in the file; each is refused",
			nrefused);
	if (!err && e->nsplit > 1)
		qsort(e->split, e->nsplit, sizeof(*e->split), by_frame);
	/* a segment starting inside a page: addressable when the page
	 * is one of the above (the previous segment reads it) */
	for (size_t i = 0; i < e->nsegs && !err; i++) {
		const struct gc_elf_segment *t = &e->segs[i];
		if (!(t->paddr & mask))
			continue;
		const struct elf_split *sp = split_of(e, t->paddr >> d->page_shift);
		if (!sp || sp->b != i)
			err = gc_dump_finding(d, GC_SEV_WARNING, "segment-unaligned",
				true, e->phoff + (uint64_t)t->phdr * e->phentsize,
				"PT_LOAD %u: p_paddr 0x%" PRIx64 " is not page "
				"aligned; the partial first page is not "
				"addressable", t->phdr, t->paddr);
	}
	free(ord);
	return err;
}

static uint64_t pages_in(uint64_t start, uint64_t end, unsigned shift)
{
	uint64_t ps = 1ull << shift;
	uint64_t a = (start >> shift) + ((start & (ps - 1)) != 0);
	uint64_t b = (end >> shift) + ((end & (ps - 1)) != 0);
	return b > a ? b - a : 0;
}

/* Part of map piece I that has file data: [*s, *e). */
static void piece_data(const struct elfv *e, size_t i, uint64_t *s,
		       uint64_t *en)
{
	const struct gc_range *r = &e->map[i];
	const struct gc_elf_segment *g = &e->segs[r->idx];
	*s = r->start;
	*en = GC_MIN(r->end, g->paddr + (e->zero_tails ? g->memsz : g->filesz));
	if (*en < *s)
		*en = *s;
}

static struct gc_error *add_fields(struct gc_dump *d, struct elfv *e)
{
	struct gc_error *err = gc_dump_add_field(d, "elf_class", true,
		(uint64_t)e->cls, "ELFCLASS%d, %s endian", e->cls,
		e->be ? "big" : "little");
	if (!err)
		err = gc_dump_add_field(d, "e_machine", true, e->machine,
			"%u%s", e->machine, e->machine == 62 ? " (x86_64)" :
			e->machine == 3 ? " (i386)" : "");
	if (!err)
		err = gc_dump_add_field(d, "e_phnum", true, e->phnum,
			"%" PRIu64 "%s", e->phnum, e->xnum ?
			" (PN_XNUM: real count from section header 0)" : "");
	if (!err)
		err = gc_dump_add_field(d, "pt_load", true, e->nsegs,
			"%zu segment%s%s", e->nsegs, e->nsegs == 1 ? "" : "s",
			e->overlaps ? " (overlapping; RAM segments win)" : "");
	for (size_t i = 0; i < e->nsegs && i < MAX_FIELD_SEGS && !err; i++) {
		const struct gc_elf_segment *s = &e->segs[i];
		err = gc_dump_add_field(d, "segment", true, s->paddr,
			"paddr 0x%" PRIx64 " vaddr 0x%" PRIx64 " filesz 0x%"
			PRIx64 " memsz 0x%" PRIx64 " offset 0x%" PRIx64 "%s",
			s->paddr, s->vaddr, s->filesz, s->memsz, s->offset,
			s->text ? " (kernel text)" : "");
	}
	if (!err && e->nsegs > MAX_FIELD_SEGS)
		err = gc_dump_add_field(d, "segment", false, 0,
					"... %zu more", e->nsegs - MAX_FIELD_SEGS);
	if (!err)
		err = gc_dump_add_field(d, "pt_note", true, e->nnotes_seg,
					"%zu", e->nnotes_seg);
	if (!err)
		err = gc_notes_add_fields(&e->notes, d);
	return err;
}

/*
 * A core file of an ordinary process (gdb gcore, the kernel's core dumps)
 * is ET_CORE with PT_LOADs too, but it is no machine dump: its segments are
 * one process's virtual memory and its NT_PRSTATUS notes are host threads.
 * Such cores carry NT_FILE and NT_AUXV and no VMCOREINFO; a vmcore never
 * has NT_FILE or NT_AUXV (/proc/kcore has NT_PRPSINFO, but also VMCOREINFO).
 */
#define NT_PRPSINFO 3
#define NT_AUXV 6
#define NT_FILE 0x46494c45
#define PRPSINFO64_SIZE 136   /* x86_64 struct elf_prpsinfo */

static struct gc_error *refuse_process_core(struct gc_dump *d,
					    const struct elfv *e)
{
	bool file = false, auxv = false;
	const struct gc_note *ps = NULL;
	for (size_t i = 0; i < e->notes.n; i++) {
		const struct gc_note *n = &e->notes.notes[i];
		if (strcmp(n->name, "CORE"))
			continue;
		file |= n->type == NT_FILE;
		auxv |= n->type == NT_AUXV;
		if (n->type == NT_PRPSINFO && !ps)
			ps = n;
	}
	if (e->notes.vmcoreinfo || !(file || auxv))
		return NULL;
	char name[17] = "", buf[64];
	uint32_t pid = 0;
	if (ps && ps->size == PRPSINFO64_SIZE) {
		pid = gc_get32(ps->desc + 24, e->be);
		gc_sanitize(name, ps->desc + 40, 16);
		snprintf(buf, sizeof(buf), "'%s'", name);
	} else {
		snprintf(buf, sizeof(buf), "?");
	}
	bool qemu = !strncmp(name, "qemu", 4);
	return gc_error_at(GC_ERR_FORMAT, ps ? ps->offset : 0, "ELF core file",
			   "this is a core file of the process %s (pid %u), not "
			   "a machine dump (it has %s%s%s and no VMCOREINFO)%s",
			   buf, pid, file ? "NT_FILE" : "",
			   file && auxv ? " and " : "", auxv ? "NT_AUXV" : "",
			   qemu ? "; for the guest inside a QEMU process use "
				  "`guestcore extract-qemu`" : "");
}

static struct gc_error *ev_open(struct gc_dump *d)
{
	struct elfv *e = calloc(1, sizeof(*e));
	if (!e)
		return &gc_error_nomem;
	d->priv = e;
	struct gc_error *err = read_header(d, e);
	if (!err)
		err = gc_dump_set_page_size(d, d->opts.page_size ?
						       d->opts.page_size : 4096,
					    0, "page size option");
	if (!err)
		err = read_phdrs(d, e);
	if (!err)
		err = refuse_process_core(d, e);
	if (err)
		return err;
	e->zero_tails = has_zero_tails(&e->notes);
	/* VMCOREINFO's PAGESIZE, when present, is the kernel's page size. */
	char ps[32];
	if (e->notes.vmcoreinfo && !d->opts.page_size &&
	    gc_vmcoreinfo_get(e->notes.vmcoreinfo, "PAGESIZE", ps, sizeof(ps))) {
		uint64_t v = strtoull(ps, NULL, 10);
		if (v != d->page_size) {
			err = gc_dump_set_page_size(d, v,
						    e->notes.vmcoreinfo_offset,
						    "VMCOREINFO PAGESIZE");
			if (err)
				return err;
		}
	}
	err = build_map(d, e);
	if (!err)
		err = split_pages(d, e);
	if (err)
		return err;
	if (e->overlaps && !e->ram_overlaps)
		err = gc_dump_finding(d, GC_SEV_NOTE, "segment-overlap", false, 0,
			      "%zu PT_LOAD segment%s overlap%s another in "
			      "physical addresses (kdump's kernel-text alias "
			      "of RAM); reads use the RAM segment",
			      e->overlaps, e->overlaps == 1 ? "" : "s",
			      e->overlaps == 1 ? "s" : "");
	if (err)
		return err;
	d->nr_frames = 0;
	for (size_t i = 0; i < e->nmap; i++) {
		uint64_t s, en;
		piece_data(e, i, &s, &en);
		d->nr_frames += pages_in(s, en, d->page_shift);
	}
	d->nr_vcpus = (unsigned)e->notes.ncpus;
	err = add_fields(d, e);
	if (!err)
		gc_notes_publish(&e->notes, d);
	return err;
}

static void ev_close(struct gc_dump *d)
{
	struct elfv *e = EV(d);
	if (!e)
		return;
	gc_notes_free(&e->notes);
	free(e->segs);
	free(e->map);
	free(e->split);
	free(e);
	d->priv = NULL;
}

static struct gc_error *ev_locate(struct gc_dump *d, enum gc_space space,
				  uint64_t frame, struct gc_page_loc *loc)
{
	(void)space;
	struct elfv *e = EV(d);
	memset(loc, 0, sizeof(*loc));
	loc->state = GC_PAGE_ABSENT;
	if (frame > (UINT64_MAX >> d->page_shift))
		return NULL;
	uint64_t addr = frame << d->page_shift;
	size_t i = gc_range_find(e->map, e->nmap, addr);
	if (i == SIZE_MAX)
		return NULL;
	const struct gc_elf_segment *s = &e->segs[e->map[i].idx];
	uint64_t rel = addr - s->paddr;
	if (rel >= s->filesz) {
		/* p_memsz tail: zeroes in our own --exclude zero output */
		loc->state = e->zero_tails ? GC_PAGE_ZERO : GC_PAGE_EXCLUDED;
		return NULL;
	}
	uint64_t avail = GC_MIN(s->filesz - rel, (uint64_t)d->page_size);
	const struct elf_split *sp = avail < d->page_size ? split_of(e, frame) : NULL;
	if (sp && sp->joined) {
		avail = d->page_size;   /* the next segment's data follow */
	} else if (sp) {
		const struct gc_elf_segment *t = &e->segs[sp->b];
		if (sp->b == sp->a)
			return gc_error_at(GC_ERR_FORMAT, s->offset + rel,
					   "PT_LOAD data", "the page at physical "
					   "address 0x%" PRIx64 " is split among "
					   "many PT_LOAD segments", addr);
		return gc_error_at(GC_ERR_FORMAT, s->offset + rel, "PT_LOAD data",
				   "the page at physical address 0x%" PRIx64
				   " is split: its first 0x%" PRIx64 " bytes "
				   "are PT_LOAD %u's, the rest PT_LOAD %u's at "
				   "another file offset (0x%" PRIx64 ")", addr,
				   avail, s->phdr, t->phdr, t->offset);
	}
	loc->offset = s->offset + rel;
	loc->size = (uint32_t)avail;
	loc->codec = avail < d->page_size ? GC_CODEC_SHORT : GC_CODEC_RAW;
	loc->state = gc_range_ok(loc->offset, avail, gc_stream_size(d->stream)) ?
			     GC_PAGE_PRESENT : GC_PAGE_TRUNCATED;
	return NULL;
}

static struct gc_error *ev_frame_runs(struct gc_dump *d, enum gc_space space,
				      struct gc_frame_run **runs, size_t *nr)
{
	(void)space;
	struct elfv *e = EV(d);
	struct gc_frame_run *r = malloc((e->nmap ? e->nmap : 1) * sizeof(*r));
	if (!r)
		return &gc_error_nomem;
	size_t k = 0;
	uint64_t ps = d->page_size;
	for (size_t i = 0; i < e->nmap; i++) {
		uint64_t s, en;
		piece_data(e, i, &s, &en);
		uint64_t n = pages_in(s, en, d->page_shift);
		if (!n)
			continue;
		uint64_t first = (s + ps - 1) >> d->page_shift;
		if (k && r[k - 1].start + r[k - 1].count == first)
			r[k - 1].count += n;
		else
			r[k++] = (struct gc_frame_run){ first, n };
	}
	*runs = r;
	*nr = k;
	return NULL;
}

static struct gc_error *ev_cpu_state(struct gc_dump *d, unsigned int i,
				     struct gc_cpu_state *out)
{
	gc_notes_cpu_state(&EV(d)->notes, i, out);
	return NULL;
}

static struct gc_error *ev_vmcoreinfo(struct gc_dump *d, const char **text,
				      size_t *len, uint64_t *offset)
{
	struct elfv *e = EV(d);
	if (!e->notes.vmcoreinfo)
		return gc_error_new(GC_ERR_NOT_PRESENT, "VMCOREINFO",
				    "the ELF notes hold no VMCOREINFO note "
				    "(QEMU adds it only with -device "
				    "vmcoreinfo)");
	*text = e->notes.vmcoreinfo;
	*len = e->notes.vmcoreinfo_len;
	if (offset)
		*offset = e->notes.vmcoreinfo_offset;
	return NULL;
}

static struct gc_error *ev_check(struct gc_dump *d, unsigned int flags,
				 struct gc_report *r)
{
	struct elfv *e = EV(d);
	struct gc_error *err = gc_report_add(r, GC_SEV_OK, "segments", false,
		0, "%zu PT_LOAD segment%s map %" PRIu64 " pages in %zu "
		"physical range%s", e->nsegs, e->nsegs == 1 ? "" : "s",
		d->nr_frames, e->nmap, e->nmap == 1 ? "" : "s");
	if (!err && !e->overlaps)
		err = gc_report_add(r, GC_SEV_OK, "segment-overlap", false, 0,
				    "no PT_LOAD segments overlap");
	if (!err)
		err = gc_report_add(r, e->notes.ncpus ? GC_SEV_OK : GC_SEV_NOTE,
			"notes", false, 0, "%zu notes: %zu NT_PRSTATUS, %zu "
			"QEMU CPU state, %zu VMCOREINFO, %zu Xen crash",
			d->nr_notes, e->notes.nprstatus, e->notes.nqemu,
			e->notes.nvmcoreinfo, e->notes.nxen);
	if (!err && e->notes.nprstatus && e->notes.nqemu &&
	    e->notes.nprstatus != e->notes.nqemu)
		err = gc_report_add(r, GC_SEV_WARNING, "cpu-notes", false, 0,
			"%zu NT_PRSTATUS notes but %zu QEMU CPU state notes; "
			"QEMU writes one of each per vCPU", e->notes.nprstatus,
			e->notes.nqemu);
	if (err || !(flags & GC_CHECK_DEEP))
		return err;
	uint64_t bad = 0, first = 0, n = 0;
	for (size_t i = 0; i < e->nmap && !err; i++) {
		uint64_t s, en;
		piece_data(e, i, &s, &en);
		uint64_t cnt = pages_in(s, en, d->page_shift);
		uint64_t f0 = (s + d->page_size - 1) >> d->page_shift;
		for (uint64_t f = f0; f < f0 + cnt; f++, n++) {
			struct gc_page_loc loc;
			/* a page split between segments is refused there */
			struct gc_error *e1 = ev_locate(d, GC_SPACE_PHYS, f, &loc);
			if (e1 || loc.state != GC_PAGE_PRESENT) {
				gc_error_free(e1);
				if (!bad++)
					first = f;
				continue;
			}
			struct gc_error *e2 = gc_decode_page(d, &loc, f,
				GC_SPACE_PHYS, d->scratch);
			if (e2) {
				gc_error_free(e2);
				if (!bad++)
					first = f;
			}
		}
	}
	if (bad)
		return gc_report_add(r, GC_SEV_ERROR, "pages-unreadable",
			false, 0, "%" PRIu64 " of %" PRIu64 " pages cannot be "
			"read; the first is pfn 0x%" PRIx64, bad, n, first);
	return gc_report_add(r, GC_SEV_OK, "pages", false, 0,
			     "all %" PRIu64 " pages read back", n);
}

const struct gc_format_ops gc_elf_vmcore_ops = {
	.format = GC_FORMAT_ELF_VMCORE,
	.open = ev_open,
	.close = ev_close,
	.locate = ev_locate,
	.frame_runs = ev_frame_runs,
	.cpu_state = ev_cpu_state,
	.vmcoreinfo = ev_vmcoreinfo,
	.check = ev_check,
};
