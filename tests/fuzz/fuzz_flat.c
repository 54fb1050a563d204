// SPDX-License-Identifier: MIT
/* libFuzzer target: the io layer's flattened stream (io/stream.c: record
 * index, overlapping records resolved later-wins, reads that straddle
 * records, holes), windows and concatenations over it, and every format
 * behind it through gc_dump_open.  Inputs that do not start with the
 * flattened signature get one, so every input exercises the record
 * parser.  Seeds: tests/fuzz/seeds_kdump.sh. */
#include <string.h>

#include "util/report.h"
#include "io/stream.h"

#define FUZZ_NAME "fuzz_flat"
/* Inputs without the flattened signature get a flattened header, so
 * every input exercises the stream parser. */
#define FUZZ_PREFIX(f, data, size)                                        \
	do {                                                              \
		if ((size) < 12 || memcmp((data), "makedumpfile", 12)) {  \
			uint8_t h_[4096] = "makedumpfile";                \
			h_[23] = 1;                                       \
			h_[31] = 1;                                       \
			fwrite(h_, 1, sizeof(h_), (f));                   \
		}                                                         \
	} while (0)
#define FUZZ_EXTRA(path, data, size) stream_calls((path), (data), (size))

static void stream_calls(const char *p, const uint8_t *data, size_t size);

#include "fuzz_dump_common.h"

/* Offsets and lengths to read, taken from the input's last bytes. */
static uint64_t pick(const uint8_t *data, size_t size, size_t i)
{
	uint64_t v = 0;
	for (size_t k = 0; k < 4 && size; k++)
		v = v << 8 | data[(size - 1 - (i * 4 + k) % size)];
	return v;
}

static void reads(struct gc_stream *s, const uint8_t *data, size_t size)
{
	static uint8_t buf[3 * 4096], tmp[3 * 4096];
	uint64_t n = gc_stream_size(s);
	for (size_t i = 0; i < 8; i++) {
		uint64_t off = n ? pick(data, size, i) % (n + 16) : 0;
		size_t len = (size_t)(pick(data, size, i + 8) % sizeof(buf));
		const void *v;
		gc_error_free(gc_stream_read(s, off, buf, len, "fuzz"));
		gc_error_free(gc_stream_read_data(s, off, buf, len,
						  (enum gc_access)(i % 3),
						  i & 1 ? 0 : UINT64_MAX,
						  "fuzz"));
		struct gc_error *e = gc_stream_view_data(
			s, off, len, tmp, &v, GC_ACCESS_AUTO, 4096, "fuzz");
		if (!e && len)
			(void)((const uint8_t *)v)[len - 1];
		gc_error_free(e);
		struct gc_file *f;
		uint64_t foff;
		if (gc_stream_extent(s, off, len, &f, &foff) && len &&
		    f->map)
			(void)f->map[foff + len - 1];
	}
}

static void stream_calls(const char *p, const uint8_t *data, size_t size)
{
	struct gc_report r = {0};
	struct gc_stream *s;
	struct gc_error *err = gc_stream_open(p, &r, &s);
	gc_report_clear(&r);
	if (err) {
		gc_error_free(err);
		return;
	}
	struct gc_stream_flat_info fi;
	(void)gc_stream_flat_info(s, &fi);
	reads(s, data, size);
	/* a window over it, and the flattened stream twice in a row */
	struct gc_stream *w, *c, *s2;
	uint64_t n = gc_stream_size(s);
	uint64_t start = n ? pick(data, size, 20) % n : 0;
	if (!gc_stream_window_new(s, false, start, UINT64_MAX, &w)) {
		reads(w, data, size);
		gc_stream_close(w);
	}
	if (gc_stream_open(p, NULL, &s2)) {
		gc_stream_close(s);
		return;
	}
	struct gc_stream *parts[2] = { s, s2 };
	if (!gc_stream_concat_new(parts, 2, NULL, &c)) {
		reads(c, data, size);
		gc_stream_close(c);
	}
}
