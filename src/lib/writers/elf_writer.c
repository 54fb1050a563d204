// SPDX-License-Identifier: MIT
/*
 * ELF vmcore writer, laid out like the kernel's /proc/vmcore: the ELF
 * header, the program headers (PN_XNUM + section header 0 when there are
 * 65535 or more), one PT_NOTE, then a PT_LOAD for the kernel text mapping
 * when it is known and one PT_LOAD per contiguous run of guest-physical
 * frames.  The text segment points at the same file bytes as the RAM run
 * that contains it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "writers/writer_internal.h"

enum {
	EHDR_SIZE = 64, PHDR_SIZE = 56, SHDR_SIZE = 64,
	PT_LOAD = 1, PT_NOTE = 4, PN_XNUM = 0xffff,
	PF_X = 1, PF_W = 2, PF_R = 4,
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

struct gc_error *gc_write_elf(const struct gc_wsource *src, int fd,
			      const char *tmp_path,
			      const struct gc_convert_opts *opts,
			      struct gc_convert_stats *st)
{
	const struct gc_convert_kernel *k = src->kernel;
	uint64_t ps = src->page_size;
	unsigned int shift = (unsigned int)__builtin_ctzll(ps);

	/* Which run holds the kernel text? */
	size_t text_run = SIZE_MAX;
	uint64_t text_size = 0;
	if (k && k->has_text && k->text_size) {
		for (size_t i = 0; i < src->nr_runs; i++) {
			uint64_t start = src->runs[i].start << shift;
			uint64_t end = (src->runs[i].start +
					src->runs[i].count) << shift;
			if (k->text_paddr >= start && k->text_paddr < end) {
				/* The mapping is linear: clip it to the run. */
				text_size = GC_MIN(k->text_size,
						   end - k->text_paddr);
				text_run = i;
				break;
			}
		}
	}
	uint64_t nr_load = src->nr_runs + (text_run != SIZE_MAX);
	uint64_t phnum = 1 + nr_load;
	bool xnum = phnum >= PN_XNUM;

	uint64_t phoff = EHDR_SIZE;
	uint64_t shoff = phoff + phnum * PHDR_SIZE;
	uint64_t notes_off = shoff + (xnum ? SHDR_SIZE : 0);
	uint64_t data_off = (notes_off + src->notes_len + ps - 1) & ~(ps - 1);

	size_t hdr_len = (size_t)notes_off;
	uint8_t *hdr = calloc(1, hdr_len);
	if (!hdr)
		return &gc_error_nomem;

	/* ELF header */
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

	/* Program headers */
	uint8_t *ph = hdr + phoff;
	put_phdr(ph, PT_NOTE, 0, notes_off, 0, 0, src->notes_len,
		 src->notes_len, 0);
	ph += PHDR_SIZE;
	uint64_t off = data_off;
	uint64_t text_file_off = 0;
	uint64_t *run_off = malloc((src->nr_runs ? src->nr_runs : 1) *
				   sizeof(*run_off));
	if (!run_off) {
		free(hdr);
		return &gc_error_nomem;
	}
	for (size_t i = 0; i < src->nr_runs; i++) {
		run_off[i] = off;
		off += src->runs[i].count << shift;
	}
	if (text_run != SIZE_MAX) {
		text_file_off = run_off[text_run] + k->text_paddr -
				(src->runs[text_run].start << shift);
		put_phdr(ph, PT_LOAD, PF_R | PF_W | PF_X, text_file_off,
			 k->text_vaddr, k->text_paddr, text_size, text_size,
			 0);
		ph += PHDR_SIZE;
	}
	for (size_t i = 0; i < src->nr_runs; i++) {
		uint64_t paddr = src->runs[i].start << shift;
		uint64_t len = src->runs[i].count << shift;
		uint64_t vaddr = (k && k->has_page_offset) ?
					 k->page_offset + paddr : 0;
		put_phdr(ph, PT_LOAD, PF_R | PF_W | PF_X, run_off[i], vaddr,
			 paddr, len, len, 0);
		ph += PHDR_SIZE;
	}
	free(run_off);
	st->segments = nr_load;

	struct gc_wfile w;
	struct gc_error *err = gc_wfile_init(&w, fd, tmp_path, 0);
	uint8_t *batch = NULL;
	if (!err)
		err = gc_wfile_write(&w, hdr, hdr_len);
	free(hdr);
	if (!err)
		err = gc_wfile_write(&w, src->notes, src->notes_len);
	if (!err) {
		static const uint8_t zero[65536];
		uint64_t pad = data_off - gc_wfile_tell(&w);
		while (!err && pad) {
			size_t n = (size_t)GC_MIN(pad, sizeof(zero));
			err = gc_wfile_write(&w, zero, n);
			pad -= n;
		}
	}
	if (!err && !(batch = malloc(ps)))
		err = &gc_error_nomem;
	uint64_t done = 0;
	for (size_t i = 0; i < src->nr_runs && !err; i++) {
		for (uint64_t f = 0; f < src->runs[i].count && !err; f++) {
			enum gc_page_state state;
			uint64_t pfn = src->runs[i].start + f;
			int in_fd;
			const char *in_path;
			uint64_t in_off, span = src->raw_span ?
				src->raw_span(src->arg, pfn,
					      src->runs[i].count - f, &in_fd,
					      &in_path, &in_off) : 0;
			if (span) {
				err = gc_wfile_copy(&w, in_fd, in_path, in_off,
						    span * ps);
				if (err)
					break;
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
			if (state == GC_PAGE_PRESENT || state == GC_PAGE_ZERO)
				st->pages_written++;
			else
				st->pages_missing++;
			err = gc_wfile_write(&w, batch, ps);
			if (++done % 4096 == 0 && opts->progress)
				opts->progress(opts->progress_arg, done,
					       st->pages_total);
		}
	}
	if (!err)
		err = gc_wfile_flush(&w);
	if (!err && opts->progress)
		opts->progress(opts->progress_arg, done, st->pages_total);
	st->out_bytes = gc_wfile_tell(&w);
	gc_wfile_free(&w);
	free(batch);
	return err;
}
