/*
 * ELF vmcore writer, laid out like the kernel's /proc/vmcore: the ELF
 * header, the program headers (PN_XNUM + section header 0 when there are
 * 65535 or more), one PT_NOTE, then the kernel text mapping when it is
 * known (a PT_LOAD per RAM segment the image overlaps, pointing at that
 * segment's file bytes) and one PT_LOAD per contiguous run of
 * guest-physical frames.
 *
 * The page data are written first, from a data offset past a program
 * header table sized for the most segments the options can make; the
 * headers and notes are written last (a flattened stream takes that
 * order as it comes).  Segments split where:
 *  - --exclude zero (as makedumpfile -E -d 1): a run of ELF_ZERO_RUN or
 *    more zero pages ends the segment's file data; they are its p_memsz
 *    tail (p_filesz < p_memsz, read as zeroes by crash, drgn, gdb and,
 *    as the provenance note says so, guestcore) and the next non-zero
 *    page starts a new segment.  Shorter zero runs are stored.  Zero
 *    pages at the end of a run are always a tail.
 *  - --missing skip: an undecodable page is a hole between segments.
 *  - frames the source cannot give (excluded or absent there): runs of
 *    ELF_ZERO_RUN or more, and runs at a segment's start or end, are
 *    holes; shorter runs between stored pages are zero pages, counted
 *    (as makedumpfile -E writes the pages it filters).
 * The program header table has room for one segment per run plus one
 * per ELF_ZERO_RUN frames (and the text mapping's share of them).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "util/vec.h"
#include "writers/writer_internal.h"

enum {
	EHDR_SIZE = 64, PHDR_SIZE = 56, SHDR_SIZE = 64,
	PT_LOAD = 1, PT_NOTE = 4, PN_XNUM = 0xffff,
	PF_X = 1, PF_W = 2, PF_R = 4,
	/* makedumpfile's PFN_EXCLUDED: shorter zero runs are stored */
	ELF_ZERO_RUN = 256,
	/* holes (--missing skip) the program header table has room for */
	ELF_SKIP_SEGS = 4096,
};

static void put_phdr(uint8_t *p, uint32_t type, uint32_t flags, uint64_t off,
		     uint64_t vaddr, uint64_t paddr, uint64_t filesz,
		     uint64_t memsz, uint64_t align)
{
	gc_put32(p, type, false);
	gc_put32(p + 4, flags, false);
	gc_put64(p + 8, off, false);
	gc_put64(p + 16, vaddr, false);
	gc_put64(p + 24, paddr, false);
	gc_put64(p + 32, filesz, false);
	gc_put64(p + 40, memsz, false);
	gc_put64(p + 48, align, false);
}

/* One output PT_LOAD in frames: START, FILE frames stored at OFF, MEM
 * frames in all (MEM - FILE zero frames of tail). */
struct eseg {
	uint64_t start, file, mem, off;
};

struct esegs {
	struct eseg *v;
	size_t n, cap, max;
	bool open;
	struct eseg cur;
	uint64_t zeros;       /* pending zero frames after cur's data */
	uint64_t gone;        /* pending frames the source cannot give
			       * (excluded or absent there) after it */
};

static struct gc_error *seg_close(struct esegs *s, struct gc_convert_stats *st)
{
	if (!s->open)
		return NULL;
	s->open = false;
	s->cur.mem = s->cur.file + s->zeros;
	st->pages_excluded += s->zeros;
	s->zeros = 0;
	s->gone = 0;          /* left out: a hole after the segment */
	if (!s->cur.mem)
		return NULL;
	if (s->n >= s->max)
		return gc_error_new(GC_ERR_UNSUPPORTED, "ELF output",
				    "more than %zu PT_LOAD segments (holes "
				    "for %d or more undecodable page runs); "
				    "use --format kdump or --missing zero",
				    s->max, ELF_SKIP_SEGS);
	return gc_vec_push(&s->v, &s->n, &s->cap, &s->cur) ? NULL :
							      &gc_error_nomem;
}

static void seg_open(struct esegs *s, uint64_t pfn, uint64_t off)
{
	s->open = true;
	s->cur = (struct eseg){ .start = pfn, .off = off };
	s->zeros = 0;
	s->gone = 0;
}

static struct gc_error *write_zero_pages(struct gc_wfile *w, uint64_t n,
					 uint64_t ps)
{
	static const uint8_t zero[65536];
	uint64_t bytes = n * ps;
	while (bytes) {
		size_t k = (size_t)GC_MIN(bytes, sizeof(zero));
		struct gc_error *err = gc_wfile_write(w, zero, k);
		if (err)
			return err;
		bytes -= k;
	}
	return NULL;
}

/* Store the pending zero frames (a run too short to leave out) or end
 * the segment with them as its tail and open one at PFN. */
static struct gc_error *seg_flush_zeros(struct esegs *s, struct gc_wfile *w,
					uint64_t pfn, uint64_t ps,
					struct gc_convert_stats *st)
{
	if (!s->zeros)
		return NULL;
	if (s->zeros >= ELF_ZERO_RUN) {
		struct gc_error *err = seg_close(s, st);
		if (!err)
			seg_open(s, pfn, gc_wfile_tell(w));
		return err;
	}
	uint64_t n = s->zeros;
	s->cur.file += n;
	st->pages_written += n;
	s->zeros = 0;
	return write_zero_pages(w, n, ps);
}

/* Frames the source cannot give (excluded or absent there) before the
 * frame PFN that it can: at a segment's start, or in a run of 256 or
 * more, they are left out (the segment starts at PFN, or ends before
 * them and the next opens at PFN: readers find no PT_LOAD there); a
 * shorter run between stored pages is stored as zero pages, as
 * makedumpfile -E does, and counted (pages_missing_zeroed; the
 * provenance note says so).  At a segment's end seg_close leaves them
 * out. */
static struct gc_error *seg_flush_gone(struct esegs *s, struct gc_wfile *w,
				       uint64_t pfn, uint64_t ps,
				       struct gc_convert_stats *st)
{
	if (!s->gone)
		return NULL;
	if (!s->cur.file && !s->zeros) {
		/* at the segment's start: it starts at PFN instead */
		seg_open(s, pfn, s->cur.off);
		return NULL;
	}
	if (s->gone >= ELF_ZERO_RUN) {
		struct gc_error *err = seg_close(s, st);
		if (!err)
			seg_open(s, pfn, gc_wfile_tell(w));
		return err;
	}
	uint64_t n = s->gone;
	s->cur.file += n;
	st->pages_missing_zeroed += n;
	s->gone = 0;
	return write_zero_pages(w, n, ps);
}

/* The headers: ELF header, [section header 0], program headers, notes. */
static struct gc_error *write_headers(const struct gc_wsource *src,
				      struct gc_wfile *w,
				      const struct esegs *sg, uint64_t phmax,
				      struct gc_convert_stats *st)
{
	const struct gc_convert_kernel *k = src->kernel;
	uint64_t ps = src->page_size;
	unsigned int shift = (unsigned int)__builtin_ctzll(ps);
	bool xres = phmax >= PN_XNUM;

	/* The kernel text mapping: one PT_LOAD per RAM segment the kernel
	 * image overlaps (segments end where runs of frames are left out),
	 * each pointing at that segment's file bytes, as makedumpfile -E
	 * writes them.  drgn reads the kernel's page tables through these
	 * (a mapping that stops short of swapper_pg_dir makes it fail with
	 * "recursive address translation").  At most the PHMAX slots left
	 * after the RAM segments. */
	size_t ntext = 0;
	uint64_t text_lo = 0, text_hi = 0;
	if (k && k->has_text && k->text_size) {
		text_lo = k->text_paddr;
		text_hi = k->text_paddr + k->text_size;
		if (text_hi < text_lo)
			text_hi = UINT64_MAX;
		for (size_t i = 0; i < sg->n; i++) {
			uint64_t start = sg->v[i].start << shift;
			uint64_t mend = start + (sg->v[i].mem << shift);
			if (start < text_hi && mend > text_lo &&
			    1 + sg->n + ntext < phmax)
				ntext++;
		}
	}
	uint64_t nr_load = sg->n + ntext;
	uint64_t phnum = 1 + nr_load;
	bool xnum = phnum >= PN_XNUM;
	uint64_t phoff = EHDR_SIZE;
	uint64_t shoff = phoff + phmax * PHDR_SIZE;
	uint64_t notes_off = shoff + (xres ? SHDR_SIZE : 0);
	size_t hdr_len = (size_t)(notes_off + src->notes_len);
	uint8_t *hdr = calloc(1, hdr_len);
	if (!hdr)
		return &gc_error_nomem;

	static const uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	memcpy(hdr, ident, 16);
	gc_put16(hdr + 16, 4, false);          /* ET_CORE */
	gc_put16(hdr + 18, (src->arch ? src->arch : &gc_arch_x86_64)->e_machine,
		 false);                       /* EM_X86_64, ... */
	gc_put32(hdr + 20, 1, false);          /* EV_CURRENT */
	gc_put64(hdr + 32, phoff, false);
	gc_put64(hdr + 40, xnum ? shoff : 0, false);
	gc_put16(hdr + 52, EHDR_SIZE, false);
	gc_put16(hdr + 54, PHDR_SIZE, false);
	gc_put16(hdr + 56, xnum ? PN_XNUM : (uint16_t)phnum, false);
	gc_put16(hdr + 58, xnum ? SHDR_SIZE : 0, false);
	gc_put16(hdr + 60, xnum ? 1 : 0, false);
	if (xnum)       /* section header 0: sh_info = real phnum */
		gc_put32(hdr + shoff + 44, (uint32_t)phnum, false);

	uint8_t *ph = hdr + phoff;
	put_phdr(ph, PT_NOTE, 0, notes_off, 0, 0, src->notes_len,
		 src->notes_len, 0);
	ph += PHDR_SIZE;
	for (size_t i = 0, t = 0; t < ntext && i < sg->n; i++) {
		uint64_t start = sg->v[i].start << shift;
		uint64_t fend = start + (sg->v[i].file << shift);
		uint64_t mend = start + (sg->v[i].mem << shift);
		if (start >= text_hi || mend <= text_lo)
			continue;
		uint64_t lo = GC_MAX(start, text_lo);
		uint64_t hi = GC_MIN(mend, text_hi);
		uint64_t file = fend > lo ? GC_MIN(fend, hi) - lo : 0;
		put_phdr(ph, PT_LOAD, PF_R | PF_W | PF_X,
			 sg->v[i].off + (lo - start),
			 k->text_vaddr + (lo - text_lo), lo, file, hi - lo, 0);
		ph += PHDR_SIZE;
		t++;
	}
	for (size_t i = 0; i < sg->n; i++) {
		uint64_t paddr = sg->v[i].start << shift;
		uint64_t vaddr = (k && k->has_page_offset) ?
					 k->page_offset + paddr : 0;
		put_phdr(ph, PT_LOAD, PF_R | PF_W | PF_X, sg->v[i].off, vaddr,
			 paddr, sg->v[i].file << shift, sg->v[i].mem << shift,
			 0);
		ph += PHDR_SIZE;
	}
	st->segments = nr_load;
	gc_wnotes_count(src, src->notes_patch, st->pages_undecodable);
	gc_wnotes_count(src, src->notes_patch_zeroed, st->pages_missing_zeroed);
	memcpy(hdr + notes_off, src->notes, src->notes_len);
	struct gc_error *err = gc_wfile_pwrite(w, hdr, hdr_len, 0);
	free(hdr);
	return err;
}

struct gc_error *gc_write_elf(const struct gc_wsource *src, int fd,
			      const char *tmp_path,
			      const struct gc_convert_opts *opts,
			      struct gc_convert_stats *st)
{
	uint64_t ps = src->page_size;
	const struct gc_convert_kernel *k = src->kernel;
	bool ex = opts->exclude_zero;
	bool skip = opts->missing == GC_MISSING_SKIP;

	/* Room for every segment the options can make. */
	uint64_t pages = 0;
	for (size_t i = 0; i < src->nr_runs; i++)
		pages += src->runs[i].count;
	/* Every segment past one per run ends at a run of 256 or more
	 * frames left out (zero pages under --exclude zero, frames the
	 * source cannot give): at most pages / 256 of them. */
	struct esegs sg = { .max = src->nr_runs + pages / ELF_ZERO_RUN + 1 };
	if (skip)
		sg.max += ELF_SKIP_SEGS;
	/* the kernel text mapping: one per RAM segment the image overlaps,
	 * at most one per run plus one per 256 frames of the image */
	uint64_t text_slots = (k && k->has_text && k->text_size) ?
		src->nr_runs + k->text_size / ps / ELF_ZERO_RUN + 2 : 0;
	/* it only maps RAM segments: never more than there are */
	text_slots = GC_MIN(text_slots, sg.max + 2);
	uint64_t phmax = 1 + text_slots + sg.max;
	uint64_t notes_off = EHDR_SIZE + phmax * PHDR_SIZE +
			     (phmax >= PN_XNUM ? SHDR_SIZE : 0);
	uint64_t data_off = (notes_off + src->notes_len + ps - 1) & ~(ps - 1);

	struct gc_wfile w;
	struct gc_error *err = gc_wfile_init(&w, fd, tmp_path, data_off,
					     opts->flatten);
	bool w_ok = !err;
	uint8_t *batch = NULL;
	enum { GATHER = 4096 };
	uint64_t *offs = NULL;
	if (!err && !(batch = malloc(ps)))
		err = &gc_error_nomem;
	if (!err && src->raw_gather && !ex &&
	    !(offs = malloc(GATHER * sizeof(*offs))))
		err = &gc_error_nomem;
	uint64_t done = 0;
	for (size_t i = 0; i < src->nr_runs && !err; i++) {
		for (uint64_t f = 0; f < src->runs[i].count && !err; f++) {
			enum gc_page_state state;
			uint64_t pfn = src->runs[i].start + f;
			int in_fd;
			const char *in_path;
			uint64_t in_off, span = (src->raw_span && !ex) ?
				src->raw_span(src->arg, pfn,
					      src->runs[i].count - f, &in_fd,
					      &in_path, &in_off) : 0;
			if (span <= 1 && offs) {
				/* pages stored whole but not back to back */
				uint64_t g = src->raw_gather(
					src->arg, pfn,
					GC_MIN(src->runs[i].count - f,
					       (uint64_t)GATHER), &in_fd,
					&in_path, offs);
				if (g) {
					err = seg_flush_gone(&sg, &w, pfn, ps,
							     st);
					if (err)
						break;
					if (!sg.open)
						seg_open(&sg, pfn,
							 gc_wfile_tell(&w));
					err = gc_wfile_gather(&w, in_fd,
							      in_path, offs,
							      (size_t)g, ps);
					if (err)
						break;
					sg.cur.file += g;
					st->pages_written += g;
					uint64_t before = done;
					done += g;
					f += g - 1;
					if (opts->progress &&
					    done / 4096 != before / 4096)
						opts->progress(
							opts->progress_arg,
							done, st->pages_total);
					continue;
				}
			}
			if (span) {
				err = seg_flush_gone(&sg, &w, pfn, ps, st);
				if (err)
					break;
				if (!sg.open)
					seg_open(&sg, pfn, gc_wfile_tell(&w));
				err = gc_wfile_copy(&w, in_fd, in_path, in_off,
						    span * ps);
				if (err)
					break;
				sg.cur.file += span;
				st->pages_written += span;
				uint64_t before = done;
				done += span;
				f += span - 1;
				if (opts->progress && done / 4096 != before / 4096)
					opts->progress(opts->progress_arg, done,
						       st->pages_total);
				continue;
			}
			err = src->read(src->arg, pfn, batch, &state);
			if (err)
				break;
			if (++done % 4096 == 0 && opts->progress)
				opts->progress(opts->progress_arg, done,
					       st->pages_total);
			if (state == GC_PAGE_TRUNCATED) {
				/* undecodable, --missing skip: a hole */
				err = seg_close(&sg, st);
				continue;
			}
			if (!sg.open)
				seg_open(&sg, pfn, gc_wfile_tell(&w));
			bool data = state == GC_PAGE_PRESENT ||
				    state == GC_PAGE_ZERO;
			if (!data) {
				/* excluded or absent in the source: not
				 * written as if it were data */
				st->pages_missing++;
				err = seg_flush_zeros(&sg, &w, pfn, ps, st);
				sg.gone++;
				continue;
			}
			err = seg_flush_gone(&sg, &w, pfn, ps, st);
			if (err)
				break;
			if (ex && gc_page_is_zero(batch, ps)) {
				sg.zeros++;
				continue;
			}
			err = seg_flush_zeros(&sg, &w, pfn, ps, st);
			if (err)
				break;
			st->pages_written++;
			sg.cur.file++;
			err = gc_wfile_write(&w, batch, ps);
		}
		if (!err)
			err = seg_close(&sg, st);
	}
	if (!err)
		err = gc_wfile_flush(&w);
	uint64_t end = w_ok ? gc_wfile_tell(&w) : 0;
	if (!err)
		err = write_headers(src, &w, &sg, phmax, st);
	if (!err && end < data_off) {
		/* no page data: still cover the header area */
		uint8_t z = 0;
		err = gc_wfile_pwrite(&w, &z, 1, data_off - 1);
		end = data_off;
	}
	if (!err && opts->progress)
		opts->progress(opts->progress_arg, done, st->pages_total);
	if (!err && w_ok)
		err = gc_wfile_end(&w);
	st->out_bytes = (w_ok && w.flat) ? w.flat_bytes : end;
	if (w_ok)
		gc_wfile_free(&w);
	free(sg.v);
	free(offs);
	free(batch);
	return err;
}

/* ---- one-pass convert: the pages are already in place -------------------- */

/*
 * The notes are built after the pages (they need the kernel layer), but
 * crash reads the notes only within the headers before the first
 * PT_LOAD's data ("Elf64_Nhdr pointer ... ELF header end ... do not
 * match" otherwise): room for them is kept there, a hole in the sparse
 * output.  2 vCPUs and VMCOREINFO take about 5 KiB; notes larger than
 * the room make the caller fall back to gc_convert.
 */
enum { PRELAID_NOTE_ROOM = 1 << 20 };

static uint64_t prelaid_phmax(size_t nr_runs)
{
	/* PT_NOTE; the kernel text mapping, one per run it overlaps; one
	 * per run */
	return 1 + nr_runs + nr_runs;
}

static uint64_t prelaid_notes_off(size_t nr_runs)
{
	uint64_t phmax = prelaid_phmax(nr_runs);
	return EHDR_SIZE + phmax * PHDR_SIZE + (phmax >= PN_XNUM ? SHDR_SIZE : 0);
}

uint64_t gc_elf_prelaid_data_off(size_t nr_runs, uint32_t page_size)
{
	uint64_t end = prelaid_notes_off(nr_runs) + PRELAID_NOTE_ROOM;
	return (end + page_size - 1) & ~((uint64_t)page_size - 1);
}

struct gc_error *gc_write_elf_prelaid(const struct gc_wsource *src, int fd,
				      const char *tmp_path,
				      struct gc_convert_stats *st)
{
	uint64_t ps = src->page_size;
	uint64_t off = gc_elf_prelaid_data_off(src->nr_runs, src->page_size);
	if (prelaid_notes_off(src->nr_runs) + src->notes_len > off)
		return gc_error_new(GC_ERR_UNSUPPORTED, "ELF notes",
				    "%zu bytes of notes do not fit the %u "
				    "bytes kept for them", src->notes_len,
				    (unsigned)PRELAID_NOTE_ROOM);
	struct esegs sg = { .max = src->nr_runs };
	struct gc_wfile w;
	struct gc_error *err = gc_wfile_init(&w, fd, tmp_path, off, false);
	if (err)
		return err;
	for (size_t i = 0; i < src->nr_runs && !err; i++) {
		seg_open(&sg, src->runs[i].start, off);
		sg.cur.file = src->runs[i].count;
		st->pages_written += src->runs[i].count;
		off += src->runs[i].count * ps;
		err = seg_close(&sg, st);
	}
	if (!err)
		err = write_headers(src, &w, &sg, prelaid_phmax(src->nr_runs),
				    st);
	st->out_bytes = off;
	gc_wfile_free(&w);
	free(sg.v);
	return err;
}
