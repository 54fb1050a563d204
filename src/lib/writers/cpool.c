// SPDX-License-Identifier: MIT
/*
 * The compression pool: a few threads compress the pages of one batch
 * (each page independently) while the caller compresses its share; the
 * caller then writes the results in page order.  Per-thread codec state,
 * no global state.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "util/util.h"
#include "writers/writer_internal.h"

enum { MAX_THREADS = 16 };

struct cctx {
	struct gc_cpool *pool;
	ZSTD_CCtx *zstd;
	void *lzo_wrk;
	z_stream zs;        /* reused: compress2 would allocate per page */
	bool zs_ok;
	struct gc_error *err;
	pthread_t th;
	bool started;
};

struct gc_cpool {
	enum gc_out_codec codec;
	uint32_t page_size;
	size_t slot;
	unsigned int nthreads;      /* including the caller */
	struct cctx ctx[MAX_THREADS];
	pthread_mutex_t mu;
	pthread_cond_t start_cv, done_cv;
	uint64_t gen;
	bool quit;
	unsigned int done;          /* workers finished with this batch */
	struct gc_citem *items;
	size_t nitems;
	atomic_size_t next;
};

uint32_t gc_codec_flag(enum gc_out_codec codec)
{
	switch (codec) {
	case GC_OUT_CODEC_ZLIB: return 0x1;
	case GC_OUT_CODEC_LZO: return 0x2;
	case GC_OUT_CODEC_SNAPPY: return 0x4;
	case GC_OUT_CODEC_ZSTD: return 0x20;
	default: return 0;
	}
}

static struct gc_error *compress_one(struct cctx *c, struct gc_citem *it)
{
	struct gc_cpool *p = c->pool;
	size_t ps = p->page_size;
	it->zero = gc_page_is_zero(it->in, ps);
	it->flags = 0;
	it->out_len = (uint32_t)ps;
	size_t n = 0;
	bool ok = false;
	switch (p->codec) {
	case GC_OUT_CODEC_NONE:
		break;
	case GC_OUT_CODEC_ZLIB: {
		/* The same zlib-wrapped stream compress2() makes. */
		z_stream *z = &c->zs;
		if (deflateReset(z) != Z_OK)
			return gc_error_new(GC_ERR_CORRUPT, "zlib",
					    "deflateReset failed");
		z->next_in = (Bytef *)it->in;
		z->avail_in = (uInt)ps;
		z->next_out = it->out;
		z->avail_out = (uInt)p->slot;
		int r = deflate(z, Z_FINISH);
		if (r != Z_STREAM_END)
			return gc_error_new(GC_ERR_CORRUPT, "zlib",
					    "deflate returned %d", r);
		n = z->total_out;
		ok = true;
		break;
	}
	case GC_OUT_CODEC_LZO: {
		lzo_uint dl = p->slot;
		ok = lzo1x_1_compress(it->in, ps, it->out, &dl,
				      c->lzo_wrk) == LZO_E_OK;
		n = dl;
		if (!ok)
			return gc_error_new(GC_ERR_CORRUPT, "lzo",
					    "lzo1x_1_compress failed");
		break;
	}
	case GC_OUT_CODEC_SNAPPY: {
		size_t dl = p->slot;
		ok = snappy_compress((const char *)it->in, ps,
				     (char *)it->out, &dl) == SNAPPY_OK;
		n = dl;
		if (!ok)
			return gc_error_new(GC_ERR_CORRUPT, "snappy",
					    "snappy_compress failed");
		break;
	}
	case GC_OUT_CODEC_ZSTD: {
		size_t r = ZSTD_compressCCtx(c->zstd, it->out, p->slot,
					     it->in, ps, 1);
		if (ZSTD_isError(r))
			return gc_error_new(GC_ERR_CORRUPT, "zstd", "%s",
					    ZSTD_getErrorName(r));
		ok = true;
		n = r;
		break;
	}
	}
	if (ok && n < ps) {
		it->out_len = (uint32_t)n;
		it->flags = gc_codec_flag(p->codec);
	} else {
		/* Did not shrink (or no codec): stored raw. */
		memcpy(it->out, it->in, ps);
	}
	return NULL;
}

static void work(struct cctx *c)
{
	struct gc_cpool *p = c->pool;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->nitems)
			break;
		struct gc_citem *it = &p->items[i];
		if (it->skip)
			continue;
		struct gc_error *err = compress_one(c, it);
		if (err) {
			if (!c->err)
				c->err = err;
			else
				gc_error_free(err);
		}
	}
}

static void *worker(void *arg)
{
	struct cctx *c = arg;
	struct gc_cpool *p = c->pool;
	uint64_t seen = 0;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->quit && p->gen == seen)
			pthread_cond_wait(&p->start_cv, &p->mu);
		if (p->quit) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		seen = p->gen;
		pthread_mutex_unlock(&p->mu);
		work(c);
		pthread_mutex_lock(&p->mu);
		p->done++;
		pthread_cond_signal(&p->done_cv);
		pthread_mutex_unlock(&p->mu);
	}
}

static size_t bound(enum gc_out_codec codec, size_t ps)
{
	size_t b = ps;
	switch (codec) {
	case GC_OUT_CODEC_ZLIB: b = compressBound((uLong)ps); break;
	case GC_OUT_CODEC_LZO: b = ps + ps / 16 + 64 + 3; break;
	case GC_OUT_CODEC_SNAPPY: b = snappy_max_compressed_length(ps); break;
	case GC_OUT_CODEC_ZSTD: b = ZSTD_compressBound(ps); break;
	default: break;
	}
	return GC_MAX(b, ps);
}

struct gc_error *gc_cpool_new(enum gc_out_codec codec, uint32_t page_size,
			      unsigned int threads, struct gc_cpool **out)
{
	*out = NULL;
	if (threads < 1)
		threads = 1;
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	if (codec == GC_OUT_CODEC_LZO && lzo_init() != LZO_E_OK)
		return gc_error_new(GC_ERR_UNSUPPORTED, "lzo",
				    "lzo_init failed (library mismatch)");
	struct gc_cpool *p = calloc(1, sizeof(*p));
	if (!p)
		return &gc_error_nomem;
	p->codec = codec;
	p->page_size = page_size;
	p->slot = bound(codec, page_size);
	p->nthreads = threads;
	atomic_init(&p->next, 0);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->start_cv, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	struct gc_error *err = NULL;
	for (unsigned int i = 0; i < threads && !err; i++) {
		struct cctx *c = &p->ctx[i];
		c->pool = p;
		if (codec == GC_OUT_CODEC_ZSTD && !(c->zstd = ZSTD_createCCtx()))
			err = &gc_error_nomem;
		if (codec == GC_OUT_CODEC_LZO &&
		    !(c->lzo_wrk = malloc(LZO1X_1_MEM_COMPRESS)))
			err = &gc_error_nomem;
		if (codec == GC_OUT_CODEC_ZLIB) {
			if (deflateInit(&c->zs, Z_BEST_SPEED) != Z_OK)
				err = &gc_error_nomem;
			else
				c->zs_ok = true;
		}
	}
	/* ctx[0] is the caller's; the others get a thread each. */
	for (unsigned int i = 1; i < threads && !err; i++) {
		if (pthread_create(&p->ctx[i].th, NULL, worker, &p->ctx[i])) {
			/* Fewer threads than asked: still correct. */
			p->nthreads = i;
			break;
		}
		p->ctx[i].started = true;
	}
	if (err) {
		gc_cpool_free(p);
		return err;
	}
	*out = p;
	return NULL;
}

size_t gc_cpool_slot_size(const struct gc_cpool *p) { return p->slot; }

struct gc_error *gc_cpool_run(struct gc_cpool *p, struct gc_citem *items,
			      size_t n)
{
	unsigned int workers = p->nthreads - 1;
	pthread_mutex_lock(&p->mu);
	p->items = items;
	p->nitems = n;
	atomic_store(&p->next, 0);
	p->done = 0;
	p->gen++;
	pthread_cond_broadcast(&p->start_cv);
	pthread_mutex_unlock(&p->mu);
	work(&p->ctx[0]);
	pthread_mutex_lock(&p->mu);
	while (p->done < workers)
		pthread_cond_wait(&p->done_cv, &p->mu);
	p->items = NULL;
	p->nitems = 0;
	pthread_mutex_unlock(&p->mu);
	struct gc_error *first = NULL;
	for (unsigned int i = 0; i < p->nthreads; i++) {
		if (!p->ctx[i].err)
			continue;
		if (!first)
			first = p->ctx[i].err;
		else
			gc_error_free(p->ctx[i].err);
		p->ctx[i].err = NULL;
	}
	return first;
}

void gc_cpool_free(struct gc_cpool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_broadcast(&p->start_cv);
	pthread_mutex_unlock(&p->mu);
	for (unsigned int i = 0; i < MAX_THREADS; i++) {
		struct cctx *c = &p->ctx[i];
		if (c->started)
			pthread_join(c->th, NULL);
		if (c->zstd)
			ZSTD_freeCCtx(c->zstd);
		free(c->lzo_wrk);
		if (c->zs_ok)
			deflateEnd(&c->zs);
		if (c->err)
			gc_error_free(c->err);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->start_cv);
	pthread_cond_destroy(&p->done_cv);
	free(p);
}
