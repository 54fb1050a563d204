/* SPDX-License-Identifier: MIT */
/*
 * guestcore writers: turn any opened dump into a standard Linux dump that
 * crash, drgn and gdb open natively -- an ELF vmcore laid out like the
 * kernel's /proc/vmcore, or a kdump-compressed ("KDUMP   ", header
 * version 6) file.  The output is always in guest-physical (pfn) space;
 * for a Xen PV guest the page-table pages reachable from the roots are
 * rewritten from machine frames to pfns.  See docs/convert.md.
 *
 * Output is atomic: a temporary file in the output's directory, renamed
 * over the target at the end, removed on any error.
 */
#ifndef GUESTCORE_WRITER_H
#define GUESTCORE_WRITER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "dump.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared in include/guestcore/ is the library's ABI. */
#pragma GCC visibility push(default)

enum gc_out_format {
	GC_OUT_ELF = 1,    /* ELF64 vmcore (PT_NOTE + PT_LOADs) */
	GC_OUT_KDUMP,      /* kdump-compressed, header_version 6 */
};

enum gc_out_codec {
	GC_OUT_CODEC_NONE = 0,
	GC_OUT_CODEC_ZLIB,
	GC_OUT_CODEC_LZO,
	GC_OUT_CODEC_SNAPPY,
	GC_OUT_CODEC_ZSTD,
};

/* "zstd", "zlib", "lzo", "snappy", "none"; false for anything else. */
bool gc_out_codec_parse(const char *name, enum gc_out_codec *out);
const char *gc_out_codec_name(enum gc_out_codec codec);

/* Bytes of guest-physical memory to replace in the output (recorded in
 * the GUESTCORE note).  Used for Xen PV: xen_start_info is set to NULL so
 * that crash treats the pfn-space output as a native kernel. */
struct gc_convert_patch {
	uint64_t paddr;
	uint32_t len;          /* <= 16 */
	uint8_t bytes[16];
	const char *what;      /* "xen_start_info = NULL (was 0x...)" */
};

/* What the writers are told about the guest kernel (all optional). */
struct gc_convert_kernel {
	/* PAGE_OFFSET: ELF RAM segments get p_vaddr = page_offset + paddr. */
	bool has_page_offset;
	uint64_t page_offset;
	/* The kernel-text mapping: an extra PT_LOAD (ELF) when known. */
	bool has_text;
	uint64_t text_vaddr, text_paddr, text_size;
	/* phys_base for the kdump sub-header (default 0). */
	bool has_phys_base;
	int64_t phys_base;
	/* Guest-physical frames of the kernel's top-level page table(s)
	 * (init_top_pgt): extra roots for the Xen PV page-table rewrite. */
	const uint64_t *pgd_pfns;
	size_t nr_pgd_pfns;
	const struct gc_convert_patch *patches;
	size_t nr_patches;
	/* utsname for the kdump header (NULL = unknown).  The release
	 * defaults to VMCOREINFO OSRELEASE; libkdumpfile (and so drgn)
	 * only takes the architecture from a header whose version is not
	 * empty, so an unknown version is written as "unknown". */
	const char *uts_release, *uts_version, *uts_nodename;
	/* VMCOREINFO text to store; NULL = the source dump's own. */
	const char *vmcoreinfo;
	size_t vmcoreinfo_len;
	/* pr_pid for vCPU i's NT_PRSTATUS: the pid of the task it was
	 * running (GC_CONVERT_PID_UNKNOWN: keep what the source says). */
	const uint32_t *cpu_pids;
	size_t nr_cpu_pids;
};
#define GC_CONVERT_PID_UNKNOWN UINT32_MAX

/*
 * What convert does with a source page it cannot decode (a corrupt
 * compressed page, data past the end of a truncated file): REFUSE stops
 * with an error naming the page and the file offset; ZERO writes it as a
 * page of zeroes; SKIP leaves it out of the output (kdump: excluded in
 * the 2nd bitmap; ELF: a hole between PT_LOADs), so that readers see it
 * as missing.  Both are counted (pages_undecodable) and recorded in the
 * GUESTCORE provenance note.  Frames the source itself marks excluded or
 * absent are not "undecodable": they stay excluded (kdump); in an ELF
 * output runs of 256 or more are left out (no PT_LOAD covers them) and
 * shorter runs between stored pages are zero pages, as makedumpfile -E
 * writes them (pages_missing, pages_missing_zeroed, and the provenance
 * note's missing_pages_zeroed= line).
 */
enum gc_missing_policy {
	GC_MISSING_REFUSE = 0,
	GC_MISSING_ZERO,
	GC_MISSING_SKIP,
};

struct gc_convert_opts {
	enum gc_out_format format;
	enum gc_out_codec codec;      /* kdump only */
	/* As makedumpfile -d 1: zero pages stay readable but are not stored
	 * each on its own.  kdump: marked dumped, one shared zero-page
	 * descriptor (one page of zeroes stored once).  ELF: a run of 256
	 * or more zero pages ends its PT_LOAD's file data (p_filesz <
	 * p_memsz; the tail reads as zeroes) and the next non-zero page
	 * starts a new PT_LOAD; shorter runs are stored. */
	bool exclude_zero;
	enum gc_missing_policy missing;
	/* Write makedumpfile's flattened form (-F): a 4 KiB header, then
	 * (offset, size) records, never a seek: OUT_PATH may be "-" for
	 * standard output (then no temporary file and no rename). */
	bool flatten;
	bool force;                   /* overwrite an existing output */
	unsigned int threads;         /* compression threads; 0 = CPUs (<= 8) */
	struct gc_convert_kernel kernel;
	/* Called now and then with pages done / total (may be NULL). */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
	/* When set and *CANCEL becomes non-zero (e.g. from a SIGINT
	 * handler), the work stops with GC_ERR_CANCELLED and the temporary
	 * output is removed. */
	const volatile sig_atomic_t *cancel;
};

struct gc_convert_stats {
	uint64_t pages_total;      /* frames in the source's PHYS runs */
	uint64_t pages_written;    /* stored with data */
	uint64_t pages_excluded;   /* zero pages not stored on their own
				    * (--exclude zero: kdump's shared zero
				    * page, ELF p_memsz tails) */
	uint64_t pages_missing;    /* excluded / absent in the source */
	uint64_t pages_missing_zeroed; /* ELF: those of pages_missing in
				    * runs shorter than 256 between stored
				    * pages, written as zeroes (as
				    * makedumpfile -E); the rest are left
				    * out (no PT_LOAD covers them) */
	uint64_t pages_undecodable;/* the source could not decode them:
				    * --missing zero wrote zeroes, --missing
				    * skip left them out */
	uint64_t segments;         /* ELF PT_LOADs (incl. kernel text) */
	uint64_t out_bytes;
	unsigned int nr_vcpus;     /* NT_PRSTATUS notes written */
	bool xen_pv;               /* the page-table rewrite ran */
	uint64_t pt_roots;         /* root tables walked */
	uint64_t pt_roots_missing; /* roots whose frame is not in the dump */
	uint64_t pt_pages;         /* page-table pages rewritten */
	uint64_t pt_entries;       /* entries rewritten mfn -> pfn */
	uint64_t pt_dropped;       /* entries made non-present (mfn absent) */
	uint64_t pt_hole;          /* L4 hypervisor-hole entries cleared */
	uint64_t pt_conflicts;     /* a table reached at two different levels */
	uint64_t pt_pgds_found;    /* other top-level tables found by their
				    * kernel half (see docs/convert.md) */
	bool has_vmcoreinfo;       /* a VMCOREINFO note was written */
	bool one_pass;             /* pages written while the input was
				    * indexed (gc_convert_stream_open) */
	bool piped;                /* one pass of a compressed stream decoded
				    * in a thread, without a cache file */
};

/*
 * Write IN to OUT_PATH.  STATS (may be NULL) is filled in also on error
 * as far as the work got.
 */
struct gc_error *gc_convert(struct gc_dump *in, const char *out_path,
			    const struct gc_convert_opts *opts,
			    struct gc_convert_stats *stats);

/*
 * One-pass convert (docs/qemu-migration.md, "One-pass convert"): open
 * IN_PATH and, when it is a QEMU migration stream stored raw and OPTS asks
 * for a plain ELF file (not --flatten, not --exclude zero, not standard
 * output), write each page to OUT_PATH's temporary file at its final
 * offset while the stream is indexed, so that the input is read once.
 * *DUMP is then the opened dump (as gc_dump_open gives it: the kernel
 * layer reads it for OPTS->kernel) and *CS the pending output; both are
 * NULL when IN_PATH is not a stream (open it and call gc_convert).  Then
 * gc_convert_stream_finish with the same OPTS (kernel facts filled in)
 * writes the notes and headers and renames the output into place -- or,
 * when the stream did not send every page of its layout (a gap, a cut, a
 * page the walk cannot decode), discards the pages and runs gc_convert:
 * the output is the same either way.  A compressed stream whose
 * decompressed cache file does not exist yet is decoded in a thread and
 * walked from memory (no cache file is written); that dump reads its
 * pages back from the output file (stats->piped).  CS is freed by
 * finish or gc_convert_stream_abort (which removes the temporary file);
 * close the dump after them.
 */
struct gc_convert_stream;
struct gc_error *gc_convert_stream_open(const char *in_path,
					const char *out_path,
					const struct gc_convert_opts *opts,
					struct gc_dump **dump,
					struct gc_convert_stream **cs);
struct gc_error *gc_convert_stream_finish(struct gc_convert_stream *cs,
					  struct gc_dump *in,
					  const struct gc_convert_opts *opts,
					  struct gc_convert_stats *stats);
void gc_convert_stream_abort(struct gc_convert_stream *cs);

struct gc_verify_stats {
	uint64_t compared;     /* pages compared with data in both */
	uint64_t excluded;     /* zero in IN, stored by reference in OUT
			        * (--exclude zero) and read back as zeroes */
	uint64_t missing;      /* not readable in IN (zero / excluded in OUT) */
	uint64_t mismatches;   /* must be 0 */
	uint64_t extra;        /* frames OUT has that IN does not list */
	bool has_first_mismatch;
	uint64_t first_mismatch_pfn;
};

/*
 * Re-open OUT_PATH with gc_dump_open and compare every page with IN (as
 * the writer transformed it: the Xen PV page-table rewrite is applied
 * again to IN's pages with the same OPTS).
 */
struct gc_error *gc_convert_verify(struct gc_dump *in, const char *out_path,
				   const struct gc_convert_opts *opts,
				   struct gc_verify_stats *stats);

/*
 * Fill K's text/phys_base facts from VMCOREINFO text (SYMBOL(_stext),
 * NUMBER(phys_base), NUMBER(KERNEL_IMAGE_SIZE)) when they are there and
 * K does not already have them.  Returns true when anything was set.
 */
bool gc_convert_kernel_from_vmcoreinfo(struct gc_convert_kernel *k,
				       const char *text, size_t len);

/* ---- output files ------------------------------------------------------ */

/*
 * Output files of every writer (convert, extract): written to a temporary
 * file next to the output and renamed into place, so that an interrupted
 * or failed write never leaves a partial file.  The rules:
 *  - an existing output is replaced only with FORCE, and only when it is a
 *    regular file (never a device, FIFO, socket, directory or symlink);
 *  - the output is never one of the inputs (same device and inode);
 *  - the new file gets the mode the user's umask gives (0666 & ~umask),
 *    as any tool that creates a file does.
 */
/* Check OUT before any work: the rules above; INPUT (may be NULL) is the
 * file the output is made from. */
struct gc_error *gc_outfile_check(const char *out, bool force,
				  const char *input);
/* Create the temporary file next to OUT: *FD open for writing, *TMP its
 * malloc'ed name. */
struct gc_error *gc_outfile_create(const char *out, int *fd, char **tmp);
/* Rename TMP over OUT (checked again, as OUT may have appeared meanwhile). */
struct gc_error *gc_outfile_place(const char *tmp, const char *out,
				  bool force);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
