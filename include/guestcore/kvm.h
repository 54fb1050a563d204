/* SPDX-License-Identifier: MIT */
/*
 * KVM guests found through the host kernel's own KVM structures
 * (docs/kvm.md): vm_list -> struct kvm -> memory slots, the VMM process
 * and its page tables, the vCPUs with registers from kvm_vcpu.arch and
 * the VMCB (AMD SVM).  Layouts come from the host's BTF (kernel and the
 * kvm / kvm_amd / kvm_intel modules), never from guesses.
 *
 * gc_kvm_list() answers from the structures alone (no guest memory is
 * read); gc_guest_open("kvm", {.host, .kernel, .vm}) opens one VM as a
 * gc_guest for reading and extracting.
 */
#ifndef GUESTCORE_KVM_H
#define GUESTCORE_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dump.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#pragma GCC visibility push(default)

struct gc_kernel;

enum { GC_KVM_MEM_READONLY = 1u << 1 };  /* kvm_memory_slot.flags */

struct gc_kvm_slot {
	uint64_t addr;          /* struct kvm_memory_slot */
	unsigned int as_id;     /* address space: 0 normal, 1 SMM */
	int id;
	uint64_t base_gfn, npages;
	uint64_t userspace_addr; /* the VMM's virtual address of base_gfn */
	uint32_t flags;         /* KVM_MEM_LOG_DIRTY_PAGES 1, READONLY 2 */
};

enum gc_kvm_vendor { GC_KVM_UNKNOWN = 0, GC_KVM_SVM, GC_KVM_VMX };

struct gc_kvm_vcpu {
	uint64_t addr;          /* struct kvm_vcpu */
	int vcpu_id, vcpu_idx;
	int mode;               /* kvm_vcpu.mode: 1 = IN_GUEST_MODE */
	int cpu;                /* host CPU it last ran on */
	int mp_state;           /* KVM_MP_STATE_*: 0 runnable, 3 halted */
	uint32_t pid;           /* the vCPU thread (kvm_vcpu.pid), 0 unknown */
	uint32_t regs_avail, regs_dirty;
	uint64_t vmcb;          /* SVM: the current VMCB, kernel virtual */
	uint64_t vmcb_pa;       /* ... and physical (0 unknown) */
	uint64_t nested_cr3;    /* SVM: the VMCB's nested page table root */
	uint64_t exit_code;     /* SVM: the VMCB's last exit code */
	/* VMX: the current VMCS (vcpu_vmx.loaded_vmcs->vmcs), kernel
	 * virtual and physical (0 unknown), its revision id, the layout
	 * that decoded it ("" none usable), the EPT pointer read through it
	 * (0 unknown) and which registers (bit = enum gc_vcpu_reg) came
	 * from it */
	uint64_t vmcs, vmcs_pa;
	uint32_t vmcs_revision;
	char vmcs_layout[112];
	uint64_t eptp;
	uint64_t regs_from_vmcs;
	/* registers as the guest sees them; SOURCE says where from */
	struct gc_vcpu regs;
	const char *regs_note;  /* what was taken from where (static) */
};

struct gc_kvm_vm {
	uint64_t kvm;           /* struct kvm */
	enum gc_kvm_vendor vendor;
	uint32_t userspace_pid; /* kvm->userspace_pid */
	uint64_t mm;            /* the VMM's mm_struct */
	uint64_t pgd;           /* mm->pgd (kernel virtual) */
	uint64_t pgd_phys;      /* ... physical: the walk's root */
	uint32_t pid;           /* the VMM process (mm->owner; or userspace_pid) */
	char comm[17];          /* its comm ("" unknown) */
	char name[128];         /* QEMU's -name guest=NAME, "" when none */
	char *cmdline;          /* the VMM's command line, spaces between
				 * arguments (NULL when not readable) */
	uint64_t nr_memslot_pages;
	struct gc_kvm_slot *slots;
	size_t nr_slots;
	struct gc_kvm_vcpu *vcpus;
	unsigned int nr_vcpus;  /* online_vcpus read */
	uint64_t mem_bytes;     /* address space 0 slots, in bytes */
	char *problems;         /* what could not be read ("" none; malloc) */
};

/*
 * Intel: the VMCS field values KVM's own structures give for VM's vCPUs,
 * for gc_vmcs_infer: ENC[k] and VALS[r * N + k] (vCPU r; N the count
 * returned, at most MAX; VALS holds nr_vcpus * MAX).  GUEST_RIP/RSP when
 * KVM's copy is current (avail, not dirty), GUEST_CR3 when
 * VCPU_EXREG_CR3 is available, VMCS_LINK_POINTER = ~0, HOST_CR3 = the
 * VMM's page tables, HOST_RIP = HOST_RIP_VALUE (vmx_vmexit's address; 0
 * unknown).  A value 0 means unknown for that vCPU.  0 for an AMD VM.
 */
size_t gc_kvm_vmcs_known(const struct gc_kvm_vm *vm, uint64_t host_rip_value,
			 uint32_t *enc, uint64_t *vals, size_t max);

/*
 * Every VM on the host kernel K's vm_list (kvm module's symbol), with
 * slots, VMM process and vCPUs.  GC_ERR_NOT_PRESENT when kvm is not
 * loaded; a VM whose parts cannot be read is listed with PROBLEMS.
 */
struct gc_error *gc_kvm_list(struct gc_kernel *k, struct gc_kvm_vm **out,
			     size_t *nr);
void gc_kvm_vms_free(struct gc_kvm_vm *vms, size_t nr);

/* A host dump whose dump level filtered user pages (makedumpfile -d with
 * bit 8) has no guest RAM: one line naming the level, what survived and
 * the level that keeps guests (malloc'ed); NULL when that is not so. */
char *gc_kvm_dump_level_note(const struct gc_dump *host);

/* The same for VM's guest RAM in hugetlbfs slots (VMA VM_HUGETLB): one
 * line when the host's dump level has bit 8 (makedumpfile drops
 * hugetlbfs pages with anonymous user pages), naming the level, the MiB
 * lost and the level that keeps them; NULL otherwise (malloc'ed). */
char *gc_kvm_hugetlb_level_note(struct gc_kernel *k,
				const struct gc_kvm_vm *vm);

/* Findings about a KVM host for `check`: its VMs, a host CPU that was
 * executing a guest (its register note then holds the guest's
 * registers), structures that could not be read, a dump level without
 * guest RAM.  Nothing when kvm is not loaded. */
struct gc_report;
struct gc_error *gc_kvm_check(struct gc_kernel *k, struct gc_report *rep);

/* The VM a "kvm" guest was opened for (NULL for other sources). */
struct gc_guest;
const struct gc_kvm_vm *gc_kvm_guest_vm(const struct gc_guest *g);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
