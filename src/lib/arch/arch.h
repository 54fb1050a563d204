// SPDX-License-Identifier: MIT
/*
 * One table of operations per instruction set: everything the library
 * knows about an architecture lives behind it, so that formats, the
 * kernel layer and the writers stay architecture neutral.
 *
 * The arch layer comes after formats (it may use dump_internal.h) and
 * before types and kernel.  Formats hand over register state undecoded
 * (struct gc_cpu_state, dump_internal.h); gc_dump_vcpu() decodes it here.
 *
 * How to add an architecture: docs/architecture.md, "Adding an
 * architecture".
 */
#ifndef GC_ARCH_ARCH_H
#define GC_ARCH_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dump_internal.h"
#include "guestcore/arch.h"
#include "guestcore/kernel.h"

/* One register of an architecture's table (index = register number). */
struct gc_arch_reg {
	const char *name;
	uint8_t size;         /* bytes */
};

/* How a page walk reads memory: entries of SPACE (PHYS, or MACH for a
 * Xen PV guest whose tables hold machine frames). */
struct gc_arch_mem {
	void *ctx;
	struct gc_error *(*read_u64)(void *ctx, enum gc_space space,
				     uint64_t addr, uint64_t *out);
	/* Xen PV only: machine frame -> pseudo-physical frame. */
	struct gc_error *(*m2p)(void *ctx, uint64_t mfn, uint64_t *pfn);
};

/* Paging mode of one guest. */
struct gc_arch_paging {
	unsigned int levels;  /* x86_64: 4 or 5 */
	bool xen_pv;          /* entries hold mfns */
	uint64_t sme_mask;    /* AMD SME C-bit (and similar) to strip */
	/* Xen PV without any mfn -> pfn map yet (legacy xc_core before the
	 * guest's p2m is rebuilt): a leaf whose frame has no pfn still
	 * translates, with phys set to the machine address.  Only for
	 * reading the p2m itself; never shown to users. */
	bool mach_only;
};

/* Where Linux puts things on this architecture (no debuginfo needed). */
struct gc_arch_linux {
	/* Start of the kernel-image mapping (__START_KERNEL_map) and the
	 * default link address of _text without KASLR. */
	uint64_t kernel_map, default_text;
	/* Ranges where the direct map (PAGE_OFFSET) may start, for each
	 * paging depth the architecture knows (index: levels - min). */
	struct { unsigned int levels; uint64_t start, end; } direct_map[2];
	size_t nr_direct_map;
};

/* Largest register note any architecture writes (buffer size). */
enum { GC_ARCH_NOTE_MAX = 1024 };

struct gc_arch_ops {
	enum gc_arch arch;
	const char *name;           /* "x86_64" */
	uint16_t e_machine;         /* ELF EM_* written to vmcores */
	uint32_t page_size;         /* base page size */
	uint64_t page_sizes;        /* bit N set: pages of 1 << N bytes */
	const struct gc_arch_reg *regs;
	unsigned int nr_regs;
	/* Register numbers of the program counter, stack pointer and the
	 * page-table root (cr3 / ttbr1), for generic callers. */
	unsigned int reg_pc, reg_sp, reg_pgd;

	/* NT_PRSTATUS as this architecture's kernel writes it. */
	uint32_t prstatus_size;
	/* Decode one NT_PRSTATUS descriptor into V (merging). */
	struct gc_error *(*prstatus_read)(const uint8_t *desc, size_t len,
					  bool be, struct gc_vcpu *v);
	/* Encode V as a little-endian NT_PRSTATUS of prstatus_size bytes. */
	void (*prstatus_write)(const struct gc_vcpu *v, uint8_t *out);

	/* QEMU's "QEMU" CPU-state note (dump-guest-memory). */
	uint32_t qemu_note_size;
	struct gc_error *(*qemu_note_read)(const uint8_t *desc, size_t len,
					   bool be, bool have_gprs,
					   struct gc_vcpu *v);
	/* Encode V with page-table root PGD; false when V has nothing the
	 * note would carry beyond NT_PRSTATUS (no control registers). */
	bool (*qemu_note_write)(const struct gc_vcpu *v, uint64_t pgd,
				uint8_t *out);

	/* Xen vcpu_guest_context (NULL when Xen does not run this arch). */
	struct gc_error *(*xen_ctx_read)(const uint8_t *ctx, size_t len,
					 bool is_32bit, bool be, bool pv,
					 struct gc_vcpu *v);

	/* Paging depth the vCPU's control registers select (0: unknown). */
	unsigned int (*paging_levels)(const struct gc_vcpu *v);
	/* Walk VADDR from the top-level table at ROOT in ROOT_SPACE. */
	struct gc_error *(*walk)(const struct gc_arch_paging *pg,
				 const struct gc_arch_mem *mem, uint64_t root,
				 enum gc_space root_space, uint64_t vaddr,
				 struct gc_walk *w);
	/* Is VADDR a valid (canonical) virtual address at this depth? */
	bool (*canonical)(uint64_t vaddr, unsigned int levels);
	/* Table address bits of a root register value (cr3 & mask). */
	uint64_t root_mask;

	struct gc_arch_linux linux_layout;
};

/* The table for ARCH; NULL when the library does not support it. */
const struct gc_arch_ops *gc_arch_get(enum gc_arch arch);
/* The table for an ELF e_machine (EM_386 maps to x86_64's table, whose
 * register set covers x86_32 contexts); NULL when unknown. */
const struct gc_arch_ops *gc_arch_by_e_machine(uint16_t e_machine);

/* Decode a format's raw register records (gc_dump_vcpu does this). */
struct gc_error *gc_arch_decode_cpu(const struct gc_cpu_state *st,
				    struct gc_vcpu *v);

/* The architecture of a dump: that of its first vCPU, else x86_64 (the
 * only one the formats describe today). */
const struct gc_arch_ops *gc_arch_of_dump(struct gc_dump *d);

/* x86_64 (arch/x86_64/). */
extern const struct gc_arch_ops gc_arch_x86_64;

#endif
