// SPDX-License-Identifier: MIT
/*
 * Streams: the logical bytes of a dump, whatever container holds them.
 *
 * A format never sees files: it reads the bytes of a stream at logical
 * offsets, and those are the offsets it records in page locations and
 * errors.  A stream is one of
 *
 *   plain    a file, byte for byte (io/file.h);
 *   flat     makedumpfile's flattened form (-F): a 4 KiB header, then
 *            records (big-endian u64 logical offset, u64 size, data)
 *            up to an end marker (offset -1); the records are indexed
 *            once at open into sorted extents (later records win where
 *            they overlap) and reads that straddle records are
 *            reassembled;
 *   window   bytes [start, start+len) of another stream: a header to
 *            skip (libvirt save images, QEMU migration streams behind a
 *            wrapper) or a region to read as a dump of its own;
 *   concat   several streams one after another (a dump cut into pieces
 *            with split(1)).
 *
 * Containers nest (a window of a flat stream, a concatenation of plain
 * parts).  gc_stream_open() unwraps what it recognises by itself (the
 * flattened signature); the others are built explicitly.  makedumpfile
 * --split parts are not a container: each part is a kdump of its own pfn
 * range, so they stay a kdump concept (formats/kdump.c), each part a
 * stream of its own (and so each may be flattened).
 *
 * Reads of stored page data go through one policy for every format
 * (gc_stream_read_data): from the file's mapping when the file is small
 * or the reads are sequential, with one pread otherwise (a fault at a
 * random place in a large file costs several times a pread).
 *
 * Reads are safe from several threads at once except GC_ACCESS_AUTO,
 * which updates the stream's access history: only the stream's owner
 * thread uses it (the read-ahead worker reads with GC_ACCESS_SEQ).
 */
#ifndef GC_IO_STREAM_H
#define GC_IO_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guestcore/check.h"
#include "guestcore/error.h"
#include "file.h"

struct gc_stream;

enum gc_container {
	GC_CONTAINER_PLAIN = 0,
	GC_CONTAINER_FLAT,
	GC_CONTAINER_WINDOW,
	GC_CONTAINER_CONCAT,
};
const char *gc_container_name(enum gc_container c);

/* Up to this file size, random reads of stored data come from the
 * mapping rather than pread: a file this size has at most 0.5 MiB of page
 * tables, which stay in the CPU caches once faulted in, and then a read
 * costs no system call.  Measured (bench/README.md): a 16 MB and a 32 MB
 * kdump 1.1-1.6x faster through the mapping; a 0.5-1.7 GB kdump 1.1-2.3x
 * slower, and cold random raw pages of a 4 GiB ELF or xc_core 2-4x
 * slower. */
#define GC_MAP_RANDOM_MAX (256ull << 20)

/* A read that starts at most this far past where the previous one ended
 * continues a sequential pass (GC_ACCESS_AUTO). */
#define GC_STREAM_SEQ_GAP (256u << 10)

/* ---- opening ---------------------------------------------------------- */

/* PATH as a plain stream (no container detection). */
struct gc_error *gc_stream_open_file(const char *path,
				     struct gc_stream **out);
/*
 * PATH with its container unwrapped: a flattened file gives its logical
 * bytes, anything else is plain.  Damage in the container that still
 * leaves something to read (no end marker, a record past the end,
 * overlapping records) goes to FINDINGS (may be NULL) rather than
 * failing.
 */
struct gc_error *gc_stream_open(const char *path, struct gc_report *findings,
				struct gc_stream **out);
/* F as a plain stream; with OWN the stream closes F. */
struct gc_error *gc_stream_from_file(struct gc_file *f, bool own,
				     struct gc_stream **out);
/* True when HEAD (LEN bytes at offset 0) starts a flattened stream. */
bool gc_stream_flat_probe(const uint8_t *head, size_t len);
/* The flattened stream stored in BASE (which starts with the flattened
 * header).  With OWN the new stream closes BASE (also on failure). */
struct gc_error *gc_stream_flat_new(struct gc_stream *base, bool own,
				    struct gc_report *findings,
				    struct gc_stream **out);
/* Bytes [START, START+LEN) of BASE; LEN UINT64_MAX: to BASE's end.  Fails
 * unless the window lies inside BASE.  With OWN the new stream closes
 * BASE (also on failure). */
struct gc_error *gc_stream_window_new(struct gc_stream *base, bool own,
				      uint64_t start, uint64_t len,
				      struct gc_stream **out);
/* PARTS[0..N) one after another; the new stream owns the parts (also on
 * failure).  PATH names it in errors (NULL: the first part's). */
struct gc_error *gc_stream_concat_new(struct gc_stream *const *parts,
				      size_t n, const char *path,
				      struct gc_stream **out);
void gc_stream_close(struct gc_stream *s);

/* ---- what it is ------------------------------------------------------- */

uint64_t gc_stream_size(const struct gc_stream *s);
/* How many of those bytes the files hold: less than the size when a
 * flattened file's records leave holes.  A table that must be stored
 * bytes (an index, a bitmap) is never larger than this, whatever the
 * headers claim, so bound allocations by it. */
uint64_t gc_stream_stored(const struct gc_stream *s);
/* The outermost file's path (for messages). */
const char *gc_stream_path(const struct gc_stream *s);
enum gc_container gc_stream_container(const struct gc_stream *s);
/* The file under S when there is exactly one (not for concat). */
struct gc_file *gc_stream_file(const struct gc_stream *s);

struct gc_stream_flat_info {
	size_t records;       /* data records indexed */
	size_t overlaps;      /* records that overwrite earlier ones */
	bool end_marker;      /* the stream ends with its end marker */
	uint64_t version;     /* header version (1 is the only known) */
};
/* Fills OUT and returns true when S is, or wraps, a flattened stream. */
bool gc_stream_flat_info(const struct gc_stream *s,
			 struct gc_stream_flat_info *out);

/* ---- reading ---------------------------------------------------------- */

/* Error unless [OFF, OFF+LEN) is inside the stream. */
struct gc_error *gc_stream_check_range(const struct gc_stream *s, uint64_t off,
				       uint64_t len, const char *what);
/* Read exactly LEN bytes at OFF (metadata, headers: through the mapping
 * when there is one).  WHAT names the structure for errors, which give
 * the logical offset. */
struct gc_error *gc_stream_read(struct gc_stream *s, uint64_t off, void *buf,
				size_t len, const char *what);
/* Pointer to LEN bytes at OFF: into the mapping when they are contiguous
 * in a mapped file, else read into TMP (LEN bytes; NULL when the caller
 * knows gc_stream_map() is not NULL). */
struct gc_error *gc_stream_view(struct gc_stream *s, uint64_t off, size_t len,
				void *tmp, const void **out, const char *what);
/* The whole stream as one mapping (plain or window of a mapped file), or
 * NULL. */
const uint8_t *gc_stream_map(const struct gc_stream *s);

enum gc_access {
	GC_ACCESS_AUTO = 0,   /* sequential or random from the history */
	GC_ACCESS_SEQ,        /* part of a sequential pass */
	GC_ACCESS_RANDOM,     /* a lone read */
};
/*
 * Stored page data: LEN bytes at OFF into BUF with the read policy: a
 * random read in a file larger than MAP_RANDOM_MAX is one pread, any
 * other read comes from the mapping when there is one.
 */
struct gc_error *gc_stream_read_data(struct gc_stream *s, uint64_t off,
				     void *buf, size_t len, enum gc_access how,
				     uint64_t map_random_max, const char *what);
/* The same, pointing into the mapping when the policy reads from it and
 * the bytes are contiguous there, else reading into TMP (LEN bytes). */
struct gc_error *gc_stream_view_data(struct gc_stream *s, uint64_t off,
				     size_t len, void *tmp, const void **out,
				     enum gc_access how,
				     uint64_t map_random_max, const char *what);
/*
 * Where [OFF, OFF+LEN) lies when it is contiguous in one file: that file
 * and the offset in it (for copy_file_range and the like).  False when
 * the range crosses records or parts, or leaves the stream.
 */
bool gc_stream_extent(const struct gc_stream *s, uint64_t off, uint64_t len,
		      struct gc_file **file, uint64_t *file_off);

#endif
