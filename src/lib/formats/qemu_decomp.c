// SPDX-License-Identifier: MIT
/*
 * Whole-stream compressed migration streams: `virsh dump` with a
 * dump_image_format, `virsh save` with a save_image_format (gzip, bzip2,
 * xz, lzop, zstd; libvirt pipes the stream through the program, so the
 * file holds that program's container format).
 *
 * Random access: none of these containers can be entered in the middle
 * without a decoder state (gzip and lzop would need a 32 KiB window per
 * restart point, xz and bzip2 a block index that libvirt's pipes do not
 * write), and a stream's pages are read in an arbitrary order by every
 * command.  So the stream is decompressed once, through the library,
 * into a cache file, which is then indexed and read like a raw stream.
 * The cache is keyed by the input's path, size, mtime, inode and the
 * stream's offset; a later open (another command) whose key matches
 * reuses it.  It lives in $GUESTCORE_CACHE_DIR, else
 * $XDG_CACHE_HOME/guestcore, else ~/.cache/guestcore; when none can be
 * written, an unlinked temporary file in $TMPDIR (or /tmp) serves this
 * open only.  See docs/qemu-migration.md for the measurements.
 *
 * A compressed stream that ends early or fails its checks is kept up to
 * that point: the reader sees a truncated stream, and `check` says where
 * and why the decompression stopped.
 */
#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>
#include <pthread.h>

#include "../util/ring.h"
#include "qemu_stream.h"

#define OUT_CHUNK (1u << 20)
#define IN_CHUNK (1u << 20)
#define CACHE_HDR 512
#define CACHE_MAGIC "GCQEVMZ1"
#define LZOP_MAX_BLOCK (64u << 20)
#define DECODER_MEM_DEFAULT_MIB 256

/*
 * The memory a decoder may take for its window or dictionary.  zstd and
 * xz headers declare it (zstd --long=31 asks for 2 GiB, xz up to 1.5 GiB)
 * and the library allocates it before the first byte is decoded, so a
 * few hundred hostile bytes would otherwise cost that much.  The limit is
 * 256 MiB (zstd's own command line refuses windows over 128 MiB unless
 * told --long=31 or --memory); GUESTCORE_DECOMPRESS_MEM_MIB raises it.
 */
static uint64_t decoder_mem_limit(void)
{
	const char *e = getenv("GUESTCORE_DECOMPRESS_MEM_MIB");
	if (e && *e) {
		char *end;
		unsigned long long v = strtoull(e, &end, 10);
		if (!*end && v > 0 && v <= (1ull << 22))
			return (uint64_t)v << 20;
	}
	return (uint64_t)DECODER_MEM_DEFAULT_MIB << 20;
}

static int zstd_window_log_max(uint64_t limit)
{
	int log = 10;
	while (log < 31 && (1ull << (log + 1)) <= limit)
		log++;
	return log;
}

const char *gc_qs_codec_detect(const uint8_t *h, size_t len)
{
	if (len >= 2 && h[0] == 0x1f && h[1] == 0x8b)
		return "gzip";
	if (len >= 4 && !memcmp(h, "BZh", 3) && h[3] >= '1' && h[3] <= '9')
		return "bzip2";
	if (len >= 6 && !memcmp(h, "\xfd" "7zXZ\0", 6))
		return "xz";
	if (len >= 9 && !memcmp(h, "\x89LZO\0\r\n\x1a\n", 9))
		return "lzop";
	if (len >= 4 && !memcmp(h, "\x28\xb5\x2f\xfd", 4))
		return "zstd";
	return NULL;
}

/* ---- the output side ------------------------------------------------------- */

struct sink {
	int fd;              /* -1: keep only the first LIMIT bytes in BUF */
	struct gc_ring *ring; /* else: full buffers go to this ring (a pipe) */
	uint8_t *buf;
	size_t len, cap;
	uint64_t total;      /* bytes produced */
	uint64_t file_off;   /* where the next flush writes */
	bool full;           /* LIMIT reached (probe) */
	/* The pipe's decoders that write in place (zlib, lzo) are given this
	 * private buffer instead of the ring's when the ring cannot drop
	 * buffers from the walk's caches (see sink_room_decode) */
	uint8_t *stage;
	bool staged;         /* the last room handed out was STAGE */
};

static struct gc_error *sink_flush(struct sink *s)
{
	size_t done = 0;
	while (done < s->len) {
		ssize_t n = pwrite(s->fd, s->buf + done, s->len - done,
				   (off_t)s->file_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return gc_error_new(GC_ERR_IO, "decompressed cache",
					    "write failed: %s",
					    n < 0 ? strerror(errno) : "no space");
		done += (size_t)n;
		s->file_off += (uint64_t)n;
	}
	s->len = 0;
	return NULL;
}

/* Room for output: a pointer to at least one free byte and its size. */
static struct gc_error *sink_room(struct sink *s, uint8_t **p, size_t *n)
{
	s->staged = false;
	if (s->len == s->cap) {
		if (s->ring) {
			/* the buffer goes to the walk; the next is empty */
			gc_ring_put(s->ring, s->buf, s->len);
			s->len = 0;
			if (!(s->buf = gc_ring_take_empty(s->ring)))
				return gc_error_new(GC_ERR_CANCELLED,
						    "decompression", "the "
						    "reader stopped");
		} else if (s->fd < 0) {
			s->full = true;
			*n = 0;
			return NULL;
		}
		struct gc_error *err = sink_flush(s);
		if (err)
			return err;
	}
	*p = s->buf + s->len;
	*n = s->cap - s->len;
	return NULL;
}

/*
 * Room for a codec that decodes in place: zlib's inflate and lzo copy each
 * match from output they wrote a moment before.  Into a ring buffer whose
 * cache lines the walk's core still holds (it has just read them), every
 * store waits for the line to come back from the other core and the
 * copies that follow wait on the stores: on the 1 GiB bench image (2
 * cores) zlib and lzo ran at 0.45-0.9x their speed alone, varying from
 * run to run.  Where the ring drops each buffer from the walk's caches as
 * it is given back (gc_ring_drops_caches: x86-64 with CLFLUSHOPT) they
 * decode into the ring directly; elsewhere they decode into STAGE, which
 * stays in this core's cache, and sink_produced copies it over in one
 * memcpy.  Measured on the 1 GiB image, best of 3 against the library in
 * the same minute: lzop 0.87-0.91x dropping, 0.82-0.86x staging, 0.44x
 * neither; gzip 0.97x / 0.94x / 0.60-0.92x.  Also measured and not kept:
 * empty buffers reused in FIFO order, non-temporal copies from the stage
 * (no better), and a second thread decoding every other lzop block (0.9x
 * instead of 0.87x when mapping the input costs more than decoding it,
 * 0.7x instead of 0.8x when not: the walk needs the second core).
 */
#define STAGE_SIZE (256u << 10)

static struct gc_error *sink_room_decode(struct sink *s, uint8_t **p,
					 size_t *n)
{
	struct gc_error *err = sink_room(s, p, n);
	if (!err && s->stage && !s->full) {
		*p = s->stage;
		*n = GC_MIN(*n, (size_t)STAGE_SIZE);
		s->staged = true;
	}
	return err;
}

static void sink_produced(struct sink *s, size_t n)
{
	if (s->staged) {
		memcpy(s->buf + s->len, s->stage, n);
		s->staged = false;
	}
	s->len += n;
	s->total += n;
	if (s->fd < 0 && !s->ring && s->len == s->cap)
		s->full = true;
}

/* ---- the input side --------------------------------------------------------- */

struct source {
	struct gc_file *f;
	uint64_t pos, end;
	uint8_t *tmp;        /* for pread files */
};

static struct gc_error *src_next(struct source *in, const uint8_t **p,
				 size_t *n)
{
	*n = (size_t)GC_MIN(in->end - in->pos, (uint64_t)IN_CHUNK);
	if (!*n) {
		*p = NULL;
		return NULL;
	}
	const void *v;
	struct gc_error *err = gc_file_view(in->f, in->pos, *n, in->tmp, &v,
					    "compressed stream");
	if (!err) {
		*p = v;
		in->pos += *n;
	}
	return err;
}

/* Why decompression stopped early (kept, not an open error): */
struct stopped {
	char why[300];
	uint64_t at;         /* compressed file offset */
	bool cut;            /* the input ended before the stream did */
};

static void stop_at(struct stopped *st, uint64_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void stop_at(struct stopped *st, uint64_t at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->why, sizeof(st->why), fmt, ap);
	va_end(ap);
	st->at = at;
}

/* ---- codecs ------------------------------------------------------------------ */

/* The next input chunk into *IP, *N for a codec that has used up the last
 * one; false when the codec must stop: on an error (in *ERR) or at the end of
 * the input, noted as CUT unless CUT is NULL (the stream ended cleanly). */
static bool next_input(struct source *in, struct stopped *st, const char *cut,
		       const uint8_t **ip, size_t *n, struct gc_error **err)
{
	if ((*err = src_next(in, ip, n)))
		return false;
	if (!*n) {
		if (cut) {
			stop_at(st, in->pos, "%s", cut);
			st->cut = true;
		}
		return false;
	}
	return true;
}

/* Room for the codec's output in *OP, *ROOM; false when it must stop (an
 * error in *ERR, or the sink is full). */
static bool next_output(struct sink *out, uint8_t **op, size_t *room,
			struct gc_error **err)
{
	return !(*err = sink_room(out, op, room)) && !out->full;
}

static bool next_output_decode(struct sink *out, uint8_t **op, size_t *room,
			       struct gc_error **err)
{
	return !(*err = sink_room_decode(out, op, room)) && !out->full;
}

static struct gc_error *run_gzip(struct source *in, struct sink *out,
				 struct stopped *st)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return &gc_error_nomem;
	struct gc_error *err = NULL;
	bool ended = false;
	const uint8_t *ip = NULL;
	size_t in_n = 0;
	for (;;) {
		if (!z.avail_in) {
			if (!next_input(in, st, ended ? NULL : "the gzip stream "
					"ends before its end marker (truncated)",
					&ip, &in_n, &err))
				break;
			z.next_in = (uint8_t *)ip;
			z.avail_in = (uInt)in_n;
		}
		if (ended) {
			/* another gzip member follows */
			if (inflateReset(&z) != Z_OK)
				break;
			ended = false;
		}
		uint8_t *op;
		size_t room;
		if (!next_output_decode(out, &op, &room, &err))
			break;
		z.next_out = op;
		z.avail_out = (uInt)GC_MIN(room, (size_t)UINT32_MAX);
		int rc = inflate(&z, Z_NO_FLUSH);
		sink_produced(out, (size_t)(z.next_out - op));
		if (rc == Z_STREAM_END) {
			ended = true;
			continue;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			stop_at(st, in->pos - z.avail_in, "gzip data is corrupt: "
				"%s", z.msg ? z.msg : "inflate error");
			break;
		}
	}
	inflateEnd(&z);
	return err;
}

static struct gc_error *run_bzip2(struct source *in, struct sink *out,
				  struct stopped *st)
{
	bz_stream z;
	memset(&z, 0, sizeof(z));
	if (BZ2_bzDecompressInit(&z, 0, 0) != BZ_OK)
		return &gc_error_nomem;
	struct gc_error *err = NULL;
	bool ended = false;
	const uint8_t *ip;
	size_t in_n;
	for (;;) {
		if (!z.avail_in) {
			if (!next_input(in, st, ended ? NULL : "the bzip2 stream "
					"ends before its end marker (truncated)",
					&ip, &in_n, &err))
				break;
			z.next_in = (char *)ip;
			z.avail_in = (unsigned)in_n;
		}
		if (ended) {
			BZ2_bzDecompressEnd(&z);
			char *ni = z.next_in;
			unsigned na = z.avail_in;
			memset(&z, 0, sizeof(z));
			if (BZ2_bzDecompressInit(&z, 0, 0) != BZ_OK)
				return &gc_error_nomem;
			z.next_in = ni;
			z.avail_in = na;
			ended = false;
		}
		uint8_t *op;
		size_t room;
		if (!next_output(out, &op, &room, &err))
			break;
		z.next_out = (char *)op;
		z.avail_out = (unsigned)GC_MIN(room, (size_t)UINT32_MAX);
		int rc = BZ2_bzDecompress(&z);
		sink_produced(out, (size_t)((uint8_t *)z.next_out - op));
		if (rc == BZ_STREAM_END) {
			ended = true;
			continue;
		}
		if (rc != BZ_OK) {
			stop_at(st, in->pos - z.avail_in, "bzip2 data is corrupt "
				"(libbz2 error %d)", rc);
			break;
		}
	}
	BZ2_bzDecompressEnd(&z);
	return err;
}

static struct gc_error *run_xz(struct source *in, struct sink *out,
			       struct stopped *st)
{
	lzma_stream z = LZMA_STREAM_INIT;
	uint64_t limit = decoder_mem_limit();
	if (lzma_stream_decoder(&z, limit, LZMA_CONCATENATED) != LZMA_OK)
		return &gc_error_nomem;
	struct gc_error *err = NULL;
	const uint8_t *ip;
	size_t in_n;
	lzma_action act = LZMA_RUN;
	for (;;) {
		if (!z.avail_in && act == LZMA_RUN) {
			if ((err = src_next(in, &ip, &in_n)))
				break;
			if (!in_n)
				act = LZMA_FINISH;
			z.next_in = ip;
			z.avail_in = in_n;
		}
		uint8_t *op;
		size_t room;
		if (!next_output(out, &op, &room, &err))
			break;
		z.next_out = op;
		z.avail_out = room;
		lzma_ret rc = lzma_code(&z, act);
		sink_produced(out, (size_t)(z.next_out - op));
		if (rc == LZMA_STREAM_END)
			break;
		if (rc == LZMA_MEMLIMIT_ERROR) {
			stop_at(st, in->pos - z.avail_in, "the xz stream needs "
				"%" PRIu64 " MiB to decode, more than the %" PRIu64
				" MiB guestcore allows (GUESTCORE_DECOMPRESS_MEM_MIB "
				"raises it)", (lzma_memusage(&z) + (1u << 20) - 1) >> 20,
				limit >> 20);
			break;
		}
		if (rc != LZMA_OK) {
			stop_at(st, in->pos - z.avail_in, "%s",
				rc == LZMA_BUF_ERROR ? "the xz stream ends before "
				"its end (truncated)" : rc == LZMA_DATA_ERROR ?
				"xz data is corrupt" : rc == LZMA_FORMAT_ERROR ?
				"not xz data" : "xz decoding failed");
			break;
		}
	}
	lzma_end(&z);
	return err;
}

static struct gc_error *run_zstd(struct source *in, struct sink *out,
				 struct stopped *st)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	if (!z)
		return &gc_error_nomem;
	uint64_t limit = decoder_mem_limit();
	ZSTD_DCtx_setParameter(z, ZSTD_d_windowLogMax, zstd_window_log_max(limit));
	struct gc_error *err = NULL;
	ZSTD_inBuffer ib = { NULL, 0, 0 };
	size_t last = 1;
	for (;;) {
		if (ib.pos == ib.size) {
			const uint8_t *ip;
			size_t in_n;
			if (!next_input(in, st, last ? "the zstd stream ends "
					"inside a frame (truncated)" : NULL,
					&ip, &in_n, &err))
				break;
			ib = (ZSTD_inBuffer){ ip, in_n, 0 };
		}
		uint8_t *op;
		size_t room;
		if (!next_output(out, &op, &room, &err))
			break;
		ZSTD_outBuffer ob = { op, room, 0 };
		last = ZSTD_decompressStream(z, &ob, &ib);
		sink_produced(out, ob.pos);
		if (ZSTD_isError(last) && ZSTD_getErrorCode(last) ==
		    ZSTD_error_frameParameter_windowTooLarge) {
			stop_at(st, in->pos - (ib.size - ib.pos), "the zstd "
				"frame asks for a window larger than the %" PRIu64
				" MiB guestcore allows (GUESTCORE_DECOMPRESS_MEM_MIB "
				"raises it; zstd -d --long=31 decompresses it)",
				limit >> 20);
			break;
		}
		if (ZSTD_isError(last)) {
			stop_at(st, in->pos - (ib.size - ib.pos), "zstd data is "
				"corrupt: %s", ZSTD_getErrorName(last));
			break;
		}
	}
	ZSTD_freeDStream(z);
	return err;
}

/* lzop's container (lzop 1.0x, as `lzop -c` writes it). */
enum {
	LZOP_ADLER32_D = 0x1, LZOP_ADLER32_C = 0x2, LZOP_EXTRA = 0x40,
	LZOP_CRC32_D = 0x100, LZOP_CRC32_C = 0x200, LZOP_FILTER = 0x800,
	LZOP_HCRC32 = 0x1000,
};

/* Bytes of the (mapped or read) input at OFF. */
static struct gc_error *lz_bytes(struct source *in, uint64_t off, size_t n,
				 void *tmp, const uint8_t **p)
{
	if (!gc_range_ok(off, n, in->end))
		return gc_error_at(GC_ERR_TRUNCATED, off, "lzop data",
				   "%zu bytes run past the end of the file", n);
	const void *v;
	struct gc_error *err = gc_file_view(in->f, off, n, tmp, &v, "lzop data");
	if (!err)
		*p = v;
	return err;
}

static struct gc_error *run_lzop(struct source *in, struct sink *out,
				 struct stopped *st)
{
	if (lzo_init() != LZO_E_OK)
		return gc_error_new(GC_ERR_UNSUPPORTED, "lzop", "lzo_init failed");
	uint8_t h[512];
	const uint8_t *p;
	uint64_t off = in->pos;
	struct gc_error *err;
	uint64_t hstart = off + 9;
	size_t hl = (size_t)GC_MIN(sizeof(h), in->end - GC_MIN(in->end, hstart));
	if (hl < 26) {
		stop_at(st, off, "the lzop header is cut short");
		return NULL;
	}
	if ((err = lz_bytes(in, hstart, hl, h, &p)))
		return err;
	uint16_t ver = gc_get16(p, true);
	size_t k = 4;
	if (ver >= 0x0940)
		k += 2;              /* version needed to extract */
	uint8_t method = p[k++];
	if (ver >= 0x0940)
		k++;                 /* level */
	uint32_t flags = gc_get32(p + k, true);
	k += 4;
	if (flags & LZOP_FILTER)
		k += 4;
	k += 8;                      /* mode, mtime low */
	if (ver >= 0x0940)
		k += 4;              /* mtime high */
	if (k + 1 > hl || k + 1 + p[k] + 4 > hl) {
		stop_at(st, hstart, "the lzop header is cut short");
		return NULL;
	}
	k += 1 + p[k];
	uint32_t hsum = gc_get32(p + k, true);
	uint32_t want = (flags & LZOP_HCRC32) ?
		(uint32_t)crc32(0, p, (uInt)k) : (uint32_t)adler32(1, p, (uInt)k);
	if (hsum != want) {
		stop_at(st, hstart + k, "lzop header checksum 0x%08x, computed "
			"0x%08x", hsum, want);
		return NULL;
	}
	k += 4;
	if (method < 1 || method > 3) {
		stop_at(st, hstart, "lzop method %u (1-3, LZO1X, are known)",
			method);
		return NULL;
	}
	off = hstart + k;
	if (flags & LZOP_EXTRA) {
		uint8_t b[4];
		if ((err = lz_bytes(in, off, 4, b, &p)))
			goto cut;
		off += 8 + (uint64_t)gc_get32(p, true);
	}
	uint8_t *cbuf = NULL;
	for (;;) {
		uint8_t b[8];
		if ((err = lz_bytes(in, off, 4, b, &p)))
			break;
		uint32_t dlen = gc_get32(p, true);
		if (!dlen) {
			free(cbuf);
			return NULL;     /* end marker */
		}
		if ((err = lz_bytes(in, off + 4, 4, b, &p)))
			break;
		uint32_t clen = gc_get32(p, true);
		if (dlen > LZOP_MAX_BLOCK || clen > dlen) {
			free(cbuf);
			stop_at(st, off, "lzop block of %u bytes stored in %u "
				"(at most %u, never more than the data)", dlen,
				clen, LZOP_MAX_BLOCK);
			return NULL;
		}
		uint64_t q = off + 8;
		uint32_t dsum = 0, csum = 0;
		bool has_d = flags & (LZOP_ADLER32_D | LZOP_CRC32_D);
		bool has_c = clen < dlen && (flags & (LZOP_ADLER32_C | LZOP_CRC32_C));
		if (has_d) {
			if ((err = lz_bytes(in, q, 4, b, &p)))
				break;
			dsum = gc_get32(p, true);
			q += 4;
		}
		if (has_c) {
			if ((err = lz_bytes(in, q, 4, b, &p)))
				break;
			csum = gc_get32(p, true);
			q += 4;
		}
		const uint8_t *data;
		uint8_t *tmp = NULL;
		if (!in->f->map && !(tmp = malloc(clen ? clen : 1))) {
			free(cbuf);
			return &gc_error_nomem;
		}
		if ((err = lz_bytes(in, q, clen, tmp, &data))) {
			free(tmp);
			break;
		}
		if (has_c) {
			uint32_t c = (flags & LZOP_CRC32_C) ?
				(uint32_t)crc32(0, data, clen) :
				(uint32_t)adler32(1, data, clen);
			if (c != csum) {
				free(tmp);
				free(cbuf);
				stop_at(st, q, "lzop block checksum 0x%08x, "
					"computed 0x%08x", csum, c);
				return NULL;
			}
		}
		const uint8_t *plain = data;
		/* a block that fits the sink's room is decoded straight into
		 * it (or its stage, see sink_room_decode); it counts as output
		 * once its checksum held */
		uint8_t *direct = NULL;
		if (clen < dlen) {
			uint8_t *op;
			size_t room;
			if ((err = sink_room_decode(out, &op, &room))) {
				free(tmp);
				break;
			}
			if (!out->full && room >= dlen)
				direct = op;
		}
		if (clen < dlen) {
			if (!direct && !cbuf && !(cbuf = malloc(LZOP_MAX_BLOCK))) {
				free(tmp);
				return &gc_error_nomem;
			}
			lzo_uint n = dlen;
			int rc = lzo1x_decompress_safe(data, clen,
						       direct ? direct : cbuf,
						       &n, NULL);
			if (rc != LZO_E_OK || n != dlen) {
				free(tmp);
				free(cbuf);
				stop_at(st, q, "lzop block does not decompress "
					"(lzo error %d, %lu of %u bytes)", rc,
					(unsigned long)n, dlen);
				return NULL;
			}
			plain = direct ? direct : cbuf;
		}
		if (has_d) {
			uint32_t c = (flags & LZOP_CRC32_D) ?
				(uint32_t)crc32(0, plain, dlen) :
				(uint32_t)adler32(1, plain, dlen);
			if (c != dsum) {
				free(tmp);
				free(cbuf);
				stop_at(st, q, "lzop data checksum 0x%08x, "
					"computed 0x%08x", dsum, c);
				return NULL;
			}
		}
		/* copy into the sink */
		size_t done = 0;
		if (direct) {
			sink_produced(out, dlen);
			done = dlen;
		}
		while (done < dlen && !out->full) {
			uint8_t *op;
			size_t room;
			if ((err = sink_room(out, &op, &room)))
				break;
			if (out->full)
				break;
			size_t n = GC_MIN(room, (size_t)dlen - done);
			memcpy(op, plain + done, n);
			sink_produced(out, n);
			done += n;
		}
		free(tmp);
		if (err || out->full) {
			free(cbuf);
			return err;
		}
		off = q + clen;
	}
	free(cbuf);
cut:
	if (err && gc_error_code(err) == GC_ERR_TRUNCATED) {
		stop_at(st, gc_err_off(err), "the lzop stream ends before its end "
			"marker (truncated)");
		gc_error_free(err);
		return NULL;
	}
	return err;
}

static struct gc_error *run(const char *codec, struct source *in,
			    struct sink *out, struct stopped *st)
{
	if (!strcmp(codec, "gzip"))
		return run_gzip(in, out, st);
	if (!strcmp(codec, "bzip2"))
		return run_bzip2(in, out, st);
	if (!strcmp(codec, "xz"))
		return run_xz(in, out, st);
	if (!strcmp(codec, "zstd"))
		return run_zstd(in, out, st);
	if (!strcmp(codec, "lzop"))
		return run_lzop(in, out, st);
	return gc_error_new(GC_ERR_UNSUPPORTED, "compression", "'%s'", codec);
}

/* Decode the start of F's compressed stream at SKIP into OUT (at most CAP
 * bytes, at most 1 MiB of input read); *LEN gets the bytes decoded, WHY
 * (WHYLEN bytes) why the decoder stopped before CAP ("" when it did not)
 * and *AT the compressed offset it names. */
static void sniff(struct gc_file *f, uint64_t skip, uint8_t *out, size_t cap,
		  size_t *len, char *why, size_t whylen, uint64_t *at)
{
	*len = 0;
	if (whylen)
		why[0] = '\0';
	*at = skip;
	uint8_t head[16];
	size_t hl = (size_t)GC_MIN(sizeof(head), f->size - GC_MIN(f->size, skip));
	const void *v;
	struct gc_error *err = gc_file_view(f, skip, hl, head, &v, "head");
	if (err) {
		gc_error_free(err);
		return;
	}
	const char *codec = gc_qs_codec_detect(v, hl);
	if (!codec)
		return;
	struct sink s = { .fd = -1, .buf = out, .cap = cap };
	struct source in = { .f = f, .pos = skip,
			     .end = GC_MIN(f->size, skip + IN_CHUNK) };
	in.tmp = f->map ? NULL : malloc(IN_CHUNK);
	if (!f->map && !in.tmp)
		return;
	struct stopped st = { "", 0, false };
	err = run(codec, &in, &s, &st);
	free(in.tmp);
	*len = s.len;
	/* only a stream cut short: a limit (a zstd window, an xz
	 * dictionary) or damage in the middle keeps "decompress it first" */
	if (s.len < cap && whylen && st.cut && in.end == f->size) {
		snprintf(why, whylen, "%s", st.why);
		*at = st.at;
	}
	gc_error_free(err);
}

bool gc_qs_compressed_cut(struct gc_file *f, uint64_t skip, size_t *len,
			      char *why, size_t whylen, uint64_t *at)
{
	uint8_t out[4];
	sniff(f, skip, out, sizeof(out), len, why, whylen, at);
	return *len < sizeof(out) && why[0];
}

/* True when the stream of F at SKIP decompresses to bytes starting "QEVM". */
bool gc_qs_compressed_is_qevm(struct gc_file *f, uint64_t skip)
{
	uint8_t out[4];
	size_t len;
	uint64_t at;
	sniff(f, skip, out, sizeof(out), &len, NULL, 0, &at);
	return len == 4 && !memcmp(out, "QEVM", 4);
}

/* ---- the pipe: decoding in a thread for a one-pass convert ------------------ */

/*
 * A one-pass convert of a compressed stream whose cache file does not
 * exist yet decodes it in a thread into a ring of PIPE_NBUF buffers that
 * the stream walk (qemu_stream.c, gc_qstream_open_piped) reads from
 * memory, so that decoding and writing the output overlap and no cache
 * file is written and read back.  The thread runs the same codec
 * functions as the cache (same limits, same reasons for stopping); the
 * pipe is owned by gc_qstream_open_compressed and joined before it
 * returns, on every path.
 */
#define PIPE_NBUF 8
#define PIPE_BUFSZ (1u << 20)
/* A read the walk makes before the device state is at most one page or a
 * block name: the ring's headroom carries the unread end of a buffer in
 * front of the next one. */
#define PIPE_HEADROOM (64u << 10)

struct gc_qpipe {
	struct gc_ring *ring;
	pthread_t thread;
	bool running;
	struct gc_file *f;
	uint64_t skip;
	const char *codec;
	/* set by the thread, read after the join */
	struct gc_error *err;
	struct stopped st;
	uint64_t total;
};

static void *pipe_main(void *arg)
{
	struct gc_qpipe *p = arg;
	struct sink s = { .fd = -1, .ring = p->ring, .cap = PIPE_BUFSZ };
	struct source in = { .f = p->f, .pos = p->skip, .end = p->f->size };
	in.tmp = p->f->map ? NULL : malloc(IN_CHUNK);
	/* zstd, xz and bzip2 copy out of their own buffers already */
	bool in_place = (!strcmp(p->codec, "gzip") || !strcmp(p->codec, "lzop")) &&
		!gc_ring_drops_caches(p->ring);
	if (in_place)
		s.stage = malloc(STAGE_SIZE);
	if ((!p->f->map && !in.tmp) || (in_place && !s.stage))
		p->err = &gc_error_nomem;
	else if (!(s.buf = gc_ring_take_empty(p->ring)))
		p->err = gc_error_new(GC_ERR_CANCELLED, "decompression",
				      "the reader stopped");
	else
		p->err = run(p->codec, &in, &s, &p->st);
	if (s.buf)
		gc_ring_put(p->ring, s.buf, p->err ? 0 : s.len);
	p->total = s.total;
	gc_ring_close(p->ring);
	free(in.tmp);
	free(s.stage);
	return NULL;
}

static struct gc_error *pipe_start(struct gc_file *f, uint64_t skip,
				   const char *codec, struct gc_qpipe **out)
{
	*out = NULL;
	struct gc_qpipe *p = calloc(1, sizeof(*p));
	if (!p)
		return &gc_error_nomem;
	p->f = f;
	p->skip = skip;
	p->codec = codec;
	if (!(p->ring = gc_ring_new(PIPE_NBUF, PIPE_BUFSZ, PIPE_HEADROOM))) {
		free(p);
		return &gc_error_nomem;
	}
	int e = pthread_create(&p->thread, NULL, pipe_main, p);
	if (e) {
		gc_ring_free(p->ring);
		free(p);
		return gc_error_new(GC_ERR_IO, "decompression", "cannot start "
				    "a thread: %s", strerror(e));
	}
	p->running = true;
	*out = p;
	return NULL;
}

/* Stop the thread if it still runs (the walk gave up) and wait for it. */
static void pipe_join(struct gc_qpipe *p)
{
	if (!p->running)
		return;
	gc_ring_cancel(p->ring);
	pthread_join(p->thread, NULL);
	p->running = false;
}

static void pipe_free(struct gc_qpipe *p)
{
	if (!p)
		return;
	pipe_join(p);
	gc_error_free(p->err);
	gc_ring_free(p->ring);
	free(p);
}

struct gc_ring *gc_qpipe_ring(struct gc_qpipe *p)
{
	return p->ring;
}

bool gc_qpipe_wait(struct gc_qpipe *p, uint64_t *total)
{
	/* the walk has taken every buffer: the thread has ended or is about
	 * to (the cancel only matters if it has not) */
	if (p->running) {
		pthread_join(p->thread, NULL);
		p->running = false;
	}
	*total = p->total;
	return !p->err && !p->st.why[0];
}

/* ---- the cache ------------------------------------------------------------------- */

struct key {
	uint64_t size, mtime_s, mtime_ns, ino, dev, skip;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static char *cache_dir(void)
{
	const char *e = getenv("GUESTCORE_CACHE_DIR");
	if (e && *e)
		return strdup(e);
	e = getenv("XDG_CACHE_HOME");
	if (e && *e)
		return gc_asprintf("%s/guestcore", e);
	e = getenv("HOME");
	if (e && *e)
		return gc_asprintf("%s/.cache/guestcore", e);
	return NULL;
}

static void mkdirs(char *dir)
{
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(dir, 0700);
		*p = '/';
	}
	(void)mkdir(dir, 0700);
}

/* The cache header: magic, the key, decompressed length, compressed bytes
 * consumed, and why decompression stopped early (or ""). */
static void put_hdr(uint8_t *h, const struct key *k, const char *codec,
		    uint64_t total, const struct stopped *st)
{
	memset(h, 0, CACHE_HDR);
	memcpy(h, CACHE_MAGIC, 8);
	uint64_t v[8] = { k->size, k->mtime_s, k->mtime_ns, k->ino, k->dev,
			  k->skip, total, st->at };
	memcpy(h + 8, v, sizeof(v));
	snprintf((char *)h + 72, 16, "%s", codec);
	snprintf((char *)h + 88, CACHE_HDR - 88, "%s", st->why);
}

static bool get_hdr(struct gc_file *c, const struct key *k, const char *codec,
		    struct stopped *st)
{
	uint8_t h[CACHE_HDR];
	if (c->size < CACHE_HDR)
		return false;
	struct gc_error *err = gc_file_read(c, 0, h, CACHE_HDR, "cache header");
	if (err) {
		gc_error_free(err);
		return false;
	}
	uint64_t v[8];
	memcpy(v, h + 8, sizeof(v));
	h[CACHE_HDR - 1] = '\0';
	if (memcmp(h, CACHE_MAGIC, 8) || v[0] != k->size ||
	    v[1] != k->mtime_s || v[2] != k->mtime_ns || v[3] != k->ino ||
	    v[4] != k->dev || v[5] != k->skip || v[6] != c->size - CACHE_HDR ||
	    strncmp((char *)h + 72, codec, 16))
		return false;
	snprintf(st->why, sizeof(st->why), "%.299s", (char *)h + 88);
	st->at = v[7];
	return true;
}

static struct gc_error *fill(struct gc_dump *d, int fd, const struct key *k,
			     const char *codec, uint64_t skip,
			     struct stopped *st)
{
	struct sink s = { .fd = fd, .cap = OUT_CHUNK, .file_off = CACHE_HDR };
	struct source in = { .f = d->file, .pos = skip, .end = d->file->size };
	s.buf = malloc(OUT_CHUNK);
	in.tmp = d->file->map ? NULL : malloc(IN_CHUNK);
	struct gc_error *err = NULL;
	if (!s.buf || (!d->file->map && !in.tmp))
		err = &gc_error_nomem;
	if (!err)
		err = run(codec, &in, &s, st);
	if (!err)
		err = sink_flush(&s);
	if (!err) {
		uint8_t h[CACHE_HDR];
		put_hdr(h, k, codec, s.total, st);
		if (pwrite(fd, h, CACHE_HDR, 0) != CACHE_HDR)
			err = gc_error_new(GC_ERR_IO, "decompressed cache",
					   "header write failed: %s",
					   strerror(errno));
	}
	free(s.buf);
	free(in.tmp);
	return err;
}

/* An unlinked temporary file for this open only. */
static struct gc_error *anon_file(int *fd)
{
	const char *t = getenv("TMPDIR");
	if (!t || !*t)
		t = "/tmp";
	*fd = open(t, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (*fd < 0)
		return gc_error_new(GC_ERR_IO, "decompressed cache",
				    "cannot create a temporary file in %s: %s",
				    t, strerror(errno));
	return NULL;
}

struct gc_error *gc_qstream_open_compressed(struct gc_dump *d, uint64_t skip,
					    const char *codec,
					    const char *machine_hint,
					    struct gc_qstream **out)
{
	*out = NULL;
	const void *hv;
	uint8_t head[16];
	size_t hl = (size_t)GC_MIN(sizeof(head),
				   d->file->size - GC_MIN(d->file->size, skip));
	struct gc_error *err = gc_file_view(d->file, skip, hl, head, &hv,
					    "compressed stream");
	if (err)
		return err;
	const char *magic = gc_qs_codec_detect(hv, hl);
	if (!codec)
		codec = magic;
	if (!codec)
		return gc_error_at(GC_ERR_FORMAT, skip, "compressed stream",
				   "no gzip, bzip2, xz, lzop or zstd magic");
	if (!magic || strcmp(magic, codec))
		return gc_error_at(GC_ERR_FORMAT, skip, "compressed stream",
				   "the header says %s, the data starts %02x %02x "
				   "%02x %02x (%s)", codec,
				   hl > 0 ? ((const uint8_t *)hv)[0] : 0,
				   hl > 1 ? ((const uint8_t *)hv)[1] : 0,
				   hl > 2 ? ((const uint8_t *)hv)[2] : 0,
				   hl > 3 ? ((const uint8_t *)hv)[3] : 0,
				   magic ? magic : "no known magic");
	struct stat sb;
	if (fstat(d->file->fd, &sb) < 0)
		return gc_error_new(GC_ERR_IO, "cannot stat", "%s", strerror(errno));
	struct key k = { (uint64_t)sb.st_size, (uint64_t)sb.st_mtim.tv_sec,
			 (uint64_t)sb.st_mtim.tv_nsec, (uint64_t)sb.st_ino,
			 (uint64_t)sb.st_dev, skip };
	char *real = realpath(d->file->path, NULL);
	const char *name = real ? real : d->file->path;
	uint64_t h = fnv(0xcbf29ce484222325ull, name, strlen(name));
	h = fnv(h, &k, sizeof(k));
	h = fnv(h, codec, strlen(codec));
	free(real);
	char *dir = cache_dir();
	char *path = dir ? gc_asprintf("%s/qevm-%016" PRIx64 ".raw", dir, h) : NULL;
	struct stopped st = { "", 0, false };
	struct gc_file *cf = NULL;
	bool reused = false;
	struct gc_error *oerr = path ? gc_file_open(path, &cf) : NULL;
	if (oerr) {
		/* not made yet */
		gc_error_free(oerr);
		cf = NULL;
	} else if (cf) {
		if (get_hdr(cf, &k, codec, &st)) {
			reused = true;
		} else {
			gc_file_close(cf);
			cf = NULL;
		}
	}
	if (!cf && d->sink && d->sink->path && d->sink->offset_of) {
		/* a one-pass convert and no cache yet: decode in a thread
		 * straight into the output (no cache file); NULL *OUT without
		 * an error: that route cannot give the same result, the
		 * cache's is taken */
		struct gc_qpipe *pp;
		if (!(err = pipe_start(d->file, skip, codec, &pp))) {
			err = gc_qstream_open_piped(d, pp, machine_hint, out);
			pipe_join(pp);
			uint64_t total = pp->total;
			pipe_free(pp);
			if (!err && *out) {
				err = gc_dump_add_field(d, "compression", false, 0,
							"%s (whole stream)", codec);
				if (!err)
					err = gc_dump_add_field(d, "decompressed_size",
								true, total, "%" PRIu64,
								total);
				if (!err)
					err = gc_dump_add_field(d, "decompressed_cache",
								false, 0, "(none: decoded "
								"in a thread into the "
								"converted output)");
			}
			if (err)
				err = gc_error_context(err, "%s-compressed stream at "
						       "file offset 0x%" PRIx64
						       " (decoded in a thread)",
						       codec, skip);
			if (err || *out)
				goto out;
		} else {
			goto out;
		}
	}
	if (!cf) {
		int fd = -1;
		char *tmp = NULL;
		if (path) {
			mkdirs(dir);
			tmp = gc_asprintf("%s.%d.tmp", path, (int)getpid());
			if (tmp)
				fd = open(tmp, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC,
					  0600);
		}
		bool named = fd >= 0;
		if (!named && (err = anon_file(&fd)))
			goto out_tmp;
		err = fill(d, fd, &k, codec, skip, &st);
		if (!err && named && rename(tmp, path) != 0)
			err = gc_error_new(GC_ERR_IO, "decompressed cache",
					   "cannot rename %s: %s", tmp,
					   strerror(errno));
		if (err && named)
			unlink(tmp);
		if (!err) {
			char proc[64];
			snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
			err = gc_file_open(named ? path : proc, &cf);
		}
		close(fd);
out_tmp:
		free(tmp);
		if (err)
			goto out;
		if (!named) {
			free(path);
			path = NULL;
		}
	}
	struct gc_error *e = gc_dump_add_field(d, "compression", false, 0,
					       "%s (whole stream)", codec);
	if (!e)
		e = gc_dump_add_field(d, "decompressed_size", true,
				      cf->size - CACHE_HDR, "%" PRIu64,
				      cf->size - CACHE_HDR);
	if (!e)
		e = gc_dump_add_field(d, "decompressed_cache", false, 0, "%s%s",
				      path ? path : "(a temporary file: no "
				      "writable cache directory)",
				      reused ? " (reused)" : "");
	if (!e && st.why[0])
		e = gc_dump_finding(d, GC_SEV_ERROR, "decompression", true, st.at,
				    "the %s stream stops at file offset 0x%" PRIx64
				    " after %" PRIu64 " bytes of output: %s", codec,
				    st.at, cf->size - CACHE_HDR, st.why);
	if (e) {
		gc_file_close(cf);
		err = e;
		goto out;
	}
	err = gc_qstream_open(d, cf, CACHE_HDR, true, machine_hint, out);
	if (err)
		err = gc_error_context(err, "%s-compressed stream at file offset "
				       "0x%" PRIx64 " (decompressed offsets "
				       "count from 0x%x in %s)", codec, skip,
				       CACHE_HDR, path ? path : "a temporary file");
out:
	free(path);
	free(dir);
	return err;
}
