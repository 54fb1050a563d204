// SPDX-License-Identifier: MIT
/*
 * Page codecs: where a stored page lives (struct gc_page_loc) and how its
 * stored bytes become a page (zlib through libdeflate, lzo1x, snappy,
 * zstd, raw, and raw-but-short).  The codecs are the field's libraries;
 * this file only checks sizes and names what failed and where.
 */
#ifndef GC_IO_CODEC_H
#define GC_IO_CODEC_H

#include <stdbool.h>
#include <stdint.h>

#include "guestcore/dump.h"
#include "guestcore/error.h"

struct gc_stream;

/* Page encodings (kdump-compressed flags use the same bit values). */
enum gc_codec {
	GC_CODEC_RAW = 0,
	GC_CODEC_ZLIB = 0x1,
	GC_CODEC_LZO = 0x2,
	GC_CODEC_SNAPPY = 0x4,
	GC_CODEC_ZSTD = 0x20,
	/* Raw but short: SIZE stored bytes, the rest of the page is zero
	 * (an ELF segment whose p_filesz ends inside a page). */
	GC_CODEC_SHORT = 0x100,
	/* Nothing stored: the page is one byte repeated, the low byte of
	 * OFFSET (QEMU's migration stream sends such pages as one byte). */
	GC_CODEC_FILL = 0x200,
};

struct gc_page_loc {
	enum gc_page_state state;
	uint64_t offset;      /* logical offset of the stored bytes */
	uint32_t size;        /* stored length */
	uint32_t codec;       /* enum gc_codec */
	/* The stream OFFSET is in; NULL = the dump's main stream (split
	 * kdump parts name theirs).  Containers (flattened records) are the
	 * stream's business: a page that straddles records is read as one
	 * logical run like any other. */
	struct gc_stream *stream;
};

/* How LOC's stored bytes are read (length and codec): with the stream and
 * offset, the key of a decoded page (pagecache.h). */
static inline uint64_t gc_page_loc_tag(const struct gc_page_loc *loc)
{
	return (uint64_t)loc->codec << 32 | loc->size;
}

/* The longest stored page the zero-page memo remembers (bytes). */
#define GC_ZERO_MEMO_MAX 256

/* Codec state one thread reuses across pages (each NULL until used). */
struct gc_decoder {
	void *zstd;   /* ZSTD_DCtx */
	void *zlib;   /* struct libdeflate_decompressor */
	/* The stored bytes of the last short compressed page that decoded
	 * to all zeros (codec zero_codec, zero_len bytes; zero_len 0: none
	 * yet).  Decoding is a function of the stored bytes, so the same
	 * bytes under the same codec are that zero page again: idle guests
	 * dumped without excluding zero pages store thousands of them. */
	uint32_t zero_codec, zero_len;
	uint8_t zero[GC_ZERO_MEMO_MAX];
};
void gc_decoder_free(struct gc_decoder *dc);

/* Error unless LOC's stored size is possible for a PAGE_SIZE page under
 * its codec (a compressed page that does not shrink is stored raw, so
 * the size never needs to exceed a page by much). */
struct gc_error *gc_codec_check_size(const struct gc_page_loc *loc,
				     uint32_t page_size);
/* Decode LOC->size stored bytes IN into OUT (PAGE_SIZE bytes) with DC's
 * state; errors name LOC->offset. */
struct gc_error *gc_codec_decode(const struct gc_page_loc *loc,
				 const uint8_t *in, uint8_t *out,
				 uint32_t page_size, struct gc_decoder *dc);

#endif
