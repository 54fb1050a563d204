// SPDX-License-Identifier: MIT
/* Writers: buffered output file, note buffers, prstatus/QEMU notes. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/util.h"
#include "writers/writer_internal.h"

enum { WFILE_BUF = 4 << 20 };

enum { FLAT_HDR = 4096, FLAT_REC = 16, GATHER_ROUND = 256 << 10 };

/* write(2) all of P to the stream (FLAT mode). */
static struct gc_error *stream_write(struct gc_wfile *w, const void *p,
				     size_t len)
{
	const uint8_t *b = p;
	while (len) {
		ssize_t n = write(w->fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return gc_error_set_file(
				gc_error_at(GC_ERR_IO, w->flat_bytes, "output",
					    "write of %zu bytes to the "
					    "flattened stream failed: %s", len,
					    n < 0 ? strerror(errno) :
						    "no progress"),
				w->path);
		b += n;
		len -= (size_t)n;
		w->flat_bytes += (uint64_t)n;
	}
	return NULL;
}

/* One record per WFILE_BUF bytes at most. */
static struct gc_error *flat_record(struct gc_wfile *w, const void *p,
				    size_t len, uint64_t off)
{
	const uint8_t *b = p;
	while (len) {
		size_t n = GC_MIN(len, (size_t)WFILE_BUF);
		uint8_t h[FLAT_REC];
		gc_put64(h, off, true);
		gc_put64(h + 8, n, true);
		struct gc_error *err = stream_write(w, h, sizeof(h));
		if (!err)
			err = stream_write(w, b, n);
		if (err)
			return err;
		b += n;
		len -= n;
		off += n;
	}
	return NULL;
}

struct gc_error *gc_wfile_init(struct gc_wfile *w, int fd, const char *path,
			       uint64_t pos, bool flat)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->path = path;
	w->pos = pos;
	w->cap = WFILE_BUF;
	w->flat = flat;
	/* the buffer, then gather's scratch for the gaps it skips */
	w->buf = malloc(w->cap + GC_GATHER_MAX_GAP);
	if (!w->buf)
		return &gc_error_nomem;
	if (!flat)
		return NULL;
	/* makedumpfile_header: signature, type 1, version 1 (big endian) */
	uint8_t *h = calloc(1, FLAT_HDR);
	struct gc_error *err = h ? NULL : &gc_error_nomem;
	if (h) {
		memcpy(h, "makedumpfile", 12);
		gc_put64(h + 16, 1, true);
		gc_put64(h + 24, 1, true);
		err = stream_write(w, h, FLAT_HDR);
		free(h);
	}
	if (err)
		gc_wfile_free(w);   /* callers free only what init made */
	return err;
}

struct gc_error *gc_wfile_end(struct gc_wfile *w)
{
	struct gc_error *err = gc_wfile_flush(w);
	if (err || !w->flat)
		return err;
	uint8_t h[FLAT_REC];
	memset(h, 0xff, sizeof(h));
	return stream_write(w, h, sizeof(h));
}

struct gc_error *gc_wfile_pwrite(struct gc_wfile *w, const void *p,
				 size_t len, uint64_t off)
{
	if (w->flat)
		return flat_record(w, p, len, off);
	const uint8_t *b = p;
	while (len) {
		ssize_t n = pwrite(w->fd, b, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return gc_error_set_file(
				gc_error_at(GC_ERR_IO, off, "output",
					    "write of %zu bytes failed: %s",
					    len, n < 0 ? strerror(errno) :
							 "no progress"),
				w->path);
		b += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return NULL;
}

struct gc_error *gc_wfile_flush(struct gc_wfile *w)
{
	if (!w->len)
		return NULL;
	struct gc_error *err = gc_wfile_pwrite(w, w->buf, w->len, w->pos);
	if (err)
		return err;
	w->pos += w->len;
	w->len = 0;
	return NULL;
}

struct gc_error *gc_wfile_write(struct gc_wfile *w, const void *p, size_t len)
{
	const uint8_t *b = p;
	while (len) {
		if (w->len == w->cap) {
			struct gc_error *err = gc_wfile_flush(w);
			if (err)
				return err;
		}
		size_t n = GC_MIN(len, w->cap - w->len);
		memcpy(w->buf + w->len, b, n);
		w->len += n;
		b += n;
		len -= n;
	}
	return NULL;
}

struct gc_error *gc_wfile_copy(struct gc_wfile *w, int in_fd,
			       const char *in_path, uint64_t in_off,
			       uint64_t len)
{
	struct gc_error *err = gc_wfile_flush(w);
	if (err)
		return err;
	loff_t ioff = (loff_t)in_off, ooff = (loff_t)w->pos;
	uint64_t left = len;
	/* In-kernel copy first (what cp does); a plain read/write loop
	 * where the file systems do not support it (and always for a
	 * flattened stream, whose records carry headers). */
	while (left && !w->flat) {
		ssize_t n = copy_file_range(in_fd, &ioff, w->fd, &ooff,
					    (size_t)GC_MIN(left, 1ull << 30),
					    0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		left -= (uint64_t)n;
	}
	while (left) {
		size_t chunk = (size_t)GC_MIN(left, (uint64_t)w->cap);
		ssize_t n = pread(in_fd, w->buf, chunk, (off_t)ioff);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return gc_error_set_file(
				gc_error_at(GC_ERR_IO, (uint64_t)ioff, "input",
					    "read of %zu bytes failed: %s",
					    chunk, n < 0 ? strerror(errno) :
							   "end of file"),
				in_path);
		err = gc_wfile_pwrite(w, w->buf, (size_t)n, (uint64_t)ooff);
		if (err)
			return err;
		ioff += n;
		ooff += n;
		left -= (uint64_t)n;
	}
	w->pos += len;
	return NULL;
}

/* Read [OFF, OFF+LEN) of IN_FD into P, all of it. */
static struct gc_error *pread_all(int fd, const char *path, void *p,
				  size_t len, uint64_t off)
{
	uint8_t *b = p;
	while (len) {
		ssize_t r = pread(fd, b, len, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return gc_error_set_file(
				gc_error_at(GC_ERR_IO, off, "input",
					    "read of %zu bytes failed: %s", len,
					    r < 0 ? strerror(errno) :
						    "end of file"),
				path);
		b += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return NULL;
}

struct gc_error *gc_wfile_gather(struct gc_wfile *w, int in_fd,
				 const char *in_path, const uint64_t *offs,
				 size_t n, size_t len)
{
	enum { IOV = 1024 };
	uint8_t *gap = w->buf + w->cap;   /* read into, never read */
	struct iovec iov[IOV];
	size_t i = 0;
	if (!len || len > w->cap)
		return gc_error_new(GC_ERR_INVALID_ARG, "writer",
				    "pages of %zu bytes do not fit the %zu-byte "
				    "output buffer", len, w->cap);
	/* Small rounds: the pages pass through a buffer that stays in the
	 * CPU's cache between the read and the write (as cp's 128 KiB);
	 * at least one page per round (pages may be up to 1 MiB). */
	const size_t round = GC_MIN(w->cap, GC_MAX((size_t)GATHER_ROUND, len));
	while (i < n) {
		if (w->len + len > round) {
			struct gc_error *err = gc_wfile_flush(w);
			if (err)
				return err;
		}
		/* pages that fit the round and IOV/2 (a gap and a page each) */
		size_t k = GC_MIN(n - i, (round - w->len) / len);
		k = GC_MIN(k, (size_t)IOV / 2);
		size_t nv = 0, want = 0;
		for (size_t j = 0; j < k; j++) {
			if (j) {
				uint64_t g = offs[i + j] -
					     (offs[i + j - 1] + len);
				if (g)
					iov[nv++] = (struct iovec){ gap,
								    (size_t)g };
				want += (size_t)g;
			}
			iov[nv++] = (struct iovec){ w->buf + w->len + j * len,
						    len };
			want += len;
		}
		ssize_t r;
		do
			r = preadv(in_fd, iov, (int)nv, (off_t)offs[i]);
		while (r < 0 && errno == EINTR);
		if (r < 0 || (size_t)r != want) {
			/* short or failed: page by page, for the error */
			for (size_t j = 0; j < k; j++) {
				struct gc_error *err = pread_all(
					in_fd, in_path,
					w->buf + w->len + j * len, len,
					offs[i + j]);
				if (err)
					return err;
			}
		}
		w->len += k * len;
		i += k;
	}
	return NULL;
}

void gc_wnotes_count(const struct gc_wsource *src, size_t at, uint64_t n)
{
	if (at == SIZE_MAX || !src->notes_rw || at > src->notes_len ||
	    src->notes_len - at < GC_NOTE_COUNT_WIDTH)
		return;
	char num[GC_NOTE_COUNT_WIDTH + 1];
	int l = snprintf(num, sizeof(num), "%" PRIu64, n);
	if (l > 0 && l <= GC_NOTE_COUNT_WIDTH)
		memcpy(src->notes_rw + at, num, (size_t)l);
}

void gc_wfile_free(struct gc_wfile *w)
{
	free(w->buf);
	w->buf = NULL;
}

void gc_wbuf_append(struct gc_wbuf *b, const void *p, size_t len)
{
	if (b->failed)
		return;
	if (len > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap - b->len < len) {
			if (cap > SIZE_MAX / 2) {
				b->failed = true;
				return;
			}
			cap *= 2;
		}
		uint8_t *n = realloc(b->data, cap);
		if (!n) {
			b->failed = true;
			return;
		}
		b->data = n;
		b->cap = cap;
	}
	if (len)
		memcpy(b->data + b->len, p, len);
	b->len += len;
}

static void pad4(struct gc_wbuf *b)
{
	static const uint8_t zero[4];
	if (b->len & 3)
		gc_wbuf_append(b, zero, 4 - (b->len & 3));
}

void gc_wbuf_note(struct gc_wbuf *b, const char *name, uint32_t type,
		  const void *desc, size_t desc_len)
{
	uint8_t hdr[12];
	size_t namesz = strlen(name) + 1;
	if (desc_len > UINT32_MAX) {
		b->failed = true;
		return;
	}
	gc_put32(hdr, (uint32_t)namesz, false);
	gc_put32(hdr + 4, (uint32_t)desc_len, false);
	gc_put32(hdr + 8, type, false);
	pad4(b);
	gc_wbuf_append(b, hdr, sizeof(hdr));
	gc_wbuf_append(b, name, namesz);
	pad4(b);
	gc_wbuf_append(b, desc, desc_len);
	pad4(b);
}

void gc_wbuf_free(struct gc_wbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}
