// SPDX-License-Identifier: MIT
/*
 * kdump-compressed writer ("KDUMP   ", header_version 6, x86_64 layout):
 *   block 0                disk_dump_header
 *   blocks 1..sub_hdr_size kdump_sub_header, VMCOREINFO text, ELF notes
 *   bitmap_blocks          bitmap 1 (frame exists) then bitmap 2 (dumped)
 *   page descriptors       one per bitmap-2 bit, pfn order (24 bytes)
 *   page data
 * The descriptor area is sized for every candidate page (readers index
 * descriptors by popcount and data by absolute offset, so an unused tail
 * is harmless).  With --exclude zero, as makedumpfile -d 1 does, the
 * first data page is one page of zeroes and every zero page is marked
 * dumped with a descriptor pointing at it: zero pages stay readable.
 * Undecodable source pages left out (--missing skip) are excluded: bit
 * set in bitmap 1, clear in bitmap 2.
 * Pages are compressed by a small thread pool, a batch at a time, and
 * written in pfn order.  Page data are written first, the descriptors a
 * batch at a time, the headers, notes and bitmaps last: with
 * opts->flatten that order goes to a stream that never seeks.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "writers/writer_internal.h"

enum { DH_SIZE = 464, SUB_SIZE = 104, DESC_SIZE = 24 };

static void put_str(uint8_t *dst, size_t cap, const char *s)
{
	if (!s)
		return;
	size_t n = strlen(s);
	memcpy(dst, s, GC_MIN(n, cap - 1));
}

struct gc_error *gc_write_kdump(const struct gc_wsource *src, int fd,
				const char *tmp_path,
				const struct gc_convert_opts *opts,
				struct gc_convert_stats *st)
{
	uint64_t ps = src->page_size;
	const struct gc_convert_kernel *k = src->kernel;
	uint64_t max_mapnr = 0, candidates = 0;
	for (size_t i = 0; i < src->nr_runs; i++) {
		max_mapnr = src->runs[i].start + src->runs[i].count;
		candidates += src->runs[i].count;
	}
	uint64_t bitmap_len = ((max_mapnr + 7) / 8 + ps - 1) / ps * ps;
	if (!bitmap_len)
		bitmap_len = ps;
	uint64_t bitmap_blocks = 2 * bitmap_len / ps;

	uint64_t vmci_off = ps + SUB_SIZE;
	uint64_t note_off = (vmci_off + src->vmcoreinfo_len + 7) & ~7ull;
	uint64_t erase_off = (note_off + src->notes_len + 7) & ~7ull;
	uint64_t sub_end = erase_off + src->eraseinfo_len;
	uint64_t sub_hdr_size = (sub_end - ps + ps - 1) / ps;
	uint64_t bm1_off = (1 + sub_hdr_size) * ps;
	uint64_t desc_off = bm1_off + bitmap_blocks * ps;
	uint64_t data_off = desc_off + candidates * DESC_SIZE;
	data_off = (data_off + ps - 1) & ~(ps - 1);
	if (sub_hdr_size > UINT32_MAX || bitmap_blocks > UINT32_MAX)
		return gc_error_new(GC_ERR_UNSUPPORTED, "kdump output",
				    "%" PRIu64 " frames need bitmaps larger "
				    "than the format's 32-bit block count",
				    max_mapnr);

	uint8_t *bm1 = calloc(1, bitmap_len), *bm2 = calloc(1, bitmap_len);
	uint8_t *in = malloc(GC_WRITE_BATCH * ps);
	struct gc_citem *items = calloc(GC_WRITE_BATCH, sizeof(*items));
	uint8_t *descs = malloc(GC_WRITE_BATCH * DESC_SIZE);
	uint8_t *slots = NULL;
	struct gc_cpool *pool = NULL;
	struct gc_wfile w;
	bool w_ok = false;
	struct gc_error *err = NULL;
	if (!bm1 || !bm2 || !in || !items || !descs)
		err = &gc_error_nomem;
	unsigned int threads = opts->threads ? opts->threads : 1;
	if (!err)
		err = gc_cpool_new(opts->codec, (uint32_t)ps, threads, &pool);
	if (!err) {
		size_t slot = gc_cpool_slot_size(pool);
		if (!(slots = malloc(GC_WRITE_BATCH * slot)))
			err = &gc_error_nomem;
		for (size_t i = 0; slots && i < GC_WRITE_BATCH; i++) {
			items[i].in = in + i * ps;
			items[i].out = slots + i * slot;
		}
	}
	if (!err) {
		err = gc_wfile_init(&w, fd, tmp_path, data_off, opts->flatten);
		w_ok = !err;
	}
	/* The shared zero page (stored raw, as makedumpfile does). */
	uint64_t zero_off = data_off;
	if (!err && opts->exclude_zero) {
		uint8_t *z = calloc(1, ps);
		err = z ? gc_wfile_write(&w, z, ps) : &gc_error_nomem;
		free(z);
	}

	uint64_t desc_idx = 0, done = 0;
	size_t run = 0;
	uint64_t next_f = 0;
	while (!err && run < src->nr_runs) {
		/* Gather a batch of frames in pfn order. */
		uint64_t pfns[GC_WRITE_BATCH];
		enum gc_page_state states[GC_WRITE_BATCH];
		size_t n = 0;
		while (n < GC_WRITE_BATCH && run < src->nr_runs) {
			pfns[n] = src->runs[run].start + next_f;
			enum gc_page_state state;
			err = src->read(src->arg, pfns[n], in + n * ps, &state);
			if (err)
				break;
			items[n].skip = !(state == GC_PAGE_PRESENT ||
					  state == GC_PAGE_ZERO);
			states[n] = state;
			n++;
			if (++next_f == src->runs[run].count) {
				run++;
				next_f = 0;
			}
		}
		if (err)
			break;
		err = gc_cpool_run(pool, items, n);
		if (err)
			break;
		size_t nd = 0;
		uint64_t first_desc = desc_idx;
		for (size_t i = 0; i < n && !err; i++) {
			uint64_t pfn = pfns[i];
			bm1[pfn >> 3] |= (uint8_t)(1u << (pfn & 7));
			if (items[i].skip) {
				/* TRUNCATED: undecodable, skipped; counted
				 * by the source (pages_undecodable) */
				if (states[i] != GC_PAGE_TRUNCATED)
					st->pages_missing++;
				continue;
			}
			bm2[pfn >> 3] |= (uint8_t)(1u << (pfn & 7));
			uint8_t *d = descs + nd * DESC_SIZE;
			nd++;
			desc_idx++;
			if (items[i].zero && opts->exclude_zero) {
				st->pages_excluded++;
				gc_put64(d, zero_off, false);
				gc_put32(d + 8, (uint32_t)ps, false);
				gc_put32(d + 12, 0, false);
				gc_put64(d + 16, 0, false);
				continue;
			}
			gc_put64(d, gc_wfile_tell(&w), false);
			gc_put32(d + 8, items[i].out_len, false);
			gc_put32(d + 12, items[i].flags, false);
			gc_put64(d + 16, 0, false);
			st->pages_written++;
			err = gc_wfile_write(&w, items[i].out,
					     items[i].out_len);
		}
		if (!err && nd)
			err = gc_wfile_pwrite(&w, descs, nd * DESC_SIZE,
					      desc_off + first_desc * DESC_SIZE);
		done += n;
		if (!err && opts->progress)
			opts->progress(opts->progress_arg, done,
				       st->pages_total);
	}
	if (!err)
		err = gc_wfile_flush(&w);
	uint64_t end = w_ok ? gc_wfile_tell(&w) : 0;

	/* Header, sub-header, notes, bitmaps. */
	uint8_t *head = NULL;
	if (!err && !(head = calloc(1, bm1_off)))
		err = &gc_error_nomem;
	if (!err) {
		gc_wnotes_count(src, src->notes_patch, st->pages_undecodable);
		memcpy(head, "KDUMP   ", 8);
		gc_put32(head + 8, 6, false);
		put_str(head + 12, 65, "Linux");
		put_str(head + 12 + 65, 65,
			src->nodename ? src->nodename : "(none)");
		put_str(head + 12 + 130, 65, src->release);
		put_str(head + 12 + 195, 65,
			src->version && src->version[0] ? src->version :
							  "unknown");
		put_str(head + 12 + 260, 65,
			(src->arch ? src->arch : &gc_arch_x86_64)->name);
		put_str(head + 12 + 325, 65, "(none)");
		gc_put64(head + 408, src->timestamp, false);
		gc_put32(head + 424, gc_codec_flag(opts->codec), false);
		gc_put32(head + 428, (uint32_t)ps, false);
		gc_put32(head + 432, (uint32_t)sub_hdr_size, false);
		gc_put32(head + 436, (uint32_t)bitmap_blocks, false);
		gc_put32(head + 440, (uint32_t)GC_MIN(max_mapnr, UINT32_MAX),
			 false);
		gc_put32(head + 444, 0, false);
		gc_put32(head + 448, 0, false);
		gc_put32(head + 452, 0, false);
		gc_put32(head + 456, 0, false);
		gc_put32(head + 460, src->nr_vcpus, false);
		uint8_t *sub = head + ps;
		int64_t phys_base = (k && k->has_phys_base) ? k->phys_base : 0;
		gc_put64(sub, (uint64_t)phys_base, false);
		gc_put32(sub + 8, opts->exclude_zero ? 1 : 0, false);
		gc_put32(sub + 12, 0, false);
		gc_put64(sub + 16, 0, false);
		gc_put64(sub + 24, GC_MIN(max_mapnr, UINT32_MAX), false);
		if (src->vmcoreinfo_len) {
			gc_put64(sub + 32, vmci_off, false);
			gc_put64(sub + 40, src->vmcoreinfo_len, false);
			memcpy(head + vmci_off, src->vmcoreinfo,
			       src->vmcoreinfo_len);
		}
		if (src->notes_len) {
			gc_put64(sub + 48, note_off, false);
			gc_put64(sub + 56, src->notes_len, false);
			memcpy(head + note_off, src->notes, src->notes_len);
		}
		if (src->eraseinfo_len) {
			gc_put64(sub + 64, erase_off, false);
			gc_put64(sub + 72, src->eraseinfo_len, false);
			memcpy(head + erase_off, src->eraseinfo,
			       src->eraseinfo_len);
		}
		gc_put64(sub + 80, 0, false);
		gc_put64(sub + 88, max_mapnr, false);
		gc_put64(sub + 96, max_mapnr, false);
		err = gc_wfile_pwrite(&w, head, bm1_off, 0);
	}
	if (!err)
		err = gc_wfile_pwrite(&w, bm1, bitmap_len, bm1_off);
	if (!err)
		err = gc_wfile_pwrite(&w, bm2, bitmap_len,
				      bm1_off + bitmap_len);
	if (!err && end < data_off) {
		/* Nothing was stored: still make the file cover the
		 * descriptor area. */
		uint8_t z = 0;
		err = gc_wfile_pwrite(&w, &z, 1, data_off - 1);
		end = data_off;
	}
	if (!err && w_ok)
		err = gc_wfile_end(&w);
	st->out_bytes = (w_ok && w.flat) ? w.flat_bytes : end;
	if (w_ok)
		gc_wfile_free(&w);
	gc_cpool_free(pool);
	free(head);
	free(slots);
	free(descs);
	free(items);
	free(in);
	free(bm1);
	free(bm2);
	return err;
}
