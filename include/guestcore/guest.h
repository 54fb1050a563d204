/* SPDX-License-Identifier: MIT */
/*
 * Guests found inside other dumps (docs/architecture.md, "Guests").
 *
 * A gc_guest is a virtual machine's memory and vCPUs recovered from
 * something that is not its dump: a KVM guest behind the EPT of its VMCS
 * regions in a host dump ("vmx"), the guest RAM inside a core file of the
 * QEMU process that ran it ("qemu").  It has a physical space (an address
 * translation from guest-physical addresses onto the source's own space,
 * e.g. host-physical), vCPUs with registers, gaps (guest frames that are
 * mapped but whose data the source lacks, with the reason) and provenance
 * (key=value lines saying where everything came from).
 *
 * A guest is never a dump format: gc_dump_open() never returns one and a
 * guest never reports its host's format.  gc_guest_dump() gives a
 * read-only dump object over the guest's memory (format GC_FORMAT_GUEST)
 * so that the kernel layer and the readers work on it.
 *
 * Guests are opened by source name from the guest-source registry
 * (src/lib/guests/registry.c); gc_guest_extract() is the one pipeline
 * that writes any guest as a vmcore.
 */
#ifndef GUESTCORE_GUEST_H
#define GUESTCORE_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "dump.h"
#include "error.h"
#include "writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared in include/guestcore/ is the library's ABI. */
#pragma GCC visibility push(default)

struct gc_guest;
struct gc_vmcs_db;
struct gc_qemu_core;
struct gc_qemu_ram_map;
struct gc_kernel;

/* What a source needs to find its guest (each source reads its fields). */
struct gc_guest_args {
	/* vmx: the host dump (must stay open while the guest is) */
	struct gc_dump *host;
	/* vmx: host-physical addresses of the guest's VMCS regions, in vCPU
	 * order (all with the same EPTP) */
	const uint64_t *addrs;
	size_t nr_addrs;
	/* vmx: VMCS layouts by revision id */
	const struct gc_vmcs_db *vmcs_db;
	/* vmx: host kernel text range for the HOST_RIP check (0/0 unknown) */
	uint64_t text_start, text_end;
	/* qemu: the process core and its guest RAM map (both must outlive
	 * the guest) */
	struct gc_qemu_core *core;
	const struct gc_qemu_ram_map *ram_map;
	/* kvm: the host's kernel view (NULL: opened on HOST and closed with
	 * the guest; given, it must outlive the guest) and the VM's index on
	 * the host's vm_list (gc_kvm_list) */
	struct gc_kernel *kernel;
	unsigned int vm;
};

/* Open the guest of source SOURCE ("vmx", "qemu", "kvm"): GC_ERR_INVALID_ARG
 * naming the known sources when there is no such source. */
struct gc_error *gc_guest_open(const char *source,
			       const struct gc_guest_args *args,
			       struct gc_guest **out);
void gc_guest_close(struct gc_guest *g);

/* The registry: source I's name and one-line description (NULL past the
 * end). */
const char *gc_guest_source_at(size_t i, const char **description);
/* The source G was opened from ("vmx"). */
const char *gc_guest_source(const struct gc_guest *g);

/* The guest's memory as a read-only dump object (PHYS space, vCPUs,
 * check findings; owned by G, valid while G is open). */
struct gc_dump *gc_guest_dump(struct gc_guest *g);

unsigned int gc_guest_nr_vcpus(const struct gc_guest *g);
struct gc_error *gc_guest_vcpu(const struct gc_guest *g, unsigned int i,
			       struct gc_vcpu *out);

/* Guest frames mapped but without data in the source: one type for every
 * source. */
struct gc_guest_gap {
	uint64_t gfn, count;   /* guest frames (4 KiB) */
	uint64_t target;       /* the source's address of the first one
				* (host-physical, process virtual) */
	/* GC_PAGE_EXCLUDED: filtered out / not dumped; GC_PAGE_TRUNCATED:
	 * the file ends before it; GC_PAGE_ABSENT: the target address is
	 * in no range of the source (not RAM there: device memory, the
	 * unused part of a large page) */
	enum gc_page_state state;
	const char *reason;    /* the source's words for STATE, static */
};
const struct gc_guest_gap *gc_guest_gaps(const struct gc_guest *g,
					 size_t *nr);

struct gc_guest_counts {
	uint64_t frames_mapped;   /* guest frames the translation maps */
	uint64_t frames_present;  /* ... with data in the source */
	uint64_t frames_missing;  /* ... excluded or truncated there */
	uint64_t frames_not_ram;  /* ... at addresses the source lacks */
};
const struct gc_guest_counts *gc_guest_counts(const struct gc_guest *g);

/* Problems found while opening (e.g. misconfigured EPT entries). */
const struct gc_report *gc_guest_findings(const struct gc_guest *g);

/* "key=value" lines: where the guest came from (also written into the
 * GUESTCORE note of an extracted vmcore). */
const char *gc_guest_provenance(const struct gc_guest *g);

/* Guest-physical address -> the source's address (one run, see
 * spaces/xlat.h: *LEN bytes from GPA map contiguously).  Unmapped:
 * GC_ERR_NOT_PRESENT naming GPA and the reason. */
struct gc_error *gc_guest_translate(struct gc_guest *g, uint64_t gpa,
				    uint64_t *target, uint64_t *len);

/* ---- the extract pipeline (src/lib/writers/guest_extract.c) ---------- */

struct gc_guest_extract_result {
	struct gc_convert_stats stats;
	char *vmcoreinfo_status;  /* where VMCOREINFO came from, or why not */
};
void gc_guest_extract_result_free(struct gc_guest_extract_result *r);

/*
 * Write G with the shared vmcore writer (OPTS: format, codec, force...),
 * with the VMCOREINFO the kernel layer finds in guest memory (unless OPTS
 * gives one) and G's provenance.  Only frames with data are written;
 * gaps are left out, never zero-filled.  No frame with data at all is
 * GC_ERR_NOT_PRESENT.  Frames listed with data that cannot be read are
 * left out too and counted in R->stats.pages_missing (the output is
 * written; the caller reports them).
 */
struct gc_error *gc_guest_extract(struct gc_guest *g, const char *out_path,
				  const struct gc_convert_opts *opts,
				  struct gc_guest_extract_result *r);
/* Re-open OUT_PATH and compare it with G page for page. */
struct gc_error *gc_guest_verify(struct gc_guest *g, const char *out_path,
				 const struct gc_convert_opts *opts,
				 struct gc_verify_stats *vs);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
