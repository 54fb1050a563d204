// SPDX-License-Identifier: MIT
/* Opening dumps (format detection) and format-neutral reads. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/report.h"
#include "dump_internal.h"
#include "io/pagecache.h"
#include "io/readahead.h"

#define GC_PAGECACHE_SLOTS 64

const char *gc_format_name(enum gc_format format)
{
	switch (format) {
	case GC_FORMAT_XC_CORE_ELF: return "xc_core (ELF)";
	case GC_FORMAT_XC_CORE_LEGACY: return "xc_core (legacy)";
	case GC_FORMAT_ELF_VMCORE: return "ELF vmcore";
	case GC_FORMAT_KDUMP: return "kdump-compressed";
	case GC_FORMAT_KDUMP_FLAT: return "kdump-compressed (flattened)";
	case GC_FORMAT_QEMU_CORE: return "QEMU process core";
	case GC_FORMAT_GUEST: return "guest (gc_guest view)";
	case GC_FORMAT_QEMU_STREAM: return "QEMU migration stream";
	case GC_FORMAT_LIBVIRT_SAVE: return "libvirt save image";
	default: return "unknown";
	}
}

const char *gc_page_state_name(enum gc_page_state state)
{
	switch (state) {
	case GC_PAGE_PRESENT: return "present";
	case GC_PAGE_ZERO: return "zero";
	case GC_PAGE_EXCLUDED: return "excluded";
	case GC_PAGE_ABSENT: return "absent";
	case GC_PAGE_TRUNCATED: return "truncated";
	}
	return "?";
}

static const struct gc_format_ops *detect(struct gc_stream *s,
					  const uint8_t *head, size_t len)
{
	for (size_t i = 0; gc_formats[i].ops; i++)
		if (gc_formats[i].probe(head, len, s))
			return gc_formats[i].ops;
	return NULL;
}

/*
 * Files that are not dumps but are often mistaken for one: say what they
 * are and what to do, instead of "not a dump format".  NULL when the head
 * matches none of them.
 */
static struct gc_error *explain_unknown(struct gc_stream *s,
				       const uint8_t *head, size_t len)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *what;
	} known[] = {
		{ "\x28\xb5\x2f\xfd", 4, "a zstd-compressed file: decompress it first (zstd -d --long=31)" },
		{ "\x1f\x8b", 2, "a gzip-compressed file: decompress it first (gunzip)" },
		{ "\xfd" "7zXZ\0", 6, "an xz-compressed file: decompress it first (xz -d)" },
		{ "BZh", 3, "a bzip2-compressed file: decompress it first (bunzip2)" },
		{ "\x89LZO\0\r\n\x1a\n", 9, "an lzop-compressed file: decompress it first (lzop -d)" },
		{ "PK\x03\x04", 4, "a zip archive: unpack it first" },
	};
	/* a format that can say why it could not take the file */
	for (size_t i = 0; s && gc_formats[i].ops; i++) {
		struct gc_error *why = gc_formats[i].explain ?
			gc_formats[i].explain(head, len, s) : NULL;
		if (why)
			return why;
	}
	for (size_t i = 0; i < GC_ARRAY_SIZE(known); i++)
		if (len >= known[i].len && !memcmp(head, known[i].magic, known[i].len))
			return gc_error_at(GC_ERR_UNSUPPORTED, 0, "file header",
					   "this is %s", known[i].what);
	if (len >= 262 && !memcmp(head + 257, "ustar", 5))
		return gc_error_at(GC_ERR_UNSUPPORTED, 0, "file header",
				   "this is a tar archive: unpack it first");
	return NULL;
}

/* The container's own fields for info (every format). */
static struct gc_error *container_fields(struct gc_dump *d)
{
	struct gc_stream_flat_info fi;
	if (!gc_stream_flat_info(d->stream, &fi))
		return NULL;
	return gc_dump_add_field(d, "flattened", true, fi.records,
				 "%zu records, reassembled size 0x%" PRIx64
				 "%s", fi.records, gc_stream_size(d->stream),
				 fi.end_marker ? "" : " (no end marker)");
}

struct gc_error *gc_dump_open(const char *path, const struct gc_open_opts *opts,
			      struct gc_dump **out)
{
	return gc_dump_open_sink(path, opts, NULL, out);
}

struct gc_error *gc_dump_open_sink(const char *path,
				   const struct gc_open_opts *opts,
				   struct gc_page_sink *sink,
				   struct gc_dump **out)
{
	*out = NULL;
	struct gc_dump *d = calloc(1, sizeof(*d));
	if (!d)
		return &gc_error_nomem;
	if (opts)
		d->opts = *opts;
	d->sink = sink;
	d->map_random_max = GC_MAP_RANDOM_MAX;
	struct gc_error *err = gc_stream_open(path, &d->findings, &d->stream);
	if (err) {
		gc_report_clear(&d->findings);
		free(d);
		return err;
	}
	d->file = gc_stream_file(d->stream);
	uint8_t head[512] = {0};
	uint64_t size = gc_stream_size(d->stream);
	size_t len = (size_t)GC_MIN(size, sizeof(head));
	bool flat = gc_stream_container(d->stream) == GC_CONTAINER_FLAT;
	if (len) {
		err = gc_stream_read(d->stream, 0, head, len, "file header");
		if (err && !flat)
			goto fail;
		if (err) {
			/* a small file whose headers end before 512 bytes
			 * and whose data starts at a page boundary: the
			 * flattened records leave the bytes between as a
			 * hole, so probe with the longest prefix that
			 * records hold */
			size_t lo = 0, hi = len;
			while (hi - lo > 1) {
				size_t mid = lo + (hi - lo) / 2;
				struct gc_error *e = gc_stream_read(
					d->stream, 0, head, mid, "file header");
				if (e)
					hi = mid;
				else
					lo = mid;
				gc_error_free(e);
			}
			if (lo >= 64) {
				memset(head, 0, sizeof(head));
				gc_error_free(err);
				err = gc_stream_read(d->stream, 0, head, lo,
						     "file header");
				if (!err)
					len = lo;
			}
		}
		if (err) {
			/* a flattened stream whose first bytes no record
			 * holds: makedumpfile -F writes kdump unless told
			 * otherwise, and the kdump reader says what is
			 * missing */
			gc_error_free(err);
			err = NULL;
			for (size_t i = 0; gc_formats[i].ops; i++)
				if (gc_formats[i].ops->format ==
				    GC_FORMAT_KDUMP)
					d->ops = gc_formats[i].ops;
		}
	}
	if (!d->ops)
		d->ops = detect(d->stream, head, len);
	if (!d->ops) {
		if (len < 4)
			err = gc_error_at(GC_ERR_FORMAT, 0, "file header",
					  "the file is too short to be a dump "
					  "(%zu bytes)", len);
		else if ((err = explain_unknown(d->stream, head, len)) == NULL)
			err = gc_error_at(GC_ERR_FORMAT, 0, "file header",
					  "not a dump format guestcore knows "
					  "(first bytes %02x %02x %02x %02x%s)",
					  head[0], head[1], head[2], head[3],
					  flat ? " behind the flattened "
						 "records" : "");
		goto fail;
	}
	err = d->ops->open(d);
	if (!err)
		err = container_fields(d);
	if (err)
		goto fail;
	d->sink = NULL;  /* the caller's, used during open only */
	d->scratch = malloc(d->page_size);
	if (!d->scratch) {
		err = &gc_error_nomem;
		goto fail;
	}
	*out = d;
	return NULL;
fail:
	err = gc_error_set_file(err, path);
	gc_dump_close(d);
	return err;
}

struct gc_error *gc_dump_view_new(const char *path,
				  const struct gc_format_ops *ops, void *priv,
				  uint32_t page_size, struct gc_dump **out)
{
	*out = NULL;
	struct gc_dump *d = calloc(1, sizeof(*d));
	if (!d) {
		struct gc_dump tmp = { .ops = ops, .priv = priv };
		if (ops->close)
			ops->close(&tmp);
		return &gc_error_nomem;
	}
	d->ops = ops;
	d->priv = priv;
	d->page_size = page_size;
	d->map_random_max = GC_MAP_RANDOM_MAX;
	while ((1u << d->page_shift) < page_size)
		d->page_shift++;
	struct gc_error *err = gc_stream_open_file(path, &d->stream);
	if (err)
		d->stream = NULL;
	else if ((d->file = gc_stream_file(d->stream)),
		 !(d->scratch = malloc(page_size)))
		err = &gc_error_nomem;
	if (err) {
		gc_dump_close(d);
		return err;
	}
	*out = d;
	return NULL;
}

void gc_dump_close(struct gc_dump *d)
{
	if (!d)
		return;
	gc_readahead_free(d->ra);  /* joins the worker before the format goes */
	gc_xlat_free(d->p2m);  /* before the index they read goes */
	gc_xlat_free(d->m2p);
	if (d->ops && d->ops->close)
		d->ops->close(d);
	for (size_t i = 0; i < d->nr_fields; i++)
		free(d->fields[i].value);
	free(d->fields);
	gc_report_clear(&d->findings);
	free(d->notes);
	free(d->scratch);
	gc_pagecache_free(d->pcache);
	gc_decoder_free(&d->dec);
	gc_stream_close(d->stream);
	free(d);
}

const char *gc_dump_path(const struct gc_dump *d) { return d->file->path; }
enum gc_format gc_dump_format(const struct gc_dump *d)
{
	if (d->ops->format == GC_FORMAT_KDUMP &&
	    gc_stream_container(d->stream) == GC_CONTAINER_FLAT)
		return GC_FORMAT_KDUMP_FLAT;
	return d->ops->format;
}
const char *gc_dump_container(const struct gc_dump *d)
{
	return gc_container_name(gc_stream_container(d->stream));
}
uint32_t gc_dump_page_size(const struct gc_dump *d) { return d->page_size; }
uint64_t gc_dump_file_size(const struct gc_dump *d) { return d->file->size; }
uint64_t gc_dump_nr_frames(const struct gc_dump *d) { return d->nr_frames; }
unsigned int gc_dump_nr_vcpus(const struct gc_dump *d) { return d->nr_vcpus; }

bool gc_dump_has_space(const struct gc_dump *d, enum gc_space space)
{
	if (space == GC_SPACE_PHYS)
		return true;
	if (space == GC_SPACE_MACH)
		return d->has_mach;
	return false;
}

struct gc_error *gc_dump_set_page_size(struct gc_dump *d, uint64_t size,
				       uint64_t offset, const char *what)
{
	if (size < 512 || size > (1u << 20) || (size & (size - 1)))
		return gc_error_at(GC_ERR_FORMAT, offset, what,
				   "page size %" PRIu64 " is not a power of two"
				   " between 512 and 1048576", size);
	d->page_size = (uint32_t)size;
	d->page_shift = (unsigned)__builtin_ctzll(size);
	return NULL;
}

struct gc_error *gc_dump_add_field(struct gc_dump *d, const char *name,
				   bool has_number, uint64_t number,
				   const char *fmt, ...)
{
	if (d->nr_fields == d->cap_fields) {
		size_t cap = d->cap_fields ? d->cap_fields * 2 : 16;
		struct gc_field *f = realloc(d->fields, cap * sizeof(*f));
		if (!f)
			return &gc_error_nomem;
		d->fields = f;
		d->cap_fields = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	char *v = gc_vasprintf(fmt, ap);
	va_end(ap);
	if (!v)
		return &gc_error_nomem;
	d->fields[d->nr_fields++] = (struct gc_field){
		.name = name, .value = v, .number = number,
		.has_number = has_number,
	};
	return NULL;
}

size_t gc_dump_nr_fields(const struct gc_dump *d) { return d->nr_fields; }
const struct gc_field *gc_dump_field(const struct gc_dump *d, size_t i)
{
	return i < d->nr_fields ? &d->fields[i] : NULL;
}
const struct gc_field *gc_dump_field_by_name(const struct gc_dump *d,
					     const char *name)
{
	for (size_t i = 0; i < d->nr_fields; i++)
		if (!strcmp(d->fields[i].name, name))
			return &d->fields[i];
	return NULL;
}

static struct gc_error *check_space(struct gc_dump *d, enum gc_space space)
{
	if (space == GC_SPACE_PHYS || (space == GC_SPACE_MACH && d->has_mach))
		return NULL;
	if (space == GC_SPACE_MACH)
		return gc_error_new(GC_ERR_INVALID_ARG, "machine address",
				    "this %s dump has no machine (mfn) space; "
				    "use guest-physical addresses",
				    gc_format_name(d->ops->format));
	return gc_error_new(GC_ERR_INVALID_ARG, "address space",
			    "%s addresses cannot be read directly",
			    gc_space_name(space));
}

struct gc_error *gc_dump_page_state(struct gc_dump *d, enum gc_space space,
				    uint64_t frame, enum gc_page_state *out)
{
	struct gc_error *err = check_space(d, space);
	if (err)
		return err;
	struct gc_page_loc loc;
	err = d->ops->locate(d, space, frame, &loc);
	if (!err)
		*out = loc.state;
	return err;
}

static const char *frame_word(enum gc_space space)
{
	return space == GC_SPACE_MACH ? "mfn" : "pfn";
}

struct gc_error *gc_decode_stored(struct gc_dump *d,
				  const struct gc_page_loc *loc, uint8_t *out)
{
	return gc_decode_stored_ctx(d, loc, out, &d->dec, false);
}

struct gc_error *gc_decode_stored_ctx(struct gc_dump *d,
				      const struct gc_page_loc *loc,
				      uint8_t *out, struct gc_decoder *dc,
				      bool sequential)
{
	struct gc_error *err = gc_codec_check_size(loc, d->page_size);
	if (err)
		return err;
	struct gc_stream *s = loc->stream ? loc->stream : d->stream;
	/* a compressed page is at most a little over a page */
	uint8_t small[4096 + 4096 / 16 + 64];
	uint8_t *tmp = loc->size <= sizeof(small) ? small : malloc(loc->size);
	if (!tmp)
		return &gc_error_nomem;
	const void *in;
	err = gc_stream_view_data(s, loc->offset, loc->size, tmp, &in,
				  sequential ? GC_ACCESS_SEQ : GC_ACCESS_RANDOM,
				  d->map_random_max, "page data");
	if (!err)
		err = gc_codec_decode(loc, in, out, d->page_size, dc);
	if (tmp != small)
		free(tmp);
	return err;
}

/* read-ahead's view of the dump (io/readahead.h) */
static struct gc_error *ra_locate(void *ctx, enum gc_space space,
				  uint64_t frame, struct gc_page_loc *loc)
{
	struct gc_dump *d = ctx;
	struct gc_error *err = d->ops->locate(d, space, frame, loc);
	if (!err && !loc->stream)
		loc->stream = d->stream;
	return err;
}

static struct gc_error *ra_decode(void *ctx, const struct gc_page_loc *loc,
				  uint8_t *out, struct gc_decoder *dc,
				  bool sequential)
{
	return gc_decode_stored_ctx(ctx, loc, out, dc, sequential);
}

struct gc_error *gc_decode_page(struct gc_dump *d,
				const struct gc_page_loc *loc, uint64_t frame,
				enum gc_space space, void *buf)
{
	struct gc_page_loc l = *loc;
	if (!l.stream)
		l.stream = d->stream;
	if (l.codec == GC_CODEC_RAW)
		return gc_stream_read_data(l.stream, l.offset, buf,
					   d->page_size, GC_ACCESS_AUTO,
					   d->map_random_max, "page data");
	if (!d->ra && d->ops->readahead && !d->opts.no_readahead) {
		struct gc_readahead_src src = {
			.ctx = d, .page_size = d->page_size,
			.locate = ra_locate, .decode = ra_decode,
			.dec = &d->dec,
		};
		d->ra = gc_readahead_new(&src);
		if (!d->ra)     /* no memory for it: go on without */
			d->opts.no_readahead = true;
	}
	if (!d->ra)
		return gc_decode_page_cached(d, &l, buf);
	if (l.size <= GC_ZERO_MEMO_MAX) {
		/* short pages (zero pages and the like) are decoded here:
		 * handing one from core to core costs more than decoding */
		gc_readahead_note(d->ra, frame, space);
		return gc_decode_page_cached(d, &l, buf);
	}
	return gc_readahead_page(d->ra, &l, frame, space, buf);
}

struct gc_error *gc_decode_page_cached(struct gc_dump *d,
				       const struct gc_page_loc *loc,
				       void *buf)
{
	if (!d->pcache) {
		d->pcache = gc_pagecache_new(GC_PAGECACHE_SLOTS, d->page_size);
		if (!d->pcache)
			return &gc_error_nomem;
	}
	/* keyed by (stream, logical offset, length and codec) */
	const void *key = loc->stream ? loc->stream : d->stream;
	uint64_t tag = gc_page_loc_tag(loc);
	const uint8_t *hit = gc_pagecache_get(d->pcache, key, loc->offset, tag);
	if (hit) {
		memcpy(buf, hit, d->page_size);
		return NULL;
	}
	uint8_t *slot = gc_pagecache_slot(d->pcache, key, loc->offset, tag);
	if (!slot)
		return gc_decode_stored(d, loc, buf);
	struct gc_error *err = gc_decode_stored(d, loc, slot);
	if (err) {
		gc_pagecache_release(d->pcache, slot);
		return err;
	}
	gc_pagecache_commit(d->pcache, slot);
	memcpy(buf, slot, d->page_size);
	return NULL;
}

static struct gc_error *read_common(struct gc_dump *d, enum gc_space space,
				    uint64_t addr, void *buf, size_t len,
				    bool fill, uint64_t *missing)
{
	struct gc_error *err = check_space(d, space);
	if (err)
		return err;
	uint8_t *out = buf;
	uint64_t psize = d->page_size;
	while (len) {
		uint64_t frame = addr >> d->page_shift;
		uint64_t off = addr & (psize - 1);
		size_t chunk = (size_t)GC_MIN((uint64_t)len, psize - off);
		struct gc_page_loc loc;
		err = d->ops->locate(d, space, frame, &loc);
		if (err)
			return err;
		switch (loc.state) {
		case GC_PAGE_PRESENT:
			if (loc.codec == GC_CODEC_RAW) {
				/* raw pages of every format: io's read
				 * policy (pread for random reads in a large
				 * file, the mapping otherwise) */
				struct gc_stream *s = loc.stream ? loc.stream :
							       d->stream;
				err = gc_stream_read_data(s, loc.offset + off,
							  out, chunk,
							  GC_ACCESS_AUTO,
							  d->map_random_max,
							  "page data");
			} else {
				err = gc_decode_page(d, &loc, frame, space,
						     d->scratch);
				if (!err)
					memcpy(out, d->scratch + off, chunk);
			}
			if (err)
				return gc_error_context(
					err, "reading %s 0x%" PRIx64,
					frame_word(space), frame);
			break;
		case GC_PAGE_ZERO:
			memset(out, 0, chunk);
			break;
		default:
			if (!fill) {
				const char *why =
					loc.state == GC_PAGE_EXCLUDED ?
					"was excluded when the dump was made" :
					loc.state == GC_PAGE_TRUNCATED ?
					"is listed but its data lies past the "
					"end of the (truncated) file" :
					"is not in the dump";
				return gc_error_addr(
					loc.state == GC_PAGE_EXCLUDED ?
						GC_ERR_EXCLUDED :
						GC_ERR_NOT_PRESENT,
					space, addr, "read",
					"%s 0x%" PRIx64 " %s", frame_word(space),
					frame, why);
			}
			memset(out, 0, chunk);
			if (missing)
				(*missing)++;
		}
		out += chunk;
		addr += chunk;
		len -= chunk;
	}
	return NULL;
}

struct gc_error *gc_dump_read(struct gc_dump *d, enum gc_space space,
			      uint64_t addr, void *buf, size_t len)
{
	return read_common(d, space, addr, buf, len, false, NULL);
}

struct gc_error *gc_dump_read_fill(struct gc_dump *d, enum gc_space space,
				   uint64_t addr, void *buf, size_t len,
				   uint64_t *missing)
{
	return read_common(d, space, addr, buf, len, true, missing);
}

struct gc_error *gc_dump_frame_runs(struct gc_dump *d, enum gc_space space,
				    struct gc_frame_run **runs, size_t *nr)
{
	*runs = NULL;
	*nr = 0;
	struct gc_error *err = check_space(d, space);
	if (err)
		return err;
	if (!d->ops->frame_runs)
		return gc_error_new(GC_ERR_UNSUPPORTED, "frame runs",
				    "not available for this format");
	err = d->ops->frame_runs(d, space, runs, nr);
	/* every frame's address fits in 64 bits: consumers (convert's
	 * writers, check --deep) multiply by the page size */
	uint64_t top = UINT64_MAX >> d->page_shift;
	for (size_t i = 0; !err && i < *nr; i++) {
		const struct gc_frame_run *r = &(*runs)[i];
		if (r->count && (r->start > top || r->count - 1 > top - r->start))
			err = gc_error_new(GC_ERR_FORMAT, "frame runs",
					   "frames 0x%" PRIx64 "+0x%" PRIx64
					   " lie past the 64-bit address space",
					   r->start, r->count);
	}
	if (err) {
		free(*runs);
		*runs = NULL;
		*nr = 0;
	}
	return err;
}

size_t gc_dump_nr_notes(const struct gc_dump *d) { return d->nr_notes; }

const struct gc_note *gc_dump_note(const struct gc_dump *d, size_t i)
{
	return i < d->nr_notes ? &d->notes[i] : NULL;
}

struct gc_error *gc_dump_vmcoreinfo(struct gc_dump *d, const char **text,
				    size_t *len, uint64_t *offset)
{
	if (!d->ops->vmcoreinfo)
		return gc_error_new(GC_ERR_NOT_PRESENT, "VMCOREINFO",
				    "%s dumps carry no VMCOREINFO note",
				    gc_format_name(d->ops->format));
	return d->ops->vmcoreinfo(d, text, len, offset);
}
