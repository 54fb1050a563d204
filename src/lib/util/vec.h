// SPDX-License-Identifier: MIT
/*
 * The one growable array of the library.  An array is three things the
 * owner keeps: a pointer, a count and a capacity.  gc_vec_reserve makes
 * room for NEED elements (doubling, overflow-checked); gc_vec_push appends
 * one.  Both return false only when memory runs out (the array is then
 * unchanged), so the caller returns gc_error_nomem-style errors itself.
 *
 *	struct gc_note *notes = NULL; size_t nr = 0, cap = 0;
 *	if (!gc_vec_push(&notes, &nr, &cap, &note)) return nomem;
 */
#ifndef GC_VEC_H
#define GC_VEC_H

#include <stdbool.h>
#include <stddef.h>

bool gc_vec_reserve_(void **ptr, size_t *cap, size_t need, size_t elem);
bool gc_vec_push_(void **ptr, size_t *nr, size_t *cap, const void *item,
		  size_t elem);

#define gc_vec_reserve(pptr, pcap, need) \
	gc_vec_reserve_((void **)(pptr), (pcap), (need), sizeof(**(pptr)))
#define gc_vec_push(pptr, pnr, pcap, item) \
	gc_vec_push_((void **)(pptr), (pnr), (pcap), (item), sizeof(**(pptr)))

#endif
