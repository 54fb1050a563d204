// SPDX-License-Identifier: MIT
/* Page codecs (codec.h). */
#include <inttypes.h>
#include <string.h>

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <libdeflate.h>
#include <zstd.h>

#include "codec.h"
#include "../util/util.h"

struct gc_error *gc_codec_check_size(const struct gc_page_loc *loc,
				     uint32_t page_size)
{
	uint64_t max = (uint64_t)page_size + page_size / 16 + 64;
	if (loc->size > max ||
	    (loc->codec == GC_CODEC_SHORT && loc->size > page_size) ||
	    (loc->codec == GC_CODEC_RAW && loc->size != page_size) ||
	    (loc->codec == GC_CODEC_FILL && loc->size != 0))
		return gc_error_at(GC_ERR_CORRUPT, loc->offset, "page data",
				   "stored size %u is impossible for a %u-byte "
				   "page (codec 0x%x)", loc->size, page_size,
				   loc->codec);
	return NULL;
}

struct gc_error *gc_codec_decode(const struct gc_page_loc *loc,
				 const uint8_t *in, uint8_t *out,
				 uint32_t page_size, struct gc_decoder *dc)
{
	size_t want = page_size;
	bool memo = loc->size <= GC_ZERO_MEMO_MAX &&
		    (loc->codec == GC_CODEC_ZLIB || loc->codec == GC_CODEC_LZO ||
		     loc->codec == GC_CODEC_SNAPPY ||
		     loc->codec == GC_CODEC_ZSTD);
	if (memo && dc->zero_len == loc->size &&
	    dc->zero_codec == (uint32_t)loc->codec &&
	    !memcmp(dc->zero, in, loc->size)) {
		memset(out, 0, want);
		return NULL;
	}
	switch (loc->codec) {
	case GC_CODEC_FILL:
		memset(out, (int)(loc->offset & 0xff), want);
		return NULL;
	case GC_CODEC_ZLIB: {
		/* zlib format (RFC 1950: header, deflate, adler32), as
		 * makedumpfile's compress2 writes it; libdeflate decodes whole
		 * buffers about twice as fast as zlib's inflate */
		struct libdeflate_decompressor *z = dc->zlib;
		if (!z && !(z = dc->zlib = libdeflate_alloc_decompressor()))
			return &gc_error_nomem;
		size_t n = 0;
		enum libdeflate_result rc = libdeflate_zlib_decompress(
			z, in, loc->size, out, want, &n);
		if (rc != LIBDEFLATE_SUCCESS)
			return gc_error_at(GC_ERR_CORRUPT, loc->offset,
					   "page data",
					   "zlib data (%u bytes) does not "
					   "decompress: %s", loc->size,
					   rc == LIBDEFLATE_INSUFFICIENT_SPACE ?
						   "more than one page of output" :
					   rc == LIBDEFLATE_BAD_DATA ?
						   "corrupt or truncated data" :
						   "zlib error");
		want -= n;
		break;
	}
	case GC_CODEC_LZO: {
		lzo_uint n = (lzo_uint)want;
		int rc = lzo1x_decompress_safe(in, (lzo_uint)loc->size, out,
					       &n, NULL);
		if (rc != LZO_E_OK)
			return gc_error_at(GC_ERR_CORRUPT, loc->offset,
					   "page data",
					   "lzo1x data (%u bytes) does not "
					   "decompress: %s (lzo error %d)",
					   loc->size,
					   rc == LZO_E_INPUT_OVERRUN ?
						   "truncated data" :
					   rc == LZO_E_OUTPUT_OVERRUN ?
						   "more than one page of output" :
					   rc == LZO_E_INPUT_NOT_CONSUMED ?
						   "bytes left after the end of "
						   "the data" :
						   "corrupt data", rc);
		want -= n;
		break;
	}
	case GC_CODEC_SNAPPY: {
		size_t n = want;
		snappy_status rc = snappy_uncompress((const char *)in,
						     loc->size, (char *)out,
						     &n);
		if (rc != SNAPPY_OK)
			return gc_error_at(GC_ERR_CORRUPT, loc->offset,
					   "page data",
					   "snappy data (%u bytes) does not "
					   "decompress: %s", loc->size,
					   rc == SNAPPY_BUFFER_TOO_SMALL ?
						   "more than one page of output" :
						   "corrupt data");
		want -= n;
		break;
	}
	case GC_CODEC_ZSTD: {
		/* a reused context: ZSTD_decompress allocates and frees
		 * about 100 KiB per call */
		ZSTD_DCtx *z = dc->zstd;
		if (!z)
			z = dc->zstd = ZSTD_createDCtx();
		size_t n = z ? ZSTD_decompressDCtx(z, out, want, in, loc->size) :
			       ZSTD_decompress(out, want, in, loc->size);
		if (ZSTD_isError(n))
			return gc_error_at(GC_ERR_CORRUPT, loc->offset,
					   "page data",
					   "zstd frame (%u bytes) does not "
					   "decompress: %s", loc->size,
					   ZSTD_getErrorName(n));
		want -= n;
		break;
	}
	case GC_CODEC_RAW:  /* indirect raw page */
		memcpy(out, in, want);
		return NULL;
	case GC_CODEC_SHORT:
		memcpy(out, in, loc->size);
		memset(out + loc->size, 0, want - loc->size);
		return NULL;
	default:
		return gc_error_at(GC_ERR_UNSUPPORTED, loc->offset,
				   "page data",
				   "compression 0x%x is not supported",
				   loc->codec);
	}
	if (want)
		return gc_error_at(GC_ERR_CORRUPT, loc->offset, "page data",
				   "decompressed to %zu bytes, not the page "
				   "size %u", (size_t)page_size - want,
				   page_size);
	if (memo && gc_page_is_zero(out, page_size)) {
		memcpy(dc->zero, in, loc->size);
		dc->zero_len = loc->size;
		dc->zero_codec = (uint32_t)loc->codec;
	}
	return NULL;
}

void gc_decoder_free(struct gc_decoder *dc)
{
	ZSTD_freeDCtx(dc->zstd);
	if (dc->zlib)
		libdeflate_free_decompressor(dc->zlib);
	dc->zstd = dc->zlib = NULL;
	dc->zero_len = 0;
}

