// SPDX-License-Identifier: MIT
/*
 * One-pass convert of a raw QEMU migration stream to an ELF vmcore.
 *
 * The stream lists its RAM blocks (MEM_SIZE) before any page and the
 * machine type before that, so the guest-physical layout -- and with it
 * every page's offset in the output ELF -- is known before the first page
 * arrives.  gc_convert_stream_open opens the input with a page sink
 * (dump_internal.h): while the index walk reads the stream through its
 * window, each page is written at its final offset straight from that
 * window (consecutive pages as one pwritev), a page of zeroes sent once is
 * left as a hole (the sparse output reads as zeroes), a later copy of a
 * page overwrites the earlier one in place.  The input is thus read once,
 * as cp reads it, instead of once by the index walk and once more by the
 * writer.  What needs random access (the kernel layer: KASLR, phys_base,
 * the tasks for PRSTATUS, VMCOREINFO) runs afterwards on the indexed dump;
 * gc_convert_stream_finish then writes the program headers and the notes
 * at the start, in 1 MiB kept for them before the pages (a hole: crash
 * reads notes only before the first PT_LOAD's data).
 *
 * The layout assumes every page of every placed block is sent.  When the
 * finished index says otherwise (a page never sent, cut off, XBZRLE or
 * compressed), the pages written are discarded and gc_convert writes the
 * output from the index as before: the result is the same file either way.
 *
 * A compressed stream without a decompressed cache file is decoded in a
 * thread and walked from memory (formats/qemu_stream.c, "piped"); that
 * dump reads its pages back from this output (the sink's PATH and
 * OFFSET_OF), so its random-access fallback opens the input again.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dump_internal.h"
#include "formats/qemu_stream.h"
#include "guestcore/writer.h"
#include "writers/writer_internal.h"

enum {
	CS_IOV = 1024,    /* IOV_MAX on Linux */
	/* zero pages between data pages of one batch are written from a
	 * zero page (one system call for the batch); longer zero runs end
	 * the batch and stay holes */
	CS_ZERO_GAP = 32,
};

struct gc_convert_stream {
	int fd;
	char *tmp;
	char *out;
	char *in;
	struct gc_page_sink sink;
	struct gc_frame_run *runs;  /* the layout promised */
	uint64_t *first;            /* output page index of each run */
	size_t nr;
	uint32_t ps;
	uint64_t data_off;
	uint64_t total, done;
	size_t last;                /* run of the previous page */
	struct iovec iov[CS_IOV];
	size_t niov;
	uint64_t batch_off;         /* output offset of iov[0] */
	uint64_t zeros;             /* zero pages pending after the batch */
	uint8_t *fillpage;
	uint8_t *zeropage;
	const struct gc_convert_opts *opts;
};

static struct gc_error *cs_io(struct gc_convert_stream *cs, uint64_t off,
			      int e)
{
	return gc_error_set_file(gc_error_at(GC_ERR_IO, off, "output",
					     "write failed: %s",
					     e ? strerror(e) : "no space"),
				 cs->tmp);
}

static struct gc_error *cs_flush(void *arg)
{
	struct gc_convert_stream *cs = arg;
	struct iovec *v = cs->iov;
	size_t n = cs->niov;
	uint64_t off = cs->batch_off;
	cs->zeros = 0;  /* pending zero pages after the batch: holes */
	while (n) {
		ssize_t w = pwritev(cs->fd, v, (int)n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return cs_io(cs, off, w < 0 ? errno : 0);
		off += (uint64_t)w;
		size_t left = (size_t)w;
		while (n && left >= v->iov_len) {
			left -= v->iov_len;
			v++;
			n--;
		}
		if (left) {
			v->iov_base = (uint8_t *)v->iov_base + left;
			v->iov_len -= left;
		}
	}
	cs->niov = 0;
	return NULL;
}

static struct gc_error *cs_layout(void *arg, const struct gc_frame_run *runs,
				  size_t nr, uint32_t page_size)
{
	struct gc_convert_stream *cs = arg;
	if (cs->runs) {
		/* laid out again: a piped walk gave up and the cache route's
		 * walk writes every page again into an empty file */
		free(cs->runs);
		free(cs->first);
		free(cs->fillpage);
		free(cs->zeropage);
		cs->runs = NULL;
		cs->first = NULL;
		cs->fillpage = cs->zeropage = NULL;
		cs->niov = 0;
		cs->zeros = 0;
		cs->done = 0;
		cs->last = 0;
		if (ftruncate(cs->fd, 0))
			return cs_io(cs, 0, errno);
	}
	cs->ps = page_size;
	cs->runs = malloc((nr ? nr : 1) * sizeof(*runs));
	cs->first = malloc((nr ? nr : 1) * sizeof(*cs->first));
	cs->fillpage = malloc(page_size);
	cs->zeropage = calloc(1, page_size);
	if (!cs->runs || !cs->first || !cs->fillpage || !cs->zeropage)
		return &gc_error_nomem;
	memcpy(cs->runs, runs, nr * sizeof(*runs));
	cs->nr = nr;
	cs->total = 0;
	for (size_t i = 0; i < nr; i++) {
		cs->first[i] = cs->total;
		cs->total += runs[i].count;
	}
	cs->data_off = gc_elf_prelaid_data_off(nr, page_size);
	/* the file's final length (the headers come last): pages may be read
	 * back from it (a piped compressed stream) */
	uint64_t end = cs->data_off + cs->total * cs->ps;
	if (end > (uint64_t)INT64_MAX || ftruncate(cs->fd, (off_t)end))
		return cs_io(cs, 0, errno);
	return NULL;
}

/* The layout run holding frame PFN, CS->nr when none does. */
static size_t cs_run_of(const struct gc_convert_stream *cs, uint64_t pfn)
{
	size_t lo = 0, hi = cs->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pfn < cs->runs[mid].start)
			hi = mid;
		else if (pfn - cs->runs[mid].start >= cs->runs[mid].count)
			lo = mid + 1;
		else
			return mid;
	}
	return cs->nr;
}

/* Where frame PFN's page is in the output, UINT64_MAX outside the layout. */
static uint64_t cs_offset_of(void *arg, uint64_t pfn)
{
	struct gc_convert_stream *cs = arg;
	size_t r = cs_run_of(cs, pfn);
	if (r == cs->nr)
		return UINT64_MAX;
	return cs->data_off + (cs->first[r] + pfn - cs->runs[r].start) * cs->ps;
}

static struct gc_error *cs_page(void *arg, uint64_t pfn, const void *data,
				uint8_t fill, bool replaces)
{
	struct gc_convert_stream *cs = arg;
	size_t r = cs->last;
	if (r >= cs->nr || pfn < cs->runs[r].start ||
	    pfn - cs->runs[r].start >= cs->runs[r].count) {
		if ((r = cs_run_of(cs, pfn)) == cs->nr)
			return NULL;  /* outside the layout: not written */
		cs->last = r;
	}
	uint64_t off = cs->data_off +
		       (cs->first[r] + pfn - cs->runs[r].start) * cs->ps;
	if (++cs->done % 4096 == 0) {
		const struct gc_convert_opts *o = cs->opts;
		if (o->cancel && *o->cancel)
			return gc_error_new(GC_ERR_CANCELLED, "convert",
					    "interrupted");
		if (o->progress)
			o->progress(o->progress_arg, cs->done, cs->total);
	}
	struct gc_error *err;
	uint64_t next = cs->batch_off + (cs->niov + cs->zeros) * cs->ps;
	if (data) {
		if (cs->niov && (cs->niov + cs->zeros >= CS_IOV || next != off) &&
		    (err = cs_flush(cs)))
			return err;
		if (!cs->niov)
			cs->batch_off = off;
		for (; cs->zeros; cs->zeros--)
			cs->iov[cs->niov++] = (struct iovec){ cs->zeropage,
							      cs->ps };
		cs->iov[cs->niov++] = (struct iovec){ (void *)data, cs->ps };
		return NULL;
	}
	if (!fill && !replaces) {
		/* a hole reads as zeroes; inside a batch, written as zeroes */
		if (cs->niov && next == off && cs->zeros < CS_ZERO_GAP &&
		    cs->niov + cs->zeros + 1 < CS_IOV)
			cs->zeros++;
		else if (cs->niov && (err = cs_flush(cs)))
			return err;
		return NULL;
	}
	/* earlier copies may be pending: they go first */
	if (cs->niov && (err = cs_flush(cs)))
		return err;
	memset(cs->fillpage, fill, cs->ps);
	ssize_t w = pwrite(cs->fd, cs->fillpage, cs->ps, (off_t)off);
	if (w != (ssize_t)cs->ps)
		return cs_io(cs, off, w < 0 ? errno : 0);
	return NULL;
}

static void cs_free(struct gc_convert_stream *cs)
{
	if (!cs)
		return;
	if (cs->fd >= 0)
		close(cs->fd);
	if (cs->tmp)
		unlink(cs->tmp);
	free(cs->tmp);
	free(cs->out);
	free(cs->in);
	free(cs->runs);
	free(cs->first);
	free(cs->fillpage);
	free(cs->zeropage);
	free(cs);
}

void gc_convert_stream_abort(struct gc_convert_stream *cs)
{
	cs_free(cs);
}

/* A file the one-pass route may take: a bare stream, raw or compressed as
 * a whole, or a libvirt save image.  (Whether it really is one, the open
 * finds out: the sink stays unused otherwise.) */
static bool streamable(const char *path)
{
	uint8_t head[16] = {0};
	struct gc_file *f;
	struct gc_error *err = gc_file_open(path, &f);
	if (err) {
		gc_error_free(err);
		return false;
	}
	bool ok = false;
	if (f->size >= sizeof(head)) {
		err = gc_file_read(f, 0, head, sizeof(head), "file header");
		ok = !err && (!memcmp(head, "QEVM", 4) ||
			      !memcmp(head, "LibvirtQemudSave", 16) ||
			      (gc_qs_codec_detect(head, sizeof(head)) &&
			       gc_qs_compressed_is_qevm(f, 0)));
		gc_error_free(err);
	}
	gc_file_close(f);
	return ok;
}

struct gc_error *gc_convert_stream_open(const char *in_path,
					const char *out_path,
					const struct gc_convert_opts *opts,
					struct gc_dump **dump,
					struct gc_convert_stream **out)
{
	*dump = NULL;
	*out = NULL;
	if (opts->format != GC_OUT_ELF || opts->flatten || opts->exclude_zero ||
	    !strcmp(out_path, "-") || !streamable(in_path))
		return NULL;
	struct gc_error *err = gc_outfile_check(out_path, opts->force, in_path);
	if (err)
		return err;
	struct gc_convert_stream *cs = calloc(1, sizeof(*cs));
	if (!cs)
		return &gc_error_nomem;
	cs->fd = -1;
	cs->opts = opts;
	if (!(cs->out = strdup(out_path)) || !(cs->in = strdup(in_path))) {
		free(cs->out);
		free(cs);
		return &gc_error_nomem;
	}
	err = gc_outfile_create(out_path, &cs->fd, &cs->tmp);
	if (err) {
		cs_free(cs);
		return err;
	}
	cs->sink = (struct gc_page_sink){ .layout = cs_layout,
					  .page = cs_page,
					  .flush = cs_flush, .arg = cs,
					  .path = cs->tmp,
					  .offset_of = cs_offset_of };
	err = gc_dump_open_sink(in_path, NULL, &cs->sink, dump);
	cs->opts = NULL;
	if (err) {
		cs_free(cs);
		return err;
	}
	*out = cs;
	return NULL;
}

/*
 * The random-access route: the pages written are discarded and gc_convert
 * writes the output from the index.  A piped dump reads its pages back
 * from those very pages, so the input is opened again (through the
 * decompressed cache) for that route.
 */
static struct gc_error *random_access(struct gc_convert_stream *cs,
				      struct gc_dump *in,
				      const struct gc_convert_opts *opts,
				      struct gc_convert_stats *stats)
{
	char *o = cs->out, *ip = cs->in;
	bool reread = cs->sink.reread;
	cs->out = cs->in = NULL;
	cs_free(cs);
	struct gc_dump *again = NULL;
	struct gc_error *err = reread ? gc_dump_open(ip, NULL, &again) : NULL;
	if (!err)
		err = gc_convert(again ? again : in, o, opts, stats);
	gc_dump_close(again);
	free(o);
	free(ip);
	return err;
}

/* The layout held: the index has every page the sink was promised. */
static struct gc_error *layout_held(struct gc_convert_stream *cs,
				    struct gc_dump *in, bool *held)
{
	*held = false;
	if (!cs->sink.used || gc_dump_page_size(in) != cs->ps)
		return NULL;
	struct gc_frame_run *runs = NULL;
	size_t nr = 0;
	struct gc_error *err = gc_dump_frame_runs(in, GC_SPACE_PHYS, &runs,
						  &nr);
	if (err)
		return err;
	*held = nr == cs->nr &&
		(!nr || !memcmp(runs, cs->runs, nr * sizeof(*runs)));
	free(runs);
	return NULL;
}

struct gc_error *gc_convert_stream_finish(struct gc_convert_stream *cs,
					  struct gc_dump *in,
					  const struct gc_convert_opts *opts,
					  struct gc_convert_stats *stats)
{
	struct gc_convert_stats local;
	struct gc_convert_stats *st = stats ? stats : &local;
	memset(st, 0, sizeof(*st));
	bool held;
	struct gc_error *err = layout_held(cs, in, &held);
	if (err) {
		cs_free(cs);
		return err;
	}
	if (!held)
		return random_access(cs, in, opts, stats);
	st->one_pass = true;
	st->piped = cs->sink.reread;
	uint64_t end = cs->data_off + cs->total * cs->ps;
	if (ftruncate(cs->fd, (off_t)end))
		err = cs_io(cs, end, errno);
	if (!err)
		err = gc_convert_prelaid(in, cs->fd, cs->tmp, opts, cs->runs,
					 cs->nr, st);
	if (err && gc_error_code(err) == GC_ERR_UNSUPPORTED) {
		/* the notes do not fit the room kept for them */
		gc_error_free(err);
		return random_access(cs, in, opts, stats);
	}
	if (!err && opts->progress)
		opts->progress(opts->progress_arg, cs->total, cs->total);
	if (!err) {
		int fd = cs->fd;
		cs->fd = -1;
		if (close(fd))
			err = cs_io(cs, 0, errno);
	}
	if (!err)
		err = gc_outfile_place(cs->tmp, cs->out, opts->force);
	if (!err) {
		free(cs->tmp);
		cs->tmp = NULL;  /* placed: nothing to remove */
	} else {
		const char *ef = gc_error_file(err);
		if (ef && !strcmp(ef, cs->tmp))
			err = gc_error_context(err, "writing %s", cs->out);
	}
	cs_free(cs);
	return err;
}
