// SPDX-License-Identifier: MIT
/* ELF vmcore segments for the kernel layer (virtual-address mappings). */
#ifndef GC_FORMATS_ELF_VMCORE_H
#define GC_FORMATS_ELF_VMCORE_H

#include "../dump_internal.h"

struct gc_elf_segment {
	uint64_t paddr, vaddr;   /* p_paddr, p_vaddr */
	uint64_t offset;         /* p_offset */
	uint64_t filesz, memsz;  /* p_filesz (clamped to memsz), p_memsz */
	uint32_t flags;          /* p_flags */
	uint32_t phdr;           /* program header number */
	bool text;               /* kernel-text mapping (vaddr in
				  * __START_KERNEL_map) */
};

/*
 * The PT_LOAD segments of an ELF vmcore in program-header order; 0 and
 * *SEGS = NULL for any other format.
 */
size_t gc_elf_vmcore_segments(const struct gc_dump *d,
			      const struct gc_elf_segment **segs);

#endif
