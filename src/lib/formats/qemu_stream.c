// SPDX-License-Identifier: MIT
/*
 * QEMU migration streams ("QEVM", versions 2 and 3), indexed once on open.
 *
 * Facts from QEMU's migration/savevm.c, migration/ram.c and
 * target/i386/machine.c (learned, not copied): the stream is the magic
 * "QEVM" and a 32-bit version (all numbers big-endian), in version 3 a
 * CONFIGURATION section naming the machine type, then sections: START and
 * FULL carry a header (section id, length-prefixed id string, instance id,
 * version), PART and END only the section id; each section is followed by
 * a FOOTER (0x7e + section id) on machine types that send one; EOF ends
 * the device state and the JSON VM description (0x06, 32-bit length) may
 * follow.  The "ram" section is a sequence of 64-bit records, page offset
 * | flags: MEM_SIZE (the block list), PAGE (a whole page), ZERO (one fill
 * byte), CONTINUE (same block as before, else a length-prefixed block
 * name), EOS; XBZRLE and compressed pages are deltas or zlib data.
 * Device sections are opaque without the description: their length comes
 * from it, or, without one, from the footer.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/ring.h"
#include "../util/vec.h"
#include "guestcore/qemu.h"
#include "qemu_stream.h"

#define QS_MAX_VMDESC_SCAN (16ull << 20)
#define QS_MAX_FOOTER_SCAN (64ull << 20)
#define QS_MAX_BLOCKS 4096
/* piped: the stream from the first section after RAM on is kept in
 * memory (the device state and the VM description: kilobytes) */
#define QS_PIPE_TAIL_MAX (64ull << 20)
#define GIB (1ull << 30)

/* ---- reading stream bytes ------------------------------------------------ */

/*
 * The one place that knows where the stream lies: BASE bytes into FILE
 * (after a libvirt header), or a decompressed cache file.  At integration
 * this becomes a read of the logical bytes through io/stream.h.
 *
 * While the index is built (qs->win set) small reads come from a 4 MiB
 * window refilled with pread: the walk touches one record header per
 * 4 KiB page, and through the mapping every one of them costs a page
 * fault.  Measured on a 4 GiB stream in this (paravirtualised, loaded)
 * VM: headers through the mapping 4.1 s, MAP_POPULATE 4.2 s, pread of
 * each header 5.6 s, 8 MiB preads 1.3 s.
 */
#define QS_WIN (4u << 20)

/*
 * Piped (a compressed stream decoded by a thread, gc_qstream_open_piped):
 * the window is a ring buffer, the unread end of the previous one copied
 * into its headroom; reads only go forward (rereading the start of the
 * last read, as the walk does, stays in the window).  From the first
 * section after RAM on the rest of the stream is in memory (TAIL).  A
 * read neither can give marks the pipe failed: the caller takes the
 * cache route.
 */
static struct gc_error *pipe_gone(struct gc_qstream *qs, uint64_t off,
				  const char *what)
{
	qs->pipe_failed = true;
	return gc_error_at(GC_ERR_UNSUPPORTED, off, what, "stream bytes the "
			   "decoder thread no longer holds");
}

static struct gc_error *pipe_view(struct gc_qstream *qs, uint64_t off,
				  size_t len, const void **out,
				  const char *what)
{
	if (qs->in_tail) {
		if (off < qs->tail_off || off - qs->tail_off > qs->tail_len ||
		    len > qs->tail_len - (off - qs->tail_off))
			return pipe_gone(qs, off, what);
		*out = qs->tail + (off - qs->tail_off);
		return NULL;
	}
	if (off >= qs->win_off && off - qs->win_off <= qs->win_len &&
	    len <= qs->win_len - (off - qs->win_off)) {
		*out = qs->win + (off - qs->win_off);
		return NULL;
	}
	if (off < qs->win_off || len > gc_ring_headroom(qs->ring))
		return pipe_gone(qs, off, what);
	/* the sink may hold pointers into the buffer given back below */
	if (qs->sink && !qs->sink_err)
		qs->sink_err = qs->sink->flush(qs->sink->arg);
	if (qs->sink_err)
		return gc_error_at(GC_ERR_IO, off, what, "the output could not "
				   "be written");
	uint64_t end = qs->win_off + qs->win_len;
	size_t keep = off < end ? (size_t)(end - off) : 0;
	const uint8_t *kp = keep ? qs->win + (off - qs->win_off) : NULL;
	for (;;) {
		uint8_t *buf;
		size_t n;
		if (!gc_ring_next(qs->ring, &buf, &n))
			return pipe_gone(qs, off, what);  /* cut or failed */
		if (keep)
			memcpy(buf - keep, kp, keep);
		if (qs->chunk)
			gc_ring_give_back(qs->ring, qs->chunk);
		qs->chunk = buf;
		uint64_t boff = end;
		end += n;
		if (keep) {
			qs->win = buf - keep;
			qs->win_off = off;
			qs->win_len = keep + n;
		} else {
			qs->win = buf;
			qs->win_off = boff;
			qs->win_len = n;
		}
		if (end <= off) {
			keep = 0;    /* skipped over */
			continue;
		}
		if (len <= end - off)
			break;
		/* a short (last) buffer: carry its bytes on */
		keep = (size_t)(end - off);
		kp = qs->win + (off - qs->win_off);
	}
	*out = qs->win + (off - qs->win_off);
	return NULL;
}

static struct gc_error *qs_view(struct gc_qstream *qs, uint64_t off,
				size_t len, void *tmp, const void **out,
				const char *what)
{
	uint64_t foff;
	if (!gc_range_ok(off, len, qs->size) || !gc_add_ok(qs->base, off, &foff))
		return gc_error_at(GC_ERR_TRUNCATED, qs->rbase + off, what,
				   "%zu bytes at stream offset 0x%" PRIx64
				   " run past the end of the stream (0x%" PRIx64
				   " bytes%s)", len, off, qs->size,
				   qs->decompressed ? ", decompressed" : "");
	if (qs->ring || qs->in_tail)
		return pipe_view(qs, off, len, out, what);
	if (qs->win && len <= QS_WIN / 2) {
		if (off < qs->win_off || off + len > qs->win_off + qs->win_len) {
			/* the sink may hold pointers into the window */
			if (qs->sink && !qs->sink_err)
				qs->sink_err = qs->sink->flush(qs->sink->arg);
			if (qs->sink_err)
				return gc_error_at(GC_ERR_IO, qs->rbase + off,
						   what, "the output could not "
						   "be written");
			size_t want = (size_t)GC_MIN((uint64_t)QS_WIN,
						     qs->size - off), got = 0;
			while (got < want) {
				ssize_t n = pread(qs->file->fd, qs->win + got,
						  want - got,
						  (off_t)(foff + got));
				if (n < 0 && errno == EINTR)
					continue;
				if (n <= 0) {
					qs->win_len = 0;
					return gc_error_at(GC_ERR_IO, foff + got, what,
							   "read failed: %s",
							   n < 0 ? strerror(errno) :
							   "unexpected end of file");
				}
				got += (size_t)n;
			}
			qs->win_off = off;
			qs->win_len = got;
		}
		*out = qs->win + (off - qs->win_off);
		return NULL;
	}
	return gc_file_view(qs->file, foff, len, tmp, out, what);
}

/* A cursor over the stream. */
struct cur {
	struct gc_qstream *qs;
	uint64_t pos;
};

static struct gc_error *cur_bytes(struct cur *c, void *buf, size_t len,
				  const char *what)
{
	const void *p;
	struct gc_error *err = qs_view(c->qs, c->pos, len, buf, &p, what);
	if (err)
		return err;
	if (p != buf)
		memcpy(buf, p, len);
	c->pos += len;
	return NULL;
}

static struct gc_error *cur_u8(struct cur *c, uint8_t *v, const char *what)
{
	return cur_bytes(c, v, 1, what);
}

static struct gc_error *cur_u16(struct cur *c, uint16_t *v, const char *what)
{
	uint8_t b[2];
	struct gc_error *err = cur_bytes(c, b, 2, what);
	if (!err)
		*v = gc_get16(b, true);
	return err;
}

static struct gc_error *cur_u32(struct cur *c, uint32_t *v, const char *what)
{
	uint8_t b[4];
	struct gc_error *err = cur_bytes(c, b, 4, what);
	if (!err)
		*v = gc_get32(b, true);
	return err;
}

static struct gc_error *cur_u64(struct cur *c, uint64_t *v, const char *what)
{
	uint8_t b[8];
	struct gc_error *err = cur_bytes(c, b, 8, what);
	if (!err)
		*v = gc_get64(b, true);
	return err;
}

/* A length-prefixed string (one length byte) into OUT[256]. */
static struct gc_error *cur_str(struct cur *c, char out[256], const char *what)
{
	uint8_t len;
	struct gc_error *err = cur_u8(c, &len, what);
	if (!err)
		err = cur_bytes(c, out, len, what);
	if (!err)
		out[len] = '\0';
	return err;
}

static struct gc_error *cur_skip(struct cur *c, uint64_t len, const char *what)
{
	if (!gc_range_ok(c->pos, len, c->qs->size))
		return gc_error_at(GC_ERR_TRUNCATED, c->qs->rbase + c->pos, what,
				   "%" PRIu64 " bytes run past the end of the "
				   "stream (0x%" PRIx64 " bytes)", len,
				   c->qs->size);
	c->pos += len;
	return NULL;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* ---- the JSON description -------------------------------------------------- */

/* The stream ends "... 0x00 0x06 LEN32 {JSON}": find it from the end. */
static struct gc_error *find_vmdesc(struct gc_qstream *qs)
{
	qs->json_devices = -1;
	if (qs->size < 16)
		return NULL;
	uint64_t span = GC_MIN(qs->size, QS_MAX_VMDESC_SCAN);
	uint64_t start = qs->size - span;
	/* piped: only the tail is still there; when the description is not
	 * in it, the cache route (which scans more) must decide */
	bool partial = false;
	if (qs->in_tail && start < qs->tail_off) {
		start = qs->tail_off;
		span = qs->size - start;
		partial = true;
		if (span < 6) {
			qs->pipe_failed = true;
			return NULL;
		}
	}
	uint8_t *tmp = NULL;
	if (!qs->file->map && !(tmp = malloc(span)))
		return &gc_error_nomem;
	const void *pv;
	struct gc_error *err = qs_view(qs, start, span, tmp, &pv,
				       "stream tail");
	if (err) {
		free(tmp);
		return err;
	}
	const uint8_t *p = pv;
	uint64_t found = UINT64_MAX;
	for (uint64_t i = span - 6; i + 1 > 0; i--) {
		if (p[i] != QS_VMDESCRIPTION || p[i + 5] != '{')
			continue;
		if (gc_get32(p + i + 1, true) == span - i - 5) {
			found = i;
			break;
		}
	}
	if (found != UINT64_MAX) {
		size_t len = (size_t)(span - found - 5);
		qs->json_text = malloc(len + 1);
		if (!qs->json_text) {
			free(tmp);
			return &gc_error_nomem;
		}
		memcpy(qs->json_text, p + found + 5, len);
		qs->json_text[len] = '\0';
		qs->json_len = len;
		qs->json_off = start + found;
	}
	free(tmp);
	if (found == UINT64_MAX && partial)
		qs->pipe_failed = true;
	if (found == UINT64_MAX)
		return NULL;
	err = gc_qj_parse(qs->json_text, qs->json_len,
			  qs->rbase + qs->json_off + 5, &qs->json);
	if (err)
		return err;
	const struct qj_node *root = &qs->json.nodes[0];
	const struct qj_node *devs = gc_qj_get(&qs->json, root, "devices");
	int64_t ps;
	if (gc_qj_int(&qs->json, root, "page_size", &ps))
		qs->page_size = (uint32_t)GC_MIN((uint64_t)ps, UINT32_MAX);
	if (devs && devs->type == QJ_ARR)
		qs->json_devices = devs - qs->json.nodes;
	return NULL;
}

/* Is description node N the device IDSTR/INSTANCE? */
static bool json_is(const struct gc_qstream *qs, const struct qj_node *n,
		    const char *idstr, uint32_t instance)
{
	int64_t inst;
	return gc_qj_streq(gc_qj_get(&qs->json, n, "name"), idstr) &&
	       gc_qj_int(&qs->json, n, "instance_id", &inst) &&
	       inst == (int64_t)instance;
}

/*
 * The description of device IDSTR/INSTANCE (a node index, or -1).  QEMU
 * lists devices in the order it writes their sections, so the search
 * looks at the next 64 entries after the last match; a section out of
 * order gets a search of the whole list, 64 times at most, so that a
 * hostile stream of many undescribed sections stays linear.
 */
static long json_device(struct gc_qstream *qs, const char *idstr,
			uint32_t instance)
{
	if (qs->json_devices < 0)
		return -1;
	const struct qj_node *devs = &qs->json.nodes[qs->json_devices];
	long it = qs->json_next_node;
	const struct qj_node *n;
	for (int k = 0; k < 64 && (n = gc_qj_child(&qs->json, devs, &it)); k++)
		if (json_is(qs, n, idstr, instance)) {
			qs->json_next_node = it;
			return it;
		}
	if (qs->json_misses++ >= 64)
		return -1;
	it = -1;
	while ((n = gc_qj_child(&qs->json, devs, &it)))
		if (json_is(qs, n, idstr, instance))
			return it;
	return -1;
}

/* ---- the walk ------------------------------------------------------------- */

struct walk {
	struct gc_dump *d;
	struct gc_qstream *qs;
	struct cur c;
	size_t cur_block;      /* last block a record named; SIZE_MAX none */
};

static void stop(struct walk *w, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void stop(struct walk *w, uint64_t off, const char *fmt, ...)
{
	if (w->qs->stopped)
		return;
	va_list ap;
	va_start(ap, fmt);
	w->qs->stop_why = gc_vasprintf(fmt, ap);
	va_end(ap);
	w->qs->stopped = true;
	w->qs->stop_off = off;
}

/* Record an error from a read as where the walk stopped. */
static void stop_err(struct walk *w, uint64_t off, struct gc_error *err,
		     const char *during)
{
	if (err == &gc_error_nomem) {
		stop(w, off, "out of memory %s", during);
		return;
	}
	stop(w, off, "%s %s", during, gc_error_string(err));
	gc_error_free(err);
}

static struct qs_section *find_section(struct gc_qstream *qs, uint32_t id)
{
	for (size_t i = qs->nr_sections; i-- > 0;)
		if (qs->sections[i].id == id)
			return &qs->sections[i];
	return NULL;
}

static struct gc_error *parse_block_list(struct walk *w, uint64_t total)
{
	struct gc_qstream *qs = w->qs;
	uint64_t sum = 0;
	if (qs->nr_blocks)
		return gc_error_at(GC_ERR_FORMAT, qs->rbase + w->c.pos - 8,
				   "ram section", "a second MEM_SIZE block "
				   "list (the first listed %zu blocks)",
				   qs->nr_blocks);
	qs->ram_total = total;
	while (sum < total) {
		struct qs_block b = { .list_off = w->c.pos };
		struct gc_error *err = cur_str(&w->c, b.name, "RAM block name");
		if (!err)
			err = cur_u64(&w->c, &b.used, "RAM block used_length");
		if (!err && qs->ignore_shared) {
			uint64_t addr;
			err = cur_u64(&w->c, &addr, "RAM block address");
		}
		if (err)
			return err;
		if (!b.name[0] || !printable(b.name))
			return gc_error_at(GC_ERR_FORMAT, qs->rbase + b.list_off,
					   "RAM block name", "block %zu has "
					   "an empty or unprintable name",
					   qs->nr_blocks);
		if (b.used % qs->page_size || !b.used)
			return gc_error_at(GC_ERR_FORMAT, qs->rbase + b.list_off,
					   "RAM block", "'%s' used_length 0x%"
					   PRIx64 " is not a positive multiple "
					   "of the page size %u", b.name,
					   b.used, qs->page_size);
		if (!gc_add_ok(sum, b.used, &sum) || sum > total ||
		    qs->nr_blocks >= QS_MAX_BLOCKS)
			return gc_error_at(GC_ERR_FORMAT, qs->rbase + b.list_off,
					   "RAM block list", "block '%s' "
					   "(0x%" PRIx64 " bytes) takes the sum "
					   "past the total 0x%" PRIx64, b.name,
					   b.used, total);
		for (size_t i = 0; i < qs->nr_blocks; i++)
			if (!strcmp(qs->blocks[i].name, b.name))
				return gc_error_at(GC_ERR_FORMAT,
						   qs->rbase + b.list_off,
						   "RAM block list",
						   "block '%s' listed twice",
						   b.name);
		b.npages = b.used / qs->page_size;
		/* slots are allocated per chunk as pages arrive, so a
		 * hostile size costs only its chunk table */
		if (b.used > QS_MAX_BLOCK)
			return gc_error_at(GC_ERR_FORMAT, qs->rbase + b.list_off,
					   "RAM block", "'%s' of 0x%" PRIx64
					   " bytes is larger than 16 TiB",
					   b.name, b.used);
		b.nchunks = (b.npages + QS_CHUNK - 1) >> QS_CHUNK_SHIFT;
		b.chunk = calloc(b.nchunks, sizeof(*b.chunk));
		if (!b.chunk ||
		    !gc_vec_push(&qs->blocks, &qs->nr_blocks, &qs->cap_blocks,
				 &b)) {
			free(b.chunk);
			return &gc_error_nomem;
		}
	}
	return NULL;
}

static bool set_slot(struct gc_qstream *qs, struct qs_block *b, uint64_t page,
		     uint64_t v)
{
	uint64_t **c = &b->chunk[page >> QS_CHUNK_SHIFT];
	if (!*c && !(*c = calloc(QS_CHUNK, sizeof(**c))))
		return false;
	uint64_t *sl = &(*c)[page & (QS_CHUNK - 1)];
	if (*sl)
		qs->dup_pages++;
	*sl = v;
	return true;
}

static struct gc_error *place(struct gc_dump *d, struct gc_qstream *qs);

/* One-pass convert: the block list is known, so is the layout (the
 * machine type came before RAM): place the blocks now and tell the sink
 * every frame a page may land in. */
static struct gc_error *sink_layout(struct walk *w)
{
	struct gc_qstream *qs = w->qs;
	struct gc_error *err = place(w->d, qs);
	if (err)
		return err;
	qs->placed = true;
	struct gc_frame_run *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < qs->nr_regions; i++) {
		const struct qs_region *r = &qs->regions[i];
		uint64_t start = r->gpa / qs->page_size;
		uint64_t count = r->size / qs->page_size;
		if (n && v[n - 1].start + v[n - 1].count == start) {
			v[n - 1].count += count;
			continue;
		}
		struct gc_frame_run run = { start, count };
		if (!gc_vec_push(&v, &n, &cap, &run)) {
			free(v);
			return &gc_error_nomem;
		}
	}
	qs->sink->used = true;
	err = qs->sink->layout(qs->sink->arg, v, n, qs->page_size);
	free(v);
	return err;
}

/* One-pass convert: hand page PAGE of block B (slot just set to SLOT,
 * OLD before) to the sink.  False when the sink failed. */
static bool sink_page(struct walk *w, const struct qs_block *b, uint64_t page,
		      uint64_t slot, uint64_t old)
{
	struct gc_qstream *qs = w->qs;
	if (!qs->placed || !b->placed || qs->sink_err)
		return !qs->sink_err;
	uint64_t boff = page * qs->page_size;
	for (size_t i = 0; i < qs->nr_regions; i++) {
		const struct qs_region *r = &qs->regions[i];
		if (&qs->blocks[r->block] != b || boff < r->boff ||
		    boff - r->boff >= r->size)
			continue;
		uint64_t pfn = (r->gpa + (boff - r->boff)) / qs->page_size;
		const void *data = NULL;
		uint8_t fill = 0;
		if (QS_SLOT_TAG(slot) == QS_TAG_DATA) {
			struct gc_error *err = qs_view(qs, QS_SLOT_VAL(slot),
						       qs->page_size, NULL,
						       &data, "page");
			if (err && qs->pipe_failed) {
				/* piped, the stream ends here: the cache
				 * route's walk says how */
				gc_error_free(err);
				return false;
			}
			if (err) {
				qs->sink_err = err;
				return false;
			}
		} else {
			fill = (uint8_t)QS_SLOT_VAL(slot);
		}
		qs->sink_err = qs->sink->page(qs->sink->arg, pfn, data, fill,
					      old != 0);
		return !qs->sink_err;
	}
	return true;
}

/* RAM records until EOS.  Returns false when the walk must stop. */
static bool walk_ram(struct walk *w)
{
	struct gc_qstream *qs = w->qs;
	uint32_t ps = qs->page_size;
	for (;;) {
		uint64_t rec = w->c.pos, hdr;
		struct gc_error *err = cur_u64(&w->c, &hdr, "RAM record");
		if (err) {
			stop_err(w, rec, err, "reading a RAM record:");
			return false;
		}
		qs->records++;
		uint64_t flags = hdr & (ps - 1), addr = hdr & ~(uint64_t)(ps - 1);
		if (flags & QS_RAM_MEM_SIZE) {
			err = parse_block_list(w, addr);
			if (err) {
				stop_err(w, rec, err,
					 "reading the RAM block list:");
				return false;
			}
			if (qs->sink && (qs->sink_err = sink_layout(w))) {
				stop(w, rec, "the output could not be laid out");
				return false;
			}
			continue;
		}
		if (flags & QS_RAM_EOS)
			return true;
		if (flags & QS_RAM_HOOK) {
			stop(w, rec, "RAM record 0x%" PRIx64 " has the "
			     "RAM_SAVE_FLAG_HOOK flag (0x80): the stream was "
			     "written over RDMA, which guestcore does not read",
			     hdr);
			return false;
		}
		if (flags & QS_RAM_MULTIFD_FLUSH) {
			stop(w, rec, "RAM record 0x%" PRIx64 " has the "
			     "MULTIFD_FLUSH flag (0x200): the multifd capability "
			     "was on and pages travel in other channels, which "
			     "guestcore does not read", hdr);
			return false;
		}
		uint64_t kind = flags & ~(uint64_t)QS_RAM_CONTINUE;
		if (kind != QS_RAM_ZERO && kind != QS_RAM_PAGE &&
		    kind != QS_RAM_XBZRLE && kind != QS_RAM_COMPRESS) {
			stop(w, rec, "RAM record header 0x%" PRIx64 " has "
			     "flags 0x%" PRIx64 ", not one page kind (ZERO "
			     "0x2, PAGE 0x8, XBZRLE 0x40, COMPRESS 0x100)",
			     hdr, flags);
			return false;
		}
		if (!(flags & QS_RAM_CONTINUE)) {
			char name[256];
			err = cur_str(&w->c, name, "RAM block name");
			if (err) {
				stop_err(w, rec, err, "reading a RAM record:");
				return false;
			}
			size_t i;
			for (i = 0; i < qs->nr_blocks; i++)
				if (!strcmp(qs->blocks[i].name, name))
					break;
			if (i == qs->nr_blocks) {
				stop(w, rec, "RAM record names block '%s', "
				     "which the MEM_SIZE list does not have "
				     "(%zu blocks)", printable(name) ? name :
				     "(unprintable)", qs->nr_blocks);
				return false;
			}
			w->cur_block = i;
		} else if (w->cur_block == SIZE_MAX) {
			stop(w, rec, "RAM record 0x%" PRIx64 " continues a "
			     "block but no block was named before", hdr);
			return false;
		}
		struct qs_block *b = &qs->blocks[w->cur_block];
		if (addr >= b->used) {
			stop(w, rec, "RAM record for offset 0x%" PRIx64
			     " of block '%s', which has 0x%" PRIx64 " bytes",
			     addr, b->name, b->used);
			return false;
		}
		uint64_t page = addr / ps;
		uint64_t data = w->c.pos;
		if (kind == QS_RAM_ZERO) {
			uint8_t ch;
			err = cur_u8(&w->c, &ch, "zero page fill byte");
			if (err) {
				(void)set_slot(qs, b, page, (uint64_t)QS_TAG_TRUNC << 61);
				qs->trunc_pages++;
				stop_err(w, rec, err, "reading a ZERO record:");
				return false;
			}
			uint64_t old = gc_qs_slot(b, page);
			if (!set_slot(qs, b, page, ((uint64_t)QS_TAG_FILL << 61) | ch))
				goto nomem;
			qs->zero_pages++;
			if (qs->sink && !sink_page(w, b, page, ((uint64_t)
					QS_TAG_FILL << 61) | ch, old)) {
				stop(w, rec, "the output could not be written");
				return false;
			}
		} else if (kind == QS_RAM_PAGE) {
			if (!gc_range_ok(data, ps, qs->size)) {
				(void)set_slot(qs, b, page, (uint64_t)QS_TAG_TRUNC << 61);
				qs->trunc_pages++;
				stop(w, rec, "page 0x%" PRIx64 " of block '%s': "
				     "its %u bytes at stream offset 0x%" PRIx64
				     " run past the end of the stream (0x%"
				     PRIx64 " bytes)", page, b->name, ps, data,
				     qs->size);
				return false;
			}
			w->c.pos += ps;
			uint64_t old = gc_qs_slot(b, page);
			if (!set_slot(qs, b, page, ((uint64_t)QS_TAG_DATA << 61) | data))
				goto nomem;
			qs->pages++;
			if (qs->sink && !sink_page(w, b, page, ((uint64_t)
					QS_TAG_DATA << 61) | data, old)) {
				stop(w, rec, "the output could not be written");
				return false;
			}
		} else {
			/* XBZRLE: encoding byte, 16-bit length, delta;
			 * COMPRESS: 32-bit length, zlib data */
			uint64_t len;
			if (kind == QS_RAM_XBZRLE) {
				uint8_t enc;
				uint16_t l16 = 0;
				err = cur_u8(&w->c, &enc, "XBZRLE encoding");
				if (!err)
					err = cur_u16(&w->c, &l16, "XBZRLE length");
				len = l16;
				if (!qs->xbzrle++)
					qs->first_xbzrle = rec;
			} else {
				uint32_t l32;
				err = cur_u32(&w->c, &l32, "compressed page length");
				len = l32;
				if (!qs->compressed++)
					qs->first_compressed = rec;
			}
			if (!err)
				err = cur_skip(&w->c, len, "page delta");
			if (err) {
				stop_err(w, rec, err, "reading a page record:");
				return false;
			}
			if (!set_slot(qs, b, page, ((uint64_t)QS_TAG_BAD << 61) | rec))
				goto nomem;
		}
	}
nomem:
	stop(w, w->c.pos, "out of memory indexing pages");
	return false;
}

/* The byte after a footer must start something a stream can continue
 * with. */
static bool plausible_next(uint8_t t)
{
	return t == QS_EOF || (t >= QS_SECTION_START && t <= QS_SECTION_FULL) ||
	       t == QS_VMDESCRIPTION || t == QS_COMMAND;
}

static struct gc_error *footer_search(struct gc_qstream *qs, uint64_t from,
				      uint32_t id, uint64_t *at)
{
	uint64_t span = GC_MIN(qs->size - GC_MIN(from, qs->size),
			       QS_MAX_FOOTER_SCAN);
	if (span < 6)
		return gc_error_at(GC_ERR_TRUNCATED, qs->rbase + from,
				   "device section", "the stream ends before "
				   "the section's footer");
	uint8_t *tmp = NULL;
	if (!qs->file->map && !(tmp = malloc(span)))
		return &gc_error_nomem;
	const void *pv;
	struct gc_error *err = qs_view(qs, from, span, tmp, &pv,
				       "device section");
	if (!err) {
		const uint8_t *p = pv;
		uint64_t i;
		for (i = 0; i + 6 <= span; i++)
			if (p[i] == QS_SECTION_FOOTER &&
			    gc_get32(p + i + 1, true) == id &&
			    plausible_next(p[i + 5]))
				break;
		if (i + 6 <= span)
			*at = from + i;
		else
			err = gc_error_at(GC_ERR_FORMAT, qs->rbase + from,
					  "device section", "no footer for "
					  "section %u in the next %" PRIu64
					  " bytes", id, span);
	}
	free(tmp);
	return err;
}

/*
 * No VM description and no footers (old machine types, e.g. pc-i440fx-2.0
 * on QEMU 7.2): device sections cannot be delimited, so the walk stops at
 * the first one.  The vCPU state is still found by searching the rest of
 * the stream (at most QS_MAX_FOOTER_SCAN bytes) for FULL section headers
 * of "cpu" with instance ids 0, 1, 2... in order; each one's data reaches
 * the next header (or the end searched), which is at least its length.
 * Returns how many were found.
 */
static size_t cpu_header_search(struct walk *w, uint64_t from)
{
	struct gc_qstream *qs = w->qs;
	uint64_t span = GC_MIN(qs->size - GC_MIN(from, qs->size),
			       QS_MAX_FOOTER_SCAN);
	if (span < 17)
		return 0;
	uint8_t *tmp = NULL;
	if (!qs->file->map && !(tmp = malloc(span)))
		return 0;
	const void *pv;
	size_t found = 0;
	struct gc_error *err = qs_view(qs, from, span, tmp, &pv, "device state");
	if (err) {
		gc_error_free(err);
		free(tmp);
		return 0;
	}
	const uint8_t *p = pv;
	for (uint64_t i = 0; i + 17 <= span; i++) {
		if (p[i] != QS_SECTION_FULL || p[i + 5] != 3 ||
		    memcmp(p + i + 6, "cpu", 3) ||
		    gc_get32(p + i + 9, true) != found)
			continue;
		uint32_t ver = gc_get32(p + i + 13, true);
		if (!ver || ver > 1000)
			continue;
		struct qs_section s = { .id = gc_get32(p + i + 1, true),
					.instance = (uint32_t)found,
					.version = ver, .hdr_off = from + i,
					.data_off = from + i + 17,
					.data_len = span - (i + 17),
					.by_search = true, .json = -1 };
		memcpy(s.idstr, "cpu", 4);
		if (found)
			qs->sections[qs->cpus[found - 1].section].data_len =
				from + i - qs->sections[qs->cpus[found - 1].section].data_off;
		if (!gc_vec_push(&qs->sections, &qs->nr_sections,
				 &qs->cap_sections, &s) ||
		    !gc_vec_push(&qs->cpus, &qs->nr_cpus, &qs->cap_cpus,
				 &(struct qs_cpu){ .section = qs->nr_sections - 1 }))
			break;
		found++;
		i += 16;
	}
	free(tmp);
	return found;
}

/* The data of a FULL device section S (just read its header). */
static bool walk_device(struct walk *w, struct qs_section *s)
{
	struct gc_qstream *qs = w->qs;
	s->data_off = w->c.pos;
	s->json = json_device(qs, s->idstr, s->instance);
	uint64_t len;
	if (s->json >= 0 &&
	    gc_qj_device_size(&qs->json, &qs->json.nodes[s->json], &len)) {
		s->len_known = true;
	} else {
		uint64_t at = 0;
		struct gc_error *err = footer_search(qs, w->c.pos, s->id, &at);
		if (err) {
			/* S may move when sections grow: keep its offset */
			uint64_t hdr = s->hdr_off;
			if (qs->json_devices < 0 && !qs->nr_cpus)
				cpu_header_search(w, hdr);
			if (qs->json_devices < 0 && !qs->footers &&
			    qs->nr_cpus && !qs->json_text) {
				/* what an old machine type writes (no
				 * footers since RAM, no description): not
				 * damage, the rest is not delimited; the
				 * check says what that leaves unverified */
				gc_error_free(err);
				qs->undelimited = true;
				qs->undelim_off = hdr;
				return false;
			}
			stop_err(w, hdr, err, qs->json_devices < 0 ?
				 "device section without a VM description:" :
				 "device section the VM description does "
				 "not describe:");
			return false;
		}
		len = at - w->c.pos;
		s->len_known = s->by_footer = true;
	}
	s->data_len = len;
	struct gc_error *err = cur_skip(&w->c, len, "device section");
	if (err) {
		stop_err(w, s->hdr_off, err, "device section:");
		return false;
	}
	if (!strcmp(s->idstr, "cpu") &&
	    !gc_vec_push(&qs->cpus, &qs->nr_cpus, &qs->cap_cpus,
			 &(struct qs_cpu){ .section = (size_t)(s - qs->sections) })) {
		stop(w, s->hdr_off, "out of memory");
		return false;
	}
	return true;
}

static bool walk_footer(struct walk *w, uint32_t id)
{
	uint8_t t;
	uint64_t at = w->c.pos;
	struct gc_error *err = cur_u8(&w->c, &t, "section footer");
	if (err) {
		/* a stream cut right after a section: the next read says so */
		gc_error_free(err);
		return true;
	}
	if (t != QS_SECTION_FOOTER) {
		w->c.pos = at;
		return true;
	}
	uint32_t fid;
	err = cur_u32(&w->c, &fid, "section footer");
	if (err) {
		stop_err(w, at, err, "reading a section footer:");
		return false;
	}
	if (fid != id) {
		stop(w, at, "section footer names section %u, the section "
		     "before it is %u", fid, id);
		return false;
	}
	w->qs->footers++;
	return true;
}

static bool walk_config(struct walk *w)
{
	struct gc_qstream *qs = w->qs;
	uint64_t at = w->c.pos;
	uint32_t len;
	struct gc_error *err = cur_u32(&w->c, &len, "configuration section");
	if (!err && len > 255)
		err = gc_error_at(GC_ERR_FORMAT, qs->rbase + at,
				  "configuration section", "machine type name "
				  "of %u bytes (at most 255 expected)", len);
	if (!err)
		err = cur_bytes(&w->c, qs->machine, len, "machine type");
	if (err) {
		stop_err(w, at, err, "reading the configuration:");
		return false;
	}
	qs->machine[len] = '\0';
	qs->machine_from_xml = false;
	if (!printable(qs->machine)) {
		stop(w, at, "the machine type name is not printable");
		return false;
	}
	qs->has_config = true;
	/* subsections of "configuration" */
	for (;;) {
		uint64_t sub = w->c.pos;
		uint8_t t;
		/* the end of the stream here is the section walk's to report */
		struct gc_error *end = cur_u8(&w->c, &t, "");
		if (end || t != QS_SUBSECTION) {
			gc_error_free(end);
			w->c.pos = sub;
			return true;
		}
		char name[256];
		uint32_t ver;
		err = cur_str(&w->c, name, "configuration subsection");
		if (!err)
			err = cur_u32(&w->c, &ver, "configuration subsection");
		if (err) {
			stop_err(w, sub, err, "reading the configuration:");
			return false;
		}
		if (!strcmp(name, "configuration/target-page-bits")) {
			uint32_t bits;
			if ((err = cur_u32(&w->c, &bits, "target page bits"))) {
				stop_err(w, sub, err, "reading the configuration:");
				return false;
			}
			if (bits < 9 || bits > 20) {
				stop(w, sub, "target page bits %u", bits);
				return false;
			}
			qs->page_size = 1u << bits;
		} else if (!strcmp(name, "configuration/capabilities")) {
			uint32_t n;
			if ((err = cur_u32(&w->c, &n, "capabilities"))) {
				stop_err(w, sub, err, "reading the configuration:");
				return false;
			}
			for (uint32_t i = 0; i < n; i++) {
				char cap[256];
				if ((err = cur_str(&w->c, cap, "capability"))) {
					stop_err(w, sub, err,
						 "reading the configuration:");
					return false;
				}
				if (!strcmp(cap, "x-ignore-shared"))
					qs->ignore_shared = true;
				if (!strcmp(cap, "mapped-ram")) {
					stop(w, sub, "the mapped-ram capability "
					     "is on (QEMU 9.0+ fixed-offset "
					     "RAM), which guestcore does not "
					     "read yet");
					return false;
				}
			}
		} else if (!strcmp(name, "configuration/uuid")) {
			if ((err = cur_skip(&w->c, 16, "uuid"))) {
				stop_err(w, sub, err, "reading the configuration:");
				return false;
			}
		} else {
			stop(w, sub, "unknown configuration subsection '%s'",
			     printable(name) ? name : "(unprintable)");
			return false;
		}
	}
}

/*
 * Piped: the walk has read the type byte at AT of the first section that
 * is not RAM (device state, EOF): keep the rest of the stream in memory
 * (the decoder runs to its end), then find the VM description in it as
 * the cache route does before its walk.  False when that cannot give the
 * cache route's answer (PIPE_FAILED) or the output failed (SINK_ERR).
 */
static bool pipe_tail(struct walk *w, uint64_t at)
{
	struct gc_qstream *qs = w->qs;
	if (qs->sink && !qs->sink_err)
		qs->sink_err = qs->sink->flush(qs->sink->arg);
	if (qs->sink_err)
		return false;
	size_t have = (size_t)(qs->win_off + qs->win_len - at);
	if (!gc_vec_reserve(&qs->tail, &qs->tail_cap, have ? have : 1)) {
		qs->pipe_failed = true;
		return false;
	}
	memcpy(qs->tail, qs->win + (at - qs->win_off), have);
	qs->tail_len = have;
	if (qs->chunk)
		gc_ring_give_back(qs->ring, qs->chunk);
	qs->chunk = NULL;
	qs->win = NULL;
	qs->win_len = 0;
	uint8_t *buf;
	size_t n;
	while (gc_ring_next(qs->ring, &buf, &n)) {
		bool ok = n <= QS_PIPE_TAIL_MAX - qs->tail_len &&
			  gc_vec_reserve(&qs->tail, &qs->tail_cap,
					 qs->tail_len + n);
		if (ok) {
			memcpy(qs->tail + qs->tail_len, buf, n);
			qs->tail_len += n;
		}
		gc_ring_give_back(qs->ring, buf);
		if (!ok) {
			qs->pipe_failed = true;
			return false;
		}
	}
	uint64_t total;
	if (!gc_qpipe_wait(qs->pipe, &total) || total != at + qs->tail_len) {
		/* the decoder stopped early: the cache route says why */
		qs->pipe_failed = true;
		return false;
	}
	qs->tail_off = at;
	qs->in_tail = true;
	qs->size = total;
	struct gc_error *err = find_vmdesc(qs);
	if (err || qs->page_size != 4096) {
		gc_error_free(err);
		qs->pipe_failed = true;
	}
	return !qs->pipe_failed;
}

static void walk(struct walk *w)
{
	struct gc_qstream *qs = w->qs;
	for (;;) {
		uint64_t at = w->c.pos;
		uint8_t t;
		struct gc_error *err = cur_u8(&w->c, &t, "section type");
		if (err) {
			stop_err(w, at, err, "the stream ends before QEMU_VM_EOF:");
			return;
		}
		if (qs->ring && !qs->in_tail && t != QS_SECTION_START &&
		    t != QS_SECTION_PART && t != QS_SECTION_END &&
		    !pipe_tail(w, at)) {
			stop(w, at, "the rest of the decoded stream could not "
			     "be kept in memory");
			return;
		}
		switch (t) {
		case QS_EOF:
			qs->complete = true;
			return;
		case QS_SECTION_START:
		case QS_SECTION_FULL: {
			struct qs_section s = { .hdr_off = at, .json = -1 };
			err = cur_u32(&w->c, &s.id, "section id");
			if (!err)
				err = cur_str(&w->c, s.idstr, "section name");
			if (!err)
				err = cur_u32(&w->c, &s.instance, "instance id");
			if (!err)
				err = cur_u32(&w->c, &s.version, "section version");
			if (err) {
				stop_err(w, at, err, "reading a section header:");
				return;
			}
			if (!printable(s.idstr)) {
				stop(w, at, "section %u has an unprintable name",
				     s.id);
				return;
			}
			if (!gc_vec_push(&qs->sections, &qs->nr_sections,
					 &qs->cap_sections, &s)) {
				stop(w, at, "out of memory");
				return;
			}
			struct qs_section *sp = &qs->sections[qs->nr_sections - 1];
			bool ok;
			if (!strcmp(s.idstr, "ram"))
				ok = walk_ram(w);
			else if (t == QS_SECTION_FULL)
				ok = walk_device(w, sp);
			else {
				stop(w, at, "iterative section '%s' (id %u) is "
				     "not one guestcore reads (only 'ram' is)",
				     s.idstr, s.id);
				return;
			}
			if (!ok || !walk_footer(w, s.id))
				return;
			break;
		}
		case QS_SECTION_PART:
		case QS_SECTION_END: {
			uint32_t id;
			if ((err = cur_u32(&w->c, &id, "section id"))) {
				stop_err(w, at, err, "reading a section header:");
				return;
			}
			struct qs_section *s = find_section(qs, id);
			if (!s) {
				stop(w, at, "%s of section %u, which never "
				     "started", t == QS_SECTION_PART ? "PART" :
				     "END", id);
				return;
			}
			if (strcmp(s->idstr, "ram")) {
				stop(w, at, "iterative section '%s' is not one "
				     "guestcore reads", s->idstr);
				return;
			}
			if (!walk_ram(w) || !walk_footer(w, id))
				return;
			break;
		}
		case QS_COMMAND: {
			uint16_t cmd, len;
			err = cur_u16(&w->c, &cmd, "command");
			if (!err)
				err = cur_u16(&w->c, &len, "command length");
			if (!err)
				err = cur_skip(&w->c, len, "command data");
			if (err) {
				stop_err(w, at, err, "reading a command:");
				return;
			}
			break;
		}
		case QS_CONFIGURATION:
			stop(w, at, "a second configuration section");
			return;
		case QS_VMDESCRIPTION:
			stop(w, at, "the VM description before QEMU_VM_EOF");
			return;
		default:
			stop(w, at, "unknown section type 0x%02x", t);
			return;
		}
	}
}

/* ---- guest-physical placement --------------------------------------------- */

static struct gc_error *add_region(struct gc_qstream *qs, uint64_t gpa,
				   uint64_t size, size_t block, uint64_t boff)
{
	if (!size)
		return NULL;
	struct qs_region r = { gpa, size, block, boff, 0 };
	if (!gc_vec_push(&qs->regions, &qs->nr_regions, &qs->cap_regions, &r))
		return &gc_error_nomem;
	qs->blocks[block].placed = true;
	return NULL;
}

static int region_cmp(const void *a, const void *b)
{
	const struct qs_region *x = a, *y = b;
	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

static struct gc_error *place(struct gc_dump *d, struct gc_qstream *qs)
{
	const char *machine = qs->machine[0] ? qs->machine : "pc";
	for (size_t i = 0; i < qs->nr_blocks; i++) {
		struct qs_block *b = &qs->blocks[i];
		struct gc_error *err = NULL;
		if (!strcmp(b->name, "pc.ram")) {
			uint64_t below, above;
			err = gc_qemu_x86_layout(machine, b->used, 0, &below,
						 &above);
			if (err) {
				gc_error_free(err);
				err = gc_dump_finding(d, GC_SEV_WARNING,
					"ram-layout", false, 0, "machine type "
					"'%s': pc.ram (0x%" PRIx64 " bytes) is "
					"not placed: the PCI hole split is "
					"known for pc and q35 machines only",
					machine, b->used);
				if (err)
					return err;
				continue;
			}
			/* Without a machine type the pc rule of current
			 * versions is a guess once pc.ram reaches q35's
			 * 0xb0000000 (q35, and pc-i440fx-1.7 and older, split
			 * elsewhere): placed, but said */
			if (!qs->machine[0] && b->used >= 0xb0000000ull)
				err = gc_dump_finding(d, GC_SEV_WARNING,
					"ram-layout", false, 0, "the stream "
					"names no machine type: pc.ram (0x%"
					PRIx64 " bytes) is placed by the rule "
					"of pc machines since pc-i440fx-2.0 "
					"(0x%" PRIx64 " bytes below 4 GiB); a "
					"q35 guest, or pc-i440fx-1.7 and older, "
					"splits it elsewhere and then addresses "
					"from 0x%" PRIx64 " up are wrong",
					b->used, below, GC_MIN(below,
					(uint64_t)0x80000000ull));
			if (!err)
				err = add_region(qs, 0, below, i, 0);
			if (!err)
				err = add_region(qs, 4 * GIB, above, i, below);
		} else if (!strcmp(b->name, "pc.bios") && b->used <= 16u << 20) {
			/* the firmware image ends at 4 GiB */
			err = add_region(qs, 4 * GIB - b->used, b->used, i, 0);
		}
		if (err)
			return err;
	}
	gc_qsort(qs->regions, qs->nr_regions, sizeof(*qs->regions), region_cmp);
	for (size_t i = 1; i < qs->nr_regions; i++)
		if (qs->regions[i].gpa < qs->regions[i - 1].gpa +
					 qs->regions[i - 1].size)
			return gc_error_new(GC_ERR_FORMAT, "RAM layout",
					    "block '%s' at 0x%" PRIx64 " overlaps "
					    "block '%s'",
					    qs->blocks[qs->regions[i].block].name,
					    qs->regions[i].gpa,
					    qs->blocks[qs->regions[i - 1].block].name);
	return NULL;
}

static const struct qs_region *region_of(const struct gc_qstream *qs,
					 uint64_t gpa)
{
	size_t lo = 0, hi = qs->nr_regions;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct qs_region *r = &qs->regions[mid];
		if (gpa < r->gpa)
			hi = mid;
		else if (gpa - r->gpa >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/* How messages name offsets: of the file, or of the decompressed stream. */
#define WHERE(qs) ((qs)->decompressed ? "decompressed stream offset" : "file offset")

/* ---- format operations ------------------------------------------------------ */

static struct gc_qstream *QS(struct gc_dump *d)
{
	return d->priv;
}

static uint64_t slot_of(const struct gc_qstream *qs, uint64_t gpa)
{
	const struct qs_region *r = region_of(qs, gpa);
	if (!r)
		return 0;
	return gc_qs_slot(&qs->blocks[r->block],
			  (r->boff + (gpa - r->gpa)) / qs->page_size);
}

/* Piped: where the page holding GPA (whose slot is DATA) is in the
 * output being written. */
static uint64_t out_page(const struct gc_qstream *qs, uint64_t gpa)
{
	const struct qs_region *r = region_of(qs, gpa);
	return r ? r->out + ((gpa - r->gpa) & ~(uint64_t)(qs->page_size - 1))
		 : UINT64_MAX;
}

struct gc_error *gc_qstream_locate(struct gc_dump *d, enum gc_space space,
				   uint64_t frame, struct gc_page_loc *loc)
{
	struct gc_qstream *qs = QS(d);
	memset(loc, 0, sizeof(*loc));
	loc->state = GC_PAGE_ABSENT;
	if (frame > (UINT64_MAX >> d->page_shift))
		return NULL;
	uint64_t s = slot_of(qs, frame << d->page_shift);
	switch (QS_SLOT_TAG(s)) {
	case QS_TAG_DATA:
		loc->state = GC_PAGE_PRESENT;
		loc->offset = qs->base + QS_SLOT_VAL(s);
		loc->size = qs->page_size;
		loc->codec = GC_CODEC_RAW;
		loc->stream = qs->stream;
		if (qs->out_stream) {
			/* piped: the page is in the output */
			loc->offset = out_page(qs, frame << d->page_shift);
			loc->stream = qs->out_stream;
		}
		break;
	case QS_TAG_FILL:
		if (QS_SLOT_VAL(s) == 0) {
			loc->state = GC_PAGE_ZERO;
		} else {
			/* a page of one repeated nonzero byte (old QEMU) */
			loc->state = GC_PAGE_PRESENT;
			loc->codec = GC_CODEC_FILL;
			loc->size = 0;
			loc->offset = QS_SLOT_VAL(s) & 0xff;
		}
		break;
	case QS_TAG_TRUNC:
		loc->state = GC_PAGE_TRUNCATED;
		break;
	default:
		/* never sent, or last sent as XBZRLE/compressed (its content
		 * is unknown: reads fail, check says why) */
		break;
	}
	return NULL;
}


struct gc_error *gc_qstream_frame_runs(struct gc_dump *d, enum gc_space space,
				       struct gc_frame_run **runs, size_t *nr)
{
	struct gc_qstream *qs = QS(d);
	size_t n = 0, cap = 0;
	struct gc_frame_run *v = NULL;
	for (size_t i = 0; i < qs->nr_regions; i++) {
		const struct qs_region *r = &qs->regions[i];
		const struct qs_block *b = &qs->blocks[r->block];
		uint64_t first = r->boff / qs->page_size;
		uint64_t count = r->size / qs->page_size;
		for (uint64_t p = 0; p < count; p++) {
			if (!b->chunk[(first + p) >> QS_CHUNK_SHIFT]) {
				/* a whole chunk never sent */
				p = ((first + p) | (QS_CHUNK - 1)) - first;
				continue;
			}
			uint64_t s = gc_qs_slot(b, first + p);
			uint64_t tag = QS_SLOT_TAG(s);
			if (tag != QS_TAG_DATA && tag != QS_TAG_FILL)
				continue;
			uint64_t frame = (r->gpa >> d->page_shift) + p;
			if (n && v[n - 1].start + v[n - 1].count == frame) {
				v[n - 1].count++;
				continue;
			}
			struct gc_frame_run run = { frame, 1 };
			if (!gc_vec_push(&v, &n, &cap, &run)) {
				free(v);
				return &gc_error_nomem;
			}
		}
	}
	*runs = v;
	*nr = n;
	return NULL;
}

/* ---- vCPU registers ---------------------------------------------------------- */

/* Where a register lies in a "cpu" section: offset and size. */
struct reg_at {
	enum gc_vcpu_reg reg;
	uint64_t off;
	uint32_t size;
};

/* x86-64 "cpu" section version 12 (QEMU 1.x to 9.x): the fixed prefix.
 * regs[16] @0 (rax rcx rdx rbx rsp rbp rsi rdi r8-r15), eip @128,
 * eflags @136, segs[6] @236 of 20 bytes (es cs ss ds fs gs; selector
 * u32 @0, base u64 @4, limit @12, flags @16), ldt @356, tr @376,
 * gdt @396, idt @416, cr0 @456, cr2 @464, cr3 @472, cr4 @480,
 * efer @816, kernelgsbase @856. */
static const enum gc_vcpu_reg gpr_order[16] = {
	GC_REG_RAX, GC_REG_RCX, GC_REG_RDX, GC_REG_RBX, GC_REG_RSP,
	GC_REG_RBP, GC_REG_RSI, GC_REG_RDI, GC_REG_R8, GC_REG_R9,
	GC_REG_R10, GC_REG_R11, GC_REG_R12, GC_REG_R13, GC_REG_R14,
	GC_REG_R15,
};
static const enum gc_vcpu_reg seg_order[6] = {
	GC_REG_ES, GC_REG_CS, GC_REG_SS, GC_REG_DS, GC_REG_FS, GC_REG_GS,
};

struct cpu_layout {
	uint64_t regs, eip, eflags, segs, seg_size, seg_sel, seg_base;
	uint64_t gdt, idt, dt_base, dt_limit, cr[5], efer, kgs;
	uint32_t word;        /* target long: 8 */
	bool has_efer, has_kgs;
	uint64_t need;        /* bytes the section must hold */
};

static const struct cpu_layout v12 = {
	.regs = 0, .eip = 128, .eflags = 136, .segs = 236, .seg_size = 20,
	.seg_sel = 0, .seg_base = 4, .gdt = 396, .idt = 416, .dt_base = 4,
	.dt_limit = 12, .cr = { 456, 0, 464, 472, 480 }, .efer = 816,
	.kgs = 856, .word = 8, .has_efer = true, .has_kgs = true, .need = 864,
};

/* The layout from the JSON description DEV; false if a piece is missing. */
static bool layout_from_json(const struct qj_doc *doc, const struct qj_node *dev,
			     uint64_t data_len, struct cpu_layout *l)
{
	struct qj_field f, g;
	memset(l, 0, sizeof(*l));
	if (!gc_qj_field(doc, dev, "env.regs", &f) || f.count != 16 ||
	    (f.size != 8 && f.size != 4))
		return false;
	l->regs = f.offset;
	l->word = (uint32_t)f.size;
	if (!gc_qj_field(doc, dev, "env.eip", &f) || f.size != l->word)
		return false;
	l->eip = f.offset;
	if (!gc_qj_field(doc, dev, "env.eflags", &f) || f.size != l->word)
		return false;
	l->eflags = f.offset;
	if (!gc_qj_field(doc, dev, "env.segs", &f) || f.count != 6 || !f.desc)
		return false;
	l->segs = f.offset;
	l->seg_size = f.size;
	if (!gc_qj_field(doc, f.desc, "selector", &g) || g.size != 4)
		return false;
	l->seg_sel = g.offset;
	if (!gc_qj_field(doc, f.desc, "base", &g) || g.size != l->word)
		return false;
	l->seg_base = g.offset;
	if (!gc_qj_field(doc, f.desc, "limit", &g) || g.size != 4)
		return false;
	l->dt_limit = g.offset;
	l->dt_base = l->seg_base;
	if (!gc_qj_field(doc, dev, "env.gdt", &f) || f.size != l->seg_size)
		return false;
	l->gdt = f.offset;
	if (!gc_qj_field(doc, dev, "env.idt", &f) || f.size != l->seg_size)
		return false;
	l->idt = f.offset;
	static const char *const crs[5] = { "env.cr[0]", NULL, "env.cr[2]",
					    "env.cr[3]", "env.cr[4]" };
	for (int i = 0; i < 5; i++) {
		if (!crs[i])
			continue;
		if (!gc_qj_field(doc, dev, crs[i], &f) || f.size != l->word)
			return false;
		l->cr[i] = f.offset;
	}
	if (gc_qj_field(doc, dev, "env.efer", &f) && f.size == 8) {
		l->efer = f.offset;
		l->has_efer = true;
	}
	if (gc_qj_field(doc, dev, "env.kernelgsbase", &f) && f.size == 8) {
		l->kgs = f.offset;
		l->has_kgs = true;
	}
	l->need = data_len;
	return true;
}

static uint64_t getw(const uint8_t *p, uint32_t word)
{
	return word == 8 ? gc_get64(p, true) : gc_get32(p, true);
}

struct gc_error *gc_qstream_vcpu(struct gc_dump *d, unsigned int index,
				 struct gc_vcpu *out)
{
	struct gc_qstream *qs = QS(d);
	if (index >= qs->nr_cpus)
		return gc_error_new(GC_ERR_INVALID_ARG, "vcpu", "no vcpu %u",
				    index);
	const struct qs_section *s = &qs->sections[qs->cpus[index].section];
	struct cpu_layout l;
	const char *how;
	if (s->json >= 0 && layout_from_json(&qs->json, &qs->json.nodes[s->json],
					     s->data_len, &l)) {
		how = "QEMU migration stream: cpu section (fields by the VM "
		      "description)";
	} else if (s->version == 12) {
		l = v12;
		how = "QEMU migration stream: cpu section (version 12 layout)";
	} else {
		return gc_error_at(GC_ERR_UNSUPPORTED, qs->rbase + s->hdr_off,
				   "cpu section", "version %u without a VM "
				   "description: the register layout is known "
				   "for version 12 only", s->version);
	}
	if (s->data_len < l.need || l.need < v12.need / 2)
		return gc_error_at(GC_ERR_FORMAT, qs->rbase + s->data_off,
				   "cpu section", "%" PRIu64 " bytes, the "
				   "registers need %" PRIu64, s->data_len,
				   l.need);
	uint64_t need = GC_MIN(s->data_len, 4096);
	uint8_t buf[4096];
	const void *pv;
	struct gc_error *err = qs_view(qs, s->data_off, (size_t)need, buf, &pv,
				       "cpu section");
	if (err)
		return err;
	const uint8_t *p = pv;
	/* every offset below is checked against what was read */
	uint64_t top = l.kgs + 8;
	uint64_t cands[] = { l.regs + 16 * (uint64_t)l.word, l.eip + l.word,
			     l.eflags + l.word, l.segs + 6 * l.seg_size,
			     l.gdt + l.seg_size, l.idt + l.seg_size,
			     l.cr[4] + l.word, l.efer + 8 };
	for (size_t i = 0; i < GC_ARRAY_SIZE(cands); i++)
		top = GC_MAX(top, cands[i]);
	if (top > need || l.seg_base + l.word > l.seg_size ||
	    l.dt_limit + 4 > l.seg_size || l.seg_sel + 4 > l.seg_size)
		return gc_error_at(GC_ERR_FORMAT, qs->rbase + s->data_off,
				   "cpu section", "registers at up to byte %"
				   PRIu64 " of a %" PRIu64 "-byte section",
				   top, s->data_len);
	out->id = s->instance;
	out->is_32bit = l.word == 4;
	for (int i = 0; i < 16; i++) {
		out->regs[gpr_order[i]] = getw(p + l.regs + (uint64_t)i * l.word,
					       l.word);
		out->valid |= 1ull << gpr_order[i];
	}
#define SET(r, v) (out->regs[r] = (v), out->valid |= 1ull << (r))
	SET(GC_REG_RIP, getw(p + l.eip, l.word));
	SET(GC_REG_RFLAGS, getw(p + l.eflags, l.word));
	for (int i = 0; i < 6; i++) {
		const uint8_t *sp = p + l.segs + (uint64_t)i * l.seg_size;
		SET(seg_order[i], gc_get32(sp + l.seg_sel, true));
		if (seg_order[i] == GC_REG_FS)
			SET(GC_REG_FS_BASE, getw(sp + l.seg_base, l.word));
		if (seg_order[i] == GC_REG_GS)
			SET(GC_REG_GS_BASE, getw(sp + l.seg_base, l.word));
	}
	SET(GC_REG_GDT_BASE, getw(p + l.gdt + l.dt_base, l.word));
	SET(GC_REG_GDT_LIMIT, gc_get32(p + l.gdt + l.dt_limit, true));
	SET(GC_REG_IDT_BASE, getw(p + l.idt + l.dt_base, l.word));
	SET(GC_REG_IDT_LIMIT, gc_get32(p + l.idt + l.dt_limit, true));
	SET(GC_REG_CR0, getw(p + l.cr[0], l.word));
	SET(GC_REG_CR2, getw(p + l.cr[2], l.word));
	SET(GC_REG_CR3, getw(p + l.cr[3], l.word));
	SET(GC_REG_CR4, getw(p + l.cr[4], l.word));
	if (l.has_efer)
		SET(GC_REG_EFER, gc_get64(p + l.efer, true));
	if (l.has_kgs)
		SET(GC_REG_GS_BASE_KERNEL, gc_get64(p + l.kgs, true));
#undef SET
	out->pgd_addr = out->regs[GC_REG_CR3] & 0x000ffffffffff000ull;
	out->pgd_space = GC_SPACE_PHYS;
	out->source = how;
	return NULL;
}

/* ---- VMCOREINFO -------------------------------------------------------------- */

/* Read LEN bytes at guest-physical GPA from the indexed pages. */
static struct gc_error *read_phys(struct gc_qstream *qs, uint64_t gpa,
				  void *buf, size_t len)
{
	uint8_t *o = buf;
	while (len) {
		uint64_t in = gpa % qs->page_size;
		size_t n = (size_t)GC_MIN((uint64_t)len, qs->page_size - in);
		uint64_t s = slot_of(qs, gpa);
		if (QS_SLOT_TAG(s) == QS_TAG_DATA) {
			const void *p;
			struct gc_error *err = qs->out_file ?
				gc_file_view(qs->out_file, out_page(qs, gpa) + in,
					     n, o, &p, "page data (output)") :
				qs_view(qs, QS_SLOT_VAL(s) + in, n, o, &p,
					"page data");
			if (err)
				return err;
			if (p != o)
				memcpy(o, p, n);
		} else if (QS_SLOT_TAG(s) == QS_TAG_FILL) {
			memset(o, (int)QS_SLOT_VAL(s), n);
		} else {
			return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_PHYS,
					     gpa, "read", "the page is not in "
					     "the stream");
		}
		o += n;
		gpa += n;
		len -= n;
	}
	return NULL;
}

static void load_vmcoreinfo(struct gc_dump *d, struct gc_qstream *qs)
{
	for (size_t i = 0; i < qs->nr_sections; i++) {
		struct qs_section *s = &qs->sections[i];
		if (strcmp(s->idstr, "vmcoreinfo") || s->data_len < 17)
			continue;
		uint8_t b[17];
		const void *pv;
		struct gc_error *e = qs_view(qs, s->data_off, 17, b, &pv,
					     "vmcoreinfo");
		if (e) {   /* the walk read these bytes: cannot fail */
			gc_error_free(e);
			return;
		}
		const uint8_t *p = pv;
		qs->has_vmcoreinfo_dev = p[0] != 0;
		qs->vmci_guest_format = gc_get16(p + 3, true);
		qs->vmci_size = gc_get32(p + 5, true);
		qs->vmci_paddr = gc_get64(p + 9, true);
		break;
	}
	if (!qs->has_vmcoreinfo_dev)
		return;
	struct gc_error *err = NULL;
	/* FW_CFG_VMCOREINFO_FORMAT_ELF: an ELF note in guest memory */
	if (qs->vmci_guest_format != 1 || qs->vmci_size < 12 ||
	    qs->vmci_size > (1u << 20)) {
		err = gc_dump_finding(d, GC_SEV_WARNING, "vmcoreinfo-device",
				      false, 0, "the vmcoreinfo device holds "
				      "guest format %u, size %u at 0x%" PRIx64
				      ": not an ELF note guestcore reads",
				      qs->vmci_guest_format, qs->vmci_size,
				      qs->vmci_paddr);
		gc_error_free(err);
		return;
	}
	uint8_t *note = malloc(qs->vmci_size);
	if (!note)
		return;
	err = read_phys(qs, qs->vmci_paddr, note, qs->vmci_size);
	if (!err) {
		uint32_t nsz = gc_get32(note, false), dsz = gc_get32(note + 4, false);
		uint64_t doff = 12 + (((uint64_t)nsz + 3) & ~3ull);
		if (nsz == 11 && !memcmp(note + 12, "VMCOREINFO", 11) &&
		    doff <= qs->vmci_size && dsz <= qs->vmci_size - doff &&
		    (qs->vmcoreinfo = malloc(dsz + 1))) {
			memcpy(qs->vmcoreinfo, note + doff, dsz);
			qs->vmcoreinfo[dsz] = '\0';
			qs->vmcoreinfo_len = strnlen(qs->vmcoreinfo, dsz);
			uint64_t s = slot_of(qs, qs->vmci_paddr + doff);
			if (QS_SLOT_TAG(s) == QS_TAG_DATA)
				qs->vmcoreinfo_off = qs->base + QS_SLOT_VAL(s) +
					(qs->vmci_paddr + doff) % qs->page_size;
		} else {
			err = gc_error_addr(GC_ERR_FORMAT, GC_SPACE_PHYS,
					    qs->vmci_paddr, "VMCOREINFO note",
					    "not a VMCOREINFO ELF note "
					    "(namesz %u, descsz %u)", nsz, dsz);
		}
	}
	free(note);
	if (err) {
		struct gc_error *e2 = gc_dump_finding(d, GC_SEV_WARNING,
			"vmcoreinfo-note", false, 0, "the vmcoreinfo device "
			"points at 0x%" PRIx64 " (%u bytes): %s",
			qs->vmci_paddr, qs->vmci_size, gc_error_string(err));
		gc_error_free(e2);
		gc_error_free(err);
	}
}

struct gc_error *gc_qstream_vmcoreinfo(struct gc_dump *d, const char **text,
				       size_t *len, uint64_t *offset)
{
	struct gc_qstream *qs = QS(d);
	if (!qs->vmcoreinfo)
		return gc_error_new(GC_ERR_NOT_PRESENT, "VMCOREINFO",
				    qs->has_vmcoreinfo_dev ?
				    "the vmcoreinfo device's note is unreadable" :
				    "the stream has no vmcoreinfo device state "
				    "(the domain had no <vmcoreinfo/>, or the "
				    "guest never wrote it)");
	*text = qs->vmcoreinfo;
	*len = qs->vmcoreinfo_len;
	*offset = qs->vmcoreinfo_off;
	return NULL;
}

/* ---- open ---------------------------------------------------------------------- */

void gc_qstream_free(struct gc_qstream *qs)
{
	if (!qs)
		return;
	for (size_t i = 0; i < qs->nr_blocks; i++)
	{
		for (uint64_t c = 0; c < qs->blocks[i].nchunks; c++)
			free(qs->blocks[i].chunk[c]);
		free(qs->blocks[i].chunk);
	}
	free(qs->blocks);
	free(qs->regions);
	free(qs->sections);
	free(qs->cpus);
	gc_qj_free(&qs->json);
	free(qs->json_text);
	free(qs->stop_why);
	free(qs->vmcoreinfo);
	if (!qs->piped)
		free(qs->win);  /* piped: a ring buffer, the ring's */
	free(qs->tail);
	gc_error_free(qs->sink_err);
	gc_stream_close(qs->stream);
	gc_stream_close(qs->out_stream);
	if (qs->decompressed && !qs->piped)
		gc_file_close(qs->file);
	free(qs);
}

#define FIELD(...) do { \
	struct gc_error *e_ = gc_dump_add_field(d, __VA_ARGS__); \
	if (e_) \
		return e_; \
} while (0)

static struct gc_error *add_fields(struct gc_dump *d, struct gc_qstream *qs)
{
	if (!qs->decompressed)
		FIELD("stream_offset", true, qs->base, "%" PRIu64 " (0x%" PRIx64
		      ")", qs->base, qs->base);
	FIELD("stream_version", true, qs->version, "%u", qs->version);
	if (qs->has_config)
		FIELD("machine_type", false, 0, "%s", qs->machine);
	else if (qs->machine_from_xml)
		FIELD("machine_type", false, 0, "%s (from the libvirt domain XML; "
		      "the stream has no configuration section)", qs->machine);
	else
		FIELD("machine_type", false, 0, "%s", qs->version == 2 ?
		      "(none: version 2 stream)" : "(none: no configuration "
		      "section: old machine types send none)");
	FIELD("ram_total", true, qs->ram_total, "%" PRIu64 " (0x%" PRIx64 ")",
	      qs->ram_total, qs->ram_total);
	for (size_t i = 0; i < qs->nr_blocks; i++) {
		const struct qs_block *b = &qs->blocks[i];
		struct gc_strbuf sb;
		gc_strbuf_init(&sb);
		for (size_t j = 0; j < qs->nr_regions; j++)
			if (qs->regions[j].block == i)
				gc_strbuf_printf(&sb, "%s0x%" PRIx64 "-0x%" PRIx64,
						 sb.len ? ", " : " at ",
						 qs->regions[j].gpa,
						 qs->regions[j].gpa +
							 qs->regions[j].size - 1);
		char *at = gc_strbuf_steal(&sb);
		if (!at)
			return &gc_error_nomem;
		struct gc_error *e = gc_dump_add_field(d, "ram_block", true,
			b->used, "%s: 0x%" PRIx64 " bytes%s", b->name, b->used,
			b->placed ? at : " (not placed in guest-physical space)");
		free(at);
		if (e)
			return e;
	}
	FIELD("pages", true, qs->pages, "%" PRIu64 " data, %" PRIu64 " zero, %"
	      PRIu64 " sent again", qs->pages, qs->zero_pages, qs->dup_pages);
	FIELD("sections", true, qs->nr_sections, "%zu (%" PRIu64 " footers)",
	      qs->nr_sections, qs->footers);
	if (qs->json_text)
		FIELD("vm_description", true, qs->rbase + qs->json_off,
		      "%zu bytes of JSON at %s 0x%" PRIx64, qs->json_len, WHERE(qs),
		      qs->rbase + qs->json_off);
	else
		FIELD("vm_description", false, 0, "absent");
	if (qs->has_vmcoreinfo_dev)
		FIELD("vmcoreinfo_device", true, qs->vmci_paddr,
		      "note at 0x%" PRIx64 ", %u bytes", qs->vmci_paddr,
		      qs->vmci_size);
	if (qs->undelimited && !qs->stopped)
		FIELD("stream_end", true, qs->rbase + qs->undelim_off,
		      "device sections from %s 0x%" PRIx64 " on not delimited "
		      "(no footers, no VM description); last byte %s",
		      WHERE(qs), qs->rbase + qs->undelim_off,
		      qs->eof_byte ? "QEMU_VM_EOF" : "not QEMU_VM_EOF (cut)");
	if (qs->stopped)
		FIELD("stream_end", true, qs->rbase + qs->stop_off,
		      "read stopped at %s 0x%" PRIx64 ": %s", WHERE(qs),
		      qs->rbase + qs->stop_off, qs->stop_why ? qs->stop_why : "?");
	return NULL;
}

/* PIPE: piped (FILE is the compressed input, not taken). */
static struct gc_error *open_stream(struct gc_dump *d, struct gc_file *file,
				    uint64_t base, bool decompressed,
				    struct gc_qpipe *pipe,
				    const char *machine_hint,
				    struct gc_qstream **out)
{
	*out = NULL;
	bool owns = decompressed && !pipe;
	struct gc_qstream *qs = calloc(1, sizeof(*qs));
	if (!qs) {
		if (owns)
			gc_file_close(file);
		return &gc_error_nomem;
	}
	qs->file = file;
	struct gc_error *serr = gc_stream_from_file(file, false, &qs->stream);
	if (serr) {
		if (owns)
			gc_file_close(file);
		free(qs);
		return serr;
	}
	qs->base = base;
	qs->decompressed = decompressed;
	/* offsets in messages: of the file, or of the decompressed stream */
	qs->rbase = decompressed ? 0 : base;
	qs->size = file->size > base ? file->size - base : 0;
	if (pipe) {
		/* the length is known when the decoder has ended (pipe_tail) */
		qs->piped = true;
		qs->pipe = pipe;
		qs->ring = gc_qpipe_ring(pipe);
		qs->size = UINT64_MAX >> 4;
	}
	qs->page_size = 4096;
	qs->json_devices = -1;
	qs->json_next_node = -1;
	/* the libvirt XML's machine type, for a stream without a
	 * configuration section (walk_config replaces it when there is one);
	 * set before the walk: a one-pass convert places blocks during it */
	if (machine_hint && *machine_hint) {
		size_t n = strnlen(machine_hint, sizeof(qs->machine) - 1);
		memcpy(qs->machine, machine_hint, n);
		qs->machine[n] = '\0';
		qs->machine_from_xml = true;
	}
	struct walk w = { .d = d, .qs = qs, .c = { qs, 0 },
			  .cur_block = SIZE_MAX };
	bool sink_failed = false;
	uint32_t magic = 0;
	struct gc_error *err = cur_u32(&w.c, &magic, "stream header");
	if (!err && magic != QS_MAGIC)
		err = gc_error_at(GC_ERR_FORMAT, base, "stream header",
				  "magic 0x%08x, not \"QEVM\"", magic);
	if (!err)
		err = cur_u32(&w.c, &qs->version, "stream version");
	if (!err && qs->version != 3 && qs->version != 2)
		err = gc_error_at(GC_ERR_FORMAT, base + 4, "stream header",
				  "version %u (2 and 3 are known)", qs->version);
	if (err)
		goto fail;
	err = pipe ? NULL : find_vmdesc(qs);
	if (err) {
		/* a damaged description costs the device lengths only */
		struct gc_error *e2 = gc_dump_finding(d, GC_SEV_WARNING,
			"vm-description", gc_error_offset(err, NULL), gc_err_off(err),
			"the VM description is unreadable: %s",
			gc_error_string(err));
		gc_error_free(err);
		gc_qj_free(&qs->json);
		qs->json_devices = -1;
		if ((err = e2))
			goto fail;
	}
	if (qs->page_size != 4096) {
		err = gc_error_at(GC_ERR_UNSUPPORTED, qs->rbase + qs->json_off,
				  "VM description", "page_size %u: only 4096 "
				  "(x86) is read", qs->page_size);
		goto fail;
	}
	uint64_t at = w.c.pos;
	uint8_t t;
	/* NULL: the walk reads through the mapping; piped: ring buffers */
	if (!pipe)
		qs->win = malloc(QS_WIN);
	/* one-pass convert: pages go to the sink from the window (of the
	 * decompressed cache file for a compressed stream) */
	qs->sink = d->sink;
	if ((qs->sink && !qs->win && !pipe) || (pipe && !qs->sink)) {
		err = &gc_error_nomem;
		goto fail;
	}
	/* a stream that ends here has no configuration section: the walk
	 * says where it stops (the error of this peek is not kept) */
	bool config = false;
	if (qs->version == 3) {
		struct gc_error *peek = cur_u8(&w.c, &t, "");
		config = !peek && t == QS_CONFIGURATION;
		gc_error_free(peek);
	}
	if (config) {
		if (!walk_config(&w))
			goto walked;
	} else {
		w.c.pos = at;
	}
	if (qs->page_size != 4096) {
		err = gc_error_at(GC_ERR_UNSUPPORTED, base + at, "configuration",
				  "target page size %u: only 4096 (x86) is read",
				  qs->page_size);
		goto fail;
	}
	walk(&w);
walked:
	if (qs->sink && !qs->sink_err)
		qs->sink_err = qs->sink->flush(qs->sink->arg);
	if (!pipe)
		free(qs->win);
	qs->win = NULL;
	if (qs->sink_err) {
		err = qs->sink_err;
		qs->sink_err = NULL;
		sink_failed = true;
		goto fail;
	}
	if (pipe) {
		/* the thread is owned by the caller, which joins it */
		qs->pipe = NULL;
		qs->ring = NULL;
		qs->chunk = NULL;
		if (!qs->in_tail || qs->pipe_failed || !qs->placed ||
		    (qs->stopped && qs->stop_off < qs->tail_off)) {
			/* the cache route's walk decides */
			gc_qstream_free(qs);
			return NULL;
		}
		/* pages are read back from the output being written */
		struct gc_page_sink *sk = qs->sink;
		for (size_t i = 0; i < qs->nr_regions; i++) {
			qs->regions[i].out = sk->offset_of(sk->arg,
				qs->regions[i].gpa / qs->page_size);
			if (qs->regions[i].out == UINT64_MAX) {
				gc_qstream_free(qs);
				return NULL;
			}
		}
		if ((err = gc_file_open(sk->path, &qs->out_file)))
			goto fail;
		if ((err = gc_stream_from_file(qs->out_file, true,
					       &qs->out_stream))) {
			qs->out_file = NULL;
			goto fail;
		}
		sk->reread = true;
	}
	qs->sink = NULL;
	qs->end_off = w.c.pos;
	if (qs->undelimited && qs->size) {
		uint8_t tmp = 1;
		const void *pv = NULL;
		struct gc_error *e = qs_view(qs, qs->size - 1, 1, &tmp, &pv,
					     "end of the stream");
		qs->eof_byte = !e && *(const uint8_t *)pv == QS_EOF;
		gc_error_free(e);
	}
	if (!qs->nr_blocks) {
		err = gc_error_at(GC_ERR_FORMAT, base + (qs->stopped ?
						     qs->stop_off : w.c.pos),
				  "migration stream", "no RAM block list%s%s",
				  qs->stopped ? ": " : "",
				  qs->stopped && qs->stop_why ? qs->stop_why : "");
		goto fail;
	}
	if ((err = gc_dump_set_page_size(d, qs->page_size, base, "stream")))
		goto fail;
	if (!qs->placed && (err = place(d, qs)))
		goto fail;
	d->nr_vcpus = (unsigned)GC_MIN(qs->nr_cpus, 4096);
	for (size_t i = 0; i < qs->nr_regions; i++) {
		const struct qs_region *r = &qs->regions[i];
		const struct qs_block *b = &qs->blocks[r->block];
		uint64_t first = r->boff / qs->page_size;
		for (uint64_t p = first; p < first + r->size / qs->page_size; p++) {
			if (!b->chunk[p >> QS_CHUNK_SHIFT]) {
				p |= QS_CHUNK - 1;
				continue;
			}
			uint64_t tag = QS_SLOT_TAG(gc_qs_slot(b, p));
			if (tag == QS_TAG_DATA || tag == QS_TAG_FILL)
				d->nr_frames++;
		}
	}
	load_vmcoreinfo(d, qs);
	d->priv = qs;  /* from here on the dump frees it */
	*out = qs;
	if ((err = add_fields(d, qs)))
		return err;
	if (!qs->stopped && qs->undelimited && !qs->eof_byte)
		err = gc_dump_finding(d, GC_SEV_ERROR, "stream-cut", true,
				      qs->rbase + qs->size, "the stream's last "
				      "byte is not QEMU_VM_EOF: it is cut in "
				      "the device state, which has no footers "
				      "to say where (from %s 0x%" PRIx64 " on)",
				      WHERE(qs), qs->rbase + qs->undelim_off);
	if (qs->stopped)
		err = gc_dump_finding(d, GC_SEV_ERROR, "stream-stopped", true,
				      qs->rbase + qs->stop_off, "the stream could "
				      "not be read past %s 0x%" PRIx64
				      ": %s", WHERE(qs), qs->rbase + qs->stop_off,
				      qs->stop_why ? qs->stop_why : "?");
	if (!err && (qs->xbzrle || qs->compressed))
		err = gc_dump_finding(d, GC_SEV_ERROR, "page-encoding", true,
				      qs->rbase + (qs->xbzrle ? qs->first_xbzrle :
						     qs->first_compressed),
				      "%" PRIu64 " XBZRLE and %" PRIu64
				      " compressed page records (first at %s "
				      "0x%" PRIx64 "): the xbzrle/compress "
				      "capabilities were on; pages whose last "
				      "copy is one of them are unreadable",
				      qs->xbzrle, qs->compressed, WHERE(qs),
				      qs->rbase + (qs->xbzrle ? qs->first_xbzrle :
						     qs->first_compressed));
	return err;
fail:
	if (pipe && !sink_failed && !qs->out_file) {
		/* the cache route's open says what is wrong */
		gc_error_free(err);
		err = NULL;
	}
	gc_qstream_free(qs);
	return err;
}

struct gc_error *gc_qstream_open(struct gc_dump *d, struct gc_file *file,
				 uint64_t base, bool decompressed,
				 const char *machine_hint,
				 struct gc_qstream **out)
{
	return open_stream(d, file, base, decompressed, NULL, machine_hint,
			   out);
}

struct gc_error *gc_qstream_open_piped(struct gc_dump *d,
				       struct gc_qpipe *pipe,
				       const char *machine_hint,
				       struct gc_qstream **out)
{
	return open_stream(d, d->file, 0, true, pipe, machine_hint, out);
}

/* ---- check ------------------------------------------------------------------- */

struct gc_error *gc_qstream_check(struct gc_dump *d, unsigned int flags,
				  struct gc_report *r)
{
	struct gc_qstream *qs = QS(d);
	struct gc_error *err;
	if (qs->undelimited && !qs->stopped)
		err = gc_report_add(r, qs->eof_byte ? GC_SEV_NOTE : GC_SEV_ERROR,
				    "stream-complete", true,
				    qs->rbase + qs->undelim_off, qs->eof_byte ?
				    "device sections from %s 0x%" PRIx64 " on "
				    "are not delimited (no section footers and "
				    "no VM description: what old machine types "
				    "write) and were not read, except the cpu "
				    "sections found by their headers; the last "
				    "byte is 0x00, as QEMU_VM_EOF, so nothing "
				    "says the stream is cut (a cut in the "
				    "device state could end so too; guest "
				    "memory is complete)" :
				    "device sections from %s 0x%" PRIx64 " on "
				    "are not delimited (no section footers and "
				    "no VM description) and the stream's last "
				    "byte is not QEMU_VM_EOF: the stream is cut "
				    "somewhere in the device state",
				    WHERE(qs), qs->rbase + qs->undelim_off);
	else
		err = gc_report_add(r, qs->complete ? GC_SEV_OK :
				    GC_SEV_ERROR, "stream-complete",
				    true, qs->rbase + qs->end_off,
				    qs->complete ?
				    "the stream reaches QEMU_VM_EOF at "
				    "%s 0x%" PRIx64 :
				    "the stream does not reach QEMU_VM_EOF "
				    "(read up to %s 0x%" PRIx64 ")", WHERE(qs),
				    qs->rbase + qs->end_off);
	uint64_t not_sent = 0, bad = 0, trunc = 0, total = 0;
	for (size_t i = 0; i < qs->nr_blocks; i++) {
		const struct qs_block *b = &qs->blocks[i];
		total += b->npages;
		for (uint64_t p = 0; p < b->npages; p++) {
			if (!b->chunk[p >> QS_CHUNK_SHIFT]) {
				uint64_t n = GC_MIN((uint64_t)QS_CHUNK, b->npages - p);
				not_sent += n;
				p += n - 1;
				continue;
			}
			uint64_t tag = QS_SLOT_TAG(gc_qs_slot(b, p));
			not_sent += tag == 0;
			bad += tag == QS_TAG_BAD;
			trunc += tag == QS_TAG_TRUNC;
		}
	}
	if (!err)
		err = gc_report_add(r, not_sent || bad || trunc ? GC_SEV_ERROR :
				    GC_SEV_OK, "ram-pages", false, 0,
				    "%zu RAM blocks, %" PRIu64 " pages: %" PRIu64
				    " never sent, %" PRIu64 " last sent as "
				    "XBZRLE/compressed, %" PRIu64 " cut by the "
				    "end of the stream", qs->nr_blocks, total,
				    not_sent, bad, trunc);
	if (!err && qs->dup_pages)
		err = gc_report_add(r, GC_SEV_NOTE, "pages-resent", false, 0,
				    "%" PRIu64 " pages were sent more than once "
				    "(the guest ran during the save); the last "
				    "copy is used", qs->dup_pages);
	for (size_t i = 0; !err && i < qs->nr_blocks; i++)
		if (!qs->blocks[i].placed)
			err = gc_report_add(r, GC_SEV_NOTE, "block-unplaced", true,
				qs->rbase + qs->blocks[i].list_off,
				"RAM block '%s' (0x%" PRIx64 " bytes) has no known "
				"guest-physical address: listed, not readable",
				qs->blocks[i].name, qs->blocks[i].used);
	if (!err)
		err = gc_report_add(r, qs->nr_cpus ? GC_SEV_OK : GC_SEV_ERROR,
				    "cpu-sections", false, 0, "%zu cpu sections%s",
				    qs->nr_cpus, qs->nr_cpus ? "" :
				    ": no registers (device state is after RAM "
				    "in the stream)");
	for (size_t i = 0; !err && i < qs->nr_cpus; i++) {
		struct gc_vcpu v;
		struct gc_error *e = gc_qstream_vcpu(d, (unsigned)i, &v);
		if (e) {
			err = gc_report_add(r, GC_SEV_ERROR, "cpu-registers",
					    gc_error_offset(e, NULL), gc_err_off(e),
					    "vcpu %zu: %s", i, gc_error_string(e));
			gc_error_free(e);
		}
	}
	if (!err && !qs->undelimited)
		err = gc_report_add(r, qs->json_text ? GC_SEV_OK : GC_SEV_NOTE,
				    "vm-description", qs->json_text != NULL,
				    qs->rbase + qs->json_off, qs->json_text ?
				    "JSON VM description of %zu bytes" :
				    "no JSON VM description%.0zu: device "
				    "sections were delimited by their footers",
				    qs->json_len);
	size_t by_footer = 0;
	for (size_t i = 0; i < qs->nr_sections; i++)
		by_footer += qs->sections[i].by_footer;
	if (!err && by_footer)
		err = gc_report_add(r, GC_SEV_NOTE, "footer-search", false, 0,
				    "%zu device sections delimited by searching "
				    "for their footer", by_footer);
	size_t by_search = 0;
	for (size_t i = 0; i < qs->nr_sections; i++)
		by_search += qs->sections[i].by_search;
	if (!err && by_search)
		err = gc_report_add(r, GC_SEV_NOTE, "cpu-search", true,
				    qs->rbase + qs->sections[qs->cpus[0].section].hdr_off,
				    "%zu cpu sections found by searching the "
				    "device state for their headers (no VM "
				    "description, no footers)", by_search);
	if (!err && qs->vmcoreinfo)
		err = gc_report_add(r, GC_SEV_OK, "vmcoreinfo", false, 0,
				    "VMCOREINFO (%zu bytes) from the vmcoreinfo "
				    "device's note at guest-physical 0x%" PRIx64,
				    qs->vmcoreinfo_len, qs->vmci_paddr);
	else if (!err)
		err = gc_report_add(r, GC_SEV_NOTE, "vmcoreinfo", false, 0,
				    "no VMCOREINFO from a vmcoreinfo device "
				    "(the kernel layer looks in guest memory)");
	return err;
}

/* ---- the bare stream ------------------------------------------------------------ */

struct gc_error *gc_qstream_plain_only(struct gc_dump *d, const char *what)
{
	enum gc_container c = gc_stream_container(d->stream);
	if (c == GC_CONTAINER_PLAIN)
		return NULL;
	return gc_error_at(GC_ERR_UNSUPPORTED, 0, what,
			   "a %s is read only from a plain file, not from a "
			   "%s one%s", what, gc_container_name(c),
			   c == GC_CONTAINER_FLAT ? " (makedumpfile -F): "
			   "reassemble it first with makedumpfile -R" : "");
}

static struct gc_error *qevm_open(struct gc_dump *d)
{
	struct gc_qstream *qs;
	uint8_t head[4] = {0};
	struct gc_error *err = gc_qstream_plain_only(d, "QEMU migration stream");
	if (err)
		return err;
	err = gc_file_read(d->file, 0, head,
					    (size_t)GC_MIN(d->file->size, 4),
					    "stream header");
	if (err)
		return err;
	if (gc_get32(head, true) != QS_MAGIC)
		return gc_qstream_open_compressed(d, 0, NULL, NULL, &qs);
	return gc_qstream_open(d, d->file, 0, false, NULL, &qs);
}

void gc_qstream_close(struct gc_dump *d)
{
	gc_qstream_free(d->priv);
	d->priv = NULL;
}

bool gc_qemu_stream_probe(const uint8_t *head, size_t len, struct gc_stream *s)
{
	if (len >= 4 && gc_get32(head, true) == QS_MAGIC)
		return true;
	/* a compressed `virsh dump`: whatever decompresses to "QEVM" */
	return gc_qs_codec_detect(head, len) &&
	       gc_qs_compressed_is_qevm(gc_stream_file(s), 0);
}

struct gc_error *gc_qemu_stream_explain(const uint8_t *head, size_t len,
					struct gc_stream *s)
{
	/* compressed, and cut before anything can be told of what it holds:
	 * "decompress it first" would not help */
	const char *codec = gc_qs_codec_detect(head, len);
	size_t got;
	uint64_t at;
	char why[200];
	if (!codec || gc_stream_container(s) == GC_CONTAINER_FLAT ||
	    !gc_qs_compressed_cut(gc_stream_file(s), 0, &got, why,
				  sizeof(why), &at))
		return NULL;
	return gc_error_at(GC_ERR_FORMAT, at, "file header",
			   "this is a %s-compressed file cut short: only %zu "
			   "bytes decode before its end (%s), too few to tell "
			   "what it holds", codec, got, why);
}

const struct gc_format_ops gc_qemu_stream_ops = {
	.format = GC_FORMAT_QEMU_STREAM,
	.open = qevm_open,
	GC_QSTREAM_OPS,
};
