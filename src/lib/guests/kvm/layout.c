// SPDX-License-Identifier: MIT
/*
 * The KVM structure layouts from the host's types: the kernel BTF and the
 * kvm / kvm_amd module BTF (kernel/btf_find.c).  Whatever a required
 * member lacks is an error naming it; optional ones (the VMM's task, its
 * command line, the vCPU thread) only clear their HAS_ flag.
 */
#include <string.h>

#include "guests/kvm/kvm_internal.h"

struct want {
	const char *type, *path;
	uint64_t *out;
};

static struct gc_error *offsets(const struct gc_types *t,
				const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct gc_error *err = gc_types_offsetof(t, w[i].type,
							 w[i].path, w[i].out,
							 NULL);
		if (err)
			return gc_error_context(err, "KVM layout: %s.%s",
						w[i].type, w[i].path);
	}
	return NULL;
}

static bool opt_offsets(const struct gc_types *t, const struct want *w,
			size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct gc_error *err = gc_types_offsetof(t, w[i].type,
							 w[i].path, w[i].out,
							 NULL);
		if (err) {
			gc_error_free(err);
			return false;
		}
	}
	return true;
}

/* Elements of the array member TYPE.PATH of element size ELEM. */
static struct gc_error *array_len(const struct gc_types *t, const char *type,
				  const char *path, uint64_t elem,
				  unsigned int *out)
{
	struct gc_member m;
	uint64_t sz;
	struct gc_error *err = gc_types_member(t, type, path, &m, NULL);
	if (!err)
		err = gc_type_sizeof(m.type, &sz);
	if (err)
		return gc_error_context(err, "KVM layout: %s.%s", type, path);
	*out = (unsigned int)(sz / elem);
	return NULL;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Memory slots: the gfn rb-tree of Linux >= 5.17, else the array of
 * Linux 3.x-5.16 (struct kvm_memslots { u64 generation; short
 * id_to_index[]; atomic_t lru_slot / last_used_slot; int used_slots;
 * struct kvm_memory_slot memslots[]; }). */
static struct gc_error *slots_layout(const struct gc_types *t,
				     struct kvm_layout *l)
{
	const struct want tree[] = {
		{ "struct kvm_memslots", "gfn_tree", &l->ms_gfn_tree },
		{ "struct kvm_memslots", "node_idx", &l->ms_node_idx },
		{ "struct kvm_memory_slot", "gfn_node", &l->slot_gfn_node },
		{ "struct rb_node", "rb_right", &l->rb_right },
		{ "struct rb_node", "rb_left", &l->rb_left },
	};
	if (opt_offsets(t, tree, N(tree))) {
		uint64_t rbsz;
		struct gc_error *err = gc_types_sizeof(t, "struct rb_node",
						       &rbsz, NULL);
		if (err)
			return gc_error_context(err, "KVM layout");
		l->rb_size = rbsz;
		return NULL;
	}
	const struct want arr[] = {
		{ "struct kvm_memslots", "used_slots", &l->ms_used_slots },
		{ "struct kvm_memslots", "memslots", &l->ms_array },
	};
	if (!opt_offsets(t, arr, N(arr)))
		return gc_error_new(GC_ERR_UNSUPPORTED, "KVM layout",
				    "struct kvm_memslots has neither gfn_tree "
				    "and node_idx (Linux >= 5.17) nor "
				    "used_slots and memslots[] (before)");
	uint64_t sz;
	struct gc_error *err = gc_types_sizeof(t, "struct kvm_memory_slot",
					       &sz, NULL);
	if (err)
		return gc_error_context(err, "KVM layout");
	if (sz < 8 || sz > 4096)
		return gc_error_new(GC_ERR_CORRUPT, "KVM layout",
				    "struct kvm_memory_slot of %llu bytes",
				    (unsigned long long)sz);
	l->slots_array = true;
	l->slot_size = sz;
	return NULL;
}

/* vCPUs: the xarray kvm.vcpu_array of Linux >= 5.17, else the pointer
 * array kvm.vcpus[KVM_MAX_VCPUS]. */
static struct gc_error *vcpus_layout(const struct gc_types *t,
				     struct kvm_layout *l)
{
	const struct want xa[] = {
		{ "struct kvm", "vcpu_array", &l->kvm_vcpu_array },
		{ "struct xarray", "xa_head", &l->xa_head },
		{ "struct xa_node", "shift", &l->xa_node_shift },
		{ "struct xa_node", "slots", &l->xa_node_slots },
	};
	if (opt_offsets(t, xa, N(xa)))
		return NULL;
	const struct want arr[] = {
		{ "struct kvm", "vcpus", &l->kvm_vcpus },
	};
	if (!opt_offsets(t, arr, 1))
		return gc_error_new(GC_ERR_UNSUPPORTED, "KVM layout",
				    "struct kvm has neither vcpu_array "
				    "(Linux >= 5.17) nor vcpus[] (before)");
	struct gc_error *err = array_len(t, "struct kvm", "vcpus", 8,
					 &l->nr_vcpu_ptrs);
	if (err)
		return err;
	if (l->nr_vcpu_ptrs > KVM_MAX_VCPUS)
		l->nr_vcpu_ptrs = KVM_MAX_VCPUS;
	l->vcpus_ptrs = true;
	return NULL;
}

struct gc_error *kvm_layout_from_types(const struct gc_types *t,
				       struct kvm_layout *l)
{
	memset(l, 0, sizeof(*l));
	uint64_t arch = 0;
	const struct want req[] = {
		{ "struct kvm", "vm_list", &l->kvm_vm_list },
		{ "struct kvm", "mm", &l->kvm_mm },
		{ "struct kvm", "memslots", &l->kvm_memslots },
		{ "struct kvm", "online_vcpus", &l->kvm_online_vcpus },
		{ "struct kvm_memory_slot", "base_gfn", &l->slot_base_gfn },
		{ "struct kvm_memory_slot", "npages", &l->slot_npages },
		{ "struct kvm_memory_slot", "userspace_addr", &l->slot_uaddr },
		{ "struct kvm_memory_slot", "flags", &l->slot_flags },
		{ "struct kvm_memory_slot", "id", &l->slot_id },
		{ "struct kvm_vcpu", "vcpu_id", &l->vcpu_id },
		{ "struct kvm_vcpu", "vcpu_idx", &l->vcpu_idx },
		{ "struct kvm_vcpu", "mode", &l->vcpu_mode },
		{ "struct kvm_vcpu", "cpu", &l->vcpu_cpu },
		{ "struct kvm_vcpu", "arch", &arch },
		{ "struct kvm_vcpu_arch", "regs", &l->vcpu_regs },
		{ "struct kvm_vcpu_arch", "regs_avail", &l->vcpu_regs_avail },
		{ "struct kvm_vcpu_arch", "regs_dirty", &l->vcpu_regs_dirty },
		{ "struct kvm_vcpu_arch", "cr0", &l->vcpu_cr0 },
		{ "struct kvm_vcpu_arch", "cr2", &l->vcpu_cr2 },
		{ "struct kvm_vcpu_arch", "cr3", &l->vcpu_cr3 },
		{ "struct kvm_vcpu_arch", "cr4", &l->vcpu_cr4 },
		{ "struct kvm_vcpu_arch", "efer", &l->vcpu_efer },
		{ "struct kvm_vcpu_arch", "mp_state", &l->vcpu_mp_state },
		{ "struct mm_struct", "pgd", &l->mm_pgd },
		{ "struct task_struct", "pid", &l->task_pid },
		{ "struct task_struct", "comm", &l->task_comm },
	};
	struct gc_error *err = offsets(t, req, N(req));
	if (err)
		return err;
	l->vcpu_regs += arch;
	l->vcpu_regs_avail += arch;
	l->vcpu_regs_dirty += arch;
	l->vcpu_cr0 += arch;
	l->vcpu_cr2 += arch;
	l->vcpu_cr3 += arch;
	l->vcpu_cr4 += arch;
	l->vcpu_efer += arch;
	l->vcpu_mp_state += arch;
	if ((err = slots_layout(t, l)) || (err = vcpus_layout(t, l)))
		return err;
	const struct want nmp[] = {
		{ "struct kvm", "nr_memslot_pages", &l->kvm_nr_memslot_pages },
	};
	l->has_nr_memslot_pages = opt_offsets(t, nmp, 1);
	const struct want asid[] = {
		{ "struct kvm_memory_slot", "as_id", &l->slot_as_id },
	};
	opt_offsets(t, asid, 1);
	if ((err = array_len(t, "struct kvm", "memslots", 8, &l->nr_as)) ||
	    (err = array_len(t, "struct kvm_vcpu_arch", "regs", 8,
			     &l->nr_regs)))
		return err;
	if (l->nr_as < 1 || l->nr_as > KVM_MAX_AS)
		l->nr_as = l->nr_as < 1 ? 1 : KVM_MAX_AS;
	if (l->nr_regs > 17)
		l->nr_regs = 17;
	/* Linux 7.x: regs[] holds the 16 GPRs and RIP has its own member
	 * (still bit VCPU_REGS_RIP, 16, of regs_avail/regs_dirty) */
	const struct want rip[] = {
		{ "struct kvm_vcpu_arch", "rip", &l->vcpu_rip },
	};
	l->has_vcpu_rip = l->nr_regs == 16 && opt_offsets(t, rip, 1);
	if (l->has_vcpu_rip)
		l->vcpu_rip += arch;
	const struct want upid[] = {
		{ "struct kvm", "userspace_pid", &l->kvm_userspace_pid },
	};
	l->has_userspace_pid = opt_offsets(t, upid, 1);
	uint64_t numbers = 0, nr = 0;
	const struct want pidw[] = {
		{ "struct kvm_vcpu", "pid", &l->vcpu_pid },
		{ "struct pid", "numbers", &numbers },
		{ "struct upid", "nr", &nr },
	};
	l->has_pid = opt_offsets(t, pidw, N(pidw));
	l->pid_nr = numbers + nr;
	const struct want own[] = {
		{ "struct mm_struct", "owner", &l->mm_owner },
	};
	l->has_owner = opt_offsets(t, own, 1);
	const struct want args[] = {
		{ "struct mm_struct", "arg_start", &l->mm_arg_start },
		{ "struct mm_struct", "arg_end", &l->mm_arg_end },
	};
	l->has_args = opt_offsets(t, args, N(args));
	const struct want vma[] = {
		{ "struct mm_struct", "mm_mt", &l->mm_mt_root },
		{ "struct maple_range_64", "pivot", &l->mr64_pivot },
		{ "struct maple_range_64", "slot", &l->mr64_slot },
		{ "struct maple_arange_64", "pivot", &l->ma64_pivot },
		{ "struct maple_arange_64", "slot", &l->ma64_slot },
		{ "struct vm_area_struct", "vm_start", &l->vma_start },
		{ "struct vm_area_struct", "vm_end", &l->vma_end },
		{ "struct vm_area_struct", "vm_flags", &l->vma_flags },
		{ "struct vm_area_struct", "vm_file", &l->vma_file },
	};
	uint64_t ma_root = 0;
	const struct want root[] = {
		{ "struct maple_tree", "ma_root", &ma_root },
	};
	l->has_vma = opt_offsets(t, vma, N(vma)) && opt_offsets(t, root, 1);
	l->mm_mt_root += ma_root;
	/* the page cache of shared and file VMAs (pcache.c) */
	uint64_t xa_head = 0, qname = 0;
	const struct want pc[] = {
		{ "struct vm_area_struct", "vm_pgoff", &l->vma_pgoff },
		{ "struct file", "f_mapping", &l->file_mapping },
		{ "struct file", "f_inode", &l->file_inode },
		{ "struct file", "f_path.dentry", &l->file_dentry },
		{ "struct inode", "i_sb", &l->inode_sb },
		{ "struct super_block", "s_magic", &l->sb_magic },
		{ "struct super_block", "s_fs_info", &l->sb_fs_info },
		{ "struct address_space", "i_pages", &l->as_xa_head },
		{ "struct xarray", "xa_head", &xa_head },
		{ "struct dentry", "d_name", &l->dentry_name },
		{ "struct qstr", "name", &qname },
		{ "struct page", "mapping", &l->page_mapping },
		{ "struct page", "index", &l->page_index },
	};
	l->has_pcache = l->has_vma && opt_offsets(t, pc, N(pc));
	l->as_xa_head += xa_head;
	l->dentry_name += qname;
	if (l->has_pcache) {
		struct gc_error *e2 = gc_types_sizeof(t, "struct page",
						      &l->page_size, NULL);
		if (e2 || l->page_size < 40 || l->page_size > 4096)
			l->has_pcache = false;
		gc_error_free(e2);
	}
	const struct want ho[] = {
		{ "struct hugetlbfs_sb_info", "hstate", &l->hsb_hstate },
		{ "struct hstate", "order", &l->hstate_order },
	};
	l->has_hugetlb_order = opt_offsets(t, ho, N(ho));
	const struct want co[] = {
		{ "struct page", "compound_order", &l->page_compound_order },
	};
	l->has_compound_order = opt_offsets(t, co, 1);
	const struct want svm[] = {
		{ "struct vcpu_svm", "vmcb", &l->svm_vmcb },
	};
	if (opt_offsets(t, svm, 1)) {
		l->vendor = GC_KVM_SVM;
		const struct want pa[] = {
			{ "struct vcpu_svm", "current_vmcb",
			  &l->svm_current_vmcb },
			{ "struct kvm_vmcb_info", "pa", &l->vmcb_info_pa },
		};
		l->has_vmcb_pa = opt_offsets(t, pa, N(pa));
	} else {
		struct gc_type ty;
		err = gc_types_find(t, "struct vcpu_vmx", &ty, NULL);
		if (!err) {
			l->vendor = GC_KVM_VMX;
			const struct want vmx[] = {
				{ "struct vcpu_vmx", "vcpu", &l->vmx_vcpu },
				{ "struct vcpu_vmx", "loaded_vmcs",
				  &l->vmx_loaded_vmcs },
				{ "struct loaded_vmcs", "vmcs",
				  &l->loaded_vmcs_vmcs },
			};
			l->has_vmx_vmcs = opt_offsets(t, vmx, N(vmx));
		}
		gc_error_free(err);
	}
	uint64_t vsz;
	if (l->vendor == GC_KVM_UNKNOWN &&
	    !(err = gc_types_sizeof(t, "struct kvm_vcpu", &vsz, NULL)) &&
	    vsz >= 64 && vsz < (1u << 20)) {
		l->svm_vmcb = (vsz + 7) & ~7ull;
		l->svm_vmcb_probe = true;
	}
	gc_error_free(err);
	return NULL;
}

void kvm_layout_linux61_svm(struct kvm_layout *l)
{
	/* Debian 6.1.0-56-amd64, from its BTF (guestcore struct). */
	memset(l, 0, sizeof(*l));
	l->kvm_vm_list = 4472;
	l->kvm_mm = 72;
	l->kvm_memslots = 4376;
	l->kvm_vcpu_array = 4392;
	l->kvm_online_vcpus = 4456;
	l->kvm_userspace_pid = 40408;
	l->has_userspace_pid = true;
	l->kvm_nr_memslot_pages = 80;
	l->has_nr_memslot_pages = true;
	l->nr_as = 2;
	l->ms_gfn_tree = 32;
	l->ms_node_idx = 1064;
	l->slot_gfn_node = 128;
	l->slot_base_gfn = 176;
	l->slot_npages = 184;
	l->slot_uaddr = 248;
	l->slot_flags = 256;
	l->slot_id = 260;
	l->slot_as_id = 262;
	l->rb_size = 24;
	l->rb_right = 8;
	l->rb_left = 16;
	l->xa_head = 8;
	l->xa_node_shift = 0;
	l->xa_node_slots = 40;
	l->vcpu_id = 36;
	l->vcpu_idx = 40;
	l->vcpu_mode = 48;
	l->vcpu_cpu = 32;
	l->vcpu_pid = 120;
	l->vcpu_regs = 296;
	l->vcpu_regs_avail = 296 + 136;
	l->vcpu_regs_dirty = 296 + 140;
	l->vcpu_cr0 = 296 + 144;
	l->vcpu_cr2 = 296 + 160;
	l->vcpu_cr3 = 296 + 168;
	l->vcpu_cr4 = 296 + 176;
	l->vcpu_efer = 296 + 224;
	l->vcpu_mp_state = 296 + 308;
	l->nr_regs = 17;
	l->pid_nr = 96;
	l->has_pid = true;
	l->mm_pgd = 72;
	l->mm_owner = 928;
	l->has_owner = true;
	l->mm_arg_start = 312;
	l->mm_arg_end = 320;
	l->has_args = true;
	l->task_pid = 2416;
	l->task_comm = 2976;
	l->vendor = GC_KVM_SVM;
	l->svm_vmcb = 6552;
	l->svm_current_vmcb = 6592;
	l->vmcb_info_pa = 8;
	l->has_vmcb_pa = true;
	l->has_vma = true;
	l->mm_mt_root = 8;
	l->mr64_pivot = 8;
	l->mr64_slot = 128;
	l->ma64_pivot = 8;
	l->ma64_slot = 80;
	l->vma_start = 0;
	l->vma_end = 8;
	l->vma_flags = 32;
	l->vma_file = 112;
	l->has_pcache = l->has_hugetlb_order = l->has_compound_order = true;
	l->vma_pgoff = 104;
	l->file_mapping = 216;
	l->file_inode = 32;
	l->file_dentry = 24;
	l->inode_sb = 40;
	l->sb_magic = 96;
	l->sb_fs_info = 920;
	l->as_xa_head = 16;
	l->dentry_name = 40;
	l->hsb_hstate = 24;
	l->hstate_order = 40;
	l->page_size = 64;
	l->page_mapping = 24;
	l->page_index = 32;
	l->page_compound_order = 17;
}

void kvm_layout_pre517_synthetic(struct kvm_layout *l)
{
	kvm_layout_linux61_svm(l);
	/* kvm_memslots: u64 generation; short id_to_index[512]; atomic_t
	 * last_used_slot; int used_slots (1032); kvm_memory_slot
	 * memslots[] (1040), 64 bytes each in the image */
	l->slots_array = true;
	l->ms_used_slots = 1032;
	l->ms_array = 1040;
	l->slot_size = 64;
	l->slot_base_gfn = 0;
	l->slot_npages = 8;
	l->slot_uaddr = 40;
	l->slot_flags = 48;
	l->slot_id = 52;
	l->slot_as_id = 54;
	/* struct kvm_vcpu *vcpus[288] at 8192 (vcpu_array unused) */
	l->vcpus_ptrs = true;
	l->kvm_vcpus = 8192;
	l->nr_vcpu_ptrs = 288;
	l->has_nr_memslot_pages = false;
}
