// SPDX-License-Identifier: MIT
/*
 * Address translations.  An xlat maps addresses of one space to addresses
 * of another: a KVM guest's physical space onto its host's (EPT, NPT,
 * memslots -> VMM page tables), a Xen PV guest's pfns onto mfns (the dump's
 * index, or the guest's own p2m), machine frames back to pfns (m2p).
 * Formats never translate: they only say where a frame of a space they
 * hold is stored.  Translations are composed over them.
 *
 * A lookup answers for a whole run: ADDR and the LEN bytes after it either
 * all map contiguously to TARGET.., or are all unmapped for one REASON.
 * Callers walk a range run by run, so a 2 MiB EPT leaf or a 1 GiB hole costs
 * one call, not one per page.
 */
#ifndef GC_SPACES_XLAT_H
#define GC_SPACES_XLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guestcore/error.h"

enum gc_xlat_status {
	GC_XLAT_MAPPED = 0,
	GC_XLAT_UNMAPPED,   /* nothing maps here (a hole of the source space) */
	GC_XLAT_NOT_READABLE, /* mapped, but the target cannot be read (e.g.
			       * swapped out, filtered page table): REASON */
};

struct gc_xlat_run {
	enum gc_xlat_status status;
	uint64_t target;    /* MAPPED: the address ADDR maps to */
	uint64_t len;       /* bytes from ADDR with this answer; >= 1 */
	/* UNMAPPED / NOT_READABLE: a static string saying why ("EPT entry
	 * not present at level 2", "pfn beyond the p2m"), never NULL. */
	const char *reason;
};

struct gc_xlat;

struct gc_xlat_ops {
	/* Answer for ADDR (see struct gc_xlat_run).  An error is for failures
	 * of the translation itself (a table could not be read); an address
	 * that simply does not map is a run with status UNMAPPED. */
	struct gc_error *(*lookup)(struct gc_xlat *x, uint64_t addr,
				   struct gc_xlat_run *out);
	void (*destroy)(struct gc_xlat *x);
};

struct gc_xlat {
	const struct gc_xlat_ops *ops;
	void *priv;
	const char *name;        /* "ept", "xen-p2m", "xen-m2p", "table" */
	enum gc_space from, to;  /* what the addresses mean (for errors) */
	uint64_t limit;          /* addresses >= LIMIT never map (~0: none) */
};

struct gc_error *gc_xlat_lookup(struct gc_xlat *x, uint64_t addr,
				struct gc_xlat_run *out);
void gc_xlat_free(struct gc_xlat *x);

/*
 * New xlat over OPS/PRIV (PRIV belongs to it from here on: ops->destroy
 * frees it, also when this call fails).
 */
struct gc_error *gc_xlat_new(const struct gc_xlat_ops *ops, void *priv,
			     const char *name, enum gc_space from,
			     enum gc_space to, uint64_t limit,
			     struct gc_xlat **out);

/*
 * A -> B composed: addresses of A's source space to B's target space.
 * Takes ownership of both (freed with the result, or on failure).
 */
struct gc_error *gc_xlat_compose(struct gc_xlat *a, struct gc_xlat *b,
				 struct gc_xlat **out);

/* A translation given as a table of runs (sorted, non-overlapping):
 * [from, from+len) -> [to, to+len).  Addresses between runs are
 * unmapped with REASON.  The table is copied. */
struct gc_xlat_entry {
	uint64_t from, to, len;
};
struct gc_error *gc_xlat_table(const struct gc_xlat_entry *runs, size_t n,
			       const char *name, enum gc_space from,
			       enum gc_space to, const char *reason,
			       struct gc_xlat **out);

/* The identity on [0, limit). */
struct gc_error *gc_xlat_identity(enum gc_space space, uint64_t limit,
				  struct gc_xlat **out);

#endif
