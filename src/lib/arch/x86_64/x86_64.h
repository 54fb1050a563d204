// SPDX-License-Identifier: MIT
/*
 * x86-64 (arch/x86_64/): the register table (enum gc_vcpu_reg order),
 * NT_PRSTATUS and QEMU CPU-state layouts, the Xen vcpu_guest_context
 * layouts (x86_64 and x86_32), page-table walks (4- and 5-level, 2 MiB /
 * 1 GiB pages, Xen PV tables holding machine frames) and where Linux puts
 * its kernel mappings.  Everything here is reached through gc_arch_x86_64
 * (arch/arch.h); the functions are declared for that table and for unit
 * tests and fuzzers of the walker.
 */
#ifndef GC_ARCH_X86_64_H
#define GC_ARCH_X86_64_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"

#define GC_X86_PTE_PRESENT  (1ull << 0)
#define GC_X86_PTE_RW       (1ull << 1)
#define GC_X86_PTE_USER     (1ull << 2)
#define GC_X86_PTE_PWT      (1ull << 3)
#define GC_X86_PTE_PCD      (1ull << 4)
#define GC_X86_PTE_ACCESSED (1ull << 5)
#define GC_X86_PTE_DIRTY    (1ull << 6)
#define GC_X86_PTE_PSE      (1ull << 7)
#define GC_X86_PTE_GLOBAL   (1ull << 8)
#define GC_X86_PTE_NX       (1ull << 63)
/* Physical-address bits of a table pointer (MAXPHYADDR <= 52). */
#define GC_X86_ADDR_MASK    0x000FFFFFFFFFF000ull
/* CR4.LA57: 5-level paging. */
#define GC_X86_CR4_LA57     (1ull << 12)

/* Layout sizes (bytes). */
#define GC_X86_PRSTATUS64_SIZE 336u
#define GC_X86_PRSTATUS32_SIZE 144u
#define GC_X86_QEMU_CPUSTATE_MIN 432u
#define GC_X86_QEMU_CPUSTATE_SIZE 440u

/*
 * Walk VADDR from the top-level table at ROOT (in ROOT_SPACE: PHYS, or
 * MACH for a Xen PV cr3).  Fills W completely in every case; returns NULL
 * when the address translated, else a GC_ERR_TRANSLATION error whose text
 * is W->why.
 */
struct gc_error *gc_x86_walk(const struct gc_arch_paging *pg,
			     const struct gc_arch_mem *mem, uint64_t root,
			     enum gc_space root_space, uint64_t vaddr,
			     struct gc_walk *w);

/* Is VADDR canonical for LEVELS-level paging? */
bool gc_x86_canonical(uint64_t vaddr, unsigned int levels);

/* notes.c */
struct gc_error *gc_x86_prstatus_read(const uint8_t *p, size_t n, bool be,
				      struct gc_vcpu *v);
void gc_x86_prstatus_write(const struct gc_vcpu *v, uint8_t *out);
struct gc_error *gc_x86_qemu_note_read(const uint8_t *p, size_t n, bool be,
				       bool have_gprs, struct gc_vcpu *v);
bool gc_x86_qemu_note_write(const struct gc_vcpu *v, uint64_t cr3,
			    uint8_t *out);

/* xen_ctx.c */
struct gc_error *gc_x86_xen_ctx_read(const uint8_t *ctx, size_t len,
				     bool is_32bit, bool be, bool pv,
				     struct gc_vcpu *v);

#endif
