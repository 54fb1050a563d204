// SPDX-License-Identifier: MIT
/*
 * ELF note parsing shared by the ELF vmcore and kdump-compressed readers:
 * which notes there are, per-CPU NT_PRSTATUS and QEMU CPU-state records
 * (decoded by the arch layer), VMCOREINFO, Xen crash notes.  The sizes
 * below only let the parser flag a damaged record at open; the layouts
 * live in arch/x86_64/.  The parser owns copies of the note bytes; gc_note
 * descriptors point into them.
 */
#ifndef GC_FORMATS_NOTES_H
#define GC_FORMATS_NOTES_H

#include "../dump_internal.h"

#define GC_NT_PRSTATUS 1u
#define GC_XEN_ELFNOTE_CRASH_INFO 0x1000001u
#define GC_XEN_ELFNOTE_CRASH_REGS 0x1000002u
#define GC_PRSTATUS64_SIZE 336u
#define GC_PRSTATUS32_SIZE 144u
#define GC_QEMU_CPUSTATE_MIN 432u

/* One CPU's register notes, undecoded (arch/ knows the layouts). */
struct gc_note_cpu {
	const uint8_t *prstatus, *qemu;  /* into the note bytes, or NULL */
	size_t prstatus_len, qemu_len;
};

struct gc_notes {
	struct gc_note *notes;
	size_t n, cap;
	uint8_t **bufs;            /* owned note segment copies */
	size_t nbufs, bufs_cap;
	struct gc_note_cpu *cpus;
	size_t ncpus, cpus_cap, nprstatus, nqemu;
	size_t nxen, nvmcoreinfo, nother;
	const char *eraseinfo;     /* makedumpfile's ERASEINFO note text */
	size_t eraseinfo_len;
	uint64_t eraseinfo_offset;
	char *vmcoreinfo;          /* NUL-terminated copy, or NULL */
	size_t vmcoreinfo_len;
	uint64_t vmcoreinfo_offset;
	bool be;                   /* byte order of the notes */
	uint16_t e_machine;        /* the container's EM_*, 0 = x86_64 */
	/* guestcore's own provenance note text (GUESTCORE type 1, not
	 * NUL-terminated; points into bufs), or NULL */
	const char *guestcore;
	size_t guestcore_len;
};

/*
 * Parse one note area of LEN bytes read from file offset OFF.  Takes
 * ownership of BUF (malloc'ed) even on error.  Problems (a note running
 * past the area, odd descriptor sizes) go to FINDINGS; WHAT names the area
 * ("PT_NOTE segment 0", "kdump notes").
 */
struct gc_error *gc_notes_parse(struct gc_notes *ns, uint8_t *buf, size_t len,
				uint64_t off, bool be, const char *what,
				struct gc_report *findings);
/* Hand the note list to the dump (d->notes); ns keeps the bytes. */
void gc_notes_publish(struct gc_notes *ns, struct gc_dump *d);
void gc_notes_free(struct gc_notes *ns);

/* Value of KEY= in VMCOREINFO text (copied into OUT), false if absent. */
bool gc_vmcoreinfo_get(const char *text, const char *key, char *out,
		       size_t outlen);
/* Record the VMCOREINFO keys `info` shows as dump fields, what a
 * GUESTCORE note says, and what makedumpfile erased (d->eraseinfo, from
 * the ERASEINFO note unless the format set it). */
struct gc_error *gc_notes_add_fields(struct gc_notes *ns, struct gc_dump *d);
/* A VMCOREINFO value as the header fields show it: NUMBER(phys_base) (the
 * kernel writes it in signed decimal) as signed hex ("-0x1ce00000"), the
 * one way info shows phys_base; other keys sanitized as they are. */
void gc_notes_field_value(const char *key, const char *raw, char *out,
			  size_t size);

/* CPU I's register notes (I < ns->ncpus), for gc_dump_vcpu to decode. */
void gc_notes_cpu_state(const struct gc_notes *ns, unsigned int i,
			struct gc_cpu_state *out);

#endif
