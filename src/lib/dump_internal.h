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
#include "util/report.h"
#include "spaces/xlat.h"
#include "util/util.h"

/*
 * One vCPU's registers as a format stores them, undecoded: which layout
 * is the architecture's business (arch/arch.h), not the format's.  Any
 * combination of records may be present.
 */
struct gc_cpu_state {
	uint16_t e_machine;        /* ELF EM_* of the dump; 0 = EM_X86_64 */
	bool be;                   /* records are big-endian */
	const uint8_t *prstatus;   /* NT_PRSTATUS descriptor (owned by the */
	size_t prstatus_len;       /*   format) or NULL */
	const uint8_t *qemu;       /* QEMU CPU-state note descriptor */
	size_t qemu_len;
	/* Xen vcpu_guest_context: malloc'ed copy, freed by the caller. */
	uint8_t *xen_ctx;
	size_t xen_ctx_len;
	bool xen_32bit;            /* the x86_32 layout */
	bool xen_pv;               /* cr3 holds a machine frame */
	/* A file guestcore wrote: the registers its notes hold as 0
	 * because the source did not know them ("rax,rbx,..." from the
	 * GUESTCORE note, not NUL-terminated; pointer into the note). */
	const char *unknown_regs;
	size_t unknown_regs_len;
};

struct gc_format_ops {
	enum gc_format format;
	/* Parse headers and indexes; set dump->priv, page size, spaces. */
	struct gc_error *(*open)(struct gc_dump *d);
	void (*close)(struct gc_dump *d);
	/* Where FRAME of SPACE lives.  Absent frames are not an error. */
	struct gc_error *(*locate)(struct gc_dump *d, enum gc_space space,
				   uint64_t frame, struct gc_page_loc *loc);
	struct gc_error *(*frame_runs)(struct gc_dump *d, enum gc_space space,
				       struct gc_frame_run **runs,
				       size_t *nr_runs);
	/* A vCPU's register state as stored (decoded by the arch layer,
	 * arch/arch.h).  Formats that hold raw register records implement
	 * this; views that compute registers themselves implement vcpu. */
	struct gc_error *(*cpu_state)(struct gc_dump *d, unsigned int index,
				      struct gc_cpu_state *out);
	struct gc_error *(*vcpu)(struct gc_dump *d, unsigned int index,
				 struct gc_vcpu *out);
	/* Optional: VMCOREINFO text from the format's own metadata. */
	struct gc_error *(*vmcoreinfo)(struct gc_dump *d, const char **text,
				       size_t *len, uint64_t *offset);
	/* Format-specific checks (structure, index, contexts). */
	struct gc_error *(*check)(struct gc_dump *d, unsigned int flags,
				  struct gc_report *report);
	/* locate may run on a second thread (read-ahead, io/readahead.h)
	 * concurrently with every other operation. */
	bool readahead;
};


struct gc_dump {
	struct gc_file *file;
	/* The dump's logical bytes (io/stream.h): every format reads these.
	 * FILE is the file under it (its path and size name the dump). */
	struct gc_stream *stream;
	const struct gc_format_ops *ops;
	void *priv;
	struct gc_open_opts opts;
	uint32_t page_size;
	unsigned int page_shift;
	bool has_mach;          /* a machine space distinct from PHYS */
	/* The dump's own translations between PHYS and MACH (Xen: the
	 * index's pfn/mfn pairs), set by the format at open when it has
	 * them, freed by gc_dump_close; NULL = none (see gc_dump_xlat). */
	struct gc_xlat *p2m, *m2p;
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
	/* What makedumpfile --config poisoned with 'X' (0x58) before writing
	 * the dump: the kdump eraseinfo section or the ELF "ERASEINFO" note,
	 * "erase SYMBOL size N" lines; format-owned text, NULL = none.
	 * convert carries it into its output. */
	const char *eraseinfo;
	size_t eraseinfo_len;
	uint64_t eraseinfo_off;
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
	/* One-pass convert (gc_dump_open_sink): pages handed over while the
	 * format indexes its input; NULL = none. */
	struct gc_page_sink *sink;
};

/*
 * A page sink: a format that reads its pages in one sequential pass (a raw
 * QEMU migration stream) hands each page to it as the index is built, so
 * that convert writes the output while the input is read once
 * (writers/convert_stream.c).  Formats that cannot, ignore it (USED stays
 * false).
 */
struct gc_page_sink {
	/* Once the guest-physical layout is known, before any page: the
	 * frames pages may land in (RUNS ascending, adjacent ones merged). */
	struct gc_error *(*layout)(void *arg, const struct gc_frame_run *runs,
				   size_t nr, uint32_t page_size);
	/* Frame PFN's latest copy: DATA (page_size bytes, valid until the
	 * next flush call) or, when DATA is NULL, every byte FILL.  REPLACES:
	 * an earlier copy of the page was sent (the last copy wins). */
	struct gc_error *(*page)(void *arg, uint64_t pfn, const void *data,
				 uint8_t fill, bool replaces);
	/* The bytes given to page() are about to be reused. */
	struct gc_error *(*flush)(void *arg);
	void *arg;
	bool used;  /* set by the format when it called layout */
	/* Optional: the file the pages are written to and the offset frame
	 * PFN's page has in it (valid from layout on; UINT64_MAX outside
	 * the layout).  A format that cannot read its input twice (a
	 * compressed stream decoded in a thread) reads its pages back from
	 * there after the walk, and sets REREAD. */
	const char *path;
	uint64_t (*offset_of)(void *arg, uint64_t pfn);
	bool reread;
};

/* gc_dump_open with SINK given to the format's open (see above). */
struct gc_error *gc_dump_open_sink(const char *path,
				   const struct gc_open_opts *opts,
				   struct gc_page_sink *sink,
				   struct gc_dump **out);

/*
 * A dump object that is a view onto another one (a KVM guest behind its
 * EPT, the guest inside a QEMU process core): OPS over PRIV, PATH opened
 * as its file, pages of PAGE_SIZE (a power of two).  PRIV belongs to the
 * view from here on: ops->close frees it, also when this call fails.
 */
struct gc_error *gc_dump_view_new(const char *path,
				  const struct gc_format_ops *ops, void *priv,
				  uint32_t page_size, struct gc_dump **out);

/*
 * The dump's translation FROM -> TO (PHYS -> MACH: pfn -> mfn, MACH ->
 * PHYS: mfn -> pfn, over byte addresses), owned by the dump.  Formats do
 * not translate: the translation is what their index says (xc_core's
 * .xen_p2m pairs) or, on a physical view, the guest's own p2m.
 * GC_ERR_UNSUPPORTED when the dump has none (no machine space, or a
 * legacy PV dump without a pfn column: see gc_p2m_view_new).
 */
struct gc_error *gc_dump_xlat(struct gc_dump *d, enum gc_space from,
			      enum gc_space to, struct gc_xlat **out);

/*
 * A physical view of BASE, a dump with a machine space but no pfn index
 * of its own (legacy PV xc_core): reads by pfn go through P2M (pfn ->
 * mfn byte addresses, the guest's own p2m; its limit is the number of
 * entries) composed over BASE's machine space; reads by mfn, registers,
 * fields, notes and checks are BASE's.  SOURCE says where P2M came from
 * (the view's p2m_source field).  Takes P2M (freed with the view, or on
 * failure).  BASE must outlive the view unless OWN_BASE, in which case
 * closing the view closes BASE (on failure BASE stays the caller's).
 * GC_ERR_UNSUPPORTED when BASE has a pfn index of its own.
 */
struct gc_error *gc_p2m_view_new(struct gc_dump *base, struct gc_xlat *p2m,
				 const char *source, bool own_base,
				 struct gc_dump **out);
/* The view's base dump, or NULL when D is not a physical view. */
struct gc_dump *gc_p2m_view_base(struct gc_dump *d);
/* Hand BASE over to the view D (closing D closes BASE from then on). */
void gc_p2m_view_own_base(struct gc_dump *d);

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

/* Fetch and decompress LOC's stored bytes into OUT (page_size bytes);
 * no cache.  Safe from a second thread when the format's ops are. */
struct gc_error *gc_decode_stored(struct gc_dump *d,
				  const struct gc_page_loc *loc, uint8_t *out);
/* The same with another thread's decoder state DC (freed by that thread's
 * owner with gc_decoder_free); SEQUENTIAL reads stored bytes through the
 * mapping rather than with pread. */
struct gc_error *gc_decode_stored_ctx(struct gc_dump *d,
				      const struct gc_page_loc *loc,
				      uint8_t *out, struct gc_decoder *dc,
				      bool sequential);

/* The format registry (formats/registry.c), in probe order. */
struct gc_format_entry {
	const struct gc_format_ops *ops;
	/* HEAD holds the first LEN (<= 512) bytes of the file. */
	bool (*probe)(const uint8_t *head, size_t len, struct gc_stream *s);
	/* Optional, for a file no format took: why this one could not
	 * (a compressed stream cut before it can be told), or NULL. */
	struct gc_error *(*explain)(const uint8_t *head, size_t len,
				    struct gc_stream *s);
};
extern const struct gc_format_entry gc_formats[];

#endif
