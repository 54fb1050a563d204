// SPDX-License-Identifier: MIT
/*
 * Finding AMD VMCBs in host physical memory: the fallback for KVM hosts
 * whose own structures cannot be used (docs/kvm.md, "The VMCB scan").
 *
 * A page is a VMCB when it satisfies what VMRUN checks before it enters a
 * guest (AMD64 APM vol. 2, 15.5.1 "VMRUN": the "illegal guest state"
 * list) plus what KVM always sets: the VMRUN intercept, a non-zero ASID,
 * EFER.SVME, CR0/CR3/CR4/EFER/RFLAGS reserved bits clear, the long-mode
 * combinations, segment attributes in the VMCB's 12-bit packed form,
 * nested paging on with a page-aligned nested_cr3 inside host memory,
 * page-aligned I/O and MSR permission maps inside host memory.  Layout:
 * APM vol. 2 appendix B (control area at 0, state save area at 0x400).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/svm.h"
#include "util/util.h"
#include "util/vec.h"

#define PAGE 4096u
#define SAVE 0x400u
/* the control-area prefix the prefilter reads: up to nested_cr3 */
#define HEAD 0xb8u

#define CR0_PE (1ull << 0)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define EFER_LME (1ull << 8)
#define EFER_SVME (1ull << 12)
/* CR4 bits AMD defines (0-12, 16-18, 20-24); the others must be zero */
#define CR4_OK 0x1f71fffull
/* EFER: SCE, LME, LMA, NXE, SVME, LMSLE, FFXSR, TCE, MCOMMIT, INTWB,
 * UAIE, AIBRSE */
#define EFER_OK 0x36fd01ull
/* RFLAGS: bits 3, 5, 15 and 63:22 reserved (zero), bit 1 is one */
#define RFLAGS_RSVD (0xffffffffffc00000ull | (1u << 15) | (1u << 5) | \
		     (1u << 3))
#define ADDR_MBZ 0xfff0000000000000ull

static uint64_t g64(const uint8_t *p, size_t off)
{
	return gc_get64(p + off, false);
}

/* segment register N (es 0, cs 1, ss 2, ds 3, fs 4, gs 5, gdtr 6,
 * ldtr 7, idtr 8, tr 9): selector, attrib */
static uint16_t seg_attr(const uint8_t *p, unsigned int n)
{
	return gc_get16(p + SAVE + 16 * n + 2, false);
}

/* The control-area part of the check (what the prefilter reads). */
static const char *check_head(const uint8_t *p, uint64_t max_paddr,
			      struct gc_vmcb_state *s)
{
	s->intercept_misc2 = gc_get32(p + 0x10, false);
	s->iopm_pa = g64(p, 0x40);
	s->msrpm_pa = g64(p, 0x48);
	s->asid = gc_get32(p + 0x58, false);
	s->exit_code = g64(p, 0x70);
	s->nested_ctl = g64(p, 0x90);
	s->nested_cr3 = g64(p, 0xb0);
	if (!(s->intercept_misc2 & 1))
		return "VMRUN intercept clear (VMRUN refuses such a VMCB)";
	if (!s->asid)
		return "ASID 0 (the host's; VMRUN refuses it)";
	if (!(s->nested_ctl & 1))
		return "nested paging off (shadow paging: the VMCB does not "
		       "describe guest memory)";
	if (!s->nested_cr3 || (s->nested_cr3 & 0xfff) ||
	    (s->nested_cr3 & ADDR_MBZ) || s->nested_cr3 >= max_paddr)
		return "nested_cr3 not a page-aligned address inside host "
		       "memory";
	if ((s->iopm_pa & 0xfff) || (s->iopm_pa & ADDR_MBZ) ||
	    s->iopm_pa >= max_paddr || (s->msrpm_pa & 0xfff) ||
	    (s->msrpm_pa & ADDR_MBZ) || s->msrpm_pa >= max_paddr)
		return "I/O or MSR permission map not a page-aligned address "
		       "inside host memory";
	return NULL;
}

void gc_vmcb_check(const uint8_t *p, size_t len, uint64_t paddr,
		   uint64_t max_paddr, struct gc_vmcb_hit *hit)
{
	memset(hit, 0, sizeof(*hit));
	hit->paddr = paddr;
	hit->reason = "";
	if (!max_paddr)
		max_paddr = 1ull << 52;
	if (len < PAGE) {
		hit->reason = "shorter than a VMCB page";
		return;
	}
	struct gc_vmcb_state *s = &hit->st;
	const char *why = check_head(p, max_paddr, s);
	s->efer = g64(p, SAVE + 0xd0);
	s->cpl = p[SAVE + 0xcb];
	s->cr4 = g64(p, SAVE + 0x148);
	s->cr3 = g64(p, SAVE + 0x150);
	s->cr0 = g64(p, SAVE + 0x158);
	s->rflags = g64(p, SAVE + 0x170);
	s->rip = g64(p, SAVE + 0x178);
	s->rsp = g64(p, SAVE + 0x1d8);
	s->rax = g64(p, SAVE + 0x1f8);
	s->cr2 = g64(p, SAVE + 0x240);
	s->cs_sel = gc_get16(p + SAVE + 0x10, false);
	s->cs_attrib = seg_attr(p, 1);
	uint16_t cs = s->cs_attrib;
	if (why)
		;
	else if (!(s->efer & EFER_SVME))
		why = "EFER.SVME clear";
	else if (s->efer & ~EFER_OK)
		why = "EFER reserved bits set";
	else if (s->cr0 >> 32)
		why = "CR0 bits 63:32 set";
	else if (!(s->cr0 & CR0_CD) && (s->cr0 & CR0_NW))
		why = "CR0.NW set without CR0.CD";
	else if ((s->cr0 & CR0_PG) && !(s->cr0 & CR0_PE))
		why = "CR0.PG set without CR0.PE";
	else if (s->cr3 & ADDR_MBZ)
		why = "CR3 bits 63:52 set";
	else if (s->cr4 & ~CR4_OK)
		why = "CR4 reserved bits set";
	else if ((s->efer & EFER_LME) && (s->cr0 & CR0_PG) &&
		 !(s->cr4 & CR4_PAE))
		why = "long mode paging without CR4.PAE";
	else if ((s->efer & EFER_LME) && (s->cr0 & CR0_PG) &&
		 (cs & 0x200) && (cs & 0x400))
		why = "CS.L and CS.D both set in long mode";
	else if (!(s->rflags & 2) || (s->rflags & RFLAGS_RSVD))
		why = "RFLAGS bit 1 clear or reserved bits set";
	else if (s->cpl > 3)
		why = "CPL above 3";
	if (!why)
		for (unsigned int n = 0; n < 10; n++)
			if (seg_attr(p, n) & 0xf000) {
				why = "segment attribute bits 15:12 set (the "
				      "VMCB packs attributes into 12 bits)";
				break;
			}
	/* CS in protected mode, when present: a code segment (S=1, type
	 * bit 3); TR when present: a TSS (S=0, type 3/11 or 1/9) */
	if (!why && (s->cr0 & CR0_PE) && (cs & 0x80) &&
	    ((cs & 0x18) != 0x18))
		why = "CS present but not a code segment";
	uint16_t tr = seg_attr(p, 9);
	if (!why && (s->cr0 & CR0_PE) && (tr & 0x80) &&
	    ((tr & 0x10) || ((tr & 7) != 3 && (tr & 7) != 1)))
		why = "TR present but not a TSS";
	hit->valid = !why;
	if (why)
		hit->reason = why;
}

void gc_vmcb_scan_free(struct gc_vmcb_scan *s)
{
	if (!s)
		return;
	free(s->hits);
	memset(s, 0, sizeof(*s));
}

struct gc_error *gc_vmcb_scan(const struct gc_hostmem *mem, bool keep_rejected,
			      struct gc_vmcb_scan *out)
{
	memset(out, 0, sizeof(*out));
	struct gc_frame_run *runs = NULL;
	size_t nr = 0, cap = 0;
	uint8_t *page = malloc(PAGE);
	if (!page)
		return &gc_error_nomem;
	uint64_t max = mem->max_paddr ? mem->max_paddr : 1ull << 52;
	uint64_t ps = mem->page_size ? mem->page_size : PAGE;
	struct gc_error *err = mem->runs(mem->ctx, &runs, &nr);
	for (size_t i = 0; i < nr && !err; i++) {
		uint64_t start, end;
		if (!gc_mul_ok(runs[i].start, ps, &start) ||
		    !gc_mul_ok(runs[i].start + runs[i].count, ps, &end))
			break;
		start = (start + PAGE - 1) & ~(uint64_t)(PAGE - 1);
		for (uint64_t a = start; a + PAGE <= end && !err; a += PAGE) {
			out->frames_scanned++;
			struct gc_error *e = mem->read(mem->ctx, a, page, HEAD);
			if (e) {
				gc_error_free(e);
				out->read_errors++;
				continue;
			}
			/* the cheap part first: VMRUN intercept, ASID */
			if (!(gc_get32(page + 0x10, false) & 1) ||
			    !gc_get32(page + 0x58, false))
				continue;
			out->candidates++;
			e = mem->read(mem->ctx, a, page, PAGE);
			if (e) {
				gc_error_free(e);
				out->read_errors++;
				continue;
			}
			struct gc_vmcb_hit hit;
			gc_vmcb_check(page, PAGE, a, max, &hit);
			if (!hit.valid && !keep_rejected)
				continue;
			if (!gc_vec_push(&out->hits, &out->nr_hits, &cap,
					 &hit))
				err = &gc_error_nomem;
		}
	}
	free(runs);
	free(page);
	if (err)
		gc_vmcb_scan_free(out);
	return err;
}

/* ---- grouping into VMs ---------------------------------------------------- */

void gc_svm_guest_groups_free(struct gc_svm_guest_group *g, size_t nr)
{
	for (size_t i = 0; g && i < nr; i++)
		free(g[i].vmcb);
	free(g);
}

struct gc_error *gc_svm_find_guests(struct gc_dump *host,
				    struct gc_svm_guest_group **out,
				    size_t *nr)
{
	*out = NULL;
	*nr = 0;
	struct gc_hostmem mem;
	struct gc_error *err = gc_hostmem_dump(host, &mem);
	if (err)
		return err;
	struct gc_vmcb_scan s;
	if ((err = gc_vmcb_scan(&mem, false, &s)))
		return err;
	struct gc_svm_guest_group *g = NULL;
	size_t n = 0, cap = 0;
	/* hits are in ascending address order; a group keeps that order */
	for (size_t i = 0; i < s.nr_hits && !err; i++) {
		uint64_t ncr3 = s.hits[i].st.nested_cr3;
		size_t k = 0;
		while (k < n && g[k].nested_cr3 != ncr3)
			k++;
		if (k == n) {
			struct gc_svm_guest_group ng = { .nested_cr3 = ncr3 };
			if (!gc_vec_push(&g, &n, &cap, &ng)) {
				err = &gc_error_nomem;
				break;
			}
			size_t c = 0;
			for (size_t j = i; j < s.nr_hits; j++)
				c += s.hits[j].st.nested_cr3 == ncr3;
			g[k].vmcb = malloc(c * sizeof(uint64_t));
			if (!g[k].vmcb) {
				err = &gc_error_nomem;
				break;
			}
		}
		g[k].vmcb[g[k].nr_vmcb++] = s.hits[i].paddr;
	}
	gc_vmcb_scan_free(&s);
	if (err) {
		gc_svm_guest_groups_free(g, n);
		return err;
	}
	*out = g;
	*nr = n;
	return NULL;
}
