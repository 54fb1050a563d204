/* SPDX-License-Identifier: MIT */
/*
 * AMD SVM guests found by scanning a host dump (docs/kvm.md, "The VMCB
 * scan"): the fallback for hosts whose KVM structures cannot be used (no
 * BTF, kvm.ko's symbols missing, vm_list damaged).  A VMCB page is
 * recognised by invariants VMRUN itself enforces (AMD64 APM vol. 2,
 * appendix B and 15.5.1); the guest's memory is the nested page table
 * (NPT) rooted at the VMCB's nested_cr3, in the host's own page-table
 * format (4 or 5 levels; 4 KiB, 2 MiB, 1 GiB leaves).
 *
 * A VMCB holds RIP, RSP, RAX, RFLAGS, control registers, EFER, segments,
 * GDTR/IDTR and the syscall MSRs; KVM keeps the other general registers
 * (rbx, rcx, rdx, rsi, rdi, rbp, r8-r15) in vcpu->arch.regs, so a guest
 * found by the scan has them unknown, and says so.
 */
#ifndef GUESTCORE_SVM_H
#define GUESTCORE_SVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dump.h"
#include "error.h"
#include "vmx.h"

#ifdef __cplusplus
extern "C" {
#endif

#pragma GCC visibility push(default)

/* What one VMCB says (offsets: AMD64 APM vol. 2, table B-1 and B-2). */
struct gc_vmcb_state {
	uint32_t intercept_misc2;   /* 0x010: bit 0 VMRUN */
	uint32_t asid;              /* 0x058 */
	uint64_t iopm_pa, msrpm_pa; /* 0x040, 0x048 */
	uint64_t nested_ctl;        /* 0x090: bit 0 NP_ENABLE */
	uint64_t nested_cr3;        /* 0x0b0 */
	uint64_t exit_code;         /* 0x070 */
	uint64_t rip, rsp, rax, rflags;
	uint64_t cr0, cr2, cr3, cr4, efer;
	unsigned int cpl;
	uint16_t cs_sel, cs_attrib;
};

struct gc_vmcb_hit {
	uint64_t paddr;         /* host-physical address of the page */
	bool valid;             /* every invariant held */
	struct gc_vmcb_state st;
	/* the first invariant that failed (rejected), or "" (static) */
	const char *reason;
};

/*
 * Check the 4 KiB page PAGE (at host-physical PADDR) against the VMCB
 * invariants; MAX_PADDR bounds nested_cr3, the IOPM and the MSRPM (0 =
 * 2^52).  Fills HIT; never fails (a page is a VMCB or has a reason).
 */
void gc_vmcb_check(const uint8_t *page, size_t len, uint64_t paddr,
		   uint64_t max_paddr, struct gc_vmcb_hit *hit);

struct gc_vmcb_scan {
	struct gc_vmcb_hit *hits;   /* valid ones, ascending address */
	size_t nr_hits;
	uint64_t frames_scanned;
	uint64_t candidates;        /* pages with the VMRUN intercept set */
	uint64_t read_errors;
};
void gc_vmcb_scan_free(struct gc_vmcb_scan *s);
/* Every present 4 KiB frame of MEM (keep_rejected: also candidates that
 * failed, with their reason). */
struct gc_error *gc_vmcb_scan(const struct gc_hostmem *mem, bool keep_rejected,
			      struct gc_vmcb_scan *out);

/* VMCBs grouped into VMs by nested_cr3 (KVM's ASIDs are per vCPU and do
 * not group).  VMCBs in ascending address order: the scan cannot know
 * vcpu_id. */
struct gc_svm_guest_group {
	uint64_t nested_cr3;
	uint64_t *vmcb;
	size_t nr_vmcb;
};
struct gc_error *gc_svm_find_guests(struct gc_dump *host,
				    struct gc_svm_guest_group **out,
				    size_t *nr);
void gc_svm_guest_groups_free(struct gc_svm_guest_group *g, size_t nr);

/* The paging depth of the host's own page tables, which is the NPT's
 * (KVM uses the host's level): 5 when the dump's VMCOREINFO says
 * NUMBER(pgtable_l5_enabled)=1, else 4. */
unsigned int gc_svm_host_levels(struct gc_dump *host);

/* One NPT walk of guest-physical GPA under root NCR3 with LEVELS (4/5).
 * Not mapped -> GC_ERR_NOT_PRESENT; reserved bits / beyond MAX_PADDR ->
 * GC_ERR_CORRUPT; each names the level and the entry's address. */
struct gc_npt_walk {
	uint64_t hpa, page_size;
	unsigned int depth;
	uint64_t entry[5], entry_addr[5];
};
struct gc_error *gc_npt_translate(const struct gc_hostmem *mem, uint64_t ncr3,
				  unsigned int levels, uint64_t gpa,
				  struct gc_npt_walk *out);

/*
 * gc_guest_open("svm", args): args.host, args.addrs / nr_addrs (the
 * host-physical addresses of the guest's VMCBs, all with the same
 * nested_cr3).  gc_svm_guest_info() says what was taken from where.
 */
struct gc_svm_guest_vcpu {
	uint64_t vmcb;
	uint32_t asid;
	uint64_t exit_code;
	uint64_t efer_vmcb, cr4_vmcb;  /* as in the VMCB (SVME etc. forced) */
};
struct gc_svm_guest_info {
	uint64_t nested_cr3;
	unsigned int levels;
	size_t nr_vcpus;
	const struct gc_svm_guest_vcpu *vcpus;
};
struct gc_guest;
const struct gc_svm_guest_info *gc_svm_guest_info(const struct gc_guest *g);

/*
 * Which register notes of HOST hold a guest's registers (a CPU stopped
 * inside a guest): *LINES gets one malloc'ed line per note (NULL: the
 * host's own), *NR the number of notes (note I = CPU I).  From the KVM
 * structures (K; opened on HOST when NULL): a vCPU with mode
 * IN_GUEST_MODE on CPU c, checked against the note's CR3.  When the
 * structures are unusable and SCAN: a note whose RIP, RSP and CR3 equal a
 * VMCB's (the VMCB scan).  Nothing found is not an error.
 */
struct gc_kernel;
struct gc_error *gc_host_cpus_in_guest(struct gc_dump *host,
				       struct gc_kernel *k, bool scan,
				       char ***lines, unsigned int *nr);
void gc_host_cpus_in_guest_free(char **lines, unsigned int nr);

/* The registers a VMCB does not hold (KVM keeps them in arch.regs). */
#define GC_SVM_UNKNOWN_REGS "rbx,rcx,rdx,rsi,rdi,rbp,r8-r15"

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
