// SPDX-License-Identifier: MIT
/*
 * Guest RAM in hugetlbfs pages and the host's dump level (docs/kvm.md,
 * "Dump levels").  makedumpfile drops hugetlbfs pages with the same bit
 * as anonymous user pages: in __exclude_unnecessary_pages the "user
 * data" case (dump level bit 8, DL_EXCLUDE_USER_DATA) takes a page whose
 * mapping is anonymous or whose compound destructor is hugetlb's
 * (isHugetlb: NUMBER(HUGETLB_PAGE_DTOR) on Linux 6.1, free_huge_page
 * before).  Bit 16 (free pages) takes buddy pages only and never a
 * hugetlbfs page a guest uses.  So a slot whose VMA has VM_HUGETLB is
 * gone at any level with bit 8, kept at any level without.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "dump_internal.h"
#include "guestcore/kernel.h"
#include "kvm_internal.h"
#include "util/util.h"

#define VM_HUGETLB 0x00400000ull

struct gc_error *kvm_hugetlb_bytes(const struct kvm_layout *l,
				   const struct kvm_mem *m,
				   const struct gc_kvm_vm *vm, uint64_t *bytes)
{
	*bytes = 0;
	for (size_t i = 0; i < vm->nr_slots; i++) {
		const struct gc_kvm_slot *s = &vm->slots[i];
		if (s->as_id || !s->npages)
			continue;
		struct kvm_vma v;
		bool found = false;
		struct gc_error *err = kvm_vma_at(l, m, vm->mm,
						  s->userspace_addr, &v, &found);
		if (err)
			return gc_error_context(err, "slot %d's VMA", s->id);
		if (found && (v.flags & VM_HUGETLB))
			*bytes += s->npages << 12;
	}
	return NULL;
}

char *kvm_hugetlb_note(uint64_t level, uint64_t bytes)
{
	if (!(level & 8) || !bytes)
		return NULL;
	return gc_asprintf("host dump_level %" PRIu64 " excluded hugetlbfs "
			   "pages (makedumpfile -d bit 8 drops them with "
			   "anonymous user pages; bit 16 does not touch them): "
			   "the %" PRIu64 " MiB of guest RAM in hugetlbfs "
			   "slots are not in this dump; the KVM structures, "
			   "memory slots and vCPU registers survived; a level "
			   "without bit 8 (e.g. -d 17) keeps them", level,
			   bytes >> 20);
}

static struct gc_error *k_read(void *ctx, uint64_t va, void *buf, size_t len)
{
	return gc_kernel_read(ctx, va, buf, len);
}

char *gc_kvm_hugetlb_level_note(struct gc_kernel *k, const struct gc_kvm_vm *vm)
{
	const struct gc_field *f =
		gc_dump_field_by_name(gc_kernel_dump(k), "dump_level");
	if (!f || !f->has_number || !(f->number & 8))
		return NULL;
	const struct gc_types *t;
	struct kvm_layout l;
	struct gc_error *err = gc_kernel_types(k, &t);
	if (!err)
		err = kvm_layout_from_types(t, &l);
	uint64_t bytes = 0;
	struct kvm_mem m = { .ctx = k, .read = k_read };
	if (!err)
		err = kvm_hugetlb_bytes(&l, &m, vm, &bytes);
	if (err) {
		gc_error_free(err);
		return NULL;
	}
	return kvm_hugetlb_note(f->number, bytes);
}
