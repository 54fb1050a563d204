// SPDX-License-Identifier: MIT
/*
 * A small fixed-size cache of decoded (decompressed) pages, one per dump.
 * Entries are keyed by where the stored bytes live (file, offset) and by
 * a TAG saying how they are read (stored length and codec,
 * gc_page_loc_tag), so pages that share stored data (the kdump shared zero
 * page) share one entry, while two descriptors that give one offset a
 * different length or codec never get each other's page.  Replacement is CLOCK (second chance).  No global state and no
 * locking: a cache shared between threads (io/readahead.c) is used under
 * its owner's mutex.
 *
 * A slot handed out by gc_pagecache_slot is "busy": it is never evicted
 * and get does not return it, but gc_pagecache_lookup reports it, so a
 * second thread can wait for the decode in progress instead of repeating
 * it.  Every busy slot ends in gc_pagecache_commit or _release.
 */
#ifndef GC_IO_PAGECACHE_H
#define GC_IO_PAGECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gc_pagecache;

/* NR_SLOTS pages of PAGE_SIZE bytes; NULL when out of memory. */
struct gc_pagecache *gc_pagecache_new(size_t nr_slots, uint32_t page_size);
void gc_pagecache_free(struct gc_pagecache *c);

/* The cached page for KEY (FILE, OFFSET, TAG), or NULL. */
const uint8_t *gc_pagecache_get(struct gc_pagecache *c, const void *file,
				uint64_t offset, uint64_t tag);
/* Like get, and sets *BUSY when KEY's page is being decoded (NULL then). */
const uint8_t *gc_pagecache_lookup(struct gc_pagecache *c, const void *file,
				   uint64_t offset, uint64_t tag, bool *busy);
/*
 * A busy slot to decode KEY's page into (the caller made sure KEY is not
 * cached); NULL when every slot is busy.  Then gc_pagecache_commit after
 * the decode succeeded, gc_pagecache_release after it failed.
 */
uint8_t *gc_pagecache_slot(struct gc_pagecache *c, const void *file,
			   uint64_t offset, uint64_t tag);
void gc_pagecache_commit(struct gc_pagecache *c, uint8_t *slot);
void gc_pagecache_release(struct gc_pagecache *c, uint8_t *slot);

struct gc_pagecache_stats {
	uint64_t hits, misses;
};
void gc_pagecache_stats(const struct gc_pagecache *c,
			struct gc_pagecache_stats *out);

#endif
