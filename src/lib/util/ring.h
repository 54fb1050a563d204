// SPDX-License-Identifier: MIT
/*
 * A bounded ring of byte buffers between one producer thread and one
 * consumer thread (a decoder filling buffers, a reader walking them).
 * NBUF buffers of SIZE bytes each are allocated up front, each with
 * HEADROOM bytes before it that the consumer may write into (to put the
 * unread end of the previous buffer in front of the next one, so that a
 * record straddling two buffers is contiguous without copying a whole
 * buffer).  The producer takes an empty buffer, fills it, puts it; the
 * consumer takes full buffers in the order put and gives them back.
 * Either side may stop early: the producer closes (no more buffers), the
 * consumer cancels (the producer's next take returns NULL).
 */
#ifndef GC_UTIL_RING_H
#define GC_UTIL_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gc_ring;

/* NULL when memory runs out. */
struct gc_ring *gc_ring_new(size_t nbuf, size_t size, size_t headroom);
/* Frees every buffer; both sides must have stopped using it. */
void gc_ring_free(struct gc_ring *r);
size_t gc_ring_bufsize(const struct gc_ring *r);
size_t gc_ring_headroom(const struct gc_ring *r);

/* Producer: an empty buffer of gc_ring_bufsize bytes (blocks while all
 * are full or held); NULL once the consumer cancelled. */
uint8_t *gc_ring_take_empty(struct gc_ring *r);
/* Producer: BUF (from gc_ring_take_empty) holds LEN bytes for the
 * consumer (LEN 0: given back unused). */
void gc_ring_put(struct gc_ring *r, uint8_t *buf, size_t len);
/* Producer: no more buffers will be put. */
void gc_ring_close(struct gc_ring *r);

/* Consumer: the next full buffer (blocks while none is ready); false
 * once the producer closed and every buffer put was taken. */
bool gc_ring_next(struct gc_ring *r, uint8_t **buf, size_t *len);
/* True when gc_ring_give_back drops each buffer from the consumer's
 * caches (cache.h): a producer that reads back what it writes can then
 * write into the ring directly. */
bool gc_ring_drops_caches(const struct gc_ring *r);
/* Consumer: BUF (from gc_ring_next) may be reused. */
void gc_ring_give_back(struct gc_ring *r, uint8_t *buf);
/* Consumer: stop the producer (its takes return NULL from now on). */
void gc_ring_cancel(struct gc_ring *r);

#endif
