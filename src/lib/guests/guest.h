// SPDX-License-Identifier: MIT
/*
 * The guest object and the interface every guest source implements
 * (include/guestcore/guest.h is the public side; docs/architecture.md,
 * "How to add a guest source", the checklist).
 *
 * A source's open fills in what only it knows: the translation of the
 * guest's physical space onto the source's own space (WALK: an xlat, e.g.
 * the EPT of the guest's VMCS), the vCPUs, findings, and the file the
 * guest's pages come from.  guest.c then does the same for every source:
 * walks WALK run by run, asks the source where each mapped page is stored
 * (locate), and keeps the frames with data as a table xlat (PHYS) plus
 * the gaps, then builds the read-only dump view and the provenance.
 */
#ifndef GC_GUESTS_GUEST_H
#define GC_GUESTS_GUEST_H

#include "dump_internal.h"
#include "guestcore/guest.h"
#include "spaces/xlat.h"

/* Guest pages are 4 KiB (x86 EPT, NPT, QEMU's target pages). */
#define GC_GUEST_PAGE 4096ull

/* Mapped guest frames classified one by one when a guest is opened (1 TiB
 * of guest memory). */
#define GC_GUEST_MAX_FRAMES (1ull << 28)
/* Runs looked up while walking a guest's physical space (a hostile EPT
 * whose tables point at each other must not loop for hours). */
#define GC_GUEST_MAX_LOOKUPS (1ull << 26)

struct gc_guest_source {
	const char *name;         /* "vmx": gc_guest_open()'s SOURCE */
	const char *description;  /* one line for docs and listings */
	/* Find the guest: set g->priv, g->path, g->walk, g->vcpus /
	 * g->nr_vcpus, findings in g->findings, g->guest_type, g->summary.  On error
	 * close is still called. */
	struct gc_error *(*open)(struct gc_guest *g,
				 const struct gc_guest_args *a);
	/* Where the page at TARGET (an address of WALK's target space, page
	 * aligned) is stored: PRESENT/ZERO with the location, or EXCLUDED /
	 * TRUNCATED / ABSENT (a gap).  LOC->stream NULL = the view's own
	 * stream of the source file; a location in a host dump names the
	 * host's stream. */
	struct gc_error *(*locate)(struct gc_guest *g, uint64_t target,
				   struct gc_page_loc *loc);
	/* The source's words for a gap of STATE ("excluded in the host
	 * dump"). */
	const char *(*gap_reason)(enum gc_page_state state);
	/* Optional: the words for a gap at TARGET (static; NULL: those of
	 * gap_reason), for sources whose targets say more than the state
	 * (kvm: a shmem page swapped out, a file page not cached). */
	const char *(*gap_reason_at)(struct gc_guest *g, uint64_t target,
				     enum gc_page_state state);
	/* Optional: provenance lines (key=value\n) before the common ones
	 * (the counts); called after the frames are classified. */
	struct gc_error *(*provenance)(struct gc_guest *g,
				       struct gc_strbuf *sb);
	/* What "the source" is called in messages ("host dump",
	 * "process core"), what maps the guest ("EPT", "RAM map") and what
	 * a target address is ("host", "process address"). */
	const char *where, *mapper, *target;
	void (*close)(struct gc_guest *g);
};

/* For the sources whose target space is a host dump's physical space
 * (svm, vmx): a source's locate is gc_guest_locate_host() of its host (the
 * page's location in the host's stream, or the host's gap state) and its
 * gap_reason is gc_guest_host_gap_reason. */
struct gc_error *gc_guest_locate_host(struct gc_dump *host, uint64_t hpa,
				      struct gc_page_loc *loc);
const char *gc_guest_host_gap_reason(enum gc_page_state s);

/* The registry (registry.c): one line per source, NULL-terminated. */
extern const struct gc_guest_source *const gc_guest_sources[];

struct gc_guest {
	const struct gc_guest_source *src;
	void *priv;                 /* the source's */
	const char *path;           /* file the view reads (source-owned) */
	const char *guest_type;     /* "kvm-vmx" (static) */
	char *summary;              /* the view's "source" field (malloc) */
	struct gc_xlat *walk;       /* guest-physical -> target (source's) */
	struct gc_xlat *phys;       /* frames with data -> target (table) */
	struct gc_vcpu *vcpus;      /* malloc'ed by the source */
	unsigned int nr_vcpus;
	struct gc_report findings;
	struct gc_guest_gap *gaps;
	size_t nr_gaps, cap_gaps;
	struct gc_xlat_entry *map;  /* frames with data, as a table */
	size_t nr_map, cap_map;
	struct gc_frame_run *runs;  /* the same frames as runs */
	size_t nr_runs, cap_runs;
	size_t nr_walk_runs;        /* mapped runs of WALK */
	struct gc_guest_counts counts;
	char *provenance;
	struct gc_dump *view;
};

#endif
