// SPDX-License-Identifier: MIT
/*
 * QEMU migration streams ("QEVM": what `virsh dump` writes by default and
 * what follows the libvirt header of a `virsh save` image), indexed once
 * on open for random access.  See docs/qemu-migration.md.
 */
#ifndef GC_FORMATS_QEMU_STREAM_H
#define GC_FORMATS_QEMU_STREAM_H

#include "../dump_internal.h"

/* ---- the JSON VM description (qemu_vmdesc.c) --------------------------- */

enum qj_type { QJ_NULL, QJ_BOOL, QJ_NUM, QJ_STR, QJ_ARR, QJ_OBJ };

struct qj_node {
	enum qj_type type;
	const char *key;     /* member name inside an object (not NUL-ended) */
	size_t keylen;
	const char *str;     /* QJ_STR: raw bytes between the quotes */
	size_t strlen;
	int64_t num;         /* QJ_NUM, QJ_BOOL */
	long first, next;    /* children (QJ_ARR/QJ_OBJ), next sibling; -1 */
	size_t count;        /* number of children */
};

struct qj_doc {
	const char *text;
	struct qj_node *nodes;  /* nodes[0] is the root */
	size_t nr;
};

/* Parse LEN bytes of TEXT (which must outlive DOC); OFFSET names where the
 * text lies in the file, for errors. */
struct gc_error *gc_qj_parse(const char *text, size_t len, uint64_t offset,
			     struct qj_doc *out);
void gc_qj_free(struct qj_doc *doc);
const struct qj_node *gc_qj_get(const struct qj_doc *doc,
				const struct qj_node *obj, const char *key);
bool gc_qj_int(const struct qj_doc *doc, const struct qj_node *obj,
	       const char *key, int64_t *v);
bool gc_qj_streq(const struct qj_node *n, const char *s);
/* Iterate the children of N: *IT = -1 first. */
const struct qj_node *gc_qj_child(const struct qj_doc *doc,
				  const struct qj_node *n, long *it);

/* Bytes a device section of description DEV holds (fields, subsections). */
bool gc_qj_device_size(const struct qj_doc *doc, const struct qj_node *dev,
		       uint64_t *size);

struct qj_field {
	uint64_t offset;   /* from the start of the description's fields */
	uint64_t size;     /* of one element */
	uint64_t count;    /* elements (array_len, else 1) */
	const struct qj_node *desc;  /* "struct" description, or NULL */
};
/* Find field NAME among DESC's fields. */
bool gc_qj_field(const struct qj_doc *doc, const struct qj_node *desc,
		 const char *name, struct qj_field *out);

/* ---- the stream index (qemu_stream.c) ---------------------------------- */

/* RAM_SAVE_FLAG_* of QEMU's migration/ram.c (low bits of each record's
 * 64-bit big-endian header; the rest is the page's offset in its block). */
enum {
	QS_RAM_FULL = 0x01,        /* obsolete */
	QS_RAM_ZERO = 0x02,        /* one fill byte follows */
	QS_RAM_MEM_SIZE = 0x04,    /* total RAM, then the block list */
	QS_RAM_PAGE = 0x08,        /* a whole target page follows */
	QS_RAM_EOS = 0x10,         /* end of this part of the section */
	QS_RAM_CONTINUE = 0x20,    /* same block as the previous record */
	QS_RAM_XBZRLE = 0x40,      /* delta against the previous copy */
	QS_RAM_HOOK = 0x80,        /* RDMA */
	QS_RAM_COMPRESS = 0x100,   /* zlib page (compress capability) */
	QS_RAM_MULTIFD_FLUSH = 0x200,
};

/* Section types (migration/savevm.c QEMU_VM_*). */
enum {
	QS_EOF = 0x00,
	QS_SECTION_START = 0x01,
	QS_SECTION_PART = 0x02,
	QS_SECTION_END = 0x03,
	QS_SECTION_FULL = 0x04,
	QS_SUBSECTION = 0x05,
	QS_VMDESCRIPTION = 0x06,
	QS_CONFIGURATION = 0x07,
	QS_COMMAND = 0x08,
	QS_SECTION_FOOTER = 0x7e,
};

#define QS_MAGIC 0x5145564du  /* "QEVM" */

/* Page slots: 0 = never sent; else a tag in the top 3 bits. */
#define QS_CHUNK_SHIFT 12
#define QS_CHUNK (1u << QS_CHUNK_SHIFT)
/* The largest RAM block read: 16 TiB (its chunk table is 32 MiB). */
#define QS_MAX_BLOCK (1ull << 44)
#define QS_SLOT_TAG(s) ((s) >> 61)
#define QS_SLOT_VAL(s) ((s) & ((1ull << 61) - 1))
enum {
	QS_TAG_DATA = 1,     /* VAL = stream offset of the page's bytes */
	QS_TAG_FILL = 2,     /* VAL = fill byte */
	QS_TAG_TRUNC = 3,    /* record header read, data past the end */
	QS_TAG_BAD = 4,      /* last copy XBZRLE/compressed: VAL = record offset */
};

struct qs_block {
	char name[256];
	uint64_t used;       /* used_length in bytes */
	uint64_t npages;
	uint64_t **chunk;    /* slots of QS_CHUNK pages, allocated when a
			      * page of the chunk is first sent */
	uint64_t nchunks;
	uint64_t list_off;   /* stream offset of its MEM_SIZE list entry */
	bool placed;         /* mapped into guest-physical space */
};

struct qs_region {
	uint64_t gpa, size;  /* guest-physical range, page aligned */
	size_t block;
	uint64_t boff;       /* offset in the block */
	uint64_t out;        /* piped: offset of GPA's page in the output */
};

struct qs_section {
	uint32_t id, instance, version;
	char idstr[256];
	uint64_t hdr_off;    /* stream offset of the section's type byte */
	uint64_t data_off, data_len;
	bool len_known;
	bool by_footer;      /* length found by searching for the footer */
	bool by_search;      /* a cpu section found by searching for its
			      * header; DATA_LEN reaches the next one */
	long json;           /* node index of its device description, or -1 */
};

struct qs_cpu {
	size_t section;      /* index in sections */
};

struct gc_qstream {
	/* Where the stream's bytes are: see qs_view() */
	struct gc_file *file;
	struct gc_stream *stream; /* FILE as a stream: page locations name it */
	uint64_t base;       /* file offset of the stream's first byte */
	uint64_t rbase;      /* what messages add to stream offsets */
	uint64_t size;       /* stream bytes available */
	bool decompressed;   /* FILE is a decompressed cache of the input */
	uint8_t *win;        /* read window while indexing (see qs_view) */
	uint64_t win_off;
	size_t win_len;
	/* one-pass convert (dump_internal.h): pages handed over as the walk
	 * meets them */
	struct gc_page_sink *sink;
	struct gc_error *sink_err;  /* the sink failed: the open fails */
	bool placed;         /* place() ran (early, for the sink) */
	/* piped (gc_qstream_open_piped): the stream comes from a decoder
	 * thread through RING; the window is (part of) a ring buffer; from
	 * the first section after RAM on, the rest of the stream is in TAIL;
	 * after the walk, pages are read back from OUT_FILE */
	bool piped;
	struct gc_qpipe *pipe;  /* while the walk runs */
	struct gc_ring *ring;
	uint8_t *chunk;      /* the ring buffer the window is in, or NULL */
	bool pipe_failed;    /* the walk needed what the pipe cannot give */
	bool in_tail;
	uint8_t *tail;
	size_t tail_len, tail_cap;
	uint64_t tail_off;   /* stream offset of TAIL[0] */
	struct gc_file *out_file;
	struct gc_stream *out_stream;

	uint32_t version;
	char machine[256];
	bool has_config;
	bool machine_from_xml; /* MACHINE is the libvirt XML's, not the stream's */
	uint32_t page_size;
	struct qs_block *blocks;
	size_t nr_blocks, cap_blocks;
	struct qs_region *regions;
	size_t nr_regions, cap_regions;
	struct qs_section *sections;
	size_t nr_sections, cap_sections;
	struct qs_cpu *cpus;
	size_t nr_cpus, cap_cpus;
	uint64_t ram_total;
	bool ignore_shared;  /* capability x-ignore-shared in the config */

	/* the JSON description, when found */
	char *json_text;
	size_t json_len;
	uint64_t json_off;   /* stream offset of the 0x06 byte */
	struct qj_doc json;
	long json_devices;   /* node of "devices", or -1 */
	long json_next_node; /* last matched device node (-1: none yet) */
	unsigned json_misses; /* whole-list searches so far */

	/* what the walk saw */
	bool complete;       /* reached QEMU_VM_EOF */
	bool stopped;        /* the walk stopped early */
	uint64_t stop_off;
	char *stop_why;
	uint64_t records, pages, zero_pages, dup_pages;
	uint64_t xbzrle, compressed;
	uint64_t first_xbzrle, first_compressed;
	uint64_t trunc_pages;
	uint64_t footers;
	uint64_t end_off;    /* where the walk ended */
	/* no footers and no VM description (old machine types): the walk
	 * ends at the first device section, at UNDELIM_OFF; EOF_BYTE says
	 * whether the stream's last byte is QEMU_VM_EOF */
	bool undelimited, eof_byte;
	uint64_t undelim_off;

	/* the vmcoreinfo device */
	bool has_vmcoreinfo_dev;
	uint64_t vmci_paddr;
	uint32_t vmci_size;
	uint16_t vmci_guest_format;
	char *vmcoreinfo;    /* the note's text, NUL-terminated */
	size_t vmcoreinfo_len;
	uint64_t vmcoreinfo_off;
};

/* The slot of page P of block B (0 when never sent). */
static inline uint64_t gc_qs_slot(const struct qs_block *b, uint64_t p)
{
	const uint64_t *c = p < b->npages ? b->chunk[p >> QS_CHUNK_SHIFT] : NULL;
	return c ? c[p & (QS_CHUNK - 1)] : 0;
}

/* Index the stream of BASE.. in FILE for dump D (fields, findings, page
 * size, vCPU count).  The stream takes FILE only when DECOMPRESSED.
 * MACHINE_HINT (NULL: none): the machine type the libvirt domain XML
 * names, used when the stream has no configuration section. */
struct gc_error *gc_qstream_open(struct gc_dump *d, struct gc_file *file,
				 uint64_t base, bool decompressed,
				 const char *machine_hint,
				 struct gc_qstream **out);
void gc_qstream_free(struct gc_qstream *qs);

/* These readers index D's file itself, not D's stream: a migration stream
 * or save image inside a container (a flattened, windowed or
 * concatenated file) is refused with this error, naming the container,
 * instead of being misread; NULL when the file is plain. */
struct gc_error *gc_qstream_plain_only(struct gc_dump *d, const char *what);

/* The format ops shared by the bare stream and the libvirt save image;
 * dump->priv must begin with a struct gc_qstream pointer. */
void gc_qstream_close(struct gc_dump *d);
struct gc_error *gc_qstream_locate(struct gc_dump *d, enum gc_space space,
				   uint64_t frame, struct gc_page_loc *loc);
struct gc_error *gc_qstream_frame_runs(struct gc_dump *d, enum gc_space space,
				       struct gc_frame_run **runs, size_t *nr);
struct gc_error *gc_qstream_vcpu(struct gc_dump *d, unsigned int index,
				 struct gc_vcpu *out);
struct gc_error *gc_qstream_vmcoreinfo(struct gc_dump *d, const char **text,
				       size_t *len, uint64_t *offset);
struct gc_error *gc_qstream_check(struct gc_dump *d, unsigned int flags,
				  struct gc_report *r);
/* Those ops as members of a struct gc_format_ops initializer (all but
 * .format and .open). */
#define GC_QSTREAM_OPS                                                        \
	.close = gc_qstream_close, .locate = gc_qstream_locate,               \
	.frame_runs = gc_qstream_frame_runs, .vcpu = gc_qstream_vcpu,         \
	.vmcoreinfo = gc_qstream_vmcoreinfo, .check = gc_qstream_check

/* A stream compressed as a whole (gzip, bzip2, xz, lzop, zstd) starting
 * at file offset SKIP of D's file: decompressed once into a cache file
 * (qemu_decomp.c), then indexed like a raw one.  CODEC is the name
 * libvirt's header gives ("gzip"...), or NULL to detect it by magic. */
struct gc_error *gc_qstream_open_compressed(struct gc_dump *d, uint64_t skip,
					    const char *codec,
					    const char *machine_hint,
					    struct gc_qstream **out);
/* A compressed stream decoded by a thread into a ring (qemu_decomp.c). */
struct gc_qpipe;
struct gc_ring *gc_qpipe_ring(struct gc_qpipe *p);
/* After the ring ended: wait for the thread; true when the stream decoded
 * cleanly to its end (TOTAL bytes). */
bool gc_qpipe_wait(struct gc_qpipe *p, uint64_t *total);
/* Index the stream PIPE decodes for D, whose sink (D->sink, with a path
 * and offset_of) takes the pages.  *OUT NULL without an error: the walk
 * met something the pipe cannot give as the cache route would (a cut or
 * damaged stream, device state before RAM, ...): the caller takes the
 * cache route, whose walk lays the output out again. */
struct gc_error *gc_qstream_open_piped(struct gc_dump *d,
				       struct gc_qpipe *pipe,
				       const char *machine_hint,
				       struct gc_qstream **out);
/* True when F's bytes at SKIP decompress to a "QEVM" stream (a probe:
 * decodes at most 1 MiB). */
bool gc_qs_compressed_is_qevm(struct gc_file *f, uint64_t skip);
/* True when F's compressed stream at SKIP ends (the file is cut) before
 * 4 bytes decode: *LEN bytes did, WHY (WHYLEN bytes) says where the
 * decoder stopped, *AT at which compressed offset (a probe: at most the
 * first 1 MiB; a limit or damage is not reported here). */
bool gc_qs_compressed_cut(struct gc_file *f, uint64_t skip, size_t *len,
			      char *why, size_t whylen, uint64_t *at);
/* The codec whose magic starts HEAD, or NULL. */
const char *gc_qs_codec_detect(const uint8_t *head, size_t len);

/* The two formats (registry.c). */
extern const struct gc_format_ops gc_qemu_stream_ops;
bool gc_qemu_stream_probe(const uint8_t *head, size_t len, struct gc_stream *s);
struct gc_error *gc_qemu_stream_explain(const uint8_t *head, size_t len,
					struct gc_stream *s);
extern const struct gc_format_ops gc_libvirt_save_ops;
bool gc_libvirt_save_probe(const uint8_t *head, size_t len, struct gc_stream *s);

#endif
