// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the walk of the host kernel's KVM structures
 * (src/lib/guests/kvm/walk.c) over a synthetic kernel memory image with
 * the Linux 6.1 layout and again with the layout of Linux < 5.17 (slot
 * and vCPU arrays, kvm_layout_pre517_synthetic, with the vendor's type
 * unknown so that the VMCB is probed; seeds "array*"): byte I
 * of the input is kernel virtual KBASE + I,
 * vm_list's head is at KBASE (seeds: tests/fuzz/kvm_image.py).  User
 * addresses (the VMM's command line) read the same bytes at their value.
 * Whatever the input, the walk must end with VMs or one error, and what
 * it returns must stay inside its bounds; the VMA lookup (maple tree) of
 * each slot's address must return a VMA containing it or none, and a file
 * VMA's page cache (pcache.c; seeds "pcache*") must answer within bounds
 * or with one error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guests/kvm/kvm_internal.h"

#define KBASE 0xffff888000000000ull

struct img {
	const uint8_t *p;
	size_t n;
};

static struct gc_error *rd(void *ctx, uint64_t va, void *buf, size_t len)
{
	const struct img *m = ctx;
	if (va < KBASE || va - KBASE > m->n || len > m->n - (va - KBASE))
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, va,
				     "image", "outside the input");
	memcpy(buf, m->p + (va - KBASE), len);
	return NULL;
}

static struct gc_error *vtop(void *ctx, uint64_t va, uint64_t *pa)
{
	const struct img *m = ctx;
	if (va < KBASE || va - KBASE >= m->n)
		return gc_error_addr(GC_ERR_TRANSLATION, GC_SPACE_KVIRT, va,
				     "image", "outside the input");
	*pa = va - KBASE;
	return NULL;
}

static struct gc_error *rd_user(void *ctx, uint64_t pgd, uint64_t va,
				void *buf, size_t len)
{
	const struct img *m = ctx;
	(void)pgd;
	if (va > m->n || len > m->n - va)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_NONE, va,
				     "user address", "outside the input");
	memcpy(buf, m->p + va, len);
	return NULL;
}

/* A file VMA: its page cache (pcache.c) for the first pages from VA; the
 * vmemmap of kvm_image.py.  Answers stay within their bounds. */
static void pcache(const struct kvm_layout *l, const struct kvm_mem *mem,
		   const struct kvm_vma *v, uint64_t va)
{
	for (unsigned int pg = 0; v->file && pg < 8 && va >= v->start &&
				  va < v->end; pg++, va += 4096) {
		struct kvm_pc_page pc;
		struct gc_error *e2 = kvm_pcache_lookup(l, mem,
							KBASE + 0x20000, v, va,
							&pc);
		if (!e2 && (pc.state > KVM_PC_UFFD ||
			    pc.backing >= KVM_PC_NR_BACKING ||
			    pc.hindex > KVM_PC_HIDX_EITHER ||
			    (pc.hindex != KVM_PC_HIDX_NONE) !=
				    (pc.backing == KVM_PC_HUGETLBFS) ||
			    pc.pfn >= KVM_PCACHE_MAX_PFN + (1u << 18) ||
			    !pc.len || pc.len > (1ull << 30) ||
			    (pc.state != KVM_PC_PAGE && pc.pfn)))
			abort();
		gc_error_free(e2);
	}
}

static void one(const uint8_t *data, size_t size, bool pre517)
{
	struct img m = { data, size };
	struct kvm_layout l;
	if (pre517) {
		/* and without struct vcpu_svm (kvm_amd of Linux < 5.11 has
		 * no BTF): the VMCB found by walk.c's probe */
		kvm_layout_pre517_synthetic(&l);
		l.vendor = GC_KVM_UNKNOWN;
		l.svm_vmcb_probe = true;
	} else
		kvm_layout_linux61_svm(&l);
	struct kvm_mem mem = { &m, rd, vtop, rd_user };
	struct gc_kvm_vm *vms;
	size_t nr;
	struct gc_error *err = kvm_walk(&l, &mem, KBASE, &vms, &nr);
	if (err) {
		gc_error_free(err);
		return;
	}
	if (nr > KVM_MAX_VMS)
		abort();
	for (size_t i = 0; i < nr; i++) {
		if (vms[i].nr_slots > (size_t)KVM_MAX_SLOTS * KVM_MAX_AS ||
		    vms[i].nr_vcpus > KVM_MAX_VCPUS || !vms[i].problems ||
		    strlen(vms[i].name) >= sizeof(vms[i].name))
			abort();
		for (size_t s = 0; s < vms[i].nr_slots; s++) {
			if (vms[i].slots[s].base_gfn + vms[i].slots[s].npages >
			    (1ull << 40) ||
			    vms[i].slots[s].userspace_addr +
					    (vms[i].slots[s].npages << 12) >
				    KVM_VA_MASK + 1)
				abort();
			/* the VMM's VMA of the slot (maple tree walk): what
			 * it returns must contain the address */
			struct kvm_vma v;
			bool found = false;
			uint64_t va = vms[i].slots[s].userspace_addr;
			err = kvm_vma_at(&l, &mem, vms[i].mm, va, &v, &found);
			gc_error_free(err);
			if (!err && found && (va < v.start || va >= v.end))
				abort();
			if (!err && found)
				pcache(&l, &mem, &v, va);
		}
		/* kvm_image.py's file and hugetlbfs VMAs */
		static const uint64_t more[] = { 0x7f2000000000ull,
						 0x7f3000000000ull };
		for (size_t j = 0; j < 2; j++) {
			struct kvm_vma v;
			bool found = false;
			err = kvm_vma_at(&l, &mem, vms[i].mm, more[j], &v,
					 &found);
			gc_error_free(err);
			if (!err && found)
				pcache(&l, &mem, &v, more[j]);
		}
	}
	gc_kvm_vms_free(vms, nr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, false);
	one(data, size, true);
	return 0;
}
