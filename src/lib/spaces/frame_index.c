// SPDX-License-Identifier: MIT
/* pfn/mfn frame index: compact columns, chunk table, open-addressing hash. */
#include <stdlib.h>
#include <string.h>

#include "frame_index.h"
#include "../util/util.h"

#define BATCH 4096
#define CHUNK_SHIFT 9

static inline uint64_t hash_slot(uint64_t key, uint64_t cap)
{
	uint64_t h = (key * 0x9E3779B97F4A7C15ull) >> 32;
	return (h * cap) >> 32;
}

/*
 * A slot holds (low 32 bits of the key) << 32 | (entry index + 1); 0 is
 * empty.  The tag settles most comparisons without touching the column
 * (all of them when the column is 32-bit wide), so an insert or a lookup
 * costs one cache miss.
 */
static inline uint64_t slot_value(uint64_t key, uint64_t i)
{
	return ((uint64_t)(uint32_t)key << 32) | (i + 1);
}

/* Slot S's value: tagged (64-bit slots) or bare index + 1 (32-bit). */
static inline uint64_t slot_get(const struct gc_u32_hash *h, uint64_t s)
{
	return h->slots ? h->slots[s] : h->slots32[s];
}

static inline bool slot_matches(const struct gc_u32_hash *h, uint64_t v,
				const struct gc_column *c, uint64_t key)
{
	if (h->slots32)
		return gc_column_get(c, v - 1) == key;
	if ((uint32_t)(v >> 32) != (uint32_t)key)
		return false;
	return c->w32 ? true : gc_column_get(c, (uint32_t)v - 1) == key;
}

/*
 * Compact columns get tagged 8-byte slots (no column read on a probe);
 * wide (64-bit) columns get bare 4-byte slots, so a page never costs
 * more than 24 bytes in a well-formed dump.
 */
static struct gc_error *hash_init(struct gc_u32_hash *h, uint64_t n,
				  bool wide)
{
	h->cap = n + n / 2 + 1;
	if (wide)
		h->slots32 = calloc(h->cap, sizeof(uint32_t));
	else
		h->slots = calloc(h->cap, sizeof(uint64_t));
	return (h->slots || h->slots32) ? NULL : &gc_error_nomem;
}

static inline void hash_prefetch(const struct gc_u32_hash *h, uint64_t key)
{
	uint64_t s = hash_slot(key, h->cap);
	if (h->slots)
		__builtin_prefetch(&h->slots[s], 1);
	else
		__builtin_prefetch(&h->slots32[s], 1);
}

/* Insert entry I with KEY; returns the index already holding KEY, or
 * GC_INDEX_NONE when inserted. */
static uint64_t hash_insert(struct gc_u32_hash *h, const struct gc_column *c,
			    uint64_t key, uint64_t i)
{
	uint64_t s = hash_slot(key, h->cap);
	for (;;) {
		uint64_t v = slot_get(h, s);
		if (!v) {
			if (h->slots)
				h->slots[s] = slot_value(key, i);
			else
				h->slots32[s] = (uint32_t)(i + 1);
			return GC_INDEX_NONE;
		}
		if (slot_matches(h, v, c, key))
			return (uint32_t)v - 1;
		if (++s == h->cap)
			s = 0;
	}
}

static uint64_t hash_find(const struct gc_u32_hash *h,
			  const struct gc_column *c, uint64_t key)
{
	if (!h->slots && !h->slots32)
		return GC_INDEX_NONE;
	uint64_t s = hash_slot(key, h->cap);
	for (;;) {
		uint64_t v = slot_get(h, s);
		if (!v)
			return GC_INDEX_NONE;
		if (slot_matches(h, v, c, key))
			return (uint32_t)v - 1;
		if (++s == h->cap)
			s = 0;
	}
}

static struct gc_error *column_alloc(struct gc_column *c, uint64_t n,
				     bool wide)
{
	if (wide)
		c->w64 = malloc((n ? n : 1) * sizeof(uint64_t));
	else
		c->w32 = malloc((n ? n : 1) * sizeof(uint32_t));
	return (c->w64 || c->w32) ? NULL : &gc_error_nomem;
}

static inline void column_set(struct gc_column *c, uint64_t i, uint64_t v)
{
	if (c->w32)
		c->w32[i] = v == GC_FRAME_INVALID ? UINT32_MAX : (uint32_t)v;
	else
		c->w64[i] = v;
}

/* The table gc_frame_index_build reads, a batch of at most BATCH entries at
 * a time: entries START to START + CNT are in PB and MB (NULL for a column
 * the table lacks). */
struct batches {
	gc_index_source_fn *get;
	void *ctx;
	uint64_t n, start, cnt;
	uint64_t *pb, *mb;
};

/* Reads the batch after the one in B: false at the end of the table or on
 * an error (in *ERR). */
static bool next_batch(struct batches *b, struct gc_error **err)
{
	b->start += b->cnt;
	if (b->start >= b->n)
		return false;
	b->cnt = GC_MIN((uint64_t)BATCH, b->n - b->start);
	*err = b->get(b->ctx, b->start, b->cnt, b->pb, b->mb);
	return !*err;
}

/* Entry K of the batch: its pfn and mfn (0 for a column the table lacks);
 * true when it is invalid (its pfn, or without pfns its mfn, is
 * GC_FRAME_INVALID). */
static inline bool batch_entry(const struct batches *b, uint64_t k,
			       uint64_t *p, uint64_t *m)
{
	*p = b->pb ? b->pb[k] : 0;
	*m = b->mb ? b->mb[k] : 0;
	return b->pb ? *p == GC_FRAME_INVALID : *m == GC_FRAME_INVALID;
}

struct gc_error *gc_frame_index_build(struct gc_frame_index *idx, uint64_t n,
				      bool has_pfn, bool has_mfn,
				      gc_index_source_fn *get, void *ctx)
{
	memset(idx, 0, sizeof(*idx));
	idx->n = n;
	idx->has_pfn = has_pfn;
	idx->has_mfn = has_mfn;
	idx->first_unsorted = GC_INDEX_NONE;
	idx->first_invalid = GC_INDEX_NONE;
	idx->min_pfn = idx->min_mfn = UINT64_MAX;
	if (n >= UINT32_MAX)
		return gc_error_new(GC_ERR_UNSUPPORTED, "page index",
				    "%llu entries is more than the 4294967294 "
				    "this reader handles",
				    (unsigned long long)n);
	uint64_t *pb = malloc(BATCH * sizeof(uint64_t));
	uint64_t *mb = malloc(BATCH * sizeof(uint64_t));
	struct gc_error *err = NULL;
	if (!pb || !mb) {
		err = &gc_error_nomem;
		goto out;
	}
	/* Pass 1: value ranges, sortedness, invalid entries. */
	uint64_t prev_pfn = 0;
	bool have_prev = false, seen_invalid = false, adjacent_dup = false;
	struct batches bt = { get, ctx, n, 0, 0, has_pfn ? pb : NULL,
			      has_mfn ? mb : NULL };
	while (next_batch(&bt, &err)) {
		for (uint64_t k = 0; k < bt.cnt; k++) {
			uint64_t i = bt.start + k, p, m;
			bool invalid = batch_entry(&bt, k, &p, &m);
			if (invalid) {
				if (!seen_invalid)
					idx->first_invalid = i;
				seen_invalid = true;
				idx->nr_invalid++;
				continue;
			}
			if (seen_invalid)
				idx->nr_invalid_inside = idx->nr_invalid;
			idx->nr_valid++;
			if (has_pfn) {
				if (have_prev && p < prev_pfn &&
				    idx->first_unsorted == GC_INDEX_NONE) {
					idx->first_unsorted = i;
					idx->first_unsorted_prev = prev_pfn;
				}
				if (have_prev && p == prev_pfn)
					adjacent_dup = true;
				prev_pfn = p;
				have_prev = true;
				idx->min_pfn = GC_MIN(idx->min_pfn, p);
				idx->max_pfn = GC_MAX(idx->max_pfn, p);
			}
			if (has_mfn && m != GC_FRAME_INVALID) {
				idx->min_mfn = GC_MIN(idx->min_mfn, m);
				idx->max_mfn = GC_MAX(idx->max_mfn, m);
			}
		}
	}
	if (err)
		goto out;
	/* A pfn column with invalid entries inside is not usable sorted. */
	idx->pfn_sorted = has_pfn && idx->first_unsorted == GC_INDEX_NONE &&
			  !adjacent_dup && idx->nr_invalid_inside == 0;
	if (has_pfn)
		err = column_alloc(&idx->pfn, n,
				   idx->nr_valid && idx->max_pfn >= UINT32_MAX);
	if (!err && has_mfn)
		err = column_alloc(&idx->mfn, n,
				   idx->nr_valid && idx->max_mfn >= UINT32_MAX);
	if (!err && has_mfn)
		err = hash_init(&idx->mfn_hash, n, idx->mfn.w64 != NULL);
	if (!err && has_pfn && !idx->pfn_sorted)
		err = hash_init(&idx->pfn_hash, n, idx->pfn.w64 != NULL);
	if (err)
		goto out;
	/* Pass 2: fill columns and hashes, find duplicates. */
	bt.start = bt.cnt = 0;
	while (next_batch(&bt, &err)) {
		uint64_t cnt = bt.cnt;
		for (uint64_t k = 0; k < cnt; k++) {
			uint64_t i = bt.start + k, p, m;
			bool invalid = batch_entry(&bt, k, &p, &m);
			/* overlap the hash's cache misses */
			if (k + 16 < cnt) {
				if (has_mfn)
					hash_prefetch(&idx->mfn_hash,
						      mb[k + 16]);
				if (has_pfn && !idx->pfn_sorted)
					hash_prefetch(&idx->pfn_hash,
						      pb[k + 16]);
			}
			if (invalid) {
				p = m = GC_FRAME_INVALID;
			}
			if (has_pfn)
				column_set(&idx->pfn, i, p);
			if (has_mfn)
				column_set(&idx->mfn, i, m);
			if (invalid)
				continue;
			if (has_pfn && !idx->pfn_sorted &&
			    hash_insert(&idx->pfn_hash, &idx->pfn, p, i) !=
				    GC_INDEX_NONE) {
				if (!idx->nr_dup_pfn++) {
					idx->first_dup_pfn = p;
					idx->first_dup_pfn_idx = i;
				}
			}
			if (has_mfn && m != GC_FRAME_INVALID &&
			    hash_insert(&idx->mfn_hash, &idx->mfn, m, i) !=
				    GC_INDEX_NONE) {
				if (!idx->nr_dup_mfn++) {
					idx->first_dup_mfn = m;
					idx->first_dup_mfn_idx = i;
				}
			}
		}
	}
	if (err)
		goto out;
	/* Chunk table for the sorted pfn column, when it stays small. */
	if (idx->pfn_sorted && idx->nr_valid) {
		uint64_t chunks = (idx->max_pfn >> CHUNK_SHIFT) + 1;
		if (chunks <= idx->nr_valid + 1024) {
			idx->chunk = malloc((chunks + 1) * sizeof(uint32_t));
			if (!idx->chunk) {
				err = &gc_error_nomem;
				goto out;
			}
			idx->nr_chunks = chunks;
			uint64_t i = 0;
			for (uint64_t c = 0; c <= chunks; c++) {
				uint64_t lo = c << CHUNK_SHIFT;
				while (i < idx->nr_valid &&
				       gc_column_get(&idx->pfn, i) < lo)
					i++;
				idx->chunk[c] = (uint32_t)i;
			}
		}
	}
	uint64_t colw = (idx->pfn.w64 ? 8 : idx->pfn.w32 ? 4 : 0) +
			(idx->mfn.w64 ? 8 : idx->mfn.w32 ? 4 : 0);
	idx->memory_bytes = n * colw + idx->mfn_hash.cap * (idx->mfn_hash.slots ? 8 : 4) +
			    idx->pfn_hash.cap * (idx->pfn_hash.slots ? 8 : 4) +
			    (idx->chunk ? (idx->nr_chunks + 1) * 4 : 0);
out:
	free(pb);
	free(mb);
	if (err)
		gc_frame_index_free(idx);
	return err;
}

void gc_frame_index_free(struct gc_frame_index *idx)
{
	free(idx->pfn.w32);
	free(idx->pfn.w64);
	free(idx->mfn.w32);
	free(idx->mfn.w64);
	free(idx->chunk);
	free(idx->pfn_hash.slots);
	free(idx->mfn_hash.slots);
	free(idx->pfn_hash.slots32);
	free(idx->mfn_hash.slots32);
	memset(idx, 0, sizeof(*idx));
}

/* Binary search of the sorted pfn column over entries [lo, hi). */
static uint64_t bsearch_pfn(const struct gc_frame_index *idx, uint64_t lo,
			    uint64_t hi, uint64_t pfn)
{
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		uint64_t v = gc_column_get(&idx->pfn, mid);
		if (v == pfn)
			return mid;
		if (v < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return GC_INDEX_NONE;
}

uint64_t gc_frame_index_find_pfn(const struct gc_frame_index *idx,
				 uint64_t pfn)
{
	if (!idx->has_pfn || pfn == GC_FRAME_INVALID)
		return GC_INDEX_NONE;
	if (!idx->pfn_sorted)
		return hash_find(&idx->pfn_hash, &idx->pfn, pfn);
	if (!idx->nr_valid || pfn > idx->max_pfn)
		return GC_INDEX_NONE;
	uint64_t lo = 0, hi = idx->nr_valid;
	if (idx->chunk) {
		uint64_t c = pfn >> CHUNK_SHIFT;
		lo = idx->chunk[c];
		hi = idx->chunk[c + 1];
		if (lo >= hi)
			return GC_INDEX_NONE;
		/* Dense runs: the entry is usually where arithmetic says. */
		uint64_t first = gc_column_get(&idx->pfn, lo);
		if (pfn >= first) {
			uint64_t guess = lo + (pfn - first);
			if (guess < hi &&
			    gc_column_get(&idx->pfn, guess) == pfn)
				return guess;
		}
	}
	return bsearch_pfn(idx, lo, hi, pfn);
}

uint64_t gc_frame_index_find_mfn(const struct gc_frame_index *idx,
				 uint64_t mfn)
{
	if (!idx->has_mfn || mfn == GC_FRAME_INVALID)
		return GC_INDEX_NONE;
	return hash_find(&idx->mfn_hash, &idx->mfn, mfn);
}

/* ---- the index as a translation ---------------------------------------- */

#define XLAT_RUN_MAX 16 /* pages one answer covers at most */

struct index_xlat {
	const struct gc_frame_index *idx;
	bool to_mach;
	unsigned int shift;
	char *reason;
};

/* First valid entry of the sorted pfn column with pfn >= PFN. */
static uint64_t lower_bound_pfn(const struct gc_frame_index *idx,
				uint64_t pfn)
{
	uint64_t lo = 0, hi = idx->nr_valid;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (gc_column_get(&idx->pfn, mid) < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct gc_error *index_xlat_lookup(struct gc_xlat *x, uint64_t addr,
					  struct gc_xlat_run *out)
{
	const struct index_xlat *ix = x->priv;
	const struct gc_frame_index *idx = ix->idx;
	const struct gc_column *src = ix->to_mach ? &idx->pfn : &idx->mfn;
	const struct gc_column *dst = ix->to_mach ? &idx->mfn : &idx->pfn;
	uint64_t psize = 1ull << ix->shift;
	uint64_t frame = addr >> ix->shift, off = addr & (psize - 1);
	uint64_t i = ix->to_mach ? gc_frame_index_find_pfn(idx, frame) :
				   gc_frame_index_find_mfn(idx, frame);
	uint64_t t = i == GC_INDEX_NONE ? GC_FRAME_INVALID :
					  gc_column_get(dst, i);
	/* the target frame must have a byte address */
	if (t != GC_FRAME_INVALID && t > (UINT64_MAX >> ix->shift))
		t = GC_FRAME_INVALID;
	if (t == GC_FRAME_INVALID) {
		*out = (struct gc_xlat_run){ .status = GC_XLAT_UNMAPPED,
					     .len = psize - off,
					     .reason = ix->reason };
		if (ix->to_mach && idx->pfn_sorted && frame < UINT64_MAX) {
			uint64_t j = lower_bound_pfn(idx, frame + 1);
			uint64_t next = j < idx->nr_valid ?
				gc_column_get(&idx->pfn, j) : UINT64_MAX;
			if (next > (UINT64_MAX >> ix->shift))
				out->len = UINT64_MAX - addr + 1;
			else
				out->len = (next << ix->shift) - addr;
			if (!out->len)
				out->len = UINT64_MAX;
		}
		return NULL;
	}
	/* Later entries continue the run when they continue both columns,
	 * unless the source column has duplicates (a lookup of such a
	 * frame answers with its first copy, maybe not the next entry). */
	bool unique = ix->to_mach ? (idx->pfn_sorted || !idx->nr_dup_pfn) :
				    !idx->nr_dup_mfn;
	uint64_t n = 1;
	uint64_t most = unique ? GC_MIN(XLAT_RUN_MAX, idx->n - i) : 1;
	if (src->w32 && dst->w32) {
		/* compact columns: valid values are below UINT32_MAX, the
		 * marker of an invalid entry, which a[0] + n (64-bit) can
		 * reach: the run stops there, as a lookup would */
		const uint32_t *a = src->w32 + i, *b = dst->w32 + i;
		while (n < most && a[n] != UINT32_MAX && b[n] != UINT32_MAX &&
		       a[n] == a[0] + n && b[n] == b[0] + n)
			n++;
	} else {
		/* wide columns: t + n stays at most 2^64 >> shift, never
		 * GC_FRAME_INVALID, so an invalid entry ends the run */
		while (n < most && frame + n > frame &&
		       t + n <= (UINT64_MAX >> ix->shift) &&
		       gc_column_get(src, i + n) == frame + n &&
		       gc_column_get(dst, i + n) == t + n)
			n++;
	}
	*out = (struct gc_xlat_run){ .status = GC_XLAT_MAPPED,
				     .target = (t << ix->shift) | off,
				     .len = (n << ix->shift) - off };
	return NULL;
}

static void index_xlat_destroy(struct gc_xlat *x)
{
	struct index_xlat *ix = x->priv;
	if (ix)
		free(ix->reason);
	free(ix);
}

static const struct gc_xlat_ops index_xlat_ops = {
	.lookup = index_xlat_lookup,
	.destroy = index_xlat_destroy,
};

struct gc_error *gc_frame_index_xlat(const struct gc_frame_index *idx,
				     bool to_mach, unsigned int page_shift,
				     const char *reason, struct gc_xlat **out)
{
	*out = NULL;
	if (!idx->has_pfn || !idx->has_mfn || page_shift >= 32)
		return gc_error_new(GC_ERR_INVALID_ARG, "page index",
				    "a translation needs both a pfn and an "
				    "mfn column");
	struct index_xlat *ix = calloc(1, sizeof(*ix));
	if (!ix)
		return &gc_error_nomem;
	ix->idx = idx;
	ix->to_mach = to_mach;
	ix->shift = page_shift;
	ix->reason = strdup(reason ? reason : "is not in the page index");
	if (!ix->reason) {
		free(ix);
		return &gc_error_nomem;
	}
	return gc_xlat_new(&index_xlat_ops, ix,
			   to_mach ? "xen-p2m" : "xen-m2p",
			   to_mach ? GC_SPACE_PHYS : GC_SPACE_MACH,
			   to_mach ? GC_SPACE_MACH : GC_SPACE_PHYS, UINT64_MAX,
			   out);
}
