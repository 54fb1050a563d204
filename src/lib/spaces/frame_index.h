// SPDX-License-Identifier: MIT
/*
 * The frame index of a dump whose pages are listed by (pfn, mfn) pairs:
 * entry i describes page i of the file.  Lookups pfn -> i and mfn -> i are
 * O(1) expected after one O(n) build, never a scan per lookup.
 *
 * Memory: 4 bytes per column value when every value fits in 32 bits
 * (machine memory below 16 TiB) plus 12 bytes per entry for the tagged mfn
 * hash: 20 B/page for a PV dump (HVM: 4).  With 64-bit frame numbers the
 * columns take 8 and the hash 6 (untagged): 22.  Only a damaged dump whose
 * pfn column is not sorted pays for a second hash (+12 or +6).
 */
#ifndef GC_FRAME_INDEX_H
#define GC_FRAME_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "guestcore/error.h"
#include "spaces/xlat.h"

#define GC_FRAME_INVALID UINT64_MAX
#define GC_INDEX_NONE UINT64_MAX

struct gc_column {
	uint32_t *w32;  /* compact storage, UINT32_MAX = invalid */
	uint64_t *w64;  /* wide storage, UINT64_MAX = invalid */
};

struct gc_u32_hash {
	uint64_t *slots;    /* key tag << 32 | entry index + 1; 0 = empty */
	uint32_t *slots32;  /* (wide columns) entry index + 1; 0 = empty */
	uint64_t cap;
};

struct gc_frame_index {
	uint64_t n;
	bool has_pfn, has_mfn;
	struct gc_column pfn, mfn;
	/* pfn lookup: sorted column with a chunk table, or a hash */
	bool pfn_sorted;
	uint32_t *chunk;        /* first entry with pfn >= c << 9 */
	uint64_t nr_chunks;
	struct gc_u32_hash pfn_hash;
	struct gc_u32_hash mfn_hash;
	/* what the build saw (for check and info) */
	uint64_t nr_valid;
	uint64_t nr_invalid;
	uint64_t nr_invalid_inside;   /* invalid entries before a valid one */
	uint64_t first_invalid;       /* entry index */
	uint64_t nr_dup_pfn, first_dup_pfn, first_dup_pfn_idx;
	uint64_t nr_dup_mfn, first_dup_mfn, first_dup_mfn_idx;
	uint64_t first_unsorted;      /* entry index, or GC_INDEX_NONE */
	uint64_t first_unsorted_prev; /* the valid pfn it follows */
	uint64_t min_pfn, max_pfn, min_mfn, max_mfn;
	uint64_t memory_bytes;
};

/*
 * Build from a column source: GET fills pfn[i] / mfn[i] for entries
 * [start, start+count) (either array may be NULL when the column is
 * absent).  It is called twice over the whole index.
 */
typedef struct gc_error *gc_index_source_fn(void *ctx, uint64_t start,
					    uint64_t count, uint64_t *pfn,
					    uint64_t *mfn);
struct gc_error *gc_frame_index_build(struct gc_frame_index *idx, uint64_t n,
				      bool has_pfn, bool has_mfn,
				      gc_index_source_fn *get, void *ctx);
void gc_frame_index_free(struct gc_frame_index *idx);

static inline uint64_t gc_column_get(const struct gc_column *c, uint64_t i)
{
	if (c->w32) {
		uint32_t v = c->w32[i];
		return v == UINT32_MAX ? GC_FRAME_INVALID : v;
	}
	return c->w64[i];
}

/* Entry index of PFN / MFN, or GC_INDEX_NONE. */
uint64_t gc_frame_index_find_pfn(const struct gc_frame_index *idx,
				 uint64_t pfn);
uint64_t gc_frame_index_find_mfn(const struct gc_frame_index *idx,
				 uint64_t mfn);

/*
 * The index as a translation between its columns (both must be present):
 * PHYS -> MACH (pfn -> mfn, "xen-p2m") when TO_MACH, else MACH -> PHYS
 * ("xen-m2p").  Addresses are bytes (frame << PAGE_SHIFT | offset).  A
 * lookup is one index search; a mapped answer runs on while the next
 * entries continue both columns by one (at most 4096 pages per answer),
 * an unmapped one (sorted pfn column) up to the next listed pfn.  IDX
 * must outlive the xlat.  REASON (copied) is said for frames the index
 * does not list ("is not in the page index (N pages)").
 */
struct gc_error *gc_frame_index_xlat(const struct gc_frame_index *idx,
				     bool to_mach, unsigned int page_shift,
				     const char *reason, struct gc_xlat **out);

#endif
