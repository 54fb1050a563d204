// SPDX-License-Identifier: MIT
/*
 * Dropping memory from the CPU caches, for buffers handed between two
 * threads (ring.c).  When one core has read a buffer and another then
 * writes into it, each of the writer's stores waits for the line to leave
 * the reader's cache; a decoder that reads back what it just wrote (zlib,
 * lzo) stalls on every match.  The reader drops the lines once it is done,
 * and the writer's stores then find them nowhere else.
 */
#ifndef GC_UTIL_CACHE_H
#define GC_UTIL_CACHE_H
#include <stdbool.h>
#include <stddef.h>

/* True when this CPU can drop lines without waiting for each one
 * (x86-64 CLFLUSHOPT); false elsewhere, and gc_cache_drop does nothing. */
bool gc_cache_can_drop(void);
/* Write back and drop the lines of [P, P + N) from every cache.  The
 * contents are unchanged; only where they are kept is. */
void gc_cache_drop(const void *p, size_t n);
#endif
