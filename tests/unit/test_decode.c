// SPDX-License-Identifier: MIT
/*
 * Page decoding (src/lib/dump.c): the zero-page memo.  A decoder that saw
 * a short compressed page decode to zeros remembers its stored bytes and
 * answers the same bytes with a zero page without decompressing; other
 * stored bytes (even of the same length) still go through the codec.
 * Fixtures come from $(BUILD)/mkvmcore.
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
	const char *fix = getenv("GCFIX");
	if (!fix)
		return NULL;
	char dir[512];
	snprintf(dir, sizeof(dir), "%s", fix);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	snprintf(path, len, "%s/dec-%s.kdump", gc_test_tmpdir(), codec);
	char cmd[1536];
	snprintf(cmd, sizeof(cmd), "'%s/mkvmcore' kdump '%s' --codec %s "
		 "--czero 3,5,20-23 --fill 4,6", dir, path, codec);
	return system(cmd) == 0 ? path : NULL;
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

TEST_MAIN()
