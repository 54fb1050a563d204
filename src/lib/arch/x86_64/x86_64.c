// SPDX-License-Identifier: MIT
/* The x86_64 architecture table (see arch/arch.h and x86_64.h). */
#include "arch/x86_64/x86_64.h"
#include "util/util.h"

/* Index = enum gc_vcpu_reg (the public x86_64 numbering). */
static const struct gc_arch_reg x86_64_regs[GC_REG_COUNT] = {
	[GC_REG_RAX] = {"rax", 8}, [GC_REG_RBX] = {"rbx", 8},
	[GC_REG_RCX] = {"rcx", 8}, [GC_REG_RDX] = {"rdx", 8},
	[GC_REG_RSI] = {"rsi", 8}, [GC_REG_RDI] = {"rdi", 8},
	[GC_REG_RBP] = {"rbp", 8}, [GC_REG_RSP] = {"rsp", 8},
	[GC_REG_R8] = {"r8", 8}, [GC_REG_R9] = {"r9", 8},
	[GC_REG_R10] = {"r10", 8}, [GC_REG_R11] = {"r11", 8},
	[GC_REG_R12] = {"r12", 8}, [GC_REG_R13] = {"r13", 8},
	[GC_REG_R14] = {"r14", 8}, [GC_REG_R15] = {"r15", 8},
	[GC_REG_RIP] = {"rip", 8}, [GC_REG_RFLAGS] = {"rflags", 8},
	[GC_REG_CS] = {"cs", 2}, [GC_REG_SS] = {"ss", 2},
	[GC_REG_DS] = {"ds", 2}, [GC_REG_ES] = {"es", 2},
	[GC_REG_FS] = {"fs", 2}, [GC_REG_GS] = {"gs", 2},
	[GC_REG_FS_BASE] = {"fs_base", 8}, [GC_REG_GS_BASE] = {"gs_base", 8},
	[GC_REG_GS_BASE_KERNEL] = {"gs_base_kernel", 8},
	[GC_REG_CR0] = {"cr0", 8}, [GC_REG_CR1] = {"cr1", 8},
	[GC_REG_CR2] = {"cr2", 8}, [GC_REG_CR3] = {"cr3", 8},
	[GC_REG_CR4] = {"cr4", 8}, [GC_REG_CR5] = {"cr5", 8},
	[GC_REG_CR6] = {"cr6", 8}, [GC_REG_CR7] = {"cr7", 8},
	[GC_REG_EFER] = {"efer", 8},
	[GC_REG_KERNEL_SS] = {"kernel_ss", 8},
	[GC_REG_KERNEL_SP] = {"kernel_sp", 8},
	[GC_REG_ORIG_RAX] = {"orig_rax", 8},
	[GC_REG_GDT_BASE] = {"gdt_base", 8},
	[GC_REG_GDT_LIMIT] = {"gdt_limit", 2},
	[GC_REG_IDT_BASE] = {"idt_base", 8},
	[GC_REG_IDT_LIMIT] = {"idt_limit", 2},
};

_Static_assert((int)GC_REG_COUNT <= (int)GC_VCPU_MAX_REGS,
	       "x86_64 registers fit struct gc_vcpu");

static unsigned int x86_paging_levels(const struct gc_vcpu *v)
{
	uint64_t cr4;
	if (v->is_32bit || !gc_vcpu_get_reg(v, GC_REG_CR4, &cr4))
		return 0;
	return (cr4 & GC_X86_CR4_LA57) ? 5 : 4;
}

const struct gc_arch_ops gc_arch_x86_64 = {
	.arch = GC_ARCH_X86_64,
	.name = "x86_64",
	.e_machine = 62,                      /* EM_X86_64 */
	.page_size = 4096,
	.page_sizes = (1ull << 12) | (1ull << 21) | (1ull << 30),
	.regs = x86_64_regs,
	.nr_regs = GC_REG_COUNT,
	.reg_pc = GC_REG_RIP,
	.reg_sp = GC_REG_RSP,
	.reg_pgd = GC_REG_CR3,
	.prstatus_size = GC_X86_PRSTATUS64_SIZE,
	.prstatus_read = gc_x86_prstatus_read,
	.prstatus_write = gc_x86_prstatus_write,
	.qemu_note_size = GC_X86_QEMU_CPUSTATE_SIZE,
	.qemu_note_read = gc_x86_qemu_note_read,
	.qemu_note_write = gc_x86_qemu_note_write,
	.xen_ctx_read = gc_x86_xen_ctx_read,
	.paging_levels = x86_paging_levels,
	.walk = gc_x86_walk,
	.canonical = gc_x86_canonical,
	.root_mask = GC_X86_ADDR_MASK,
	.linux_layout = {
		/* __START_KERNEL_map and the default _text (no KASLR). */
		.kernel_map = 0xffffffff80000000ull,
		.default_text = 0xffffffff81000000ull,
		/* Where PAGE_OFFSET can be: the direct-map region of
		 * Documentation/arch/x86/x86_64/mm.rst for 4 and 5 levels
		 * (KASLR moves it inside the region). */
		.direct_map = {
			{ 4, 0xffff880000000000ull, 0xffffc90000000000ull },
			{ 5, 0xff10000000000000ull, 0xffa0000000000000ull },
		},
		.nr_direct_map = 2,
	},
};
