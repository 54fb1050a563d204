// SPDX-License-Identifier: MIT
/* io/stream.c: flattened records (later wins, straddling reads, holes,
 * damage as findings), windows, concatenations, the read policy. */
#include <stdlib.h>
#include <time.h>

#include "util/report.h"
#include "harness.h"
#include "io/stream.h"

/* Byte i of the logical image. */
static uint8_t lb(uint64_t i) { return (uint8_t)(i * 7 + (i >> 8)); }

struct out {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct out *o, const void *d, size_t n)
{
	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2;
		o->p = realloc(o->p, o->cap);
		if (!o->p)
			abort();
	}
	memcpy(o->p + o->len, d, n);
	o->len += n;
}

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static void flat_header(struct out *o)
{
	uint8_t h[4096] = "makedumpfile";
	be64(h + 16, 1);
	be64(h + 24, 1);
	put(o, h, sizeof(h));
}

/* A record holding logical [lo, lo+n) of the image (or FILL bytes). */
static void rec(struct out *o, uint64_t lo, uint64_t n, int fill)
{
	uint8_t h[16];
	be64(h, lo);
	be64(h + 8, n);
	put(o, h, 16);
	for (uint64_t i = 0; i < n; i++) {
		uint8_t b = fill >= 0 ? (uint8_t)fill : lb(lo + i);
		put(o, &b, 1);
	}
}

static void end_marker(struct out *o)
{
	uint8_t h[16];
	memset(h, 0xff, 16);
	put(o, h, 16);
}

static const char *save(const char *name, struct out *o)
{
	static char path[4][512];
	static int k;
	char *p = path[k++ & 3];
	snprintf(p, 512, "%s/%s", gc_test_tmpdir(), name);
	FILE *f = fopen(p, "wb");
	if (!f || fwrite(o->p, 1, o->len, f) != o->len || fclose(f))
		return NULL;
	free(o->p);
	o->p = NULL;
	o->len = o->cap = 0;
	return p;
}

static bool image_at(const uint8_t *b, uint64_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != lb(off + i))
			return false;
	return true;
}

TEST(flat_records_later_win_and_straddle)
{
	struct out o = {0};
	flat_header(&o);
	rec(&o, 5000, 3000, 0x5a);        /* junk, overwritten below */
	for (uint64_t lo = 0; lo < 10000; lo += 1000)
		rec(&o, lo, 1000, -1);
	rec(&o, 0, 0, -1);                /* empty records are skipped */
	end_marker(&o);
	const char *p = save("flat1", &o);
	CHECK(p);
	struct gc_report r = {0};
	struct gc_stream *s;
	CHECK_OK(gc_stream_open(p, &r, &s));
	CHECK_EQ_U64(gc_stream_container(s), GC_CONTAINER_FLAT);
	CHECK_EQ_U64(gc_stream_size(s), 10000);
	struct gc_stream_flat_info fi;
	CHECK(gc_stream_flat_info(s, &fi));
	CHECK_EQ_U64(fi.records, 11);
	CHECK_EQ_U64(fi.overlaps, 1);
	CHECK(fi.end_marker);
	CHECK_EQ_U64(r.count, 1);
	CHECK_STR(r.items[0].code, "flat-overlap");
	gc_report_clear(&r);
	uint8_t buf[4096];
	/* straddles five records, crosses the overwritten junk */
	CHECK_OK(gc_stream_read(s, 3500, buf, 4096, "t"));
	CHECK(image_at(buf, 3500, 4096));
	memset(buf, 0, sizeof(buf));
	CHECK_OK(gc_stream_read_data(s, 5100, buf, 3000, GC_ACCESS_RANDOM, 0,
				     "t"));
	CHECK(image_at(buf, 5100, 3000));
	const void *v;
	CHECK_OK(gc_stream_view_data(s, 6000, 1000, buf, &v, GC_ACCESS_SEQ,
				     UINT64_MAX, "t"));
	CHECK(v != buf);               /* one record: into the mapping */
	CHECK(image_at(v, 6000, 1000));
	CHECK_OK(gc_stream_view_data(s, 6500, 1000, buf, &v, GC_ACCESS_SEQ,
				     UINT64_MAX, "t"));
	CHECK(v == buf);               /* two records: assembled */
	CHECK(image_at(v, 6500, 1000));
	struct gc_file *f;
	uint64_t foff;
	CHECK(gc_stream_extent(s, 2000, 1000, &f, &foff));
	CHECK(f->map && image_at(f->map + foff, 2000, 1000));
	CHECK(!gc_stream_extent(s, 2500, 1000, &f, &foff));
	CHECK(!gc_stream_extent(s, 9500, 1000, &f, &foff));
	CHECK(!gc_stream_map(s));
	/* past the end */
	struct gc_error *e = gc_stream_read(s, 9000, buf, 2000, "thing");
	CHECK(e);
	CHECK_CONTAINS(gc_error_string(e), "thing at offset 0x2328: needs "
		       "0x7d0 bytes but the flattened stream ends at 0x2710");
	gc_error_free(e);
	gc_stream_close(s);
}

TEST(flat_holes_and_damage)
{
	struct out o = {0};
	flat_header(&o);
	rec(&o, 0, 100, -1);
	rec(&o, 200, 100, -1);
	/* no end marker, and a record that claims more than is left */
	uint8_t h[16];
	be64(h, 300);
	be64(h + 8, 1u << 20);
	put(&o, h, 16);
	put(&o, "xyz", 3);
	const char *p = save("flat2", &o);
	CHECK(p);
	struct gc_report r = {0};
	struct gc_stream *s;
	CHECK_OK(gc_stream_open(p, &r, &s));
	CHECK_EQ_U64(gc_stream_size(s), 300);
	CHECK_EQ_U64(r.count, 1);
	CHECK_STR(r.items[0].code, "flat-record");
	CHECK_EQ_U64(r.items[0].offset, 4096 + 2 * 116);
	gc_report_clear(&r);
	uint8_t buf[64];
	CHECK_OK(gc_stream_read(s, 210, buf, 64, "t"));
	CHECK(image_at(buf, 210, 64));
	struct gc_error *e = gc_stream_read(s, 90, buf, 20, "hdr");
	CHECK(e);
	CHECK_CONTAINS(gc_error_string(e), "hdr at offset 0x64: no flattened "
		       "record holds logical offset 0x64");
	gc_error_free(e);
	gc_stream_close(s);

	/* cut inside a record header: no end marker */
	flat_header(&o);
	rec(&o, 0, 100, -1);
	put(&o, h, 7);
	p = save("flat3", &o);
	CHECK_OK(gc_stream_open(p, &r, &s));
	CHECK_EQ_U64(r.count, 1);
	CHECK_STR(r.items[0].code, "flat-truncated");
	struct gc_stream_flat_info fi;
	CHECK(gc_stream_flat_info(s, &fi));
	CHECK(!fi.end_marker);
	gc_report_clear(&r);
	gc_stream_close(s);
}

/* Thousands of overlapping records resolve in O(n log n): a hostile
 * stream cannot make open quadratic. */
TEST(flat_many_overlaps_fast)
{
	struct out o = {0};
	flat_header(&o);
	const uint64_t n = 2000;
	for (uint64_t i = 0; i < n; i++)   /* [i, 2n - i): nested */
		rec(&o, i, 2 * (n - i), (int)(i & 0xff));
	const uint64_t chain = 20000, base = 1u << 20;
	for (uint64_t i = 0; i < chain; i++)   /* each overlaps the next */
		rec(&o, base + 10 * i, 20, (int)(i & 0xff));
	end_marker(&o);
	const char *p = save("flat4", &o);
	CHECK(p);
	clock_t t0 = clock();
	struct gc_report r = {0};
	struct gc_stream *s;
	CHECK_OK(gc_stream_open(p, &r, &s));
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(secs < 5.0);
	gc_report_clear(&r);
	CHECK_EQ_U64(gc_stream_size(s), base + 10 * chain + 10);
	struct gc_stream_flat_info fi;
	CHECK(gc_stream_flat_info(s, &fi));
	CHECK_EQ_U64(fi.overlaps, (n - 1) + (chain - 1));
	/* byte x is from the last record covering it: min(x, 2n-1-x) */
	uint8_t b;
	for (uint64_t x = 0; x < 2 * n; x += 97) {
		CHECK_OK(gc_stream_read(s, x, &b, 1, "t"));
		uint64_t w = x < n ? x : 2 * n - 1 - x;
		CHECK_EQ_U64(b, w & 0xff);
	}
	/* in the chain, bytes [10i, 10i+10) come from record i (the next
	 * one starts where the first half ends and wins the rest) */
	for (uint64_t i = 0; i < chain; i += 333) {
		CHECK_OK(gc_stream_read(s, base + 10 * i + 3, &b, 1, "t"));
		CHECK_EQ_U64(b, i & 0xff);
	}
	struct gc_error *e = gc_stream_read(s, 2 * n, &b, 1, "gap");
	CHECK(e);
	gc_error_free(e);
	gc_stream_close(s);
}

TEST(window_and_concat)
{
	struct out o = {0};
	for (uint64_t i = 0; i < 20000; i++) {
		uint8_t b = lb(i);
		put(&o, &b, 1);
	}
	const char *p = save("plain", &o);
	CHECK(p);
	struct gc_stream *s, *w;
	CHECK_OK(gc_stream_open(p, NULL, &s));
	CHECK_EQ_U64(gc_stream_container(s), GC_CONTAINER_PLAIN);
	/* a window that skips a 1000-byte header */
	CHECK_OK(gc_stream_window_new(s, true, 1000, UINT64_MAX, &w));
	CHECK_EQ_U64(gc_stream_size(w), 19000);
	CHECK_STR(gc_stream_path(w), p);
	uint8_t buf[4096];
	CHECK_OK(gc_stream_read(w, 0, buf, 100, "t"));
	CHECK(image_at(buf, 1000, 100));
	CHECK(gc_stream_map(w) && image_at(gc_stream_map(w), 1000, 10));
	CHECK_OK(gc_stream_read_data(w, 5000, buf, 4096, GC_ACCESS_RANDOM, 0,
				     "t"));
	CHECK(image_at(buf, 6000, 4096));
	struct gc_file *f;
	uint64_t foff;
	CHECK(gc_stream_extent(w, 10, 10, &f, &foff));
	CHECK_EQ_U64(foff, 1010);
	struct gc_error *e = gc_stream_read(w, 18990, buf, 20, "tail");
	CHECK(e);
	CHECK_CONTAINS(gc_error_string(e), "needs 0x14 bytes but the window "
		       "stream ends at 0x4a38");
	gc_error_free(e);
	struct gc_stream *bad;
	e = gc_stream_window_new(w, false, 100, 19000, &bad);
	CHECK(e);
	gc_error_free(e);
	/* the same file cut in three and joined again */
	struct gc_stream *base, *parts[3], *c;
	CHECK_OK(gc_stream_open_file(p, &base));
	CHECK_OK(gc_stream_window_new(base, false, 0, 7000, &parts[0]));
	CHECK_OK(gc_stream_window_new(base, false, 7000, 0, &parts[1]));
	CHECK_OK(gc_stream_window_new(base, false, 7000, 13000, &parts[2]));
	CHECK_OK(gc_stream_concat_new(parts, 3, "joined", &c));
	CHECK_EQ_U64(gc_stream_size(c), 20000);
	CHECK_STR(gc_stream_path(c), "joined");
	CHECK_OK(gc_stream_read(c, 6000, buf, 3000, "t"));
	CHECK(image_at(buf, 6000, 3000));
	CHECK(!gc_stream_extent(c, 6500, 1000, &f, &foff));
	CHECK(gc_stream_extent(c, 7500, 1000, &f, &foff));
	CHECK_EQ_U64(foff, 7500);
	gc_stream_close(c);
	gc_stream_close(base);
	gc_stream_close(w);
}

/* The policy changes where bytes come from, never which bytes. */
TEST(read_policy_same_bytes)
{
	struct out o = {0};
	for (uint64_t i = 0; i < 65536; i++) {
		uint8_t b = lb(i);
		put(&o, &b, 1);
	}
	const char *p = save("policy", &o);
	struct gc_stream *s;
	CHECK_OK(gc_stream_open(p, NULL, &s));
	uint8_t a[4096], b[4096];
	const void *v;
	for (uint64_t off = 0; off + 4096 <= 65536; off += 3001) {
		CHECK_OK(gc_stream_read_data(s, off, a, 4096, GC_ACCESS_AUTO,
					     0, "t"));
		CHECK_OK(gc_stream_view_data(s, off, 4096, b, &v,
					     GC_ACCESS_RANDOM, 0, "t"));
		CHECK(v == b);    /* random, large file: pread */
		CHECK(!memcmp(a, b, 4096) && image_at(a, off, 4096));
		CHECK_OK(gc_stream_view_data(s, off, 4096, b, &v,
					     GC_ACCESS_RANDOM, UINT64_MAX,
					     "t"));
		CHECK(v != b);    /* small file: the mapping */
		CHECK(!memcmp(a, v, 4096));
	}
	gc_stream_close(s);
}

TEST_MAIN()
