// SPDX-License-Identifier: MIT
/*
 * The format-neutral dump object and the interface every format module
 * implements.  A format answers only: which frames exist in which space,
 * where each one lives in the file and how it is encoded, plus metadata.
 */
#ifndef GC_DUMP_INTERNAL_H
#define GC_DUMP_INTERNAL_H

#include "guestcore/check.h"
#include "guestcore/dump.h"
#include "io/codec.h"
#include "io/file.h"
#include "io/stream.h"
#include "util/util.h"

struct gc_format_ops {
	enum gc_format format;
	/* Parse headers and indexes; set dump->priv, page size, spaces. */
	struct gc_error *(*open)(struct gc_dump *d);
	void (*close)(struct gc_dump *d);
	/* Where FRAME of SPACE lives.  Absent frames are not an error. */
	struct gc_error *(*locate)(struct gc_dump *d, enum gc_space space,
				   uint64_t frame, struct gc_page_loc *loc);
	/* Optional: pfn <-> mfn (dumps with a machine space). */
	struct gc_error *(*pfn_to_mfn)(struct gc_dump *d, uint64_t pfn,
				       uint64_t *mfn);
	struct gc_error *(*mfn_to_pfn)(struct gc_dump *d, uint64_t mfn,
				       uint64_t *pfn);
	struct gc_error *(*frame_runs)(struct gc_dump *d, enum gc_space space,
				       struct gc_frame_run **runs,
				       size_t *nr_runs);
	struct gc_error *(*vcpu)(struct gc_dump *d, unsigned int index,
				 struct gc_vcpu *out);
	/* Optional: VMCOREINFO text from the format's own metadata. */
	struct gc_error *(*vmcoreinfo)(struct gc_dump *d, const char **text,
				       size_t *len, uint64_t *offset);
	/* Format-specific checks (structure, index, contexts). */
	struct gc_error *(*check)(struct gc_dump *d, unsigned int flags,
				  struct gc_report *report);
	/* Optional: the guest's pfn -> mfn map for a dump that has no pfn
	 * column (gc_dump_set_p2m), and whether one is still needed. */
	struct gc_error *(*set_p2m)(struct gc_dump *d, const uint64_t *p2m,
				    uint64_t count, const char *source);
	bool (*needs_p2m)(const struct gc_dump *d);
	/* locate may run on a second thread (read-ahead, io/readahead.h)
	 * concurrently with every other operation. */
	bool readahead;
};

struct gc_dump {
	/* The dump's logical bytes (io/stream.h): every format reads these.
	 * FILE is the file under it (its path and size name the dump). */
	struct gc_stream *stream;
	struct gc_file *file;
	const struct gc_format_ops *ops;
	void *priv;
	struct gc_open_opts opts;
	uint32_t page_size;
	unsigned int page_shift;
	bool has_mach;          /* a machine space distinct from PHYS */
	unsigned int nr_vcpus;
	uint64_t nr_frames;
	struct gc_field *fields;
	size_t nr_fields;
	size_t cap_fields;
	/* Notes the format found (descriptors point into format-owned
	 * memory); formats fill these in open. */
	struct gc_note *notes;
	size_t nr_notes;
	/* Problems noticed while opening; check reports them. */
	struct gc_report findings;
	/* Scratch page for decoding (one per dump; dumps are not shared
	 * between threads). */
	uint8_t *scratch;
	/* Decoded (decompressed) pages, io/pagecache.h; NULL until used. */
	struct gc_pagecache *pcache;
	/* Read-ahead (io/readahead.h); NULL until used. */
	struct gc_readahead *ra;
	/* The caller thread's decoder state, reused across pages. */
	struct gc_decoder dec;
	/* Random reads of stored data in files up to this size use the
	 * mapping (GC_MAP_RANDOM_MAX, io/stream.h; tests lower it to
	 * exercise pread). */
	uint64_t map_random_max;
};

/*
 * A dump object that is a view onto another one (a KVM guest behind its
 * EPT, the guest inside a QEMU process core): OPS over PRIV, PATH opened
 * as its file, pages of PAGE_SIZE (a power of two).  PRIV belongs to the
 * view from here on: ops->close frees it, also when this call fails.
 */
struct gc_error *gc_dump_view_new(const char *path,
				  const struct gc_format_ops *ops, void *priv,
				  uint32_t page_size, struct gc_dump **out);

/* Record an open-time problem for `check` (printf-style message). */
#define gc_dump_finding(d, ...) gc_report_add(&(d)->findings, __VA_ARGS__)

/* Record a header field for info (printf-style value). */
struct gc_error *gc_dump_add_field(struct gc_dump *d, const char *name,
				   bool has_number, uint64_t number,
				   const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Set page size; fails unless a power of two in [512, 1 MiB]. */
struct gc_error *gc_dump_set_page_size(struct gc_dump *d, uint64_t size,
				       uint64_t offset, const char *what);

/* Decode one stored page into BUF (page_size bytes). */
struct gc_error *gc_decode_page(struct gc_dump *d,
				const struct gc_page_loc *loc, uint64_t frame,
				enum gc_space space, void *buf);

/* The same without read-ahead: through the dump's small page cache
 * (the caller's thread only). */
struct gc_error *gc_decode_page_cached(struct gc_dump *d,
				       const struct gc_page_loc *loc,
				       void *buf);

/* Read and decode LOC's stored bytes into OUT (page_size bytes); no
 * cache.  Safe from a second thread when the format's ops are. */
struct gc_error *gc_decode_stored(struct gc_dump *d,
				  const struct gc_page_loc *loc, uint8_t *out);
/* The same with another thread's decoder state DC (freed by that thread's
 * owner with gc_decoder_free); SEQUENTIAL: part of a sequential pass
 * (io/stream.h's read policy then reads through the mapping). */
struct gc_error *gc_decode_stored_ctx(struct gc_dump *d,
				      const struct gc_page_loc *loc,
				      uint8_t *out, struct gc_decoder *dc,
				      bool sequential);

/* vcpu_guest_context decoding shared by the xc_core readers. */
void gc_xen_decode_vcpu(const uint8_t *ctx, size_t len, bool is_32bit,
			bool be, bool pv, struct gc_vcpu *out);

/* The format registry (formats/registry.c), in probe order. */
struct gc_format_entry {
	const struct gc_format_ops *ops;
	/* HEAD holds the first LEN (<= 512) logical bytes of stream S. */
	bool (*probe)(const uint8_t *head, size_t len, struct gc_stream *s);
};
extern const struct gc_format_entry gc_formats[];

#endif
