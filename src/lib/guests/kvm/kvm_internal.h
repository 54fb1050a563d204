// SPDX-License-Identifier: MIT
/*
 * The KVM structure walk (walk.c), kept apart from where its layouts and
 * memory come from: layout.c fills struct kvm_layout from the host's BTF,
 * the source (source.c) reads through the host kernel view, and the fuzz
 * target (tests/fuzz/fuzz_kvm.c) gives a fixed layout and a synthetic
 * memory image.
 */
#ifndef GC_GUESTS_KVM_INTERNAL_H
#define GC_GUESTS_KVM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guestcore/kvm.h"
#include "guestcore/types.h"

struct gc_vmcs_db;

/* Bounds on what hostile memory can make the walk do. */
#define KVM_MAX_VMS 4096
#define KVM_MAX_SLOTS 32768     /* KVM_MEM_SLOTS_NUM is 32767 */
#define KVM_MAX_VCPUS 4096
#define KVM_MAX_AS 2
#define KVM_RB_MAX_DEPTH 96
#define KVM_XA_MAX_DEPTH 12
#define KVM_CMDLINE_MAX 4096

/* Byte offsets (from the host's types).  HAS_* say optional parts were
 * found. */
struct kvm_layout {
	/* struct kvm */
	uint64_t kvm_vm_list, kvm_mm, kvm_memslots, kvm_vcpu_array,
		kvm_online_vcpus, kvm_userspace_pid, kvm_nr_memslot_pages;
	unsigned int nr_as;             /* elements of kvm.memslots[] */
	bool has_userspace_pid;
	bool has_nr_memslot_pages;      /* Linux >= 5.17 */
	/* struct kvm_memslots / kvm_memory_slot.  Linux >= 5.17: the gfn
	 * rb-tree; before (SLOTS_ARRAY): kvm_memslots.memslots[used_slots],
	 * struct kvm_memory_slot of SLOT_SIZE bytes each, sorted by base_gfn
	 * descending (id_to_index[] maps ids to it, not needed here). */
	bool slots_array;
	uint64_t ms_used_slots, ms_array, slot_size;
	uint64_t ms_gfn_tree, ms_node_idx;
	uint64_t slot_gfn_node, slot_base_gfn, slot_npages, slot_uaddr,
		slot_flags, slot_id, slot_as_id;
	uint64_t rb_size, rb_right, rb_left;
	/* struct xarray / xa_node (kvm.vcpu_array, Linux >= 5.17); before
	 * (VCPUS_PTRS): struct kvm_vcpu *kvm.vcpus[NR_VCPU_PTRS] */
	uint64_t xa_head, xa_node_shift, xa_node_slots;
	bool vcpus_ptrs;
	uint64_t kvm_vcpus;
	unsigned int nr_vcpu_ptrs;
	/* struct kvm_vcpu (arch = kvm_vcpu.arch + kvm_vcpu_arch.X) */
	uint64_t vcpu_id, vcpu_idx, vcpu_mode, vcpu_cpu, vcpu_pid;
	/* vcpu_rip: kvm_vcpu_arch.rip, where Linux 7.x keeps RIP (regs[]
	 * has only the 16 GPRs there, nr_regs 16); has_vcpu_rip says it
	 * exists, and walk.c reads it as regs[16] */
	uint64_t vcpu_rip;
	bool has_vcpu_rip;
	uint64_t vcpu_regs, vcpu_regs_avail, vcpu_regs_dirty, vcpu_cr0,
		vcpu_cr2, vcpu_cr3, vcpu_cr4, vcpu_efer, vcpu_mp_state;
	unsigned int nr_regs;           /* elements of arch.regs[] */
	/* struct pid: numbers[0].nr */
	uint64_t pid_nr;
	bool has_pid;
	/* the VMM: mm_struct, task_struct */
	uint64_t mm_pgd, mm_owner, mm_arg_start, mm_arg_end;
	bool has_owner, has_args;
	uint64_t task_pid, task_comm;
	/* vendor: vcpu_svm (vmcb pointer, current_vmcb->pa) */
	enum gc_kvm_vendor vendor;
	uint64_t svm_vmcb, svm_current_vmcb, vmcb_info_pa;
	bool has_vmcb_pa;
	/* neither struct vcpu_svm nor vcpu_vmx in the types (kvm_amd and
	 * kvm_intel have no BTF of their own before Linux 5.11): try the
	 * 4.x-5.12 vcpu_svm layout, vmcb and vmcb_pa right after struct
	 * kvm_vcpu (svm_vmcb = its size), vCPU by vCPU (walk.c) */
	bool svm_vmcb_probe;
	/* vendor: vcpu_vmx (container of kvm_vcpu at vmx_vcpu) ->
	 * loaded_vmcs -> vmcs (the current VMCS region, kernel virtual) */
	uint64_t vmx_vcpu, vmx_loaded_vmcs, loaded_vmcs_vmcs;
	bool has_vmx_vmcs;
	/* VMCS layouts to decode it with (the walker's caller owns it; NULL:
	 * only the general registers and KVM's control-register copies) */
	const struct gc_vmcs_db *vmcs_db;
	/* the VMM's VMAs: mm_struct.mm_mt (maple tree, Linux >= 6.1) */
	bool has_vma;
	uint64_t mm_mt_root;            /* mm_struct.mm_mt.ma_root */
	uint64_t mr64_pivot, mr64_slot, ma64_pivot, ma64_slot;
	uint64_t vma_start, vma_end, vma_flags, vma_file;
	/* the page cache of a VMA's file (pcache.c): vm_area_struct.vm_pgoff,
	 * file.f_mapping / f_inode / f_path.dentry, inode.i_sb,
	 * super_block.s_magic / s_fs_info, address_space.i_pages.xa_head,
	 * dentry.d_name.name, hugetlbfs_sb_info.hstate, hstate.order, struct
	 * page: its size, mapping, index, compound_order (of the first tail
	 * page: a large folio's order) */
	bool has_pcache, has_hugetlb_order, has_compound_order;
	uint64_t vma_pgoff, file_mapping, file_inode, file_dentry, inode_sb,
		sb_magic, sb_fs_info, as_xa_head, dentry_name, hsb_hstate,
		hstate_order, page_size, page_mapping, page_index,
		page_compound_order;
};

struct kvm_mem;

/* A VMA of the VMM (what decides whether an unmapped page reads zero). */
struct kvm_vma {
	uint64_t addr, start, end, flags, file;
};
#define KVM_VM_SHARED 0x8ull
#define KVM_MAPLE_MAX_DEPTH 16

/* The VMA of MM containing VA: *FOUND false when none (or the tree does
 * not answer consistently: the VMA found must contain VA). */
struct gc_error *kvm_vma_at(const struct kvm_layout *l,
			    const struct kvm_mem *m, uint64_t mm, uint64_t va,
			    struct kvm_vma *out, bool *found);

/* ---- the page cache of the VMM's shared and file mappings (pcache.c) ---- */

#define KVM_VM_HUGETLB 0x00400000ull
/* userfaultfd missing-page tracking (UFFDIO_REGISTER_MODE_MISSING, e.g.
 * QEMU on the destination of a postcopy migration): a page the VMA does
 * not have yet is supplied by the VMM when first touched, not zeroed by
 * the kernel (do_anonymous_page, shmem and hugetlb faults hand it to
 * handle_userfault) */
#define KVM_VM_UFFD_MISSING 0x00000200ull
#define KVM_TMPFS_MAGIC 0x01021994ull
#define KVM_HUGETLBFS_MAGIC 0x958458f6ull
#define KVM_PCACHE_MAX_PFN (1ull << 40)   /* 52-bit physical addresses */

enum kvm_pc_state {
	KVM_PC_PAGE,        /* in the page cache: PFN */
	KVM_PC_SWAPPED,     /* shmem: a swap entry (a value entry) */
	KVM_PC_HOLE,        /* shmem: no entry, the guest reads zero */
	KVM_PC_NOT_CACHED,  /* a regular file's page not in the page cache */
	KVM_PC_UFFD,        /* shmem/hugetlbfs: no page, and the VMA has
			       VM_UFFD_MISSING: the VMM would supply it */
};
enum kvm_pc_backing {
	KVM_PC_SHMEM, KVM_PC_MEMFD, KVM_PC_HUGETLBFS, KVM_PC_FILE,
	KVM_PC_NR_BACKING
};
/* How the kernel indexes a hugetlbfs file's page cache (pcache.c): in
 * huge pages (Linux < 6.7), in base pages (>= 6.7), or not known and not
 * needed (nothing at either index: a hole both ways). */
enum kvm_pc_hindex {
	KVM_PC_HIDX_NONE,   /* not hugetlbfs */
	KVM_PC_HIDX_HUGE,
	KVM_PC_HIDX_BASE,
	KVM_PC_HIDX_EITHER,
};
struct kvm_pc_page {
	enum kvm_pc_state state;
	enum kvm_pc_backing backing;
	enum kvm_pc_hindex hindex;
	uint64_t index;      /* the page-cache index looked up (hugetlbfs:
				in huge pages unless HINDEX is BASE) */
	uint64_t pfn;        /* KVM_PC_PAGE: the host frame holding VA */
	uint64_t len;        /* bytes from VA the answer covers (>= 1) */
};
const char *kvm_pc_backing_name(enum kvm_pc_backing b);

struct kvm_mem;
struct kvm_vma;
/* VA (in VMA, which has a vm_file) through the file's page cache:
 * vma->vm_file->f_mapping->i_pages at index vm_pgoff + (VA - vm_start) /
 * 4096 (hugetlbfs: in huge pages before Linux 6.7, in base pages with
 * multi-index entries from 6.7; the entries found say which, and an
 * answer that would depend on it when they do not is refused), the entry
 * a struct page pointer -> pfn through the vmemmap at VMEMMAP
 * (sizeof(struct page) from the layout; 0: unknown, refused).  The page
 * found must name the file's address_space and the index (page->mapping,
 * page->index): a damaged dump is an error naming the address and what
 * was expected, never a wrong page. */
struct gc_error *kvm_pcache_lookup(const struct kvm_layout *l,
				   const struct kvm_mem *m, uint64_t vmemmap,
				   const struct kvm_vma *vma, uint64_t va,
				   struct kvm_pc_page *out);

struct kvm_mem {
	void *ctx;
	/* kernel virtual */
	struct gc_error *(*read)(void *ctx, uint64_t va, void *buf,
				 size_t len);
	/* kernel virtual -> physical (may be NULL) */
	struct gc_error *(*vtop)(void *ctx, uint64_t va, uint64_t *pa);
	/* a user address through the page tables at PGD_PHYS (may be NULL) */
	struct gc_error *(*read_user)(void *ctx, uint64_t pgd_phys,
				      uint64_t va, void *buf, size_t len);
};

/* A little-endian u64 at kernel virtual VA through M. */
struct gc_error *kvm_rd64(const struct kvm_mem *m, uint64_t va, uint64_t *v);

struct gc_error *kvm_layout_from_types(const struct gc_types *t,
				       struct kvm_layout *l);
/* The Linux 6.1 x86_64 layout (Debian 6.1.0 kvm/kvm_amd), for the fuzz
 * target and unit tests. */
void kvm_layout_linux61_svm(struct kvm_layout *l);
/* The same with the layout of Linux < 5.17 for slots and vCPUs (arrays,
 * SLOTS_ARRAY and VCPUS_PTRS; offsets of tests/fuzz/kvm_image.py "array"
 * images, not of a real kernel build). */
void kvm_layout_pre517_synthetic(struct kvm_layout *l);

/* Walk vm_list at HEAD (a list_head). */
struct gc_error *kvm_walk(const struct kvm_layout *l,
			  const struct kvm_mem *m, uint64_t head,
			  struct gc_kvm_vm **out, size_t *nr);

/* The VMM's page tables as an xlat (VMM virtual -> host physical).
 * Targets at or above KVM_NOPTE are VMM virtual addresses with no
 * page-table entry (host-physical addresses stay below 2^52); at or above
 * KVM_ZERO, those whose VMA is anonymous and private: never touched (or
 * discarded), they read as zero, as they do for the guest. */
#define KVM_NOPTE (1ull << 62)
#define KVM_ZERO (3ull << 61)
/* Page-cache answers (pcache.c) for a VMA with a vm_file: at or above
 * KVM_PCACHE (below KVM_NOPTE) a host-physical address + KVM_PCACHE, the
 * page found in the file's page cache; NOPTE and ZERO targets carry a
 * kind in bits 60:57 (KVM_KIND_OF). */
#define KVM_PCACHE (1ull << 61)
#define KVM_VA_MASK ((1ull << 57) - 1)
#define KVM_KIND(k) ((uint64_t)(k) << 57)
#define KVM_KIND_OF(t) ((unsigned int)((t) >> 57) & 0xf)
enum {
	KVM_NOPTE_PLAIN = 0,      /* no entry, not anonymous private */
	KVM_NOPTE_SWAPPED = 1,    /* shmem: swapped out */
	KVM_NOPTE_NOT_CACHED = 2, /* a regular file's page not cached */
	KVM_NOPTE_PC_ERROR = 3,   /* the page cache could not be read */
	KVM_NOPTE_UFFD = 4,       /* no page yet, VM_UFFD_MISSING: the VMM
				     supplies it on first access */
	KVM_NOPTE_GMEM = 5,       /* a guest_memfd slot's page: not read */
	KVM_ZERO_ANON = 0,        /* anonymous private, never touched */
	KVM_ZERO_HOLE = 1,        /* shmem/memfd/hugetlbfs: no page yet */
};
struct gc_kernel;
struct gc_xlat;
struct gc_xlat_entry;
/* A memory slot backed by a guest_memfd (KVM_MEM_GUEST_MEMFD, Linux >=
 * 6.8): its private pages are in the guest_memfd, not behind
 * userspace_addr, and which are private (kvm.mem_attr_array) is not read.
 * Its table entries name the VMM address with KVM_SLOT_GMEM set, which the
 * VMM page-table xlat answers as KVM_NOPTE_GMEM gaps. */
#define KVM_MEM_GUEST_MEMFD 0x4u
#define KVM_SLOT_GMEM (1ull << 63)
/* VM's address-space-0 memory slots as xlat table entries (*OUT, *NR,
 * ascending: guest-physical -> VMM virtual, KVM_SLOT_GMEM added for a
 * guest_memfd slot), *LIMIT the end of the last; overlapping slots or
 * none are an error. */
struct gc_error *kvm_slots_table(const struct gc_kvm_vm *vm,
				 struct gc_xlat_entry **out, size_t *nr,
				 uint64_t *limit);
/* MEM (NULL: K's kernel reads) reads the VMAs and page caches; tests
 * give one that patches what they read. */
struct gc_error *kvm_vmm_xlat_new(struct gc_kernel *k, uint64_t pgd_phys,
				  uint64_t mm, const struct kvm_mem *mem,
				  struct gc_xlat **out);

/* The state KVM does not keep in struct kvm_vcpu, from vCPU C's VMCS
 * REGION (LEN bytes, C->regs_avail/regs_dirty and KVM's copies already
 * read): with a layout of DB under which the region is valid, rflags,
 * segment selectors, FS/GS base, GDTR/IDTR, RSP/RIP when KVM's copies
 * are not current, CR3 and the guest-owned CR0/CR4 bits when KVM's
 * caches are stale (VCPU_EXREG_CR0/CR3/CR4 not available), the EPTP.
 * Each register taken is a bit in C->regs_from_vmcs; without a usable
 * layout they stay unknown (never 0) and C->regs_note says so.  Out of
 * memory (or a layout check that cannot run) is an error. */
struct gc_error *kvm_vcpu_from_vmcs(struct gc_kvm_vcpu *c,
				    const uint8_t *region, size_t len,
				    const struct gc_vmcs_db *db);

/* AMD's VMCB: control area 0x000-0x3ff, state save area at 0x400
 * (AMD64 APM vol. 2, appendix B; Linux struct vmcb_save_area). */
#define VMCB_SIZE 0x1000u
#define VMCB_SAVE 0x400u

/* Bytes of VM's address-space-0 slots whose VMA is hugetlbfs
 * (VM_HUGETLB), and the dump-level line for them at LEVEL (NULL when
 * LEVEL keeps them or BYTES is 0; malloc'ed).  hugetlb.c. */
struct gc_error *kvm_hugetlb_bytes(const struct kvm_layout *l,
				   const struct kvm_mem *m,
				   const struct gc_kvm_vm *vm, uint64_t *bytes);
char *kvm_hugetlb_note(uint64_t level, uint64_t bytes);

#endif
