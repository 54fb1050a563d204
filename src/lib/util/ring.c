// SPDX-License-Identifier: MIT
/* A bounded ring of byte buffers between two threads (ring.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "ring.h"

struct gc_ring {
	pthread_mutex_t lock;
	pthread_cond_t changed;   /* a buffer was put, given back, or a side
				   * stopped */
	size_t nbuf, size, headroom;
	uint8_t **mem;            /* NBUF allocations (headroom + size) */
	uint8_t **empty;          /* stack of empty buffers */
	size_t nr_empty;
	uint8_t **full;           /* FIFO of full buffers (NBUF slots) */
	size_t *full_len;
	size_t head, nr_full;
	bool closed, cancelled;
	bool drop;                /* give_back drops the buffer from the
				   * consumer's caches (cache.h) */
};

struct gc_ring *gc_ring_new(size_t nbuf, size_t size, size_t headroom)
{
	if (!nbuf || !size)
		return NULL;
	struct gc_ring *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->nbuf = nbuf;
	r->size = size;
	r->headroom = headroom;
	/* GUESTCORE_NO_CACHE_DROP=1: as on a CPU that cannot (the producer
	 * then stages its output, docs/qemu-migration.md) */
	const char *no = getenv("GUESTCORE_NO_CACHE_DROP");
	r->drop = gc_cache_can_drop() && !(no && *no && strcmp(no, "0"));
	if (pthread_mutex_init(&r->lock, NULL)) {
		free(r);
		return NULL;
	}
	if (pthread_cond_init(&r->changed, NULL)) {
		pthread_mutex_destroy(&r->lock);
		free(r);
		return NULL;
	}
	r->mem = calloc(nbuf, sizeof(*r->mem));
	r->empty = calloc(nbuf, sizeof(*r->empty));
	r->full = calloc(nbuf, sizeof(*r->full));
	r->full_len = calloc(nbuf, sizeof(*r->full_len));
	if (!r->mem || !r->empty || !r->full || !r->full_len) {
		gc_ring_free(r);
		return NULL;
	}
	for (size_t i = 0; i < nbuf; i++) {
		if (size > SIZE_MAX - headroom ||
		    !(r->mem[i] = malloc(headroom + size))) {
			gc_ring_free(r);
			return NULL;
		}
		r->empty[r->nr_empty++] = r->mem[i] + headroom;
	}
	return r;
}

void gc_ring_free(struct gc_ring *r)
{
	if (!r)
		return;
	if (r->mem)
		for (size_t i = 0; i < r->nbuf; i++)
			free(r->mem[i]);
	free(r->mem);
	free(r->empty);
	free(r->full);
	free(r->full_len);
	pthread_cond_destroy(&r->changed);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

size_t gc_ring_bufsize(const struct gc_ring *r)
{
	return r->size;
}

size_t gc_ring_headroom(const struct gc_ring *r)
{
	return r->headroom;
}

uint8_t *gc_ring_take_empty(struct gc_ring *r)
{
	uint8_t *b = NULL;
	pthread_mutex_lock(&r->lock);
	while (!r->cancelled && !r->nr_empty)
		pthread_cond_wait(&r->changed, &r->lock);
	if (!r->cancelled)
		b = r->empty[--r->nr_empty];
	pthread_mutex_unlock(&r->lock);
	return b;
}

void gc_ring_put(struct gc_ring *r, uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&r->lock);
	if (!len || r->cancelled) {
		r->empty[r->nr_empty++] = buf;
	} else {
		size_t i = (r->head + r->nr_full) % r->nbuf;
		r->full[i] = buf;
		r->full_len[i] = len;
		r->nr_full++;
	}
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

void gc_ring_close(struct gc_ring *r)
{
	pthread_mutex_lock(&r->lock);
	r->closed = true;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

bool gc_ring_next(struct gc_ring *r, uint8_t **buf, size_t *len)
{
	bool ok = false;
	pthread_mutex_lock(&r->lock);
	while (!r->nr_full && !r->closed && !r->cancelled)
		pthread_cond_wait(&r->changed, &r->lock);
	if (r->nr_full && !r->cancelled) {
		*buf = r->full[r->head];
		*len = r->full_len[r->head];
		r->head = (r->head + 1) % r->nbuf;
		r->nr_full--;
		ok = true;
	}
	pthread_mutex_unlock(&r->lock);
	return ok;
}

bool gc_ring_drops_caches(const struct gc_ring *r)
{
	return r->drop;
}

void gc_ring_give_back(struct gc_ring *r, uint8_t *buf)
{
	/* the consumer is done with BUF: out of its caches before the
	 * producer writes into it again (cache.h) */
	if (r->drop)
		gc_cache_drop(buf - r->headroom, r->headroom + r->size);
	pthread_mutex_lock(&r->lock);
	r->empty[r->nr_empty++] = buf;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

void gc_ring_cancel(struct gc_ring *r)
{
	pthread_mutex_lock(&r->lock);
	r->cancelled = true;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}
