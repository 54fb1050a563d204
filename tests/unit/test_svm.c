// SPDX-License-Identifier: MIT
/*
 * The AMD fallback (src/lib/guests/svm/): the VMCB recogniser on a VMCB
 * laid out as KVM leaves it (the values of kvm-host-vmm's vCPU 0) and on
 * each invariant broken, the scan over a synthetic host memory, and NPT
 * walks with 4 KiB, 2 MiB and 1 GiB leaves, a KVM MMIO entry, reserved
 * bits and a not-present entry.  The real hosts are in
 * tests/cli/test_svm_scan.sh and test_kvm_host_linux.sh.
 */
#include <stdlib.h>
#include <string.h>

#include "guestcore/svm.h"
#include "guests/svm/svm_internal.h"
#include "harness.h"

#define PG 4096u
#define NPAGES 1024u  /* 4 MiB of host memory */

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

/* kvm-host-vmm's vCPU 0 VMCB (truth.json): long mode, flat segments */
static void make_vmcb(uint8_t *p, uint64_t ncr3)
{
	memset(p, 0, PG);
	put32(p, 0x00, 0x00ff00ff);
	put32(p, 0x0c, 0xbd4c8027);
	put32(p, 0x10, 0x6e4f);         /* VMRUN, VMMCALL, ... */
	put64(p, 0x40, 0x20000);        /* IOPM */
	put64(p, 0x48, 0x30000);        /* MSRPM */
	put32(p, 0x58, 6);              /* ASID */
	put64(p, 0x70, 0x60);
	put64(p, 0x90, 1);              /* NP_ENABLE */
	put64(p, 0xb0, ncr3);
	for (unsigned int s = 0; s < 6; s++) {
		put16(p, 0x400 + 16 * s, s == 1 ? 0x8 : 0x10);
		put16(p, 0x402 + 16 * s, s == 1 ? 0xa9b : 0xc93);
		put32(p, 0x404 + 16 * s, 0xffffffff);
	}
	put32(p, 0x464, 0x27);          /* GDTR limit */
	put64(p, 0x468, 0x500);
	put16(p, 0x490, 0x18);          /* TR: busy 64-bit TSS */
	put16(p, 0x492, 0x8b);
	put32(p, 0x494, 0x67);
	put64(p, 0x4d0, 0x1500);        /* EFER: SVME LMA LME */
	put64(p, 0x548, 0x660);         /* CR4 */
	put64(p, 0x550, 0x1000);        /* CR3 */
	put64(p, 0x558, 0x80050033);    /* CR0 */
	put64(p, 0x570, 0x2);           /* RFLAGS */
	put64(p, 0x578, 0x8070);        /* RIP */
	put64(p, 0x5d8, 0x9f00);        /* RSP */
	put64(p, 0x5f8, 0x1111111111111111ull);
	put64(p, 0x620, 0xffff888000000000ull); /* kernel_gs_base */
}

struct mem {
	uint8_t *p;
	size_t n;
};

static struct gc_error *rd(void *ctx, uint64_t pa, void *buf, size_t len)
{
	const struct mem *m = ctx;
	if (pa > m->n || len > m->n - pa)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_PHYS, pa,
				     "page", "outside the test memory");
	memcpy(buf, m->p + pa, len);
	return NULL;
}

static struct gc_error *runs(void *ctx, struct gc_frame_run **r, size_t *nr)
{
	const struct mem *m = ctx;
	*r = malloc(sizeof(**r));
	if (!*r)
		return &gc_error_nomem;
	(*r)->start = 0;
	(*r)->count = m->n / PG;
	*nr = 1;
	return NULL;
}

TEST(vmcb_recognised)
{
	uint8_t *p = malloc(PG);
	make_vmcb(p, 0x5000);
	struct gc_vmcb_hit h;
	gc_vmcb_check(p, PG, 0x1000, NPAGES * PG, &h);
	CHECK(h.valid);
	CHECK_STR(h.reason, "");
	CHECK_EQ_U64(h.st.rip, 0x8070);
	CHECK_EQ_U64(h.st.rsp, 0x9f00);
	CHECK_EQ_U64(h.st.rax, 0x1111111111111111ull);
	CHECK_EQ_U64(h.st.cr3, 0x1000);
	CHECK_EQ_U64(h.st.nested_cr3, 0x5000);
	CHECK_EQ_U64(h.st.asid, 6);
	CHECK_EQ_U64(h.st.cs_attrib, 0xa9b);
	gc_vmcb_check(p, 100, 0x1000, NPAGES * PG, &h);
	CHECK(!h.valid);
	free(p);
}

/* each invariant broken alone: rejected with its reason */
TEST(vmcb_invariants)
{
	static const struct {
		size_t off, width;
		uint64_t val;
		const char *reason;
	} bad[] = {
		{ 0x10, 4, 0x6e4e, "VMRUN intercept clear" },
		{ 0x58, 4, 0, "ASID 0" },
		{ 0x90, 8, 0, "nested paging off" },
		{ 0xb0, 8, 0x5008, "nested_cr3 not a page-aligned" },
		{ 0xb0, 8, NPAGES * PG, "nested_cr3 not a page-aligned" },
		{ 0x48, 8, 0x30010, "MSR permission map" },
		{ 0x4d0, 8, 0x500, "EFER.SVME clear" },
		{ 0x4d0, 8, 0x1502, "EFER reserved bits" },
		{ 0x558, 8, 0x180050033ull, "CR0 bits 63:32" },
		{ 0x558, 8, 0x20000033, "CR0.NW set without CR0.CD" },
		{ 0x558, 8, 0x80000000, "CR0.PG set without CR0.PE" },
		{ 0x550, 8, 0x0010000000001000ull, "CR3 bits 63:52" },
		{ 0x548, 8, 0x2660, "CR4 reserved" },
		{ 0x548, 8, 0x640, "long mode paging without CR4.PAE" },
		{ 0x412, 2, 0xe9b, "CS.L and CS.D" },
		{ 0x570, 8, 0x0, "RFLAGS bit 1" },
		{ 0x570, 8, 0x8002, "RFLAGS bit 1" },
		{ 0x432, 2, 0x1c93, "segment attribute bits 15:12" },
		{ 0x412, 2, 0x293, "CS present but not a code segment" },
		{ 0x492, 2, 0x9b, "TR present but not a TSS" },
		{ 0x4cb, 1, 4, "CPL above 3" },
	};
	uint8_t *p = malloc(PG);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_vmcb(p, 0x5000);
		if (bad[i].width == 8)
			put64(p, bad[i].off, bad[i].val);
		else if (bad[i].width == 4)
			put32(p, bad[i].off, (uint32_t)bad[i].val);
		else if (bad[i].width == 2)
			put16(p, bad[i].off, (uint16_t)bad[i].val);
		else
			p[bad[i].off] = (uint8_t)bad[i].val;
		struct gc_vmcb_hit h;
		gc_vmcb_check(p, PG, 0x1000, NPAGES * PG, &h);
		CHECK(!h.valid);
		CHECK_CONTAINS(h.reason, bad[i].reason);
	}
	/* real mode (CR0.PE clear, no paging): CS need not be a code
	 * segment descriptor, LME without PG is fine */
	make_vmcb(p, 0x5000);
	put64(p, 0x558, 0x10);
	put64(p, 0x4d0, 0x1000);
	put16(p, 0x412, 0x93);
	struct gc_vmcb_hit h;
	gc_vmcb_check(p, PG, 0x1000, NPAGES * PG, &h);
	CHECK(h.valid);
	free(p);
}

/*
 * Host memory: VMCBs at 0x1000 and 0x7000 (one VM, nested_cr3 0x2000), a
 * decoy at 0x8000 (VMRUN + ASID, EFER.SVME clear), a VMCB of another VM
 * at 0x9000 (nested_cr3 0xa000: empty tables).  NPT: PML4 0x2000 -> PDPT
 * 0x3000 -> PD 0x4000 -> PT 0x5000.
 *   gpa 0x0000 -> 4 KiB at 0x10000; 0x1000 not present;
 *   gpa 0x2000 -> KVM's MMIO marker (bit 51 set: beyond host memory)
 *   gpa 0x200000 -> 2 MiB at 0x200000
 *   gpa 0x400000 -> 2 MiB leaf with reserved address bit 13
 *   gpa 0x40000000 -> 1 GiB at 0
 */
static uint8_t *make_host(struct mem *m, struct gc_hostmem *hm)
{
	uint8_t *h = calloc(NPAGES, PG);
	make_vmcb(h + 0x1000, 0x2000);
	make_vmcb(h + 0x7000, 0x2000);
	put64(h + 0x7000, 0x578, 0x8082);
	make_vmcb(h + 0x8000, 0x2000);
	put64(h + 0x8000, 0x4d0, 0x500);
	make_vmcb(h + 0x9000, 0xa000);
	put64(h, 0x2000, 0x3000 | 7);
	put64(h, 0x3000, 0x4000 | 7);
	put64(h, 0x3008, 0x00000000 | 0x87);          /* 1 GiB */
	put64(h, 0x4000, 0x5000 | 7);
	put64(h, 0x4008, 0x200000 | 0x87);            /* 2 MiB */
	put64(h, 0x4010, 0x400000 | 0x2000 | 0x87);   /* reserved bit 13 */
	put64(h, 0x5000, 0x10000 | 7);
	put64(h, 0x5010, (1ull << 51) | 0x10000 | 7); /* MMIO marker */
	put64(h + 0x10000, 0, 0x1234);
	m->p = h;
	m->n = NPAGES * PG;
	*hm = (struct gc_hostmem){ .ctx = m, .read = rd, .runs = runs,
				   .page_size = PG, .max_paddr = NPAGES * PG };
	return h;
}

TEST(vmcb_scan)
{
	struct mem m;
	struct gc_hostmem hm;
	uint8_t *h = make_host(&m, &hm);
	struct gc_vmcb_scan s;
	CHECK_OK(gc_vmcb_scan(&hm, false, &s));
	CHECK_EQ_U64(s.frames_scanned, NPAGES);
	CHECK_EQ_U64(s.candidates, 4);
	CHECK_EQ_U64(s.nr_hits, 3);
	CHECK_EQ_U64(s.hits[0].paddr, 0x1000);
	CHECK_EQ_U64(s.hits[1].paddr, 0x7000);
	CHECK_EQ_U64(s.hits[1].st.rip, 0x8082);
	CHECK_EQ_U64(s.hits[2].paddr, 0x9000);
	gc_vmcb_scan_free(&s);
	CHECK_OK(gc_vmcb_scan(&hm, true, &s));
	CHECK_EQ_U64(s.nr_hits, 4);
	CHECK(!s.hits[2].valid);
	CHECK_CONTAINS(s.hits[2].reason, "EFER.SVME clear");
	gc_vmcb_scan_free(&s);
	free(h);
}

TEST(npt_walk)
{
	struct mem m;
	struct gc_hostmem hm;
	uint8_t *h = make_host(&m, &hm);
	struct gc_npt_walk w;
	CHECK_OK(gc_npt_translate(&hm, 0x2000, 4, 0x10, &w));
	CHECK_EQ_U64(w.hpa, 0x10010);
	CHECK_EQ_U64(w.page_size, 4096);
	CHECK_EQ_U64(w.depth, 4);
	CHECK_OK(gc_npt_translate(&hm, 0x2000, 4, 0x212345, &w));
	CHECK_EQ_U64(w.hpa, 0x212345);
	CHECK_EQ_U64(w.page_size, 2u << 20);
	CHECK_OK(gc_npt_translate(&hm, 0x2000, 4, 0x40012345, &w));
	CHECK_EQ_U64(w.hpa, 0x12345);
	CHECK_EQ_U64(w.page_size, 1u << 30);
	struct gc_error *e = gc_npt_translate(&hm, 0x2000, 4, 0x1000, &w);
	CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
	CHECK_CONTAINS(gc_error_string(e), "level 1 entry at 0x5008 not present");
	gc_error_free(e);
	e = gc_npt_translate(&hm, 0x2000, 4, 0x2000, &w);
	CHECK(e && gc_error_code(e) == GC_ERR_CORRUPT);
	CHECK_CONTAINS(gc_error_string(e), "beyond host memory");
	gc_error_free(e);
	e = gc_npt_translate(&hm, 0x2000, 4, 0x400000, &w);
	CHECK(e && gc_error_code(e) == GC_ERR_CORRUPT);
	CHECK_CONTAINS(gc_error_string(e), "reserved address bits");
	gc_error_free(e);
	e = gc_npt_translate(&hm, 0x2000, 3, 0, &w);
	CHECK(e && gc_error_code(e) == GC_ERR_INVALID_ARG);
	gc_error_free(e);
	e = gc_npt_translate(&hm, 0x2000, 4, 1ull << 48, &w);
	CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
	gc_error_free(e);

	/* the xlat: one run per leaf, holes as whole entries' spans */
	struct gc_xlat *x;
	CHECK_OK(gc_npt_xlat_new(&hm, 0x2000, 4, &x));
	struct gc_xlat_run r;
	CHECK_OK(gc_xlat_lookup(x, 0x10, &r));
	CHECK(r.status == GC_XLAT_MAPPED);
	CHECK_EQ_U64(r.target, 0x10010);
	CHECK_EQ_U64(r.len, 0x1000 - 0x10);
	CHECK_OK(gc_xlat_lookup(x, 0x1000, &r));
	CHECK(r.status == GC_XLAT_UNMAPPED);
	CHECK_STR(r.reason, "NPT PTE not present");
	CHECK_OK(gc_xlat_lookup(x, 0x2000, &r));
	CHECK(r.status == GC_XLAT_UNMAPPED);
	CHECK_CONTAINS(r.reason, "MMIO");
	CHECK_OK(gc_xlat_lookup(x, 0x300000, &r));
	CHECK(r.status == GC_XLAT_MAPPED);
	CHECK_EQ_U64(r.target, 0x300000);
	CHECK_EQ_U64(r.len, 0x100000);
	CHECK_OK(gc_xlat_lookup(x, 0x80000000, &r));
	CHECK(r.status == GC_XLAT_UNMAPPED);
	CHECK_EQ_U64(r.len, 1u << 30);
	CHECK_OK(gc_xlat_lookup(x, 1ull << 39, &r));
	CHECK(r.status == GC_XLAT_UNMAPPED);
	CHECK_STR(r.reason, "NPT PML4E not present");
	gc_xlat_free(x);
	e = gc_npt_xlat_new(&hm, 0x2008, 4, &x);
	CHECK(e && gc_error_code(e) == GC_ERR_CORRUPT);
	gc_error_free(e);
	e = gc_npt_xlat_new(&hm, NPAGES * PG, 4, &x);
	CHECK(e && gc_error_code(e) == GC_ERR_CORRUPT);
	gc_error_free(e);
	free(h);
}

TEST_MAIN()
