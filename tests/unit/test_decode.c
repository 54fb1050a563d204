// SPDX-License-Identifier: MIT
/*
 * Page decoding (src/lib/dump.c): the zero-page memo.  A decoder that saw
 * a short compressed page decode to zeros remembers its stored bytes and
 * answers the same bytes with a zero page without decompressing; other
 * stored bytes (even of the same length) still go through the codec.
 * And the two ways random reads fetch stored bytes (the mapping for files
 * up to GC_MAP_RANDOM_MAX, pread above) give the same bytes and the same
 * errors.  Fixtures come from $(BUILD)/mkvmcore.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "guestcore/guestcore.h"
#include "dump_internal.h"

/* kdump with CODEC: pfns 3, 5 and 20-23 zero (each compressed on its
 * own), 4 and 6 filled with 0x01, the rest mkvmcore's word pattern. */
static const char *make(const char *codec, char *path, size_t len)
{
	char name[64], args[256];
	snprintf(name, sizeof(name), "dec-%s.kdump", codec);
	snprintf(args, sizeof(args), "--codec %s --czero 3,5,20-23 --fill 4,6",
		 codec);
	return gc_test_mkvmcore(name, args, path, len);
}

static bool page_is(const uint8_t *p, uint8_t byte)
{
	for (size_t i = 0; i < 4096; i++)
		if (p[i] != byte)
			return false;
	return true;
}

static void memo(const char *codec, uint32_t flag)
{
	char path[512];
	const char *p = make(codec, path, sizeof(path));
	CHECK(p);
	struct gc_open_opts o = { .no_readahead = true };
	struct gc_dump *d = NULL;
	CHECK_OK(gc_dump_open(p, &o, &d));
	uint8_t buf[4096];
	struct gc_page_loc zero, fill;
	CHECK_OK(d->ops->locate(d, GC_SPACE_PHYS, 3, &zero));
	CHECK_OK(d->ops->locate(d, GC_SPACE_PHYS, 4, &fill));
	CHECK_EQ_U64(zero.codec, flag);
	CHECK(zero.size <= GC_ZERO_MEMO_MAX);
	/* nothing remembered before the first zero page */
	CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, 0x7000, buf, sizeof(buf)));
	CHECK_EQ_U64(d->dec.zero_len, 0);
	CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, 0x3000, buf, sizeof(buf)));
	CHECK(page_is(buf, 0));
	CHECK_EQ_U64(d->dec.zero_len, zero.size);
	CHECK_EQ_U64(d->dec.zero_codec, flag);
	/* the filled page is decoded, not taken for the zero page */
	CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, 0x4000, buf, sizeof(buf)));
	CHECK(page_is(buf, 1));
	CHECK_EQ_U64(d->dec.zero_len, zero.size);
	/* pfns 20-23: other zero pages, same stored bytes (memo hits) */
	for (uint64_t pfn = 20; pfn < 24; pfn++) {
		memset(buf, 0xaa, sizeof(buf));
		CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, pfn << 12, buf,
				      sizeof(buf)));
		CHECK(page_is(buf, 0));
	}
	/* the memo answers straight from the stored bytes: a zero page's
	 * bytes decode to zeros through gc_decode_stored too */
	memset(buf, 0xaa, sizeof(buf));
	CHECK_OK(gc_decode_stored(d, &zero, buf));
	CHECK(page_is(buf, 0));
	memset(buf, 0xaa, sizeof(buf));
	CHECK_OK(gc_decode_stored(d, &fill, buf));
	CHECK(page_is(buf, 1));
	gc_decoder_free(&d->dec);
	CHECK_EQ_U64(d->dec.zero_len, 0);
	gc_dump_close(d);
}

TEST(decode_zero_memo_zlib) { memo("zlib", GC_CODEC_ZLIB); }
TEST(decode_zero_memo_lzo) { memo("lzo", GC_CODEC_LZO); }
TEST(decode_zero_memo_snappy) { memo("snappy", GC_CODEC_SNAPPY); }
TEST(decode_zero_memo_zstd) { memo("zstd", GC_CODEC_ZSTD); }

/* Same length, other bytes: lzo's 0x01 page and zero page are both short;
 * the memo must compare bytes, not lengths. */
TEST(decode_zero_memo_compares_bytes)
{
	char path[512];
	const char *p = make("lzo", path, sizeof(path));
	CHECK(p);
	struct gc_open_opts o = { .no_readahead = true };
	struct gc_dump *d = NULL;
	CHECK_OK(gc_dump_open(p, &o, &d));
	struct gc_page_loc zero, fill;
	CHECK_OK(d->ops->locate(d, GC_SPACE_PHYS, 3, &zero));
	CHECK_OK(d->ops->locate(d, GC_SPACE_PHYS, 4, &fill));
	CHECK_EQ_U64(fill.size, zero.size);
	uint8_t buf[4096];
	CHECK_OK(gc_decode_stored(d, &zero, buf));
	CHECK_EQ_U64(d->dec.zero_len, zero.size);
	CHECK_OK(gc_decode_stored(d, &fill, buf));
	CHECK(page_is(buf, 1));
	gc_dump_close(d);
}

/* mkvmcore's pattern: word i of page pfn holds (pfn << 32) | i. */
static uint64_t word_at(uint64_t addr)
{
	uint64_t pfn = addr >> 12, i = (addr & 4095) >> 3;
	return (pfn << 32) | i;
}

static void fetch_paths(const char *codec, const char *extra)
{
	char name[64], args[256], path[768];
	snprintf(name, sizeof(name), "fetch-%s%s.kdump", codec,
		 extra[0] ? "-flat" : "");
	snprintf(args, sizeof(args), "--codec %s --pages 0-1023 "
		 "--max-mapnr 1024 %s", codec, extra);
	CHECK(gc_test_mkvmcore(name, args, path, sizeof(path)));
	struct gc_open_opts o = { .no_readahead = true };
	struct gc_dump *map = NULL, *rd = NULL;
	CHECK_OK(gc_dump_open(path, &o, &map));
	CHECK_OK(gc_dump_open(path, &o, &rd));
	CHECK(map->file->size <= map->map_random_max);
	rd->map_random_max = 0;   /* every random read through pread */
	uint64_t x = 0x9E3779B97F4A7C15ull;
	uint8_t a[6000], b[6000];
	for (int i = 0; i < 2000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t addr = x % (1024 * 4096 - sizeof(a));
		addr &= ~7ull;
		CHECK_OK(gc_dump_read(map, GC_SPACE_PHYS, addr, a, sizeof(a)));
		CHECK_OK(gc_dump_read(rd, GC_SPACE_PHYS, addr, b, sizeof(b)));
		CHECK(!memcmp(a, b, sizeof(a)));
		uint64_t w;
		memcpy(&w, a + 8, 8);
		CHECK_EQ_U64(w, word_at(addr + 8));
		memcpy(&w, a + sizeof(a) - 8, 8);
		CHECK_EQ_U64(w, word_at(addr + sizeof(a) - 8));
	}
	gc_dump_close(map);
	gc_dump_close(rd);
}

TEST(decode_fetch_map_and_pread_zlib) { fetch_paths("zlib", ""); }
TEST(decode_fetch_map_and_pread_lzo) { fetch_paths("lzo", ""); }
TEST(decode_fetch_map_and_pread_snappy) { fetch_paths("snappy", ""); }
TEST(decode_fetch_map_and_pread_zstd) { fetch_paths("zstd", ""); }
TEST(decode_fetch_map_and_pread_raw) { fetch_paths("raw", ""); }
TEST(decode_fetch_map_and_pread_flattened) { fetch_paths("zstd", "--flat"); }

/* A corrupt page gives the same message either way. */
TEST(decode_fetch_same_error_both_ways)
{
	char path[768];
	CHECK(gc_test_mkvmcore("fetch-bad.kdump",
			       "--codec zlib --damage truncated-data", path,
			       sizeof(path)));
	struct gc_open_opts o = { .no_readahead = true };
	struct gc_dump *map = NULL, *rd = NULL;
	CHECK_OK(gc_dump_open(path, &o, &map));
	CHECK_OK(gc_dump_open(path, &o, &rd));
	rd->map_random_max = 0;
	uint8_t buf[8];
	struct gc_error *e1 = gc_dump_read(map, GC_SPACE_PHYS, 0x2000, buf, 8);
	struct gc_error *e2 = gc_dump_read(rd, GC_SPACE_PHYS, 0x2000, buf, 8);
	CHECK(e1 && e2);
	CHECK_STR(gc_error_string(e1), gc_error_string(e2));
	CHECK_CONTAINS(gc_error_string(e1), "page data at offset 0x5c5e: "
		       "zlib data (410 bytes) does not decompress: corrupt or "
		       "truncated data");
	gc_error_free(e1);
	gc_error_free(e2);
	gc_dump_close(map);
	gc_dump_close(rd);
}

TEST_MAIN()
