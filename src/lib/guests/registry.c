// SPDX-License-Identifier: MIT
/*
 * The guest-source registry: gc_guest_open(NAME, ...) takes the source of
 * that name.  Adding a source is one folder (src/lib/guests/NAME/) plus
 * one line here (docs/architecture.md, "How to add a guest source").
 */
#include "guests/guest.h"

extern const struct gc_guest_source gc_guest_source_vmx;
extern const struct gc_guest_source gc_guest_source_qemu;
extern const struct gc_guest_source gc_guest_source_kvm;
extern const struct gc_guest_source gc_guest_source_svm;

const struct gc_guest_source *const gc_guest_sources[] = {
	&gc_guest_source_vmx,   /* KVM on Intel: VMCS + EPT in a host dump */
	&gc_guest_source_qemu,  /* guest RAM in a QEMU process core */
	&gc_guest_source_kvm,   /* KVM guest via the host kernel's structures */
	&gc_guest_source_svm,   /* KVM on AMD: VMCB scan + NPT in a host dump */
	NULL,
};
