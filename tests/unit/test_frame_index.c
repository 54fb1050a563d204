// SPDX-License-Identifier: MIT
/*
 * The pfn/mfn frame index (src/lib/spaces/frame_index.c) on synthetic
 * columns: sorted and unsorted pfns, holes, invalid entries at the tail and
 * inside, duplicates, 32- and 64-bit frame numbers, pfn-only and mfn-only
 * indexes, a failing source, and a large fragmented index checked entry by
 * entry in both directions.
 */
#include <stdlib.h>

#include "harness.h"
#include "spaces/frame_index.h"
#include "guestcore/error.h"

struct src {
	const uint64_t *pfn, *mfn;
	uint64_t fail_at;   /* fail a batch starting at or after this */
	unsigned calls;
};

static struct gc_error *get(void *ctx, uint64_t start, uint64_t count,
			    uint64_t *pfn, uint64_t *mfn)
{
	struct src *s = ctx;
	s->calls++;
	if (start + count > s->fail_at)
		return gc_error_at(GC_ERR_TRUNCATED, start * 16, "page index",
				   "synthetic failure");
	for (uint64_t k = 0; k < count; k++) {
		if (pfn)
			pfn[k] = s->pfn[start + k];
		if (mfn)
			mfn[k] = s->mfn[start + k];
	}
	return NULL;
}

#define INV GC_FRAME_INVALID
#define BUILD(idx, n, p, m, hp, hm)                                        \
	struct src s_ = { p, m, UINT64_MAX, 0 };                          \
	CHECK_OK(gc_frame_index_build(idx, n, hp, hm, get, &s_))

TEST(sorted_with_holes)
{
	static const uint64_t p[] = { 0, 1, 2, 10, 11, 600, 601, 5000 };
	static const uint64_t m[] = { 90, 91, 7, 8, 1000, 3, 4, 77 };
	struct gc_frame_index ix;
	BUILD(&ix, 8, p, m, true, true);
	CHECK(ix.pfn_sorted);
	CHECK(ix.chunk != NULL);
	CHECK(ix.pfn.w32 && ix.mfn.w32);
	CHECK_EQ_U64(ix.nr_valid, 8);
	CHECK_EQ_U64(ix.nr_invalid, 0);
	CHECK_EQ_U64(ix.first_unsorted, GC_INDEX_NONE);
	CHECK_EQ_U64(ix.min_pfn, 0);
	CHECK_EQ_U64(ix.max_pfn, 5000);
	CHECK_EQ_U64(ix.min_mfn, 3);
	CHECK_EQ_U64(ix.max_mfn, 1000);
	for (uint64_t i = 0; i < 8; i++) {
		CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, p[i]), i);
		CHECK_EQ_U64(gc_frame_index_find_mfn(&ix, m[i]), i);
	}
	static const uint64_t absent[] = { 3, 9, 12, 511, 512, 599, 602, 4999,
					   5001, 1ull << 40, INV };
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, absent[i]),
			     GC_INDEX_NONE);
	CHECK_EQ_U64(gc_frame_index_find_mfn(&ix, 5), GC_INDEX_NONE);
	CHECK_EQ_U64(gc_frame_index_find_mfn(&ix, INV), GC_INDEX_NONE);
	/* the source was read twice, one batch each */
	CHECK_EQ_U64(s_.calls, 2);
	gc_frame_index_free(&ix);
}

TEST(unsorted_uses_hash)
{
	static const uint64_t p[] = { 0, 1, 5, 4, 6, 7 };
	static const uint64_t m[] = { 10, 11, 15, 14, 16, 17 };
	struct gc_frame_index ix;
	BUILD(&ix, 6, p, m, true, true);
	CHECK(!ix.pfn_sorted);
	CHECK(ix.pfn_hash.slots != NULL);
	CHECK_EQ_U64(ix.first_unsorted, 3);
	CHECK_EQ_U64(ix.first_unsorted_prev, 5);
	for (uint64_t i = 0; i < 6; i++)
		CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, p[i]), i);
	CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, 2), GC_INDEX_NONE);
	CHECK_EQ_U64(ix.nr_dup_pfn, 0);
	gc_frame_index_free(&ix);
}

TEST(duplicates_keep_first)
{
	static const uint64_t p[] = { 0, 1, 1, 2, 3, 3, 3 };
	static const uint64_t m[] = { 50, 51, 52, 50, 53, 54, 51 };
	struct gc_frame_index ix;
	BUILD(&ix, 7, p, m, true, true);
	CHECK(!ix.pfn_sorted); /* adjacent duplicates are not "sorted" */
	CHECK_EQ_U64(ix.nr_dup_pfn, 3);
	CHECK_EQ_U64(ix.first_dup_pfn, 1);
	CHECK_EQ_U64(ix.first_dup_pfn_idx, 2);
	CHECK_EQ_U64(ix.nr_dup_mfn, 2);
	CHECK_EQ_U64(ix.first_dup_mfn, 50);
	CHECK_EQ_U64(ix.first_dup_mfn_idx, 3);
	CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, 1), 1);
	CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, 3), 4);
	CHECK_EQ_U64(gc_frame_index_find_mfn(&ix, 50), 0);
	CHECK_EQ_U64(gc_frame_index_find_mfn(&ix, 51), 1);
	gc_frame_index_free(&ix);
}

TEST(invalid_tail)
{
	static const uint64_t p[] = { 4, 5, 6, INV, INV };
	static const uint64_t m[] = { 1, 2, 3, INV, INV };
	struct gc_frame_index ix;
	BUILD(&ix, 5, p, m, true, true);
	CHECK(ix.pfn_sorted);
	CHECK_EQ_U64(ix.nr_valid, 3);
	CHECK_EQ_U64(ix.nr_invalid, 2);
	CHECK_EQ_U64(ix.nr_invalid_inside, 0);
	CHECK_EQ_U64(ix.first_invalid, 3);
	CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, 6), 2);
	CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, INV), GC_INDEX_NONE);
	CHECK_EQ_U64(gc_frame_index_find_mfn(&ix, INV), GC_INDEX_NONE);
	CHECK_EQ_U64(gc_column_get(&ix.pfn, 4), INV);
	gc_frame_index_free(&ix);
}

TEST(invalid_inside)
{
	static const uint64_t p[] = { 4, INV, 6, 7, INV };
	static const uint64_t m[] = { 1, INV, 3, 9, INV };
	struct gc_frame_index ix;
	BUILD(&ix, 5, p, m, true, true);
	CHECK(!ix.pfn_sorted);
	CHECK_EQ_U64(ix.nr_invalid, 2);
	CHECK_EQ_U64(ix.nr_invalid_inside, 1);
	CHECK_EQ_U64(ix.first_invalid, 1);
	CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, 6), 2);
	CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, 7), 3);
	CHECK_EQ_U64(gc_frame_index_find_mfn(&ix, 9), 3);
	gc_frame_index_free(&ix);
}

TEST(wide_frames)
{
	static const uint64_t p[] = { 1, 2, 0x100000000ull, 0x7ffffffffffull };
	static const uint64_t m[] = { 0xfffffffffull, 0x100000000ull, 7,
				      0xfffffffeull };
	struct gc_frame_index ix;
	BUILD(&ix, 4, p, m, true, true);
	CHECK(ix.pfn.w64 && ix.mfn.w64);
	CHECK(ix.chunk == NULL); /* the pfn span is far too sparse */
	for (uint64_t i = 0; i < 4; i++) {
		CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, p[i]), i);
		CHECK_EQ_U64(gc_frame_index_find_mfn(&ix, m[i]), i);
	}
	CHECK_EQ_U64(gc_frame_index_find_mfn(&ix, 0xffffffffull),
		     GC_INDEX_NONE);
	CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, 0x100000001ull),
		     GC_INDEX_NONE);
	CHECK_EQ_U64(ix.memory_bytes, 4 * 16 + ix.mfn_hash.cap * 4);
	gc_frame_index_free(&ix);
}

TEST(pfn_only_and_mfn_only)
{
	static const uint64_t p[] = { 0, 1, 2, 0xc0, 0xc1, INV };
	struct gc_frame_index ix;
	{
		BUILD(&ix, 6, p, NULL, true, false);
		CHECK(!ix.has_mfn && ix.mfn_hash.slots == NULL);
		CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, 0xc1), 4);
		CHECK_EQ_U64(gc_frame_index_find_mfn(&ix, 0), GC_INDEX_NONE);
		CHECK_EQ_U64(ix.nr_valid, 5);
		gc_frame_index_free(&ix);
	}
	static const uint64_t m[] = { 8, INV, 3, 3 };
	{
		BUILD(&ix, 4, NULL, m, false, true);
		CHECK_EQ_U64(gc_frame_index_find_mfn(&ix, 3), 2);
		CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, 0), GC_INDEX_NONE);
		CHECK_EQ_U64(ix.nr_dup_mfn, 1);
		CHECK_EQ_U64(ix.nr_invalid_inside, 1);
		gc_frame_index_free(&ix);
	}
}

TEST(empty)
{
	struct gc_frame_index ix;
	BUILD(&ix, 0, NULL, NULL, true, true);
	CHECK_EQ_U64(ix.nr_valid, 0);
	CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, 0), GC_INDEX_NONE);
	CHECK_EQ_U64(gc_frame_index_find_mfn(&ix, 0), GC_INDEX_NONE);
	gc_frame_index_free(&ix);
}

TEST(source_error_propagates)
{
	uint64_t *p = calloc(10000, 8), *m = calloc(10000, 8);
	CHECK(p && m);
	for (int i = 0; i < 10000; i++)
		p[i] = m[i] = (uint64_t)i;
	struct src s = { p, m, 5000, 0 };
	struct gc_frame_index ix;
	struct gc_error *err = gc_frame_index_build(&ix, 10000, true, true,
						    get, &s);
	free(p);
	free(m);
	CHECK(err != NULL);
	CHECK_EQ_U64(gc_error_code(err), GC_ERR_TRUNCATED);
	uint64_t eoff = 0;
	CHECK(gc_error_offset(err, &eoff));
	CHECK_EQ_U64(eoff, 4096 * 16);
	gc_error_free(err);
	/* the failed build left nothing allocated */
	CHECK(ix.pfn.w32 == NULL && ix.mfn_hash.slots == NULL);
}

TEST(too_many_entries)
{
	struct src s = { NULL, NULL, UINT64_MAX, 0 };
	struct gc_frame_index ix;
	struct gc_error *err = gc_frame_index_build(&ix, 1ull << 33, true,
						    true, get, &s);
	CHECK(err != NULL);
	CHECK_EQ_U64(gc_error_code(err), GC_ERR_UNSUPPORTED);
	CHECK_EQ_U64(s.calls, 0);
	gc_error_free(err);
}

/* 200000 entries, pfns in runs with holes, mfns a seeded permutation of
 * every other frame: every lookup in both directions is exact. */
TEST(large_fragmented)
{
	const uint64_t n = 200000;
	uint64_t *p = malloc(n * 8), *m = malloc(n * 8);
	CHECK(p && m);
	uint64_t f = 0, seed = 42;
	for (uint64_t i = 0; i < n; i++) {
		if (i % 1000 == 999)
			f += 37; /* a hole */
		p[i] = f++;
		m[i] = 0x100000 + 2 * i;
	}
	for (uint64_t i = n; i > 1; i--) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t j = (seed >> 33) % i, t = m[i - 1];
		m[i - 1] = m[j];
		m[j] = t;
	}
	struct src s = { p, m, UINT64_MAX, 0 };
	struct gc_frame_index ix;
	struct gc_error *err = gc_frame_index_build(&ix, n, true, true, get,
						    &s);
	bool ok = !err;
	for (uint64_t i = 0; ok && i < n; i++)
		ok = gc_frame_index_find_pfn(&ix, p[i]) == i &&
		     gc_frame_index_find_mfn(&ix, m[i]) == i &&
		     gc_frame_index_find_mfn(&ix, m[i] + 1) == GC_INDEX_NONE;
	uint64_t hole = p[998] + 1; /* p[999] follows a 37-frame hole */
	free(p);
	free(m);
	CHECK_OK(err);
	CHECK(ok);
	CHECK(ix.pfn_sorted);
	CHECK_EQ_U64(gc_frame_index_find_pfn(&ix, hole), GC_INDEX_NONE);
	/* 4 + 4 bytes of columns and 1.5 tagged hash slots of 8 bytes per
	 * entry: 20 bytes per page, within the 24 the design allows */
	CHECK(ix.memory_bytes <= n * 21);
	CHECK(ix.memory_bytes >= n * 19);
	gc_frame_index_free(&ix);
}

/* The index as xlats: runs coalesced where both columns continue, holes
 * of a sorted pfn column answered up to the next listed pfn, byte offsets
 * carried through, duplicates never coalesced past. */
TEST(xlat_runs_both_ways)
{
	static const uint64_t p[] = { 0, 1, 2, 3, 10, 11, 600, 601 };
	static const uint64_t m[] = { 90, 91, 92, 7, 8, 9, 3, 4 };
	struct gc_frame_index ix;
	BUILD(&ix, 8, p, m, true, true);
	struct gc_xlat *x, *y;
	struct gc_xlat_run r;
	CHECK_OK(gc_frame_index_xlat(&ix, true, 12, "is not listed", &x));
	CHECK_OK(gc_frame_index_xlat(&ix, false, 12, NULL, &y));
	CHECK(x->from == GC_SPACE_PHYS && x->to == GC_SPACE_MACH);
	CHECK(y->from == GC_SPACE_MACH && y->to == GC_SPACE_PHYS);
	/* pfn 0-2 -> mfn 90-92 is one run; pfn 3 -> 7 breaks it */
	CHECK_OK(gc_xlat_lookup(x, 0x123, &r));
	CHECK(r.status == GC_XLAT_MAPPED);
	CHECK_EQ_U64(r.target, (90ull << 12) | 0x123);
	CHECK_EQ_U64(r.len, 3 * 4096 - 0x123);
	CHECK_OK(gc_xlat_lookup(x, 3 << 12, &r));
	CHECK_EQ_U64(r.target, 7ull << 12);
	CHECK_EQ_U64(r.len, 4096);
	/* pfn 4-9 are a hole up to pfn 10 */
	CHECK_OK(gc_xlat_lookup(x, (5ull << 12) + 8, &r));
	CHECK(r.status == GC_XLAT_UNMAPPED);
	CHECK_EQ_U64(r.len, (5ull << 12) - 8);
	CHECK_STR(r.reason, "is not listed");
	/* past the last pfn: unmapped to the end of the space */
	CHECK_OK(gc_xlat_lookup(x, 602ull << 12, &r));
	CHECK(r.status == GC_XLAT_UNMAPPED);
	CHECK_EQ_U64(r.len, UINT64_MAX - (602ull << 12)); /* limit ~0 */
	/* m2p: mfn 7-9 -> pfn 3, 10, 11 (not one run: pfn 3 -> 10) */
	CHECK_OK(gc_xlat_lookup(y, 8ull << 12, &r));
	CHECK(r.status == GC_XLAT_MAPPED);
	CHECK_EQ_U64(r.target, 10ull << 12);
	CHECK_EQ_U64(r.len, 2 * 4096);
	CHECK_OK(gc_xlat_lookup(y, 5ull << 12, &r));
	CHECK(r.status == GC_XLAT_UNMAPPED);
	CHECK_EQ_U64(r.len, 4096);
	CHECK_STR(r.reason, "is not in the page index");
	gc_xlat_free(x);
	gc_xlat_free(y);
	gc_frame_index_free(&ix);
}

TEST(xlat_duplicates_answer_first_copy)
{
	/* unsorted, pfn 5 twice: the first copy answers, no run past it */
	static const uint64_t p[] = { 4, 5, 6, 5 };
	static const uint64_t m[] = { 20, 21, 22, 30 };
	struct gc_frame_index ix;
	BUILD(&ix, 4, p, m, true, true);
	CHECK_EQ_U64(ix.nr_dup_pfn, 1);
	struct gc_xlat *x;
	struct gc_xlat_run r;
	CHECK_OK(gc_frame_index_xlat(&ix, true, 12, NULL, &x));
	CHECK_OK(gc_xlat_lookup(x, 4ull << 12, &r));
	CHECK_EQ_U64(r.target, 20ull << 12);
	CHECK_EQ_U64(r.len, 4096);
	CHECK_OK(gc_xlat_lookup(x, 5ull << 12, &r));
	CHECK_EQ_U64(r.target, 21ull << 12);
	gc_xlat_free(x);
	gc_frame_index_free(&ix);
}

/* pfns and mfns 0xfffffff0-0xfffffffe, then an invalid entry: compact
 * columns store it as UINT32_MAX, exactly what a[0] + 15 reaches in
 * 64-bit arithmetic, so the run claimed pfn 0xffffffff -> mfn 0xffffffff
 * while a lookup of pfn 0xffffffff says unmapped.  Both directions stop
 * before the invalid entry. */
TEST(xlat_run_stops_at_invalid_entry)
{
	uint64_t p[16], m[16];
	for (uint64_t i = 0; i < 15; i++)
		p[i] = m[i] = 0xfffffff0ull + i;
	p[15] = m[15] = INV;
	struct gc_frame_index ix;
	BUILD(&ix, 16, p, m, true, true);
	CHECK(ix.pfn.w32 && ix.mfn.w32);
	CHECK_EQ_U64(ix.nr_valid, 15);
	struct gc_xlat *x, *y;
	struct gc_xlat_run r;
	CHECK_OK(gc_frame_index_xlat(&ix, true, 12, NULL, &x));
	CHECK_OK(gc_frame_index_xlat(&ix, false, 12, NULL, &y));
	bool ok = true;
	struct gc_xlat *both[2] = { x, y };
	for (int k = 0; k < 2; k++) {
		struct gc_error *e = gc_xlat_lookup(both[k],
						    0xfffffff0ull << 12, &r);
		ok = ok && !e && r.status == GC_XLAT_MAPPED &&
		     r.target == 0xfffffff0ull << 12 && r.len == 15 * 4096;
		gc_error_free(e);
		e = gc_xlat_lookup(both[k], 0xffffffffull << 12, &r);
		ok = ok && !e && r.status == GC_XLAT_UNMAPPED;
		gc_error_free(e);
	}
	gc_xlat_free(x);
	gc_xlat_free(y);
	gc_frame_index_free(&ix);
	CHECK(ok);
}

/* an mfn-only index (legacy PV) has no translation */
TEST(xlat_needs_both_columns)
{
	static const uint64_t m[] = { 20, 21, 22, 30 };
	struct gc_frame_index ix;
	BUILD(&ix, 4, NULL, m, false, true);
	struct gc_xlat *x;
	struct gc_error *err = gc_frame_index_xlat(&ix, true, 12, NULL, &x);
	CHECK(err && gc_error_code(err) == GC_ERR_INVALID_ARG && !x);
	gc_error_free(err);
	gc_frame_index_free(&ix);
}

TEST_MAIN()
