// SPDX-License-Identifier: MIT
/*
 * Read-ahead for compressed dumps: when pages are decoded in ascending
 * frame order, a worker thread decodes the pages after the current one
 * into a cache shared with the caller, so decompression runs on two
 * cores.  One per dump, created on the first decode, the thread only on
 * the first sequential run; joined by gc_readahead_free (gc_dump_close).
 *
 * The worker only ever fills cache slots: a page it fails to decode is
 * dropped silently and the caller decodes it again when (and only when)
 * it reads it, so the error reaches the caller unchanged.  Formats opt
 * in (gc_format_ops.readahead) when locate and fetch are safe to call
 * from a second thread; gc_open_opts.no_readahead turns it off.
 */
#ifndef GC_IO_READAHEAD_H
#define GC_IO_READAHEAD_H

#include "codec.h"

struct gc_readahead;

/* What read-ahead reads from: a dump, seen through two callbacks that
 * may run on the worker thread concurrently with the caller. */
struct gc_readahead_src {
	void *ctx;
	uint32_t page_size;
	/* Where FRAME of SPACE lives (LOC->stream set). */
	struct gc_error *(*locate)(void *ctx, enum gc_space space,
				   uint64_t frame, struct gc_page_loc *loc);
	/* Decode LOC's stored bytes into OUT with decoder state DC;
	 * SEQUENTIAL: part of a sequential pass. */
	struct gc_error *(*decode)(void *ctx, const struct gc_page_loc *loc,
				   uint8_t *out, struct gc_decoder *dc,
				   bool sequential);
	/* The caller thread's decoder state (used when it helps). */
	struct gc_decoder *dec;
};

/* Bytes decoded ahead of the caller at most. */
#define GC_READAHEAD_BYTES (4u << 20)
/* Ascending decodes in a row that start read-ahead. */
#define GC_READAHEAD_TRIGGER 4
/* A forward jump of at most this many frames still counts as sequential
 * (excluded and zero pages between two stored ones are not decoded). */
#define GC_READAHEAD_MAX_GAP 64

/* A read-ahead over SRC (copied); NULL when out of memory. */
struct gc_readahead *gc_readahead_new(const struct gc_readahead_src *src);
/* Decode LOC (a PRESENT page whose stored bytes need decoding, longer
 * than GC_ZERO_MEMO_MAX) of FRAME into BUF through the read-ahead cache. */
struct gc_error *gc_readahead_page(struct gc_readahead *ra,
				   const struct gc_page_loc *loc,
				   uint64_t frame, enum gc_space space,
				   void *buf);
/* Note that the caller reads FRAME, a short page it decodes itself
 * (a zero page and the like: never worth a trip to the other core). */
void gc_readahead_note(struct gc_readahead *ra, uint64_t frame,
		       enum gc_space space);
/* Stop and join the worker, free everything (NULL is fine). */
void gc_readahead_free(struct gc_readahead *ra);

struct gc_readahead_stats {
	uint64_t hits, misses;    /* caller lookups */
	uint64_t ahead;           /* pages decoded by the worker */
	uint64_t helped;          /* pages the caller decoded ahead */
	uint64_t ahead_failed;    /* pages ahead that did not decode */
	uint64_t waits;           /* times the caller waited for a page */
	uint64_t short_pages;     /* short pages the caller decoded inline */
	bool thread_started;
};
/* Zeroes when RA is NULL. */
void gc_readahead_stats(struct gc_readahead *ra,
			struct gc_readahead_stats *out);

#endif
