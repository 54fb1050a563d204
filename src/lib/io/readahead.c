// SPDX-License-Identifier: MIT
/*
 * Two-core sequential decoding (see readahead.h).  One mutex guards the
 * cache and the window; decoding itself runs unlocked into busy slots.
 *
 * The window is [next, limit): frames not yet claimed by anyone.  The
 * worker claims frames from NEXT while NEXT < LIMIT.  The caller moves
 * LIMIT to WINDOW frames past each page it reads sequentially and pulls
 * it back to NEXT when the pattern breaks.  When the caller's page is
 * busy (the worker is decoding it) the caller claims the next frame of
 * the window and decodes that instead of sleeping, so both cores decode.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pagecache.h"
#include "readahead.h"
#include "../util/util.h"

struct gc_readahead {
	struct gc_readahead_src src;
	struct gc_pagecache *cache;
	pthread_mutex_t mu;
	pthread_cond_t work;      /* worker: window grew, or stop */
	pthread_cond_t done;      /* caller: a busy slot was settled */
	pthread_t thread;
	bool started, stop, no_thread;
	bool worker_idle;         /* waiting on WORK */
	unsigned caller_waiting;  /* waiting on DONE */
	enum gc_space space;
	bool have_last;
	uint64_t last, run;
	uint64_t next, limit, window;
	struct gc_readahead_stats st;
	struct gc_decoder worker_dec;  /* the worker's codec state */
};

/* The same keys as the dump's small cache: (stream, logical offset) and
 * the tag (length, codec). */
static const void *key_of(const struct gc_page_loc *loc)
{
	return loc->stream;
}

static bool needs_decode(const struct gc_page_loc *loc)
{
	return loc->state == GC_PAGE_PRESENT && loc->codec != GC_CODEC_RAW;
}

/* Short stored pages (zero pages and the like: the zero-page memo answers
 * them, or they decode in well under a microsecond) are never decoded
 * ahead: handing one from core to core costs more than decoding it where
 * it is read, so the caller decodes them as without read-ahead. */
static bool is_short(const struct gc_page_loc *loc)
{
	return loc->size <= GC_ZERO_MEMO_MAX;
}

/* Frames the worker claims at once: one lock round to locate and reserve
 * them all, then one per page to publish it as soon as it is decoded. */
#define BATCH 16

/* Decode frames [FIRST, FIRST+N) ahead where they are stored, not cached
 * and not being decoded.  Called and returns with ra->mu held. */
static void decode_ahead(struct gc_readahead *ra, uint64_t first, unsigned n,
			 enum gc_space space, bool by_worker)
{
	struct gc_page_loc loc[BATCH];
	bool want[BATCH];
	uint8_t *slot[BATCH];
	pthread_mutex_unlock(&ra->mu);
	for (unsigned i = 0; i < n; i++) {
		struct gc_error *err = ra->src.locate(ra->src.ctx, space,
						      first + i, &loc[i]);
		want[i] = !err && needs_decode(&loc[i]) &&
			  !is_short(&loc[i]);
		gc_error_free(err);
	}
	pthread_mutex_lock(&ra->mu);
	for (unsigned i = 0; i < n; i++) {
		slot[i] = NULL;
		if (!want[i] || ra->stop)
			continue;
		const void *key = key_of(&loc[i]);
		bool busy;
		if (gc_pagecache_lookup(ra->cache, key, loc[i].offset,
					gc_page_loc_tag(&loc[i]), &busy) ||
		    busy)
			continue;
		slot[i] = gc_pagecache_slot(ra->cache, key, loc[i].offset,
					     gc_page_loc_tag(&loc[i]));
	}
	for (unsigned i = 0; i < n; i++) {
		if (!slot[i])
			continue;
		if (ra->stop) {         /* closing: drop the rest */
			gc_pagecache_release(ra->cache, slot[i]);
			continue;
		}
		pthread_mutex_unlock(&ra->mu);
		/* the caller helping uses its own decoder state; both read
		 * through the mapping (a sequential scan) */
		struct gc_error *err = ra->src.decode(ra->src.ctx, &loc[i],
			slot[i], by_worker ? &ra->worker_dec : ra->src.dec,
			true);
		pthread_mutex_lock(&ra->mu);
		if (err) {
			/* dropped: the caller decodes it again and gets the
			 * error when (and only when) it reads this page */
			ra->st.ahead_failed++;
			gc_error_free(err);
			gc_pagecache_release(ra->cache, slot[i]);
		} else {
			gc_pagecache_commit(ra->cache, slot[i]);
			if (by_worker)
				ra->st.ahead++;
			else
				ra->st.helped++;
		}
		if (ra->caller_waiting)
			pthread_cond_broadcast(&ra->done);
	}
}

static void *worker(void *arg)
{
	struct gc_readahead *ra = arg;
	pthread_mutex_lock(&ra->mu);
	while (!ra->stop) {
		if (ra->next < ra->limit) {
			uint64_t f = ra->next;
			unsigned n = (unsigned)GC_MIN((uint64_t)BATCH,
						      ra->limit - f);
			ra->next += n;
			decode_ahead(ra, f, n, ra->space, true);
			continue;
		}
		ra->worker_idle = true;
		pthread_cond_wait(&ra->work, &ra->mu);
		ra->worker_idle = false;
	}
	pthread_mutex_unlock(&ra->mu);
	return NULL;
}

struct gc_readahead *gc_readahead_new(const struct gc_readahead_src *src)
{
	struct gc_readahead *ra = calloc(1, sizeof(*ra));
	if (!ra)
		return NULL;
	ra->src = *src;
	uint32_t page_size = src->page_size;
	/* 1024 pages of 4 KiB; at least 4 pages (of up to 1 MiB) */
	ra->window = GC_MAX(GC_READAHEAD_BYTES / page_size, 4u);
	/* the small cache of gc_decode_page until the first sequential
	 * run: programs doing random reads never pay for the big one */
	ra->cache = gc_pagecache_new(64, page_size);
	if (!ra->cache) {
		free(ra);
		return NULL;
	}
	if (pthread_mutex_init(&ra->mu, NULL)) {
		gc_pagecache_free(ra->cache);
		free(ra);
		return NULL;
	}
	if (pthread_cond_init(&ra->work, NULL)) {
		pthread_mutex_destroy(&ra->mu);
		gc_pagecache_free(ra->cache);
		free(ra);
		return NULL;
	}
	if (pthread_cond_init(&ra->done, NULL)) {
		pthread_cond_destroy(&ra->work);
		pthread_mutex_destroy(&ra->mu);
		gc_pagecache_free(ra->cache);
		free(ra);
		return NULL;
	}
	return ra;
}

void gc_readahead_free(struct gc_readahead *ra)
{
	if (!ra)
		return;
	if (ra->started) {
		pthread_mutex_lock(&ra->mu);
		ra->stop = true;
		pthread_cond_broadcast(&ra->work);
		pthread_mutex_unlock(&ra->mu);
		pthread_join(ra->thread, NULL);
	}
	gc_decoder_free(&ra->worker_dec);
	pthread_cond_destroy(&ra->done);
	pthread_cond_destroy(&ra->work);
	pthread_mutex_destroy(&ra->mu);
	gc_pagecache_free(ra->cache);
	free(ra);
}

/* Note the caller's FRAME; grow or stop the window.  ra->mu held. */
static void track(struct gc_readahead *ra, uint64_t frame,
		  enum gc_space space)
{
	if (ra->have_last && space == ra->space && frame == ra->last)
		return;
	if (ra->have_last && space == ra->space && frame > ra->last &&
	    frame - ra->last <= GC_READAHEAD_MAX_GAP) {
		ra->run++;
	} else {
		ra->run = 0;
		ra->limit = ra->next;   /* the pattern broke: claim no more */
	}
	ra->have_last = true;
	ra->last = frame;
	ra->space = space;
	if (ra->run < GC_READAHEAD_TRIGGER)
		return;
	if (!ra->started && !ra->no_thread) {
		/* twice the window plus the small cache's 64 slots; the
		 * worker does not exist yet, so swapping needs no care */
		struct gc_pagecache *big = gc_pagecache_new(
			(size_t)(2 * ra->window + 64), ra->src.page_size);
		if (!big) {
			ra->no_thread = true;
			return;
		}
		gc_pagecache_free(ra->cache);
		ra->cache = big;
		ra->started = !pthread_create(&ra->thread, NULL, worker, ra);
		ra->no_thread = !ra->started;
		ra->st.thread_started = ra->started;
	}
	if (ra->next <= frame || ra->next > frame + ra->window)
		ra->next = frame + 1;
	ra->limit = frame + 1 + ra->window;
	/* wake an idle worker only for a batch (a quarter window), not for
	 * every page: one futex wake per page costs more than lzo */
	if (ra->worker_idle && ra->limit - ra->next >= ra->window / 4)
		pthread_cond_signal(&ra->work);
}

void gc_readahead_note(struct gc_readahead *ra, uint64_t frame,
		       enum gc_space space)
{
	pthread_mutex_lock(&ra->mu);
	track(ra, frame, space);
	ra->st.short_pages++;
	pthread_mutex_unlock(&ra->mu);
}

struct gc_error *gc_readahead_page(struct gc_readahead *ra,
				   const struct gc_page_loc *loc,
				   uint64_t frame, enum gc_space space,
				   void *buf)
{
	const void *key = key_of(loc);
	uint64_t tag = gc_page_loc_tag(loc);
	uint32_t page_size = ra->src.page_size;
	pthread_mutex_lock(&ra->mu);
	track(ra, frame, space);
	for (;;) {
		bool busy;
		const uint8_t *hit = gc_pagecache_lookup(ra->cache, key,
							 loc->offset, tag,
							 &busy);
		if (hit) {
			memcpy(buf, hit, page_size);
			ra->st.hits++;
			pthread_mutex_unlock(&ra->mu);
			return NULL;
		}
		if (!busy)
			break;
		/* the worker is decoding our page: help, or wait */
		if (ra->next < ra->limit && ra->space == space) {
			uint64_t f = ra->next++;
			decode_ahead(ra, f, 1, space, false);
		} else {
			ra->st.waits++;
			ra->caller_waiting++;
			pthread_cond_wait(&ra->done, &ra->mu);
			ra->caller_waiting--;
		}
	}
	ra->st.misses++;
	uint8_t *slot = gc_pagecache_slot(ra->cache, key, loc->offset, tag);
	pthread_mutex_unlock(&ra->mu);
	if (!slot)      /* every slot busy: cannot happen with two threads */
		return ra->src.decode(ra->src.ctx, loc, buf, ra->src.dec,
				      false);
	struct gc_error *err = ra->src.decode(ra->src.ctx, loc, slot,
					      ra->src.dec, false);
	if (!err)
		memcpy(buf, slot, page_size);
	pthread_mutex_lock(&ra->mu);
	if (err)
		gc_pagecache_release(ra->cache, slot);
	else
		gc_pagecache_commit(ra->cache, slot);
	pthread_mutex_unlock(&ra->mu);
	return err;
}

void gc_readahead_stats(struct gc_readahead *ra,
			struct gc_readahead_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!ra)
		return;
	pthread_mutex_lock(&ra->mu);
	*out = ra->st;
	pthread_mutex_unlock(&ra->mu);
}
