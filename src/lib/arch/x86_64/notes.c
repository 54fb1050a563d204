// SPDX-License-Identifier: MIT
/*
 * x86-64 register notes of Linux vmcores: NT_PRSTATUS (struct
 * elf_prstatus, x86_64 and i386 layouts) and QEMU's QEMUCPUState
 * ("QEMU" note of dump-guest-memory), read and written.
 */
#include <inttypes.h>
#include <string.h>

#include "arch/x86_64/x86_64.h"
#include "util/util.h"

/* CR3 bits that are not part of the page-table root: PCID (11:0), the
 * PTI user-copy bit (12, see below), the no-flush bit (63) and bits
 * above 51. */
#define CR3_ROOT_MASK 0x000fffffffffe000ull

struct reg_at {
	enum gc_vcpu_reg reg;
	uint16_t off;
};

/* elf_prstatus.pr_reg (user_regs_struct) order: x86_64 from 112, the
 * i386 layout from 72.  pr_pid at 32 (x86_64) / 24 (i386). */
static const struct reg_at prs64[] = {
	{ GC_REG_R15, 112 }, { GC_REG_R14, 120 }, { GC_REG_R13, 128 },
	{ GC_REG_R12, 136 }, { GC_REG_RBP, 144 }, { GC_REG_RBX, 152 },
	{ GC_REG_R11, 160 }, { GC_REG_R10, 168 }, { GC_REG_R9, 176 },
	{ GC_REG_R8, 184 }, { GC_REG_RAX, 192 }, { GC_REG_RCX, 200 },
	{ GC_REG_RDX, 208 }, { GC_REG_RSI, 216 }, { GC_REG_RDI, 224 },
	{ GC_REG_ORIG_RAX, 232 }, { GC_REG_RIP, 240 }, { GC_REG_CS, 248 },
	{ GC_REG_RFLAGS, 256 }, { GC_REG_RSP, 264 }, { GC_REG_SS, 272 },
	{ GC_REG_FS_BASE, 280 }, { GC_REG_GS_BASE, 288 }, { GC_REG_DS, 296 },
	{ GC_REG_ES, 304 }, { GC_REG_FS, 312 }, { GC_REG_GS, 320 },
}, prs32[] = {
	{ GC_REG_RBX, 72 }, { GC_REG_RCX, 76 }, { GC_REG_RDX, 80 },
	{ GC_REG_RSI, 84 }, { GC_REG_RDI, 88 }, { GC_REG_RBP, 92 },
	{ GC_REG_RAX, 96 }, { GC_REG_DS, 100 }, { GC_REG_ES, 104 },
	{ GC_REG_FS, 108 }, { GC_REG_GS, 112 }, { GC_REG_ORIG_RAX, 116 },
	{ GC_REG_RIP, 120 }, { GC_REG_CS, 124 }, { GC_REG_RFLAGS, 128 },
	{ GC_REG_RSP, 132 }, { GC_REG_SS, 136 },
};

/* QEMUCPUState: version @0, size @4, rax..rflags @8 (8 bytes each),
 * segments cs ds es fs gs ss @152 (24 bytes: selector @0, limit @4,
 * flags @8, base @16), ldt @296, tr @320, gdt @344, idt @368, cr0..cr4
 * @392, kernel_gs_base @432 (version 1 with size >= 440). */
static const struct reg_at qemu_gpr[] = {
	{ GC_REG_RAX, 8 }, { GC_REG_RBX, 16 }, { GC_REG_RCX, 24 },
	{ GC_REG_RDX, 32 }, { GC_REG_RSI, 40 }, { GC_REG_RDI, 48 },
	{ GC_REG_RSP, 56 }, { GC_REG_RBP, 64 }, { GC_REG_R8, 72 },
	{ GC_REG_R9, 80 }, { GC_REG_R10, 88 }, { GC_REG_R11, 96 },
	{ GC_REG_R12, 104 }, { GC_REG_R13, 112 }, { GC_REG_R14, 120 },
	{ GC_REG_R15, 128 }, { GC_REG_RIP, 136 }, { GC_REG_RFLAGS, 144 },
}, qemu_seg[] = {
	{ GC_REG_CS, 152 }, { GC_REG_DS, 176 }, { GC_REG_ES, 200 },
	{ GC_REG_FS, 224 }, { GC_REG_GS, 248 }, { GC_REG_SS, 272 },
};
#define QEMU_FS_BASE (224 + 16)
#define QEMU_GS_BASE (248 + 16)
#define QEMU_GDT 344
#define QEMU_IDT 368
#define QEMU_CR0 392
#define QEMU_KERNEL_GS_BASE 432

static void set(struct gc_vcpu *v, enum gc_vcpu_reg r, uint64_t val)
{
	gc_vcpu_set_reg(v, (unsigned int)r, val);
}

static uint64_t reg(const struct gc_vcpu *v, enum gc_vcpu_reg r)
{
	uint64_t val;
	return gc_vcpu_get_reg(v, (unsigned int)r, &val) ? val : 0;
}

static bool has(const struct gc_vcpu *v, enum gc_vcpu_reg r)
{
	uint64_t val;
	return gc_vcpu_get_reg(v, (unsigned int)r, &val);
}

struct gc_error *gc_x86_prstatus_read(const uint8_t *p, size_t n, bool be,
				      struct gc_vcpu *v)
{
	if (n == GC_X86_PRSTATUS64_SIZE) {
		for (size_t i = 0; i < GC_ARRAY_SIZE(prs64); i++)
			set(v, prs64[i].reg, gc_get64(p + prs64[i].off, be));
		v->pid = gc_get32(p + 32, be);
	} else if (n == GC_X86_PRSTATUS32_SIZE) {
		for (size_t i = 0; i < GC_ARRAY_SIZE(prs32); i++)
			set(v, prs32[i].reg, gc_get32(p + prs32[i].off, be));
		v->pid = gc_get32(p + 24, be);
		v->is_32bit = true;
	} else {
		return gc_error_new(GC_ERR_FORMAT, "NT_PRSTATUS",
				    "%zu bytes is neither the x86_64 (%u) nor "
				    "the i386 (%u) layout", n,
				    GC_X86_PRSTATUS64_SIZE,
				    GC_X86_PRSTATUS32_SIZE);
	}
	v->has_pid = true;
	return NULL;
}

/* A Xen PV vCPU in kernel mode (VGCF_in_kernel) runs on the kernel GS
 * base; Xen keeps the user one in gs_base_user. */
static uint64_t active_gs_base(const struct gc_vcpu *v)
{
	bool in_kernel = v->has_xen_flags && (v->xen_flags & (1u << 2));
	if ((in_kernel || !has(v, GC_REG_GS_BASE)) &&
	    has(v, GC_REG_GS_BASE_KERNEL))
		return reg(v, GC_REG_GS_BASE_KERNEL);
	return reg(v, GC_REG_GS_BASE);
}

void gc_x86_prstatus_write(const struct gc_vcpu *v, uint8_t *out)
{
	memset(out, 0, GC_X86_PRSTATUS64_SIZE);
	if (v->has_pid)
		gc_put32(out + 32, v->pid, false);
	for (size_t i = 0; i < GC_ARRAY_SIZE(prs64); i++) {
		enum gc_vcpu_reg r = prs64[i].reg;
		uint64_t val = r == GC_REG_GS_BASE ? active_gs_base(v) :
						     reg(v, r);
		gc_put64(out + prs64[i].off, val, false);
	}
}

struct gc_error *gc_x86_qemu_note_read(const uint8_t *p, size_t n, bool be,
				       bool have_gprs, struct gc_vcpu *v)
{
	if (n < GC_X86_QEMU_CPUSTATE_MIN)
		return gc_error_new(GC_ERR_FORMAT, "QEMU CPU state note",
				    "%zu bytes is shorter than the %u-byte "
				    "QEMUCPUState", n,
				    GC_X86_QEMU_CPUSTATE_MIN);
	if (!have_gprs) {
		for (size_t i = 0; i < GC_ARRAY_SIZE(qemu_gpr); i++)
			set(v, qemu_gpr[i].reg,
			    gc_get64(p + qemu_gpr[i].off, be));
		for (size_t i = 0; i < GC_ARRAY_SIZE(qemu_seg); i++)
			set(v, qemu_seg[i].reg,
			    gc_get32(p + qemu_seg[i].off, be));
	}
	set(v, GC_REG_FS_BASE, gc_get64(p + QEMU_FS_BASE, be));
	set(v, GC_REG_GS_BASE, gc_get64(p + QEMU_GS_BASE, be));
	set(v, GC_REG_GDT_BASE, gc_get64(p + QEMU_GDT + 16, be));
	set(v, GC_REG_GDT_LIMIT, gc_get32(p + QEMU_GDT + 4, be));
	set(v, GC_REG_IDT_BASE, gc_get64(p + QEMU_IDT + 16, be));
	set(v, GC_REG_IDT_LIMIT, gc_get32(p + QEMU_IDT + 4, be));
	for (int i = 0; i < 5; i++)
		set(v, (enum gc_vcpu_reg)(GC_REG_CR0 + i),
		    gc_get64(p + QEMU_CR0 + 8 * i, be));
	uint32_t size = gc_get32(p + 4, be);
	if (n >= GC_X86_QEMU_CPUSTATE_SIZE &&
	    size >= GC_X86_QEMU_CPUSTATE_SIZE)
		set(v, GC_REG_GS_BASE_KERNEL,
		    gc_get64(p + QEMU_KERNEL_GS_BASE, be));
	/* Bit 12 selects PTI's user copy of the top-level table; it only
	 * means that while the CPU runs user code (CPL 3 in CS). */
	uint64_t mask = CR3_ROOT_MASK;
	if ((reg(v, GC_REG_CS) & 3) != 3)
		mask |= 1ull << 12;
	v->pgd_addr = reg(v, GC_REG_CR3) & mask;
	v->pgd_space = GC_SPACE_PHYS;
	return NULL;
}

bool gc_x86_qemu_note_write(const struct gc_vcpu *v, uint64_t cr3,
			    uint8_t *out)
{
	if (!has(v, GC_REG_CR3) && !has(v, GC_REG_CR0) && !has(v, GC_REG_CR4))
		return false;
	memset(out, 0, GC_X86_QEMU_CPUSTATE_SIZE);
	gc_put32(out, 1, false);
	gc_put32(out + 4, GC_X86_QEMU_CPUSTATE_SIZE, false);
	for (size_t i = 0; i < GC_ARRAY_SIZE(qemu_gpr); i++)
		gc_put64(out + qemu_gpr[i].off, reg(v, qemu_gpr[i].reg),
			 false);
	for (size_t i = 0; i < GC_ARRAY_SIZE(qemu_seg); i++)
		gc_put32(out + qemu_seg[i].off,
			 (uint32_t)reg(v, qemu_seg[i].reg), false);
	gc_put64(out + QEMU_FS_BASE, reg(v, GC_REG_FS_BASE), false);
	gc_put64(out + QEMU_GS_BASE, active_gs_base(v), false);
	gc_put32(out + QEMU_GDT + 4, (uint32_t)reg(v, GC_REG_GDT_LIMIT),
		 false);
	gc_put64(out + QEMU_GDT + 16, reg(v, GC_REG_GDT_BASE), false);
	gc_put32(out + QEMU_IDT + 4, (uint32_t)reg(v, GC_REG_IDT_LIMIT),
		 false);
	gc_put64(out + QEMU_IDT + 16, reg(v, GC_REG_IDT_BASE), false);
	gc_put64(out + QEMU_CR0, reg(v, GC_REG_CR0), false);
	gc_put64(out + QEMU_CR0 + 8, reg(v, GC_REG_CR1), false);
	gc_put64(out + QEMU_CR0 + 16, reg(v, GC_REG_CR2), false);
	gc_put64(out + QEMU_CR0 + 24, cr3, false);
	gc_put64(out + QEMU_CR0 + 32, reg(v, GC_REG_CR4), false);
	gc_put64(out + QEMU_KERNEL_GS_BASE, reg(v, GC_REG_GS_BASE_KERNEL),
		 false);
	return true;
}
