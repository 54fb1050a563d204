// SPDX-License-Identifier: MIT
/*
 * Xen vcpu_guest_context decoding (x86_64 and x86_32 layouts) for the ELF
 * and legacy xc_core readers, which hand the raw context over through
 * struct gc_cpu_state.  Offsets: see docs/xc_core.md.
 */
#include <string.h>

#include "arch/x86_64/x86_64.h"
#include "util/util.h"

#define VGCF_ONLINE (1u << 5)

struct reg_off {
	enum gc_vcpu_reg reg;
	uint16_t off;
	uint8_t size;
};

/* x86_64: user_regs at 520 */
static const struct reg_off x64_regs[] = {
	{ GC_REG_R15, 520 + 0, 8 }, { GC_REG_R14, 520 + 8, 8 },
	{ GC_REG_R13, 520 + 16, 8 }, { GC_REG_R12, 520 + 24, 8 },
	{ GC_REG_RBP, 520 + 32, 8 }, { GC_REG_RBX, 520 + 40, 8 },
	{ GC_REG_R11, 520 + 48, 8 }, { GC_REG_R10, 520 + 56, 8 },
	{ GC_REG_R9, 520 + 64, 8 }, { GC_REG_R8, 520 + 72, 8 },
	{ GC_REG_RAX, 520 + 80, 8 }, { GC_REG_RCX, 520 + 88, 8 },
	{ GC_REG_RDX, 520 + 96, 8 }, { GC_REG_RSI, 520 + 104, 8 },
	{ GC_REG_RDI, 520 + 112, 8 }, { GC_REG_RIP, 520 + 128, 8 },
	{ GC_REG_CS, 520 + 136, 2 }, { GC_REG_RFLAGS, 520 + 144, 8 },
	{ GC_REG_RSP, 520 + 152, 8 }, { GC_REG_SS, 520 + 160, 2 },
	{ GC_REG_ES, 520 + 168, 2 }, { GC_REG_DS, 520 + 176, 2 },
	{ GC_REG_FS, 520 + 184, 2 }, { GC_REG_GS, 520 + 192, 2 },
	{ GC_REG_KERNEL_SS, 4968, 8 }, { GC_REG_KERNEL_SP, 4976, 8 },
	{ GC_REG_CR0, 4984, 8 }, { GC_REG_CR1, 4992, 8 },
	{ GC_REG_CR2, 5000, 8 }, { GC_REG_CR3, 5008, 8 },
	{ GC_REG_CR4, 5016, 8 }, { GC_REG_CR5, 5024, 8 },
	{ GC_REG_CR6, 5032, 8 }, { GC_REG_CR7, 5040, 8 },
	{ GC_REG_FS_BASE, 5144, 8 }, { GC_REG_GS_BASE_KERNEL, 5152, 8 },
	{ GC_REG_GS_BASE, 5160, 8 },
};

/* x86_32: user_regs at 516 */
static const struct reg_off x32_regs[] = {
	{ GC_REG_RBX, 516 + 0, 4 }, { GC_REG_RCX, 516 + 4, 4 },
	{ GC_REG_RDX, 516 + 8, 4 }, { GC_REG_RSI, 516 + 12, 4 },
	{ GC_REG_RDI, 516 + 16, 4 }, { GC_REG_RBP, 516 + 20, 4 },
	{ GC_REG_RAX, 516 + 24, 4 }, { GC_REG_RIP, 516 + 32, 4 },
	{ GC_REG_CS, 516 + 36, 2 }, { GC_REG_RFLAGS, 516 + 40, 4 },
	{ GC_REG_RSP, 516 + 44, 4 }, { GC_REG_SS, 516 + 48, 2 },
	{ GC_REG_ES, 516 + 52, 2 }, { GC_REG_DS, 516 + 56, 2 },
	{ GC_REG_FS, 516 + 60, 2 }, { GC_REG_GS, 516 + 64, 2 },
	{ GC_REG_KERNEL_SS, 2708, 4 }, { GC_REG_KERNEL_SP, 2712, 4 },
	{ GC_REG_CR0, 2716, 4 }, { GC_REG_CR1, 2720, 4 },
	{ GC_REG_CR2, 2724, 4 }, { GC_REG_CR3, 2728, 4 },
	{ GC_REG_CR4, 2732, 4 }, { GC_REG_CR5, 2736, 4 },
	{ GC_REG_CR6, 2740, 4 }, { GC_REG_CR7, 2744, 4 },
};

/* The mfn a 32-bit PV guest's cr3 names: Xen rotates the top bits of the
 * mfn into the low 12 bits ((mfn << 12) | (mfn >> 20)). */
static uint64_t compat_cr3_to_mfn(uint64_t cr3)
{
	uint32_t c = (uint32_t)cr3;
	return (uint32_t)((c >> 12) | (c << 20));
}

struct gc_error *gc_x86_xen_ctx_read(const uint8_t *ctx, size_t len,
				     bool is_32bit, bool be, bool pv,
				     struct gc_vcpu *out)
{
	const struct reg_off *tab = is_32bit ? x32_regs : x64_regs;
	size_t n = is_32bit ? GC_ARRAY_SIZE(x32_regs) : GC_ARRAY_SIZE(x64_regs);
	out->is_32bit = is_32bit;
	out->source = "xen vcpu_guest_context";
	for (size_t i = 0; i < n; i++) {
		if ((size_t)tab[i].off + tab[i].size > len)
			continue;
		const uint8_t *p = ctx + tab[i].off;
		uint64_t v = tab[i].size == 8 ? gc_get64(p, be) :
			     tab[i].size == 4 ? gc_get32(p, be) :
						gc_get16(p, be);
		gc_vcpu_set_reg(out, (unsigned int)tab[i].reg, v);
	}
	if (len >= 520) {
		out->xen_flags = is_32bit ? gc_get32(ctx + 512, be) :
					    gc_get64(ctx + 512, be);
		out->has_xen_flags = true;
	}
	if (out->valid & (1ull << GC_REG_CR3)) {
		uint64_t cr3 = out->regs[GC_REG_CR3];
		if (pv) {
			uint64_t mfn = is_32bit ? compat_cr3_to_mfn(cr3) :
						  cr3 >> 12;
			out->pgd_addr = mfn << 12;
			out->pgd_space = GC_SPACE_MACH;
		} else {
			out->pgd_addr = cr3 & GC_X86_ADDR_MASK;
			out->pgd_space = GC_SPACE_PHYS;
		}
	}
	return NULL;
}
