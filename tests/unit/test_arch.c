// SPDX-License-Identifier: MIT
/*
 * The arch layer: public register names and numbering, the vCPU register
 * set's room for other architectures, the x86_64 table's note layouts
 * (read/write round trips, damaged sizes), Xen contexts, Linux layout
 * facts; typed kernel facts and the writer-hints bridge on the real
 * xen-pv-idle dump.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "arch/arch.h"
#include "arch/x86_64/x86_64.h"
#include "guestcore/kernel.h"
#include "guestcore/writer.h"

TEST(public_register_names)
{
	CHECK_STR(gc_arch_name(GC_ARCH_X86_64), "x86_64");
	CHECK_STR(gc_arch_name(GC_ARCH_AARCH64), "aarch64");
	CHECK_STR(gc_arch_name((enum gc_arch)77), "?");
	CHECK(gc_arch_supported(GC_ARCH_X86_64));
	CHECK(!gc_arch_supported(GC_ARCH_AARCH64));
	CHECK_EQ_U64(gc_arch_nr_regs(GC_ARCH_X86_64), 43);
	CHECK_EQ_U64(gc_arch_nr_regs(GC_ARCH_AARCH64), 0);
	CHECK_STR(gc_arch_reg_name(GC_ARCH_X86_64, 0), "rax");
	CHECK_STR(gc_arch_reg_name(GC_ARCH_X86_64, GC_REG_RIP), "rip");
	CHECK_STR(gc_arch_reg_name(GC_ARCH_X86_64, GC_REG_IDT_LIMIT),
		  "idt_limit");
	CHECK(gc_arch_reg_name(GC_ARCH_X86_64, GC_REG_COUNT) == NULL);
	CHECK(gc_arch_reg_name(GC_ARCH_AARCH64, 0) == NULL);
	CHECK_STR(gc_vcpu_reg_name(GC_REG_GS_BASE_KERNEL), "gs_base_kernel");
	CHECK_STR(gc_vcpu_reg_name((enum gc_vcpu_reg)99), "?");
	/* Every x86_64 register has a distinct name that looks itself up. */
	for (unsigned int i = 0; i < GC_REG_COUNT; i++) {
		unsigned int n = 999;
		const char *name = gc_arch_reg_name(GC_ARCH_X86_64, i);
		CHECK(name && name[0]);
		CHECK(gc_arch_reg_lookup(GC_ARCH_X86_64, name, &n));
		CHECK_EQ_U64(n, i);
	}
	unsigned int n;
	CHECK(gc_arch_reg_lookup(GC_ARCH_X86_64, "cr3", &n));
	CHECK_EQ_U64(n, GC_REG_CR3);
	CHECK(!gc_arch_reg_lookup(GC_ARCH_X86_64, "x0", &n));
	CHECK(!gc_arch_reg_lookup(GC_ARCH_X86_64, "RIP", &n));
	CHECK(!gc_arch_reg_lookup(GC_ARCH_AARCH64, "pc", &n));
	CHECK_EQ_U64(gc_arch_reg_size(GC_ARCH_X86_64, GC_REG_RIP), 8);
	CHECK_EQ_U64(gc_arch_reg_size(GC_ARCH_X86_64, GC_REG_CS), 2);
	CHECK_EQ_U64(gc_arch_reg_size(GC_ARCH_X86_64, 500), 0);
}

TEST(vcpu_register_set_has_room)
{
	/* 128 registers; valid is the first word of valid_bits. */
	struct gc_vcpu v;
	CHECK_EQ_U64(sizeof(v.regs) / sizeof(v.regs[0]), GC_VCPU_MAX_REGS);
	CHECK_EQ_U64(GC_VCPU_MAX_REGS, 128);
	CHECK_EQ_U64(offsetof(struct gc_vcpu, valid),
		     offsetof(struct gc_vcpu, valid_bits));
	memset(&v, 0, sizeof(v));
	CHECK_EQ_U64(v.arch, GC_ARCH_X86_64); /* zeroed = x86_64 */
	uint64_t x = 0;
	CHECK(!gc_vcpu_get_reg(&v, GC_REG_RIP, &x));
	gc_vcpu_set_reg(&v, GC_REG_RIP, 0xffffffff81000000ull);
	CHECK(gc_vcpu_get_reg(&v, GC_REG_RIP, &x));
	CHECK_EQ_U64(x, 0xffffffff81000000ull);
	CHECK_EQ_U64(v.valid, 1ull << GC_REG_RIP); /* the old field name */
	gc_vcpu_set_reg(&v, 100, 0x1234);  /* a register x86_64 lacks */
	CHECK_EQ_U64(v.valid_bits[1], 1ull << 36);
	CHECK_EQ_U64(v.valid, 1ull << GC_REG_RIP);
	CHECK(gc_vcpu_get_reg(&v, 100, &x));
	CHECK_EQ_U64(x, 0x1234);
	gc_vcpu_set_reg(&v, GC_VCPU_MAX_REGS, 1);  /* ignored */
	CHECK(!gc_vcpu_get_reg(&v, GC_VCPU_MAX_REGS, &x));
	CHECK(!gc_vcpu_get_reg(&v, 127, &x));
}

TEST(arch_table_lookup_and_linux_layout)
{
	const struct gc_arch_ops *a = gc_arch_get(GC_ARCH_X86_64);
	CHECK(a == &gc_arch_x86_64);
	CHECK(gc_arch_get(GC_ARCH_AARCH64) == NULL);
	CHECK(gc_arch_by_e_machine(62) == a);
	CHECK(gc_arch_by_e_machine(3) == a);   /* i386 contexts */
	CHECK(gc_arch_by_e_machine(0) == a);   /* unknown container */
	CHECK(gc_arch_by_e_machine(183) == NULL); /* EM_AARCH64: not yet */
	CHECK_EQ_U64(a->e_machine, 62);
	CHECK_EQ_U64(a->page_size, 4096);
	CHECK(a->page_sizes & (1ull << 21));
	CHECK_EQ_U64(a->reg_pc, GC_REG_RIP);
	CHECK_EQ_U64(a->reg_pgd, GC_REG_CR3);
	CHECK(a->canonical(0xffff888000000000ull, 4));
	CHECK(!a->canonical(0xff11000000000000ull, 4));
	CHECK(a->canonical(0xff11000000000000ull, 5));
	CHECK(!a->canonical(0x0000800000000000ull, 4));
	CHECK_EQ_U64(a->linux_layout.kernel_map, 0xffffffff80000000ull);
	CHECK_EQ_U64(a->linux_layout.default_text, 0xffffffff81000000ull);
	CHECK_EQ_U64(a->linux_layout.nr_direct_map, 2);
	CHECK_EQ_U64(a->linux_layout.direct_map[0].start,
		     0xffff880000000000ull);
	CHECK_EQ_U64(a->linux_layout.direct_map[1].levels, 5);
	struct gc_vcpu v;
	memset(&v, 0, sizeof(v));
	CHECK_EQ_U64(a->paging_levels(&v), 0);  /* CR4 unknown */
	gc_vcpu_set_reg(&v, GC_REG_CR4, 0x3506f0);
	CHECK_EQ_U64(a->paging_levels(&v), 4);
	gc_vcpu_set_reg(&v, GC_REG_CR4, 0x3506f0 | GC_X86_CR4_LA57);
	CHECK_EQ_U64(a->paging_levels(&v), 5);
}

TEST(prstatus_round_trip_and_bad_sizes)
{
	const struct gc_arch_ops *a = gc_arch_get(GC_ARCH_X86_64);
	struct gc_vcpu v, w;
	memset(&v, 0, sizeof(v));
	for (unsigned int r = 0; r < GC_REG_COUNT; r++)
		gc_vcpu_set_reg(&v, r, 0x1000ull * (r + 1) + r);
	v.has_pid = true;
	v.pid = 4242;
	uint8_t pr[336];
	a->prstatus_write(&v, pr);
	memset(&w, 0, sizeof(w));
	CHECK_OK(a->prstatus_read(pr, sizeof(pr), false, &w));
	CHECK_EQ_U64(w.pid, 4242);
	CHECK(w.has_pid && !w.is_32bit);
	/* Exactly the 27 user_regs_struct registers come back. */
	unsigned int back = 0;
	for (unsigned int r = 0; r < GC_REG_COUNT; r++) {
		uint64_t x;
		if (!gc_vcpu_get_reg(&w, r, &x))
			continue;
		back++;
		/* gs_base is the active one (no Xen flags: gs_base). */
		CHECK_EQ_U64(x, v.regs[r]);
	}
	CHECK_EQ_U64(back, 27);
	CHECK(!(w.valid & (1ull << GC_REG_CR3)));
	/* i386: 144 bytes, eip at 120, pid at 24. */
	uint8_t p32[144];
	memset(p32, 0, sizeof(p32));
	uint32_t eip = 0xc1000010, pid = 7;
	memcpy(p32 + 120, &eip, 4);
	memcpy(p32 + 24, &pid, 4);
	memset(&w, 0, sizeof(w));
	CHECK_OK(a->prstatus_read(p32, sizeof(p32), false, &w));
	CHECK(w.is_32bit);
	CHECK_EQ_U64(w.regs[GC_REG_RIP], 0xc1000010);
	CHECK_EQ_U64(w.pid, 7);
	/* Any other size is an error naming both layouts. */
	struct gc_error *e = a->prstatus_read(pr, 335, false, &w);
	CHECK(e);
	if (e) {
		CHECK_CONTAINS(gc_error_string(e), "335 bytes");
		CHECK_CONTAINS(gc_error_string(e), "x86_64 (336)");
		gc_error_free(e);
	}
}

TEST(qemu_note_round_trip)
{
	const struct gc_arch_ops *a = gc_arch_get(GC_ARCH_X86_64);
	struct gc_vcpu v, w;
	memset(&v, 0, sizeof(v));
	gc_vcpu_set_reg(&v, GC_REG_RIP, 0xffffffff81a592ebull);
	gc_vcpu_set_reg(&v, GC_REG_CS, 0x10);
	gc_vcpu_set_reg(&v, GC_REG_CR0, 0x80050033);
	gc_vcpu_set_reg(&v, GC_REG_CR4, 0x3706f0);
	gc_vcpu_set_reg(&v, GC_REG_GDT_BASE, 0xfffffe0000001000ull);
	gc_vcpu_set_reg(&v, GC_REG_GDT_LIMIT, 0x7f);
	gc_vcpu_set_reg(&v, GC_REG_GS_BASE_KERNEL, 0xffff88800f800000ull);
	uint8_t q[440];
	/* kernel mode, PCID 1 and the PTI bit in the given cr3 */
	CHECK(a->qemu_note_write(&v, 0x6a1f001, q));
	memset(&w, 0, sizeof(w));
	CHECK_OK(a->qemu_note_read(q, sizeof(q), false, false, &w));
	CHECK_EQ_U64(w.regs[GC_REG_RIP], 0xffffffff81a592ebull);
	CHECK_EQ_U64(w.regs[GC_REG_CR3], 0x6a1f001);
	CHECK_EQ_U64(w.regs[GC_REG_CR4], 0x3706f0);
	CHECK_EQ_U64(w.regs[GC_REG_GDT_BASE], 0xfffffe0000001000ull);
	CHECK_EQ_U64(w.regs[GC_REG_GDT_LIMIT], 0x7f);
	CHECK_EQ_U64(w.regs[GC_REG_GS_BASE_KERNEL], 0xffff88800f800000ull);
	/* CPL 0: bit 12 is part of the root, PCID is not. */
	CHECK_EQ_U64(w.pgd_addr, 0x6a1f000);
	CHECK_EQ_U64(w.pgd_space, GC_SPACE_PHYS);
	/* Too short for QEMUCPUState. */
	struct gc_error *e = a->qemu_note_read(q, 431, false, false, &w);
	CHECK(e);
	gc_error_free(e);
}

TEST(decode_cpu_state)
{
	uint8_t pr[336];
	memset(pr, 0, sizeof(pr));
	uint64_t rip = 0xffffffff81001234ull;
	memcpy(pr + 240, &rip, 8);
	struct gc_cpu_state st;
	memset(&st, 0, sizeof(st));
	st.e_machine = 62;
	st.prstatus = pr;
	st.prstatus_len = sizeof(pr);
	struct gc_vcpu v;
	memset(&v, 0, sizeof(v));
	CHECK_OK(gc_arch_decode_cpu(&st, &v));
	CHECK_EQ_U64(v.arch, GC_ARCH_X86_64);
	CHECK_STR(v.source, "NT_PRSTATUS");
	CHECK_EQ_U64(v.regs[GC_REG_RIP], rip);
	CHECK_EQ_U64(v.pgd_space, GC_SPACE_NONE);
	/* An ELF machine guestcore does not know. */
	st.e_machine = 183;
	memset(&v, 0, sizeof(v));
	struct gc_error *e = gc_arch_decode_cpu(&st, &v);
	CHECK(e);
	if (e) {
		CHECK_CONTAINS(gc_error_string(e), "ELF machine 183");
		CHECK_CONTAINS(gc_error_string(e), "not an architecture");
		gc_error_free(e);
	}
	/* A Xen PV x86_64 context: cr3 names a machine frame. */
	uint8_t *ctx = calloc(1, 5168);
	CHECK(ctx);
	if (!ctx)
		return;
	uint64_t cr3 = 0x137210000ull, flags = 1u << 5 | 1u << 2;
	memcpy(ctx + 5008, &cr3, 8);
	memcpy(ctx + 512, &flags, 8);
	memcpy(ctx + 520 + 128, &rip, 8);
	memset(&st, 0, sizeof(st));
	st.xen_ctx = ctx;
	st.xen_ctx_len = 5168;
	st.xen_pv = true;
	memset(&v, 0, sizeof(v));
	CHECK_OK(gc_arch_decode_cpu(&st, &v));
	free(ctx);
	CHECK_STR(v.source, "xen vcpu_guest_context");
	CHECK_EQ_U64(v.regs[GC_REG_RIP], rip);
	CHECK_EQ_U64(v.pgd_addr, 0x137210000ull);
	CHECK_EQ_U64(v.pgd_space, GC_SPACE_MACH);
	CHECK(v.has_xen_flags);
	CHECK_EQ_U64(v.xen_flags, flags);
}

/* The real Xen PV guest (ground truth: shared/dumps/xen-pv-idle). */
TEST(typed_facts_and_writer_hints_real_pv)
{
	const char *core = gc_test_real_dump("xen-pv-idle/xen-pv-idle.core");
	if (!core) {
		gc_test_skip("real xen-pv-idle dump absent");
		return;
	}
	struct gc_dump *d;
	CHECK_OK(gc_dump_open(core, NULL, &d));
	struct gc_kernel *k;
	CHECK_OK(gc_kernel_open(d, NULL, &k));
	uint64_t v;
	int64_t s;
	enum gc_space sp;
	CHECK(gc_kernel_fact_u64(k, "page_table", &v, &sp));
	CHECK_EQ_U64(v, 0x137210000ull);
	CHECK_EQ_U64(sp, GC_SPACE_MACH);
	const struct gc_kernel_fact *f = gc_kernel_fact_by_name(k, "page_table");
	CHECK(f && f->type == GC_FACT_ADDR &&
	      f->origin == GC_FACT_FROM_VMCOREINFO);
	CHECK(f && !strcmp(f->value, "machine 0x137210000"));
	CHECK(gc_kernel_fact_u64(k, "page_offset", &v, &sp));
	CHECK_EQ_U64(v, 0xffff888000000000ull);
	CHECK_EQ_U64(sp, GC_SPACE_KVIRT);
	CHECK(gc_kernel_fact_s64(k, "phys_base", &s));
	CHECK_EQ_U64((uint64_t)s, 0);
	CHECK(gc_kernel_fact_u64(k, "paging_levels", &v, NULL));
	CHECK_EQ_U64(v, 4);
	CHECK(!gc_kernel_fact_u64(k, "osrelease", &v, NULL)); /* text */
	f = gc_kernel_fact_by_name(k, "osrelease");
	CHECK(f && f->type == GC_FACT_TEXT &&
	      !strcmp(f->value, "6.1.0-56-amd64"));

	struct gc_convert_kernel ck;
	memset(&ck, 0, sizeof(ck));
	const char *used = NULL;
	CHECK_OK(gc_kernel_writer_hints(k, &ck, &used));
	CHECK(ck.has_page_offset);
	CHECK_EQ_U64(ck.page_offset, 0xffff888000000000ull);
	CHECK_EQ_U64(ck.nr_pgd_pfns, 1);
	if (ck.nr_pgd_pfns)
		CHECK_EQ_U64(ck.pgd_pfns[0], 0x2a10);
	CHECK(ck.has_phys_base && ck.phys_base == 0);
	CHECK(ck.vmcoreinfo && ck.vmcoreinfo_len > 1000);
	CHECK_EQ_U64(ck.nr_patches, 1);
	if (ck.nr_patches) {
		CHECK_EQ_U64(ck.patches[0].len, 8);
		CHECK_CONTAINS(ck.patches[0].what,
			       "was 0xffff888004a00000");
	}
	CHECK(used);
	if (used)
		CHECK_CONTAINS(used, "top-level table pfn 0x2a10, "
			       "phys_base 0x0");
	/* A caller's own PAGE_OFFSET is kept. */
	memset(&ck, 0, sizeof(ck));
	ck.has_page_offset = true;
	ck.page_offset = 0xffff880000000000ull;
	CHECK_OK(gc_kernel_writer_hints(k, &ck, NULL));
	CHECK_EQ_U64(ck.page_offset, 0xffff880000000000ull);
	gc_kernel_close(k);
	gc_dump_close(d);
}

TEST_MAIN()
