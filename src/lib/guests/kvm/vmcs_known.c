// SPDX-License-Identifier: MIT
/*
 * What KVM itself knows of the fields of its vCPUs' VMCS (for layout
 * inference, docs/vmx.md "Inferring a layout"): values it copied from or
 * into the VMCS, and values it loaded there itself.
 */
#include <string.h>

#include "guests/kvm/kvm_internal.h"
#include "guestcore/vmx.h"

size_t gc_kvm_vmcs_known(const struct gc_kvm_vm *vm, uint64_t host_rip,
			 uint32_t *enc, uint64_t *vals, size_t max)
{
	if (!vm || !vm->nr_vcpus || vm->vendor != GC_KVM_VMX)
		return 0;
	unsigned int nr = vm->nr_vcpus;
	size_t nk = 0;
	/* field k's value for vCPU r goes to vals[r * max + k] first, then
	 * the rows are packed to NK columns */
	for (int f = 0; f < 6 && nk < max; f++) {
		uint32_t e = 0;
		bool any = false;
		for (unsigned int r = 0; r < nr; r++) {
			const struct gc_kvm_vcpu *c = &vm->vcpus[r];
			uint64_t v = 0;
			bool cur;
			switch (f) {
			case 0:  /* RIP: KVM's copy when read and not dirty */
				e = GC_VMCS_GUEST_RIP;
				cur = (c->regs_avail & (1u << 16)) &&
				      !(c->regs_dirty & (1u << 16)) &&
				      !(c->regs_from_vmcs &
					(1ull << GC_REG_RIP));
				if (!cur || !gc_vcpu_get_reg(&c->regs,
							     GC_REG_RIP, &v))
					v = 0;
				break;
			case 1:  /* RSP likewise */
				e = GC_VMCS_GUEST_RSP;
				cur = (c->regs_avail & (1u << 4)) &&
				      !(c->regs_dirty & (1u << 4)) &&
				      !(c->regs_from_vmcs &
					(1ull << GC_REG_RSP));
				if (!cur || !gc_vcpu_get_reg(&c->regs,
							     GC_REG_RSP, &v))
					v = 0;
				break;
			case 2:  /* CR3: when VCPU_EXREG_CR3 is available */
				e = GC_VMCS_GUEST_CR3;
				cur = (c->regs_avail & (1u << 19)) &&
				      !(c->regs_from_vmcs &
					(1ull << GC_REG_CR3));
				if (!cur || !gc_vcpu_get_reg(&c->regs,
							     GC_REG_CR3, &v))
					v = 0;
				break;
			case 3:  /* KVM writes -1 (no shadow VMCS) */
				e = GC_VMCS_LINK_POINTER;
				v = UINT64_MAX;
				break;
			case 4:  /* vmx_vcpu_load: the vCPU thread's CR3, the
				  * VMM's page tables */
				e = GC_VMCS_HOST_CR3;
				v = vm->pgd_phys;
				break;
			default: /* vmx_set_constant_host_state */
				e = GC_VMCS_HOST_RIP;
				v = host_rip;
				break;
			}
			vals[(size_t)r * max + nk] = v;
			any |= v != 0;
		}
		if (!any)
			continue;
		enc[nk++] = e;
	}
	/* pack rows from stride MAX to stride NK */
	for (unsigned int r = 1; r < nr && nk < max; r++)
		memmove(vals + (size_t)r * nk, vals + (size_t)r * max,
			nk * sizeof(*vals));
	return nk;
}
