// SPDX-License-Identifier: MIT
/*
 * ELF note parsing shared by the ELF vmcore and kdump-compressed readers:
 * NT_PRSTATUS (x86_64 and i386 layouts), QEMU's QEMUCPUState, VMCOREINFO,
 * Xen crash notes.  The parser owns copies of the note bytes; gc_note
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

struct gc_note_cpu {
	struct gc_vcpu v;
	bool has_prstatus, has_qemu;
};

struct gc_notes {
	struct gc_note *notes;
	size_t n, cap;
	uint8_t **bufs;            /* owned note segment copies */
	size_t nbufs;
	struct gc_note_cpu *cpus;
	size_t ncpus, nprstatus, nqemu;
	size_t nxen, nvmcoreinfo, nother;
	char *vmcoreinfo;          /* NUL-terminated copy, or NULL */
	size_t vmcoreinfo_len;
	uint64_t vmcoreinfo_offset;
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
/* Record the VMCOREINFO keys `info` shows as dump fields. */
struct gc_error *gc_notes_add_fields(struct gc_notes *ns, struct gc_dump *d);

/* Copy of cpu I's registers (I < ns->ncpus). */
void gc_notes_vcpu(const struct gc_notes *ns, unsigned int i,
		   struct gc_vcpu *out);

#endif
