// SPDX-License-Identifier: MIT
/*
 * Writers, internal interface: a page source (the pages to write, in pfn
 * order, with metadata), a buffered output file, the compression pool,
 * the Xen PV page-table rewrite, and the ELF / kdump back ends.
 */
#ifndef GC_WRITER_INTERNAL_H
#define GC_WRITER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "guestcore/writer.h"

/* ---- page source ---------------------------------------------------- */

struct gc_wsource {
	uint32_t page_size;
	const struct gc_frame_run *runs;  /* ascending, non-overlapping */
	size_t nr_runs;
	/*
	 * Fill BUF (page_size bytes) with frame PFN.  *STATE is
	 * GC_PAGE_PRESENT (BUF holds data), GC_PAGE_ZERO (BUF zeroed), or
	 * any other state for a frame the source cannot provide (BUF
	 * zeroed; the page is counted missing).
	 */
	struct gc_error *(*read)(void *arg, uint64_t pfn, void *buf,
				 enum gc_page_state *state);
	void *arg;
	/*
	 * Optional: how many frames from PFN (at most MAX) are stored
	 * uncompressed, back to back, in one file, and go to the output
	 * unchanged: their bytes can be copied file to file.  Sets *FD,
	 * *PATH and *OFF; 0 = use read for PFN.
	 */
	uint64_t (*raw_span)(void *arg, uint64_t pfn, uint64_t max, int *fd,
			     const char **path, uint64_t *off);
	/*
	 * Optional: how many frames from PFN (at most MAX) are stored
	 * uncompressed, each page whole, in one file at increasing offsets
	 * but not back to back (a QEMU migration stream puts an 8-byte
	 * record header before each page; gaps of less than
	 * GC_GATHER_MAX_GAP bytes).  Sets *FD, *PATH and OFFS[i], the file
	 * offset of frame PFN + i.  The ELF writer reads them with one
	 * preadv straight into its output buffer (the gaps into a scratch
	 * buffer): no per-page system call.  0 = use read.
	 */
	uint64_t (*raw_gather)(void *arg, uint64_t pfn, uint64_t max, int *fd,
			       const char **path, uint64_t *offs);
	/* The notes segment, already built (see gc_wnotes_build). */
	const uint8_t *notes;
	size_t notes_len;
	/* Raw VMCOREINFO text (may be NULL). */
	const char *vmcoreinfo;
	size_t vmcoreinfo_len;
	/* The source's makedumpfile eraseinfo text (may be NULL): the kdump
	 * writer's eraseinfo section (an ELF output has it as a note). */
	const char *eraseinfo;
	size_t eraseinfo_len;
	unsigned int nr_vcpus;
	const struct gc_convert_kernel *kernel;
	/* The provenance note's "undecodable_pages=" value: NOTES_PATCH is
	 * the offset in NOTES of a field of GC_NOTE_COUNT_WIDTH spaces
	 * (SIZE_MAX: none) that gc_wnotes_count fills in once the count is
	 * known; the writers write the notes after the pages. */
	size_t notes_patch;
	/* Likewise for the ELF output's "missing_pages_zeroed=" value
	 * (SIZE_MAX: none). */
	size_t notes_patch_zeroed;
	uint8_t *notes_rw;
	/* The guest's architecture (arch/arch.h; NULL = x86_64): the ELF
	 * e_machine and the kdump utsname machine. */
	const struct gc_arch_ops *arch;
	/* kdump header utsname fields (may be NULL) and timestamp. */
	const char *release, *version, *nodename;
	uint64_t timestamp;
};

/* ---- notes ---------------------------------------------------------- */

/* Append one ELF note (name, type, desc) to SB-like growable buffer. */
struct gc_wbuf {
	uint8_t *data;
	size_t len, cap;
	bool failed;
};
void gc_wbuf_append(struct gc_wbuf *b, const void *p, size_t len);
void gc_wbuf_note(struct gc_wbuf *b, const char *name, uint32_t type,
		  const void *desc, size_t desc_len);
void gc_wbuf_free(struct gc_wbuf *b);

enum { GC_NOTE_COUNT_WIDTH = 20 };
/* Fill the count field of SRC's notes at AT (notes_patch,
 * notes_patch_zeroed; SIZE_MAX: nothing) with N. */
void gc_wnotes_count(const struct gc_wsource *src, size_t at, uint64_t n);

/* The provenance note of our own: name "GUESTCORE", type 1, text. */
#define GC_NOTE_GUESTCORE_NAME "GUESTCORE"
#define GC_NOTE_GUESTCORE_PROVENANCE 1

/* ---- output file ---------------------------------------------------- */

/*
 * FLAT: write makedumpfile's flattened form to a stream that never
 * seeks (a pipe, standard output): gc_wfile_init writes the 4 KiB
 * header, every positioned write becomes one or more (offset, size)
 * records in the order they are made, gc_wfile_end writes the end
 * marker.  Readers (gc_stream_flat_new, makedumpfile -R) place records
 * by their offsets, so the order does not matter.
 */
struct gc_wfile {
	int fd;
	const char *path;    /* the temporary file, for errors */
	uint8_t *buf;
	size_t len, cap;
	uint64_t pos;        /* file offset of buf[0] */
	bool flat;
	uint64_t flat_bytes; /* bytes written to the flattened stream */
};
struct gc_error *gc_wfile_init(struct gc_wfile *w, int fd, const char *path,
			       uint64_t pos, bool flat);
/* Flush, and in FLAT mode write the end marker (offset -1, size -1). */
struct gc_error *gc_wfile_end(struct gc_wfile *w);
struct gc_error *gc_wfile_write(struct gc_wfile *w, const void *p,
				size_t len);
struct gc_error *gc_wfile_flush(struct gc_wfile *w);
/* Positioned write, bypassing the buffer. */
struct gc_error *gc_wfile_pwrite(struct gc_wfile *w, const void *p,
				 size_t len, uint64_t off);
/* Append LEN bytes of file IN_FD from IN_OFF (flushes first; an in-kernel
 * copy where the file systems allow it, as cp does). */
struct gc_error *gc_wfile_copy(struct gc_wfile *w, int in_fd,
			       const char *in_path, uint64_t in_off,
			       uint64_t len);
enum { GC_GATHER_MAX_GAP = 4096 };
/* Append N pages of LEN bytes each, read from IN_FD at OFFS[0..N)
 * (increasing, gaps < GC_GATHER_MAX_GAP): preadv into the buffer. */
struct gc_error *gc_wfile_gather(struct gc_wfile *w, int in_fd,
				 const char *in_path, const uint64_t *offs,
				 size_t n, size_t len);
void gc_wfile_free(struct gc_wfile *w);
/* Current end (buffered position). */
static inline uint64_t gc_wfile_tell(const struct gc_wfile *w)
{
	return w->pos + w->len;
}

/* ---- compression pool ----------------------------------------------- */

struct gc_cpool;

/* One page of a batch. */
struct gc_citem {
	const uint8_t *in;     /* page_size bytes */
	bool skip;             /* missing: do not compress */
	bool zero;             /* out: the page is all zeroes */
	uint8_t *out;          /* out: the bytes to store */
	uint32_t out_len;
	uint32_t flags;        /* out: page_desc flags (0 = raw) */
};

/* THREADS counts the calling thread too (1 = no worker threads). */
struct gc_error *gc_cpool_new(enum gc_out_codec codec, uint32_t page_size,
			      unsigned int threads, struct gc_cpool **out);
void gc_cpool_free(struct gc_cpool *p);
/* Per item slot capacity for compressed output. */
size_t gc_cpool_slot_size(const struct gc_cpool *p);
/* Compress ITEMS[0..N) (their OUT points at slot buffers the caller
 * owns, slot_size bytes each).  Returns the first codec error. */
struct gc_error *gc_cpool_run(struct gc_cpool *p, struct gc_citem *items,
			      size_t n);
/* kdump flag bit of a codec (DUMP_DH_COMPRESSED_*). */
uint32_t gc_codec_flag(enum gc_out_codec codec);

/* ---- Xen PV page-table rewrite --------------------------------------- */

struct gc_pt_overlay;

struct gc_error *gc_xen_pt_rewrite(struct gc_dump *d,
				   const struct gc_convert_kernel *k,
				   struct gc_pt_overlay **out,
				   struct gc_convert_stats *stats);
/* The rewritten copy of PFN, or NULL. */
const uint8_t *gc_pt_overlay_get(const struct gc_pt_overlay *o,
				 uint64_t pfn);
void gc_pt_overlay_free(struct gc_pt_overlay *o);
/* Replace LEN bytes at PADDR (within one page) in the overlay, copying
 * the page from D first when the overlay does not hold it yet. */
struct gc_error *gc_pt_overlay_patch(struct gc_pt_overlay **o,
				     struct gc_dump *d, uint64_t paddr,
				     const void *bytes, size_t len);

/* ---- back ends ------------------------------------------------------ */

struct gc_error *gc_write_elf(const struct gc_wsource *src, int fd,
			      const char *tmp_path,
			      const struct gc_convert_opts *opts,
			      struct gc_convert_stats *stats);
struct gc_error *gc_write_kdump(const struct gc_wsource *src, int fd,
				const char *tmp_path,
				const struct gc_convert_opts *opts,
				struct gc_convert_stats *stats);

/*
 * One-pass convert (convert_stream.c): the pages of SRC->runs already lie
 * back to back from gc_elf_prelaid_data_off(nr_runs) in FD (written while
 * the input was indexed); write the program headers and the notes before
 * them (in room kept for the notes: GC_ERR_UNSUPPORTED when they do not
 * fit, then the caller falls back to gc_convert).
 */
uint64_t gc_elf_prelaid_data_off(size_t nr_runs, uint32_t page_size);
struct gc_error *gc_write_elf_prelaid(const struct gc_wsource *src, int fd,
				      const char *tmp_path,
				      struct gc_convert_stats *st);
/* gc_convert's work on IN after the pages are written (one-pass): the
 * notes and headers of the ELF whose pages RUNS lie in FD as
 * gc_write_elf_prelaid expects; kernel patches written in place. */
struct gc_error *gc_convert_prelaid(struct gc_dump *in, int fd,
				    const char *tmp_path,
				    const struct gc_convert_opts *opts,
				    const struct gc_frame_run *runs,
				    size_t nr, struct gc_convert_stats *st);

/* Number of pages a batch reads at once. */
enum { GC_WRITE_BATCH = 512 };

#endif
