// SPDX-License-Identifier: MIT
/*
 * Read-ahead (src/lib/io/readahead.c): the same bytes with it on and off
 * for sequential and random reads in every codec, the worker really runs,
 * close while it is busy, and a corrupt page ahead is reported when (and
 * only when) it is read.  Fixtures come from $(BUILD)/mkvmcore.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "guestcore/guestcore.h"
#include "dump_internal.h"
#include "io/pagecache.h"
#include "io/readahead.h"

#define NPAGES 4096u

/* Make a 4096-page kdump with CODEC (pfns 100-199 excluded, 300-309
 * zero) and return its path (static buffer per call site). */
static const char *make(const char *codec, bool flat, char *path,
			size_t len)
{
	char name[64], args[256];
	snprintf(name, sizeof(name), "ra-%s%s.kdump", codec,
		 flat ? "-flat" : "");
	snprintf(args, sizeof(args), "--codec %s --pages 0-4095 "
		 "--max-mapnr 4096 --exclude 100-199 --zero 300-309 %s", codec,
		 flat ? "--flat" : "");
	return gc_test_mkvmcore(name, args, path, len);
}

static struct gc_dump *open_ra(const char *p, bool ra)
{
	struct gc_open_opts o = { .no_readahead = !ra };
	struct gc_dump *d = NULL;
	struct gc_error *e = gc_dump_open(p, &o, &d);
	if (e) {
		gc_test_fail(__FILE__, __LINE__, "%s", gc_error_string(e));
		gc_error_free(e);
		return NULL;
	}
	return d;
}

/* Read every page in order (missing pages filled); check the pattern. */
/* Read every page in order; with PACE, pause 200 us every 64 pages so
 * that the read-ahead thread is scheduled even when other processes hold
 * both CPUs (the suite runs tests side by side): what the test counts is
 * then the mechanism, not the scheduler. */
static bool read_all_paced(struct gc_dump *d, uint8_t *img, bool pace)
{
	for (uint64_t f = 0; f < NPAGES; f++) {
		if (pace && f % 64 == 63)
			nanosleep(&(struct timespec){ .tv_nsec = 200000 }, NULL);
		uint64_t miss = 0;
		struct gc_error *e = gc_dump_read_fill(d, GC_SPACE_PHYS, f << 12,
						       img + f * 4096, 4096,
						       &miss);
		if (e) {
			gc_test_fail(__FILE__, __LINE__, "pfn 0x%" PRIx64
				     ": %s", f, gc_error_string(e));
			gc_error_free(e);
			return false;
		}
	}
	return true;
}

static bool read_all(struct gc_dump *d, uint8_t *img)
{
	return read_all_paced(d, img, false);
}

static void compare_codec(const char *codec, bool flat)
{
	char path[512];
	const char *p = make(codec, flat, path, sizeof(path));
	CHECK(p);
	struct gc_dump *on = open_ra(p, true), *off = open_ra(p, false);
	CHECK(on && off);
	uint8_t *a = malloc(NPAGES * 4096), *b = malloc(NPAGES * 4096);
	CHECK(a && b);
	CHECK(read_all(on, a));
	CHECK(read_all(off, b));
	CHECK(!memcmp(a, b, NPAGES * 4096));
	/* the pattern: word i of pfn holds (pfn << 32) | i */
	uint64_t w;
	memcpy(&w, a + 4000 * 4096 + 8 * 7, 8);
	CHECK_EQ_U64(w, (4000ull << 32) | 7);
	memcpy(&w, a + 305 * 4096 + 8, 8);
	CHECK_EQ_U64(w, 0);
	memcpy(&w, a + 150 * 4096 + 8, 8);   /* excluded: filled */
	CHECK_EQ_U64(w, 0);
	struct gc_readahead_stats st, st0;
	gc_readahead_stats(on->ra, &st);
	gc_readahead_stats(off->ra, &st0);
	CHECK(st.thread_started);
	CHECK(st.ahead + st.helped > 100);
	CHECK(!st0.thread_started && st0.ahead == 0);
	/* random reads, including unaligned ones across two pages */
	uint64_t x = 0x9E3779B97F4A7C15ull;
	uint8_t r1[6000], r2[6000];
	for (int i = 0; i < 3000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t addr = (x % (NPAGES * 4096 - sizeof(r1)));
		if (i & 1)
			addr &= ~4095ull;
		uint64_t m1 = 0, m2 = 0;
		CHECK_OK(gc_dump_read_fill(on, GC_SPACE_PHYS, addr, r1,
					   sizeof(r1), &m1));
		CHECK_OK(gc_dump_read_fill(off, GC_SPACE_PHYS, addr, r2,
					   sizeof(r2), &m2));
		CHECK(!memcmp(r1, r2, sizeof(r1)));
		CHECK(!memcmp(r1, a + addr, sizeof(r1)));
		CHECK_EQ_U64(m1, m2);
	}
	free(a);
	free(b);
	gc_dump_close(on);
	gc_dump_close(off);
}

TEST(readahead_same_bytes_zlib) { compare_codec("zlib", false); }
TEST(readahead_same_bytes_lzo) { compare_codec("lzo", false); }
TEST(readahead_same_bytes_snappy) { compare_codec("snappy", false); }
TEST(readahead_same_bytes_zstd) { compare_codec("zstd", false); }
TEST(readahead_same_bytes_zlib_flattened) { compare_codec("zlib", true); }

TEST(readahead_random_reads_start_no_thread)
{
	char path[512];
	const char *p = make("zstd", false, path, sizeof(path));
	CHECK(p);
	struct gc_dump *d = open_ra(p, true);
	CHECK(d);
	uint8_t buf[4096];
	/* descending and scattered pfns never look sequential */
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t f = (NPAGES - 1 - i * 7) % NPAGES;
		if (f >= 100 && f < 200)
			continue;
		CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, f << 12, buf, 4096));
	}
	struct gc_readahead_stats st;
	gc_readahead_stats(d->ra, &st);
	CHECK(!st.thread_started);
	CHECK_EQ_U64(st.ahead, 0);
	CHECK(st.misses >= 400);
	gc_dump_close(d);
}

TEST(readahead_close_while_worker_busy)
{
	char path[512];
	const char *p = make("lzo", false, path, sizeof(path));
	CHECK(p);
	for (int round = 0; round < 20; round++) {
		struct gc_dump *d = open_ra(p, true);
		CHECK(d);
		uint8_t buf[4096];
		uint64_t start = 400 + (uint64_t)round * 100;
		for (uint64_t f = start; f < start + 6; f++)
			CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, f << 12, buf,
					      4096));
		struct gc_readahead_stats st;
		gc_readahead_stats(d->ra, &st);
		CHECK(st.thread_started);
		gc_dump_close(d);   /* the worker has ~1000 pages to go */
	}
}

/* Short stored pages (here 2000 zero pages compressed one by one) are
 * never decoded ahead: the caller decodes them inline, the worker the
 * others; the bytes are those read without read-ahead. */
TEST(readahead_leaves_short_pages_to_the_caller)
{
	char path[768];
	CHECK(gc_test_mkvmcore("ra-short.kdump", "--codec lzo --pages 0-4095 "
			       "--max-mapnr 4096 --czero 1000-2999", path,
			       sizeof(path)));
	struct gc_dump *on = open_ra(path, true), *off = open_ra(path, false);
	CHECK(on && off);
	struct gc_page_loc loc;
	CHECK_OK(on->ops->locate(on, GC_SPACE_PHYS, 1500, &loc));
	CHECK(loc.size <= GC_ZERO_MEMO_MAX && loc.codec == GC_CODEC_LZO);
	CHECK_OK(on->ops->locate(on, GC_SPACE_PHYS, 3500, &loc));
	CHECK(loc.size > GC_ZERO_MEMO_MAX);
	uint8_t *a = malloc(NPAGES * 4096), *b = malloc(NPAGES * 4096);
	CHECK(a && b);
	CHECK(read_all_paced(on, a, true));
	CHECK(read_all(off, b));
	CHECK(!memcmp(a, b, NPAGES * 4096));
	uint64_t w;
	memcpy(&w, a + 1500 * 4096 + 64, 8);
	CHECK_EQ_U64(w, 0);
	memcpy(&w, a + 3500 * 4096 + 64, 8);
	CHECK_EQ_U64(w, (3500ull << 32) | 8);
	struct gc_readahead_stats st;
	gc_readahead_stats(on->ra, &st);
	CHECK(st.thread_started);
	CHECK_EQ_U64(st.short_pages, 2000);
	CHECK(st.ahead + st.helped > 100);
	CHECK(st.ahead + st.helped + st.misses <= NPAGES - 2000);
	free(a);
	free(b);
	gc_dump_close(on);
	gc_dump_close(off);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

TEST(readahead_error_ahead_reported_only_when_read)
{
	char path[512];
	const char *p = make("zstd", false, path, sizeof(path));
	CHECK(p);
	/* find pfn 600's stored bytes and break its zstd frame magic */
	struct gc_dump *d = open_ra(p, false);
	CHECK(d);
	struct gc_page_loc loc;
	CHECK_OK(d->ops->locate(d, GC_SPACE_PHYS, 600, &loc));
	CHECK(loc.state == GC_PAGE_PRESENT && loc.codec == GC_CODEC_ZSTD);
	uint64_t off = loc.offset;
	gc_dump_close(d);
	char bad[600];
	snprintf(bad, sizeof(bad), "%s.bad", p);
	FILE *in = fopen(p, "rb"), *out = fopen(bad, "wb");
	CHECK(in && out);
	int c;
	uint64_t pos = 0;
	while ((c = fgetc(in)) != EOF) {
		if (pos >= off && pos < off + 4)
			c = 0xee;
		fputc(c, out);
		pos++;
	}
	fclose(in);
	fclose(out);
	/* the message without read-ahead is the reference */
	d = open_ra(bad, false);
	CHECK(d);
	uint8_t buf[4096];
	struct gc_error *e = gc_dump_read(d, GC_SPACE_PHYS, 600ull << 12, buf,
					  4096);
	CHECK(e);
	char want[512];
	snprintf(want, sizeof(want), "%s", gc_error_string(e));
	CHECK_CONTAINS(want, "zstd frame");
	gc_error_free(e);
	gc_dump_close(d);

	d = open_ra(bad, true);
	CHECK(d);
	for (uint64_t f = 200; f < 600; f++)
		CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, f << 12, buf, 4096));
	/* the worker (or the caller helping it) tries pfn 600 in time */
	struct gc_readahead_stats st;
	uint64_t t0 = now_ms();
	do {
		gc_readahead_stats(d->ra, &st);
	} while (!st.ahead_failed && now_ms() - t0 < 10000);
	CHECK_EQ_U64(st.ahead_failed, 1);
	e = gc_dump_read(d, GC_SPACE_PHYS, 600ull << 12, buf, 4096);
	CHECK(e);
	CHECK_STR(gc_error_string(e), want);
	gc_error_free(e);
	/* and again: a failed page is never cached */
	e = gc_dump_read(d, GC_SPACE_PHYS, 600ull << 12, buf, 4096);
	CHECK(e);
	gc_error_free(e);
	for (uint64_t f = 601; f < 700; f++)
		CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, f << 12, buf, 4096));
	gc_dump_close(d);
}

TEST(pagecache_busy_slots)
{
	struct gc_pagecache *c = gc_pagecache_new(3, 4096);
	CHECK(c);
	int f;
	bool busy;
	uint8_t *a = gc_pagecache_slot(c, &f, 0, 0);
	CHECK(a);
	/* busy: visible to lookup as busy, never returned, never evicted */
	CHECK(!gc_pagecache_lookup(c, &f, 0, 0, &busy) && busy);
	CHECK(!gc_pagecache_get(c, &f, 0, 0));
	for (uint64_t i = 1; i <= 10; i++) {
		uint8_t *s = gc_pagecache_slot(c, &f, i * 4096, 0);
		CHECK(s && s != a);
		s[0] = (uint8_t)i;
		gc_pagecache_commit(c, s);
	}
	CHECK(!gc_pagecache_lookup(c, &f, 0, 0, &busy) && busy);
	a[0] = 0x77;
	gc_pagecache_commit(c, a);
	const uint8_t *p = gc_pagecache_lookup(c, &f, 0, 0, &busy);
	CHECK(p && !busy && p[0] == 0x77);
	/* release: the key is gone and the slot reusable */
	uint8_t *b = gc_pagecache_slot(c, &f, 99 * 4096, 0);
	CHECK(b);
	gc_pagecache_release(c, b);
	CHECK(!gc_pagecache_lookup(c, &f, 99 * 4096, 0, &busy) && !busy);
	/* every slot busy: no slot rather than a busy one */
	uint8_t *x = gc_pagecache_slot(c, &f, 200 * 4096, 0);
	uint8_t *y = gc_pagecache_slot(c, &f, 201 * 4096, 0);
	uint8_t *z = gc_pagecache_slot(c, &f, 202 * 4096, 0);
	CHECK(x && y && z);
	CHECK(!gc_pagecache_slot(c, &f, 203 * 4096, 0));
	gc_pagecache_release(c, x);
	gc_pagecache_release(c, y);
	gc_pagecache_release(c, z);
	gc_pagecache_free(c);
}

TEST_MAIN()
