// SPDX-License-Identifier: MIT
/* Decoded-page cache: open hashing over a fixed slot array, CLOCK eviction. */
#include <stdlib.h>

#include "pagecache.h"

enum slot_state { FREE, BUSY, VALID };

struct slot {
	const void *file;
	uint64_t offset;
	uint64_t tag;
	uint8_t state;      /* enum slot_state; BUSY and VALID are linked */
	bool referenced;
	uint32_t next;      /* hash chain, UINT32_MAX = end */
	uint32_t bucket;
};

struct gc_pagecache {
	size_t n;           /* slots */
	size_t nbuckets;    /* power of two */
	uint32_t page_size;
	struct slot *slots;
	uint32_t *buckets;
	uint8_t *data;
	size_t hand;
	uint64_t hits, misses;
};

#define NONE UINT32_MAX

static uint32_t hash(const struct gc_pagecache *c, const void *file,
		     uint64_t offset)
{
	uint64_t h = offset * 0x9E3779B97F4A7C15ull ^
		     (uint64_t)(uintptr_t)file * 0xC2B2AE3D27D4EB4Full;
	h ^= h >> 29;
	return (uint32_t)(h & (c->nbuckets - 1));
}

struct gc_pagecache *gc_pagecache_new(size_t nr_slots, uint32_t page_size)
{
	if (!nr_slots || nr_slots > (1u << 20) || !page_size)
		return NULL;
	struct gc_pagecache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->n = nr_slots;
	c->nbuckets = 1;
	while (c->nbuckets < nr_slots * 2)
		c->nbuckets <<= 1;
	c->page_size = page_size;
	c->slots = calloc(nr_slots, sizeof(*c->slots));
	c->buckets = malloc(c->nbuckets * sizeof(*c->buckets));
	c->data = malloc(nr_slots * (size_t)page_size);
	if (!c->slots || !c->buckets || !c->data) {
		gc_pagecache_free(c);
		return NULL;
	}
	for (size_t i = 0; i < c->nbuckets; i++)
		c->buckets[i] = NONE;
	return c;
}

void gc_pagecache_free(struct gc_pagecache *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c->buckets);
	free(c->data);
	free(c);
}

const uint8_t *gc_pagecache_lookup(struct gc_pagecache *c, const void *file,
				   uint64_t offset, uint64_t tag, bool *busy)
{
	*busy = false;
	for (uint32_t i = c->buckets[hash(c, file, offset)]; i != NONE;
	     i = c->slots[i].next) {
		struct slot *s = &c->slots[i];
		if (s->file != file || s->offset != offset || s->tag != tag)
			continue;
		if (s->state == BUSY) {
			*busy = true;
			return NULL;
		}
		s->referenced = true;
		c->hits++;
		return c->data + (size_t)i * c->page_size;
	}
	c->misses++;
	return NULL;
}

const uint8_t *gc_pagecache_get(struct gc_pagecache *c, const void *file,
				uint64_t offset, uint64_t tag)
{
	bool busy;
	return gc_pagecache_lookup(c, file, offset, tag, &busy);
}

static void unlink_slot(struct gc_pagecache *c, uint32_t i)
{
	uint32_t *p = &c->buckets[c->slots[i].bucket];
	while (*p != NONE && *p != i)
		p = &c->slots[*p].next;
	if (*p == i)
		*p = c->slots[i].next;
}

uint8_t *gc_pagecache_slot(struct gc_pagecache *c, const void *file,
			   uint64_t offset, uint64_t tag)
{
	/* CLOCK: skip busy slots, and recently used ones once; two full
	 * turns find a slot unless every one is busy. */
	size_t tries = 2 * c->n + 1;
	for (;;) {
		struct slot *s = &c->slots[c->hand];
		if (s->state == BUSY ||
		    (s->state == VALID && s->referenced)) {
			if (s->state == VALID)
				s->referenced = false;
			c->hand = (c->hand + 1) % c->n;
			if (!--tries)
				return NULL;
			continue;
		}
		break;
	}
	uint32_t i = (uint32_t)c->hand;
	c->hand = (c->hand + 1) % c->n;
	struct slot *s = &c->slots[i];
	if (s->state == VALID)
		unlink_slot(c, i);
	s->state = BUSY;
	s->file = file;
	s->offset = offset;
	s->tag = tag;
	s->referenced = true;
	s->bucket = hash(c, file, offset);
	s->next = c->buckets[s->bucket];
	c->buckets[s->bucket] = i;
	return c->data + (size_t)i * c->page_size;
}

static struct slot *slot_of(struct gc_pagecache *c, const uint8_t *p)
{
	return &c->slots[(size_t)(p - c->data) / c->page_size];
}

void gc_pagecache_commit(struct gc_pagecache *c, uint8_t *slot)
{
	slot_of(c, slot)->state = VALID;
}

void gc_pagecache_release(struct gc_pagecache *c, uint8_t *slot)
{
	struct slot *s = slot_of(c, slot);
	unlink_slot(c, (uint32_t)(s - c->slots));
	s->state = FREE;
	s->referenced = false;
}

void gc_pagecache_stats(const struct gc_pagecache *c,
			struct gc_pagecache_stats *out)
{
	out->hits = c->hits;
	out->misses = c->misses;
}
