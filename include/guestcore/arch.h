/* SPDX-License-Identifier: MIT */
/*
 * guestcore architectures: which instruction set a vCPU's registers
 * belong to, and the names and sizes of those registers.
 *
 * A vCPU (struct gc_vcpu in dump.h) carries its architecture and an array
 * of registers addressed by number *within that architecture*.  The
 * library owns the numbering and the names: gc_arch_reg_name(arch, n)
 * and gc_arch_reg_lookup(arch, "rip", &n).
 *
 * x86_64 numbers its registers as enum gc_vcpu_reg (GC_REG_RAX = 0 ...
 * GC_REG_IDT_LIMIT = 42); an x86_32 guest context (Xen, NT_PRSTATUS of
 * an i386 kernel) uses the same numbering with is_32bit set.
 *
 * Room for more: struct gc_vcpu holds GC_VCPU_MAX_REGS (128) registers,
 * so an architecture with up to 128 of them -- aarch64 needs x0..x30,
 * sp, pc, pstate and a few dozen system registers (ttbr0/1_el1, tcr_el1,
 * sctlr_el1, esr/far/elr_el1, tpidr_el0/1, vbar_el1, ...) -- fits without
 * changing the structure's size or layout.
 */
#ifndef GUESTCORE_ARCH_H
#define GUESTCORE_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared in include/guestcore/ is the library's ABI. */
#pragma GCC visibility push(default)

enum gc_arch {
	GC_ARCH_X86_64 = 0,  /* also x86_32 guest contexts (is_32bit) */
	GC_ARCH_AARCH64 = 1, /* reserved: numbering fixed, no support yet */
	GC_ARCH_COUNT
};

/* Registers a struct gc_vcpu can hold, in any architecture. */
enum { GC_VCPU_MAX_REGS = 128 };

/* "x86_64", "aarch64"; "?" for a value outside the enum. */
const char *gc_arch_name(enum gc_arch arch);
/* True when the library can decode and write this architecture's
 * registers and walk its page tables. */
bool gc_arch_supported(enum gc_arch arch);
/* Number of registers ARCH defines (0 when not supported). */
unsigned int gc_arch_nr_regs(enum gc_arch arch);
/* Name of register N of ARCH ("rip", "cr3"); NULL when N is not one. */
const char *gc_arch_reg_name(enum gc_arch arch, unsigned int n);
/* Width of register N in bytes as the architecture defines it (8 for
 * x86_64 general registers, 2 for segment selectors); 0 if unknown. */
unsigned int gc_arch_reg_size(enum gc_arch arch, unsigned int n);
/* Register number of NAME (exact, lower case); false when ARCH has none
 * of that name. */
bool gc_arch_reg_lookup(enum gc_arch arch, const char *name,
			unsigned int *n);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
